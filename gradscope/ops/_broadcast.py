"""Undoing broadcasting: the one helper every binary op's backward uses."""

from __future__ import annotations


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` down to ``shape`` (the shape of the operand that was broadcast)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def cast_like(grad, dtype):
    """``grad`` in ``dtype`` (the input's), when type promotion changed it."""
    return grad if grad.dtype == dtype else grad.astype(dtype)
