"""A run continues on the clips it was trained on. `dhstudio train JOB --resume` without --clip took
every prepared clip of the project (so a run trained on one clip went on with others, or failed on a
clip without audio that it never used), and the training panel's Continue run took whichever clip
the panel showed."""

from __future__ import annotations

import pytest

from core.train.run_folder import RunFolder
from studio.project import create_project
from studio.training_runs import RunOrder, prepare_run, resolve_clips, resume_clips


@pytest.fixture
def project(tmp_path):
    project = create_project(tmp_path / "P")
    for name in ("a", "b", "c"):
        (project.prepared_dir / name).mkdir()
        (project.prepared_dir / name / "manifest.json").write_text("{}")
    return project


def test_a_new_run_records_its_clips_and_a_resume_uses_them(project, repo_root):
    job = repo_root / "training_jobs" / "audio2mouth.toml"
    clips = resolve_clips(project, ["b"])
    _, _, run = prepare_run(RunOrder(job, run_name="r"), project, clips)
    assert run.read_status()["clips"] == ["b"]
    _, _, again = prepare_run(RunOrder(job, run_name="r", resume=True), project)
    assert again.path == run.path
    assert resume_clips(project, [], again) == clips  # not a, b and c
    assert resume_clips(project, ["c"], again) == resolve_clips(project, ["c"])  # asked for: as asked


def test_a_run_without_recorded_clips_resumes_on_all_as_before(project):
    run = RunFolder(project.runs_dir / "old").create("audio2mouth", {})
    assert resume_clips(project, [], run) == resolve_clips(project, [])


def test_a_recorded_clip_that_is_gone_is_named(project, repo_root):
    job = repo_root / "training_jobs" / "audio2mouth.toml"
    _, _, run = prepare_run(RunOrder(job, run_name="r"), project, resolve_clips(project, ["a"]))
    (project.prepared_dir / "a" / "manifest.json").unlink()
    with pytest.raises(Exception, match="'a'"):
        resume_clips(project, [], run)
