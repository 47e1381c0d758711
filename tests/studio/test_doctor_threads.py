"""The doctor's CPU-threads row: the wait policy in force and what an auto run would get now."""

from __future__ import annotations

import pytest

from core.compute import threads
from studio.doctor import CHECKS, _check_threads


def test_doctor_reports_policy_and_chosen_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setattr(threads, "_state", threads.PolicyState(applied=True, set_here=("OMP_WAIT_POLICY",)))
    check = _check_threads()
    assert _check_threads in CHECKS and check.name == "CPU threads" and check.ok
    assert "set before torch loaded" in check.detail
    assert "a training run now gets 1 thread(s) (OMP_NUM_THREADS=1 (set by the user))" in check.detail


def test_doctor_flags_a_policy_applied_after_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_state", threads.PolicyState(applied=True, torch_was_loaded=True))
    check = _check_threads()
    assert not check.ok and "applied after torch loaded" in check.detail
