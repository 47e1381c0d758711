"""The Linux one-folder build (PyInstaller) completes and passes its smoke check. Minutes: run on purpose
with `python -m pytest -m slow tests/installers/test_build_linux.py -s` (prints the size and time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import native_cache
from studio import __version__

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="the Linux build script")
def test_linux_build_completes_and_passes_the_smoke_check(tmp_path):
    pytest.importorskip("PyInstaller", reason="pip install '.[build]'")
    start = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        ["bash", "installers/build_linux.sh", "--dist", str(tmp_path / "dist")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=3 * 3600,
    )
    seconds = time.monotonic() - start
    assert out.returncode == 0, (out.stdout + out.stderr)[-6000:]
    assert "smoke: passed" in out.stdout, out.stdout[-4000:]
    app = tmp_path / "dist" / "dhstudio"
    info = json.loads((app / "_internal" / "build_info.json").read_text())
    import torch

    assert info["version"] == __version__ and info["torch"] == torch.__version__
    assert info["flavour"] == ("gpu" if torch.version.cuda else "cpu")
    for part in (
        "resources/icons/dhstudio.png",
        "resources/i18n/dhstudio_zh_CN.qm",
        "training_jobs/dinet_mini.toml",
        "docs/user_guide.md",
        "docs/screenshots/1-start.png",
        "core/media/csrc/tonemap.c",  # the loaders name the bundled kernels by their sources' hash
        "core/gaussians/render/csrc/rasterize.cpp",
    ):
        assert (app / "_internal" / part).is_file(), part
    # the compiled kernels for every portable level this CPU runs (the smoke check's doctor step
    # then requires both to load from the bundle)
    kernels = sorted(p.name for p in (app / "_internal" / "native").iterdir())
    for lv in native_cache.levels():
        assert any(k.startswith(f"dhs_tonemap_{lv.tag}_") for k in kernels), kernels
        if not lv.missing(native_cache.cpu_features()):
            assert any(k.startswith(f"dhs_rasterize_{lv.tag}_") for k in kernels), kernels
    assert list((app / "_internal").rglob("face_landmark_with_attention.tflite"))
    if info["flavour"] == "cpu":
        assert not list(app.rglob("*providers_cuda*")), "the CPU flavour ships ONNX Runtime's CUDA provider"
    exports = _frozen_exports(app, tmp_path / "frozen")
    size = sum(f.stat().st_size for f in app.rglob("*") if f.is_file() and not f.is_symlink())
    print(
        f"\nLinux {info['flavour']} build: {size / 2**20:,.0f} MiB, {sum(1 for _ in app.rglob('*'))} files, "
        f"{seconds:.0f} s build + smoke check ({info['torch']}, {info['onnxruntime']}); "
        f"frozen exports: {exports}"
    )


def _frozen_exports(app: Path, work: Path) -> str:
    """Train the demo's audio model with the built program and export it as ONNX and TorchScript.

    Exports check themselves in a fresh process (`sys.executable -I -c`) and with ONNX Runtime's
    quantisation tools, the parts a frozen program is most likely to lack.
    """
    work.mkdir()
    env = {"HOME": str(work), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "OMP_NUM_THREADS": "1"}

    def run(*args: str) -> subprocess.CompletedProcess:
        out = subprocess.run(
            [str(app / "dhstudio"), *args], cwd=work, env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, f"dhstudio {' '.join(args)}: {(out.stdout + out.stderr)[-3000:]}"
        return out

    run("demo", "--stages", "3", "--max-steps", "2", "--device", "cpu", "--out", "demo")
    audio_run = next((work / "demo" / "runs").iterdir())
    done = []
    for fmt in ("onnx", "torchscript"):
        run("export", str(audio_run), "--format", fmt, "--out", f"export-{fmt}")
        assert (work / f"export-{fmt}" / "report.json").is_file(), fmt
        done.append(fmt)
    return ", ".join(done)
