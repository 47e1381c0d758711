"""Benchmark the live engine: DINet mini driven in real time from a speech file, JSON report.

    PYTHONPATH=. python benchmarks/bench_live.py [--seconds 60] [--backend auto]
        [--out benchmarks/results/live.json]

The source loop is the real clip `talking_512_25fps_a.mp4` (tracked here with MediaPipe);
the models are untrained (timing does not depend on the weights): the default audio-to-mouth
network (2 x 256 LSTM, lookahead 2 frames = 80 ms) and DINet mini at mouth size 64. The
audio file plays at real-time pace, exactly as a microphone would deliver it. Targets:
25 fps sustained, p95 end-to-end latency <= 150 ms (lookahead included), zero underruns.
The machine's load average is recorded, since other work shares the CPU.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"


def track(video: Path, max_frames: int) -> tuple[np.ndarray, np.ndarray, float]:
    from core.face.tracker import FaceTracker
    from core.media.decode import probe, read_frames

    frames = read_frames(video)[:max_frames]
    with FaceTracker() as tracker:
        lms = [tracker.track(f) for f in frames]
    keep = [i for i, lm in enumerate(lms) if lm is not None]
    return frames[keep], np.stack([lms[i] for i in keep]).astype(np.float32), float(probe(video).fps)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--audio", type=Path, default=SAMPLES / "speech_en_16k_60s.wav")
    p.add_argument("--video", type=Path, default=SAMPLES / "talking_512_25fps_a.mp4")
    p.add_argument("--seconds", type=float, default=None, help="play only the first N seconds")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "torchscript", "onnx"])
    p.add_argument("--variant", default="mini", choices=["mini", "full"])
    p.add_argument("--mouth-size", type=int, default=64)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    p.add_argument("--record", type=Path, help="also record an mp4 (adds H.264 encoding to the CPU load)")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "live.json")
    args = p.parse_args(argv)
    for f in (args.audio, args.video):
        if not f.is_file():
            print(f"missing {f} (the shared sample media); pass --audio/--video", file=sys.stderr)
            return 2

    from core.audio.fbank import FbankConfig, compute_fbank
    from core.audio.normalization import NormStats
    from core.device import resolve_device
    from core.io import atomic
    from core.jobs.events import LiveStatus
    from core.lipsync.config import RendererConfig
    from core.lipsync.factory import build_renderer
    from core.lipsync.source_loop import SourceLoop
    from core.media.audio import read_audio
    from core.mouth.model import Audio2Mouth, NetConfig
    from core.mouth.space import MouthSpace
    from core.realtime.assembly import AudioModel, build_live_parts
    from core.realtime.engine import LiveEngine
    from core.realtime.sinks import FrameSlot, RecorderSink
    from core.realtime.sources import file_source
    from core.realtime.stats import load_average

    torch.manual_seed(0)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    t0 = time.perf_counter()
    frames, landmarks, fps = track(args.video, 200)
    t_track = time.perf_counter() - t0
    fbank = FbankConfig()
    samples, rate = read_audio(args.audio), 16000
    audio = AudioModel(
        Audio2Mouth(NetConfig()).eval(),
        NormStats.fit([compute_fbank(samples[: rate * 20], fbank)]),
        fbank,
        MouthSpace.fit(landmarks, k=6),
    )
    renderer = build_renderer(RendererConfig(variant=args.variant, mouth_size=args.mouth_size))
    with tempfile.TemporaryDirectory() as work:
        parts = build_live_parts(
            audio, renderer, SourceLoop(frames, landmarks, round(fps)), args.backend, device, Path(work)
        )
        slot = FrameSlot()
        sinks = [slot]
        source = file_source(args.audio, seconds=args.seconds)
        if args.record:
            sinks.append(RecorderSink.for_source(args.record, parts.avatar.frame_size, round(fps), source))
        engine = LiveEngine(source, parts.stepper, parts.avatar, sinks)
        load_before = load_average()

        def status(s: LiveStatus) -> None:
            print(f"\r{s.describe()}   ", end="", file=sys.stderr, flush=True)

        outcome = engine.run(on_status=status)
        print(file=sys.stderr)
    r = outcome.report
    e2e = r["latency_ms"]["end_to_end"]
    result = {
        "benchmark": "live",
        "backend": args.backend,
        "variant": args.variant,
        "mouth_size": args.mouth_size,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "machine": platform.machine(),
        "audio": str(args.audio.name),
        "video": str(args.video.name),
        "loop_frames": len(frames),
        "tracking_seconds": t_track,
        "load_average_before_setup": load_before,
        "targets": {"fps": 25.0, "p95_end_to_end_ms": 150.0, "underruns": 0},
        "met": {
            "fps": r["frames"]["dropped"] == 0 and r["fps_rendered"] >= 24.5,
            "p95_end_to_end": e2e.get("p95", 1e9) <= 150.0,
            "underruns": r["audio"]["underruns"] == 0,
        },
        "setup": parts.describe(),
        "report": r,
        "error": outcome.error,
    }
    atomic.write_json(args.out, result)
    print(
        json.dumps(
            {
                "fps": round(r["fps_rendered"], 2),
                "frames": r["frames"],
                "e2e_ms": {k: round(e2e.get(k, 0), 1) for k in ("p50", "p95", "max")},
                "model_ms_p95": round(r["latency_ms"]["model"].get("p95", 0), 1),
                "underruns": r["audio"]["underruns"],
                "load": r["load_average"],
                "met": result["met"],
                "out": str(args.out),
            }
        )
    )
    return 0 if outcome.error is None else 1


if __name__ == "__main__":
    sys.exit(main())
