"""A trained lip-sync renderer ready to draw mouths into a clip's frames (reference features cached).

renderer = load_renderer(run_dir, device)
session = RenderSession(renderer, clip, device)          # encodes the 5 references once
frames = session.render(frames_bgr, boxes, driving_landmarks)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.face.crops import cut_crop
from core.face.prepared import PreparedClip
from core.jobs.errors import BadInput
from core.lipsync.config import RendererConfig
from core.lipsync.face_crops import face_crops, shape_map
from core.lipsync.factory import build_renderer
from core.lipsync.paste_back import PasteSettings, mouth_alpha, paste_mouth
from core.lipsync.renderer import LipSyncRenderer
from core.lipsync.train_state import CHECKPOINT, KIND
from core.train.checkpoint import read_checkpoint, require_finite


@dataclass
class LoadedRenderer:
    net: LipSyncRenderer  # eval mode
    clips: list[str]  # clips it was trained on
    references: dict[str, list[int]]  # clip name -> the 5 reference frame ids
    step: int
    run_dir: Path

    def project_root(self) -> Path:
        """runs/<run> lives in the project folder."""
        return self.run_dir.parent.parent

    def clip_dir(self, name: str | None = None) -> Path:
        name = name or self.clips[0]
        path = self.project_root() / "prepared" / name
        if not (path / "manifest.json").is_file():
            raise BadInput(
                f"the renderer was trained on clip '{name}', but {path} is not a prepared clip; "
                "prepare it again or pass --clip with the prepared clip folder."
            )
        return path


def load_renderer(run_dir: Path | str, device: torch.device | str = "cpu") -> LoadedRenderer:
    """A `dinet` run folder (or its checkpoint file) -> the generator in eval mode."""
    run_dir = Path(run_dir)
    path = run_dir if run_dir.is_file() else run_dir / "checkpoints" / CHECKPOINT
    if path.is_file() and run_dir.is_file():
        run_dir = path.parent.parent
    if not path.is_file():
        raise BadInput(
            f"No lip-sync renderer checkpoint at {path}; train one with "
            "`dhstudio train training_jobs/dinet_mini.toml --project DIR`."
        )
    ckpt = read_checkpoint(path, KIND, map_location="cpu")
    require_finite(ckpt["generator"], path)
    net = build_renderer(RendererConfig.model_validate(ckpt["renderer"]))
    net.load_state_dict(ckpt["generator"])
    net.to(device).eval()
    return LoadedRenderer(net, list(ckpt["clips"]), dict(ckpt["references"]), int(ckpt["step"]), run_dir)


def to_tensor(rgb_u8: np.ndarray) -> torch.Tensor:
    """[n, H, W, 3] uint8 -> [n, 3, H, W] float in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(rgb_u8)).permute(0, 3, 1, 2).float() / 255.0


@dataclass
class RenderSession:
    """Renders one clip's frames with cached reference features."""

    renderer: LoadedRenderer
    clip: PreparedClip
    device: torch.device | str = "cpu"
    paste: PasteSettings = field(default_factory=PasteSettings)
    reference_ids: list[int] | None = None

    def __post_init__(self) -> None:
        net = self.renderer.net
        self.geometry = net.geometry
        ids = self.reference_ids or self.renderer.references.get(self.clip.name)
        if ids is None:
            ids = self.renderer.references[self.renderer.clips[0]]
        self.reference_ids = [int(i) for i in ids]
        crops = to_tensor(face_crops(self.clip, self.geometry, np.array(self.reference_ids)))
        maps = torch.from_numpy(
            np.stack(
                [
                    shape_map(self.clip.landmarks[i], self.clip.face_boxes[i], self.geometry)
                    for i in self.reference_ids
                ]
            )
        ).unsqueeze(1)
        refs = torch.cat([crops, maps], dim=1).unsqueeze(0).to(self.device)  # [1, R, 4, H, W]
        with torch.inference_mode():
            self.ref_features = net.encode_references(refs)
        self.alpha = mouth_alpha(self.geometry, self.paste)

    @torch.inference_mode()
    def render_crops(
        self, frames_bgr: list[np.ndarray], boxes: np.ndarray, driving: np.ndarray
    ) -> np.ndarray:
        """Rendered crops [n, H, W, 3] RGB float in [0, 1]; boxes [n, 4], driving landmarks [n, 478, 3]."""
        g = self.geometry
        crops = np.stack(
            [cut_crop(f, b, g.crop_size)[..., ::-1] for f, b in zip(frames_bgr, boxes, strict=True)]
        )
        maps = torch.from_numpy(np.stack([shape_map(lm, b, g) for lm, b in zip(driving, boxes, strict=True)]))
        rgb = to_tensor(crops)
        source = torch.cat([g.mask_mouth(rgb), maps.unsqueeze(1)], dim=1).to(self.device)
        out = self.renderer.net.forward_cached(source, self.ref_features)
        return out.permute(0, 2, 3, 1).float().cpu().numpy()

    def render(
        self, frames_bgr: list[np.ndarray], boxes: np.ndarray, driving: np.ndarray
    ) -> list[np.ndarray]:
        """Frames with the mouth re-rendered to follow `driving` landmarks, pasted back (BGR uint8)."""
        crops = self.render_crops(frames_bgr, boxes, driving)
        return [
            paste_mouth(f, c, b, self.geometry, self.paste, self.alpha)[0]
            for f, c, b in zip(frames_bgr, crops, boxes, strict=True)
        ]
