"""Issue 13 item 7: project.toml is validated when read and before it is written."""

from __future__ import annotations

import pytest

from studio.cli.main import main


def _project(tmp_path, body: str):
    root = tmp_path / "P"
    assert main(["new", str(root)]) == 0
    (root / "project.toml").write_text(body)
    return root


@pytest.mark.parametrize(
    ("name", "problem"),
    [("two\nlines", "field 'name': Value error, must be one line"), ("", "field 'name'"), (" pad", "spaces")],
)
def test_new_refuses_a_name_it_could_not_read_back(tmp_path, capsys, name, problem):
    root = tmp_path / "P"
    assert main(["new", str(root), "--name", name]) == 2
    err = capsys.readouterr().err
    assert f"{root / 'project.toml'}" in err and problem in err
    assert not root.exists()  # nothing written


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('schema_version = 1\nname = "A"\ndefaults = 5\n', "field 'defaults'"),
        ('schema_version = 1\nname = "A"\nclips = "abc"\n', "field 'clips'"),
        ('schema_version = 1\nname = "A"\nclips = ["../escape"]\n', "field 'clips'"),
        ('schema_version = "1"\nname = "A"\n', "field 'schema_version'"),
        ('name = "A"\n', "field 'schema_version'"),
        ('schema_version = 1\nname = "A"\ncolour = "red"\n', "field 'colour'"),
    ],
)
def test_bad_values_are_named_and_the_file_is_not_rewritten(tmp_path, capsys, body, field):
    root = _project(tmp_path, body)
    video = tmp_path / "none.mp4"
    assert main(["prepare", str(video), "--project", str(root), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(root / "project.toml") in err and field in err
    assert (root / "project.toml").read_text() == body


def test_a_good_file_reads_back_the_same(tmp_path):
    from studio.project import create_project, open_project

    p = create_project(tmp_path / "P", "My Avatar — take 2")
    p.defaults["device"] = "cpu"
    p.add_clip("talk")
    again = open_project(p.root)
    assert (again.name, again.clips, again.defaults) == ("My Avatar — take 2", ["talk"], {"device": "cpu"})


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('devcie = "cpu"', ["field 'defaults.devcie'", "did you mean 'device'?", "allowed in [defaults]"]),
        ("device = 5", ["field 'defaults.device'", "(got 5)", "'auto'", "'cpu'", "'cuda'"]),
        ('device = "gpu"', ["field 'defaults.device'", "(got 'gpu')", "'cuda'"]),
    ],
)
def test_the_defaults_table_is_validated_and_the_cli_exits_2(tmp_path, table, expected):
    """Was: a typo or a wrong type in [defaults] was silently ignored. A real `dhstudio` process exits 2
    with a message naming the file, the field and the allowed values (the nearest key for a typo)."""
    import subprocess
    import sys

    body = f'schema_version = 1\nname = "A"\n\n[defaults]\n{table}\n'
    root = _project(tmp_path, body)
    video = str(tmp_path / "none.mp4")
    run = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", "prepare", video, "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert str(root / "project.toml") in run.stderr
    for text in expected:
        assert text in run.stderr, (text, run.stderr)
    assert (root / "project.toml").read_text() == body
