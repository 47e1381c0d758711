"""Where pretrained weight files are looked for, and what was found there (nothing is downloaded).

One finder per weight file the project can use: VGG19 (the perceptual loss) and the two LPIPS
files (the AlexNet trunk and the learned linear heads of the ``lpips`` package, v0.1). Each
returns a :class:`WeightSearch` that names the file found *and* every place looked, so the loaders,
their error messages and ``dhstudio doctor`` all say the same thing.

Search order, first existing file wins:
  1. a path the user gave (config field or command option) — authoritative: nothing else is tried;
  2. the environment variable (``$DHSTUDIO_VGG19``, ``$DHSTUDIO_LPIPS``): a file, or a folder
     holding the file;
  3. the torch hub cache folders, in torch's own order (``$TORCH_HOME``, ``$XDG_CACHE_HOME``,
     ``~/.cache``), then ``~/.dhstudio/weights``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

VGG19_FILE = "vgg19-dcbb9e9d.pth"
VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
VGG19_ENV = "DHSTUDIO_VGG19"
ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
ALEXNET_URL = "https://download.pytorch.org/models/alexnet-owt-7be5be79.pth"
LPIPS_HEAD_FILES = ("lpips_alex.pth", "alex.pth")
LPIPS_ENV = "DHSTUDIO_LPIPS"


@dataclass(frozen=True)
class WeightSearch:
    """The outcome of looking for one weight file."""

    label: str  # what the file is, in words ("VGG19 weights")
    filenames: tuple[str, ...]  # the names accepted
    found: Path | None  # the first candidate that is a file
    looked: tuple[Path, ...]  # every candidate, in the order tried

    @property
    def ok(self) -> bool:
        return self.found is not None

    def describe(self) -> str:
        """One line: where it was found, or which file is missing and every place looked."""
        if self.found is not None:
            return f"found: {self.found}"
        names = " / ".join(self.filenames)
        return f"{names} not found; looked in: " + ", ".join(str(p) for p in self.looked)


@dataclass(frozen=True)
class LpipsSearch:
    """LPIPS needs both files; ``files`` is ``(trunk, heads)`` only when both were found."""

    trunk: WeightSearch
    heads: WeightSearch

    @property
    def files(self) -> tuple[Path, Path] | None:
        if self.trunk.found is None or self.heads.found is None:
            return None
        return self.trunk.found, self.heads.found

    @property
    def ok(self) -> bool:
        return self.files is not None

    def describe(self) -> str:
        """Both files found, or for each missing one its name and every place looked."""
        searches = (self.trunk, self.heads)
        if self.ok:
            return "found: " + " and ".join(str(s.found) for s in searches)
        return "; ".join(f"{s.label}: {s.describe()}" for s in searches if not s.ok)


def torch_hub_checkpoints(env: Mapping[str, str] | None = None) -> list[Path]:
    """Torch hub checkpoint folders, in the order torch itself uses ($TORCH_HOME first)."""
    env = os.environ if env is None else env
    dirs = []
    if env.get("TORCH_HOME"):
        dirs.append(Path(env["TORCH_HOME"]).expanduser() / "hub" / "checkpoints")
    if env.get("XDG_CACHE_HOME"):
        dirs.append(Path(env["XDG_CACHE_HOME"]).expanduser() / "torch" / "hub" / "checkpoints")
    dirs.append(_home(env) / ".cache" / "torch" / "hub" / "checkpoints")
    return list(dict.fromkeys(dirs))


def weight_folders(env: Mapping[str, str] | None = None) -> list[Path]:
    """The folders searched when neither a path nor an environment variable names the file."""
    env = os.environ if env is None else env
    return [*torch_hub_checkpoints(env), _home(env) / ".dhstudio" / "weights"]


def find_weight(
    label: str,
    filenames: tuple[str, ...],
    user_path: str | Path | None = None,
    env_var: str | None = None,
    env: Mapping[str, str] | None = None,
) -> WeightSearch:
    """Look for one of ``filenames`` in the order of the module docstring."""
    env = os.environ if env is None else env
    if user_path:
        return _search(label, filenames, _in(Path(user_path).expanduser(), filenames))
    candidates = _in(Path(env[env_var]).expanduser(), filenames) if env_var and env.get(env_var) else []
    candidates += [d / name for d in weight_folders(env) for name in filenames]
    return _search(label, filenames, candidates)


def find_vgg19(user_path: str | Path | None = None, env: Mapping[str, str] | None = None) -> WeightSearch:
    """VGG19 in torchvision's layout, for the perceptual loss (``$DHSTUDIO_VGG19``)."""
    return find_weight("VGG19 weights", (VGG19_FILE,), user_path, VGG19_ENV, env)


def find_lpips(heads_path: str | Path | None = None, env: Mapping[str, str] | None = None) -> LpipsSearch:
    """The two files the LPIPS metric loads: torchvision's AlexNet and the lpips v0.1 alex heads.

    ``heads_path`` (or ``$DHSTUDIO_LPIPS``) names the heads file, or a folder holding both files.
    """
    env = os.environ if env is None else env
    given = heads_path or env.get(LPIPS_ENV)
    folder = [Path(given).expanduser()] if given and Path(given).expanduser().is_dir() else []
    trunk_dirs = [*folder, *weight_folders(env)]
    trunk = _search("LPIPS AlexNet trunk", (ALEXNET_FILE,), [d / ALEXNET_FILE for d in trunk_dirs])
    heads = find_weight("LPIPS v0.1 alex heads", LPIPS_HEAD_FILES, heads_path, LPIPS_ENV, env)
    return LpipsSearch(trunk, heads)


def _search(label: str, filenames: tuple[str, ...], candidates: list[Path]) -> WeightSearch:
    looked = tuple(dict.fromkeys(candidates))
    return WeightSearch(label, tuple(filenames), next((p for p in looked if p.is_file()), None), looked)


def _in(path: Path, filenames: tuple[str, ...]) -> list[Path]:
    """A file path as given; a folder stands for each accepted name inside it."""
    return [path / name for name in filenames] if path.is_dir() else [path]


def _home(env: Mapping[str, str]) -> Path:
    return Path(env.get("HOME", str(Path.home())))
