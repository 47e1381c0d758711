"""Synthetic FLAME model files and VHAP datasets in the real file formats (shared by the FLAME tests).

FLAME files are Python pickles (protocol 2) holding numpy arrays, a chumpy ``Ch`` (``shapedirs``)
and a scipy sparse ``J_regressor``; :func:`write_flame_files` writes them that way (a stand-in
class pickles under the name ``chumpy.ch.Ch``), so the loader must read them without chumpy.
A VHAP dataset is ``transforms_<split>.json`` + ``flame_param/<t>.npz`` + images.
"""

from __future__ import annotations

import contextlib
import json
import pickle
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import scipy.sparse

N_SHAPE = 300


class FakeCh:
    """Pickles like chumpy.ch.Ch: a __dict__ state with 'x' and chumpy's bookkeeping fields."""

    def __init__(self, x: np.ndarray) -> None:
        self.x = x
        self._dirty_vars = set()
        self._itr = None
        self._depends_on_deps = {}
        self._make_dense = False
        self._make_sparse = False


@contextlib.contextmanager
def _fake_chumpy() -> Iterator[None]:
    chumpy, chumpy_ch = types.ModuleType("chumpy"), types.ModuleType("chumpy.ch")
    FakeCh.__module__, FakeCh.__qualname__, FakeCh.__name__ = "chumpy.ch", "Ch", "Ch"
    chumpy_ch.Ch = FakeCh
    saved = {k: sys.modules.get(k) for k in ("chumpy", "chumpy.ch")}
    sys.modules.update({"chumpy": chumpy, "chumpy.ch": chumpy_ch})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v


def flame_dict(
    v_template: np.ndarray, faces: np.ndarray, weights: np.ndarray, j_reg: np.ndarray, n_expr: int, rng
) -> dict:
    """The keys of a FLAME model file (``generic_model.pkl``) for the given template and skinning."""
    v = len(v_template)
    return {
        "v_template": v_template,
        "shapedirs": FakeCh(rng.normal(size=(v, 3, N_SHAPE + n_expr)) * 0.01),
        "posedirs": rng.normal(size=(v, 3, 36)) * 0.01,
        "J_regressor": scipy.sparse.csc_matrix(j_reg),
        "weights": weights,
        "kintree_table": np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]], dtype=np.uint32),
        "f": np.asarray(faces).astype(np.uint32),
        "J": j_reg @ v_template,
        "bs_style": "lbs",
        "bs_type": "lrotmin",
    }


def write_flame_files(folder: Path, model: dict, masks: dict[str, np.ndarray] | None) -> Path:
    """``generic_model.pkl`` (+ ``FLAME_masks.pkl``) in ``folder`` as the real files are pickled."""
    folder.mkdir(parents=True, exist_ok=True)
    with _fake_chumpy():
        (folder / "generic_model.pkl").write_bytes(pickle.dumps(model, protocol=2))
    if masks is not None:
        (folder / "FLAME_masks.pkl").write_bytes(pickle.dumps(masks, protocol=2))
    return folder


def grid_head(n: int = 6, size: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """A bumpy n x n grid facing +z (a stand-in head surface: no degenerate triangles)."""
    xs = np.linspace(-size / 2, size / 2, n)
    xx, yy = np.meshgrid(xs, xs)
    verts = np.stack([xx.ravel(), yy.ravel(), 0.01 * np.cos(xx.ravel() * 30) * np.cos(yy.ravel() * 30)], -1)
    faces = []
    for r in range(n - 1):
        for c in range(n - 1):
            i = r * n + c
            faces += [(i, i + 1, i + n), (i + 1, i + n + 1, i + n)]
    return verts, np.asarray(faces, np.int64)


def gl_c2w(yaw: float, position: np.ndarray) -> np.ndarray:
    """OpenGL camera-to-world: rotated about y, looking down its -z axis."""
    c, s = np.cos(yaw), np.sin(yaw)
    m = np.eye(4)
    m[:3, :3] = [[c, 0, s], [0, 1, 0], [-s, 0, c]]
    m[:3, 3] = position
    return m


def write_flame_param(path: Path, **arrays: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def write_vhap_dataset(
    root: Path, frames: dict[str, list[dict]], meta: dict, images: dict[str, np.ndarray]
) -> Path:
    """``transforms_<split>.json`` for each split of ``frames`` (``meta`` = shared intrinsics) and the
    images (file path -> BGR uint8) under ``root``."""
    for name, img in images.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / name), img)
    for split, items in frames.items():
        (root / f"transforms_{split}.json").write_text(json.dumps({**meta, "frames": items}))
    return root
