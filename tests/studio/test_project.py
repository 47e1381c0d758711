import pytest

from studio.project import SCHEMA_VERSION, ProjectError, create_project, open_project


def test_new_project_layout(tmp_path):
    p = create_project(tmp_path / "Avatar")
    for sub in ("media", "prepared", "runs", "exports"):
        assert (p.root / sub).is_dir()
    again = open_project(p.root)
    assert again.name == "Avatar" and again.schema_version == SCHEMA_VERSION


def test_refuses_existing_project_and_nonempty_folder(tmp_path):
    create_project(tmp_path / "A")
    with pytest.raises(ProjectError, match="already holds a project"):
        create_project(tmp_path / "A")
    (tmp_path / "B").mkdir()
    (tmp_path / "B" / "file.txt").write_text("x")
    with pytest.raises(ProjectError, match="not empty"):
        create_project(tmp_path / "B")


def test_newer_schema_is_refused(tmp_path):
    p = create_project(tmp_path / "A")
    text = (
        (p.root / "project.toml")
        .read_text()
        .replace(f"schema_version = {SCHEMA_VERSION}", "schema_version = 99")
    )
    (p.root / "project.toml").write_text(text)
    with pytest.raises(ProjectError, match="newer Digital Human Studio"):
        open_project(p.root)


def test_corrupt_and_missing_project_file(tmp_path):
    p = create_project(tmp_path / "A")
    (p.root / "project.toml").write_text("schema_version = [unclosed")
    with pytest.raises(ProjectError, match="corrupt"):
        open_project(p.root)
    with pytest.raises(ProjectError, match="dhstudio new"):
        open_project(tmp_path / "nothing")


def test_clip_lookup_names_what_exists(tmp_path):
    p = create_project(tmp_path / "A")
    (p.prepared_dir / "talk").mkdir()
    (p.prepared_dir / "talk" / "manifest.json").write_text("{}")
    (p.prepared_dir / "half").mkdir()  # no manifest: not a complete clip
    assert [c.name for c in p.prepared_clips()] == ["talk"]
    with pytest.raises(ProjectError, match="prepared clips: talk"):
        p.clip_dir("other")
    p.add_clip("talk")
    assert open_project(p.root).clips == ["talk"]
