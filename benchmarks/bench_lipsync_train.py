"""Training speed of the lip-sync renderer: steps/s of the real `dinet` training step, recipes side by side.

Builds a small prepared clip from the synthetic talking head (PrepareJob, in a temp folder), then
runs DinetTrainJob for warm-up + timed steps per (recipe, variant, mouth size) and times the
steps from the job's progress events (wall and process CPU time). Recipes differ in the
discriminator and the generator's memory format: `before` is the original recipe (critic with
2 scales, base 32, whole crop, every step; NCHW), `preset` is what
`training_jobs/dinet_mini.toml` runs now; the others isolate one knob each. Every round runs
every recipe once, in turn, so a shared machine's load hits them alike; the JSON gives
per-recipe medians over rounds and each recipe's speed-up over `before` (median of the
per-round ratios). No VGG19 (perceptual weight 0), GAN on, batch 8.

    PYTHONPATH=. python benchmarks/bench_lipsync_train.py --cases mini:64,mini:128 --rounds 3
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

from core.config.loader import read_toml
from core.io import atomic
from core.jobs.events import Progress
from core.jobs.job import execute
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import DinetTrainJob
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest

ROOT = Path(__file__).resolve().parents[1]
BEFORE_D = {"num_scales": 2, "base_channels": 32, "region": "crop", "update_every": 1}
# the step as it was: NCHW, batches drawn inline, freed activations handed back to the kernel
OLD = {"channels_last": False, "prefetch": False, "retain_heap": False}
NEW = {"channels_last": True, "prefetch": True, "retain_heap": True}  # the defaults now
PRESET = read_toml(ROOT / "training_jobs" / "dinet_mini.toml")
# recipe -> (discriminator settings, train settings); "before" is the recipe as it was
RECIPES: dict[str, tuple[dict, dict]] = {
    "before": (BEFORE_D, OLD),
    "preset": (PRESET.get("discriminator", {}), NEW),
    "channels_last": (BEFORE_D, {**OLD, "channels_last": True}),
    "preset_nchw": (PRESET.get("discriminator", {}), {**NEW, "channels_last": False}),
    "preset_inline": (PRESET.get("discriminator", {}), {**NEW, "prefetch": False}),
    "preset_heap_off": (PRESET.get("discriminator", {}), {**NEW, "retain_heap": False}),
    "before_prefetch": (BEFORE_D, {**OLD, "prefetch": True}),
    "d_every_4": ({**PRESET.get("discriminator", {}), "update_every": 4}, NEW),
    "gan_every_2": ({**PRESET.get("discriminator", {}), "update_every": 2, "gan_term_every": 2}, NEW),
    "gan_every_4": ({**PRESET.get("discriminator", {}), "update_every": 4, "gan_term_every": 4}, NEW),
    "one_scale": ({**BEFORE_D, "num_scales": 1}, OLD),
    "base16": ({**BEFORE_D, "base_channels": 16}, OLD),
    "mouth_region": ({**BEFORE_D, "region": "mouth"}, OLD),
    "d_every_2": ({**BEFORE_D, "update_every": 2}, OLD),
}


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
    clip: Path,
    root: Path,
    recipe: str,
    variant: str,
    mouth: int,
    batch: int,
    warmup: int,
    steps: int,
    device: str,
) -> tuple[float, float, float]:
    """(wall, process CPU, training-thread CPU) seconds per training step of one recipe (after
    `warmup` steps). The training thread's CPU leaves out the batches drawn ahead on another
    thread: on a machine with a core free, the step's wall time."""
    cfg = DinetTrainConfig.model_validate(
        {
            "model": {"variant": variant, "mouth_size": mouth},
            "discriminator": RECIPES[recipe][0],
            "loss": {"lamb_perception": 0.0},
            "train": {
                **RECIPES[recipe][1],
                "steps": warmup + steps,
                "batch_size": batch,
                "log_every": 1000,
                "preview_every": 100000,
                "checkpoint_every": 100000,
            },
        }
    )
    run = RunFolder(root / f"run-{recipe}-{variant}-{mouth}-{time.monotonic_ns()}").create(
        "dinet", cfg.model_dump(mode="json")
    )
    stamps: dict[int, tuple[float, float, float]] = {}

    def sink(event) -> None:  # called on the training thread
        if isinstance(event, Progress):
            stamps[event.step] = (time.perf_counter(), time.process_time(), time.thread_time())

    result = execute(DinetTrainJob(cfg, TrainRequest((clip,), run, device=device)), sink)
    run.close()
    if not result.ok:
        raise SystemExit(f"{recipe} {variant}/{mouth} failed: {result.error}")
    (w0, c0, t0), (w1, c1, t1) = stamps[warmup], stamps[warmup + steps]
    return (w1 - w0) / steps, (c1 - c0) / steps, (t1 - t0) / steps


def time_case_isolated(*args) -> tuple[float, float, float]:
    """`time_case` in a fresh process, as each training run starts: a run leaves state behind in
    its process (glibc's heap thresholds, core.compute.heap; allocator caches) that would speed up
    or slow down the next recipe timed in the same one."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(time_case, *args).result()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "lipsync_train.json")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda", "auto"])
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--steps", type=int, default=4, help="timed steps per recipe per round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--cases", default="mini:64,mini:128")
    p.add_argument("--recipes", default=",".join(RECIPES))
    p.add_argument("--clip", type=Path, help="a prepared clip to train on (default: build the synthetic one)")
    p.add_argument(
        "--in-process",
        action="store_true",
        help="time every recipe in this process (default: each run in a fresh process, like a real run)",
    )
    args = p.parse_args(argv)
    cases = [(v, int(m)) for v, m in (c.split(":") for c in args.cases.split(","))]
    recipes = args.recipes.split(",")
    if "before" not in recipes:
        recipes.insert(0, "before")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_lipsync_") as tmp:
        root = Path(tmp)
        clip = args.clip or make_clip(root)
        for variant, mouth in cases:
            per: dict[str, list[float]] = {r: [] for r in recipes}
            cpu: dict[str, list[float]] = {r: [] for r in recipes}
            main: dict[str, list[float]] = {r: [] for r in recipes}
            load_before = os.getloadavg()[0]
            for rnd in range(args.rounds):
                for recipe in recipes:
                    timer = time_case if args.in_process else time_case_isolated
                    s, c, m = timer(
                        clip, root, recipe, variant, mouth, args.batch, args.warmup, args.steps, args.device
                    )
                    per[recipe].append(s)
                    cpu[recipe].append(c)
                    main[recipe].append(m)
                    print(
                        f"round {rnd} {variant} {mouth} {recipe:13s} {s:.3f} s/step, CPU {c:.3f} s/step, "
                        f"training thread CPU {m:.3f} s/step",
                        flush=True,
                    )
            rows = {}
            for recipe in recipes:
                ratios = [b / s for b, s in zip(per["before"], per[recipe], strict=True)]
                cpu_ratios = [b / s for b, s in zip(cpu["before"], cpu[recipe], strict=True)]
                main_ratios = [b / s for b, s in zip(main["before"], main[recipe], strict=True)]
                med = statistics.median(per[recipe])
                rows[recipe] = {
                    "discriminator": RECIPES[recipe][0],
                    "train": RECIPES[recipe][1],
                    "seconds_per_step": per[recipe],
                    "median_steps_per_s": 1.0 / med,
                    "speedup_vs_before": statistics.median(ratios),
                    "cpu_seconds_per_step": cpu[recipe],
                    "median_steps_per_cpu_s": 1.0 / statistics.median(cpu[recipe]),
                    "cpu_speedup_vs_before": statistics.median(cpu_ratios),
                    "thread_cpu_seconds_per_step": main[recipe],
                    "thread_cpu_speedup_vs_before": statistics.median(main_ratios),
                }
            results.append(
                {
                    "variant": variant,
                    "mouth_size": mouth,
                    "batch_size": args.batch,
                    "timed_steps_per_round": args.steps,
                    "rounds": args.rounds,
                    "recipes": rows,
                    "load_avg_before": load_before,
                    "load_avg_after": os.getloadavg()[0],
                }
            )
            print(
                f"{variant} mouth {mouth}: "
                + ", ".join(
                    f"{r} x{rows[r]['speedup_vs_before']:.2f} (CPU x{rows[r]['cpu_speedup_vs_before']:.2f}, "
                    f"thread CPU x{rows[r]['thread_cpu_speedup_vs_before']:.2f})"
                    for r in recipes
                ),
                flush=True,
            )
    report = {
        "benchmark": "lipsync_train",
        "what": "DinetTrainJob steps/s per discriminator recipe (D + G update, GAN on, perceptual off)",
        "device": args.device,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "fresh_process_per_run": not args.in_process,
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "note": (
            "recipes run interleaved in rounds within one process, so a shared machine's load hits "
            "them alike; speedup_vs_before is the median of per-round ratios of wall time, "
            "cpu_speedup_vs_before the same in process CPU time (one thread: the work done, which "
            "preemption by other processes does not inflate, but which counts the batches drawn ahead on "
            "the prefetching thread), thread_cpu_speedup_vs_before the same in the training thread's "
            "CPU time (the step's critical path when a core is free for the prefetching thread: the "
            "quiet-machine wall-time ratio); absolute steps/s are noisy, see the load averages). Each "
            "run is timed in a fresh process unless --in-process (a run leaves glibc's heap thresholds "
            "raised, core.compute.heap, which sped up a later `before` in the same process by a third)"
        ),
        "command": "python benchmarks/bench_lipsync_train.py "
        + " ".join(sys.argv[1:] if argv is None else argv),
        "results": results,
    }
    atomic.write_json(args.out, report)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
