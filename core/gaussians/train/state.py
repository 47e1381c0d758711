"""Everything a Gaussian training run carries from step to step, and its checkpoint form.

The checkpoint is a dict keyed by name (tensors, numbers, lists and dicts only, so it loads with
``weights_only=True``): parameters, binding, Adam states, strategy statistics, the innovations'
networks and caches, and the random generators, so a resumed run continues bit-exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from core.gaussians.binding import init_bound_gaussians
from core.gaussians.render.sh import rgb_to_sh0
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.innovations.color_calibration import ColorCalibration
from core.gaussians.train.innovations.temporal import MeshCorrections
from core.gaussians.train.ops import Params, Rows
from core.gaussians.train.params import PARAM_NAMES, from_bound, make_optimizer
from core.gaussians.train.strategies.base import Strategy

CHECKPOINT_VERSION = 1


@dataclass
class TrainState:
    step: int
    params: Params
    extras: Rows
    optimizer: torch.optim.Adam
    strategy_state: Rows
    sampler: torch.Generator  # which training frame each step draws
    splitter: torch.Generator  # split sampling
    calibration: ColorCalibration | None = None
    calibration_opt: torch.optim.Adam | None = None
    corrections: MeshCorrections | None = None
    corrections_opt: torch.optim.Adam | None = None
    contrastive_cache: list[Tensor] = field(default_factory=list)
    train_seconds: float = 0.0

    @property
    def count(self) -> int:
        return int(self.params["local_means"].shape[0])

    def all_optimizers(self) -> list[torch.optim.Optimizer]:
        return [o for o in (self.optimizer, self.calibration_opt, self.corrections_opt) if o is not None]

    def zero_grad(self) -> None:
        for o in self.all_optimizers():
            o.zero_grad(set_to_none=True)


def initial_colors(data: AvatarData, frame: int) -> Tensor:
    """Per-triangle RGB [T, 3] sampled from a training frame at each projected triangle centre."""
    uv = torch.from_numpy(data.uv(frame, data.camera)).float()
    centres = uv[data.faces].mean(dim=1)
    img = data.target(frame, torch.device("cpu"))
    res = data.resolution
    ij = centres.round().long().clamp(0, res - 1)
    return img[ij[:, 1], ij[:, 0]]


def create_state(
    cfg: GaussianConfig, data: AvatarData, strategy: Strategy, device: torch.device
) -> TrainState:
    n_tri = int(data.faces.shape[0])
    bound = init_bound_gaussians(n_tri, sh_degree=cfg.train.sh_degree, relative_scale=0.5, opacity=0.1)
    bound.sh[:, 0, :] = rgb_to_sh0(initial_colors(data, int(data.train_ids[0])))
    params, extras = from_bound(bound, device)
    strategy.check_sanity(params, extras)
    optimizer = make_optimizer(params, cfg.optim, data.extent)
    sampler = torch.Generator().manual_seed(cfg.train.seed)
    splitter = torch.Generator(device=device).manual_seed(cfg.train.seed + 1)
    st = TrainState(0, params, extras, optimizer, strategy.initialize_state(n_tri, device), sampler, splitter)
    inn = cfg.innovations
    if inn.color_calibration.enabled:
        torch.manual_seed(cfg.train.seed)
        st.calibration = ColorCalibration(inn.color_calibration.hidden).to(device)
        st.calibration_opt = torch.optim.Adam(st.calibration.parameters(), lr=inn.color_calibration.lr)
    if cfg.mesh_finetuned:
        st.corrections = MeshCorrections(int(data.verts.shape[0]), data.extent).to(device)
        st.corrections_opt = torch.optim.Adam(st.corrections.parameters(), lr=cfg.optim.mesh_lr)
    return st


def state_dict(st: TrainState) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": CHECKPOINT_VERSION,
        "step": st.step,
        "train_seconds": st.train_seconds,
        "params": {k: v.detach().cpu() for k, v in st.params.items()},
        "extras": {k: v.cpu() for k, v in st.extras.items()},
        "optimizer": st.optimizer.state_dict(),
        "strategy_state": {k: v.cpu() for k, v in st.strategy_state.items()},
        "sampler": st.sampler.get_state(),
        "splitter": st.splitter.get_state(),
        "contrastive_cache": [c.cpu() for c in st.contrastive_cache],
    }
    if st.calibration is not None and st.calibration_opt is not None:
        out["calibration"] = st.calibration.state_dict()
        out["calibration_opt"] = st.calibration_opt.state_dict()
    if st.corrections is not None and st.corrections_opt is not None:
        out["corrections"] = st.corrections.state_dict()
        out["corrections_opt"] = st.corrections_opt.state_dict()
    return out


def load_state(
    st: TrainState, ckpt: dict[str, Any], cfg: GaussianConfig, extent: float, device: torch.device
) -> None:
    """Replace ``st``'s contents with a checkpoint's (the Gaussian count may differ from the fresh state)."""
    if ckpt.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint version {ckpt.get('version')!r} is not {CHECKPOINT_VERSION}")
    st.params = {k: torch.nn.Parameter(ckpt["params"][k].to(device)) for k in PARAM_NAMES}
    st.extras = {k: v.to(device) for k, v in ckpt["extras"].items()}
    st.optimizer = make_optimizer(st.params, cfg.optim, extent)
    st.optimizer.load_state_dict(ckpt["optimizer"])
    st.strategy_state = {k: v.to(device) for k, v in ckpt["strategy_state"].items()}
    st.sampler.set_state(ckpt["sampler"])
    st.splitter.set_state(ckpt["splitter"])
    st.contrastive_cache = [c.to(device) for c in ckpt["contrastive_cache"]]
    st.step, st.train_seconds = int(ckpt["step"]), float(ckpt["train_seconds"])
    if st.calibration is not None and st.calibration_opt is not None:
        st.calibration.load_state_dict(ckpt["calibration"])
        st.calibration_opt.load_state_dict(ckpt["calibration_opt"])
    if st.corrections is not None and st.corrections_opt is not None:
        st.corrections.load_state_dict(ckpt["corrections"])
        st.corrections_opt.load_state_dict(ckpt["corrections_opt"])
