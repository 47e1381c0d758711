"""Mesh providers that drive mesh-bound Gaussians: MediaPipe face mesh, FLAME, VHAP datasets."""
