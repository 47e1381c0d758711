"""Rendering new speech into the tiny clip: duration follows the audio, mp4 has audio, eval runs."""

from __future__ import annotations

import math
from pathlib import Path

import av
import numpy as np
import pytest

from core.jobs.collector import CollectingRunner
from core.lipsync.evaluate import EvalJob, EvalRequest
from core.lipsync.render import RenderJob, RenderRequest
from core.media.wav import write_wav
from tests.core.lipsync.prepared_fixture import TrainedProject, build_trained_project, tiny_project_root


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TrainedProject:
    return build_trained_project(tiny_project_root(tmp_path_factory))


def speech_like(seconds: float, rate: int = 16000) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t)
    return (0.3 * envelope * np.sin(2 * np.pi * 180 * t)).astype(np.float32)


def probe(path: Path) -> tuple[int, float, bool]:
    """(video frames, audio seconds, has audio)."""
    with av.open(str(path)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    with av.open(str(path)) as c:
        if not c.streams.audio:
            return frames, 0.0, False
        samples = sum(f.samples for f in c.decode(audio=0))
        return frames, samples / c.streams.audio[0].rate, True


def test_render_matches_audio_duration_and_carries_audio(
    tiny: TrainedProject,
    tmp_path: Path,
) -> None:
    seconds = 3.3  # longer than the 2.4 s clip: the source frames ping-pong
    wav = tmp_path / "speech.wav"
    write_wav(wav, speech_like(seconds), 16000)
    out = tmp_path / "out.mp4"
    runner = CollectingRunner()
    result = runner.run(RenderJob(RenderRequest(tiny.dinet_run, wav, out, tiny.audio_run)))
    assert result.ok, result.error
    from core.jobs.events import Metric

    metrics = {e.name: e.value for e in runner.of_type(Metric)}
    assert metrics["render/paste_flicker"] < 1.5 and metrics["render/paste_color_shift"] < 5.0
    frames, audio_s, has_audio = probe(out)
    assert has_audio
    assert abs(frames - math.ceil(seconds * 25)) <= 1
    assert abs(audio_s - seconds) < 0.1
    assert not list(tmp_path.glob(".out.*"))  # no temporary left behind


def _video_size(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as c:
        return c.streams.video[0].width, c.streams.video[0].height


def _render_and_probe(tiny: TrainedProject, audio: Path, out: Path) -> tuple[int, int, np.ndarray]:
    """Render `audio` into `out`; (rate, channels, decoded samples [S, C]) of its sound track."""
    from tests.core.media.test_native_audio import probe_audio

    result = CollectingRunner().run(RenderJob(RenderRequest(tiny.dinet_run, audio, out, tiny.audio_run)))
    assert result.ok, result.error
    # the video keeps the source's resolution (the prepared clip is the user's video, uncropped)
    assert _video_size(out) == _video_size(tiny.root / "media" / "tiny.mp4")
    return probe_audio(out)


def test_render_keeps_a_44k_stereo_input_as_44k_stereo(tiny: TrainedProject, tmp_path: Path) -> None:
    from tests.core.media.audio_files import write_audio

    rate, seconds = 44100, 1.2
    speech = np.interp(
        np.arange(int(seconds * rate)) / rate * 16000, np.arange(int(seconds * 16000)), speech_like(seconds)
    )
    t = np.arange(len(speech)) / rate
    stereo = np.stack([speech, 0.3 * np.sin(2 * np.pi * 660 * t)], axis=0).astype(
        np.float32
    )  # L speech, R tone
    wav = tmp_path / "stereo44.wav"
    write_audio(wav, stereo, rate, "pcm_s16le", "s16", layout="stereo")
    got_rate, channels, sound = _render_and_probe(tiny, wav, tmp_path / "out.mp4")
    assert (got_rate, channels) == (44100, 2)
    assert abs(len(sound) / got_rate - seconds) < 0.1
    # each channel is its own: the right one is the 660 Hz tone, the left one is not
    spec_r, spec_l = np.abs(np.fft.rfft(sound[:, 1])), np.abs(np.fft.rfft(sound[:, 0]))
    freqs = np.fft.rfftfreq(len(sound), 1 / got_rate)
    assert abs(freqs[np.argmax(spec_r)] - 660) < 5 and abs(freqs[np.argmax(spec_l)] - 660) > 20


@pytest.mark.slow  # two real 7-8 s recordings rendered through the tiny avatar (~40 s)
@pytest.mark.parametrize(
    ("name", "rate", "channels"),
    [("speech_zh_48k_stereo_8s.wav", 48000, 2), ("speech_fr_48k_24bit_7s.wav", 48000, 2)],
)
def test_render_keeps_real_48k_stereo_recordings(
    tiny: TrainedProject, tmp_path: Path, samples_dir: Path, name: str, rate: int, channels: int
) -> None:
    from core.media.audio import read_audio_native

    source = samples_dir / name
    native = read_audio_native(source)
    assert (native.rate, native.channels) == (rate, channels)
    got_rate, got_channels, sound = _render_and_probe(tiny, source, tmp_path / "out.mp4")
    assert (got_rate, got_channels) == (rate, channels)
    assert abs(len(sound) / got_rate - native.seconds) < 0.1
    # AAC's priming delay: where the source's second 1 s..1.1 s sits in the output
    ref = native.samples[rate : rate + 4096, 0]
    lag = int(np.argmax(np.correlate(sound[rate : rate + 8192, 0], ref, mode="valid")))
    n = min(len(sound), len(native.samples)) - 2 * rate
    for ch in range(channels):  # the same speech, channel by channel, through AAC
        a, b = sound[rate + lag : rate + lag + n, ch], native.samples[rate : rate + n, ch]
        assert np.corrcoef(a, b)[0, 1] > 0.95


def test_eval_reports_figures(tiny: TrainedProject) -> None:
    result = CollectingRunner().run(EvalJob(EvalRequest(tiny.dinet_run, tiny.audio_run, limit=6)))
    assert result.ok, result.error
    figures = result.value
    assert figures["frames"] == 6 and figures["mouth_size"] == 64
    assert 0 < figures["psnr_mouth"] < 60 and -1 <= figures["ssim_mouth"] <= 1
    assert figures["sharpness_ratio"] > 0
    assert set(figures) >= {"lmd_px", "audio_opening_r", "driving_opening_r", "retracked_fraction"}
    # the paste-back of even this 3-step renderer's blurry mouth neither flickers nor tints the band
    print("paste", {k: v for k, v in figures.items() if k.startswith("paste")})
    assert 0 <= figures["paste_flicker"] < 1.5 and figures["paste_color_shift"] < 5.0
    assert 0.5 < figures["paste_seam_ratio"] < 1.5 and figures["paste_flicker_ratio"] > 0


def test_demo_stage_trains_mini_and_renders(tiny: TrainedProject) -> None:
    from core.jobs.context import JobContext
    from core.lipsync.demo_stage import RUN_NAME, run_lipsync_demo
    from core.train.run_folder import RunFolder

    events: list = []
    result = run_lipsync_demo(JobContext(events.append), tiny.root, tiny.clip, device="cpu", max_steps=2)
    assert result.run == tiny.root / "runs" / RUN_NAME
    assert RunFolder(result.run).read_status()["state"] == "finished"
    frames, _, has_audio = probe(result.video)
    assert has_audio and abs(frames - 60) <= 1  # the 2.4 s clip's own speech


def test_references_come_from_training_or_from_prepare(tiny: TrainedProject) -> None:
    from core.face.prepared import PreparedClip
    from core.lipsync.inference import load_renderer

    renderer = load_renderer(tiny.dinet_run)
    clip = PreparedClip.load(tiny.clip)
    assert renderer.reference_ids(clip) == renderer.references[clip.name]  # the trained ones
    renderer.references = {}  # a clip the renderer never saw: prepare's candidates, closed -> open
    ids = renderer.reference_ids(clip)
    cands = clip.reference_candidates
    assert len(ids) == renderer.net.cfg.num_references and set(ids) <= set(cands)
    assert ids[0] == cands[0] and ids[-1] == cands[-1]


def _loop_line(runner: CollectingRunner) -> str:
    from core.jobs.events import LogLine

    return next(e.message for e in runner.of_type(LogLine) if "frames with a face, ping-pong" in e.message)


def test_render_holds_only_the_frames_it_shows_within_a_memory_budget(
    tiny: TrainedProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Render decoded every frame of the clip into memory: a few minutes of 1080p (28 GB) or a
    4K clip ran out of memory for a few seconds of speech. It loads the frames the output shows,
    at most a memory budget's worth (the loop then ping-pongs over fewer frames)."""
    from core.lipsync import source_loop

    assert source_loop.frames_within(1920, 1080) == 345 and source_loop.frames_within(3840, 2160) == 86
    wav = tmp_path / "speech.wav"
    write_wav(wav, speech_like(1.0), 16000)  # 25 frames of a 60-frame clip
    runner = CollectingRunner()
    result = runner.run(RenderJob(RenderRequest(tiny.dinet_run, wav, tmp_path / "short.mp4", tiny.audio_run)))
    assert result.ok, result.error
    assert "(25 frames with a face, ping-pong)" in _loop_line(runner)
    assert probe(tmp_path / "short.mp4")[0] == 25

    monkeypatch.setattr(source_loop, "LOOP_MEMORY_BYTES", 10 * 256 * 256 * 3)  # ten 256x256 frames
    write_wav(wav, speech_like(2.0), 16000)
    runner = CollectingRunner()
    result = runner.run(
        RenderJob(RenderRequest(tiny.dinet_run, wav, tmp_path / "capped.mp4", tiny.audio_run))
    )
    assert result.ok, result.error
    assert "(10 frames with a face, ping-pong; at most 10 held at 256x256)" in _loop_line(runner)
    frames, audio_s, _ = probe(tmp_path / "capped.mp4")
    assert frames == 50 and abs(audio_s - 2.0) < 0.1


def test_eval_streams_held_out_frames_in_chunks_with_the_same_figures(
    tiny: TrainedProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eval decoded every held-out frame into memory at source resolution (minutes of 4K: many GB).
    It decodes, renders, scores and re-tracks them a chunk at a time within the loop's memory
    budget, and the figures are the same as from one chunk holding them all."""
    from core.face.prepared import PreparedClip
    from core.jobs.events import LogLine
    from core.lipsync import evaluate, source_loop
    from core.lipsync.inference import load_renderer

    assert evaluate.eval_chunk(3840, 2160) == 21 and evaluate.eval_chunk(1920, 1080) == 86
    reads: list[int] = []
    read_frames = PreparedClip.read_frames

    def counted(self: PreparedClip, idx, *a, **k):  # the real reader, its request sizes noted
        reads.append(len(list(idx)))
        return read_frames(self, idx, *a, **k)

    monkeypatch.setattr(PreparedClip, "read_frames", counted)

    def figures() -> tuple[dict, str]:
        runner = CollectingRunner()
        result = runner.run(EvalJob(EvalRequest(tiny.dinet_run, tiny.audio_run, limit=8)))
        assert result.ok, result.error
        line = next(e.message for e in runner.of_type(LogLine) if "held-out frames" in e.message)
        return result.value, line

    refs = load_renderer(tiny.dinet_run).net.cfg.num_references  # one read of the reference frames
    whole, line = figures()
    assert reads == [8, refs] and "8 at a time at 256x256" in line
    reads.clear()
    per_frame = 256 * 256 * 3 * evaluate.FRAMES_PER_HELD_FRAME
    monkeypatch.setattr(source_loop, "LOOP_MEMORY_BYTES", 3 * per_frame)  # three held-out frames at once
    chunked, line = figures()
    assert reads == [3, refs, 3, 2] and "3 at a time at 256x256" in line
    assert set(chunked) == set(whole) and len(whole) > 20
    for k, v in whole.items():
        assert chunked[k] == v or (v != v and chunked[k] != chunked[k]), k  # equal (NaN: NaN)
