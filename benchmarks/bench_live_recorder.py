"""The live recorder's CPU per frame: the H.264 settings before (`veryfast`, x264's threads) and now
(`core.media.mp4_writer.LIVE_ENCODER`), interleaved on the same frames, with what each file holds.

    PYTHONPATH=. python benchmarks/bench_live_recorder.py [--frames 150] [--rounds 4]
        [--out benchmarks/results/live_recorder.json]

Frames: the real clip `talking_512_25fps_a.mp4` (512^2, what the live engine presents); sound: the
48 kHz stereo sample (the recorder keeps a file's own rate and channels), fed in 40 ms chunks as the
engine does. Each round runs every setting once (order alternating) through `RecorderSink` (its own
thread at the studio's nice value), timing the process CPU from the first frame handed over to the
file closed; the result is the median over rounds (other engineers' work shares this CPU, so ratios
are taken within a round). PSNR is of the decoded file against the frames given.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"


def record_once(path: Path, frames, sound, rate: int, encoder) -> dict:
    """Frames + sound through a RecorderSink; process CPU ms per frame and the file's facts."""
    import numpy as np

    from core.media.decode import probe, read_frames
    from core.realtime.sinks import RecorderSink

    h, w = frames.shape[1:3]
    chunk = rate * 40 // 1000
    c0, t0 = time.process_time(), time.perf_counter()
    sink = RecorderSink(  # room for every frame: none skipped, so each setting encodes all of them
        path, (w, h), 25.0, rate, len(frames) + 1, channels=sound.shape[1], encoder=encoder
    )
    for i, frame in enumerate(frames):
        sink.audio(sound[i * chunk : (i + 1) * chunk])
        sink.frame(i, frame)
    sink.close(len(frames))
    cpu = (time.process_time() - c0) * 1e3 / len(frames)
    wall = time.perf_counter() - t0
    back = read_frames(path)
    n = min(len(back), len(frames))
    mse = float(np.mean((back[:n].astype(np.float64) - frames[:n]) ** 2))
    info = probe(path)
    return {
        "cpu_ms_per_frame": cpu,
        "wall_seconds": wall,
        "frames_written": sink.info()["frames_written"],
        "frames_skipped": sink.info()["frames_skipped"],
        "size_kb": path.stat().st_size / 1e3,
        "psnr_db": 10 * float(np.log10(255.0**2 / max(mse, 1e-12))),
        "video": f"{info.width}x{info.height}",
        "audio": sink.info()["audio_format"],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--video", type=Path, default=SAMPLES / "talking_512_25fps_a.mp4")
    p.add_argument("--audio", type=Path, default=SAMPLES / "speech_zh_48k_stereo_8s.wav")
    p.add_argument("--frames", type=int, default=150)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "live_recorder.json")
    args = p.parse_args(argv)
    for f in (args.video, args.audio):
        if not f.is_file():
            print(f"missing {f} (the shared sample media)", file=sys.stderr)
            return 2
    from core.compute.threads import apply_process_policy

    apply_process_policy()
    from core.io.atomic import write_json
    from core.media.audio import read_audio_native
    from core.media.decode import read_frames
    from core.media.mp4_writer import LIVE_ENCODER, EncoderOptions

    frames = read_frames(args.video)[: args.frames]
    native = read_audio_native(args.audio)
    settings = {"before_veryfast": EncoderOptions(), "now_live": LIVE_ENCODER}
    runs: dict[str, list[dict]] = {k: [] for k in settings}
    load = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as work:
        for r in range(args.rounds):
            for name in settings if r % 2 == 0 else list(settings)[::-1]:
                out = Path(work) / f"{name}_{r}.mp4"
                runs[name].append(record_once(out, frames, native.samples, native.rate, settings[name]))
                print(f"round {r} {name}: {runs[name][-1]['cpu_ms_per_frame']:.2f} CPU ms/frame", flush=True)
    summary = {
        name: {
            "cpu_ms_per_frame": statistics.median(x["cpu_ms_per_frame"] for x in rs),
            "cpu_each_round": [round(x["cpu_ms_per_frame"], 2) for x in rs],
            **{k: rs[0][k] for k in ("frames_written", "size_kb", "psnr_db", "video", "audio")},
            "frames_skipped_max": max(x["frames_skipped"] for x in rs),
            "encoder": settings[name].__dict__,
        }
        for name, rs in runs.items()
    }
    ratios = [
        b["cpu_ms_per_frame"] / a["cpu_ms_per_frame"]
        for a, b in zip(runs["before_veryfast"], runs["now_live"], strict=True)
    ]
    result = {
        "benchmark": "live_recorder",
        "what": __doc__.split("\n\n")[2].strip(),
        "frames": len(frames),
        "sound": f"{args.audio.name} ({native.rate} Hz, {native.channels} ch)",
        "machine": {"machine": platform.machine(), "cpus": os.cpu_count(), "load_avg_start": load},
        "method": "settings interleaved within each round, median over rounds; the machine is shared by "
        "4 engineers (load averages recorded)",
        "summary": summary,
        "cpu_ratio_now_over_before_each_round": [round(x, 3) for x in ratios],
        "cpu_ratio_now_over_before": statistics.median(ratios),
    }
    result["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    write_json(args.out, result)
    print(
        {k: round(v["cpu_ms_per_frame"], 2) for k, v in summary.items()},
        "ratio",
        round(result["cpu_ratio_now_over_before"], 3),
    )
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
