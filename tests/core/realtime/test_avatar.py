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
