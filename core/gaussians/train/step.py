"""One training step and the frame render it is built on (shared with evaluation and export).

Loss = l1 x L1 + dssim x D-SSIM (both weighted per pixel by the region map when on)
     + GaussianAvatars' local position / scale regularisers
     + the switched-on innovations (colour calibration reg, contrastive, perceptual, temporal).
The rasterizer and the photometric terms run in fp32; on CUDA the VGG19 perceptual term runs
under autocast (``Amp``), whose gradient scaler (fp16 only) also drives the optimizer steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor

from core.gaussians.binding import BoundGaussians, bound_to_world, face_frames
from core.gaussians.camera import Camera
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, Renderer, RenderOptions, RenderOutput
from core.gaussians.train import params as gparams
from core.gaussians.train.config import GaussianConfig
from core.gaussians.train.data import AvatarData
from core.gaussians.train.image_losses import photometric_loss
from core.gaussians.train.innovations import contrastive, progressive, region_weights
from core.gaussians.train.innovations.color_calibration import ColorCalibration
from core.gaussians.train.innovations.perceptual import perceptual_loss
from core.gaussians.train.innovations.temporal import MeshCorrections, temporal_loss
from core.gaussians.train.state import TrainState
from core.gaussians.train.strategies.base import StepContext, StepReport, Strategy
from core.losses.perceptual import PerceptualLoss
from core.train.amp import Amp


@dataclass
class Frame:
    image: Tensor  # [H, W, 3] calibrated render
    output: RenderOutput
    world: GaussiansWorld
    correction: Tensor  # colour calibration's mean squared correction (0 when off)


@dataclass
class StepResult:
    frame: int
    size: tuple[int, int]
    losses: dict[str, float]
    report: StepReport
    image: Tensor = field(repr=False)
    target: Tensor = field(repr=False)


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
    calibration: ColorCalibration | None = None,
) -> Frame:
    """Render the bound Gaussians on the mesh ``verts`` [V, 3] into ``camera``."""
    world = bound_to_world(bound, face_frames(verts, faces))
    options = RenderOptions(
        composite=CompositeOptions(background=background), sh_degree=sh_degree, render_depth=False
    )
    out = renderer.render(world, camera, options)
    image, correction = out.colors, out.colors.new_zeros(())
    if calibration is not None:
        image, correction = calibration(image)
    return Frame(image, out, world, correction)


def frame_verts(
    data: AvatarData, frame: int, corrections: MeshCorrections | None, device: torch.device
) -> Tensor:
    verts = data.verts[frame].to(device)
    return corrections(verts, frame) if corrections is not None else verts


def masked_target(
    data: AvatarData, frame: int, camera: Camera, background: tuple[float, float, float], device: torch.device
) -> Tensor:
    """The frame's crop at the camera's size with everything outside the face mask set to the background."""
    target = data.target(frame, device)
    if (camera.height, camera.width) != tuple(target.shape[:2]):
        target = F.interpolate(target.permute(2, 0, 1)[None], size=(camera.height, camera.width), mode="area")
        target = target[0].permute(1, 2, 0)
    mask = torch.from_numpy(data.face_mask(frame, camera)).to(device)[..., None]
    bg = torch.tensor(background, device=device, dtype=target.dtype)
    return torch.where(mask, target, bg)


def train_step(
    st: TrainState,
    data: AvatarData,
    cfg: GaussianConfig,
    renderer: Renderer,
    strategy: Strategy,
    total_steps: int,
    amp: Amp,
    device: torch.device,
    region_tris: Tensor | None,
    perceptual: PerceptualLoss | None = None,
) -> StepResult:
    """Draw a random training frame, render, compute the loss, step every optimizer, densify."""
    inn, lc, bg = cfg.innovations, cfg.loss, cfg.data.background
    step = st.step
    frame = int(data.train_ids[int(torch.randint(len(data.train_ids), (1,), generator=st.sampler))])
    scale = progressive.scale_at(step, total_steps, inn.progressive)
    w, h = progressive.scaled_size(data.resolution, data.resolution, scale)
    camera = progressive.scale_camera(data.camera, w, h).to(device)
    target = masked_target(data, frame, camera, bg, device)
    weights = None
    if inn.region_weights.enabled:
        rw = inn.region_weights
        weights = region_weights.weight_tensor(
            data.uv(frame, camera),
            data.faces.numpy(),
            {"eyes": rw.eyes, "mouth": rw.mouth, "nose": rw.nose},
            h,
            w,
            device,
        )
    gparams.set_position_lr(st.optimizer, gparams.position_lr(step, total_steps, cfg.optim, data.extent))
    verts = frame_verts(data, frame, st.corrections, device)
    fr = render_frame(
        gparams.to_bound(st.params, st.extras),
        verts,
        data.faces.to(device),
        camera,
        renderer,
        current_sh_degree(step, cfg),
        bg,
        st.calibration,
    )
    losses: dict[str, Tensor] = {"photometric": photometric_loss(fr.image, target, lc.l1, lc.dssim, weights)}
    visible = (fr.output.meta["radii"] > 0).reshape(st.count, -1).all(dim=-1)
    xyz, scl = gparams.regularisers(st.params, visible, lc.xyz_threshold, lc.scale_threshold)
    losses["xyz_reg"], losses["scale_reg"] = lc.xyz_weight * xyz, lc.scale_weight * scl
    if st.calibration is not None:
        losses["calibration_reg"] = inn.color_calibration.reg * fr.correction
    if inn.contrastive.enabled:
        c = inn.contrastive
        losses["contrastive"] = contrastive.contrastive_loss(fr.image, st.contrastive_cache, c.pool, c.weight)
    if perceptual is not None:
        with amp.autocast():
            losses["perceptual"] = perceptual_loss(
                perceptual, fr.image, target, inn.perceptual.weight
            ).float()
    if st.corrections is not None and inn.temporal.enabled:
        losses["temporal"] = temporal_loss(
            st.corrections.params, data.train_ids.to(device), inn.temporal.weight
        )
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
        region_triangles=region_tris,
        generator=st.splitter,
    )
    strategy.step_pre_backward(ctx, st.strategy_state)
    amp.backward(loss)
    means2d = fr.output.meta["means2d"]
    if amp.scaler is not None and means2d.grad is not None:
        means2d.grad /= amp.scaler.get_scale()
    for opt in st.all_optimizers():
        amp.step(opt)
    st.zero_grad()
    report = strategy.step_post_backward(ctx, st.strategy_state)
    if inn.contrastive.enabled:
        st.contrastive_cache = contrastive.push(
            st.contrastive_cache, fr.image, inn.contrastive.pool, inn.contrastive.cache_size
        )
    st.step += 1
    values = {k: float(v.detach()) for k, v in losses.items()}
    values["loss"] = float(loss.detach())
    return StepResult(frame, (w, h), values, report, fr.image.detach(), target)


def region_triangle_tensor(cfg: GaussianConfig, n_triangles: int, device: torch.device) -> Tensor | None:
    sem = cfg.innovations.semantic_densify
    if not sem.enabled:
        return None
    return torch.from_numpy(region_weights.region_triangle_mask(tuple(sem.regions), n_triangles)).to(device)
