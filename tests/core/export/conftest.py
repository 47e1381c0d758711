"""Session fixture: tiny trained runs of every exportable kind (see runs_fixture.py)."""

from __future__ import annotations

import pytest

from tests.core.export.runs_fixture import ExportRuns, build_export_runs
from tests.core.lipsync.prepared_fixture import tiny_project_root


@pytest.fixture(scope="session")
def export_runs(tmp_path_factory) -> ExportRuns:
    return build_export_runs(tiny_project_root(tmp_path_factory))
