"""The project folder: what a user's work is (project.toml, media/, prepared/, runs/, exports/)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.config.loader import to_toml
from core.io import atomic
from core.jobs.errors import BadInput

SCHEMA_VERSION = 1
PROJECT_FILE = "project.toml"
SUBFOLDERS = ("media", "prepared", "runs", "exports")


class ProjectError(BadInput):
    pass


@dataclass
class Project:
    root: Path
    name: str
    schema_version: int = SCHEMA_VERSION
    created: str = ""
    clips: list[str] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def prepared_dir(self) -> Path:
        return self.root / "prepared"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def prepared_clips(self) -> list[Path]:
        """Complete prepared clips (a folder with a manifest), oldest first."""
        if not self.prepared_dir.is_dir():
            return []
        found = [p for p in self.prepared_dir.iterdir() if (p / "manifest.json").is_file()]
        return sorted(found, key=lambda p: p.stat().st_mtime)

    def clip_dir(self, name: str) -> Path:
        path = self.prepared_dir / name
        if not (path / "manifest.json").is_file():
            have = ", ".join(p.name for p in self.prepared_clips()) or "none"
            raise ProjectError(
                f"No prepared clip named '{name}' in {self.prepared_dir} (prepared clips: {have}). "
                f"Run `dhstudio prepare VIDEO --project {self.root} --name {name}` first."
            )
        return path

    def add_clip(self, name: str) -> None:
        if name not in self.clips:
            self.clips.append(name)
            self.save()

    def save(self) -> None:
        data = {
            "schema_version": self.schema_version,
            "name": self.name,
            "created": self.created,
            "clips": list(self.clips),
            "defaults": dict(self.defaults),
        }
        atomic.write_text(self.root / PROJECT_FILE, to_toml(data))


def create_project(root: Path | str, name: str | None = None) -> Project:
    root = Path(root).expanduser().resolve()
    if (root / PROJECT_FILE).exists():
        raise ProjectError(f"{root} already holds a project ({PROJECT_FILE} exists); open it instead.")
    if root.exists() and any(root.iterdir()):
        raise ProjectError(f"{root} exists and is not empty; choose a new or empty folder.")
    for sub in SUBFOLDERS:
        (root / sub).mkdir(parents=True, exist_ok=True)
    project = Project(
        root=root,
        name=name or root.name,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    project.save()
    return project


def open_project(root: Path | str) -> Project:
    root = Path(root).expanduser().resolve()
    path = root / PROJECT_FILE
    if not path.is_file():
        raise ProjectError(
            f"{root} is not a Digital Human Studio project ({PROJECT_FILE} not found). "
            f"Create one with `dhstudio new {root}`."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(
            f"{path} is corrupt ({exc}). Restore it from a backup, or fix the TOML by hand."
        ) from None
    version = data.get("schema_version")
    if not isinstance(version, int):
        raise ProjectError(f"{path}: field 'schema_version' must be an integer (got {version!r}).")
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path} was written by a newer Digital Human Studio (project schema {version}; this "
            f"version reads up to {SCHEMA_VERSION}). Upgrade the studio to open it."
        )
    if version < 1:
        raise ProjectError(f"{path}: schema_version {version} is not valid (must be 1..{SCHEMA_VERSION}).")
    for sub in SUBFOLDERS:
        (root / sub).mkdir(exist_ok=True)
    return Project(
        root=root,
        name=str(data.get("name", root.name)),
        schema_version=version,
        created=str(data.get("created", "")),
        clips=[str(c) for c in data.get("clips", [])],
        defaults=dict(data.get("defaults", {})),
    )


def safe_name(text: str) -> str:
    """A folder-safe name for clips and runs."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._")
    return cleaned or "unnamed"
