"""int8 ONNX: static QDQ quantization for the convolutional renderers, dynamic for the LSTM.

Renderers: ONNX Runtime's `quant_pre_process` (shape inference + graph optimisation, so
Conv+BatchNorm are folded before scales are chosen), then `quantize_static` in QDQ format with
per-channel int8 weights and uint8 activations, calibrated (MinMax) on real source crops from the
training part of the run's clip (`CalibrationReader`). Nodes whose int8 error lands straight in
the picture stay float (`FLOAT_RULES`): the report lists each with its reason.

The audio-to-mouth step: `quantize_dynamic` (int8 weights of the LSTM and the linear layers,
activations quantised per call), the form ONNX Runtime has kernels for (DynamicQuantizeLSTM).

Example:
    >>> float_nodes = quantize_renderer(Path("r.onnx"), Path("r.int8.onnx"), subject)
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.export.subjects import Feed, Subject


@dataclass(frozen=True)
class FloatRule:
    """Nodes kept in float: which (a predicate on op type and name) and why."""

    matches: Callable[[str, str], bool]
    reason: str


# Kept in float. AdaAT's parameter path (the Gemm layers that predict per-channel scale, angle and
# shift): an int8 step in an angle rotates a whole feature map, so the error is geometric, not
# noise. The output head (the last Conv, before the sigmoid): its error is the pixel error, with
# no later layer to average it out. Both are a tiny share of the FLOPs.
FLOAT_RULES: tuple[FloatRule, ...] = (
    FloatRule(
        lambda op, name: op in ("Gemm", "MatMul") and "adaat" in name.lower(),
        "AdaAT parameter path: int8 error in per-channel angle/scale/shift warps whole feature maps",
    ),
    FloatRule(
        lambda op, name: op == "Conv" and name.lower().startswith("/head"),
        "output head before the sigmoid: its error is the pixel error, nothing later averages it",
    ),
)


class CalibrationReader:
    """ONNX Runtime `CalibrationDataReader`: one real input dict per call, None at the end."""

    def __init__(self, feeds: list[Feed]) -> None:
        self.feeds = feeds
        self._i = 0

    def get_next(self) -> Feed | None:
        if self._i >= len(self.feeds):
            return None
        self._i += 1
        return self.feeds[self._i - 1]

    def rewind(self) -> None:
        self._i = 0


def float_nodes(model_path: Path, rules: tuple[FloatRule, ...] = FLOAT_RULES) -> list[dict[str, str]]:
    """[{node, op, reason}] of the graph's nodes that the rules keep in float."""
    import onnx

    model = onnx.load(str(model_path))
    out = []
    for node in model.graph.node:
        for rule in rules:
            if rule.matches(node.op_type, node.name):
                out.append({"node": node.name, "op": node.op_type, "reason": rule.reason})
                break
    return out


def quantize_renderer(fp32: Path, out: Path, subject: Subject) -> list[dict[str, str]]:
    """Static QDQ int8 of a renderer graph, calibrated on `subject.calibration`; returns float nodes."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    class Reader(CalibrationReader, CalibrationDataReader):
        pass

    with tempfile.TemporaryDirectory(prefix="dhstudio-quant-") as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        keep = float_nodes(pre)
        quantize_static(
            str(pre),
            str(out),
            Reader(subject.full_feeds(subject.calibration)),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=[n["node"] for n in keep],
            calibrate_method=CalibrationMethod.MinMax,
            extra_options={"ActivationSymmetric": False, "WeightSymmetric": True},
        )
    store_weights_int8(out, {n["node"] for n in keep if n["op"] in ("Gemm", "MatMul")})
    for n in keep:
        if n["op"] in ("Gemm", "MatMul"):
            n["reason"] += "; its weights are stored as per-row int8 and dequantized before the float product"
    return keep


def store_weights_int8(path: Path, nodes: set[str]) -> None:
    """Weight-only int8 storage for float-kept Gemm/MatMul `nodes`: the weight initializer becomes
    symmetric per-row int8 + scales behind a DequantizeLinear, so the file shrinks ~4x for them while
    the product (and its activations) stays float; the error is the weights' rounding alone."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    inits = {i.name: i for i in model.graph.initializer}
    users: dict[str, int] = {}
    for node in model.graph.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    new_nodes = []
    for node in model.graph.node:
        w = node.input[1] if len(node.input) > 1 else ""
        if node.name in nodes and w in inits and users[w] == 1:
            weight = numpy_helper.to_array(inits[w]).astype(np.float32)
            trans_b = (
                next((a.i for a in node.attribute if a.name == "transB"), 0) if node.op_type == "Gemm" else 0
            )
            axis = 0 if trans_b else 1  # the output-channel axis of B
            peak = np.abs(weight).max(axis=1 - axis)
            scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
            shape = (-1, 1) if axis == 0 else (1, -1)
            q = np.clip(np.round(weight / scale.reshape(shape)), -127, 127).astype(np.int8)
            model.graph.initializer.remove(inits[w])
            model.graph.initializer.extend(
                [
                    numpy_helper.from_array(q, f"{w}_int8"),
                    numpy_helper.from_array(scale, f"{w}_int8_scale"),
                    numpy_helper.from_array(np.zeros_like(scale, np.int8), f"{w}_int8_zero"),
                ]
            )
            new_nodes.append(
                helper.make_node(
                    "DequantizeLinear",
                    [f"{w}_int8", f"{w}_int8_scale", f"{w}_int8_zero"],
                    [f"{w}_dequantized"],
                    name=f"{node.name}_weight_dequantize",
                    axis=axis,
                )
            )
            node.input[1] = f"{w}_dequantized"
        new_nodes.append(node)
    del model.graph.node[:]
    model.graph.node.extend(new_nodes)
    onnx.save(model, str(path))


def quantize_recurrent(fp32: Path, out: Path) -> list[dict[str, str]]:
    """Dynamic int8 of the audio step (LSTM + linear layers); nothing kept in float."""
    from onnxruntime.quantization import QuantType, quant_pre_process, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="dhstudio-quant-") as tmp:
        pre = Path(tmp) / "pre.onnx"
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        # reduce_range: 7-bit weights, so the u8 x s8 products of CPUs without VNNI (AVX2's
        # vpmaddubsw sums pairs into int16) cannot saturate; with 8 bits the same bundle's
        # coefficients differed by 2.4 % of their range between an AVX2 host's ONNX Runtime and
        # onnxruntime-web (the page test's limit is 0.5 %)
        quantize_dynamic(
            str(pre),
            str(out),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["LSTM", "MatMul", "Gemm"],
            reduce_range=True,
        )
    return []


def quantize(fp32: Path, out: Path, subject: Subject) -> list[dict[str, str]]:
    """The subject's quantization: dynamic for recurrent models, static QDQ otherwise."""
    if subject.dynamic_only:
        return quantize_recurrent(fp32, out)
    return quantize_renderer(fp32, out, subject)


def write(subject: Subject, folder: Path, scratch: Path):
    """The `onnx-int8` format: the quantized graph (the fp32 one stays in scratch, timed alongside)."""
    import onnx
    import torch

    from core.export.onnx_fp32 import ort_session, session_runner, write_constants
    from core.export.result import INT8_MIN_PSNR_DB, Exported

    fp32 = subject.export_onnx(scratch / f"{subject.name}.onnx")
    path = folder / f"{subject.name}.int8.onnx"
    keep = quantize(fp32, path, subject)
    onnx.checker.check_model(str(path))
    files = [path, *write_constants(subject, folder)]
    threads = torch.get_num_threads()
    sess = ort_session(path, device="cpu", threads=threads)
    run = session_runner(sess, subject.input_names)
    ref = session_runner(ort_session(fp32, device="cpu", threads=threads), subject.input_names)
    method = (
        "dynamic (int8 weights, per-call activation scales)"
        if subject.dynamic_only
        else (
            f"static QDQ, per-channel int8 weights, uint8 activations, MinMax on {len(subject.calibration)} "
            "calibration frames of the clip"
        )
    )
    return Exported(
        files=files,
        outputs=subject.run_sequence(run),
        threshold_db=INT8_MIN_PSNR_DB,
        runtime="onnx_int8",
        runners={"onnx_fp32": ref, "onnx_int8": run},
        providers=sess.get_providers(),
        float_nodes=keep,
        notes=[f"quantization: {method}", f"fp32 graph size {fp32.stat().st_size} bytes (not shipped)"],
    )
