"""Issue 13 item 9: where a command writes is checked before the work starts, not after it."""

from __future__ import annotations

import pytest

from core.train.run_folder import RunFolder
from studio.cli.main import main
from tests.faults.kinds_fixture import tiny_project
from tests.faults.mounts import tmpfs


@pytest.fixture
def proj(tmp_path_factory, tmp_path):
    return tiny_project(tmp_path_factory, tmp_path / "copy")


def _snapshot(folder):
    return sorted((str(p.relative_to(folder)), p.stat().st_mtime_ns) for p in folder.rglob("*"))


def test_eval_json_to_a_folder(proj, tmp_path, capsys):
    before = _snapshot(proj.dinet)
    assert main(["eval", str(proj.dinet), "--json", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"--json {tmp_path} is a folder" in err and "evaluating" not in err
    assert _snapshot(proj.dinet) == before


def test_eval_json_under_a_file(proj, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    assert main(["eval", str(proj.dinet), "--json", str(tmp_path / "afile" / "e.json"), "--quiet"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_eval_json_on_a_read_only_mount(proj, tmp_path, capsys):
    with tmpfs(tmp_path / "ro", read_only=True) as ro:
        assert main(["eval", str(proj.dinet), "--json", str(ro / "e.json"), "--quiet"]) == 2
        assert "Read-only file system" in capsys.readouterr().err


def test_render_out(proj, tmp_path, capsys):
    args = ["render", str(proj.dinet), "--audio", str(proj.wav), "--quiet", "--out"]
    assert main([*args, str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    with tmpfs(tmp_path / "ro", read_only=True) as ro:
        assert main([*args, str(ro / "o.mp4")]) == 2
        assert "Read-only file system" in capsys.readouterr().err


def test_live_record_and_report(proj, tmp_path, capsys):
    args = ["live", str(proj.dinet), "--audio-file", str(proj.wav), "--no-display", "--quiet"]
    assert main([*args, "--record", str(tmp_path)]) == 2
    assert f"--record {tmp_path} is a folder" in capsys.readouterr().err
    assert main([*args, "--report", str(tmp_path)]) == 2
    assert f"--report {tmp_path} is a folder" in capsys.readouterr().err
    with tmpfs(tmp_path / "ro", read_only=True) as ro:
        assert main([*args, "--report", str(ro / "r.json")]) == 2
        assert "Read-only file system" in capsys.readouterr().err


def test_export_out_is_a_file(tmp_path, capsys):
    run = RunFolder(tmp_path / "g").create("gaussian", {})
    (tmp_path / "out").write_text("x")
    assert main(["export", str(run.path), "--format", "ply", "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "--out" in capsys.readouterr().err and (tmp_path / "out").read_text() == "x"


def test_export_format_comes_from_the_registry(tmp_path, capsys):
    run = RunFolder(tmp_path / "g").create("gaussian", {})
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(run.path), "--format", "fbx", "--out", str(tmp_path / "o")])
    assert exit_.value.code == 2 and "invalid choice: 'fbx'" in capsys.readouterr().err
    dinet = RunFolder(tmp_path / "d").create("dinet", {})
    assert main(["export", str(dinet.path), "--format", "ply", "--out", str(tmp_path / "o")]) == 2
    assert "cannot be exported as 'ply'; formats for this kind: bundle, onnx" in capsys.readouterr().err


def test_ablate_out_is_a_file(tmp_path, repo_root, capsys):
    root = tmp_path / "P"
    assert main(["new", str(root)]) == 0
    (root / "prepared" / "c").mkdir()
    (root / "prepared" / "c" / "manifest.json").write_text("{}")
    (tmp_path / "out").write_text("x")
    suite = repo_root / "training_jobs" / "ablation_cumulative.toml"
    assert (
        main(["ablate", str(suite), "--project", str(root), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    )
    assert "--out" in capsys.readouterr().err
