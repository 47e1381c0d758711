"""Per-frame cost of the lip-sync renderer and the audio step on each CPU backend, against the FLOP limit.

For DINet (mini by default) at one mouth size, with reference features cached: milliseconds
per frame at batch 1 (live) and batch 8 (`dhstudio render`) for
  eager_unfolded  the old default: `forward_cached` in eager PyTorch, batch-norm unfolded
  torch           eager PyTorch with batch-norm folded (`core.lipsync.fold`)
  torchscript     traced and frozen
  onnx            ONNX Runtime (`auto`'s pick where the native kernel is out): the graph exported for
                  batch 1 from `core.lipsync.export_form` (AdaAT's warp as MatMul + gather, up-blocks
                  without their concat), run as rewritten for ONNX Runtime's NCHWc blocks
                  (`core.export.onnx_cpu_layout`: zero-padded 8-wide levels, the RGB head as ConvTranspose)
  native          the fused C++ kernel (`core.lipsync.native_mini`, what `auto` picks on the CPU when it is
                  built and runs the model): the whole forward in one call, NHWC, separable blocks row
                  by row; its per-stage CPU times go to `native_stage_ms`
  onnx_before     the batch-1 graph as exported before those (GridSample, concats, no layout rewrite)
  onnx_dynamic    ONNX Runtime on the batch-dynamic graph (the default before the batch-1 graph)
and two references. The FLOP limit: the renderer's FLOPs per frame (torch.utils.flop_counter)
over this machine's float32 matrix-multiply rate (a 512^3 matmul timed in the same rounds, same
thread count). A matmul is an optimistic reference for this network: most of its FLOPs are
depthwise 3x3 and 1x1 convolutions with 3..128 channels, which read and write a full activation
for a few FLOPs each, so no kernel reaches matmul rates on them. Hence the conv floor alongside
it: the time ONNX Runtime spends in the graph's own Conv kernels (activations fused in), per-node
medians from ONNX Runtime's profiler on the `onnx` graph in the same rounds (Conv and the head's
ConvTranspose), i.e. the renderer with every non-convolution op (upsampling, the warp, concat,
reorders, shape arithmetic) free. The profiler also runs on `onnx_before`: per-op times before/after.
`steps`: each change alone in the same rounds (before -> + gather warp -> + CPU layout -> + no
concat = onnx); `session_options`: ONNX Runtime session options, each alone, on the shipped graph.
The dense experiment (`dense_mini_experiment.py`, not shipped): the same skeleton with dense 3x3
convolutions at narrower channel plans, run like `onnx`, batch 1, against its own FLOP limit.
For the audio step (2 x 256 LSTM by default): `nn.LSTM` step (oneDNN, which reorders its
weights every call), `CellStep` (torch.lstm_cell, no reorder), NumPy, ONNX Runtime.
Backends run interleaved in rounds, in a new random order each round (the machine is shared, and
a call timed after eager PyTorch finds the caches cold); medians over rounds. With one
thread every call is timed in process CPU time (a loaded machine preempts the process, which
wall time would count; CPU time does not), with more threads in wall time. Writes JSON.

    PYTHONPATH=. python benchmarks/bench_renderer_backends.py --threads 1 --rounds 15
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

from core.export.onnx_fp32 import export_renderer, ort_session
from core.io import atomic
from core.jobs.errors import BadInput
from core.lipsync.config import RendererConfig
from core.lipsync.crop_backends import OnnxCrops, make_crop_backend
from core.lipsync.export_form import export_form
from core.lipsync.factory import build_renderer
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.step_kernel import CellStep, NumpyStep
from core.realtime.backends import make_audio_backend

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dense_mini_experiment import DENSE_CASES, DenseMini

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


def node_medians_us(profile_json: str) -> dict[str, tuple[str, float]]:
    """{node name: (op type, median microseconds per run)} from an ONNX Runtime profile."""
    import json

    per: dict[str, list[float]] = {}
    ops: dict[str, str] = {}
    with open(profile_json) as f:
        for e in json.load(f):
            if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
                per.setdefault(e["name"], []).append(float(e["dur"]))
                ops[e["name"]] = e["args"]["op_name"]
    return {k: (ops[k], statistics.median(v)) for k, v in per.items()}


def profiled_session(path: Path, threads: int, prefix: Path, cpu_layout: bool):
    import onnx
    import onnxruntime as ort

    from core.export.onnx_cpu_layout import fit_cpu_layout

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = threads
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.enable_profiling = True
    opts.profile_file_prefix = str(prefix)
    model = fit_cpu_layout(onnx.load(str(path))).SerializeToString() if cpu_layout else str(path)
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


def option_session(path: Path, threads: int, extended_only: bool = False, entries=(), **attrs):
    """A CPU session on the layout-fitted graph with one session option changed (the options study)."""
    import onnx
    import onnxruntime as ort

    from core.export.onnx_cpu_layout import fit_cpu_layout

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = threads
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if extended_only:  # no layout optimisations: no NCHWc
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    for key, value in entries:
        opts.add_session_config_entry(key, value)
    for key, value in attrs.items():
        setattr(opts, key, value)
    model = fit_cpu_layout(onnx.load(str(path))).SerializeToString()
    return ort.InferenceSession(model, sess_options=opts, providers=["CPUExecutionProvider"])


# each step of the export/session changes alone, batch 1, timed in the same rounds (`steps` in the JSON)
STEP_NOTES = {
    "onnx_before": "as exported before: AdaAT with GridSample, concats, session on the file",
    "gather_warp": "+ AdaAT's warp as MatMul + gather (export_form, up-block concats kept)",
    "gather_warp+cpu_layout": "+ session on the NCHWc-fitted graph (levels padded, head ConvTranspose)",
    "onnx": "+ up-blocks without concat: the shipped path",
}
# session options, each alone, on the shipped graph (`session_options` in the JSON)
OPTIONS = {
    "default": {},
    "extended_level_no_nchwc": {"extended_only": True},
    "denormal_as_zero": {"entries": (("session.set_denormal_as_zero", "1"),)},
    "no_mem_pattern": {"enable_mem_pattern": False},
    "no_cpu_mem_arena": {"enable_cpu_mem_arena": False},
    "no_prepacking": {"entries": (("session.disable_prepacking", "1"),)},
}


def top_nodes_ms(nodes: dict[str, tuple[str, float]], count: int = 12) -> dict[str, float]:
    top = sorted(nodes.items(), key=lambda kv: -kv[1][1])[:count]
    return {k.removesuffix("_kernel_time"): us / 1e3 for k, (_, us) in top}


def per_call_ms(fn, calls: int, clock=time.perf_counter) -> float:
    t = clock()
    for _ in range(calls):
        fn()
    return (clock() - t) / calls * 1e3


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="mini", choices=["mini", "full"])
    p.add_argument("--mouth-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--calls", type=int, default=20, help="calls per backend per round")
    p.add_argument("--lstm-hidden", type=int, default=256)
    p.add_argument(
        "--no-dense-experiment",
        dest="dense_experiment",
        action="store_false",
        help="skip the dense-conv variants",
    )
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "renderer_backends.json")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    clock = time.process_time if args.threads == 1 else time.perf_counter
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
        native_problem = None
        try:
            backends["native"], _ = make_crop_backend("native", net, ref, "cpu", Path(work))
        except BadInput as exc:  # not built here, or a model it does not run: the table says so
            native_problem = str(exc)
            print(f"native kernel left out: {exc}")
        before = export_renderer(net, ref, Path(work) / "renderer_before.onnx", form=None)
        backends["onnx_before"] = OnnxCrops(ort_session(before, "cpu", args.threads), ref)
        kept = export_renderer(
            net, ref, Path(work) / "renderer_gather.onnx", form=lambda r: export_form(r, split_concat=False)
        )
        single = {
            "gather_warp": OnnxCrops(ort_session(kept, "cpu", args.threads), ref),
            "gather_warp+cpu_layout": OnnxCrops(ort_session(kept, "cpu", args.threads, cpu_layout=True), ref),
        }
        shipped = Path(work) / "renderer_cached.onnx"
        for name, kw in OPTIONS.items():
            single[f"option/{name}"] = OnnxCrops(option_session(shipped, args.threads, **kw), ref)
        dyn = export_renderer(net, ref, Path(work) / "renderer_dynamic.onnx", dynamic_batch=True)
        backends["onnx_dynamic"] = OnnxCrops(ort_session(dyn, "cpu", args.threads), ref)
        profiled = {
            "onnx": OnnxCrops(
                profiled_session(
                    Path(work) / "renderer_cached.onnx", args.threads, Path(work) / "prof", True
                ),
                ref,
            ),
            "onnx_before": OnnxCrops(
                profiled_session(before, args.threads, Path(work) / "prof_before", False), ref
            ),
        }
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
        for name, backend in single.items():
            calls[f"single/{name}"] = (lambda b=backend: b.render(sources[1]), 1)
        dense: dict[str, dict] = {}
        if args.dense_experiment:
            for name, width, blocks in DENSE_CASES:
                cfg = RendererConfig(
                    variant="mini", mouth_size=args.mouth_size, base_channels=width, res_blocks=blocks
                )
                torch.manual_seed(0)
                dnet = trained_like(DenseMini(cfg))
                with torch.inference_mode():
                    dref = dnet.encode_references(torch.rand(1, cfg.num_references, 4, h, w))
                dpath = export_renderer(dnet, dref, Path(work) / f"{name}.onnx")
                crops = OnnxCrops(ort_session(dpath, "cpu", args.threads, cpu_layout=True), dref)
                dense[name] = {
                    "channels": dnet.channels,
                    "res_blocks": blocks,
                    "flops": flops_per_frame(dnet, dref),
                }
                calls[f"dense/{name}"] = (lambda c=crops: c.render(sources[1]), 1)
        for name, backend in profiled.items():
            calls[f"profiled_{name}"] = (lambda b=backend: b.render(sources[1]), 1)

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
        loads = []
        order = np.random.default_rng(0)
        for _ in range(args.rounds):
            loads.append(os.getloadavg()[0])
            # a new order every round: a call timed right after eager PyTorch finds the caches cold,
            # so a fixed order would bias the ratios by position
            for key in order.permutation(list(calls)):
                fn, batch = calls[key]
                times[key].append(per_call_ms(fn, args.calls, clock) / batch)
            for key, fn in audio_calls.items():
                times[f"audio/{key}"].append(per_call_ms(fn, 5 * args.calls, clock))

        nodes_of = {name: node_medians_us(b.session.end_profiling()) for name, b in profiled.items()}
        native_stages = None
        if "native" in backends:  # after the rounds: the stage clock is the kernel's own (thread CPU time)
            seconds = backends["native"].kernel.stage_seconds(torch.from_numpy(sources[1]), 20 * args.calls)
            names = ["stem", "encoder_downs", "param_encoder", "adaat", "merge_and_res_blocks"]
            names += [f"up_block_{j}" for j in range(len(net.ups) - 1)] + ["last_up_block_and_head"]
            native_stages = {k: v * 1e3 for k, v in zip(names, seconds, strict=True)}

    med = {k: statistics.median(v) for k, v in times.items()}
    gflops = 2 * 512**3 / (med["matmul_512"] * 1e-3) / 1e9
    limit_ms = flops / (gflops * 1e9) * 1e3
    by_op_of: dict[str, dict[str, float]] = {}
    for name, nodes in nodes_of.items():
        by_op: dict[str, float] = {}
        for op, us in nodes.values():
            by_op[op] = by_op.get(op, 0.0) + us / 1e3
        by_op_of[name] = dict(sorted(by_op.items(), key=lambda kv: -kv[1]))
    by_op, nodes = by_op_of["onnx"], nodes_of["onnx"]
    conv_floor_ms = by_op.get("Conv", 0.0) + by_op.get("ConvTranspose", 0.0)
    renderer = {}
    for key, ms in med.items():
        if "@" not in key:
            continue
        name, batch = key.split("@")
        renderer.setdefault(name, {})[f"batch{batch}"] = {
            "ms_per_frame": ms,
            "x_flop_limit": ms / limit_ms,
            "x_conv_floor": ms / conv_floor_ms,
            "speedup_vs_eager_unfolded": med[f"eager_unfolded@{batch}"] / ms,
        }
    report = {
        "benchmark": "renderer_backends",
        "what": "ms per frame of the cached-reference renderer per CPU backend; the audio step per backend",
        "variant": args.variant,
        "mouth_size": args.mouth_size,
        "threads": args.threads,
        "clock": "process CPU time" if clock is time.process_time else "wall time",
        "torch": torch.__version__,
        "machine": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "flops_per_frame": flops,
        "matmul_gflops": gflops,
        "flop_limit_ms_per_frame": limit_ms,
        "conv_floor_ms_per_frame": conv_floor_ms,
        "conv_floor_gflops": flops / (conv_floor_ms * 1e-3) / 1e9,
        "onnx_kernel_ms_by_op": by_op,
        "onnx_kernel_ms_total": sum(by_op.values()),
        "onnx_top_nodes_ms": top_nodes_ms(nodes),
        "onnx_before_kernel_ms_by_op": by_op_of["onnx_before"],
        "onnx_before_kernel_ms_total": sum(by_op_of["onnx_before"].values()),
        "onnx_before_top_nodes_ms": top_nodes_ms(nodes_of["onnx_before"]),
        "onnx_nodes": {name: len(n) for name, n in nodes_of.items()},
        "renderer": renderer,
        "steps": {
            name: {
                "what": note,
                "ms_per_frame_batch1": ms,
                "x_flop_limit": ms / limit_ms,
                "x_onnx_before": ms / med["onnx_before@1"],
            }
            for name, note in STEP_NOTES.items()
            for ms in [med[f"{name}@1"] if f"{name}@1" in med else med[f"single/{name}"]]
        },
        "session_options": {
            "what": "each option alone on the shipped graph, batch 1; x_default: to the session without it",
            **{
                name: {
                    "ms_per_frame_batch1": med[f"single/option/{name}"],
                    "x_default": med[f"single/option/{name}"] / med["single/option/default"],
                }
                for name in OPTIONS
            },
        },
        "dense_experiment": {
            "what": (
                "not shipped: DINet mini's skeleton with every separable conv replaced by a dense 3x3 "
                "conv at a narrower channel plan (benchmarks/dense_mini_experiment.py), exported and run "
                "like the shipped renderer (onnx path), batch 1; x_flop_limit against its own FLOPs"
            ),
            **{
                name: {
                    **d,
                    "mflops_per_frame": d["flops"] / 1e6,
                    "ms_per_frame": med[f"dense/{name}"],
                    "flop_limit_ms_per_frame": d["flops"] / (gflops * 1e9) * 1e3,
                    "x_flop_limit": med[f"dense/{name}"] / (d["flops"] / (gflops * 1e9) * 1e3),
                    "x_shipped_onnx_ms": med[f"dense/{name}"] / med["onnx@1"],
                }
                for name, d in dense.items()
            },
        },
        "native_stage_ms": native_stages,
        "native_problem": native_problem,
        "audio_step_ms": {k.split("/", 1)[1]: v for k, v in med.items() if k.startswith("audio/")},
        "lstm": f"{audio.cfg.lstm_layers} x {audio.cfg.lstm_hidden}",
        "default_backend": (
            "native (auto on the CPU when the kernel is built and runs the model; else onnx with "
            "onnxruntime installed)"
        ),
        "note": (
            "backends and the matmul reference run interleaved in rounds within one process, in a new "
            "random order each round (the machine is shared); medians over rounds; "
            "x_flop_limit = ms per frame / FLOP-limit ms; "
            "x_conv_floor = ms per frame / the graph's Conv + ConvTranspose kernel time (per-node "
            "medians of ONNX Runtime's profiler over the same rounds); onnx_kernel_ms_total is every "
            "kernel's median, summed: the graph without the runtime's per-run overhead or preemption"
        ),
        "load_avg_before": load_before,
        "load_avg_after": os.getloadavg()[0],
        "machine_load": (
            f"1-minute load average {min(loads):.2f}..{max(loads):.2f} over the rounds on {os.cpu_count()} "
            "cores shared with other sessions' processes (one-thread CPU time excludes preemption, not "
            "cache or core sharing): compare backends by the ratios of this run"
        ),
        "command": " ".join(
            ["python benchmarks/bench_renderer_backends.py", *(sys.argv[1:] if argv is None else argv)]
        ),
        "raw_ms": times,
    }
    atomic.write_json(args.out, report)
    print(f"FLOP limit {limit_ms:.3f} ms/frame ({flops / 1e6:.1f} MFLOP at {gflops:.1f} GFLOP/s)")
    for name, ops in by_op_of.items():
        print(
            f"{name} kernels by op (ms, total {sum(ops.values()):.3f}):",
            {k: round(v, 3) for k, v in ops.items()},
        )
    print(f"conv floor {conv_floor_ms:.3f} ms/frame")
    if native_stages is not None:
        print("native kernel stages (ms):", {k: round(v, 4) for k, v in native_stages.items()})
    for name, rows in renderer.items():
        print(
            f"{name:15s} "
            + "  ".join(
                f"{b}: {r['ms_per_frame']:.3f} ms (x{r['x_flop_limit']:.1f} limit)" for b, r in rows.items()
            )
        )
    for name, d in report["steps"].items():
        print(f"step {name:24s} {d['ms_per_frame_batch1']:.3f} ms  x{d['x_onnx_before']:.2f} of before")
    for name, d in report["session_options"].items():
        if isinstance(d, dict):
            print(
                f"option {name:24s} {d['ms_per_frame_batch1']:.3f} ms  x{d['x_default']:.2f} of the default"
            )
    for name, d in report["dense_experiment"].items():
        if isinstance(d, dict):
            print(
                f"{name:15s} {d['mflops_per_frame']:.1f} MFLOP  batch1: {d['ms_per_frame']:.3f} ms "
                f"(x{d['x_flop_limit']:.1f} its limit, x{d['x_shipped_onnx_ms']:.2f} the shipped one's ms)"
            )
    print("audio step ms:", {k: round(v, 3) for k, v in report["audio_step_ms"].items()})
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
