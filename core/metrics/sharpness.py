"""Sharpness: the variance of the Laplacian of the grey image (higher = more fine detail)."""

from __future__ import annotations

import cv2
import numpy as np


def laplacian_variance(image: np.ndarray) -> float:
    """Variance of the 3x3 Laplacian of a BGR (or grey) image; 0 for a flat image."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return float(cv2.Laplacian(grey.astype(np.float64), cv2.CV_64F).var())
