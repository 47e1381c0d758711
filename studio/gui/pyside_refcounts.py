"""None, True and False kept alive under a PySide6 that returns them without a reference.

PySide6 6.12 (the one this project installs) hands back None from every void Qt method called from
Python (`label.setText(...)`, `app.processEvents()`) and True from `Signal.emit()` without a new
reference. From Python 3.12 on these singletons are immortal and nothing happens; on 3.10 and 3.11
each call takes one reference away for good. Once a session has made more such calls than the object
had references (about 80,000 for None in a studio window), CPython aborts: "Fatal Python error:
none_dealloc: deallocating None" or "bool_dealloc: deallocating True or False" — at interpreter exit
after the GUI test suite, mid-session in a long live session (3 s of `processEvents()` in a loop does
it). :func:`install` finds out whether the installed PySide6 does this and, if so, gives the three a
reserve of references no session can use up: what Python 3.12 makes of them anyway.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40  # references: a million void Qt calls a second for twelve days
PROBE_CALLS = 64

_installed = False


def drains() -> bool:
    """Whether a void Qt method called from Python takes a reference of None away."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("")
    return before - sys.getrefcount(None) >= PROBE_CALLS // 2  # other threads may move it a little


def install() -> bool:
    """Give None, True and False their reserve if this PySide6 needs it (once; before any window).
    Returns whether the reserve is in place."""
    global _installed
    if _installed or sys.version_info >= (3, 12) or not drains():
        return _installed
    for singleton in (None, True, False):
        # ob_refcnt, the first field of every object; a lost update by another thread is a few
        # references either way, nothing against the reserve
        ctypes.c_ssize_t.from_address(id(singleton)).value += RESERVE
    _installed = True
    return True
