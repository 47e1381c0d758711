"""Batch-norm folded into the convolution before it, for inference with eager PyTorch.

In eval mode a BatchNorm after a convolution is a fixed per-channel affine map, so it can be
multiplied into the convolution's weights and bias: y = gamma * (W*x + b - mu) / sigma + beta
= W'*x + b' with W' = W * gamma / sigma and b' = (b - mu) * gamma / sigma + beta. DINet mini
has 21 such pairs; each unfolded one is an extra pass over a full-resolution activation.
The folded copy computes the same function to float rounding (tested against the original).
"""

from __future__ import annotations

import copy
import itertools

from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def fold_batchnorm(module: nn.Module) -> tuple[nn.Module, int]:
    """An eval-mode copy of `module` with every Conv2d -> BatchNorm2d pair (adjacent in an
    `nn.Sequential`) folded into one Conv2d; returns (copy, pairs folded). The original is untouched."""
    folded = copy.deepcopy(module).eval()
    count = 0
    for seq in [m for m in folded.modules() if isinstance(m, nn.Sequential)]:
        names = list(seq._modules)
        for a, b in itertools.pairwise(names):
            conv, bn = seq._modules[a], seq._modules[b]
            if isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d) and bn.track_running_stats:
                seq._modules[a] = fuse_conv_bn_eval(conv, bn)
                seq._modules[b] = nn.Identity()
                count += 1
    return folded, count
