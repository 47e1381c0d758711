"""A run whose training process died without a word (killed, crashed, power cut) stays 'running' in
its status.json forever; readers now see it as failed, with a message that says it can be continued.

It used to stay 'running': export said "wait for training to finish", the training panel did not
offer it under Continue run, and the Runs table showed it training."""

from __future__ import annotations

import subprocess
import sys

from core.train.run_folder import RunFolder, RunState, list_runs

_TRAINER = """
import os, sys
from core.train.run_folder import RunFolder, RunState
run = RunFolder(sys.argv[1]).create("dinet", {}, job="dinet_mini")
run.set_status(RunState.RUNNING, step=12, total=300)
os._exit(0)  # gone without finishing, as after kill -9
"""


def crashed_run(path):
    subprocess.run([sys.executable, "-c", _TRAINER, str(path)], check=True)
    return RunFolder(path)


def test_a_run_whose_process_is_gone_reads_as_failed(tmp_path):
    run = crashed_run(tmp_path / "runs" / "r")
    status = run.read_status()
    assert status["state"] == "failed" and run.state is RunState.FAILED
    assert "stopped without finishing" in status["error"] and "continue" in status["error"].lower()
    assert status["step"] == 12
    assert [r.state for r in list_runs(tmp_path / "runs")] == [RunState.FAILED]


def test_a_run_of_a_live_process_stays_running(tmp_path):
    run = RunFolder(tmp_path / "r").create("dinet", {})
    run.set_status(RunState.RUNNING, step=3)  # this process: alive
    assert run.state is RunState.RUNNING and "error" not in run.read_status()


def test_resuming_a_crashed_run_records_the_new_owner(tmp_path):
    run = crashed_run(tmp_path / "r")
    run.set_status(RunState.RUNNING, step=12)  # this process continues it
    status = run.read_status()
    assert status["state"] == "running" and "stopped without finishing" not in status.get("error", "")
