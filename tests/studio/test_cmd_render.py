"""`dhstudio render` / `dhstudio eval` / `dhstudio train` (dinet) from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import numpy as np
import pytest

from core.media.wav import write_wav
from studio.cli.main import main
from tests.core.lipsync.prepared_fixture import TrainedProject, build_trained_project, tiny_project_root


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    return build_trained_project(tiny_project_root(tmp_path_factory))


def _wav(path: Path, seconds: float) -> Path:
    t = np.arange(int(seconds * 16000)) / 16000
    write_wav(path, (0.2 * np.sin(2 * np.pi * 200 * t) * (t % 0.4 < 0.2)).astype(np.float32), 16000)
    return path


def test_render_uses_newest_audio_model_by_default(
    tiny: TrainedProject,
    tmp_path: Path,
    capsys,
) -> None:
    out = tmp_path / "talk.mp4"
    code = main(
        [
            "render",
            str(tiny.dinet_run),
            "--audio",
            str(_wav(tmp_path / "a.wav", 1.0)),
            "--out",
            str(out),
            "--device",
            "cpu",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    with av.open(str(out)) as c:
        assert c.streams.audio and c.streams.video
        frames = sum(1 for _ in c.decode(video=0))
    assert abs(frames - 25) <= 1


def test_render_without_audio_model_is_a_clear_bad_input(
    tiny: TrainedProject,
    tmp_path: Path,
    capsys,
) -> None:
    lonely = tmp_path / "proj" / "runs" / "dinet"
    shutil.copytree(tiny.dinet_run, lonely)
    code = main(
        [
            "render",
            str(lonely),
            "--audio",
            str(_wav(tmp_path / "a.wav", 0.5)),
            "--out",
            str(tmp_path / "x.mp4"),
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "No finished audio-to-mouth model run" in err and "audio2mouth.toml" in err
    assert not (tmp_path / "x.mp4").exists()


def test_render_missing_audio_file(tiny: TrainedProject, tmp_path: Path, capsys) -> None:
    code = main(
        [
            "render",
            str(tiny.dinet_run),
            "--audio",
            str(tmp_path / "none.wav"),
            "--out",
            str(tmp_path / "x.mp4"),
            "--audio-model",
            str(tiny.audio_run),
            "--quiet",
        ]
    )
    assert code == 2 and "Audio file not found" in capsys.readouterr().err


def test_eval_writes_json(tiny: TrainedProject, tmp_path: Path, capsys) -> None:
    out = tmp_path / "eval.json"
    code = main(
        [
            "eval",
            str(tiny.dinet_run),
            "--json",
            str(out),
            "--limit",
            "4",
            "--device",
            "cpu",
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    figures = json.loads(out.read_text())
    assert figures["frames"] == 4 and figures["psnr_mouth"] > 0 and "audio_opening_r" not in figures
