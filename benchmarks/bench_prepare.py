"""Time `dhstudio prepare` on the 8 s 512x512 sample and write frames/s as JSON.

Measures the whole PrepareJob (probe, audio, decode -> track -> encode on threads, smoothing,
pose, crops, files) and, to show where the time goes, each stage alone on the same frames:
decode (PyAV + rotation + BGR), tracking (MediaPipe face mesh, 478 points) and encoding video.mp4
(libx264 via Mp4Writer). The machine's load average and the process's CPU time are recorded: the wall-clock
figure is only comparable on an otherwise idle machine, the CPU time per frame on any.

Usage: ``PYTHONPATH=. python benchmarks/bench_prepare.py [--video PATH] [--out PATH] [--repeats N]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from core.face.prepare_job import PrepareJob, PrepareSettings
from core.face.tracker import FaceTracker
from core.io.atomic import write_json
from core.jobs.collector import CollectingRunner
from core.media.decode import iter_frames, probe
from core.media.mp4_writer import Mp4Writer

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "samples" / "talking_512_25fps_a.mp4"


def stage_rates(video: Path, settings: PrepareSettings) -> dict[str, float]:
    """Frames/s of each stage run alone, single-threaded from Python's side."""
    info = probe(video)
    n = info.output_frames(settings.fps)
    t0 = time.perf_counter()
    frames = list(iter_frames(video, settings.fps, n))
    decode = n / (time.perf_counter() - t0)
    with FaceTracker(settings.tracker) as tracker:
        tracker.track(frames[0])  # graph start-up is not per-frame work
        t0 = time.perf_counter()
        for f in frames:
            tracker.track(f)
        track = n / (time.perf_counter() - t0)
    h, w = frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with Mp4Writer(Path(tmp) / "v.mp4", w - w % 2, h - h % 2, settings.fps, crf=settings.crf) as writer:
            for f in frames:
                writer.write_frame(f)
        encode = n / (time.perf_counter() - t0)
    return {"decode_fps": round(decode, 1), "track_fps": round(track, 1), "encode_fps": round(encode, 1)}


def run_once(video: Path, settings: PrepareSettings) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        runner = CollectingRunner()
        t0, cpu0 = time.perf_counter(), time.process_time()
        result = runner.run(PrepareJob(video, Path(tmp) / "clip", settings))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if not result.ok:
            raise SystemExit(f"prepare failed: {result.error}")
        manifest = json.loads((Path(tmp) / "clip" / "manifest.json").read_text())
    n = manifest["frame_count"]
    return {
        "frames": n,
        "wall_s": round(wall, 3),
        "frames_per_s": round(n / wall, 2),
        # CPU seconds of all this process's threads: what the work costs whatever else runs;
        # with two cores and perfect overlap the wall-clock rate could reach 2 / cpu_ms_per_frame.
        "cpu_ms_per_frame": round(1000 * cpu / n, 2),
        "frames_per_s_if_2_idle_cores": round(2 * n / cpu, 1),
        "timings": manifest["timings"],
        "face_found_fraction": float(np.mean(manifest["quality"]["face_found"])),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "prepare.json")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--no-stages", action="store_true", help="skip the per-stage measurements")
    args = ap.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"sample video not found: {args.video} (pass --video PATH)")
    settings = PrepareSettings()
    load_before = os.getloadavg()[0]
    runs = [run_once(args.video, settings) for _ in range(args.repeats)]
    best = max(runs, key=lambda r: r["frames_per_s"])
    report = {
        "benchmark": "prepare",
        "video": args.video.name,
        "size": [probe(args.video).width, probe(args.video).height],
        "frames": best["frames"],
        "frames_per_s": best["frames_per_s"],
        "frames_per_s_median": round(statistics.median(r["frames_per_s"] for r in runs), 2),
        "target_frames_per_s": 100,
        "runs": runs,
        "stages_alone": None if args.no_stages else stage_rates(args.video, settings),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_1min_before": round(load_before, 2),
            "load_average_1min_after": round(os.getloadavg()[0], 2),
        },
    }
    write_json(args.out, report)
    print(
        f"prepare: {report['frames_per_s']} frames/s on {args.video.name} ({report['frames']} frames); "
        f"stages alone: {report['stages_alone']}; load {load_before:.1f} -> wrote {args.out}"
    )


if __name__ == "__main__":
    main()
