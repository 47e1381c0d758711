"""Gaussian renderers: one interface, a gsplat (CUDA) and a PyTorch (CPU) backend."""
