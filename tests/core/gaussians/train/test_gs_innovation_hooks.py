"""Innovations as hooks: the registry matches the config, a new innovation needs no change to the step,
and the per-sample masks are rasterised once per render size and match the per-step rasterisation."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
from torch import Tensor

from core.gaussians.train import data as data_module
from core.gaussians.train.bundle import AVATAR_FILE, load_bundle
from core.gaussians.train.config import GaussianConfig, InnovationsConfig
from core.gaussians.train.innovations import region_weights, registry
from core.gaussians.train.innovations.base import Innovation, StepInput
from core.gaussians.train.masks import face_mask
from core.gaussians.train.trainer import CHECKPOINT
from core.train.checkpoint import load_checkpoint
from tests.core.gaussians.train.test_gs_trainer import _cfg, _losses, _run


def test_every_config_section_is_a_registered_innovation_and_only_enabled_ones_are_built():
    assert set(registry.INNOVATIONS) == set(InnovationsConfig.model_fields)
    assert registry.build_innovations(GaussianConfig(), "cpu") == []
    cfg = GaussianConfig.model_validate(
        {"innovations": {"progressive": {"enabled": True}, "contrastive": {"enabled": True}}}
    )
    assert [i.name for i in registry.build_innovations(cfg, "cpu")] == ["progressive", "contrastive"]
    finetune = GaussianConfig.model_validate({"train": {"finetune_mesh": True}})
    assert [i.name for i in registry.build_innovations(finetune, "cpu")] == [
        "temporal"
    ]  # corrections, no loss


class Brightness(Innovation):
    """A test innovation: a loss term, a parameter of its own, state, an export and an after-step count."""

    name = "brightness"

    @classmethod
    def active(cls, cfg: GaussianConfig) -> bool:
        return True

    def setup(self, data, device) -> None:
        self.gain = torch.nn.Parameter(torch.ones((), device=device))
        self.opt = torch.optim.SGD([self.gain], lr=0.1)
        self.steps_seen: list[int] = []

    def optimizers(self) -> list[torch.optim.Optimizer]:
        return [self.opt]

    def transform_image(self, image: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        return image * self.gain, {"gain_reg": (self.gain - 1.0) ** 2}

    def losses(self, inp: StepInput) -> dict[str, Tensor]:
        return {"brightness": 0.1 * (inp.image.mean() - inp.target.mean()).abs()}

    def after_step(self, inp: StepInput) -> None:
        self.steps_seen.append(inp.step)

    def state_dict(self) -> dict[str, Any]:
        return {"gain": self.gain.detach().clone(), "seen": list(self.steps_seen)}

    def export(self) -> dict[str, Any]:
        return {"gain": self.gain.detach().clone()}

    @classmethod
    def restore(cls, cfg, state, device) -> Innovation:
        hook = cls(cfg, device)
        hook.gain = state["gain"].to(device)
        return hook


def test_a_new_innovation_is_one_class_and_one_registry_entry(tmp_path, avatar_data, monkeypatch):
    monkeypatch.setitem(registry.INNOVATIONS, "brightness", Brightness)
    run, runner, result = _run(tmp_path, _cfg(train={"steps": 6}), avatar_data)
    assert result.ok, result.error
    assert len(_losses(runner, "train/brightness")) == 6 and len(_losses(runner, "train/gain_reg")) == 6
    ckpt = load_checkpoint(run.checkpoints / CHECKPOINT)
    assert ckpt["innovations"]["brightness"]["seen"] == [0, 1, 2, 3, 4, 5]
    gain = float(ckpt["innovations"]["brightness"]["gain"])
    assert gain != 1.0  # its own optimizer stepped
    avatar = load_bundle(run.path / AVATAR_FILE)
    assert [i.name for i in avatar.innovations] == ["brightness"]
    assert float(avatar.innovation("brightness").gain) == gain


def test_masks_are_rasterised_once_per_render_size(tmp_path, avatar_data, monkeypatch):
    data = dataclasses.replace(avatar_data, _labels={})
    calls: list[tuple[int, int]] = []
    real = data_module.label_maps

    def counting(n, uv_of, faces, regions, height, width):
        calls.append((width, height))
        return real(n, uv_of, faces, regions, height, width)

    monkeypatch.setattr(data_module, "label_maps", counting)
    cfg = _cfg(
        train={"steps": 10},
        innovations={"progressive": {"enabled": True}, "region_weights": {"enabled": True}},
    )
    _, _, result = _run(tmp_path, cfg, data)
    assert result.ok, result.error
    assert sorted(calls) == [(16, 16), (24, 24), (32, 32)]  # 10 steps, 3 sizes, each rasterised once


def test_precomputed_masks_equal_the_rasterised_face_and_region_maps(avatar_data):
    data = dataclasses.replace(avatar_data, _labels={})
    weights = {"eyes": 2.0, "mouth": 3.0, "nose": 1.5}
    cfg = GaussianConfig.model_validate({"innovations": {"region_weights": {"enabled": True, **weights}}})
    hook = region_weights.RegionWeights(cfg, "cpu")
    hook.setup(data, torch.device("cpu"))
    faces = data.faces.numpy()
    for sample in (0, 3, 9):
        camera = data.camera.scaled(24, 24)
        uv = data.uv(sample, camera)
        np.testing.assert_array_equal(data.face_mask(sample, camera), face_mask(uv, faces, 24, 24))
        inp = StepInput(0, 10, sample, data, torch.device("cpu"), None, camera, torch.zeros(24, 24, 3))
        expected = region_weights.weight_map(uv, faces, weights, 24, 24)
        np.testing.assert_array_equal(hook.pixel_weights(inp).numpy(), expected)
    assert float(hook.pixel_weights(inp).max()) > 1.0  # some region of the grid is weighted


def _cancel_at(step: int):
    from core.jobs.collector import CollectingRunner
    from core.jobs.events import Progress
    from core.jobs.job import execute

    class CancellingRunner(CollectingRunner):
        def run(self, job):
            def sink(event):
                self.events.append(event)
                if isinstance(event, Progress) and event.step == step:
                    self.control.cancel()

            return execute(job, sink, self.control)

    return CancellingRunner()


def test_resume_with_every_stateful_innovation_is_bit_exact(tmp_path, avatar_data):
    inn = {k: {"enabled": True} for k in ("color_calibration", "contrastive", "temporal", "region_weights")}
    cfg = _cfg(train={"steps": 10}, innovations=inn)
    assert _run(tmp_path, cfg, avatar_data, name="full")[2].ok
    _, _, cancelled = _run(tmp_path, cfg, avatar_data, name="split", runner=_cancel_at(4))
    assert cancelled.status.value == "cancelled"
    assert _run(tmp_path, cfg, avatar_data, name="split", resume=True)[2].ok
    full = load_checkpoint(tmp_path / "full" / "checkpoints" / CHECKPOINT)["innovations"]
    split = load_checkpoint(tmp_path / "split" / "checkpoints" / CHECKPOINT)["innovations"]
    assert sorted(full) == ["color_calibration", "contrastive", "region_weights", "temporal"]
    for a, b in zip(full["contrastive"]["cache"], split["contrastive"]["cache"], strict=True):
        assert torch.equal(a, b)
    assert torch.equal(full["temporal"]["corrections"]["params"], split["temporal"]["corrections"]["params"])
    for k, v in full["color_calibration"]["net"].items():
        assert torch.equal(v, split["color_calibration"]["net"][k]), k


def test_a_version_1_checkpoint_resumes(avatar_data):
    from core.gaussians.train.state import create_state, load_state, state_dict
    from core.gaussians.train.strategies.factory import build_strategy

    cfg = _cfg(innovations={"color_calibration": {"enabled": True}, "contrastive": {"enabled": True}})
    cpu = torch.device("cpu")
    st = create_state(cfg, avatar_data, build_strategy(cfg, 10), cpu)
    for p in st.innovations[0].net.parameters():
        torch.nn.init.normal_(p)
    st.innovations[1].cache = [torch.ones(192)]
    v2 = state_dict(st)
    cal = v2["innovations"]["color_calibration"]
    v1 = {k: v for k, v in v2.items() if k != "innovations"}
    v1.update(
        version=1,
        calibration=cal["net"],
        calibration_opt=cal["optimizer"],
        contrastive_cache=[torch.ones(192)],
    )
    fresh = create_state(cfg, avatar_data, build_strategy(cfg, 10), cpu)
    load_state(fresh, v1, cfg, avatar_data.extent, cpu)
    for a, b in zip(st.innovations[0].net.parameters(), fresh.innovations[0].net.parameters(), strict=True):
        assert torch.equal(a, b)
    assert torch.equal(fresh.innovations[1].cache[0], torch.ones(192))
