"""Builds the fused C++ rasterizer once per session when it is missing (skips only without a compiler)."""

from __future__ import annotations

from types import ModuleType

import pytest

from core.gaussians.render import native
from tests.native_build import built_module


@pytest.fixture(scope="session")
def native_module() -> ModuleType:
    """The compiled module, built with the install-time command if this machine has not built it yet."""
    return built_module(native.status, "core.gaussians.render.build_native", "fused rasterizer")
