"""`dhstudio doctor` says whether HDR footage gets the fused tone-map kernel, and why not."""

from __future__ import annotations

from core.media import native


def test_doctor_reports_the_kernel_and_why_it_is_missing(tmp_path, monkeypatch):
    from studio import doctor

    assert doctor._check_hdr_tonemap in doctor.CHECKS
    monkeypatch.setattr(native, "status", lambda: native.load(tmp_path))
    row = doctor._check_hdr_tonemap()
    assert row.name == "HDR tone-map kernel" and not row.ok and native.BUILD_COMMAND in row.detail
