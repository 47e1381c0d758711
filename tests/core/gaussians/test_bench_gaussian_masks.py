"""The mask benchmark script runs end to end on a small size and writes honest JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_gaussian_masks.py"


def test_benchmark_writes_json(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_gaussian_masks", SCRIPT)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "r.json"
    bench.main(["--out", str(out), "--sizes", "32", "--repeats", "1"])
    (row,) = json.loads(out.read_text())["results"]
    assert row["size"] == 32 and row["per_step_rasterised_ms"] > 0 and row["per_step_precomputed_ms"] > 0
    assert row["precompute_per_sample_ms"] > 0
