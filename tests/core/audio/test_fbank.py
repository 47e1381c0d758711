"""Filter banks: shapes, scale convention, offline == streaming for any chunking, refusals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audio.fbank import FbankConfig, StreamingFbank, compute_fbank
from core.jobs.errors import BadInput
from core.synth.speech import synthesize

CFG = FbankConfig()


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    audio, _ = synthesize(2.0, seed=3)
    return audio[: 16000 * 2 - 77]  # not a whole number of frames


def test_defaults_give_two_frames_per_25fps_frame(speech):
    feats = compute_fbank(speech, CFG)
    assert CFG.window_samples == 800 and CFG.shift_samples == 320
    assert feats.shape == (CFG.frames_for(len(speech)), 80)
    assert feats.dtype == np.float32 and np.isfinite(feats).all()
    # one second of audio -> 50 feature frames (minus the window's tail), two per 40 ms
    assert CFG.frames_for(16000) == 48


def test_waveform_is_fed_on_the_int16_scale(speech):
    """Kaldi log energies: float [-1, 1] input scaled by 32768, so int16 and float agree."""
    as_int = np.round(speech * 32767).astype(np.int16)
    a = compute_fbank(speech, CFG)
    b = compute_fbank(as_int, CFG)
    assert np.abs(a - b).max() < 0.05
    # loud speech on the int16 scale has log-mel energies well above 0 (float scale would be ~ -10)
    assert np.median(a.max(axis=1)) > 10


def test_louder_audio_shifts_every_bin_by_the_gain(speech):
    a = compute_fbank(speech * 0.5, CFG)
    b = compute_fbank(speech, CFG)
    voiced = b.mean(axis=1) > np.median(b.mean(axis=1))
    np.testing.assert_allclose((b - a)[voiced], np.log(4.0), atol=0.02)  # power ratio of 2x amplitude


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=40))
def test_streaming_equals_offline_for_any_chunking(speech, sizes):
    offline = compute_fbank(speech, CFG)
    stream = StreamingFbank(CFG, keep_frames=3)
    parts, i, k = [], 0, 0
    while i < len(speech):
        n = sizes[k % len(sizes)]
        parts.append(stream.accept(speech[i : i + n], 16000))
        i += n
        k += 1
    parts.append(stream.finish())
    online = np.concatenate(parts)
    assert online.shape == offline.shape
    np.testing.assert_allclose(online, offline, rtol=0, atol=1e-5)


def test_streaming_refuses_other_sample_rates():
    stream = StreamingFbank(CFG)
    with pytest.raises(BadInput, match=r"48000 Hz.*16000 Hz"):
        stream.accept(np.zeros(4800, np.float32), 48000)


def test_config_validation():
    with pytest.raises(ValueError):
        FbankConfig(dither=1.0)
    with pytest.raises(ValueError):
        FbankConfig(frame_length_ms=10, frame_shift_ms=20)
    with pytest.raises(ValueError):
        FbankConfig(sample_rate=8000)
    with pytest.raises(BadInput, match="mono"):
        compute_fbank(np.zeros((100, 2), np.float32))


def test_short_audio_gives_no_frames():
    assert compute_fbank(np.zeros(799, np.float32)).shape == (0, 80)
    assert compute_fbank(np.zeros(800, np.float32)).shape == (1, 80)
