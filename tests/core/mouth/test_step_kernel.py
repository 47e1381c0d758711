"""The LSTM steps without oneDNN's per-call reorder give what `nn.LSTM` over the whole sequence gives."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.step_kernel import CellStep, NumpyStep
from core.mouth.streaming import TorchAudioStep
from core.realtime.backends import make_audio_backend


@pytest.fixture(scope="module")
def net_and_pairs() -> tuple[Audio2Mouth, np.ndarray, np.ndarray]:
    torch.manual_seed(0)
    net = Audio2Mouth(NetConfig(lstm_hidden=32, input_hidden=16, mlp_hidden=16, num_bins=20, k=4)).eval()
    pairs = np.random.default_rng(0).standard_normal((12, 40)).astype(np.float32)
    with torch.inference_mode():
        want, _ = net(torch.from_numpy(pairs)[None])
    return net, pairs, want[0].numpy()


def test_cell_step_carries_state_like_nn_lstm(net_and_pairs) -> None:
    net, pairs, want = net_and_pairs
    cell = CellStep(net)
    h = c = torch.zeros(net.cfg.lstm_layers, 1, net.cfg.lstm_hidden)
    got = []
    with torch.inference_mode():
        for p in pairs:
            y, h, c = cell(torch.from_numpy(p).reshape(1, 1, -1), h, c)
            got.append(y[0].numpy())
    np.testing.assert_allclose(np.stack(got), want, atol=1e-5)


@pytest.mark.parametrize(
    "make",
    [
        lambda n: TorchAudioStep(n, "cpu"),
        NumpyStep.from_net,
        lambda n: make_audio_backend("torchscript", n, torch.device("cpu")),
    ],
)
def test_steps_match_the_sequence_and_reset(net_and_pairs, make) -> None:
    net, pairs, want = net_and_pairs
    step = make(net)
    for _ in range(2):  # the second pass checks reset() restores the zero state
        step.reset()
        np.testing.assert_allclose(np.stack([step.step(p) for p in pairs]), want, atol=1e-5)
