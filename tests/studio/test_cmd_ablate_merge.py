"""`dhstudio ablate-merge` and `dhstudio ablate --only`: an ablation split across machines."""

from __future__ import annotations

import csv

from studio.cli.main import main
from tests.core.gaussians.train.ablation_runs import config, train_run


def test_merge_command_prints_the_table_and_writes_the_files(tmp_path, capsys):
    a = train_run(tmp_path / "a" / "runs" / "baseline", config())
    train_run(tmp_path / "b" / "runs" / "contrastive", config(innovations={"contrastive": {"enabled": True}}))
    out = tmp_path / "merged"
    assert (
        main(["ablate-merge", str(a), str(tmp_path / "b"), "--out", str(out), "--title", "two machines"]) == 0
    )
    printed = capsys.readouterr().out
    assert "# Ablation: two machines" in printed and "| contrastive |" in printed and "2 runs ->" in printed
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [(r["config"], r["innovations"]) for r in rows] == [
        ("baseline", "none"),
        ("contrastive", "contrastive"),
    ]


def test_merge_command_exits_2_on_bad_input(tmp_path, capsys):
    assert main(["ablate-merge", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "is not a run folder" in capsys.readouterr().err


def test_ablate_only_names_must_exist(tmp_path, repo_root, capsys):
    from studio.project import create_project

    project = create_project(tmp_path / "p", "p")
    (project.prepared_dir / "clip").mkdir(parents=True)
    (project.prepared_dir / "clip" / "manifest.json").write_text("{}")
    suite = repo_root / "training_jobs" / "ablation_cumulative.toml"
    argv = [
        "ablate",
        str(suite),
        "--project",
        str(project.root),
        "--out",
        str(tmp_path / "o"),
        "--only",
        "nope",
    ]
    assert main(argv) == 2
    assert "no configuration called 'nope'" in capsys.readouterr().err
