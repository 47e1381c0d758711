"""The live panel as a user drives it: choose an avatar and a file, Start, watch frames and readouts,
move a slider, record, and survive an input device that fails mid-session."""

from __future__ import annotations

import shutil

import av
import numpy as np
import pytest
from PySide6.QtCore import Qt

from core.jobs.errors import BadInput
from core.jobs.job import Status
from core.realtime.sources import PacedSource
from core.train.run_folder import RunFolder
from studio.gui.live_controller import LiveController, kind_live_job
from tests.core.media.audio_files import write_speech
from ui.live_view import LiveView


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    return write_speech(tmp_path_factory.mktemp("live_gui") / "speech.wav", 2.0, seed=7)


@pytest.fixture
def panel(qtbot, gp):
    view = LiveView()
    qtbot.addWidget(view)
    controller = LiveController(view)
    controller.set_project(gp.root)
    view.resize(1100, 700)
    view.show()
    yield view, controller
    controller.shutdown()


def _start(qtbot, view, controller, run, audio, timeout=120_000):
    controller.select_avatar(run)
    view.file_radio.setChecked(True)
    view.file_edit.setText(str(audio))
    with qtbot.waitSignal(controller.session_finished, timeout=timeout) as done:
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
        assert view.stop_button.isEnabled() and not view.start_button.isEnabled()
    return done.args[0]


def _durations(path):
    """(video seconds, audio seconds, fps) as a player reads them (the streams' durations; the
    AAC decoder also returns the encoder's padding of the last packet), video frames decoded."""
    with av.open(str(path)) as c:
        v, a = c.streams.video[0], c.streams.audio[0]
        fps = float(v.average_rate)
        frames = sum(1 for _ in c.decode(v))
        video_s, audio_s = float(v.duration * v.time_base), float(a.duration * a.time_base)
    assert frames == round(video_s * fps)  # every frame is there and decodes
    return video_s, audio_s, fps


def test_avatars_listed_are_the_runs_a_kind_can_drive_live(panel, gp):
    view, _ = panel
    runs = {view.avatar_combo.itemData(i) for i in range(view.avatar_combo.count())}
    # the shared tiny project may hold other tests' runs too: every listed one is a live-able kind
    assert {str(gp.dinet_run), str(gp.gaussian_run)} <= runs and str(gp.audio_run) not in runs
    assert {RunFolder(r).kind for r in runs} <= {"dinet", "gaussian"}


@pytest.mark.parametrize("which", ["dinet_run", "gaussian_run"])
def test_start_on_a_file_shows_frames_and_readouts(qtbot, panel, gp, speech, which):
    view, controller = panel
    result = _start(qtbot, view, controller, getattr(gp, which), speech)
    assert result.status is Status.SUCCEEDED, result.error
    assert view.view.frames_shown > 0 and view.view.pixmap() is not None
    assert controller.statuses > 0 and "fps" in view.fps_label.text()
    assert "p95" in view.latency_label.text() and "dropped" in view.drops_label.text()
    report = controller.last_report
    assert report["frames"]["rendered"] + report["frames"]["dropped"] == report["frames_expected"] == 50
    assert view.start_button.isEnabled() and not view.stop_button.isEnabled()
    assert len(view.p95_curve.getData()[0]) == controller.statuses  # the latency graph grew


def test_moving_the_gain_slider_while_running_reaches_the_engine(qtbot, panel, gp, speech):
    view, controller = panel
    controller.select_avatar(gp.dinet_run)
    view.file_edit.setText(str(speech))
    slider = view.sliders["gain"]
    with qtbot.waitSignal(controller.session_finished, timeout=120_000):
        view.start_button.click()
        qtbot.waitUntil(lambda: controller.statuses >= 2, timeout=60_000)
        engine = controller.job.engine
        slider.setValue(35)  # as dragging does: valueChanged -> the control sheet
        assert engine.controls.requested.gain == pytest.approx(0.35)
        qtbot.waitUntil(lambda: engine.controls.applied.gain == pytest.approx(0.35), timeout=10_000)
        slider.setValue(200)
        slider.setValue(250)  # beyond the range: the slider itself stops at its maximum
    assert slider.value() == 200 and view.slider_values["gain"].text() == "2"


def test_record_gives_an_mp4_whose_video_and_audio_last_as_long(qtbot, panel, gp, speech, tmp_path):
    view, controller = panel
    out = tmp_path / "rec.mp4"
    view.record_check.setChecked(True)
    view.record_edit.setText(str(out))
    result = _start(qtbot, view, controller, gp.dinet_run, speech)
    assert result.ok, result.error
    video_s, audio_s, fps = _durations(out)
    assert abs(video_s - audio_s) <= 1.0 / fps
    assert video_s == pytest.approx(2.0, abs=1.0 / fps)
    assert str(out) in view.message.text()


class UnpluggedMic(PacedSource):
    """A real audio source whose stream raises after `fail_at` seconds, as a device pulled out does."""

    def __init__(self, samples, fail_at: float) -> None:
        super().__init__(samples, 16000, name="USB microphone")
        self.fail_at = int(fail_at * 16000)

    def next_block(self, start):
        if start >= self.fail_at:
            raise OSError("device unplugged")
        return super().next_block(start)


def test_input_device_failing_mid_run_shows_the_message_and_keeps_the_recording(qtbot, gp, speech, tmp_path):
    from core.media.audio import read_audio

    def unplugging_job(request):
        job = kind_live_job(request)
        job.make_source = lambda: UnpluggedMic(np.tile(read_audio(speech), 3), fail_at=1.0)
        return job

    view = LiveView()
    qtbot.addWidget(view)
    controller = LiveController(view, job_factory=unplugging_job)
    controller.set_project(gp.root)
    out = tmp_path / "partial.mp4"
    view.record_check.setChecked(True)
    view.record_edit.setText(str(out))
    result = _start(qtbot, view, controller, gp.dinet_run, speech)
    assert result.status is Status.FAILED
    text = view.message.text()
    assert view.message.isVisibleTo(view) and "device unplugged" in text and str(out) in text
    video_s, audio_s, fps = _durations(out)
    assert 0.5 < video_s < 2.0 and abs(video_s - audio_s) <= 1.0 / fps  # what was made, finalised
    assert view.start_button.isEnabled()  # the panel is usable again
    controller.shutdown()


def test_no_portaudio_is_a_message_and_files_still_work(qtbot, monkeypatch, gp):
    def no_portaudio(**_):
        raise BadInput(
            "cannot open audio devices: PortAudio library not found (apt-get install libportaudio2)"
        )

    monkeypatch.setattr("core.realtime.sources.list_input_devices", no_portaudio)
    view = LiveView()
    qtbot.addWidget(view)
    LiveController(view).set_project(gp.root)
    assert not view.mic_radio.isEnabled() and view.file_radio.isChecked()
    assert "PortAudio" in view.message.text() and "Audio files still work" in view.message.text()


def test_a_missing_audio_file_is_a_message_not_a_session(qtbot, panel, gp, tmp_path):
    view, controller = panel
    controller.select_avatar(gp.dinet_run)
    view.file_edit.setText(str(tmp_path / "nope.wav"))
    assert controller.start() is None
    assert "choose an audio file" in view.message.text() and view.start_button.isEnabled()


def test_record_pressed_and_released_while_running(qtbot, panel, gp, speech, tmp_path):
    view, controller = panel
    controller.select_avatar(gp.dinet_run)
    view.file_edit.setText(str(speech))
    out = tmp_path / "take.mp4"
    view.record_edit.setText(str(out))
    with qtbot.waitSignal(controller.session_finished, timeout=120_000):
        view.start_button.click()
        qtbot.waitUntil(  # setup first: the default backend exports the renderer to ONNX
            lambda: controller.last_status is not None and controller.last_status.rendered >= 5,
            timeout=60_000,
        )
        assert view.record_check.isEnabled() and not view.record_edit.isEnabled()
        view.record_check.click()  # Record on
        assert view.message.text() == f"Recording to {out}"
        qtbot.waitUntil(lambda: controller.last_status.rendered >= 25, timeout=30_000)
        view.record_check.click()  # ... and off: the session goes on
        assert view.message.text() == f"Recording saved: {out}"
    video_s, audio_s, fps = _durations(out)
    assert 0.2 < video_s < 2.0 and abs(video_s - audio_s) <= 1.0 / fps
    assert str(out) in view.message.text()


def test_no_gpu_for_a_cuda_default_is_a_message_and_the_panel_stays_usable(qtbot, panel, gp, speech):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    view, controller = panel
    controller.device = "cuda"  # the settings' default device
    result = _start(qtbot, view, controller, gp.dinet_run, speech)
    assert result.status is Status.FAILED and result.bad_input
    assert "no usable CUDA GPU" in view.message.text() and view.start_button.isEnabled()


def test_an_exported_bundle_is_listed_and_driven_live(qtbot, gp, speech, tmp_path):
    from core.jobs.collector import CollectingRunner
    from core.kinds.registry import kind_of_run
    from core.kinds.requests import ExportRequest

    out = gp.root / "exports" / "bundle-int8"  # removed at the end: the module's project is shared
    request = ExportRequest(gp.dinet_run, out, options={"precision": "int8", "repeats": 2})
    exported = CollectingRunner().run(kind_of_run(gp.dinet_run).export_job("bundle", request))
    assert exported.ok, exported.error
    view = LiveView()
    qtbot.addWidget(view)
    controller = LiveController(view)
    controller.set_project(gp.root)
    listed = {view.avatar_combo.itemData(i) for i in range(view.avatar_combo.count())}
    assert str(out) in listed and str(gp.dinet_run) in listed
    view.show()
    try:
        result = _start(qtbot, view, controller, out, speech)
        assert result.status is Status.SUCCEEDED, result.error
        assert view.view.frames_shown > 0 and controller.statuses > 0
    finally:
        controller.shutdown()
        shutil.rmtree(out)


def test_stop_pressed_by_the_user_says_stopped_not_cancelled(qtbot, panel, gp, speech):
    view, controller = panel
    controller.select_avatar(gp.dinet_run)
    view.file_radio.setChecked(True)
    view.file_edit.setText(str(speech))
    with qtbot.waitSignal(controller.session_finished, timeout=120_000) as done:
        qtbot.mouseClick(view.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: controller.statuses > 0, timeout=120_000)
        qtbot.mouseClick(view.stop_button, Qt.MouseButton.LeftButton)
    assert done.args[0].status is Status.CANCELLED  # the job system's word for it stays
    assert view.message.text().startswith("Session stopped."), view.message.text()
    assert "cancelled" not in view.message.text()
    assert view.message.property("tone") == "info"


def test_a_quiet_voice_is_lifted_to_the_clips_level_and_the_panel_says_so(qtbot, panel, gp, tmp_path):
    """A voice 30 dB quieter than the clip the audio model learned from: the engine brings it up
    (core.audio.level) and the panel shows the shift under the level meter."""
    quiet = write_speech(tmp_path / "quiet.wav", 4.0, seed=8, gain=0.5 * 10 ** (-30 / 20))
    view, controller = panel
    result = _start(qtbot, view, controller, gp.dinet_run, quiet)
    assert result.status is Status.SUCCEEDED, result.error
    assert controller.last_report["audio"]["level_shift_db"] > 15
    assert view.level_shift_label.isVisible() and "matched: +" in view.level_shift_label.text()
