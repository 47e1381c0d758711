"""PLY files from a trained Gaussian run: the avatar posed on one frame, and its bound form.

``<name>_frame<N>.ply``: the standard 3DGS layout in world space (the clip's camera frame, metres)
posed on frame N's mesh as it was trained (the per-frame mesh corrections applied when the run
fine-tuned them), viewable in common 3DGS viewers; ``<name>_bound.ply`` + ``<name>_bound.mesh.npz``:
the local (triangle-frame) parameters with ``binding_0`` and the clip's whole mesh sequence (also
corrected), for re-animation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from core.gaussians.ply import MeshSequence, export_frame_ply, mesh_path, save_bound_ply
from core.gaussians.train.bundle import avatar_path, load_bundle
from core.gaussians.train.source import load_clip_mesh
from core.io.claim import ClipReads
from core.jobs.context import JobContext
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.jobs.message import Text


def export_run_ply(
    run_dir: Path,
    out_dir: Path,
    frame: int = 0,
    name: str | None = None,
    reads: ClipReads | None = None,  # the job's: holds the avatar's clip until the job ends
) -> list[Path]:
    """Write both PLY forms of ``run_dir``'s avatar into ``out_dir``; returns the written files."""
    avatar = load_bundle(avatar_path(run_dir))
    if reads is not None:
        reads.hold(avatar.clip)
    mesh = load_clip_mesh(avatar.clip, avatar.config.data)
    if not 0 <= frame < mesh.frame_count:
        raise BadInput(
            Text(
                "--frame {frame} is outside the clip's frames 0..{last_frame}",
                frame=frame,
                last_frame=mesh.frame_count - 1,
            )
        )
    with torch.no_grad():
        posed = torch.stack([avatar.pose(v, i) for i, v in enumerate(mesh.verts)])
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = name or Path(run_dir).name
    world = out_dir / f"{stem}_frame{frame:05d}.ply"
    export_frame_ply(world, avatar.bound, posed[frame], mesh.faces)
    bound = out_dir / f"{stem}_bound.ply"
    save_bound_ply(
        bound,
        avatar.bound,
        MeshSequence(verts=posed.numpy().astype(np.float32), faces=mesh.faces.numpy().astype(np.int32)),
    )
    return [world, bound, mesh_path(bound)]


class PlyExportJob(Job):
    """Both PLY forms into `out_dir`, which appears complete or not at all (like every export): an
    existing folder is refused unless `force`, and then replaced as a whole, never merged into."""

    name = "export ply"

    def __init__(self, run_dir: Path, out_dir: Path, frame: int = 0, force: bool = False) -> None:
        self.run_dir, self.out_dir, self.frame, self.force = Path(run_dir), Path(out_dir), frame, force

    def run(self, ctx: JobContext) -> list[Path]:
        from core.export.job import check_out_folder
        from core.io.atomic import atomic_dir

        check_out_folder(self.out_dir, self.force)
        ctx.progress(0, 1, "writing PLY files")
        with ClipReads("export", "export the run") as reads:  # the avatar's clip, held to the end
            with atomic_dir(self.out_dir) as folder:
                written = export_run_ply(self.run_dir, folder, self.frame, self.run_dir.name, reads)
            paths = [self.out_dir / p.name for p in written]
            for p in paths:
                ctx.artifact(p, "ply" if p.suffix == ".ply" else "mesh")
            ctx.progress(1, 1, "done")
        return paths
