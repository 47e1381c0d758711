"""Tiny trained runs of every exportable kind (built once per session by the real trainers).

The lip-sync fixture project gives a DINet mini run and an audio2mouth run; a DINet full run
(narrow, 2 steps) is trained on the same clip here. Enough to export and compare, not quality.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.core.lipsync.prepared_fixture import _train, build_trained_project


@dataclass(frozen=True)
class ExportRuns:
    root: Path
    clip: Path
    runs: dict[str, Path]  # "mini", "full", "audio" -> finished run folder


def build_export_runs(root: Path) -> ExportRuns:
    from core.lipsync.train_config import DinetTrainConfig

    tp = build_trained_project(root)
    full = root / "runs" / "dinet_full"
    if not (full / "checkpoints" / "last.pt").is_file():
        cfg = DinetTrainConfig.model_validate(
            {
                "model": {"variant": "full", "mouth_size": 64, "base_channels": 8, "res_blocks": 1},
                "discriminator": {"base_channels": 8, "num_scales": 1},
                "loss": {"lamb_perception": 0.0},
                "train": {"steps": 2, "batch_size": 2, "lr_g": 2e-3},
            }
        )
        _train("core.lipsync.trainer", cfg, tp.clip, full, "dinet")
    return ExportRuns(root, tp.clip, {"mini": tp.dinet_run, "full": full, "audio": tp.audio_run})
