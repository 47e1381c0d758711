"""The clip viewer holds the clip while it decodes the frames, as every other reader does.

Without it, another window could remove or re-prepare the clip under the decoder. The probe runs at
the loader's own checkpoints, that is while the video is being read."""

from __future__ import annotations

import pytest

from core.face.prepared import PreparedClip
from core.io.claim import InUse, claimed, users
from core.jobs.context import JobContext
from studio.gui.clip_viewer_controller import LoadFramesJob
from tests.core.lipsync.prepared_fixture import build_prepared_clip


class RemoveAttempts:
    """A job control whose checkpoints try what a second window's Remove does."""

    def __init__(self, folder) -> None:
        self.folder, self.refusals = folder, []

    def checkpoint(self) -> None:
        try:
            with claimed(self.folder, "remove", "remove 'tiny'"):
                pass
        except InUse as exc:
            self.refusals.append(str(exc))


def test_a_clip_cannot_be_removed_while_the_viewer_decodes_it(tmp_path):
    folder = build_prepared_clip(tmp_path / "p")
    clip = PreparedClip.load(folder)
    control = RemoveAttempts(folder)
    cache = LoadFramesJob(clip).run(JobContext(lambda event: None, control))
    assert len(cache.frames) == clip.frame_count and cache.frames[0].shape[2] == 3
    assert control.refusals, "the loader never held the clip"
    assert all("its frame loading is running in another studio window" in r for r in control.refusals)
    assert users(folder) == []  # let go once the frames are in memory
    with claimed(folder, "remove", "remove 'tiny'"):
        pass


def test_the_viewer_does_not_decode_a_clip_another_window_is_preparing(tmp_path):
    folder = build_prepared_clip(tmp_path / "p")
    clip = PreparedClip.load(folder)
    with claimed(folder, "prepare", "prepare it"), pytest.raises(InUse, match="view the clip again"):
        LoadFramesJob(clip).run(JobContext(lambda event: None))
