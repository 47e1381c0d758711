"""Lip-sync video avatar: DINet family renderers, attention, discriminator, augmentation."""
