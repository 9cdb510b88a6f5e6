"""Slices, diagonals and triangles: ``select``, ``diagonal``, ``tril``, ``diag``, ``trace`` ..."""

from __future__ import annotations

import builtins

from ...autograd.function import apply, apply_inplace
from ...autograd.grad_mode import state
from ...errors import refuse_complex_grad, refuse_kernel, shape_str
from .. import index as I
from .. import shape as S
from ._common import _dim, _int_arg
from .views import ravel


def select(a, dim, index):
    """The view of ``a`` at ``index`` along ``dim``, without that dim."""
    return apply(S.SelectBackward0, (a,), *_select_args(a, dim, index))


def _select_args(a, dim, index) -> tuple:
    """``select``'s dim and index, both wrapped, or torch's errors."""
    dim = _int_arg("select", "dim", 1, dim)
    index = _int_arg("select", "index", 2, index)
    nd = a._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, nd)
    size = a._data.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {shape_str(a.shape)} at "
            f"dimension {d}"
        )
    return d, index % size


def _slice_args(a, dim, start, end, step) -> tuple:
    """``slice``'s dim, start, end and step, as non-negative bounds within the dim."""
    nd = a._data.ndim
    if nd == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d = _dim(_int_arg("slice_scatter", "dim", 3, dim), nd)
    step = _int_arg("slice_scatter", "step", 6, step)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    size = a._data.shape[d]

    def bound(v, default: int) -> int:
        if v is None:
            return default
        v = _int_arg("slice_scatter", "start", 4, v)
        return builtins.min(builtins.max(v + size if v < 0 else v, 0), size)

    start, end = bound(start, 0), bound(end, size)
    return d, start, builtins.max(start, end), step


def _check_src(src, part_shape) -> None:
    if tuple(src.shape) != tuple(part_shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{shape_str(src.shape)}, slice size = {shape_str(part_shape)}"
        )


def select_scatter(a, src, dim, index):
    """A copy of ``a`` with its slice at ``index`` along ``dim`` replaced by ``src``."""
    d, i = _select_args(a, dim, index)
    _check_src(src, a.shape[:d] + a.shape[d + 1 :])
    return apply(I.SelectScatterBackward0, (a, src), d, i)


def slice_scatter(a, src, dim=0, start=None, end=None, step=1):
    """A copy of ``a`` with its slice ``start:end:step`` along ``dim`` replaced by
    ``src``."""
    d, start, end, step = _slice_args(a, dim, start, end, step)
    shape = list(a.shape)
    shape[d] = len(range(start, end, step))
    _check_src(src, shape)
    record = state.enabled and (a.requires_grad or getattr(src, "requires_grad", False))
    refuse_complex_grad("slice_scatter", a._data, record)
    return apply(I.SliceScatterBackward0, (a, src), d, start, end, step)


def diagonal_scatter(a, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A copy of ``a`` with its diagonal ``offset`` over ``dim1`` and ``dim2`` replaced by
    ``src``."""
    offset, d1, d2 = _diagonal_args(a, offset, dim1, dim2)
    _check_src(src, S.diagonal_view(a._data, offset, d1, d2).shape)
    return apply(I.DiagonalScatterBackward0, (a, src), offset, d1, d2)


def trace(a):
    """The sum of the diagonal of matrix ``a`` (``Tensor.trace``; ``gs.trace`` is the
    recorder)."""
    if a._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    if a._data.dtype.kind == "b":
        refuse_kernel("trace", a._data.dtype)
    return apply(S.TraceBackward0, (a,))


def tril(a, diagonal: int = 0):
    """The lower triangle of (each matrix of) ``a``, from ``diagonal`` down; zeros above."""
    return _triangle("tril", S.TrilBackward0, a, diagonal)


def triu(a, diagonal: int = 0):
    """The upper triangle of (each matrix of) ``a``, from ``diagonal`` up; zeros below."""
    return _triangle("triu", S.TriuBackward0, a, diagonal)


def _triangle(name: str, cls, a, diagonal, inplace: bool = False):
    diagonal = _int_arg(name, "diagonal", 2, diagonal)
    if a._data.ndim < 2:
        raise RuntimeError(f"{name.rstrip('_')}: input tensor must have at least 2 dimensions")
    return apply_inplace(cls, a, (a,), diagonal) if inplace else apply(cls, (a,), diagonal)


def diagonal(a, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A view of the diagonal ``offset`` of ``a`` over ``dim1`` and ``dim2``, as the last
    dim of the result."""
    return apply(S.DiagonalBackward0, (a,), *_diagonal_args(a, offset, dim1, dim2))


def _diagonal_args(a, offset, dim1, dim2) -> tuple:
    """``diagonal``'s offset and dims, wrapped, or torch's errors."""
    nd = a._data.ndim
    d1, d2 = _dim(dim1, nd), _dim(dim2, nd)
    if nd == 0:  # torch checks dim2 against one dim
        _dim(dim2, 1)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return int(offset), d1, d2


def diag_embed(a, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """A new tensor, zero but for its diagonal ``offset`` over ``dim1`` and ``dim2`` (dims
    of the result), which holds the last dim of ``a``."""
    offset = _int_arg("diag_embed", "offset", 2, offset)
    dim1 = _int_arg("diag_embed", "dim1", 3, dim1)
    dim2 = _int_arg("diag_embed", "dim2", 4, dim2)
    nd = a._data.ndim + 1
    d1, d2 = _dim(dim1, nd), _dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply(S.DiagEmbedBackward0, (a,), offset, d1, d2)


def diag(a, diagonal: int = 0):
    """The matrix with vector ``a`` on its diagonal ``diagonal``; or of a matrix ``a``,
    that diagonal as a new vector."""
    diagonal = _int_arg("diag", "diagonal", 2, diagonal)
    nd = a._data.ndim
    if nd == 1:
        return apply(S.DiagEmbedBackward0, (a,), diagonal, 0, 1)
    if nd != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return apply(S.DiagonalCopyBackward0, (a,), diagonal, 0, 1)


def diagflat(a, offset: int = 0):
    """The matrix with the elements of ``a`` (flattened) on its diagonal ``offset``."""
    offset = _int_arg("diagflat", "offset", 2, offset)
    return apply(S.DiagEmbedBackward0, (ravel(a),), offset, 0, 1)
