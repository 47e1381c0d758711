import json

import numpy as np
import pytest

from core.face.prepare_failure import read_failure
from core.media.mp4_writer import Mp4Writer
from core.synth.talking_head import DemoClipSpec, generate, write
from studio.cli.main import main
from studio.project import create_project, open_project


@pytest.fixture(scope="module")
def talking(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    clip = generate(DemoClipSpec(size=256, duration=1.2, seed=11))
    write(clip, root / "Talk Clip.mp4", root / "truth.json")
    return root / "Talk Clip.mp4"


def test_prepare_registers_the_clip(talking, tmp_path, capsys):
    project = create_project(tmp_path / "P")
    code = main(
        [
            "prepare",
            str(talking),
            "--project",
            str(project.root),
            "--mouth-size",
            "64",
            "--fps",
            "25",
            "--quiet",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    clip_dir = project.prepared_dir / "Talk_Clip"
    assert str(clip_dir) in out
    manifest = json.loads((clip_dir / "manifest.json").read_text())
    assert manifest["name"] == "Talk_Clip" and manifest["mouth_size"] == 64 and manifest["frame_count"] == 30
    # 1.2 s is too short to time the sound (2 s of faces): said, and the clip keeps the file's timing
    assert "Sound-picture offset not measured: only 30 frames show a face" in out
    assert manifest["av_sync"]["source"] == "not measured" and manifest["av_sync"]["offset_ms"] == 0
    assert open_project(project.root).clips == ["Talk_Clip"]
    assert open_project(project.root).clip_dir("Talk_Clip") == clip_dir
    # preparing again under an explicit name adds a second clip, the first one stays
    assert main(["prepare", str(talking), "--project", str(project.root), "--name", "second", "--quiet"]) == 0
    assert open_project(project.root).clips == ["Talk_Clip", "second"]


@pytest.mark.parametrize("kind", ["missing", "not_video", "truncated", "no_face"])
def test_bad_input_exits_2_and_writes_nothing(kind, talking, tmp_path, capsys):
    project = create_project(tmp_path / "P")
    if kind == "missing":
        video, expect = tmp_path / "nope.mp4", "not found"
    elif kind == "not_video":
        video, expect = tmp_path / "doc.mp4", "not a readable video"
        video.write_bytes(b"%PDF-1.4 not a video" * 100)
    elif kind == "truncated":
        video, expect = tmp_path / "cut.mp4", "truncated"
        video.write_bytes(talking.read_bytes()[: talking.stat().st_size // 3])
    else:
        video, expect = tmp_path / "wall.mp4", "no face found in 10 of 10 frames"
        with Mp4Writer(video, 128, 128, 25) as w:
            for _ in range(10):
                w.write_frame(np.full((128, 128, 3), 200, np.uint8))
    code = main(["prepare", str(video), "--project", str(project.root), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and expect in err
    # no clip; the failure is recorded for the media panel's card (core.face.prepare_failure)
    assert [p.name for p in project.prepared_dir.rglob("*")] == [video.stem, "prepare_failed.json"]
    assert expect in read_failure(project.layout.clip(video.stem))
    assert open_project(project.root).clips == []


def test_usage_errors(talking, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["prepare", str(talking), "--project", str(tmp_path), "--mouth-size", "100"])
    assert exc.value.code == 2
    assert main(["prepare", str(talking), "--project", str(tmp_path / "none"), "--quiet"]) == 2
    assert "not a Digital Human Studio project" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("setting", "said", "source", "ms"),
    [
        ("off", "Sound timing left as in the file", "off", 0.0),
        ("80", "Sound runs 80 ms behind the picture in this clip (set in the prepare", "fixed", 80.0),
    ],
)
def test_av_sync_off_or_a_fixed_offset(talking, tmp_path, capsys, setting, said, source, ms):
    from core.face.prepared import PreparedClip

    project = create_project(tmp_path / "P")
    argv = ["prepare", str(talking), "--project", str(project.root), "--av-sync", setting, "--quiet"]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == 0, out
    assert said in out
    clip = PreparedClip.load(project.prepared_dir / "Talk_Clip")
    assert clip.av_offset.source == source and clip.av_offset.offset_ms == ms
    assert clip.av_offset.applied == bool(ms)
    file, retimed = clip.audio("file"), clip.audio()
    shift = int(ms * 16)  # 16 samples per ms
    np.testing.assert_array_equal(retimed[: len(file) - shift], file[shift:])


def test_a_bad_av_sync_value_exits_2_naming_the_allowed_values(talking, tmp_path, capsys):
    project = create_project(tmp_path / "P")
    with pytest.raises(SystemExit) as exc:
        main(["prepare", str(talking), "--project", str(project.root), "--av-sync", "later"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--av-sync" in err and "'auto', 'off' or a fixed offset in ms" in err
    assert not project.prepared_dir.exists() or not any(project.prepared_dir.iterdir())


def test_demo_prepares_its_clip(tmp_path):
    from core.jobs.collector import CollectingRunner
    from core.jobs.events import Metric
    from studio.demo.job import CLIP_NAME, STAGES, DemoJob

    stages = dict(STAGES)
    assert list(stages)[:2] == ["generate clip", "prepare clip"]
    project = create_project(tmp_path / "demo")
    clip = generate(DemoClipSpec(size=256, duration=2.0, seed=7))
    write(
        clip, project.media_dir / "demo.mp4", project.media_dir / "demo_truth.json"
    )  # generate stage reuses it
    runner = CollectingRunner()
    result = runner.run(
        DemoJob(project.root, stages=[(k, stages[k]) for k in ("generate clip", "prepare clip")])
    )
    assert result.ok, result.error
    state = result.value
    assert state.outputs["prepared clip"] == project.prepared_dir / CLIP_NAME
    assert (project.prepared_dir / CLIP_NAME / "manifest.json").is_file()
    assert open_project(project.root).clips == [CLIP_NAME]
    r = [m.value for m in runner.of_type(Metric) if m.name == "demo/mouth_opening_r"]
    assert len(r) == 1 and r[0] >= 0.9


def test_a_one_frame_clip_is_refused_at_prepare_with_exit_2(talking, tmp_path):
    """Was: `prepare` accepted a 1-frame clip and training then refused it. A real `dhstudio prepare`
    process exits 2 naming the frame count, the minimum every trainer needs and the fix; no clip is made."""
    import subprocess
    import sys

    from core.train.holdout import min_clip_frames

    project = create_project(tmp_path / "P")
    one = tmp_path / "still.mp4"
    with Mp4Writer(one, 256, 256, 25.0) as writer:
        writer.write_frame(generate(DemoClipSpec(size=256, duration=0.2, seed=1)).frames[0])
    argv = ["prepare", str(one), "--project", str(project.root), "--quiet"]
    run = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 2, run.stderr
    need = min_clip_frames()
    assert "still.mp4" in run.stderr and "1 frame" in run.stderr and f"at least {need} frames" in run.stderr
    assert "longer video" in run.stderr
    assert not (project.prepared_dir / "still" / "manifest.json").exists()
    assert "1 frame" in read_failure(project.layout.clip("still"))  # `dhstudio prepare` records it too
    assert open_project(project.root).clips == []
