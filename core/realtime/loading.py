"""Load what `dhstudio live` drives from run folders, through the same loaders `dhstudio render` uses.

A lip-sync run gives the renderer, its training clip (the source video loop, with the face
boxes its crops were cut from) and the fixed reference frames; an audio-to-mouth run gives
the network, filter-bank settings, normalisation statistics and mouth space. Every problem
is a BadInput naming the file and the fix.
"""

from __future__ import annotations

from pathlib import Path

import torch

from core.io.claim import ClipReads
from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.lipsync.source_loop import SourceLoop, frames_within
from core.realtime.assembly import AudioModel


def guarded_load(what: str, path: Path, load):
    try:
        return load()
    except BadInput:
        raise
    except Exception as exc:  # a checkpoint from another version, truncated weights...
        raise BadInput(
            Text(
                "cannot load the {what} in {path}: {error_type}: {exc}; train it again",
                what=what,
                path=path,
                error_type=type(exc).__name__,
                exc=exc,
            )
        ) from None


def load_audio_model(run: Path, fps: float) -> AudioModel:
    from core.mouth.loader import load_audio2mouth

    bundle = guarded_load(Text("audio-to-mouth model"), run, lambda: load_audio2mouth(run, device="cpu"))
    if abs(bundle.fps - fps) > 1e-3:
        raise BadInput(
            Text(
                "the audio-to-mouth model in {run} was trained at {model_fps:g} fps but the "
                "avatar's clip runs at {fps:g} fps; train the audio model on a clip prepared at "
                "{fps:g} fps",
                run=run,
                model_fps=bundle.fps,
                fps=fps,
            )
        )
    return AudioModel(bundle.net.eval(), bundle.norm, bundle.fbank, bundle.space)


def load_lipsync(
    run: Path, device: torch.device, max_frames: int = 300, reads: ClipReads | None = None
) -> tuple[torch.nn.Module, SourceLoop, torch.Tensor]:
    """(renderer in eval mode, source loop of its training clip, reference tensor [1, R, 4, H, W]);
    `reads` (the session's) holds the clip until the session ends."""
    from core.face.prepared import PreparedClip
    from core.lipsync.inference import clip_references, load_renderer

    loaded = guarded_load(Text("lip-sync renderer"), run, lambda: load_renderer(run, device))
    clip_dir = loaded.clip_dir()
    if reads is not None:
        reads.hold(clip_dir)
    clip = PreparedClip.load(clip_dir)
    # `dhstudio render`'s loop (the frames with a face), cut to `max_frames` and to the loop's
    # memory budget (`frames_within`: 86 frames of 4K, not 300 = 7.5 GB)
    loop = SourceLoop.from_clip(clip, max_frames=min(max_frames, frames_within(clip.width, clip.height)))
    return loaded.net, loop, clip_references(loaded, clip)
