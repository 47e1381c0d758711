"""The weight average: warm-up, floating tensors averaged, integer buffers copied, state round trip."""

from __future__ import annotations

import pytest
import torch

from core.train.ema import WeightAverage


def _net() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))


def test_average_follows_the_weights_with_warm_up() -> None:
    net = _net()
    avg = WeightAverage.of(net, decay=0.9)
    start = net[0].weight.detach().clone()
    with torch.no_grad():
        net[0].weight.add_(1.0)
        net[1].num_batches_tracked.fill_(7)
    avg.update(net)  # first update: decay min(0.9, 2 / 11)
    d = 2.0 / 11.0
    torch.testing.assert_close(avg.weights["0.weight"], d * start + (1 - d) * (start + 1.0))
    assert int(avg.weights["1.num_batches_tracked"]) == 7
    for _ in range(300):
        avg.update(net)
    torch.testing.assert_close(avg.weights["0.weight"], start + 1.0)  # converges to constant weights
    copy = avg.averaged(_net())
    torch.testing.assert_close(copy[0].weight, start + 1.0)


def test_state_round_trip_and_bad_decay() -> None:
    net = _net()
    avg = WeightAverage.of(net, decay=0.99)
    with torch.no_grad():
        net[0].bias.add_(2.0)
    avg.update(net)
    other = WeightAverage.of(_net(), decay=0.99)
    other.load_state_dict(avg.state_dict())
    assert other.count == 1
    torch.testing.assert_close(other.weights["0.bias"], avg.weights["0.bias"])
    with pytest.raises(ValueError, match="decay"):
        WeightAverage.of(net, decay=1.0)
