"""The studio's saved preferences (QSettings): window layout, device, preview rate, mic, theme, language.

One typed wrapper so every reader agrees on keys and defaults; the recent-projects list keeps
its own key (`studio.gui.recent_projects`) in the same QSettings store.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

THEMES = ("light", "dark")
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
DEVICES = ("auto", "cpu", "cuda")
# the window layout's version: a saved layout from another version is not restored (the first
# layout for the screen is used instead). 1: the Live dock narrow on laptop screens, the first
# window taller on desktop screens; layouts saved before (version 0) kept a Live dock that left a
# 1366 px laptop's training panel 741 px.
LAYOUT_VERSION = 1


@dataclass(frozen=True)
class Preferences:
    theme: str = "light"
    language: str = "en"
    device: str = "auto"
    preview_fps: int = 15
    microphone: str = ""  # input device name ("" = the system default)


class StudioSettings:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.qsettings = settings or QSettings("DigitalHumanStudio", "studio")

    def load(self) -> Preferences:
        s, d = self.qsettings, Preferences()

        def pick(key: str, default, allowed=None):
            value = s.value(key, default)
            if allowed is not None and value not in allowed:
                return default
            return value

        try:
            fps = int(s.value("live/preview_fps", d.preview_fps))
        except (TypeError, ValueError):
            fps = d.preview_fps
        return Preferences(
            theme=pick("ui/theme", d.theme, THEMES),
            language=pick("ui/language", d.language, LANGUAGES),
            device=pick("device", d.device, DEVICES),
            preview_fps=min(max(fps, 1), 60),
            microphone=str(pick("live/microphone", d.microphone)),
        )

    def save(self, prefs: Preferences) -> None:
        s = self.qsettings
        s.setValue("ui/theme", prefs.theme)
        s.setValue("ui/language", prefs.language)
        s.setValue("device", prefs.device)
        s.setValue("live/preview_fps", int(prefs.preview_fps))
        s.setValue("live/microphone", prefs.microphone)
        s.sync()

    def save_window(self, window: QMainWindow) -> None:
        self.qsettings.setValue("window/geometry", window.saveGeometry())
        self.qsettings.setValue("window/state", window.saveState(LAYOUT_VERSION))
        self.qsettings.sync()

    def restore_window(self, window: QMainWindow) -> bool:
        """Restore the saved layout; False (nothing restored) when none was saved or it was saved
        by another layout version, so the caller lays the window out for the screen."""
        geometry, state = self.qsettings.value("window/geometry"), self.qsettings.value("window/state")
        if not isinstance(geometry, QByteArray) or not isinstance(state, QByteArray):
            return False
        placed = window.restoreGeometry(geometry)  # first, as the docks' sizes are the window's share
        return window.restoreState(state, LAYOUT_VERSION) and placed
