"""`dhstudio live` end to end on a tiny project: prepared synthetic clip, untrained tiny runs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.media.wav import write_wav
from studio.cli.main import main
from tests.faults.kinds_fixture import make_talking_project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("live")
    proj, audio = make_talking_project(root)
    write_wav(root / "speech.wav", np.tile(audio, 2)[:24000], 16000)
    return {
        "root": root,
        "run": proj.layout.run("dinet"),
        "audio_run": proj.layout.run("a2m"),
        "wav": root / "speech.wav",
    }


def _live(*args: str) -> int:
    return main(["live", *args, "--no-display", "--quiet"])


def test_live_from_audio_file_records_and_reports(project, tmp_path, capsys):
    out, report = tmp_path / "live.mp4", tmp_path / "live.json"
    wav = str(project["wav"])
    assert _live(str(project["run"]), "--audio-file", wav, "--record", str(out), "--report", str(report)) == 0
    r = json.loads(report.read_text())
    assert r["audio_run"] == str(project["audio_run"])  # the project's newest finished audio run
    assert r["frames_expected"] == 38 == r["frames"]["rendered"] + r["frames"]["dropped"]
    assert r["sinks"]["recorder"]["frames_written"] == 38 and out.is_file()
    assert r["stop_reason"] == "end_of_audio" and r["error"] is None


def test_live_onnx_backend_reports_parity(project, tmp_path):
    report = tmp_path / "onnx.json"
    args = ["--backend", "onnx", "--seconds", "0.5", "--report", str(report), "--cpu-threads", "1"]
    code = _live(
        str(project["run"]),
        "--audio-file",
        str(project["wav"]),
        *args,
        "--audio-model",
        str(project["audio_run"]),
    )
    assert code == 0
    r = json.loads(report.read_text())
    assert {p["name"] for p in r["onnx_parity"]} == {"renderer", "audio_step"}
    assert all(p["ok"] for p in r["onnx_parity"])
    assert r["frames"]["emitted"] == 13
    assert r["cpu_threads"] == {"threads": 1, "reason": "cpu_threads = 1 (set in the job)"}
    assert r["cpu"]["process_ms_per_frame"] > 0 and r["latency_ms"]["audio_lookahead"]["count"] == 13


def test_bad_inputs_exit_2_with_message(project, tmp_path, capsys):
    wav, audio_run = str(project["wav"]), str(project["audio_run"])
    assert _live(str(tmp_path), "--audio-file", wav, "--audio-model", audio_run) == 2
    assert "is not a training run" in capsys.readouterr().err
    assert _live(str(project["run"]), "--audio-file", str(tmp_path / "nope.wav")) == 2
    assert "Audio file not found" in capsys.readouterr().err  # as `render --audio` says
    # a renderer run is not an audio model
    assert _live(str(project["run"]), "--audio-file", wav, "--audio-model", str(project["run"])) == 2
    assert "'dinet' run, not an audio2mouth one" in capsys.readouterr().err
    assert _live(str(project["run"]), "--audio-file", wav, "--record", str(tmp_path / "x.avi")) == 2
    assert "--record must name an .mp4" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "codec", "fmt"), [("s.mp3", "libmp3lame", "fltp"), ("s24.wav", "pcm_s24le", "s32")]
)
def test_audio_file_takes_what_render_takes(project, tmp_path, name, codec, fmt):
    """mp3 and 24-bit WAV through `live --audio-file` (issue 13): the reader `render --audio` uses."""
    from core.media.audio import read_audio
    from core.synth.speech import synthesize
    from tests.core.media.audio_files import write_audio

    speech, _ = synthesize(0.8, seed=2, sample_rate=44100)
    write_audio(tmp_path / name, 0.5 * speech / np.abs(speech).max(), 44100, codec, fmt)
    report = tmp_path / "r.json"
    assert _live(str(project["run"]), "--audio-file", str(tmp_path / name), "--report", str(report)) == 0
    r = json.loads(report.read_text())
    assert r["frames_expected"] == int(np.ceil(len(read_audio(tmp_path / name)) * 25 / 16000 - 1e-9))
