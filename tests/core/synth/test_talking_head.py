import json

import numpy as np
import pytest

from core.synth.speech import SAMPLE_RATE, synthesize
from core.synth.talking_head import DemoClipSpec, generate, write

SPEC = DemoClipSpec(size=256, duration=3.0, seed=3)


@pytest.fixture(scope="module")
def clip():
    return generate(SPEC)


def test_clip_shapes_and_determinism(clip):
    assert clip.frames.shape == (75, 256, 256, 3) and clip.frames.dtype == np.uint8
    assert clip.audio.shape == (3 * SAMPLE_RATE,) and np.abs(clip.audio).max() <= 1
    assert clip.mouth_open.shape == (75,) and clip.mouth_open.min() >= 0 and clip.mouth_open.max() <= 1
    again = generate(SPEC)
    np.testing.assert_array_equal(again.frames[::10], clip.frames[::10])
    np.testing.assert_array_equal(again.audio, clip.audio)


def test_mouth_truth_follows_audio_loudness(clip):
    hop = SAMPLE_RATE // SPEC.fps
    rms = np.sqrt(np.mean(clip.audio[: len(clip.mouth_open) * hop].reshape(-1, hop) ** 2, axis=1))
    r = np.corrcoef(rms, clip.mouth_open)[0, 1]
    assert r > 0.7, f"audio energy and mouth truth should move together (r={r:.3f})"
    assert clip.mouth_open.max() > 0.5 and (clip.mouth_open < 0.05).mean() > 0.05  # opens wide and closes


def test_drawn_mouth_opens_with_truth(clip):
    # dark pixels of the mouth interior, in the lower middle of the face, grow with the opening
    s = SPEC.size
    region = clip.frames[:, int(0.5 * s) : int(0.75 * s), int(0.35 * s) : int(0.65 * s)]
    dark = (region.mean(axis=3) < 40).reshape(len(clip.frames), -1).sum(axis=1)
    assert np.corrcoef(dark, clip.mouth_open)[0, 1] > 0.9


def test_mediapipe_tracks_the_drawn_face(clip):
    import cv2
    import mediapipe as mp

    with mp.solutions.face_mesh.FaceMesh(static_image_mode=False, refine_landmarks=True) as mesh:
        gaps = []
        for f in clip.frames:
            res = mesh.process(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
            assert res.multi_face_landmarks, "MediaPipe lost the synthetic face"
            lm = np.array([[p.x, p.y] for p in res.multi_face_landmarks[0].landmark])
            gaps.append(np.linalg.norm(lm[13] - lm[14]) / np.linalg.norm(lm[10] - lm[152]))
    r = np.corrcoef(gaps, clip.mouth_open)[0, 1]
    assert r >= 0.9, f"tracked mouth gap vs truth r={r:.3f}"


def test_write_mp4_and_truth(tmp_path, clip):
    import av

    write(clip, tmp_path / "demo.mp4", tmp_path / "truth.json")
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert truth["frame_count"] == 75 and len(truth["mouth_open"]) == 75
    with av.open(str(tmp_path / "demo.mp4")) as c:
        assert c.streams.video[0].frames == 75 or c.streams.video[0].average_rate == 25
        assert c.streams.audio and c.streams.audio[0].sample_rate == SAMPLE_RATE
        n = sum(1 for _ in c.decode(video=0))
    assert n == 75


def test_speech_is_not_silence():
    audio, syllables = synthesize(3.0, seed=1)
    assert len(syllables) >= 5 and np.sqrt(np.mean(audio**2)) > 0.02
