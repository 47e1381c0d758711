"""Route (c): the prior fine-tuned on other speakers' clips, and its leave-one-speaker-out row."""

from __future__ import annotations

import json
import math

import numpy as np
import torch

from core.face.mouth_metrics import mouth_opening, mouth_width
from core.metrics.correlation import pearson
from core.mouth.data import load_prepared
from core.mouth.model import Audio2Mouth
from core.mouth.prior.build import _loss
from core.mouth.prior.evaluation import ClipCase, evaluate
from core.mouth.prior.model import AudioPrior, load_prior
from core.mouth.prior.pooled import PoolConfig, clip_targets, clip_tensors, pool_prior
from studio.cli.main import main
from tests.core.mouth.conftest import variant_clip


def _tiny_prior() -> AudioPrior:
    """A small random prior with the shipped one's features and network shape, narrower."""
    shipped = load_prior()
    torch.manual_seed(0)
    cfg = shipped.net.cfg.model_copy(update={"input_hidden": 16, "lstm_hidden": 16, "mlp_hidden": 8})
    return AudioPrior(Audio2Mouth(cfg).eval(), shipped.fbank, {"tiny": True})


def test_clip_targets_follow_the_tracked_mouth(demo_clip):
    clip = load_prepared(demo_clip)
    valid = clip.valid.copy()
    valid[10:13] = False  # untracked frames take their nearest tracked neighbour's targets
    t = clip_targets(clip.landmarks, valid)
    assert t.shape == (clip.n_frames, 3) and t.dtype == np.float32
    assert (t[:, 0] >= 0).all() and (t[:, 0] <= 1.2).all() and (t[:, 1:] >= 0).all() and (t[:, 1:] <= 1).all()
    assert not ((t[:, 1] > 0) & (t[:, 2] > 0)).any()  # a mouth is rounded or spread, not both
    ok = valid
    assert pearson(t[ok, 0], mouth_opening(clip.landmarks[ok])) > 0.95
    assert pearson(t[ok, 2] - t[ok, 1], mouth_width(clip.landmarks[ok])) > 0.9
    np.testing.assert_array_equal(t[10], t[9])
    np.testing.assert_array_equal(t[12], t[13])


def test_pool_prior_learns_the_clips_and_leaves_the_input_prior_as_it_was(demo_clip):
    clip = load_prepared(demo_clip)
    prior = _tiny_prior()
    before = {k: v.clone() for k, v in prior.net.state_dict().items()}
    x, y = clip_tensors(clip, prior.fbank, prior.net.cfg.lookahead)
    pooled = pool_prior(prior, [clip], PoolConfig(steps=40, lr=3e-3, batch=8, window=40, align_lag=0))
    with torch.no_grad():
        loss_before = float(_loss(prior.net, x[None], y[None]))
        loss_after = float(_loss(pooled.net, x[None], y[None]))
    assert loss_after < 0.8 * loss_before, (loss_before, loss_after)
    for k, v in prior.net.state_dict().items():
        assert torch.equal(v, before[k]), k
    assert pooled.info["pooled"]["clips"] == ["demo"] and pooled.info["tiny"]
    assert pooled.predict(clip.audio, clip.fps, clip.n_frames).shape == (clip.n_frames, 3)


def test_pooled_row_is_the_prior_row_when_the_pooled_prior_is_the_prior(demo_clip):
    prior = load_prior()
    res = evaluate([ClipCase(demo_clip, "x")], prior, pooled={"x": prior})
    clip = res["clips"]["demo"]
    for split in ("all", "kfold", "holdout"):
        for key in ("mouth_r", "lmd_px", "silence_ratio"):
            assert clip[split]["pooled"][key] == clip[split]["prior"][key], (split, key)
    assert "pooled" not in evaluate([ClipCase(demo_clip, "x")], prior)["clips"]["demo"]["all"]


def test_eval_audio_pools_every_other_speaker_with_speech_and_never_the_held_out_one(demo_clip, tmp_path):
    clip = load_prepared(demo_clip)
    other = variant_clip(demo_clip, tmp_path / "other", clip.audio[::-1].copy())
    silent = variant_clip(demo_clip, tmp_path / "quiet", np.zeros_like(clip.audio))
    out = tmp_path / "eval.json"
    clips = [a for p in (demo_clip, other, silent) for a in ("--clip", str(p))]
    speakers = ["--speaker", "demo=x", "--speaker", "other=y", "--speaker", "quiet=z"]
    assert main(["eval-audio", *clips, *speakers, "--pool-steps", "2", "--json", str(out), "--quiet"]) == 0
    result = json.loads(out.read_text())
    pools = result["settings"]["pool"]["pools"]
    assert pools == {"x": ["other"], "y": ["demo"]}  # the silent clip is in no pool and gets none
    for name in ("demo", "other"):
        assert math.isfinite(result["clips"][name]["all"]["pooled"]["mouth_r"])
    assert "pooled" not in result["clips"]["quiet"]["all"]
    assert main(["eval-audio", "--clip", str(demo_clip), "--pool-steps", "-1", "--quiet"]) == 2
