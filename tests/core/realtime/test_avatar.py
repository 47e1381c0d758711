import numpy as np
import torch

from core.face.mouth_metrics import mouth_opening, reference_frames
from core.lipsync.source_loop import SourceLoop
from core.realtime.assembly import build_live_parts


def test_loop_ping_pongs_without_jump():
    loop = SourceLoop(
        np.zeros((4, 8, 8, 3), np.uint8),
        np.zeros((4, 478, 3), np.float32) + 1,
        25.0,
        np.tile(np.array([[0, 0, 8, 8]], np.float32), (4, 1)),
    )
    assert [loop.index(j) for j in range(8)] == [0, 1, 2, 3, 2, 1, 0, 1]


def test_render_changes_only_the_mouth_region(tiny_live):
    parts = build_live_parts(
        tiny_live.audio, tiny_live.renderer, tiny_live.loop, "torch", torch.device("cpu")
    )
    avatar, loop = parts.avatar, tiny_live.loop
    frame, timings = avatar.render(3, np.zeros(tiny_live.audio.net.cfg.k, np.float32))
    src = loop.frames[loop.index(3)]
    assert set(timings) == {"shape_map", "model", "paste"}
    changed = np.any(frame != src, axis=2)
    x0, y0, x1, _ = loop.boxes[loop.index(3)]
    ys, xs = np.nonzero(changed)
    assert changed.any() and xs.min() >= x0 - 1 and xs.max() <= x1 + 1 and ys.min() >= y0 - 1
    lips = loop.landmarks[loop.index(3), 13, :2].astype(int)
    assert changed[lips[1] - 3 : lips[1] + 4, lips[0] - 3 : lips[0] + 4].any()  # the mouth was redrawn
    np.testing.assert_array_equal(avatar.idle_frame(3), src)


def test_references_span_mouth_openings(tiny_live):
    opening = mouth_opening(tiny_live.loop.landmarks)
    picks = reference_frames(opening, np.ones(len(opening), bool), 5)
    assert len(set(picks.tolist())) == 5
    assert np.all(np.diff(opening[picks]) >= 0)  # closed -> open
    assert opening[picks[0]] <= np.percentile(opening, 20) and opening[picks[-1]] >= np.percentile(
        opening, 80
    )


def test_auto_backend_renders_on_onnx_runtime_like_torch(tiny_live, tmp_path):
    """The default live backend on the CPU: renderer on ONNX Runtime, the audio step eager (NumPy)."""
    coeffs = np.linspace(-1, 1, tiny_live.audio.net.cfg.k).astype(np.float32)
    frames, info = {}, {}
    for kind in ("auto", "torch"):
        parts = build_live_parts(
            tiny_live.audio, tiny_live.renderer, tiny_live.loop, kind, torch.device("cpu"), tmp_path
        )
        frames[kind] = parts.avatar.render(2, coeffs)[0].astype(int)
        info[kind] = parts.describe()
    auto = info["auto"]
    assert auto["renderer_backend"] == "onnx" and "ONNX Runtime" in auto["renderer_backend_reason"]
    assert auto["backend"] == "numpy" and [p["ok"] for p in auto["onnx_parity"]] == [True]
    assert info["torch"]["renderer_backend"] == "torch"
    assert np.abs(frames["auto"] - frames["torch"]).max() <= 1  # uint8 rounding at most
