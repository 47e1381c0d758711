"""DINet mini's per-frame forward as one fused C++ kernel (``csrc/dinet_mini.cpp``): crop backend `native`.

ONNX Runtime runs the renderer as ~80 separate kernels; at DINet mini's widths (8..128 channels)
each depthwise and pointwise convolution reads and writes a whole activation for a few FLOPs, so its
convolutions alone take ~3x the FLOP limit. The kernel runs `forward_cached` (batch-norm folded) in
NHWC with 8 channels per vector, each separable block row by row (depthwise output kept in L1 for the
pointwise), up-blocks without the concat and with the bilinear upsampling fed row by row into the
depthwise conv, AdaAT's parameter MLP and warp, and the head with its sigmoid; the source file says how.

Built at install time (``python -m core.lipsync.build_native``, see :mod:`core.native_ext`); this
module only loads it. :func:`problem` says why the kernel cannot render a given renderer (not
built, a model it does not run: DINet full, attention modules, widths that are not a multiple of
8), and `core.lipsync.crop_backends` then keeps ONNX Runtime.
"""

from __future__ import annotations

import platform
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np
import torch
from torch import nn

from core import native_cache
from core.lipsync.fold import fold_batchnorm
from core.native_ext import NativeStatus, TorchExtension

CSRC = Path(__file__).resolve().parent / "csrc"


def split_store_flags() -> list[str]:
    """GCC's tuning for AMD Zen 1 (what -march=native picks on such EPYCs) splits every unaligned
    256-bit store into two 128-bit halves; the kernel stores whole registers at 8-float (not 32-byte
    aligned) offsets on every row, so keep them whole (GCC on x86-64 Linux only; other compilers
    do not know the flag)."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return []
    return ["-mno-avx256-split-unaligned-store", "-mno-avx256-split-unaligned-load"]


EXTENSION = TorchExtension(
    prefix="dhs_dinet_mini",
    label="fused DINet mini kernel",
    source=CSRC / "dinet_mini.cpp",
    headers=(CSRC / "mini_vec.h", CSRC / "mini_rows.h"),
    build_command="python -m core.lipsync.build_native",
    extra_cflags=tuple(split_store_flags()),
)


@lru_cache(maxsize=1)
def status() -> NativeStatus:
    """Whether the kernel is loadable in this process (looked up once): this machine's build, else
    the bundle's for the highest level this CPU runs."""
    return NativeStatus(*EXTENSION.find(native_cache.build_dir(), native_cache.bundled_dir()))


def model_problem(renderer: nn.Module, ref_features: torch.Tensor | None = None) -> str | None:
    """None when the kernel runs `renderer` (with `ref_features`, when given), else why not."""
    from core.lipsync.adaat import AdaAT
    from core.lipsync.dinet_mini import DINetMini

    if not isinstance(renderer, DINetMini):
        return f"the native kernel runs DINet mini only, not {type(renderer).__name__}"
    if renderer.cfg.attention.enabled:
        return "the native kernel has no attention modules (this renderer enables some)"
    if any(c % 8 for c in renderer.channels):
        return f"the native kernel needs channel widths that are multiples of 8, got {renderer.channels}"
    if not isinstance(renderer.adaat, AdaAT):
        return f"the native kernel runs AdaAT, not {type(renderer.adaat).__name__}"
    if ref_features is not None and ref_features.shape[0] != 1:
        return f"the native kernel caches one set of reference features, got {ref_features.shape[0]}"
    return None


def problem(renderer: nn.Module | None = None) -> str | None:
    """None when the kernel is loaded here and (when given) runs `renderer`, else why not."""
    st = status()
    if not st.ok:
        return st.detail
    return None if renderer is None else model_problem(renderer)


def _separable(block: nn.Module) -> list[torch.Tensor]:
    """[dw weight, dw bias, pw weight, pw bias] of a folded SeparableConv or separable ResBlock body."""
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    if len(convs) != 2:
        raise ValueError(f"expected a depthwise + pointwise pair, got {len(convs)} convolutions")
    out = []
    for conv in convs:
        bias = conv.bias if conv.bias is not None else torch.zeros(conv.out_channels)
        out += [conv.weight, bias]
    return out


def parameters(renderer: nn.Module) -> list[torch.Tensor]:
    """The folded renderer's tensors in the order the kernel reads them."""
    net, _ = fold_batchnorm(renderer.cpu())
    stem = net.src_stem[0]
    out = [stem.weight, stem.bias]
    for down in net.src_downs:
        out += _separable(down)
    out += _separable(net.param_encoder[0])
    a = net.adaat
    for lin in (a.shared[0], a.scale, a.rotation, a.translation):
        out += [lin.weight, lin.bias]
    out += _separable(net.merge[0])
    for block in list(net.merge)[1:]:
        out += _separable(block.body)
    for up in net.ups:
        out += _separable(up.conv)
    out += [net.head.weight, net.head.bias]
    return [t.detach().float().contiguous() for t in out]


def check_parity(backend: NativeCrops, renderer: nn.Module, ref_features: torch.Tensor, samples: int = 2):
    """Largest difference from PyTorch's `forward_cached` on random sources (seeded), as the ONNX
    graph's parity is checked (`core.export.onnx_fp32.check_renderer_parity`, same tolerance)."""
    from core.export.onnx_fp32 import Parity

    gen = torch.Generator().manual_seed(0)
    h, w = renderer.geometry.crop_size
    worst = 0.0
    with torch.inference_mode():
        for _ in range(samples):
            source = torch.rand(1, 4, h, w, generator=gen)
            want = renderer.forward_cached(source, ref_features.cpu()).numpy()
            worst = max(worst, float(np.abs(backend.render(source.numpy()) - want).max()))
    return Parity("renderer", worst, 1e-4)


class NativeCrops:
    """The crop backend on the fused kernel (CPU, reference features fixed at construction)."""

    name = "native"

    def __init__(self, module: ModuleType, renderer: nn.Module, ref_features: torch.Tensor) -> None:
        reason = model_problem(renderer, ref_features)
        if reason is not None:
            raise ValueError(reason)
        h, w = renderer.geometry.crop_size
        self.kernel = module.DinetMini(
            h,
            w,
            list(renderer.channels),
            renderer.cfg.res_blocks,
            parameters(renderer),
            ref_features.detach().cpu().float().contiguous(),
        )

    def render(self, source: np.ndarray) -> np.ndarray:
        """Sources [B, 4, H, W] float32 -> face crops [B, 3, H, W] float32 RGB in [0, 1]."""
        x = torch.from_numpy(np.ascontiguousarray(source, np.float32))
        return self.kernel.forward(x).numpy()
