"""`dhstudio import-vhap DATASET --project DIR [--name CLIP] [--flame-dir DIR]`: a VHAP dataset -> clip.

The dataset (GaussianAvatars / VHAP layout: ``transforms_*.json``, ``flame_param/*.npz``, images)
becomes ``prepared/CLIP`` of the project, which a Gaussian job with ``data.mesh = "flame"`` trains
on (e.g. ``dhstudio train training_jobs/gaussian_flame.toml --project DIR --clip CLIP``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from core.gaussians.mesh.flame_files import FLAME_DIR_ENV
from core.jobs.errors import BadInput
from core.jobs.message import Text
from studio.cli.common import exit_code, run_job
from studio.project import open_project, safe_name


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-vhap", help="import a VHAP/GaussianAvatars dataset as a clip of a project")
    p.add_argument("dataset", type=Path, help="dataset folder with transforms_*.json and flame_param/")
    p.add_argument(
        "--project", required=True, type=Path, help="project folder (create it with `dhstudio new`)"
    )
    p.add_argument("--name", help="clip name (default: the dataset folder's name)")
    p.add_argument(
        "--fps", type=float, default=25.0, help="frame rate of the dataset's timesteps (default 25)"
    )
    p.add_argument(
        "--flame-dir",
        type=Path,
        help=f"folder of the FLAME model files (default ${FLAME_DIR_ENV}); checked against the "
        "dataset now and remembered for training",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from core.gaussians.mesh.vhap_clip import VhapImportJob  # torch and OpenCV: only when run

    project = open_project(args.project)
    if not args.dataset.is_dir():
        raise BadInput(
            Text("{dataset} is not a folder; give the VHAP dataset's root folder", dataset=args.dataset)
        )
    name = safe_name(args.name or args.dataset.resolve().name)
    job = VhapImportJob(args.dataset, project.prepared_dir / name, args.fps, args.flame_dir)
    result = run_job(job, quiet=args.quiet)
    if result.ok:
        project.add_clip(name)
        print(f"imported clip '{name}': {result.value}")
    return exit_code(result)
