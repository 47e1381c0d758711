"""Everything a Gaussian training run carries from step to step, and its checkpoint form.

The checkpoint is a dict keyed by name (tensors, numbers, lists and dicts only, so it loads with
``weights_only=True``): parameters, binding, Adam states, strategy statistics, each innovation's
``state_dict`` under its name, and the random generators, so a resumed run continues bit-exactly.
Version-1 checkpoints (innovation states under fixed keys) are upgraded when read.
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
from core.gaussians.train.innovations.base import Innovation
from core.gaussians.train.innovations.registry import build_innovations
from core.gaussians.train.ops import Params, Rows
from core.gaussians.train.params import PARAM_NAMES, from_bound, make_optimizer
from core.gaussians.train.strategies.base import Strategy

CHECKPOINT_VERSION = 2


@dataclass
class TrainState:
    step: int
    params: Params
    extras: Rows
    optimizer: torch.optim.Adam
    strategy_state: Rows
    sampler: torch.Generator  # which training sample each step draws
    splitter: torch.Generator  # split sampling
    innovations: list[Innovation] = field(default_factory=list)  # set up on the data, registry order
    train_seconds: float = 0.0

    @property
    def count(self) -> int:
        return int(self.params["local_means"].shape[0])

    def all_optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.optimizer, *(o for inn in self.innovations for o in inn.optimizers())]

    def zero_grad(self) -> None:
        for o in self.all_optimizers():
            o.zero_grad(set_to_none=True)


def initial_colors(data: AvatarData, frame: int) -> Tensor:
    """Per-triangle RGB [T, 3] sampled from a training frame at each projected triangle centre."""
    uv = torch.from_numpy(data.uv(frame, data.camera_of(frame))).float()
    centres = uv[data.faces].mean(dim=1)
    img = data.target(frame, torch.device("cpu"))
    res = data.resolution
    ij = centres.round().long().clamp(0, res - 1)
    return img[ij[:, 1], ij[:, 0]]


def create_state(
    cfg: GaussianConfig,
    data: AvatarData,
    strategy: Strategy,
    device: torch.device,
    innovations: list[Innovation] | None = None,
) -> TrainState:
    """A fresh state; ``innovations`` (built from ``cfg`` when None) are set up on ``data`` here."""
    n_tri = int(data.faces.shape[0])
    bound = init_bound_gaussians(n_tri, sh_degree=cfg.train.sh_degree, relative_scale=0.5, opacity=0.1)
    bound.sh[:, 0, :] = rgb_to_sh0(initial_colors(data, int(data.train_ids[0])))
    params, extras = from_bound(bound, device)
    strategy.check_sanity(params, extras)
    optimizer = make_optimizer(params, cfg.optim, data.extent)
    sampler = torch.Generator().manual_seed(cfg.train.seed)
    splitter = torch.Generator(device=device).manual_seed(cfg.train.seed + 1)
    if innovations is None:
        innovations = build_innovations(cfg, device)
    for inn in innovations:
        inn.setup(data, device)
    data.labels(data.resolution, data.resolution)  # rasterise the masks once, before the first step
    return TrainState(
        0, params, extras, optimizer, strategy.initialize_state(n_tri, device), sampler, splitter, innovations
    )


def state_dict(st: TrainState) -> dict[str, Any]:
    return {
        "version": CHECKPOINT_VERSION,
        "step": st.step,
        "train_seconds": st.train_seconds,
        "params": {k: v.detach().cpu() for k, v in st.params.items()},
        "extras": {k: v.cpu() for k, v in st.extras.items()},
        "optimizer": st.optimizer.state_dict(),
        "strategy_state": {k: v.cpu() for k, v in st.strategy_state.items()},
        "sampler": st.sampler.get_state(),
        "splitter": st.splitter.get_state(),
        "innovations": {inn.name: inn.state_dict() for inn in st.innovations},
    }


def _upgrade(ckpt: dict[str, Any]) -> dict[str, Any]:
    """A version-1 checkpoint (innovation states under fixed keys) in the version-2 form."""
    inn: dict[str, Any] = {"contrastive": {"cache": ckpt.get("contrastive_cache", [])}}
    if "calibration" in ckpt:
        inn["color_calibration"] = {"net": ckpt["calibration"], "optimizer": ckpt["calibration_opt"]}
    if "corrections" in ckpt:
        inn["temporal"] = {"corrections": ckpt["corrections"], "optimizer": ckpt["corrections_opt"]}
    return {**ckpt, "version": CHECKPOINT_VERSION, "innovations": inn}


def load_state(
    st: TrainState, ckpt: dict[str, Any], cfg: GaussianConfig, extent: float, device: torch.device
) -> None:
    """Replace ``st``'s contents with a checkpoint's (the Gaussian count may differ from the fresh state)."""
    if ckpt.get("version") == 1:
        ckpt = _upgrade(ckpt)
    if ckpt.get("version") != CHECKPOINT_VERSION:
        raise ValueError(f"checkpoint version {ckpt.get('version')!r} is not {CHECKPOINT_VERSION}")
    st.params = {k: torch.nn.Parameter(ckpt["params"][k].to(device)) for k in PARAM_NAMES}
    st.extras = {k: v.to(device) for k, v in ckpt["extras"].items()}
    st.optimizer = make_optimizer(st.params, cfg.optim, extent)
    st.optimizer.load_state_dict(ckpt["optimizer"])
    st.strategy_state = {k: v.to(device) for k, v in ckpt["strategy_state"].items()}
    st.sampler.set_state(ckpt["sampler"])
    st.splitter.set_state(ckpt["splitter"])
    st.step, st.train_seconds = int(ckpt["step"]), float(ckpt["train_seconds"])
    saved = ckpt["innovations"]
    for inn in st.innovations:
        if inn.name in saved:
            inn.load_state_dict(saved[inn.name])
