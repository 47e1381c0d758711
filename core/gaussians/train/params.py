"""The trainable Gaussians as named parameters, their Adam groups and the position-lr schedule.

:class:`core.gaussians.binding.BoundGaussians` holds one SH tensor; training splits it into
``sh_dc`` and ``sh_rest`` so the higher bands get ``features_lr / rest_divisor`` (GaussianAvatars).
Each parameter is alone in its Adam group (named after it) so :mod:`ops` can swap it.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from core.gaussians.binding import BoundGaussians
from core.gaussians.train.config import OptimConfig
from core.gaussians.train.ops import Params, Rows

PARAM_NAMES = ("local_means", "local_quats", "log_scales", "opacity_logits", "sh_dc", "sh_rest")


def from_bound(bound: BoundGaussians, device: torch.device) -> tuple[Params, Rows]:
    """(parameters, extras) for training from bound Gaussians (SH split into dc and rest)."""
    t = {k: v.detach().to(device) for k, v in bound.tensors().items()}
    params = {
        "local_means": t["local_means"],
        "local_quats": t["local_quats"],
        "log_scales": t["log_scales"],
        "opacity_logits": t["opacity_logits"],
        "sh_dc": t["sh"][:, :1].contiguous(),
        "sh_rest": t["sh"][:, 1:].contiguous(),
    }
    return {k: nn.Parameter(v.clone()) for k, v in params.items()}, {"binding": t["binding"].long().clone()}


def to_bound(params: Params, extras: Rows) -> BoundGaussians:
    """The bound Gaussians (differentiable in ``params``) for rendering."""
    return BoundGaussians(
        local_means=params["local_means"],
        local_quats=params["local_quats"],
        log_scales=params["log_scales"],
        opacity_logits=params["opacity_logits"],
        sh=torch.cat([params["sh_dc"], params["sh_rest"]], dim=1),
        binding=extras["binding"],
    )


def detached_bound(params: Params, extras: Rows) -> BoundGaussians:
    b = to_bound(params, extras)
    return BoundGaussians(**{k: v.detach() for k, v in b.tensors().items()})


def make_optimizer(params: Params, cfg: OptimConfig, extent: float) -> torch.optim.Adam:
    lrs = {
        "local_means": cfg.position_lr_init * extent,
        "local_quats": cfg.rotation_lr,
        "log_scales": cfg.scaling_lr,
        "opacity_logits": cfg.opacity_lr,
        "sh_dc": cfg.features_lr,
        "sh_rest": cfg.features_lr / cfg.rest_divisor,
    }
    groups = [{"params": [params[n]], "lr": lrs[n], "name": n} for n in PARAM_NAMES]
    return torch.optim.Adam(groups, lr=0.0, eps=1e-15)


def position_lr(step: int, total_steps: int, cfg: OptimConfig, extent: float) -> float:
    """Log-linear decay from ``position_lr_init`` to ``position_lr_final`` (x extent) over the budget."""
    t = min(max(step / max(total_steps, 1), 0.0), 1.0)
    log_lr = (1 - t) * math.log(cfg.position_lr_init) + t * math.log(cfg.position_lr_final)
    return math.exp(log_lr) * extent


def set_position_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        if group.get("name") == "local_means":
            group["lr"] = lr


def regularisers(
    params: Params, visible: Tensor, xyz_threshold: float, scale_threshold: float
) -> tuple[Tensor, Tensor]:
    """GaussianAvatars' local-space regularisers over visible Gaussians: (position, scale) terms.

    position: mean of relu(|local mean| - threshold); scale: mean norm of relu(exp(log scale) - threshold).
    """
    if not bool(visible.any()):
        zero = params["local_means"].sum() * 0.0
        return zero, zero
    xyz = torch.relu(params["local_means"][visible].norm(dim=-1) - xyz_threshold).mean()
    scale = torch.relu(torch.exp(params["log_scales"][visible]) - scale_threshold).norm(dim=-1).mean()
    return xyz, scale
