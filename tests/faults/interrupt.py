"""Run a real `dhstudio` command in its own session and press Ctrl-C on it: SIGINT to the group."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ended:
    code: int
    out: str
    err: str

    def lines(self) -> list[str]:
        """stderr split at newlines and at the progress bar's carriage returns."""
        return [line.strip() for line in self.err.splitlines()]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", QT_QPA_PLATFORM="offscreen"
    )
    return env


def _child(umask: int, env: dict[str, str] | None = None) -> dict:
    """Where and how the child runs: in the repository, with the test environment (plus `env`) and `umask`."""
    return {"cwd": REPO_ROOT, "env": {**environment(), **(env or {})}, "umask": umask}


def run_cli(args: list[str], timeout: float = 180.0, umask: int = 0o022) -> Ended:
    """The command run to its end in a child process (stdout and stderr captured)."""
    argv = [sys.executable, "-m", "studio.cli.main", *args]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **_child(umask))
    return Ended(proc.returncode, proc.stdout, proc.stderr)


def interrupt(
    argv: list[str],
    ready: Callable[[str], bool],
    presses: int = 1,
    between: Callable[[str], bool] | None = None,
    start_timeout: float = 240.0,
    stop_timeout: float = 120.0,
    umask: int = 0o022,
    env: dict[str, str] | None = None,
) -> Ended:
    """Start `argv` (a Python command line), wait until `ready(stderr so far)`, then press Ctrl-C.

    With `presses` > 1, each further SIGINT is sent once `between(stderr so far)` holds
    (default: at once). The process group gets the signal, as a terminal's Ctrl-C does.
    """
    with tempfile.TemporaryFile("w+b") as out, tempfile.TemporaryFile("w+b") as err:
        proc = subprocess.Popen(argv, stdout=out, stderr=err, start_new_session=True, **_child(umask, env))

        def stderr_now() -> str:
            err.seek(0)
            return err.read().decode("utf-8", errors="replace")

        try:
            _await(proc, lambda: ready(stderr_now()), start_timeout, stderr_now)
            os.killpg(proc.pid, signal.SIGINT)
            for _ in range(presses - 1):
                if between is not None:
                    _await(proc, lambda: between(stderr_now()), stop_timeout, stderr_now)
                os.killpg(proc.pid, signal.SIGINT)
            code = proc.wait(timeout=stop_timeout)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        out.seek(0)
        return Ended(code, out.read().decode("utf-8", errors="replace"), stderr_now())


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "studio.cli.main", *args]


def _await(proc: subprocess.Popen, cond: Callable[[], bool], timeout: float, stderr_now) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if proc.poll() is not None:
            raise AssertionError(
                f"the command ended (code {proc.returncode}) before the signal:\n{stderr_now()[-3000:]}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"not ready within {timeout:.0f} s:\n{stderr_now()[-3000:]}")
        time.sleep(0.1)


def progress_at_least(label: str, n: int) -> Callable[[str], bool]:
    """True once a progress bar line containing `label` shows step >= n ("... 12/300 ...")."""
    import re

    pattern = re.compile(rf"{re.escape(label)}[^\r\n]*?\b(\d+)/\d+")

    def ready(err: str) -> bool:
        return any(int(m.group(1)) >= n for m in pattern.finditer(err))

    return ready


def leftovers(folder: Path) -> list[str]:
    """Dot-named temporaries (atomic writes, partial folders) anywhere under `folder`."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob(".*")
        if p.name.endswith((".tmp", ".partial", ".mp4")) or ".old-" in p.name
    )
