"""The speaker-independent prior: the audio-to-mouth LSTM predicting three articulatory channels.

It is the project's own `Audio2Mouth` network with K = 3 outputs (open, round, spread, see
`core.mouth.prior.articulation`), trained on synthetic espeak-ng speech (`core.mouth.prior.build`),
so it runs through the one streaming stepper like any audio model. Its input is normalised with the
statistics of the audio it hears (a speaker's own clip), never with the synthetic corpus's.

The shipped weights are `resources/audio_prior.pt` (a few hundred kB), made by
`python -m core.mouth.prior.build`; a file is read with `weights_only=True`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats, audible
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.prior.articulation import CHANNELS
from core.mouth.prior.kernel import DEFAULT_PATH, FORMAT, VERSION, PriorKernel
from core.mouth.streaming import MouthStepper, stream_all


@dataclass
class AudioPrior:
    net: Audio2Mouth  # eval mode, K = len(CHANNELS)
    fbank: FbankConfig
    info: dict  # how it was built (corpus size, steps, validation loss)

    def norm_for(self, audio_16k: np.ndarray) -> NormStats:
        """Feature statistics of a speaker's audio: the prior's input normalisation for that speaker."""
        feats = compute_fbank(np.asarray(audio_16k, np.float32), self.fbank)
        if feats.shape[0] < 2:
            raise BadInput(Text("the audio is too short to measure its loudness and spectrum (need > 70 ms)"))
        # the audio's own statistics: its level is the one the prior expects, nothing to match
        return replace(NormStats.fit([audible(feats, audio_16k, self.fbank)]), level=None)

    def predict(
        self, audio_16k: np.ndarray, fps: float, n_frames: int | None = None, norm: NormStats | None = None
    ) -> np.ndarray:
        """16 kHz audio -> articulatory channels [n_frames, 3] through the streaming stepper."""
        norm = norm or self.norm_for(audio_16k)
        return stream_all(MouthStepper.for_net(self.net, norm, self.fbank, fps), audio_16k, n_frames)

    def predict_batch(
        self, audio_16k: np.ndarray, fps: float, n_frames: int | None = None, norm: NormStats | None = None
    ) -> np.ndarray:
        """`predict` in one pass over the whole clip (`core.mouth.prior.kernel`, NumPy): the same
        frames within float rounding, several times faster offline. For measurements over a whole
        file (`core.mouth.av_sync`); live and render keep the stepper."""
        return self.kernel().predict_batch(audio_16k, fps, n_frames, norm)

    def kernel(self) -> PriorKernel:
        """The network's current weights as the NumPy whole-clip kernel."""
        state = {k: v.detach().cpu().float().numpy() for k, v in self.net.state_dict().items()}
        return PriorKernel.from_state(state, self.net.cfg.lookahead, self.fbank)

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "channels": list(CHANNELS),
            "net": self.net.cfg.model_dump(),
            # half precision on disk keeps the shipped file small (~170 kB); load_state_dict upcasts
            "model": {k: v.half() if v.is_floating_point() else v for k, v in self.net.state_dict().items()},
            "features": self.fbank.model_dump(),
            "info": self.info,
        }


def load_prior(path: Path | str | None = None) -> AudioPrior:
    """The shipped prior (or the one at `path`)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.is_file():
        raise BadInput(
            Text(
                "No audio-to-mouth prior at {path}; build it with `python -m "
                "core.mouth.prior.build` (needs espeak-ng: `apt-get install espeak-ng`).",
                path=path,
            )
        )
    d = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("version") != VERSION:
        raise BadInput(
            Text(
                "{path} is not a version-{version} audio-to-mouth prior; rebuild it.",
                path=path,
                version=VERSION,
            )
        )
    net = Audio2Mouth(NetConfig.model_validate(d["net"]))
    net.load_state_dict(d["model"])
    return AudioPrior(net.eval(), FbankConfig.model_validate(d["features"]), dict(d.get("info", {})))
