"""Time `dhstudio prepare` against MediaPipe alone on the same frames, interleaved, and write JSON.

The reference is the raw tracker: MediaPipe's face mesh (one face, 478 refined landmarks) fed the
clip's frames, already decoded to RGB in memory, from graph construction to the last frame;
nothing else. Prepare is the whole PrepareJob (the tracker's graph built on a thread while the
file is probed; the probe's decode of the first frame tracked while the decoder starts; decode ->
track -> write overlapped on threads, the packet copy, audio, hash and live preview beside them
from the first frame on; after the last frame, smoothing, poses (two threads) and crops while the
encoder drains and the graph closes, each file written as soon as it is final).
Besides the ratio it reports the phases: the start (to the first frame tracked), the steady
frames/s, and the end (after the last frame tracked), raw and prepare, the end also as wall and
process-CPU ms from the last frame's progress event to the job's return (end_wall_ms, end_cpu_ms);
and the CPU time of the end-of-clip analysis alone, timed many times on one thread (less moved by
the load than wall time).
The two alternate (raw, prepare, raw, prepare, ...) so that both see the same machine load, and the
figure is the ratio of each prepare run to the mean of the raw runs just before and after it
(target >= 0.9).
The machine is shared: wall-clock rates are only comparable within a run; each run records the
1-minute load average, the cores other processes used while it ran (from /proc/stat less this
process's own CPU) and the process's CPU time (CPU ms per frame compare on any load), and each
prepare run its CPU by thread (decode, tracking, encode; the rest is MediaPipe's graph, libav's
decoding threads, the side threads and the analysis after the stream). Before each run the
benchmark waits (at most --quiet-wait seconds) for the other processes to go quiet, and besides the
ratio over every run it reports the ratio over the runs during which they stayed quiet (the prepare
run and the raw runs either side): under load prepare's extra threads win it a larger share of the
CPU than the raw tracker's single chain gets, which moves the all-runs ratio up or down with the load.

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
from core.io.atomic import write_json
from core.jobs.events import Progress
from core.jobs.job import execute
from core.media.decode import iter_frames, probe

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "samples" / "talking_512_25fps_a.mp4"
TARGET_RATIO = 0.9
PHASES = ("first_frame_s", "steady_frames_per_s", "after_last_frame_s", "end_wall_ms", "end_cpu_ms")


QUIET_CORES = 0.25  # other processes using less than this while a run lasts: a quiet run
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_stat() -> tuple[float, int, int] | None:
    """(now, busy jiffies of the whole machine, this process's jiffies), or None without /proc."""
    try:
        with open("/proc/stat") as fh:
            fields = [int(v) for v in fh.readline().split()[1:9]]
        with open("/proc/self/stat") as fh:
            mine = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    return time.perf_counter(), busy, int(mine[11]) + int(mine[12])


def _other_cores(a: tuple | None, b: tuple | None) -> float | None:
    """Cores used by every other process between two `_cpu_stat`s (None without /proc)."""
    if a is None or b is None or b[0] <= a[0]:
        return None
    return max(0.0, ((b[1] - a[1]) - (b[2] - a[2])) / _TICK / (b[0] - a[0]))


def wait_quiet(max_wait_s: float, window_s: float = 0.3) -> float:
    """Wait until other processes use under QUIET_CORES / 2 cores over `window_s`, at most
    `max_wait_s`; returns the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_wait_s:
        a = _cpu_stat()
        time.sleep(window_s)
        used = _other_cores(a, _cpu_stat())
        if used is None or used < QUIET_CORES / 2:
            break
    return time.perf_counter() - t0


def timed_run(fn, *args, quiet_wait_s: float = 0.0) -> dict:
    """`fn(*args)` (a run's dict) after waiting for quiet, with the other processes' cores added."""
    waited = wait_quiet(quiet_wait_s) if quiet_wait_s > 0 else 0.0
    a = _cpu_stat()
    out = fn(*args)
    used = _other_cores(a, _cpu_stat())
    out["other_processes_cores"] = None if used is None else round(used, 3)
    out["waited_for_quiet_s"] = round(waited, 2)
    return out


def _clock() -> tuple[float, float, float]:
    return time.perf_counter(), time.process_time(), time.thread_time()


def _rates(n: int, start: tuple[float, ...], steady_from: tuple[float, ...] | None = None) -> dict:
    wall, cpu = time.perf_counter() - start[0], time.process_time() - start[1]
    out = {
        "wall_s": round(wall, 3),
        "frames_per_s": round(n / wall, 2),
        "cpu_ms_per_frame": round(1000 * cpu / n, 3),
        # this (the tracking) thread alone: what MediaPipe's graph waits on, frame after frame
        "calling_thread_cpu_ms_per_frame": round(1000 * (time.thread_time() - start[2]) / n, 3),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if steady_from is not None:  # after the graph's construction and first frame
        steady = time.perf_counter() - steady_from[0]
        out["steady_frames_per_s"] = round((n - 1) / steady, 2)
    return out


def raw_tracker(frames_rgb: list[np.ndarray], settings: PrepareSettings) -> dict:
    """MediaPipe's FaceMesh alone (one face) on in-memory RGB frames: what prepare is measured against."""
    import mediapipe as mp

    from core.face.native_stderr import filtered_native_stderr, silence_python_warnings

    silence_python_warnings()
    start = _clock()
    with filtered_native_stderr():
        mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=False,
            max_num_faces=1,
            refine_landmarks=True,
            min_detection_confidence=settings.tracker.min_detection_confidence,
            min_tracking_confidence=settings.tracker.min_tracking_confidence,
        )
        mesh.process(frames_rgb[0])
    try:
        steady = _clock()
        found = 1
        for frame in frames_rgb[1:]:
            found += mesh.process(frame).multi_face_landmarks is not None
        last, last_cpu = time.perf_counter(), time.process_time()
    finally:
        mesh.close()
    end_wall, end_cpu = time.perf_counter() - last, time.process_time() - last_cpu
    return {
        **_rates(len(frames_rgb), start, steady),
        "first_frame_s": round(steady[0] - start[0], 4),  # graph construction and the first frame
        "after_last_frame_s": round(end_wall, 4),  # closing the graph
        "end_wall_ms": round(1000 * end_wall, 2),
        "end_cpu_ms": round(1000 * end_cpu, 2),
        "face_found_fraction": found / len(frames_rgb),
    }


def prepare(video: Path, settings: PrepareSettings) -> dict:
    """The whole PrepareJob, wall and CPU time, with the job's own stage timings, and its end: from
    the last frame's progress event (sent right after that frame is tracked) to the job's return."""
    last: dict[str, float] = {}

    def sink(event) -> None:
        if isinstance(event, Progress) and event.message == "tracking" and event.step == event.total:
            last["wall"], last["cpu"] = time.perf_counter(), time.process_time()

    with tempfile.TemporaryDirectory() as tmp:
        start = _clock()
        result = execute(PrepareJob(video, Path(tmp) / "clip", settings), sink)
        end_wall, end_cpu = time.perf_counter() - last["wall"], time.process_time() - last["cpu"]
        if not result.ok:
            raise SystemExit(f"prepare failed: {result.error}")
        manifest = json.loads((Path(tmp) / "clip" / "manifest.json").read_text())
        n = manifest["frame_count"]
        rates = _rates(n, start)
    t = manifest["timings"]
    threads = {k.removesuffix("_thread_cpu_s"): v for k, v in t.items() if k.endswith("_thread_cpu_s")}
    stages = {f"{k}_thread": round(1000 * v / n, 3) for k, v in threads.items()}
    # the rest of the process: MediaPipe's graph threads, libav's decoding threads, the side threads
    # (audio, hash, copy, previews, files) and the calling thread outside the stream (probe, analysis)
    stages["rest"] = round(rates["cpu_ms_per_frame"] - sum(stages.values()), 3)
    steady_s = rates["wall_s"] - t["first_frame_s"] - t["after_last_frame_s"]
    return {
        **rates,
        "first_frame_s": t["first_frame_s"],  # probe, graph, first decoded frame, first frame tracked
        "after_last_frame_s": t["after_last_frame_s"],  # analysis and files after the last frame
        # the whole end, measured from outside: the last frame's progress event to the job's return
        # (the manifest, the folder's rename and the joins included), wall and the process's CPU
        "end_wall_ms": round(1000 * end_wall, 2),
        "end_cpu_ms": round(1000 * end_cpu, 2),
        "steady_frames_per_s": round((n - 1) / steady_s, 2),
        "cpu_ms_per_frame_by_thread": stages,
        "timings": t,
        "face_found_fraction": float(np.mean(manifest["quality"]["face_found"])),
    }


def analysis_cpu(
    frames_rgb: list[np.ndarray], size: tuple[int, int], settings: PrepareSettings, video: Path, repeats: int
) -> dict:
    """CPU ms of the end-of-clip analysis alone (`analyse`: smoothing, poses, crops, references) on
    this clip's raw track, on one thread: the work prepare adds after the last frame."""
    from core.face.prepare_job import analyse
    from core.face.tracker import FaceTracker

    with FaceTracker(settings.tracker) as tracker:
        track = [tracker.track_rgb(frame) for frame in frames_rgb]
    found = np.array([lm is not None for lm in track])
    raw = np.stack([lm if lm is not None else np.zeros((478, 3), np.float32) for lm in track])
    analyse(raw, found, size, settings, video)  # first-call costs (imports, caches)
    cpu = []
    for _ in range(repeats):
        t0 = time.thread_time()
        analyse(raw, found, size, settings, video)
        cpu.append(1000 * (time.thread_time() - t0))
    return {
        "median_ms": round(statistics.median(cpu), 2),
        "min_ms": round(min(cpu), 2),
        "repeats": repeats,
        "is": "thread CPU ms of core.face.prepare_job.analyse on this clip's raw track, one thread "
        "(prepare itself solves half the poses on a second thread)",
    }


def _median_or_none(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "prepare.json")
    ap.add_argument("--repeats", type=int, default=4, help="prepare runs (raw runs: one more)")
    ap.add_argument("--analysis-repeats", type=int, default=50, help="timings of the analysis alone")
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=5.0,
        help="seconds to wait at most, before each run, for other processes to go quiet (0: never wait)",
    )
    args = ap.parse_args()
    if not args.video.is_file():
        raise SystemExit(f"sample video not found: {args.video} (pass --video PATH)")
    settings = PrepareSettings()
    info = probe(args.video)
    n = info.output_frames(settings.fps)
    frames_rgb = list(iter_frames(args.video, settings.fps, n, rgb=True))
    load_before = os.getloadavg()[0]
    raw_tracker(frames_rgb[:10], settings)  # imports and first-graph costs, not timed
    prepare(args.video, settings)
    wait = args.quiet_wait
    raws, preps = [timed_run(raw_tracker, frames_rgb, settings, quiet_wait_s=wait)], []
    for _ in range(args.repeats):
        preps.append(timed_run(prepare, args.video, settings, quiet_wait_s=wait))
        raws.append(timed_run(raw_tracker, frames_rgb, settings, quiet_wait_s=wait))
    ratios = [
        p["frames_per_s"] / statistics.mean([raws[i]["frames_per_s"], raws[i + 1]["frames_per_s"]])
        for i, p in enumerate(preps)
    ]
    steady_ratios = [
        p["steady_frames_per_s"]
        / statistics.mean([raws[i]["steady_frames_per_s"], raws[i + 1]["steady_frames_per_s"]])
        for i, p in enumerate(preps)
    ]

    def quiet(i: int) -> bool:  # the prepare run i and the raw runs either side
        used = [preps[i]["other_processes_cores"], raws[i]["other_processes_cores"]]
        used.append(raws[i + 1]["other_processes_cores"])
        return all(u is not None and u < QUIET_CORES for u in used)

    quiet_runs = [i for i in range(len(preps)) if quiet(i)]
    # On an idle 2-core machine the decode, audio and hash threads run beside the tracking chain
    # (this thread + MediaPipe's graph, which alternate frame by frame), so the wall time is that
    # chain's CPU time: MediaPipe's own work (raw CPU minus raw's calling thread) plus prepare's
    # calling thread. An estimate from CPU times, which the load does not distort.
    raw_cpu = statistics.median(r["cpu_ms_per_frame"] for r in raws)
    raw_calling = statistics.median(r["calling_thread_cpu_ms_per_frame"] for r in raws)
    prep_calling = statistics.median(p["calling_thread_cpu_ms_per_frame"] for p in preps)
    chain_ratio = raw_cpu / (raw_cpu - raw_calling + prep_calling)
    cpu_ratios = [
        statistics.mean([raws[i]["cpu_ms_per_frame"], raws[i + 1]["cpu_ms_per_frame"]])
        / p["cpu_ms_per_frame"]
        for i, p in enumerate(preps)
    ]
    size = (info.width - info.width % 2, info.height - info.height % 2)
    analysis = analysis_cpu(frames_rgb, size, settings, args.video, args.analysis_repeats)
    report = {
        "benchmark": "prepare",
        "video": args.video.name,
        "size": [info.width, info.height],
        "frames": n,
        "reference": "raw tracker: mediapipe FaceMesh(max_num_faces=1, refine_landmarks=True) on the same "
        "frames pre-decoded to RGB, graph construction to last frame",
        "ratio_prepare_to_raw_fps": round(statistics.median(ratios), 3),
        "ratios": [round(r, 3) for r in ratios],
        "target_ratio": TARGET_RATIO,
        "quiet_ratio_prepare_to_raw_fps": (
            round(statistics.median(ratios[i] for i in quiet_runs), 3) if quiet_runs else None
        ),
        "quiet_runs": len(quiet_runs),
        "quiet_is": f"the runs during which other processes used under {QUIET_CORES} cores (the prepare "
        "run and the raw runs either side); the all-runs ratio moves with the load",
        "steady_ratio_prepare_to_raw": round(statistics.median(steady_ratios), 3),
        "steady_ratios": [round(r, 3) for r in steady_ratios],
        "other_processes_cores_median": _median_or_none(
            [r["other_processes_cores"] for r in raws + preps if r["other_processes_cores"] is not None]
        ),
        "cpu_ratio_raw_to_prepare": round(statistics.median(cpu_ratios), 3),
        "idle_2_core_ratio_estimate": round(chain_ratio, 3),
        "idle_2_core_ratio_estimate_is": "raw CPU / (raw CPU - raw calling-thread CPU + prepare "
        "calling-thread CPU): the tracking chain's share when decode, audio and hash run on the other core",
        "prepare_frames_per_s_median": round(statistics.median(p["frames_per_s"] for p in preps), 2),
        "raw_frames_per_s_median": round(statistics.median(r["frames_per_s"] for r in raws), 2),
        "prepare_cpu_ms_per_frame_median": round(statistics.median(p["cpu_ms_per_frame"] for p in preps), 3),
        "raw_cpu_ms_per_frame_median": round(statistics.median(r["cpu_ms_per_frame"] for r in raws), 3),
        "prepare_cpu_ms_per_frame_by_thread_median": {
            k: round(statistics.median(p["cpu_ms_per_frame_by_thread"][k] for p in preps), 3)
            for k in preps[0]["cpu_ms_per_frame_by_thread"]
        },
        "raw_calling_thread_cpu_ms_per_frame_median": round(raw_calling, 3),
        # where the wall time goes: the start (to the first frame tracked), the frames after it,
        # and the end (after the last frame tracked); medians, raw vs prepare
        "phases_median": {
            key: {
                "raw": round(statistics.median(r[key] for r in raws), 4),
                "prepare": round(statistics.median(p[key] for p in preps), 4),
            }
            for key in PHASES
        },
        "end_is": "end_wall_ms / end_cpu_ms: wall and process CPU from the last frame tracked to the return "
        "(prepare: its last progress event to the job's return; raw: closing the graph)",
        "prepare_after_stream_s_median": round(
            statistics.median(p["timings"]["post_s"] + p["timings"]["write_s"] for p in preps), 3
        ),
        "analysis_cpu_ms": analysis,
        "target_frames_per_s_quiet": 240,
        "note": "runs interleaved raw, prepare, raw, ... in one process on a shared machine (see the load "
        "averages): absolute frames/s move with the load, and under a heavy load prepare's extra threads "
        "(decode, audio) win it a larger share of the CPU than the raw tracker's, which inflates the wall "
        "ratio; the CPU ratio and the idle 2-core estimate do not depend on the load",
        "raw_runs": raws,
        "prepare_runs": preps,
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
        f"raw tracker {report['raw_frames_per_s_median']} frames/s ({report['raw_cpu_ms_per_frame_median']} "
        f"CPU-ms/frame), prepare {report['prepare_frames_per_s_median']} frames/s "
        f"({report['prepare_cpu_ms_per_frame_median']} CPU-ms/frame) on {args.video.name} ({n} frames); "
        f"ratio {report['ratio_prepare_to_raw_fps']} (target >= {TARGET_RATIO}; per run {report['ratios']}); "
        f"quiet runs {report['quiet_runs']}/{len(preps)} ratio {report['quiet_ratio_prepare_to_raw_fps']}; "
        f"steady ratio {report['steady_ratio_prepare_to_raw']}; "
        f"other processes {report['other_processes_cores_median']} cores (median); "
        f"CPU ratio {report['cpu_ratio_raw_to_prepare']}; "
        f"idle 2-core estimate {report['idle_2_core_ratio_estimate']}; "
        + "; ".join(f"{k} raw {v['raw']} prepare {v['prepare']}" for k, v in report["phases_median"].items())
        + f"; analysis alone {analysis['median_ms']} CPU ms (min {analysis['min_ms']}); "
        f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}; wrote {args.out}"
    )


if __name__ == "__main__":
    main()
