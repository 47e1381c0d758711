"""The tone map's routes as a fixture: the fused C kernel (built once per session when missing;
skipped only without a C compiler) and the NumPy route it falls back to."""

from __future__ import annotations

import shutil

import pytest

from core.media import build_native, native


@pytest.fixture(scope="session")
def native_kernel() -> native.NativeStatus:
    """The loaded kernel, built with the install-time command if this machine has not built it yet."""
    if native.status().ok:
        return native.status()
    if not any(shutil.which(c) for c in ("cc", "gcc", "clang", "cl")):
        pytest.skip("no C compiler on this machine: the fused tone-map kernel cannot be built")
    build_native.build()
    native.status.cache_clear()
    assert native.status().ok, native.status().detail
    return native.status()


@pytest.fixture(params=["native", "numpy"])
def tonemap_route(request) -> str:
    """Each tone-map route by name (for `tonemap.to_sdr_rgb8(..., route=...)`)."""
    if request.param == "native":
        request.getfixturevalue("native_kernel")
    return request.param
