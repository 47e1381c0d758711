"""A clip's own sound-vs-picture offset, measured once at prepare and removed from its training pairs.

Real footage often carries one: on the sample clips sound runs 3 frames (120 ms) behind the picture
(clip a) or ahead of it (clip b), agreed by loudness, the prior and an independent phone decoder
(`benchmarks/results/av_offset.json`). An own-clip audio-to-mouth model learns whatever offset its
pairs carry, and the avatar then opens its mouth that much early or late. So, as SyncNet-style
pipelines do, prepare measures it and `PreparedClip.audio()` hands out the sound re-timed.

The measure: the speaker-independent prior's opening channel (`core.mouth.prior.kernel`: one
NumPy pass over the clip, no torch, ~0.1 s added to an 8 s clip's prepare)
against the tracked pose-free opening (`core.mouth.metrics.tracked_opening`, the measure every
prediction is scored with), Pearson r at lags within +-MAX_LAG_MS (`evaluation.best_lag`; lag > 0:
prior[t + lag] fits mouth[t], the sound is late). Real footage is usually in sync, so the rule is
conservative: the best lag is applied only when its r >= MIN_R, it beats lag 0 by >= MIN_GAIN and
it moves the sound by >= MIN_OFFSET_MS; otherwise the offset is 0 and `reason` says why.

    off = measure_av_offset(audio_16k, fps, landmarks, valid)   # AvOffset
    audio = retime(audio_16k, off.offset_ms)                     # same length, sound moved
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from core.audio.silence import is_silent, voiced_fraction
from core.jobs.errors import BadInput
from core.jobs.message import Text

if TYPE_CHECKING:
    from core.mouth.prior.kernel import PriorKernel

AUDIO_RATE = 16000
MAX_LAG_MS = 200.0  # lags searched either way
MIN_R = 0.25  # the best lag's r must reach this ...
MIN_GAIN = 0.05  # ... and beat lag 0's r by this much
# ... and move the sound at least this far: lips naturally lead their sound by a few tens of ms,
# which the prior (timed on phones) can read as a one-frame lag on footage that is in sync, and
# offsets this small are below what viewers notice anyway
MIN_OFFSET_MS = 60.0
MIN_SECONDS = 2.0  # tracked frames needed to time the sound
MAX_FIXED_MS = 1000.0  # a forced offset is refused beyond this
SYNC_MODES = ("auto", "off")  # or a fixed offset in milliseconds
AvSync = Literal["auto", "off"] | float  # the prepare setting
Source = Literal["measured", "off", "fixed", "not measured"]
ALLOWED = Text("'auto', 'off' or a fixed offset in ms between -{ms:g} and {ms:g}", ms=MAX_FIXED_MS)


@dataclass(frozen=True)
class AvOffset:
    """How far a clip's sound runs behind its picture (> 0: late; < 0: early), and whether prepare
    re-timed the training pairs by it. `offset_ms` is what `retime` applies (0 unless `applied`)."""

    offset_frames: int = 0
    offset_ms: float = 0.0
    applied: bool = False
    source: Source = "not measured"
    reason: str = "prepared before sound timing was measured"
    r_at_0: float | None = None  # prior opening vs tracked opening as the file is
    r_best: float | None = None  # ... at best_lag
    best_lag: int = 0  # frames, whether applied or not

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_manifest(cls, d: dict | None) -> AvOffset:
        """A manifest's `av_sync` entry; a manifest without one (older prepares): not measured, 0."""
        if not d:
            return cls()
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        return cls(**known)

    def describe(self) -> str:
        """One plain sentence for the prepare summary and the job log."""
        if self.applied and self.offset_ms:
            side = "behind" if self.offset_ms > 0 else "ahead of"
            how = self.reason if self.source == "fixed" else "measured"
            return (
                f"Sound runs {abs(self.offset_ms):.0f} ms {side} the picture in this clip ({how}): "
                "training pairs re-timed"
            )
        if self.source == "measured":
            return f"Sound and picture in sync ({self.reason})"
        if self.source == "off":
            return "Sound timing left as in the file (sound-picture sync turned off)"
        if self.source == "fixed":
            return "Sound and picture in sync (a fixed offset of 0 ms was set)"
        return f"Sound-picture offset not measured: {self.reason}"


def parse_av_sync(text: str | float) -> AvSync:
    """'auto' | 'off' | milliseconds ('120', '-80') -> the setting; BadInput naming the allowed values."""
    if isinstance(text, str):
        word = text.strip().lower()
        if word in SYNC_MODES:
            return word  # type: ignore[return-value]
        try:
            value = float(word.removesuffix("ms"))
        except ValueError:
            raise BadInput(
                Text("av-sync {text!r} is not understood; use {allowed}.", text=text, allowed=ALLOWED)
            ) from None
    else:
        value = float(text)
    if not math.isfinite(value) or abs(value) > MAX_FIXED_MS:
        raise BadInput(Text("av-sync {text!r} is out of range; use {allowed}.", text=text, allowed=ALLOWED))
    return value


def retime(audio: np.ndarray, offset_ms: float, rate: int = AUDIO_RATE) -> np.ndarray:
    """Sound moved `offset_ms` earlier (> 0: it ran late) or later (< 0), padded with silence and
    trimmed so its length is unchanged: sample s of the result is sample s + shift of the file."""
    audio = np.asarray(audio)
    shift = int(round(offset_ms * rate / 1000.0))
    if shift == 0:
        return audio
    out = np.zeros_like(audio)
    if abs(shift) >= audio.shape[0]:
        return out
    if shift > 0:
        out[: audio.shape[0] - shift] = audio[shift:]
    else:
        out[-shift:] = audio[: audio.shape[0] + shift]
    return out


def fixed_offset(setting: AvSync, fps: float, where: str = "the prepare settings") -> AvOffset:
    """The offset a setting of 'off' or a fixed value gives (nothing is measured); `where` says who
    set it ("the prepare settings", or "this clip" when changed after prepare)."""
    if setting == "off":
        return AvOffset(source="off", reason=f"turned off in {where}")
    ms = float(setting)
    return AvOffset(int(round(ms * fps / 1000.0)), ms, bool(ms), "fixed", f"set in {where}", None, None, 0)


def heard_opening(audio_16k: np.ndarray, fps: float, n: int, prior: PriorKernel | None = None) -> np.ndarray:
    """The prior's mouth opening [n] over a clip's sound: the sound's half of the measurement, which
    needs no landmarks (prepare computes it while the frames are still being tracked)."""
    from core.mouth.prior.articulation import CHANNELS

    if prior is None:
        from core.mouth.prior.kernel import load_prior_kernel

        prior = load_prior_kernel()
    audio_16k = np.asarray(audio_16k, np.float32).reshape(-1)
    return prior.predict_batch(audio_16k, fps, n)[:, CHANNELS.index("open")]


def measure_av_offset(
    audio_16k: np.ndarray,
    fps: float,
    landmarks: np.ndarray,
    valid: np.ndarray,
    prior: PriorKernel | None = None,
    heard: np.ndarray | None = None,
) -> AvOffset:
    """Measure a clip's sound-vs-picture offset (see the module docstring).

    audio_16k [S] mono 16 kHz; landmarks [N, 478, 3] image pixels; valid [N] bool (a face was found);
    prior: the prior's kernel (None: the shipped one; an `AudioPrior`'s is `prior.kernel()`);
    heard: `heard_opening` of this sound for the N frames, when already computed.
    """
    from core.metrics.correlation import best_lag, lagged_r
    from core.mouth.metrics import opening_in_frame
    from core.mouth.space import canonical_reference

    audio_16k = np.asarray(audio_16k, np.float32).reshape(-1)
    valid = np.asarray(valid, bool)
    n = int(valid.shape[0])
    voiced = voiced_fraction(audio_16k, AUDIO_RATE // 50)
    if is_silent(voiced):
        return _unmeasured(f"the sound track is silent in {100 * (1 - voiced):.0f}% of the clip")
    need = max(int(math.ceil(MIN_SECONDS * fps)), 8)
    if int(valid.sum()) < need:
        return _unmeasured(
            f"only {int(valid.sum())} frames show a face (need {need}, {MIN_SECONDS:g} s) to time the sound"
        )
    # tracked_opening's values in the canonical frame MouthSpace.fit would give, without its PCA
    reference = canonical_reference(np.asarray(landmarks)[valid])
    mouth = np.where(valid, opening_in_frame(reference, landmarks), np.nan)  # untracked frames: left out
    if heard is None or len(heard) != n:
        heard = heard_opening(audio_16k, fps, n, prior)
    max_lag = max(int(math.floor(MAX_LAG_MS * fps / 1000.0 + 1e-9)), 1)
    lag, r_best = best_lag(heard, mouth, max_lag)
    r0 = lagged_r(heard, mouth, 0)
    if not math.isfinite(r_best):
        return AvOffset(
            source="measured", reason="the mouth or the sound does not vary: no timing to measure"
        )
    r0_text = f"{r0:.2f}" if math.isfinite(r0) else "undefined"
    ms = lag * 1000.0 / fps
    moved = f"moving the sound {abs(ms):.0f} ms {'earlier' if lag > 0 else 'later'}"
    facts = dict(source="measured", r_at_0=_num(r0), r_best=_num(r_best), best_lag=lag)
    if lag == 0:
        return AvOffset(**facts, reason=f"the sound fits the mouth best as it is, r {r_best:.2f}")
    if abs(ms) < MIN_OFFSET_MS:
        small = f"too small to correct (under {MIN_OFFSET_MS:g} ms)"
        why = f"{moved} fits best (r {r0_text} -> {r_best:.2f}), {small}"
        return AvOffset(**facts, reason=why)
    if r_best < MIN_R:
        why = f"the best fit ({moved}, r {r_best:.2f}) is too weak to trust (needs r >= {MIN_R:g})"
        return AvOffset(**facts, reason=why)
    if not math.isfinite(r0) or r_best - r0 < MIN_GAIN:
        why = f"{moved} fits barely better (r {r0_text} -> {r_best:.2f}, needs +{MIN_GAIN:g})"
        return AvOffset(**facts, reason=why)
    why = f"the mouth fits best after {moved}, r {r0_text} -> {r_best:.2f}"
    return AvOffset(lag, ms, True, reason=why, **facts)


def _unmeasured(reason: str) -> AvOffset:
    return AvOffset(source="not measured", reason=reason)


def _num(x: float) -> float | None:
    return round(float(x), 4) if math.isfinite(x) else None
