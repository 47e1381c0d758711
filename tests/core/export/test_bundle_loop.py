"""The bundle's source-frame loop: written a few frames at a time, no longer than the live engine
may hold (300 4K frames were 7.5 GB), the same video as the whole loop written at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.export.bundle import LOOP_WRITE_CHUNK, write_loop
from core.export.bundle_format import LOOP_VIDEO
from core.face.prepared import PreparedClip
from core.jobs.context import JobContext
from core.jobs.events import LogLine
from core.lipsync import source_loop
from core.lipsync.source_loop import SourceLoop
from core.media.decode import read_frames
from core.media.mp4_writer import Mp4Writer
from tests.core.lipsync.prepared_fixture import build_prepared_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> PreparedClip:
    root = build_prepared_clip(tmp_path_factory.mktemp("bundle_loop"))
    return PreparedClip.load(root)


def _write(
    clip: PreparedClip, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict, list[LogLine], list[int]]:
    folder.mkdir()
    events: list = []
    reads: list[int] = []
    real = PreparedClip.read_frames

    def counted(self: PreparedClip, indices=None):  # the real reader, its request sizes noted
        reads.append(len(indices))
        return real(self, indices)

    monkeypatch.setattr(PreparedClip, "read_frames", counted)
    loop = write_loop(JobContext(events.append), clip, folder, 300)
    monkeypatch.undo()
    return loop, [e for e in events if isinstance(e, LogLine)], reads


def test_loop_inside_the_budget_is_the_whole_loop_written_at_once(
    clip: PreparedClip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop, logs, reads = _write(clip, tmp_path / "new", monkeypatch)
    idx = np.flatnonzero(clip.valid)
    assert len(idx) > LOOP_WRITE_CHUNK and not logs
    assert max(reads) == LOOP_WRITE_CHUNK and sum(reads) == len(idx)
    whole = SourceLoop.from_clip(clip, frames=idx)  # what the export wrote before: every frame held
    (tmp_path / "old").mkdir()
    with Mp4Writer(tmp_path / "old" / LOOP_VIDEO, clip.width, clip.height, clip.fps, crf=12) as writer:
        for f in whole.frames:
            writer.write_frame(f)
    new, old = read_frames(tmp_path / "new" / LOOP_VIDEO), read_frames(tmp_path / "old" / LOOP_VIDEO)
    assert new.shape == old.shape == whole.frames.shape and np.array_equal(new, old)
    assert np.array_equal(loop["indices"], idx)
    assert np.array_equal(loop["landmarks"], whole.landmarks.astype(np.float32))
    assert np.array_equal(loop["boxes"], whole.boxes.astype(np.float32))


def test_loop_past_the_budget_is_shortened_and_says_so(
    clip: PreparedClip, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_loop, "LOOP_MEMORY_BYTES", 20 * clip.width * clip.height * 3)
    loop, logs, reads = _write(clip, tmp_path / "capped", monkeypatch)
    assert len(loop["indices"]) == 20 and loop["landmarks"].shape == (20, 478, 3)
    assert read_frames(tmp_path / "capped" / LOOP_VIDEO).shape[0] == 20 and sum(reads) == 20
    (line,) = logs
    assert line.level == "warning"
    assert f"shortened to 20 of {int(clip.valid.sum())} frames" in line.message
    assert f"{clip.width}x{clip.height}" in line.message
