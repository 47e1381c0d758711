"""One rank of the DDP test: `python -m torch.distributed.run --nproc_per_node 2 ddp_worker.py CLIP RUN OUT`.

Trains the tiny dinet config for 2 steps and saves this rank's final parameters to OUT/rank<r>.pt.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

from core.jobs.collector import CollectingRunner
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.trainer import DinetTrainJob
from core.train.run_folder import RunFolder
from core.train.spec import TrainRequest


def main(clip: str, run_dir: str, out: str) -> int:
    torch.set_num_threads(1)
    cfg = DinetTrainConfig.model_validate(
        {
            "model": {"variant": "mini", "mouth_size": 64, "res_blocks": 1},
            "discriminator": {"base_channels": 8, "num_scales": 1},
            "loss": {"lamb_perception": 0.0},
            "train": {"steps": 2, "batch_size": 2, "lr_g": 1e-2, "lr_d": 1e-2, "log_every": 1},
        }
    )
    rank = int(os.environ["RANK"])
    run = RunFolder(run_dir)
    if rank == 0:
        run.create("dinet", cfg.model_dump(mode="json"))
    job = DinetTrainJob(cfg, TrainRequest((Path(clip),), run, device="cpu"))
    result = CollectingRunner().run(job)
    if not result.ok:
        print(f"rank {rank}: {result.error}", file=sys.stderr)
        return 1
    state = {f"g.{k}": v for k, v in job.state.generator.state_dict().items()}
    state.update({f"d.{k}": v for k, v in job.state.discriminator.state_dict().items()})
    torch.save(state, Path(out) / f"rank{rank}.pt")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
