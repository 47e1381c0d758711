"""`WebExportJob`: a lip-sync run -> a static web page that talks from the visitor's microphone.

```
OUT/
  index.html, app.js, *.js     the page (plain ES modules, from the repository's web/src)
  vendor/ort/                  onnxruntime-web's WASM build (from web/node_modules: no CDN)
  renderer[.int8].onnx         the bundle's DINet graph (source + cached reference features)
  audio_step[.int8].onnx       the bundle's audio-to-mouth step with explicit LSTM state
  avatar.json, avatar.bin      sizes, settings and per-loop-frame arrays (`core.export.web_data`)
  frames/NNNN.jpg              the source-frame loop
  report.json, report.md       the models' validation figures and the export's sizes
```

Everything the page needs is gathered by the bundle export (`BundleExportJob`, int8 by
default here: a few MB of models), which also validates both models against PyTorch on
held-out frames; the bundle is written to a scratch folder, opened with the engine's own
reader, and turned into the page. The folder appears only when complete (`atomic_dir`).
Any static file server can host it; threads in the WASM backend need the page to be
cross-origin isolated (serve it with COOP/COEP headers), otherwise it runs on one thread.

Options (ExportRequest.options): `precision` ("int8" default, "fp32"), `audio_run`,
`max_loop_frames` (150: 6 s at 25 fps, played back and forth), `jpeg_quality` (90), `report`, `repeats`.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from core.export.bundle_format import PRECISIONS
from core.io import atomic
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text
from core.kinds.requests import ExportRequest

WEB_ROOT = Path(__file__).resolve().parents[2] / "web"  # the page's sources and its npm packages
ORT_DIST = Path("node_modules") / "onnxruntime-web" / "dist"
# the WASM build of onnxruntime-web the page imports (ESM loader + its threaded SIMD runtime)
ORT_FILES = ("ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm")
PAGE_FILES = ("index.html", "style.css")


def web_sources(root: Path = WEB_ROOT) -> tuple[Path, Path]:
    """(page sources, onnxruntime-web dist) after checking both are there."""
    src, dist = root / "src", root / ORT_DIST
    if not (src / "index.html").is_file():
        raise BadInput(
            Text("the web page sources are missing ({src}/index.html); reinstall dhstudio", src=src)
        )
    missing = [f for f in ORT_FILES if not (dist / f).is_file()]
    if missing:
        raise BadInput(
            Text(
                "onnxruntime-web is not installed ({dist} lacks {missing}); run `npm ci --prefix "
                "{root}` (installers/setup.sh does it)",
                dist=dist,
                missing=", ".join(missing),
                root=root,
            )
        )
    return src, dist


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class WebExportJob(Job):
    name = "export"

    def __init__(self, request: ExportRequest) -> None:
        self.req = request
        self.precision = str(request.options.get("precision") or "int8")
        if self.precision not in PRECISIONS:
            raise BadInput(
                Text(
                    "--precision is {precision!r}; allowed: {precisions}",
                    precision=self.precision,
                    precisions=", ".join(PRECISIONS),
                )
            )
        self.quality = int(request.options.get("jpeg_quality", 90))
        if not 50 <= self.quality <= 100:
            raise BadInput(Text("jpeg_quality is {quality}; allowed: 50 .. 100", quality=self.quality))

    def run(self, ctx: JobContext) -> list[Path]:
        from core.export.bundle import BundleExportJob
        from core.export.bundle_runtime import open_bundle
        from core.export.job import check_out_folder

        req, opts = self.req, self.req.options
        out = Path(req.out)
        check_out_folder(out, req.force)
        src, dist = web_sources()
        with tempfile.TemporaryDirectory(prefix="dhstudio-web-") as scratch, atomic.atomic_dir(out) as folder:
            bundle_dir = Path(scratch) / "bundle"
            bundle_opts = {
                "precision": self.precision,
                "audio_run": opts.get("audio_run"),
                "max_loop_frames": int(opts.get("max_loop_frames", 150)),
                "repeats": int(opts.get("repeats", 30)),
            }
            BundleExportJob(ExportRequest(req.run, bundle_dir, options=bundle_opts)).run(ctx)
            ctx.checkpoint()
            ctx.progress(4, 5, "writing the web page")
            self._write_site(ctx, folder, bundle_dir, src, dist, open_bundle(bundle_dir))
            ctx.checkpoint()
            report = self._report(folder, bundle_dir)
            atomic.write_json(folder / "report.json", report)
            atomic.write_text(folder / "report.md", _markdown(report))
        files = sorted(p for p in out.rglob("*") if p.is_file())
        if opts.get("report") is not None:
            atomic.write_json(Path(opts["report"]), report)
            files.append(Path(opts["report"]))
        ctx.log(
            f"web page {out}: {report['size']['total_bytes'] / 1e6:.1f} MB "
            f"(avatar data {report['size']['avatar_bytes'] / 1e6:.1f} MB, "
            f"onnxruntime-web {report['size']['runtime_bytes'] / 1e6:.1f} MB)"
        )
        for f in (out / "index.html", out / "report.json"):
            ctx.artifact(f, kind="web")
        ctx.progress(5, 5, "done")
        return files

    def _write_site(
        self, ctx: JobContext, folder: Path, bundle_dir: Path, src: Path, dist: Path, bundle
    ) -> None:
        """The page's files; a cancel stops it between files and between loop frames."""
        from core.export.web_data import AVATAR_JSON, write_avatar

        for f in sorted(src.iterdir()):
            if f.is_file():
                shutil.copy2(f, folder / f.name)
        vendor = folder / "vendor" / "ort"
        vendor.mkdir(parents=True)
        for name in ORT_FILES:
            ctx.checkpoint()
            shutil.copy2(dist / name, vendor / name)
        roles = bundle.manifest.meta["files_by_role"]
        models = {role: roles[role] for role in ("renderer", "audio_step")}
        for name in models.values():
            shutil.copy2(bundle_dir / name, folder / name)
        avatar = write_avatar(folder, bundle, models, self.quality, ctx.checkpoint)
        avatar["validation"] = bundle.manifest.meta["validation"]
        atomic.write_json(folder / AVATAR_JSON, avatar)

    def _report(self, folder: Path, bundle_dir: Path) -> dict[str, Any]:
        import json

        from core.export.web_data import AVATAR_BIN, AVATAR_JSON, FRAMES_DIR

        meta = json.loads((bundle_dir / "bundle.json").read_text())
        roles = meta["files_by_role"]
        models = sum((folder / roles[r]).stat().st_size for r in ("renderer", "audio_step"))
        frames = folder_size(folder / FRAMES_DIR)
        data = (folder / AVATAR_BIN).stat().st_size + (folder / AVATAR_JSON).stat().st_size
        runtime = folder_size(folder / "vendor")
        total = folder_size(folder)
        return {
            "format": "web",
            "precision": self.precision,
            "size": {
                "total_bytes": total,
                "avatar_bytes": models + frames + data,
                "models_bytes": models,
                "frames_bytes": frames,
                "arrays_bytes": data,
                "runtime_bytes": runtime,
                "page_bytes": total - models - frames - data - runtime,
            },
            "loop_frames": int(meta["loop"]["frames"]),
            "frame_size": [int(meta["loop"]["width"]), int(meta["loop"]["height"])],
            "validation": meta["validation"],
            "models": json.loads((bundle_dir / "report.json").read_text()),
        }


def _markdown(report: dict[str, Any]) -> str:
    s = report["size"]
    mb = {k: v / 1e6 for k, v in s.items()}
    lines = [
        f"# Web avatar export ({report['precision']})",
        "",
        f"- total: {mb['total_bytes']:.2f} MB",
        f"- avatar data: {mb['avatar_bytes']:.2f} MB (models {mb['models_bytes']:.2f}, "
        f"{report['loop_frames']} loop frames {mb['frames_bytes']:.2f}, arrays {mb['arrays_bytes']:.2f})",
        f"- onnxruntime-web (WASM): {mb['runtime_bytes']:.2f} MB; page {mb['page_bytes'] * 1e3:.0f} kB",
        "",
        "| model | PSNR vs PyTorch (dB) | required | max abs error |",
        "|---|---|---|---|",
    ]
    for name, v in report["validation"].items():
        lines.append(f"| {name} | {v['psnr_db']:.1f} | {v['min_psnr_db']:.0f} | {v['max_abs_error']:.2e} |")
    return "\n".join(lines) + "\n"


def make_job(request: ExportRequest) -> Job:
    return WebExportJob(request)
