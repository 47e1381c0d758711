"""A form for one training configuration, built from a list of field descriptions.

The view knows nothing about the config models: the controller describes each field
(:class:`FieldSpec`), the form builds one control per field (tab per top-level section),
reports every edit as ``edited(path, raw value)`` and shows back what the controller decided:
the validated value (:meth:`ConfigForm.set_values`, signals blocked so nothing loops) or an
inline error (:meth:`ConfigForm.set_errors`). Sliders echo the validated value, as DeepFaceLive's
adjusters do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.stage_table import StageTable

SLIDER_TICKS = 1000
ERROR_NAME = "error"  # coloured by the theme's stylesheet (resources/studio*.qss)


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: where it lives, what control edits it, and its allowed range."""

    path: str  # dotted, e.g. "densify.clone_percentile"
    label: str
    kind: str  # "bool" | "choice" | "int" | "float" | "text" | "list" | "stages"
    choices: tuple[Any, ...] = ()
    low: float | None = None  # inclusive bounds shown as the allowed range
    high: float | None = None
    optional: bool = False  # empty text means "not set"
    slider: tuple[float, float] | None = None  # purpose-made slider range (within the allowed range)
    allowed: str = ""  # the allowed range in words, shown next to an error
    stage_columns: tuple[str, ...] = ()  # kind "stages": the columns of one row

    @property
    def section(self) -> str:
        return self.path.split(".")[0]

    @property
    def group(self) -> str:
        """The sub-section inside the tab ("" for fields directly in the section)."""
        parts = self.path.split(".")
        return ".".join(parts[1:-1])


class _Field:
    """The control(s) of one field plus its error label."""

    def __init__(self, spec: FieldSpec, parent: QWidget, emit: Callable[[str, Any], None]) -> None:
        self.spec = spec
        self.widget = QWidget(parent)
        self.error = QLabel("", parent)
        self.error.setObjectName(ERROR_NAME)
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.slider: QSlider | None = None
        self.edit: QLineEdit | None = None
        self.check: QCheckBox | None = None
        self.combo: QComboBox | None = None
        self.table: StageTable | None = None
        row = QHBoxLayout(self.widget)
        row.setContentsMargins(0, 0, 0, 0)
        k = spec.kind
        if k == "bool":
            self.check = QCheckBox(self.widget)
            self.check.toggled.connect(lambda on: emit(spec.path, on))
            row.addWidget(self.check)
            row.addStretch(1)
        elif k == "choice":
            self.combo = QComboBox(self.widget)
            for c in spec.choices:
                self.combo.addItem(str(c), c)
            self.combo.currentIndexChanged.connect(lambda i: emit(spec.path, self.combo.itemData(i)))
            row.addWidget(self.combo)
            row.addStretch(1)
        elif k == "stages":
            self.table = StageTable(spec.stage_columns, self.widget)
            self.table.edited.connect(lambda rows: emit(spec.path, rows))
            row.addWidget(self.table)
        else:
            if spec.slider is not None:
                self.slider = QSlider(Qt.Orientation.Horizontal, self.widget)
                self.slider.setRange(0, SLIDER_TICKS)
                self.slider.setMinimumWidth(160)
                self.slider.valueChanged.connect(lambda t: emit(spec.path, self._from_ticks(t)))
                row.addWidget(self.slider, 1)
            self.edit = QLineEdit(self.widget)
            self.edit.setMaximumWidth(110 if spec.slider or k in ("int", "float") else 16777215)
            if spec.allowed:
                self.edit.setToolTip(f"allowed: {spec.allowed}")
            self.edit.textEdited.connect(lambda text: emit(spec.path, self._parse(text)))
            row.addWidget(self.edit, 0 if spec.slider else 1)
            if k in ("int", "float") and not spec.slider:
                row.addStretch(1)

    def _from_ticks(self, ticks: int) -> float | int:
        lo, hi = self.spec.slider  # type: ignore[misc]
        value = lo + (hi - lo) * ticks / SLIDER_TICKS
        return round(value) if self.spec.kind == "int" else round(value, 4)

    def _to_ticks(self, value: float) -> int:
        lo, hi = self.spec.slider  # type: ignore[misc]
        return round((min(max(value, lo), hi) - lo) / (hi - lo) * SLIDER_TICKS)

    def _parse(self, text: str) -> Any:
        """Raw text as the model should see it; the model itself converts and validates."""
        text = text.strip()
        if text == "" and self.spec.optional:
            return None
        if self.spec.kind == "list":
            return [t.strip() for t in text.strip("[]()").split(",") if t.strip()]
        return text

    def show(self, value: Any) -> None:
        """Show the validated value without emitting an edit."""
        for w in (self.check, self.combo, self.slider, self.edit, self.table):
            if w is not None:
                w.blockSignals(True)
        try:
            if self.check is not None:
                self.check.setChecked(bool(value))
            if self.combo is not None:
                self.combo.setCurrentIndex(max(0, self.combo.findData(value)))
            if self.table is not None:
                self.table.set_rows(list(value or []))
            if self.slider is not None and value is not None:
                self.slider.setValue(self._to_ticks(float(value)))
            if self.edit is not None:
                self.edit.setText(format_value(value))
        finally:
            for w in (self.check, self.combo, self.slider, self.edit, self.table):
                if w is not None:
                    w.blockSignals(False)

    def show_slider_only(self, value: Any) -> None:
        """Echo a validated value to the slider, leaving the text the user is typing alone."""
        if self.slider is not None and value is not None:
            self.slider.blockSignals(True)
            self.slider.setValue(self._to_ticks(float(value)))
            self.slider.blockSignals(False)

    def set_error(self, message: str) -> None:
        if message and self.spec.allowed and self.spec.allowed not in message:
            message = f"{message} (allowed: {self.spec.allowed})"
        self.error.setText(message)
        self.error.setVisible(bool(message))


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class ConfigForm(QWidget):
    """Tabs of fields; ``edited(path, value)`` on every user edit."""

    edited = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget(self)
        self.general_error = QLabel("", self)
        self.general_error.setObjectName(ERROR_NAME)
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.general_error)
        self.fields: dict[str, _Field] = {}

    def build(self, specs: list[FieldSpec]) -> None:
        """Replace every control with one per spec (a new family was chosen)."""
        current = self.tabs.currentIndex()
        self.tabs.clear()
        self.fields = {}
        pages: dict[str, tuple[QWidget, QVBoxLayout, dict[str, QFormLayout]]] = {}
        for spec in specs:
            if spec.section not in pages:
                page = QWidget()
                outer = QVBoxLayout(page)
                pages[spec.section] = (page, outer, {})
                scroll = QScrollArea(self.tabs)
                scroll.setWidgetResizable(True)
                scroll.setWidget(page)
                self.tabs.addTab(scroll, spec.section.replace("_", " ").capitalize())
            page, outer, groups = pages[spec.section]
            if spec.group not in groups:
                if spec.group:
                    box = QGroupBox(spec.group.replace("_", " ").replace(".", " / ").capitalize(), page)
                    groups[spec.group] = QFormLayout(box)
                    outer.addWidget(box)
                else:
                    form = QFormLayout()
                    outer.insertLayout(0, form)
                    groups[""] = form
            field = _Field(spec, page, self.edited.emit)
            label = QLabel(spec.label, page)
            label.setToolTip(spec.path)  # the TOML key, for --set and the file, in every language
            groups[spec.group].addRow(label, field.widget)
            groups[spec.group].addRow("", field.error)
            self.fields[spec.path] = field
        for _page, outer, _ in pages.values():
            outer.addStretch(1)
        if 0 <= current < self.tabs.count():
            self.tabs.setCurrentIndex(current)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        """Never narrower than the tab bar: a splitter beside it then leaves every tab whole (Qt's
        own minimum is one tab and two scroll arrows). Asked again whenever a tab text changes."""
        hint = super().minimumSizeHint()
        bar = self.tabs.tabBar()
        frame = 2 * self.tabs.style().pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth)
        need = sum(bar.tabSizeHint(i).width() for i in range(bar.count())) + frame
        return QSize(max(hint.width(), need), hint.height())

    def set_values(self, values: dict[str, Any]) -> None:
        """``values``: dotted path -> validated value, shown with signals blocked."""
        for path, value in values.items():
            if path in self.fields:
                self.fields[path].show(value)

    def set_errors(self, errors: dict[str, str], general: str = "") -> None:
        """Inline messages per dotted path; ``general`` for errors that belong to no single field."""
        for path, field in self.fields.items():
            field.set_error(errors.get(path, ""))
        self.general_error.setText(general)
        self.general_error.setVisible(bool(general))

    def select_field(self, path: str) -> None:
        """Show the tab holding ``path`` (used to bring an error into view)."""
        field = self.fields.get(path)
        if field is None:
            return
        for i in range(self.tabs.count()):
            scroll = self.tabs.widget(i)
            if isinstance(scroll, QScrollArea) and scroll.widget().isAncestorOf(field.widget):
                self.tabs.setCurrentIndex(i)
                return
