"""Synthetic training speech for the prior: random pseudo-sentences in several languages, spoken by
espeak-ng with random voices, rates and pitches, then put through a random room and microphone.

Everything is drawn from one seeded generator, so a corpus is reproducible. Each sample is 16 kHz
audio with its articulatory targets at a random video frame rate (20-30 fps), so the prior does
not learn one frame rate's dynamics. Silence before, between and after phrases is part of every
sample (targets closed there), which teaches the mouth to close in silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.mouth.prior.articulation import trajectory
from core.mouth.prior.espeak import Espeak

SAMPLE_RATE = 16000
WARP = 0.15  # +- frequency/tempo warp of the synthesized speech
LEAD_S = 0.0  # lips lead the sound in real speech, but a 40 ms lead measured no better here (see the note)

# (espeak voice, onset letters, vowel spellings, coda letters): pseudo-words the voice can read
LANGUAGES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("en", "bcdfghjklmnprstvwyz", ("a", "e", "i", "o", "u", "ee", "oo", "ai", "ou", "ay"), "nstrlmdk"),
    ("en-us", "bdfghklmnprstvwz", ("a", "e", "i", "o", "u", "oa", "ea", "ow"), "nstrlmdkp"),
    ("fr", "bdfgjlmnprstvz", ("a", "e", "i", "o", "u", "ou", "eau", "on", "an", "é", "è"), "rsl"),
    ("de", "bdfghklmnprstwz", ("a", "e", "i", "o", "u", "ei", "au", "ü", "ö", "ie"), "nrstchlk"),
    ("es", "bcdfgjlmnprstvz", ("a", "e", "i", "o", "u", "ue", "ia"), "nsrl"),
    ("it", "bcdfglmnprstvz", ("a", "e", "i", "o", "u"), "nlr"),
    ("pt", "bdfgjlmnprstvz", ("a", "e", "i", "o", "u", "ão", "ei"), "srl"),
    ("nl", "bdfghklmnprstvwz", ("a", "e", "i", "o", "u", "oe", "aa", "ij"), "nrstk"),
)
PINYIN_INITIALS = (
    "",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "zh",
    "ch",
    "sh",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
)
PINYIN_FINALS = (
    "a",
    "o",
    "e",
    "ai",
    "ei",
    "ao",
    "ou",
    "an",
    "en",
    "ang",
    "eng",
    "ong",
    "i",
    "u",
    "ia",
    "ie",
    "iao",
    "iu",
    "ian",
    "in",
    "ing",
    "ua",
    "uo",
    "uai",
    "ui",
    "uan",
    "un",
)
VARIANTS = (
    "",
    "m1",
    "m2",
    "m3",
    "m4",
    "m5",
    "m6",
    "m7",
    "f1",
    "f2",
    "f3",
    "f4",
    "f5",
    "klatt",
    "klatt2",
    "klatt3",
    "klatt4",
    "Andy",
    "Annie",
    "aunty",
    "boris",
    "david",
    "edward",
    "grandma",
    "grandpa",
    "linda",
    "max",
    "michel",
    "norbert",
    "steph",
    "travis",
    "zac",
    "croak",
)


@dataclass(frozen=True)
class Sample:
    audio: np.ndarray  # [S] float32 16 kHz
    targets: np.ndarray  # [N, 3] open, round, spread per video frame
    fps: float


def _word(rng: np.random.Generator, onset: str, vowels: tuple[str, ...], coda: str) -> str:
    parts = []
    for _ in range(int(rng.integers(1, 4))):
        if rng.random() < 0.8:
            parts.append(onset[int(rng.integers(len(onset)))])
        parts.append(vowels[int(rng.integers(len(vowels)))])
        if rng.random() < 0.3:
            parts.append(coda[int(rng.integers(len(coda)))])
    return "".join(parts)


def _pinyin(rng: np.random.Generator) -> str:
    initial = PINYIN_INITIALS[int(rng.integers(len(PINYIN_INITIALS)))]
    final = PINYIN_FINALS[int(rng.integers(len(PINYIN_FINALS)))]
    return f"{initial}{final}{int(rng.integers(1, 5))}"


def random_text(rng: np.random.Generator) -> tuple[str, str]:
    """(voice language, text): 1-3 phrases of 2-9 pseudo-words, separated by commas or stops."""
    mandarin = rng.random() < 0.25
    lang = LANGUAGES[int(rng.integers(len(LANGUAGES)))]
    phrases = []
    for _ in range(int(rng.integers(1, 4))):
        n = int(rng.integers(2, 10))
        words = [_pinyin(rng) if mandarin else _word(rng, *lang[1:]) for _ in range(n)]
        phrases.append(" ".join(words))
    seps = [", " if rng.random() < 0.5 else ". " for _ in phrases]
    text = "".join(p + s for p, s in zip(phrases, seps, strict=True)).strip()
    return ("cmn-latn-pinyin" if mandarin else lang[0]), text


def _room(audio: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Reverb from an exponentially decaying noise tail (RT60 0.1-0.7 s), mixed with the dry sound."""
    rt60 = float(rng.uniform(0.1, 0.7))
    n = int(rt60 * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    ir[0] = 0.0
    ir *= float(rng.uniform(0.05, 0.4)) / np.sqrt((ir**2).sum() + 1e-12)
    ir[0] = 1.0
    size = 1 << int(np.ceil(np.log2(len(audio) + n)))
    wet = np.fft.irfft(np.fft.rfft(audio, size) * np.fft.rfft(ir, size), size)[: len(audio)]
    return wet


def _fast_len(n: int) -> int:
    return 1 << int(np.ceil(np.log2(max(n, 2))))


def _resample_coloured(audio: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Resample to 16 kHz in the frequency domain and apply a random microphone/channel there:
    spectral tilt, sometimes a telephone-like band limit, sometimes a broad resonance or notch.
    The input is zero-padded to a length whose 16 kHz counterpart is whole (and FFT-friendly)."""
    g = int(np.gcd(rate, SAMPLE_RATE))
    step_in, step_out = rate // g, SAMPLE_RATE // g
    n_in = step_in * _fast_len(-(-len(audio) // step_in))
    n_out = n_in // step_in * step_out
    spec = np.fft.rfft(audio, n_in)[: n_out // 2 + 1] * (n_out / n_in)
    f = np.fft.rfftfreq(n_out, 1 / SAMPLE_RATE)
    octaves = np.log2(np.maximum(f, 50.0) / 1000.0)
    gain_db = float(rng.uniform(-4, 4)) * octaves  # tilt, dB per octave around 1 kHz
    if rng.random() < 0.2:
        lo, hi = float(rng.uniform(100, 400)), float(rng.uniform(3000, 7000))
        gain_db = gain_db - 30.0 * ((f < lo) | (f > hi))
    if rng.random() < 0.5:  # a broad resonance or notch
        centre, width = float(rng.uniform(200, 5000)), float(rng.uniform(0.3, 1.5))
        bump = np.exp(-0.5 * (np.log2(np.maximum(f, 1) / centre) / width) ** 2)
        gain_db = gain_db + float(rng.uniform(-8, 8)) * bump
    out = np.fft.irfft(spec * 10 ** (gain_db / 20), n_out)
    return out[: int(round(len(audio) * SAMPLE_RATE / rate))]


def _noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """White, pink or brown noise with unit RMS."""
    size = _fast_len(n)
    slope = float(rng.choice([0.0, 0.5, 1.0]))
    spec = np.fft.rfft(rng.standard_normal(size))
    f = np.fft.rfftfreq(size, 1 / SAMPLE_RATE)
    spec *= 1.0 / np.maximum(f, 20.0) ** slope
    noise = np.fft.irfft(spec, size)[:n]
    return noise / (np.sqrt((noise**2).mean()) + 1e-12)


def _pad_seconds(rng: np.random.Generator) -> float:
    return float(rng.uniform(0.05, 1.2))


def make_sample(tts: Espeak, rng: np.random.Generator) -> Sample:
    """One augmented utterance with its articulatory targets."""
    lang, text = random_text(rng)
    variant = VARIANTS[int(rng.integers(len(VARIANTS)))]
    voice = f"{lang}+{variant}" if variant else lang
    rate, pitch, span = int(rng.integers(110, 290)), int(rng.integers(10, 90)), int(rng.integers(5, 95))
    utt = tts.speak(text, voice, rate=rate, pitch=pitch, pitch_range=span)
    # "tape speed" warp: read the samples at another rate, so formants, pitch and timing all move
    # by the factor (a shorter or longer vocal tract than espeak's), in 250 Hz steps
    warp = float(rng.uniform(1.0 - WARP, 1.0 + WARP))
    rate = int(round(utt.sample_rate * warp / 250.0)) * 250
    speech = _resample_coloured(utt.audio.astype(np.float64), rate, rng)
    scale = utt.sample_rate / rate  # seconds of the synthesized audio -> seconds of the warped one
    lead, tail = _pad_seconds(rng), _pad_seconds(rng)
    audio = np.concatenate([np.zeros(int(lead * SAMPLE_RATE)), speech, np.zeros(int(tail * SAMPLE_RATE))])
    phones = [("", 0.0)] + [(p, max(t * scale + lead - LEAD_S, 0.0)) for p, t in utt.phones]
    end = len(audio) / SAMPLE_RATE
    phones.append(("", lead + len(speech) / SAMPLE_RATE))
    if rng.random() < 0.6:
        audio = _room(audio, rng)
    level = 10 ** (float(rng.uniform(-34, -10)) / 20)
    audio *= level / (np.sqrt((speech**2).mean()) + 1e-12)
    snr_db = float(rng.uniform(12, 50)) if rng.random() < 0.7 else 70.0
    floor = max(level * 10 ** (-snr_db / 20), 10 ** (float(rng.uniform(-75, -50)) / 20))
    audio = audio + floor * _noise(len(audio), rng)
    audio = np.clip(audio, -1, 1).astype(np.float32)
    fps = float(rng.uniform(20, 30))
    n_frames = int(np.floor(end * fps))
    return Sample(audio, trajectory(phones, end, n_frames, fps), fps)
