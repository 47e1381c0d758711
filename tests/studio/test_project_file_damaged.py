"""A project.toml that does not read (corrupt TOML, bad values, a newer schema) is refused with a
message naming the file, the problem and the fix, and is never written over.

Was: a save (a clip added by `dhstudio prepare`, the studio's import, rename or remove) found the file
unreadable, took that as "no file" and wrote its own document over the user's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from studio.project import ProjectError, create_project, open_project

DAMAGED = {
    "invalid TOML": (b'schema_version = 1\nname = "My avatar\nclips = ["talk"]\n', "not valid TOML"),
    "not UTF-8": (b'schema_version = 1\nname = "Caf\xe9"\n', "not valid TOML"),
    "bad value": (
        b'schema_version = 1\nname = "A"\n\n[defaults]\ndevice = "gpu"\n',
        "field 'defaults.device'",
    ),
    "unknown key": (b'schema_version = 1\nname = "A"\ncolour = "red"\n', "field 'colour'"),
    "newer schema": (b'schema_version = 7\nname = "A"\nclips = ["talk"]\n', "newer Digital Human Studio"),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_save_refuses_a_file_damaged_after_opening_and_leaves_its_bytes(tmp_path, case):
    body, problem = DAMAGED[case]
    project = create_project(tmp_path / "P")
    path = project.layout.project_file
    path.write_bytes(body)  # damaged (by hand, another program) while the project is open
    with pytest.raises(ProjectError) as err:
        project.add_clip("talk")
    message = str(err.value)
    assert str(path) in message and problem in message
    assert "Nothing was saved" in message and "left unchanged" in message
    assert "by hand" in message or "Upgrade" in message  # the fix
    assert path.read_bytes() == body
    with pytest.raises(ProjectError):
        project.check_file()
    assert path.read_bytes() == body


@pytest.mark.parametrize("case", list(DAMAGED))
def test_open_refuses_a_damaged_file_and_names_the_fix(tmp_path, case):
    body, problem = DAMAGED[case]
    root = create_project(tmp_path / "P").root
    (root / "project.toml").write_bytes(body)
    with pytest.raises(ProjectError) as err:
        open_project(root)
    assert str(root / "project.toml") in str(err.value) and problem in str(err.value)
    assert (root / "project.toml").read_bytes() == body


def test_a_deleted_file_is_written_again_and_a_good_one_merges(tmp_path):
    """Only a file that is there and unreadable is refused: a missing one is recreated."""
    project = create_project(tmp_path / "P")
    project.layout.project_file.unlink()
    project.add_clip("talk")
    assert open_project(project.root).clips == ["talk"]


@pytest.mark.parametrize("case", ["invalid TOML", "not UTF-8", "newer schema"])
def test_the_cli_exits_2_and_leaves_the_file(tmp_path, case):
    body, problem = DAMAGED[case]
    root = create_project(tmp_path / "P").root
    (root / "project.toml").write_bytes(body)
    run = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", "prepare", str(tmp_path / "a.mp4"), "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert str(root / "project.toml") in run.stderr and problem in run.stderr
    assert "Traceback" not in run.stderr
    assert (root / "project.toml").read_bytes() == body
