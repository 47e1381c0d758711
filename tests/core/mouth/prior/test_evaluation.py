"""Speaker-separated evaluation on the synthetic demo clip: the prior beats the loudness baseline."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core.mouth.data import load_prepared
from core.mouth.prior.eval_job import summary
from core.mouth.prior.evaluation import ClipCase, evaluate, evaluate_clip, time_folds
from core.mouth.prior.model import load_prior
from studio.cli.main import main


def test_prior_beats_loudness_and_constant_on_the_demo(demo_clip):
    res = evaluate_clip(load_prepared(demo_clip), load_prior())
    kf, every = res["kfold"], res["all"]
    for m in ("prior", "prior_adapt_4s", "prior_adapt_all"):
        assert kf[m]["mouth_r"] > kf["loudness"]["mouth_r"], (m, kf[m], kf["loudness"])
        assert kf[m]["lmd_px"] < kf["constant"]["lmd_px"], (m, kf[m], kf["constant"])
        assert len(kf[m]["fold_r"]) == res["info"]["folds"] and kf[m]["fold_r_sd"] >= 0
    # the prior alone used no audio-video pair, so every frame is a test frame
    assert every["prior"]["frames"] == res["info"]["frames"] and every["prior"]["mouth_r"] > 0.8
    assert every["prior"]["lmd_px"] < every["constant"]["lmd_px"]
    # a constant mouth has a constant pose-free opening: no correlation to speak of
    assert math.isnan(every["constant"]["mouth_r"]) and math.isnan(kf["constant"]["mouth_r"])
    # the mouth closes in silence: far less open there than in speech
    assert every["prior"]["silence_ratio"] < 0.5 and every["constant"]["silence_ratio"] > 0.9
    assert res["holdout"]["prior"]["frames"] + res["info"]["split"] == res["info"]["frames"]
    # the demo's sound and picture are in sync by construction, and so is the prior's mouth
    assert every["prior"]["best_lag_frames"] == 0 and kf["loudness"]["best_lag_frames"] == 0


def test_time_folds_cover_every_frame_once_and_fits_keep_a_gap():
    folds = time_folds(103, 5, 4)
    tests = np.concatenate([t for _, t in folds])
    assert np.array_equal(tests, np.arange(103))
    for fit, test in folds:
        dist = np.abs(fit[:, None] - test[None, :]).min()
        assert dist == 5 and len(fit) + len(test) + 8 >= 103


def test_speakers_pool_their_clips(demo_clip):
    res = evaluate([ClipCase(demo_clip, "synthetic")], load_prior())
    spk = res["speakers"]["synthetic"]
    assert spk["clips"] == ["demo"]
    for split in ("all", "kfold"):
        clip = res["clips"]["demo"][split]["prior"]
        assert np.isclose(spk[split]["prior"]["mouth_r"], clip["mouth_r"])
    assert "_opening" not in json.dumps(res)


def test_eval_audio_command_writes_json_and_refuses_bad_speakers(demo_clip, tmp_path, capsys):
    out = tmp_path / "eval.json"
    argv = ["eval-audio", "--clip", str(demo_clip), "--speaker", "demo=synthetic", "--own-steps", "3"]
    code = main([*argv, "--json", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(out.read_text())
    assert data["clips"]["demo"]["speaker"] == "synthetic" and data["summary"]["real_clips"] == []
    assert set(data["clips"]["demo"]["kfold"]) >= {"constant", "loudness", "prior", "prior_adapt_4s"}
    assert set(data["clips"]["demo"]["all"]) == {"constant", "prior"}
    held = data["clips"]["demo"]["holdout"]  # the own-clip models, trained by the audio2mouth job itself
    assert held["own_clip"]["frames"] == held["prior"]["frames"] > 0
    assert held["prior_finetune"]["mouth_r"] > 0.6  # 3 steps from the prior keep what it knew
    code = main(["eval-audio", "--clip", str(demo_clip), "--speaker", "demo", "--quiet"])
    assert code == 2 and "CLIP=NAME" in capsys.readouterr().err
    code = main(["eval-audio", "--clip", str(tmp_path), "--quiet"])
    assert code == 2 and "not a prepared clip" in capsys.readouterr().err


def test_summary_checks_the_goals_per_protocol(demo_clip):
    res = evaluate([ClipCase(demo_clip, "someone")], load_prior())  # counted as a real speaker here
    s = summary(res)
    assert s["real_clips"] == ["demo"] and set(s) >= {"all", "kfold", "holdout", "goals"}
    assert s["all"]["prior"]["mean_mouth_r"] == res["clips"]["demo"]["all"]["prior"]["mouth_r"]
    assert s["goals"]["prior_r_ge_0.6"] and s["goals"]["adapted_r_ge_0.7"]
    lmd = s["goals"]["lmd_below_constant_on_every_clip"]
    assert "constant" not in lmd["kfold"] and lmd["kfold"]["prior_adapt_all"] and lmd["all"]["prior"]
    assert math.isnan(s["all"]["constant"]["mean_mouth_r"])


def test_eval_audio_scores_clip_by_clip_and_stops_at_ctrl_c(demo_clip, tmp_path):
    """Progress per clip; a cancel (Ctrl-C) stops before the next clip and writes no figures."""
    from core.jobs.control import JobControl
    from core.jobs.events import Progress
    from core.jobs.job import Status, execute
    from core.mouth.prior.eval_job import AudioEvalJob, AudioEvalRequest

    cases = tuple(ClipCase(demo_clip, s) for s in ("a", "b", "c"))

    def run(cancel_at):
        control, steps = JobControl(), []

        def sink(event):
            if isinstance(event, Progress) and event.message.startswith("scoring"):
                steps.append(event.step)
                if event.step == cancel_at:
                    control.cancel()

        out = tmp_path / f"eval-{cancel_at}.json"
        return execute(AudioEvalJob(AudioEvalRequest(cases, out)), sink, control), steps, out

    outcome, steps, out = run(cancel_at=None)
    assert outcome.status is Status.SUCCEEDED and steps == [0, 1, 2, 3] and out.is_file()
    outcome, steps, out = run(cancel_at=1)
    assert outcome.status is Status.CANCELLED and max(steps) == 1 and not out.exists()


def test_the_lookahead_curves_accuracy_rows_read_this_evaluation(demo_clip, tmp_path):
    """The live lookahead curve (`core.realtime.lookahead`) takes its rows from this evaluation's
    output: its headline sets must exist here (its old 'cv' split did not, and the benchmark broke)."""
    from core.realtime.lookahead import HEADLINE_SET, accuracy_fractions, accuracy_headline
    from tests.core.mouth.conftest import variant_clip

    real = variant_clip(demo_clip, tmp_path / "real", load_prepared(demo_clip).audio)  # a "real" speaker
    res = evaluate([ClipCase(demo_clip, "synthetic"), ClipCase(real, "someone")], load_prior())
    row = accuracy_headline(res)
    clip = res["clips"]["real"]
    for m, where in HEADLINE_SET.items():
        assert row[m]["mouth_r"] == clip[where][m]["mouth_r"]  # one real clip: its mean is itself
        assert row["demo"][m] == {k: clip[where][m][k] for k in ("mouth_r", "lmd_px")}
    assert row["prior"]["mouth_r"] > 0.8 and row["constant_lmd_px"] > row["prior"]["lmd_px"]
    worse = {**row, "prior": {**row["prior"], "mouth_r": row["prior"]["mouth_r"] / 2}}
    fr = accuracy_fractions(worse, row)
    assert fr["real_prior"]["r"] == pytest.approx(0.5) and fr["real_prior"]["lmd"] == pytest.approx(1.0)
    assert fr["demo_prior_adapt_all"] == {"r": 1.0, "lmd": 1.0}


def test_eval_audio_timing_file_or_retimed(demo_clip, tmp_path, capsys):
    """A copy of the demo whose sound runs 3 frames late, prepare's offset recorded: the file timing
    scores the late sound (the prior's best lag +3), --timing retimed the sound moved back."""
    from core.face.prepared import PreparedClip
    from core.mouth.av_sync import AvOffset
    from tests.core.mouth.conftest import variant_clip

    audio = PreparedClip.load(demo_clip).audio("file")
    late = np.concatenate([np.zeros(1920, np.float32), audio[:-1920]])  # 120 ms = 3 frames late
    clip = variant_clip(demo_clip, tmp_path / "late", late)
    manifest = json.loads((clip / "manifest.json").read_text())
    manifest["av_sync"] = AvOffset(3, 120.0, True, "measured", "test").to_dict()
    (clip / "manifest.json").write_text(json.dumps(manifest))
    figures = {}
    for timing in ("file", "retimed"):
        out = tmp_path / f"{timing}.json"
        argv = ["eval-audio", "--clip", str(clip), "--speaker", "late=synthetic", "--timing", timing]
        assert main([*argv, "--json", str(out), "--quiet"]) == 0, capsys.readouterr().err
        data = json.loads(out.read_text())
        assert data["settings"]["timing"] == timing and data["clips"]["late"]["info"]["av_offset_ms"] == 120.0
        figures[timing] = data["clips"]["late"]["all"]["prior"]
    assert figures["file"]["best_lag_frames"] == 3 and figures["retimed"]["best_lag_frames"] == 0
    assert figures["retimed"]["mouth_r"] > 0.8 > figures["file"]["mouth_r"] + 0.1
    with pytest.raises(SystemExit):
        main(["eval-audio", "--clip", str(clip), "--timing", "shifted"])
