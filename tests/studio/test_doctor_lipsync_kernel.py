"""`dhstudio doctor` says whether DINet mini renders on its fused C++ kernel, and why not."""

from __future__ import annotations

from core.lipsync import native_mini
from tests.core.lipsync.native_fixture import native_mini_module  # noqa: F401 (fixture)


def test_doctor_reports_the_kernel(native_mini_module):  # noqa: F811
    from studio import doctor

    assert doctor._check_lipsync_kernel in doctor.CHECKS
    row = doctor._check_lipsync_kernel()
    assert row.name == "DINet mini kernel" and row.ok and "fused C++ kernel" in row.detail


def test_doctor_says_why_the_kernel_is_missing(tmp_path, monkeypatch):
    from studio import doctor

    missing = native_mini.NativeStatus(*native_mini.EXTENSION.load_module(tmp_path, fresh=True))
    monkeypatch.setattr(native_mini, "status", lambda: missing)
    row = doctor._check_lipsync_kernel()
    assert not row.ok and "ONNX Runtime fallback" in row.detail
    assert native_mini.EXTENSION.build_command in row.detail
