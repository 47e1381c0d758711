"""``avatar.pt``: the trained avatar as evaluation, export and rendering load it.

A dict keyed by name (loads with ``weights_only=True``): the bound Gaussians, what each trained
innovation keeps for inference (``innovations``: the colour calibration network, the per-frame
mesh corrections with their clip frame numbers), the run's resolved config (JSON text) and where
its data came from.

The clip is stored relative to the project, never as an absolute path, so a project folder can be
moved or copied to another machine: ``clip`` is the clip folder relative to the project root (the
folder that holds ``runs/<run>/avatar.pt``), e.g. ``prepared/talk``, and ``clip_name`` its name.
When the clip lies outside the project the path is relative to the run folder instead
(``clip_base = "run"``). Version-1 bundles (an absolute ``clip``, the calibration and corrections
under fixed keys) are still read; their corrections carry no frame numbers and are not applied,
as version 1 never applied them.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

from core.gaussians.binding import BoundGaussians
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.base import Innovation, pose_all
from core.gaussians.train.innovations.registry import restore_innovations
from core.gaussians.train.params import detached_bound
from core.gaussians.train.state import TrainState
from core.io import atomic
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.train.checkpoint import load_checkpoint

AVATAR_FILE = "avatar.pt"
BUNDLE_VERSION = 2


@dataclass
class Avatar:
    bound: BoundGaussians
    config: GaussianConfig
    clip: Path  # the training clip folder, resolved through the project
    sh_degree: int
    steps: int
    train_seconds: float
    innovations: list[Innovation] = field(default_factory=list)  # inference-only, registry order

    @property
    def count(self) -> int:
        return self.bound.count

    def innovation(self, name: str) -> Innovation | None:
        return next((i for i in self.innovations if i.name == name), None)

    def pose(self, verts: Tensor, frame: int) -> Tensor:
        """Clip frame ``frame``'s mesh [V, 3] as the avatar was trained on it (corrections applied)."""
        return pose_all(self.innovations, verts, frame)


def avatar_path(run_dir: Path | str) -> Path:
    """``RUN/avatar.pt``, or BadInput saying how to finish the run (every command that loads it asks here)."""
    path = Path(run_dir) / AVATAR_FILE
    if not path.is_file():
        raise BadInput(
            Text(
                "{run_dir} has no {avatar_file}: the Gaussian run has not finished training "
                "(resume it with `dhstudio train JOB --resume --run-name NAME`).",
                run_dir=run_dir,
                avatar_file=AVATAR_FILE,
            )
        )
    return path


def project_root(run_dir: Path) -> Path:
    """The project folder of a run folder (``<project>/runs/<run>``)."""
    return Path(run_dir).resolve().parent.parent


def clip_reference(clip: Path, run_dir: Path) -> dict[str, str]:
    """How a bundle in ``run_dir`` names its clip: relative to the project, else to the run folder."""
    clip = Path(clip).resolve()
    root = project_root(run_dir)
    if clip.is_relative_to(root):
        return {"clip": clip.relative_to(root).as_posix(), "clip_base": "project", "clip_name": clip.name}
    try:
        rel = Path(os.path.relpath(clip, Path(run_dir).resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        rel = str(clip)
    return {"clip": rel, "clip_base": "run", "clip_name": clip.name}


def resolve_clip(state: dict, run_dir: Path) -> Path:
    clip = Path(state["clip"])
    if clip.is_absolute():  # version 1
        return clip
    base = Path(run_dir).resolve() if state.get("clip_base") == "run" else project_root(run_dir)
    return base / clip


def save_bundle(path: Path, st: TrainState, data: AvatarData, cfg: GaussianConfig) -> Path:
    bound = detached_bound(st.params, st.extras)
    exported = {inn.name: inn.export() for inn in st.innovations}
    state = {
        "version": BUNDLE_VERSION,
        "bound": {k: v.cpu() for k, v in bound.tensors().items()},
        "config": cfg.model_dump_json(),
        **clip_reference(data.clip_path, Path(path).parent),
        "sh_degree": min(cfg.train.sh_degree, st.step // cfg.train.sh_increase_every),
        "steps": st.step,
        "train_seconds": st.train_seconds,
        "innovations": {k: v for k, v in exported.items() if v is not None},
    }
    buf = io.BytesIO()
    torch.save(state, buf)
    atomic.write_bytes(path, buf.getvalue())
    return path


def _legacy_innovations(state: dict) -> dict[str, dict]:
    if "calibration" in state:
        return {"color_calibration": {"net": state["calibration"]}}
    return {}


def load_bundle(path: Path | str, device: torch.device | str = "cpu") -> Avatar:
    path = Path(path)
    state = load_checkpoint(path)
    cfg = GaussianConfig.model_validate_json(state["config"])
    exported = state["innovations"] if "innovations" in state else _legacy_innovations(state)
    return Avatar(
        bound=BoundGaussians(**{k: v.to(device) for k, v in state["bound"].items()}),
        config=cfg,
        clip=resolve_clip(state, path.parent),
        sh_degree=int(state["sh_degree"]),
        steps=int(state["steps"]),
        train_seconds=float(state["train_seconds"]),
        innovations=restore_innovations(cfg, exported, device),
    )
