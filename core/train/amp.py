"""Mixed precision and gradient accumulation, written once for every trainer.

On CUDA, `Amp` runs the forward pass under autocast (bf16 when the GPU supports it, else fp16
with a GradScaler that skips steps whose gradients overflow). On the CPU it is a no-op wrapper,
so the same training loop runs everywhere. Accumulation divides each micro-batch loss by the
number of micro-batches, so the update equals one big batch's.

Example:
    amp = Amp.create(AmpSettings(enabled=True), device)
    with amp.autocast():
        loss = model(x).mean()
    amp.backward(loss, accumulation=2)
    if last_micro_batch:
        amp.step(optimizer)      # unscale, (skip on overflow), step, update the scale
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import torch


@dataclass(frozen=True)
class AmpSettings:
    enabled: bool = True  # only takes effect on CUDA
    dtype: str = "auto"  # "auto" (bf16 if supported, else fp16), "bf16" or "fp16"


class Amp:
    def __init__(self, device: torch.device, dtype: torch.dtype | None) -> None:
        self.device = device
        self.dtype = dtype  # None = full precision
        use_scaler = dtype == torch.float16
        self.scaler = torch.amp.GradScaler(device.type, enabled=use_scaler) if use_scaler else None

    @classmethod
    def create(cls, settings: AmpSettings, device: torch.device) -> Amp:
        if not settings.enabled or device.type != "cuda":
            return cls(device, None)
        if settings.dtype == "fp16":
            return cls(device, torch.float16)
        if settings.dtype == "bf16" or torch.cuda.is_bf16_supported():
            return cls(device, torch.bfloat16)
        return cls(device, torch.float16)

    @property
    def active(self) -> bool:
        return self.dtype is not None

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.dtype)

    def backward(self, loss: torch.Tensor, accumulation: int = 1) -> None:
        loss = loss / accumulation
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
        else:
            loss.backward()

    def unscale(self, optimizer: torch.optim.Optimizer) -> None:
        """Bring gradients back to true scale (before clipping or finite checks)."""
        if self.scaler is not None:
            self.scaler.unscale_(optimizer)

    def step(self, optimizer: torch.optim.Optimizer) -> bool:
        """Apply the accumulated gradients; False when the scaler skipped the step (overflow)."""
        if self.scaler is None:
            optimizer.step()
            return True
        before = self.scaler.get_scale()
        self.scaler.step(optimizer)
        self.scaler.update()
        return self.scaler.get_scale() >= before

    def state_dict(self) -> dict[str, Any]:
        return self.scaler.state_dict() if self.scaler is not None else {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)
