"""What a format writer hands back to be judged: shipped files, the outputs its runtime computed
on the held-out feeds, runners to time, and the pass mark it must reach."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FP32_MIN_PSNR_DB = 50.0  # an fp32 export must match PyTorch to this PSNR (judged region)
INT8_MIN_PSNR_DB = 30.0  # an int8 export must reach this


@dataclass
class Exported:
    files: list[Path]  # written into the export folder
    outputs: np.ndarray  # the exported model's first output on the subject's held-out feeds
    threshold_db: float
    runtime: str = ""  # the runners label of what was shipped ("onnx_fp32", "onnx_int8", "torchscript")
    runners: dict[str, Callable] = field(default_factory=dict)  # label -> RunFn, timed against torch fp32
    providers: list[str] = field(default_factory=list)
    float_nodes: list[dict[str, str]] = field(default_factory=list)  # kept in float, with reasons
    notes: list[str] = field(default_factory=list)
