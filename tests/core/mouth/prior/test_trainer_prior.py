"""The audio2mouth job starting from the prior: 0 steps maps it (a usable run), steps fine-tune it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core.jobs.collector import CollectingRunner
from core.kinds.audio_model import resolve_audio_run
from core.mouth.config import Audio2MouthConfig
from core.mouth.loader import load_audio2mouth
from core.mouth.trainer import make_job
from core.train.run_folder import RunFolder, RunState
from core.train.spec import TrainRequest
from tests.core.mouth.conftest import train_audio_run

_train = train_audio_run


def test_zero_steps_gives_the_mapped_prior_and_fine_tuning_keeps_it(demo_clip, tmp_path):
    result, run = _train(demo_clip, tmp_path / "mapped", 0)
    assert result.ok, result.error
    summary = json.loads((run.path / "summary.json").read_text())
    assert summary["step"] == 0 and summary["from_prior"] is True
    assert summary["heldout_mouth_r"] > 0.6, summary
    bundle = load_audio2mouth(run.path)
    assert bundle.net.cfg.k == 6 and bundle.space.k == 6
    tuned, run2 = _train(demo_clip, tmp_path / "tuned", 10)
    assert tuned.ok, tuned.error
    s2 = json.loads((run2.path / "summary.json").read_text())
    assert s2["step"] == 10 and s2["heldout_mouth_r"] > 0.6, s2
    from core.face.prepared import PreparedClip

    clip = PreparedClip.load(demo_clip)
    coeffs = load_audio2mouth(run2.path).predict(clip.audio(), clip.frame_count)
    assert coeffs.shape == (clip.frame_count, 6) and np.isfinite(coeffs).all()


def test_a_project_without_audio_model_gets_the_prior(demo_project, tmp_path):
    import shutil

    root = tmp_path / "proj"
    shutil.copytree(demo_project, root, ignore=shutil.ignore_patterns("runs"))
    (root / "runs").mkdir()
    avatar = RunFolder(root / "runs" / "dinet").create("dinet", {})
    avatar.set_status(RunState.FINISHED)
    made = resolve_audio_run(avatar.path, None)
    assert made.parent == root / "runs" and made.name.endswith("audio2mouth-prior")
    status = RunFolder(made).read_status()
    assert status["state"] == "finished" and status["made_without_training"] is True  # pickers put it last
    assert load_audio2mouth(made).step == 0
    assert resolve_audio_run(avatar.path, None) == made  # made once, then found like any run


def _request(clip: Path, run: RunFolder, max_steps: int | None = None, resume: bool = False) -> TrainRequest:
    return TrainRequest((clip,), run, "cpu", max_steps, resume)


def test_the_job_trains_on_the_priors_features_whatever_its_file_says(demo_clip, tmp_path):
    from core.mouth.prior.model import load_prior

    prior = load_prior()
    cfg = Audio2MouthConfig.model_validate(
        {"kind": "audio2mouth", "features": {"num_bins": 40}, "train": {"steps": 0}}
    )
    assert cfg.features != prior.fbank
    run = RunFolder(tmp_path / "run").create("audio2mouth", cfg.model_dump(mode="json"))
    try:
        result = CollectingRunner().run(make_job(cfg, _request(demo_clip, run)))
    finally:
        run.close()
    assert result.ok, result.error
    bundle = load_audio2mouth(run.path)
    assert bundle.fbank == prior.fbank and bundle.net.cfg.num_bins == prior.fbank.num_bins
    assert bundle.config["features"] == prior.fbank.model_dump(mode="json")  # the header says what ran


def test_resuming_after_the_prior_changed_keeps_the_runs_features(demo_clip, tmp_path):
    import torch

    from core.audio.fbank import FbankConfig
    from core.mouth.model import Audio2Mouth, NetConfig
    from core.mouth.prior.build import save_prior
    from core.mouth.prior.model import AudioPrior, load_prior

    shipped = load_prior().fbank
    cfg = Audio2MouthConfig.model_validate({"kind": "audio2mouth", "train": {"steps": 10, "epoch_steps": 5}})
    run = RunFolder(tmp_path / "run").create("audio2mouth", cfg.model_dump(mode="json"))
    try:
        first = CollectingRunner().run(make_job(cfg, _request(demo_clip, run, max_steps=5)))
    finally:
        run.close()
    assert first.ok, first.error
    # another prior, built on other features, is now the job's (as after an update of the shipped one)
    other = tmp_path / "other_prior.pt"
    net = Audio2Mouth(NetConfig(num_bins=12, k=3, input_hidden=8, lstm_hidden=8, mlp_hidden=8)).eval()
    save_prior(AudioPrior(net, FbankConfig(num_bins=12), {}), other)
    moved = cfg.derive(prior=cfg.prior.derive(path=str(other)))
    run = RunFolder(tmp_path / "run")
    try:
        again = CollectingRunner().run(make_job(moved, _request(demo_clip, run, resume=True)))
    finally:
        run.close()
    assert again.ok, again.error
    bundle = load_audio2mouth(run.path)
    assert bundle.step == 10 and bundle.fbank == shipped and bundle.net.cfg.num_bins == shipped.num_bins
    assert bundle.config["features"] == shipped.model_dump(mode="json")  # the header says what ran
    assert all(torch.isfinite(v).all() for v in bundle.net.state_dict().values())


def test_a_muted_stretch_of_the_clip_does_not_skew_the_mapped_prior(demo_clip, tmp_path):
    """Digital silence (a muted intro) says nothing about the voice: the run's feature statistics
    leave it out, so the unmuted held-out end is driven as well as without it."""
    from core.face.prepared import PreparedClip
    from tests.core.mouth.conftest import variant_clip

    audio = PreparedClip.load(demo_clip).audio("file").copy()
    audio[: int(0.45 * audio.size)] = 0.0
    muted = variant_clip(demo_clip, tmp_path / "muted", audio)
    plain, _ = _train(demo_clip, tmp_path / "plain", 0)
    intro, run = _train(muted, tmp_path / "intro", 0)
    assert plain.ok and intro.ok, (plain.error, intro.error)
    r_plain = json.loads((tmp_path / "plain" / "summary.json").read_text())["heldout_mouth_r"]
    r_muted = json.loads((run.path / "summary.json").read_text())["heldout_mouth_r"]
    assert r_muted > r_plain - 0.03, (r_muted, r_plain)
