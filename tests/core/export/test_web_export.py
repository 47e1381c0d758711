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


def test_the_frame_loop_checks_the_cancel_token_before_each_frame(tmp_path):
    """Was: a cancel waited for the whole loop (~3 s at 150 frames). Each frame first asks the token."""
    from core.export.web_data import FRAMES_DIR, write_frames
    from core.jobs.errors import JobCancelled

    asked = []

    def checkpoint():
        asked.append(1)
        if len(asked) > 2:
            raise JobCancelled

    frames = np.zeros((10, 16, 16, 3), np.uint8)
    with pytest.raises(JobCancelled):
        write_frames(tmp_path, frames, 90, checkpoint)
    assert sorted(p.name for p in (tmp_path / FRAMES_DIR).iterdir()) == ["0000.jpg", "0001.jpg"]


@needs_ort
def test_a_cancel_while_the_page_is_written_stops_at_once_and_leaves_nothing(
    export_runs, tmp_path, monkeypatch
):
    """Cancel as the page's writing starts: no further loop frame is worked on, the job ends
    cancelled, and neither the output, its partial folder nor the scratch bundle is left."""
    import tempfile

    import core.export.web_data as web_data
    from core.jobs.control import JobControl
    from core.jobs.events import Progress
    from core.jobs.job import Status, execute

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    control = JobControl()
    frames_after_cancel = []
    real = web_data.predicted_landmarks

    def counting(*args, **kwargs):
        if control.cancelled:
            frames_after_cancel.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(web_data, "predicted_landmarks", counting)

    def sink(event):  # the job's own thread: the user presses Cancel as the page's writing starts
        if isinstance(event, Progress) and event.message == "writing the web page":
            control.cancel()

    out = tmp_path / "site"
    req = ExportRequest(export_runs.runs["mini"], out, options={"repeats": 2, "max_loop_frames": 40})
    result = execute(WebExportJob(req), sink, control)
    assert result.status is Status.CANCELLED, result.error
    assert frames_after_cancel == []
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]
    assert list(scratch.iterdir()) == []


# A slow disk for the child process: each loop frame's JPEG takes 50 ms, so the page's write loop
# of the tiny fixture clip lasts seconds, as a real clip's 150 frames do, and Ctrl-C lands inside it.
SLOW_JPEG = """
import time

import cv2

_imencode = cv2.imencode


def _slow_imencode(*args, **kwargs):
    time.sleep(0.05)
    return _imencode(*args, **kwargs)


cv2.imencode = _slow_imencode
"""


@needs_ort
def test_ctrl_c_while_the_page_is_written_exits_130_and_leaves_nothing(export_runs, tmp_path):
    """Was: Ctrl-C waited for the page's per-frame write loop to finish, then the export completed.
    A real SIGINT to a real `dhstudio export --format web` once its bundle is written: exit 130, no
    output folder, no partial folder, no scratch bundle."""
    from tests.faults.interrupt import REPO_ROOT, cli_argv, interrupt, leftovers

    out, scratch, site = tmp_path / "site", tmp_path / "tmp", tmp_path / "slow_disk"
    scratch.mkdir()
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_JPEG)
    run, audio = str(export_runs.runs["mini"]), str(export_runs.runs["audio"])
    ended = interrupt(
        cli_argv("export", run, "--format", "web", "--out", str(out), "--audio-model", audio),
        ready=lambda err: "report.md" in err,  # the bundle's last file: the page is being written now
        env={"TMPDIR": str(scratch), "PYTHONPATH": f"{REPO_ROOT}:{site}"},
    )
    assert ended.code == 130, ended.err[-3000:]
    assert "Traceback" not in ended.err and ended.lines().count("cancelled") == 1, ended.err[-3000:]
    assert "(avatar data" not in ended.err  # the page's summary, logged only once it is complete
    assert not out.exists() and leftovers(tmp_path) == []  # no .site.*.partial
    # the scratch bundle was removed (a library's own session file may be there: not the export's)
    assert [p.name for p in scratch.iterdir() if p.name.startswith("dhstudio-")] == []
