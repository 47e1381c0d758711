"""The web page's computations in Node against the Python engine's: filter banks and shape maps.

The page computes features and mouth shape maps itself (web/src/fbank.js, shape_map.js); these
run the same modules in Node (web/test/compute.mjs) and compare with kaldi-native-fbank and
`core.lipsync.mouth_shape_map`. Skipped with the reason when Node is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from core.audio.fbank import FbankConfig, compute_fbank
from core.audio.normalization import NormStats
from core.lipsync.geometry import CropGeometry
from core.lipsync.mouth_shape_map import ShapeMapStyle, draw_mouth_shape_map
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.streaming import predict_clip

ROOT = Path(__file__).resolve().parents[3]
HARNESS = ROOT / "web" / "test" / "compute.mjs"
SPEECH = ROOT.parent / "shared" / "samples" / "speech_en_16k_60s.wav"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (apt-get install nodejs)")


def run_node(request: dict) -> dict:
    proc = subprocess.run(
        [NODE, str(HARNESS)], input=json.dumps(request), capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def speech(seconds: float) -> np.ndarray:
    """Real speech when the shared samples are there, else a voiced synthetic signal."""
    n = int(16000 * seconds)
    if SPEECH.is_file():
        from core.media.audio import read_audio

        return read_audio(SPEECH)[16000 : 16000 + n].astype(np.float32)
    t = np.arange(n) / 16000
    f0 = 120 + 40 * np.sin(2 * np.pi * 0.7 * t)
    voiced = sum(np.sin(2 * np.pi * h * np.cumsum(f0) / 16000) / h for h in range(1, 12))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    noise = np.random.default_rng(0).normal(0, 0.01, n)
    return (0.1 * voiced * envelope + noise).astype(np.float32)


def js_fbank(audio: np.ndarray, cfg: FbankConfig, chunk: int, tmp_path: Path) -> np.ndarray:
    src, out = tmp_path / "audio.f32", tmp_path / "feats.f32"
    audio.astype("<f4").tofile(src)
    info = run_node(
        {"op": "fbank", "audio": str(src), "out": str(out), "chunk": chunk, "config": cfg.model_dump()}
    )
    return np.fromfile(out, "<f4").reshape(info["frames"], info["bins"])


@pytest.mark.parametrize("chunk", [640, 123])
def test_js_fbank_matches_kaldi_native_fbank(tmp_path, chunk):
    cfg = FbankConfig()
    audio = speech(4.0)
    ref = compute_fbank(audio, cfg)
    got = js_fbank(audio, cfg, chunk, tmp_path)
    assert got.shape == ref.shape == (cfg.frames_for(len(audio)), 80)
    loud = ref > np.log(1e-3)  # bins with energy (log floor aside)
    err = np.abs(got - ref)
    assert err[loud].max() < 2e-3, err[loud].max()
    assert np.median(err) < 1e-4


def test_js_features_give_the_engines_mouth_coefficients(tmp_path):
    """The audio model fed JS features predicts the coefficients it predicts from kaldi's to 1e-3."""
    cfg = FbankConfig()
    audio = speech(4.0)
    ref = compute_fbank(audio, cfg)
    got = js_fbank(audio, cfg, 640, tmp_path)
    torch.manual_seed(0)
    net = Audio2Mouth(NetConfig(num_bins=80, k=6)).eval()
    norm = NormStats.fit([ref])
    n = int(len(audio) * 25 / 16000)
    a = predict_clip(net, norm, cfg, ref, n, 25.0)
    b = predict_clip(net, norm, cfg, got, n, 25.0)
    assert np.abs(a).max() > 1e-2  # the model does respond
    assert np.abs(a - b).max() < 1e-3, np.abs(a - b).max()


def lip_polygons(n: int, geometry: CropGeometry) -> tuple[np.ndarray, np.ndarray]:
    """n pairs of (outer [20, 2], inner [20, 2]) lip contours in crop pixels, opening and moving."""
    rng = np.random.default_rng(1)
    top, left, size, _ = geometry.mouth_box
    theta = np.linspace(0, 2 * np.pi, 20, endpoint=False)
    outer, inner = [], []
    for i in range(n):
        cx = left + size / 2 + rng.uniform(-3, 3)
        cy = top + size / 2 + rng.uniform(-3, 3)
        open_ = 0.05 + 0.3 * i / max(n - 1, 1)
        wobble = rng.uniform(-0.6, 0.6, (2, 20))
        outer.append(
            np.stack([cx + 0.42 * size * np.cos(theta), cy + (0.18 + open_) * size * np.sin(theta)], 1)
            + wobble.T
        )
        inner.append(
            np.stack([cx + 0.3 * size * np.cos(theta), cy + open_ * size * np.sin(theta)], 1)
            + 0.5 * wobble[::-1].T
        )
    return np.asarray(outer), np.asarray(inner)


@pytest.mark.parametrize("mouth_size", [64, 128])
def test_js_shape_map_matches_the_engines(tmp_path, mouth_size):
    geometry = CropGeometry(mouth_size)
    style = ShapeMapStyle()
    outer, inner = lip_polygons(12, geometry)
    pts = np.concatenate([outer, inner], axis=1).astype("<f4")
    pts.tofile(tmp_path / "pts.f32")
    h, w = geometry.crop_size
    run_node(
        {
            "op": "shape_map",
            "points": str(tmp_path / "pts.f32"),
            "outer": 20,
            "inner": 20,
            "size": [h, w],
            "out": str(tmp_path / "maps.f32"),
            "style": {**style.__dict__, "supersample": 4, "subpixel_bits": 4},
        }
    )
    got = np.fromfile(tmp_path / "maps.f32", "<f4").reshape(len(pts), h, w)
    ref = np.stack(
        [
            draw_mouth_shape_map(o.astype(np.float32), i.astype(np.float32), geometry, style)
            for o, i in zip(outer, inner, strict=True)
        ]
    )
    err = np.abs(got - ref)
    assert ref.max() == 1.0 and err.mean() < 2e-3, err.mean()
    assert err.max() <= 0.0626, err.max()  # at most one supersample (1/16) of one pixel


def test_js_level_matching_shifts_the_frames_the_engine_shifts(tmp_path):
    """web/src/level.js against core.audio.level: a voice 20 dB under the training level."""
    from core.audio.level import LevelMatcher, speech_level

    cfg = FbankConfig(num_bins=24)
    audio = speech(12.0)
    target = speech_level(compute_fbank(audio[: 16000 * 4], cfg))
    feats = compute_fbank(audio[16000 * 4 :] * 0.1, cfg)
    matcher = LevelMatcher(target, cfg.frame_shift_ms)
    ref = matcher.push(feats)
    src, out = tmp_path / "feats.f32", tmp_path / "shifted.f32"
    feats.astype("<f4").tofile(src)
    info = run_node(
        {"op": "level", "features": str(src), "out": str(out), "bins": 24, "target": target, "shift_ms": 20.0}
    )
    got = np.fromfile(out, "<f4").reshape(feats.shape)
    assert matcher.offset_db > 10  # it did lift the quiet voice
    assert info["offset_db"] == pytest.approx(matcher.offset_db, abs=1e-6)
    np.testing.assert_allclose(got, ref, atol=1e-5)
