"""The light discriminator of the mini preset: config, region, update cadence, a few real training steps."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from core.config.errors import ConfigError
from core.config.loader import load_config
from core.jobs.events import Metric
from core.lipsync.config import DiscriminatorConfig
from core.lipsync.discriminator import MultiScaleDiscriminator
from core.lipsync.geometry import crop_geometry
from core.lipsync.train_config import DinetTrainConfig
from tests.core.lipsync.prepared_fixture import build_prepared_clip, tiny_project_root
from tests.core.lipsync.test_trainer import run_job, tiny_config

PRESETS = Path(__file__).resolve().parents[3] / "training_jobs"


def test_mini_preset_uses_the_light_critic() -> None:
    cfg = load_config(DinetTrainConfig, PRESETS / "dinet_mini.toml")
    d = cfg.discriminator
    assert (d.num_scales, d.base_channels, d.region, d.update_every, d.gan_term_every) == (
        1,
        16,
        "mouth",
        2,
        2,
    )
    assert cfg.train.channels_last and cfg.train.prefetch
    for name in ("dinet_baseline", "dinet_optimized", "dinet_attention", "dinet_multiscale"):
        full = load_config(DinetTrainConfig, PRESETS / f"{name}.toml")
        assert full.discriminator == DiscriminatorConfig()  # the full recipes keep the original critic


@pytest.mark.parametrize("bad", [{"region": "face"}, {"update_every": 0}, {"gan_term_every": 0}])
def test_bad_discriminator_settings_name_the_field(bad: dict, tmp_path: Path) -> None:
    (tmp_path / "job.toml").write_text(
        'kind = "dinet"\n[train]\nsteps = 2\n[discriminator]\n'
        + "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in bad.items())
    )
    with pytest.raises(ConfigError) as err:
        load_config(DinetTrainConfig, tmp_path / "job.toml")
    assert f"discriminator.{next(iter(bad))}" in str(err.value)


def test_mouth_region_scores_only_the_mouth_box() -> None:
    g = crop_geometry(64)
    d = MultiScaleDiscriminator(DiscriminatorConfig(num_scales=1, base_channels=8, region="mouth"))
    crops = torch.rand(2, 3, *g.crop_size).contiguous(memory_format=torch.channels_last)
    judged = d.judged(crops, g)
    assert judged.shape == (2, 3, 64, 64) and judged.is_contiguous()
    assert torch.equal(judged, g.cut_mouth(crops))
    changed = crops.clone()
    changed[..., :10, :] = 0.0  # outside the mouth box: the critic cannot see it
    assert torch.equal(d(d.judged(changed, g))[0], d(judged)[0])


@pytest.fixture(scope="module")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_prepared_clip(tiny_project_root(tmp_path_factory))


def test_light_critic_updated_every_second_step_trains(clip_dir: Path, tmp_path: Path) -> None:
    cfg = tiny_config(4).derive(
        discriminator=DiscriminatorConfig(num_scales=1, base_channels=8, region="mouth", update_every=2)
    )
    job, runner = run_job(cfg, clip_dir, tmp_path / "run")
    metrics = [e for e in runner.events if isinstance(e, Metric)]
    d_steps = sorted(e.step for e in metrics if e.name == "loss/d")
    gan_steps = sorted(e.step for e in metrics if e.name == "loss/gan")
    assert len(gan_steps) == 4 and len(d_steps) == 2  # the generator's GAN term on every step
    assert all(torch.isfinite(v).all() for v in job.state.discriminator.state_dict().values())
    assert job.state.generator.src_stem[0].weight.is_contiguous(memory_format=torch.channels_last)
