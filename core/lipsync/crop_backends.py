"""The renderer's crop backends (the per-frame model call of the one frame path) and how one is chosen.

Kinds (`CROP_BACKENDS`), each a factory (renderer, cached reference features, device, work dir,
parity list) -> `CropBackend`:
  torch        eager PyTorch with batch-norm folded into the convolutions (`core.lipsync.fold`)
  torchscript  traced and frozen (freezing folds batch-norm too)
  onnx         ONNX Runtime on the fp32 graph of `core.export.onnx_fp32`, exported for batch 1:
               with every shape fixed ONNX Runtime folds the shape arithmetic away and keeps the
               upsampling in its blocked (NCHWc) layout, about 1.4x faster than the batch-dynamic
               graph per frame; a batch runs frame by frame (batching did not pay in ONNX Runtime).
               The graph is exported from `core.lipsync.export_form` and, on the CPU provider, run
               as rewritten by `core.export.onnx_cpu_layout` (same outputs; parity checked on it)
  native       DINet mini's forward as one fused C++ kernel (`core.lipsync.native_mini`), built at
               install time; it declines models it does not run (DINet full, attention modules)
`auto` (the default of render, eval and live) picks, on the CPU, the native kernel for a renderer it
runs when its build loads (the fastest: `benchmarks/bench_renderer_backends.py`), else ONNX Runtime,
which runs DINet several times faster than eager PyTorch; eager PyTorch on a GPU or when
onnxruntime cannot be imported. `choose_crop_backend` says which and why, and the callers log it;
a native kernel that fails when built for the renderer gives way to ONNX Runtime, logged.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.lipsync.fold import fold_batchnorm
from core.lipsync.inference import CropBackend, TorchCrops

log = logging.getLogger(__name__)

AUTO = "auto"


@dataclass(frozen=True)
class CropBackendChoice:
    kind: str  # a key of CROP_BACKENDS
    reason: str


class OnnxCrops:
    """ONNX Runtime over the cached-reference graph; a graph exported for batch 1 (the crop
    backend's and the bundles') renders a batch frame by frame, a batch-dynamic one in one call."""

    name = "onnx"

    def __init__(self, session, ref_features: torch.Tensor) -> None:
        self.session = session
        self.ref = ref_features.detach().cpu().float().numpy()
        self.fixed_batch = session.get_inputs()[0].shape[0] == 1

    def render(self, source: np.ndarray) -> np.ndarray:
        source = np.ascontiguousarray(source, np.float32)
        if self.fixed_batch and source.shape[0] > 1:
            return np.concatenate([self._run(source[i : i + 1]) for i in range(source.shape[0])])
        return self._run(source)

    def _run(self, source: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"source": source, "ref_features": self.ref})[0]


def _torch(renderer: nn.Module, ref: torch.Tensor, device: torch.device, work_dir, parity) -> CropBackend:
    from core.export.onnx_fp32 import CachedRendererModule

    folded, _ = fold_batchnorm(renderer)
    return TorchCrops(CachedRendererModule(folded.to(device)), ref, device)


def _torchscript(
    renderer: nn.Module, ref: torch.Tensor, device: torch.device, work_dir, parity
) -> CropBackend:
    from core.export.onnx_fp32 import CachedRendererModule

    module = CachedRendererModule(renderer.to(device))
    h, w = renderer.geometry.crop_size
    args = (torch.zeros(1, 4, h, w, device=device), ref.to(device))
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        script = torch.jit.freeze(torch.jit.trace(module.eval(), args, check_trace=False))
    return TorchCrops(script, ref, device, name="torchscript")


def _onnx(
    renderer: nn.Module, ref: torch.Tensor, device: torch.device, work_dir: Path | None, parity
) -> CropBackend:
    from core.export.onnx_fp32 import export_renderer, ort_session

    with tempfile.TemporaryDirectory(prefix="dinet_onnx_") as tmp:
        path = Path(work_dir or tmp) / "renderer_cached.onnx"
        export_renderer(renderer.cpu(), ref, path)
        layout = True
        if parity is not None:
            p, layout = _layout_parity(renderer, ref, path)
            if not p.ok:
                raise RuntimeError(
                    f"ONNX export of {p.name} differs from PyTorch by {p.max_abs_diff:.2e} "
                    f"(tolerance {p.tolerance:.0e}); use --backend torch"
                )
            parity.append(p)
        # the process's thread policy (torch's intra-op count); the session reads the file whole
        session = ort_session(path, device=device.type, threads=torch.get_num_threads(), cpu_layout=layout)
    renderer.to(device)
    return OnnxCrops(session, ref)


def _layout_parity(renderer: nn.Module, ref: torch.Tensor, path: Path):
    """(parity, whether to run the CPU-layout rewrite): the rewritten graph when it matches PyTorch,
    else the graph as exported."""
    from core.export.onnx_cpu_layout import rewrite_holds
    from core.export.onnx_fp32 import check_renderer_parity

    parity = {}

    def check() -> str | None:
        p = parity[True] = check_renderer_parity(renderer, ref, path, cpu_layout=True)
        return None if p.ok else f"differs from PyTorch by {p.max_abs_diff:.2e}"

    if rewrite_holds(check, "the renderer graph"):
        return parity[True], True
    return check_renderer_parity(renderer, ref, path, cpu_layout=False), False


def _native(
    renderer: nn.Module, ref: torch.Tensor, device: torch.device, work_dir: Path | None, parity
) -> CropBackend:
    from core.lipsync import native_mini

    if device.type != "cpu":
        raise BadInput(
            Text("backend 'native' runs on the CPU, not {device}; use --backend torch", device=device.type)
        )
    st = native_mini.status()
    problem = st.detail if not st.ok else native_mini.model_problem(renderer, ref)
    if problem is not None:
        raise BadInput(Text("backend 'native' is not usable: {problem}; use --backend onnx", problem=problem))
    backend = native_mini.NativeCrops(st.module, renderer.cpu(), ref)
    renderer.to(device)
    if parity is not None:
        p = native_mini.check_parity(backend, renderer, ref)
        if not p.ok:
            raise RuntimeError(
                f"the native kernel differs from PyTorch by {p.max_abs_diff:.2e} "
                f"(tolerance {p.tolerance:.0e}); use --backend onnx"
            )
        parity.append(p)
    return backend


CropFactory = Callable[..., CropBackend]
CROP_BACKENDS: dict[str, CropFactory] = {
    "torch": _torch,
    "torchscript": _torchscript,
    "onnx": _onnx,
    "native": _native,
}
CHOICES = (AUTO, *CROP_BACKENDS)


def onnxruntime_problem() -> str | None:
    """None when onnxruntime imports, else why not (not installed, a broken wheel or library)."""
    try:
        import onnxruntime  # noqa: F401
    except Exception as exc:
        return f"onnxruntime cannot be imported ({type(exc).__name__}: {exc})"
    return None


def choose_crop_backend(
    kind: str, device: torch.device | str, renderer: nn.Module | None = None
) -> CropBackendChoice:
    """Resolve `kind` (`auto` or a key of CROP_BACKENDS) for `device` and `renderer`, with the reason
    (without a renderer `auto` never picks the native kernel: only the model says whether it runs)."""
    if kind not in CHOICES:
        raise BadInput(
            Text("unknown backend {kind!r}; choose one of {choices}", kind=kind, choices=", ".join(CHOICES))
        )
    device = torch.device(device)
    if kind != AUTO:
        if kind == "onnx" and (problem := onnxruntime_problem()) is not None:
            raise BadInput(
                Text(
                    "backend 'onnx' is not usable: {problem}; install onnxruntime or use --backend torch",
                    problem=problem,
                )
            )
        if kind == "native" and (problem := _native_problem(renderer)) is not None:
            raise BadInput(
                Text("backend 'native' is not usable: {problem}; use --backend onnx", problem=problem)
            )
        return CropBackendChoice(kind, "requested")
    if device.type != "cpu":
        return CropBackendChoice(
            "torch", f"eager PyTorch on {device.type} (ONNX Runtime is chosen on the CPU)"
        )
    native = _native_problem(renderer) if renderer is not None else "no renderer given to check"
    native = native or _native_slower_here()
    if native is None:
        return CropBackendChoice("native", "the fused C++ kernel is the fastest renderer backend on the CPU")
    return _without_native(native)


def _native_problem(renderer: nn.Module | None) -> str | None:
    from core.lipsync import native_mini

    return native_mini.problem(renderer)


def _native_slower_here() -> str | None:
    """Why `auto` passes over a kernel that runs: it was measured faster than ONNX Runtime only with
    256-bit vectors (x86-64 with AVX2: 1.1 against 1.7 ms per frame, `bench_renderer_backends.py`).
    Its portable build without AVX2 took 3.7 ms on the same CPU; on a CPU without AVX2 the two were
    never compared, so ONNX Runtime stays the choice there. `--backend native` still runs it."""
    capability = torch.backends.cpu.get_cpu_capability()
    if capability.upper().startswith(("AVX2", "AVX512")):
        return None
    return f"measured faster than ONNX Runtime only on x86-64 CPUs with AVX2 (this one: {capability})"


def _without_native(why: str) -> CropBackendChoice:
    """`auto`'s pick on the CPU when the native kernel is out (`why`)."""
    problem = onnxruntime_problem()
    if problem is not None:
        return CropBackendChoice("torch", f"falling back to eager PyTorch: {problem}; native kernel: {why}")
    return CropBackendChoice("onnx", f"ONNX Runtime on the CPU (native kernel: {why})")


def make_crop_backend(
    kind: str,
    renderer: nn.Module,
    ref_features: torch.Tensor,
    device: torch.device | str,
    work_dir: Path | None = None,
    parity: list | None = None,
) -> tuple[CropBackend, CropBackendChoice]:
    """The crop backend `kind` (or `auto`'s pick) for `renderer` (eval mode) and its references."""
    device = torch.device(device)
    choice = choose_crop_backend(kind, device, renderer)
    renderer, ref_features = renderer.eval(), ref_features.detach()
    if kind == AUTO and choice.kind == "native":
        try:
            backend = _native(renderer, ref_features, device, work_dir, parity)
        except Exception as exc:  # a kernel that fails here must not stop the render: ONNX Runtime remains
            choice = _without_native(f"failed: {exc}")
            log.warning("lip-sync renderer: the native kernel failed (%s); using %s", exc, choice.kind)
        else:
            log.info("lip-sync renderer backend: %s (%s)", choice.kind, choice.reason)
            return backend, choice
    log.info("lip-sync renderer backend: %s (%s)", choice.kind, choice.reason)
    backend = CROP_BACKENDS[choice.kind](renderer, ref_features, device, work_dir, parity)
    return backend, choice
