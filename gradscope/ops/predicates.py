"""Questions asked of tensors, dtypes and shapes: ``all``, ``any``, ``allclose``,
``equal``, ``is_floating_point``, ``is_complex``, ``is_nonzero``, ``is_same_size``,
``result_type``, ``promote_types``, ``can_cast``, ``broadcast_shapes`` and
``set_default_dtype``.

None records a node: the answers are Python values, dtypes, shapes, or bool tensors
outside the graph (``all`` and ``any`` of a uint8 tensor keep uint8, as torch's do).
"""

from __future__ import annotations

import builtins
from numbers import Number

import numpy as np

from .. import dtypes
from ..backend import contiguous, xp_of
from ..errors import py_type_name
from ..tensor import Size, Tensor
from .api import _check_tensor_arg, _dims
from .counting import isclose

# ------------------------------------------------------------------------ all, any


def all(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 - torch's name
    """Whether every element is nonzero, in all of ``input`` or along ``dim`` (an int or
    ints): a bool tensor (uint8 for a uint8 input)."""
    return _logical_reduce("all", input, dim, keepdim)


def any(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A001 - torch's name
    """Whether some element is nonzero, in all of ``input`` or along ``dim``."""
    return _logical_reduce("any", input, dim, keepdim)


_REDUCE_FORMS = [
    ("Tensor input, *, Tensor out = None", ("Tensor",) * 2),
    ("Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None",
     ("Tensor",) * 4),
    ("Tensor input, int dim, bool keepdim = False, *, Tensor out = None", ("Tensor",) * 4),
]  # fmt: skip


def _logical_reduce(how: str, a, dim, keepdim: bool) -> Tensor:
    if type(a) is not Tensor or not (
        dim is None
        or _is_int(dim)
        or (isinstance(dim, (list, tuple)) and builtins.all(_is_int(d) for d in dim))
    ):
        given = (a,) if dim is None else (a, dim)
        raise invalid_arguments(how, _REDUCE_FORMS, given)
    x = a._data
    xp = xp_of(x)
    if dim is None:
        axes = tuple(range(x.ndim))
    elif isinstance(dim, (list, tuple)):
        axes = _dims(dim, x.ndim) if dim else ()  # no dims: nothing reduced, as torch
    else:
        axes = _dims(dim, x.ndim)
    out = getattr(xp, how)(x, axis=axes, keepdims=bool(keepdim) and dim is not None)
    if dim is None and keepdim:
        out = out.reshape((1,) * x.ndim)
    out = contiguous(xp.asarray(out))  # C order, as torch's reductions
    if x.dtype == np.uint8:
        out = out.astype(np.uint8)
    return Tensor._make(out, None)


# ------------------------------------------------------------------------ comparisons


def allclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether ``isclose(input, other, rtol, atol, equal_nan)`` holds everywhere."""
    _check_tensor_arg("allclose", "input", 1, input)
    _check_tensor_arg("allclose", "other", 2, other)
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether ``input`` and ``other`` have one shape and equal elements (NaN equals
    nothing; the dtypes may differ)."""
    _check_tensor_arg("equal", "input", 1, input)
    _check_tensor_arg("equal", "other", 2, other)
    x, y = input._data, other._data
    if x.shape != y.shape:
        return False
    return builtins.bool((x == y).all())


def is_floating_point(input) -> bool:
    """Whether ``input``'s dtype is a floating one."""
    _check_tensor_arg("is_floating_point", "input", 1, input)
    return input.is_floating_point()


def is_complex(input) -> bool:
    """Whether ``input``'s dtype is a complex one."""
    _check_tensor_arg("is_complex", "input", 1, input)
    return input.is_complex()


def is_nonzero(input) -> bool:
    """Whether the one element of ``input`` is nonzero."""
    _check_tensor_arg("is_nonzero", "input", 1, input)
    return input.is_nonzero()


def is_same_size(input, other) -> bool:
    """Whether ``input`` and ``other`` have one shape."""
    _check_tensor_arg("is_same_size", "input", 1, input)
    _check_tensor_arg("is_same_size", "other", 2, other)
    return input.is_same_size(other)


# ------------------------------------------------------------------------ dtypes


def _is_number(v) -> bool:
    return isinstance(v, Number) and not isinstance(v, Tensor)


def invalid_arguments(name: str, forms: list, given: tuple) -> TypeError:
    """torch's TypeError for arguments that match none of ``name``'s forms. A form is
    ``(text, kinds)``: its text as torch prints it and the kind of each argument
    (``Tensor``, ``Number``, ``dtype``, or None for one that takes anything); a form with
    as many arguments as were given says which of them did not fit, as torch's does."""
    got = ", ".join(_kind_name(v) for v in given)
    lines = [f"{name}() received an invalid combination of arguments - got ({got}), but "
             "expected one of:"]  # fmt: skip
    for text, kinds in forms:
        lines.append(f" * ({text})")
        if len(kinds) == len(given):
            marks = ", ".join(
                _kind_name(v) if _fits(v, k) else f"!{_kind_name(v)}!" for v, k in zip(given, kinds)
            )
            lines.append(
                f"      didn't match because some of the arguments have invalid types: ({marks})"
            )
    return TypeError("\n".join(lines) + "\n")


def _kind_name(v) -> str:
    if type(v) is Tensor:
        return "Tensor"
    if isinstance(v, dtypes.dtype):
        return "gradscope.dtype"
    return type(v).__name__


def _fits(v, kind) -> bool:
    if kind is None:
        return True
    if kind == "Tensor":
        return type(v) is Tensor
    if kind == "Number":
        return _is_number(v)
    return isinstance(v, dtypes.dtype)


_RESULT_TYPE_FORMS = [
    ("Tensor tensor, Tensor other", ("Tensor", "Tensor")),
    ("Number scalar, Tensor tensor", ("Number", "Tensor")),
    ("Tensor tensor, Number other", ("Tensor", "Number")),
    ("Number scalar1, Number scalar2", ("Number", "Number")),
]

_SCALAR_DEFAULTS = {0: np.dtype(np.bool_), 1: np.dtype(np.int64)}


def result_type(tensor, other) -> dtypes.dtype:
    """The dtype ``tensor op other`` would have, by torch's promotion rules (a tensor or
    a Python number each)."""
    a, b = tensor, other
    if not _all_known(a, b):
        raise invalid_arguments("result_type", _RESULT_TYPE_FORMS, (a, b))
    if type(a) is not Tensor and type(b) is not Tensor:
        category = builtins.max(dtypes.scalar_category(a), dtypes.scalar_category(b))
        np_dtype = _SCALAR_DEFAULTS.get(category) or (
            dtypes.default_complex() if category == 3 else dtypes.default_float.np
        )
    elif type(a) is not Tensor:
        np_dtype = dtypes.result_type(b._data.dtype, b._data.ndim, a, None, 0)
    elif type(b) is not Tensor:
        np_dtype = dtypes.result_type(a._data.dtype, a._data.ndim, b, None, 0)
    else:
        x, y = a._data, b._data
        np_dtype = dtypes.result_type(x.dtype, x.ndim, None, y.dtype, y.ndim)
    return dtypes.from_numpy(np_dtype)


def _all_known(*args) -> bool:
    return builtins.all(type(v) is Tensor or _is_number(v) for v in args)


def _check_dtype_arg(fn: str, name: str, position: int, v) -> None:
    if not isinstance(v, dtypes.dtype):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be gradscope.dtype, not "
            f"{py_type_name(v)}"
        )


def promote_types(type1, type2) -> dtypes.dtype:
    """The smallest dtype both ``type1`` and ``type2`` cast to safely, by torch's rules (a
    higher category wins outright: ``promote_types(int32, float16)`` is float16)."""
    _check_dtype_arg("promote_types", "type1", 1, type1)
    _check_dtype_arg("promote_types", "type2", 2, type2)
    return dtypes.from_numpy(dtypes.result_type(type1.np, 1, None, type2.np, 1))


def can_cast(from_, to) -> bool:
    """Whether torch's type promotion allows a cast from ``from_`` to ``to``: never from a
    floating to an integral dtype, from complex to real, or from a non-bool to bool."""
    _check_dtype_arg("can_cast", "from_", 1, from_)
    _check_dtype_arg("can_cast", "to", 2, to)
    return from_._rank <= to._rank


def broadcast_shapes(*shapes) -> Size:
    """The shape tensors of ``shapes`` broadcast to (each an int or a sequence of ints),
    with torch's errors for shapes that do not broadcast."""
    given = [(s,) if _is_int(s) else s for s in shapes if s is not None]
    if not given:
        return Size(())
    for shape in given:
        if not isinstance(shape, (tuple, list)):
            raise RuntimeError(
                "Input shapes should be of type ints, a tuple of ints, or a list of ints, got "
                f"{shape}"
            )
    common = [1] * builtins.max(len(s) for s in given)
    for k, shape in enumerate(given):
        for i in range(-1, -1 - len(shape), -1):
            if shape[i] == common[i]:
                continue
            if common[i] == 1:
                if shape[i] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[i] = shape[i]
            if shape[i] != 1 and common[i] != shape[i]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[i]} at {i}! "
                    f"Mismatching argument at index {k} had {shape}; but expected shape "
                    f"should be broadcastable to {common}"
                )
    for i, s in enumerate(common):
        if not _is_int(s):
            raise TypeError(
                f"gradscope.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')"
            )
    return Size(int(s) for s in common)


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def set_default_dtype(d) -> None:
    """Make ``d`` (a floating dtype) the dtype of tensors built from Python floats, and of
    ``rand``, ``zeros`` and the other creation functions without a ``dtype``."""
    if not isinstance(d, dtypes.dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    dtypes.default_float = d


def get_default_dtype() -> dtypes.dtype:
    """The dtype of floating tensors built from Python floats (float32 unless set)."""
    return dtypes.default_float
