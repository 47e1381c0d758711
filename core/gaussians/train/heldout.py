"""Held-out quality while a Gaussian run trains: a few frames, so the curve costs little.

The full evaluation (every held-out frame, LPIPS, render speed) runs once at the end of training
(`core.gaussians.train.evaluate`); this gives the training panel a PSNR/SSIM curve on its way there.
"""

from __future__ import annotations

import statistics

from core.gaussians.train.state import TrainState
from core.gaussians.train.step import StepSetup, masked_target, render_sample
from core.metrics.psnr import psnr
from core.metrics.ssim import ssim

QUICK_FRAMES = 4  # the first held-out frames: the same ones at every evaluation, so points compare


def quick_scores(st: TrainState, setup: StepSetup, frames: int = QUICK_FRAMES) -> dict[str, float]:
    """Mean PSNR (dB) and SSIM of the current Gaussians over the first `frames` held-out samples."""
    data, device, background = setup.data, setup.device, setup.cfg.data.background
    psnrs, ssims = [], []
    for sample in [int(f) for f in data.test_ids][:frames]:
        image = render_sample(st, setup, sample).image.clamp(0.0, 1.0)
        target = masked_target(data, sample, data.camera_of(sample).to(device), background, device)
        psnrs.append(psnr(image, target))
        ssims.append(ssim(image, target))
    return {"psnr": statistics.fmean(psnrs), "ssim": statistics.fmean(ssims)}


def position_learning_rate(st: TrainState) -> float:
    """The learning rate of the Gaussians' positions now (the schedule the run follows)."""
    return next(float(g["lr"]) for g in st.optimizer.param_groups if g.get("name") == "local_means")
