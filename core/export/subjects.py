"""What an export writes and checks: one trained model with real inputs from its run's clip.

A `Subject` is format-neutral: the PyTorch module in the graph form every format exports (the
explicit-state audio step or the cached-reference renderer of `onnx_fp32`), named inputs,
constant inputs (cached reference features), a recurrent state carried output -> input between
calls, and feeds cut from the run's prepared clip: calibration samples from the training part
and held-out samples from its held-out end. `run_sequence` plays feeds through any runner (a
PyTorch module, an ONNX Runtime session, a TorchScript module in another process) the same way,
so every format is compared with PyTorch on exactly the same inputs. The clip is held for reading
(`core.io.claim.ClipReads`, the export job's) from before it is read to the job's end.

Quality is measured where a creator sees it: PSNR of the rendered mouth crop for a renderer,
and for the audio model a PSNR of the mouth coefficients against their held-out range (plus
their max abs error), so one dB threshold serves both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.export.onnx_fp32 import AudioStepModule, CachedRendererModule, export_audio_step, export_renderer
from core.io.claim import ClipReads
from core.jobs.errors import BadInput
from core.jobs.message import Text

Feed = dict[str, np.ndarray]
RunFn = Callable[[Feed], list[np.ndarray]]  # named inputs -> outputs in `output_names` order

CALIBRATION_SAMPLES = 16
HELD_OUT_SAMPLES = 8


@dataclass
class Subject:
    """One exportable model of a run, with everything needed to run and judge it."""

    name: str  # file stem: "renderer" or "audio_step"
    kind: str  # the run's avatar kind
    module: nn.Module  # eval mode, CPU, explicit inputs
    input_names: list[str]
    output_names: list[str]
    constants: Feed  # inputs fixed for the avatar (cached reference features)
    initial_state: Feed  # recurrent inputs at the start of a stream
    carry: dict[str, int]  # recurrent input name -> index of the output that feeds it next call
    calibration: list[Feed]  # per-call inputs from the training part of the clip
    held_out: list[Feed]  # per-call inputs from the held-out end of the clip
    quality_label: str  # what the PSNR is of
    mouth_box: tuple[slice, slice] | None = None  # renderer: (rows, cols) of the mouth in the crop
    info: dict = field(default_factory=dict)  # run, step, clip, frames (for the report)
    dynamic_only: bool = False  # recurrent models: int8 by dynamic quantization
    onnx_writer: Callable[[Path], Path] | None = None  # path -> the fp32 graph written there

    def full_feeds(self, feeds: list[Feed]) -> list[Feed]:
        """Calls with constants and the initial state filled in (state not carried: calibration)."""
        return [{**self.constants, **self.initial_state, **f} for f in feeds]

    def export_onnx(self, path: Path) -> Path:
        """The fp32 graph (`core.export.onnx_fp32`) at `path`."""
        return self.onnx_writer(path)

    def torch_runner(self) -> RunFn:
        module = self.module

        def run(feed: Feed) -> list[np.ndarray]:
            with torch.inference_mode():
                out = module(*(torch.from_numpy(feed[n]) for n in self.input_names))
            outs = out if isinstance(out, tuple) else (out,)
            return [o.numpy() for o in outs]

        return run

    def example_feed(self) -> Feed:
        return {**self.constants, **self.initial_state, **self.held_out[0]}

    def run_sequence(self, run: RunFn, feeds: list[Feed] | None = None) -> np.ndarray:
        """Play `feeds` (default: held out) through `run`, carrying state; first output stacked."""
        state = dict(self.initial_state)
        outs = []
        for f in self.held_out if feeds is None else feeds:
            y = run({**self.constants, **state, **f})
            outs.append(np.asarray(y[0]))
            state = {name: np.asarray(y[i]) for name, i in self.carry.items()}
        return np.stack(outs)

    def quality(self, reference: np.ndarray, got: np.ndarray) -> dict[str, float]:
        """max abs error over all outputs and the PSNR (dB) of the judged region."""
        diff = np.abs(got.astype(np.float64) - reference.astype(np.float64))
        if self.mouth_box is not None:  # [N, 1, 3, H, W] rendered crops in [0, 1]
            rows, cols = self.mouth_box
            region_err = diff[..., rows, cols]
            peak = 1.0
        else:  # [N, 1, K] mouth coefficients: peak = their held-out range
            region_err = diff
            peak = float(reference.max() - reference.min()) or 1.0
        mse = float(np.mean(region_err**2))
        psnr = float(10.0 * np.log10(peak**2 / max(mse, 1e-30)))  # identical: 300 dB, still JSON
        return {"max_abs_error": float(diff.max()), "mean_abs_error": float(diff.mean()), "psnr_db": psnr}


def require_finished(run: Path) -> None:
    """A run must have finished (or stopped) with a checkpoint; a running run is still changing."""
    from core.train.run_folder import RunFolder

    state = str(RunFolder(run).read_status().get("state", ""))
    if state in ("created", "running"):
        raise BadInput(
            Text(
                "{run} has no finished checkpoint (the run is '{state}'); wait for training to "
                "finish or export a finished run.",
                run=run,
                state=state,
            )
        )


def _spread(indices: np.ndarray, count: int) -> np.ndarray:
    if len(indices) <= count:
        return indices
    return indices[np.round(np.linspace(0, len(indices) - 1, count)).astype(int)]


def renderer_subject(run: Path | str, reads: ClipReads | None = None) -> Subject:
    """A `dinet` run: the renderer, its clip's references as `dhstudio render` encodes them, crops."""
    from core.face.prepared import PreparedClip
    from core.lipsync.inference import clip_references, load_renderer
    from core.train.checkpoint import load_checkpoint

    run = Path(run)
    require_finished(run)
    loaded = load_renderer(run, "cpu")
    clip_dir = loaded.clip_dir()
    if reads is not None:
        reads.hold(clip_dir)
    clip = PreparedClip.load(clip_dir)
    config = load_checkpoint(run / "checkpoints" / "last.pt").get("config", {})
    holdout = float(config.get("train", {}).get("holdout", 0.2))
    refs = clip_references(loaded, clip)
    info = {
        "run": str(run),
        "step": loaded.step,
        "reference_frames": [int(i) for i in loaded.reference_ids(clip)],
    }
    return clip_renderer_subject(loaded.net, clip, refs, holdout, info)


def clip_renderer_subject(
    net: nn.Module, clip, references: torch.Tensor, holdout: float, info: dict
) -> Subject:
    """A renderer with real inputs from a prepared clip: calibration from the training part of the
    clip, held-out frames from its end (the trainer's split); `references` [1, R, 4, H, W].

    Sources are built by the one lip-sync frame path (`LipSyncFrames.sources`: masked crop +
    tracked shape map), so the export is checked on exactly what render and live feed it.
    """
    from core.lipsync.dataset import split_clip
    from core.lipsync.inference import LipSyncFrames, encode_references
    from core.lipsync.source_loop import SourceLoop

    net = net.eval().cpu()
    g = net.geometry
    split = split_clip(clip, holdout)
    if len(split.held_out) == 0:
        raise BadInput(
            Text(
                "clip '{clip_name}' has no usable held-out frame to check the export on; use a longer clip",
                clip_name=clip.name,
            )
        )

    def sources(idx: np.ndarray) -> list[Feed]:
        frames = LipSyncFrames(SourceLoop.from_clip(clip, frames=idx), g, backend=None)
        src = frames.sources(range(len(idx)), clip.landmarks[idx])
        return [{"source": np.ascontiguousarray(s[None], np.float32)} for s in src]

    ref = encode_references(net, references, "cpu").float()
    calib = _spread(split.train, CALIBRATION_SAMPLES)
    held = _spread(split.held_out, HELD_OUT_SAMPLES)
    return Subject(
        name="renderer",
        kind="dinet",
        module=CachedRendererModule(net).eval(),
        onnx_writer=lambda path: export_renderer(net, ref, path),
        input_names=["source", "ref_features"],
        output_names=["face"],
        constants={"ref_features": ref.numpy()},
        initial_state={},
        carry={},
        calibration=sources(calib),
        held_out=sources(held),
        quality_label="rendered mouth crop",
        mouth_box=g.mouth_slices(),
        info={
            **info,
            "variant": net.cfg.variant,
            "mouth_size": net.cfg.mouth_size,
            "clip": clip.name,
            "calibration_frames": [int(i) for i in calib],
            "held_out_frames": [int(i) for i in held],
        },
    )


def audio_subject(run: Path | str, reads: ClipReads | None = None) -> Subject:
    """An `audio2mouth` run: the one-step LSTM with explicit state, driven by its clip's held-out audio."""
    from core.face.prepared import PreparedClip
    from core.mouth.loader import load_audio2mouth

    run = Path(run)
    require_finished(run)
    b = load_audio2mouth(run, device="cpu")
    holdout = float(b.config.get("train", {}).get("holdout", 0.2))
    clip_dir = audio_clip_dir(run)
    if reads is not None:
        reads.hold(clip_dir)
    clip = PreparedClip.load(clip_dir)
    return clip_audio_subject(b.net, b.norm, b.fbank, b.fps, clip, holdout, {"run": str(run), "step": b.step})


def clip_audio_subject(net: nn.Module, norm, fbank, fps: float, clip, holdout: float, info: dict) -> Subject:
    """The audio step with pairs from a prepared clip's audio: calibration from its start, held-out
    calls from its held-out end (starting from a zero state, as a live stream does)."""
    from core.audio.alignment import frame_pairs
    from core.audio.fbank import compute_fbank

    net = net.eval().cpu()
    feats = norm.apply(compute_fbank(clip.audio(), fbank))
    n = clip.frame_count
    split = int(np.floor(n * (1.0 - holdout)))
    held = np.arange(split, min(n + net.cfg.lookahead, split + 64))
    calib = np.arange(0, min(split, 64))
    pairs = frame_pairs(feats, np.concatenate([calib, held]), fps, fbank).astype(np.float32)
    as_feeds = [{"pair": p.reshape(1, 1, -1)} for p in pairs]
    zero = np.zeros((net.cfg.lstm_layers, 1, net.cfg.lstm_hidden), np.float32)
    return Subject(
        name="audio_step",
        kind="audio2mouth",
        module=AudioStepModule(net).eval(),
        onnx_writer=lambda path: export_audio_step(net, path),
        input_names=["pair", "h0", "c0"],
        output_names=["coeffs", "h1", "c1"],
        constants={},
        initial_state={"h0": zero, "c0": zero.copy()},
        carry={"h0": 1, "c0": 2},
        calibration=as_feeds[: len(calib)],
        held_out=as_feeds[len(calib) :],
        quality_label="mouth coefficients (peak = held-out range)",
        info={
            **info,
            "clip": clip.name,
            "lookahead": net.cfg.lookahead,
            "held_out_frames": [int(held[0]), int(held[-1])],
        },
        dynamic_only=True,
    )


def audio_clip_dir(run: Path) -> Path:
    """The prepared clip the audio model was trained on (summary.json names it; runs/ sits in the project)."""
    summary = run / "summary.json"
    try:
        names = json.loads(summary.read_text())["clips"]
    except (OSError, ValueError, KeyError):
        raise BadInput(
            Text("{summary} is missing or damaged; it names the clip to check the export on", summary=summary)
        ) from None
    path = run.resolve().parent.parent / "prepared" / str(names[0])
    if not (path / "manifest.json").is_file():
        raise BadInput(
            Text(
                "the audio model was trained on clip '{names}', but {path} is not a prepared clip",
                names=names[0],
                path=path,
            )
        )
    return path


SUBJECTS: Mapping[str, Callable[[Path, ClipReads | None], Subject]] = {
    "dinet": renderer_subject,
    "audio2mouth": audio_subject,
}
