"""`dhstudio live` end to end on a tiny project: prepared synthetic clip, untrained tiny runs."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest
import torch

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats
from core.jobs.collector import CollectingRunner
from core.lipsync.config import RendererConfig
from core.lipsync.factory import build_renderer
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.space import MouthSpace
from core.train.checkpoint import save_checkpoint
from core.train.run_folder import RunFolder
from studio.cli.main import main


def _wav(path: Path, samples: np.ndarray, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(rate)
        wf.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    from core.face.prepare_job import PrepareJob, PrepareSettings
    from core.face.prepared import PreparedClip
    from core.synth.talking_head import DemoClipSpec, generate, write
    from studio.project import create_project

    root = tmp_path_factory.mktemp("live")
    proj = create_project(root / "Avatar")
    clip = generate(DemoClipSpec(size=256, fps=25, duration=1.6, seed=5))
    write(clip, root / "talk.mp4", root / "truth.json")
    result = CollectingRunner().run(
        PrepareJob(root / "talk.mp4", proj.prepared_dir / "talk", PrepareSettings(mouth_size=64))
    )
    assert result.ok, result.error
    proj.add_clip("talk")
    prepared = PreparedClip.load(proj.prepared_dir / "talk")
    torch.manual_seed(0)
    fbank = FbankConfig()
    net = Audio2Mouth(NetConfig(k=4, input_hidden=16, lstm_hidden=16, mlp_hidden=8))
    space = MouthSpace.fit(prepared.landmarks, k=4)
    audio_run = RunFolder(proj.runs_dir / "a2m").create("audio2mouth", {})
    save_checkpoint(
        audio_run.checkpoints / "last.pt",
        {
            "kind": "audio2mouth",
            "step": 1,
            "model": net.state_dict(),
            "net": net.cfg.model_dump(),
            "features": fbank.model_dump(),
            "fps": 25.0,
            "config": {},
            "space": space.to_dict(),
            "norm": NormStats.fit([compute_fbank(clip.audio, fbank)]).to_dict(),
        },
    )
    audio_run.set_status("finished", kind="audio2mouth")
    cfg = RendererConfig(variant="mini", mouth_size=64, base_channels=4, res_blocks=1)
    renderer = build_renderer(cfg)
    lip_run = RunFolder(proj.runs_dir / "dinet").create("dinet", {})
    save_checkpoint(
        lip_run.checkpoints / "last.pt",
        {
            "format": "dhstudio.dinet.v1",
            "step": 1,
            "mouth_size": 64,
            "generator": renderer.state_dict(),
            "renderer": cfg.model_dump(mode="json"),
            "clips": ["talk"],
            "references": {"talk": [0, 8, 16, 24, 32]},
        },
    )
    lip_run.set_status("finished", kind="dinet")
    return {
        "root": root,
        "run": lip_run.path,
        "audio_run": audio_run.path,
        "wav": _wav(root / "speech.wav", np.tile(clip.audio, 2)[:24000]),
    }


def test_live_from_audio_file_records_and_reports(project, tmp_path, capsys):
    out, report = tmp_path / "live.mp4", tmp_path / "live.json"
    code = main(
        [
            "live",
            str(project["run"]),
            "--audio-file",
            str(project["wav"]),
            "--no-display",
            "--record",
            str(out),
            "--report",
            str(report),
            "--quiet",
        ]
    )
    assert code == 0
    r = json.loads(report.read_text())
    assert r["audio_run"] == str(project["audio_run"])  # the project's newest finished audio run
    assert r["frames_expected"] == 38 == r["frames"]["rendered"] + r["frames"]["dropped"]
    assert r["sinks"]["recorder"]["frames_written"] == 38 and out.is_file()
    assert r["stop_reason"] == "end_of_audio" and r["error"] is None


def test_live_onnx_backend_reports_parity(project, tmp_path):
    report = tmp_path / "onnx.json"
    code = main(
        [
            "live",
            str(project["run"]),
            "--audio-file",
            str(project["wav"]),
            "--no-display",
            "--quiet",
            "--backend",
            "onnx",
            "--seconds",
            "0.5",
            "--report",
            str(report),
            "--audio-model",
            str(project["audio_run"]),
        ]
    )
    assert code == 0
    r = json.loads(report.read_text())
    assert {p["name"] for p in r["onnx_parity"]} == {"renderer", "audio_step"}
    assert all(p["ok"] for p in r["onnx_parity"])
    assert r["frames"]["emitted"] == 13


def _live(*args: str) -> int:
    return main(["live", *args, "--no-display", "--quiet"])


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
    args = ["live", str(project["run"]), "--audio-file", str(tmp_path / name), "--no-display", "--quiet"]
    assert main([*args, "--report", str(report)]) == 0
    r = json.loads(report.read_text())
    assert r["frames_expected"] == int(np.ceil(len(read_audio(tmp_path / name)) * 25 / 16000 - 1e-9))
