"""Builds the fused DINet mini kernel once per session when it is missing (skips only without a compiler).

Imported by the conftests of the test folders that use it (lipsync, realtime)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests.native_build import built_module


@pytest.fixture(scope="session")
def native_mini_module() -> ModuleType:
    """The compiled kernel, built with the install-time command if this machine has not built it yet."""
    from core.lipsync import native_mini

    return built_module(native_mini.status, "core.lipsync.build_native", "DINet mini kernel")
