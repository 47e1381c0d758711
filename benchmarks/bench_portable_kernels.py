"""This machine's ``-march=native`` builds of the compiled CPU kernels against the portable builds a
bundle ships (core/native_cache.py levels), interleaved in one process, on one thread.

    PYTHONPATH=. OMP_NUM_THREADS=1 python benchmarks/bench_portable_kernels.py --bundle DIR
        [--rounds 7] [--reps 10] [--out benchmarks/results/portable_kernels.json]

DIR holds the portable builds (`python -m core.{media,gaussians.render}.build_native --level all
--out DIR`); this machine's builds come from the build directory (`core.native_cache.build_dir`).
Cases: the HDR tone map (the fused C kernel on one 1080p HLG frame, the tone map's own tables and
parameters, the NumPy route beside it) and the fused rasterizer's forward at 256^2 with 10k
Gaussians (benchmarks/bench_gaussian_render.py's head scene and camera). Each round runs every
build of a kernel once, in the same order; a figure is the median over rounds of the mean over
`reps` calls, as wall time and as the process's CPU time (other work shares this CPU: compare
the ratios within one run).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import cv2
import numpy as np
import torch

from benchmarks.bench_gaussian_render import front_camera, head_scene
from core import native_cache
from core.gaussians.render import native as raster
from core.io.atomic import write_json
from core.media import native as tone
from core.media import tonemap
from core.media.colour import FrameColour
from tests.core.media.colour_clips import hlg_signal_from_display, i420, rgb_to_ycbcr, sdr_to_display_2020


def _frame(h: int = 1080, w: int = 1920) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HLG BT.2020 10-bit 4:2:0 planes of a smooth colour field with grain at twice SDR brightness."""
    rng = np.random.default_rng(0)
    img = cv2.resize(rng.uniform(0, 1, (9, 16, 3)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC)
    img = (np.clip(img + rng.normal(0, 0.02, img.shape).astype(np.float32), 0, 1) * 255).astype(np.uint8)
    stacked = i420(rgb_to_ycbcr(hlg_signal_from_display(sdr_to_display_2020(img) * 2.0), "bt2020", 10))
    y, c = stacked[:h].astype(np.uint16), stacked[h:].ravel().astype(np.uint16)
    q = (h // 2) * (w // 2)
    return y, c[:q].reshape(h // 2, w // 2), c[q:].reshape(h // 2, w // 2)


def _mean_ms(fn: Callable[[], object], reps: int) -> tuple[float, float]:
    """(wall, process CPU) ms per call."""
    t, c = time.perf_counter(), time.process_time()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps * 1000, (time.process_time() - c) / reps * 1000


def _interleave(
    cases: dict[str, Callable[[], object]], rounds: int, reps: int
) -> dict[str, dict[str, float]]:
    for fn in cases.values():
        fn()  # warm-up
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            times[name].append(_mean_ms(fn, reps))
    return {
        k: {
            "wall_ms": round(statistics.median(w for w, _ in v), 2),
            "cpu_ms": round(statistics.median(c for _, c in v), 2),
        }
        for k, v in times.items()
    }


def tonemap_cases(bundle: Path) -> dict[str, Callable[[], object]]:
    y, cb, cr = _frame()
    colour = FrameColour("bt2020", False, "hlg", "bt2020", 10)
    peak = tonemap.TRANSFERS["hlg"].default_peak
    lin_t, _ = tonemap._tables("hlg", peak)
    gain_t, _ = tonemap._native_gain("hlg", peak)
    params, out_t = tonemap._native_params(colour, peak, True), tonemap._out_table_padded()
    out = np.empty((*y.shape, 3), np.uint8)
    libs = {"native": tone.load(native_cache.build_dir())}
    libs |= {
        lv.name: tone.load(bundle, lv)
        for lv in native_cache.levels()
        if not lv.missing(native_cache.cpu_features())
    }
    cases: dict[str, Callable[[], object]] = {}
    for name, st in libs.items():
        if not st.ok:
            print(f"tone map {name}: {st.detail}")
            continue
        cases[name] = lambda lib=st.lib: tone.tonemap_rows(
            lib, y, cb, cr, 2, 2, params, lin_t, gain_t, out_t, out
        )
    cases["numpy route"] = lambda: tonemap.to_sdr_rgb8(y, cb, cr, colour, route="numpy", workers=1)
    return cases


def raster_cases(bundle: Path, n: int = 10_000, size: int = 256) -> dict[str, Callable[[], object]]:
    g, cam = head_scene(n), front_camera(size)
    modules = {"native": raster.load_module(native_cache.build_dir())}
    cpu = native_cache.cpu_features()
    modules |= {
        lv.name: raster.load_module(bundle, level=lv) for lv in native_cache.levels() if not lv.missing(cpu)
    }
    cases: dict[str, Callable[[], object]] = {}
    for name, (module, detail) in modules.items():
        if module is None:
            print(f"rasterizer {name}: {detail}")
            continue

        def run(module=module) -> None:
            raster.status = lambda: raster.NativeStatus(module, "benchmark")  # the module this case times
            with torch.no_grad():
                raster.render(g, cam, None)

        cases[name] = run
    return cases


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bundle", type=Path, required=True, help="the folder of portable builds")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/portable_kernels.json"))
    args = ap.parse_args()
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} before",
        "threads": 1,
        "tonemap_1080p_hlg_ms": _interleave(tonemap_cases(args.bundle), args.rounds, args.reps),
        "rasterizer_forward_256px_10k_ms": _interleave(raster_cases(args.bundle), args.rounds, args.reps),
        "load_after": round(os.getloadavg()[0], 2),
    }
    for key in ("tonemap_1080p_hlg_ms", "rasterizer_forward_256px_10k_ms"):
        print(key, result[key])
    write_json(args.out, result)


if __name__ == "__main__":
    main()
