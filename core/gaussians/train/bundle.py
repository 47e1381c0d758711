"""``avatar.pt``: the trained avatar as evaluation, export and rendering load it.

A dict keyed by name (loads with ``weights_only=True``): the bound Gaussians, the colour
calibration network (when trained), the fine-tuned per-frame mesh corrections (when trained), the
run's resolved config (JSON text) and where its data came from (the prepared clip).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from core.gaussians.binding import BoundGaussians
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.color_calibration import ColorCalibration
from core.gaussians.train.params import detached_bound
from core.gaussians.train.state import TrainState
from core.io import atomic
from core.train.checkpoint import load_checkpoint

AVATAR_FILE = "avatar.pt"
BUNDLE_VERSION = 1


@dataclass
class Avatar:
    bound: BoundGaussians
    config: GaussianConfig
    clip: Path
    sh_degree: int
    calibration: ColorCalibration | None
    corrections: Tensor | None  # [F, 6] per-frame rigid corrections (training frames), or None
    steps: int
    train_seconds: float

    @property
    def count(self) -> int:
        return self.bound.count


def save_bundle(path: Path, st: TrainState, data: AvatarData, cfg: GaussianConfig) -> Path:
    bound = detached_bound(st.params, st.extras)
    state = {
        "version": BUNDLE_VERSION,
        "bound": {k: v.cpu() for k, v in bound.tensors().items()},
        "config": cfg.model_dump_json(),
        "clip": str(data.clip_path),
        "sh_degree": min(cfg.train.sh_degree, st.step // cfg.train.sh_increase_every),
        "steps": st.step,
        "train_seconds": st.train_seconds,
    }
    if st.calibration is not None:
        state["calibration"] = {k: v.cpu() for k, v in st.calibration.state_dict().items()}
    if st.corrections is not None:
        state["corrections"] = st.corrections.params.detach().cpu()
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic.write_bytes(path, buf.getvalue())
    return path


def load_bundle(path: Path | str, device: torch.device | str = "cpu") -> Avatar:
    state = load_checkpoint(path)
    cfg = GaussianConfig.model_validate_json(state["config"])
    calibration = None
    if "calibration" in state:
        calibration = ColorCalibration(cfg.innovations.color_calibration.hidden)
        calibration.load_state_dict(state["calibration"])
        calibration = calibration.to(device).eval()
    return Avatar(
        bound=BoundGaussians(**{k: v.to(device) for k, v in state["bound"].items()}),
        config=cfg,
        clip=Path(state["clip"]),
        sh_degree=int(state["sh_degree"]),
        calibration=calibration,
        corrections=state.get("corrections"),
        steps=int(state["steps"]),
        train_seconds=float(state["train_seconds"]),
    )
