"""Which portable build a bundle loads: the level choice as a function of the CPU's flags and the
builds present, and where the bundle's builds are looked for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from core import native_cache
from core.native_cache import APPLE_M1, ARMV8, X86_64_V2, X86_64_V3, pick_level

X86 = (X86_64_V3, X86_64_V2)
# /proc/cpuinfo flags of an AMD Zen 2 (v3) and of an Intel Westmere (v2: no AVX at all)
ZEN2 = (
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr "
    "sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl pni pclmulqdq "
    "ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm "
    "abm sse4a misalignsse 3dnowprefetch bmi1 avx2 smep bmi2 rdseed adx smap clflushopt sha_ni"
)
WESTMERE = (
    "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
    "mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc pni pclmulqdq ssse3 cx16 "
    "sse4_1 sse4_2 popcnt aes lahf_lm"
)


def test_the_highest_level_the_cpu_runs_is_picked():
    assert pick_level(["x86-64-v3", "x86-64-v2"], ZEN2, X86) == (X86_64_V3, "")
    assert pick_level(["x86-64-v2"], ZEN2, X86)[0] is X86_64_V2  # only what is present


def test_a_cpu_without_avx2_skips_the_v3_build_and_says_why():
    lv, note = pick_level(["x86-64-v3", "x86-64-v2"], WESTMERE, X86)
    assert lv is X86_64_V2
    assert note.startswith("x86-64-v3 skipped: this CPU lacks ") and "avx2" in note and "fma" in note
    # one flag short of v3 is enough to skip it
    no_avx2 = ZEN2.replace(" avx2", "")
    assert (
        "avx2" not in no_avx2.split() and pick_level(["x86-64-v3", "x86-64-v2"], no_avx2, X86)[0] is X86_64_V2
    )
    assert pick_level(["x86-64-v3"], no_avx2, X86) == (None, "x86-64-v3 skipped: this CPU lacks avx2")


def test_nothing_is_picked_below_the_floor_or_without_builds():
    core2 = "flags : fpu sse sse2 ssse3 cx16 lahf_lm pni"  # no SSE4.x, no POPCNT
    lv, note = pick_level(["x86-64-v3", "x86-64-v2"], core2, X86)
    assert lv is None and "x86-64-v2 skipped" in note and "sse4_2" in note
    assert pick_level([], ZEN2, X86) == (None, "no build for this architecture")


def test_lzcnt_counts_under_either_name():
    """Linux calls LZCNT `abm` on Intel and AMD; macOS and Windows translations say `lzcnt`."""
    assert X86_64_V3.missing(ZEN2.replace(" abm", " lzcnt")) == []
    assert X86_64_V3.missing(ZEN2.replace(" abm", "")) == ["abm|lzcnt"]


def test_arm_levels_need_nothing_beyond_the_architecture():
    assert native_cache.levels("aarch64", "linux") == (ARMV8,)
    assert native_cache.levels("arm64", "darwin") == (APPLE_M1,)
    assert native_cache.levels("x86_64", "linux") == X86 and native_cache.levels("AMD64", "win32") == X86
    assert pick_level(["armv8-a"], "Features : fp asimd evtstrm", (ARMV8,))[0] is ARMV8


def test_macos_feature_words_become_cpuinfo_names():
    words = (
        "FPU SSE SSE2 SSE3 PCLMULQDQ SSSE3 FMA CX16 SSE4.1 SSE4.2 MOVBE POPCNT AVX1.0 F16C "
        "RDWRFSGS BMI1 AVX2 BMI2 SYSCALL XD EM64T LAHF LZCNT"
    )
    assert X86_64_V3.missing(native_cache.darwin_flags(words)) == []
    assert X86_64_V3.missing(native_cache.darwin_flags(words.replace(" AVX2", ""))) == ["avx2"]


def test_level_names_and_file_tags():
    assert native_cache.level(native_cache.levels()[0].name) is native_cache.levels()[0]
    assert X86_64_V3.tag == "x86_64_v3" and X86_64_V3.tag.isidentifier()
    with pytest.raises(ValueError, match="choose one of"):
        native_cache.level("pentium-mmx")


def test_the_bundle_folder_is_overridable_and_the_frozen_app_s_data_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(native_cache.BUNDLED_ENV, raising=False)
    if not getattr(sys, "frozen", False):
        assert native_cache.bundled_dir() is None  # running from source: no bundle
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert native_cache.bundled_dir() == tmp_path / "_internal" / "native"
    monkeypatch.delattr(sys, "_MEIPASS")
    assert native_cache.bundled_dir() == Path(sys.executable).resolve().parent / "native"
    monkeypatch.setenv(native_cache.BUNDLED_ENV, str(tmp_path / "elsewhere"))
    assert native_cache.bundled_dir() == tmp_path / "elsewhere"


def test_a_level_that_fails_to_load_gives_way_to_the_next_one_down(tmp_path):
    tried = []

    def load(lv):
        tried.append(lv.name)
        return (None, "damaged") if lv is native_cache.levels()[0] else (lv.name, "loaded")

    levels = native_cache.levels()
    if len(levels) < 2:
        pytest.skip("one portable level on this architecture")
    names = [lv.name for lv in levels]
    got, detail = native_cache.load_bundled(tmp_path, names, _runs_all(levels), load)
    assert got == names[1] and tried == names[:2]
    assert detail == f"bundled {names[1]} build (loaded; bundled {names[0]} build: damaged)"
    got, detail = native_cache.load_bundled(tmp_path, names[:1], _runs_all(levels), load)
    assert got is None and detail == f"bundled {names[0]} build: damaged"
    got, detail = native_cache.load_bundled(tmp_path, [], _runs_all(levels), load)
    assert got is None and detail.startswith(f"no bundled build in {tmp_path} runs here")


def _runs_all(levels) -> str:
    """A flags line with every flag the levels need."""
    return "flags : " + " ".join(n.split("|")[0] for lv in levels for n in lv.needs)
