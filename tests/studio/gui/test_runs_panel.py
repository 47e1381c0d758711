"""The runs panel on real run folders: figures, comparing two runs' curves, rename and delete."""

from __future__ import annotations

from core.io import atomic
from core.train.run_folder import RunFolder
from studio.project import create_project


def _run(project, name, kind, losses, **status):
    run = RunFolder(project.runs_dir / name).create(kind, {"kind": kind})
    for step, value in enumerate(losses, 1):
        run.log_metric("train/loss", step * 10, value)
    run.close()
    run.set_status("finished", kind=kind, job=f"{kind}_preset", step=10 * len(losses), **status)
    return run.path


def test_runs_are_listed_compared_renamed_and_deleted(studio, answers, tmp_path):
    w, c = studio
    project = create_project(tmp_path / "P")
    a = _run(project, "a", "gaussian", [0.5, 0.3, 0.2], gaussians=1234)
    atomic.write_json(a / "eval.json", {"psnr": 24.5, "ssim": 0.91, "gaussians": 1500})
    _run(project, "b", "gaussian", [0.6, 0.4])
    c.set_project(project)
    view = w.runs_view
    rows = {view.table.item(r, 0).text(): r for r in range(view.table.rowCount())}
    assert set(rows) == {"a", "b"}
    cells = [view.table.item(rows["a"], j).text() for j in range(view.table.columnCount())]
    assert cells[:6] == ["a", "gaussian", "gaussian_preset", "finished", "30", "24.50"]
    assert cells[6] == "0.910" and cells[-1] == "1,500"

    c.runs.select(["a", "b"])
    assert view.metric_combo.currentText() == "train/loss"
    assert sorted((name, steps) for name, steps, _ in c.runs.curves) == [("a", [10, 20, 30]), ("b", [10, 20])]
    assert len(view.plot.getPlotItem().listDataItems()) == 2
    assert not view.open_button.isEnabled() and view.delete_button.isEnabled()

    c.runs.select(["b"])
    answers.text, answers.ask = "baseline", True
    view.rename_button.click()
    assert (project.runs_dir / "baseline").is_dir() and not (project.runs_dir / "b").exists()
    assert view.selected_names() == ["baseline"]

    answers.ask = False
    view.delete_button.click()
    assert (project.runs_dir / "baseline").is_dir()
    answers.ask = True
    view.delete_button.click()
    assert not (project.runs_dir / "baseline").exists() and view.table.rowCount() == 1


def test_a_run_training_in_another_process_is_neither_deleted_nor_renamed(studio, answers, tmp_path):
    """`dhstudio train` in a terminal (or a second window) trains run 'r': this window has no job of
    its own, and used to delete the folder under the trainer after the usual question."""
    import subprocess
    import sys

    w, c = studio
    project = create_project(tmp_path / "P")
    trainer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom core.train.run_folder import RunFolder\n"
            "r = RunFolder(sys.argv[1]).create('dinet', {})\nr.set_status('running', step=5)\n"
            "print('ready', flush=True)\ntime.sleep(60)",
            str(project.runs_dir / "r"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert trainer.stdout.readline().strip() == "ready"
        c.set_project(project)
        c.runs.select(["r"])
        answers.ask, answers.text = True, "renamed"
        w.runs_view.delete_button.click()
        w.runs_view.rename_button.click()
        assert (project.runs_dir / "r" / "status.json").is_file()
        assert len(answers.warnings) == 2 and "training right now" in answers.warnings[0][1]
        assert "Stop in the Training tab" in answers.warnings[0][1]  # what to do, and where
        assert not answers.questions
    finally:
        trainer.kill()
        trainer.wait()
    c.runs.refresh()  # the trainer is gone: the run reads as failed and can be deleted
    c.runs.select(["r"])
    w.runs_view.delete_button.click()
    assert not (project.runs_dir / "r").exists()
