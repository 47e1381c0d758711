"""The sound-vs-picture timing choice (`--av-sync auto|off|MS`): a row of the Prepare dialog, and the
clip viewer's dialog that changes it for a prepared clip."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.dialog_buttons import ok_cancel
from ui.translation import tr

SYNC_MODES = ("auto", "off", "fixed")  # item data of the choices, in order


class SoundSyncChoice(QWidget):
    """Measure and correct / keep the file's timing / a fixed offset in ms (enabled for the last)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox(self)
        for label, mode in zip(
            ("Measure and correct", "Keep the file's timing", "Fixed offset"), SYNC_MODES, strict=True
        ):
            self.mode.addItem(label, mode)
        self.ms = QSpinBox(self)
        self.ms.setRange(-1000, 1000)
        self.ms.setSingleStep(10)
        self.ms.setSuffix(" ms")
        self.ms.setToolTip(tr("How far the sound runs behind the picture (negative: ahead of it)."))
        self.ms.setEnabled(False)
        self.mode.currentIndexChanged.connect(lambda _=0: self.ms.setEnabled(self.current_mode() == "fixed"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.mode, 1)
        row.addWidget(self.ms)

    def current_mode(self) -> str:
        return str(self.mode.currentData())

    def value(self) -> str | float:
        """'auto', 'off' or the fixed offset in ms."""
        return float(self.ms.value()) if self.current_mode() == "fixed" else self.current_mode()

    def set_value(self, value: str | float) -> None:
        if isinstance(value, str):
            self.mode.setCurrentIndex(self.mode.findData(value))
        else:
            self.ms.setValue(round(value))
            self.mode.setCurrentIndex(self.mode.findData("fixed"))


class SoundSyncDialog(QDialog):
    """Change a prepared clip's sound timing without preparing it again (`dhstudio clip sync`)."""

    def __init__(self, clip: str, now: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Sound timing of '{clip}'").format(clip=clip))
        self.now = QLabel(now, self)
        self.now.setWordWrap(True)
        self.choice = SoundSyncChoice(self)
        form = QFormLayout()
        form.addRow("Now:", self.now)
        form.addRow("Sound sync:", self.choice)
        note = QLabel(
            "Training, evaluation and export use the new timing from their next run; "
            "avatars trained on this clip before keep the timing they learned.",
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("hint")
        buttons = ok_cancel(self, "Apply")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
