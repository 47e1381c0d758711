"""Avatar bundles: written and validated from a copy of the project, then run with the project gone."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from core.export.bundle import BundleExportJob
from core.export.bundle_format import BUNDLE_JSON, SCHEMA_VERSION, read_bundle
from core.export.bundle_runtime import bundle_live_parts, open_bundle
from core.jobs.collector import CollectingRunner
from core.jobs.errors import BadInput
from core.kinds.requests import ExportRequest


@pytest.fixture(scope="module")
def bundles(export_runs, tmp_path_factory):
    """fp32 and int8 bundles exported from a copy of the project, which is then deleted."""
    base = tmp_path_factory.mktemp("bundles")
    project = base / "project"
    shutil.copytree(export_runs.root, project, ignore=shutil.ignore_patterns("dinet_full"))
    speech = base / "speech.wav"
    from core.face.prepared import PreparedClip
    from core.media.wav import write_wav

    write_wav(speech, PreparedClip.load(project / "prepared" / "tiny").audio()[: 16000 * 3 // 2], 16000)
    out = {}
    for precision in ("fp32", "int8"):
        req = ExportRequest(
            project / "runs" / "dinet",
            base / f"bundle-{precision}",
            options={"precision": precision, "repeats": 3, "report": base / f"{precision}.json"},
        )
        result = CollectingRunner().run(BundleExportJob(req))
        assert result.ok, result.error
        out[precision] = shutil.move(str(req.out), str(base / "elsewhere" / precision))
    shutil.rmtree(project)
    return base, {k: type(base)(v) for k, v in out.items()}, speech


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_bundle_holds_everything_the_engine_needs(bundles, precision):
    base, folders, _ = bundles
    folder = folders[precision]
    meta = json.loads((folder / BUNDLE_JSON).read_text())
    assert meta["schema_version"] == SCHEMA_VERSION and meta["precision"] == precision
    assert meta["fps"] == 25.0 and meta["lookahead"] >= 0 and meta["renderer"]["mouth_size"] == 64
    suffix = ".int8.onnx" if precision == "int8" else ".onnx"
    assert meta["files_by_role"]["renderer"] == f"renderer{suffix}"
    assert meta["files_by_role"]["audio_step"] == f"audio_step{suffix}"
    for name, size in meta["files"].items():
        assert (folder / name).stat().st_size == size
    assert all(v["ok"] for v in meta["validation"].values())
    assert set(json.loads((base / f"{precision}.json").read_text())) == {"renderer", "audio_step"}
    b = open_bundle(folder)
    assert len(b.loop) == meta["loop"]["frames"] > 10
    assert b.loop.landmarks.shape == (len(b.loop), 478, 3) and b.loop.boxes.shape == (len(b.loop), 4)
    assert b.space.k == meta["audio_model"]["k"] and b.norm.mean.shape == (meta["audio_model"]["num_bins"],)
    # an fp32 renderer runs rewritten for this CPU's blocked convolutions; the int8 one as exported
    from core.export.onnx_cpu_layout import nchwc_block

    assert b.renderer_layout == (precision == "fp32" and nchwc_block() > 0)


def test_a_bundle_renderer_whose_layout_rewrite_drifts_runs_as_exported(bundles, monkeypatch, caplog):
    """The rewrite is checked against the graph as exported (a bundle has no PyTorch model): where it
    drifts on some CPU the bundle still opens and renders what the exported graph renders."""
    import core.export.onnx_cpu_layout as layout
    from core.export.onnx_fp32 import ort_session
    from tests.core.lipsync.test_crop_backends import _drifting_rewrite

    _, folders, _ = bundles
    monkeypatch.setattr(layout, "fit_cpu_layout", _drifting_rewrite)
    b = open_bundle(folders["fp32"])
    assert not b.renderer_layout and "running it as exported" in caplog.text
    plain = ort_session(b.manifest.file("renderer"), device="cpu")
    shape = [d if isinstance(d, int) else 1 for d in plain.get_inputs()[0].shape]
    feed = {
        "source": np.random.default_rng(1).random(shape, dtype=np.float32),
        "ref_features": b.ref_features,
    }
    np.testing.assert_array_equal(b.renderer_session.run(None, feed)[0], plain.run(None, feed)[0])


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_live_engine_runs_from_a_bundle_without_the_project(bundles, precision):
    from core.realtime.engine import EngineConfig, LiveEngine
    from core.realtime.sinks import FrameSlot
    from core.realtime.sources import file_source

    _, folders, speech = bundles
    parts = bundle_live_parts(open_bundle(folders[precision]))
    slot = FrameSlot()
    engine = LiveEngine(file_source(speech), parts.stepper, parts.avatar, [slot], EngineConfig())
    outcome = engine.run(should_stop=lambda: False)
    report = outcome.report
    assert outcome.error is None and report["stop_reason"] == "end_of_audio"
    frames = report["frames"]
    assert frames["emitted"] == 38 and frames["rendered"] + frames["dropped"] == frames["emitted"]
    assert frames["rendered"] > 0 and parts.describe()["backend"] == f"onnx-{precision}"
    latest = slot.latest(-1)
    assert latest is not None and latest[1][1].shape[2] == 3


def test_damaged_bundles_are_refused(bundles, tmp_path):
    _, folders, _ = bundles
    copy = shutil.copytree(folders["fp32"], tmp_path / "b")
    meta = json.loads((copy / BUNDLE_JSON).read_text())
    (copy / BUNDLE_JSON).write_text(json.dumps({**meta, "schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(BadInput, match="newer than this dhstudio reads"):
        read_bundle(copy)
    (copy / BUNDLE_JSON).write_text(json.dumps(meta))
    read_bundle(copy)
    (copy / "loop.mp4").write_bytes(b"short")
    with pytest.raises(BadInput, match="incomplete or damaged"):
        read_bundle(copy)
    (copy / "renderer.onnx").unlink()
    with pytest.raises(BadInput, match=r"missing renderer\.onnx"):
        read_bundle(copy)
    with pytest.raises(BadInput, match="not an avatar bundle"):
        read_bundle(tmp_path)


def test_bundle_export_refuses_bad_options_and_taken_folders(export_runs, tmp_path):
    run = export_runs.runs["mini"]
    with pytest.raises(BadInput, match="allowed: fp32, int8"):
        BundleExportJob(ExportRequest(run, tmp_path / "x", options={"precision": "int4"}))
    taken = tmp_path / "taken"
    taken.mkdir()
    result = CollectingRunner().run(BundleExportJob(ExportRequest(run, taken)))
    assert not result.ok and result.bad_input and "--force" in result.error
    assert list(taken.iterdir()) == []
    result = CollectingRunner().run(
        BundleExportJob(ExportRequest(run, tmp_path / "y", options={"audio_run": export_runs.runs["mini"]}))
    )
    assert not result.ok and result.bad_input and not (tmp_path / "y").exists()
    np.testing.assert_equal(sorted(p.name for p in tmp_path.iterdir()), ["taken"])


def test_render_from_a_bundle_writes_every_frame_with_the_speech(bundles, tmp_path):
    import av

    from core.export.bundle_render import BundleRenderJob, BundleRenderRequest

    _, folders, speech = bundles
    out = tmp_path / "said.mp4"
    result = CollectingRunner().run(BundleRenderJob(BundleRenderRequest(folders["int8"], speech, out)))
    assert result.ok, result.error
    with av.open(str(out)) as c:
        frames = sum(1 for _ in c.decode(c.streams.video[0]))
    with av.open(str(out)) as c:
        seconds = sum(f.samples for f in c.decode(c.streams.audio[0])) / c.streams.audio[0].rate
    assert frames == 38 and seconds == pytest.approx(1.5, abs=0.05)
