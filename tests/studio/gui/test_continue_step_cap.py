"""The training panel's Continue run with a Max steps not above the run's step is refused with the
message `dhstudio train --resume --max-steps` gives; the run is left as it was (it was marked
finished at once, with fewer steps than it had)."""

from __future__ import annotations

from studio.gui.training_controller import TrainingController
from studio.project import open_project
from tests.faults.test_failed_resume import trained  # noqa: F401 - the fixture
from ui.training_view import TrainingView


def test_continue_with_max_steps_at_the_trained_step_is_refused(qtbot, trained):  # noqa: F811
    proj, _job, run = trained
    before, weights = run.status_path.read_bytes(), (run.checkpoints / "last.pt").read_bytes()
    view = TrainingView()
    qtbot.addWidget(view)
    controller = TrainingController(view, open_project(proj.root))
    try:
        view.max_steps.setValue(2)  # the run is at step 2
        assert controller.continue_run(run.path.name) is None
        assert controller.job is None  # nothing started
        assert "at step 2" in view.message.text() and "above 2" in view.message.text()
        assert view.message.isVisibleTo(view)
    finally:
        controller.shutdown()
    assert run.status_path.read_bytes() == before
    assert (run.checkpoints / "last.pt").read_bytes() == weights
