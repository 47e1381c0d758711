"""A run folder: resolved config, status, checkpoints, metrics.jsonl, tb/, previews/, log."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from core.config.loader import to_toml
from core.io import atomic

STATUS_FILE = "status.json"


class RunFolder:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._tb = None
        self._log_handler: logging.Handler | None = None

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    @property
    def previews(self) -> Path:
        return self.path / "previews"

    @property
    def metrics_path(self) -> Path:
        return self.path / "metrics.jsonl"

    def create(self, kind: str, config: dict[str, Any], source: str = "") -> RunFolder:
        for p in (self.path, self.checkpoints, self.previews):
            p.mkdir(parents=True, exist_ok=True)
        atomic.write_text(self.path / "config.toml", to_toml(config))
        self.set_status("created", kind=kind, source=source)
        return self

    def read_status(self) -> dict[str, Any]:
        try:
            return json.loads((self.path / STATUS_FILE).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def set_status(self, state: str, **extra: Any) -> None:
        status = self.read_status()
        status.update(extra)
        status["state"] = state
        status["updated"] = time.time()
        atomic.write_json(self.path / STATUS_FILE, status)

    @property
    def kind(self) -> str:
        return str(self.read_status().get("kind", ""))

    def log_metric(self, name: str, step: int, value: float) -> None:
        with open(self.metrics_path, "a", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"name": name, "step": int(step), "value": float(value), "time": time.time()})
                + "\n"
            )
        tb = self._tensorboard()
        if tb is not None:
            tb.add_scalar(name, float(value), int(step))

    def read_metrics(self) -> list[dict[str, Any]]:
        if not self.metrics_path.is_file():
            return []
        rows = []
        for line in self.metrics_path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash mid-append
        return rows

    def save_preview(self, name: str, image_rgb: np.ndarray, step: int) -> Path:
        import cv2

        ok, png = cv2.imencode(".png", np.ascontiguousarray(image_rgb[..., ::-1]))
        if not ok:
            raise RuntimeError("PNG encoding failed")
        path = self.previews / f"{name}_{step:07d}.png"
        atomic.write_bytes(path, png.tobytes())
        tb = self._tensorboard()
        if tb is not None:
            tb.add_image(name, image_rgb, int(step), dataformats="HWC")
        return path

    def attach_log(self, level: int = logging.INFO) -> None:
        handler = logging.FileHandler(self.path / "log.txt", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.setLevel(level)
        logging.getLogger().addHandler(handler)
        if logging.getLogger().level > level:
            logging.getLogger().setLevel(level)
        self._log_handler = handler

    def close(self) -> None:
        if self._tb is not None:
            self._tb.close()
            self._tb = None
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None

    def _tensorboard(self):
        if self._tb is None:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                return None
            self._tb = SummaryWriter(log_dir=str(self.path / "tb"))
        return self._tb


def newest_run(runs_dir: Path, kind: str, state: str = "finished") -> Path | None:
    """The most recently updated run of `kind` in `state`, or None."""
    if not runs_dir.is_dir():
        return None
    best: tuple[float, Path] | None = None
    for p in runs_dir.iterdir():
        status = RunFolder(p).read_status()
        if status.get("kind") == kind and status.get("state") == state:
            t = float(status.get("updated", 0))
            if best is None or t > best[0]:
                best = (t, p)
    return best[1] if best else None
