"""The sound-vs-picture offset: measured on the synthetic demo with its sound moved by known amounts,
applied by `PreparedClip.audio()` alone, and on the real samples within a frame of the offsets three
independent series find (benchmarks/results/av_offset.json: a +3 frames for all, b -3 for the phone
decoder and loudness, -2 for the prior)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.face.prepared import PreparedClip
from core.jobs.errors import BadInput
from core.jobs.events import LogLine
from core.mouth.av_sync import AvOffset, measure_av_offset, parse_av_sync, retime
from core.mouth.data import load_prepared
from core.mouth.prior.kernel import load_prior_kernel, read_prior_file
from core.mouth.prior.model import load_prior
from tests.core.mouth.conftest import variant_clip

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"


@pytest.fixture(scope="module")
def prior():
    return load_prior_kernel()


def moved(audio: np.ndarray, samples: int) -> np.ndarray:
    """The sound `samples` later (> 0) or earlier (< 0), zero-padded, the same length."""
    out = np.zeros_like(audio)
    if samples > 0:
        out[samples:] = audio[:-samples]
    elif samples < 0:
        out[:samples] = audio[-samples:]
    else:
        out[:] = audio
    return out


@pytest.mark.parametrize("frames", [-3, 0, 3])
def test_a_known_shift_of_the_demo_sound_is_found(demo_clip, prior, frames):
    clip = PreparedClip.load(demo_clip)
    samples = int(round(frames * 16000 / clip.fps))
    audio = moved(clip.audio("file"), samples)  # > 0: the sound now runs late
    off = measure_av_offset(audio, clip.fps, clip.landmarks, clip.valid, prior)
    assert off.source == "measured"
    assert off.best_lag == frames, off
    assert off.applied == (frames != 0)
    assert off.offset_frames == frames and off.offset_ms == pytest.approx(frames * 1000 / clip.fps)
    assert off.r_best >= 0.5
    if frames:
        assert off.r_best - off.r_at_0 >= 0.05
        assert ("behind" if frames > 0 else "ahead of") in off.describe()
    else:
        assert off.describe().startswith("Sound and picture in sync")


def test_a_one_frame_lag_is_found_but_not_corrected(demo_clip, prior):
    """40 ms is within the lips' natural lead over their sound: reported, not applied."""
    clip = PreparedClip.load(demo_clip)
    audio = moved(clip.audio("file"), int(round(16000 / clip.fps)))
    off = measure_av_offset(audio, clip.fps, clip.landmarks, clip.valid, prior)
    assert off.source == "measured" and off.best_lag == 1
    assert not off.applied and off.offset_ms == 0.0
    assert "too small to correct" in off.reason
    assert off.describe().startswith("Sound and picture in sync")


def test_prepare_recorded_the_demo_in_sync(demo_clip):
    clip = PreparedClip.load(demo_clip)
    av = clip.manifest["av_sync"]
    assert av["source"] == "measured" and av["best_lag"] == 0 and not av["applied"]
    assert clip.av_offset == AvOffset.from_manifest(av)
    assert clip.manifest["timings"]["av_sync_s"] < 2.0


def test_batch_forward_equals_the_stepper(demo_clip, prior):
    """The whole-clip NumPy pass gives the streaming stepper's frames, whether its weights come from
    the torch-loaded prior or from the file read without torch."""
    torch_prior = load_prior()
    audio = PreparedClip.load(demo_clip).audio("file")
    for fps, n in ((25.0, None), (30.0, 200), (25.0, 170)):  # the audio spans 150 frames at 25 fps
        stepped = torch_prior.predict(audio, fps, n)
        assert stepped.shape == (n or 150, 3) and np.ptp(stepped[:, 0]) > 0.1  # it moves
        for batch in (torch_prior.predict_batch(audio, fps, n), prior.predict_batch(audio, fps, n)):
            assert batch.shape == stepped.shape
            np.testing.assert_allclose(batch, stepped, atol=1e-4)


def test_measuring_loads_no_torch(repo_root):
    """Prepare measures every clip; torch would add ~2 s of CPU to it (core.mouth.prior.kernel)."""
    script = (
        "import sys, numpy as np\n"
        "from core.mouth.av_sync import measure_av_offset\n"
        "rng = np.random.default_rng(0)\n"
        "lm = rng.normal(100, 5, (60, 478, 3))\n"
        "off = measure_av_offset(rng.normal(0, 0.1, 38400), 25.0, lm, np.ones(60, bool))\n"
        "print(off.source, 'torch' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(repo_root), "OMP_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-2:] == ["measured", "False"], out.stdout


def test_the_weights_reader_refuses_code(tmp_path):
    evil = tmp_path / "evil.pt"
    payload = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("archive/data.pkl", payload)
    with pytest.raises(BadInput, match=r"os\.system is not allowed"):
        read_prior_file(evil)


def test_silence_and_too_few_faces_are_not_measured(demo_clip, prior):
    clip = PreparedClip.load(demo_clip)
    off = measure_av_offset(np.zeros(96000, np.float32), clip.fps, clip.landmarks, clip.valid, prior)
    assert off.source == "not measured" and off.offset_ms == 0 and "silent" in off.reason
    few = np.zeros(clip.frame_count, bool)
    few[:20] = True
    off = measure_av_offset(clip.audio("file"), clip.fps, clip.landmarks, few, prior)
    assert off.source == "not measured" and not off.applied and "only 20 frames" in off.reason


def test_retime_moves_the_sound_and_keeps_its_length():
    audio = np.arange(1, 16001, dtype=np.float32)
    late = retime(audio, 10.0)  # the sound ran 10 ms late: moved 160 samples earlier
    assert late.shape == audio.shape
    np.testing.assert_array_equal(late[:-160], audio[160:])
    assert not late[-160:].any()
    early = retime(audio, -10.0)
    np.testing.assert_array_equal(early[160:], audio[:-160])
    assert not early[:160].any()
    assert retime(audio, 0.0) is audio


def _with_av_sync(src: Path, dst: Path, av: dict | None) -> Path:
    variant_clip(src, dst, PreparedClip.load(src).audio("file"))
    manifest = json.loads((dst / "manifest.json").read_text())
    if av is None:
        manifest.pop("av_sync", None)
    else:
        manifest["av_sync"] = av
    (dst / "manifest.json").write_text(json.dumps(manifest))
    return dst


def test_the_clip_reader_hands_out_the_sound_retimed(demo_clip, tmp_path):
    applied = AvOffset(3, 120.0, True, "measured", "test", 0.1, 0.4, 3).to_dict()
    clip = PreparedClip.load(_with_av_sync(demo_clip, tmp_path / "late", applied))
    file = clip.audio("file")
    assert clip.av_offset.applied and clip.av_offset.offset_ms == 120.0
    retimed = clip.audio()
    assert retimed.shape == file.shape
    np.testing.assert_array_equal(retimed[:-1920], file[1920:])
    assert not retimed[-1920:].any()
    # the training data reads it through the same reader; eval-audio's file timing asks for the file's
    np.testing.assert_array_equal(load_prepared(clip.path).audio, retimed)
    np.testing.assert_array_equal(load_prepared(clip.path, "file").audio, file)
    # the prepared file itself is untouched
    np.testing.assert_array_equal(PreparedClip.load(demo_clip).audio("file"), file)
    with pytest.raises(ValueError, match="retimed, file"):
        clip.audio("shifted")


def test_a_manifest_from_before_the_measurement_loads_as_not_measured(demo_clip, tmp_path):
    clip = PreparedClip.load(_with_av_sync(demo_clip, tmp_path / "old", None))
    assert clip.av_offset == AvOffset()
    assert clip.av_offset.source == "not measured" and clip.av_offset.offset_ms == 0
    np.testing.assert_array_equal(clip.audio(), clip.audio("file"))
    assert "not measured" in clip.av_offset.describe()


@pytest.mark.parametrize(
    ("text", "value"), [("auto", "auto"), ("OFF", "off"), ("120", 120.0), ("-80ms", -80.0)]
)
def test_the_setting_parses(text, value):
    assert parse_av_sync(text) == value


@pytest.mark.parametrize("text", ["soon", "1e9", "nan", ""])
def test_a_bad_setting_names_the_allowed_values(text):
    with pytest.raises(BadInput, match="'auto', 'off' or a fixed offset in ms"):
        parse_av_sync(text)


@pytest.mark.samples
@pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real sample clips not found at {SAMPLES}")
@pytest.mark.parametrize(
    ("name", "frames"), [("talking_512_25fps_a.mp4", 3), ("talking_700_22fps_b.mp4", -3)]
)
def test_the_samples_offsets_are_measured_at_prepare(name, frames, tmp_path):
    from core.face.prepare_job import PrepareJob
    from core.jobs.collector import CollectingRunner

    runner = CollectingRunner()
    result = runner.run(PrepareJob(SAMPLES / name, tmp_path / "clip"))
    assert result.ok, result.error
    off = PreparedClip.load(tmp_path / "clip").av_offset
    assert off.source == "measured" and off.applied, off
    # within a frame of the independent phone decoder's offset (benchmarks/results/av_offset.json):
    # clip b's opening correlates about as well at 80 and 120 ms (r 0.53 / 0.52 with the prior)
    assert abs(off.offset_frames - frames) <= 1 and off.offset_frames * frames > 0, off
    assert off.offset_ms == pytest.approx(off.offset_frames * 40.0)
    side = "behind" if frames > 0 else "ahead of"
    said = [e.message for e in runner.of_type(LogLine)]
    assert any(f"Sound runs {abs(off.offset_ms):.0f} ms {side} the picture" in m for m in said), said
