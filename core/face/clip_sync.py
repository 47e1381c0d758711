"""Change a prepared clip's sound timing after prepare: measure it again, keep the file's, or set it.

Prepare measures the sound-vs-picture offset (`core.mouth.av_sync`) and applies it only when it is
clear. A creator who knows better (a clip whose sound they synced by hand, a measurement left unapplied
they can see is right, a different fixed value) changes it here without tracking the video again.
Only the manifest's `av_sync` entry changes, written atomically while the clip is claimed;
`PreparedClip.audio()` re-times from it, so training, evaluation and export calibration use the new
timing from their next run. Models trained on the clip before keep the timing they learned.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.face.prepared import PreparedClip
from core.io import atomic
from core.io.claim import claimed
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.mouth.av_sync import AvOffset, AvSync, fixed_offset, parse_av_sync


class SoundSyncJob(Job):
    """Set a prepared clip's sound timing ('auto' measures it again); returns the new `AvOffset`."""

    name = "sound sync"

    def __init__(self, clip_dir: Path | str, setting: AvSync | str) -> None:
        self.clip_dir = Path(clip_dir)
        self.setting = parse_av_sync(setting)  # BadInput naming the allowed values, before any work

    def run(self, ctx: JobContext) -> AvOffset:
        clip = PreparedClip.load(self.clip_dir)
        if not clip.has_audio:
            raise BadInput(
                Text(
                    "'{clip_name}' has no sound track, so it has no sound timing to set. Prepare a "
                    "video with sound to train lip-sync on it.",
                    clip_name=clip.name,
                )
            )
        with claimed(clip.path, "sound timing", f"change the sound timing of '{clip.name}'"):
            ctx.progress(0, 1, "timing the sound" if self.setting == "auto" else "setting the sound timing")
            if self.setting == "auto":
                from core.mouth.av_sync import measure_av_offset

                av = measure_av_offset(clip.audio("file"), clip.fps, clip.landmarks, clip.valid)
            else:
                av = fixed_offset(self.setting, clip.fps, where="this clip's settings")
            ctx.checkpoint()
            manifest = PreparedClip.load(clip.path).manifest  # as it is now, under the claim
            manifest["av_sync"] = av.to_dict()
            # the folder's time orders the project's clips (its first is the default clip): keep it
            folder_time = clip.path.stat()
            atomic.write_json(clip.path / "manifest.json", manifest)
            os.utime(clip.path, ns=(folder_time.st_atime_ns, folder_time.st_mtime_ns))
        ctx.log(f"{clip.name}: {av.describe()}")
        ctx.progress(1, 1, "done")
        return av
