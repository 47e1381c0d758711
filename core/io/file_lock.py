"""An exclusive lock between processes around a read-modify-write of one small shared file.

Two studio windows (or a window and a `dhstudio` command) may save the same project file; each
save re-reads and merges under this lock, so neither writes over what the other just saved.
POSIX takes `flock` on a lock file beside the target; Windows locks that file's first byte with
`msvcrt.locking` (which retries for about 10 s, then raises OSError). The lock file is left in
place: removing it could race with a writer that has just opened it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def lock_path(path: Path | str) -> Path:
    """The lock file guarding `path` (hidden, beside it)."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path | str) -> Iterator[None]:
    """Hold the exclusive lock of `path` for the block (blocks while another process holds it)."""
    fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _lock(fd)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if os.name == "nt":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
