"""Speaker-separated evaluation on the synthetic demo clip: the prior beats the loudness baseline."""

from __future__ import annotations

import json

import numpy as np

from core.mouth.data import load_prepared
from core.mouth.prior.evaluation import ClipCase, evaluate, evaluate_clip
from core.mouth.prior.model import load_prior
from studio.cli.main import main


def test_prior_beats_loudness_and_constant_on_the_demo(demo_clip):
    res = evaluate_clip(load_prepared(demo_clip), load_prior())
    cv = res["cv"]
    for m in ("prior", "prior_adapt_4s", "prior_adapt_all"):
        assert cv[m]["mouth_r"] > cv["loudness"]["mouth_r"], (m, cv[m], cv["loudness"])
        assert cv[m]["lmd_px"] < cv["constant"]["lmd_px"], (m, cv[m], cv["constant"])
    assert cv["prior"]["mouth_r"] > 0.6
    # the mouth closes in silence: far less open there than in speech
    assert cv["prior"]["silence_ratio"] < 0.5 and cv["constant"]["silence_ratio"] > 0.9
    assert res["holdout"]["prior"]["frames"] + res["info"]["split"] == res["info"]["frames"]


def test_speakers_pool_their_clips(demo_clip):
    res = evaluate([ClipCase(demo_clip, "synthetic")], load_prior())
    spk = res["speakers"]["synthetic"]
    assert spk["clips"] == ["demo"]
    clip = res["clips"]["demo"]["cv"]["prior"]
    assert np.isclose(spk["cv"]["prior"]["mouth_r"], clip["mouth_r"])
    assert "_opening" not in json.dumps(res)


def test_eval_audio_command_writes_json_and_refuses_bad_speakers(demo_clip, tmp_path, capsys):
    out = tmp_path / "eval.json"
    argv = ["eval-audio", "--clip", str(demo_clip), "--speaker", "demo=synthetic", "--own-steps", "3"]
    code = main([*argv, "--json", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(out.read_text())
    assert data["clips"]["demo"]["speaker"] == "synthetic" and data["summary"]["real_clips"] == []
    assert set(data["clips"]["demo"]["cv"]) >= {"constant", "loudness", "prior", "prior_adapt_4s"}
    held = data["clips"]["demo"]["holdout"]  # the own-clip models, trained by the audio2mouth job itself
    assert held["own_clip"]["frames"] == held["prior"]["frames"] > 0
    assert held["prior_finetune"]["mouth_r"] > 0.6  # 3 steps from the prior keep what it knew
    code = main(["eval-audio", "--clip", str(demo_clip), "--speaker", "demo", "--quiet"])
    assert code == 2 and "CLIP=NAME" in capsys.readouterr().err
    code = main(["eval-audio", "--clip", str(tmp_path), "--quiet"])
    assert code == 2 and "not a prepared clip" in capsys.readouterr().err
