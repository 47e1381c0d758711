"""Process start-up fixes that must run before Qt or OpenCV are used."""

from __future__ import annotations

import os


def prepare_environment() -> None:
    """Clear OpenCV's Qt plugin path so PySide6 never loads OpenCV's bundled Qt5 plugins.

    Importing cv2 (opencv-contrib-python) sets QT_QPA_PLATFORM_PLUGIN_PATH to its own Qt5
    plugins; a Qt6 application picking those up fails with an opaque plugin error.
    """
    path = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "")
    if "cv2" in path:
        os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # MediaPipe/absl chatter
    os.environ.setdefault("GLOG_minloglevel", "2")
    # QtMultimedia probes for PipeWire and says so on stderr when it is absent (harmless: the player
    # uses FFmpeg and PulseAudio); keep a user's own rules if they set any
    os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")
