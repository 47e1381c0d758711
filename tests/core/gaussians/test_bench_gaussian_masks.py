"""The mask benchmark script runs end to end on a small size and writes honest JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.gaussians.bench_script import load_benchmark


def test_benchmark_writes_json(tmp_path: Path) -> None:
    bench = load_benchmark("bench_gaussian_masks")
    out = tmp_path / "r.json"
    bench.main(["--out", str(out), "--sizes", "32", "--repeats", "1"])
    (row,) = json.loads(out.read_text())["results"]
    assert row["size"] == 32 and row["per_step_rasterised_ms"] > 0 and row["per_step_precomputed_ms"] > 0
    assert row["precompute_per_sample_ms"] > 0
