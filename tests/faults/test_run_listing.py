"""Issue 13 item 4 and the NaN half of item 2: listing runs survives a stray file and a damaged run,
and no command picks (or accepts) a run whose weights are not finite."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from core.train.run_folder import RunFolder, RunState, list_runs, newest_run
from studio.cli.main import main
from tests.faults.kinds_fixture import save_audio_model, tiny_project


@pytest.fixture
def proj(tmp_path_factory, tmp_path):
    return tiny_project(tmp_path_factory, tmp_path / "copy")


def _render(proj, out, *extra: str) -> int:
    return main(["render", str(proj.dinet), "--audio", str(proj.wav), "--out", str(out), "--quiet", *extra])


def _live(proj, *extra: str) -> int:
    return main(["live", str(proj.dinet), "--audio-file", str(proj.wav), "--no-display", "--quiet", *extra])


def _save_nan_audio_model(proj) -> Path:
    """A finished audio2mouth run `a2m-nan`, newer than `a2m`, whose weights are all NaN."""
    return save_audio_model(
        proj.runs / "a2m-nan", proj.root / "prepared" / "talk", np.zeros(16000), poison=True
    )


def _damage(proj) -> None:
    (proj.runs / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (proj.runs / "notes.txt").write_text("my notes")
    broken = RunFolder(proj.runs / "broken").create("audio2mouth", {}, job="audio2mouth")
    broken.set_status(RunState.FINISHED)
    broken.status_path.write_text('{"kind": "audio2mouth", "state": "finis')  # cut by a crash


def test_listing_skips_strays_and_names_the_damaged_run(proj, caplog):
    _damage(proj)
    with caplog.at_level(logging.WARNING):
        runs = list_runs(proj.runs)
    assert {r.path.name for r in runs} == {"a2m", "dinet"}
    assert "broken" in caplog.text and "status.json is damaged" in caplog.text
    assert newest_run(proj.runs, "audio2mouth") == proj.a2m


def test_render_with_stray_file_and_damaged_run(proj, tmp_path, capsys, caplog):
    _damage(proj)
    out = tmp_path / "out.mp4"
    code = _render(proj, out, "--device", "cpu")
    err = capsys.readouterr().err
    assert code == 0, err
    assert out.is_file() and "run broken" in caplog.text and "damaged" in caplog.text


def test_live_with_stray_file_and_damaged_run(proj, tmp_path, capsys):
    _damage(proj)
    report = tmp_path / "r.json"
    code = _live(proj, "--seconds", "0.3", "--report", str(report))
    assert code == 0, capsys.readouterr().err
    assert json.loads(report.read_text())["audio_run"] == str(proj.a2m)


def test_render_of_a_damaged_run_names_it(proj, tmp_path, capsys):
    proj.dinet.joinpath("status.json").write_text("[1, 2")
    code = _render(proj, tmp_path / "o.mp4")
    assert code == 2
    assert f"{proj.dinet / 'status.json'} is damaged" in capsys.readouterr().err


def test_default_audio_model_skips_runs_with_nan_weights(proj, tmp_path, capsys, caplog):
    nan_run = _save_nan_audio_model(proj)
    assert newest_run(proj.runs, "audio2mouth") == nan_run  # the newest finished run is the NaN one
    out = tmp_path / "out.mp4"
    code = _render(proj, out, "--device", "cpu")
    err = capsys.readouterr().err
    assert code == 0, err
    assert "a2m-nan" in caplog.text and "not finite" in caplog.text  # named in the warning, and skipped
    report = tmp_path / "r.json"
    code = _live(proj, "--seconds", "0.3", "--report", str(report))
    assert code == 0 and json.loads(report.read_text())["audio_run"] == str(proj.a2m)


def test_naming_a_nan_audio_model_is_refused(proj, tmp_path, capsys):
    nan_run = _save_nan_audio_model(proj)
    out = tmp_path / "out.mp4"
    code = _render(proj, out, "--audio-model", str(nan_run))
    err = capsys.readouterr().err
    assert code == 2 and "not finite" in err and "model." in err
    assert not out.exists()
    code = _live(proj, "--audio-model", str(nan_run))
    assert code == 2 and "not finite" in capsys.readouterr().err


def test_only_nan_audio_models_fall_back_to_the_prior(proj, tmp_path, capsys, caplog):
    import shutil

    shutil.rmtree(proj.a2m)
    _save_nan_audio_model(proj)
    with caplog.at_level(logging.WARNING):
        code = _render(proj, tmp_path / "o.mp4")
    assert code == 0, capsys.readouterr().err
    assert "a2m-nan" in caplog.text and "not finite" in caplog.text  # skipped, and said so
    made = [r.path for r in list_runs(proj.runs) if r.path.name.endswith("-audio2mouth-prior")]
    assert len(made) == 1 and (tmp_path / "o.mp4").is_file()  # the prior mapped onto the clip drove it


def test_no_usable_audio_model_and_no_clip_is_a_clear_bad_input(proj, tmp_path, capsys):
    import shutil

    shutil.rmtree(proj.a2m)
    _save_nan_audio_model(proj)
    shutil.rmtree(proj.root / "prepared")
    code = _render(proj, tmp_path / "o.mp4")
    err = capsys.readouterr().err
    assert code == 2 and "No finished audio-to-mouth model run with usable weights" in err
