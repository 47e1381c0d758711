"""`dhstudio` starts without its engines: building the parser and every light command's help load no
torch, OpenCV, MediaPipe, ONNX Runtime, PyAV or Qt (each took seconds, on every command, before).

Each check runs in a fresh interpreter, since this test process has imported all of them already.
"""

import json
import os
import subprocess
import sys

import pytest

from core.synth.talking_head import DemoClipSpec, generate, write
from studio.project import create_project

ENGINES = ("torch", "cv2", "mediapipe", "onnxruntime", "av", "PySide6", "gsplat", "numpy")

# `export --help` lists the formats of every kind in the registry, and the kinds load torch.
LOADS_KINDS = {"export"}

HELP_SCRIPT = f"""
import argparse, contextlib, io, json, sys
from studio.cli.main import build_parser, main

sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
codes = {{}}
for argv in [["--help"]] + [[name, "--help"] for name in sub.choices if name not in {sorted(LOADS_KINDS)!r}]:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            main(argv)
    except SystemExit as exc:  # argparse's --help
        codes[" ".join(argv)] = exc.code
print(json.dumps({{"codes": codes, "loaded": [m for m in {ENGINES!r} if m in sys.modules]}}))
"""


def python(args: list[str], cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd), "OMP_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_help_of_every_light_command_loads_no_engine(repo_root):
    out = python(["-c", HELP_SCRIPT], repo_root)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["loaded"] == [], f"building the CLI parser imported {report['loaded']}"
    assert report["codes"]["--help"] == 0
    assert {"prepare --help", "train --help", "doctor --help", "demo --help"} <= set(report["codes"])
    assert set(report["codes"].values()) == {0}


def test_help_lists_every_command(repo_root):
    out = python(["-m", "studio.cli.main", "--help"], repo_root)
    assert out.returncode == 0, out.stderr
    commands = ("new", "prepare", "import-vhap", "train", "render", "eval", "eval-audio", "ablate", "export")
    for name in commands:
        assert f"    {name} " in out.stdout


def test_export_formats_are_still_checked(repo_root):
    out = python(["-m", "studio.cli.main", "export", "run", "--format", "fbx"], repo_root)
    assert out.returncode == 2 and "invalid choice: 'fbx' (choose from 'bundle'" in out.stderr


def test_prepare_of_a_missing_video_exits_2_without_an_engine(repo_root, tmp_path):
    project = create_project(tmp_path / "P")
    script = (
        "import sys; from studio.cli.main import main\n"
        f"code = main(['prepare', '/nonexistent.mp4', '--project', {str(project.root)!r}])\n"
        "print('loaded', [m for m in ('torch', 'mediapipe', 'onnxruntime', 'PySide6') if m in sys.modules])\n"
        "sys.exit(code)\n"
    )
    out = python(["-c", script], repo_root)
    assert out.returncode == 2
    assert "Video file not found: /nonexistent.mp4" in out.stderr
    assert "loaded []" in out.stdout


@pytest.fixture(scope="module")
def short_clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    write(generate(DemoClipSpec(size=256, duration=0.8, seed=3)), root / "talk.mp4", root / "truth.json")
    return root / "talk.mp4"


def test_prepare_runs_without_torch(short_clip, repo_root, tmp_path):
    """Prepare tracks and crops with OpenCV and MediaPipe; the crop geometry it uses is plain integers."""
    project = create_project(tmp_path / "P")
    script = (
        "import sys; from studio.cli.main import main\n"
        f"code = main(['prepare', {str(short_clip)!r}, '--project', {str(project.root)!r}, '--quiet',"
        " '--mouth-size', '64'])\n"
        "print('torch loaded:', 'torch' in sys.modules)\n"
        "sys.exit(code)\n"
    )
    out = python(["-c", script], repo_root)
    assert out.returncode == 0, out.stderr
    assert "torch loaded: False" in out.stdout
    assert (project.prepared_dir / "talk" / "manifest.json").is_file()
