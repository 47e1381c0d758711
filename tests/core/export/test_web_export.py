"""`--format web`: the folder it writes, and the per-frame data the page draws from.

The page moves lip contours as base + coeffs @ jac per loop frame; checked here against the
engine's own `predicted_landmarks` for random coefficients, so the page needs no pose fitting.
"""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from core.export.web import ORT_DIST, ORT_FILES, WEB_ROOT, WebExportJob, web_sources
from core.jobs.errors import BadInput
from core.kinds.requests import ExportRequest

needs_ort = pytest.mark.skipif(
    not all((WEB_ROOT / ORT_DIST / f).is_file() for f in ORT_FILES),
    reason=f"onnxruntime-web is not installed (npm ci --prefix {WEB_ROOT})",
)


@pytest.fixture(scope="module")
def web_export(export_runs, tmp_path_factory):
    from core.jobs.collector import CollectingRunner
    from core.jobs.events import Artifact

    out = tmp_path_factory.mktemp("web") / "site"
    req = ExportRequest(export_runs.runs["mini"], out, options={"repeats": 2, "max_loop_frames": 40})
    runner = CollectingRunner()
    result = runner.run(WebExportJob(req))
    assert result.ok, result.error
    return out, [a.path.name for a in runner.of_type(Artifact)]


@needs_ort
def test_web_export_writes_a_complete_page(web_export):
    out, artifacts = web_export
    meta = json.loads((out / "avatar.json").read_text())
    for name in ("index.html", "app.js", "capture.worklet.js", "avatar.bin", *meta["frame"]["files"]):
        assert (out / name).is_file(), name
    for name in ORT_FILES:
        assert (out / "vendor" / "ort" / name).stat().st_size > 0
    assert meta["precision"] == "int8" and meta["renderer"]["file"] == "renderer.int8.onnx"
    assert (out / meta["audio_model"]["file"]).is_file() and meta["frame"]["count"] == 40
    size = (out / "avatar.bin").stat().st_size
    assert size == max(a["offset"] + 4 * int(np.prod(a["shape"])) for a in meta["arrays"].values())
    report = json.loads((out / "report.json").read_text())
    assert report["size"]["avatar_bytes"] < report["size"]["total_bytes"] and report["loop_frames"] == 40
    assert {"index.html", "report.json"} <= set(artifacts)


@needs_ort
def test_lip_points_reproduce_the_engines_landmarks(web_export, export_runs):
    from core.export.web_data import gauge_vertices
    from core.face.prepared import PreparedClip
    from core.lipsync.face_crops import landmarks_to_crop
    from core.lipsync.geometry import crop_geometry
    from core.lipsync.source_loop import SourceLoop
    from core.mouth.loader import load_audio2mouth
    from core.mouth.metrics import predicted_landmarks

    out, _ = web_export
    meta = json.loads((out / "avatar.json").read_text())
    raw = np.fromfile(out / "avatar.bin", "<f4")
    arr = {
        k: raw[v["offset"] // 4 : v["offset"] // 4 + int(np.prod(v["shape"]))].reshape(v["shape"])
        for k, v in meta["arrays"].items()
    }
    space = load_audio2mouth(export_runs.runs["audio"], device="cpu").space

    clip = PreparedClip.load(export_runs.clip)
    loop = SourceLoop.from_clip(clip, max_frames=40)
    ids, _ = gauge_vertices()
    geometry = crop_geometry(meta["geometry"]["mouth_size"])
    rng = np.random.default_rng(0)
    for k in (0, 17, 39):
        c = rng.normal(0, 3 * np.sqrt(space.variance), space.k).astype(np.float32)
        page = arr["lip_base"][k] + np.einsum("i,ipd->pd", c, arr["lip_jac"][k])
        lm = predicted_landmarks(space, c[None], loop.landmarks[k : k + 1])[0]
        engine = landmarks_to_crop(lm[ids], loop.boxes[k], geometry)
        assert np.abs(page - engine).max() < 1e-3  # crop pixels
        assert np.allclose(arr["boxes"][k], loop.boxes[k])


def test_missing_onnxruntime_web_names_the_fix(tmp_path):
    (tmp_path / "src").mkdir()
    shutil.copy(WEB_ROOT / "src" / "index.html", tmp_path / "src" / "index.html")
    with pytest.raises(BadInput, match="npm ci --prefix"):
        web_sources(tmp_path)


def test_bad_options_are_refused(tmp_path):
    with pytest.raises(BadInput, match="allowed: fp32, int8"):
        WebExportJob(ExportRequest(tmp_path, tmp_path / "o", options={"precision": "fp16"}))
    with pytest.raises(BadInput, match="jpeg_quality"):
        WebExportJob(ExportRequest(tmp_path, tmp_path / "o", options={"jpeg_quality": 5}))
