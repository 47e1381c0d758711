"""Readers of a folder (training, evaluation, render...): many at once, never together with a writer
(prepare, remove, rename), and a dead reader blocks nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from core.io.claim import ClipReads, InUse, claimed, reader_path, readers, reading, users
from core.jobs.errors import BadInput

HOLD = textwrap.dedent(
    """
    import os, signal, sys, time
    from core.io.claim import claimed, reading
    hold = reading(sys.argv[1], "training", "start the training") if sys.argv[2] == "read" \\
        else claimed(sys.argv[1], "prepare", "prepare it")
    with hold:
        print("held", flush=True)
        if sys.argv[3] == "crash":
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup runs, as in a crash
        time.sleep(120)
    """
)


def _holding_process(folder, kind: str, repo_root, how: str = "sleep") -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), kind, how],
        stdout=subprocess.PIPE,
        text=True,
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": str(repo_root)},
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def _markers(parent) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_two_readers_hold_the_folder_at_once(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    with (
        reading(folder, "training", "start the training") as (a,),
        reading(folder, "render", "render") as (b,),
    ):
        assert a.reads and b.reads and a.token != b.token
        assert _markers(tmp_path) == sorted(reader_path(folder, c.token).name for c in (a, b))
        assert {c.job for c in users(folder)} == {"training", "render"}
    assert _markers(tmp_path) == [] and users(folder) == []


def test_a_writer_is_refused_while_another_process_reads_and_free_once_it_dies(tmp_path, repo_root):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}")
    proc = _holding_process(folder, "read", repo_root)
    try:
        with pytest.raises(InUse) as refused, claimed(folder, "remove", "remove 'talk'"):
            pytest.fail("the remove ran under a training")
        assert [c.pid for c in readers(folder)] == [proc.pid]
    finally:
        proc.kill()
        proc.wait()
    text = str(refused.value)
    assert isinstance(refused.value, BadInput)  # the CLI's exit 2, the GUI's dialog
    assert text.startswith("'talk' is in use: its training is running in another studio window")
    assert f"(process {proc.pid}, since " in text and "Wait for the training to finish" in text
    assert text.endswith("then remove 'talk' again.")
    assert (folder / "manifest.json").is_file()
    (stale,) = [p for p in tmp_path.iterdir() if ".reading." in p.name]  # killed: left behind
    assert json.loads(stale.read_text())["pid"] == proc.pid
    with claimed(folder, "remove", "remove 'talk'") as mine:  # the dead reader blocks nothing
        assert mine is not None
    assert _markers(tmp_path) == []  # its stale marker went on the way


def test_a_reader_is_refused_while_another_process_writes(tmp_path, repo_root):
    folder = tmp_path / "talk"
    proc = _holding_process(folder, "write", repo_root)
    try:
        with pytest.raises(InUse) as refused, reading(folder, "training", "start the training"):
            pytest.fail("the training read a clip under its prepare")
        with pytest.raises(InUse), ClipReads("render", "render") as reads:
            reads.hold(folder)
        assert _markers(tmp_path) == [".talk.in-use.json"]  # the refused readers left nothing
    finally:
        proc.kill()
        proc.wait()
    text = str(refused.value)
    assert text.startswith("'talk' is in use: its prepare is running in another studio window")
    assert f"(process {proc.pid}, since " in text
    assert text.endswith("then start the training again.")
    with reading(folder, "training", "start the training") as held:  # the writer died: free
        assert len(held) == 1


def test_a_reader_that_crashed_blocks_no_writer(tmp_path, repo_root):
    folder = tmp_path / "talk"
    folder.mkdir()
    proc = _holding_process(folder, "read", repo_root, "crash")
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert readers(folder) == []
    with claimed(folder, "prepare", "prepare it"):
        assert _markers(tmp_path) == [".talk.in-use.json"]


def test_a_reader_marker_of_a_dead_pid_is_ignored_and_removed(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    dead = int(
        subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True).stdout
    )
    claim = {"job": "training", "pid": dead, "host": socket.gethostname(), "started": 0, "token": "0" * 16}
    reader_path(folder, "0" * 16).write_text(json.dumps(claim))
    assert users(folder) == []
    assert _markers(tmp_path) == []
    with claimed(folder, "remove", "remove it"):
        pass


def test_markers_go_when_the_reading_job_fails_or_is_cancelled(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    with pytest.raises(RuntimeError), reading([a, b, a], "training", "start the training") as held:
        assert len(held) == 2 and len(_markers(tmp_path)) == 2  # the same folder twice: one claim
        raise RuntimeError("out of memory")
    assert _markers(tmp_path) == []
    with pytest.raises(KeyboardInterrupt), ClipReads("evaluation", "evaluate") as reads:
        reads.hold(a)
        reads.hold(b)
        assert len(_markers(tmp_path)) == 2
        raise KeyboardInterrupt  # Ctrl-C
    assert _markers(tmp_path) == []


def test_a_writer_refused_by_two_readers_names_both(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    with reading(folder, "training", "start the training"), reading(folder, "live session", "go live"):
        with pytest.raises(InUse) as refused, claimed(folder, "rename", "rename 'talk'"):
            pass
        assert len(_markers(tmp_path)) == 2  # the refused writer took its own marker away
    text = str(refused.value)
    assert "its training is running in" in text and "; its live session is running in" in text
    assert "Wait for these jobs to finish or cancel them" in text
    assert [h.job for h in refused.value.holders] == ["training", "live session"]


def test_a_reader_and_a_writer_starting_together_are_never_both_inside(tmp_path):
    """Rounds of one writer and three readers released at once by a barrier: in each round either
    the writer or readers get in (or nobody), never the writer with a reader."""
    folder = tmp_path / "talk"
    folder.mkdir()
    inside = {"readers": 0, "writers": 0}
    overlaps: list[str] = []
    admitted = {"readers": 0, "writers": 0}
    lock = threading.Lock()

    def enter(kind: str) -> None:
        with lock:
            inside[kind] += 1
            admitted[kind] += 1
            if (inside["writers"] and inside["readers"]) or inside["writers"] > 1:
                overlaps.append(str(inside))
        time.sleep(0.002)
        with lock:
            inside[kind] -= 1

    def take(start: threading.Barrier, kind: str) -> None:
        hold = (
            reading(folder, "training", "train") if kind == "readers" else claimed(folder, "remove", "remove")
        )
        start.wait()
        try:
            with hold:
                enter(kind)
        except InUse:
            pass

    for _ in range(60):
        start = threading.Barrier(4)
        kinds = ["writers", "readers", "readers", "readers"]
        threads = [threading.Thread(target=take, args=(start, kind)) for kind in kinds]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert overlaps == []
    assert admitted["readers"] > 0 and admitted["writers"] > 0  # the race had both outcomes
    assert _markers(tmp_path) == []


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs a folder this user cannot write")
def test_a_read_only_project_reads_unclaimed(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    tmp_path.chmod(0o555)
    try:
        with reading(folder, "training", "train") as held:
            assert held == []
    finally:
        tmp_path.chmod(0o755)


def test_a_reader_of_another_host_holds_and_names_its_own_marker(tmp_path):
    """A project on a shared drive: a reader there cannot be checked, so it holds; the message names
    that reader's marker to delete once that host runs nothing there."""
    folder = tmp_path / "talk"
    folder.mkdir()
    marker = reader_path(folder, "a" * 16)
    claim = {"job": "training", "pid": 4242, "host": "render-farm-7", "started": time.time(), "token": "a"}
    marker.write_text(json.dumps(claim))
    with pytest.raises(InUse) as refused, claimed(folder, "remove", "remove 'talk'"):
        pass
    text = str(refused.value)
    assert "its training is running in a studio or `dhstudio` command on render-farm-7 (process 4242" in text
    assert text.endswith(f"If nothing runs on render-farm-7 any more, delete {marker}.")
    assert json.loads(marker.read_text()) == claim  # kept
