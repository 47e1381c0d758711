"""Where the sample clips' audio-video offset comes from: the lag at which sound-driven mouths fit.

For every clip (the real samples and the project's synthetic demo, prepared as by
`bench_audio_prior.py`), the pose-free tracked mouth opening (`core.mouth.metrics.mouth_scores`) is
correlated, on every frame, with three sound-driven series shifted -6..+6 video frames:
  - `loudness`: the frame's audio level (dB),
  - `prior`: the prior's opening channel,
  - `phones`: an independent acoustic model trained on real English speech (PocketSphinx's
    phone decoder, from its PyPI wheel; optional: `pip install pocketsphinx`), its phones turned
    into opening targets by the prior's own table (`core.mouth.prior.articulation`),
  - `prior+phones`: the two above, each standardised, averaged: if the prior's misses were its
    own (espeak's voices, its network), a second knowledge source trained on real voices would
    cancel part of them; if both miss the same frames, the misses are in the clip (mouth motion
    the sound does not carry) and no audio model reaches much further.
Lag > 0: the sound-driven series is late (series[t + lag] fits mouth[t]). If our pipeline (decode,
resampling, alignment, smoothing, lookahead) shifted sound against picture, the synthetic demo,
whose truth is exact, would show it; and if the prior's espeak timing were the cause, the phone
decoder would disagree with the prior.

Usage: PYTHONPATH=. python benchmarks/bench_av_offset.py [--work /tmp/dh-audio-prior]
       [--out benchmarks/results/av_offset.json]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
LAGS = range(-6, 7)
ARPABET_IPA = {
    **{"AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "aʊ", "AY": "aɪ", "EH": "ɛ", "ER": "ɚ"},
    **{"EY": "eɪ", "IH": "ɪ", "IY": "i", "OW": "oʊ", "OY": "ɔɪ", "UH": "ʊ", "UW": "u", "B": "b"},
    **{"P": "p", "M": "m", "F": "f", "V": "v", "W": "w", "SH": "ʃ", "ZH": "ʒ", "CH": "tʃ", "JH": "dʒ"},
    **{"D": "d", "T": "t", "N": "n", "L": "l", "R": "ɹ", "S": "s", "Z": "z", "K": "k", "G": "g"},
    **{"NG": "ŋ", "HH": "h", "TH": "θ", "DH": "ð", "Y": "j"},
}  # anything else (SIL, noise) is a pause


def phone_opening(audio: np.ndarray, n: int, fps: float) -> np.ndarray | None:
    """PocketSphinx's phones of 16 kHz audio -> the articulation table's opening per frame [n]."""
    try:
        import os

        import pocketsphinx
    except ImportError:
        return None
    from core.mouth.prior.articulation import trajectory

    model = os.path.join(pocketsphinx.get_model_path(), "en-us")
    dec = pocketsphinx.Decoder(
        hmm=os.path.join(model, "en-us"),
        allphone=os.path.join(model, "en-us-phone.lm.bin"),
        lm=None,
        lw=2.0,
        beam=1e-20,
        pbeam=1e-20,
        loglevel="FATAL",
    )
    dec.start_utt()
    dec.process_raw((np.clip(audio, -1, 1) * 32767).astype(np.int16).tobytes(), full_utt=True)
    dec.end_utt()
    phones = [(ARPABET_IPA.get(s.word, ""), s.start_frame / 100.0) for s in dec.seg()]
    return trajectory(phones, len(audio) / 16000, n, fps)[:, 0]


def _standard(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / max(float(x.std()), 1e-9)


def _best_shift(x: np.ndarray, y: np.ndarray, max_shift: int) -> tuple[int, float]:
    """(shift, r) maximising r of y[t + shift] against x[t] over the overlap."""
    from core.metrics.correlation import lagged_r

    n = min(len(x), len(y))
    rs = {
        s: lagged_r(np.asarray(y, np.float64)[:n], np.asarray(x, np.float64)[:n], s)
        for s in range(-max_shift, max_shift + 1)
    }
    best = max(rs, key=lambda s: rs[s] if np.isfinite(rs[s]) else -np.inf)
    return best, float(rs[best])


def shared_speech(clips: dict) -> list[dict]:
    """Pairs of clips whose sound is the same speech (10 ms log-energy r > 0.9): how far apart their
    sound is and how far apart their tracked mouths are, in milliseconds. Equal sound with mouths
    apart means the two files put the same picture at different times against it."""
    out = []
    names = sorted(clips)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            (sa, oa, fa), (sb, ob, fb) = clips[a], clips[b]
            if abs(fa - fb) > 1e-3:
                continue
            env = [
                np.log(np.mean(s[: len(s) // 160 * 160].reshape(-1, 160) ** 2, axis=1) + 1e-9)
                for s in (sa, sb)
            ]
            shift, r = _best_shift(env[0], env[1], 50)
            if r < 0.9:
                continue
            mouth_shift, mouth_r = _best_shift(oa, ob, 6)
            out.append(
                {
                    "clips": [a, b],
                    "sound_r": round(r, 3),
                    "sound_shift_ms": shift * 10,
                    "mouth_r": round(mouth_r, 3),
                    "mouth_shift_ms": round(mouth_shift * 1000 / fa, 1),
                }
            )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=Path, default=REPO.parent / "shared" / "samples")
    p.add_argument("--work", type=Path, default=Path("/tmp/dh-audio-prior"))
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "av_offset.json")
    args = p.parse_args(argv)
    from bench_audio_prior import prepare_all

    from core.io.atomic import write_json
    from core.metrics.correlation import lagged_r
    from core.mouth.data import load_prepared
    from core.mouth.metrics import mouth_scores
    from core.mouth.prior.eval_job import json_safe
    from core.mouth.prior.evaluation import K, frame_loudness_db
    from core.mouth.prior.model import load_prior
    from core.mouth.space import MouthSpace

    if not args.samples.is_dir():
        print(f"no sample media at {args.samples}", file=sys.stderr)
        return 2
    prior = load_prior()
    out: dict = {"lags": list(LAGS), "clips": {}}
    kept: dict = {}
    for case in prepare_all(args.samples, args.work):
        clip = load_prepared(case.path, "file")  # the files' own offsets, not prepare's correction
        n = clip.n_frames
        if float(np.abs(clip.audio).max()) == 0.0:
            continue  # a silent track (sample d) has no timing to measure
        space = MouthSpace.fit(clip.landmarks[clip.valid], K)
        opening = mouth_scores(space, space.encode(clip.landmarks), clip.landmarks, clip.crop_scale)
        truth = opening["opening_true"]
        kept[clip.name] = (clip.audio, truth, clip.fps)
        series = {
            "loudness": frame_loudness_db(clip.audio, clip.fps, n),
            "prior": prior.predict(clip.audio, clip.fps, n)[:, 0],
        }
        phones = phone_opening(clip.audio, n, clip.fps)
        if phones is not None:
            series["phones"] = phones
            series["prior+phones"] = 0.5 * (_standard(series["prior"]) + _standard(phones))
        row = {}
        for name, s in series.items():
            curve = [lagged_r(s, truth, lag) for lag in LAGS]
            best = int(np.nanargmax(curve))
            row[name] = {"r_by_lag": [round(float(r), 4) for r in curve], "best_lag": LAGS[best]}
            row[name]["r_at_0"], row[name]["r_best"] = curve[LAGS.index(0)], curve[best]
        out["clips"][clip.name] = row
        brief = {k: (v["best_lag"], round(v["r_best"], 2), round(v["r_at_0"], 2)) for k, v in row.items()}
        print(clip.name, "(best lag, r there, r at 0):", brief)
    real = [row for name, row in out["clips"].items() if name != "demo"]
    out["mean_real"] = {
        k: {"r_best": float(np.mean([row[k]["r_best"] for row in real]))} for k in (real[0] if real else {})
    }
    print("mean over the real clips, r at each one's best lag:", out["mean_real"])
    out["shared_speech"] = shared_speech(kept)
    print("clips with the same speech:", out["shared_speech"])
    out["notes"] = (
        "best_lag > 0: the sound-driven series is late against the tracked mouth. Frames of "
        "1/fps s. 'phones' needs pocketsphinx (optional); it is English-only. "
        "'prior+phones': both standardised and averaged. mean_real: mean over the real clips of "
        "each series' r at its own best lag."
    )
    write_json(args.out, json_safe(out))
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
