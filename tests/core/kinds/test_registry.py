"""The avatar-kind registry: every kind resolves, offers what it says, and refuses the rest clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config.loader import read_toml, validate
from core.jobs.errors import BadInput
from core.jobs.job import Job
from core.kinds.registry import all_kinds, avatar_kind, export_formats, kind_names, kind_of_run
from core.kinds.requests import EvalRequest, ExportRequest, RenderRequest
from core.train.run_folder import RunFolder

PRESETS = Path(__file__).resolve().parents[3] / "training_jobs"


def test_every_registered_kind_loads_and_validates_its_presets():
    kinds = all_kinds()
    assert [k.name for k in kinds] == list(kind_names()) == ["audio2mouth", "dinet", "gaussian"]
    seen = set()
    for job in sorted(PRESETS.glob("*.toml")):
        raw = read_toml(job)
        if "kind" not in raw:  # ablation suites list configurations, not one job
            continue
        kind = avatar_kind(raw["kind"], str(job))
        assert validate(kind.config_model, raw, job).model_dump(mode="json")
        seen.add(kind.name)
    assert seen == set(kind_names())
    assert all(k.title and k.description for k in kinds)


def test_unknown_kind_names_the_source_and_the_allowed_names():
    with pytest.raises(
        BadInput, match=r"job\.toml: field 'kind' is 'nerf'; allowed: audio2mouth, dinet, gaussian"
    ):
        avatar_kind("nerf", "job.toml")


def test_lookups_build_real_jobs_or_refuse_with_what_the_kind_offers(tmp_path: Path):
    run = tmp_path / "run"
    lipsync, gaussian, mouth = avatar_kind("dinet"), avatar_kind("gaussian"), avatar_kind("audio2mouth")
    a2m = tmp_path / "a2m"
    assert isinstance(lipsync.eval_job(EvalRequest(run)), Job)
    assert isinstance(gaussian.eval_job(EvalRequest(run)), Job)
    render = RenderRequest(run, tmp_path / "a.wav", tmp_path / "o.mp4", audio_run=a2m)
    assert isinstance(lipsync.render_job(render), Job)
    assert isinstance(gaussian.render_job(render), Job)
    for kind in (lipsync, gaussian):  # driven by speech: no audio model, no render job
        with pytest.raises(BadInput, match=f"rendering a {kind.title} needs an audio-to-mouth run"):
            kind.render_job(RenderRequest(run, tmp_path / "a.wav", tmp_path / "o.mp4"))
    assert isinstance(gaussian.export_job("ply", ExportRequest(run, tmp_path / "out")), Job)
    with pytest.raises(BadInput, match="cannot be exported as 'ply'; formats for this kind: bundle, onnx"):
        lipsync.export_job("ply", ExportRequest(run, tmp_path / "out"))
    with pytest.raises(BadInput, match="cannot be rendered; this kind offers: export onnx, export onnx-int8"):
        mouth.render_job(render)
    with pytest.raises(BadInput, match=r"cannot be evaluated; .*dhstudio eval-audio --project PROJECT"):
        mouth.eval_job(EvalRequest(a2m))  # the message says where an audio model's scores are
    assert "ply" in export_formats() and export_formats()["ply"] == ("gaussian",)


def test_kind_of_run_reads_the_status_and_names_damaged_folders(tmp_path: Path):
    run = RunFolder(tmp_path / "r").create("gaussian", {"kind": "gaussian"})
    assert kind_of_run(run.path).name == "gaussian"
    (run.path / "status.json").write_text("{not json")
    with pytest.raises(BadInput, match=r"status\.json is damaged \(Expecting property name"):
        kind_of_run(run.path)
    (run.path / "status.json").unlink()
    with pytest.raises(BadInput, match=r"is not a training run \(it has no status\.json\)"):
        kind_of_run(run.path)
    with pytest.raises(BadInput, match="is not a run folder"):
        kind_of_run(tmp_path / "missing")


def test_only_3d_scene_kinds_offer_the_training_viewport():
    assert {spec.name for spec in all_kinds() if spec.viewport} == {"gaussian"}
