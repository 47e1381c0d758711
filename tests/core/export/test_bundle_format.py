"""What a bundle can run on: its own ONNX graphs, so commands refuse a PyTorch backend for it."""

from __future__ import annotations

import pytest

from core.export.bundle_format import check_bundle_backend
from core.jobs.errors import BadInput


def test_a_bundle_takes_only_its_own_onnx_backend(tmp_path):
    for ok in ("auto", "onnx"):
        check_bundle_backend(ok, tmp_path)
    for wrong in ("torch", "torchscript"):
        with pytest.raises(BadInput, match=f"--backend {wrong} cannot apply.*run folder"):
            check_bundle_backend(wrong, tmp_path)
