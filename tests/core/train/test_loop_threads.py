"""The training loop runs every kind with the job's CPU thread count (`train.cpu_threads`)."""

from __future__ import annotations

from pathlib import Path

import torch

from core.jobs.events import LogLine
from core.lipsync.train_config import DinetTrainConfig
from core.train.loop import LoopContext, LoopSettings, StepOutput
from tests.core.train.test_loop import TinyKind, _train


class CountingKind(TinyKind):
    """Records the torch thread count each step ran with."""

    def __init__(self) -> None:
        super().__init__(total=3)
        self.seen: list[int] = []

    def train_step(self, lc: LoopContext) -> StepOutput:
        self.seen.append(torch.get_num_threads())
        return super().train_step(lc)


def test_loop_runs_with_the_jobs_cpu_threads_and_restores(tmp_path: Path) -> None:
    before = torch.get_num_threads()
    want = 1 if before != 1 else 2
    kind = CountingKind()
    result, runner = _train(tmp_path / "run", kind, cpu_threads=want)
    assert result.ok, result.error
    assert kind.seen == [want] * 3
    assert torch.get_num_threads() == before
    logs = [e.message for e in runner.of_type(LogLine)]
    assert f"{want} CPU thread(s) for torch: cpu_threads = {want} (set in the job)" in logs


def test_settings_take_cpu_threads_from_the_config() -> None:
    cfg = DinetTrainConfig.model_validate({"train": {"steps": 4, "cpu_threads": 3}})
    assert LoopSettings.of_config("dinet", cfg, "hint").cpu_threads == 3
    auto = DinetTrainConfig.model_validate({"train": {"steps": 4}})
    assert LoopSettings.of_config("dinet", auto, "hint").cpu_threads == 0
