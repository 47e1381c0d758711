"""Run an avatar bundle: its ONNX models and files -> the live engine's parts, with no project.

`open_bundle` checks the folder (`read_bundle`) and loads what the engine needs: ONNX Runtime
sessions for both models (an fp32 renderer runs as rewritten for the CPU's blocked convolutions,
`core.export.onnx_cpu_layout`, once its output matches the graph as exported), the cached
reference features, the source-frame loop with its tracked boxes and landmarks, the mouth space
and the audio normalisation. `bundle_live_parts` puts them behind the live engine's interfaces
(`RendererBackend`, `AudioStepBackend`, `LipSyncAvatar` over the one lip-sync frame path
`LipSyncFrames`, `MouthStepper`), so
`dhstudio live BUNDLE` and `dhstudio render BUNDLE` run the same per-frame path as a run folder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.export.bundle_format import BundleManifest, read_bundle
from core.jobs.message import Text

LAYOUT_TOLERANCE = 1e-4  # the renderer's parity tolerance against PyTorch at export


@dataclass
class OpenedBundle:
    manifest: BundleManifest
    renderer_session: object  # onnxruntime.InferenceSession
    audio_session: object
    ref_features: np.ndarray  # [1, C, h, w]
    loop: object  # core.lipsync.source_loop.SourceLoop
    space: object  # core.mouth.space.MouthSpace
    norm: object  # core.audio.normalization.NormStats
    fbank: object  # core.audio.fbank.FbankConfig
    renderer_layout: bool = False  # the renderer runs the CPU-layout rewrite

    @property
    def fps(self) -> float:
        return self.manifest.fps


def open_bundle(folder: Path | str, device: str = "cpu") -> OpenedBundle:
    from core.audio.fbank import FbankConfig
    from core.audio.normalization import NormStats
    from core.export.onnx_fp32 import ort_session
    from core.lipsync.source_loop import SourceLoop
    from core.media.decode import read_frames
    from core.mouth.space import MouthSpace

    m = read_bundle(folder)
    arrays = m.arrays()
    frames = read_frames(m.file("loop"))
    n = int(m.meta["loop"]["frames"])
    if frames.shape[0] != n:
        from core.jobs.errors import BadInput

        raise BadInput(
            Text(
                "{file} holds {frames} frames, bundle.json says {n}; export it again",
                file=m.file("loop"),
                frames=frames.shape[0],
                n=n,
            )
        )
    space = MouthSpace.from_dict(
        {k[len("space_") :]: v for k, v in arrays.items() if k.startswith("space_")}
        | {"total_variance": m.meta["mouth_space"]["total_variance"]}
    )
    threads = torch.get_num_threads()
    ref_features = np.load(m.file("ref_features"), allow_pickle=False)
    renderer, layout = renderer_session(
        m.file("renderer"), device, threads, ref_features, m.precision == "fp32"
    )
    return OpenedBundle(
        manifest=m,
        renderer_session=renderer,
        audio_session=ort_session(m.file("audio_step"), device=device, threads=threads),
        ref_features=ref_features,
        loop=SourceLoop(frames, arrays["landmarks"], m.fps, arrays["boxes"]),
        space=space,
        norm=NormStats(
            arrays["norm_mean"],
            arrays["norm_std"],
            int(m.meta["audio_model"]["norm_frames"]),
            m.meta["audio_model"].get("norm_level"),  # absent in bundles made before it
        ),
        fbank=FbankConfig.model_validate(m.meta["audio_model"]["fbank"]),
        renderer_layout=layout,
    )


def renderer_session(path: Path, device: str, threads: int, ref_features: np.ndarray, layout: bool):
    """(session, whether it runs the CPU-layout rewrite) for a bundle's renderer graph. The bundle
    has no PyTorch model to check against, so the rewrite is checked against the graph as exported on
    one random frame; a quantized graph runs as exported (the rewrite handles float convolutions)."""
    from core.export.onnx_cpu_layout import rewrite_holds
    from core.export.onnx_fp32 import ort_session

    plain = ort_session(path, device=device, threads=threads)
    if not layout or plain.get_providers() != ["CPUExecutionProvider"]:
        return plain, False
    fitted = []

    def check() -> str | None:
        fitted.append(ort_session(path, device=device, threads=threads, cpu_layout=True))
        shape = [d if isinstance(d, int) else 1 for d in plain.get_inputs()[0].shape]
        feed = {
            "source": np.random.default_rng(0).random(shape, dtype=np.float32),
            "ref_features": ref_features,
        }
        diff = float(np.abs(fitted[0].run(None, feed)[0] - plain.run(None, feed)[0]).max())
        return None if diff <= LAYOUT_TOLERANCE else f"differs from the exported graph by {diff:.2e}"

    if rewrite_holds(check, "the bundle's renderer"):
        return fitted[0], True
    return plain, False


def bundle_live_parts(bundle: OpenedBundle, warmup: int = 3):
    """The live engine's parts (`core.realtime.assembly.LiveParts`) from an opened bundle."""
    from core.lipsync.geometry import crop_geometry
    from core.lipsync.inference import LipSyncFrames
    from core.mouth.streaming import MouthStepper
    from core.realtime.assembly import LiveParts
    from core.realtime.avatar import LipSyncAvatar
    from core.realtime.backends import ExplicitStateAudioStep, OnnxRenderer

    meta = bundle.manifest.meta
    a = meta["audio_model"]
    t0 = time.perf_counter()
    renderer = OnnxRenderer(bundle.renderer_session, torch.from_numpy(bundle.ref_features))
    renderer.name = f"onnx-{bundle.manifest.precision}"
    geometry = crop_geometry(meta["renderer"]["mouth_size"])
    avatar = LipSyncAvatar(LipSyncFrames(bundle.loop, geometry, renderer, bundle.space))
    zero = np.zeros((a["lstm_layers"], 1, a["lstm_hidden"]), np.float32)
    sess = bundle.audio_session
    audio = ExplicitStateAudioStep(
        f"onnx-{bundle.manifest.precision}",
        lambda p, h, c: sess.run(None, {"pair": p, "h0": h, "c0": c}),
        (zero, zero.copy()),
    )
    stepper = MouthStepper(audio, bundle.norm, bundle.fbank, meta["lookahead"], a["k"], fps=bundle.fps)
    t1 = time.perf_counter()
    for _ in range(warmup):  # first calls allocate and pick kernels: keep that out of the live latency
        avatar.render(0, np.zeros(a["k"], np.float32))
        audio.step(np.zeros(2 * a["num_bins"], np.float32))
    audio.reset()
    return LiveParts(stepper, avatar, [], {"bundle": t1 - t0, "warmup": time.perf_counter() - t1})
