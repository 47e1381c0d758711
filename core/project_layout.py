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


class _Subfolder:
    """One of SUBFOLDERS on a ProjectLayout: ROOT/<the attribute's name>."""

    def __set_name__(self, owner: type, name: str) -> None:
        assert name in SUBFOLDERS, name
        self.name = name

    def __get__(self, layout: ProjectLayout | None, owner: type | None = None) -> Path:
        if layout is None:
            raise AttributeError(f"ProjectLayout.{self.name} is a path of a layout instance")
        return layout.root / self.name


@dataclass(frozen=True)
class ProjectLayout:
    root: Path

    @property
    def project_file(self) -> Path:
        return self.root / PROJECT_FILE

    media = _Subfolder()
    prepared = _Subfolder()
    runs = _Subfolder()
    exports = _Subfolder()

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

    def run_export(self, run: str, fmt: str) -> Path:
        """exports/<run>-<format>: where a run's export goes unless the user names a folder."""
        return self.export(f"{run}-{fmt}")

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
