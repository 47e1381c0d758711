import numpy as np
import torch

from core.mouth.streaming import MouthStreamer
from core.realtime.backends import make_audio_backend
from core.realtime.mouth_stage import MouthStepper


def test_stepper_matches_mouth_streamer(tiny_live):
    a = tiny_live.audio
    stepper = MouthStepper(
        make_audio_backend("torch", a.net, torch.device("cpu")),
        a.norm,
        a.fbank,
        a.net.cfg.lookahead,
        a.net.cfg.k,
    )
    ref = MouthStreamer(a.net, a.norm, a.fbank, fps=25.0)
    got, want = [], []
    for start in range(0, len(tiny_live.speech), 640):
        chunk = tiny_live.speech[start : start + 640]
        got += stepper.push(chunk)
        want.append(ref.push(chunk, 16000))
    got += stepper.flush()
    want.append(ref.flush())
    want = np.concatenate(want)
    assert [f.index for f in got] == list(range(len(want)))
    np.testing.assert_allclose(np.stack([f.coeffs for f in got]), want, atol=1e-5)
    assert len(want) == int(np.ceil(len(tiny_live.speech) / 640))


def test_silence_has_zero_loudness_and_inherent_latency(tiny_live):
    a = tiny_live.audio
    stepper = MouthStepper(
        make_audio_backend("torch", a.net, torch.device("cpu")), a.norm, a.fbank, 2, a.net.cfg.k
    )
    frames = stepper.push(np.zeros(16000, np.float32)) + stepper.flush()
    assert len(frames) == 25 and all(f.rms == 0.0 for f in frames)
    # 50 ms window, 20 ms shift, 2 frames lookahead: frame 0 needs audio to 130 ms, its centre is at 20 ms
    assert stepper.inherent_latency_ms == 110.0
