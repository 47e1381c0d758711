"""Which jobs are using a folder of a project right now, seen by every process that opens the project.

Two studio windows (two processes, or two windows of one) and `dhstudio` commands may share a
project folder. A job that writes, moves or deletes a clip's folder (prepare, remove, rename)
claims it first (`claimed`): a marker `.<folder>.in-use.json` beside the folder names the job,
the process and the host, and goes away when the job ends however it ends. A job that only
reads the clip (training, evaluation, render, export, ablation, a live session) holds it for
reading (`reading`, or `ClipReads` when the folder is known only part-way into the job): its own
marker `.<folder>.reading.<token>.json`. Any number of readers may hold a folder at once; a
writer is refused while a live reader or another live writer holds it, a reader while a live
writer does. A refusal is `InUse` (bad input: the CLI exits 2, the GUI shows a dialog) naming the
holding job(s), their processes, since when, and the fix. A marker whose process is gone
(killed, crashed) is stale: it blocks nothing (a stale writer marker is replaced by the next
claim, a stale reader marker removed by whoever lists the readers). A marker of another host (a
project on a shared drive) cannot be checked, so it holds, and the message names the file to
delete once that host runs nothing there.

The marker is created with O_EXCL, so of two claims made at once exactly one wins. A stale marker
is replaced, never removed: the taker holds a short take-over lock (`.<folder>.in-use.lock`, also
O_EXCL), reads the marker again and, still stale, swaps its own claim in with one atomic rename.
The marker path is never empty in between, so no O_EXCL create can slip into the gap and two
takers of one stale marker cannot both win. (The earlier rename-aside-then-recreate left such a
gap: under load five of eight takers believed they held the folder.)

Readers and writers never both proceed: each first makes its own marker, then looks for the other
kind, and backs off (removes its marker, raises `InUse`) when it finds one live. Whichever made
its marker first is seen by the other's look, so of a reader and a writer starting at the same
moment at most one goes on (both may be refused; neither is ever inside with the other). A
reader's marker has a name of its own (its token), so readers never contend with each other.
Where no marker can be written (a read-only project) a job runs unclaimed: nothing else can change
that folder either.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import socket
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from core.io.processes import process_gone
from core.jobs.errors import BadInput

MARKER_SUFFIX = ".in-use.json"
READING_INFIX = ".reading."  # .<folder>.reading.<token>.json: one reader's marker
_TOKEN = re.compile(r"[0-9a-f]{16}")
WRITING_GRACE_S = 10.0  # an empty marker this young is being written (O_EXCL create, then write)


@dataclass(frozen=True)
class Claim:
    """Who holds a folder: written as the marker's JSON."""

    job: str  # what the holder does to the folder: "prepare", "remove", "rename"
    pid: int
    host: str
    started: float  # time.time() of the claim
    token: str  # this claim's own id: only its holder removes the marker
    reads: bool = False  # a reader's claim (many at once) rather than a writer's (one, alone)

    def live(self) -> bool:
        """Its process exists, or cannot be asked (another host)."""
        return self.host != socket.gethostname() or not process_gone(self.pid)

    def since(self) -> str:
        return time.strftime("%H:%M:%S", time.localtime(self.started))


class InUse(BadInput):
    """A folder is claimed by job(s) of another window or process; the message names them and the fix."""

    def __init__(self, target: Path, holders: Claim | Sequence[Claim], action: str) -> None:
        self.holders = (holders,) if isinstance(holders, Claim) else tuple(holders)
        self.target, self.holder, self.action = Path(target), self.holders[0], action
        super().__init__(in_use_message(self.target, self.holders, action))


def marker_path(target: Path | str) -> Path:
    """The in-use marker of `target` (hidden, beside it)."""
    target = Path(target)
    return target.with_name(f".{target.name}{MARKER_SUFFIX}")


def reader_path(target: Path | str, token: str) -> Path:
    """The marker of one reader (`token`) of `target` (hidden, beside it)."""
    target = Path(target)
    return target.with_name(f".{target.name}{READING_INFIX}{token}.json")


def claim_marker(target: Path | str, claim: Claim) -> Path:
    """The file holding `claim` on `target`: its reader marker, or the folder's writer marker."""
    return reader_path(target, claim.token) if claim.reads else marker_path(target)


def in_use_message(target: Path, holders: Claim | Sequence[Claim], action: str) -> str:
    """'talk' is in use: its training is running in ... Wait for ..., then <action> again."""
    holders = (holders,) if isinstance(holders, Claim) else tuple(holders)
    here = socket.gethostname()

    def running(h: Claim) -> str:
        where = "another studio window or a `dhstudio` command"
        if h.host != here:
            where = f"a studio or `dhstudio` command on {h.host}"
        return f"its {h.job} is running in {where} (process {h.pid}, since {h.since()})"

    if len(holders) == 1:
        job = holders[0].job
        text = (
            f"'{target.name}' is in use: {running(holders[0])}. Wait for the {job} to finish or cancel "
            f"it in the other window (Ctrl+C for a `dhstudio` command), then {action} again."
        )
    else:
        text = (
            f"'{target.name}' is in use: {'; '.join(running(h) for h in holders)}. Wait for these jobs "
            f"to finish or cancel them in the other windows (Ctrl+C for a `dhstudio` command), then "
            f"{action} again."
        )
    for h in holders:
        if h.host != here:
            text += f" If nothing runs on {h.host} any more, delete {claim_marker(target, h)}."
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
            reads=bool(data.get("reads", False)),
        )
    except (ValueError, KeyError, TypeError):
        if age < WRITING_GRACE_S:
            return Claim("job", os.getpid(), socket.gethostname(), time.time(), "")
        return None


def holder(target: Path | str) -> Claim | None:
    """The live writer's claim on `target`, or None (no marker, or a stale one)."""
    claim = _read(marker_path(target))
    return claim if claim is not None and claim.live() else None


def readers(target: Path | str) -> list[Claim]:
    """The live readers' claims on `target`, oldest first. Markers of readers whose process is
    gone are removed on the way (their names are their own: nobody else writes them again)."""
    target = Path(target)
    prefix = f".{target.name}{READING_INFIX}"
    try:
        names = os.listdir(target.parent)
    except OSError:
        return []
    live = []
    for name in names:
        token = name[len(prefix) : -len(".json")]
        if not (name.startswith(prefix) and name.endswith(".json") and _TOKEN.fullmatch(token)):
            continue
        path = target.parent / name
        claim = _read(path)
        if claim is None or not claim.live():
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        live.append(replace(claim, token=token, reads=True))  # a marker being written has no token yet
    return sorted(live, key=lambda c: c.started)


def users(target: Path | str) -> list[Claim]:
    """Every live claim on `target`: its writer's, else its readers' (empty: free)."""
    writer = holder(target)
    return [writer] if writer is not None else readers(target)


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
    """Hold `target` alone for `job` (a writer) during the block; `InUse` when another live job
    holds it, a writer or any reader.

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
        # after our marker is in place: a reader starting now sees it and backs off
        live_readers = readers(target) if claim is not None else []
        if live_readers:
            raise InUse(target, live_readers, action)
        yield claim
    finally:
        mine = _read(marker) if claim is not None else None
        if mine is not None and mine.token == claim.token:
            marker.unlink(missing_ok=True)


@contextlib.contextmanager
def reading(targets: Path | str | Iterable[Path | str], job: str, action: str) -> Iterator[list[Claim]]:
    """Hold the folder(s) for reading by `job` during the block; `InUse` while a live writer holds one.

    Any number of readers may hold a folder at once. `job` is what the refusal of a writer names
    ("training": "its training is running in ..."); `action` completes a reader's own refusal
    ("start the training" -> "... then start the training again"). Yields the claims made (none
    where the project is read-only).
    """
    folders = [targets] if isinstance(targets, str | Path) else list(targets)
    unique = {os.path.abspath(f): Path(f) for f in folders}
    with contextlib.ExitStack() as stack:
        held = [stack.enter_context(_reading_one(f, job, action)) for f in unique.values()]
        yield [c for c in held if c is not None]


@contextlib.contextmanager
def _reading_one(target: Path, job: str, action: str) -> Iterator[Claim | None]:
    claim = Claim(job, os.getpid(), socket.gethostname(), time.time(), secrets.token_hex(8), reads=True)
    marker = reader_path(target, claim.token)
    try:
        made = _create(marker, claim)  # a fresh token: only a read-only (or missing) folder fails
    except OSError:
        made = False
        with contextlib.suppress(OSError):
            marker.unlink(missing_ok=True)  # half-written (a full disk): not a claim
    if not made:
        yield None
        return
    try:
        # after our marker is in place: a writer starting now sees it and backs off
        writer = holder(target)
        if writer is not None:
            raise InUse(target, writer, action)
        yield claim
    finally:
        marker.unlink(missing_ok=True)


class ClipReads:
    """The prepared clips one job reads, each held for reading from the moment the job knows it
    (often only after loading a run: the renderer names its clip) until the job ends, however it ends.

        with ClipReads("render", "render") as reads:
            clip_dir = renderer.clip_dir()
            reads.hold(clip_dir)  # InUse while a prepare, remove or rename holds it
            clip = PreparedClip.load(clip_dir)
    """

    def __init__(self, job: str, action: str) -> None:
        self.job, self.action = job, action
        self._stack = contextlib.ExitStack()

    def hold(self, *folders: Path | str) -> None:
        """Claim `folders` for reading now; released when the `with` block ends."""
        self._stack.enter_context(reading(folders, self.job, self.action))

    def __enter__(self) -> ClipReads:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
