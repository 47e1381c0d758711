"""espeak-ng speech with phoneme timings, the augmented corpus, and a tiny prior build round trip."""

from __future__ import annotations

import ctypes.util

import numpy as np
import pytest
import torch

from core.jobs.errors import BadInput
from core.mouth.prior.model import load_prior

needs_espeak = pytest.mark.skipif(
    ctypes.util.find_library("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng)",
)


@needs_espeak
def test_espeak_gives_audio_and_increasing_phoneme_times():
    from core.mouth.prior.espeak import Espeak

    utt = Espeak().speak("papa mama", "en+m3")
    assert utt.sample_rate > 8000 and len(utt.audio) > 0.3 * utt.sample_rate
    assert np.abs(utt.audio).max() > 0.05
    times = [t for _, t in utt.phones]
    assert times == sorted(times) and times[-1] <= len(utt.audio) / utt.sample_rate + 0.01
    assert {"p", "m"} <= {p for p, _ in utt.phones}
    with pytest.raises(BadInput, match="no voice"):
        Espeak().speak("x", "no-such-voice")


@needs_espeak
def test_corpus_samples_have_silence_closed_and_speech_open():
    from core.mouth.prior.corpus import make_sample
    from core.mouth.prior.espeak import Espeak

    tts, rng = Espeak(), np.random.default_rng(3)
    for _ in range(4):
        s = make_sample(tts, rng)
        assert 20 <= s.fps <= 30 and s.audio.dtype == np.float32 and np.abs(s.audio).max() <= 1
        assert abs(len(s.targets) - len(s.audio) / 16000 * s.fps) <= 1
        assert s.targets[0].max() < 0.05  # the lead-in pause is closed
        assert s.targets[:, 0].max() > 0.3  # vowels open


@needs_espeak
def test_tiny_build_saves_and_loads(tmp_path):
    from core.mouth.prior.build import PriorBuildConfig, build_prior, save_prior

    prior = build_prior(PriorBuildConfig(samples=6, steps=3, batch=4, window=20))
    path = tmp_path / "prior.pt"
    save_prior(prior, path)
    back = load_prior(path)
    assert back.net.cfg.k == 3 and back.info["samples"] == 6 and np.isfinite(back.info["val_loss"])
    for k, v in prior.net.state_dict().items():
        torch.testing.assert_close(back.net.state_dict()[k], v, rtol=1e-3, atol=1e-4)  # kept in fp16
    out = back.predict(np.zeros(16000, np.float32) + 1e-4, 25.0)
    assert out.shape == (25, 3) and np.isfinite(out).all()


def test_missing_or_foreign_prior_files_are_refused(tmp_path):
    with pytest.raises(BadInput, match="build it with"):
        load_prior(tmp_path / "nothing.pt")
    torch.save({"format": "something else"}, tmp_path / "other.pt")
    with pytest.raises(BadInput, match="not a version"):
        load_prior(tmp_path / "other.pt")


def test_shipped_prior_is_small_and_loads():
    from core.mouth.prior.model import DEFAULT_PATH

    assert DEFAULT_PATH.is_file() and DEFAULT_PATH.stat().st_size < 200_000
    prior = load_prior()
    assert prior.net.cfg.k == 3 and not prior.net.training


def _net(lookahead: int):
    from core.mouth.model import Audio2Mouth, ModelConfig

    torch.manual_seed(lookahead)
    cfg = ModelConfig(input_hidden=8, lstm_hidden=8, mlp_hidden=8, dropout=0.0, lookahead=lookahead)
    return Audio2Mouth(cfg.net(num_bins=8, k=3)).eval()


def test_distilled_targets_are_the_teachers_outputs_for_the_same_frames():
    from core.mouth.prior.build import _distilled, _loss

    teacher, student = _net(2), _net(0)
    x, y = torch.randn(2, 12 + 2, 16), torch.rand(2, 12, 3)  # the batch holds the teacher's lookahead
    torch.testing.assert_close(_distilled(teacher, x, y, 0.0), y)
    out, _ = teacher(x)
    torch.testing.assert_close(_distilled(teacher, x, y, 1.0), out[:, 2:])  # frame t = output t + 2
    torch.testing.assert_close(_distilled(teacher, x, y, 0.25), 0.75 * y + 0.25 * out[:, 2:])
    # the student reads only the rows its own lookahead needs
    torch.testing.assert_close(_loss(student, x, y), _loss(student, x[:, :12], y))


@needs_espeak
def test_tiny_distilled_build_records_its_teacher():
    from core.mouth.prior.build import PriorBuildConfig, build_prior

    cfg = PriorBuildConfig(samples=6, steps=3, batch=4, window=20, distill=0.5)
    teacher = load_prior()
    prior = build_prior(cfg.derive(model=cfg.model.derive(lookahead=0)), init=teacher, teacher=teacher)
    assert prior.net.cfg.lookahead == 0 and np.isfinite(prior.info["val_loss"])
    assert prior.info["distill"] == {"weight": 0.5, "teacher_lookahead": teacher.net.cfg.lookahead}


@pytest.mark.parametrize("bins", [8, 24, 80])
def test_band_masks_span_their_share_of_any_bin_count(bins):
    from core.mouth.prior.build import MASK_SHARE, _spec_augment

    x = torch.ones(400, 3, 2 * bins)
    out = _spec_augment(x, np.random.default_rng(0))
    assert torch.equal(out[..., :bins], out[..., bins:])  # both frames of a pair lose the same band
    widths = (out[:, 0, :bins] == 0).sum(dim=1)
    masked = widths[widths > 0]
    assert 0.3 < len(masked) / len(widths) < 0.7  # about half of the windows
    assert masked.min() >= max(1, round(MASK_SHARE[0] * bins)) and masked.max() <= round(MASK_SHARE[1] * bins)
    for row in out[:, 0, :bins]:  # one contiguous band
        zero = np.flatnonzero(row.numpy() == 0)
        assert len(zero) == 0 or int(zero[-1] - zero[0]) + 1 == len(zero)
