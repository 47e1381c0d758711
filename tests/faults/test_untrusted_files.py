"""Untrusted files never run code, and the messages say so plainly (issue 13, item 12).

Before: a refused checkpoint repeated torch's advice to pass weights_only=False (which would run
the payload); `doctor` called a poisoned FLAME file "ok" because it only checked that it existed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import torch

from core.jobs.errors import BadInput
from core.train.checkpoint import load_checkpoint
from studio.cli.main import main
from studio.doctor import CHECKS
from tests.core.gaussians.test_flame import flame_dir  # noqa: F401 - a valid (synthetic) FLAME folder
from tests.faults.interrupt import REPO_ROOT, environment


class Payload:
    """Unpickling this runs a shell command that leaves a marker file."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"echo owned > {self.marker}",))


def assert_untrusted_message(text: str, path) -> None:
    assert f"{path} is not a studio checkpoint" in text
    assert "Do not trust it" in text
    assert "weights_only" not in text  # never the advice that would run the payload


def test_a_checkpoint_that_would_run_code_is_refused_with_a_plain_message(tmp_path):
    marker, path = tmp_path / "owned.txt", tmp_path / "last.pt"
    torch.save({"step": 1, "model": Payload(marker)}, path)
    with pytest.raises(BadInput) as info:
        load_checkpoint(path)
    assert not marker.exists()
    assert_untrusted_message(str(info.value), path)
    assert "posix.system" in str(info.value) or "os.system" in str(info.value)  # what was refused


def test_a_truncated_checkpoint_gets_the_same_plain_message(tmp_path):
    path = tmp_path / "last.pt"
    torch.save({"step": 1, "w": torch.zeros(1000)}, path)
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(BadInput) as info:
        load_checkpoint(path)
    assert_untrusted_message(str(info.value), path)


def test_render_with_a_poisoned_renderer_checkpoint_exits_2(fault_project, tmp_path, capsys):
    run = shutil.copytree(fault_project.dinet_run, tmp_path / "dinet")
    marker = tmp_path / "owned.txt"
    ckpt = run / "checkpoints" / "last.pt"
    state = torch.load(ckpt, weights_only=True)
    torch.save({**state, "extra": Payload(marker)}, ckpt)
    code = main(
        [
            "render",
            str(run),
            "--audio",
            str(fault_project.speech),
            "--out",
            str(tmp_path / "out.mp4"),
            "--audio-model",
            str(fault_project.audio_run),
            "--quiet",
        ]
    )
    assert code == 2 and not marker.exists()
    assert_untrusted_message(capsys.readouterr().err, ckpt)


def _flame_check():
    return next(c for c in CHECKS if c.__name__ == "_check_flame")()


def test_doctor_loads_the_flame_file_it_reports(flame_dir, monkeypatch):  # noqa: F811
    monkeypatch.setenv("DHSTUDIO_FLAME_DIR", str(flame_dir))
    check = _flame_check()
    assert check.ok and check.detail == str(flame_dir / "generic_model.pkl")


def test_doctor_refuses_a_poisoned_flame_file(tmp_path):
    import pickle

    marker = tmp_path / "owned.txt"
    (tmp_path / "generic_model.pkl").write_bytes(pickle.dumps({"v_template": Payload(marker)}, protocol=2))
    env = {**environment(), "DHSTUDIO_FLAME_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", "doctor", "--json"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    flame = next(c for c in json.loads(proc.stdout) if c["name"] == "FLAME model")
    assert flame["ok"] is False and flame["detail"].startswith("refused:"), flame
    assert "not allowed" in flame["detail"]
    assert not marker.exists()
