"""Undoing broadcasting: the one helper every binary op's backward uses."""

from __future__ import annotations

import numpy as np


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
    """``grad`` in ``dtype`` (the input's), when type promotion changed it."""
    return grad if grad.dtype == dtype else grad.astype(dtype)
