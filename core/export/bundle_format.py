"""The avatar bundle on disk: one folder the real-time engine runs from, with no project around it.

```
BUNDLE/
  bundle.json        schema name + version, precision, sizes, fps, lookahead, filter-bank
                     settings, model inputs/outputs, every file with its size, validation figures
  renderer[.int8].onnx      DINet per-frame graph (source + cached reference features -> face crop)
  ref_features.npy          the reference frames' cached features (the renderer's constant input)
  audio_step[.int8].onnx    audio-to-mouth one step with explicit LSTM state
  loop.mp4                  the source-frame loop (the user's video, frames with a tracked face)
  avatar.npz                per loop frame: face boxes [N, 4], landmarks [N, 478, 3]; the mouth
                            space (vertices, anchors, reference, mean, basis, variance) and the
                            audio normalisation (norm_mean, norm_std)
  report.json, report.md    the validation reports of both models
```

`read_bundle` checks the schema version (a newer one is refused: this reader may not know
its fields) and every listed file (present, same size) before anything is loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.jobs.errors import BadInput
from core.jobs.message import Text

SCHEMA = "dhstudio.avatar-bundle"
SCHEMA_VERSION = 1
BUNDLE_JSON = "bundle.json"
ARRAYS = "avatar.npz"
LOOP_VIDEO = "loop.mp4"
PRECISIONS = ("fp32", "int8")


def is_bundle(path: Path | str | None) -> bool:
    return path is not None and (Path(path) / BUNDLE_JSON).is_file()


BUNDLE_BACKENDS = ("auto", "onnx")  # a bundle carries ONNX graphs only


def check_bundle_backend(backend: str, folder: Path | str) -> None:
    """`--backend` for a bundle: it runs its own ONNX models, so a PyTorch backend cannot be honoured."""
    if backend not in BUNDLE_BACKENDS:
        raise BadInput(
            Text(
                "{folder} is an exported bundle, which runs its own ONNX models: --backend "
                "{backend} cannot apply. Leave --backend out (or pass onnx), or give the run "
                "folder it was exported from to use {backend}.",
                folder=folder,
                backend=backend,
            )
        )


def bundle_kind(folder: Path | str):
    """The registry kind of a bundle (after checking it), so commands treat it like a run of that kind."""
    from core.kinds.registry import avatar_kind

    return avatar_kind(str(read_bundle(folder).meta.get("kind")), str(Path(folder) / BUNDLE_JSON))


@dataclass(frozen=True)
class BundleManifest:
    """bundle.json, checked: the folder and the parsed fields."""

    folder: Path
    meta: dict[str, Any]

    @property
    def precision(self) -> str:
        return str(self.meta["precision"])

    @property
    def fps(self) -> float:
        return float(self.meta["fps"])

    def file(self, name: str) -> Path:
        return self.folder / self.meta["files_by_role"][name]

    def arrays(self) -> dict[str, np.ndarray]:
        with np.load(self.folder / ARRAYS, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}


def read_bundle(folder: Path | str) -> BundleManifest:
    """The bundle's manifest after checking its schema and files; BadInput names what is wrong."""
    folder = Path(folder)
    path = folder / BUNDLE_JSON
    if not path.is_file():
        raise BadInput(
            Text(
                "{folder} is not an avatar bundle (no {bundle_json}); make one with `dhstudio "
                "export RUN --format bundle`",
                folder=folder,
                bundle_json=BUNDLE_JSON,
            )
        )
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BadInput(
            Text("{path} is damaged ({exc}); export the bundle again", path=path, exc=exc)
        ) from None
    if meta.get("schema") != SCHEMA:
        raise BadInput(
            Text(
                "{path}: field 'schema' is {schema!r}, expected {expected_schema!r}",
                path=path,
                schema=meta.get("schema"),
                expected_schema=SCHEMA,
            )
        )
    version = meta.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise BadInput(
            Text(
                "{path}: field 'schema_version' is {version!r}; expected an integer >= 1",
                path=path,
                version=version,
            )
        )
    if version > SCHEMA_VERSION:
        raise BadInput(
            Text(
                "{path} has schema version {version}, newer than this dhstudio reads (up to "
                "{schema_version}); update dhstudio or export the bundle with this version",
                path=path,
                version=version,
                schema_version=SCHEMA_VERSION,
            )
        )
    files, roles = meta.get("files"), meta.get("files_by_role")
    if not isinstance(files, dict) or not isinstance(roles, dict) or not set(roles.values()) <= set(files):
        raise BadInput(
            Text(
                "{path}: fields 'files' / 'files_by_role' are missing or disagree; export it again", path=path
            )
        )
    missing = [name for name in files if not (folder / name).is_file()]
    if missing:
        raise BadInput(
            Text(
                "bundle {folder} is missing {missing}; copy the whole folder or export it again",
                folder=folder,
                missing=", ".join(missing),
            )
        )
    for name, size in files.items():
        f = folder / name
        if f.stat().st_size != int(size):
            raise BadInput(
                Text(
                    "bundle file {f} is {actual} bytes, bundle.json says {size}; the copy is "
                    "incomplete or damaged, export it again",
                    f=f,
                    actual=f.stat().st_size,
                    size=size,
                )
            )
    return BundleManifest(folder, meta)
