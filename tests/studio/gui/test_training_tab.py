"""The training panel in the main window: a tab, built on first show, follows the open project."""

from __future__ import annotations

from studio.gui.training_controller import TrainingController
from studio.project import create_project


def test_training_tab_builds_its_panel_once_and_follows_the_project(qtbot, studio, tmp_path) -> None:
    window, controller = studio
    assert controller.training is None  # nothing loaded (no torch) until the tab is shown
    window.action_train.trigger()  # no project: nothing to train, nothing built
    assert controller.training is None and not window.action_train.isEnabled()
    project = create_project(tmp_path / "proj", "proj")
    assert controller.open_path(project.root)
    window.action_train.trigger()  # Ctrl+T from another tab shows the panel; a second press starts
    qtbot.waitUntil(lambda: controller.training is not None, timeout=10_000)
    training = controller.training
    assert isinstance(training, TrainingController) and window.training_view.isVisible()
    assert training.project.root == project.root and window.training_view.preset.count() > 0
    other = create_project(tmp_path / "other", "other")
    assert controller.open_path(other.root)
    assert training.project.root == other.root  # follows the open project
    window.tabs.setCurrentWidget(window.media_view)
    window.tabs.setCurrentWidget(window.training_view)
    assert controller.training is training  # built once


def open_training_tab(qtbot, window, controller, tmp_path):
    """A new project open on the Training tab: (its controller, the curves widget, the kind chooser)."""
    assert controller.open_path(create_project(tmp_path / "proj", "proj").root)
    window.tabs.setCurrentWidget(window.training_view)
    qtbot.waitUntil(lambda: controller.training is not None, timeout=10_000)
    return controller.training, window.training_view.plot, window.training_view.family


def test_curves_show_the_plots_the_selected_kind_reports(qtbot, studio, tmp_path) -> None:
    """Was: an empty 'Gaussians' plot for a lip-sync or audio-to-mouth run. The plots shown are the
    kind's own (`AvatarKind.curves`); a metric for another plot still shows it."""
    from core.kinds.registry import avatar_kind

    window, controller = studio
    training, plot, family = open_training_tab(qtbot, window, controller, tmp_path)

    def shown() -> set[str]:
        return {name for name, panel in plot.panels.items() if panel.isVisible()}

    for kind in ("dinet", "audio2mouth", "gaussian"):
        family.setCurrentIndex(family.findData(kind))
        assert training.kind.name == kind
        assert shown() == set(avatar_kind(kind).curves)
        assert ("Gaussians" in shown()) == (kind == "gaussian")
    family.setCurrentIndex(family.findData("audio2mouth"))
    training._on_metric("lr/generator", 1, 1e-3)  # the run reports it: it gets its plot
    assert "Learning rate" in shown() and "Gaussians" not in shown()


def test_audio_to_mouth_held_out_scores_have_their_own_plot(qtbot, studio, tmp_path) -> None:
    """Was: the held-out scores (loss, mouth r, LMD) drawn in the Losses plot with the training loss.
    They go to the Quality plot, which the kind declares (`AvatarKind.curves`), like the other kinds'."""
    window, controller = studio
    training, plot, family = open_training_tab(qtbot, window, controller, tmp_path)
    family.setCurrentIndex(family.findData("audio2mouth"))
    shown = {name for name, panel in plot.panels.items() if panel.isVisible()}
    assert shown == {"Losses", "Quality"}
    for key in ("train_loss", "heldout_loss", "heldout_mouth_r", "heldout_lmd_px"):  # core.mouth.trainer
        training._on_metric(f"audio2mouth/{key}", 10, 0.5)
    panels = {name: panel for panel, name in plot.series}
    assert panels["audio2mouth/train_loss"] == "Losses"
    for key in ("heldout_loss", "heldout_mouth_r", "heldout_lmd_px"):
        assert panels[f"audio2mouth/{key}"] == "Quality", key
