"""Load a trained audio-to-mouth run for rendering or live use: network, mouth space, statistics."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio.fbank import FbankConfig
from core.audio.normalization import NormStats
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.space import MouthSpace
from core.mouth.streaming import AudioStep, MouthStepper, stream_all
from core.train.checkpoint import read_checkpoint, require_finite


@dataclass
class Audio2MouthBundle:
    net: Audio2Mouth  # in eval mode
    space: MouthSpace
    norm: NormStats
    fbank: FbankConfig
    fps: float  # video frame rate the model was trained at
    config: dict  # the resolved job config
    step: int
    scores: dict  # held-out scores at the saved step

    def stepper(self, step: AudioStep | None = None) -> MouthStepper:
        """A fresh stream (own LSTM state) over the eager step, or `step` (a live backend)."""
        return MouthStepper.for_net(self.net, self.norm, self.fbank, self.fps, step)

    def predict(self, audio_16k: np.ndarray, n_frames: int | None = None) -> np.ndarray:
        """Whole 16 kHz waveform -> coefficients [n_frames, K] (default: frames the audio spans),
        through the same stepper as live."""
        return stream_all(self.stepper(), audio_16k, n_frames)


def checkpoint_path(run_dir: Path | str) -> Path:
    run_dir = Path(run_dir)
    return run_dir if run_dir.is_file() else run_dir / "checkpoints" / "last.pt"


def load_audio2mouth(run_dir: Path | str, device: str | None = "cpu") -> Audio2MouthBundle:
    """`run_dir` is an audio2mouth run folder (or its checkpoint file)."""
    path = checkpoint_path(run_dir)
    if not path.is_file():
        raise BadInput(
            Text(
                "No audio-to-mouth checkpoint at {path}; train one with `dhstudio train "
                "training_jobs/audio2mouth.toml --project DIR`.",
                path=path,
            )
        )
    ckpt = read_checkpoint(path, "audio2mouth", map_location=device or "cpu")
    require_finite(ckpt["model"], path)
    net = Audio2Mouth(NetConfig.model_validate(ckpt["net"]))
    net.load_state_dict(ckpt["model"])
    net.to(device or "cpu").eval()
    return Audio2MouthBundle(
        net,
        MouthSpace.from_dict(ckpt["space"]),
        NormStats.from_dict(ckpt["norm"]),
        FbankConfig.model_validate(ckpt["features"]),
        float(ckpt["fps"]),
        dict(ckpt["config"]),
        int(ckpt["step"]),
        dict(ckpt.get("scores", {})),
    )
