"""Gaussian head avatars: mesh providers, binding, renderers, PLY I/O."""
