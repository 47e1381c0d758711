"""A sharp mouth within a CPU budget: DINet recipes trained for equal *process CPU seconds*.

Issue 19 item 3. Each recipe trains on one real prepared clip in its own single-threaded process
(`nice -n 10`, OMP_NUM_THREADS=1, OMP_WAIT_POLICY=PASSIVE) until its own CPU time
(`time.process_time`, all threads) reaches --cpu-seconds, or a wall-clock cap passes (a shared
machine may not grant the CPU in time; the JSON says which limit stopped each run). The loop
checkpoints on cancel. Then the project's evaluation (`core.lipsync.evaluate.EvalJob`,
held-out self-reconstruction) scores every run: mouth PSNR/SSIM, sharpness ratio
(1 = as sharp as the real mouth), lip landmark distance.

Recipes start from the studio's default preset (training_jobs/dinet_mini.toml, the one the GUI
trains) with the perceptual loss off (no VGG19 weights on this machine):
  mini64 / mini128          the preset at mouth 64 / 128 (constant learning rate, no averaging)
  mini64_hf / mini128_hf    + the mouth-region high-frequency loss (core.losses.high_frequency)
  mini64_cos / mini128_cos  + a cosine learning-rate anneal to 0.1x over the planned steps and a
                            weight average (train.ema_decay 0.995) that renders use; `report` also
                            scores the same run's last raw weights (row `<recipe>_raw`), so the
                            anneal and the average are told apart
A schedule needs the run's length: pass --steps, the steps this recipe makes in --cpu-seconds
(steps per CPU second measured by a constant-rate run of the same mouth size); the CPU budget
still stops the run.

    PYTHONPATH=. python benchmarks/bench_sharp_mouth.py train mini64 --clip PREP/a --out DIR/mini64
    PYTHONPATH=. python benchmarks/bench_sharp_mouth.py report --session NAME --clip PREP/a DIR/mini64 ...

`report` adds its runs to one session of benchmarks/results/sharp_mouth.json (rows of the same recipe
are replaced), keeping the other sessions.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HF = {"lamb_high_frequency": 5.0}
ANNEAL = {"lr_schedule": "cosine", "lr_final": 0.1, "ema_decay": 0.995}
RECIPES: dict[str, dict] = {
    "mini64": {"model": {"mouth_size": 64}},
    "mini128": {"model": {"mouth_size": 128}},
    "mini64_hf": {"model": {"mouth_size": 64}, "loss": HF},
    "mini128_hf": {"model": {"mouth_size": 128}, "loss": HF},
    "mini64_cos": {"model": {"mouth_size": 64}, "train": ANNEAL},
    "mini128_cos": {"model": {"mouth_size": 128}, "train": ANNEAL},
}
UNPLANNED_STEPS = 1_000_000  # constant-rate recipes: the CPU budget alone ends the run


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def recipe_config(recipe: str, steps: int | None = None):
    from core.config.loader import read_toml
    from core.lipsync.train_config import DinetTrainConfig

    preset = read_toml(ROOT / "training_jobs" / "dinet_mini.toml")
    fixed = {
        "loss": {"lamb_perception": 0.0},
        "train": {"steps": steps or UNPLANNED_STEPS, "checkpoint_every": 100, "preview_every": 1_000_000},
    }
    cfg = DinetTrainConfig.model_validate(_merge(_merge(preset, fixed), RECIPES[recipe]))
    if cfg.train.lr_schedule != "constant" and steps is None:
        raise SystemExit(f"recipe {recipe} anneals its learning rate: give --steps (its planned length)")
    return cfg


def raw_weights_view(run: Path) -> Path | None:
    """For a run trained with a weight average: a sibling run folder whose checkpoint holds only the
    last raw weights (so the evaluation scores those), or None for a run without an average."""
    import torch

    from core.train.checkpoint import save_checkpoint

    ckpt = torch.load(run / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)
    if "generator_ema" not in ckpt:
        return None
    view = run.parent / f"{run.name}_raw"
    for name in ("config.toml", "status.json"):
        if (run / name).is_file():
            (view / name).parent.mkdir(parents=True, exist_ok=True)
            (view / name).write_bytes((run / name).read_bytes())
    ckpt.pop("generator_ema")
    ckpt.pop("ema_count", None)
    save_checkpoint(view / "checkpoints" / "last.pt", ckpt)
    budget = json.loads((run / "budget.json").read_text())
    budget["recipe"] += "_raw"
    budget["weights"] = "the last raw weights of the same run (no weight average)"
    (view / "budget.json").write_text(json.dumps(budget, indent=1))
    return view


def train(
    recipe: str, clip: Path, out: Path, cpu_seconds: float, wall_cap: float, steps: int | None = None
) -> dict:
    """Train until this process has used `cpu_seconds` of CPU (or `wall_cap` wall seconds pass)."""
    from core.jobs.control import JobControl
    from core.jobs.events import Progress
    from core.jobs.job import execute
    from core.lipsync.trainer import DinetTrainJob
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    cfg = recipe_config(recipe, steps)
    run = RunFolder(out).create("dinet", cfg.model_dump(mode="json"))
    control = JobControl()
    steps = [0]
    stopped = ["done"]
    cpu0, wall0, load0 = time.process_time(), time.monotonic(), os.getloadavg()

    def sink(event) -> None:
        if isinstance(event, Progress):
            steps[0] = event.step

    def watch() -> None:
        while not control.cancelled:
            if time.process_time() - cpu0 >= cpu_seconds:
                stopped[0] = "cpu_budget"
                control.cancel()
            elif time.monotonic() - wall0 >= wall_cap:
                stopped[0] = "wall_cap"
                control.cancel()
            time.sleep(1.0)

    threading.Thread(target=watch, daemon=True).start()
    result = execute(DinetTrainJob(cfg, TrainRequest((clip,), run, device="cpu")), sink, control)
    run.close()
    info = {
        "recipe": recipe,
        "overrides": RECIPES[recipe],
        "planned_steps": cfg.train.steps,
        "steps": steps[0],
        "status": str(result.status),
        "stopped_by": stopped[0],
        "cpu_seconds": round(time.process_time() - cpu0, 1),
        "wall_seconds": round(time.monotonic() - wall0, 1),
        "loadavg_start": load0,
        "loadavg_end": os.getloadavg(),
    }
    (out / "budget.json").write_text(json.dumps(info, indent=1))
    return info


def _audio_model_lmd(clip: str) -> dict:
    """The audio models' own held-out lip error on this clip, from benchmarks/results/audio_prior.json
    (the LMD target: the renderer should add less error than the audio model makes)."""
    path = ROOT / "benchmarks" / "results" / "audio_prior.json"
    if not path.is_file():
        return {}
    held = json.loads(path.read_text()).get("clips", {}).get(clip, {}).get("holdout", {})
    return {name: row["lmd_px"] for name, row in held.items() if "lmd_px" in row} | {"source": str(path.name)}


SHARPNESS_NOTE = (
    "sharpness_ratio = Laplacian variance of the output mouth / that of the ideal output (the real "
    "frame's own crop pasted back and re-cut the same way): 1 = as sharp as a perfect renderer looks "
    "after paste-back. sharpness_ceiling = ideal / raw real mouth (what the two bilinear resamplings "
    "of paste-back + re-cut leave: a perfect renderer scores this against the raw real mouth); "
    "sharpness_ratio_raw = output / raw real mouth (the definition before this session). "
    "*_frame: the mouth box in frame pixels, one footing for 64 and 128."
)


def report(
    runs: list[Path], clip: Path, limit: int, out: Path, command: str, session: str, note: str = ""
) -> dict:
    from core.io import atomic
    from core.jobs.job import execute
    from core.lipsync.evaluate import EvalJob, EvalRequest

    rows = {}
    views = [v for run in runs if (v := raw_weights_view(run)) is not None]
    for run in [*runs, *views]:
        budget = json.loads((run / "budget.json").read_text())
        res = execute(EvalJob(EvalRequest(run, clip_dir=clip, limit=limit, device="cpu")), lambda e: None)
        if not res.ok:
            raise SystemExit(f"evaluating {run} failed: {res.error}")
        figures = {k: v for k, v in res.value.items() if isinstance(v, int | float)}
        rows[budget["recipe"]] = {**budget, **figures}
        print(budget["recipe"], {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()})
    doc = json.loads(out.read_text()) if out.is_file() else {}
    doc.update(
        {
            "benchmark": "sharp_mouth",
            "what": "held-out self-reconstruction (core.lipsync.evaluate) after equal process-CPU budgets",
            "targets": {
                "sharpness_ratio": ">= 0.8",
                "psnr_mouth": ">= 24 dB",
                "lmd_px": "< audio model error",
            },
            "variant": "mini (studio default preset dinet_mini.toml), perceptual loss off",
            "sharpness": SHARPNESS_NOTE,
            "audio_model_lmd_px": _audio_model_lmd(clip.name),
        }
    )
    entry = doc.setdefault("sessions", {}).setdefault(session, {"commands": [], "results": {}})
    entry.update({"clip": str(clip), "held_out_frames_limit": limit, "note": note or entry.get("note", "")})
    entry["commands"].append(command)
    entry["results"].update(rows)  # a session's runs may be scored in several calls
    atomic.write_json(out, doc)
    return doc


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("recipe", choices=sorted(RECIPES))
    t.add_argument("--clip", type=Path, required=True, help="a prepared clip folder (PROJECT/prepared/NAME)")
    t.add_argument("--out", type=Path, required=True, help="run folder to create")
    t.add_argument("--cpu-seconds", type=float, default=1200.0)
    t.add_argument("--wall-cap", type=float, default=3600.0)
    t.add_argument("--steps", type=int, default=None, help="planned length (recipes with a schedule)")
    r = sub.add_parser("report")
    r.add_argument("runs", type=Path, nargs="+")
    r.add_argument("--clip", type=Path, required=True)
    r.add_argument("--limit", type=int, default=40, help="held-out frames to evaluate")
    r.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "sharp_mouth.json")
    r.add_argument("--session", required=True, help="name of this set of runs in the JSON")
    r.add_argument("--note", default="", help="how the runs were trained (concurrency, load)")
    args = p.parse_args(argv)
    if args.cmd == "train":
        info = train(args.recipe, args.clip, args.out, args.cpu_seconds, args.wall_cap, args.steps)
        print(json.dumps(info))
    else:
        cmd = "python benchmarks/bench_sharp_mouth.py " + " ".join(sys.argv[1:] if argv is None else argv)
        report(args.runs, args.clip, args.limit, args.out, cmd, args.session, args.note)
        print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
