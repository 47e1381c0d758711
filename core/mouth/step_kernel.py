"""A NumPy copy of `Audio2Mouth.step` for real time on the CPU.

One LSTM step is a handful of matrix-vector products; through `torch.nn` each call costs
milliseconds of module dispatch on a small CPU, while the same arithmetic in NumPy takes a
fraction of a millisecond. The weights are read from the trained network, so the two paths
agree to float tolerance (tested), and the state is plain arrays. Each LSTM layer is one
matrix-vector product over [input; h] (W_ih and W_hh side by side).

Torch steps (TorchScript, eager on a GPU) go through `CellStep`: `torch.lstm_cell` per layer
with the same weights. `nn.LSTM` on the CPU runs oneDNN's LSTM, which reorders every weight
into its own layout on each call: for one time step that costs several times the arithmetic
(2x256 LSTM: about 2.0 ms a step with the reorder, 0.16-0.5 ms without).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch
from torch import nn

from core.mouth.model import Audio2Mouth

LEAK = 0.2  # must match the LeakyReLU slope in Audio2Mouth


class CellStep(nn.Module):
    """`Audio2Mouth` one step at a time without `nn.LSTM`: pair [1, 1, 2*bins], h0, c0
    [layers, 1, hidden] -> (coeffs [1, K], h1, c1), the signature of the ONNX step graph."""

    def __init__(self, net: Audio2Mouth) -> None:
        super().__init__()
        self.net = net
        self.layers = net.cfg.lstm_layers

    def forward(
        self, pair: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        lstm = self.net.lstm
        z = self.net.pre(pair.reshape(1, -1))
        hs, cs = [], []
        for i in range(self.layers):
            h, c = torch.lstm_cell(
                z,
                (h0[i], c0[i]),
                getattr(lstm, f"weight_ih_l{i}"),
                getattr(lstm, f"weight_hh_l{i}"),
                getattr(lstm, f"bias_ih_l{i}"),
                getattr(lstm, f"bias_hh_l{i}"),
            )
            hs.append(h)
            cs.append(c)
            z = h
        return self.net.head(z) * self.net.coeff_scale, torch.stack(hs), torch.stack(cs)


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
    lstm: list[tuple[np.ndarray, np.ndarray]]  # ([W_ih W_hh] [4H, I + H], b [4H]) per layer
    head: list[tuple[np.ndarray, np.ndarray]]
    scale: np.ndarray  # [K]
    h: list[np.ndarray]
    c: list[np.ndarray]

    @classmethod
    def from_net(cls, net: Audio2Mouth) -> NumpyStep:
        layers = []
        for i in range(net.cfg.lstm_layers):
            g = lambda name: getattr(net.lstm, f"{name}_l{i}").detach().cpu().numpy().astype(np.float32)  # noqa: B023,E731
            w = np.concatenate([g("weight_ih"), g("weight_hh")], axis=1)
            layers.append((np.ascontiguousarray(w), g("bias_ih") + g("bias_hh")))
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
        for i, (w, b) in enumerate(self.lstm):
            gates = w @ np.concatenate([z, self.h[i]]) + b
            ig, fg, gg, og = np.split(gates, 4)  # torch's gate order: input, forget, cell, output
            self.c[i] = _sigmoid(fg) * self.c[i] + _sigmoid(ig) * np.tanh(gg)
            self.h[i] = _sigmoid(og) * np.tanh(self.c[i])
            z = self.h[i]
        (w1, b1), (w2, b2) = self.head
        return (w2 @ _leaky(w1 @ z + b1) + b2) * self.scale
