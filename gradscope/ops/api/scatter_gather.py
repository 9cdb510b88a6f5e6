"""Indexing by index tensors: ``gather``, ``scatter``, ``index_select``, ``take`` ..."""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from ...autograd import function as _function
from ...autograd.function import apply
from ...errors import scalar_type_name, shape_str
from ...events.callsite import user_stacklevel
from .. import elementwise as E
from .. import index as I
from ._common import _NOTHING, _broadcast_error, _check_tensor_arg, _dim, _int_arg, _int_dims
from .views import expand, view

Tensor = None  # set by gradscope.tensor


def _check_index_dtype(op: str, index, wanted: str = "int32/int64") -> None:
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{op}(): Expected dtype {wanted} for index")


def _check_index_bounds(index, dim: int, size: int) -> None:
    """torch's error for the first index outside ``[0, size)``."""
    idx = index._data
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        v = int(idx.reshape(-1)[int(bad.reshape(-1).argmax())])
        raise RuntimeError(f"index {v} is out of bounds for dimension {dim} with size {size}")


def _same_ndim(index, t, what: str) -> None:
    if builtins.max(index._data.ndim, 1) != builtins.max(t._data.ndim, 1):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")


def _larger_apart_from(dim: int, index, a) -> bool:
    """Whether a non-empty ``index`` is larger than ``a`` in a dim other than ``dim``."""
    ishape, ashape = index.shape or (1,), a.shape or (1,)
    return index._data.size > 0 and builtins.any(
        i > n for d, (i, n) in enumerate(zip(ishape, ashape)) if d != dim
    )


def _gather_fits(a, dim: int, index) -> None:
    """torch's checks of a gather index: as many dims as ``a``, no larger apart from
    ``dim``, its values in bounds."""
    _same_ndim(index, a, "input")
    if _larger_apart_from(dim, index, a):
        d = next(d for d, (i, n) in enumerate(zip(index.shape, a.shape)) if d != dim and i > n)
        raise RuntimeError(
            f"Size does not match at dimension {d} expected index {shape_str(index.shape)} to be "
            f"no larger than self {shape_str(a.shape)} apart from dimension {dim}"
        )
    _check_index_bounds(index, dim, (a.shape or (1,))[dim])


def _scatter_fits(a, dim: int, index, src) -> None:
    """torch's checks of a scatter index: as many dims as ``a`` and ``src`` (a tensor or
    None), no larger than ``a`` apart from ``dim`` nor than ``src``, its values in bounds."""
    _same_ndim(index, a, "self")
    if src is not None:
        _same_ndim(index, src, "src")
    too_big = _larger_apart_from(dim, index, a)
    if src is not None and index._data.size:
        too_big |= builtins.any(i > n for i, n in zip(index.shape or (1,), src.shape or (1,)))
    if too_big:
        tail = "" if src is None else f" and to be no larger size than src {shape_str(src.shape)}"
        raise RuntimeError(
            f"Expected index {shape_str(index.shape)} to be no larger than self "
            f"{shape_str(a.shape)} apart from dimension {dim}{tail}"
        )
    _check_index_bounds(index, dim, (a.shape or (1,))[dim])


def gather(a, dim, index, *, sparse_grad: bool = False):
    """``out[i][j] = a[index[i][j]][j]`` (for ``dim=0``): values picked along ``dim``."""
    dim = _dim(dim, a._data.ndim)
    _check_index_dtype("gather", index)
    _gather_fits(a, dim, index)
    return apply(I.GatherBackward0, (a, index), dim)


def take_along_dim(a, indices, dim=None):
    """The values of ``a`` at ``indices`` along ``dim`` (the two broadcast to each other
    but in ``dim``): ``gather`` of them; of the flattened ``a`` when ``dim`` is None."""
    _check_tensor_arg("take_along_dim", "indices", 2, indices)
    if dim is None:
        return gather(view(a, -1), 0, view(indices, -1))
    dim = _int_arg("take_along_dim", "dim", 3, dim)
    nd = a._data.ndim
    if indices._data.ndim != nd:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {nd} dimensions for input, and {indices.ndim} dimensions "
            "for indices"
        )
    if indices._data.dtype != np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{scalar_type_name(indices._data.dtype)}"
        )
    d = _dim(dim, nd)
    sizes, isizes = list(a.shape), list(indices.shape)
    sizes[d] = isizes[d]
    indices = expand(indices, _infer_size(sizes, isizes))
    isizes[d] = a.shape[d]
    return gather(expand(a, _infer_size(isizes, list(a.shape))), d, indices)


def _infer_size(sa, sb) -> tuple:
    """The shape ``sa`` and ``sb`` broadcast to (torch's ``infer_size``)."""
    if len(sa) == len(sb) and builtins.all(x == y or 1 in (x, y) for x, y in zip(sa, sb)):
        return tuple(builtins.max(x, y) if 0 not in (x, y) else 0 for x, y in zip(sa, sb))
    raise _broadcast_error("take_along_dim", np.empty(sa), np.empty(sb))


def take(a, index):
    """The elements of the flattened ``a`` at ``index`` (negative counting from the end),
    in ``index``'s shape."""
    if type(index) is not Tensor:
        raise TypeError(
            f"take(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}"
        )
    if index._data.dtype != np.int64:
        raise RuntimeError(
            "take(): Expected a long tensor for index, but got "
            f"{scalar_type_name(index._data.dtype)}"
        )
    n = a._data.size
    if index._data.size:
        if n == 0:
            raise IndexError("take(): tried to take from an empty tensor")
        bad = (index._data < -n) | (index._data >= n)
        if bad.any():
            i = int(index._data[bad].reshape(-1)[0])
            raise IndexError(
                f"out of range: tried to access index {i} on a tensor of {n} elements."
            )
    return apply(I.TakeBackward0, (a, index))


def index_select(a, dim, index):
    """The slices of ``a`` along ``dim`` at the positions listed in ``index`` (1-D)."""
    _check_tensor_arg("index_select", "index", 2, index)
    dim = _dim(dim, a._data.ndim)
    _check_index_dtype("index_select", index, "int32 or int64")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    n = index._data.size
    if a._data.ndim == 0 and n != 1:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {n} value(s)"
        )
    size = a.shape[dim] if a._data.ndim else 1
    idx = index._data.reshape(-1)
    bad = (idx < 0) | (idx >= size)
    if n and bool(bad.any()):
        d = a._data
        if d.ndim > 1 and d.size == 0 and size == 0:
            raise RuntimeError("index_select(): self indexing axis dim should be positive")
        if d.ndim > 1 and dim == 1:  # torch's kernel for dim 1 words it so
            first = int(idx[int(bad.argmax())])
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={first} axis_dim={size}")
        raise IndexError("index out of range in self")
    return apply(I.IndexSelectBackward0, (a, index), dim)


def _scatter_args(a, dim, index, src):
    dim = _dim(dim, a._data.ndim)
    _check_index_dtype("scatter", index)
    if src is not None and src._data.dtype != a._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _scatter_fits(a, dim, index, src)
    return dim


def scatter(a, dim, index, src=_NOTHING, *, value=_NOTHING, reduce: str | None = None):
    """A copy of ``a`` with ``src``'s values (or one ``value``) written along ``dim`` at
    ``index``: ``out[index[i][j]][j] = src[i][j]`` (for ``dim=0``); with ``reduce``
    (``"add"``, ``"multiply"``) combined with what is there instead, with no derivative."""
    if src is _NOTHING:
        src = value
    if isinstance(src, np.generic):
        src = src.item()
    tensor_src = type(src) is Tensor
    dim = _scatter_args(a, dim, index, src if tensor_src else None)
    if reduce is not None:
        return _scatter_reduced(a, dim, index, src, reduce)
    if tensor_src:
        return apply(I.ScatterBackward0, (a, src, index), dim)
    return apply(I.ScatterBackward1, (a, index), dim, src)


def _scatter_reduced(a, dim: int, index, src, reduce: str):
    """``scatter(..., reduce=)``: torch's deprecated form, under a ``NotImplemented`` node."""
    if reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    tensor_src = type(src) is Tensor
    if tensor_src:
        warnings.warn(
            "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
            "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
            "reduction options.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    values = src._data if tensor_src else src
    out = I.scatter_reduced(a._data, dim, index._data, values, reduce)
    grads = tuple(t for t in (a, src) if type(t) is Tensor and (t._rg or _function._dual))
    return apply(E.NotImplementedBackward, grads, "scatter", out)


def scatter_add(a, dim, index, src):
    """A copy of ``a`` with ``src``'s values added along ``dim`` at ``index`` (repeated
    indices add up): ``out[index[i][j]][j] += src[i][j]`` (for ``dim=0``)."""
    _int_dims(dim)  # (the parser's checks, in order)
    _check_tensor_arg("scatter_add", "src", 3, src)
    dim = _scatter_args(a, dim, index, src)
    return apply(I.ScatterAddBackward0, (a, src, index), dim)


def masked_select(a, mask):
    """The elements of ``a`` where ``mask`` holds (both broadcast), as one dimension."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    try:
        np.broadcast_shapes(a.shape, mask.shape)
    except ValueError:
        raise _broadcast_error("masked_select", mask, a) from None
    return apply(I.MaskedSelectBackward0, (a, mask))
