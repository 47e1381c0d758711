"""A failed prepare, remembered in the project: prepared/<clip>/prepare_failed.json.

The prepare job writes it when it fails (bad input or an error, not a cancel), so every runner's
failures are kept — `dhstudio prepare` as well as the GUI's — and the media panel shows the reason
on the clip's card after a restart. A successful prepare replaces the clip folder as a whole
(`core.io.atomic.atomic_dir`), which clears the record; renaming or removing a clip moves or
deletes it with the folder. Next to a complete clip (a failed re-prepare) the old clip stays usable.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

from core.io import atomic

FAILURE_FILE = "prepare_failed.json"


def failure_path(clip_dir: Path | str) -> Path:
    return Path(clip_dir) / FAILURE_FILE


def record_failure(clip_dir: Path | str, message: str, video: Path | str, bad_input: bool) -> None:
    """Write the record; a disk that refuses it must not hide the failure being reported."""
    record = {
        "schema": 1,
        "error": message,
        "bad_input": bad_input,
        "video": str(video),
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with contextlib.suppress(OSError):
        Path(clip_dir).mkdir(parents=True, exist_ok=True)
        atomic.write_json(failure_path(clip_dir), record)


def read_failure(clip_dir: Path | str) -> str:
    """The last prepare's error for this clip ("" when it did not fail or the record is unreadable)."""
    try:
        error = json.loads(failure_path(clip_dir).read_text(encoding="utf-8")).get("error", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return error if isinstance(error, str) else ""
