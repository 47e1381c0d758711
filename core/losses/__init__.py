"""Shared training losses: pixel, VGG19 perceptual, GAN, mouth-weighted, temporal."""
