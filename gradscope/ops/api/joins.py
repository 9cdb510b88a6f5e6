"""Joining and repeating: ``cat``, ``stack``, ``repeat``, ``repeat_interleave`` and ``tile``."""

from __future__ import annotations

import builtins

import numpy as np

from ... import dtypes
from ...autograd.function import apply
from ...backend import xp_of
from ...errors import py_type_name, refuse_kernel, shape_str
from .. import shape as S
from ._common import _NOTHING, _check_device, _dim, _int_arg, _int_sizes
from .scatter_gather import index_select
from .splits import _arg_desc, _is_int
from .views import _int_list, expand, flatten, unsqueeze

Tensor = None  # set by gradscope.tensor


def _tensor_list(name: str, tensors) -> list:
    """``tensors`` as a list, with torch's TypeErrors for anything but a sequence of tensors."""
    if type(tensors) is Tensor or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{py_type_name(tensors)}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {py_type_name(t)}"
            )
    return list(tensors)


def _joint_dtype(tensors):
    """torch's result type of tensors joined by ``cat``/``stack``, where NumPy's differs."""
    dtype = tensors[0]._data.dtype
    for t_ in tensors[1:]:
        dtype = dtypes.result_type(dtype, 1, None, t_._data.dtype, 1)
    numpy_s = np.result_type(*[t_._data.dtype for t_ in tensors])
    return None if dtype == numpy_s else dtype


def cat(tensors, dim=0):
    """Join tensors along an existing dimension."""
    return _cat("cat", tensors, dim)


def concat(tensors, dim=0):
    """``cat``, by its other name."""
    return _cat("concat", tensors, dim)


def concatenate(tensors, dim=0):
    """``cat``, by its other name."""
    return _cat("concatenate", tensors, dim)


def _cat(name: str, tensors, dim):
    tensors = _tensor_list(name, tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t_ in enumerate(tensors):
        if t_._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = tensors
    if len(tensors) > 1 and any(t_.shape == (0,) for t_ in tensors):
        # torch checks shapes without the 1-d empty tensors, but keeps their edges
        kept = [t_ for t_ in tensors if t_.shape != (0,)] or tensors[:1]
    first = kept[0]
    for t_ in tensors:
        _check_device(first, t_)
    d = _dim(dim, first._data.ndim)
    for i, t_ in enumerate(kept[1:], 1):
        if t_._data.ndim != first._data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {first.ndim} and {t_.ndim}"
            )
        for k in range(first._data.ndim):
            if k != d and t_.shape[k] != first.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{first.shape[k]} but got size {t_.shape[k]} for tensor number {i} in the list."
                )
    return apply(S.CatBackward0, tuple(tensors), d, _joint_dtype(tensors))


def stack(tensors, dim=0):
    """Join tensors along a new dimension."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    dim = _dim(dim, tensors[0]._data.ndim + 1)  # (before the sizes, as torch)
    for i, t_ in enumerate(tensors[1:], 1):
        if t_.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {shape_str(tensors[0].shape)} "
                f"at entry 0 and {shape_str(t_.shape)} at entry {i}"
            )
    return apply(
        S.StackBackward0,
        tuple(tensors),
        dim,
        _joint_dtype(tensors),
    )


def repeat(a, *repeats):
    """``a`` tiled ``repeats`` times along each dim (new leading dims for extra repeats)."""
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    repeats = _repeats(repeats)
    shape = a.shape
    if len(repeats) < len(shape):
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    padded = (1,) * (len(repeats) - len(shape)) + tuple(shape)
    out = [n * r for n, r in zip(padded, repeats)]
    for n in out:
        if n < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: {shape_str(out)}"
            )
    return apply(S.RepeatBackward0, (a,), repeats)


def repeat_interleave(a, repeats=_NOTHING, dim=None, *, output_size=None):
    """Each element of ``a`` (flattened, when ``dim`` is None) repeated ``repeats`` times
    along ``dim``: an int, or a tensor of counts (one, or one per element along ``dim``).
    With ``a`` alone, an int tensor of counts: each index repeated as often as it says."""
    return _repeat_interleave(a, repeats, dim, output_size, True)


def repeat_interleave_method(a, repeats=_NOTHING, dim=None, *, output_size=None):
    """``Tensor.repeat_interleave``."""
    return _repeat_interleave(a, repeats, dim, output_size, False)


def _repeat_interleave(a, repeats, dim, output_size, function: bool):
    if repeats is _NOTHING:
        if not function:
            raise _invalid_repeat_interleave((), False)
        if a._data.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return _repeated_indices(a._data, output_size)
    if type(repeats) is not Tensor and not _is_int(repeats):
        raise _invalid_repeat_interleave((repeats,) if dim is None else (repeats, dim), function)
    inp = a if dim is not None else flatten(a)
    d = 0 if dim is None else _int_arg("repeat_interleave", "dim", 3, dim)
    if type(repeats) is Tensor:  # torch's index_select at the repeated indices
        counts = repeats._data
        if counts.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        d = _dim(d, inp._data.ndim)
        size = inp._data.shape[d] if inp._data.ndim else 1
        if counts.ndim == 0 or counts.shape[0] == 1:
            counts = xp_of(counts).broadcast_to(counts.reshape(1), (size,))
        elif counts.shape[0] != size:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {counts.shape[0]} and input.size({d}) = {size}"
            )
        return index_select(inp, d, _repeated_indices(counts, output_size))
    d = _dim(d, a._data.ndim)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    x = unsqueeze(inp, d + 1)
    shape = list(x.shape)
    shape[d + 1] = repeats
    x = expand(x, shape)
    if output_size is not None and output_size != repeats * shape[d]:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {repeats * shape[d]} but got "
            f"{output_size}"
        )
    return flatten(apply(S.CloneBackward0, (x,), "C"), d, d + 1)


def _repeated_indices(counts, output_size):
    """Index ``i`` repeated ``counts[i]`` times, in ``counts``' dtype (torch's
    ``repeat_interleave`` of a tensor of counts)."""
    if counts.dtype not in (np.int32, np.int64):
        refuse_kernel("repeat_interleave_cpu", counts.dtype)
    if counts.size and (counts < 0).any():
        raise RuntimeError("repeats can not be negative")
    xp = xp_of(counts)
    # CuPy's repeat takes the counts as a list only
    out = xp.repeat(
        xp.arange(counts.shape[0], dtype=counts.dtype),
        counts if xp is np else counts.tolist(),
    )
    if output_size is not None and output_size != out.shape[0]:
        raise RuntimeError("allocated size does not match required size")
    return Tensor._make(out, None)


def _invalid_repeat_interleave(given: tuple, function: bool) -> TypeError:
    got = ", ".join((["Tensor"] if function else []) + [_arg_desc(v) for v in given])
    if function:
        forms = (
            "Tensor input, Tensor repeats, int dim = None, *, int output_size = None",
            "Tensor repeats, *, int output_size = None",
            "Tensor input, int repeats, int dim = None, *, int output_size = None",
        )
    else:
        forms = (
            "Tensor repeats, int dim = None, *, int output_size = None",
            "int repeats, int dim = None, *, int output_size = None",
        )
    lines = "".join(f" * ({f})\n" for f in forms)
    return TypeError(
        f"repeat_interleave() received an invalid combination of arguments - got ({got}), "
        f"but expected one of:\n{lines}"
    )


def _repeats(given: tuple) -> tuple:
    """``repeat``'s sizes as ints, or torch's TypeError for what is not one."""
    return _int_sizes("repeat", "repeats", given)


def tile(a, dims):
    """``a`` repeated ``dims`` times along each dim, ``dims`` padded with leading ones to
    ``a``'s dims (``repeat``)."""
    return _tile(a, dims, 2)


def tile_method(a, *dims):
    """``Tensor.tile``: ``tile`` with the counts as one sequence or several ints."""
    if not dims:
        raise TypeError('tile() missing 1 required positional arguments: "dims"')
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return _tile(a, dims[0], 1)
    first = dims[0]
    if len(dims) > 1 and not (isinstance(first, (int, np.integer)) and type(first) is not bool):
        raise TypeError(f"tile() takes 1 positional argument but {len(dims)} were given")
    if len(dims) == 1 and (type(first) is bool or not isinstance(first, (int, np.integer))):
        return _tile(a, first, 1)  # refused: not a sequence
    return _tile(a, dims, 1)


def _tile(a, dims, pos: int):
    dims = _int_list("tile", "dims", pos, dims)
    lead = builtins.max(a._data.ndim - len(dims), 0)
    return repeat(a, (1,) * lead + dims)
