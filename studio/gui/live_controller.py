"""Behaviour of the live panel: pick an avatar and input, run the kind's live job, bind the controls.

The session is the kind's own live job (`kind_of_run(run).live_job`, what `dhstudio live`
runs) on a `JobThread`. Frames reach the view through the worker's newest-preview slot, read
by a `PreviewPoller` on the GUI's timer; readouts come from the job's typed `LiveStatus`
events. Sliders request values on the running engine's control sheet; status events carry
the values in force, which the sliders echo with their signals blocked (no feedback loop).
Faults (no microphone, PortAudio missing, a device unplugged mid-run) become a message in the
panel; the engine has already finalised the recording.
The lookahead slider shows the measured trade-off of its value (`core.realtime.lookahead`): the
latency and lip-sync accuracy of the running model's lookahead plus the slider's smoothing frames.
A running session is also a row of the window's Jobs panel ("Live: <run> — 24.8 fps", with a Stop
button acting as the panel's own Stop), so a user reading the Jobs panel sees that it runs; the
row goes when the session ends, however it ends, and the end is a line of the Jobs log.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog

from core.export.bundle_format import bundle_kind, is_bundle
from core.jobs.errors import BadInput
from core.jobs.events import LiveStatus
from core.jobs.job import Job, JobResult, Status
from core.jobs.message import Text
from core.kinds.base import AvatarKind
from core.kinds.registry import avatar_kind, kind_of_run
from core.realtime.backends import BACKENDS
from core.realtime.controls import ControlValues
from core.realtime.job import LiveRequest
from core.realtime.lookahead import LookaheadCurve, load_curve
from core.train.run_folder import RunState, list_runs
from studio.gui import i18n
from studio.gui.job_worker import JobThread
from studio.gui.preview_poller import PreviewPoller
from ui.job_panel import JobPanel
from ui.live_view import SLIDERS, LiveView

JobFactory = Callable[[LiveRequest], Job]


def avatar_kind_of(path: Path) -> AvatarKind:
    """The registry kind of an avatar the panel can drive: a run folder or an exported bundle."""
    return bundle_kind(path) if is_bundle(path) else kind_of_run(path)


def kind_live_job(request: LiveRequest) -> Job:
    return avatar_kind_of(request.run).live_job(request)


NO_RUN_YET = "No finished lip-sync or Gaussian run in this project yet: train one to drive it live."
NO_MICROPHONE = "no audio input device found; plug in a microphone"


def describe_lookahead(
    curve: LookaheadCurve, model_lookahead: int, smoothing_lookahead: int, frame_ms: float = 40.0
) -> str:
    """`LookaheadCurve.describe` in the interface language: the measured cost and accuracy of a setting."""
    p = curve.point(model_lookahead, smoothing_lookahead)
    head = i18n.tr("model lookahead {model} + extra {smoothing}").format(
        model=model_lookahead, smoothing=smoothing_lookahead
    )
    if p is None:
        built_in = 30.0 + frame_ms * (model_lookahead + smoothing_lookahead)
        return i18n.tr("{head}: about {built_in} ms built in (not measured)").format(
            head=head, built_in=f"{built_in:.0f}"
        )
    text = i18n.tr(
        "{head}: p95 latency {alone} ms alone, {busy} ms beside a busy process ({built_in} ms built in); "
        "lip-sync r {r}, LMD {lmd} of the full-lookahead model"
    ).format(
        head=head,
        alone=f"{p.p95_ms:.0f}",
        busy=f"{p.p95_contended_ms:.0f}",
        built_in=f"{p.built_in_ms:.0f}",
        r=f"{p.r_fraction:.0%}",
        lmd=f"{p.lmd_fraction:.0%}",
    )
    if p == curve.choose():
        text += i18n.tr(" (default: the most accurate within {budget} ms)").format(
            budget=f"{curve.budget_ms:.0f}"
        )
    return text


class LiveController(QObject):
    session_finished = Signal(object)  # JobResult

    def __init__(
        self,
        view: LiveView,
        job_factory: JobFactory = kind_live_job,
        preview_fps: float = 15.0,
        history_s: float = 20.0,
        job_panel: JobPanel | None = None,
    ) -> None:
        super().__init__(view)
        self.view = view
        self.job_panel = job_panel  # the window's Jobs panel, which lists a running session (or None)
        self.run_name = ""  # the avatar of the running session, as the Jobs panel names it
        self.job_factory = job_factory
        self.preview_fps = preview_fps
        self.device = "cpu"  # the settings' default device ("auto" picks CUDA when usable)
        self.project_root: Path | None = None
        self.thread: JobThread | None = None
        self.poller: PreviewPoller | None = None
        self.last_status: LiveStatus | None = None
        self.last_result: JobResult | None = None
        self.last_report: dict | None = None
        self.statuses = 0
        self._pending: dict[str, float] = {}  # slider moves made before the engine ran
        self._touched: set[str] = set()  # controls the user has moved (kept across sessions)
        self._recorder = None  # the RecorderSink Record started mid-session
        self.recordings: list[Path] = []  # files recorded in the current session
        self._t0 = 0.0
        self._stop_pressed = False  # the user pressed Stop in the running session
        self._history: deque[tuple[float, float, float]] = deque(maxlen=int(history_s * 10))
        for name in BACKENDS:
            view.backend_combo.addItem(name)
        self._mic_problem = ""  # why the microphone list is empty ("" when it is not)
        self._shown_mic_message = ""  # that reason as the panel shows it
        try:
            self.curve: LookaheadCurve | None = load_curve()
            self._curve_problem = ""
        except BadInput as exc:
            self.curve, self._curve_problem = None, str(exc)
        # the model's own lookahead: the running engine's; before a session, the default models'
        self.model_lookahead = self.curve.choose().model_lookahead if self.curve is not None else 2
        for name, slider in view.sliders.items():
            slider.valueChanged.connect(lambda value, name=name: self._slider_moved(name, value))
        self._echo(ControlValues().to_dict())
        view.start_button.clicked.connect(self.start)
        view.stop_button.clicked.connect(self.stop)
        view.fit_check.toggled.connect(view.view.set_fitted)
        view.browse_button.clicked.connect(self._browse)
        view.mic_radio.toggled.connect(lambda _=False: self._input_changed())
        view.record_check.toggled.connect(self._record_toggled)
        if job_panel is not None:
            job_panel.live_stop_button.clicked.connect(self.stop)
        self.refresh_devices()
        self._input_changed()

    # choices --------------------------------------------------------------------------------
    def set_project(self, root: Path | None) -> None:
        """List the project's finished runs whose kind can be driven live."""
        new_root = Path(root) if root is not None else None
        if new_root != self.project_root and self.thread is None:  # another project: not its avatar
            self.view.view.clear_frame()
        self.project_root = new_root
        combo = self.view.avatar_combo
        keep = combo.currentData()
        combo.clear()
        if self.project_root is None:
            return
        for info in list_runs(self.project_root / "runs"):
            if info.state is not RunState.FINISHED:
                continue
            try:
                kind = avatar_kind(info.kind)
            except BadInput:
                continue
            if kind.live is not None:
                combo.addItem(f"{info.path.name} — {i18n.tr(kind.title)}", str(info.path))
        exports = self.project_root / "exports"
        for folder in sorted(p for p in exports.iterdir() if is_bundle(p)) if exports.is_dir() else []:
            combo.addItem(
                i18n.tr("{name} — exported bundle").format(name=folder.name), str(folder)
            )  # runs with its own ONNX models
        if combo.count() == 0:
            self.view.show_message(i18n.tr(NO_RUN_YET), error=False)
        else:
            combo.setCurrentIndex(max(combo.findData(keep), 0))
            if self.view.message.text() in (NO_RUN_YET, i18n.tr(NO_RUN_YET)):
                self.view.show_message("", error=False)  # it no longer holds

    def refresh_devices(self) -> None:
        """Fill the microphone list; without PortAudio or inputs say so and keep files usable."""
        from core.realtime.sources import list_input_devices

        combo = self.view.device_combo
        combo.clear()
        try:
            devices = list_input_devices(rescan=self.thread is None)
        except (BadInput, OSError) as exc:
            devices, problem = [], str(exc)
        except Exception as exc:  # sounddevice.PortAudioError and the like
            devices, problem = [], f"{type(exc).__name__}: {exc}"
        else:
            problem = "" if devices else NO_MICROPHONE
        for d in devices:
            combo.addItem(f"{d['index']}: {d['name']}", d["index"])
        self.view.mic_radio.setEnabled(bool(devices))
        self._mic_problem = problem
        if not devices:
            self.view.file_radio.setChecked(True)
            self._shown_mic_message = self._mic_message()
            self.view.show_message(self._shown_mic_message, error=False)

    def _mic_message(self) -> str:
        problem = i18n.tr(
            i18n.tr_message(self._mic_problem)
        )  # ours are in the catalogue; a driver's words stay
        return i18n.tr("Microphone unavailable: {problem}. Audio files still work.").format(problem=problem)

    def select_avatar(self, run: Path) -> None:
        i = self.view.avatar_combo.findData(str(run))
        if i < 0:
            self.view.avatar_combo.addItem(Path(run).name, str(run))
            i = self.view.avatar_combo.count() - 1
        self.view.avatar_combo.setCurrentIndex(i)

    def _browse(self) -> None:
        path = QFileDialog.getOpenFileName(
            self.view, "Speech to drive the avatar", "", "Audio (*.wav *.mp3 *.m4a *.flac *.ogg)"
        )[0]
        if path:
            self.view.file_edit.setText(path)
            self.view.file_radio.setChecked(True)

    def _input_changed(self) -> None:
        mic = self.view.mic_radio.isChecked()
        self.view.device_combo.setEnabled(mic and self.thread is None)
        self.view.file_edit.setEnabled(not mic and self.thread is None)

    # session --------------------------------------------------------------------------------
    def request(self) -> LiveRequest:
        v = self.view
        run = v.avatar_combo.currentData()
        if not run:
            raise BadInput(Text("choose an avatar: a finished lip-sync or Gaussian run of the open project"))
        audio_file = None
        if not v.mic_radio.isChecked():
            text = v.file_edit.text().strip()
            if not text or not Path(text).is_file():
                raise BadInput(Text("choose an audio file to drive the avatar (got {text!r})", text=text))
            audio_file = Path(text)
        record = self._record_path() if v.record_check.isChecked() else None
        run = Path(run)
        return LiveRequest(
            run=run,
            audio_run=None,  # the job chooses it on its worker thread (mapping the prior can take seconds)
            audio_file=audio_file,
            input_device=v.device_combo.currentData() if audio_file is None else None,
            backend=v.backend_combo.currentText(),
            device=self.device,
            record=record,
            preview_fps=self.preview_fps,
            monitor=v.monitor_check.isChecked(),
        )

    def _record_path(self) -> Path:
        text = self.view.record_edit.text().strip()
        base = self.project_root / "exports" if self.project_root else Path.cwd()
        path = Path(text) if text else base / f"live-{time.strftime('%Y%m%d-%H%M%S')}.mp4"
        if text and path in self.recordings:  # a second take into the same name: number it
            path = path.with_name(f"{path.stem}-{len(self.recordings) + 1}{path.suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _record_toggled(self, on: bool) -> None:
        """Record pressed while a session runs: start or finish a recording on the engine."""
        from core.realtime.sinks import RecorderSink

        engine = getattr(self.job, "engine", None)
        if self.thread is None:
            return  # applies when the session starts
        if engine is None:
            self.view.show_message(i18n.tr("The session is still starting; press Record again in a moment."))
            self.view.record_check.blockSignals(True)
            self.view.record_check.setChecked(not on)
            self.view.record_check.blockSignals(False)
            return
        if on:
            path = self._record_path()
            self._recorder = RecorderSink.for_source(
                path, engine.avatar.frame_size, engine.avatar.fps, engine.source
            )
            engine.record(self._recorder)
            self.recordings.append(path)
            self.view.show_message(i18n.tr("Recording to {path}").format(path=path), error=False)
            return
        recorder = self._recorder or next((s for s in engine.sinks if isinstance(s, RecorderSink)), None)
        self._recorder = None
        if recorder is not None:
            engine.stop_recording(recorder)
            self.view.show_message(i18n.tr("Recording saved: {path}").format(path=recorder.path), error=False)

    def start(self) -> JobThread | None:
        if self.thread is not None:
            return None
        try:
            request = self.request()
            job = self.job_factory(request)
        except BadInput as exc:
            self.view.show_message(str(exc))
            return None
        # controls the user has set carry over to the new session; the rest start at the avatar's
        sliders = self.view.sliders
        self._pending = {n: sliders[n].value() / SLIDERS[n][3] for n in self._touched}
        self.view.show_message(i18n.tr("Loading the avatar…"), error=False)
        self.last_status = self.last_result = None
        self.statuses = 0
        self._recorder = None
        self.recordings = [job.req.record] if getattr(job, "req", None) and job.req.record else []
        self._history.clear()
        self._t0 = time.monotonic()
        self._stop_pressed = False
        thread = self.thread = JobThread(job, self)
        thread.worker.live_status.connect(self._on_status)
        thread.worker.failed.connect(self._on_failed)  # a method: runs on the GUI thread
        thread.finished.connect(self._on_finished)
        self.poller = PreviewPoller(thread.worker.previews, int(1000 / max(self.preview_fps, 1)), self)
        self.poller.changed.connect(lambda name, rgb: self.view.view.show_rgb(rgb))
        self.view.set_running(True)
        self.run_name = Path(request.run).name
        self._show_in_jobs()
        thread.start()
        self.poller.start()
        return thread

    def stop(self) -> None:
        """The user's Stop ends the session through the job's cancel; it is said as 'stopped'."""
        if self.thread is not None:
            self._stop_pressed = True
            self.thread.control.cancel()

    def shutdown(self) -> None:
        if self.thread is not None:
            self.thread.stop()

    @property
    def job(self) -> Job | None:
        return self.thread.worker.job if self.thread is not None else None

    def _on_status(self, status: LiveStatus) -> None:
        v = self.view
        if self.statuses == 0:
            v.show_message("")
        self.statuses += 1
        self.last_status = status
        audio = i18n.tr("{seconds} s of audio").format(seconds=f"{status.seconds:.1f}")
        v.fps_label.setText(f"{status.fps:.1f} fps · {audio}")
        v.latency_label.setText(
            i18n.tr("end-to-end latency {p50} / {p95} ms").format(
                p50=f"<span style='color:#4fc3f7'>p50 {status.latency_p50_ms:.0f}</span>",
                p95=f"<span style='color:#ff8a65'>p95 {status.latency_p95_ms:.0f}</span>",
            )
        )
        v.drops_label.setText(
            i18n.tr("dropped {dropped} · underruns {underruns} · overruns {overruns}").format(
                dropped=status.dropped, underruns=status.underruns, overruns=status.overruns
            )
        )
        v.level.setValue(int(max(min(status.level_db, 0.0), -60.0)))
        v.level_label.setText(f"{max(status.level_db, -99.0):.0f} dBFS")
        shift = status.level_shift_db  # None: the audio model carries no level to match
        if shift is not None:
            matched = i18n.tr("voice level matched: {shift} dB")
            v.level_shift_label.setText(matched.format(shift=f"{shift:+.0f}"))
        v.level_shift_label.setVisible(shift is not None)
        self._history.append((time.monotonic() - self._t0, status.latency_p50_ms, status.latency_p95_ms))
        t, p50, p95 = zip(*self._history, strict=True)
        v.show_latency(list(t), list(p50), list(p95))
        engine = getattr(self.job, "engine", None)
        if engine is not None and engine.stepper.lookahead != self.model_lookahead:
            self.model_lookahead = engine.stepper.lookahead
            self._describe_lookahead(self.view.sliders["lookahead"].value())
        if engine is not None and self._pending:
            engine.controls.request(**self._pending)
            self._pending.clear()
        if status.controls is not None and not self._pending:
            self._echo(status.controls)
        self._show_in_jobs()

    def _show_in_jobs(self) -> None:
        """The session's row in the Jobs panel: its avatar and frame rate while it runs, none after."""
        if self.job_panel is None:
            return
        if self.thread is None:
            self.job_panel.set_live("")
        elif self.last_status is None:
            self.job_panel.set_live(i18n.tr("Live: {run} — starting…").format(run=self.run_name))
        else:
            fps = f"{self.last_status.fps:.1f}"
            self.job_panel.set_live(i18n.tr("Live: {run} — {fps} fps").format(run=self.run_name, fps=fps))

    def _on_failed(self, message: str, bad_input: bool) -> None:
        self.view.show_message(message)

    def _on_finished(self, result: JobResult) -> None:
        self.last_result = result
        if self.poller is not None:
            self.poller.poll()  # the last frame
            self.poller.stop()
        thread, self.thread = self.thread, None
        report = None
        if thread is not None:
            report = getattr(thread.worker.job, "report", None)  # written even when the session failed
            thread.thread.wait()
            thread.deleteLater()
        self.last_report = report
        self.view.set_running(False)
        self._input_changed()
        recording = ", ".join(str(p) for p in self.recordings if Path(p).is_file()) or None
        if result.status is Status.SUCCEEDED or result.status is Status.CANCELLED:
            kept = " " + i18n.tr("Recording: {path}").format(path=recording) if recording else ""
            stopped = result.status is Status.CANCELLED and self._stop_pressed
            ended = (
                i18n.tr("Session stopped.")
                if stopped
                else i18n.tr("Session ended ({status}).").format(status=i18n.tr(result.status.value))
            )
            self.view.show_message(f"{ended}{kept}", error=False)
            self._log_in_jobs(ended)
        elif result.error:
            kept = f" Recording kept: {recording}" if recording and recording not in result.error else ""
            self.view.show_message(i18n.tr_message(result.error) + kept)
            self._log_in_jobs(i18n.tr("Session failed: {error}").format(error=i18n.tr_message(result.error)))
        self._show_in_jobs()
        self.session_finished.emit(result)

    def _log_in_jobs(self, ended: str) -> None:
        if self.job_panel is not None:
            self.job_panel.append_log(i18n.tr("Live: {run} — {ended}").format(run=self.run_name, ended=ended))

    def retranslate(self) -> None:
        """After a language switch: the texts composed with numbers, in the new language."""
        slider = self.view.sliders["lookahead"]
        self._describe_lookahead(slider.value() / SLIDERS["lookahead"][3])
        message = self.view.message.text()
        if message in (NO_RUN_YET, i18n.tr(NO_RUN_YET)):
            self.view.show_message(i18n.tr(NO_RUN_YET), error=False)
        elif self._mic_problem and message == self._shown_mic_message:
            self._shown_mic_message = self._mic_message()
            self.view.show_message(self._shown_mic_message, error=False)
        if self.project_root is not None:  # the avatar list names each run's kind
            self.set_project(self.project_root)
        self._show_in_jobs()

    # controls -------------------------------------------------------------------------------
    def _describe_lookahead(self, smoothing: float) -> None:
        if self.curve is None:
            self.view.set_lookahead_note(
                i18n.tr("Lookahead trade-off not measured: {problem}").format(
                    problem=i18n.tr_message(self._curve_problem)
                )
            )
            return
        self.view.set_lookahead_note(
            describe_lookahead(self.curve, self.model_lookahead, int(round(smoothing)))
        )

    def _slider_moved(self, name: str, value: int) -> None:
        scaled = value / SLIDERS[name][3]
        self._touched.add(name)
        self.view.slider_values[name].setText(f"{scaled:g}")
        if name == "lookahead":
            self._describe_lookahead(scaled)
        engine = getattr(self.job, "engine", None)
        if engine is not None:
            engine.controls.request(**{name: scaled})
        else:
            self._pending[name] = scaled

    def _echo(self, values: dict[str, float]) -> None:
        """Show the values in force without sending them back."""
        for name, value in values.items():
            slider = self.view.sliders.get(name)
            if slider is None:
                continue
            slider.blockSignals(True)
            slider.setValue(int(round(value * SLIDERS[name][3])))
            slider.blockSignals(False)
            self.view.slider_values[name].setText(f"{value:g}")
            if name == "lookahead":
                self._describe_lookahead(value)
