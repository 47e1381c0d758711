"""The lookahead trade-off curve: loading the measured file, the default choice, the slider's text, and
the smoothed prior the evaluation scores (the live filter, exactly)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from core.audio.fbank import FbankConfig
from core.jobs.errors import BadInput
from core.mouth.model import Audio2Mouth, NetConfig
from core.mouth.prior.build import PriorBuildConfig
from core.mouth.prior.model import AudioPrior, load_prior
from core.realtime.controls import ControlValues
from core.realtime.lookahead import (
    CURVE_PATH,
    LookaheadCurve,
    SmoothedPrior,
    load_curve,
    paired_fractions,
    seed_fractions,
    seed_summary,
)


def _point(m, s, p95c, r=1.0, lmd=1.0, **kw):
    built = 30.0 + 40.0 * (m + s)
    return {
        "model_lookahead": m,
        "smoothing_lookahead": s,
        "built_in_ms": built,
        "p50_ms": built + 10,
        "p95_ms": built + 20,
        "p50_contended_ms": built + 15,
        "p95_contended_ms": p95c,
        "cpu_ms_per_frame": 5.0,
        "mouth_r": 0.5 * r,
        "lmd_px": 2.0 / lmd,
        "r_fraction": r,
        "lmd_fraction": lmd,
        **kw,
    }


def test_shipped_curve_loads_and_the_defaults_are_its_choice():
    curve = load_curve()
    chosen = curve.choose()
    assert curve.budget_ms == 100.0 and chosen.p95_contended_ms <= curve.budget_ms
    ref = curve.point(*curve.reference)
    assert ref is not None and ref.r_fraction <= 1.0 + 1e-9 and ref.lmd_fraction <= 1.0 + 1e-9
    # nothing within the latency budget is more accurate (the worse of r and LMD)
    worst = min(chosen.r_fraction, chosen.lmd_fraction)
    assert all(min(p.r_fraction, p.lmd_fraction) <= worst for p in curve.points if p.p95_contended_ms <= 100)
    # the studio's defaults are that setting: the live smoothing lookahead, the shipped prior (which the
    # audio models of new projects start from) and the prior build
    assert ControlValues().lookahead == chosen.smoothing_lookahead
    assert load_prior().net.cfg.lookahead == chosen.model_lookahead
    assert PriorBuildConfig().model.lookahead == chosen.model_lookahead


def test_choose_takes_the_most_accurate_setting_within_the_latency_budget():
    curve = LookaheadCurve.model_validate(
        {
            "points": [
                _point(2, 0, 140.0),
                _point(0, 0, 60.0, r=0.80),
                _point(1, 0, 95.0, r=0.91),  # the most accurate within 100 ms
                _point(0, 1, 98.0, lmd=0.85),
            ]
        }
    )
    assert curve.choose().key == (1, 0)
    assert curve.choose(budget_ms=80.0).key == (0, 0)
    assert curve.choose(budget_ms=200.0).key == (2, 0)
    assert curve.choose(budget_ms=10.0).key == (0, 0)  # none within: the fastest


def test_lowest_keeping_takes_the_lowest_contended_p95_that_keeps_accuracy():
    curve = LookaheadCurve.model_validate(
        {
            "points": [
                _point(2, 0, 140.0),
                _point(0, 0, 70.0, r=0.90),  # fastest, loses r
                _point(1, 0, 105.0, lmd=0.97),
                _point(0, 1, 110.0),
            ]
        }
    )
    assert curve.lowest_keeping().key == (1, 0)
    assert curve.lowest_keeping(keep=0.85).key == (0, 0)
    assert curve.lowest_keeping(keep=0.999).key == (0, 1)  # (1, 0) loses 3 % of LMD
    strict = LookaheadCurve.model_validate({"points": [_point(2, 0, 140.0), _point(0, 0, 70.0, r=0.5)]})
    assert strict.lowest_keeping(keep=1.01).key == (2, 0)  # none keeps it: the reference


def test_describe_gives_measured_latency_and_accuracy_or_says_not_measured():
    curve = LookaheadCurve.model_validate({"points": [_point(2, 0, 140.0), _point(1, 0, 105.0, r=0.98)]})
    text = curve.describe(1, 0)
    assert "105 ms beside a busy process" in text and "r 98%" in text and "default" in text
    assert "default" not in curve.describe(2, 0)
    assert "not measured" in curve.describe(1, 3) and "190 ms" in curve.describe(1, 3)


def test_load_curve_names_the_file_and_the_fix(tmp_path):
    with pytest.raises(BadInput, match="bench_live_latency"):
        load_curve(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"points": [{"model_lookahead": 9}]}))
    with pytest.raises(BadInput, match=r"bad\.json.*points\.0\.model_lookahead: .*less than or equal to 4"):
        load_curve(bad)
    (tmp_path / "junk.json").write_text("{")
    with pytest.raises(BadInput, match=r"junk\.json is not JSON.*bench_live_latency"):
        load_curve(tmp_path / "junk.json")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else", "points": [_point(2, 0, 1.0)]}))
    with pytest.raises(BadInput, match="something-else"):
        load_curve(other)


def test_curve_file_is_the_benchmarks_output():
    data = json.loads(CURVE_PATH.read_text())
    assert {(p["model_lookahead"], p["smoothing_lookahead"]) for p in data["points"]} >= {
        (m, s) for m in (0, 1, 2) for s in (0, 1, 2)
    }


def test_smoothed_prior_is_the_live_window_mean():
    torch.manual_seed(0)
    net = Audio2Mouth(NetConfig(k=3, input_hidden=8, lstm_hidden=8, mlp_hidden=8, lookahead=1)).eval()
    prior = AudioPrior(net, FbankConfig(), {})
    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal(16000)).astype(np.float32)
    raw = prior.predict(audio, 25.0)
    smooth = SmoothedPrior.of(prior, 1).predict(audio, 25.0)
    assert raw.shape == smooth.shape == (25, 3)
    window = (raw[:-2] + raw[1:-1] + raw[2:]) / 3.0
    np.testing.assert_allclose(smooth[1:-1], window, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(SmoothedPrior.of(prior, 0).predict(audio, 25.0), raw)


def _row(r_prior, lmd_prior, r_adapt, lmd_adapt):
    return {
        "prior": {"mouth_r": r_prior, "lmd_px": lmd_prior},
        "prior_adapt_all": {"mouth_r": r_adapt, "lmd_px": lmd_adapt},
        "val_loss_synthetic": None,  # not a number: left out
        "note": "text",
    }


def test_seed_summary_averages_every_number_over_seeds_with_the_sample_sd():
    rows = [_row(0.2, 2.0, 0.10, 2.5), _row(0.4, 3.0, 0.20, 2.5), _row(0.3, 4.0, 0.15, 2.5)]
    s = seed_summary(rows)
    assert s["seeds"] == 3
    assert s["mean"]["prior"] == pytest.approx({"mouth_r": 0.3, "lmd_px": 3.0})
    assert s["mean"]["prior_adapt_all"] == pytest.approx({"mouth_r": 0.15, "lmd_px": 2.5})
    assert s["sd"]["prior"] == pytest.approx({"mouth_r": 0.1, "lmd_px": 1.0})  # ddof 1
    assert s["sd"]["prior_adapt_all"]["lmd_px"] == 0.0
    assert "val_loss_synthetic" not in s["mean"] and "note" not in s["sd"]
    one = seed_summary(rows[:1])
    assert one["mean"]["prior"]["mouth_r"] == 0.2 and one["sd"]["prior"]["mouth_r"] == 0.0
    with pytest.raises(ValueError):
        seed_summary([])


def test_seed_fractions_are_each_seed_against_the_reference_mean():
    ref = seed_summary([_row(0.4, 2.0, 0.2, 2.0), _row(0.6, 2.0, 0.2, 2.0)])["mean"]  # r 0.5, LMD 2
    f = seed_fractions([_row(0.4, 2.0, 0.2, 4.0), _row(0.5, 2.0, 0.1, 2.0)], ref)
    assert f["mean"]["real_prior"]["r"] == pytest.approx(0.9)  # (0.8 + 1.0) / 2
    assert f["sd"]["real_prior"]["r"] == pytest.approx(0.2 / np.sqrt(2))
    assert f["mean"]["real_prior_adapt_all"] == pytest.approx({"r": 0.75, "lmd": 0.75})  # LMD: ref / row


def test_paired_fractions_compare_each_seed_with_the_reference_of_the_same_seed():
    refs = [_row(0.5, 2.0, 0.2, 2.0), _row(0.3, 2.0, 0.1, 2.0)]
    rows = [_row(0.45, 2.0, 0.18, 2.0), _row(0.27, 2.0, 0.09, 2.0)]  # 90 % of each seed's reference
    f = paired_fractions(rows, refs)
    assert f["mean"]["real_prior"]["r"] == pytest.approx(0.9)
    assert f["sd"]["real_prior"]["r"] == pytest.approx(0.0, abs=1e-12)  # against the mean it varies
    assert seed_fractions(rows, seed_summary(refs)["mean"])["sd"]["real_prior"]["r"] > 0.2
    with pytest.raises(ValueError, match="pair them by seed"):
        paired_fractions(rows, refs[:1])
