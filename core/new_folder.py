"""Create a folder all at once: build it under a hidden temporary name, then rename it into place.

A full disk, a read-only parent or a crash while the folder is being filled leaves no half-made
folder under the final name (which would block the next attempt with "exists"); the temporary is
removed. Unlike `core.io.atomic.atomic_dir` this never replaces an existing folder: a folder that
appeared meanwhile is an error (`FileExistsError`). The new folder gets the mode a plain `mkdir`
gives (the umask applies).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def new_folder(path: Path | str) -> Iterator[Path]:
    """Yield a temporary folder next to `path`; when the block completes it becomes `path`."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    os.mkdir(tmp)
    try:
        yield tmp
        if path.exists():  # someone else made it meanwhile: keep theirs
            raise FileExistsError(f"{path} exists")
        os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def fill_existing_empty(path: Path) -> Iterator[Path]:
    """Fill an existing empty folder in place; on failure empty it again (the folder itself stays)."""
    try:
        yield path
    except BaseException:
        for child in list(path.iterdir()) if path.is_dir() else []:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    child.unlink()
        raise
