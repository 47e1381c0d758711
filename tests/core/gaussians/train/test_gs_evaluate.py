"""`dhstudio eval` of a Gaussian run: progress per held-out frame, and Ctrl-C stops it at the next frame."""

from __future__ import annotations

import torch

from core.gaussians.train.evaluate import GaussianEvalJob
from core.jobs.control import JobControl
from core.jobs.events import Progress
from core.jobs.job import Status, execute


def _evaluate(run, cancel_at: int | None):
    control, seen = JobControl(), []

    def sink(event):
        if isinstance(event, Progress) and event.message.startswith("evaluating"):
            seen.append((event.step, event.total))
            if event.step == cancel_at:
                control.cancel()  # as the console runner does on Ctrl-C

    return execute(GaussianEvalJob(run, torch.device("cpu"), "torch"), sink, control), seen


def test_eval_counts_the_held_out_frames(gp):
    outcome, seen = _evaluate(gp.gaussian_run, cancel_at=None)
    assert outcome.status is Status.SUCCEEDED
    frames = outcome.value["frames"]
    assert frames >= 2 and seen[-1] == (frames, frames)
    assert [step for step, _ in seen] == list(range(frames + 1))


def test_ctrl_c_stops_the_eval_at_the_next_frame(gp):
    outcome, seen = _evaluate(gp.gaussian_run, cancel_at=1)
    assert outcome.status is Status.CANCELLED
    assert max(step for step, _ in seen) == 1  # no frame rendered after the cancel


def test_ctrl_c_during_the_final_evaluation_of_a_training_stops_it(gp, tmp_path):
    """The trainer's held-out evaluation after the last step (seconds to minutes) obeys a cancel too."""
    from core.gaussians.train.demo import demo_config
    from core.gaussians.train.trainer import GaussianTrainJob
    from core.train.run_folder import RunFolder
    from core.train.spec import TrainRequest

    cfg = demo_config(2)
    run = RunFolder(tmp_path / "runs" / "g")
    run.create(cfg.kind, cfg.model_dump(mode="json"))
    control = JobControl()

    def sink(event):
        if isinstance(event, Progress) and event.message.startswith("evaluating held-out"):
            control.cancel()  # Ctrl-C once the final evaluation starts

    try:
        outcome = execute(GaussianTrainJob(cfg, TrainRequest((gp.clip,), run, "cpu")), sink, control)
    finally:
        run.close()
    assert outcome.status is Status.CANCELLED
    assert (run.path / "checkpoints" / "last.pt").is_file()  # the trained steps are kept
    assert not (run.path / "eval.json").exists()
