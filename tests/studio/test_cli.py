import subprocess
import sys

from studio import __version__
from studio.cli.main import main


def run_cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "studio.cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_version(repo_root):
    out = run_cli("--version", cwd=repo_root)
    assert out.returncode == 0 and __version__ in out.stdout


def test_doctor_exits_zero_and_lists_capabilities(capsys):
    assert main(["doctor"]) == 0
    text = capsys.readouterr().out
    for row in (
        "PyTorch",
        "CUDA GPU",
        "gsplat",
        "MediaPipe",
        "PortAudio",
        "ONNX Runtime",
        "onnxruntime-web (web export)",
        "VGG19",
        "LPIPS",
        "FLAME",
    ):
        assert row in text


def test_doctor_says_whether_the_web_export_can_run(tmp_path):
    from studio.doctor import _check_onnxruntime_web

    (tmp_path / "src").mkdir()  # a checkout without `npm ci`
    (tmp_path / "src" / "index.html").write_text("<html></html>")
    row = _check_onnxruntime_web(tmp_path)
    assert not row.ok and f"npm ci --prefix {tmp_path}" in row.detail


def test_new_and_usage_errors(tmp_path, capsys):
    assert main(["new", str(tmp_path / "P")]) == 0
    assert (tmp_path / "P" / "project.toml").is_file()
    assert main(["new", str(tmp_path / "P")]) == 2
    assert "already holds a project" in capsys.readouterr().err


def test_unknown_command_is_usage_error(repo_root):
    assert run_cli("frobnicate", cwd=repo_root).returncode == 2
    assert run_cli(cwd=repo_root).returncode == 2


def test_train_with_bad_job_file_exits_2_and_writes_nothing(tmp_path, capsys):
    main(["new", str(tmp_path / "P")])
    (tmp_path / "P" / "prepared" / "c").mkdir()
    (tmp_path / "P" / "prepared" / "c" / "manifest.json").write_text("{}")
    job = tmp_path / "job.toml"
    job.write_text('kind = "no_such_trainer"\n')
    assert main(["train", str(job), "--project", str(tmp_path / "P")]) == 2
    assert "field 'kind'" in capsys.readouterr().err
    assert list((tmp_path / "P" / "runs").iterdir()) == []


def test_a_run_folders_info_log_stays_off_the_console(tmp_path, capsys, monkeypatch):
    import logging

    from core.train.run_folder import RunFolder
    from studio.cli.main import configure_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as a fresh `dhstudio` process starts
    monkeypatch.setattr(root, "level", logging.WARNING)
    configure_logging(verbose=False)
    run = RunFolder(tmp_path / "run").create("audio2mouth", {"kind": "audio2mouth"})
    run.attach_log()  # lowers the root logger to INFO for log.txt
    logging.getLogger("core.device").info("device auto -> cpu")
    logging.getLogger("core.device").warning("a warning")
    run.close()
    err = capsys.readouterr().err
    assert "device auto -> cpu" not in err and "WARNING core.device: a warning" in err
    assert "device auto -> cpu" in (run.path / "log.txt").read_text()
