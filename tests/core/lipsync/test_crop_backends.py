"""Crop backends: every kind renders what eager PyTorch renders; `auto` picks the native kernel on the
CPU for a renderer it runs, else ONNX Runtime, and falls back to PyTorch, saying why, when onnxruntime
cannot be imported."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from core.jobs.errors import BadInput
from core.lipsync import native_mini
from core.lipsync.config import AttentionConfig, RendererConfig
from core.lipsync.crop_backends import choose_crop_backend, make_crop_backend
from core.lipsync.factory import build_renderer
from tests.core.lipsync.test_fold import trained_like


@pytest.fixture(scope="module")
def net_and_refs() -> tuple[torch.nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    net = trained_like(build_renderer(RendererConfig(variant="mini", mouth_size=64)))
    h, w = net.geometry.crop_size
    with torch.inference_mode():
        ref = net.encode_references(torch.rand(1, 5, 4, h, w))
    return net, ref


def _eager(net: torch.nn.Module, ref: torch.Tensor, batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random sources (seeded) and the eager renderer's crops for them: what every backend must give."""
    h, w = net.geometry.crop_size
    source = np.random.default_rng(seed).random((batch, 4, h, w), np.float32)
    with torch.inference_mode():
        return source, net.forward_cached(torch.from_numpy(source), ref).numpy()


@pytest.mark.parametrize("kind", ["auto", "torch", "torchscript", "onnx", "native"])
@pytest.mark.parametrize("batch", [1, 3])
def test_backend_matches_eager(native_mini_module, net_and_refs, kind: str, batch: int) -> None:
    net, ref = net_and_refs
    h, w = net.geometry.crop_size
    source, want = _eager(net, ref, batch, seed=batch)
    parity: list = []
    backend, choice = make_crop_backend(kind, net, ref, "cpu", parity=parity)
    got = backend.render(source)
    assert got.shape == (batch, 3, h, w)
    np.testing.assert_allclose(got, want, atol=1e-4)
    assert backend.name == choice.kind == ("native" if kind == "auto" else kind)
    assert [p.ok for p in parity] == ([True] if backend.name in ("onnx", "native") else [])


def test_auto_is_native_for_mini_then_onnx_on_cpu_and_torch_on_gpu(native_mini_module, net_and_refs) -> None:
    net, _ = net_and_refs
    native = choose_crop_backend("auto", "cpu", net)
    assert native.kind == "native" and "fused C++ kernel" in native.reason
    attention = build_renderer(RendererConfig(variant="mini", attention=AttentionConfig(mouth=True)))
    onnx = choose_crop_backend("auto", "cpu", attention)
    assert onnx.kind == "onnx" and "attention" in onnx.reason
    assert choose_crop_backend("auto", "cpu").kind == "onnx"  # no renderer: nothing says the kernel runs it
    gpu = choose_crop_backend("auto", "cuda", net)
    assert gpu.kind == "torch" and "cuda" in gpu.reason
    assert choose_crop_backend("torchscript", "cpu").reason == "requested"
    with pytest.raises(BadInput, match="attention"):
        choose_crop_backend("native", "cpu", attention)


def test_auto_passes_over_the_kernel_on_a_cpu_without_avx2(native_mini_module, monkeypatch, net_and_refs):
    """The kernel was measured faster than ONNX Runtime only with AVX2; elsewhere auto keeps ONNX Runtime."""
    net, ref = net_and_refs
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: "DEFAULT")
    choice = choose_crop_backend("auto", "cpu", net)
    assert choice.kind == "onnx" and "only on x86-64 CPUs with AVX2 (this one: DEFAULT)" in choice.reason
    backend, asked = make_crop_backend("native", net, ref, "cpu")  # asked for by name, it still runs
    assert backend.name == asked.kind == "native"


def _not_built(monkeypatch, tmp_path) -> None:
    """This process without the kernel's build: the loader's real answer for an empty build folder."""
    status = native_mini.NativeStatus(*native_mini.EXTENSION.load_module(tmp_path, fresh=True))
    monkeypatch.setattr(native_mini, "status", lambda: status)


def test_auto_without_the_kernel_is_onnx_and_says_why(monkeypatch, tmp_path, net_and_refs) -> None:
    _not_built(monkeypatch, tmp_path)
    net, ref = net_and_refs
    choice = choose_crop_backend("auto", "cpu", net)
    assert choice.kind == "onnx" and "not built" in choice.reason and "build_native" in choice.reason
    with pytest.raises(BadInput, match="not built"):
        make_crop_backend("native", net, ref, "cpu")


def test_auto_falls_back_to_onnx_when_the_kernel_drifts(
    native_mini_module, monkeypatch, net_and_refs, caplog
):
    """A kernel that renders something else on some CPU (its parity check fails) gives way to ONNX
    Runtime, and the log says why."""
    real = native_mini.parameters
    monkeypatch.setattr(native_mini, "parameters", lambda r: [t * 1.5 for t in real(r)])
    net, ref = net_and_refs
    source, want = _eager(net, ref, 1, seed=0)
    parity: list = []
    backend, choice = make_crop_backend("auto", net, ref, "cpu", parity=parity)
    assert backend.name == choice.kind == "onnx" and "native kernel: failed" in choice.reason
    np.testing.assert_allclose(backend.render(source), want, atol=1e-4)
    assert [p.ok for p in parity] == [True]
    assert "the native kernel failed" in caplog.text


def test_auto_falls_back_to_torch_without_onnxruntime(monkeypatch, tmp_path, net_and_refs) -> None:
    _not_built(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now fails
    choice = choose_crop_backend("auto", "cpu", net_and_refs[0])
    assert choice.kind == "torch" and "onnxruntime" in choice.reason and "falling back" in choice.reason
    net, ref = net_and_refs
    backend, _ = make_crop_backend("auto", net, ref, "cpu")
    assert backend.name == "torch"
    with pytest.raises(BadInput, match="onnxruntime"):
        choose_crop_backend("onnx", "cpu")


def test_unknown_backend_is_bad_input() -> None:
    with pytest.raises(BadInput, match="auto, torch, torchscript, onnx, native"):
        choose_crop_backend("tensorrt", "cpu")


def test_onnx_backend_runs_a_batch_one_graph_frame_by_frame(net_and_refs, tmp_path) -> None:
    """The crop backend's graph has every shape fixed (batch 1, the faster graph in ONNX Runtime);
    a batch-dynamic graph (older bundles) still renders a batch in one call, to the same pixels."""
    from core.export.onnx_fp32 import export_renderer, ort_session
    from core.lipsync.crop_backends import OnnxCrops

    net, ref = net_and_refs
    h, w = net.geometry.crop_size
    backend, _ = make_crop_backend("onnx", net, ref, "cpu", work_dir=tmp_path)
    assert backend.session.get_inputs()[0].shape == [1, 4, h, w] and backend.fixed_batch
    dynamic = OnnxCrops(
        ort_session(export_renderer(net, ref, tmp_path / "dyn.onnx", dynamic_batch=True)), ref
    )
    assert not dynamic.fixed_batch
    source = np.random.default_rng(5).random((4, 4, h, w), np.float32)
    np.testing.assert_allclose(backend.render(source), dynamic.render(source), atol=1e-5)
    assert backend.render(source[:1]).shape == (1, 3, h, w)


def _drifting_rewrite(model, block=None):
    """A layout rewrite gone wrong on some CPU: every weight of the graph scaled, so outputs differ."""
    import onnx
    from onnx import numpy_helper

    model = onnx.ModelProto.FromString(model.SerializeToString())
    for i, t in enumerate(model.graph.initializer):
        a = numpy_helper.to_array(t)
        if a.dtype == np.float32 and a.ndim == 4:
            model.graph.initializer[i].CopyFrom(numpy_helper.from_array(a * 1.5, t.name))
    return model


def _failing_rewrite(model, block=None):
    raise ValueError("a node this rewrite does not know")


@pytest.mark.parametrize("rewrite", [_drifting_rewrite, _failing_rewrite])
def test_a_layout_rewrite_that_drifts_or_fails_runs_the_graph_as_exported(
    monkeypatch, net_and_refs, rewrite, caplog
):
    """The CPU-layout rewrite depends on the CPU's block size; where it goes wrong the renderer still
    runs (the exported graph, checked against PyTorch), slower, and the log says why."""
    import core.export.onnx_cpu_layout as layout

    monkeypatch.setattr(layout, "fit_cpu_layout", rewrite)
    net, ref = net_and_refs
    source, want = _eager(net, ref, 1, seed=0)
    parity: list = []
    backend, _ = make_crop_backend("onnx", net, ref, "cpu", parity=parity)
    np.testing.assert_allclose(backend.render(source), want, atol=1e-4)
    assert [p.ok for p in parity] == [True]
    assert "running it as exported" in caplog.text
