"""Streaming audio-to-mouth latency on the CPU: one 40 ms chunk in, one mouth frame out.

Each timed call is `MouthStepper.push(chunk_of_640_samples)` of `core.mouth.streaming`, the one
stepper that `dhstudio render`, `eval` and `live` all use: streaming filter bank
(kaldi-native-fbank) + frame-pair normalisation + one network step + head + the frame's loudness.
Measured for the training job's default network (2 x 128 LSTM) and a wider one (2 x 256), over
the live engine's audio-step backends (`core.realtime.backends.make_audio_backend`): "torch"
(the eager step: NumPy on the CPU, what live runs by default), "torch-module" (the network's
own PyTorch step, what a GPU runs) and "torchscript"; `torch.set_num_threads(1)`. Speech is
the project's synthetic speech (timing does not depend on content or trained weights).
Target: <= 2 ms per chunk. The load average is recorded because other work shares the CPU.

Usage: PYTHONPATH=. python benchmarks/bench_audio2mouth_stream.py [--seconds 60] [--run RUN_DIR]
       [--out benchmarks/results/audio2mouth_stream.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch

from core.audio.fbank import FbankConfig, StreamingFbank, compute_fbank
from core.audio.normalization import NormStats
from core.io.atomic import write_json
from core.mouth.config import Audio2MouthConfig
from core.mouth.model import Audio2Mouth
from core.mouth.streaming import MouthStepper, TorchAudioStep
from core.realtime.backends import make_audio_backend
from core.synth.speech import synthesize

CHUNK = 640  # 40 ms at 16 kHz
TARGET_MS = 2.0


def _stats(times_s: list[float]) -> dict:
    ms = np.asarray(times_s) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 4),
        "p95_ms": round(float(np.percentile(ms, 95)), 4),
        "p99_ms": round(float(np.percentile(ms, 99)), 4),
        "mean_ms": round(float(ms.mean()), 4),
        "max_ms": round(float(ms.max()), 4),
        "chunks": int(ms.size),
    }


def time_streamer(make, audio: np.ndarray, warmup: int = 25) -> dict:
    streamer = make()
    times, frames = [], 0
    for i in range(0, len(audio) - CHUNK + 1, CHUNK):
        chunk = audio[i : i + CHUNK]
        t0 = time.perf_counter()
        out = streamer.push(chunk)
        times.append(time.perf_counter() - t0)
        frames += len(out)
    res = _stats(times[warmup:])
    res["frames_out"] = frames
    return res


def time_features(audio: np.ndarray, fbank: FbankConfig, warmup: int = 25) -> dict:
    stream = StreamingFbank(fbank)
    times = []
    for i in range(0, len(audio) - CHUNK + 1, CHUNK):
        t0 = time.perf_counter()
        stream.accept(audio[i : i + CHUNK], 16000)
        times.append(time.perf_counter() - t0)
    return _stats(times[warmup:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="speech length to stream")
    ap.add_argument("--run", type=Path, help="a trained audio2mouth run folder (default: untrained networks)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/audio2mouth_stream.json"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    audio, _ = synthesize(args.seconds, seed=11)
    job = Audio2MouthConfig()
    fbank = job.features
    norm = NormStats.fit([compute_fbank(audio, fbank)])

    nets: dict[str, tuple[Audio2Mouth, NormStats, FbankConfig]] = {}
    if args.run is not None:
        from core.mouth.loader import load_audio2mouth

        b = load_audio2mouth(args.run)
        nets[f"trained {args.run.name}"] = (b.net, b.norm, b.fbank)
    torch.manual_seed(0)
    nets["default 2x128 LSTM"] = (Audio2Mouth(job.model.net(fbank.num_bins, job.space.k)).eval(), norm, fbank)
    wide = job.model.model_copy(update={"input_hidden": 256, "lstm_hidden": 256, "mlp_hidden": 128})
    nets["wide 2x256 LSTM"] = (Audio2Mouth(wide.net(fbank.num_bins, job.space.k)).eval(), norm, fbank)

    results = []
    for name, (net, stats, fb) in nets.items():
        for backend in ("torch", "torch-module", "torchscript"):

            def make(n=net, s=stats, f=fb, be=backend) -> MouthStepper:
                cpu = torch.device("cpu")
                step = TorchAudioStep(n, cpu) if be == "torch-module" else make_audio_backend(be, n, cpu)
                return MouthStepper.for_net(n, s, f, 25.0, step)

            r = time_streamer(make, audio)
            r.update(
                {
                    "network": name,
                    "backend": backend,
                    "step": make().backend.name,
                    "lookahead": net.cfg.lookahead,
                    "lstm_hidden": net.cfg.lstm_hidden,
                    "params": sum(p.numel() for p in net.parameters()),
                    "meets_target": r["p50_ms"] <= TARGET_MS,
                    "latency_ms": make().inherent_latency_ms + 500.0 / 25.0,
                }
            )
            results.append(r)
            print(
                f"{name:>24} {backend:>12}: p50 {r['p50_ms']:.3f} ms  p95 {r['p95_ms']:.3f} ms  "
                f"({r['frames_out']} frames)"
            )
    feats = time_features(audio, fbank)
    print(f"{'features only':>24} {'':>12}: p50 {feats['p50_ms']:.3f} ms  p95 {feats['p95_ms']:.3f} ms")
    report = {
        "benchmark": "audio2mouth streaming step (features + model, one 40 ms chunk)",
        "target_ms": TARGET_MS,
        "seconds": args.seconds,
        "torch_threads": args.threads,
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpus": os.cpu_count(),
            "load_average": list(os.getloadavg()),
            "torch": torch.__version__,
        },
        "features_only": feats,
        "results": results,
    }
    write_json(args.out, report)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
