"""The Recent menu's list, kept in QSettings (newest first, existing projects only)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 8


class RecentProjects:
    def __init__(self, settings: QSettings | None = None) -> None:
        self.settings = settings or QSettings("DigitalHumanStudio", "studio")

    def paths(self) -> list[Path]:
        raw = self.settings.value("recent_projects", [])
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return [Path(p) for p in items if (Path(p) / "project.toml").is_file()]

    def add(self, path: Path) -> None:
        items = [str(path)] + [str(p) for p in self.paths() if p != path]
        self.settings.setValue("recent_projects", items[:MAX_RECENT])
