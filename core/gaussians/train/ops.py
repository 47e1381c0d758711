"""Operations that change the Gaussian parameters and the optimizer state together.

The trainable Gaussians are a dict of ``nn.Parameter`` whose first dimension is the Gaussian
index, named after :class:`core.gaussians.binding.BoundGaussians`: ``local_means`` [N,3],
``local_quats`` [N,4], ``log_scales`` [N,3], ``opacity_logits`` [N], and the SH colour split in
``sh_dc`` [N,1,3] and ``sh_rest`` [N,K-1,3] (separate learning rates).
Per-Gaussian tensors that are not trained (``binding`` [N] triangle ids) and the strategy's
running statistics live in plain dicts passed alongside; every op keeps all of them aligned.

Each parameter must sit alone in one optimizer param group (per-parameter Adam groups), so an
op can swap the tensor in place of the old one and carry its Adam moments (new rows get zeros).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from core.gaussians.rotations import quat_to_rotmat

Params = dict[str, nn.Parameter]
Rows = dict[str, Tensor]  # non-trained per-Gaussian tensors (binding) or strategy statistics


def _swap(
    params: Params,
    optimizers: list[torch.optim.Optimizer],
    name: str,
    param_fn: Callable[[Tensor], Tensor],
    moment_fn: Callable[[Tensor], Tensor],
) -> None:
    old = params[name]
    new = nn.Parameter(param_fn(old.detach()), requires_grad=old.requires_grad)
    for opt in optimizers:
        for group in opt.param_groups:
            for i, p in enumerate(group["params"]):
                if p is old:
                    state = opt.state.pop(old, None)
                    if state:
                        state = {
                            k: (
                                moment_fn(v)
                                if torch.is_tensor(v) and v.dim() > 0 and v.shape[0] == old.shape[0]
                                else v
                            )
                            for k, v in state.items()
                        }
                        opt.state[new] = state
                    group["params"][i] = new
    params[name] = new


def _rows(rows: Rows, fn: Callable[[Tensor], Tensor]) -> None:
    for k, v in list(rows.items()):
        rows[k] = fn(v)


def count(params: Params) -> int:
    return int(next(iter(params.values())).shape[0])


def append(
    params: Params,
    optimizers: list[torch.optim.Optimizer],
    new: dict[str, Tensor],
    extras: Rows,
    new_extras: Rows,
    state: Rows,
) -> None:
    """Append Gaussians (``new`` holds a tensor per parameter); Adam moments and statistics start at 0."""
    for name in params:
        add = new[name].to(params[name].dtype)
        _swap(
            params,
            optimizers,
            name,
            lambda p, a=add: torch.cat([p, a]),
            lambda m, a=add: torch.cat([m, torch.zeros_like(a)]),
        )
    for k in extras:
        extras[k] = torch.cat([extras[k], new_extras[k].to(extras[k].dtype)])
    n_new = int(next(iter(new.values())).shape[0])
    _rows(state, lambda v: torch.cat([v, torch.zeros((n_new, *v.shape[1:]), dtype=v.dtype, device=v.device)]))


def remove(
    params: Params, optimizers: list[torch.optim.Optimizer], mask: Tensor, extras: Rows, state: Rows
) -> None:
    """Drop the Gaussians where ``mask`` [N] is True, everywhere."""
    keep = ~mask
    for name in params:
        _swap(params, optimizers, name, lambda p: p[keep], lambda m: m[keep])
    _rows(extras, lambda v: v[keep])
    _rows(state, lambda v: v[keep])


def duplicate(
    params: Params, optimizers: list[torch.optim.Optimizer], mask: Tensor, extras: Rows, state: Rows
) -> None:
    """Clone the selected Gaussians (same local parameters, same triangle)."""
    new = {k: v.detach()[mask] for k, v in params.items()}
    append(params, optimizers, new, extras, {k: v[mask] for k, v in extras.items()}, state)


def split(
    params: Params,
    optimizers: list[torch.optim.Optimizer],
    mask: Tensor,
    extras: Rows,
    state: Rows,
    generator: torch.Generator | None = None,
    n: int = 2,
) -> None:
    """Replace each selected Gaussian by ``n`` samples of its own distribution, scaled by 1/(0.8 n).

    Sampling happens in the triangle's local frame (positions and scales are local), so the binding
    of every child is its parent's.
    """
    sel = {k: v.detach()[mask] for k, v in params.items()}
    scales = torch.exp(sel["log_scales"]).repeat(n, 1)
    noise = torch.randn(scales.shape, generator=generator, device=scales.device, dtype=scales.dtype)
    offsets = (quat_to_rotmat(sel["local_quats"]).repeat(n, 1, 1) @ (noise * scales)[..., None])[..., 0]
    new = {k: v.repeat(n, *([1] * (v.dim() - 1))) for k, v in sel.items()}
    new["local_means"] = new["local_means"] + offsets
    new["log_scales"] = torch.log(scales / (0.8 * n))
    new_extras = {k: v[mask].repeat(n) if v.dim() == 1 else v[mask].repeat(n, 1) for k, v in extras.items()}
    n_before = count(params)
    append(params, optimizers, new, extras, new_extras, state)
    drop = torch.zeros(count(params), dtype=torch.bool, device=mask.device)
    drop[:n_before] = mask
    remove(params, optimizers, drop, extras, state)


def reset_opacity(params: Params, optimizers: list[torch.optim.Optimizer], value: float) -> None:
    """Clamp every opacity to at most ``value`` and zero the opacity's Adam moments."""
    limit = torch.logit(torch.tensor(value)).item()
    _swap(params, optimizers, "opacity_logits", lambda p: p.clamp(max=limit), torch.zeros_like)


def last_of_triangle(prune: Tensor, binding: Tensor, opacity: Tensor) -> Tensor:
    """``prune`` [N] with, for every triangle that would lose all its Gaussians, the most opaque one kept."""
    if not bool(prune.any()):
        return prune
    n_tri = int(binding.max()) + 1
    survivors = torch.bincount(binding[~prune], minlength=n_tri)
    orphan = (survivors == 0)[binding] & prune  # pruned Gaussians of triangles left empty
    idx = torch.nonzero(orphan).squeeze(1)
    if idx.numel() == 0:
        return prune
    idx = idx[torch.argsort(opacity[idx], descending=True, stable=True)]
    idx = idx[torch.argsort(binding[idx], stable=True)]  # grouped by triangle, most opaque first
    tri = binding[idx]
    first = torch.ones_like(tri, dtype=torch.bool)
    first[1:] = tri[1:] != tri[:-1]
    out = prune.clone()
    out[idx[first]] = False
    return out
