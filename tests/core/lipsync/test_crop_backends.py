"""Crop backends: every kind renders what eager PyTorch renders; `auto` picks ONNX Runtime on the CPU
and falls back to PyTorch, saying why, when onnxruntime cannot be imported."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from core.jobs.errors import BadInput
from core.lipsync.config import RendererConfig
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


@pytest.mark.parametrize("kind", ["auto", "torch", "torchscript", "onnx"])
@pytest.mark.parametrize("batch", [1, 3])
def test_backend_matches_eager(net_and_refs, kind: str, batch: int) -> None:
    net, ref = net_and_refs
    h, w = net.geometry.crop_size
    source = np.random.default_rng(batch).random((batch, 4, h, w), np.float32)
    with torch.inference_mode():
        want = net.forward_cached(torch.from_numpy(source), ref).numpy()
    parity: list = []
    backend, choice = make_crop_backend(kind, net, ref, "cpu", parity=parity)
    got = backend.render(source)
    assert got.shape == (batch, 3, h, w)
    np.testing.assert_allclose(got, want, atol=1e-4)
    assert backend.name == choice.kind == ("onnx" if kind == "auto" else kind)
    assert [p.ok for p in parity] == ([True] if backend.name == "onnx" else [])


def test_auto_is_onnx_on_cpu_and_torch_on_gpu() -> None:
    assert choose_crop_backend("auto", "cpu").kind == "onnx"
    gpu = choose_crop_backend("auto", "cuda")
    assert gpu.kind == "torch" and "cuda" in gpu.reason
    assert choose_crop_backend("torchscript", "cpu").reason == "requested"


def test_auto_falls_back_to_torch_without_onnxruntime(monkeypatch, net_and_refs) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now fails
    choice = choose_crop_backend("auto", "cpu")
    assert choice.kind == "torch" and "onnxruntime" in choice.reason and "falling back" in choice.reason
    net, ref = net_and_refs
    backend, _ = make_crop_backend("auto", net, ref, "cpu")
    assert backend.name == "torch"
    with pytest.raises(BadInput, match="onnxruntime"):
        choose_crop_backend("onnx", "cpu")


def test_unknown_backend_is_bad_input() -> None:
    with pytest.raises(BadInput, match="auto, torch, torchscript, onnx"):
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
    h, w = net.geometry.crop_size
    source = np.random.default_rng(0).random((1, 4, h, w), np.float32)
    with torch.inference_mode():
        want = net.forward_cached(torch.from_numpy(source), ref).numpy()
    parity: list = []
    backend, _ = make_crop_backend("auto", net, ref, "cpu", parity=parity)
    np.testing.assert_allclose(backend.render(source), want, atol=1e-4)
    assert [p.ok for p in parity] == [True]
    assert "running it as exported" in caplog.text
