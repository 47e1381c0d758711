"""What a caller (CLI command or GUI controller) asks of a kind, independent of the family.

A kind's factories turn these into its own jobs, so callers never import a family's modules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EvalRequest:
    run: Path
    device: str = "auto"
    out_json: Path | None = None  # where the figures go (None: the run folder's eval.json)
    audio_run: Path | None = None  # audio-to-mouth run that also scores audio-driven mouths
    clip: Path | None = None  # prepared clip folder (None: the run's training clip)
    limit: int | None = None  # at most this many held-out frames

    @property
    def figures_path(self) -> Path:
        return self.out_json if self.out_json is not None else self.run / "eval.json"


@dataclass(frozen=True)
class RenderRequest:
    run: Path
    audio: Path
    out: Path
    audio_run: Path | None = None  # None: the project's newest finished audio-to-mouth run
    clip: Path | None = None  # prepared clip to play (None: the run's training clip)
    device: str = "auto"
    color_match: bool = True
    # the model runtime (auto|torch|torchscript|onnx|native), as live takes it: lip-sync -> its renderer,
    # Gaussian -> its audio model
    backend: str = "auto"


@dataclass(frozen=True)
class ExportRequest:
    run: Path
    out: Path
    frame: int = 0  # clip frame to pose a Gaussian avatar on
    force: bool = False  # replace an existing output folder
    options: Mapping[str, Any] = field(default_factory=dict)  # format-specific (e.g. precision)
