"""A bundle's portable tone-map builds: compiled for x86-64-v2 and -v3 (or this architecture's
levels) with the build command, loaded from a "bundled" folder when the build directory has no
build for this machine, the highest level this CPU runs first; agreeing with the NumPy route."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core import native_cache
from core.media import build_native, native
from tests.conftest import REPO_ROOT
from tests.core.media.test_colour_fast_routes import assert_kernel_matches_numpy, hdr_planes

pytestmark = pytest.mark.skipif(
    not any(shutil.which(c) for c in ("cc", "gcc", "clang")) or not native_cache.levels(),
    reason="no C compiler, or no portable levels on this architecture",
)
X86 = platform.machine().lower() in ("x86_64", "amd64")
RUNS_HERE = [lv for lv in native_cache.levels() if not lv.missing(native_cache.cpu_features())]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """Every level's kernel, built by `python -m core.media.build_native --level all --out DIR`."""
    out = tmp_path_factory.mktemp("bundle")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    cmd = [sys.executable, "-m", "core.media.build_native", "--level", "all", "--out", str(out)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_every_level_is_built_under_a_name_that_records_it(bundle):
    names = sorted(p.name for p in bundle.iterdir())
    assert names == sorted(native.module_file(lv) for lv in native_cache.levels())
    for lv in native_cache.levels():
        assert native.module_file(lv).startswith(f"dhs_tonemap_{lv.tag}_")
    assert native.module_file() not in names  # this CPU's build is another file


def test_without_an_own_build_the_highest_level_this_cpu_runs_is_loaded(bundle, tmp_path):
    found = native.find(tmp_path / "empty", bundle)
    assert found.ok, found.detail
    assert found.detail.startswith(f"bundled {RUNS_HERE[0].name} build (loaded from {bundle}")
    assert found.lib.dhs_tonemap_abi() == native.ABI


@pytest.mark.skipif(not X86, reason="x86-64 levels")
def test_a_cpu_without_avx2_gets_the_v2_build_and_one_without_sse4_none(bundle, tmp_path):
    no_avx2 = " ".join(f for f in native_cache.cpu_flags().split() if f != "avx2")
    if native_cache.X86_64_V2.missing(no_avx2):
        pytest.skip("this CPU does not run x86-64-v2 itself")
    found = native.find(tmp_path / "empty", bundle, cpu=no_avx2)
    assert found.ok and found.detail.startswith("bundled x86-64-v2 build")
    assert "x86-64-v3 skipped: this CPU lacks avx2" in found.detail
    gone = native.find(tmp_path / "empty", bundle, cpu="flags : fpu sse sse2")
    assert not gone.ok and "no bundled build" in gone.detail and native.BUILD_COMMAND in gone.detail


@pytest.mark.skipif(len(RUNS_HERE) < 2, reason="this CPU runs one portable level only")
def test_a_damaged_top_level_build_gives_way_to_the_next_level(bundle, tmp_path):
    damaged = tmp_path / "bundle"
    shutil.copytree(bundle, damaged)
    top = damaged / native.module_file(RUNS_HERE[0])
    top.write_bytes(b"\x7fELF" + bytes(60))  # damaged (a cut inside a segment would SIGBUS in dlopen)
    found = native.find(tmp_path / "empty", damaged)
    assert found.ok, found.detail
    assert found.detail.startswith(f"bundled {RUNS_HERE[1].name} build (loaded from {damaged}")
    assert f"bundled {RUNS_HERE[0].name} build: tone-map kernel at {top} failed to load" in found.detail
    all_damaged = tmp_path / "bundle2"  # a fresh copy: the loaded build above must stay as it is
    shutil.copytree(damaged, all_damaged)
    for lv in RUNS_HERE[1:]:
        (all_damaged / native.module_file(lv)).write_bytes(b"not a library")
    gone = native.find(tmp_path / "empty", all_damaged)
    assert not gone.ok and gone.detail.count("failed to load") == len(RUNS_HERE)


def test_this_machine_s_own_build_wins(bundle, tmp_path):
    own = tmp_path / "own"
    build_native.build(out=own)
    found = native.find(own, bundle)
    assert found.ok and found.detail.startswith(f"this machine's build (loaded from {own}")


@pytest.fixture(params=[lv.name for lv in RUNS_HERE])
def bundled_only(request, bundle, tmp_path, monkeypatch):
    """The studio's own lookup (`native.status`) with an empty build directory and a bundle
    folder holding one level's build (the environment overrides of the real default paths)."""
    lv = native_cache.level(request.param)
    folder = tmp_path / "native"
    folder.mkdir()
    shutil.copy2(bundle / native.module_file(lv), folder)
    monkeypatch.setenv(native_cache.ENV_DIR, str(tmp_path / "empty"))
    monkeypatch.setenv(native_cache.BUNDLED_ENV, str(folder))
    native.status.cache_clear()
    yield lv
    native.status.cache_clear()


@pytest.mark.parametrize("kind", ["hlg", "pq"])
def test_a_bundled_build_tone_maps_as_the_numpy_route_does(kind, bundled_only):
    assert native.status().detail.startswith(f"bundled {bundled_only.name} build")
    assert_kernel_matches_numpy(*hdr_planes(kind))
