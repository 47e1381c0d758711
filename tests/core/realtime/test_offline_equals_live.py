"""One inference path: the same speech through `dhstudio render` and through the live engine
(file source, no real-time pacing, every frame rendered) gives the same frames; and the live
file source takes every format `render --audio` takes, through the same reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from core.jobs.collector import CollectingRunner
from core.lipsync import render as render_module
from core.lipsync.render import RenderJob, RenderRequest
from core.realtime import loading
from core.realtime.assembly import build_live_parts
from core.realtime.job import LiveJob, LiveRequest
from core.synth.speech import synthesize
from tests.core.lipsync.prepared_fixture import TrainedProject, build_trained_project, tiny_project_root
from tests.core.media.audio_files import write_audio
from tests.core.realtime.frame_capture import expected_frames, keep_written_frames, run_unpaced


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    return build_trained_project(tiny_project_root(tmp_path_factory))


@pytest.fixture(scope="module")
def speech_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same 1.7 s of synthetic speech as mp3, m4a, 24-bit WAV (44.1 kHz) and 16-bit 48 kHz stereo."""
    folder = tmp_path_factory.mktemp("speech")
    audio, _ = synthesize(1.7, seed=9, sample_rate=44100)
    audio = (0.5 * audio / np.abs(audio).max()).astype(np.float32)
    out = {}
    for name, codec, fmt in (
        ("s.mp3", "libmp3lame", "fltp"),
        ("s.m4a", "aac", "fltp"),
        ("s24.wav", "pcm_s24le", "s32"),
    ):
        write_audio(folder / name, audio, 44100, codec, fmt)
        out[name] = folder / name
    stereo, _ = synthesize(1.7, seed=9, sample_rate=48000)
    write_audio(folder / "st48.wav", np.stack([stereo, stereo]) * 0.4, 48000, "pcm_s16le", "s16", "stereo")
    out["st48.wav"] = folder / "st48.wav"
    return out


def offline_frames(tiny: TrainedProject, audio: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    """Run the real RenderJob; keep each frame it hands to its (real) mp4 writer."""
    seen = keep_written_frames(monkeypatch, render_module)
    result = CollectingRunner().run(RenderJob(RenderRequest(tiny.dinet_run, audio, out, tiny.audio_run)))
    assert result.ok, result.error
    return seen


def live_frames(
    tiny: TrainedProject, audio: Path, backend: str = "torch"
) -> tuple[dict[int, np.ndarray], dict]:
    """The live path (`dhstudio live`'s loaders and assembly, `backend`), unpaced and lossless."""
    device = torch.device("cpu")
    renderer, loop, refs = loading.load_lipsync(tiny.dinet_run, device)
    model = loading.load_audio_model(tiny.audio_run, loop.fps)
    parts = build_live_parts(model, renderer, loop, backend, device, None, refs)
    assert parts.avatar.frames.backend.name == backend
    frames, outcome = run_unpaced(audio, parts.stepper, parts.avatar)
    assert outcome.error is None and outcome.stop_reason == "end_of_audio"
    return frames, outcome.report


@pytest.mark.parametrize("backend", ["torch", "native"])
def test_render_and_live_give_the_same_frames(tiny, speech_files, tmp_path, monkeypatch, backend, request):
    """Offline on `auto` (the native kernel for this DINet mini where it is built), live on `backend`."""
    if backend == "native":
        request.getfixturevalue("native_mini_module")  # built if missing; skipped only without a compiler
    audio = speech_files["s.mp3"]
    offline = offline_frames(tiny, audio, tmp_path / "out.mp4", monkeypatch)
    live, report = live_frames(tiny, audio, backend)
    n = expected_frames(audio)
    assert len(offline) == n and sorted(live) == list(range(n))
    assert report["frames"]["dropped"] == 0 and report["frames"]["rendered"] == n
    diff = np.stack([np.abs(offline[j].astype(int) - live[j].astype(int)) for j in range(n)])
    assert diff.max() <= 1, f"max abs diff {diff.max()}"
    assert (diff == 0).mean() > 0.999  # float batch order aside, the very same pixels
    # the mouths really follow the audio: not the untouched source loop
    _, loop, _ = loading.load_lipsync(tiny.dinet_run, torch.device("cpu"))
    assert any(np.abs(offline[j].astype(int) - loop.frames[loop.index(j)]).max() > 8 for j in range(n))


@pytest.mark.parametrize("name", ["s.mp3", "s.m4a", "s24.wav", "st48.wav"])
def test_live_file_source_reads_what_render_reads(tiny, speech_files, name, tmp_path):
    path = speech_files[name]
    report = tmp_path / "live.json"
    result = CollectingRunner().run(
        LiveJob(LiveRequest(tiny.dinet_run, tiny.audio_run, audio_file=path, report=report, preview_fps=0))
    )
    assert result.ok, result.error
    frames = result.value["frames"]
    expected = expected_frames(path)
    assert result.value["frames_expected"] == expected == frames["rendered"] + frames["dropped"]
    assert result.value["audio"]["native_rate"] == 16000 and not result.value["audio"]["resampled"]
    rate, channels = (48000, 2) if name == "st48.wav" else (44100, 1)
    assert (result.value["audio"]["input_rate"], result.value["audio"]["input_channels"]) == (rate, channels)


def test_a_wav_that_is_not_audio_is_bad_input_for_live(tiny, tmp_path):
    fake = tmp_path / "fake.wav"
    fake.write_bytes(b"not a recording " * 64)
    result = CollectingRunner().run(LiveJob(LiveRequest(tiny.dinet_run, tiny.audio_run, audio_file=fake)))
    assert not result.ok and result.bad_input
    assert str(fake) in result.error and "not a readable audio file" in result.error and "mp3" in result.error
