"""Exporting a run again from the Export menu: the dialog's default folder is the previous export's.

The studio asks whether to replace it (as "Prepare again" does); it used to start the job, which
failed with the command line's words: "... already exists; choose another --out or pass --force".
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox


def _export_ply(qtbot, panels, out):
    panels.export.actions["ply"].trigger()
    dialog = panels.export.dialog
    dialog.out_edit.setText(str(out))
    with qtbot.waitSignal(panels.export.exported, timeout=60_000) as done:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return done.args


def test_exporting_into_an_existing_folder_asks_to_replace_it(qtbot, full_studio, tmp_path, gp, answers):
    _, main, panels = full_studio
    assert main.open_path(gp.root)
    out = tmp_path / "ply"
    result, _ = _export_ply(qtbot, panels, out)
    assert result.ok and not answers.questions  # a new folder: nothing to ask
    first = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    answers.ask = False  # keep the old export: nothing starts, nothing is changed
    panels.export.actions["ply"].trigger()
    dialog = panels.export.dialog
    dialog.out_edit.setText(str(out))
    with qtbot.assertNotEmitted(panels.export.exported, wait=200):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert panels.export.thread is None
    assert len(answers.questions) == 1 and str(out) in answers.questions[0]
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == first

    answers.ask = True  # replace it
    result, report = _export_ply(qtbot, panels, out)
    assert result.ok, result.error
    assert "--force" not in report.text.toPlainText()
    assert len(answers.questions) == 2
    assert {p.name for p in out.iterdir()} == set(first)
    assert all(p.stat().st_mtime_ns > first[p.name] for p in out.iterdir())
