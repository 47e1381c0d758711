"""A wheel (the installers' PyInstaller build, `pip install .`) carries every kernel's C/C++ source:
the kernels are compiled on the user's machine, from the installed package."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.conftest import REPO_ROOT


def test_every_kernel_source_is_package_data() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = config["tool"]["setuptools"]["package-data"]
    sources = sorted(
        path
        for pattern in ("*.c", "*.cpp", "*.h")
        for path in (REPO_ROOT / "core").rglob(pattern)
        if "csrc" in path.parts
    )
    assert sources, "no kernel sources found under core/"
    missing = []
    for path in sources:
        package_dir = path.parent.parent
        package = ".".join(package_dir.relative_to(REPO_ROOT).parts)
        relative = path.relative_to(package_dir).as_posix()
        if not any(fnmatch.fnmatch(relative, p) for p in package_data.get(package, [])):
            missing.append(f"{package}: {relative}")
    assert missing == [], f"kernel sources a wheel would leave out (pyproject package-data): {missing}"
