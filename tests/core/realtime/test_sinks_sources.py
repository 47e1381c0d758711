import builtins

import numpy as np
import pytest

from core.jobs.errors import BadInput
from core.media.audio import read_audio
from core.realtime import sources
from core.realtime.sinks import AudioMonitor, FrameSlot, RecorderSink


def test_frame_slot_newest_wins():
    slot = FrameSlot()
    assert slot.latest() is None
    a, b = np.zeros((4, 4, 3), np.uint8), np.ones((4, 4, 3), np.uint8)
    slot.frame(0, a)
    slot.frame(1, b)
    wid, (index, frame) = slot.latest()
    assert index == 1 and frame is b
    assert slot.latest(wid) is None  # nothing new since the view's last look


def test_monitor_delay_and_underruns():
    mon = AudioMonitor(delay_ms=100, open_stream=False)
    mon.audio(np.ones(800, np.float32))
    out = mon.pull(2400)  # 100 ms of silence head start, then the 50 ms of input, then a gap
    assert np.all(out[:1600] == 0) and np.all(out[1600:2400] == 1)
    assert mon.underruns == 0
    mon.pull(160)
    assert mon.underruns == 1


def test_recorder_fills_dropped_frames_and_closes(tmp_path):
    import av

    rec = RecorderSink(tmp_path / "r.mp4", (64, 48), 25.0)
    rec.audio(np.zeros(16000, np.float32))
    for j in (0, 1, 4, 5):  # 2 and 3 were dropped by the renderer
        rec.frame(j, np.full((48, 64, 3), 40 * j, np.uint8))
    rec.close(total_frames=25)
    info = rec.info()
    assert info["frames_written"] == 25 and info["frames_repeated"] == 2 + 19
    with av.open(str(tmp_path / "r.mp4")) as c:
        assert sum(1 for _ in c.decode(video=0)) == 25


def test_missing_portaudio_names_the_package(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(BadInput, match="apt-get install libportaudio2"):
        sources.import_sounddevice()


def test_no_input_device_is_bad_input(monkeypatch):
    sd = pytest.importorskip("sounddevice")

    def no_device(*args, **kwargs):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_device)
    with pytest.raises(BadInput, match="no default input device"):
        sources.MicSource()


def test_file_source_reads_through_the_one_audio_reader(tmp_path):
    import wave

    path = tmp_path / "a.wav"
    with wave.open(str(path), "wb") as wf:
        wf.setnchannels(2)
        wf.setsampwidth(2)
        wf.setframerate(44100)
        wf.writeframes((np.full((4410, 2), 1000, np.int16)).tobytes())
    src = sources.file_source(path)
    assert src.sample_rate == 16000 and src.samples.shape == (1600,)  # what `dhstudio render` reads
    np.testing.assert_array_equal(src.samples, read_audio(path))
    assert np.allclose(src.samples[200:-200], 1000 / 32768, atol=1e-5)
    with pytest.raises(BadInput, match="not found"):
        sources.file_source(tmp_path / "missing.wav")
