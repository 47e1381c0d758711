"""Shared fixtures: offscreen Qt, the repo root and the real sample media (skipped when absent)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# pydantic's lazy imports can break if they first run after pytest-qt has loaded PySide6's
# import hook; building one model up front loads them in a clean state.
import core.config.model  # noqa: F401

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")  # PipeWire probe noise
os.environ.pop("QT_QPA_PLATFORM_PLUGIN_PATH", None)

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = Path(os.environ.get("DHSTUDIO_SAMPLES", REPO_ROOT.parent / "shared" / "samples"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES_DIR.is_dir():
        pytest.skip(f"real sample media not found at {SAMPLES_DIR} (set DHSTUDIO_SAMPLES to run these tests)")
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def gp(tmp_path_factory: pytest.TempPathFactory):
    """The tiny finished Gaussian project (`tests.core.realtime.gaussian_fixture`), built on first use."""
    from tests.core.realtime.gaussian_fixture import gaussian_project

    return gaussian_project(tmp_path_factory)


@pytest.fixture(scope="session")
def qapp_cls():
    """pytest-qt's application class; first the studio's guard for PySide6's lost references of None
    and True (`studio.gui.pyside_refcounts`), as `dhstudio gui` installs it: without it the GUI suite
    aborts at exit with "bool_dealloc: deallocating True or False"."""
    from PySide6.QtWidgets import QApplication

    from studio.gui import pyside_refcounts

    pyside_refcounts.install()
    return QApplication


@pytest.fixture(autouse=True)
def _automatic_gc_after_each_test():
    """A studio window turns automatic garbage collection off (studio.gui.gui_gc); a test that
    leaves its window open must not leave the rest of the suite without it."""
    yield
    gui_gc = sys.modules.get("studio.gui.gui_gc")
    if gui_gc is not None:
        gui_gc.stop_all()
