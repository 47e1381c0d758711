"""fp32 ONNX export of the two real-time models, with parity checks against PyTorch.

- Audio-to-mouth, one step: inputs `pair` [1, 1, 2*bins] (normalised), `h0`, `c0`
  [layers, 1, hidden]; outputs `coeffs` [1, K], `h1`, `c1`. The LSTM state is explicit so a
  stateless runtime (ONNX Runtime, TorchScript) can carry it between 40 ms chunks.
- Renderer with cached references: inputs `source` [1, 4, H, W] and `ref_features`
  [1, C, h, w] (from `encode_references`, computed once per avatar); output `face` [1, 3, H, W].
  Exported from the renderer's export form (`core.lipsync.export_form`: AdaAT's warp as MatMul +
  gather, up-blocks without concat); `ort_session(..., cpu_layout=True)` runs it rewritten for ONNX
  Runtime's blocked CPU convolutions (`core.export.onnx_cpu_layout`), the file staying portable.

The TorchScript-based exporter (`dynamo=False`, opset 17, the first with GridSample) is used: it takes
about a second for these models, where the dynamo exporter takes tens of seconds.
Parity runs the ONNX graph with the CPU provider; sessions for inference prefer the CUDA
provider when torch sees a usable GPU.

Example:
    >>> export_audio_step(net, Path("a2m.onnx")); check_audio_step_parity(net, Path("a2m.onnx"))
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.io import atomic
from core.lipsync.export_form import export_form

OPSET = 17


class AudioStepModule(nn.Module):
    """The audio-to-mouth network's one-step API with the LSTM state as plain tensors."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, pair: torch.Tensor, h0: torch.Tensor, c0: torch.Tensor):
        out, (h1, c1) = self.net(pair, (h0, c0))
        return out[:, -1], h1, c1


class CachedRendererModule(nn.Module):
    """The renderer's per-frame pass from a source and cached reference features."""

    def __init__(self, renderer: nn.Module) -> None:
        super().__init__()
        self.renderer = renderer

    def forward(self, source: torch.Tensor, ref_features: torch.Tensor) -> torch.Tensor:
        return self.renderer.forward_cached(source, ref_features)


def audio_step_inputs(net: nn.Module) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Example inputs (zeros) of the right shapes for `net`'s config."""
    cfg = net.cfg
    state = torch.zeros(cfg.lstm_layers, 1, cfg.lstm_hidden)
    return torch.zeros(1, 1, 2 * cfg.num_bins), state, state.clone()


def renderer_inputs(renderer: nn.Module, ref_features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h, w = renderer.geometry.crop_size
    return torch.zeros(1, 4, h, w), ref_features.detach().cpu().float()


def _export(
    module: nn.Module,
    args: tuple,
    path: Path,
    inputs: list[str],
    outputs: list[str],
    dynamic_axes: dict[str, dict[int, str]] | None = None,
) -> Path:
    module = module.eval().cpu()
    buf = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            args,
            buf,
            input_names=inputs,
            output_names=outputs,
            opset_version=OPSET,
            dynamic_axes=dynamic_axes,
            dynamo=False,
            do_constant_folding=True,
        )
    atomic.write_bytes(path, _float_grids(buf.getvalue()))
    return path


def _float_grids(model_bytes: bytes) -> bytes:
    """Cast double GridSample grids to float.

    The TorchScript exporter types AdaAT's `linspace` grid as double, and ONNX Runtime has no
    double GridSample kernel; the values are the same in float, so a Cast fixes the graph.
    """
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load_from_string(model_bytes)
    inferred = onnx.shape_inference.infer_shapes(model)
    types = {
        v.name: v.type.tensor_type.elem_type for v in [*inferred.graph.value_info, *inferred.graph.input]
    }
    changed = False
    nodes = []
    for node in model.graph.node:
        if node.op_type == "GridSample" and types.get(node.input[1]) == TensorProto.DOUBLE:
            cast_out = f"{node.input[1]}_as_float"
            nodes.append(
                helper.make_node(
                    "Cast", [node.input[1]], [cast_out], to=TensorProto.FLOAT, name=f"{node.name}_grid_cast"
                )
            )
            node.input[1] = cast_out
            changed = True
        nodes.append(node)
    if not changed:
        return model_bytes
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return model.SerializeToString()


def export_audio_step(net: nn.Module, path: Path | str) -> Path:
    """Write the one-step audio-to-mouth graph (net must be an `Audio2Mouth`; put in eval mode)."""
    return _export(
        AudioStepModule(net), audio_step_inputs(net), Path(path), ["pair", "h0", "c0"], ["coeffs", "h1", "c1"]
    )


def export_renderer(
    renderer: nn.Module,
    ref_features: torch.Tensor,
    path: Path | str,
    dynamic_batch: bool = False,
    form: Callable[[nn.Module], nn.Module] | None = export_form,
) -> Path:
    """Write the cached-reference renderer graph for this reference feature shape
    (`dynamic_batch`: any number of sources per call, as `dhstudio render` batches them).
    `form`: the copy of the renderer that is exported (`core.lipsync.export_form`: same outputs, far
    fewer and cheaper nodes); None exports it as written, as the benchmark keeps for "before"."""
    axes = {"source": {0: "batch"}, "face": {0: "batch"}} if dynamic_batch else None
    return _export(
        CachedRendererModule(form(renderer) if form is not None else renderer),
        renderer_inputs(renderer, ref_features),
        Path(path),
        ["source", "ref_features"],
        ["face"],
        axes,
    )


def ort_providers(device: str = "auto") -> list[str]:
    """CUDA provider first when asked for (or auto) and torch sees a GPU; CPU always last."""
    import onnxruntime as ort

    available = ort.get_available_providers()
    want_cuda = device != "cpu" and torch.cuda.is_available() and "CUDAExecutionProvider" in available
    return (["CUDAExecutionProvider"] if want_cuda else []) + ["CPUExecutionProvider"]


def ort_session(path: Path | str, device: str = "auto", threads: int = 0, cpu_layout: bool = False):
    """An inference session on `path`. `cpu_layout`: when it runs on the CPU provider, run the graph
    as rewritten for ONNX Runtime's blocked convolutions (`onnx_cpu_layout`: same outputs, less work;
    the file is untouched)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")  # shared CPUs: sleep, don't spin
    if threads:
        opts.intra_op_num_threads = threads
    providers = ort_providers(device)
    model: str | bytes = str(path)
    if cpu_layout and providers == ["CPUExecutionProvider"]:
        import onnx

        from core.export.onnx_cpu_layout import fit_cpu_layout

        model = fit_cpu_layout(onnx.load(str(path))).SerializeToString()
    return ort.InferenceSession(model, sess_options=opts, providers=providers)


@dataclass(frozen=True)
class Parity:
    """Largest absolute difference between ONNX Runtime (CPU) and PyTorch outputs."""

    name: str
    max_abs_diff: float
    tolerance: float

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= self.tolerance

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "max_abs_diff": self.max_abs_diff,
            "tolerance": self.tolerance,
            "ok": self.ok,
        }


def check_audio_step_parity(
    net: nn.Module, path: Path | str, steps: int = 25, seed: int = 0, tolerance: float = 1e-4
) -> Parity:
    """Run `steps` random normalised pairs through both, carrying the state; compare every output."""
    sess = ort_session(path, device="cpu")
    module = AudioStepModule(net).eval().cpu()
    gen = torch.Generator().manual_seed(seed)
    pair, h, c = audio_step_inputs(net)
    hn, cn = h.numpy(), c.numpy()
    worst = 0.0
    with torch.inference_mode():
        for _ in range(steps):
            pair = torch.randn(pair.shape, generator=gen)
            y, h, c = module(pair, h, c)
            yo, hn, cn = sess.run(None, {"pair": pair.numpy(), "h0": hn, "c0": cn})
            worst = max(worst, float(np.abs(yo - y.numpy()).max()), float(np.abs(hn - h.numpy()).max()))
    return Parity("audio_step", worst, tolerance)


def check_renderer_parity(
    renderer: nn.Module,
    ref_features: torch.Tensor,
    path: Path | str,
    seed: int = 0,
    tolerance: float = 1e-4,
    samples: int = 2,
    cpu_layout: bool = False,
) -> Parity:
    """Parity of the graph at `path` (with `cpu_layout`: as `ort_session` rewrites it) with PyTorch."""
    sess = ort_session(path, device="cpu", cpu_layout=cpu_layout)
    module = CachedRendererModule(renderer).eval().cpu()
    gen = torch.Generator().manual_seed(seed)
    source, ref = renderer_inputs(renderer, ref_features)
    worst = 0.0
    with torch.inference_mode():
        for _ in range(samples):
            source = torch.rand(source.shape, generator=gen)
            want = module(source, ref).numpy()
            got = sess.run(None, {"source": source.numpy(), "ref_features": ref.numpy()})[0]
            worst = max(worst, float(np.abs(got - want).max()))
    return Parity("renderer", worst, tolerance)


def session_runner(sess, input_names: list[str]):
    """A RunFn over an ONNX Runtime session (feeds may carry more names than the graph takes)."""
    names = [i.name for i in sess.get_inputs()]
    missing = set(names) - set(input_names)
    if missing:
        raise ValueError(f"the graph wants inputs {sorted(missing)} the subject does not give")
    return lambda feed: sess.run(None, {n: feed[n] for n in names})


def write(subject, folder: Path, scratch: Path):
    """The `onnx` format: the subject's fp32 graph (checked by onnx.checker), cached constants beside it."""
    import onnx

    from core.export.result import FP32_MIN_PSNR_DB, Exported

    path = subject.export_onnx(folder / f"{subject.name}.onnx")
    onnx.checker.check_model(str(path), full_check=True)
    files = [path, *write_constants(subject, folder)]
    sess = ort_session(path, device="cpu", threads=torch.get_num_threads())
    run = session_runner(sess, subject.input_names)
    return Exported(
        files=files,
        outputs=subject.run_sequence(run),
        threshold_db=FP32_MIN_PSNR_DB,
        runtime="onnx_fp32",
        runners={"onnx_fp32": run},
        providers=sess.get_providers(),
    )


def write_constants(subject, folder: Path) -> list[Path]:
    """Inputs fixed for the avatar (cached reference features) as .npy files next to the graph."""
    out = []
    for name, value in subject.constants.items():
        atomic.save_npy(folder / f"{name}.npy", value)
        out.append(folder / f"{name}.npy")
    return out
