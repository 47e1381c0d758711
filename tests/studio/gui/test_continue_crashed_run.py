"""Reopening a project after the studio (or `dhstudio train`) was killed mid-training: the run is
offered under Continue run, and the Runs table says it failed (it showed 'running' for ever and
could not be continued from the window)."""

from __future__ import annotations

from studio.gui.training_controller import TrainingController
from studio.project import create_project
from tests.core.train.test_crashed_run import crashed_run
from ui.training_view import TrainingView


def test_a_crashed_run_is_offered_under_continue_run(qtbot, tmp_path):
    project = create_project(tmp_path / "P")
    run = crashed_run(project.runs_dir / "dn_crash")
    view = TrainingView()
    qtbot.addWidget(view)
    controller = TrainingController(view, project)
    try:
        controller.select("dinet", "dinet_mini")
        index = view.resume_run.findData(run.path.name)
        assert index >= 0, [view.resume_run.itemText(i) for i in range(view.resume_run.count())]
        assert "failed, step 12" in view.resume_run.itemText(index)
    finally:
        controller.shutdown()
