"""Fixtures of the lip-sync tests."""

from tests.core.lipsync.native_fixture import native_mini_module

__all__ = ["native_mini_module"]
