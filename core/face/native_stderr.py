"""Keep MediaPipe's native INFO/WARNING lines off the terminal, and nothing else.

MediaPipe's C++ (absl logging, TF-Lite) writes "INFO: Created TensorFlow Lite XNNPACK delegate",
"W0000 ... inference_feedback_manager.cc ...] Feedback manager requires ..." straight to file
descriptor 2 while a graph starts, before absl's logging is initialised: environment variables
(GLOG_minloglevel, TF_CPP_MIN_LOG_LEVEL) and Python's `absl.logging` do not reach it. So, only while
a graph starts (construction to its first frames), fd 2 is pointed at a temporary file;
afterwards every captured line that is not such a notice (errors, fatal lines, anything another
thread printed meanwhile) is written to the real stderr, in order.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator

# absl / glog prefix of INFO and WARNING lines ("I0000 00:00:1796.2 123 file.cc:114] ..."),
# and TF-Lite's own two notices.
_NOISE = re.compile(
    r"^(?:[IW]\d{4} [\d:.]+\s+\d+ \S+\] "
    r"|INFO: Created TensorFlow Lite"
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called)"
)


class _Capture:
    """One redirect of fd 2 shared by every user (reference-counted, any thread): the first
    `acquire` points fd 2 at a temporary file, the last `release` restores it and replays."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the bookkeeping only, never held across a block
        self._users = 0
        self._fd = -1
        self._saved = -1
        self._file = None

    def acquire(self) -> bool:
        with self._lock:
            if self._users == 0:
                try:
                    fd = sys.__stderr__.fileno() if sys.__stderr__ is not None else 2
                except (AttributeError, OSError, ValueError):  # no real stderr (GUI without console)
                    return False
                with contextlib.suppress(Exception):
                    sys.stderr.flush()
                self._file = tempfile.TemporaryFile()  # noqa: SIM115 - kept open until the last release
                self._fd, self._saved = fd, os.dup(fd)
                os.dup2(self._file.fileno(), fd)
            self._users += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users > 0:
                return
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(self._saved, self._fd)
            os.close(self._saved)
            capture, self._file = self._file, None
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            capture.close()
        kept = "".join(line for line in text.splitlines(keepends=True) if not is_noise(line))
        if kept:
            os.write(self._fd, kept.encode("utf-8"))


_CAPTURE = _Capture()


def silence_python_warnings() -> None:
    """protobuf's deprecation warning, raised inside mediapipe's own code, is not the user's concern."""
    warnings.filterwarnings("ignore", message=r"SymbolDatabase\.GetPrototype\(\) is deprecated")


def is_noise(line: str) -> bool:
    return bool(_NOISE.match(line))


@contextlib.contextmanager
def filtered_native_stderr() -> Iterator[None]:
    """Inside, fd 2 goes to a temporary file; when the last user leaves, all but MediaPipe's
    notices are replayed to the real stderr. Safe to nest and to use from several threads."""
    active = _CAPTURE.acquire()
    try:
        yield
    finally:
        if active:
            _CAPTURE.release()
