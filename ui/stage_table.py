"""The resolution-stage table: one row per training stage, add/remove/reorder, multi-scale in one click.

Rows are plain dicts (column -> text or number); the controller validates them with the config
model and shows them back with :meth:`StageTable.set_rows`.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

# The coarse-to-fine schedule of training_jobs/dinet_multiscale.toml (mouth size, batch, lr).
MULTISCALE = (
    {"mouth_size": 64, "epochs": 20, "batch_size": 16, "lr_g": 1e-4},
    {"mouth_size": 96, "epochs": 15, "batch_size": 12, "lr_g": 8e-5},
    {"mouth_size": 128, "epochs": 15, "batch_size": 8, "lr_g": 6e-5},
    {"mouth_size": 160, "epochs": 10, "batch_size": 6, "lr_g": 4e-5},
)


class StageTable(QWidget):
    edited = Signal(list)  # list[dict[str, Any]]: every row, after any change

    def __init__(self, columns: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.table = QTableWidget(0, len(columns), self)
        self.table.setHorizontalHeaderLabels([c.replace("_", " ") for c in columns])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(150)
        self.table.itemChanged.connect(lambda _item: self.edited.emit(self.rows()))
        self.add_button = QPushButton("Add stage", self)
        self.remove_button = QPushButton("Remove", self)
        self.up_button = QPushButton("Up", self)
        self.down_button = QPushButton("Down", self)
        self.multiscale_button = QPushButton("Multi-scale 64/96/128/160", self)
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.up_button.clicked.connect(lambda: self.move_row(-1))
        self.down_button.clicked.connect(lambda: self.move_row(1))
        self.multiscale_button.clicked.connect(self.use_multiscale)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.multiscale_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for r in range(self.table.rowCount()):
            row: dict[str, Any] = {}
            for c, name in enumerate(self.columns):
                item = self.table.item(r, c)
                text = item.text().strip() if item is not None else ""
                if text:
                    row[name] = text
            out.append(row)
        return out

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, name in enumerate(self.columns):
                    value = row.get(name)
                    text = (
                        "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
                    )
                    self.table.setItem(r, c, QTableWidgetItem(text))
        finally:
            self.table.blockSignals(False)

    def add_row(self) -> None:
        rows = self.rows()
        last = dict(rows[-1]) if rows else {"mouth_size": 64, "steps": 1000, "batch_size": 8, "lr_g": 1e-4}
        self._commit([*rows, last])

    def remove_row(self) -> None:
        rows = self.rows()
        if not rows:
            return
        r = self.table.currentRow()
        del rows[r if 0 <= r < len(rows) else -1]
        self._commit(rows)

    def move_row(self, delta: int) -> None:
        rows = self.rows()
        r = self.table.currentRow()
        to = r + delta
        if not (0 <= r < len(rows) and 0 <= to < len(rows)):
            return
        rows[r], rows[to] = rows[to], rows[r]
        self._commit(rows)
        self.table.selectRow(to)

    def use_multiscale(self) -> None:
        self._commit([{k: v for k, v in s.items() if k in self.columns} for s in MULTISCALE])

    def _commit(self, rows: list[dict[str, Any]]) -> None:
        self.set_rows(rows)
        self.edited.emit(self.rows())
