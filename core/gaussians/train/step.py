"""One training step and the frame render it is built on (shared with evaluation and export).

Loss = l1 x L1 + dssim x D-SSIM (both weighted per pixel by the innovations' pixel weights)
     + GaussianAvatars' local position / scale regularisers
     + the loss terms of the switched-on innovations (colour calibration reg, contrastive,
       perceptual, temporal).
Innovations take part only through their hooks (:mod:`innovations.base`), called in registry
order with one :class:`StepInput`; the step has no branch per innovation. The rasterizer and the
photometric terms run in fp32; on CUDA the perceptual term runs under autocast (``Amp``), whose
gradient scaler (fp16 only) also drives the optimizer steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from core.gaussians.binding import BoundGaussians, bound_to_world, face_frames
from core.gaussians.camera import Camera
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, Renderer, RenderOptions, RenderOutput
from core.gaussians.train import params as gparams
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.image_losses import photometric_loss
from core.gaussians.train.innovations.base import Innovation, StepInput, pose_all, transform_all
from core.gaussians.train.masks import FACE_BIT
from core.gaussians.train.state import TrainState
from core.gaussians.train.strategies.base import StepContext, StepReport, Strategy
from core.train.amp import Amp


@dataclass
class Frame:
    image: Tensor  # [H, W, 3] render after the innovations' image transforms
    output: RenderOutput
    world: GaussiansWorld
    terms: dict[str, Tensor] = field(default_factory=dict)  # loss terms the transforms produced


@dataclass
class StepResult:
    frame: int  # the sample drawn (index into the data's images)
    size: tuple[int, int]
    losses: dict[str, float]
    report: StepReport
    image: Tensor = field(repr=False)
    target: Tensor = field(repr=False)


@dataclass(frozen=True)
class StepSetup:
    """What stays the same from step to step of one run."""

    cfg: GaussianConfig
    data: AvatarData
    renderer: Renderer
    strategy: Strategy
    total_steps: int
    amp: Amp
    device: torch.device


def current_sh_degree(step: int, cfg: GaussianConfig) -> int:
    return min(cfg.train.sh_degree, step // cfg.train.sh_increase_every)


def render_frame(
    bound: BoundGaussians,
    verts: Tensor,
    faces: Tensor,
    camera: Camera,
    renderer: Renderer,
    sh_degree: int,
    background: tuple[float, float, float],
    hooks: Sequence[Innovation] = (),
) -> Frame:
    """Render the bound Gaussians on the mesh ``verts`` [V, 3] into ``camera``; ``hooks`` transform it."""
    world = bound_to_world(bound, face_frames(verts, faces))
    options = RenderOptions(
        composite=CompositeOptions(background=background), sh_degree=sh_degree, render_depth=False
    )
    out = renderer.render(world, camera, options)
    image, terms = transform_all(hooks, out.colors)
    return Frame(image, out, world, terms)


def sample_verts(data: AvatarData, sample: int, hooks: Sequence[Innovation], device: torch.device) -> Tensor:
    """The mesh [V, 3] a sample shows, posed by the innovations (per-frame corrections)."""
    return pose_all(hooks, data.verts[data.mesh_of(sample)].to(device), data.frame_of(sample))


def masked_target(
    data: AvatarData,
    sample: int,
    camera: Camera,
    background: tuple[float, float, float],
    device: torch.device,
) -> Tensor:
    """The sample's crop at the camera's size with everything outside the face mask set to the background."""
    target = data.target(sample, device)
    if (camera.height, camera.width) != tuple(target.shape[:2]):
        target = torch.nn.functional.interpolate(
            target.permute(2, 0, 1)[None], size=(camera.height, camera.width), mode="area"
        )[0].permute(1, 2, 0)
    labels = data.labels(camera.width, camera.height)[sample].to(device)
    mask = (labels & FACE_BIT).bool()[..., None]
    bg = torch.tensor(background, device=device, dtype=target.dtype)
    return torch.where(mask, target, bg)


def render_sample(st: TrainState, setup: StepSetup, sample: int) -> Frame:
    """The current avatar's render of a data sample (the preview of the trainer), without gradients."""
    data, device = setup.data, setup.device
    with torch.no_grad():
        return render_frame(
            gparams.detached_bound(st.params, st.extras),
            sample_verts(data, sample, st.innovations, device),
            data.faces.to(device),
            data.camera_of(sample).to(device),
            setup.renderer,
            current_sh_degree(st.step, setup.cfg),
            setup.cfg.data.background,
            st.innovations,
        )


# The columns of `preview_image`, left to right (sent with it as Preview.columns)
HELDOUT_PREVIEW_COLUMNS = ("held-out target (masked)", "render")


def preview_image(st: TrainState, setup: StepSetup) -> np.ndarray:
    """uint8 [R, 2R, 3]: the first held-out sample's masked target | the current render."""
    data, device, sample = setup.data, setup.device, int(setup.data.test_ids[0])
    fr = render_sample(st, setup, sample)
    camera = data.camera_of(sample).to(device)
    target = masked_target(data, sample, camera, setup.cfg.data.background, device)
    pair = torch.cat([target, fr.image.clamp(0, 1)], dim=1)
    return (pair.cpu().numpy() * 255.0 + 0.5).astype(np.uint8)


def train_step(st: TrainState, setup: StepSetup) -> StepResult:
    """Draw a random training sample, render, compute the loss, step every optimizer, densify."""
    cfg, data, device, hooks = setup.cfg, setup.data, setup.device, st.innovations
    lc, bg, step = cfg.loss, cfg.data.background, st.step
    sample = int(data.train_ids[int(torch.randint(len(data.train_ids), (1,), generator=st.sampler))])
    w, h = data.resolution, data.resolution
    for inn in hooks:
        w, h = inn.render_size(step, setup.total_steps, w, h)
    camera = data.camera_of(sample).scaled(w, h).to(device)
    inp = StepInput(
        step,
        setup.total_steps,
        sample,
        data,
        device,
        setup.amp,
        camera,
        masked_target(data, sample, camera, bg, device),
    )
    gparams.set_position_lr(
        st.optimizer, gparams.position_lr(step, setup.total_steps, cfg.optim, data.extent)
    )
    fr = render_frame(
        gparams.to_bound(st.params, st.extras),
        sample_verts(data, sample, hooks, device),
        data.faces.to(device),
        camera,
        setup.renderer,
        current_sh_degree(step, cfg),
        bg,
        hooks,
    )
    inp.image, inp.output = fr.image, fr.output
    weights = None
    for inn in hooks:
        wi = inn.pixel_weights(inp)
        if wi is not None:
            weights = wi if weights is None else weights * wi
    losses: dict[str, Tensor] = {
        "photometric": photometric_loss(fr.image, inp.target, lc.l1, lc.dssim, weights)
    }
    visible = (fr.output.meta["radii"] > 0).reshape(st.count, -1).all(dim=-1)
    xyz, scl = gparams.regularisers(st.params, visible, lc.xyz_threshold, lc.scale_threshold)
    losses["xyz_reg"], losses["scale_reg"] = lc.xyz_weight * xyz, lc.scale_weight * scl
    losses.update(fr.terms)
    for inn in hooks:
        losses.update(inn.losses(inp))
    loss = torch.stack(list(losses.values())).sum()
    ctx = StepContext(
        step=step,
        params=st.params,
        optimizers=[st.optimizer],
        extras=st.extras,
        meta=fr.output.meta,
        world_scales=fr.world.scales.detach(),
        width=w,
        height=h,
        scene_extent=data.extent,
        generator=st.splitter,
    )
    for inn in hooks:
        inn.refine_context(ctx)
    setup.strategy.step_pre_backward(ctx, st.strategy_state)
    setup.amp.backward(loss)
    means2d = fr.output.meta["means2d"]
    if setup.amp.scaler is not None and means2d.grad is not None:
        means2d.grad /= setup.amp.scaler.get_scale()
    for opt in st.all_optimizers():
        setup.amp.step(opt)
    st.zero_grad()
    report = setup.strategy.step_post_backward(ctx, st.strategy_state)
    for inn in hooks:
        inn.after_step(inp)
    st.step += 1
    values = {k: float(v.detach()) for k, v in losses.items()}
    values["loss"] = float(loss.detach())
    return StepResult(sample, (w, h), values, report, fr.image.detach(), inp.target)
