"""Training presets: the studio's job files (training_jobs/) and the ones a user saved in PROJECT/presets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.config.loader import read_toml
from core.jobs.errors import BadInput
from studio.gui.config_fields import preset_description
from studio.project import Project

PRESETS_DIR = Path(__file__).resolve().parents[2] / "training_jobs"
PROJECT_PRESETS = "presets"  # PROJECT/presets/*.toml: presets the user saved


@dataclass(frozen=True)
class Preset:
    path: Path
    kind: str
    description: str

    @property
    def name(self) -> str:
        return self.path.stem


def find_presets(project: Project | None) -> list[Preset]:
    """Job files of every family: the studio's presets, then the project's saved ones."""
    folders = [PRESETS_DIR] + ([project.root / PROJECT_PRESETS] if project is not None else [])
    out = []
    for folder in folders:
        for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
            try:
                kind = str(read_toml(path).get("kind", ""))
            except BadInput:
                continue
            if kind:  # ablation suites have no kind
                out.append(Preset(path, kind, preset_description(path)))
    return out
