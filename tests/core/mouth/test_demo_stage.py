"""The demo's audio-to-mouth stage leaves a finished run that later stages (lip-sync) find."""

from __future__ import annotations

from core.jobs.context import JobContext
from core.jobs.events import LogLine
from core.mouth.demo_stage import run_audio2mouth_demo
from core.train.checkpoint import load_checkpoint
from core.train.run_folder import RunFolder, newest_run


def test_demo_stage_trains_a_finished_run(demo_project, demo_clip):
    events = []
    ctx = JobContext(events.append)
    run, summary = run_audio2mouth_demo(ctx, demo_project, demo_clip, "cpu", max_steps=6)
    assert RunFolder(run).read_status()["state"] == "finished"
    assert newest_run(demo_project / "runs", "audio2mouth") == run
    assert summary["step"] == 6 and load_checkpoint(run / "checkpoints" / "last.pt")["step"] == 6
    lines = [e.message for e in events if isinstance(e, LogLine)]
    assert any("held-out mouth-opening r" in m and "fine-tuned" in m for m in lines)
    assert any(
        "prior mapped onto the clips, before any training" in m for m in lines
    )  # the demo shows the prior
