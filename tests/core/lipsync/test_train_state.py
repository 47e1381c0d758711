"""The lip-sync training state's optimizer: fused Adam, and resuming an optimizer saved unfused."""

from __future__ import annotations

import torch

from core.lipsync import train_state as ts


def test_adam_is_fused_on_the_cpu_and_steps_like_the_loop() -> None:
    torch.manual_seed(0)
    params = [torch.nn.Parameter(torch.randn(5, 3)), torch.nn.Parameter(torch.randn(7))]
    twins = [torch.nn.Parameter(p.detach().clone()) for p in params]
    fused = ts.adam(params, 1e-2, (0.5, 0.999))
    loop = torch.optim.Adam(twins, lr=1e-2, betas=(0.5, 0.999))
    assert fused.param_groups[0]["fused"] is True
    for _ in range(3):
        for p, q in zip(params, twins, strict=True):
            p.grad = torch.sin(p.detach() * 3)
            q.grad = torch.sin(q.detach() * 3)
        fused.step()
        loop.step()
    for p, q in zip(params, twins, strict=True):
        torch.testing.assert_close(p, q, atol=1e-6, rtol=1e-5)
    # a checkpoint written by the per-tensor loop (runs before the fused optimizer) loads and steps
    resumed = ts.adam([torch.nn.Parameter(q.detach().clone()) for q in twins], 1e-2, (0.5, 0.999))
    resumed.load_state_dict(loop.state_dict())
    for p in resumed.param_groups[0]["params"]:
        p.grad = torch.ones_like(p)
    resumed.step()
    assert all(torch.isfinite(p).all() for p in resumed.param_groups[0]["params"])
