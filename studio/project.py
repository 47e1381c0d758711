"""The project folder: what a user's work is (project.toml, media/, prepared/, runs/, exports/).

project.toml is validated by a pydantic model (`ProjectFile`) both when it is read and before it
is written, with errors that name the file and the field; `dhstudio new` never writes a file it
could not read back. Paths come from `core.project_layout.ProjectLayout`. A new project folder is
built under a temporary name and renamed into place, so a failure leaves nothing half-made.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tomllib
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, StrictInt, ValidationError, field_validator

from core.config.errors import describe_validation_error
from core.config.loader import to_toml
from core.config.model import ConfigModel
from core.device import DeviceChoice
from core.io import atomic
from core.io.file_lock import locked
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.new_folder import fill_existing_empty, new_folder
from core.project_layout import PROJECT_FILE, SUBFOLDERS, ProjectLayout

SCHEMA_VERSION = 1
__all__ = [
    "PROJECT_FILE",
    "SCHEMA_VERSION",
    "SUBFOLDERS",
    "Project",
    "ProjectError",
    "create_project",
    "open_project",
    "safe_name",
]


class ProjectError(BadInput):
    pass


_CLIP_NAME = r"^[^\W_][\w.-]*$"  # what safe_name makes (letters of any script)


class ProjectDefaults(ConfigModel):
    """project.toml's [defaults] table: settings this project's jobs start from (unknown keys are errors)."""

    device: DeviceChoice = "auto"  # where this project's jobs compute: auto (the GPU when present), cpu, cuda


class ProjectFile(ConfigModel):
    """The fields of project.toml."""

    schema_version: StrictInt = Field(ge=1, le=SCHEMA_VERSION)
    name: str = Field(min_length=1, max_length=200)
    created: str = ""
    clips: list[str] = Field(default_factory=list)
    defaults: ProjectDefaults = Field(default_factory=ProjectDefaults)

    @field_validator("name")
    @classmethod
    def _printable(cls, v: str) -> str:
        if any(not c.isprintable() for c in v):
            raise ValueError("must be one line of printable text (no newlines or control characters)")
        if v != v.strip():
            raise ValueError("must not start or end with spaces")
        return v

    @field_validator("clips")
    @classmethod
    def _clip_names(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if not re.match(_CLIP_NAME, c)]
        if bad:
            raise ValueError(f"clip names are folder names (letters, digits, . _ -); not {bad}")
        return v


def _validated(data: dict[str, Any], path: Path) -> ProjectFile:
    try:
        return ProjectFile.model_validate(data)
    except ValidationError as exc:
        raise ProjectError(describe_validation_error(exc, path, model=ProjectFile)) from None


@dataclass
class Project:
    root: Path
    name: str
    schema_version: int = SCHEMA_VERSION
    created: str = ""
    clips: list[str] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)
    # the file's document as this object last read or wrote it: what its own edits are measured from
    _base: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def layout(self) -> ProjectLayout:
        return ProjectLayout(self.root)

    @property
    def media_dir(self) -> Path:
        return self.layout.media

    @property
    def prepared_dir(self) -> Path:
        return self.layout.prepared

    @property
    def runs_dir(self) -> Path:
        return self.layout.runs

    @property
    def exports_dir(self) -> Path:
        return self.layout.exports

    def prepared_clips(self) -> list[Path]:
        """Complete prepared clips (a folder with a manifest), oldest first."""
        if not self.prepared_dir.is_dir():
            return []
        found = [p for p in self.prepared_dir.iterdir() if self.layout.is_prepared_clip(p.name)]
        return sorted(found, key=lambda p: p.stat().st_mtime)

    def clip_dir(self, name: str) -> Path:
        if not self.layout.is_prepared_clip(name):
            have = ", ".join(p.name for p in self.prepared_clips()) or "none"
            raise ProjectError(
                Text(
                    "No prepared clip named '{name}' in {prepared_dir} (prepared clips: {have}). Run "
                    "`dhstudio prepare VIDEO --project {root} --name {name}` first.",
                    name=name,
                    prepared_dir=self.prepared_dir,
                    have=have,
                    root=self.root,
                )
            )
        return self.layout.clip(name)

    def check_clip_name_free(self, name: str, force: bool = False) -> None:
        """Refuse to replace an existing prepared clip (runs were trained on it) unless `force`."""
        if force or not self.layout.is_prepared_clip(name):
            return
        raise ProjectError(
            Text(
                "Project {root} already has a prepared clip '{name}' ({clip_folder}); "
                "runs trained on it would no longer match their clip. Choose another --name, or "
                "pass --force to replace it.",
                root=self.root,
                name=name,
                clip_folder=self.layout.clip(name),
            )
        )

    def import_media(self, source: Path, clip: str) -> Path:
        """Copy the imported original into media/<clip><suffix> (atomically); returns the copy."""
        target = self.layout.media_file(f"{clip}{source.suffix.lower()}")
        if target.exists() and target.resolve() == Path(source).resolve():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return target

    def add_clip(self, name: str) -> None:
        if name not in self.clips:
            self.clips.append(name)
            self.save()

    def document(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "name": self.name,
            "created": self.created,
            "clips": list(self.clips),
            "defaults": dict(self.defaults),
        }

    def save(self) -> None:
        """Write project.toml merged with the file as it is now, under the file's lock: another
        window's or command's changes since this object read it are kept (see `merge_documents`),
        and this object then holds the merged document. A file that is there but does not read
        (corrupt TOML, bad values, a newer schema) is never written over: ProjectError names it."""
        path = self.layout.project_file
        with locked(path):
            doc = merge_documents(self._base, self.document(), _current_document(path, self.root))
            atomic.write_text(path, project_toml(doc, path))
        self._adopt(doc)

    def check_file(self) -> None:
        """Raise ProjectError when project.toml cannot be read as it is now (corrupt, bad values, a
        newer schema): call before an action that changes the folder and then saves, so a damaged
        file stops the action before anything moves."""
        _current_document(self.layout.project_file, self.root)

    def _adopt(self, doc: dict[str, Any]) -> None:
        """Take `doc` (as read or written) as this object's state and as the base of its next save."""
        self.name, self.created = doc["name"], doc.get("created", "")
        self.schema_version = doc.get("schema_version", SCHEMA_VERSION)
        self.clips, self.defaults = list(doc.get("clips", [])), dict(doc.get("defaults", {}))
        self._base = self.document()


_MISSING = object()


def merge_documents(
    base: dict[str, Any] | None, mine: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    """Three-way merge of project.toml documents: `mine` (this writer's), `base` (the file when
    this writer last read or wrote it; None: unknown), `current` (the file now; None: unreadable).

    A field this writer changed since `base` takes its value, every other field keeps the file's
    (tables merge field by field). `clips` is the file's list less the clips this writer removed,
    then the clips it added: a clip another writer added stays, and a clip goes only when the
    writer that removed it saves.
    """
    if current is None:
        return mine
    if base is None:  # nothing known of what this writer changed: its values win, no clip removed
        base = {**current, "clips": []}
    doc = _merge_table(base, mine, current)
    base_clips, my_clips = list(base.get("clips", [])), list(mine.get("clips", []))
    removed = set(base_clips) - set(my_clips)
    kept = [c for c in current.get("clips", []) if c not in removed]
    doc["clips"] = kept + [c for c in my_clips if c not in base_clips and c not in kept]
    return doc


def _merge_table(base: dict[str, Any], mine: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in dict.fromkeys([*current, *mine]):
        was, now, theirs = base.get(key, _MISSING), mine.get(key, _MISSING), current.get(key, _MISSING)
        if isinstance(now, dict) and isinstance(theirs, dict):
            value: Any = _merge_table(was if isinstance(was, dict) else {}, now, theirs)
        else:
            value = now if now != was else theirs
        if value is not _MISSING:
            out[key] = value
    return out


def _current_document(path: Path, root: Path) -> dict[str, Any] | None:
    """project.toml as it is on disk now; None when it is gone (the save then writes this writer's
    document). A file that is there but does not read raises ProjectError: the user's file is the
    record of their project, and a save must never replace what it could not read."""
    try:
        return read_document(path, root)
    except FileNotFoundError:
        return None
    except ProjectError as exc:
        raise ProjectError(
            Text("{exc}\nNothing was saved: {path_name} was left unchanged.", exc=exc, path_name=path.name)
        ) from None


def read_document(path: Path, root: Path) -> dict[str, Any]:
    """project.toml's document, read and validated; ProjectError names the file, the problem and
    the fix (FileNotFoundError when it is not there)."""
    fix = Text("Fix {path} by hand or restore it from a backup, then try again.", path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(
            Text("{path} is corrupt (not valid TOML: {exc}). {fix}", path=path, exc=exc, fix=fix)
        ) from None
    except IsADirectoryError:
        raise ProjectError(
            Text("{path} is a folder, not the project file. {fix}", path=path, fix=fix)
        ) from None
    except PermissionError as exc:
        raise ProjectError(
            Text(
                "{path} cannot be read ({error}). Give your user read and write permission on "
                "it, then try again.",
                path=path,
                error=exc.strerror,
            )
        ) from None
    version = data.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
        raise ProjectError(
            Text(
                "{path} was written by a newer Digital Human Studio (project schema {version}; "
                "this version reads up to {schema_version}). Upgrade the studio to open it.",
                path=path,
                version=version,
                schema_version=SCHEMA_VERSION,
            )
        )
    data.setdefault("name", root.name)
    try:
        ProjectFile.model_validate(data)
    except ValidationError as exc:
        raise ProjectError(
            Text(
                "{errors}\n{fix}",
                errors=describe_validation_error(exc, path, model=ProjectFile),
                fix=fix,
            )
        ) from None
    return data


def project_toml(data: dict[str, Any], path: Path) -> str:
    """project.toml text for `data`, validated and proven to read back to the same document."""
    doc = _validated(data, path).model_dump(exclude_unset=True)  # [defaults] keeps only what was set
    text = to_toml(doc)
    try:
        again = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(
            Text("{path}: these values cannot be written as TOML ({exc}); change them.", path=path, exc=exc)
        ) from None
    if again != doc:
        raise ProjectError(
            Text("{path}: these values do not read back unchanged from TOML; change them.", path=path)
        )
    return text


def create_project(root: Path | str, name: str | None = None) -> Project:
    root = Path(root).expanduser().resolve()
    if (root / PROJECT_FILE).exists():
        raise ProjectError(
            Text(
                "{root} already holds a project ({project_file} exists); open it instead.",
                root=root,
                project_file=PROJECT_FILE,
            )
        )
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise ProjectError(Text("{root} exists and is not empty; choose a new or empty folder.", root=root))
    project = Project(
        root=root,
        name=name if name is not None else root.name,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    text = project_toml(project.document(), root / PROJECT_FILE)  # bad values: nothing is written
    project._adopt(project.document())
    building = fill_existing_empty(root) if root.exists() else new_folder(root)
    try:
        with building as tmp:
            for sub in SUBFOLDERS:
                (tmp / sub).mkdir()
            atomic.write_text(tmp / PROJECT_FILE, text)
    except OSError as exc:
        raise ProjectError(
            Text(
                "cannot create the project {root}: {error}; nothing was left behind.",
                root=root,
                error=exc.strerror or exc,
            )
        ) from None
    return project


def open_project(root: Path | str) -> Project:
    root = Path(root).expanduser().resolve()
    layout = ProjectLayout(root)
    path = layout.project_file
    if not path.is_file():
        raise ProjectError(
            Text(
                "{root} is not a Digital Human Studio project ({project_file} not found). Create "
                "one with `dhstudio new {root}`.",
                root=root,
                project_file=PROJECT_FILE,
            )
        )
    doc = ProjectFile.model_validate(read_document(path, root))
    for sub in layout.folders:
        sub.mkdir(exist_ok=True)
    project = Project(
        root=root,
        name=doc.name,
        schema_version=doc.schema_version,
        created=doc.created,
        clips=list(doc.clips),
        defaults=doc.defaults.model_dump(exclude_unset=True),
    )
    project._adopt(project.document())
    return project


NAME_MAX_BYTES = 120  # a folder name's limit is 255 bytes; temporaries add a prefix and a suffix


def safe_name(text: str) -> str:
    """A folder-safe name for clips and runs: letters and digits of any script (NFC, as macOS's
    decomposed file names are recomposed), '.', '_' and '-'; at most NAME_MAX_BYTES of UTF-8."""
    text = unicodedata.normalize("NFC", text)
    cleaned = re.sub(r"[^\w.-]+", "_", text).strip("._")
    while len(cleaned.encode("utf-8")) > NAME_MAX_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip("._")
    return cleaned or "unnamed"
