"""The fused rasterizer's loops run on torch's thread count, and the threads change no pixel."""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
import torch

from core.gaussians.render import native
from core.gaussians.render.base import CompositeOptions, GaussiansWorld, RenderOptions
from tests.core.gaussians.render.test_torch_rasterizer import make_camera, make_scene


@pytest.fixture
def restore_threads() -> Iterator[None]:
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.mark.usefixtures("restore_threads")
def test_the_parallel_loops_use_torchs_thread_count(native_module: ModuleType) -> None:
    """Built without OpenMP, ATen's inline parallel_for is a plain loop: one thread whatever torch says."""
    torch.set_num_threads(2)
    assert native_module.parallel_threads() == 2
    torch.set_num_threads(1)
    assert native_module.parallel_threads() == 1


@pytest.mark.usefixtures("restore_threads", "native_module")
def test_two_threads_render_what_one_does() -> None:
    """Tiles are independent in the forward; the backward sums one gradient buffer per thread."""
    params = make_scene(400, 1, seed=7, dtype=torch.float32)
    cam = make_camera(96, 80, dtype=torch.float32)
    options = RenderOptions(composite=CompositeOptions(tile_size=16, background=(0.1, 0.2, 0.3)))
    weights = torch.rand(80, 96, 3, generator=torch.Generator().manual_seed(1))
    results = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        out = native.render(GaussiansWorld(**leaves), cam, options)
        grads = torch.autograd.grad((out.colors * weights).sum(), list(leaves.values()))
        results.append((out.colors.detach(), out.alphas.detach(), grads))
    (c1, a1, g1), (c2, a2, g2) = results
    assert a1.max() > 0.5
    assert torch.equal(c1, c2) and torch.equal(a1, a2)
    for one, two in zip(g1, g2, strict=True):
        assert one.abs().max() > 0
        torch.testing.assert_close(two, one, rtol=1e-4, atol=1e-6)
