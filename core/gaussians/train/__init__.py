"""Gaussian avatar training: trainer, densification strategies, innovations, evaluation."""
