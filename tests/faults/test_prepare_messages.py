"""What `prepare` says (issue 13, item 12): a warning for two faces, and no MediaPipe notices.

Before: a video with two people prepared silently (only the manifest knew), and MediaPipe's
native INFO/WARNING lines (TF-Lite delegate, absl feedback manager) printed even with --quiet.
"""

from __future__ import annotations

import json
import os

import numpy as np

from core.face.native_stderr import filtered_native_stderr
from core.media.mp4_writer import Mp4Writer
from core.synth.face_drawing import Expression, FacePose, draw_face
from studio.project import create_project
from tests.faults.interrupt import run_cli

NOTICES = ("TensorFlow Lite", "W0000", "I0000", "absl::InitializeLog", "feedback", "SymbolDatabase")


def two_people(path, frames: int = 30):
    """Two drawn faces side by side, talking."""
    bg = np.full((256, 512, 3), 150, np.uint8)
    with Mp4Writer(path, 512, 256, 25.0) as w:
        for i in range(frames):
            mouth = 0.5 + 0.4 * np.sin(i / 3)
            img = draw_face((256, 512), FacePose(130, 120, 52), Expression(mouth_open=mouth), bg)
            w.write_frame(
                draw_face((256, 512), FacePose(384, 125, 50), Expression(mouth_open=1 - mouth), img)
            )
    return path


def test_two_faces_are_warned_and_quiet_means_quiet(tmp_path):
    project = create_project(tmp_path / "P")
    video = two_people(tmp_path / "two.mp4")
    ended = run_cli(["prepare", str(video), "--project", str(project.root), "--mouth-size", "64", "--quiet"])
    assert ended.code == 0, ended.err
    manifest = json.loads((project.prepared_dir / "two" / "manifest.json").read_text())
    assert manifest["tracker"]["most_faces_seen"] == 2
    assert "warning: 2 faces were seen at once in two.mp4" in ended.err
    assert "largest, most central one was tracked" in ended.err
    assert [n for n in NOTICES if n in ended.err] == [], ended.err


def test_the_filter_keeps_everything_but_mediapipe_notices(capfd):
    with filtered_native_stderr():
        os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n")
        os.write(2, b"W0000 00:00:1796137373.208565   30030 inference_feedback_manager.cc:114] Feedback\n")
        os.write(2, b"E0000 00:00:1796137373.208565   30030 graph.cc:1] a real error\n")
        with filtered_native_stderr():  # nested (another tracker) is fine
            os.write(2, b"our own line\n")
    os.write(2, b"after\n")
    assert (
        capfd.readouterr().err
        == "E0000 00:00:1796137373.208565   30030 graph.cc:1] a real error\nour own line\nafter\n"
    )
