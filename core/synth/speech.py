"""Deterministic speech-like audio whose mouth opening is known exactly.

Syllables are voiced harmonic sounds shaped by formants; the first formant rises with
vowel openness as in real speech, and loudness follows the syllable envelope. The mouth
opening truth is envelope x openness, so both loudness and spectrum carry it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Syllable:
    start: float  # seconds
    duration: float  # seconds
    openness: float  # 0..1 vowel openness (i/u ~0.3 .. a ~1.0)
    f2: float  # second formant, Hz (front/back vowel)


def plan_syllables(duration: float, rng: np.random.Generator) -> list[Syllable]:
    out: list[Syllable] = []
    t = 0.25
    while t < duration - 0.3:
        d = float(rng.uniform(0.14, 0.32))
        out.append(Syllable(t, d, float(rng.uniform(0.3, 1.0)), float(rng.uniform(900, 2100))))
        gap = float(rng.uniform(0.03, 0.12))
        if rng.random() < 0.15:  # phrase pause
            gap += float(rng.uniform(0.25, 0.6))
        t += d + gap
    return out


def syllable_envelope(t: np.ndarray, syllables: list[Syllable]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Envelope in [0, 1], and the openness and F2 of the syllable sounding at each time."""
    env = np.zeros_like(t)
    openness = np.zeros_like(t)
    f2 = np.full_like(t, 1500.0)
    for s in syllables:
        x = (t - s.start) / s.duration
        inside = (x >= 0) & (x <= 1)
        # fast attack, slower release: sin^2 shape skewed towards the onset
        shape = np.where(inside, np.sin(np.pi * np.clip(x, 0, 1) ** 0.7) ** 2, 0.0)
        take = shape > env
        env = np.where(take, shape, env)
        openness = np.where(take, s.openness, openness)
        f2 = np.where(take, s.f2, f2)
    return env, openness, f2


def formant_gain(freq: np.ndarray, centre: np.ndarray, bandwidth: float) -> np.ndarray:
    return 1.0 / (1.0 + ((freq - centre) / (bandwidth / 2)) ** 2)


def synthesize(
    duration: float, seed: int = 0, sample_rate: int = SAMPLE_RATE
) -> tuple[np.ndarray, list[Syllable]]:
    """Return float32 mono audio in [-1, 1] and the syllable plan that made it."""
    rng = np.random.default_rng(seed)
    syllables = plan_syllables(duration, rng)
    n = int(round(duration * sample_rate))
    t = np.arange(n) / sample_rate
    env, openness, f2 = syllable_envelope(t, syllables)

    # slowly wandering pitch with phrase declination
    f0 = 135 + 20 * np.sin(2 * np.pi * 0.31 * t) + 8 * np.sin(2 * np.pi * 1.7 * t + 1.0)
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    f1 = 280 + 620 * openness
    voiced = np.zeros(n)
    for k in range(1, 36):
        hk = k * f0
        gain = (
            formant_gain(hk, f1, 120)
            + 0.6 * formant_gain(hk, f2, 160)
            + 0.25 * formant_gain(hk, np.full_like(t, 2600.0), 220)
        ) / k**0.5
        gain = np.where(hk < sample_rate / 2 - 200, gain, 0.0)
        voiced += gain * np.sin(k * phase)
    voiced /= np.max(np.abs(voiced)) + 1e-9

    # consonant noise bursts at syllable onsets (high-passed white noise)
    noise = rng.standard_normal(n)
    noise = np.diff(noise, prepend=0.0)
    burst = np.zeros(n)
    for s in syllables:
        x = (t - s.start + 0.04) / 0.05
        burst += np.where((x >= 0) & (x <= 1), np.sin(np.pi * np.clip(x, 0, 1)), 0.0)
    audio = 0.55 * env * (0.5 + 0.5 * openness) * voiced + 0.05 * burst * noise
    audio += 0.002 * rng.standard_normal(n)  # room tone, so silence is not digital zero
    audio = np.clip(audio, -1, 1).astype(np.float32)
    return audio, syllables


def mouth_opening_truth(syllables: list[Syllable], frame_count: int, fps: float) -> np.ndarray:
    """Mouth opening in [0, 1] at each video frame time (frame i shows time i / fps)."""
    t = np.arange(frame_count) / fps
    # average the opening over the frame's exposure so fast syllables are not missed
    sub = np.linspace(0, 1 / fps, 5, endpoint=False)
    env, openness, _ = syllable_envelope((t[:, None] + sub[None, :]).ravel(), syllables)
    return (env * openness).reshape(frame_count, len(sub)).mean(axis=1)
