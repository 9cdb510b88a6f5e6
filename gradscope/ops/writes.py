"""Index writes as functions, methods and in place: index_add, index_copy, index_fill,
scatter_ and scatter_add_, scatter_reduce, masked_scatter, index_put and put, with
torch's checks and messages.

    >>> x.index_add(0, gs.tensor([2, 0]), src, alpha=2).grad_fn.name()
    'IndexAddBackward0'
"""

from __future__ import annotations

import warnings
from numbers import Number

import numpy as np

from .. import dtypes
from ..autograd.function import apply, apply_inplace
from ..backend import xp_of
from ..errors import py_type_name, scalar_type_name, shape_str
from ..events.callsite import user_stacklevel
from . import api
from . import index as I
from . import index_write as W
from .products import check_expands

_NOTHING = api._NOTHING


def _run(cls, inplace: bool, a, inputs: tuple, *args):
    if inplace:
        return apply_inplace(cls, a, inputs, *args)
    return apply(cls, inputs, *args)


_tensor_arg = api._check_tensor_arg


def _type_name(t) -> str:
    return scalar_type_name(t._data.dtype)


# ---------------------------------------------------------------- index_add, index_copy


def _index_add(op: str, a, dim, index, source, alpha, inplace: bool, method: bool = False):
    api._int_dims(dim)  # (the parser's checks, in order)
    _tensor_arg(op.rstrip("_"), "source", 3 if inplace or method else 4, source)
    api._check_device(a, index)
    api._check_device(a, source)
    dim = api._dim(dim, a.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with "
            f"type: {_type_name(index)} and size: {shape_str(index.shape)}"
        )
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"index_add_(): Expected dtype int32/int64 for index but got: {_type_name(index)}"
        )
    if a._data.dtype != source._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({_type_name(a)}) and source ({_type_name(source)}) must have "
            "the same scalar type"
        )
    n = source.shape[dim] if source.ndim else 1
    if idx.size != n:
        raise RuntimeError(
            f"index_add_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim): ({n}), for dim: {dim}"
        )
    if a.ndim != max(source.ndim, 1 if a.ndim else 0) or any(
        d != dim and s != t for d, (s, t) in enumerate(zip(a.shape, source.shape))
    ):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {shape_str(a.shape)} source.shape = "
            f"{shape_str(source.shape)}"
        )
    _bounds(index, dim, a.shape[dim] if a.ndim else 1, RuntimeError, "")
    if a._data.dtype.kind in "iub" and isinstance(alpha, float):
        alpha = int(alpha)  # torch casts alpha to the integral type
    return _run(W.IndexAddBackward0, inplace, a, (a, source, index), dim, alpha)


def _bounds(index, dim: int, size: int, error, prefix: str, wrap: bool = False) -> None:
    idx = index._data.reshape(-1)
    low = -size if wrap else 0
    bad = (idx < low) | (idx >= size)
    if bool(bad.any()):
        v = int(idx[int(bad.argmax())])
        raise error(f"{prefix}index {v} is out of bounds for dimension {dim} with size {size}")


def index_add(input, dim: int, index, source, *, alpha: Number = 1):  # noqa: A002
    """A copy of ``input`` with ``alpha * source`` added at positions ``index`` along
    ``dim`` (repeated positions add up)."""
    return _index_add("index_add", input, dim, index, source, alpha, inplace=False)


def index_add_method(input, dim: int, index, source, *, alpha: Number = 1):  # noqa: A002
    """``Tensor.index_add``."""
    return _index_add("index_add", input, dim, index, source, alpha, inplace=False, method=True)


def index_add_(input, dim: int, index, source, *, alpha: Number = 1):  # noqa: A002
    """``index_add`` written into ``input``."""
    return _index_add("index_add_", input, dim, index, source, alpha, inplace=True)


def _index_copy(op: str, a, dim, index, source, inplace: bool, method: bool = False):
    api._int_dims(dim)  # (the parser's checks, in order)
    _tensor_arg(op.rstrip("_"), "source", 3 if inplace or method else 4, source)
    api._check_device(a, index)
    api._check_device(a, source)
    dim = api._dim(dim, a.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if a.ndim != source.ndim and a.ndim and source.ndim:
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their "
            f"dimensionality must match. Source dimensionality ({source.ndim}), destination "
            f"dimensionality ({a.ndim})"
        )
    n = source.shape[dim] if source.ndim else 1
    if idx.size != n:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to "
            f"source.size(dim) ({n})"
        )
    if idx.dtype != np.int64:
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {_type_name(index)}"
        )
    if a._data.dtype != source._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_type_name(a)} and (source) {_type_name(source)}"
        )
    apart = [(s, t) for d, (s, t) in enumerate(zip(a.shape, source.shape)) if d != dim]
    for d, (s, t) in enumerate(apart):  # (numbered within the slices)
        if s != t:
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {s} at dimension {d} and source slice shape: {t} "
                f"at dimension {d}."
            )
    _bounds(index, dim, a.shape[dim] if a.ndim else 1, IndexError, "index_copy_(): ")
    return _run(W.IndexCopyBackward0, inplace, a, (a, source, index), dim)


def index_copy(input, dim: int, index, source):  # noqa: A002
    """A copy of ``input`` with ``source``'s slices written at positions ``index`` along
    ``dim``."""
    return _index_copy("index_copy", input, dim, index, source, inplace=False)


def index_copy_method(input, dim: int, index, source):  # noqa: A002
    """``Tensor.index_copy``."""
    return _index_copy("index_copy", input, dim, index, source, inplace=False, method=True)


def index_copy_(input, dim: int, index, source):  # noqa: A002
    """``index_copy`` written into ``input``."""
    return _index_copy("index_copy_", input, dim, index, source, inplace=True)


# ---------------------------------------------------------------- index_fill


def _index_fill(a, dim, index, value, inplace: bool):
    api._int_dims(dim)
    value = api.as_tensor_like(value, a, "index_fill_" if inplace else "index_fill", 3, "value")
    if type(value) is api.Tensor and value.ndim:  # (before the dim, as torch)
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.ndim} dimension(s)."
        )
    api._check_device(a, index)
    dim = api._dim(dim, a.ndim)
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    _bounds(index, dim, a.shape[dim] if a.ndim else 1, IndexError, "", wrap=True)
    if type(value) is api.Tensor:
        return _run(W.IndexFillBackward1, inplace, a, (a, value, index), dim)
    if type(value) is complex and a._data.dtype.kind != "c":
        raise RuntimeError(
            "index_fill_(): Converting complex Scalar to non-complex type is not supported"
        )
    value = dtypes.checked_scalar(value, a._data.dtype)
    return _run(W.IndexFillBackward0, inplace, a, (a, index), dim, value)


def index_fill(input, dim: int, index, value):  # noqa: A002
    """A copy of ``input`` with ``value`` (a number or a 0-dim tensor) written at positions
    ``index`` along ``dim``."""
    return _index_fill(input, dim, index, value, inplace=False)


def index_fill_(input, dim: int, index, value):  # noqa: A002
    """``index_fill`` written into ``input``."""
    return _index_fill(input, dim, index, value, inplace=True)


# ---------------------------------------------------------------- scatter_, scatter_add_


def scatter_(input, dim, index, src=_NOTHING, *, value=_NOTHING, reduce: str | None = None):  # noqa: A002
    """``scatter`` written into ``input``."""
    if src is _NOTHING:
        src = value
    if isinstance(src, np.generic):
        src = src.item()
    tensor_src = type(src) is api.Tensor
    dim = api._scatter_args(input, dim, index, src if tensor_src else None)
    if reduce is not None:
        from . import elementwise as E

        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if tensor_src:
            warnings.warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will "
                "be removed in a future PyTorch release. Use torch.scatter_reduce instead for "
                "more reduction options.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        out = I.scatter_reduced(
            input._data, dim, index._data, src._data if tensor_src else src, reduce
        )
        inputs = (input, src) if tensor_src and src._rg else (input,)
        return apply_inplace(E.NotImplementedBackward, input, inputs, "scatter_", out)
    if tensor_src:
        return apply_inplace(I.ScatterBackward0, input, (input, src, index), dim)
    return apply_inplace(I.ScatterBackward1, input, (input, index), dim, src)


def scatter_add_(input, dim, index, src):  # noqa: A002
    """``scatter_add`` written into ``input``."""
    api._int_dims(dim)
    _tensor_arg("scatter_add_", "src", 3, src)
    dim = api._scatter_args(input, dim, index, src)
    return apply_inplace(I.ScatterAddBackward0, input, (input, src, index), dim)


# ---------------------------------------------------------------- masked_scatter


def _masked_scatter(op: str, a, mask, source, inplace: bool):
    _tensor_arg(op.rstrip("_"), "source", 3 if not inplace else 2, source)
    api._check_device(a, mask)
    api._check_device(a, source)
    if mask._data.dtype != np.bool_:
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            f"{_type_name(mask)}"
        )
    if a._data.dtype != source._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_type_name(a)} and {_type_name(source)}"
        )
    if inplace:
        shape = tuple(a.shape)
        _mask_expands(mask, shape)
    else:
        try:
            shape = np.broadcast_shapes(tuple(mask.shape), tuple(a.shape))
        except ValueError:
            raise api._broadcast_error(op, mask, a) from None
    if int(xp_of(mask._data).broadcast_to(mask._data, shape).sum()) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return _run(W.MaskedScatterBackward0, inplace, a, (a, source, mask))


def _mask_expands(mask, sizes: tuple) -> None:
    """torch's error where ``masked_scatter_`` expands a mask that does not fit ``sizes``."""
    kind = "CUDABoolType" if mask._buffer.device.startswith("cuda") else "CPUBoolType"
    shape = tuple(mask.shape)
    if len(shape) > len(sizes):
        raise RuntimeError(
            f"expand({kind}{{{shape_str(shape)}}}, size={shape_str(sizes)}): the number of "
            f"sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
        )
    check_expands(mask, sizes)


def masked_scatter(input, mask, source):  # noqa: A002
    """A copy of ``input`` with ``source``'s elements, in order, written where ``mask``
    (broadcast with ``input``) holds."""
    return _masked_scatter("masked_scatter", input, mask, source, inplace=False)


def masked_scatter_(input, mask, source):  # noqa: A002
    """``masked_scatter`` written into ``input`` (the mask broadcast to its shape)."""
    return _masked_scatter("masked_scatter_", input, mask, source, inplace=True)


# ---------------------------------------------------------------- put


def _put(a, index, source, accumulate: bool, inplace: bool):
    api._check_device(a, index)
    api._check_device(a, source)
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_type_name(index)}")
    if a._data.dtype != source._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_type_name(a)} and source.dtype = {_type_name(source)}"
        )
    if index._data.size != source._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {index._data.size}"
        )
    n = a._data.size
    idx = index._data.reshape(-1)
    bad = (idx < -n) | (idx >= n)
    if bool(bad.any()):
        v = int(idx[int(bad.argmax())])
        raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")
    return _run(W.PutBackward0, inplace, a, (a, source, index), bool(accumulate))


def put(input, index, source, accumulate: bool = False):  # noqa: A002
    """A copy of ``input`` with ``source``'s elements written at the flat positions
    ``index`` (added there with ``accumulate``)."""
    return _put(input, index, source, accumulate, inplace=False)


def put_(input, index, source, accumulate: bool = False):  # noqa: A002
    """``put`` written into ``input``."""
    return _put(input, index, source, accumulate, inplace=True)


# ---------------------------------------------------------------- index_put


def _index_put(op: str, a, indices, values, accumulate: bool, inplace: bool):
    if not isinstance(indices, (tuple, list)) or not all(type(i) is api.Tensor for i in indices):
        raise TypeError(
            f"{op}(): argument 'indices' (position 2) must be tuple of Tensors, not "
            f"{py_type_name(indices)}"
        )
    _tensor_arg(op, "values", 3, values)
    tensors = []
    for i in indices:
        api._check_device(a, i)
        kind = i._data.dtype.kind
        if kind == "b" or i._data.dtype == np.uint8:
            tensors.extend(api.Tensor._make(x, None) for x in i._data.nonzero())
        elif kind in "iu":
            tensors.append(i)
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if a._data.dtype != values._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_type_name(a)} for the destination and {_type_name(values)} for the source."
        )
    shapes = [tuple(t.shape) for t in tensors]
    try:
        places = np.broadcast_shapes(*shapes) if shapes else ()
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(shape_str(s) for s in shapes)
        ) from None
    for d, t in enumerate(tensors):
        _bounds(t, d, a.shape[d], IndexError, "", wrap=True)
    places = tuple(places) + tuple(a.shape[len(tensors) :])
    try:
        np.broadcast_to(np.empty(values.shape, np.bool_), places)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {shape_str(values.shape)} cannot be "
            f"broadcast to indexing result of shape {shape_str(places)}"
        ) from None
    spec = tuple(t._data for t in tensors)
    inputs = (a, values, *tensors)
    if inplace:
        return apply_inplace(W.IndexPutBackward0, a, inputs, spec, bool(accumulate), False)
    return apply(W.IndexPutBackward0, inputs, spec, bool(accumulate), True)


def index_put(input, indices, values, accumulate: bool = False):  # noqa: A002
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (added there with
    ``accumulate``, repeated positions adding up)."""
    return _index_put("index_put", input, indices, values, accumulate, inplace=False)


def index_put_(input, indices, values, accumulate: bool = False):  # noqa: A002
    """``index_put`` written into ``input``."""
    return _index_put("index_put_", input, indices, values, accumulate, inplace=True)


# ---------------------------------------------------------------- scatter_reduce

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce(
    op: str, a, dim, index, src, reduce: str, include_self: bool, inplace: bool, method=False
):
    api._int_dims(dim)  # (the parser's checks, in order)
    _tensor_arg(op, "src", 3 if inplace or method else 4, src)
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    dim = api._scatter_args(a, dim, index, src)
    return _run(
        W.ScatterReduceBackward0, inplace, a, (a, src, index), dim, reduce, bool(include_self)
    )


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True):  # noqa: A002
    """A copy of ``input`` with ``src``'s values reduced into it along ``dim`` at
    ``index`` (``reduce``: sum, prod, mean, amax or amin; without ``input``'s own values
    where ``include_self`` is False)."""
    return _scatter_reduce(
        "scatter_reduce", input, dim, index, src, reduce, include_self, inplace=False
    )


def scatter_reduce_method(input, dim: int, index, src, reduce: str, *, include_self=True):  # noqa: A002
    """``Tensor.scatter_reduce``."""
    return _scatter_reduce(
        "scatter_reduce", input, dim, index, src, reduce, include_self, False, method=True
    )


def scatter_reduce_(input, dim: int, index, src, reduce: str, *, include_self: bool = True):  # noqa: A002
    """``scatter_reduce`` written into ``input``."""
    return _scatter_reduce(
        "scatter_reduce_", input, dim, index, src, reduce, include_self, inplace=True
    )
