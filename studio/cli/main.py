"""`dhstudio`: every GUI action as a command. Exit codes: 0 ok, 1 failure, 2 bad input, 130 cancelled."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator

from core.compute.threads import apply_process_policy
from core.jobs.errors import BadInput
from studio import __version__
from studio.startup import prepare_environment

# Each command is a module in studio/cli exposing `register(subparsers)` that sets `func`. Building the
# parser imports every one of them, so a command module imports its engine (torch, OpenCV, MediaPipe,
# ONNX Runtime, PyAV, Qt) inside the function that runs it, never at the top: `dhstudio --help` and the
# light commands then start in a fraction of a second (tests/studio/test_cli_startup.py keeps it so).
COMMANDS = [
    "studio.cli.cmd_new",
    "studio.cli.cmd_prepare",
    "studio.cli.cmd_clip",
    "studio.cli.cmd_import_vhap",
    "studio.cli.cmd_train",
    "studio.cli.cmd_render",
    "studio.cli.cmd_eval",
    "studio.cli.cmd_eval_audio",
    "studio.cli.cmd_ablate",
    "studio.cli.cmd_export",
    "studio.cli.cmd_demo",
    "studio.cli.cmd_doctor",
    "studio.cli.cmd_gui",
    "studio.cli.cmd_live",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2 with a hint, as argparse does
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dhstudio", description="Digital Human Studio: train and drive talking avatars.")
    parser.add_argument("--version", action="version", version=f"dhstudio {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def configure_logging(verbose: bool) -> None:
    """Log lines on the console at WARNING (DEBUG with -v).

    The level sits on the console handler itself: a run folder's log.txt lowers the root logger to INFO for
    its file, which would otherwise put every INFO line on the console too, `--quiet` or not.
    """
    level = logging.DEBUG if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler:  # basicConfig's; not files or test capture
            handler.setLevel(level)


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[list[int]]:
    """While inside, a Ctrl-C is only counted (in the yielded list), so it cannot stop an import half-way.

    Loading the commands imports torch for seconds on a busy machine. A KeyboardInterrupt inside a
    C extension's start-up leaves it half-initialised and can make CPython end the process by SIGINT
    whatever code `main` returns; the caller answers a counted press as a cancel once loading is done.
    """
    pressed: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:  # started with Ctrl-C ignored (a background job): keep it so
        yield pressed
        return
    signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)


IMPORT_FRAMES = "<frozen importlib"  # the import system's own frames (_bootstrap, _bootstrap_external)
RESEND_S = 0.02


class _CtrlCAfterImports:
    """SIGINT while a command runs: KeyboardInterrupt, except while a module is being imported.

    Commands import their engines when they run. A KeyboardInterrupt raised while C++ code runs an
    import (pybind11 in torch or MediaPipe) aborts the process ("terminate called ...", SIGABRT)
    instead of unwinding; so inside an import the press is held and sent again a moment later,
    until no import is in progress, and then it cancels as usual. A press still held when the
    command ends cancels it there.
    """

    def __init__(self) -> None:
        self.pending = False
        self._timer: threading.Timer | None = None

    def handle(self, signum: int, frame) -> None:
        while frame is not None:
            if frame.f_code.co_filename.startswith(IMPORT_FRAMES):
                self.pending = True
                self._timer = threading.Timer(RESEND_S, os.kill, (os.getpid(), signal.SIGINT))
                self._timer.daemon = True
                self._timer.start()
                return
            frame = frame.f_back
        self.pending = False
        raise KeyboardInterrupt

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


@contextlib.contextmanager
def _ctrl_c_after_imports() -> Iterator[None]:
    """While inside, Ctrl-C cancels once no import is in progress (`_CtrlCAfterImports`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:  # ignored, or someone else's handler: theirs
        yield
        return
    held = _CtrlCAfterImports()
    signal.signal(signal.SIGINT, held.handle)
    try:
        yield
    finally:
        held.stop()
        signal.signal(signal.SIGINT, previous)
    if held.pending:  # pressed during the command's last import: it ended, but the user asked to stop
        raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    apply_process_policy()  # before the commands' modules load torch (OpenMP reads it once)
    prepare_environment()
    with _ctrl_c_held() as pressed:
        parser = build_parser()
        # checking some arguments loads engines too (`export --format` asks the kind registry)
        args = parser.parse_args(argv) if not pressed else None
    if pressed:
        print("cancelled", file=sys.stderr)
        return 130
    configure_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        with _ctrl_c_after_imports():
            return int(args.func(args) or 0)
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
