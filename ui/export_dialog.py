"""Export dialogs: choose run, folder and options for one format; then show the validation report.

Layout only; `studio.gui.export_controller.ExportController` fills them and runs the job.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.dialog_buttons import ok_cancel


class ExportDialog(QDialog):
    def __init__(self, fmt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self.setWindowTitle(f"Export as {fmt}")
        self.setMinimumWidth(520)
        self.run_combo = QComboBox(self)
        self.out_edit = QLineEdit(self)
        self.browse_button = QPushButton("Browse…", self)
        self.frame_spin = QSpinBox(self)
        self.frame_spin.setRange(0, 100000)
        self.frame_spin.setToolTip("clip frame to pose a Gaussian avatar on")
        self.force_check = QCheckBox("Replace the folder if it exists", self)
        self.options_edit = QPlainTextEdit(self)
        self.options_edit.setPlaceholderText("format options, one per line: name = value")
        self.options_edit.setMaximumHeight(100)
        self.note = QLabel("", self)
        self.note.setWordWrap(True)
        self.buttons = ok_cancel(self, "Export")
        out = QHBoxLayout()
        out.addWidget(self.out_edit, 1)
        out.addWidget(self.browse_button)
        form = self.form = QFormLayout()
        form.addRow("Run", self.run_combo)
        form.addRow("Output folder", out)
        form.addRow("Frame", self.frame_spin)
        form.addRow("", self.force_check)
        form.addRow("Options", self.options_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

    def show_format_fields(self, uses_frame: bool, option_hints: tuple[str, ...]) -> None:
        """The Frame row only where the format poses the avatar; the format's options as the hint."""
        self.form.setRowVisible(self.frame_spin, uses_frame)
        self.options_edit.setPlaceholderText(
            "\n".join(option_hints) if option_hints else "this format takes no options"
        )


class ExportReportDialog(QDialog):
    """The export's outcome: files written and its validation report (JSON or Markdown)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(680, 460)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(text)
        self.open_button = QPushButton("Open folder", self)
        self.close_button = QPushButton("Close", self)
        self.close_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.open_button)
        row.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addLayout(row)
