"""Indexing with ``[]``: ``getitem`` and ``setitem``."""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from ... import dtypes
from ...autograd import function as _function
from ...autograd.function import apply, apply_inplace
from ...autograd.grad_mode import state
from ...backend import overlap, repeats_memory, writable, xp_of
from ...errors import (
    M_INTERNAL_OVERLAP,
    M_LEAF_INPLACE,
    M_NO_GRAD_VIEW_INPLACE,
    M_PARTIAL_OVERLAP,
    shape_str,
)
from ...events.callsite import user_stacklevel
from .. import shape as S
from ._common import _check_device, as_tensor_like
from .views import _torch_type, expand, unsqueeze, view

Tensor = None  # set by gradscope.tensor


def _index_items(a, index) -> tuple:
    """``index`` as a tuple: 0-dim integer tensors become ints, lists and arrays tensors."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, (list, np.ndarray)) or hasattr(item, "__cuda_array_interface__"):
            from ...creation import tensor

            empty = type(item) is list and not item  # positions, none of them
            item = tensor(item, device=a.device, dtype=dtypes.int64 if empty else None)
        if type(item) is Tensor:
            _check_device(a, item)
            dt = item._data.dtype
            if dt == np.uint8:  # a mask, as torch still reads one
                warnings.warn(
                    "indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                    "torch.bool instead.",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
                item = Tensor._make(item._data != 0, None)
            elif dt.kind != "b" and dt not in _INDEX_INTS:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            elif item._data.ndim == 0 and dt.kind != "b":
                item = int(item.item())
        out.append(item)
    return tuple(out)


def _dims_used(item) -> int:
    if item is None or item is Ellipsis or type(item) is bool:
        return 0
    if type(item) is Tensor and item._data.dtype.kind == "b":
        return item._data.ndim
    return 1


def _basic_index(a, items, bare: bool):
    """Apply the ints, slices, None and Ellipsis of ``items`` as views, torch's way (a
    ``bare`` index, not in a tuple, that is a full slice is still a slice; in a tuple, it
    is skipped).

    Returns the view and the tensor indices left for ``IndexBackward0``, each with the
    dimension of the view it applies to.
    """
    out = a
    dim = 0
    advanced = []
    n_spec = builtins.sum(_dims_used(i) for i in items)
    if a._data.ndim == 0 and n_spec == 1 and not isinstance(items[0], (slice, Tensor)):
        i = items[0]
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool) and i != 0:
            raise IndexError(f"index {i} is out of bounds for dimension 0 with size 0")
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    if n_spec > builtins.max(a._data.ndim, 1):
        raise IndexError(f"too many indices for tensor of dimension {a._data.ndim}")
    seen = 0
    for pos, item in enumerate(items):  # torch's messages name an int by its position
        if item is Ellipsis:
            dim += a._data.ndim - n_spec  # as torch: each ellipsis, if several
            continue
        if item is None:
            out = unsqueeze(out, dim)
            dim += 1
            continue
        if type(item) is bool:  # torch's: a new dimension, kept (True) or emptied (False)
            out = unsqueeze(out, dim)
            mask = Tensor._make(xp_of(a._data).asarray([item]), None)
            advanced.append((dim, mask))
            dim += 1
            continue
        used = _dims_used(item)
        seen += used
        if dim + used > out._data.ndim:
            if a._data.ndim == 0 and isinstance(item, slice):
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            raise IndexError(f"too many indices for tensor of dimension {a._data.ndim}")
        if type(item) is Tensor:
            advanced.append((dim, item))
            dim += used
            continue
        size = out.shape[dim]
        if isinstance(item, slice):
            if item.step is not None and item.step <= 0:
                raise ValueError(
                    "slice step cannot be zero"
                    if item.step == 0
                    else "step must be greater than zero"
                )
            start, stop, step = item.indices(size)
            if (start, stop, step) != (0, size, 1) or bare:
                out = apply(S.SliceBackward0, (out,), dim, start, builtins.max(stop, start), step)
            dim += 1
        else:
            if isinstance(item, str):
                raise TypeError("new(): invalid data type 'str'")
            if not isinstance(item, (int, np.integer)):
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices (got {type(item).__name__})"
                )
            idx = int(item)
            if not -size <= idx < size:  # torch names the dimension of the tensor indexed
                raise IndexError(
                    f"index {idx} is out of bounds for dimension {pos} with size {size}"
                )
            out = apply(S.SelectBackward0, (out,), dim, idx % size)
    for dim, item in advanced:  # masks are checked against the view all of it made, as torch
        if item._data.dtype.kind == "b":
            mask, have = tuple(item.shape), tuple(out.shape[dim : dim + item._data.ndim])
            for k, (m, h) in enumerate(zip(mask, have)):
                if m != h:
                    raise IndexError(
                        f"The shape of the mask {shape_str(mask)} at index {k} does not match "
                        f"the shape of the indexed tensor {shape_str(out.shape)} at index {dim + k}"
                    )
    return out, advanced


# what setitem takes as a value besides a tensor, as torch: a Python number (np.float64 and
# np.complex128 are ones) or a NumPy integer; not lists, arrays or other NumPy scalars
_SETTABLE = (bool, int, float, complex, np.integer)


def _c_type_name(kind: type) -> str:
    """A type's name as CPython's C API (and so torch's messages) gives it: ``Foo`` for a
    class defined in Python, ``numpy.float32`` for one defined in C outside the builtins."""
    if kind.__flags__ & (1 << 9) or kind.__module__ == "builtins":  # Py_TPFLAGS_HEAPTYPE
        return kind.__name__
    return f"{kind.__module__}.{kind.__qualname__}"


def _written_view_op(items, shape) -> str | None:
    """The last view that torch's ``t[items] = v`` makes of ``t`` to write through, as its
    errors name it (``Select``, ``Slice``, ``Unsqueeze``); None if it writes ``t`` itself.
    (Unlike reading, writing skips a slice over a whole dimension even when it is alone.)"""
    shape = list(shape)
    n_spec = builtins.sum(_dims_used(i) for i in items)
    op, dim, seen = None, 0, 0
    for item in items:
        if item is Ellipsis:
            dim += len(shape) - dim - (n_spec - seen)
        elif item is None or type(item) is bool:
            op = "Unsqueeze"
            shape.insert(dim, 1)
            dim += 1
        elif type(item) is Tensor:
            used = _dims_used(item)
            seen += used
            dim += used
        elif isinstance(item, slice):
            seen += 1
            if item.indices(shape[dim]) != (0, shape[dim], 1):
                op = "Slice"
            dim += 1
        else:
            seen += 1
            op = "Select"
            del shape[dim]
    return op


def _advanced_spec(advanced) -> tuple:
    """The NumPy index for the tensor indices: full slices up to each of them."""
    spec = []
    dim = 0
    for pos, t_ in advanced:
        while dim < pos:
            spec.append(slice(None))
            dim += 1
        spec.append(t_._data)
        dim += _dims_used(t_)
    return tuple(spec)


def _index_error(e: IndexError, shape, advanced) -> IndexError:
    """torch's IndexError for NumPy's ``e``, raised indexing a tensor of ``shape`` with the
    tensors of ``advanced`` (each with the dimension it starts at)."""
    if "out of bounds" in str(e):
        text = _out_of_bounds(shape, advanced)
        if text is not None:
            return IndexError(text)
    return _numpy_index_error(e)


def _out_of_bounds(shape, advanced) -> str | None:
    """torch's text for the first index out of bounds, or None if none is.

    torch moves the indexed dimensions first, so it names a dimension by its place among
    them (a mask counts one per dimension); it checks the indices place by place of their
    broadcast shape, each tensor in turn at each place.
    """
    columns, sizes = [], []
    for pos, t_ in advanced:
        arr = t_._data
        if arr.dtype.kind == "b":
            columns.extend(xp_of(arr).nonzero(arr))
            sizes.extend(shape[pos : pos + arr.ndim])
        else:
            columns.append(arr)
            sizes.append(shape[pos])
    if not columns:
        return None
    xp = xp_of(columns[0])
    try:
        columns = [c.ravel() for c in xp.broadcast_arrays(*columns)]
    except ValueError:
        return None
    bad = xp.stack([(c < -s) | (c >= s) for c, s in zip(columns, sizes)])
    at = bad.any(axis=0)
    if not at.any():
        return None
    place = int(at.argmax())
    k = int(bad[:, place].argmax())
    return f"index {int(columns[k][place])} is out of bounds for dimension {k} with size {sizes[k]}"


def _numpy_index_error(e: IndexError) -> IndexError:
    text = str(e).replace(" for axis ", " for dimension ")
    if text.startswith("shape mismatch: indexing arrays could not be broadcast"):
        shapes = text.split("shapes ", 1)[1].split()
        text = "shape mismatch: indexing tensors could not be broadcast together with shapes " + (
            ", ".join(
                shape_str(tuple(int(n) for n in s.strip("(),").split(",") if n)) for s in shapes
            )
        )
    return IndexError(text)


_INDEX_INTS = (np.dtype(np.int64), np.dtype(np.int32))  # torch's long and int


def _index_tensors_only(a, items) -> bool:
    """True for ``a[i]`` and ``a[i, j]`` with integer tensors of 1 or more dims on ``a``'s
    device: the usual advanced index, which needs none of ``_basic_index``'s work."""
    if len(items) > a._data.ndim:
        return False
    device = a._buffer.device
    for t_ in items:
        if (
            type(t_) is not Tensor
            or not t_._data.ndim
            or t_._data.dtype not in _INDEX_INTS
            or t_._buffer.device != device
        ):
            return False
    return True


def getitem(a, index):
    """``a[index]``: views for ints and slices, then ``IndexBackward0`` for tensor indices."""
    items = index if type(index) is tuple else (index,)
    if _index_tensors_only(a, items):
        try:
            return apply(S.IndexBackward0, (a, *items), tuple([t_._data for t_ in items]))
        except IndexError as e:
            raise _index_error(e, a.shape, list(enumerate(items))) from None
    items = _index_items(a, index)
    out, advanced = _basic_index(a, items, type(index) is not tuple)
    if advanced:
        try:
            return apply(
                S.IndexBackward0, (out, *[t_ for _, t_ in advanced]), _advanced_spec(advanced)
            )
        except IndexError as e:
            raise _index_error(e, out.shape, advanced) from None
    if out is a:
        out = apply(S.AliasBackward0, (a,))
    return out


def setitem(a, index, value) -> None:
    """``a[index] = value`` in place, recorded as torch records it.

    Tensor indices alone give ``IndexPutBackward0``; anything else, ``CopySlices``.
    """
    if type(value) is not Tensor or value._data.size == 1:  # torch fills, and refuses bytes
        for i in index if type(index) is tuple else (index,):
            if type(i) is Tensor and i._data.dtype == np.uint8:
                raise RuntimeError(
                    "masked_fill_ only supports boolean masks, but got mask with dtype "
                    "unsigned char"
                )
    if type(value) is not Tensor and not isinstance(value, _SETTABLE):
        raise TypeError(f"can't assign a {_c_type_name(type(value))} to a {_torch_type(a)}")
    if isinstance(value, complex) and a._data.dtype.kind not in "cb":  # (np.complex128 too)
        if value.imag:
            raise dtypes.overflow_error(dtypes.c_scalar_name(a._data.dtype))
        value = value.real
    if type(value) is int and not -(2**63) <= value < 2**63:
        raise ValueError("Overflow when unpacking long long")
    if a._data.dtype != np.float16:  # (torch writes a half's value unchecked)
        value = dtypes.checked_scalar(value, a._data.dtype)
    items = _index_items(a, index)
    value = as_tensor_like(value, a)
    if index is False:  # torch writes nothing, records nothing and checks nothing more
        return
    recording = state.enabled and (a._rg or (type(value) is Tensor and value._rg))
    if recording and a._grad_node() is None and a._rg and not a._grad_to_nowhere:
        pure = builtins.all(type(i) is Tensor and i._data.ndim for i in items)
        raise RuntimeError(("" if pure else "a view of ") + M_LEAF_INPLACE)
    prev, state.enabled = state.enabled, False
    try:
        region, advanced = _basic_index(a, items, type(index) is not tuple)  # as getitem
    finally:
        state.enabled = prev
    spec = tuple(t_._data if type(t_) is Tensor else t_ for t_ in items)
    only_tensors = advanced and builtins.all(type(i) is Tensor for i in items)
    vshape = tuple(getattr(value, "shape", ()))
    while len(vshape) > 0 and vshape[0] == 1:  # leading 1s are dropped, as torch does
        vshape = vshape[1:]
    shape = region._data.shape
    target = shape if not advanced else None
    # torch's copy into a region: a value of the region's shape as it is, a 0-dim one on
    # the CPU as a fill; any other viewed without its leading 1s (even with none), then
    # expanded to the region. Through tensor indices, only the 1s go.
    widen = (
        type(value) is Tensor
        and target is not None
        and value.shape != target
        and not (value._data.ndim == 0 and value._buffer.device == "cpu")
    )
    if type(value) is Tensor and (widen or (vshape != value.shape and value.shape != target)):
        value = view(value, vshape)
    if target is not None and vshape != target:
        try:
            if tuple(np.broadcast_shapes(vshape, target)) != target:
                raise ValueError
        except ValueError:
            raise RuntimeError(_expand_error(vshape, target, value)) from None
    # into a view whose elements share memory (an expand), torch writes a region without
    # such repeats (or through tensor indices, as index_put_)
    if not advanced and repeats_memory(region._data):
        raise RuntimeError(M_INTERNAL_OVERLAP)
    if type(value) is Tensor and value._buffer is a._buffer:
        _check_write_overlap(a, region, value, advanced, only_tensors, items)
    del region
    if a._multi_view and state.enabled and not only_tensors:
        _function._refuse_multi_view_write(a, (a, value), _written_view_op(items, a.shape))
    if (
        a._base is not None
        and not a._view_in_grad_mode
        and state.enabled
        and (a._base._rg or (type(value) is Tensor and value._rg))
    ):  # a write through a view made in no_grad mode, that autograd would have to record
        op = None if only_tensors else _written_view_op(items, a.shape)
        raise RuntimeError(_function.no_grad_view_message(a, M_NO_GRAD_VIEW_INPLACE, op))
    try:
        if not recording and not _function._dual:
            writable(a._data)[spec] = value._data if type(value) is Tensor else value
            a._vc[0] += 1
            if a._base is not None and a._view_version == a._vc[0] - 1:
                if not a._multi_view:  # (which is refused on use)
                    a._view_version = a._vc[0]  # a view written itself is not behind its base
        elif only_tensors:
            tensors = tuple(t_ for _, t_ in advanced)
            apply_inplace(S.IndexPutBackward0, a, (a, value, *tensors), spec)
        else:
            if widen and value.shape != shape:
                value = expand(value, shape)
            if not advanced and _written_view_op(items, a.shape) is None:
                _write_whole(a, value)  # no view to write through: torch's fill_ or copy_
            else:
                apply_inplace(S.CopySlices, a, (a, value), spec)
    except IndexError as e:
        raise _index_error(e, shape, advanced) from None
    except ValueError:  # NumPy's: the values do not fit the places indexed
        if not advanced:
            raise
        places = a._data[spec].shape
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot be broadcast to "
            f"indexing result of shape {shape_str(places)}"
        ) from None


def _write_whole(a, value) -> None:
    """``a[...] = value``, recorded as torch records it: a number or a 0-dim value on the
    CPU as ``fill_`` (``FillBackward3``), any other (of ``a``'s shape by now) as ``copy_``."""
    if type(value) is not Tensor:
        from ...creation import tensor

        value = tensor(value, dtype=a.dtype, device=a.device)
    if value._data.ndim == 0 and value._buffer.device == "cpu":
        apply_inplace(S.FillBackward3, a, (a, value))
    else:
        apply_inplace(S.CopyBackwards, a, (a, value))


def _check_write_overlap(a, region, value, advanced, only_tensors, items) -> None:
    """torch's refusal of ``a[index] = value`` where ``value`` is in ``a``'s memory: a copy
    into a region that the value, broadcast to it, partly overlaps; or an ``index_put_``
    whose value overlaps ``a`` at all (a one-element value under a mask is a fill)."""
    v = value._data
    if not advanced:
        bad = overlap(region._data, xp_of(v).broadcast_to(v, region.shape)) == "partial"
    elif only_tensors and not (len(items) == 1 and items[0]._data.dtype == bool and v.size == 1):
        bad = overlap(a._data, v) in ("partial", "full")
    else:
        bad = False
    if bad:
        raise RuntimeError(M_PARTIAL_OVERLAP)


def _expand_error(vshape, target, value) -> str:
    """torch's error for a setitem value (viewed to ``vshape``) that does not expand to the
    region's shape ``target``."""
    if len(vshape) > len(target):
        return (
            f"expand({_torch_type(value)}{{{shape_str(vshape)}}}, size={shape_str(target)}): the "
            f"number of sizes provided ({len(target)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({len(vshape)})"
        )
    n = builtins.max(len(vshape), len(target))
    pv = (1,) * (n - len(vshape)) + tuple(vshape)
    pt = (1,) * (n - len(target)) + tuple(target)
    for i in range(n - 1, -1, -1):
        if pv[i] != pt[i] and pv[i] != 1:
            return (
                f"The expanded size of the tensor ({pt[i]}) must match the existing size "
                f"({pv[i]}) at non-singleton dimension {i}.  Target sizes: {shape_str(target)}.  "
                f"Tensor sizes: {shape_str(vshape)}"
            )
    return f"shape mismatch: value tensor of shape {shape_str(vshape)} cannot be broadcast"
