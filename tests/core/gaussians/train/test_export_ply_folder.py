"""The PLY export treats its folder like every other export: an existing folder is kept unless
`force`, and a replaced folder holds only the new export (it used to write into whatever was there,
so a frame-2 export beside an older frame-0 one left both)."""

from __future__ import annotations

from core.jobs.collector import CollectingRunner
from core.kinds.registry import kind_of_run
from core.kinds.requests import ExportRequest


def _export(run, out, frame, force):
    job = kind_of_run(run).export_job("ply", ExportRequest(run, out, frame=frame, force=force))
    return CollectingRunner().run(job)


def test_ply_export_keeps_or_replaces_the_whole_folder(gp, tmp_path):
    out = tmp_path / "ply"
    first = _export(gp.gaussian_run, out, 0, False)
    assert first.ok, first.error
    assert [p.parent for p in first.value] == [out] * 3 and all(p.is_file() for p in first.value)
    names = sorted(p.name for p in out.iterdir())

    again = _export(gp.gaussian_run, out, 1, False)
    assert not again.ok and again.bad_input and "already exists" in again.error
    assert sorted(p.name for p in out.iterdir()) == names

    replaced = _export(gp.gaussian_run, out, 1, True)
    assert replaced.ok, replaced.error
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in replaced.value)
    assert not any("frame00000" in p.name for p in out.iterdir())
    assert not any(p.name.endswith(".partial") for p in tmp_path.iterdir())
