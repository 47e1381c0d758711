"""A NumPy copy of `Audio2Mouth.step` for real time on the CPU.

One LSTM step is a handful of matrix-vector products; through `torch.nn` each call costs
milliseconds of module dispatch on a small CPU, while the same arithmetic in NumPy takes a
fraction of a millisecond. The weights are read from the trained network, so the two paths
agree to float tolerance (tested), and the state is plain arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from torch import nn

from core.mouth.model import Audio2Mouth

LEAK = 0.2  # must match the LeakyReLU slope in Audio2Mouth


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _leaky(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, LEAK * x)


def _linears(seq: nn.Sequential) -> list[tuple[np.ndarray, np.ndarray]]:
    return [
        (
            np.ascontiguousarray(m.weight.detach().cpu().numpy(), np.float32),
            m.bias.detach().cpu().numpy().astype(np.float32),
        )
        for m in seq
        if isinstance(m, nn.Linear)
    ]


@dataclass
class NumpyStep:
    """An `AudioStep` (core.mouth.streaming): the LSTM state lives in `h` and `c`."""

    name: ClassVar[str] = "numpy"
    pre: list[tuple[np.ndarray, np.ndarray]]
    lstm: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # (W_ih [4H, I], W_hh [4H, H], b [4H]) per layer
    head: list[tuple[np.ndarray, np.ndarray]]
    scale: np.ndarray  # [K]
    h: list[np.ndarray]
    c: list[np.ndarray]

    @classmethod
    def from_net(cls, net: Audio2Mouth) -> NumpyStep:
        layers = []
        for i in range(net.cfg.lstm_layers):
            g = lambda name: getattr(net.lstm, f"{name}_l{i}").detach().cpu().numpy().astype(np.float32)  # noqa: B023,E731
            layers.append(
                (
                    np.ascontiguousarray(g("weight_ih")),
                    np.ascontiguousarray(g("weight_hh")),
                    g("bias_ih") + g("bias_hh"),
                )
            )
        hidden = net.cfg.lstm_hidden
        zeros = [np.zeros(hidden, np.float32) for _ in layers]
        return cls(
            _linears(net.pre),
            layers,
            _linears(net.head),
            net.coeff_scale.detach().cpu().numpy().astype(np.float32),
            zeros,
            [z.copy() for z in zeros],
        )

    def reset(self) -> None:
        """Back to the zero state (a new stream)."""
        self.h = [np.zeros_like(h) for h in self.h]
        self.c = [np.zeros_like(c) for c in self.c]

    def step(self, pair: np.ndarray) -> np.ndarray:
        """pair [2*bins] normalised -> coefficients [K]; advances the LSTM state."""
        z = np.asarray(pair, np.float32)
        for w, b in self.pre:
            z = _leaky(w @ z + b)
        for i, (w_ih, w_hh, b) in enumerate(self.lstm):
            gates = w_ih @ z + w_hh @ self.h[i] + b
            ig, fg, gg, og = np.split(gates, 4)  # torch's gate order: input, forget, cell, output
            self.c[i] = _sigmoid(fg) * self.c[i] + _sigmoid(ig) * np.tanh(gg)
            self.h[i] = _sigmoid(og) * np.tanh(self.c[i])
            z = self.h[i]
        (w1, b1), (w2, b2) = self.head
        return (w2 @ _leaky(w1 @ z + b1) + b2) * self.scale
