"""FaceTracker.track_stream: the graph kept busy one frame ahead, the same landmarks as frame by frame."""

import numpy as np
import pytest

from core.face.tracker import FaceTracker, TrackerSettings
from core.jobs.errors import BadInput
from core.synth.talking_head import DemoClipSpec, generate
from tests.core.face.test_against_reference import two_people

DEFAULT = TrackerSettings()


@pytest.fixture(scope="module")
def demo_frames():
    return generate(DemoClipSpec(size=256, duration=2.4, seed=5)).frames  # 60 frames, BGR


def _rgb(frames_bgr) -> list[np.ndarray]:
    return [np.ascontiguousarray(f[..., ::-1]) for f in frames_bgr]


def _one_by_one(frames_rgb, settings=DEFAULT) -> tuple[list, int]:
    with FaceTracker(settings) as tracker:
        return [tracker.track_rgb(f) for f in frames_rgb], tracker.graphs_opened


def _streamed(frames_rgb, settings=DEFAULT, events=None) -> tuple[list, int]:
    def source():
        for i, frame in enumerate(frames_rgb):
            if events is not None:
                events.append(("pulled", i))
            yield frame, None

    with FaceTracker(settings) as tracker:
        out = []
        for i, ((frame, _), lm) in enumerate(tracker.track_stream(source())):
            assert frame is frames_rgb[i]  # each result comes with its own item
            if events is not None:
                events.append(("result", i))
            out.append(lm)
        return out, tracker.graphs_opened


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        (x is None and y is None) or (x is not None and y is not None and np.array_equal(x, y))
        for x, y in zip(a, b, strict=True)
    )


def test_a_stream_gives_the_frame_by_frame_landmarks_and_pulls_one_frame_ahead(demo_frames):
    frames = _rgb(demo_frames[:20])
    frames[7] = np.zeros_like(frames[7])  # a frame without a face: None, and the face found again
    events = []
    streamed, graphs = _streamed(frames, events=events)
    expected, _ = _one_by_one(frames)
    assert _same(streamed, expected) and graphs == 1
    assert streamed[7] is None and streamed[8] is not None
    # frame i + 1 is taken from the source before frame i's result comes out, never further ahead
    order = [e for e in events if e[0] == "pulled" or e[1] < len(frames) - 1]
    assert order[:3] == [("pulled", 0), ("pulled", 1), ("result", 0)]
    for i in range(len(frames) - 1):
        assert events.index(("pulled", i + 1)) < events.index(("result", i))
        if i + 2 < len(frames):
            assert events.index(("result", i)) < events.index(("pulled", i + 2))


def test_a_second_person_mid_stream_reopens_the_graph_like_frame_by_frame(demo_frames):
    one = _rgb(demo_frames[:4])  # one person, nobody, then two: the detector runs again and
    two = _rgb(two_people(demo_frames, 6))  # sees both, so the graph reopens mid-stream
    frames = [np.pad(f, ((0, 0), (0, f.shape[1]), (0, 0))) for f in one] + [np.zeros_like(two[0])] + two
    settings = TrackerSettings(max_side=384)  # and frames downscaled for MediaPipe
    streamed, graphs = _streamed(frames, settings)
    expected, expected_graphs = _one_by_one(frames, settings)
    assert graphs == expected_graphs == 2
    assert _same(streamed, expected) and streamed[4] is None
    assert all(lm is not None for i, lm in enumerate(streamed) if i != 4)


def test_an_error_from_the_source_comes_out_after_the_frames_before_it(demo_frames):
    frames = _rgb(demo_frames[:5])

    def source():
        yield from ((f, None) for f in frames[:3])
        raise BadInput("frame 3 is corrupt")

    got = []
    with FaceTracker() as tracker, pytest.raises(BadInput, match="corrupt"):
        for _, lm in tracker.track_stream(source()):
            got.append(lm)
    assert len(got) == 2  # frame 2 was in the graph when the source failed: its result is dropped
    assert _same(got, _one_by_one(frames[:2])[0])
