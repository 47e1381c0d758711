"""A video player with sound (QtMultimedia): play/pause, a position scrubber and the time.

QtMultimedia ships in PySide6-Addons and needs libpulse on Linux; without it the player says so
instead of failing (`available` is False).

Frames are pulled from the video sink on a GUI-thread timer, never through `videoFrameChanged`:
that signal fires on QtMultimedia's render thread, and a Python slot on it makes that thread wait
for the GIL, which deadlocked `QMediaPlayer.stop()` (called from Python, GIL held) while the render
thread it waits for was itself waiting for the GIL.

For the same reason the player is stopped and unloaded from a short nested event loop: PySide runs
an event loop with the GIL released, so a QtMultimedia thread that deletes one of its objects (its
destructor asks our Python-made sink/player for overrides, which needs the GIL) can finish while
`stop` waits for it; called straight from Python, `stop` held the GIL and the two waited forever
(seen closing the window in the GUI tests).
"""

from __future__ import annotations

from PySide6.QtCore import Q_ARG, QEventLoop, QMetaObject, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QVBoxLayout, QWidget

from ui.image import ImageLabel

try:
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink

    MULTIMEDIA_ERROR = ""
except ImportError as exc:  # PySide6-Addons missing, or libpulse0 (Linux)
    MULTIMEDIA_ERROR = (
        f"Playback needs QtMultimedia ({exc}). Install it with `pip install PySide6-Addons` "
        "(and `apt-get install libpulse0` on Linux)."
    )


FRAME_POLL_MS = 15  # faster than any source frame rate up to 60 fps


def _stop_without_gil(player: QObject, unload: bool) -> None:
    """`player.stop()` (and `setSource(QUrl())` when unloading), run by a nested event loop."""
    queued = Qt.ConnectionType.QueuedConnection
    QMetaObject.invokeMethod(player, "stop", queued)
    if unload:
        QMetaObject.invokeMethod(player, "setSource", queued, Q_ARG(QUrl, QUrl()))
    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)  # posted after the calls above, so it runs after them
    loop.exec()


def _clock(ms: int) -> str:
    s = max(0, ms) // 1000
    return f"{s // 60}:{s % 60:02d}"


class PlayerView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.available = not MULTIMEDIA_ERROR
        self.title = QLabel("Nothing loaded", self)
        self.play_button = QPushButton("Play", self)
        self.play_button.setEnabled(False)
        self.position = QSlider(Qt.Orientation.Horizontal, self)
        self.position.setEnabled(False)
        self.time_label = QLabel("0:00 / 0:00", self)
        self.time_label.setMinimumWidth(90)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        if self.available:
            # frames go through a QVideoSink into a plain label: it paints on every platform and
            # in window grabs (a QVideoWidget's native surface does not)
            self.video = ImageLabel("", self)
            self.video.setMinimumSize(320, 240)
            self.frames_shown = 0
            self.sink = QVideoSink(self)
            self._shown_at: int | None = None
            self.frame_timer = QTimer(self)
            self.frame_timer.setInterval(FRAME_POLL_MS)
            self.frame_timer.timeout.connect(self._pull_frame)
            self.player = QMediaPlayer(self)
            self.audio = QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
            self.player.setVideoOutput(self.sink)
            self.player.durationChanged.connect(self._duration)
            self.player.positionChanged.connect(self._position)
            self.player.playbackStateChanged.connect(self._state)
            self.position.sliderMoved.connect(self.player.setPosition)
            self.play_button.clicked.connect(self.toggle)
            layout.addWidget(self.video, 1)
        else:
            self.player = None
            missing = QLabel(MULTIMEDIA_ERROR, self)
            missing.setWordWrap(True)
            layout.addWidget(missing, 1)
        row = QHBoxLayout()
        row.addWidget(self.play_button)
        row.addWidget(self.position, 1)
        row.addWidget(self.time_label)
        layout.addLayout(row)

    def load(self, path: str) -> None:
        self.title.setText(path)
        if self.player is None:
            return
        _stop_without_gil(self.player, unload=False)
        self.player.setSource(QUrl.fromLocalFile(path))
        self._shown_at = None
        self.frame_timer.start()
        self.play_button.setEnabled(True)
        self.position.setEnabled(True)

    def toggle(self) -> None:
        if self.player is None:
            return
        if self.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState:
            self.player.pause()
        else:
            self.player.play()

    def stop(self) -> None:
        """Stop and release the file (the decoder threads end before the window goes away)."""
        if self.player is not None:
            self.frame_timer.stop()
            _stop_without_gil(self.player, unload=True)

    def _pull_frame(self) -> None:
        """Show the sink's newest frame if it is new (paused scrubbing updates it too)."""
        frame: QVideoFrame = self.sink.videoFrame()
        if not frame.isValid() or frame.startTime() == self._shown_at:
            return
        self._shown_at = frame.startTime()
        image = frame.toImage()
        if image.isNull():
            return
        self.frames_shown += 1
        self.video.set_pixmap(QPixmap.fromImage(image))

    def _duration(self, ms: int) -> None:
        self.position.setRange(0, ms)
        self.time_label.setText(f"{_clock(self.player.position())} / {_clock(ms)}")

    def _position(self, ms: int) -> None:
        if not self.position.isSliderDown():
            self.position.setValue(ms)
        self.time_label.setText(f"{_clock(ms)} / {_clock(self.player.duration())}")

    def _state(self, state) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        self.play_button.setText("Pause" if playing else "Play")
