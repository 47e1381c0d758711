"""The one audio reader on every format a user brings, made here with PyAV from synthetic speech."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from core.audio.resample import resample
from core.jobs.errors import BadInput
from core.media.audio import read_audio
from core.synth.speech import synthesize
from tests.core.media.audio_files import write_audio

SECONDS = 1.5


def speech(rate: int) -> np.ndarray:
    audio, _ = synthesize(SECONDS, seed=5, sample_rate=rate)
    return (0.5 * audio / max(float(np.abs(audio).max()), 1e-6)).astype(np.float32)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    return float(np.corrcoef(a[:n], b[:n])[0, 1])


def test_wav_16k_mono_reads_back_its_samples(tmp_path: Path) -> None:
    ref = speech(16000)
    path = tmp_path / "a.wav"
    write_audio(path, ref, 16000, "pcm_s16le", "s16")
    got = read_audio(path)
    assert got.dtype == np.float32 and got.shape == ref.shape
    np.testing.assert_allclose(got, ref, atol=1.0 / 32000)


def test_48k_stereo_16bit_is_averaged_and_resampled(tmp_path: Path) -> None:
    left = speech(48000)
    right = 0.5 * left
    path = tmp_path / "stereo48.wav"
    write_audio(path, np.stack([left, right]), 48000, "pcm_s16le", "s16", layout="stereo")
    got = read_audio(path)
    want = resample(0.75 * left, 48000, 16000)
    assert abs(len(got) - SECONDS * 16000) <= 1
    np.testing.assert_allclose(got, want[: len(got)], atol=2e-4)


def test_24bit_wav(tmp_path: Path) -> None:
    ref = speech(44100)
    path = tmp_path / "deep.wav"
    write_audio(path, ref, 44100, "pcm_s24le", "s32")
    with av.open(str(path)) as c:
        assert c.streams.audio[0].codec_context.name == "pcm_s24le"
    got = read_audio(path)
    np.testing.assert_allclose(got, resample(ref, 44100, 16000)[: len(got)], atol=1e-4)
    assert abs(len(got) - SECONDS * 16000) <= 1


@pytest.mark.parametrize(
    ("suffix", "codec", "fmt"), [(".mp3", "libmp3lame", "fltp"), (".m4a", "aac", "fltp")]
)
def test_compressed_formats_decode_to_the_same_speech(
    tmp_path: Path, suffix: str, codec: str, fmt: str
) -> None:
    ref = speech(44100)
    path = tmp_path / f"speech{suffix}"
    write_audio(path, ref, 44100, codec, fmt)
    got = read_audio(path)
    want = resample(ref, 44100, 16000)
    assert abs(len(got) - len(want)) < 0.1 * 16000  # codec padding, at most a few frames
    # encoder delay shifts the signal by some samples: find it, then the waveform must match
    lags = range(-2000, 2001, 1)
    best = max(lags, key=lambda k: correlation(got[max(k, 0) :], want[max(-k, 0) :]))
    assert correlation(got[max(best, 0) :], want[max(-best, 0) :]) > 0.95


def test_a_wav_that_is_not_audio_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("these are my notes, not a recording\n" * 20)
    with pytest.raises(BadInput) as err:
        read_audio(path)
    assert str(path) in str(err.value) and "mp3" in str(err.value)


def test_a_video_without_sound_and_a_missing_file_are_bad_input(tmp_path: Path) -> None:
    video = tmp_path / "silent.mp4"
    with av.open(str(video), "w") as out:
        s = out.add_stream("mpeg4", rate=25)
        s.width, s.height, s.pix_fmt = 32, 32, "yuv420p"
        for _ in range(3):
            f = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode(None):
            out.mux(p)
    with pytest.raises(BadInput, match="no audio stream"):
        read_audio(video)
    with pytest.raises(BadInput, match="not found"):
        read_audio(tmp_path / "missing.wav")


def test_duration_cuts_and_pads(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    write_audio(path, speech(16000), 16000, "pcm_s16le", "s16")
    assert read_audio(path, duration=1.0).shape == (16000,)
    padded = read_audio(path, duration=2.0)
    assert padded.shape == (32000,) and not padded[-8000:].any()


@pytest.mark.parametrize(("suffix", "codec", "fmt"), [(".wav", "pcm_s16le", "s16"), (".m4a", "aac", "fltp")])
def test_a_file_cut_short_is_refused_not_read_as_a_shorter_speech(
    tmp_path: Path, suffix: str, codec: str, fmt: str
) -> None:
    """A WAV whose header says 1.5 s but holds 0.4 s (a copy or download cut short) was read as a
    0.4 s speech: render made a 0.4 s video without a word. It is a BadInput naming both lengths;
    the whole file still reads."""
    whole = tmp_path / f"whole{suffix}"
    write_audio(whole, speech(16000), 16000, codec, fmt)
    assert len(read_audio(whole)) >= SECONDS * 16000  # (AAC pads its last frame)
    if suffix == ".wav":
        cut = tmp_path / "cut.wav"
        cut.write_bytes(whole.read_bytes()[: 44 + 2 * 6400])
        with pytest.raises(
            BadInput, match=r"cut\.wav is truncated: its header says 1\.50 s of audio but only 0\.40 s"
        ):
            read_audio(cut)
    else:  # an mp4 cut short loses its index (written last): unreadable, and the message says why
        cut = tmp_path / "cut.m4a"
        cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
        with pytest.raises(BadInput, match="truncated or corrupt"):
            read_audio(cut)


def test_the_codecs_padding_past_the_stated_end_is_cut(tmp_path: Path) -> None:
    """AAC fills its last frame: an m4a decoded to up to 1024 samples more than its stated length,
    so a render of it carried a video frame more than its sound. The reader stops at the stated end."""
    from core.media.audio import read_audio_native

    path = tmp_path / "speech.m4a"
    write_audio(path, speech(16000), 16000, "aac", "fltp")
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        stated = float(stream.duration * stream.time_base)
        decoded = sum(f.samples for f in c.decode(stream))
    assert decoded > round(stated * 16000)  # the padding is there to cut
    assert len(read_audio(path)) == round(stated * 16000)
    assert read_audio_native(path).samples.shape[0] == round(stated * 16000)
