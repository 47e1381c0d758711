"""A restricted unpickler for the FLAME model files (``flame2023.pkl``, ``generic_model.pkl``,
``FLAME_masks.pkl``).

These files are Python 2 pickles holding numpy arrays, chumpy ``Ch`` arrays and a scipy sparse
matrix. Unpickling normally imports and calls whatever the file names, so a tampered file could
run code. Here ``find_class`` resolves only:

* numpy's array/dtype/scalar reconstruction functions;
* ``chumpy.ch.Ch`` -> :class:`ChArray` (keeps only the ``x`` array of the state, needs no chumpy);
* scipy ``csc_matrix``/``csr_matrix`` -> :class:`SparseArray` (index arrays only, no scipy);
* ``copyreg._reconstructor`` (restricted to the two shims above), ``object``, ``set`` and
  ``_codecs.encode`` (bytes in protocol-2 pickles written by Python 3);

and refuses everything else with :class:`pickle.UnpicklingError`. After loading, shims are turned
into plain numpy arrays.
"""

from __future__ import annotations

import codecs
import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from core.jobs.errors import BadInput
from core.jobs.message import Text


class ChArray:
    """Stand-in for ``chumpy.ch.Ch``: remembers the array stored under ``x``."""

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict) or "x" not in state:
            raise pickle.UnpicklingError("chumpy Ch object without an 'x' array")
        self.x = np.asarray(state["x"])

    def to_numpy(self) -> np.ndarray:
        return np.asarray(self.x)


class SparseArray:
    """Stand-in for scipy's compressed sparse matrices (CSC/CSR), densified on request."""

    fmt = "csc"

    def __setstate__(self, state: Any) -> None:
        if not isinstance(state, dict):
            raise pickle.UnpicklingError("sparse matrix state must be a dict")
        self.data = np.asarray(state["data"])
        self.indices = np.asarray(state["indices"], dtype=np.int64)
        self.indptr = np.asarray(state["indptr"], dtype=np.int64)
        self.shape = tuple(int(s) for s in state.get("_shape", state.get("shape")))

    def to_numpy(self) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=self.data.dtype)
        major = np.repeat(np.arange(len(self.indptr) - 1), np.diff(self.indptr))
        if self.fmt == "csc":
            dense[self.indices, major] = self.data
        else:
            dense[major, self.indices] = self.data
        return dense


class _CscArray(SparseArray):
    fmt = "csc"


class _CsrArray(SparseArray):
    fmt = "csr"


def _new_shim(cls: type, base: type, state: Any = None) -> Any:
    """Restricted ``copyreg._reconstructor``: only our shims, only with ``object`` as base."""
    if cls not in _SHIMS or base is not object:
        raise pickle.UnpicklingError(f"refusing to reconstruct {cls!r} from {base!r}")
    return cls()


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    if encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError(f"refusing codec {encoding!r}")
    return codecs.encode(text, "latin1")


def _numpy_globals() -> dict[tuple[str, str], Any]:
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray

    allowed: dict[tuple[str, str], Any] = {("numpy", "ndarray"): np.ndarray, ("numpy", "dtype"): np.dtype}
    for mod in ("numpy.core.multiarray", "numpy._core.multiarray"):  # files name either
        allowed[(mod, "_reconstruct")] = multiarray._reconstruct
        allowed[(mod, "scalar")] = multiarray.scalar
    return allowed


_SHIMS = (ChArray, _CscArray, _CsrArray)
_MAPPED: dict[tuple[str, str], Any] = {
    ("chumpy.ch", "Ch"): ChArray,
    ("scipy.sparse.csc", "csc_matrix"): _CscArray,
    ("scipy.sparse._csc", "csc_matrix"): _CscArray,
    ("scipy.sparse.csr", "csr_matrix"): _CsrArray,
    ("scipy.sparse._csr", "csr_matrix"): _CsrArray,
    ("copy_reg", "_reconstructor"): _new_shim,
    ("copyreg", "_reconstructor"): _new_shim,
    ("__builtin__", "object"): object,
    ("builtins", "object"): object,
    ("__builtin__", "set"): set,
    ("builtins", "set"): set,
    ("_codecs", "encode"): _latin1_encode,  # how Python 3 protocol-2 pickles spell bytes
}


class RestrictedUnpickler(pickle.Unpickler):
    """Resolves only the globals listed in the module docstring."""

    def find_class(self, module: str, name: str) -> Any:
        key = (module, name)
        if key in _MAPPED:
            return _MAPPED[key]
        allowed = _numpy_globals()
        if key in allowed:
            return allowed[key]
        raise pickle.UnpicklingError(f"global '{module}.{name}' is not allowed in a FLAME file")


def to_numpy_tree(obj: Any) -> Any:
    """Replace shims by numpy arrays inside dicts/lists/tuples."""
    if isinstance(obj, ChArray | SparseArray):
        return obj.to_numpy()
    if isinstance(obj, dict):
        return {k: to_numpy_tree(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(to_numpy_tree(v) for v in obj)
    return obj


def load_restricted_pickle(path: Path | str) -> Any:
    """Load a FLAME-style pickle safely; :class:`BadInput` when it is missing or not allowed."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(Text("file not found: {path}", path=path))
    try:
        with open(path, "rb") as fh:
            obj = RestrictedUnpickler(io.BufferedReader(fh), encoding="latin1").load()
    except pickle.UnpicklingError as exc:
        raise BadInput(
            Text(
                "{path} was refused by the safe FLAME loader ({exc}); use the original file from "
                "flame.is.tue.mpg.de",
                path=path,
                exc=exc,
            )
        ) from exc
    return to_numpy_tree(obj)
