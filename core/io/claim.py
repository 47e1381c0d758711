"""Which job is using a folder of a project right now, seen by every process that opens the project.

Two studio windows (two processes, or two windows of one) and `dhstudio` commands may share a
project folder. A job that writes, moves or deletes a clip's folder claims it first: a marker
`.<folder>.in-use.json` beside the folder names the job, the process and the host, and goes
away when the job ends however it ends. A second claim on the folder is refused with `InUse`
(bad input: the CLI exits 2, the GUI shows a dialog) while the holder lives. A marker whose
process is gone (killed, crashed) is stale: it blocks nothing and the next claim replaces it.
A marker of another host (a project on a shared drive) cannot be checked, so it holds, and the
message names the file to delete once that host runs nothing there.

The marker is created with O_EXCL, so of two claims made at once exactly one wins. A stale marker
is replaced, never removed: the taker holds a short take-over lock (`.<folder>.in-use.lock`, also
O_EXCL), reads the marker again and, still stale, swaps its own claim in with one atomic rename.
The marker path is never empty in between, so no O_EXCL create can slip into the gap and two
takers of one stale marker cannot both win. (The earlier rename-aside-then-recreate left such a
gap: under load five of eight takers believed they held the folder.)
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from core.io.processes import process_gone
from core.jobs.errors import BadInput

MARKER_SUFFIX = ".in-use.json"
WRITING_GRACE_S = 10.0  # an empty marker this young is being written (O_EXCL create, then write)


@dataclass(frozen=True)
class Claim:
    """Who holds a folder: written as the marker's JSON."""

    job: str  # what the holder does to the folder: "prepare", "remove", "rename"
    pid: int
    host: str
    started: float  # time.time() of the claim
    token: str  # this claim's own id: only its holder removes the marker

    def live(self) -> bool:
        """Its process exists, or cannot be asked (another host)."""
        return self.host != socket.gethostname() or not process_gone(self.pid)

    def since(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.started))


class InUse(BadInput):
    """A folder is claimed by a job of another window or process; the message names it and the fix."""

    def __init__(self, target: Path, holder: Claim, action: str) -> None:
        self.target, self.holder, self.action = Path(target), holder, action
        super().__init__(in_use_message(self.target, holder, action))


def marker_path(target: Path | str) -> Path:
    """The in-use marker of `target` (hidden, beside it)."""
    target = Path(target)
    return target.with_name(f".{target.name}{MARKER_SUFFIX}")


def in_use_message(target: Path, holder: Claim, action: str) -> str:
    """'talk' is in use by ... Wait for ..., then <action> again."""
    where = "another studio window or a `dhstudio` command"
    if holder.host != socket.gethostname():
        where = f"a studio or `dhstudio` command on {holder.host}"
    text = (
        f"'{target.name}' is in use: its {holder.job} is running in {where} "
        f"(process {holder.pid}, since {holder.since()}). Wait for the {holder.job} to finish or cancel "
        f"it in the other window (Ctrl+C for a `dhstudio` command), then {action} again."
    )
    if holder.host != socket.gethostname():
        text += f" If nothing runs on {holder.host} any more, delete {marker_path(target)}."
    return text


def _read(marker: Path) -> Claim | None:
    """The marker's claim; None when there is none. A marker being written reads as a live claim
    of an unknown job; an unreadable older one as none (its writer died mid-write)."""
    try:
        text = marker.read_text(encoding="utf-8")
        age = time.time() - marker.stat().st_mtime
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError):
        text, age = "", WRITING_GRACE_S
    try:
        data = json.loads(text)
        return Claim(
            job=str(data["job"]),
            pid=int(data["pid"]),
            host=str(data["host"]),
            started=float(data["started"]),
            token=str(data["token"]),
        )
    except (ValueError, KeyError, TypeError):
        if age < WRITING_GRACE_S:
            return Claim("job", os.getpid(), socket.gethostname(), time.time(), "")
        return None


def holder(target: Path | str) -> Claim | None:
    """The live claim on `target`, or None (no marker, or a stale one)."""
    claim = _read(marker_path(target))
    return claim if claim is not None and claim.live() else None


def _lock_path(marker: Path) -> Path:
    return marker.with_name(marker.name.removesuffix(".json") + ".lock")


def _take_over_stale(marker: Path, claim: Claim) -> bool | Claim:
    """Swap `claim` in for a stale marker. True: ours now. A live Claim: someone else's now.
    False: the take-over lock is held by another taker (or the marker vanished); try again."""
    lock = _lock_path(marker)
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        with contextlib.suppress(OSError):  # a taker that died holding it (the lock lives microseconds)
            if time.time() - lock.stat().st_mtime > WRITING_GRACE_S:
                lock.unlink()
        return False
    os.close(fd)
    try:
        current = _read(marker)
        if current is not None and current.live():
            return current
        if not marker.exists():  # its holder released it meanwhile: an ordinary create
            return _create(marker, claim)
        tmp = marker.with_name(f"{marker.name}.{claim.token}.tmp")
        tmp.write_text(json.dumps(asdict(claim)), encoding="utf-8")
        os.replace(tmp, marker)  # atomic: the path always holds a marker, stale or ours
        return True
    finally:
        lock.unlink(missing_ok=True)


def _create(marker: Path, claim: Claim) -> bool:
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(claim)))
    return True


@contextlib.contextmanager
def claimed(target: Path | str, job: str, action: str) -> Iterator[Claim | None]:
    """Hold `target` for `job` during the block; `InUse` when another live job holds it.

    `action` completes the refusal's advice ("remove the clip" -> "... then remove the clip again").
    Where no marker can be written (a read-only project) the block runs unclaimed: nothing else can
    change that folder either, and the job's own checks say what is wrong.
    """
    target = Path(target)
    marker = marker_path(target)
    claim: Claim | None = Claim(job, os.getpid(), socket.gethostname(), time.time(), secrets.token_hex(8))
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(200):
            if _create(marker, claim):
                break
            other = _read(marker)
            if other is not None and other.live():
                raise InUse(target, other, action)
            taken = _take_over_stale(marker, claim)
            if taken is True:
                break
            if isinstance(taken, Claim):
                raise InUse(target, taken, action)
            time.sleep(0.001 * min(attempt + 1, 10))  # another taker holds the take-over lock
        else:  # the take-over lock never came free: someone else keeps taking the folder
            raise InUse(target, _read(marker) or Claim("job", 0, "", time.time(), ""), action)
    except OSError:
        claim = None
    try:
        yield claim
    finally:
        mine = _read(marker) if claim is not None else None
        if mine is not None and mine.token == claim.token:
            marker.unlink(missing_ok=True)
