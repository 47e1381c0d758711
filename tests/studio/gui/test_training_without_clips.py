"""Start in the Training tab of a project with no prepared clip yet (a creator's first try): the message
says where to prepare one in the window. It said "run `dhstudio prepare VIDEO --project ...` first"."""

from __future__ import annotations

from studio.gui.training_controller import TrainingController
from studio.project import create_project
from ui.training_view import TrainingView


def test_start_without_a_prepared_clip_points_to_the_media_tab(qtbot, tmp_path):
    project = create_project(tmp_path / "P")
    view = TrainingView()
    qtbot.addWidget(view)
    controller = TrainingController(view, project)
    try:
        controller.select("dinet", "dinet_mini")
        view.device.setCurrentText("cpu")
        assert controller.start() is None
        text = view.message.text()
        assert "Media" in text and "Prepare" in text and "dhstudio" not in text, text
        assert not any(project.runs_dir.iterdir())
    finally:
        controller.shutdown()
