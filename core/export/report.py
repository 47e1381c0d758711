"""The validation report of an export, as JSON (for the GUI and scripts) and Markdown (to read).

Contents: the files and their sizes; parity against the PyTorch model on held-out frames of
the run's clip (max abs error, PSNR of the judged region, the pass mark and the margin); CPU
latency of PyTorch fp32 and of the exported runtimes, median and p95, measured in one process
with the runners interleaved call by call so machine load hits all of them alike; the ONNX
Runtime providers used; and the nodes kept in float with the reason for each. Every report
times all three of torch fp32, ONNX fp32 and ONNX int8 (the ones the format did not ship are
made in a scratch folder for the comparison), so a creator can pick the precision from any report.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from core.export.result import Exported
from core.export.subjects import Feed, Subject
from core.io import atomic

REPORT_JSON = "report.json"
REPORT_MD = "report.md"


def interleaved_latency(
    runners: dict[str, Callable[[Feed], Any]], feed: Feed, repeats: int = 30, warmup: int = 3
) -> dict[str, dict[str, float]]:
    """{label: {median_ms, p95_ms, runs}}: each round calls every runner once, in turn."""
    for _ in range(warmup):
        for run in runners.values():
            run(feed)
    times: dict[str, list[float]] = {k: [] for k in runners}
    for _ in range(repeats):
        for label, run in runners.items():
            t0 = time.perf_counter()
            run(feed)
            times[label].append((time.perf_counter() - t0) * 1e3)
    return {
        k: {"median_ms": float(np.median(v)), "p95_ms": float(np.percentile(v, 95)), "runs": len(v)}
        for k, v in times.items()
    }


def comparison_runners(subject: Subject, exported: Exported, scratch: Path | None) -> dict[str, Callable]:
    """torch fp32, ONNX fp32, ONNX int8 (built in `scratch` when the format did not ship them), then
    the format's own runners."""
    from core.export.onnx_fp32 import ort_session, session_runner
    from core.export.onnx_int8 import quantize

    runners = {"torch_fp32": subject.torch_runner()}
    if scratch is not None and not {"onnx_fp32", "onnx_int8"} <= set(exported.runners):
        work = Path(scratch) / "comparison"
        work.mkdir(parents=True, exist_ok=True)
        threads = torch.get_num_threads()
        fp32 = subject.export_onnx(work / f"{subject.name}.onnx")
        int8 = work / f"{subject.name}.int8.onnx"
        quantize(fp32, int8, subject)
        for label, path in (("onnx_fp32", fp32), ("onnx_int8", int8)):
            runners[label] = session_runner(
                ort_session(path, device="cpu", threads=threads), subject.input_names
            )
    return {**runners, **exported.runners}


def build_report(
    fmt: str,
    subject: Subject,
    exported: Exported,
    folder: Path,
    repeats: int = 30,
    scratch: Path | None = None,
) -> dict[str, Any]:
    reference = subject.run_sequence(subject.torch_runner())
    quality = subject.quality(reference, exported.outputs)
    psnr = quality["psnr_db"]
    runners = comparison_runners(subject, exported, scratch)
    latency = interleaved_latency(runners, subject.example_feed(), repeats=repeats)
    base = latency["torch_fp32"]["median_ms"]
    files = {p.name: p.stat().st_size for p in exported.files}
    notes = list(exported.notes)
    if "onnx_int8" in latency and latency["onnx_int8"]["median_ms"] > latency["onnx_fp32"]["median_ms"]:
        notes.append(
            f"ONNX int8 is slower than ONNX fp32 on this CPU ({latency['onnx_int8']['median_ms']:.2f} vs "
            f"{latency['onnx_fp32']['median_ms']:.2f} ms median): prefer the fp32 export here. For DINet "
            "mini, ORT's profile shows why: its narrow depthwise convolutions run slower as QLinearConv "
            "than as fp32 NCHWc Conv, and Quantize/Transpose nodes around them add time "
            "(benchmarks/bench_export.py)."
        )
    return {
        "format": fmt,
        "kind": subject.kind,
        "model": subject.name,
        "source": subject.info,
        "files": files,
        "total_bytes": int(sum(files.values())),
        "parity": {
            "judged": subject.quality_label,
            "held_out_calls": len(subject.held_out),
            **quality,
            "min_psnr_db": exported.threshold_db,
            "margin_db": psnr - exported.threshold_db,
            "ok": bool(psnr >= exported.threshold_db),
        },
        "latency": {
            "device": "cpu",
            "threads": torch.get_num_threads(),
            "shipped": exported.runtime,
            "input": {k: list(v.shape) for k, v in subject.example_feed().items()},
            **latency,
            "speedup_vs_torch_fp32": {
                k: base / v["median_ms"] for k, v in latency.items() if v["median_ms"] > 0
            },
        },
        "providers": exported.providers,
        "float_nodes": exported.float_nodes,
        "notes": notes,
        "machine": {"cpu": platform.processor() or platform.machine(), "python": platform.python_version()},
    }


def passed(report: dict[str, Any]) -> bool:
    return bool(report["parity"]["ok"])


def failure_message(report: dict[str, Any]) -> str:
    p = report["parity"]
    return (
        f"{report['format']} export of the {report['model']} fails validation: {p['judged']} PSNR "
        f"{p['psnr_db']:.2f} dB vs PyTorch is {-p['margin_db']:.2f} dB short of the required "
        f"{p['min_psnr_db']:.0f} dB (max abs error {p['max_abs_error']:.3g}); nothing was written."
    )


def to_markdown(report: dict[str, Any]) -> str:
    p, lat = report["parity"], report["latency"]
    lines = [
        f"# Export report: {report['model']} ({report['kind']}) as {report['format']}",
        "",
        f"Source: {report['source'].get('run', '')} (step {report['source'].get('step', '?')}, "
        f"clip '{report['source'].get('clip', '')}')",
        "",
        "## Files",
        "",
        "| file | bytes |",
        "|---|---:|",
        *(f"| {name} | {size:,} |" for name, size in report["files"].items()),
        "",
        "## Parity with PyTorch (held-out frames)",
        "",
        f"- judged: {p['judged']}, {p['held_out_calls']} calls",
        f"- PSNR {p['psnr_db']:.2f} dB (required {p['min_psnr_db']:.0f} dB, "
        f"margin {p['margin_db']:+.2f} dB): {'PASS' if p['ok'] else 'FAIL'}",
        f"- max abs error {p['max_abs_error']:.3g}, mean abs error {p['mean_abs_error']:.3g}",
        "",
        f"## CPU latency ({lat['threads']} thread(s), interleaved, same process)",
        "",
        "| runtime | median ms | p95 ms | speed-up vs torch fp32 |",
        "|---|---:|---:|---:|",
    ]
    for k, v in lat.items():
        if isinstance(v, dict) and "median_ms" in v:
            speedup = lat["speedup_vs_torch_fp32"].get(k, 0)
            lines.append(f"| {k} | {v['median_ms']:.3f} | {v['p95_ms']:.3f} | {speedup:.2f}x |")
    lines += ["", f"Providers: {', '.join(report['providers']) or 'n/a'}", ""]
    if report["float_nodes"]:
        lines += ["## Kept in float", ""]
        lines += [f"- `{n['node']}` ({n['op']}): {n['reason']}" for n in report["float_nodes"]]
        lines.append("")
    if report["notes"]:
        lines += ["## Notes", "", *(f"- {n}" for n in report["notes"]), ""]
    return "\n".join(lines)


def write_report(report: dict[str, Any], folder: Path, extra_json: Path | None = None) -> list[Path]:
    """report.json + report.md into `folder`; also the JSON to `extra_json` (--report) when given."""
    out = [folder / REPORT_JSON, folder / REPORT_MD]
    atomic.write_json(out[0], report)
    atomic.write_text(out[1], to_markdown(report))
    if extra_json is not None:
        atomic.write_json(extra_json, report)
        out.append(extra_json)
    return out
