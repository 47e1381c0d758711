"""Where the user's FLAME model files are looked for: one definition for import, training and doctor.

Kept free of torch so that the CLI can name the places in its help without loading the FLAME model code.
"""

from __future__ import annotations

from pathlib import Path

FLAME_DIR_ENV = "DHSTUDIO_FLAME_DIR"  # environment variable naming the folder of the model files
DEFAULT_FLAME_DIR = Path.home() / ".dhstudio" / "flame"
