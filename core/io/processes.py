"""Whether a process recorded in a file (a run's status, a clip's in-use marker) still exists.

A file naming a process outlives it when the process is killed or crashes; readers ask here
whether the pid is gone before trusting the file. Only pids of this host can be asked.
POSIX sends signal 0 (no signal, only the existence check). Windows has no such signal:
`os.kill(pid, 0)` there sends CTRL_C_EVENT to the process group, so it asks `OpenProcess`
and the exit code instead.
"""

from __future__ import annotations

import os
from typing import Any

_STILL_ACTIVE = 259  # Windows' exit code of a process that has not exited
_QUERY_LIMITED_INFORMATION = 0x1000


def process_gone(pid: Any) -> bool:
    """True only when `pid` is a valid pid of this host whose process no longer exists."""
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0:
        return False
    if os.name == "nt":
        return _gone_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, another user's
        return False
    return False


def _gone_windows(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ctypes.get_last_error() == 87  # ERROR_INVALID_PARAMETER: no such process (5: alive, denied)
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return False
        return code.value != _STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
