"""A run folder: resolved config, status, checkpoints, metrics.jsonl, tb/, previews/, log.

status.json holds the run's state (a `RunState`, stored as its string value), its kind and job
name and when it was last updated; a running run also records its process (`pid`, `host`), so a run
whose process died without a word (killed, crashed, power cut) reads as failed, with a message
saying it can be continued, instead of 'running' for ever (`_as_read`). Listing runs (`list_runs`,
`newest_run`) skips what is not a run (a stray file, a hidden temporary folder) and names a damaged
status.json in a warning instead of failing: one broken run must not block every command that
looks for another.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.config.loader import to_toml
from core.io import atomic
from core.io.processes import process_gone
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.new_folder import new_folder

if TYPE_CHECKING:
    import numpy as np

STATUS_FILE = "status.json"
log = logging.getLogger(__name__)


class RunState(enum.Enum):
    """Where a run is in its lifecycle (see `core.train.lifecycle`)."""

    CREATED = "created"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


class DamagedRun(BadInput):
    """A run folder whose status.json cannot be read; the message names the file and the fix."""


class RunFolder:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._tb = None
        self._log_handler: logging.Handler | None = None

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    @property
    def previews(self) -> Path:
        return self.path / "previews"

    @property
    def metrics_path(self) -> Path:
        return self.path / "metrics.jsonl"

    def create(self, kind: str, config: dict[str, Any], source: str = "", **extra: Any) -> RunFolder:
        """Make the folder with its config and a `created` status, all at once.

        The folder is built under a temporary name and renamed into place, so a full disk or a
        read-only parent leaves no empty run folder behind. An existing folder is an error.
        """
        with new_folder(self.path) as tmp:
            for sub in ("checkpoints", "previews"):
                (tmp / sub).mkdir()
            atomic.write_text(tmp / "config.toml", to_toml(config))
            status = {"kind": kind, "source": source, **extra}
            status.update(state=RunState.CREATED.value, updated=time.time())
            atomic.write_json(tmp / STATUS_FILE, status)
        return self

    @property
    def status_path(self) -> Path:
        return self.path / STATUS_FILE

    def read_status(self) -> dict[str, Any]:
        """The status, or {} when it is missing or damaged (use `load_status` to be told why)."""
        try:
            return self.load_status()
        except DamagedRun:
            return {}

    def load_status(self) -> dict[str, Any]:
        """The status; `DamagedRun` names the file when it is missing, unreadable or invalid."""
        return _as_read(self._load_stored())

    def _load_stored(self) -> dict[str, Any]:
        path = self.status_path
        try:
            status = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise DamagedRun(
                Text(
                    "{path} is missing; {run} is not a run made by `dhstudio train`.",
                    path=path,
                    run=self.path,
                )
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DamagedRun(
                Text(
                    "{path} is damaged ({exc}); delete the run folder or train it again.", path=path, exc=exc
                )
            ) from None
        problem = _status_problem(status)
        if problem:
            raise DamagedRun(
                Text(
                    "{path} is damaged ({problem}); delete the run folder or train it again.",
                    path=path,
                    problem=problem,
                )
            )
        return status

    def set_status(self, state: RunState | str, **extra: Any) -> None:
        """Record `state` (a RunState; its string value is accepted) and `extra` fields."""
        state = RunState(state.value if isinstance(state, RunState) else state)
        try:
            status = self._load_stored()
        except DamagedRun:
            status = {}
        status.update(extra)
        status["state"] = state.value
        if state is RunState.RUNNING:  # the process that trains it now
            status.update(pid=os.getpid(), host=socket.gethostname())
        status["updated"] = time.time()
        atomic.write_json(self.status_path, status)

    @property
    def state(self) -> RunState | None:
        value = self.read_status().get("state")
        return RunState(value) if value is not None else None

    @property
    def kind(self) -> str:
        return str(self.read_status().get("kind", ""))

    def log_metric(self, name: str, step: int, value: float) -> None:
        with open(self.metrics_path, "a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"name": name, "step": int(step), "value": float(value), "time": time.time()})
                + "\n"
            )
        tb = self._tensorboard()
        if tb is not None:
            tb.add_scalar(name, float(value), int(step))

    def read_metrics(self) -> list[dict[str, Any]]:
        if not self.metrics_path.is_file():
            return []
        rows = []
        for line in self.metrics_path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash mid-append
        return rows

    def save_preview(self, name: str, image_rgb: np.ndarray, step: int) -> Path:
        import cv2
        import numpy as np

        ok, png = cv2.imencode(".png", np.ascontiguousarray(image_rgb[..., ::-1]))
        if not ok:
            raise RuntimeError("PNG encoding failed")
        path = self.previews / f"{name}_{step:07d}.png"
        atomic.write_bytes(path, png.tobytes())
        tb = self._tensorboard()
        if tb is not None:
            tb.add_image(name, image_rgb, int(step), dataformats="HWC")
        return path

    def attach_log(self, level: int = logging.INFO) -> None:
        handler = logging.FileHandler(self.path / "log.txt", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(level)
        logging.getLogger().addHandler(handler)
        if logging.getLogger().level > level:
            logging.getLogger().setLevel(level)
        self._log_handler = handler

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()
            self._tb = None
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None

    def _tensorboard(self):
        if self._tb is None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                return None
            self._tb = SummaryWriter(log_dir=str(self.path / "tb"))
        return self._tb


def _as_read(status: dict[str, Any]) -> dict[str, Any]:
    """A 'running' status whose process on this machine is gone reads as failed (nothing is written:
    the next `set_status`, e.g. of a resume, records the new state)."""
    if (
        status.get("state") == RunState.RUNNING.value
        and status.get("host") == socket.gethostname()
        and process_gone(status.get("pid"))
    ):
        step = f" at step {status['step']}" if "step" in status else ""
        status = {
            **status,
            "state": RunState.FAILED.value,
            "error": (
                f"the training process (pid {status['pid']}) stopped without finishing{step}: it was "
                "killed or crashed. Continue the run from its last checkpoint (Continue run, or "
                "`dhstudio train --resume`)."
            ),
        }
    return status


def _status_problem(status: Any) -> str:
    if not isinstance(status, dict):
        return f"expected a JSON object, got {type(status).__name__}"
    if not isinstance(status.get("kind"), str) or not status.get("kind"):
        return "no 'kind'"
    if status.get("state") not in {s.value for s in RunState}:
        return f"'state' is {status.get('state')!r}; allowed: {', '.join(s.value for s in RunState)}"
    updated = status.get("updated", 0)
    if isinstance(updated, bool) or not isinstance(updated, int | float) or not math.isfinite(updated):
        return f"'updated' is {updated!r}, not a time stamp"
    return ""


@dataclass(frozen=True)
class RunInfo:
    path: Path
    kind: str
    state: RunState
    updated: float
    job: str


def list_runs(runs_dir: Path | str) -> list[RunInfo]:
    """Every run in `runs_dir`, newest first.

    Skips what is not a run (files such as .DS_Store, hidden temporaries, folders without a
    status.json) and logs a warning naming each run whose status.json is damaged.
    """
    runs_dir = Path(runs_dir)
    if not runs_dir.is_dir():
        return []
    found: list[RunInfo] = []
    for p in runs_dir.iterdir():
        if p.name.startswith(".") or not p.is_dir() or not (p / STATUS_FILE).exists():
            continue
        try:
            status = RunFolder(p).load_status()
        except DamagedRun as exc:
            log.warning("skipping run %s: %s", p.name, exc)
            continue
        found.append(
            RunInfo(
                p,
                status["kind"],
                RunState(status["state"]),
                float(status.get("updated", 0)),
                str(status.get("job", "")),
            )
        )
    return sorted(found, key=lambda r: r.updated, reverse=True)


def newest_run(runs_dir: Path, kind: str, state: RunState | str = RunState.FINISHED) -> Path | None:
    """The most recently updated run of `kind` in `state`, or None."""
    state = RunState(state.value if isinstance(state, RunState) else state)
    for info in list_runs(runs_dir):
        if info.kind == kind and info.state is state:
            return info.path
    return None
