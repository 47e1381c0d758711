"""`BundleExportJob`: a lip-sync run + its audio-to-mouth run -> one self-contained avatar folder.

Both models are written with the ONNX format writers (fp32, or int8 with `precision="int8"`)
and validated exactly like `--format onnx` / `onnx-int8` (held-out frames, >= 50 / 30 dB); the
source-frame loop, tracked boxes and landmarks, mouth space, audio normalisation and the
sizes the engine needs go beside them (layout: `core.export.bundle_format`). The folder is
built under a temporary name and `bundle.json` is its last file, so a bundle that exists is
complete.

Options (ExportRequest.options): `precision` ("fp32" default: on this CPU int8 only pays off
for DINet full, see benchmarks/bench_export.py), `audio_run` (default: the project's newest
finished audio-to-mouth run), `max_loop_frames` (300; fewer when they exceed the live engine's loop
memory, `core.lipsync.source_loop.frames_within`: 86 at 4K, logged), `report` (also write the report JSON
there), `repeats` (latency calls per runtime). Both runs' clips are held for reading
(`core.io.claim.ClipReads`) until the export ends.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.export.bundle_format import (
    ARRAYS,
    BUNDLE_JSON,
    LOOP_VIDEO,
    PRECISIONS,
    SCHEMA,
    SCHEMA_VERSION,
)
from core.io import atomic
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.kinds.requests import ExportRequest

WRITERS = {"fp32": "core.export.onnx_fp32:write", "int8": "core.export.onnx_int8:write"}


class BundleExportJob(Job):
    name = "export"

    def __init__(self, request: ExportRequest) -> None:
        self.req = request
        self.precision = str(request.options.get("precision", "fp32"))
        if self.precision not in PRECISIONS:
            raise BadInput(
                Text(
                    "--precision is {precision!r}; allowed: {precisions}",
                    precision=self.precision,
                    precisions=", ".join(PRECISIONS),
                )
            )

    def run(self, ctx: JobContext) -> list[Path]:
        with ClipReads("export", "export the run") as reads:  # the clips, held to the end
            return self._export(ctx, reads)

    def _export(self, ctx: JobContext, reads: ClipReads) -> list[Path]:
        import importlib

        from core.export.job import ExportFailed, check_out_folder
        from core.export.report import build_report, failure_message, passed, to_markdown
        from core.face.prepared import PreparedClip
        from core.io.atomic import atomic_dir
        from core.mouth.loader import load_audio2mouth

        req, opts = self.req, self.req.options
        out = Path(req.out)
        check_out_folder(out, req.force)
        run = Path(req.run)
        from core.kinds.audio_model import resolve_audio_run

        given = Path(opts["audio_run"]) if opts.get("audio_run") else None
        audio_run = resolve_audio_run(run, given)  # the one choice render and live make
        ctx.progress(0, 5, "loading the runs")
        from core.export.subjects import (
            audio_clip_dir,
            clip_audio_subject,
            renderer_subject,
            require_finished,
        )

        renderer = renderer_subject(run, reads)
        require_finished(audio_run)
        audio = load_audio2mouth(audio_run, device="cpu")
        clip = PreparedClip.load(
            Path(renderer.info["run"]).resolve().parent.parent / "prepared" / renderer.info["clip"]
        )
        audio_clip = audio_clip_dir(audio_run)
        reads.hold(audio_clip)
        if abs(audio.fps - clip.fps) > 1e-3:
            raise BadInput(
                Text(
                    "the audio-to-mouth model in {audio_run} was trained at {audio_fps:g} fps but "
                    "the avatar's clip runs at {clip_fps:g} fps; train the audio model on a clip at "
                    "that rate",
                    audio_run=audio_run,
                    audio_fps=audio.fps,
                    clip_fps=clip.fps,
                )
            )
        holdout = float(audio.config.get("train", {}).get("holdout", 0.2))
        audio_subject = clip_audio_subject(
            audio.net,
            audio.norm,
            audio.fbank,
            audio.fps,
            PreparedClip.load(audio_clip),
            holdout,
            {"run": str(audio_run), "step": audio.step},
        )
        module, attr = WRITERS[self.precision].split(":")
        write = getattr(importlib.import_module(module), attr)
        repeats = int(opts.get("repeats", 30))
        reports: dict[str, Any] = {}
        with tempfile.TemporaryDirectory(prefix="dhstudio-bundle-") as scratch, atomic_dir(out) as folder:
            files_by_role: dict[str, str] = {}
            for i, subject in enumerate((renderer, audio_subject)):
                ctx.progress(1 + i, 5, f"writing and validating the {subject.name} ({self.precision})")
                exported = write(subject, folder, Path(scratch))
                report = build_report(
                    f"bundle/{self.precision}",
                    subject,
                    exported,
                    folder,
                    repeats=repeats,
                    scratch=Path(scratch),
                )
                reports[subject.name] = report
                if not passed(report):
                    if opts.get("report") is not None:
                        atomic.write_json(Path(opts["report"]), reports)
                    raise ExportFailed(failure_message(report))
                files_by_role[subject.name] = exported.files[0].name
                for f in exported.files[1:]:
                    files_by_role[f.stem] = f.name
                ctx.checkpoint()
            ctx.progress(3, 5, "writing the source-frame loop")
            loop = write_loop(ctx, clip, folder, int(opts.get("max_loop_frames", 300)))
            self._write_arrays(folder, loop, audio)
            files_by_role.update({"loop": LOOP_VIDEO, "arrays": ARRAYS})
            ctx.progress(4, 5, "writing bundle.json")
            ctx.checkpoint()  # the last moment a cancel can still leave no folder behind
            atomic.write_json(folder / "report.json", reports)
            atomic.write_text(folder / "report.md", "\n\n".join(to_markdown(r) for r in reports.values()))
            meta = self._manifest(renderer, audio, audio_run, clip, loop, files_by_role, reports, folder)
            atomic.write_json(folder / BUNDLE_JSON, meta)
        written = [out / BUNDLE_JSON, *(out / n for n in meta["files"])]
        if opts.get("report") is not None:
            atomic.write_json(Path(opts["report"]), reports)
            written.append(Path(opts["report"]))
        for f in written:
            ctx.artifact(f, kind="bundle")
        ctx.progress(5, 5, "done")
        return written

    def _write_arrays(self, folder: Path, loop: dict[str, Any], audio) -> None:
        space = audio.space
        np.savez(  # inside the bundle's temporary folder: atomic with it
            folder / ARRAYS,
            **{
                "landmarks": loop["landmarks"],
                "boxes": loop["boxes"],
                "space_vertices": space.vertices,
                "space_anchors": space.anchors,
                "space_reference": space.reference,
                "space_mean": space.mean,
                "space_basis": space.basis,
                "space_variance": space.variance,
                "norm_mean": audio.norm.mean,
                "norm_std": audio.norm.std,
            },
        )

    def _manifest(
        self, renderer, audio, audio_run, clip, loop, files_by_role, reports, folder
    ) -> dict[str, Any]:
        net = audio.net.cfg
        files = {p.name: p.stat().st_size for p in sorted(folder.iterdir()) if p.name != BUNDLE_JSON}
        return {
            "schema": SCHEMA,
            "schema_version": SCHEMA_VERSION,
            "kind": renderer.kind,
            "precision": self.precision,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "fps": float(clip.fps),
            "lookahead": int(net.lookahead),
            "renderer": {
                "variant": renderer.info["variant"],
                "mouth_size": int(renderer.info["mouth_size"]),
                "crop_size": list(renderer.module.renderer.geometry.crop_size),
                "inputs": renderer.input_names,
                "outputs": renderer.output_names,
                "ref_features_shape": list(renderer.constants["ref_features"].shape),
            },
            "audio_model": {
                "k": int(net.k),
                "num_bins": int(net.num_bins),
                "lstm_layers": int(net.lstm_layers),
                "lstm_hidden": int(net.lstm_hidden),
                "inputs": ["pair", "h0", "c0"],
                "outputs": ["coeffs", "h1", "c1"],
                "fbank": audio.fbank.model_dump(mode="json"),
                "norm_frames": int(audio.norm.frames),
                "norm_level": audio.norm.level,  # None: no level matching (core.audio.level)
            },
            "mouth_space": {"k": int(audio.space.k), "total_variance": float(audio.space.total_variance)},
            "loop": {
                "frames": int(len(loop["indices"])),
                "width": loop["width"],
                "height": loop["height"],
                "clip_frames": [int(i) for i in loop["indices"]],
            },
            "source": {"run": renderer.info["run"], "audio_run": str(audio_run), "clip": clip.name},
            "validation": {
                name: {k: r["parity"][k] for k in ("psnr_db", "min_psnr_db", "max_abs_error", "ok")}
                for name, r in reports.items()
            },
            "files_by_role": files_by_role,
            "files": files,
        }


def make_job(request: ExportRequest) -> Job:
    return BundleExportJob(request)


# Frames decoded at once while the loop video is written.
LOOP_WRITE_CHUNK = 16


def write_loop(ctx: JobContext, clip, folder: Path, max_frames: int) -> dict[str, Any]:
    """The clip's first `max_frames` frames with a tracked face (the live engine's loop), re-encoded
    at high quality a few frames at a time; no more than the live engine may hold
    (`core.lipsync.source_loop.frames_within`: 300 4K frames would be 7.5 GB), the log says when."""
    from core.lipsync.source_loop import frames_within
    from core.media.mp4_writer import Mp4Writer

    cap = frames_within(clip.width, clip.height)
    idx = np.flatnonzero(clip.valid)[:max_frames]
    if len(idx) > cap:
        ctx.log(
            f"the loop is shortened to {cap} of {len(idx)} frames: at {clip.width}x{clip.height} no more "
            "fit the memory the live engine holds its loop in (core.lipsync.source_loop.LOOP_MEMORY_BYTES)",
            level="warning",
        )
        idx = idx[:cap]
    if idx.size == 0:
        raise BadInput(
            Text(
                "prepared clip {clip_path} has no frame with a face; prepare another video",
                clip_path=clip.path,
            )
        )
    h, w = clip.height, clip.width
    with Mp4Writer(folder / LOOP_VIDEO, w, h, clip.fps, crf=12) as writer:
        for s in range(0, len(idx), LOOP_WRITE_CHUNK):
            for f in clip.read_frames(idx[s : s + LOOP_WRITE_CHUNK].tolist()):
                writer.write_frame(f)
            ctx.checkpoint()
    return {
        "indices": idx,
        "landmarks": clip.landmarks[idx].astype(np.float32),
        "boxes": clip.face_boxes[idx].astype(np.float32),
        "width": int(w - w % 2),
        "height": int(h - h % 2),
    }
