"""Time the Gaussian renderers and write the numbers as JSON.

Measures, on a head-like scene (Gaussians on an ellipsoidal head surface, SH degree 3):
* the PyTorch rasterizer at 256x256 with 10k Gaussians: forward-only frames/s and
  forward+backward milliseconds, with ``torch.set_num_threads(2)`` by default;
* gsplat at 512x512 when a CUDA GPU is available and gsplat's kernels run there; otherwise the
  entry says why it was not measured.

Usage: ``PYTHONPATH=. python benchmarks/bench_gaussian_render.py [--out PATH] [--repeats N]``
"""

from __future__ import annotations

import argparse
import math
import os

# Idle OpenMP workers sleep instead of spinning: on a shared/busy CPU spinning threads slow every
# parallel op several-fold. Must be set before torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import torch

from core.gaussians.camera import Camera, intrinsics
from core.gaussians.render import gsplat_backend, torch_rasterizer
from core.gaussians.render.base import GaussiansWorld
from core.gaussians.render.select import probe_gsplat
from core.io.atomic import write_json

HEAD_RADII = (0.08, 0.11, 0.095)  # metres: half width, half height, half depth


def head_scene(n: int, seed: int = 0, device: torch.device | str = "cpu") -> GaussiansWorld:
    """``n`` Gaussians covering an ellipsoidal head centred at the origin."""
    gen = torch.Generator().manual_seed(seed)
    d = torch.randn(n, 3, generator=gen)
    d = d / d.norm(dim=1, keepdim=True)
    means = d * torch.tensor(HEAD_RADII)
    spacing = math.sqrt(4 * math.pi * 0.09**2 / n)
    g = GaussiansWorld(
        means=means,
        quats=torch.randn(n, 4, generator=gen),
        scales=(torch.rand(n, 3, generator=gen) * 0.8 + 0.3) * spacing,
        opacities=torch.rand(n, generator=gen) * 0.4 + 0.6,
        sh=torch.randn(n, 16, 3, generator=gen) * 0.2,
    )
    names = ("means", "quats", "scales", "opacities", "sh")
    return GaussiansWorld(**{k: getattr(g, k).to(device) for k in names})


def front_camera(size: int, device: torch.device | str = "cpu") -> Camera:
    """A portrait camera 0.32 m in front of the face; the head spans about 60% of the width."""
    view = torch.eye(4)
    view[2, 3] = 0.32
    f = 1.2 * size
    return Camera(view, intrinsics(f, f, size / 2, size / 2), size, size).to(device)


def _time(
    fn: Callable[[], object],
    repeats: int,
    sync: Callable[[], None] = lambda: None,
    cpu: list[float] | None = None,
) -> list[float]:
    """Wall seconds per call; process CPU seconds (all threads) are appended to ``cpu`` if given."""
    fn()
    sync()
    out = []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        sync()
        out.append(time.perf_counter() - t0)
        if cpu is not None:
            cpu.append(time.process_time() - c0)
    return out


def bench_torch(n: int, size: int, repeats: int) -> dict:
    g = head_scene(n)
    cam = front_camera(size)
    fwd_cpu: list[float] = []
    with torch.no_grad():
        fwd = _time(lambda: torch_rasterizer.render(g, cam), repeats, cpu=fwd_cpu)
        out = torch_rasterizer.render(g, cam)
    params = {
        k: getattr(g, k).clone().requires_grad_(True) for k in ("means", "quats", "scales", "opacities", "sh")
    }

    def step() -> None:
        o = torch_rasterizer.render(GaussiansWorld(**params), cam)
        (o.colors.mean() + o.alphas.mean()).backward()

    fb = _time(step, max(3, repeats // 2))
    med = statistics.median(fwd)
    return {
        "gaussians": n,
        "width": size,
        "height": size,
        "threads": torch.get_num_threads(),
        "forward_ms_median": round(med * 1e3, 2),
        "forward_ms_min": round(min(fwd) * 1e3, 2),
        "forward_fps_median": round(1.0 / med, 2),
        "forward_fps_best": round(1.0 / min(fwd), 2),
        "forward_process_cpu_ms_median": round(statistics.median(fwd_cpu) * 1e3, 2),
        "forward_backward_ms_median": round(statistics.median(fb) * 1e3, 2),
        "forward_backward_ms_min": round(min(fb) * 1e3, 2),
        "visible_gaussians": int((out.meta["radii"] > 0).all(-1).sum()),
        "covered_pixels": round(float((out.alphas > 0.5).float().mean()), 3),
        "meets_10fps_target": 1.0 / med >= 10.0,
    }


def bench_gsplat(n: int, size: int, repeats: int) -> dict:
    device = torch.device("cuda")
    problem = probe_gsplat(device)
    if problem is not None:
        return {"measured": False, "reason": problem}
    g = head_scene(n, device=device)
    cam = front_camera(size, device)
    with torch.no_grad():
        fwd = _time(lambda: gsplat_backend.render(g, cam), repeats, torch.cuda.synchronize)
    med = statistics.median(fwd)
    return {
        "measured": True,
        "device": torch.cuda.get_device_name(device),
        "gaussians": n,
        "width": size,
        "height": size,
        "forward_ms_median": round(med * 1e3, 3),
        "forward_fps_median": round(1.0 / med, 1),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/gaussian_render.json"))
    parser.add_argument("--gaussians", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--gsplat-size", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    result = {
        "benchmark": "gaussian_render",
        "machine": {
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "torch": torch.__version__,
            "load_average_before": [round(x, 2) for x in load_before],
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        },
        "torch_cpu": bench_torch(args.gaussians, args.size, args.repeats),
        "gsplat_cuda": bench_gsplat(args.gaussians, args.gsplat_size, args.repeats),
    }
    result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    write_json(args.out, result)
    print(result)
    return result


if __name__ == "__main__":
    main()
