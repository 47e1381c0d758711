"""One run lifecycle for every caller that trains (`dhstudio train`, the demo, `dhstudio ablate`).

    with run_lifecycle(run, resume=True) as life:
        result = runner.run(job)       # or: job.run(ctx), letting exceptions out
        life.settle(result)

The run is marked `running` on entry and always leaves it: `finished`, `failed` or `cancelled`
from the JobResult or the exception. Two outcomes keep what the run was instead:
- a resume that fails (or is cancelled) before it wrote new weights leaves status.json exactly as
  it was, so a finished, intact run is not turned into a failed one by a wrong job file or a
  refused checkpoint;
- a run this command just created that fails on bad input (a clip problem found by the trainer)
  before it wrote any weights or metrics is removed, so no empty `failed` run is left behind.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Iterator

from core.io import atomic
from core.jobs.errors import BadInput, JobCancelled
from core.jobs.job import JobResult, Status
from core.train.run_folder import RunFolder, RunState

log = logging.getLogger(__name__)

_OUTCOME = {
    Status.SUCCEEDED: RunState.FINISHED,
    Status.FAILED: RunState.FAILED,
    Status.CANCELLED: RunState.CANCELLED,
}


def _weights_snapshot(run: RunFolder) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every checkpoint and top-level weights file: what "new weights" means."""
    files = [*run.path.glob("*.pt"), *(run.checkpoints.rglob("*") if run.checkpoints.is_dir() else [])]
    snap = {}
    for f in files:
        with contextlib.suppress(OSError):
            st = f.stat()
            snap[str(f.relative_to(run.path))] = (st.st_size, st.st_mtime_ns)
    return snap


class RunLifecycle:
    def __init__(self, run: RunFolder, resume: bool = False, created: bool = False) -> None:
        self.run, self.resume, self.created = run, resume, created
        self._status_before = self._read_raw()
        self._state_before = run.state
        self._weights_before = _weights_snapshot(run)
        self.outcome: RunState | None = None  # None after settling: the run folder was removed
        self.settled = False

    def _read_raw(self) -> bytes | None:
        try:
            return self.run.status_path.read_bytes()
        except OSError:
            return None

    def start(self) -> None:
        self.run.set_status(RunState.RUNNING)

    def settle(self, result: JobResult) -> RunState | None:
        """Record the job's outcome; returns the state the run is left in (None: removed)."""
        return self.end(_OUTCOME[result.status], result.error, result.bad_input)

    def end(self, outcome: RunState, error: str = "", bad_input: bool = False) -> RunState | None:
        if self.settled:
            return self.outcome
        self.settled, self.outcome = True, outcome
        untouched = _weights_snapshot(self.run) == self._weights_before
        if outcome is not RunState.FINISHED and untouched:
            settled_before = self._state_before in (RunState.FINISHED, RunState.FAILED, RunState.CANCELLED)
            if self.resume and settled_before and self._status_before is not None:
                atomic.write_bytes(self.run.status_path, self._status_before)  # the run as it was
                self.outcome = self.run.state
                log.info("resume of %s stopped before new weights; status left as it was", self.run.path)
                return self.outcome
            trained = self.run.metrics_path.exists()  # steps ran: keep the run and its log as evidence
            if self.created and bad_input and not self._weights_before and not trained:
                self.run.close()
                shutil.rmtree(self.run.path, ignore_errors=True)
                self.outcome = None
                return None
        self.run.set_status(outcome, error=error)
        return outcome


@contextlib.contextmanager
def run_lifecycle(run: RunFolder, resume: bool = False, created: bool = False) -> Iterator[RunLifecycle]:
    """Mark `run` running for the block; see the module docstring for how it ends."""
    life = RunLifecycle(run, resume, created)
    life.start()
    try:
        yield life
    except (JobCancelled, KeyboardInterrupt):
        life.end(RunState.CANCELLED)
        raise
    except BadInput as exc:
        life.end(RunState.FAILED, str(exc), bad_input=True)
        raise
    except BaseException as exc:
        life.end(RunState.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    else:
        life.end(RunState.FINISHED)
    finally:
        run.close()
