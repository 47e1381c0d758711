"""Lip-sync training quality at equal wall time: the original discriminator recipe vs the mini preset's.

Both recipes train DINet mini (mouth 64 unless --mouth-size) on the same prepared clip for the
same number of wall-clock seconds, side by side as two processes (so a shared machine's load
hits both alike), each cancelled after --seconds (the training loop checkpoints on cancel).
Then the project's evaluation (`core.lipsync.evaluate.EvalJob`: held-out self-reconstruction)
scores both: mouth PSNR/SSIM, sharpness ratio (1 = as sharp as the real mouth), lip landmark
distance. Recipes as in bench_lipsync_train.py. No VGG19 (perceptual weight 0). Writes JSON.

    PYTHONPATH=. python benchmarks/bench_lipsync_equal_time.py --seconds 180
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


LONG = {"checkpoint_every": 100000, "preview_every": 100000}  # only the cancel's checkpoint


def worker(recipe: str, clip: Path, run_dir: Path, mouth: int, seconds: float) -> None:
    """Train `recipe` until `seconds` have passed (cancel -> checkpoint); print the steps done."""
    from bench_lipsync_train import RECIPES

    from core.config.loader import read_toml
    from core.jobs.control import JobControl
    from core.jobs.events import Progress
    from core.jobs.job import execute
    from core.lipsync.train_config import DinetTrainConfig
    from core.lipsync.trainer import DinetTrainJob
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    preset = DinetTrainConfig.model_validate(read_toml(ROOT / "training_jobs" / "dinet_mini.toml"))
    disc, train = RECIPES[recipe]
    cfg = preset.model_validate(
        {
            **preset.model_dump(mode="json"),
            "model": {**preset.model.model_dump(mode="json"), "mouth_size": mouth},
            "discriminator": disc,
            "train": {
                **preset.train.model_dump(mode="json"),
                **train,
                "steps": 100000,
                "checkpoint_every": 100000,
            },
        }
    )
    run = RunFolder(run_dir).create("dinet", cfg.model_dump(mode="json"))
    control = JobControl()
    steps = [0]

    def sink(event) -> None:
        if isinstance(event, Progress):
            steps[0] = event.step

    timer = threading.Timer(seconds, control.cancel)
    timer.start()
    result = execute(DinetTrainJob(cfg, TrainRequest((clip,), run, device="cpu")), sink, control)
    timer.cancel()
    run.close()
    print(json.dumps({"recipe": recipe, "steps": steps[0], "status": str(result.status)}))


def evaluate(run_dir: Path, clip: Path, limit: int) -> dict:
    from core.jobs.job import execute
    from core.lipsync.evaluate import EvalJob, EvalRequest

    result = execute(EvalJob(EvalRequest(run_dir, clip_dir=clip, limit=limit, device="cpu")), lambda e: None)
    if not result.ok:
        raise SystemExit(f"evaluating {run_dir} failed: {result.error}")
    return result.value


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=180.0)
    p.add_argument("--mouth-size", type=int, default=64)
    p.add_argument("--recipes", default="before,preset")
    p.add_argument("--clip", type=Path, help="a prepared clip with audio (default: the synthetic one)")
    p.add_argument("--limit", type=int, default=40, help="held-out frames to evaluate")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "lipsync_equal_time.json")
    p.add_argument("--worker", nargs=4, metavar=("RECIPE", "CLIP", "RUN", "MOUTH"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        recipe, clip, run, mouth = args.worker
        worker(recipe, Path(clip), Path(run), int(mouth), args.seconds)
        return 0
    from bench_lipsync_train import make_clip

    from core.io import atomic

    recipes = args.recipes.split(",")
    with tempfile.TemporaryDirectory(prefix="bench_equal_time_") as tmp:
        root = Path(tmp)
        clip = args.clip or make_clip(root)
        load_before = os.getloadavg()[0]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
        procs = {
            r: subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--seconds",
                    str(args.seconds),
                    "--worker",
                    r,
                    str(clip),
                    str(root / f"run-{r}"),
                    str(args.mouth_size),
                ],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for r in recipes
        }
        trained = {}
        for r, proc in procs.items():
            out, _ = proc.communicate()
            if proc.returncode != 0:
                raise SystemExit(f"training {r} failed (exit {proc.returncode})")
            trained[r] = json.loads(out.strip().splitlines()[-1])
        load_after = os.getloadavg()[0]
        rows = {}
        for r in recipes:
            figures = evaluate(root / f"run-{r}", clip, args.limit)
            rows[r] = {
                "steps": trained[r]["steps"],
                **{k: v for k, v in figures.items() if isinstance(v, int | float)},
            }
            print(r, {k: round(v, 4) if isinstance(v, float) else v for k, v in rows[r].items()}, flush=True)
    report = {
        "benchmark": "lipsync_equal_time",
        "what": "held-out quality (core.lipsync.evaluate) after equal wall-clock training, side by side",
        "seconds_each": args.seconds,
        "mouth_size": args.mouth_size,
        "variant": "mini",
        "clip": "synthetic talking head (core.synth), 5 s" if args.clip is None else str(args.clip),
        "note": (
            "recipes train concurrently (one torch thread each, plus the batch-prefetching thread where "
            "the recipe has train.prefetch) so the shared machine's load hits them alike; load averages "
            "of the machine (2 cores, shared with other work) before and after training"
        ),
        "load_avg_before": load_before,
        "load_avg_after": load_after,
        "command": " ".join(
            ["python benchmarks/bench_lipsync_equal_time.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "results": rows,
    }
    atomic.write_json(args.out, report)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
