"""docs/training_jobs_reference.md is what `python -m core.config.reference` prints, and it is complete."""

from __future__ import annotations

import subprocess
import sys

from core.config.reference import field_comments, generate, sections
from core.gaussians.train.config import DensifyConfig, GaussianConfig
from core.kinds.registry import all_kinds

REGENERATE = "python -m core.config.reference > docs/training_jobs_reference.md"


def test_committed_reference_is_current(repo_root):
    committed = (repo_root / "docs" / "training_jobs_reference.md").read_text(encoding="utf-8")
    assert committed == generate(), f"docs/training_jobs_reference.md is stale; regenerate it: {REGENERATE}"


def test_every_field_of_every_kind_has_a_row():
    text = generate()
    for kind in all_kinds():
        keys = [row.key for s in sections(kind.config_model) for row in s.rows]
        assert len(keys) > 5
        for key in keys:
            assert f"| `{key}` |" in text, key


def test_rows_carry_defaults_ranges_choices_and_comments():
    rows = {r.key: r for s in sections(GaussianConfig) for r in s.rows}
    assert (rows["data.resolution"].default, rows["data.resolution"].allowed) == ("256", ">= 16, <= 2048")
    assert rows["data.resolution"].note == "training image side in pixels (at scale 1.0)"
    assert rows["densify.strategy"].allowed == '"default", "percentile"'
    assert rows["densify.min_opacity"].allowed == ">= 0.0, < 1.0"
    assert rows["data.mesh"].note.startswith("the mesh the Gaussians are bound to")  # comment block above
    assert "densify.split_percentile must be above densify.clone_percentile" in generate()
    assert field_comments(DensifyConfig)["grad_threshold"] == "mean screen-space gradient (NDC units)"


def test_the_module_prints_the_reference(repo_root):
    out = subprocess.run(
        [sys.executable, "-m", "core.config.reference"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == generate()
