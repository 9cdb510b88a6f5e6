"""Helpers of the backward rules: undoing broadcasting, casting back, masking."""

from __future__ import annotations

import numpy as np

from ..backend import xp_of


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape`` (the shape of the operand that was broadcast)."""
    gshape = grad.shape
    if gshape == shape:
        return grad
    extra = len(gshape) - len(shape)
    axes = list(range(extra))
    for i, n in enumerate(shape):
        if n == 1 and gshape[extra + i] != 1:
            axes.append(extra + i)
    if axes:
        axes = tuple(axes)
        if type(grad) is np.ndarray:  # ndarray.sum's Python wrapper costs a microsecond
            grad = np.add.reduce(grad, axes, keepdims=True)
        else:
            grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def cast_like(grad, dtype):
    """``grad`` in ``dtype`` (the input's), when type promotion changed it: a real input's
    gradient from a complex one is its real part."""
    if grad.dtype == dtype:
        return grad
    if grad.dtype.kind == "c" and dtype.kind != "c":
        grad = grad.real
    return grad.astype(dtype)


def _has_nan(arr) -> bool:
    """Whether a NumPy array holds a NaN, in one max-reduction (NaN propagates through it)."""
    return arr.dtype.kind == "f" and arr.size > 0 and bool(np.isnan(np.maximum.reduce(arr, None)))


def keep(g, mask):
    """``g`` where ``mask`` holds and 0 elsewhere, as torch's masking backwards (relu's
    threshold, clamp, maximum) give it: an inf or NaN gradient where the mask is off gives
    0, not the NaN of ``g * mask``. On NumPy it is that product (``np.where`` takes ten
    times longer on a random mask), redone with ``where`` only when it holds a NaN."""
    if type(g) is np.ndarray:
        out = g * mask
        return np.where(mask, g, out.dtype.type(0)) if _has_nan(out) else out
    xp = xp_of(g)
    return xp.where(mask, g, xp.zeros((), g.dtype))


def sgn(a):
    """torch's sign of ``a``: -1, 0 or 1, and 0 for NaN (NumPy's sign gives NaN)."""
    if type(a) is np.ndarray:
        s = np.sign(a)  # (a NumPy scalar for a 0-dim ``a``: not written in place)
        return np.nan_to_num(s, copy=type(s) is not np.ndarray, nan=0.0) if _has_nan(s) else s
    xp = xp_of(a)
    s = xp.sign(a)
    return xp.nan_to_num(s, nan=0.0) if s.dtype.kind == "f" else s
