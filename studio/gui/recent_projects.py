"""The recent projects (newest first, existing projects only) and when each was last opened, in QSettings."""

from __future__ import annotations

import json
from datetime import datetime
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

    def last_opened(self, path: Path) -> datetime | None:
        stamp = self._times().get(str(path))
        return datetime.fromisoformat(stamp) if stamp else None

    def add(self, path: Path) -> None:
        items = [str(path)] + [str(p) for p in self.paths() if p != path]
        self.settings.setValue("recent_projects", items[:MAX_RECENT])
        times = {k: v for k, v in self._times().items() if k in items[:MAX_RECENT]}
        times[str(path)] = datetime.now().isoformat(timespec="seconds")
        self.settings.setValue("recent_opened", json.dumps(times))

    def _times(self) -> dict[str, str]:
        try:
            data = json.loads(str(self.settings.value("recent_opened", "{}")))
        except json.JSONDecodeError:
            return {}
        return data if isinstance(data, dict) else {}
