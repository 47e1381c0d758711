"""The project's differentiable Gaussian rasterizer in plain PyTorch (the CPU backend).

Pipeline (:mod:`pipeline`): EWA projection -> SH colours -> tile binning -> per-tile compositing.
This is the portable backend (any device) and the reference the fused C++ one (:mod:`native`) is
tested against.

Tile binning: every visible Gaussian is listed in each ``tile_size`` x ``tile_size`` tile that its
bounding box touches and whose pixel-centre rectangle it can reach with ``alpha >= alpha_min``; the
list is sorted by (tile, depth). Binning is exact, so the tile size only changes speed (8 is the
fastest here). Compositing is vectorised over all busy tiles at once, ``depth_chunk`` Gaussians
deep per step: ``log alpha`` for the whole [tiles, Gaussians, pixels] block is one matrix product
(a quadratic in the pixel offsets from the tile centre), and the front-to-back transmittance is a
``cumprod`` along the depth axis carried from step to step. Because the transmittance only
decreases, the "stop when it would fall to ``transmittance_min``" rule (see :mod:`base`) selects a
prefix of the depth-sorted list, so masking by ``transmittance > transmittance_min`` reproduces
the sequential early termination exactly; tiles whose pixels have all terminated leave the loop.
Forward-only calls (no autograd) run an in-place variant; otherwise autograd gives the backward.

Performance note: on a busy machine, set ``OMP_WAIT_POLICY=PASSIVE`` before starting Python;
spinning OpenMP workers otherwise slow the many medium-sized ops several-fold.
"""

from __future__ import annotations

import math
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor

from core.gaussians.camera import Camera
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions, RenderOutput
from core.gaussians.render.pipeline import render_with

MAX_BLOCK = 1 << 22  # padded pixel-Gaussian pairs evaluated per step
DEPTH_CHUNK = 32  # Gaussians per tile composited per step (early exit is checked between steps)
_LOG_ZERO = -1e4  # log-opacity of padding slots (alpha = 0)
_LOG_FLOOR = -80.0  # log-alpha floor: exp(-80) ~ 2e-35 is far below alpha_min yet not subnormal


def render(
    gaussians: GaussiansWorld,
    camera: Camera,
    options: RenderOptions | None = None,
    depth_chunk: int = DEPTH_CHUNK,
) -> RenderOutput:
    """Render ``gaussians`` into ``camera`` on the device the tensors live on.

    >>> from core.gaussians.camera import intrinsics
    >>> g = GaussiansWorld(torch.tensor([[0.0, 0.0, 2.0]]), torch.tensor([[1.0, 0, 0, 0]]),
    ...                    torch.full((1, 3), 0.1), torch.tensor([0.9]), torch.zeros(1, 1, 3))
    >>> cam = Camera(torch.eye(4), intrinsics(32.0, 32.0, 16.0, 16.0), 32, 32)
    >>> out = render(g, cam)
    >>> tuple(out.colors.shape), tuple(out.alphas.shape)
    ((32, 32, 3), (32, 32, 1))
    """
    return render_with(gaussians, camera, options, partial(composite, depth_chunk=depth_chunk), "torch")


def bin_tiles(
    means2d: Tensor,
    conics: Tensor,
    opacities: Tensor,
    radii: Tensor,
    depths: Tensor,
    tile_size: int,
    tiles_x: int,
    tiles_y: int,
    alpha_min: float,
) -> tuple[Tensor, Tensor]:
    """Gaussian-tile intersections sorted by (tile, depth): ``(tile_ids [M], gaussian_ids [M])``.

    Candidates come from each Gaussian's bounding box; a candidate is dropped when no point of the
    tile's pixel-centre rectangle reaches ``alpha_min`` (exact minimum of the quadratic form over
    the rectangle), which trims the box corners and most tiles of elongated splats.
    """
    with torch.no_grad():
        visible = (radii > 0).all(dim=-1)
        ids = torch.nonzero(visible).squeeze(1)
        if ids.numel() == 0:
            empty = torch.zeros(0, dtype=torch.long, device=means2d.device)
            return empty, empty
        ids = ids[torch.argsort(depths[ids], stable=True)]  # front to back
        m, r = means2d[ids], radii[ids].to(means2d.dtype)
        x0 = torch.floor((m[:, 0] - r[:, 0]) / tile_size).clamp(0, tiles_x).long()
        x1 = torch.ceil((m[:, 0] + r[:, 0]) / tile_size).clamp(0, tiles_x).long()
        y0 = torch.floor((m[:, 1] - r[:, 1]) / tile_size).clamp(0, tiles_y).long()
        y1 = torch.ceil((m[:, 1] + r[:, 1]) / tile_size).clamp(0, tiles_y).long()
        w, h = x1 - x0, y1 - y0
        n_tiles = w * h
        rank = torch.repeat_interleave(torch.arange(ids.numel(), device=ids.device), n_tiles)
        starts = torch.cumsum(n_tiles, 0) - n_tiles
        local = torch.arange(rank.numel(), device=ids.device) - starts[rank]
        tx = x0[rank] + local % w[rank]
        ty = y0[rank] + local // w[rank]
        g = ids[rank]
        budget = torch.log(opacities[g].clamp_min(1e-30)) - math.log(alpha_min) + 1e-4
        reach = _min_sigma_over_rect(m[rank], conics[g], tx, ty, tile_size) <= budget
        tile, rank = (ty * tiles_x + tx)[reach], rank[reach]
        order = torch.argsort(tile * ids.numel() + rank)  # unique keys: (tile, depth rank)
        return tile[order], ids[rank[order]]


def _min_sigma_over_rect(mean: Tensor, conic: Tensor, tx: Tensor, ty: Tensor, ts: int) -> Tensor:
    """Minimum of ``0.5 d^T conic d`` over each tile's pixel-centre rectangle [M]."""
    a, b, c = conic[:, 0], conic[:, 1], conic[:, 2]
    x_lo = tx.to(mean.dtype) * ts + 0.5 - mean[:, 0]
    y_lo = ty.to(mean.dtype) * ts + 0.5 - mean[:, 1]
    x_hi, y_hi = x_lo + (ts - 1), y_lo + (ts - 1)

    def q(dx: Tensor, dy: Tensor) -> Tensor:
        return 0.5 * (a * dx * dx + c * dy * dy) + b * dx * dy

    best = torch.where((x_lo <= 0) & (x_hi >= 0) & (y_lo <= 0) & (y_hi >= 0), 0.0, math.inf)
    for x in (x_lo, x_hi):  # vertical edges: minimise over y
        best = torch.minimum(best, q(x, torch.minimum(torch.maximum(-b * x / c, y_lo), y_hi)))
    for y in (y_lo, y_hi):  # horizontal edges: minimise over x
        best = torch.minimum(best, q(torch.minimum(torch.maximum(-b * y / a, x_lo), x_hi), y))
    return best


def composite(
    means2d: Tensor,
    conics: Tensor,
    opacities: Tensor,
    features: Tensor,
    depths: Tensor,
    radii: Tensor,
    width: int,
    height: int,
    comp: CompositeOptions,
    depth_chunk: int = DEPTH_CHUNK,
    max_block: int = MAX_BLOCK,
) -> tuple[Tensor, Tensor]:
    """Front-to-back compositing of screen-space Gaussians: (features [H, W, D], alphas [H, W, 1]).

    Busy tiles are processed together, ``depth_chunk`` Gaussians deep at a time; a tile leaves the
    loop when its list is exhausted or every one of its pixels has terminated (exact early exit).
    """
    ts = comp.tile_size
    tiles_x, tiles_y = math.ceil(width / ts), math.ceil(height / ts)
    n_px = ts * ts
    dev, dt = means2d.device, means2d.dtype
    D = features.shape[-1]
    tile_ids, gauss_ids = bin_tiles(
        means2d, conics, opacities, radii, depths, ts, tiles_x, tiles_y, comp.alpha_min
    )
    n_tiles_total = tiles_x * tiles_y
    counts = torch.bincount(tile_ids, minlength=n_tiles_total)
    offsets = torch.cumsum(counts, 0) - counts
    busy = torch.nonzero(counts).squeeze(1)
    busy = busy[torch.argsort(counts[busy], descending=True)]

    offs = torch.arange(ts, device=dev, dtype=dt) + 0.5 - ts / 2.0  # pixel centres from the tile centre
    v_off, u_off = (t.reshape(-1) for t in torch.meshgrid(offs, offs, indexing="ij"))  # row-major pixels
    basis = torch.stack([torch.ones_like(u_off), u_off, v_off, u_off * u_off, v_off * v_off, u_off * v_off])
    log_o = torch.log(opacities.clamp_min(1e-30))
    # one gather per step: [mean2d (2), conic (3), log opacity (1), features (D), 1 (for alpha)]
    table = torch.cat([means2d, conics, log_o[:, None], features, torch.ones_like(features[:, :1])], dim=-1)
    last = max(0, gauss_ids.numel() - 1)
    grid = torch.zeros(n_tiles_total, D + 1, n_px, dtype=dt, device=dev)
    group_size = max(1, max_block // (depth_chunk * n_px))
    for g0 in range(0, busy.numel(), group_size):
        tiles = busy[g0 : g0 + group_size]
        t_count, t_offset = counts[tiles], offsets[tiles]
        centers = torch.stack([(tiles % tiles_x) * ts, (tiles // tiles_x) * ts], dim=-1).to(dt) + ts / 2.0
        trans = torch.ones(tiles.numel(), n_px, dtype=dt, device=dev)
        done = torch.zeros(tiles.numel(), n_px, dtype=torch.bool, device=dev)
        acc = torch.zeros(tiles.numel(), D + 1, n_px, dtype=dt, device=dev)
        active = torch.arange(tiles.numel(), device=dev)
        for k0 in range(0, int(t_count[0]), depth_chunk):
            active = active[(t_count[active] > k0) & ~done[active].all(dim=1)]
            if active.numel() == 0:
                break
            slot = k0 + torch.arange(depth_chunk, device=dev)
            valid = slot[None, :] < t_count[active][:, None]  # [A, k]
            rows_g = table[gauss_ids[(t_offset[active][:, None] + slot[None, :]).clamp(max=last)]]
            logo = torch.where(valid, rows_g[..., 5], torch.full_like(rows_g[..., 5], _LOG_ZERO))
            part, trans_new, done_new = _composite_block(
                rows_g[..., 0:2],
                rows_g[..., 2:5],
                logo,
                rows_g[..., 6:],
                centers[active],
                basis,
                trans[active],
                done[active],
                comp,
            )
            acc = acc.index_add(0, active, part)
            trans = trans.index_copy(0, active, trans_new)
            done = done.index_copy(0, active, done_new)
        grid = grid.index_copy(0, tiles, acc)

    image = grid.reshape(tiles_y, tiles_x, D + 1, ts, ts).permute(0, 3, 1, 4, 2)
    image = image.reshape(tiles_y * ts, tiles_x * ts, D + 1)[:height, :width]
    return image[..., :D], image[..., D:]


def _composite_block(
    mean: Tensor,
    conic: Tensor,
    log_opac: Tensor,
    feat: Tensor,
    centers: Tensor,
    basis: Tensor,
    trans: Tensor,
    done: Tensor,
    comp: CompositeOptions,
) -> tuple[Tensor, Tensor, Tensor]:
    """Composite one padded block of depth-sorted Gaussians [T, K, ...] over tile pixels.

    ``centers`` [T, 2] are the tile centres, ``basis`` [6, P] the monomials ``1, u, v, u^2, v^2, uv``
    of the pixel-centre offsets from the tile centre; ``trans``/``done`` [T, P] the transmittance and
    termination flags carried in from nearer Gaussians. ``log alpha = log o - sigma`` is a quadratic
    in ``(u, v)``, so the whole [T, K, P] block comes out of one matrix product with per-(tile,
    Gaussian) coefficients (well conditioned because ``u, v`` are small). Returns (weighted
    features [T, D, P], new transmittance, new flags).
    """
    T, K = log_opac.shape
    m = mean[..., 0] - centers[:, None, 0]  # Gaussian centre relative to the tile centre [T, K]
    n = mean[..., 1] - centers[:, None, 1]
    a, b, c = conic.unbind(-1)
    coeffs = torch.stack(
        [
            log_opac - 0.5 * a * m * m - b * m * n - 0.5 * c * n * n,
            a * m + b * n,
            c * n + b * m,
            -0.5 * a,
            -0.5 * c,
            -b,
        ],
        dim=-1,
    )  # [T, K, 6]
    log_alpha = (coeffs.reshape(T * K, 6) @ basis).reshape(T, K, -1)
    log_alpha = log_alpha.clamp_(min=_LOG_FLOOR, max=math.log(comp.alpha_max))  # exp of a floor stays fast
    if torch.is_grad_enabled() and any(t.requires_grad for t in (mean, conic, log_opac, feat, trans)):
        alpha = torch.exp(log_alpha)
        alpha = torch.where(alpha >= comp.alpha_min, alpha, torch.zeros_like(alpha))
        out, trans_last = _CompositeFn.apply(alpha, feat, trans, done, comp.transmittance_min)
        return out, trans_last, done | (trans_last <= comp.transmittance_min)
    else:  # same arithmetic, in place (forward-only rendering allocates far less)
        # threshold_ keeps x > th: th is the number just below alpha_min in this dtype
        th = float(
            torch.nextafter(
                torch.tensor(comp.alpha_min, dtype=log_alpha.dtype),
                torch.tensor(-math.inf, dtype=log_alpha.dtype),
            )
        )
        weights = F.threshold_(log_alpha.exp_(), th, 0.0)
        one_minus = torch.sub(1.0, weights)
        one_minus[:, 0].mul_(trans)
        trans_after = one_minus.cumprod_(dim=1)
        weights[:, 1:].mul_(trans_after[:, :-1])
        weights[:, 0].mul_(trans)
        weights.masked_fill_(trans_after <= comp.transmittance_min, 0.0)
        if bool(done.any()):
            weights.masked_fill_(done[:, None, :], 0.0)
    done_new = done | (trans_after[:, -1] <= comp.transmittance_min)
    return feat.transpose(1, 2) @ weights, trans_after[:, -1], done_new  # [T, D, P]


class _CompositeFn(torch.autograd.Function):
    """Front-to-back compositing of one block with a hand-written backward.

    Forward: ``T_k = trans * prod_{j<k} (1 - a_j)``, ``w_k = a_k T_k keep_k``, ``out = sum_k w_k f_k``
    and ``trans_last = trans * prod_k (1 - a_k)``. Backward (``g = dL/dout``, ``fg_k = f_k . g``):
    ``dL/da_k = keep_k T_k fg_k - (sum_{j>k} w_j fg_j + dL/dtrans_last * trans_last) / (1 - a_k)``,
    ``dL/df_k = sum_p w_k g``, ``dL/dtrans = (sum_k w_k fg_k) / trans + dL/dtrans_last * prod (1 - a)``.
    Autograd through ``cumprod`` costs about twice as much (flips, divisions, copies).
    """

    @staticmethod
    def forward(
        ctx, alpha: Tensor, feat: Tensor, trans: Tensor, done: Tensor, t_min: float
    ) -> tuple[Tensor, Tensor]:
        prod = torch.cumprod(1.0 - alpha, dim=1)  # [T, K, P], relative to ``trans``
        t_before = torch.cat([torch.ones_like(prod[:, :1]), prod[:, :-1]], dim=1).mul_(trans[:, None, :])
        t_before.masked_fill_(prod.mul_(trans[:, None, :]) <= t_min, 0.0)  # 0 where not composited
        if bool(done.any()):
            t_before.masked_fill_(done[:, None, :], 0.0)
        trans_last = prod[:, -1].clone()
        ctx.save_for_backward(alpha, feat, trans, t_before, trans_last)
        return feat.transpose(1, 2) @ (alpha * t_before), trans_last

    @staticmethod
    def backward(ctx, g_out: Tensor, g_last: Tensor):  # type: ignore[override]
        alpha, feat, trans, t_before, trans_last = ctx.saved_tensors
        weights = alpha * t_before
        fg = feat @ g_out  # [T, K, P]
        g_feat = weights @ g_out.transpose(1, 2)  # [T, K, D]
        wfg = weights.mul_(fg)
        cum = torch.cumsum(wfg, dim=1)
        total = cum[:, -1]  # [T, P]
        tail = torch.sub(total[:, None, :], cum).add_((g_last * trans_last)[:, None, :])
        g_alpha = fg.mul_(t_before).sub_(tail.div_(torch.sub(1.0, alpha)))
        safe = trans.clamp_min(torch.finfo(trans.dtype).tiny)
        g_trans = torch.where(trans > 0, total / safe, torch.zeros_like(total))
        g_trans = g_trans + g_last * trans_last / safe
        return g_alpha, g_feat, g_trans, None, None
