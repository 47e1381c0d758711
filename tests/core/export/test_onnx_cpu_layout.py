"""The CPU layout rewrites (zero-padded channels, the RGB head as ConvTranspose) keep the renderer's
outputs equal to PyTorch's, at batch 1 and 8, for DINet mini and full, on either NCHWc block size."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
import torch

from core.export.onnx_cpu_layout import fit_cpu_layout, nchwc_block, pad_channels
from core.export.onnx_fp32 import check_renderer_parity, export_renderer, ort_session
from core.lipsync.config import AttentionConfig, RendererConfig
from core.lipsync.factory import build_renderer
from tests.core.lipsync.test_fold import trained_like


def _net(variant: str, **kw) -> tuple[torch.nn.Module, torch.Tensor]:
    torch.manual_seed(0)
    net = trained_like(build_renderer(RendererConfig(variant=variant, mouth_size=64, **kw)))
    h, w = net.geometry.crop_size
    with torch.inference_mode():
        ref = net.encode_references(torch.rand(1, 5, 4, h, w))
    return net, ref


def _ops(model) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in model.graph.node:
        out.setdefault(node.op_type, []).append(node.name)
    return out


def _conv_weight_dims(model) -> dict[str, list[int]]:
    inits = {t.name: list(t.dims) for t in model.graph.initializer}
    return {n.name: inits[n.input[1]] for n in model.graph.node if n.op_type in ("Conv", "ConvTranspose")}


@pytest.mark.parametrize("block", [8, 16])
@pytest.mark.parametrize(("variant", "kw"), [("mini", {}), ("full", {"base_channels": 8, "res_blocks": 1})])
@pytest.mark.parametrize("batch", [1, 8])
def test_rewritten_graph_matches_torch(tmp_path, block: int, variant: str, kw: dict, batch: int) -> None:
    net, ref = _net(variant, **kw)
    path = export_renderer(net, ref, tmp_path / "r.onnx", dynamic_batch=batch > 1)
    model = fit_cpu_layout(onnx.load(str(path)), block)
    # the head (3 outputs) runs as ConvTranspose; 8-wide levels are padded on a 16 block
    assert _ops(model)["ConvTranspose"] == ["/head/Conv"]
    stem = _conv_weight_dims(model)["/src_stem/src_stem.0/Conv"]
    assert stem[0] == (16 if block == 16 else 8)
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    h, w = net.geometry.crop_size
    source = np.random.default_rng(batch).random((batch, 4, h, w), np.float32)
    with torch.inference_mode():
        want = net.forward_cached(torch.from_numpy(source), ref).numpy()
    got = sess.run(None, {"source": source, "ref_features": ref.numpy()})[0]
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_padding_widens_only_what_stays_blocked(tmp_path) -> None:
    net, ref = _net("mini")
    model = onnx.load(str(export_renderer(net, ref, tmp_path / "r.onnx")))
    dims = _conv_weight_dims(pad_channels(model, 16))
    assert dims["/src_stem/src_stem.0/Conv"] == [16, 4, 3, 3]  # 8 real + 8 zero filters
    assert dims["/src_downs.0/src_downs.0.0/Conv"] == [16, 1, 3, 3]  # depthwise over the widened map
    assert dims["/ups.2/dw_b/Conv"] == [16, 1, 3, 3]  # the last up-stage's skip: the widened stem output
    assert dims["/ups.2/pw_b/Conv"] == [8, 16, 1, 1]
    # a sum of two convolutions is not widened (both would need the same layout); the output stays 3 wide
    assert dims["/head/Conv"] == [3, 8, 3, 3]
    # on an 8 block every level of this net is whole blocks already: nothing to pad
    assert _conv_weight_dims(pad_channels(model, 8)) == _conv_weight_dims(model)


def test_attention_graph_stays_correct(tmp_path) -> None:
    net, ref = _net("mini", attention=AttentionConfig.all_on())
    path = export_renderer(net, ref, tmp_path / "r.onnx")
    parity = check_renderer_parity(net, ref, path, cpu_layout=True)
    assert parity.ok, parity


def test_session_rewrites_only_with_cpu_layout(tmp_path) -> None:
    net, ref = _net("mini")
    path = export_renderer(net, ref, tmp_path / "r.onnx")
    before = path.read_bytes()
    plain, fitted = ort_session(path, "cpu"), ort_session(path, "cpu", cpu_layout=True)
    feed = {"source": np.random.default_rng(0).random((1, 4, *net.geometry.crop_size), np.float32)}
    feed["ref_features"] = ref.numpy()
    np.testing.assert_allclose(fitted.run(None, feed)[0], plain.run(None, feed)[0], atol=1e-5)
    assert path.read_bytes() == before  # the file itself is the plain export
    assert nchwc_block() in (0, 8, 16)


def test_untrained_net_whose_exporter_shares_initializers(tmp_path) -> None:
    # fresh batch-norm: many convs fold to equal (zero) biases, which the exporter shares via Identity
    torch.manual_seed(0)
    net = build_renderer(RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)).eval()
    h, w = net.geometry.crop_size
    with torch.inference_mode():
        ref = net.encode_references(torch.rand(1, 5, 4, h, w))
    path = export_renderer(net, ref, tmp_path / "r.onnx")
    assert "Identity" in _ops(onnx.load(str(path)))
    model = fit_cpu_layout(onnx.load(str(path)), 16)
    assert _ops(model)["ConvTranspose"] == ["/head/Conv"]
    assert _conv_weight_dims(model)["/src_stem/src_stem.0/Conv"][0] == 16
    import onnxruntime as ort

    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    source = np.random.default_rng(0).random((1, 4, h, w), np.float32)
    with torch.inference_mode():
        want = net.forward_cached(torch.from_numpy(source), ref).numpy()
    np.testing.assert_allclose(
        sess.run(None, {"source": source, "ref_features": ref.numpy()})[0], want, atol=1e-4
    )
