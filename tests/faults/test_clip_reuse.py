"""Issue 13 item 5: a clip name in use is not silently replaced, and the original is kept in media/."""

from __future__ import annotations

import hashlib

import pytest

from core.synth.talking_head import DemoClipSpec, generate, write
from studio.cli.main import main


def _digest(folder):
    h = hashlib.sha256()
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(f.name.encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = tmp_path_factory.mktemp("clipreuse")
    out = []
    for seed in (1, 2):
        clip = generate(DemoClipSpec(size=256, fps=25, duration=1.2, seed=seed))
        write(clip, root / f"take{seed}.mp4", root / f"take{seed}.json")
        out.append(root / f"take{seed}.mp4")
    return out


def test_reusing_a_clip_name_is_refused_unless_forced(videos, tmp_path, capsys):
    root = tmp_path / "P"
    assert main(["new", str(root)]) == 0
    first, second = videos
    assert (
        main(
            ["prepare", str(first), "--project", str(root), "--name", "talk", "--mouth-size", "64", "--quiet"]
        )
        == 0
    )
    clip = root / "prepared" / "talk"
    before = _digest(clip)
    # the imported original is kept, as the project layout promises
    assert (root / "media" / "talk.mp4").read_bytes() == first.read_bytes()

    code = main(
        ["prepare", str(second), "--project", str(root), "--name", "talk", "--mouth-size", "64", "--quiet"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "already has a prepared clip 'talk'" in err and "--force" in err
    assert _digest(clip) == before  # nothing replaced
    assert (root / "media" / "talk.mp4").read_bytes() == first.read_bytes()

    code = main(
        [
            "prepare",
            str(second),
            "--project",
            str(root),
            "--name",
            "talk",
            "--mouth-size",
            "64",
            "--force",
            "--quiet",
        ]
    )
    assert code == 0
    assert _digest(clip) != before
    assert (root / "media" / "talk.mp4").read_bytes() == second.read_bytes()
    assert not [p for p in (root / "prepared").iterdir() if p.name.startswith(".")]  # no temporaries
