"""Check where a command will write before it starts the work.

An evaluation or a render that runs for minutes and then cannot write its result (the path is a
folder, the folder is read-only, a parent is a file) loses everything; these checks turn that into
bad input at the start. The probe writes and removes a hidden empty file, which is the only check
that also holds for root on a read-only mount.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from core.jobs.errors import BadInput
from core.jobs.message import Text

WRITABLE = Text("choose a writable location.")  # the default end of a cannot-write message


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _probe_writable(folder: Path, option: str, target: Path, fix: str = WRITABLE) -> None:
    probe = folder / f".dhstudio-write-probe-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise BadInput(
            Text(
                "{option} {target}: cannot write in {folder} ({error}); {fix}",
                option=option,
                target=target,
                folder=folder,
                error=exc.strerror or exc,
                fix=fix,
            )
        ) from None
    os.close(fd)
    os.unlink(probe)


def check_output_file(
    path: Path | str,
    option: str,
    suffixes: tuple[str, ...] = (),
    fix: str = WRITABLE,
) -> Path:
    """`path` can be written as a file (its folder may still have to be made); `fix` ends the
    message when it cannot."""
    path = Path(path)
    if path.is_dir():
        example = path / f"out{suffixes[0] if suffixes else ''}"
        raise BadInput(
            Text(
                "{option} {path} is a folder; give a file name, e.g. {example}.",
                option=option,
                path=path,
                example=example,
            )
        )
    if suffixes and path.suffix.lower() not in suffixes:
        raise BadInput(
            Text(
                "{option} must name an {suffixes} file (got {path}).",
                option=option,
                suffixes=" or ".join(suffixes),
                path=path,
            )
        )
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise BadInput(
            Text(
                "{option} {path}: {base} is a file, not a folder; choose another location.",
                option=option,
                path=path,
                base=base,
            )
        )
    _probe_writable(base, option, path, fix)
    return path


def check_output_folder(path: Path | str, option: str, fix: str = WRITABLE) -> Path:
    """`path` can be made (or written into) as a folder; `fix` ends the message when it cannot."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise BadInput(Text("{option} {path} is a file; give a folder.", option=option, path=path))
    base = _nearest_existing(path)
    if not base.is_dir():
        raise BadInput(
            Text(
                "{option} {path}: {base} is a file, not a folder; choose another location.",
                option=option,
                path=path,
                base=base,
            )
        )
    _probe_writable(base, option, path, fix)
    return path
