"""Per-frame cost of the lip-sync renderer and the audio step on each CPU backend, against the FLOP limit.

For DINet (mini by default) at one mouth size, with reference features cached: milliseconds
per frame at batch 1 (live) and batch 8 (`dhstudio render`) for
  eager_unfolded  the old default: `forward_cached` in eager PyTorch, batch-norm unfolded
  torch           eager PyTorch with batch-norm folded (`core.lipsync.fold`)
  torchscript     traced and frozen
  onnx            ONNX Runtime (what `auto` picks on the CPU)
and the FLOP limit: the renderer's FLOPs per frame (torch.utils.flop_counter) over this
machine's float32 matrix-multiply rate (a 512^3 matmul timed in the same rounds, same thread
count). For the audio step (2 x 256 LSTM by default): `nn.LSTM` step (oneDNN, which reorders its
weights every call), `CellStep` (torch.lstm_cell, no reorder), NumPy, ONNX Runtime.
Backends run interleaved in rounds (the machine is shared); medians over rounds. Writes JSON.

    PYTHONPATH=. python benchmarks/bench_renderer_backends.py --threads 1 --rounds 7
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

import numpy as np
import torch

from core.io import atomic
from core.lipsync.config import RendererConfig
from core.lipsync.crop_backends import make_crop_backend
from core.lipsync.factory import build_renderer
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.step_kernel import CellStep, NumpyStep
from core.realtime.backends import make_audio_backend

ROOT = Path(__file__).resolve().parents[1]


def trained_like(net: torch.nn.Module) -> torch.nn.Module:
    """Non-trivial batch-norm statistics, as a trained network has (folding must matter)."""
    gen = torch.Generator().manual_seed(0)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.copy_(torch.rand(m.num_features, generator=gen) * 0.2 - 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) * 1.5 + 0.5)
    return net.eval()


def flops_per_frame(net: torch.nn.Module, ref: torch.Tensor) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    h, w = net.geometry.crop_size
    with FlopCounterMode(display=False) as counter, torch.inference_mode():
        net.forward_cached(torch.rand(1, 4, h, w), ref)
    return int(counter.get_total_flops())


def per_call_ms(fn, calls: int) -> float:
    t = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - t) / calls * 1e3


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="mini", choices=["mini", "full"])
    p.add_argument("--mouth-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--calls", type=int, default=20, help="calls per backend per round")
    p.add_argument("--lstm-hidden", type=int, default=256)
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "renderer_backends.json")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = trained_like(build_renderer(RendererConfig(variant=args.variant, mouth_size=args.mouth_size)))
    h, w = net.geometry.crop_size
    with torch.inference_mode():
        ref = net.encode_references(torch.rand(1, net.cfg.num_references, 4, h, w))
    flops = flops_per_frame(net, ref)
    load_before = os.getloadavg()[0]

    with tempfile.TemporaryDirectory() as work:
        backends = {"eager_unfolded": None}
        for kind in ("torch", "torchscript", "onnx"):
            backends[kind], _ = make_crop_backend(kind, net, ref, "cpu", Path(work))
        sources = {b: np.random.default_rng(0).random((b, 4, h, w), np.float32) for b in (1, 8)}
        a = torch.rand(512, 512)

        def eager(x: np.ndarray) -> None:
            with torch.inference_mode():
                net.forward_cached(torch.from_numpy(x), ref)

        calls: dict[str, object] = {}
        for batch, x in sources.items():
            for name, backend in backends.items():
                fn = (lambda x=x: eager(x)) if backend is None else (lambda b=backend, x=x: b.render(x))
                calls[f"{name}@{batch}"] = (fn, batch)
        calls["matmul_512"] = (lambda: a @ a, 1)

        audio = Audio2Mouth(NetConfig(lstm_hidden=args.lstm_hidden)).eval()
        pair = torch.randn(2 * audio.cfg.num_bins)
        state: dict[str, object] = {"lstm": None}

        def lstm_step() -> None:
            with torch.inference_mode():
                _, state["lstm"] = audio.step(pair, state["lstm"])

        cell = CellStep(audio)
        zero = torch.zeros(audio.cfg.lstm_layers, 1, audio.cfg.lstm_hidden)

        def cell_step() -> None:
            with torch.inference_mode():
                cell(pair.reshape(1, 1, -1), zero, zero)

        numpy_step = NumpyStep.from_net(audio)
        onnx_step = make_audio_backend("onnx", audio, torch.device("cpu"), Path(work))
        pn = pair.numpy()
        audio_calls = {
            "nn_lstm_onednn": lstm_step,
            "cell_step": cell_step,
            "numpy": lambda: numpy_step.step(pn),
            "onnx": lambda: onnx_step.step(pn),
        }
        for fn, _ in calls.values():
            fn()
        for fn in audio_calls.values():
            fn()
        times: dict[str, list[float]] = {k: [] for k in [*calls, *(f"audio/{k}" for k in audio_calls)]}
        for _ in range(args.rounds):
            for key, (fn, batch) in calls.items():
                times[key].append(per_call_ms(fn, args.calls) / batch)
            for key, fn in audio_calls.items():
                times[f"audio/{key}"].append(per_call_ms(fn, 5 * args.calls))

    med = {k: statistics.median(v) for k, v in times.items()}
    gflops = 2 * 512**3 / (med["matmul_512"] * 1e-3) / 1e9
    limit_ms = flops / (gflops * 1e9) * 1e3
    renderer = {}
    for key, ms in med.items():
        if "@" not in key:
            continue
        name, batch = key.split("@")
        renderer.setdefault(name, {})[f"batch{batch}"] = {
            "ms_per_frame": ms,
            "x_flop_limit": ms / limit_ms,
            "speedup_vs_eager_unfolded": med[f"eager_unfolded@{batch}"] / ms,
        }
    report = {
        "benchmark": "renderer_backends",
        "what": "ms per frame of the cached-reference renderer per CPU backend; the audio step per backend",
        "variant": args.variant,
        "mouth_size": args.mouth_size,
        "threads": args.threads,
        "torch": torch.__version__,
        "machine": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "flops_per_frame": flops,
        "matmul_gflops": gflops,
        "flop_limit_ms_per_frame": limit_ms,
        "renderer": renderer,
        "audio_step_ms": {k.split("/", 1)[1]: v for k, v in med.items() if k.startswith("audio/")},
        "lstm": f"{audio.cfg.lstm_layers} x {audio.cfg.lstm_hidden}",
        "default_backend": "onnx (auto on the CPU with onnxruntime installed)",
        "note": (
            "backends and the matmul reference run interleaved in rounds within one process (the "
            "machine is shared); medians over rounds; x_flop_limit = ms per frame / FLOP-limit ms"
        ),
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg()[0],
        "command": " ".join(
            ["python benchmarks/bench_renderer_backends.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "raw_ms": times,
    }
    atomic.write_json(args.out, report)
    print(f"FLOP limit {limit_ms:.3f} ms/frame ({flops / 1e6:.1f} MFLOP at {gflops:.1f} GFLOP/s)")
    for name, rows in renderer.items():
        print(
            f"{name:15s} "
            + "  ".join(
                f"{b}: {r['ms_per_frame']:.3f} ms (x{r['x_flop_limit']:.1f} limit)" for b, r in rows.items()
            )
        )
    print("audio step ms:", {k: round(v, 3) for k, v in report["audio_step_ms"].items()})
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
