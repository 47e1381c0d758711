"""The prior without torch: a restricted reader of its file and a NumPy forward over a whole clip.

Prepare times every clip's sound against its picture with the prior (`core.mouth.av_sync`). Loading
torch for that took ~2 s of CPU, most of it holding the GIL beside the tracking it ran with: the 8 s
sample's prepare went from 3.2 s to 5.7 s. The file is a `torch.save` zip archive of plain values
and tensors; `read_prior_file` unpickles it allowing only an OrderedDict, the tensor rebuild and the
storage types (what `torch.load(weights_only=True)` allows for such a file), tensors as NumPy
arrays. `PriorKernel` runs the network in NumPy (the arithmetic of `core.mouth.step_kernel.NumpyStep`,
the input layers batched over time, the LSTM stepped): an 8 s clip in a few milliseconds.
`AudioPrior.predict_batch` runs through the same kernel, so there is one batch forward.

    kernel = load_prior_kernel()                       # no torch
    art = kernel.predict_batch(audio_16k, fps, n)      # [n, 3], = AudioPrior.predict within 1e-4
"""

from __future__ import annotations

import collections
import io
import pickle
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio.alignment import clip_pairs, fit_frames, video_frames_for
from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats, audible
from core.jobs.errors import BadInput
from core.jobs.message import Text

FORMAT = "dhstudio-audio-prior"  # also core.mouth.prior.model's
VERSION = 1
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "resources" / "audio_prior.pt"
LEAK = 0.2  # the LeakyReLU slope of Audio2Mouth
_STORAGES = {
    "HalfStorage": np.float16,
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "BoolStorage": np.bool_,
}


class _Storage:
    def __init__(self, name: str) -> None:
        self.dtype = _STORAGES[name]


def _rebuild_tensor(storage: np.ndarray, offset: int, size: tuple, stride: tuple, *_: object) -> np.ndarray:
    item = storage.itemsize
    view = np.lib.stride_tricks.as_strided(storage[offset:], tuple(size), tuple(s * item for s in stride))
    return np.array(view)


class _Unpickler(pickle.Unpickler):
    """Only what a state dict needs; anything else (code) is refused."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str) -> None:
        super().__init__(io.BytesIO(data))
        self.archive, self.prefix = archive, prefix

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGES:
            return _Storage(name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")

    def persistent_load(self, pid):
        _, storage, key, _location, numel = pid
        raw = self.archive.read(f"{self.prefix}/data/{key}")
        return np.frombuffer(raw, storage.dtype)[:numel]


def read_prior_file(path: Path | str | None = None) -> dict:
    """The prior file as a dict, its tensors as NumPy arrays (BadInput when missing or not a prior)."""
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.is_file():
        raise BadInput(
            Text(
                "No audio-to-mouth prior at {path}; build it with `python -m "
                "core.mouth.prior.build` (needs espeak-ng: `apt-get install espeak-ng`).",
                path=path,
            )
        )
    try:
        with zipfile.ZipFile(path) as archive:
            pkl = next(n for n in archive.namelist() if re.fullmatch(r"[^/]+/data\.pkl", n))
            d = _Unpickler(archive.read(pkl), archive, pkl.rsplit("/", 1)[0]).load()
    except (zipfile.BadZipFile, StopIteration, pickle.UnpicklingError, KeyError, ValueError) as exc:
        raise BadInput(
            Text("{path} is not a readable audio-to-mouth prior ({exc}); rebuild it.", path=path, exc=exc)
        ) from None
    if not isinstance(d, dict) or d.get("format") != FORMAT or d.get("version") != VERSION:
        raise BadInput(
            Text(
                "{path} is not a version-{version} audio-to-mouth prior; rebuild it.",
                path=path,
                version=VERSION,
            )
        )
    return d


def _layers(state: dict[str, np.ndarray], prefix: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """(weight [out, in], bias [out]) of the Linear layers `prefix.<i>` in index order."""
    idx = sorted({int(k.split(".")[1]) for k in state if re.fullmatch(rf"{prefix}\.\d+\.weight", k)})
    return [(state[f"{prefix}.{i}.weight"], state[f"{prefix}.{i}.bias"]) for i in idx]


def _leaky(x: np.ndarray) -> np.ndarray:
    return np.where(x > 0, x, LEAK * x)


@dataclass(frozen=True)
class PriorKernel:
    """Audio2Mouth's forward pass in NumPy float32, over whole sequences."""

    pre: list[tuple[np.ndarray, np.ndarray]]
    lstm: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # (W_ih [4H, I], W_hh [4H, H], b [4H])
    head: list[tuple[np.ndarray, np.ndarray]]
    scale: np.ndarray  # [K]
    lookahead: int
    fbank: FbankConfig

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], lookahead: int, fbank: FbankConfig) -> PriorKernel:
        """From an Audio2Mouth state dict (NumPy arrays, any float type)."""
        s = {k: np.asarray(v, np.float32) for k, v in state.items()}
        n_layers = len([k for k in s if re.fullmatch(r"lstm\.weight_ih_l\d+", k)])
        lstm = []
        for i in range(n_layers):
            bias = s[f"lstm.bias_ih_l{i}"] + s[f"lstm.bias_hh_l{i}"]
            lstm.append((s[f"lstm.weight_ih_l{i}"], s[f"lstm.weight_hh_l{i}"], bias))
        return cls(_layers(s, "pre"), lstm, _layers(s, "head"), s["coeff_scale"], int(lookahead), fbank)

    def forward(self, pairs: np.ndarray) -> np.ndarray:
        """Normalised pairs [T, 2*bins] from the clip's start -> outputs [T, K] (t: frame t - lookahead)."""
        z = np.asarray(pairs, np.float32)
        for w, b in self.pre:
            z = _leaky(z @ w.T + b)
        for w_ih, w_hh, b in self.lstm:
            hidden = w_hh.shape[1]
            # torch's gate order: input, forget, cell, output. sigmoid(x) = (1 + tanh(x / 2)) / 2, so
            # one tanh per step serves all four gates: the sigmoid gates' rows are pre-halved
            half = np.ones(4 * hidden, np.float32)
            half[: 2 * hidden] = half[3 * hidden :] = 0.5
            xw = (z @ w_ih.T + b) * half  # [T, 4H]: the input's part of every step at once
            w_hh_t = np.ascontiguousarray((w_hh * half[:, None]).T)
            h = np.zeros(hidden, np.float32)
            c = np.zeros_like(h)
            out = np.empty((len(xw), hidden), np.float32)
            i, f, g = slice(0, hidden), slice(hidden, 2 * hidden), slice(2 * hidden, 3 * hidden)
            o = slice(3 * hidden, None)
            for t in range(len(xw)):
                th = np.tanh(xw[t] + h @ w_hh_t)
                sg = 0.5 + 0.5 * th
                c = sg[f] * c + sg[i] * th[g]
                h = out[t] = sg[o] * np.tanh(c)
            z = out
        (w1, b1), (w2, b2) = self.head
        return (_leaky(z @ w1.T + b1) @ w2.T + b2) * self.scale

    def predict_batch(
        self, audio_16k: np.ndarray, fps: float, n_frames: int | None = None, norm: NormStats | None = None
    ) -> np.ndarray:
        """16 kHz audio -> outputs [n_frames, K] per video frame: `AudioPrior.predict`'s frames (the
        streaming stepper's) in one pass; the audio's own statistics normalise it unless `norm`."""
        audio_16k = np.asarray(audio_16k, np.float32).reshape(-1)
        feats = compute_fbank(audio_16k, self.fbank)
        if feats.shape[0] < 2:
            raise BadInput(Text("the audio is too short to measure its loudness and spectrum (need > 70 ms)"))
        norm = norm or NormStats.fit([audible(feats, audio_16k, self.fbank)])
        spanned = video_frames_for(audio_16k.size, fps, self.fbank.sample_rate)
        pairs = norm.apply(clip_pairs(feats, spanned, fps, self.fbank, self.lookahead))
        return fit_frames(self.forward(pairs)[self.lookahead :], n_frames)


def load_prior_kernel(path: Path | str | None = None) -> PriorKernel:
    """The shipped prior (or the one at `path`) as a NumPy kernel, without importing torch."""
    d = read_prior_file(path)
    return PriorKernel.from_state(
        d["model"], int(d["net"]["lookahead"]), FbankConfig.model_validate(d["features"])
    )
