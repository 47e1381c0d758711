"""The input audio as it is (rate, channels, bit depth) and the mp4 writer that keeps it."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from core.media.audio import read_audio, read_audio_native
from core.media.mp4_writer import AAC_RATES, Mp4Writer, aac_rate, for_aac
from tests.core.media.audio_files import write_audio


def tones(rate: int, seconds: float = 1.0, freqs: tuple[float, ...] = (220.0, 330.0)) -> np.ndarray:
    """[S, C] float32: one tone per channel, so a swapped or mixed channel shows."""
    t = np.arange(int(seconds * rate)) / rate
    return np.stack([0.4 * np.sin(2 * np.pi * f * t) for f in freqs], axis=1).astype(np.float32)


def corr(a: np.ndarray, b: np.ndarray) -> float:
    n = min(len(a), len(b))
    return float(np.corrcoef(a[:n], b[:n])[0, 1])


def probe_audio(path: Path) -> tuple[int, int, np.ndarray]:
    """(sample rate, channels, float samples [S, C]) of the first audio stream."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        rate, channels = stream.rate, stream.codec_context.channels
        planes = [f.to_ndarray().reshape(channels, -1) for f in c.decode(stream)]
    return rate, channels, np.concatenate(planes, axis=1).T


@pytest.mark.parametrize(
    ("rate", "codec", "fmt"),
    [(44100, "pcm_s16le", "s16"), (48000, "pcm_s24le", "s32"), (22050, "flac", "s16")],
)
def test_native_keeps_rate_and_channels_and_the_model_view_is_their_mono_mix(tmp_path, rate, codec, fmt):
    ref = tones(rate)
    path = tmp_path / ("a.flac" if codec == "flac" else "a.wav")
    write_audio(path, np.ascontiguousarray(ref.T), rate, codec, fmt, layout="stereo")
    native = read_audio_native(path)
    assert native.rate == rate and native.channels == 2 and native.samples.dtype == np.float32
    assert native.samples.shape == ref.shape and native.seconds == pytest.approx(1.0)
    np.testing.assert_allclose(native.samples, ref, atol=2.0 / 32768)
    mono16 = read_audio(path)
    assert mono16.shape == (16000,)
    from core.audio.resample import resample

    assert corr(mono16, resample(ref.mean(axis=1), rate, 16000)) > 0.999


def _level(x: np.ndarray, freq: float, rate: int) -> float:
    """Amplitude of the `freq` tone in `x` (one second at `rate`)."""
    return float(2 * np.abs(np.fft.rfft(x[:rate]))[int(freq)] / rate)


@pytest.mark.parametrize(
    ("layout", "places"),
    [
        ("quad", {200: "L", 300: "R", 400: "L", 500: "R"}),  # FL FR BL BR
        ("5.1", {200: "L", 300: "R", 400: "LR", 500: "L", 600: "R"}),  # FL FR FC LFE BL BR
    ],
)
def test_more_than_two_channels_are_mixed_down_to_stereo_by_place(tmp_path, layout, places):
    """5.1's centre (the dialogue of a film or a camera's surround track) went to the left only,
    its LFE to the right (even channels left, odd right): FFmpeg's downmix puts each where it is."""
    freqs = (200.0, 300.0, 400.0, 50.0, 500.0, 600.0) if layout == "5.1" else (200.0, 300.0, 400.0, 500.0)
    ref = tones(48000, freqs=freqs)
    path = tmp_path / f"{layout}.wav"
    write_audio(path, np.ascontiguousarray(ref.T), 48000, "pcm_s16le", "s16", layout=layout)
    native = read_audio_native(path)
    assert native.channels == 2 and native.rate == 48000
    left, right = native.samples[:, 0], native.samples[:, 1]
    for freq, side in places.items():
        lv, rv = _level(left, freq, 48000), _level(right, freq, 48000)
        assert (lv > 0.1) == ("L" in side) and (rv > 0.1) == ("R" in side), (freq, lv, rv)
        if side == "LR":
            assert lv == pytest.approx(rv, rel=0.01)


def test_aac_rates_and_resampling_for_a_rate_aac_lacks():
    assert aac_rate(48000) == 48000 and aac_rate(44100) == 44100 and aac_rate(16000) == 16000
    assert aac_rate(40000) == 44100 and aac_rate(192000) == AAC_RATES[-1]
    x = tones(40000)
    y, rate = for_aac(x, 40000)
    assert rate == 44100 and y.shape == (44100, 2) and corr(y[:, 0], tones(44100)[:, 0]) > 0.99
    mono = x[:, 0]
    same, r = for_aac(mono, 48000)
    assert r == 48000 and same is mono


@pytest.mark.parametrize(("rate", "channels"), [(48000, 2), (44100, 2), (44100, 1), (16000, 1)])
def test_writer_keeps_the_rate_the_channels_and_each_channels_sound(tmp_path, rate, channels):
    sound = tones(rate, 1.0)[:, :channels]
    out = tmp_path / "v.mp4"
    with Mp4Writer(out, 64, 48, 25.0, sample_rate=rate, channels=channels) as w:
        for i in range(25):
            w.write_frame(np.full((48, 64, 3), 8 * i, np.uint8))
        w.write_audio(sound[: rate // 3])  # in chunks of any size
        w.write_audio(sound[rate // 3 :])
    got_rate, got_channels, got = probe_audio(out)
    assert (got_rate, got_channels) == (rate, channels)
    with av.open(str(out)) as c:
        assert (c.streams.video[0].width, c.streams.video[0].height) == (64, 48)
    # AAC adds a priming delay; find it, then each output channel follows its own input channel
    lag = int(np.argmax(np.correlate(got[:4096, 0], sound[:2048, 0], mode="valid")))
    for ch in range(channels):
        assert corr(got[lag : lag + rate // 2, ch], sound[: rate // 2, ch]) > 0.98
    if channels == 2:
        assert corr(got[lag : lag + rate // 2, 0], sound[: rate // 2, 1]) < 0.2


def test_writer_refuses_a_rate_aac_lacks_and_more_than_two_channels(tmp_path):
    with pytest.raises(ValueError, match="40000"):
        Mp4Writer(tmp_path / "a.mp4", 32, 32, 25.0, sample_rate=40000)
    with pytest.raises(ValueError, match="channels"):
        Mp4Writer(tmp_path / "b.mp4", 32, 32, 25.0, sample_rate=48000, channels=6)
