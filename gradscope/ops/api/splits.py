"""Splitting a tensor: ``split``, ``tensor_split``, ``chunk``, ``unbind``, ``hsplit`` ..."""

from __future__ import annotations

import builtins

import numpy as np

from ...autograd.function import apply
from ...errors import scalar_type_name
from .. import shape as S
from ._common import _NOTHING, _dim, _int_arg
from .views import _int_list

Tensor = None  # set by gradscope.tensor


def unbind(a, dim=0) -> tuple:
    """The slices of ``a`` along ``dim``, as views, recorded as one ``UnbindBackward0``."""
    dim = _int_arg("unbind", "dim", 1, dim)
    if a._data.ndim == 0:
        _dim(dim, 0)  # out of range first, as torch
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _dim(dim, a._data.ndim)
    return S.views(S.UnbindBackward0, a, d, list(range(a._data.shape[d])))


def split(a, split_size_or_sections=None, dim=0, *, split_size=None) -> tuple:
    """``a`` cut along ``dim`` into parts of one size (the last may be smaller) or of the
    sizes listed, as views, recorded as one ``SplitBackward0`` (``SplitWithSizesBackward0``).
    (``split_size=`` is the name ``Tensor.split`` gives the first argument in torch.)"""
    if split_size_or_sections is None:
        split_size_or_sections = split_size
    n = split_size_or_sections
    # torch's Tensor.split calls split for an int, else split_with_sizes: their parsers'
    # TypeErrors, before any other check
    by_size = isinstance(n, (int, np.integer)) and not isinstance(n, bool)
    if by_size and not _is_int(dim):
        got = f"Tensor, int, {_arg_desc(dim)}"
        raise TypeError(f"split() received an invalid combination of arguments - got ({got})")
    if not by_size:
        n = list(_int_list("split_with_sizes", "split_sizes", 2, n))
        dim = _int_arg("split_with_sizes", "dim", 3, dim)
    if a._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = int(dim)
    if by_size and n < 0:  # before dim
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={n}")
    d = _dim(dim, a._data.ndim)
    size = a._data.shape[d]
    if not by_size:
        sizes = n
        if builtins.any(n < 0 for n in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                f"tensor's size at dimension {dim}), but got split_sizes={sizes}"
            )
        starts = np.cumsum([0, *sizes]).tolist()
        parts = [slice(s, s + n) for s, n in zip(starts, sizes)]
        return S.views(
            S.SplitWithSizesBackward0, a, d, parts, self_sym_sizes=a.shape, split_sizes=tuple(sizes)
        )
    n = int(n)
    if n == 0 and size != 0:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
        )
    parts = [slice(s, builtins.min(s + n, size)) for s in range(0, size, n)] if n else []
    parts = parts or [slice(0, 0)]
    return S.views(S.SplitBackward0, a, d, parts, self_sym_sizes=a.shape, split_size=n)


def split_with_sizes(a, split_sizes, dim=0) -> tuple:
    """``split`` by a list of sizes (``SplitWithSizesBackward0``)."""
    return split(a, list(_int_list("split_with_sizes", "split_sizes", 2, split_sizes)), dim)


def split_with_sizes_method(a, split_sizes, dim=0) -> tuple:
    """``Tensor.split_with_sizes``."""
    return split(a, list(_int_list("split_with_sizes", "split_sizes", 1, split_sizes)), dim)


_TENSOR_SPLIT_FORMS = ("tuple of ints indices", "Tensor tensor_indices_or_sections", "int sections")


_HSPLIT_FORMS = ("int sections", "tuple of ints indices")


def _arg_desc(v, detail: bool = False) -> str:
    """An argument's type as torch's argument parser names it in its errors."""
    if isinstance(v, (tuple, list)) and detail:
        return f"{type(v).__name__} of [{', '.join(type(x).__name__ for x in v)}]"
    return "Tensor" if type(v) is Tensor else type(v).__name__


def _invalid_split_args(name: str, forms: tuple, given: tuple, function: bool) -> TypeError:
    """torch's TypeError for arguments that match none of ``name``'s forms (``given``
    after the tensor; the tensor is an argument too for the function)."""
    got = ", ".join((["Tensor"] if function else []) + [_arg_desc(v) for v in given])
    lead = "Tensor input, " if function else ""
    lines = [f"{name}() received an invalid combination of arguments - got ({got}), but "
             "expected one of:"]  # fmt: skip
    for form in forms:
        if name == "tensor_split":
            lines.append(f" * ({lead}{form}, int dim = 0)")
            continue
        lines.append(f" * ({lead}{form})")
        marks = ", ".join(
            (["Tensor"] if function else []) + [f"!{_arg_desc(v, True)}!" for v in given]
        )
        lines.append(
            f"      didn't match because some of the arguments have invalid types: ({marks})"
        )
    return TypeError("\n".join(lines) + "\n")


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def tensor_split(
    a,
    indices_or_sections=_NOTHING,
    dim=0,
    *,
    indices=_NOTHING,
    sections=_NOTHING,
    tensor_indices_or_sections=_NOTHING,
) -> tuple:
    """``a`` cut along ``dim`` into ``sections`` parts of sizes differing by at most one
    (the larger first), or at the ``indices`` given: each part a view, recorded as a
    ``SliceBackward0`` of its own."""
    given = [v for v in (indices_or_sections, indices, sections, tensor_indices_or_sections)
             if v is not _NOTHING]  # fmt: skip
    if len(given) != 1:
        raise TypeError('tensor_split() missing 1 required positional arguments: "indices"')
    return _tensor_split(a, given[0], dim, True)


def tensor_split_method(a, indices_or_sections=_NOTHING, dim=0, **kwargs) -> tuple:
    """``Tensor.tensor_split``."""
    if indices_or_sections is not _NOTHING and not kwargs:
        return _tensor_split(a, indices_or_sections, dim, False)
    return tensor_split(a, indices_or_sections, dim, **kwargs)


def _tensor_split(a, how, dim, function: bool) -> tuple:
    if isinstance(how, (tuple, list)):
        if how and not _is_int(how[0]):
            raise _invalid_split_args("tensor_split", _TENSOR_SPLIT_FORMS, (how,), function)
        how = list(_int_list("tensor_split", "indices", 2 if function else 1, how))
    elif type(how) is not Tensor and not _is_int(how):
        raise _invalid_split_args("tensor_split", _TENSOR_SPLIT_FORMS, (how,), function)
    dim = _int_arg("tensor_split", "dim", 2, dim)  # (the parser's checks first)
    nd = a._data.ndim
    if nd == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    if type(how) is Tensor:
        arr = how._data
        if arr.dtype != np.int64:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but "
                f"got {scalar_type_name(arr.dtype)}"
            )
        if arr.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {arr.ndim} dims"
            )
        how = int(arr) if arr.ndim == 0 else [int(i) for i in arr.tolist()]
    d = _dim(dim, nd)
    size = a._data.shape[d]
    if isinstance(how, int):
        if how <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {how}")
        small, extra = divmod(size, how)
        bounds = np.cumsum([0] + [small + 1] * extra + [small] * (how - extra)).tolist()
    else:  # each index wrapped and clamped, as slicing takes it
        bounds = [0] + [builtins.min(builtins.max(i + size if i < 0 else i, 0), size) for i in how]
        bounds.append(size)
    return tuple(
        apply(S.SliceBackward0, (a,), d, start, builtins.max(start, end), 1)
        for start, end in zip(bounds[:-1], bounds[1:])
    )


def _split_along(name: str, dim: int, least: int, a, how, function: bool) -> tuple:
    """``hsplit``, ``vsplit``, ``dsplit``: ``tensor_split`` along ``dim``, sections that
    must divide the size."""
    if type(how) is Tensor and how._data.ndim == 0 and how._data.dtype.kind in "iu":
        how = int(how._data)
    if not (_is_int(how) or (isinstance(how, (tuple, list)) and builtins.all(map(_is_int, how)))):
        raise _invalid_split_args(name, _HSPLIT_FORMS, (how,), function)
    nd = a._data.ndim
    if nd < least:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {least} dimension, but got a tensor "
            f"with {nd} dimensions!"
        )
    if _is_int(how):
        size = a._data.shape[dim]
        if how == 0 or size % how:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {how}!"
            )
    return _tensor_split(a, how, dim, function)


def hsplit(a, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 of a vector); sections must divide the size."""
    return _hsplit(a, indices_or_sections, True)


def vsplit(a, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 0 of a tensor of 2 dims or more."""
    return _split_along("vsplit", 0, 2, a, indices_or_sections, True)


def dsplit(a, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 2 of a tensor of 3 dims or more."""
    return _split_along("dsplit", 2, 3, a, indices_or_sections, True)


def _hsplit(a, how, function: bool) -> tuple:
    return _split_along("hsplit", 1 if a._data.ndim > 1 else 0, 1, a, how, function)


def hsplit_method(a, indices_or_sections) -> tuple:
    """``Tensor.hsplit``."""
    return _hsplit(a, indices_or_sections, False)


def vsplit_method(a, indices_or_sections) -> tuple:
    """``Tensor.vsplit``."""
    return _split_along("vsplit", 0, 2, a, indices_or_sections, False)


def dsplit_method(a, indices_or_sections) -> tuple:
    """``Tensor.dsplit``."""
    return _split_along("dsplit", 2, 3, a, indices_or_sections, False)


def chunk(a, chunks: int, dim=0) -> tuple:
    """``a`` cut into ``chunks`` parts of equal size along ``dim`` (fewer, and the last one
    smaller, where the size does not divide): ``split`` by ``ceil(size / chunks)``."""
    chunks = _int_arg("chunk", "chunks", 1, chunks)
    dim = _int_arg("chunk", "dim", 2, dim)
    if a._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = a._data.shape[_dim(dim, a._data.ndim)]
    if size == 0:  # as torch: that many empty parts
        return split(a, [0] * chunks, dim)
    return split(a, -(-size // chunks), dim)
