"""Wall time of `dhstudio` start-up (light commands) in this tree against a baseline commit, interleaved.

Each round runs every command once in the baseline tree and once in this one, alternating, so a
machine whose load changes (other work sharing the CPU) affects both sides alike; the figures are
the medians and the ratio of medians. Per side it also records, from one `python -X importtime`
run of `--help`, how many modules were imported, their total import time, and which engines among
torch / OpenCV / MediaPipe / ONNX Runtime / PyAV / Qt / numpy were loaded.
Commands: `--help`, `doctor --help`, and `prepare /nonexistent.mp4 --project P` (bad input, exit 2).
The baseline is `git archive REF` of this repository, unpacked in a temporary folder.

Usage: PYTHONPATH=. python benchmarks/bench_cli_startup.py [--baseline e9ba267] [--rounds 5]
       [--out benchmarks/results/cli_startup.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENGINES = ("torch", "cv2", "mediapipe", "onnxruntime", "av", "PySide6", "numpy")


def _env(tree: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _wall(tree: Path, args: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", *args], cwd=tree, env=_env(tree), capture_output=True
    )
    return time.perf_counter() - start, done.returncode


def _imports(tree: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "studio.cli.main", "--help"],
        cwd=tree,
        env=_env(tree),
        capture_output=True,
        text=True,
    )
    rows = re.findall(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)", done.stderr)
    loaded = {name.split(".")[0] for _, name in rows}
    return {
        "modules": len(rows),
        "import_ms": round(sum(int(us) for us, _ in rows) / 1000, 1),
        "engines_loaded": [e for e in ENGINES if e in loaded],
    }


def _baseline(ref: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--baseline", default="e9ba267", help="git ref to compare with (default: before the fix)")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "cli_startup.json")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="dhstudio-cli-bench-") as tmp:
        base = _baseline(args.baseline, Path(tmp) / "baseline")
        project = Path(tmp) / "P"
        new = [sys.executable, "-m", "studio.cli.main", "new", str(project)]
        subprocess.run(new, cwd=REPO, env=_env(REPO), capture_output=True, check=True)
        commands = {
            "--help": ["--help"],
            "doctor --help": ["doctor", "--help"],
            "prepare /nonexistent.mp4": ["prepare", "/nonexistent.mp4", "--project", str(project)],
        }
        sides = {"baseline": base, "this tree": REPO}
        times: dict[str, dict[str, list[float]]] = {c: {s: [] for s in sides} for c in commands}
        codes: dict[str, dict[str, int]] = {c: {} for c in commands}
        load = os.getloadavg()[0]
        for _ in range(args.rounds):
            for name, argv in commands.items():
                for side, tree in sides.items():
                    seconds, code = _wall(tree, argv)
                    times[name][side].append(round(seconds, 3))
                    codes[name][side] = code
        imports = {side: _imports(tree) for side, tree in sides.items()}
    result = {
        "benchmark": "cli_startup",
        "baseline": args.baseline,
        "rounds": args.rounds,
        "method": "interleaved per round (baseline, this tree) per command; medians; same machine, same load",
        "load_average_1min": [round(load, 2), round(os.getloadavg()[0], 2)],
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "commands": {
            name: {
                "seconds": times[name],
                "median_s": {s: round(statistics.median(v), 3) for s, v in times[name].items()},
                "speedup": round(
                    statistics.median(times[name]["baseline"]) / statistics.median(times[name]["this tree"]),
                    2,
                ),
                "exit_codes": codes[name],
            }
            for name in commands
        },
        "help_imports": imports,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {n: c["median_s"] | {"speedup": c["speedup"]} for n, c in result["commands"].items()}, indent=2
        )
    )
    print(json.dumps(imports, indent=2))


if __name__ == "__main__":
    main()
