"""ProjectLayout: the one place that knows a project's paths; new_folder: folders that appear whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.new_folder import fill_existing_empty, new_folder
from core.project_layout import ProjectLayout


def test_paths_and_the_project_of_a_run(tmp_path: Path):
    layout = ProjectLayout(tmp_path / "P")
    assert layout.clip("talk") == tmp_path / "P" / "prepared" / "talk"
    assert layout.run("r") == tmp_path / "P" / "runs" / "r"
    assert [p.name for p in layout.folders] == ["media", "prepared", "runs", "exports"]
    layout.root.mkdir()
    layout.project_file.write_text("")
    nested = layout.root / "ablation" / "runs" / "cfg"
    nested.mkdir(parents=True)
    assert ProjectLayout.of_run(nested) == ProjectLayout(layout.root.resolve())
    loose = tmp_path / "elsewhere" / "runs" / "r"  # outside any project: runs/<run> position
    loose.mkdir(parents=True)
    assert ProjectLayout.of_run(loose).runs == loose.parent.resolve()


def test_new_folder_appears_whole_or_not_at_all(tmp_path: Path):
    target = tmp_path / "made"
    with new_folder(target) as tmp:
        (tmp / "a.txt").write_text("x")
        assert not target.exists()
    assert (target / "a.txt").read_text() == "x"
    with pytest.raises(FileExistsError), new_folder(target):
        pass
    with pytest.raises(OSError), new_folder(tmp_path / "failed"):
        raise OSError(28, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["made"]  # no temporary left


def test_fill_existing_empty_empties_it_again_on_failure(tmp_path: Path):
    with pytest.raises(RuntimeError), fill_existing_empty(tmp_path) as d:
        (d / "sub").mkdir()
        (d / "f").write_text("x")
        raise RuntimeError
    assert tmp_path.is_dir() and list(tmp_path.iterdir()) == []
