"""The audio-to-mouth network (Audio2Feature style) and its offline / one-step APIs.

Per video frame the input is the pair of normalised filter-bank frames aligned to it
(`core.audio.alignment`): [2 * bins] -> two linear layers -> 2-layer unidirectional LSTM
-> MLP -> K mouth coefficients. Lookahead L is a delay: the LSTM reads frame t+L's pair
when it outputs frame t, so it hears L frames (40 ms each at 25 fps) of future speech.

Example:
    >>> net = Audio2Mouth(NetConfig(num_bins=80, k=6))
    >>> coeffs = predict_offline(net, torch.zeros(100 + 2, 160))   # [100, 6]
"""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from core.config.model import ConfigModel

LstmState = tuple[torch.Tensor, torch.Tensor]  # (h, c), each [layers, B, hidden]


class ModelConfig(ConfigModel):
    """Network shape, the job file's [model] section; the input width and K follow from
    [features] and [space]. The one place these defaults live."""

    lookahead: int = Field(default=2, ge=0, le=4)  # video frames of future audio (2 = 80 ms at 25 fps)
    input_hidden: int = Field(default=128, ge=8, le=2048)
    lstm_hidden: int = Field(default=128, ge=8, le=2048)
    lstm_layers: int = Field(default=2, ge=1, le=4)
    mlp_hidden: int = Field(default=64, ge=8, le=2048)
    dropout: float = Field(default=0.1, ge=0.0, lt=1.0)

    def net(self, num_bins: int, k: int) -> NetConfig:
        return NetConfig(num_bins=num_bins, k=k, **self.model_dump())


class NetConfig(ModelConfig):
    """The whole network: its shape plus the input width (filter-bank bins) and K coefficients."""

    num_bins: int = Field(default=80, ge=8, le=256)
    k: int = Field(default=6, ge=1, le=64)


class Audio2Mouth(nn.Module):
    def __init__(self, cfg: NetConfig, coeff_scale: torch.Tensor | None = None) -> None:
        super().__init__()
        self.cfg = cfg
        self.pre = nn.Sequential(
            nn.Linear(2 * cfg.num_bins, cfg.input_hidden),
            nn.LeakyReLU(0.2),
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.input_hidden, cfg.input_hidden),
            nn.LeakyReLU(0.2),
            nn.Dropout(cfg.dropout),
        )
        self.lstm = nn.LSTM(
            cfg.input_hidden,
            cfg.lstm_hidden,
            num_layers=cfg.lstm_layers,
            batch_first=True,
            dropout=cfg.dropout if cfg.lstm_layers > 1 else 0.0,
        )
        self.head = nn.Sequential(
            nn.Linear(cfg.lstm_hidden, cfg.mlp_hidden), nn.LeakyReLU(0.2), nn.Linear(cfg.mlp_hidden, cfg.k)
        )
        # outputs are in PCA units: the head predicts coefficients divided by their spread
        scale = torch.ones(cfg.k) if coeff_scale is None else coeff_scale.detach().float().reshape(cfg.k)
        self.register_buffer("coeff_scale", scale.clone())

    def forward(self, pairs: torch.Tensor, state: LstmState | None = None) -> tuple[torch.Tensor, LstmState]:
        """pairs [B, T, 2*bins] (normalised) -> coefficients [B, T, K] and the new LSTM state.

        Output t belongs to video frame t - lookahead when the sequence starts at frame 0.
        """
        h, state = self.lstm(self.pre(pairs), state)
        return self.head(h) * self.coeff_scale, state

    def step(self, pair: torch.Tensor, state: LstmState | None) -> tuple[torch.Tensor, LstmState]:
        """One frame: pair [2*bins] -> coefficients [K] (of frame t - lookahead) and the new state."""
        out, state = self.forward(pair.reshape(1, 1, -1), state)
        return out.reshape(-1), state


def predict_offline(net: Audio2Mouth, pairs: torch.Tensor) -> torch.Tensor:
    """pairs [N + L, 2*bins] for frames 0..N+L-1 -> coefficients [N, K] for frames 0..N-1."""
    lookahead = net.cfg.lookahead
    if pairs.shape[0] <= lookahead:
        raise ValueError(f"need more than {lookahead} frame pairs (got {pairs.shape[0]})")
    out, _ = net(pairs.unsqueeze(0))
    return out[0, lookahead:]
