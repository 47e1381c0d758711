import json

import pytest

from core.jobs.collector import CollectingRunner
from core.jobs.events import Artifact
from studio.cli.main import main
from studio.demo.job import STAGES, DemoJob
from studio.project import open_project


def test_generate_stage_makes_a_project_with_clip_and_truth(tmp_path):
    runner = CollectingRunner()
    result = runner.run(DemoJob(tmp_path / "demo", stages=STAGES[:1]))
    assert result.ok, result.error
    project = open_project(tmp_path / "demo")
    video, truth = project.media_dir / "demo.mp4", project.media_dir / "demo_truth.json"
    assert video.stat().st_size > 10_000
    data = json.loads(truth.read_text())
    assert data["fps"] == 25 and len(data["mouth_open"]) == data["frame_count"] == 200
    assert Artifact(video, "video") in runner.events
    mtime = video.stat().st_mtime_ns
    assert CollectingRunner().run(DemoJob(tmp_path / "demo", stages=STAGES[:1])).ok  # re-run reuses the clip
    assert video.stat().st_mtime_ns == mtime


@pytest.mark.slow
def test_full_demo_command_runs_every_stage(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "demo"), "--max-steps", "20"]) == 0
    out = capsys.readouterr().out
    assert f"demo project: {(tmp_path / 'demo').resolve()}" in out or "demo project:" in out
