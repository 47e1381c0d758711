"""Atomic writes: build the output under a temporary name in the same folder, then rename.

A cancel, a crash, Ctrl-C or a full disk never leaves a half-written file under the final
name: readers see either the old output or the complete new one, and the temporary is
removed on any exception (KeyboardInterrupt and job cancellation included). A process killed
outright (SIGKILL, power loss) can leave a dot-named temporary, never a damaged output.

`AtomicOutput` is the one mechanism; every writer uses it, through `atomic_output` (a path
for writers that open files themselves), `atomic_open` (a binary file object), `atomic_dir`
(a folder) or directly (streaming writers such as the mp4 writer, that commit on close).

Modes: a new file gets what a plain `open()` would give it (0666 & ~umask), a new folder
what `mkdir` would (0777 & ~umask); replacing an existing output keeps that output's mode,
so a user's `chmod` survives the next save.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    import numpy as np


class AtomicOutput:
    """A temporary file or folder next to `path` that becomes `path` on `commit()`.

    The temporary (`.<name>.<random><suffix>`) is created at once with the umask's mode, so
    other tools may open it by name. `discard()` removes it; both are idempotent.
    """

    def __init__(self, path: Path | str, suffix: str = ".tmp", folder: bool = False) -> None:
        self.path = Path(path)
        self.folder = folder
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}{suffix}")
            try:
                if folder:
                    os.mkdir(tmp, 0o777)  # the umask applies, as for any new folder
                else:
                    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            except FileExistsError:
                continue
            self.tmp = tmp
            break
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise FileExistsError(f"could not create a temporary name next to {self.path}")
        self._done = False

    def commit(self) -> Path:
        """Move the temporary to `path`, keeping the mode of an output it replaces."""
        if self._done:
            raise RuntimeError(f"{self.path}: already committed or discarded")
        try:
            old_mode = stat.S_IMODE(os.stat(self.path).st_mode)
        except FileNotFoundError:
            old_mode = None
        if old_mode is not None:
            os.chmod(self.tmp, old_mode)
        if self.folder:
            _replace_dir(self.tmp, self.path)
        else:
            os.replace(self.tmp, self.path)
        self._done = True
        return self.path

    def discard(self) -> None:
        if self._done:
            return
        self._done = True
        if self.folder:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)

    def __enter__(self) -> AtomicOutput:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.commit()
            except BaseException:
                self.discard()
                raise
        else:
            self.discard()


def _replace_dir(tmp: Path, path: Path) -> None:
    """Rename `tmp` to `path`; an existing folder there is swapped out first, then removed."""
    old = None
    if path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}-{secrets.token_hex(2)}")
        os.replace(path, old)
    try:
        os.replace(tmp, path)
    except BaseException:
        if old is not None:
            os.replace(old, path)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_output(path: Path | str, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary file path that replaces `path` only if the block completes."""
    with AtomicOutput(path, suffix) as out:
        yield out.tmp


@contextlib.contextmanager
def atomic_open(path: Path | str) -> Iterator[BinaryIO]:
    """Open a binary temporary file that replaces `path` only if the block completes."""
    with atomic_output(path) as tmp, open(tmp, "wb") as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_dir(path: Path | str) -> Iterator[Path]:
    """Build a folder under a temporary name; it appears at `path` only when complete.

    An existing folder at `path` is replaced only after the new one is complete.
    """
    with AtomicOutput(path, ".partial", folder=True) as out:
        yield out.tmp


def write_bytes(path: Path | str, data: bytes) -> None:
    with atomic_open(path) as fh:
        fh.write(data)


def write_text(path: Path | str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: Path | str, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


def save_npy(path: Path | str, array: np.ndarray) -> None:
    import numpy as np  # here, not at the top: the CLI's parser loads this module and needs no numpy

    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    write_bytes(path, buf.getvalue())
