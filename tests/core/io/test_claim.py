"""A folder claimed by a job: refused to a second job while the holder lives, free once it is gone."""

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

from core.io.claim import InUse, claimed, holder, marker_path
from core.jobs.errors import BadInput

HOLD = textwrap.dedent(
    """
    import os, signal, sys, time
    from core.io.claim import claimed
    with claimed(sys.argv[1], "prepare", "prepare it"):
        print("held", flush=True)
        if sys.argv[2] == "crash":
            os.kill(os.getpid(), signal.SIGKILL)  # no cleanup runs, as in a crash
        time.sleep(120)
    """
)


def _holding_process(folder, how: str, repo_root) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder), how],
        stdout=subprocess.PIPE,
        text=True,
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": str(repo_root)},
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_claim_is_refused_naming_the_job_and_the_fix(tmp_path):
    folder = tmp_path / "prepared" / "talk"
    with claimed(folder, "prepare", "prepare 'talk'") as mine:
        assert mine is not None and marker_path(folder).is_file()
        with pytest.raises(InUse) as refused, claimed(folder, "remove", "remove 'talk'"):
            pytest.fail("the second claim ran")
        assert holder(folder) == mine  # the refusal left the holder's marker alone
    text = str(refused.value)
    assert isinstance(refused.value, BadInput)  # the CLI's exit 2, the GUI's dialog
    assert text.startswith("'talk' is in use: its prepare is running in another studio window")
    assert f"process {os.getpid()}" in text and text.endswith("then remove 'talk' again.")
    assert list((tmp_path / "prepared").iterdir()) == []  # the marker went with the claim
    with claimed(folder, "remove", "remove 'talk'"):  # free again
        pass


def test_the_marker_goes_when_the_job_fails(tmp_path):
    folder = tmp_path / "talk"
    with pytest.raises(RuntimeError), claimed(folder, "prepare", "prepare 'talk'"):
        raise RuntimeError("tracker crashed")
    assert list(tmp_path.iterdir()) == [] and holder(folder) is None


def test_another_process_holds_it_until_it_dies(tmp_path, repo_root):
    folder = tmp_path / "talk"
    proc = _holding_process(folder, "sleep", repo_root)
    try:
        with pytest.raises(InUse, match=f"process {proc.pid},"), claimed(folder, "remove", "remove it"):
            pass
        assert holder(folder).pid == proc.pid
    finally:
        proc.kill()
        proc.wait()
    assert marker_path(folder).is_file()  # killed: its marker stays, stale
    assert holder(folder) is None
    with claimed(folder, "remove", "remove it") as mine:
        assert json.loads(marker_path(folder).read_text())["token"] == mine.token
    assert not marker_path(folder).exists()


def test_a_crashed_holders_marker_blocks_nothing(tmp_path, repo_root):
    folder = tmp_path / "talk"
    proc = _holding_process(folder, "crash", repo_root)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    stale = json.loads(marker_path(folder).read_text())
    assert stale["pid"] == proc.pid and stale["job"] == "prepare"
    assert holder(folder) is None
    with claimed(folder, "prepare", "prepare it"):
        assert json.loads(marker_path(folder).read_text())["pid"] == os.getpid()
    assert list(tmp_path.iterdir()) == []


def test_a_marker_of_another_host_holds_and_names_the_file_to_delete(tmp_path):
    folder = tmp_path / "talk"
    marker = marker_path(folder)
    claim = {"job": "prepare", "pid": 4242, "host": "render-farm-7", "started": time.time(), "token": "x"}
    marker.write_text(json.dumps(claim))
    with pytest.raises(InUse) as refused, claimed(folder, "remove", "remove 'talk'"):
        pass
    text = str(refused.value)
    assert "on render-farm-7 (process 4242" in text
    assert text.endswith(f"If nothing runs on render-farm-7 any more, delete {marker}.")
    assert json.loads(marker.read_text()) == claim  # kept


def test_of_many_takers_of_one_stale_marker_exactly_one_wins(tmp_path):
    """Eight threads claim at once a folder whose marker a dead process left: one holds it, seven are
    refused (the stale marker is replaced once, never by two claims that both believe they hold)."""
    folder = tmp_path / "talk"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    host = socket.gethostname()
    stale = {"job": "prepare", "pid": int(dead.stdout), "host": host, "started": 0, "token": "s"}
    marker_path(folder).write_text(json.dumps(stale))
    start = threading.Barrier(8)
    won: list[str] = []
    refused: list[InUse] = []

    def take() -> None:
        start.wait()
        try:
            with claimed(folder, "remove", "remove it") as mine:
                won.append(mine.token)
                time.sleep(0.5)  # every other taker tries while this one holds it
        except InUse as exc:
            refused.append(exc)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(refused) == 7
    assert list(tmp_path.iterdir()) == []  # neither the marker nor a set-aside stale one is left
