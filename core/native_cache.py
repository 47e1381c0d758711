"""Where the project's compiled CPU kernels live and what pins a build to this machine.

Both kernels (the fused Gaussian rasterizer, `core.gaussians.render`, and the HDR tone map,
`core.media.native`) are built at install time with ``-march=native`` into one directory:
``$DHSTUDIO_NATIVE_DIR`` when set, else ``$XDG_CACHE_HOME/dhstudio/native``
(``~/.cache/dhstudio/native``). Each build's file name hashes, among other things, this CPU's
instruction-set flags (`cpu_flags`), so a build made for another machine is never loaded.
"""

from __future__ import annotations

import os
import platform
from functools import lru_cache
from pathlib import Path

ENV_DIR = "DHSTUDIO_NATIVE_DIR"


def build_dir() -> Path:
    """The known build directory (see the module docstring)."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "dhstudio" / "native"


@lru_cache(maxsize=1)
def cpu_flags() -> str:
    """This CPU's instruction-set flags line (Linux), else the processor's name."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("flags", "Features")):
                return line
    except OSError:
        pass
    return platform.processor()
