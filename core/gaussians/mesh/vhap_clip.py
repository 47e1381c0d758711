"""A VHAP/GaussianAvatars dataset imported into a project: the clip format, written and read here.

``dhstudio import-vhap DATASET --project P --name CLIP`` turns a dataset (``transforms_*.json``,
``flame_param/*.npz``, images; read by :mod:`vhap_dataset`) into ``P/prepared/CLIP/``::

    manifest.json      schema "vhap/1", kind "vhap", mesh "flame", fps, frame_count (timesteps),
                       views, samples, source (the dataset folder), flame_dir (given at import)
    samples.npz        per image: image (path in the clip), frame (timestep row), camera_index,
                       split, K [3, 3], viewmat [4, 4] (OpenCV axes), size (width, height)
    flame_params.npz   per timestep row: expr, rotation, neck_pose, jaw_pose, eyes_pose,
                       translation; shared shape (and static_offset when the dataset has one);
                       timestep (the dataset's timestep_index of each row)
    images/            the dataset's images, copied

Frames are the dataset's timesteps in increasing order (row 0 = the smallest timestep_index); a
sample is one camera's image of one frame. The folder is written under a temporary name and
appears only when complete. The FLAME model itself is never copied (it is licensed): training
poses the parameters with the user's model files (:func:`find_flame_dir`).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.gaussians.mesh.flame import FlameModel, FlameParams, find_flame_files, load_flame
from core.gaussians.mesh.flame_files import DEFAULT_FLAME_DIR, FLAME_DIR_ENV
from core.gaussians.mesh.vhap_dataset import load_flame_params, read_dataset
from core.io import atomic
from core.io.claim import claimed
from core.io.manifest import read_manifest
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text

SCHEMA = "vhap/1"
PER_FRAME = ("expr", "rotation", "neck_pose", "jaw_pose", "eyes_pose", "translation")


@dataclass
class VhapClip:
    path: Path
    manifest: dict
    images: list[str]  # [S] image paths relative to the clip
    frames: np.ndarray  # [S] timestep row of each sample
    camera_index: np.ndarray  # [S]
    split: np.ndarray  # [S] "train" / "val" / "test"
    K: np.ndarray  # [S, 3, 3]
    viewmat: np.ndarray  # [S, 4, 4]
    size: np.ndarray  # [S, 2] width, height
    params: FlameParams  # batch = frame_count

    @property
    def fps(self) -> float:
        return float(self.manifest["fps"])

    @property
    def frame_count(self) -> int:
        return int(self.manifest["frame_count"])

    @classmethod
    def load(cls, path: Path | str) -> VhapClip:
        path = Path(path)
        missing = Text("is not a clip (no manifest.json); import it with `dhstudio import-vhap`.")
        _, manifest = read_manifest(path, missing, Text("import the clip again."))
        if manifest.get("schema") != SCHEMA:
            raise BadInput(
                Text(
                    "{path} is not an imported VHAP clip (schema {schema!r}, expected {expected_schema!r}); "
                    'a FLAME avatar (data.mesh = "flame") trains on a clip imported with `dhstudio '
                    "import-vhap DATASET --project P`.",
                    path=path,
                    schema=manifest.get("schema"),
                    expected_schema=SCHEMA,
                )
            )
        try:
            with np.load(path / "samples.npz", allow_pickle=False) as s:
                samples = {k: s[k] for k in s.files}
            with np.load(path / "flame_params.npz", allow_pickle=False) as z:
                raw = {k: torch.from_numpy(np.asarray(z[k], np.float32)) for k in z.files if k != "timestep"}
        except (OSError, KeyError, ValueError) as exc:
            raise BadInput(
                Text(
                    "{path}: imported clip files are missing or damaged ({exc}); import it again.",
                    path=path,
                    exc=exc,
                )
            ) from None
        params = FlameParams(
            **{k: raw[k] for k in ("shape", *PER_FRAME)}, static_offset=raw.get("static_offset")
        )
        return cls(
            path=path,
            manifest=manifest,
            images=[str(p) for p in samples["image"]],
            frames=samples["frame"].astype(np.int64),
            camera_index=samples["camera_index"].astype(np.int64),
            split=samples["split"],
            K=samples["K"].astype(np.float64),
            viewmat=samples["viewmat"].astype(np.float64),
            size=samples["size"].astype(np.int64),
            params=params,
        )


def is_vhap_clip(path: Path | str) -> bool:
    """Whether ``path`` holds a clip imported from a VHAP dataset (by its manifest's schema)."""
    try:
        manifest = json.loads((Path(path) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("schema") == SCHEMA


def find_flame_dir(configured: str = "", recorded: str = "") -> Path:
    """The FLAME model folder: the config's ``data.flame_dir``, else ``$DHSTUDIO_FLAME_DIR``, else the
    folder given at import, else ``~/.dhstudio/flame`` (where ``dhstudio doctor`` also looks);
    :class:`BadInput` naming the files and every place looked at."""
    candidates = [
        ("data.flame_dir", configured),
        (f"${FLAME_DIR_ENV}", os.environ.get(FLAME_DIR_ENV, "")),
        (Text("--flame-dir given at import"), recorded),
        (Text("the default folder"), str(DEFAULT_FLAME_DIR)),
    ]
    looked = []
    for label, value in candidates:
        if not value:
            looked.append(Text("{label} (not set)", label=label))
            continue
        try:
            find_flame_files(value)
            return Path(value)
        except BadInput:
            looked.append(Text("{label} = {value} (no model file there)", label=label, value=value))
    raise BadInput(
        Text(
            "a FLAME avatar needs the FLAME model files (flame2023.pkl or generic_model.pkl, optionally "
            "FLAME_masks.pkl; download them from flame.is.tue.mpg.de after accepting the licence). "
            "Looked in: {looked}. Set ${env} or data.flame_dir to their folder.",
            looked="; ".join(looked),
            env=FLAME_DIR_ENV,
        )
    )


def _found_flame_dir() -> Path | None:
    try:
        return find_flame_dir()
    except BadInput:
        return None


def load_flame_model(folder: Path) -> FlameModel:
    model_path, masks_path = find_flame_files(folder)
    return load_flame(model_path, masks_path)


def check_params(model: FlameModel, params: FlameParams, where: str) -> None:
    """:class:`BadInput` when the dataset's parameters do not fit the model's bases and vertices."""
    n_shape, n_expr = params.shape.shape[-1], params.expr.shape[-1]
    if n_shape > model.n_shape or n_expr > model.n_expr:
        raise BadInput(
            Text(
                "{where}: {n_shape} shape / {n_expr} expression coefficients, but the FLAME "
                "model has {model_n_shape} / {model_n_expr}; use the FLAME version the dataset "
                "was tracked with.",
                where=where,
                n_shape=n_shape,
                n_expr=n_expr,
                model_n_shape=model.n_shape,
                model_n_expr=model.n_expr,
            )
        )
    if params.static_offset is not None and params.static_offset.shape[-2] != model.v_template.shape[0]:
        raise BadInput(
            Text(
                "{where}: static_offset has {vertices} vertices, the FLAME "
                "model {model_vertices} (VHAP with teeth adds vertices this project does "
                "not model); re-track without teeth or use the matching model.",
                where=where,
                vertices=params.static_offset.shape[-2],
                model_vertices=model.v_template.shape[0],
            )
        )


def import_vhap(dataset: Path, out: Path, fps: float = 25.0, flame_dir: Path | None = None) -> Path:
    """Write the clip folder ``out`` from a VHAP/GaussianAvatars dataset (see the module doc)."""
    dataset = Path(dataset).resolve()
    frames = [f for split in read_dataset(dataset).values() for f in split]
    if not frames:
        raise BadInput(Text("{dataset}: the transforms files list no frames", dataset=dataset))
    missing = [str(f.image_path) for f in frames if not f.image_path.is_file()]
    no_params = [str(f.image_path) for f in frames if f.flame_param_path is None]
    if missing or no_params:
        what = (
            Text("missing images {images}", images=missing[:3])
            if missing
            else Text("frames without flame_param_path {images}", images=no_params[:3])
        )
        raise BadInput(
            Text(
                "{dataset}: {what}; a VHAP dataset needs every image and its FLAME parameters",
                dataset=dataset,
                what=what,
            )
        )
    timesteps = sorted({f.timestep_index for f in frames})
    row = {t: i for i, t in enumerate(timesteps)}
    first = {}
    for f in frames:
        first.setdefault(f.timestep_index, f.flame_param_path)
    per_step = [load_flame_params(first[t]) for t in timesteps]
    params = {k: np.concatenate([getattr(p, k).numpy() for p in per_step]) for k in PER_FRAME}
    params["shape"] = per_step[0].shape[0].numpy()
    if per_step[0].static_offset is not None:
        params["static_offset"] = per_step[0].static_offset.numpy()
    params["timestep"] = np.asarray(timesteps, np.int64)
    check_dir = Path(flame_dir) if flame_dir is not None else _found_flame_dir()
    if check_dir is not None:  # fail now, not at training, when the parameters do not fit the model
        static = per_step[0].static_offset
        fields = {k: torch.from_numpy(params[k]) for k in ("shape", *PER_FRAME)}
        check_params(load_flame_model(check_dir), FlameParams(**fields, static_offset=static), str(dataset))
    with atomic.atomic_dir(out) as tmp:
        (tmp / "images").mkdir()
        names = []
        for i, f in enumerate(frames):
            name = (
                f"images/{i:05d}_{f.split}_t{f.timestep_index:05d}_c{f.camera_index:02d}{f.image_path.suffix}"
            )
            shutil.copyfile(f.image_path, tmp / name)
            names.append(name)
        np.savez(
            tmp / "samples.npz",
            image=np.asarray(names),
            frame=np.asarray([row[f.timestep_index] for f in frames], np.int64),
            camera_index=np.asarray([f.camera_index for f in frames], np.int64),
            split=np.asarray([f.split for f in frames]),
            K=np.stack([f.camera.K.double().numpy() for f in frames]),
            viewmat=np.stack([f.camera.viewmat.double().numpy() for f in frames]),
            size=np.asarray([(f.camera.width, f.camera.height) for f in frames], np.int64),
        )
        np.savez(tmp / "flame_params.npz", **params)
        manifest = {
            "schema": SCHEMA,
            "kind": "vhap",
            "mesh": "flame",
            "name": Path(out).name,
            "fps": float(fps),
            "frame_count": len(timesteps),
            "views": len({f.camera_index for f in frames}),
            "samples": len(frames),
            "splits": sorted({f.split for f in frames}),
            "source": str(dataset),
            "flame_dir": str(Path(flame_dir).resolve()) if flame_dir is not None else "",
        }
        atomic.write_json(tmp / "manifest.json", manifest)
    return Path(out)


class VhapImportJob(Job):
    """`dhstudio import-vhap`: a VHAP/GaussianAvatars dataset -> an imported clip folder."""

    name = "import vhap dataset"

    def __init__(self, dataset: Path, out: Path, fps: float = 25.0, flame_dir: Path | None = None) -> None:
        self.dataset, self.out, self.fps, self.flame_dir = Path(dataset), Path(out), fps, flame_dir

    def run(self, ctx: JobContext) -> Path:
        # a writer of the clip folder, like prepare: refused while a job reads or writes that clip
        with claimed(self.out, "import", f"import '{self.out.name}'"):
            return self._import(ctx)

    def _import(self, ctx: JobContext) -> Path:
        ctx.progress(0, 1, f"importing {self.dataset}")
        out = import_vhap(self.dataset, self.out, self.fps, self.flame_dir)
        clip = VhapClip.load(out)
        ctx.log(
            f"{clip.frame_count} frames x {clip.manifest['views']} views ({len(clip.images)} images), "
            f"splits {', '.join(clip.manifest['splits'])}"
        )
        ctx.artifact(out, "clip")
        ctx.progress(1, 1, "done")
        return out
