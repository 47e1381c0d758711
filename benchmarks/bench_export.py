"""Export sizes and CPU latency: torch fp32 : ONNX fp32 : ONNX int8, with the int8 PSNR.

Models: DINet mini (its real-time setting, mouth 64), DINet full at mouth 128, and the
audio-to-mouth step (the training preset's network). Inputs are real: a synthetic talking-head
clip is prepared (MediaPipe tracking) and the exporters' own subjects cut calibration and
held-out crops / audio pairs from it, exactly as `dhstudio export` does for a run. Weights are
freshly initialised (timing does not depend on them; the PSNR of an untrained net is a
stand-in for a trained one's, so export a trained run for its own figure).

Latency: one thread for torch and ONNX Runtime, the three runtimes called in turn each round
(`core.export.report.interleaved_latency`), so the machine's load hits all of them alike;
ratios are within one run. Where int8 is slower than fp32, ORT's profiler gives the time per
op type of both graphs (`profile` in the JSON) to show where the time goes.

Usage: PYTHONPATH=. python benchmarks/bench_export.py [--repeats 50] [--out benchmarks/results/export.json]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import torch

from core.export import onnx_int8
from core.export.report import interleaved_latency
from core.export.subjects import Subject, clip_audio_subject, clip_renderer_subject
from core.io.atomic import write_json

GOAL = {"int8_size_ratio_min": 3.5, "int8_speedup_min": 1.5, "int8_psnr_min_db": 30.0}


def prepare_clip(root: Path):
    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.face.prepared import PreparedClip
    from core.jobs.collector import CollectingRunner
    from core.synth.talking_head import DemoClipSpec, generate, write

    clip = generate(DemoClipSpec(size=256, fps=25, duration=3.2, seed=5))
    write(clip, root / "demo.mp4", root / "truth.json")
    result = CollectingRunner().run(
        PrepareJob(root / "demo.mp4", root / "demo", PrepareSettings(mouth_size=64))
    )
    if not result.ok:
        raise SystemExit(f"prepare failed: {result.error}")
    return PreparedClip.load(root / "demo")


def subjects(clip) -> dict[str, Subject]:
    from core.audio.fbank import compute_fbank
    from core.audio.normalization import NormStats
    from core.lipsync.config import RendererConfig
    from core.lipsync.dataset import fixed_references, split_clip
    from core.lipsync.factory import build_renderer
    from core.lipsync.inference import reference_tensor
    from core.mouth.config import Audio2MouthConfig
    from core.mouth.model import Audio2Mouth

    torch.manual_seed(0)
    ids = [int(i) for i in fixed_references(split_clip(clip, 0.2))]
    out = {}
    for name, cfg in {
        "dinet_mini_m64": RendererConfig(variant="mini", mouth_size=64),
        "dinet_full_m128": RendererConfig(variant="full", mouth_size=128),
    }.items():
        net = build_renderer(cfg)
        refs = reference_tensor(
            clip.read_frames(ids), clip.landmarks[ids], clip.face_boxes[ids], net.geometry
        )
        out[name] = clip_renderer_subject(net, clip, refs, 0.2, {"model": name})
    a2m = Audio2MouthConfig()
    fbank = a2m.features
    net = Audio2Mouth(a2m.model.net(fbank.num_bins, 6))
    norm = NormStats.fit([compute_fbank(clip.audio(), fbank)])
    out["audio2mouth"] = clip_audio_subject(net, norm, fbank, clip.fps, clip, 0.2, {"model": "audio2mouth"})
    return out


def torch_bytes(subject: Subject) -> int:
    """Size of the per-call module's weights as PyTorch saves them (state dict)."""
    buf = io.BytesIO()
    torch.save(subject.module.state_dict(), buf)
    return len(buf.getvalue())


def op_profile(path: Path, subject: Subject, calls: int = 20) -> dict[str, float]:
    """ms per call by op type, from ONNX Runtime's profiler (one thread)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.enable_profiling = True
    opts.profile_file_prefix = str(path.with_suffix(""))
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    feed = subject.example_feed()
    names = [i.name for i in sess.get_inputs()]
    for _ in range(calls):
        sess.run(None, {n: feed[n] for n in names})
    events = json.loads(Path(sess.end_profiling()).read_text())
    per_op: dict[str, float] = defaultdict(float)
    for e in events:
        if e.get("cat") == "Node" and e.get("name", "").endswith("_kernel_time"):
            per_op[e["args"]["op_name"]] += e["dur"] / 1e3 / calls
    return dict(sorted(((k, round(v, 4)) for k, v in per_op.items()), key=lambda kv: -kv[1]))


def bench(name: str, subject: Subject, work: Path, repeats: int) -> dict:
    folder, scratch = work / name, work / f"{name}-scratch"
    folder.mkdir()
    scratch.mkdir()
    t0 = time.perf_counter()
    exported = onnx_int8.write(subject, folder, scratch)
    export_s = time.perf_counter() - t0
    fp32_path = scratch / f"{subject.name}.onnx"
    int8_path = folder / f"{subject.name}.int8.onnx"
    runners = {"torch_fp32": subject.torch_runner(), **exported.runners}
    latency = interleaved_latency(runners, subject.example_feed(), repeats=repeats, warmup=5)
    reference = subject.run_sequence(subject.torch_runner())
    quality = subject.quality(reference, exported.outputs)
    sizes = {
        "torch_fp32": torch_bytes(subject),
        "onnx_fp32": fp32_path.stat().st_size,
        "onnx_int8": int8_path.stat().st_size,
    }
    t_torch = latency["torch_fp32"]["median_ms"]
    res = {
        "input": {k: list(v.shape) for k, v in subject.example_feed().items()},
        "bytes": sizes,
        "size_ratio_vs_torch": {k: round(sizes["torch_fp32"] / v, 3) for k, v in sizes.items()},
        "latency": latency,
        "speedup_vs_torch": {k: round(t_torch / v["median_ms"], 3) for k, v in latency.items()},
        "int8_vs_onnx_fp32_speed": round(
            latency["onnx_fp32"]["median_ms"] / latency["onnx_int8"]["median_ms"], 3
        ),
        "int8_quality": {**quality, "judged": subject.quality_label},
        "float_nodes": [n["node"] for n in exported.float_nodes],
        "export_seconds": round(export_s, 2),
    }
    if latency["onnx_int8"]["median_ms"] > latency["onnx_fp32"]["median_ms"]:
        res["profile"] = {
            "onnx_fp32": op_profile(fp32_path, subject),
            "onnx_int8": op_profile(int8_path, subject),
        }
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/export.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        work = Path(tmp)
        clip = prepare_clip(work)
        results = {name: bench(name, s, work, args.repeats) for name, s in subjects(clip).items()}
    out = {
        "benchmark": "export",
        "goal": GOAL,
        "threads": 1,
        "repeats": args.repeats,
        "load_average": os.getloadavg(),
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
        "models": results,
    }
    write_json(args.out, out)
    for name, r in results.items():
        lat = r["latency"]
        print(
            f"{name}: size torch:onnx:int8 = {r['bytes']['torch_fp32']}:{r['bytes']['onnx_fp32']}:"
            f"{r['bytes']['onnx_int8']} B; median ms {lat['torch_fp32']['median_ms']:.3f}:"
            f"{lat['onnx_fp32']['median_ms']:.3f}:{lat['onnx_int8']['median_ms']:.3f}; "
            f"int8 PSNR {r['int8_quality']['psnr_db']:.1f} dB"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
