"""The ``flame`` mesh source: an imported VHAP clip posed with the user's FLAME model.

Meshes: the clip's per-frame FLAME parameters through :func:`flame_forward` (FLAME topology,
the dataset's world frame, metres). Images: every camera's image of every frame, each cut to a
square around the union of that camera's projected meshes (plus ``crop_margin``) and resized to
``resolution``, with the crop applied to that camera's intrinsics as for a monocular clip.
Split: the dataset's ``train`` split is trained on and its other splits are held out; a dataset
with only a train split holds out its last ``holdout`` fraction of frames (every view of them).
Regions (for region weights and semantic densification) come from ``FLAME_masks.pkl`` when the
user has it: eyes = eyeballs + eye regions, mouth = lips, nose = nose.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch

from core.gaussians.camera import Camera
from core.gaussians.mesh.flame import FlameModel, FlameParams, flame_forward, region_face_mask
from core.gaussians.mesh.vhap_clip import VhapClip, check_params, find_flame_dir, load_flame_model
from core.gaussians.train.config import DataConfig
from core.gaussians.train.data import AvatarData, crop_camera, crop_frame, square_crop
from core.gaussians.train.source import ClipMesh
from core.jobs.errors import BadInput
from core.jobs.message import Text

FLAME_REGION_GROUPS: dict[str, tuple[str, ...]] = {
    "eyes": ("left_eyeball", "right_eyeball", "left_eye_region", "right_eye_region"),
    "mouth": ("lips",),
    "nose": ("nose",),
}
CHUNK = 64  # frames posed per batch


def flame_regions(model: FlameModel) -> dict[str, np.ndarray]:
    """Region group -> FLAME triangle ids, for the groups whose masks the model has."""
    out = {}
    for group, names in FLAME_REGION_GROUPS.items():
        have = [n for n in names if n in model.masks]
        if have:
            out[group] = np.flatnonzero(region_face_mask(model, have).numpy())
    return out


def _rows(params: FlameParams, rows: np.ndarray) -> FlameParams:
    idx = torch.from_numpy(rows)
    per_frame = {
        k: getattr(params, k)[idx]
        for k in ("expr", "rotation", "neck_pose", "jaw_pose", "eyes_pose", "translation")
    }
    return FlameParams(shape=params.shape, static_offset=params.static_offset, **per_frame)


def posed_meshes(model: FlameModel, params: FlameParams, rows: np.ndarray) -> torch.Tensor:
    """FLAME vertices [len(rows), V, 3] of the given frames."""
    out = []
    with torch.no_grad():
        for i in range(0, len(rows), CHUNK):
            out.append(flame_forward(model, _rows(params, rows[i : i + CHUNK]))[0])
    return torch.cat(out).float() if out else torch.zeros(0, model.v_template.shape[0], 3)


def _project(verts: np.ndarray, K: np.ndarray, viewmat: np.ndarray) -> np.ndarray:
    cam = verts @ viewmat[:3, :3].T + viewmat[:3, 3]
    uv = cam[:, :2] / np.maximum(cam[:, 2:3], 1e-9)
    return uv * K[[0, 1], [0, 1]] + K[[0, 1], [2, 2]]


def _split(clip: VhapClip, use: np.ndarray, cfg: DataConfig) -> tuple[np.ndarray, np.ndarray]:
    """(train, held-out) sample indices among the samples of frames ``use``."""
    samples = np.flatnonzero(np.isin(clip.frames, use))
    held = samples[clip.split[samples] != "train"]
    if len(held):
        return samples[clip.split[samples] == "train"], held
    train_frames = use[: int(np.floor(len(use) * (1.0 - cfg.holdout)))]
    in_train = np.isin(clip.frames[samples], train_frames)
    return samples[in_train], samples[~in_train]


class FlameSource:
    def _model(self, clip: VhapClip, cfg: DataConfig) -> FlameModel:
        model = load_flame_model(find_flame_dir(cfg.flame_dir, str(clip.manifest.get("flame_dir", ""))))
        check_params(model, clip.params, str(clip.path))
        return model

    def load_mesh(self, clip_dir: Path, cfg: DataConfig, device: torch.device | str = "cpu") -> ClipMesh:
        clip = VhapClip.load(clip_dir)
        model = self._model(clip, cfg)
        verts = posed_meshes(model, clip.params, np.arange(clip.frame_count))
        return ClipMesh(verts.to(device), model.faces.to(device))

    def load_data(self, clip_dir: Path, cfg: DataConfig) -> AvatarData:
        clip = VhapClip.load(clip_dir)
        model = self._model(clip, cfg)
        use = np.arange(clip.frame_count)
        if cfg.max_frames and len(use) > cfg.max_frames:
            use = use[np.round(np.linspace(0, len(use) - 1, cfg.max_frames)).astype(int)]
        train, held = _split(clip, use, cfg)
        if len(train) < 2 or len(held) < 1:
            raise BadInput(
                Text(
                    "{clip_dir}: {n_train} training and {n_held} held-out images; a FLAME avatar "
                    "needs at least 2 to train and 1 held out (import a dataset with more frames or "
                    "views).",
                    clip_dir=clip_dir,
                    n_train=len(train),
                    n_held=len(held),
                )
            )
        order = np.concatenate([train, held])
        verts = posed_meshes(model, clip.params, use)
        mesh_row = {int(f): i for i, f in enumerate(use)}
        meshes = np.asarray([mesh_row[int(clip.frames[s])] for s in order], np.int64)
        crops, cameras = {}, []
        for cam in np.unique(clip.camera_index[order]):
            mine = order[clip.camera_index[order] == cam]
            boxes = []
            for s in mine:
                uv = _project(
                    verts[mesh_row[int(clip.frames[s])]].double().numpy(), clip.K[s], clip.viewmat[s]
                )
                boxes.append([*uv.min(axis=0), *uv.max(axis=0)])
            w, h = (int(v) for v in clip.size[mine[0]])
            crops[int(cam)] = square_crop(np.asarray(boxes), cfg.crop_margin, w, h)
        images = []
        for s in order:
            img = cv2.imread(str(clip.path / clip.images[s]), cv2.IMREAD_COLOR)
            if img is None:
                raise BadInput(
                    Text(
                        "cannot read {image}; import the dataset again",
                        image=clip.path / clip.images[s],
                    )
                )
            crop = crops[int(clip.camera_index[s])]
            images.append(crop_frame(img, crop, cfg.resolution)[..., ::-1])
            cameras.append(crop_camera(clip.K[s], clip.viewmat[s], crop, cfg.resolution))
        centres = torch.stack([c.position() for c in cameras])
        head = verts.mean(dim=1)[torch.from_numpy(meshes)]
        extent = 1.1 * float((head - centres).norm(dim=-1).mean())
        first: Camera = cameras[0]
        return AvatarData(
            images=torch.from_numpy(np.ascontiguousarray(np.stack(images))),
            verts=verts,
            faces=model.faces.long(),
            camera=first,
            train_ids=torch.arange(len(train)),
            test_ids=torch.arange(len(train), len(order)),
            clip_frames=use.astype(np.int64),
            crop=crops[int(clip.camera_index[order[0]])],
            fps=clip.fps,
            extent=extent,
            clip_path=Path(clip_dir),
            regions=flame_regions(model),
            sample_meshes=torch.from_numpy(meshes),
            cameras=cameras,
        )
