"""Benchmark the Gaussian avatar live: a trained Gaussian run driven from a speech file at real-time pace.

    PYTHONPATH=. python benchmarks/bench_live_gaussian.py RUN [--audio WAV] [--seconds 8]
        [--device cpu] [--out benchmarks/results/live_gaussian_cpu.json] [--compare-torch]

RUN is a finished Gaussian run (e.g. `dhstudio demo`'s runs/demo-gaussian: 64 px training crop,
about 3000 Gaussians) with an audio-to-mouth run in its project. The session is the kind's own
live job (`kind_of_run(RUN).live_job`, what `dhstudio live` runs): audio -> mouth coefficients ->
deformed mesh -> bound Gaussians -> rasterizer (the fused C++ one on a CPU when built, else the
PyTorch one; gsplat on CUDA) -> paste. Targets: 25 fps sustained and p95 end-to-end latency
<= 150 ms. The load average is recorded, since other work shares the CPU.

``--compare-torch`` runs the session twice, one after the other in fresh processes: with the
renderer the selection picks (the fused rasterizer) and with the PyTorch rasterizer (its loader
pointed at an empty build directory, the same fallback a machine without the build takes), and
writes both with their ratios.
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
    p.add_argument("--compare-torch", action="store_true", help="also run with the PyTorch rasterizer")
    args = p.parse_args(argv)
    if not args.audio.is_file():
        print(f"missing {args.audio}; pass --audio", file=sys.stderr)
        return 2
    if args.compare_torch:
        return compare(args)

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
            "threads": torch.get_num_threads(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "cpu": platform.processor(),
        },
        "report": r,
    }
    atomic.write_json(args.out, summary)
    print(json.dumps({k: summary[k] for k in ("fps_rendered", "frames", "end_to_end_ms", "render_model_ms")}))
    return 0


def compare(args: argparse.Namespace) -> int:
    """The session with the selected renderer, then with the PyTorch one, each in a fresh process."""
    import os
    import subprocess
    import tempfile

    from core.io import atomic
    from core.native_cache import ENV_DIR

    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, env_extra in (("selected", {}), ("torch", {ENV_DIR: str(Path(tmp) / "no-build")})):
            out = Path(tmp) / f"{name}.json"
            cmd = [sys.executable, __file__, str(args.run), "--audio", str(args.audio), "--out", str(out)]
            cmd += ["--device", args.device] + (["--seconds", str(args.seconds)] if args.seconds else [])
            proc = subprocess.run(cmd, env={**os.environ, **env_extra}, cwd=ROOT)
            if proc.returncode != 0:
                return proc.returncode
            runs[name] = json.loads(out.read_text())
    sel, ref = runs["selected"], runs["torch"]
    summary = {
        "what": "dhstudio live GAUSSIAN_RUN --audio-file, fused vs PyTorch rasterizer, back to back",
        "method": "two fresh processes one after the other; the PyTorch run points the fused "
        "rasterizer's loader at an empty build directory (the fallback path)",
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "selected": sel,
        "torch": ref,
        "render_model_ms_p50_ratio_torch_over_selected": round(
            ref["render_model_ms"]["p50"] / sel["render_model_ms"]["p50"], 2
        ),
    }
    atomic.write_json(args.out, summary)
    for name, r in runs.items():
        e2e, model = r["end_to_end_ms"], r["render_model_ms"]
        print(
            f"{name:8s} renderer={r['renderer']:6s} fps={r['fps_rendered']:.1f} "
            f"e2e p50/p95={e2e['p50']:.0f}/{e2e['p95']:.0f} ms "
            f"model p50/p95={model['p50']:.1f}/{model['p95']:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
