"""Every model format of every exportable kind: written, validated, and reloaded in a fresh process."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.export.isolated import run_isolated
from core.export.job import WRITERS, ModelExportJob
from core.export.report import REPORT_JSON, REPORT_MD
from core.export.subjects import audio_subject, renderer_subject
from core.jobs.collector import CollectingRunner
from core.kinds.registry import avatar_kind, export_formats
from core.kinds.requests import ExportRequest

MODEL = {"mini": "renderer", "full": "renderer", "audio": "audio_step"}
FILES = {"onnx": "{m}.onnx", "onnx-int8": "{m}.int8.onnx", "torchscript": "{m}.torchscript.pt"}
MIN_DB = {"onnx": 50.0, "onnx-int8": 30.0, "torchscript": 50.0}

# Runs in a fresh interpreter without the project: load the file, run one held-out call.
RELOAD = """
import json, numpy as np
spec = json.load(open("spec.json"))
feed = dict(np.load("feed.npz"))
if spec["model"].endswith(".onnx"):
    import onnxruntime as ort
    sess = ort.InferenceSession(spec["model"], providers=["CPUExecutionProvider"])
    y = sess.run(None, {i.name: feed[i.name] for i in sess.get_inputs()})[0]
else:
    import torch
    m = torch.jit.load(spec["model"])
    with torch.inference_mode():
        y = m(*(torch.from_numpy(feed[n]) for n in spec["inputs"]))
    y = (y[0] if isinstance(y, tuple) else y).numpy()
np.save("out.npy", y)
"""


def _export(run, fmt, out, **options):
    from core.train.run_folder import RunFolder

    load = renderer_subject if RunFolder(run).kind == "dinet" else audio_subject
    return CollectingRunner().run(ModelExportJob(fmt, ExportRequest(run, out, options=options), load))


def test_kinds_offer_the_model_formats():
    formats = export_formats()
    for fmt in WRITERS:
        assert set(formats[fmt]) == {"audio2mouth", "dinet"}
    assert formats["ply"] == ("gaussian",) and formats["bundle"] == ("dinet",)
    assert "onnx" not in avatar_kind("gaussian").export_formats


@pytest.mark.parametrize("fmt", list(WRITERS))
@pytest.mark.parametrize("which", ["mini", "full", "audio"])
def test_export_validates_and_reloads_in_a_fresh_process(export_runs, tmp_path, which, fmt):
    run = export_runs.runs[which]
    model = MODEL[which]
    out = tmp_path / "export"
    result = _export(run, fmt, out, report=tmp_path / "r.json", repeats=5)
    assert result.ok, result.error
    path = out / FILES[fmt].format(m=model)
    assert path.is_file() and (out / REPORT_JSON).is_file() and (out / REPORT_MD).is_file()
    report = json.loads((out / REPORT_JSON).read_text())
    assert json.loads((tmp_path / "r.json").read_text()) == report
    assert report["format"] == fmt and report["model"] == model
    assert report["files"][path.name] == path.stat().st_size
    assert report["parity"]["ok"] and report["parity"]["psnr_db"] >= MIN_DB[fmt]
    assert report["parity"]["margin_db"] == pytest.approx(report["parity"]["psnr_db"] - MIN_DB[fmt])
    lat = report["latency"]
    assert (
        lat["torch_fp32"]["runs"] == 5 and lat["torch_fp32"]["p95_ms"] >= lat["torch_fp32"]["median_ms"] > 0
    )
    assert {"torch_fp32", "onnx_fp32", "onnx_int8"} <= set(lat)  # every report compares all three
    shipped = {"onnx": "onnx_fp32", "onnx-int8": "onnx_int8", "torchscript": "torchscript"}
    assert lat["shipped"] == shipped[fmt]
    assert lat[lat["shipped"]]["runs"] == 5
    assert "PASS" in (out / REPORT_MD).read_text()
    assert not list(tmp_path.glob(".export.*"))  # no temporary folder left behind

    # reload in a process that cannot import the project and compare one held-out call with PyTorch
    subject = (renderer_subject if model == "renderer" else audio_subject)(run)
    feed = subject.example_feed()
    np.savez(tmp_path / "feed.npz", **feed)
    (tmp_path / "spec.json").write_text(json.dumps({"model": str(path), "inputs": subject.input_names}))
    run_isolated(RELOAD, tmp_path)
    got = np.load(tmp_path / "out.npy")
    want = subject.torch_runner()(feed)[0]
    q = subject.quality(want[None], got[None])
    assert q["psnr_db"] >= MIN_DB[fmt], q


def test_int8_renderer_keeps_named_layers_float_and_quantizes_the_rest(export_runs, tmp_path):
    import onnx

    out = tmp_path / "int8"
    assert _export(export_runs.runs["full"], "onnx-int8", out, repeats=2).ok
    report = json.loads((out / REPORT_JSON).read_text())
    kept = {n["node"] for n in report["float_nodes"]}
    assert "/head/Conv" in kept and any("adaat" in k for k in kept)
    assert all(n["reason"] for n in report["float_nodes"])
    graph = onnx.load(str(out / "renderer.int8.onnx")).graph
    ops = [n.op_type for n in graph.node]
    assert ops.count("DequantizeLinear") > 10 and "QuantizeLinear" in ops
    # per-channel: some weight scales are vectors, one per output channel
    inits = {i.name: i for i in graph.initializer}
    scales = [
        inits[n.input[1]] for n in graph.node if n.op_type == "DequantizeLinear" and n.input[1] in inits
    ]
    assert any(len(s.dims) == 1 and s.dims[0] > 1 for s in scales)
    # the float-kept AdaAT layers compute in float but store their weights as int8
    adaat_weights = [i for name, i in inits.items() if "adaat" in name and name.endswith("_int8")]
    assert len(adaat_weights) >= 3 and all(i.data_type == onnx.TensorProto.INT8 for i in adaat_weights)
    assert "per-row int8" in next(n["reason"] for n in report["float_nodes"] if "adaat" in n["node"])
    assert report["latency"]["onnx_int8"]["median_ms"] > 0


def test_int8_audio_model_uses_dynamic_lstm(export_runs, tmp_path):
    import onnx

    out = tmp_path / "a"
    assert _export(export_runs.runs["audio"], "onnx-int8", out, repeats=2).ok
    ops = {n.op_type for n in onnx.load(str(out / "audio_step.int8.onnx")).graph.node}
    assert "DynamicQuantizeLSTM" in ops
    assert (out / "audio_step.int8.onnx").stat().st_size < 0.6 * _fp32_size(
        export_runs.runs["audio"], tmp_path
    )


def _fp32_size(run, tmp_path):
    assert _export(run, "onnx", tmp_path / "fp32", repeats=2).ok
    return (tmp_path / "fp32" / "audio_step.onnx").stat().st_size


def test_failed_validation_writes_nothing_but_the_report(export_runs, tmp_path, monkeypatch):
    import core.export.result as result_mod

    monkeypatch.setattr(result_mod, "FP32_MIN_PSNR_DB", 1000.0)  # an unreachable pass mark
    out = tmp_path / "never"
    result = _export(export_runs.runs["mini"], "onnx", out, report=tmp_path / "r.json", repeats=2)
    assert not result.ok and not result.bad_input
    assert "dB short of the required 1000 dB" in result.error
    assert not out.exists() and not list(tmp_path.glob(".never*"))
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["parity"]["ok"] is False and report["parity"]["margin_db"] < 0
    assert "fails validation" in result.error
