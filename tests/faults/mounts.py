"""Small tmpfs mounts for the fault tests: a full disk and a read-only folder that stop even root.

As root, `chmod` does not stop writes, so these tests mount a 1 MiB tmpfs (full, or remounted
read-only); where mounting is not allowed they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True)


@contextlib.contextmanager
def tmpfs(path: Path, full: bool = False, read_only: bool = False) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    r = _run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path))
    if r.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({r.stderr.strip() or r.returncode}); "
            "needs root in a privileged container"
        )
    try:
        if full:
            fd = os.open(path / "filler", os.O_CREAT | os.O_WRONLY)
            try:
                for chunk in (65536, 4096, 1):  # unbuffered, down to the last byte
                    with contextlib.suppress(OSError):
                        while True:
                            os.write(fd, b"\0" * chunk)
            finally:
                os.close(fd)
        if read_only:
            r = _run("mount", "-o", "remount,ro", str(path))
            if r.returncode != 0:
                pytest.skip(f"cannot remount the tmpfs read-only ({r.stderr.strip()})")
        yield path
    finally:
        _run("umount", "-l", str(path))


def entries(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir() if p.name != "filler")
