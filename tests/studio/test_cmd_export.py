"""`dhstudio export RUN --format FORMAT`: formats from the kind registry, validated exports, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from plyfile import PlyData

from core.face import topology
from core.gaussians.binding import init_bound_gaussians
from core.gaussians.train.bundle import AVATAR_FILE, BUNDLE_VERSION
from core.gaussians.train.config import GaussianConfig
from core.kinds.registry import export_formats
from core.train.run_folder import RunFolder
from studio.cli.main import main
from tests.core.gaussians.fake_prepared import write_mesh_clip


def _fake_clip(root):
    """The two files the MediaPipe mesh provider reads: manifest and landmarks (3 frames)."""
    clip = root / "clip"
    clip.mkdir()
    layout = np.asarray(topology.frontal_layout(), np.float32)
    frames = np.stack([layout * 150.0 + np.array([100.0 + 5 * i, 110.0, 0.0], np.float32) for i in range(3)])
    frames[..., 2] = layout[None, :, 2] * 150.0
    write_mesh_clip(clip, frames, 320, 320)
    return clip


def _fake_run(root, clip, kind="gaussian"):
    run = RunFolder(root / "run").create(kind, {"kind": kind})
    bound = init_bound_gaussians(906, sh_degree=1)
    state = {
        "version": BUNDLE_VERSION,
        "bound": bound.tensors(),
        "config": GaussianConfig().model_dump_json(),
        "clip": str(clip),
        "sh_degree": 1,
        "steps": 0,
        "train_seconds": 0.0,
    }
    torch.save(state, run.path / AVATAR_FILE)
    return run.path


def test_export_ply_writes_world_and_bound_forms(tmp_path, capsys):
    run = _fake_run(tmp_path, _fake_clip(tmp_path))
    out = tmp_path / "out"
    assert main(["export", str(run), "--format", "ply", "--out", str(out), "--frame", "2", "--quiet"]) == 0
    world, bound = out / "run_frame00002.ply", out / "run_bound.ply"
    assert str(world) in capsys.readouterr().out
    w = PlyData.read(str(world))["vertex"]
    b = PlyData.read(str(bound))["vertex"]
    assert len(w.data) == len(b.data) == 906
    assert np.array_equal(np.asarray(b["binding_0"]), np.arange(906))
    assert float(np.min(w["z"])) > 0.05  # in front of the estimated camera (metres)
    assert not np.allclose(np.asarray(w["x"]), np.asarray(b["x"]))  # world vs local coordinates
    with np.load(out / "run_bound.mesh.npz") as mesh:
        assert mesh["verts"].shape == (3, 478, 3)


def test_export_refuses_other_runs_and_bad_frames(tmp_path):
    clip = _fake_clip(tmp_path)
    run = _fake_run(tmp_path, clip)
    assert main(["export", str(run), "--format", "ply", "--out", str(tmp_path / "o"), "--frame", "9"]) == 2
    other = RunFolder(tmp_path / "other").create("dinet", {"kind": "dinet"}).path
    assert main(["export", str(other), "--format", "ply", "--out", str(tmp_path / "o2")]) == 2
    assert main(["export", str(tmp_path / "missing"), "--format", "ply", "--out", str(tmp_path / "o3")]) == 2
    assert export_formats()["ply"] == ("gaussian",) and not (tmp_path / "o2").exists()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from tests.core.export.runs_fixture import build_export_runs
    from tests.core.lipsync.prepared_fixture import tiny_project_root

    return build_export_runs(tiny_project_root(tmp_path_factory)).runs


def test_export_onnx_writes_the_folder_and_the_report(runs, tmp_path, capsys):
    out, rep = tmp_path / "onnx", tmp_path / "reports" / "a2m.json"
    rc = main(
        ["export", str(runs["audio"]), "--format", "onnx", "--out", str(out), "--report", str(rep), "--quiet"]
    )
    assert rc == 0
    printed = capsys.readouterr().out
    assert str(out / "audio_step.onnx") in printed and str(rep) in printed
    report = json.loads(rep.read_text())
    assert report["parity"]["ok"] and report["files"]["audio_step.onnx"] > 0
    assert report["providers"] == ["CPUExecutionProvider"]


def test_without_out_the_export_goes_to_the_projects_exports_folder(runs, capsys):
    import shutil

    from core.project_layout import ProjectLayout

    expected = ProjectLayout.of_run(runs["audio"]).exports / f"{runs['audio'].name}-onnx"
    try:
        assert main(["export", str(runs["audio"]), "--format", "onnx", "--quiet"]) == 0
        assert (expected / "audio_step.onnx").is_file()
        assert str(expected / "audio_step.onnx") in capsys.readouterr().out
    finally:
        shutil.rmtree(expected, ignore_errors=True)


def test_existing_output_is_refused_unless_forced(runs, tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    args = ["export", str(runs["audio"]), "--format", "onnx", "--out", str(out), "--quiet"]
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "keep.txt").read_text() == "mine" and not (out / "audio_step.onnx").exists()
    assert main([*args, "--force"]) == 0
    assert (out / "audio_step.onnx").is_file() and not (out / "keep.txt").exists()


def test_bad_formats_and_unfinished_runs_exit_2(runs, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["export", str(runs["mini"]), "--format", "gif", "--out", str(tmp_path / "g")])
    assert exc.value.code == 2
    assert main(["export", str(runs["mini"]), "--format", "ply", "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "cannot be exported as 'ply'" in err and "bundle, onnx, onnx-int8" in err
    running = RunFolder(tmp_path / "running").create("dinet", {"kind": "dinet"})
    running.set_status("running", kind="dinet")
    assert main(["export", str(running.path), "--format", "onnx", "--out", str(tmp_path / "r")]) == 2
    assert "no finished checkpoint" in capsys.readouterr().err
    stopped = RunFolder(tmp_path / "stopped").create("audio2mouth", {"kind": "audio2mouth"})
    stopped.set_status("failed", kind="audio2mouth")
    assert main(["export", str(stopped.path), "--format", "torchscript", "--out", str(tmp_path / "s")]) == 2
    assert "checkpoint" in capsys.readouterr().err
    assert not any((tmp_path / n).exists() for n in ("g", "p", "r", "s"))


@pytest.mark.slow  # ~25 s: two exports and two live sessions in fresh processes
def test_bundle_runs_live_and_renders_after_the_project_is_deleted(runs, tmp_path):
    """Export fp32 and int8 bundles by command, move them away, delete the project, run both commands."""
    import os
    import shutil
    import subprocess
    import sys

    from core.media.audio import read_audio

    project = shutil.copytree(
        runs["mini"].parent.parent, tmp_path / "project", ignore=shutil.ignore_patterns("dinet_full")
    )
    speech = tmp_path / "speech.wav"
    from core.media.wav import write_wav

    write_wav(speech, read_audio(project / "prepared" / "tiny" / "audio.wav")[:16000], 16000)
    for precision in ("fp32", "int8"):
        out = tmp_path / f"b-{precision}"
        args = ["export", str(project / "runs" / "dinet"), "--format", "bundle", "--out", str(out)]
        assert main([*args, "--precision", precision, "--quiet"]) == 0
        shutil.move(out, tmp_path / "moved" / precision)
    shutil.rmtree(project)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    cli = [sys.executable, "-m", "studio.cli.main"]
    for precision in ("fp32", "int8"):
        bundle = tmp_path / "moved" / precision
        report = tmp_path / f"live-{precision}.json"
        live = [*cli, "live", str(bundle), "--audio-file", str(speech), "--no-display", "--quiet"]
        proc = subprocess.run([*live, "--report", str(report)], env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr[-2000:]
        r = json.loads(report.read_text())
        assert r["stop_reason"] == "end_of_audio" and r["frames"]["emitted"] == 25
        assert r["backend"] == f"onnx-{precision}" and r["audio_run"] is None
    video = tmp_path / "said.mp4"
    assert (
        main(
            [
                "render",
                str(tmp_path / "moved" / "int8"),
                "--audio",
                str(speech),
                "--out",
                str(video),
                "--quiet",
            ]
        )
        == 0
    )
    assert video.is_file() and video.stat().st_size > 1000
    # a bundle runs its own ONNX models: a PyTorch backend is refused, not silently ignored
    int8 = str(tmp_path / "moved" / "int8")
    torch_render = [
        "render",
        int8,
        "--audio",
        str(speech),
        "--out",
        str(tmp_path / "t.mp4"),
        "--backend",
        "torch",
    ]
    assert main(torch_render) == 2
    assert main(["live", int8, "--audio-file", str(speech), "--no-display", "--backend", "torchscript"]) == 2
    assert not (tmp_path / "t.mp4").exists()
    # a damaged copy is refused with exit 2 by both commands
    (tmp_path / "moved" / "fp32" / "loop.mp4").unlink()
    assert (
        main(
            [
                "render",
                str(tmp_path / "moved" / "fp32"),
                "--audio",
                str(speech),
                "--out",
                str(tmp_path / "x.mp4"),
            ]
        )
        == 2
    )
    live = ["live", str(tmp_path / "moved" / "fp32"), "--audio-file", str(speech), "--no-display", "--quiet"]
    assert main(live) == 2 and not (tmp_path / "x.mp4").exists()


def test_a_many_file_export_prints_its_top_files_and_folder_counts(tmp_path):
    """`--format web` printed all ~140 paths, the page's 125 frames included, so the last line a user
    saw was vendor/ort/ort.wasm.min.mjs and index.html had scrolled away."""
    from studio.cli.cmd_export import printed_outputs

    out = tmp_path / "site"
    files = [out / "index.html", out / "report.md", *(out / "frames" / f"{i:04d}.jpg" for i in range(125))]
    files += [out / "vendor" / "ort" / "ort.wasm", tmp_path / "elsewhere.json"]
    lines = printed_outputs(files, out)
    assert lines == [
        str(out / "index.html"),
        str(out / "report.md"),
        f"{out / 'frames'}/ (125 files)",
        f"{out / 'vendor'}/ (1 file)",
        str(tmp_path / "elsewhere.json"),
    ]
    few = [out / "a.onnx", out / "report.json"]
    assert printed_outputs(few, out) == [str(p) for p in few]
