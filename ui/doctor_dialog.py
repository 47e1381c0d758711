"""A read-only table of the machine's capabilities (rows come from `dhstudio doctor`'s checks)."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


class DoctorDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Doctor: what this machine can do")
        self.resize(900, 480)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Capability", "Status", "Detail"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # details wrap in the width left
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Close")  # the catalogue's text
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def set_rows(self, rows: list[tuple[str, bool, str]]) -> None:
        self.table.setRowCount(len(rows))
        for i, (name, ok, detail) in enumerate(rows):
            status = QTableWidgetItem("ok" if ok else "no")
            status.setForeground(QColor("#2e7d32" if ok else "#c62828"))
            for j, item in enumerate((QTableWidgetItem(name), status, QTableWidgetItem(detail))):
                self.table.setItem(i, j, item)
        self.table.resizeRowsToContents()  # the header's modes size the columns (details stretch)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Row heights follow the wrapped details: the stretched column's width is only final once
        the dialog is laid out, and changes as the user resizes it."""
        super().resizeEvent(event)
        self.table.resizeRowsToContents()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.table.resizeRowsToContents()
