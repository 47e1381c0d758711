"""A clip folder's manifest: read, missing, or corrupt, each error naming the folder or file and the fix."""

from __future__ import annotations

import pytest

from core.io.manifest import read_manifest
from core.jobs.errors import BadInput


def test_reads_the_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text('{"schema": 3}', encoding="utf-8")
    assert read_manifest(tmp_path, "is no clip", "redo it") == (tmp_path / "manifest.json", {"schema": 3})


def test_missing_and_corrupt_manifests_are_bad_input(tmp_path):
    with pytest.raises(BadInput, match=f"^{tmp_path} is no clip$"):
        read_manifest(tmp_path, "is no clip", "redo it")
    (tmp_path / "manifest.json").write_text('{"schema": ', encoding="utf-8")
    with pytest.raises(BadInput, match=r"manifest.json is corrupt \(.*\); redo it$"):
        read_manifest(tmp_path, "is no clip", "redo it")
