"""The renderer benchmark script runs end to end on a tiny scene and writes honest JSON."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from tests.core.gaussians.bench_script import load_benchmark


def test_benchmark_writes_json(tmp_path: Path) -> None:
    bench = load_benchmark("bench_gaussian_render")
    threads = torch.get_num_threads()
    out = tmp_path / "r.json"
    try:
        bench.main(
            [
                "--out",
                str(out),
                "--cases",
                "300x48",
                "--gsplat-size",
                "64",
                "--repeats",
                "3",
                "--threads",
                "1",
            ]
        )
    finally:
        torch.set_num_threads(threads)
    data = json.loads(out.read_text())
    (case,) = data["cases"]
    assert case["gaussians"] == 300 and case["width"] == 48 and case["visible_gaussians"] > 0
    assert data["machine"]["threads"] == 1 and len(case["load_average_before"]) == 3
    for name in ("torch", "native") if data["native"]["built"] else ("torch",):
        assert case[name]["forward_fps_median"] > 0 and case[name]["forward_backward_ms_median"] > 0
    if data["native"]["built"]:
        assert case["speedup_forward"] > 0 and case["speedup_forward_backward"] > 0
    else:
        assert "build_native" in data["native"]["detail"]
    if not torch.cuda.is_available():
        assert data["gsplat_cuda"]["measured"] is False and data["gsplat_cuda"]["reason"]
