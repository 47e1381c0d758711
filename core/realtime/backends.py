"""Inference backends for the live engine behind two small interfaces.

`AudioStepBackend.step(pair)` runs the audio-to-mouth model one video frame at a time and
keeps the LSTM state itself (the step of the one stepper, `core.mouth.streaming`);
`RendererBackend.render(source)` runs the renderer on source tensors with the reference
features fixed at construction (the crop backend of the one frame path,
`core.lipsync.inference`). Each comes in three flavours, chosen per run: eager (NumPy for the
audio step on a CPU, PyTorch otherwise), TorchScript (traced, frozen) and ONNX Runtime (fp32
graphs from `core.export.onnx_fp32`, CUDA provider when a GPU is usable). `auto` (the default)
takes the fastest measured on the device: the renderer on the fused C++ kernel on an x86-64 CPU
with AVX2 when it runs the model, else ONNX Runtime (eager PyTorch when onnxruntime is missing, saying why:
`core.lipsync.crop_backends`), the audio step eager (NumPy on the CPU beats ONNX Runtime's per-call
overhead for one LSTM step). `native` is the renderer's kernel with the eager audio step.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.export.onnx_fp32 import (
    Parity,
    audio_step_inputs,
    check_audio_step_parity,
    export_audio_step,
    ort_session,
)
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.lipsync.crop_backends import AUTO, OnnxCrops, make_crop_backend
from core.lipsync.inference import CropBackend
from core.mouth.step_kernel import CellStep
from core.mouth.streaming import AudioStep, eager_step

BACKENDS = (AUTO, "torch", "torchscript", "onnx", "native")


AudioStepBackend = AudioStep  # the one stepper's network step (core.mouth.streaming)
RendererBackend = CropBackend  # the one frame path's crop renderer (core.lipsync.inference)
OnnxRenderer = OnnxCrops  # ONNX Runtime over a cached-reference graph (the bundle runtime builds one)


class ExplicitStateAudioStep:
    """TorchScript or ONNX Runtime: the state goes in and comes out as tensors."""

    def __init__(self, name: str, run, zero_state: tuple[np.ndarray, np.ndarray]) -> None:
        self.name = name
        self._run = run
        self._zero = zero_state
        self.reset()

    def reset(self) -> None:
        self._h, self._c = (s.copy() for s in self._zero)

    def step(self, pair: np.ndarray) -> np.ndarray:
        y, self._h, self._c = self._run(
            pair.reshape(1, 1, -1).astype(np.float32, copy=False), self._h, self._c
        )
        return np.asarray(y).reshape(-1)


def _trace(module: nn.Module, args: tuple) -> torch.jit.ScriptModule:
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        traced = torch.jit.trace(module.eval(), args, check_trace=False)
        return torch.jit.freeze(traced)


def make_audio_backend(
    kind: str,
    net: nn.Module,
    device: torch.device,
    work_dir: Path | None = None,
    parity: list[Parity] | None = None,
) -> AudioStepBackend:
    """Backend `kind` for the audio-to-mouth network (in eval mode); ONNX parity goes into `parity`."""
    net = net.eval()
    if kind in ("torch", AUTO, "native"):  # native: the renderer's kernel; the audio step stays eager
        return eager_step(net, device)  # NumPy on the CPU: same arithmetic, no per-call dispatch
    pair, h0, c0 = audio_step_inputs(net)
    zero = (h0.numpy(), c0.numpy())
    if kind == "torchscript":
        script = _trace(CellStep(net.cpu()).to(device), (pair.to(device), h0.to(device), c0.to(device)))

        def run_script(p, h, c):
            with torch.inference_mode():
                out = script(*(torch.from_numpy(a).to(device) for a in (p, h, c)))
            return tuple(t.cpu().numpy() for t in out)

        return ExplicitStateAudioStep("torchscript", run_script, zero)
    if kind == "onnx":
        path = _work_path(work_dir, "audio2mouth_step.onnx")
        export_audio_step(net.cpu(), path)
        if parity is not None:
            parity.append(_checked(check_audio_step_parity(net, path)))
        sess = ort_session(path, device=device.type)
        return ExplicitStateAudioStep(
            "onnx", lambda p, h, c: sess.run(None, {"pair": p, "h0": h, "c0": c}), zero
        )
    raise BadInput(
        Text("unknown backend {kind!r}; choose one of {backends}", kind=kind, backends=", ".join(BACKENDS))
    )


def make_renderer_backend(
    kind: str,
    renderer: nn.Module,
    ref_features: torch.Tensor,
    device: torch.device,
    work_dir: Path | None = None,
    parity: list[Parity] | None = None,
) -> RendererBackend:
    """The crop backend `kind` (`auto`: see `core.lipsync.crop_backends.choose_crop_backend`)."""
    backend, _ = make_crop_backend(kind, renderer, ref_features, device, work_dir, parity)
    return backend


def _work_path(work_dir: Path | None, name: str) -> Path:
    if work_dir is None:
        raise ValueError("the onnx backend needs a work_dir to write its graphs to")
    return Path(work_dir) / name


def _checked(p: Parity) -> Parity:
    if not p.ok:
        raise RuntimeError(
            f"ONNX export of {p.name} differs from PyTorch by {p.max_abs_diff:.2e} "
            f"(tolerance {p.tolerance:.0e}); use --backend torch"
        )
    return p
