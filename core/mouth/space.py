"""The mouth shape space: pose-free mouth + jaw landmarks compressed to K PCA coefficients.

Head pose and scale are removed with a 3D similarity (Umeyama) fitted on rigid anchor
points (nose, eye corners, upper face outline), not on the mouth itself, so opening the
mouth is kept as shape rather than absorbed as scale. The canonical frame is the anchors'
generalised-Procrustes mean, in the pixels of the average face of the training clips.
The basis is orthonormal, so squared error on coefficients equals squared landmark error
inside the space.

Example:
    >>> space = MouthSpace.fit(landmarks, k=6)          # landmarks [N, 478, 3] pixels
    >>> coeffs = space.encode(landmarks)                 # [N, 6]
    >>> pixels = space.to_image(space.decode(coeffs), space.pose(landmarks))  # [N, V, 3]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.face.topology import region_vertices

# Rigid-ish MediaPipe vertices: nose bridge and tip, eye corners, forehead and temples.
RIGID_EXTRA: tuple[int, ...] = (33, 133, 362, 263, 10, 151, 9, 8, 109, 67, 338, 297, 127, 356, 234, 454)


def mouth_vertices() -> np.ndarray:
    """Lips and jaw vertex ids, sorted [V]."""
    return np.union1d(region_vertices("lips"), region_vertices("jaw")).astype(np.int64)


def anchor_vertices() -> np.ndarray:
    """Vertices used to estimate head pose, sorted; none of them is a mouth or jaw vertex."""
    nose = [v for v in region_vertices("nose") if v not in (2, 94, 97, 326)]  # lower nose moves with the lip
    out = np.union1d(np.asarray(nose), np.asarray(RIGID_EXTRA)).astype(np.int64)
    return np.setdiff1d(out, mouth_vertices())


@dataclass(frozen=True)
class Pose:
    """Per-frame similarity image -> canonical: canonical = scale * image @ R.T + t."""

    scale: np.ndarray  # [N]
    rotation: np.ndarray  # [N, 3, 3]
    translation: np.ndarray  # [N, 3]

    def apply(self, points: np.ndarray) -> np.ndarray:
        """image [N, P, 3] -> canonical [N, P, 3]."""
        return (
            self.scale[:, None, None] * np.einsum("npd,ned->npe", points, self.rotation)
            + self.translation[:, None, :]
        )

    def invert(self, points: np.ndarray) -> np.ndarray:
        """canonical [N, P, 3] -> image [N, P, 3]."""
        centred = (points - self.translation[:, None, :]) / self.scale[:, None, None]
        return np.einsum("npe,ned->npd", centred, self.rotation)


def fit_similarity(src: np.ndarray, dst: np.ndarray) -> Pose:
    """Least-squares similarity per frame mapping src [N, P, 3] onto dst [P, 3] (Umeyama 1991)."""
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s = src.mean(axis=1)  # [N, 3]
    mu_d = dst.mean(axis=0)  # [3]
    xs = src - mu_s[:, None, :]
    xd = dst - mu_d
    cov = np.einsum("pd,npe->nde", xd, xs) / src.shape[1]  # [N, 3, 3]
    u, sig, vt = np.linalg.svd(cov)
    d = np.ones_like(sig)
    d[:, -1] = np.sign(np.linalg.det(u) * np.linalg.det(vt))
    rot = u @ (d[:, :, None] * vt)
    var_s = (xs**2).sum(axis=(1, 2)) / src.shape[1]
    scale = (sig * d).sum(axis=1) / np.maximum(var_s, 1e-12)
    trans = mu_d - scale[:, None] * np.einsum("nde,ne->nd", rot, mu_s)
    return Pose(scale, rot, trans)


def procrustes_reference(anchors: np.ndarray, iterations: int = 3) -> np.ndarray:
    """Generalised Procrustes mean of anchor shapes [N, P, 3], in their average pixel scale."""
    anchors = np.asarray(anchors, np.float64)
    size = np.sqrt(((anchors - anchors.mean(axis=1, keepdims=True)) ** 2).sum(axis=(1, 2))).mean()
    ref = anchors[0] - anchors[0].mean(axis=0)
    for _ in range(iterations):
        aligned = fit_similarity(anchors, ref).apply(anchors)
        ref = aligned.mean(axis=0)
        ref = ref - ref.mean(axis=0)
        ref *= size / max(np.sqrt((ref**2).sum()), 1e-12)
    return ref


def canonical_reference(landmarks: np.ndarray) -> np.ndarray:
    """The canonical frame's anchor shape [A, 3] (float32, as `MouthSpace.reference`) of valid
    frames' landmarks [N, 478, 3]: all that pose-free openings need, without the PCA (which is
    most of `MouthSpace.fit`'s time and serves coefficients only)."""
    anchors = np.asarray(landmarks, np.float64)[:, anchor_vertices()]
    return procrustes_reference(anchors).astype(np.float32)


@dataclass(frozen=True)
class MouthSpace:
    vertices: np.ndarray  # [V] landmark ids
    anchors: np.ndarray  # [A] landmark ids
    reference: np.ndarray  # [A, 3] canonical anchor shape
    mean: np.ndarray  # [V * 3]
    basis: np.ndarray  # [K, V * 3], orthonormal rows
    variance: np.ndarray  # [K] variance of each coefficient on the fitting frames
    total_variance: float  # sum over all components

    @property
    def k(self) -> int:
        return int(self.basis.shape[0])

    @property
    def explained_variance_ratio(self) -> np.ndarray:
        return self.variance / max(self.total_variance, 1e-12)

    @classmethod
    def fit(cls, landmarks: np.ndarray, k: int = 6) -> MouthSpace:
        """Fit on valid frames' landmarks [N, 478, 3] (pixels)."""
        landmarks = np.asarray(landmarks, np.float64)
        if landmarks.ndim != 3 or landmarks.shape[1] < 468:
            raise ValueError(f"landmarks must be [N, 478, 3]; got {landmarks.shape}")
        verts, anchors = mouth_vertices(), anchor_vertices()
        n = landmarks.shape[0]
        if n < k + 1:
            raise ValueError(f"need more than {k} valid frames to fit {k} mouth components (got {n})")
        ref = procrustes_reference(landmarks[:, anchors])
        pose = fit_similarity(landmarks[:, anchors], ref)
        flat = pose.apply(landmarks[:, verts]).reshape(n, -1)
        mean = flat.mean(axis=0)
        _, s, vt = np.linalg.svd(flat - mean, full_matrices=False)
        var = s**2 / n
        return cls(
            verts,
            anchors,
            ref.astype(np.float32),
            mean.astype(np.float32),
            vt[:k].astype(np.float32),
            var[:k].astype(np.float32),
            float(var.sum()),
        )

    def pose(self, landmarks: np.ndarray) -> Pose:
        return fit_similarity(np.asarray(landmarks, np.float64)[:, self.anchors], self.reference)

    def canonical(self, landmarks: np.ndarray, pose: Pose | None = None) -> np.ndarray:
        """Pose-free mouth points [N, V, 3]."""
        pose = pose or self.pose(landmarks)
        return pose.apply(np.asarray(landmarks, np.float64)[:, self.vertices])

    def encode(self, landmarks: np.ndarray) -> np.ndarray:
        """landmarks [N, 478, 3] -> coefficients [N, K] float32."""
        flat = self.canonical(landmarks).reshape(len(landmarks), -1)
        return ((flat - self.mean) @ self.basis.T).astype(np.float32)

    def decode(self, coeffs: np.ndarray) -> np.ndarray:
        """coefficients [N, K] -> canonical mouth points [N, V, 3]."""
        coeffs = np.asarray(coeffs, np.float64)
        return (self.mean + coeffs @ self.basis).reshape(len(coeffs), -1, 3)

    def to_image(self, points: np.ndarray, pose: Pose) -> np.ndarray:
        """Canonical mouth points [N, V, 3] -> image pixels with each frame's head pose."""
        return pose.invert(points)

    def to_dict(self) -> dict:
        import torch

        t = lambda a: torch.from_numpy(np.ascontiguousarray(a))  # noqa: E731
        return {
            "vertices": t(self.vertices),
            "anchors": t(self.anchors),
            "reference": t(self.reference),
            "mean": t(self.mean),
            "basis": t(self.basis),
            "variance": t(self.variance),
            "total_variance": float(self.total_variance),
        }

    @classmethod
    def from_dict(cls, d: dict) -> MouthSpace:
        a = lambda x, dt: np.asarray(x, dt)  # noqa: E731
        return cls(
            a(d["vertices"], np.int64),
            a(d["anchors"], np.int64),
            a(d["reference"], np.float32),
            a(d["mean"], np.float32),
            a(d["basis"], np.float32),
            a(d["variance"], np.float32),
            float(d["total_variance"]),
        )
