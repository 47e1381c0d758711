"""In Simplified Chinese no visible text of the main window is still English.

A screenshot of the zh_CN window (a project with a clip, Media and Training tabs, the Live dock)
showed dozens of English texts: static labels missing from the catalogue, placeholders and plot
titles the language pass never visited, and texts the controllers set after it ("Idle", the
lookahead note, the microphone message). This opens the real window as the screenshot tool does,
switches language, visits every tab and collects what a user reads.
"""

from __future__ import annotations

import re
import shutil

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTabWidget,
    QTextEdit,
    QWidget,
)

# Texts that are the same in every language, with why.
ALLOWED = [
    (r"[\d\s.,:%/×x+\-–—·()]*", "numbers, units-free readouts, dashes"),
    (r"[\d.\s–-]*\s*(fps|ms|dBFS|px|s|Hz|MB|GB|%)", "a number with its unit"),
    (r"fps\s*[\d.–-]*", "the frame-rate unit"),
    (r"(cpu|cuda|auto|mps)", "device names as torch spells them"),
    (r"(ONNX|ONNX Runtime|PLY|TorchScript|PyTorch|onnx|torch|onnxruntime)", "format and runtime names"),
    (r"[\w.\-]+\.(mp4|wav|toml|ply|onnx|json|png|mov)", "file names"),
    (r"[\w\s.\-]*[/\\][\w/\\.\- ]*", "paths"),
    (
        r"[a-z][a-z0-9_]*( [a-z][a-z0-9_]*)*",
        "preset and run names (dinet_attention), as written in their files",
    ),
    (r"\d+-[\w\-]+", "run names (numbered run folders)"),
    (r"talk", "the clip's own name"),
    (r"[A-Z]{1,4}", "abbreviations and colour-channel letters"),
]
_ALLOWED = [re.compile(rf"\s*(?:{p})\s*", re.IGNORECASE if "fps" in p else 0) for p, _ in ALLOWED]


def _english(text: str) -> bool:
    """Latin letters and no Chinese (ellipses and middle dots aside), not matching an allowed form."""
    text = re.sub(r"<[^>]+>|&nbsp;|&amp;|&[a-z]+;", " ", text).replace("&", "").strip()
    if not text or re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text):
        return False
    if not re.search(r"[A-Za-z]", text):
        return False
    return not any(p.fullmatch(text) for p in _ALLOWED)


def _plot_titles(root: QWidget) -> list[tuple[str, str]]:
    import pyqtgraph as pg

    found = []
    for plot in root.findChildren(pg.PlotWidget):
        if plot.isVisible():
            item = plot.getPlotItem()
            found.append(("plot title", item.titleLabel.text if item.titleLabel.isVisible() else ""))
            for side in ("left", "bottom"):
                axis = item.getAxis(side)
                if axis.isVisible():
                    found.append(("axis label", axis.labelText))
    return found


def _visible_texts(root: QWidget) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        name = type(w).__name__
        if isinstance(w, (QLabel, QAbstractButton)):
            found.append((name, w.text()))
        elif isinstance(w, QGroupBox):
            found.append((name, w.title()))
        elif isinstance(w, QTabWidget):
            found += [(name, w.tabText(i)) for i in range(w.count())]
        elif isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
            found.append((name + " placeholder", w.placeholderText()))
        elif isinstance(w, QComboBox):
            found.append((name, w.currentText()))
        elif isinstance(w, QTableWidget):
            headers = [w.horizontalHeaderItem(c) for c in range(w.columnCount())]
            found += [(name + " header", h.text()) for h in headers if h is not None]
        if isinstance(w, QAbstractSpinBox) and w.text() == w.specialValueText():
            found.append((name, w.specialValueText()))
    return found + _plot_titles(root)


def _config_words() -> set[str]:
    """Every settings label (a TOML key, spaced) and group title (a TOML table, capitalised)."""
    from core.kinds.registry import all_kinds
    from studio.gui import config_fields as cf

    words: set[str] = set()
    for kind in all_kinds():
        for spec in cf.field_specs(kind.config_model):
            words.add(spec.label)
            words.update(c.replace("_", " ") for c in spec.stage_columns)
            if spec.group:
                words.add(spec.group.replace("_", " ").replace(".", " / ").capitalize())
    return words


def test_every_training_setting_has_a_chinese_label(qapp):
    """The settings forms of every avatar family, including fields added later (their TOML key
    stays in each label's tooltip)."""
    from studio.gui import i18n

    assert i18n.set_language(qapp, "zh_CN")
    try:
        untranslated = sorted(w for w in _config_words() if i18n.tr(w) == w)
    finally:
        i18n.set_language(qapp, "en")
    assert not untranslated, f"no zh_CN translation in resources/i18n/dhstudio_zh_CN.ts: {untranslated}"


@pytest.fixture
def zh_studio(qapp, full_studio, tmp_path, talking_clip):
    from core.train.run_folder import RunFolder, RunState
    from studio.project import create_project

    w, main, panels = full_studio
    w.resize(1366, 700)
    project = create_project(tmp_path / "Demo")
    shutil.copyfile(talking_clip, project.media_dir / "talk.mp4")
    run = RunFolder(project.root / "runs" / "1-dinet").create("dinet", {}, source="train", job="dinet")
    run.set_status(RunState.FINISHED)  # a finished avatar: the Live and Render panels list it
    main.set_project(project)
    panels.apply_preferences(panels.prefs.__class__(language="zh_CN"))
    return w, main, panels


def test_every_visible_text_of_the_main_window_is_in_simplified_chinese(qapp, qtbot, zh_studio):
    w, _main, panels = zh_studio
    qtbot.waitUntil(lambda: "256×256" in w.media_view.cards["talk"].details.text(), timeout=10000)
    w.jobs_dock.show()
    panels.live_dock.show()
    english: dict[str, set[str]] = {}

    def collect(where: str) -> None:
        qapp.processEvents()
        for kind, text in _visible_texts(w):
            if _english(text):
                english.setdefault(text, set()).add(f"{where}/{kind}")

    def visit(i: int) -> None:
        w.tabs.setCurrentIndex(i)
        collect(w.tabs.tabText(i))
        for tabs in w.tabs.widget(i).findChildren(QTabWidget):  # the training panel's own tabs
            for j in range(tabs.count()):
                tabs.setCurrentIndex(j)
                collect(f"{w.tabs.tabText(i)}>{tabs.tabText(j)}")

    for i in range(w.tabs.count()):
        visit(i)
    family = w.training_view.family
    for k in range(1, family.count()):  # each family builds its own settings tabs and plots
        family.setCurrentIndex(k)
        visit(w.tabs.indexOf(w.training_view))
    listed = "\n".join(f"  {t!r}  ({', '.join(sorted(where))})" for t, where in sorted(english.items()))
    assert not english, f"{len(english)} texts still English in zh_CN:\n{listed}"


def test_switching_back_to_english_restores_headers_items_placeholders_and_plot_titles(qapp, zh_studio):
    w, _main, panels = zh_studio
    view = w.training_view
    w.tabs.setCurrentWidget(view)  # the training panel fills itself when first shown
    qapp.processEvents()
    assert w.runs_view.table.horizontalHeaderItem(0).text() == "运行"
    assert view.family.itemText(0) == "音频到口型模型"
    assert view.plot.plots["Losses"].titleLabel.text == "损失"
    panels.apply_preferences(panels.prefs.__class__())
    assert w.runs_view.table.horizontalHeaderItem(0).text() == "Run"
    assert (
        view.clip.itemText(0) == "All clips" and view.diff.placeholderText() == "No changes from the preset"
    )
    assert view.plot.plots["Losses"].titleLabel.text == "Losses"
    assert view.max_steps.specialValueText() == "schedule"
    assert w.status_label.text().startswith("Project: ")
