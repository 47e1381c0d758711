"""fp32 ONNX export of the real-time models: parity with PyTorch on the CPU provider."""

import numpy as np
import torch

from core.export.onnx_fp32 import (
    check_audio_step_parity,
    check_renderer_parity,
    export_audio_step,
    export_renderer,
    ort_providers,
    ort_session,
)
from core.lipsync.config import RendererConfig
from core.lipsync.factory import build_renderer
from core.mouth.model import Audio2Mouth, NetConfig


def test_audio_step_state_is_explicit_and_matches_torch(tmp_path):
    torch.manual_seed(0)
    net = Audio2Mouth(NetConfig(num_bins=16, k=3, input_hidden=16, lstm_hidden=12, mlp_hidden=8)).eval()
    path = export_audio_step(net, tmp_path / "a2m.onnx")
    sess = ort_session(path, device="cpu")
    assert [i.name for i in sess.get_inputs()] == ["pair", "h0", "c0"]
    assert [o.name for o in sess.get_outputs()] == ["coeffs", "h1", "c1"]
    parity = check_audio_step_parity(net, path, steps=20)
    assert parity.ok and parity.max_abs_diff < 1e-5
    # the state really carries: the same input twice gives different outputs
    pair = np.ones((1, 1, 32), np.float32)
    zero = np.zeros((2, 1, 12), np.float32)
    y1, h, c = sess.run(None, {"pair": pair, "h0": zero, "c0": zero})
    y2, _, _ = sess.run(None, {"pair": pair, "h0": h, "c0": c})
    assert not np.allclose(y1, y2)


def test_renderer_with_cached_references_matches_torch(tmp_path):
    torch.manual_seed(0)
    r = build_renderer(RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)).eval()
    h, w = r.geometry.crop_size
    with torch.no_grad():
        ref = r.encode_references(torch.rand(1, 5, 4, h, w))
    path = export_renderer(r, ref, tmp_path / "r.onnx")
    parity = check_renderer_parity(r, ref, path)
    assert parity.ok and parity.max_abs_diff < 1e-4
    assert ort_providers("cpu") == ["CPUExecutionProvider"]
