"""VGG19 feature extractor defined in the project (no torchvision), loading torchvision's weights.

The state dict uses torchvision's key layout (`features.N.weight` / `features.N.bias`, N the
index in VGG19's `features` Sequential); classifier keys are ignored. Weights come from a path
the user gives, else `$DHSTUDIO_VGG19`, else the torch hub cache file `vgg19-dcbb9e9d.pth`
(:mod:`core.weights` looks); nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch
from torch import nn

from core.jobs.errors import BadInput
from core.jobs.message import Text
from core.weights import VGG19_ENV, VGG19_FILE, VGG19_URL, find_vgg19

# torchvision's VGG19 "E" configuration: channel counts, "M" = 2x2 max pool.
_CFG: tuple[int | str, ...] = (
    64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M",
)  # fmt: skip
# Index (in `features`) of the ReLU after each named conv layer.
RELU_INDEX: dict[str, int] = {
    "relu1_1": 1, "relu1_2": 3, "relu2_1": 6, "relu2_2": 8, "relu3_1": 11, "relu3_2": 13,
    "relu3_3": 15, "relu3_4": 17, "relu4_1": 20, "relu4_2": 22, "relu4_3": 24, "relu4_4": 26,
    "relu5_1": 29, "relu5_2": 31, "relu5_3": 33, "relu5_4": 35,
}  # fmt: skip
DEFAULT_LAYERS: tuple[str, ...] = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _make_features(depth: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    cin = 3
    for v in _CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, int(v), 3, padding=1), nn.ReLU(inplace=False)]
            cin = int(v)
        if len(layers) >= depth:
            break
    return nn.Sequential(*layers[:depth])


class VGG19Features(nn.Module):
    """Frozen VGG19 trunk returning the activations at `layers` for RGB input in [0, 1]."""

    def __init__(self, layers: tuple[str, ...] = DEFAULT_LAYERS) -> None:
        super().__init__()
        unknown = [name for name in layers if name not in RELU_INDEX]
        if unknown:
            raise ValueError(f"unknown VGG19 layers {unknown}; allowed: {list(RELU_INDEX)}")
        self.layers = tuple(layers)
        self.features = _make_features(max(RELU_INDEX[n] for n in layers) + 1)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        self.requires_grad_(False)
        self.eval()

    def load_torchvision_state(self, state: Mapping[str, torch.Tensor], source: str = "state dict") -> None:
        """Copy `features.N.*` tensors for the layers this trunk has; other keys are ignored."""
        own = self.state_dict()
        missing = [k for k in own if k not in state]
        if missing:
            raise BadInput(
                Text(
                    "{source} is not a torchvision VGG19 state dict: missing {missing}",
                    source=source,
                    missing=missing[:4],
                )
            )
        bad = [k for k in own if tuple(state[k].shape) != tuple(own[k].shape)]
        if bad:
            raise BadInput(
                Text("{source} has wrong shapes for {bad} (is it VGG19?)", source=source, bad=bad[:4])
            )
        self.load_state_dict({k: state[k] for k in own}, strict=True)

    def train(self, mode: bool = True) -> VGG19Features:
        return super().train(False)  # always frozen, whatever the surrounding model does

    def forward(self, rgb: torch.Tensor) -> list[torch.Tensor]:
        x = (rgb - self.mean) / self.std
        wanted = {RELU_INDEX[n]: n for n in self.layers}
        outs: list[torch.Tensor] = []
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in wanted:
                outs.append(x)
        return outs


# How a missing-weights message tells a lip-sync job to do without VGG19 (other callers pass their own).
LIPSYNC_TURN_OFF = Text("set the perceptual weight (loss.lamb_perception) to 0")
LIPSYNC_PATH_KEY = "loss.vgg19_path"  # the lip-sync job file's key: [loss] vgg19_path


def find_vgg19_weights(
    user_path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    path_key: str = "vgg19_path",
    turn_off: str = LIPSYNC_TURN_OFF,
) -> Path:
    """The VGG19 weights file (see :func:`core.weights.find_vgg19`), or BadInput naming every place looked.

    A user path is authoritative; otherwise ``$DHSTUDIO_VGG19``, then the torch hub cache.
    Call it when a job starts (when the perceptual weight is > 0) so it fails before training.
    ``path_key`` and ``turn_off`` name the caller's own config setting and switch in the message.
    """
    search = find_vgg19(user_path, env)
    if search.found is not None:
        return search.found
    looked = "\n".join(f"  - {c}" for c in search.looked)
    fix = (
        Text("check the path you gave ({key})", key=path_key)
        if user_path
        else Text(
            "download {url} into one of those folders, set ${env} or {key} to the file",
            url=VGG19_URL,
            env=VGG19_ENV,
            key=path_key,
        )
    )
    raise BadInput(
        Text(
            "VGG19 weights file {file} not found (needed by the "
            "perceptual loss). Looked in:\n{looked}\nTo fix: {fix}, or {turn_off}.",
            file=VGG19_FILE if not user_path else Path(user_path).name,
            looked=looked,
            fix=fix,
            turn_off=turn_off,
        )
    )


def load_vgg19(
    user_path: str | Path | None = None,
    layers: tuple[str, ...] = DEFAULT_LAYERS,
    device: torch.device | str = "cpu",
    env: Mapping[str, str] | None = None,
    path_key: str = "vgg19_path",
    turn_off: str = LIPSYNC_TURN_OFF,
) -> VGG19Features:
    """VGG19 trunk with weights from `find_vgg19_weights`, frozen, on `device`."""
    path = find_vgg19_weights(user_path, env, path_key, turn_off)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # corrupt / truncated / not a tensor file
        raise BadInput(
            Text(
                "could not read VGG19 weights {path}: {exc}; re-download {url}",
                path=path,
                exc=exc,
                url=VGG19_URL,
            )
        ) from exc
    if not isinstance(state, Mapping):
        raise BadInput(
            Text(
                "{path} does not hold a state dict (got {error_type})",
                path=path,
                error_type=type(state).__name__,
            )
        )
    net = VGG19Features(layers)
    net.load_torchvision_state(state, source=str(path))
    return net.to(device)
