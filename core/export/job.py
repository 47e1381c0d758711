"""`ModelExportJob`: one trained model -> one format, validated before the folder appears.

The folder is built under a temporary name (`core.io.atomic.atomic_dir`) and renamed into
place only when the format's files are written, reload and match PyTorch on held-out frames of
the run's clip; a failed check leaves nothing at the output path but writes the report (if
`--report` asked for one) so the shortfall can be read. Formats are a table of writers; each
kind lists the ones it offers (`model_exports`). The run's clip (calibration and held-out frames)
is held for reading (`core.io.claim.ClipReads`) until the export ends.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from core.io import atomic
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.kinds.requests import ExportRequest

# format -> "module:function" writing (subject, folder, scratch) -> Exported; imported when used
WRITERS: dict[str, str] = {
    "onnx": "core.export.onnx_fp32:write",
    "onnx-int8": "core.export.onnx_int8:write",
    "torchscript": "core.export.torchscript:write",
}


class ExportFailed(RuntimeError):
    """The export was made but does not match PyTorch well enough; nothing was kept."""


def check_out_folder(out: Path, force: bool) -> None:
    if out.exists() and not force:
        raise BadInput(
            Text("{out} already exists; choose another --out or pass --force to replace it", out=out)
        )
    if out.exists() and not out.is_dir():
        raise BadInput(Text("{out} exists and is not a folder; choose another --out", out=out))


def _writer(fmt: str) -> Callable:
    import importlib

    module, attr = WRITERS[fmt].split(":")
    return getattr(importlib.import_module(module), attr)


class ModelExportJob(Job):
    name = "export"

    def __init__(
        self, fmt: str, request: ExportRequest, load_subject: Callable[[Path, ClipReads], Any]
    ) -> None:
        if fmt not in WRITERS:
            raise BadInput(
                Text(
                    "unknown model export format {fmt!r}; allowed: {writers}",
                    fmt=fmt,
                    writers=", ".join(WRITERS),
                )
            )
        self.fmt = fmt
        self.req = request
        self.load_subject = load_subject

    def run(self, ctx: JobContext) -> list[Path]:
        with ClipReads("export", "export the run") as reads:  # the clip, held to the end
            return self._export(ctx, reads)

    def _export(self, ctx: JobContext, reads: ClipReads) -> list[Path]:
        from core.export.report import build_report, failure_message, passed, write_report

        req = self.req
        out = Path(req.out)
        check_out_folder(out, req.force)
        report_path = req.options.get("report")
        ctx.progress(0, 4, "loading the run")
        subject = self.load_subject(Path(req.run), reads)
        ctx.checkpoint()
        with (
            tempfile.TemporaryDirectory(prefix="dhstudio-export-") as scratch,
            atomic.atomic_dir(out) as folder,
        ):
            ctx.progress(1, 4, f"writing {self.fmt}")
            exported = _writer(self.fmt)(subject, folder, Path(scratch))
            ctx.checkpoint()
            ctx.progress(2, 4, "validating against PyTorch on held-out frames")
            report = build_report(
                self.fmt,
                subject,
                exported,
                folder,
                repeats=int(req.options.get("repeats", 30)),
                scratch=Path(scratch),
            )
            if not passed(report):
                if report_path is not None:  # the shortfall stays readable; the folder does not appear
                    atomic.write_json(Path(report_path), report)
                raise ExportFailed(failure_message(report))
            ctx.progress(3, 4, "writing the report")
            ctx.checkpoint()  # after the longest step, the last moment a cancel still leaves no folder
            reports = write_report(report, folder, None)
        files = [out / p.name for p in [*exported.files, *reports]]
        if report_path is not None:
            atomic.write_json(Path(report_path), report)
            files.append(Path(report_path))
        p = report["parity"]
        ctx.log(
            f"{self.fmt} {subject.name}: PSNR {p['psnr_db']:.1f} dB (>= {p['min_psnr_db']:.0f}), "
            f"max abs {p['max_abs_error']:.2e}"
        )
        for f in files:
            ctx.artifact(f, kind=self.fmt)
        ctx.progress(4, 4, "done")
        return files


def model_exports(load_subject: str) -> Mapping[str, Callable[[ExportRequest], Job]]:
    """The model formats as a kind's `exports` entries; `load_subject` is "module:function"."""

    def factory(fmt: str) -> Callable[[ExportRequest], Job]:
        def make(req: ExportRequest) -> Job:
            import importlib

            module, attr = load_subject.split(":")
            return ModelExportJob(fmt, req, getattr(importlib.import_module(module), attr))

        return make

    return {fmt: factory(fmt) for fmt in WRITERS}
