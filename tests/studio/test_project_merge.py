"""Two windows (or a window and `dhstudio prepare`) saving one project.toml: each save merges with
the file as it is now, so a clip another writer added is kept and a clip is dropped only by the
writer that removed it. Each saved its own list and dropped the other's clip."""

from __future__ import annotations

import multiprocessing
import tomllib

from studio.project import create_project, open_project


def _clips(project) -> list[str]:
    return tomllib.loads(project.layout.project_file.read_text(encoding="utf-8"))["clips"]


def test_two_projects_on_one_folder_keep_both_clips(tmp_path):
    create_project(tmp_path / "P")
    first, second = open_project(tmp_path / "P"), open_project(tmp_path / "P")
    first.add_clip("a")
    second.add_clip("b")
    assert _clips(first) == ["a", "b"]
    assert second.clips == ["a", "b"]  # the saving object sees what the file holds now
    first.add_clip("c")
    assert _clips(first) == ["a", "b", "c"]


def test_a_clip_is_removed_only_by_the_writer_that_removed_it(tmp_path):
    create_project(tmp_path / "P")
    first, second = open_project(tmp_path / "P"), open_project(tmp_path / "P")
    first.add_clip("a")
    first.add_clip("b")
    second.add_clip("c")  # second read the file before a and b were added
    assert _clips(second) == ["a", "b", "c"]
    first.clips.remove("a")  # as the media panel's Remove does
    first.save()
    assert _clips(first) == ["b", "c"]
    second.add_clip("d")  # second still lists a: it did not remove it, the file's removal stands
    assert _clips(second) == ["b", "c", "d"]


def test_a_rename_replaces_the_old_name_and_keeps_the_others(tmp_path):
    create_project(tmp_path / "P")
    first, second = open_project(tmp_path / "P"), open_project(tmp_path / "P")
    first.add_clip("a")
    second.add_clip("b")
    first.clips = ["z" if c == "a" else c for c in first.clips]  # as media_library.rename_clip does
    first.save()
    assert sorted(_clips(first)) == ["b", "z"]


def test_settings_changed_by_one_writer_are_not_undone_by_another(tmp_path):
    create_project(tmp_path / "P")
    first, second = open_project(tmp_path / "P"), open_project(tmp_path / "P")
    first.defaults["device"] = "cpu"
    first.save()
    second.add_clip("a")
    assert open_project(tmp_path / "P").defaults == {"device": "cpu"}


def _add_many(root: str, prefix: str, n: int, start) -> None:
    project = open_project(root)
    start.wait(30)  # both processes save at once
    for i in range(n):
        project.add_clip(f"{prefix}{i}")


def test_concurrent_processes_lose_no_clip(tmp_path):
    create_project(tmp_path / "P")
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_add_many, args=(str(tmp_path / "P"), p, 30, start)) for p in ("x", "y")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    clips = _clips(open_project(tmp_path / "P"))
    assert sorted(clips) == sorted([f"x{i}" for i in range(30)] + [f"y{i}" for i in range(30)])
