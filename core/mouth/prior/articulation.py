"""Timed IPA phonemes -> articulatory targets per video frame: lip opening, rounding, spreading.

Each phoneme has a target (open, round, spread), each in 0..1: vowels by their height and
rounding in the IPA chart, bilabials closed, labiodentals almost closed, rounded postalveolars and
/w/ protruded, pauses closed and neutral. Lingual consonants (t, k, s, l, ...) barely constrain the
lips, so they take a reduced copy of their neighbouring vowels (coarticulation). The step function
of targets is smoothed with a 30 ms Gaussian (the lips cannot jump) and averaged over each video
frame's exposure. These three numbers are what the prior predicts; `core.mouth.prior.adapt` maps
them into a user's own mouth space.
"""

from __future__ import annotations

import numpy as np

CHANNELS = ("open", "round", "spread")
SMOOTH_MS = 30.0

# IPA vowel -> (open, round, spread)
VOWELS: dict[str, tuple[float, float, float]] = {
    "i": (0.22, 0.0, 1.0), "y": (0.22, 0.9, 0.0), "ɨ": (0.22, 0.0, 0.4), "ʉ": (0.22, 0.8, 0.0),
    "ɯ": (0.22, 0.0, 0.5), "u": (0.22, 1.0, 0.0),
    "ɪ": (0.32, 0.0, 0.7), "ʏ": (0.32, 0.7, 0.0), "ʊ": (0.32, 0.7, 0.0),
    "e": (0.45, 0.0, 0.8), "ø": (0.45, 0.8, 0.0), "ɘ": (0.45, 0.0, 0.3), "ɵ": (0.45, 0.6, 0.0),
    "ɤ": (0.45, 0.0, 0.3), "o": (0.45, 0.8, 0.0), "ə": (0.45, 0.0, 0.1), "ɚ": (0.42, 0.2, 0.0),
    "ɛ": (0.65, 0.0, 0.6), "œ": (0.65, 0.6, 0.0), "ɜ": (0.6, 0.0, 0.2), "ɞ": (0.6, 0.5, 0.0),
    "ʌ": (0.7, 0.0, 0.2), "ɔ": (0.7, 0.6, 0.0),
    "æ": (0.82, 0.0, 0.5), "ɐ": (0.8, 0.0, 0.2),
    "a": (0.95, 0.0, 0.3), "ɶ": (0.95, 0.5, 0.0), "ɑ": (1.0, 0.0, 0.1), "ɒ": (0.95, 0.4, 0.0),
}  # fmt: skip

PAUSE = (0.0, 0.0, 0.0)
# consonants whose lips are fixed, by their first character
LABIAL: dict[str, tuple[float, float, float]] = {
    **dict.fromkeys("pbmɓʙɸβ", (0.0, 0.15, 0.0)),
    **dict.fromkeys("fvɱʋ", (0.08, 0.0, 0.15)),
    **dict.fromkeys("wɥ", (0.15, 0.9, 0.0)),
    **dict.fromkeys("ʃʒ", (0.2, 0.6, 0.0)),
}
LINGUAL_OPEN = 0.6  # share of the neighbours' opening a lingual consonant keeps
LINGUAL_LIPS = 0.7  # share of the next vowel's rounding/spreading it anticipates


def _vowel_parts(ipa: str) -> list[tuple[float, float, float]]:
    """The vowel targets inside one phoneme string (two for a diphthong), in order."""
    return [VOWELS[ch] for ch in ipa if ch in VOWELS]


def phone_targets(phones: list[tuple[str, float]], end: float) -> list[tuple[float, float, np.ndarray]]:
    """(start s, end s, target [3]) segments; a diphthong is split in two halves."""
    segs: list[tuple[float, float, np.ndarray | None]] = []
    kinds: list[str] = []
    for i, (ipa, t0) in enumerate(phones):
        t1 = phones[i + 1][1] if i + 1 < len(phones) else end
        if t1 <= t0:
            continue
        ipa = ipa.strip()
        vowels = _vowel_parts(ipa)
        if not ipa:
            segs.append((t0, t1, np.array(PAUSE))), kinds.append("pause")
        elif ipa[0] in LABIAL:
            segs.append((t0, t1, np.array(LABIAL[ipa[0]]))), kinds.append("labial")
        elif vowels:
            if len(vowels) == 1:
                segs.append((t0, t1, np.array(vowels[0]))), kinds.append("vowel")
            else:
                mid = 0.5 * (t0 + t1)
                segs.append((t0, mid, np.array(vowels[0]))), kinds.append("vowel")
                segs.append((mid, t1, np.array(vowels[-1]))), kinds.append("vowel")
        else:
            segs.append((t0, t1, None)), kinds.append("lingual")
    out = []
    for i, (t0, t1, target) in enumerate(segs):
        if target is None:
            prev = _neighbour(segs, kinds, i, -1)
            nxt = _neighbour(segs, kinds, i, +1)
            openness = LINGUAL_OPEN * 0.5 * (prev[0] + nxt[0])
            target = np.array([max(openness, 0.12), LINGUAL_LIPS * nxt[1], LINGUAL_LIPS * nxt[2]])
        out.append((t0, t1, target))
    return out


def _neighbour(segs, kinds, i: int, direction: int) -> np.ndarray:
    """The nearest vowel target in `direction` within the word (a pause or the edge gives closed)."""
    j = i + direction
    while 0 <= j < len(segs):
        if kinds[j] == "vowel":
            return segs[j][2]
        if kinds[j] == "pause":
            break
        j += direction
    return np.array(PAUSE)


def trajectory(phones: list[tuple[str, float]], end: float, n_frames: int, fps: float) -> np.ndarray:
    """Targets per video frame [n_frames, 3]: smoothed, averaged over each frame's exposure."""
    ms = np.zeros((int(np.ceil(max(end, n_frames / fps) * 1000)) + 1, 3))
    for t0, t1, target in phone_targets(phones, end):
        ms[int(round(t0 * 1000)) : int(round(t1 * 1000))] = target
    half = int(3 * SMOOTH_MS)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) / SMOOTH_MS) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(ms, ((half, half), (0, 0)), mode="edge")
    smooth = np.stack([np.convolve(padded[:, c], kernel, mode="valid") for c in range(3)], axis=1)
    edges = np.round(np.arange(n_frames + 1) * 1000.0 / fps).astype(int)
    cums = np.concatenate([np.zeros((1, 3)), np.cumsum(smooth, axis=0)])
    edges = np.clip(edges, 0, len(smooth))
    width = np.maximum(edges[1:] - edges[:-1], 1)[:, None]
    return ((cums[edges[1:]] - cums[edges[:-1]]) / width).astype(np.float32)
