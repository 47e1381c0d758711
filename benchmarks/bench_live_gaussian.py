"""Benchmark the Gaussian avatar live: a trained Gaussian run driven from a speech file at real-time pace.

    PYTHONPATH=. python benchmarks/bench_live_gaussian.py RUN [--audio WAV] [--seconds 8]
        [--device cpu] [--out benchmarks/results/live_gaussian_cpu.json]

RUN is a finished Gaussian run (e.g. `dhstudio demo`'s runs/demo-gaussian: 64 px training crop,
about 3000 Gaussians) with an audio-to-mouth run in its project. The session is the kind's own
live job (`kind_of_run(RUN).live_job`, what `dhstudio live` runs): audio -> mouth coefficients ->
deformed mesh -> bound Gaussians -> rasterizer (the PyTorch one on a CPU, gsplat on CUDA) -> paste.
Targets: 25 fps sustained and p95 end-to-end latency <= 150 ms. The load average is recorded,
since other work shares the CPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("run", type=Path)
    p.add_argument("--audio", type=Path, default=SAMPLES / "speech_zh_16k_8s.wav")
    p.add_argument("--seconds", type=float, default=None)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "live_gaussian_cpu.json")
    args = p.parse_args(argv)
    if not args.audio.is_file():
        print(f"missing {args.audio}; pass --audio", file=sys.stderr)
        return 2

    import torch

    from core.io import atomic
    from core.jobs.collector import CollectingRunner
    from core.kinds.audio_model import resolve_audio_run
    from core.kinds.registry import kind_of_run
    from core.realtime.job import LiveRequest

    kind = kind_of_run(args.run)
    request = LiveRequest(
        args.run,
        resolve_audio_run(args.run, None, kind),
        audio_file=args.audio,
        seconds=args.seconds,
        device=args.device,
        preview_fps=0.0,
    )
    job = kind.live_job(request)
    result = CollectingRunner().run(job)
    if not result.ok:
        print(result.error, file=sys.stderr)
        return 1
    r = job.report
    gaussians = (
        json.loads((args.run / "eval.json").read_text()).get("gaussians")
        if (args.run / "eval.json").is_file()
        else None
    )
    lat = r["latency_ms"]
    summary = {
        "what": "Gaussian avatar live from a speech file at real-time pace (dhstudio live GAUSSIAN_RUN)",
        "run": str(args.run),
        "gaussians": gaussians,
        "audio": str(args.audio),
        "device": r["device"],
        "renderer": r["renderer_backend"],
        "fps_target": r["fps_target"],
        "fps_rendered": r["fps_rendered"],
        "frames": r["frames"],
        "end_to_end_ms": lat["end_to_end"],
        "render_model_ms": lat["model"],
        "mesh_ms": lat["mesh"],
        "paste_ms": lat["paste"],
        "load_average": r["load_average"],
        "machine": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "cpu": platform.processor(),
        },
        "report": r,
    }
    atomic.write_json(args.out, summary)
    print(json.dumps({k: summary[k] for k in ("fps_rendered", "frames", "end_to_end_ms", "render_model_ms")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
