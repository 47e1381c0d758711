"""How the driving speech's level moves the avatar's mouth: the same speech at other gains.

Render and live feed the audio model's features through the statistics its run saved from the
training clip (`NormStats`), so a voice louder or quieter than the clip's shifts every log-mel bin
by the same amount; training only augments +-`train.gain_db` (6 dB). `core.audio.level` matches
the voice's speech level to the clip's. For each real sample clip, the prior is mapped onto it
(`map_prior_run`, the run a new project gets), then driven by the same 20 s of English speech
scaled by each gain, with level matching (`matched`, what render and live do) and without it
(`unmatched`, the statistics' level removed: what they did before), in the same run. Reported per
gain: the spread (sd) and mean of the predicted mouth opening (canonical units, as `mouth_scores`)
relative to the speech at the clip's own speech level without matching, and the r of the opening
against that. A mouth that keeps its motion at every plausible input level has ratios near 1 and
r near 1. The first second is left out: the matcher has not heard the voice yet.

Usage: PYTHONPATH=. python benchmarks/bench_input_level.py [--work /tmp/dh-audio-prior]
       [--gains -30,-20,-10,0,10,20] [--out benchmarks/results/input_level.json]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
SPEECH = "speech_en_16k_60s.wav"
SECONDS = 20.0


def speech_level_db(audio: np.ndarray, fps: float) -> float:
    """90th percentile of the video frames' RMS in dBFS: the level of the clip's louder speech."""
    hop = int(round(16000 / fps))
    frames = audio[: audio.size // hop * hop].reshape(-1, hop).astype(np.float64)
    rms = np.sqrt((frames**2).mean(axis=1))
    return float(np.percentile(20 * np.log10(np.maximum(rms, 1e-9)), 90))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--samples", type=Path, default=REPO.parent / "shared" / "samples")
    p.add_argument("--work", type=Path, default=Path("/tmp/dh-audio-prior"))
    p.add_argument("--gains", default="-30,-20,-10,0,10,20", help="dB relative to the clip's speech level")
    p.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "input_level.json")
    args = p.parse_args(argv)
    from dataclasses import replace

    from bench_audio_prior import prepare_all

    from core.face.prepared import PreparedClip
    from core.io.atomic import write_json
    from core.media.audio import read_audio
    from core.metrics.correlation import pearson
    from core.mouth.loader import load_audio2mouth
    from core.mouth.metrics import canonical_opening
    from core.mouth.prior.project_run import map_prior_run

    if not args.samples.is_dir():
        print(f"no sample media at {args.samples}", file=sys.stderr)
        return 2
    gains = [float(g) for g in args.gains.split(",")]
    speech = np.asarray(read_audio(args.samples / SPEECH), np.float32).reshape(-1)[: int(SECONDS * 16000)]
    out: dict = {"speech": SPEECH, "seconds": SECONDS, "gains_db": gains, "clips": {}}
    for case in prepare_all(args.samples, args.work):
        clip = PreparedClip.load(case.path)
        audio = clip.audio("file")
        if not clip.has_audio or float(np.abs(audio).max()) == 0.0:
            continue  # a silent track (sample d) makes no audio model
        project = args.work / "level" / case.path.name
        shutil.rmtree(project, ignore_errors=True)
        (project / "prepared").mkdir(parents=True)
        (project / "runs").mkdir()
        shutil.copytree(case.path, project / "prepared" / case.path.name)
        matched = load_audio2mouth(map_prior_run(project))
        unmatched = replace(matched, norm=replace(matched.norm, level=None))
        fps = float(clip.fps)
        n = int(SECONDS * fps)
        own = speech_level_db(audio, fps)
        at_own = speech * 10 ** ((own - speech_level_db(speech, fps)) / 20)

        def opening(model, x: np.ndarray, n=n, skip=int(fps)) -> np.ndarray:
            coeffs = model.predict(np.clip(x, -1, 1), n)
            return canonical_opening(model.space, model.space.decode(coeffs))[skip:]

        ref = opening(unmatched, at_own)
        rows: dict = {"matched": {}, "unmatched": {}}
        for name, model in (("matched", matched), ("unmatched", unmatched)):
            for g in gains:
                o = opening(model, at_own * 10 ** (g / 20))
                rows[name][f"{g:+g}"] = {
                    "mean_ratio": float(o.mean() / ref.mean()),
                    "spread_ratio": float(o.std() / ref.std()),
                    "r_vs_own_level": float(pearson(o, ref)),
                }
        out["clips"][case.path.name] = {"speech_level_dbfs": own, "by_gain_db": rows}
        for name, by_gain in rows.items():
            print(case.path.name, name, f"(speech level {own:.1f} dBFS):", end=" ")
            print(
                ", ".join(
                    f"{k} dB x{v['spread_ratio']:.2f} r {v['r_vs_own_level']:.2f}" for k, v in by_gain.items()
                )
            )
    out["notes"] = (
        "Gains are relative to each clip's own speech level (90th percentile of video-frame RMS). "
        "spread_ratio < 1: the mouth moves less than at the clip's level; r_vs_own_level: the shape "
        "of its motion against that level's (both against the unmatched run at the clip's level). "
        "matched: core.audio.level on (render and live); unmatched: off (before it existed)."
    )
    write_json(args.out, out)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
