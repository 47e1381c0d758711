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


def _nearest_existing(path: Path) -> Path:
    p = path
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _probe_writable(
    folder: Path, option: str, target: Path, fix: str = "choose a writable location."
) -> None:
    probe = folder / f".dhstudio-write-probe-{uuid.uuid4().hex[:8]}"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise BadInput(
            f"{option} {target}: cannot write in {folder} ({exc.strerror or exc}); {fix}"
        ) from None
    os.close(fd)
    os.unlink(probe)


def check_output_file(
    path: Path | str,
    option: str,
    suffixes: tuple[str, ...] = (),
    fix: str = "choose a writable location.",
) -> Path:
    """`path` can be written as a file (its folder may still have to be made); `fix` ends the
    message when it cannot."""
    path = Path(path)
    if path.is_dir():
        example = path / f"out{suffixes[0] if suffixes else ''}"
        raise BadInput(f"{option} {path} is a folder; give a file name, e.g. {example}.")
    if suffixes and path.suffix.lower() not in suffixes:
        raise BadInput(f"{option} must name an {' or '.join(suffixes)} file (got {path}).")
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise BadInput(f"{option} {path}: {base} is a file, not a folder; choose another location.")
    _probe_writable(base, option, path, fix)
    return path


def check_output_folder(path: Path | str, option: str, fix: str = "choose a writable location.") -> Path:
    """`path` can be made (or written into) as a folder; `fix` ends the message when it cannot."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise BadInput(f"{option} {path} is a file; give a folder.")
    base = _nearest_existing(path)
    if not base.is_dir():
        raise BadInput(f"{option} {path}: {base} is a file, not a folder; choose another location.")
    _probe_writable(base, option, path, fix)
    return path
