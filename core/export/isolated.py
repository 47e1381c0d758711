"""Run a Python snippet in a fresh interpreter that cannot import this project's code.

An exported model must stand on its own: `-I` drops PYTHONPATH, the current folder and user
site-packages, and the preamble removes the editable-install finders a development checkout
adds, then proves that `core` is no longer importable before the snippet runs. Only the
installed third-party packages (torch, numpy, onnxruntime) remain.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.compute.threads import child_environment

PREAMBLE = """
import os, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in getattr(f, "__module__", "").lower()]
sys.path_hooks[:] = [h for h in sys.path_hooks if "editable" not in getattr(h, "__module__", "").lower()]
sys.path[:] = [p for p in sys.path if p and not os.path.isdir(os.path.join(p, "core", "export"))]
sys.path_importer_cache.clear()
try:
    import core.export
except ImportError:
    pass
else:
    raise SystemExit("isolation failed: the project is importable from " + str(core.export.__file__))
"""


class IsolatedRunError(RuntimeError):
    pass


def run_isolated(snippet: str, cwd: Path, timeout: float = 300.0) -> str:
    """Run `snippet` after the preamble in `cwd`; its stdout, or IsolatedRunError with its stderr."""
    proc = subprocess.run(
        [sys.executable, "-I", "-c", PREAMBLE + snippet],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=child_environment(drop=("PYTHONPATH",)),  # the thread policy, as in every studio process
    )
    if proc.returncode != 0:
        raise IsolatedRunError(
            f"fresh-process check failed (exit {proc.returncode}): {proc.stderr.strip()[-2000:]}"
        )
    return proc.stdout
