"""Audio-to-mouth network and the one stepper: lookahead, whole clip == any chunking (torch and NumPy)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.audio.alignment import video_frames_for
from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats
from core.audio.resample import StreamingResampler, resample
from core.mouth.config import Audio2MouthConfig
from core.mouth.model import Audio2Mouth, NetConfig, predict_offline
from core.mouth.step_kernel import NumpyStep
from core.mouth.streaming import MouthStepper, TorchAudioStep, predict_clip, stream_all
from core.synth.speech import synthesize

FB = FbankConfig()


@pytest.fixture(scope="module")
def speech() -> tuple[np.ndarray, np.ndarray, NormStats]:
    audio, _ = synthesize(2.4, seed=5)
    audio = audio[:-131]
    feats = compute_fbank(audio, FB)
    return audio, feats, NormStats.fit([feats])


def _net(lookahead: int = 2, seed: int = 0) -> Audio2Mouth:
    torch.manual_seed(seed)
    cfg = NetConfig(lookahead=lookahead, input_hidden=48, lstm_hidden=40, mlp_hidden=24, k=6)
    return Audio2Mouth(cfg, torch.linspace(3.0, 0.5, 6)).eval()


def _stepper(net: Audio2Mouth, norm: NormStats, fps: float = 25.0, backend: str = "numpy") -> MouthStepper:
    step = TorchAudioStep(net, "cpu") if backend == "torch" else NumpyStep.from_net(net)
    return MouthStepper.for_net(net, norm, FB, fps, step)


def _coeffs(frames) -> np.ndarray:
    assert [f.index for f in frames] == list(range(len(frames)))
    return np.stack([f.coeffs for f in frames])


def _stream(stepper: MouthStepper, audio: np.ndarray, sizes: list[int]) -> np.ndarray:
    frames, i, k = [], 0, 0
    while i < len(audio):
        n = sizes[k % len(sizes)]
        frames += stepper.push(audio[i : i + n])
        i += n
        k += 1
    return _coeffs(frames + stepper.flush())


def test_lookahead_is_validated():
    for bad in (-1, 5):
        with pytest.raises(ValueError):
            NetConfig(lookahead=bad)
    with pytest.raises(ValueError):
        Audio2MouthConfig.model_validate({"kind": "audio2mouth", "model": {"lookahead": 7}})
    assert Audio2MouthConfig().model.lookahead == 2


def test_lookahead_delays_the_output():
    """With lookahead L, output t may use pairs up to t+L but never beyond."""
    net = _net(lookahead=2)
    x = torch.randn(30 + 2, 160)
    base = predict_offline(net, x)
    assert base.shape == (30, 6)
    x2 = x.clone()
    x2[12:] += 5.0  # change the audio from frame 12 on
    changed = (predict_offline(net, x2) - base).abs().sum(-1) > 1e-6
    assert not changed[:10].any() and changed[10:].all()


@pytest.mark.parametrize("lookahead", [0, 2, 4])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_streaming_40ms_chunks_equals_offline(speech, lookahead, backend):
    audio, feats, norm = speech
    net = _net(lookahead)
    n = video_frames_for(len(audio), 25, 16000)
    offline = predict_clip(net, norm, FB, feats, n, 25)
    stepper = _stepper(net, norm, backend=backend)
    per_call = [len(stepper.push(audio[i : i + 640])) for i in range(0, len(audio), 640)]
    online = _stream(_stepper(net, norm, backend=backend), audio, [640])
    assert online.shape == offline.shape == (n, 6)
    np.testing.assert_allclose(online, offline, atol=1e-4, rtol=1e-4)
    # the whole file at once (as `dhstudio render` does) gives the live frames exactly
    np.testing.assert_array_equal(stream_all(_stepper(net, norm, backend=backend), audio), online)
    # steady state: one mouth frame per 40 ms chunk, `lookahead` frames behind
    assert set(per_call[10:-2]) == {1}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=4000), min_size=1, max_size=12),
    fps=st.sampled_from([25.0, 30.0, 22.13]),
)
def test_streaming_any_chunking_any_fps_equals_offline(speech, sizes, fps):
    audio, feats, norm = speech
    net = _net(2, seed=1)
    offline = predict_clip(net, norm, FB, feats, video_frames_for(len(audio), fps, 16000), fps)
    online = _stream(_stepper(net, norm, fps), audio, sizes)
    np.testing.assert_allclose(online, offline, atol=1e-4, rtol=1e-4)


def test_numpy_step_matches_torch_step():
    net = _net(2, seed=3)
    kernel = NumpyStep.from_net(net)
    state = None
    for _ in range(20):
        x = torch.randn(160)
        with torch.no_grad():
            y, state = net.step(x, state)
        np.testing.assert_allclose(kernel.step(x.numpy()), y.numpy(), atol=1e-5)


def test_48k_audio_resampled_as_the_engine_does_is_close_to_native(speech):
    audio, feats, norm = speech
    net = _net(2)
    audio48 = resample(audio, 16000, 48000)
    rs = StreamingResampler(48000, 16000)
    back = np.concatenate(
        [rs.push(audio48[i : i + 1920]) for i in range(0, len(audio48), 1920)] + [rs.flush()]
    )
    online = _stream(_stepper(net, norm), back, [640])
    offline = predict_clip(net, norm, FB, feats, video_frames_for(len(audio), 25, 16000), 25)
    assert online.shape == offline.shape
    # resampled twice (up, then down): close to the native result, not bit-identical
    assert np.abs(online - offline).max() < 0.05 * np.abs(offline).max()


def test_stepper_needs_eval_mode_and_matching_bins(speech):
    _, _, norm = speech
    net = _net()
    with pytest.raises(ValueError, match="eval"):
        MouthStepper.for_net(net.train(), norm, FB, 25.0)
    with pytest.raises(ValueError, match="bins"):
        MouthStepper.for_net(_net(), norm, FbankConfig(num_bins=40), 25.0)


def test_push_after_flush_is_refused(speech):
    audio, _, norm = speech
    stepper = _stepper(_net(), norm)
    stepper.push(audio[:640])
    stepper.flush()
    with pytest.raises(RuntimeError, match="after flush"):
        stepper.push(audio[:640])
