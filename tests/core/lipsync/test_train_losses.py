"""The generator objective: the high-frequency term is off by default, weighted and named when on."""

from __future__ import annotations

import pytest
import torch
from pydantic import ValidationError

from core.lipsync.config import LossConfig
from core.lipsync.geometry import crop_geometry
from core.lipsync.train_config import DinetTrainConfig
from core.lipsync.train_losses import Objectives
from core.losses.high_frequency import high_frequency_l1
from core.losses.mouth_weighted import mouth_weighted_l1
from core.losses.pixel import l1_loss


def _pair() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    target = torch.rand(2, 3, 104, 80, generator=g)
    return (target + 0.1 * torch.rand(2, 3, 104, 80, generator=g)).clamp(0, 1), target


def test_high_frequency_term_off_by_default() -> None:
    out, target = _pair()
    terms = Objectives(LossConfig(lamb_perception=0.0), None).generator(
        out, target, crop_geometry(64), None, 1
    )
    assert "high_frequency" not in terms
    assert LossConfig().lamb_high_frequency == 0.0


def test_high_frequency_term_weighted_and_in_total() -> None:
    out, target = _pair()
    geometry = crop_geometry(64)
    base = LossConfig(lamb_perception=0.0)
    on = base.model_copy(update={"lamb_high_frequency": 5.0, "high_frequency_levels": 3})
    t_off = Objectives(base, None).generator(out, target, geometry, None, 1)
    t_on = Objectives(on, None).generator(out, target, geometry, None, 1)
    expected = 5.0 * high_frequency_l1(out, target, geometry.mouth_mask(), 3)
    assert t_on["high_frequency"].item() == pytest.approx(expected.item(), rel=1e-6)
    assert t_on["total"].item() == pytest.approx(t_off["total"].item() + expected.item(), rel=1e-5)


@pytest.mark.parametrize(
    ("field", "value"),
    [("lamb_high_frequency", -1.0), ("high_frequency_levels", 0), ("high_frequency_levels", 5)],
)
def test_config_rejects_bad_values(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=field):
        DinetTrainConfig.model_validate({"loss": {field: value}, "train": {"steps": 1}})


@pytest.mark.parametrize("layout", [torch.contiguous_format, torch.channels_last])
def test_l1_terms_match_the_reference_losses_in_value_and_gradient(layout: torch.memory_format) -> None:
    geometry = crop_geometry(64)
    cfg = LossConfig(lamb_perception=0.0, lamb_pixel=10.0, lamb_mouth=5.0, mouth_weight=4.0)
    objectives = Objectives(cfg, None)
    for seed, batch in ((1, 2), (2, 2), (3, 3)):  # the cached weights reused, then rebuilt
        g = torch.Generator().manual_seed(seed)
        target = torch.rand(batch, 3, 104, 80, generator=g).contiguous(memory_format=layout)
        logits = torch.randn(batch, 3, 104, 80, generator=g).contiguous(memory_format=layout)
        ours, ref = logits.clone().requires_grad_(True), logits.clone().requires_grad_(True)
        terms = objectives.generator(torch.sigmoid(ours), target, geometry, None, 1)
        out = torch.sigmoid(ref)
        pixel = 10.0 * l1_loss(out, target)
        mouth = 5.0 * mouth_weighted_l1(out, target, geometry.mouth_mask(), 4.0)
        torch.testing.assert_close(terms["pixel"], pixel, rtol=1e-6, atol=0)
        torch.testing.assert_close(terms["mouth"], mouth, rtol=1e-6, atol=0)
        terms["total"].backward()
        (pixel + mouth).backward()
        torch.testing.assert_close(ours.grad, ref.grad, rtol=1e-5, atol=1e-12)
        assert ours.grad.is_contiguous(memory_format=layout)


def test_l1_terms_refuse_mismatched_shapes() -> None:
    out, target = _pair()
    with pytest.raises(ValueError, match="shape mismatch"):
        Objectives(LossConfig(lamb_perception=0.0), None).generator(
            out[:1], target, crop_geometry(64), None, 1
        )
