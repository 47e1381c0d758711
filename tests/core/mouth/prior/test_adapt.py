"""The prior's channels mapped into a user's mouth space, and folded into the network exactly."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.face.mouth_metrics import mouth_opening
from core.face.prepared import PreparedClip
from core.mouth.model import Audio2Mouth, NetConfig, predict_offline
from core.mouth.prior.adapt import adapt, adapt_timed, apply_map, calibrate, fold, shifted
from core.mouth.space import MouthSpace


def test_fold_equals_mapping_the_outputs():
    torch.manual_seed(0)
    net = Audio2Mouth(
        NetConfig(num_bins=8, k=3, input_hidden=16, lstm_hidden=16, mlp_hidden=8), torch.rand(3) + 0.5
    )
    net.eval()
    mapping = np.random.default_rng(0).standard_normal((4, 6))
    x = torch.randn(1, 30, 16)
    with torch.no_grad():
        art = net(x)[0][0].numpy()
        folded = fold(net, mapping)(x)[0][0].numpy()
    assert folded.shape == (30, 6)
    np.testing.assert_allclose(folded, apply_map(art, mapping), atol=1e-4)


def test_calibration_from_landmarks_opens_the_mouth(demo_clip):
    clip = PreparedClip.load(demo_clip)
    lm = np.asarray(clip.landmarks, np.float64)
    space = MouthSpace.fit(lm, 6)
    mapping = calibrate(space, lm)
    coeffs = apply_map(np.array([[0.0, 0, 0], [1.0, 0, 0]]), mapping)
    pose = space.pose(lm[:2])
    pred = np.array(lm[:2], copy=True)
    pred[:, space.vertices] = space.to_image(space.decode(coeffs), pose)
    closed, wide = mouth_opening(pred)
    measured = mouth_opening(lm)
    assert wide > closed + 0.5 * (np.percentile(measured, 95) - np.percentile(measured, 5))


def test_adapt_recovers_a_linear_map_and_leans_on_the_prior_with_few_frames():
    rng = np.random.default_rng(1)
    truth = rng.standard_normal((4, 6))
    art = rng.uniform(0, 1, (400, 3))
    coeffs = apply_map(art, truth) + 0.01 * rng.standard_normal((400, 6))
    np.testing.assert_allclose(adapt(art, coeffs, np.zeros((4, 6)), ridge=0.0), truth, atol=0.02)
    prior = truth + 0.5
    few = adapt(art[:3], coeffs[:3], prior, ridge=1.0)  # 3 frames cannot pin 4 x 6 numbers
    assert (
        np.isfinite(few).all() and np.abs(few[:3] - prior[:3]).mean() < np.abs(truth[:3] - prior[:3]).mean()
    )


def test_calibration_with_the_priors_output_matches_the_mean_mouth(demo_clip):
    clip = PreparedClip.load(demo_clip)
    lm = np.asarray(clip.landmarks, np.float64)
    space = MouthSpace.fit(lm, 6)
    art = np.random.default_rng(0).uniform(0, 1, (clip.frame_count, 3))
    mapping = calibrate(space, lm, art)
    np.testing.assert_allclose(apply_map(art, mapping).mean(axis=0), space.encode(lm).mean(axis=0), atol=1e-3)
    same_shape = calibrate(space, lm)
    np.testing.assert_allclose(mapping[:3], same_shape[:3])  # only the offset moves


def test_fold_with_a_shift_moves_the_output_through_the_lookahead():
    torch.manual_seed(0)
    net = Audio2Mouth(NetConfig(num_bins=8, k=3, input_hidden=16, lstm_hidden=16, mlp_hidden=8)).eval()
    mapping = np.random.default_rng(0).standard_normal((4, 6))
    n = 30
    x = torch.randn(n + 3, 16)
    with torch.no_grad():
        art = predict_offline(net, x).numpy()  # lookahead 2: frames 0..n
        later = predict_offline(fold(net, mapping, shift=1), x).numpy()  # lookahead 3: frames 0..n-1
        earlier = predict_offline(fold(net, mapping, shift=-2), x[: n + 2]).numpy()
    assert later.shape == (n, 6) and fold(net, mapping, 1).cfg.lookahead == 3
    np.testing.assert_allclose(later, apply_map(art[1:], mapping), atol=1e-4)  # frame t shows prior[t + 1]
    np.testing.assert_allclose(earlier[2:n], apply_map(art[: n - 2], mapping), atol=1e-4)
    with pytest.raises(ValueError, match="lookahead"):
        fold(net, mapping, shift=3)


def test_adapt_timed_finds_how_late_the_prior_is(demo_clip):
    clip = PreparedClip.load(demo_clip)
    lm = np.asarray(clip.landmarks, np.float64)
    space = MouthSpace.fit(lm, 6)
    coeffs = space.encode(lm)
    on_time = (coeffs[:, :3] - coeffs[:, :3].mean(axis=0)) / coeffs[:, :3].std(axis=0)
    frames = np.arange(10, len(lm) - 10)
    for late in (-2, 0, 1, 2):
        art = shifted(on_time, -late)  # the prior's frame t shows the mouth of frame t - late
        shift, mapping = adapt_timed(space, [art], [frames], [lm[frames]])
        assert shift == late and mapping.shape == (4, 6) and np.isfinite(mapping).all()
