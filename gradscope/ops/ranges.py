"""Creation functions that lay out index or value ranges: ``tril_indices``,
``triu_indices`` and ``logspace``. Each result is a new leaf, as torch's."""

from __future__ import annotations

import numpy as np

from .. import backend, creation, dtypes
from ..errors import scalar_type_name
from ..tensor import Tensor


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (row, column) indices of the lower triangle of a ``row`` x ``col`` matrix (on
    and below diagonal ``offset``), row by row, as the two rows of a ``(2, n)`` tensor."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The (row, column) indices of the upper triangle (on and above diagonal ``offset``)."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device)


def _triangle_indices(name: str, which, row, col, offset, dtype, device) -> Tensor:
    creation._check_dtype(name, dtype)
    np_dtype = dtypes.resolve(dtype) or np.dtype(np.int64)
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    if np_dtype.kind not in "iu":
        raise NotImplementedError(f"\"{name}\" not implemented for '{scalar_type_name(np_dtype)}'")
    xp = backend.xp_for(backend.device(device))
    rows, cols = which(row, offset, col)  # (the host's: a few small integers)
    return creation._leaf(xp.asarray(np.stack([rows, cols]).astype(np_dtype)), False)


def _number(v, name: str):
    if isinstance(v, Tensor):
        if v._data.ndim:
            raise RuntimeError(
                f"logspace only supports 0-dimensional start and end tensors, but got {name} "
                f"with {v._data.ndim} dimension(s)."
            )
        return v.item()
    return v


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the
    exponent (the default float dtype unless ``dtype`` says; integer dtypes take the
    values truncated, wrapping as torch's cast does)."""
    creation._check_dtype("logspace", dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _number(start, "start"), _number(end, "end")
    np_dtype = dtypes.resolve(dtype) or dtypes.default_float.np
    dev = backend.device(device)
    xp = backend.xp_for(dev)
    exponents = xp.linspace(float(start), float(end), steps, dtype=np.float64)
    values = xp.power(np.float64(base), exponents)
    if np_dtype.kind in "iu":
        values = values.astype(np.int64).astype(np_dtype)
    elif np_dtype.kind == "b":
        values = values != 0
    return creation._leaf(values.astype(np_dtype, copy=False), requires_grad)
