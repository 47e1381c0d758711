"""Ctrl-C in the terminal that started the studio closes the window, as its close button does.

Qt's event loop runs in C++, so a Python SIGINT handler only runs when some Python code next runs:
before this, that was a timer slot (the GUI-thread collector), which then raised KeyboardInterrupt
inside the slot: a traceback on the terminal, and the window stayed open. Here the signal wakes the
event loop through `signal.set_wakeup_fd` and a socket notifier, and the handler asks the window to
close, so a running job is asked about, cancelled and its checkpoint kept, exactly as on a click.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QSocketNotifier, QTimer
from PySide6.QtWidgets import QWidget


@contextmanager
def ctrl_c_closes(window: QWidget) -> Iterator[list[bool]]:
    """While inside, SIGINT closes `window`; the yielded list gets True once a Ctrl-C closed it."""
    closed: list[bool] = []
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) in (
        signal.SIG_IGN,
        None,
    ):
        yield closed  # started with Ctrl-C ignored (a background job), or not the main thread
        return
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda *_: _drain(reader))  # running Python here runs the handler

    def close() -> None:
        if window.close():  # False: the user chose to keep a running job going
            closed.append(True)

    def handle(signum, frame) -> None:
        QTimer.singleShot(0, close)

    previous_handler = signal.signal(signal.SIGINT, handle)
    previous_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        yield closed
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGINT, previous_handler)
        notifier.setEnabled(False)
        reader.close()
        writer.close()


def _drain(reader: socket.socket) -> None:
    try:
        while reader.recv(64):
            pass
    except (BlockingIOError, OSError):
        pass
