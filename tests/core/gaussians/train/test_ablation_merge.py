"""Merging Gaussian runs trained apart into one ablation table: rows, checks, bad input."""

from __future__ import annotations

import csv

import pytest

from core.gaussians.train.ablation_merge import expand_run_dirs, merge_runs
from core.jobs.errors import BadInput
from core.train.run_folder import RunFolder
from tests.core.gaussians.train.ablation_runs import config, train_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two machines' worth: the baseline and region weights, each its own finished run."""
    root = tmp_path_factory.mktemp("merge")
    base = train_run(root / "machine_a" / "runs" / "baseline", config())
    regions = train_run(
        root / "machine_b" / "runs" / "region_weights",
        config(innovations={"region_weights": {"enabled": True}}),
    )
    return root, base, regions


def test_merge_writes_one_row_per_run_in_the_order_given(runs, tmp_path):
    _root, base, regions = runs
    rows = merge_runs([base, regions], tmp_path / "out", title="split")
    assert [r["config"] for r in rows] == ["baseline", "region_weights"]
    assert [r["innovations"] for r in rows] == ["none", "region_weights"]
    assert all(r["steps"] == 4 and r["psnr"] > 5 and r["points"] > 0 for r in rows)
    written = list(csv.DictReader((tmp_path / "out" / "results.csv").open()))
    assert [w["config"] for w in written] == ["baseline", "region_weights"]
    assert float(written[1]["psnr"]) == pytest.approx(rows[1]["psnr"])
    md = (tmp_path / "out" / "results.md").read_text()
    assert md.startswith("# Ablation: split") and "| region_weights |" in md
    assert (tmp_path / "out" / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_folders_with_runs_stand_for_their_runs(runs):
    root, base, regions = runs
    assert expand_run_dirs([root / "machine_b", root / "machine_a"]) == [regions, base]


def test_runs_with_another_step_budget_are_refused_unless_allowed(runs, tmp_path):
    _, base, _ = runs
    longer = train_run(tmp_path / "longer", config(train={"steps": 6}))
    with pytest.raises(BadInput, match=r"not comparable: steps differs: 4 in baseline; 6 in longer"):
        merge_runs([base, longer], tmp_path / "out")
    assert not (tmp_path / "out").exists()
    rows = merge_runs([base, longer], tmp_path / "out", allow_mixed=True)
    assert [r["steps"] for r in rows] == [4, 6]
    assert "(mixed: steps differ)" in (tmp_path / "out" / "results.md").read_text()


def test_an_unfinished_run_is_named_with_the_fix(runs, tmp_path):
    _, base, _ = runs
    unfinished = tmp_path / "half"
    RunFolder(unfinished).create("gaussian", config().model_dump(mode="json"))
    with pytest.raises(BadInput, match=r"half has not finished \(state 'created'.*--run-name half --resume"):
        merge_runs([base, unfinished], tmp_path / "out")


def test_other_kinds_and_non_runs_are_bad_input(runs, tmp_path):
    _, base, _ = runs
    other = RunFolder(tmp_path / "a2m").create("audio2mouth", {"kind": "audio2mouth"}).path
    with pytest.raises(BadInput, match="'audio2mouth' run; an ablation table compares 'gaussian' runs"):
        merge_runs([base, other], tmp_path / "out")
    with pytest.raises(BadInput, match="is not a run folder"):
        merge_runs([tmp_path], tmp_path / "out")
    with pytest.raises(BadInput, match="several runs are called baseline"):
        merge_runs([base, base], tmp_path / "out")


def test_only_keeps_a_share_of_the_suite_in_suite_order(repo_root):
    from core.gaussians.train.ablation import load_suite

    suite_path = repo_root / "training_jobs" / "ablation_single.toml"
    suite, entries = load_suite(suite_path, only=["progressive", "baseline"])
    assert [e.name for e in entries] == ["baseline", "progressive"] == [c.name for c in suite.configs]
    assert all(e.config.train.steps == 3000 and e.config.data.resolution == 256 for e in entries)
    with pytest.raises(BadInput, match="no configuration called 'nope'"):
        load_suite(suite_path, only=["nope"])
