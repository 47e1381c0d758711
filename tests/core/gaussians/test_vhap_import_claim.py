"""`dhstudio import-vhap` replaces a clip folder: like prepare it is refused while a job reads that clip."""

from __future__ import annotations

from core.gaussians.mesh.vhap_clip import VhapImportJob
from core.io.claim import reading
from core.jobs.collector import CollectingRunner


def test_an_import_over_a_clip_a_training_reads_is_refused_and_changes_nothing(tmp_path):
    clip = tmp_path / "prepared" / "head"
    clip.mkdir(parents=True)
    (clip / "manifest.json").write_text("{}")
    with reading(clip, "training", "start the training"):
        result = CollectingRunner().run(VhapImportJob(tmp_path / "dataset", clip))
    assert result.bad_input, result.error
    assert result.error.startswith("'head' is in use: its training is running in another studio window")
    assert result.error.endswith("then import 'head' again.")
    assert [p.name for p in clip.iterdir()] == ["manifest.json"]
    assert [p.name for p in clip.parent.iterdir()] == ["head"]  # no marker left behind
    # free again: the import itself now says what is wrong with the dataset
    result = CollectingRunner().run(VhapImportJob(tmp_path / "dataset", clip))
    assert result.bad_input and "in use" not in result.error
