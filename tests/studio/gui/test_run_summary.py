"""The runs panel's figures read from a run folder as the lip-sync evaluation writes it (Qt-free)."""

from __future__ import annotations

from core.io import atomic
from core.train.run_folder import RunFolder
from studio.gui.run_summary import summarize


def test_lipsync_eval_figures_fill_every_column(tmp_path):
    run = RunFolder(tmp_path / "mini").create("dinet", {"kind": "dinet"})
    run.close()
    run.set_status("finished", kind="dinet", job="dinet_mini", step=150)
    # the keys `dhstudio eval` writes for a lip-sync run (core/lipsync/evaluate.py)
    figures = {"psnr_mouth": 34.12, "ssim_mouth": 0.943, "lmd_px": 1.762, "sharpness_ratio": 0.447}
    atomic.write_json(run.path / "eval.json", {**figures, "sharpness_output": 48.9, "sharpness_real": 109.5})
    summary = summarize(run.path)
    assert summary.figures == {"PSNR": 34.12, "SSIM": 0.943, "LMD": 1.762, "Sharpness": 0.447}
    assert summary.formatted() == ("34.12", "0.943", "1.762", "0.447", "–")
