"""`dhstudio ablate` on a tiny suite over a prepared synthetic clip: results, resume, bad input."""

from __future__ import annotations

import csv
import json

import pytest

from core.face.prepare_job import PrepareJob
from core.jobs.collector import CollectingRunner
from core.synth.talking_head import DemoClipSpec, generate, write
from studio.cli.main import main
from studio.project import create_project

SUITE = """
name = "tiny"
base = "job.toml"
steps = 3
seed = 1
set = ["data.resolution=24", "data.max_frames=10", "train.renderer=\\"torch\\"", "train.preview_every=100"]

[[configs]]
name = "baseline"

[[configs]]
name = "+1 region weights"
set = ["innovations.region_weights.enabled=true"]
"""


@pytest.fixture(scope="module")
def prepared_project(tmp_path_factory):
    """A project with a 2 s synthetic clip prepared by MediaPipe."""
    project = create_project(tmp_path_factory.mktemp("ablate") / "proj", "gs")
    write(
        generate(DemoClipSpec(size=256, duration=2.0, seed=3)),
        project.media_dir / "d.mp4",
        project.media_dir / "t.json",
    )
    assert CollectingRunner().run(PrepareJob(project.media_dir / "d.mp4", project.prepared_dir / "demo")).ok
    return project.root


def _suite(tmp_path, repo_root):
    (tmp_path / "job.toml").write_text((repo_root / "training_jobs" / "gaussian_baseline.toml").read_text())
    (tmp_path / "suite.toml").write_text(SUITE)
    return tmp_path / "suite.toml"


@pytest.mark.slow  # two tiny trainings + a resumed one over a MediaPipe-prepared clip (~1.5 min)
def test_ablate_writes_results_and_resumes(tmp_path, repo_root, prepared_project, capsys):
    suite = _suite(tmp_path, repo_root)
    out = tmp_path / "out"
    argv = [
        "ablate",
        str(suite),
        "--project",
        str(prepared_project),
        "--out",
        str(out),
        "--device",
        "cpu",
        "--quiet",
    ]
    assert main(argv) == 0
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [r["config"] for r in rows] == ["baseline", "+1 region weights"]
    assert all(int(r["steps"]) == 3 and float(r["psnr"]) > 5 and r["lpips"] == "unavailable" for r in rows)
    assert rows[1]["innovations"] == "region_weights"
    md = (out / "results.md").read_text()
    assert all(float(r["face_psnr"]) < float(r["psnr"]) and r["face_lpips"] == "unavailable" for r in rows)
    header = "| config | PSNR | SSIM | LPIPS | face PSNR | face SSIM | face LPIPS | points | time | fps |"
    assert header in md and "+1 region weights" in md
    assert (out / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    cfg_a = (out / "runs" / "baseline" / "config.toml").read_text()
    assert "seed = 1" in cfg_a and "steps = 3" in cfg_a
    # a crash in the second configuration: its results are gone, the first stays finished
    second = out / "runs" / "plus_1_region_weights"
    (second / "eval.json").unlink()
    first_eval = (out / "runs" / "baseline" / "eval.json").read_text()
    capsys.readouterr()
    assert main(argv) == 0
    assert (out / "runs" / "baseline" / "eval.json").read_text() == first_eval  # skipped, not retrained
    assert json.loads((second / "eval.json").read_text())["steps"] == 3
    assert len(list(csv.DictReader((out / "results.csv").open()))) == 2


def test_ablate_rejects_bad_suite(tmp_path, repo_root, prepared_project):
    suite = _suite(tmp_path, repo_root)
    suite.write_text(SUITE.replace('name = "+1 region weights"', 'name = "baseline"'))
    assert main(["ablate", str(suite), "--project", str(prepared_project), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
