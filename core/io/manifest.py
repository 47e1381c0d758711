"""A clip folder's manifest.json, read with errors that say what the folder is not and how to redo it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.jobs.errors import BadInput
from core.jobs.message import Text

MANIFEST = "manifest.json"


def read_manifest(folder: Path, missing: str, redo: str) -> tuple[Path, dict[str, Any]]:
    """(the manifest's path, its JSON); BadInput "FOLDER {missing}" without one, and
    "MANIFEST is corrupt (why); {redo}" when it is no JSON."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BadInput(Text("{folder} {missing}", folder=folder, missing=missing))
    try:
        return path, json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(Text("{path} is corrupt ({exc}); {redo}", path=path, exc=exc, redo=redo)) from None
