"""Clip and run names from what users really name their files: Chinese or accented names, and very
long ones. '采访.mp4' became the clip 'unnamed' (a second Chinese file 'unnamed_2'), 'très' became
'tr_s', and a 240-character file name failed prepare with 'OSError: File name too long' (exit 1)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import unicodedata

from studio.project import create_project, open_project, safe_name


def test_letters_of_every_script_are_kept():
    assert safe_name("采访") == "采访"
    assert safe_name("采访 第二段") == "采访_第二段"
    assert safe_name("très bien") == "très_bien"
    assert safe_name(unicodedata.normalize("NFD", "très")) == "très"  # macOS spells file names so
    assert safe_name("a/b\\c:d") == "a_b_c_d" and safe_name("..") == "unnamed"
    assert safe_name("_x_") == "x"


def test_long_names_fit_a_folder_name_with_room_for_temporaries():
    for text in ("interview_" * 30, "采访" * 100):
        name = safe_name(text)
        assert len(name.encode("utf-8")) <= 120 and text.startswith(name)


def test_unicode_clip_names_pass_the_project_file(tmp_path):
    project = create_project(tmp_path / "P")
    project.add_clip(safe_name("采访 一"))
    assert open_project(tmp_path / "P").clips == ["采访_一"]


def test_prepare_a_long_unicode_file_name(tmp_path, samples_dir, repo_root):
    video = tmp_path / f"{'访谈 très long ' * 13}final_version.mp4"  # 251 bytes: a valid file name
    assert len(video.name.encode()) == 251
    shutil.copyfile(samples_dir / "talking_590_25fps_c.mp4", video)
    root = tmp_path / "P"
    create_project(root)
    r = subprocess.run(
        [sys.executable, "-m", "studio.cli.main", "prepare", str(video), "--project", str(root), "--quiet"],
        capture_output=True,
        text=True,
        cwd=repo_root,
    )
    assert r.returncode == 0, r.stderr
    (clip,) = open_project(root).clips
    assert clip.startswith("访谈_très_long_访谈") and (root / "prepared" / clip / "manifest.json").is_file()
