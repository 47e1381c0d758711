"""Worker signals must reach GUI-thread methods, never lambdas.

PySide6 runs a lambda slot on the thread that emits the signal, so a lambda connected to a job
worker's signal touches widgets from the worker thread and can crash the studio at random.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[3] / "studio" / "gui"
WORKER_SIGNALS = {"progress", "metric", "log", "artifact", "failed", "refine", "live_status"}


def _worker_lambda_connections(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "connect" or not node.args or not isinstance(node.args[0], ast.Lambda):
            continue
        signal = node.func.value
        if not (isinstance(signal, ast.Attribute) and signal.attr in WORKER_SIGNALS):
            continue
        owner = signal.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if name == "worker":
            lines.append(node.lineno)
    return lines


def test_no_worker_signal_is_connected_to_a_lambda() -> None:
    found = {
        str(path.relative_to(GUI.parent.parent)): lines
        for path in sorted(GUI.glob("*.py"))
        if (lines := _worker_lambda_connections(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}, f"worker signals connected to lambdas (they run on the worker thread): {found}"


def test_the_check_finds_such_a_connection() -> None:
    bad = ast.parse("thread.worker.failed.connect(lambda m, b: view.setText(m))\nworker.log.connect(f)\n")
    assert _worker_lambda_connections(bad) == [1]


def test_connect_worker_takes_bound_methods_and_refuses_lambdas(qtbot) -> None:
    from PySide6.QtWidgets import QLabel

    from core.jobs.job import Job
    from studio.gui.job_worker import JobWorker, connect_worker

    class Noop(Job):
        def run(self, ctx) -> None:
            return None

    label = QLabel()
    qtbot.addWidget(label)
    worker = JobWorker(Noop())
    with pytest.raises(TypeError, match=r"worker\.log needs a bound method"):
        connect_worker(worker, log=lambda message, level: label.setText(message))
    connect_worker(worker, log=label.setText)
    worker.log.emit("hello", "info")
    assert label.text() == "hello"
