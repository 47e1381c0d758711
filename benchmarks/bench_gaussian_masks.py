"""Time the per-step mask work of Gaussian training: rasterised every step vs precomputed once.

A training step needs its sample's face mask (the target's background) and, with region weights,
the per-pixel weight map. Before, both were rasterised on the CPU every step; now every sample's
label map is rasterised once per render size (:meth:`AvatarData.labels`) and a step looks it up.
Measured on the MediaPipe topology (906 triangles) at the given crop sizes: milliseconds per step
for both ways (min over repeats), and the one-time rasterisation per sample.

Usage: ``PYTHONPATH=. python benchmarks/bench_gaussian_masks.py [--out PATH] [--sizes 128 512]``
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from core.face import topology
from core.gaussians.mesh.mediapipe_mesh import estimated_intrinsics, lift_landmarks
from core.gaussians.train.data import crop_camera
from core.gaussians.train.innovations.region_weights import weight_map
from core.gaussians.train.masks import FACE_BIT, face_mask, label_map, mediapipe_regions, weight_table
from core.io.atomic import write_json

WEIGHTS = {"eyes": 2.0, "mouth": 2.0, "nose": 1.5}


def face_uv(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Projected MediaPipe vertices [V, 2] of a frontal face filling a ``size`` crop, and the triangles."""
    layout = np.asarray(topology.frontal_layout(), np.float32)
    lm = (layout * 150.0 + np.array([85.0, 90.0, 0.0], np.float32))[None]
    lm[..., 2] = layout[None, :, 2] * 150.0
    K = estimated_intrinsics(320, 320).numpy()
    cam = crop_camera(K, np.eye(4), (60, 60, 200), size)
    v = torch.from_numpy(lift_landmarks(lm, K))[0].double()
    Kc = cam.K.double()
    uv = (v[:, :2] / v[:, 2:]) * Kc[[0, 1], [0, 1]] + Kc[[0, 1], [2, 2]]
    return uv.numpy(), np.asarray(topology.triangles(fill_holes=True, irises=True), np.int64)


def best_ms(fn: Callable[[], object], repeats: int, inner: int = 20) -> float:
    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return 1000.0 * best


def measure(size: int, repeats: int) -> dict[str, float]:
    uv, faces = face_uv(size)
    regions = mediapipe_regions(len(faces))

    def rasterise() -> None:  # what a step did before
        face_mask(uv, faces, size, size)
        torch.from_numpy(weight_map(uv, faces, WEIGHTS, size, size))

    labels = torch.from_numpy(label_map(uv, faces, regions, size, size))
    table = weight_table(WEIGHTS)

    def lookup() -> None:  # what a step does now
        (labels & FACE_BIT).bool()
        table[labels.long()]

    per_step_before = best_ms(rasterise, repeats)
    per_step_now = best_ms(lookup, repeats)
    return {
        "size": size,
        "per_step_rasterised_ms": round(per_step_before, 3),
        "per_step_precomputed_ms": round(per_step_now, 3),
        "speedup": round(per_step_before / max(per_step_now, 1e-9), 1),
        "precompute_per_sample_ms": round(
            best_ms(lambda: label_map(uv, faces, regions, size, size), repeats), 3
        ),
    }


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/gaussian_masks.json"))
    p.add_argument("--sizes", type=int, nargs="+", default=[128, 512])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    result = {
        "what": "per-step face mask + region weight map: rasterised every step vs precomputed lookup",
        "mesh": "MediaPipe topology, 906 triangles",
        "threads": args.threads,
        "machine": platform.processor() or platform.machine(),
        "results": [measure(s, args.repeats) for s in args.sizes],
    }
    write_json(args.out, result)
    print(result)
    return result


if __name__ == "__main__":
    main()
