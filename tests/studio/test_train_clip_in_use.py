"""`dhstudio train` on a clip another window or command prepares: exit 2 naming the prepare, no run left."""

from __future__ import annotations

from core.io.claim import claimed
from studio.cli.main import main
from tests.core.lipsync.prepared_fixture import build_prepared_clip
from tests.studio.train_argv import train_argv


def test_training_a_clip_being_prepared_exits_2_and_leaves_no_run(tmp_path, repo_root, capsys):
    clip = build_prepared_clip(tmp_path / "P")
    argv = train_argv(repo_root / "training_jobs" / "audio2mouth.toml", tmp_path / "P", "refused", 2)
    with claimed(clip, "prepare", "prepare 'tiny'"):
        code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "error: 'tiny' is in use: its prepare is running in another studio window" in err
    assert "then start the training again." in err
    assert not (tmp_path / "P" / "runs" / "refused").exists()  # the refused run was not kept
    assert [p.name for p in clip.parent.iterdir()] == ["tiny"]  # no marker left
    assert main(argv) == 0  # free again: it trains
