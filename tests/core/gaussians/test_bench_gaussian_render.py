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
                "--gaussians",
                "300",
                "--size",
                "48",
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
    cpu = data["torch_cpu"]
    assert cpu["gaussians"] == 300 and cpu["width"] == 48 and cpu["forward_fps_median"] > 0
    assert cpu["forward_backward_ms_median"] > 0 and cpu["visible_gaussians"] > 0
    if not torch.cuda.is_available():
        assert data["gsplat_cuda"]["measured"] is False and data["gsplat_cuda"]["reason"]
