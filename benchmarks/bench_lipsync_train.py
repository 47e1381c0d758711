"""Training speed of the lip-sync renderer: steps/s of the real `dinet` training step on this machine.

Builds a small prepared clip from the synthetic talking head (PrepareJob, in a temp folder), then
runs DinetTrainJob for warm-up + timed steps for each (variant, mouth size) and times the steps
from the job's progress events. No VGG19 (perceptual weight 0: the weights are not shipped), GAN
on, batch 8 by default. Writes JSON (--out). CPU timings on a shared machine are noisy: the JSON
records the load average before and after each case.

    PYTHONPATH=. python benchmarks/bench_lipsync_train.py --device cpu --steps 8
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from core.io import atomic
from core.jobs.events import Progress
from core.jobs.job import execute
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import DinetTrainJob
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest


def make_clip(root: Path) -> Path:
    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.synth.talking_head import DemoClipSpec, generate, write

    clip = generate(DemoClipSpec(size=384, fps=25, duration=5.0, seed=7))
    video = root / "bench.mp4"
    write(clip, video, root / "truth.json")
    out = root / "prepared" / "bench"
    result = execute(PrepareJob(video, out, PrepareSettings(mouth_size=128)), lambda e: None)
    if not result.ok:
        raise SystemExit(f"preparing the benchmark clip failed: {result.error}")
    return out


def time_case(
    clip: Path, root: Path, variant: str, mouth: int, batch: int, warmup: int, steps: int, device: str
) -> dict:
    cfg = DinetTrainConfig.model_validate(
        {
            "model": {"variant": variant, "mouth_size": mouth},
            "loss": {"lamb_perception": 0.0},
            "train": {
                "steps": warmup + steps,
                "batch_size": batch,
                "log_every": 1000,
                "preview_every": 100000,
                "checkpoint_every": 100000,
            },
        }
    )
    run = RunFolder(root / f"run-{variant}-{mouth}").create("dinet", cfg.model_dump(mode="json"))
    stamps: dict[int, float] = {}

    def sink(event) -> None:
        if isinstance(event, Progress):
            stamps[event.step] = time.perf_counter()

    load_before = os.getloadavg()[0]
    result = execute(DinetTrainJob(cfg, TrainRequest((clip,), run, device=device)), sink)
    run.close()
    if not result.ok:
        raise SystemExit(f"{variant}/{mouth} failed: {result.error}")
    elapsed = stamps[warmup + steps] - stamps[warmup]
    return {
        "variant": variant,
        "mouth_size": mouth,
        "batch_size": batch,
        "timed_steps": steps,
        "steps_per_s": steps / elapsed,
        "samples_per_s": steps * batch / elapsed,
        "seconds_per_step": elapsed / steps,
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/lipsync_train.json"))
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--cases", default="mini:64,mini:128,full:64,full:128")
    args = p.parse_args(argv)
    cases = [(v, int(m)) for v, m in (c.split(":") for c in args.cases.split(","))]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_lipsync_") as tmp:
        root = Path(tmp)
        clip = make_clip(root)
        for variant, mouth in cases:
            r = time_case(clip, root, variant, mouth, args.batch, args.warmup, args.steps, args.device)
            print(
                f"{variant:4s} mouth {mouth:3d} batch {args.batch}: {r['steps_per_s']:.3f} steps/s "
                f"({r['seconds_per_step']:.2f} s/step, load {r['load_avg_before']:.1f})"
            )
            results.append(r)
    report = {
        "benchmark": "lipsync_train",
        "what": "DinetTrainJob steps/s (D + G update, GAN on, perceptual off, augmentation on)",
        "device": args.device,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "note": "CPU shared with other jobs while measured: figures are noisy; see the load averages",
        "results": results,
    }
    atomic.write_json(args.out, report)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
