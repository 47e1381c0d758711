"""Where things live in a project folder: the one place that knows the layout's paths.

```
ROOT/
  project.toml      schema version, name, clips, defaults
  media/            imported originals
  prepared/<clip>/  prepared clips
  runs/<run>/       training runs
  exports/          exported models
```
`studio.project.Project` (the project.toml document) and every `core` caller ask a `ProjectLayout`
for paths instead of joining names or walking `.parent`s themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROJECT_FILE = "project.toml"
SUBFOLDERS = ("media", "prepared", "runs", "exports")
CLIP_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class ProjectLayout:
    root: Path

    @property
    def project_file(self) -> Path:
        return self.root / PROJECT_FILE

    @property
    def media(self) -> Path:
        return self.root / "media"

    @property
    def prepared(self) -> Path:
        return self.root / "prepared"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def folders(self) -> tuple[Path, ...]:
        return tuple(self.root / s for s in SUBFOLDERS)

    def clip(self, name: str) -> Path:
        """prepared/<name> (it may not exist yet)."""
        return self.prepared / name

    def is_prepared_clip(self, name: str) -> bool:
        return (self.clip(name) / CLIP_MANIFEST).is_file()

    def run(self, name: str) -> Path:
        return self.runs / name

    def media_file(self, name: str) -> Path:
        return self.media / name

    def export(self, name: str) -> Path:
        return self.exports / name

    @classmethod
    def of_run(cls, run_dir: Path | str) -> ProjectLayout:
        """The project a run folder belongs to.

        The nearest folder above the run that holds project.toml (so runs written elsewhere inside a
        project, e.g. an ablation's OUT/runs/<config>, still find the project's clips); a run outside
        any project gets the layout its runs/<run> position implies.
        """
        run_dir = Path(run_dir).resolve()
        for parent in run_dir.parents:
            if (parent / PROJECT_FILE).is_file():
                return cls(parent)
        return cls(run_dir.parent.parent)

    @classmethod
    def of_clip(cls, clip_dir: Path | str) -> ProjectLayout:
        """The project a prepared clip folder belongs to (prepared/<clip>)."""
        clip_dir = Path(clip_dir).resolve()
        for parent in clip_dir.parents:
            if (parent / PROJECT_FILE).is_file():
                return cls(parent)
        return cls(clip_dir.parent.parent)
