"""The one stepper over every audio-step backend: same frames, loudness per frame, latency."""

import numpy as np
import pytest
import torch

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.streaming import MouthStepper, stream_all
from core.realtime.backends import make_audio_backend
from core.synth.speech import synthesize

FB = FbankConfig()


@pytest.fixture(scope="module")
def tiny():
    audio, _ = synthesize(1.6, seed=3)
    torch.manual_seed(0)
    net = Audio2Mouth(NetConfig(k=4, input_hidden=16, lstm_hidden=16, mlp_hidden=8, lstm_layers=2)).eval()
    return net, NormStats.fit([compute_fbank(audio, FB)]), audio


@pytest.mark.parametrize("backend", ["torch", "torchscript", "onnx"])
def test_every_backend_gives_the_eager_frames(tiny, backend, tmp_path):
    net, norm, audio = tiny
    want = stream_all(MouthStepper.for_net(net, norm, FB, 25.0), audio)
    step = make_audio_backend(backend, net, torch.device("cpu"), tmp_path)
    stepper = MouthStepper.for_net(net, norm, FB, 25.0, step)
    got = []
    for start in range(0, len(audio), 640):
        got += stepper.push(audio[start : start + 640])
    got += stepper.flush()
    assert [f.index for f in got] == list(range(len(want)))
    np.testing.assert_allclose(np.stack([f.coeffs for f in got]), want, atol=1e-5)
    assert len(want) == int(np.ceil(len(audio) / 640))
    loud = [f.rms for f in got]
    seg = audio[3 * 640 : 4 * 640].astype(np.float64)
    assert loud[3] == pytest.approx(float(np.sqrt(np.mean(seg**2))), rel=1e-6)


def test_silence_has_zero_loudness_and_inherent_latency(tiny):
    net, norm, _ = tiny
    stepper = MouthStepper(make_audio_backend("torch", net, torch.device("cpu")), norm, FB, 2, net.cfg.k)
    frames = stepper.push(np.zeros(16000, np.float32)) + stepper.flush()
    assert len(frames) == 25 and all(f.rms == 0.0 for f in frames)
    # 50 ms window, 20 ms shift, 2 frames lookahead: frame 0 needs audio to 130 ms, its centre is at 20 ms
    assert stepper.inherent_latency_ms == 110.0
