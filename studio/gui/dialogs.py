"""The questions and messages the controllers put to the user, in one place.

Controllers call these instead of the QMessageBox/QFileDialog statics so tests can answer them
(monkeypatch one function) and every message reads the same way. Titles are fixed English texts,
shown in the interface language (the catalogue holds them); messages come composed, an engine
message (`core.jobs.message.Text`) translated here (`ui.translation.tr_message`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from ui.translation import tr, tr_message

VIDEO_FILTER = "Videos (*.mp4 *.mov *.mkv *.avi *.webm *.m4v);;All files (*)"
AUDIO_FILTER = "Audio (*.wav *.mp3 *.m4a *.flac *.ogg *.aac);;All files (*)"


def warn(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.warning(parent, tr(title), tr_message(message))


def inform(parent: QWidget | None, title: str, message: str) -> None:
    QMessageBox.information(parent, tr(title), tr_message(message))


def ask(parent: QWidget | None, title: str, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        tr(title),
        tr_message(question),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def text(parent: QWidget | None, title: str, label: str, value: str) -> str | None:
    got, ok = QInputDialog.getText(parent, tr(title), label, QLineEdit.EchoMode.Normal, value)
    return got.strip() if ok and got.strip() else None


def open_files(parent: QWidget | None, title: str, filter_: str) -> list[Path]:
    return [Path(p) for p in QFileDialog.getOpenFileNames(parent, title, "", filter_)[0]]


def open_file(parent: QWidget | None, title: str, filter_: str) -> Path | None:
    path = QFileDialog.getOpenFileName(parent, title, "", filter_)[0]
    return Path(path) if path else None


def save_folder(parent: QWidget | None, title: str) -> Path | None:
    path = QFileDialog.getSaveFileName(parent, title)[0]
    return Path(path) if path else None


def existing_folder(parent: QWidget | None, title: str) -> Path | None:
    path = QFileDialog.getExistingDirectory(parent, title)
    return Path(path) if path else None
