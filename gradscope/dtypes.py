"""Tensor dtypes, named as torch names them, each backed by a NumPy dtype."""

from __future__ import annotations

import numpy as np


class dtype:  # noqa: N801 - named as torch names it
    """A tensor element type (``gs.float32``, ``gs.int64``, ...)."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "itemsize", "_rank")

    def __init__(self, name: str, np_dtype, rank: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.itemsize = self.np.itemsize
        self._rank = rank  # 0 bool, 1 integer, 2 floating, 3 complex

    def __repr__(self) -> str:
        return f"gradscope.{self.name}"

    def __reduce__(self):
        return (from_name, (self.name,))


bool_ = dtype("bool", np.bool_, 0)
uint8 = dtype("uint8", np.uint8, 1)
int8 = dtype("int8", np.int8, 1)
int16 = dtype("int16", np.int16, 1)
int32 = dtype("int32", np.int32, 1)
int64 = dtype("int64", np.int64, 1)
float16 = dtype("float16", np.float16, 2)
float32 = dtype("float32", np.float32, 2)
float64 = dtype("float64", np.float64, 2)
complex64 = dtype("complex64", np.complex64, 3)
complex128 = dtype("complex128", np.complex128, 3)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64, complex64, complex128)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}

default_float = float32


def default_complex() -> np.dtype:
    """torch's default complex dtype, which follows the default float: complex128 when it
    is float64, else complex64."""
    return _C128 if default_float is float64 else _C64


_C64, _C128 = np.dtype(np.complex64), np.dtype(np.complex128)


def from_numpy(np_dtype) -> dtype:
    """The gradscope dtype of a NumPy dtype; torch's TypeError for one a tensor does not
    hold (objects, strings, long doubles; gradscope has no uint16/32/64 either)."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The "
            "only supported types are: float64, float32, float16, complex64, complex128, "
            "int64, int32, int16, int8, uint8, and bool."
        ) from None


def from_name(name: str) -> dtype:
    """The dtype called ``name`` ("float32", ...)."""
    return _BY_NAME[name]


def resolve(d) -> np.dtype | None:
    """The NumPy dtype for a gradscope dtype, NumPy dtype, Python type or None."""
    if d is None:
        return None
    if isinstance(d, dtype):
        return d.np
    if d is float:  # as torch reads Python's float: double, whatever the default
        return np.dtype(np.float64)
    if d is int:
        return np.dtype(np.int64)
    if d is bool:
        return np.dtype(np.bool_)
    return np.dtype(d)


def _category(np_dtype: np.dtype) -> int:
    k = np_dtype.kind
    return 0 if k == "b" else 1 if k in "iu" else 2 if k == "f" else 3


def scalar_category(v) -> int:
    """Category of a Python scalar: 0 bool, 1 int, 2 float, 3 complex."""
    if isinstance(v, bool):
        return 0
    if isinstance(v, int):
        return 1
    if isinstance(v, float):
        return 2
    return 3


def result_type(a_dtype: np.dtype, a_dim: int, b, b_dtype: np.dtype | None, b_dim: int) -> np.dtype:
    """torch's type promotion for a tensor and another tensor (or Python scalar, b_dtype None).

    Within a category, a dimensioned tensor outranks a 0-dim tensor, which outranks a
    Python scalar; a higher category always wins, taking the default dtype of that
    category when it comes from a scalar.
    """
    if b_dtype is None:  # Python scalar
        ca, cb = _category(a_dtype), scalar_category(b)
        if cb <= ca:
            return a_dtype
        if ca == 2:  # a complex number with a floating tensor: the tensor's precision
            return _complex_of(a_dtype)
        return {1: np.dtype(np.int64), 2: default_float.np, 3: default_complex()}[cb]
    if a_dtype == b_dtype:
        return a_dtype
    ca, cb = _category(a_dtype), _category(b_dtype)
    if (a_dim == 0) != (b_dim == 0):
        if cb > ca if a_dim > 0 else ca > cb:  # the 0-dim one's higher category wins...
            if ca + cb == 5:  # ...but complex over a floating tensor keeps its precision
                return _complex_of(a_dtype if a_dim > 0 else b_dtype)
            return b_dtype if a_dim > 0 else a_dtype
        return a_dtype if a_dim > 0 else b_dtype
    if ca != cb:  # the higher category wins, with its own dtype...
        if ca + cb == 5:  # ...but complex and floating take the wider precision
            return _complex_of(a_dtype, b_dtype)
        return a_dtype if ca > cb else b_dtype
    return np.promote_types(a_dtype, b_dtype)


def _complex_of(*np_dtypes: np.dtype) -> np.dtype:
    """The complex dtype of the widest precision of ``np_dtypes`` (complex64 below float64:
    NumPy has no complex32)."""
    real = max(d.itemsize // 2 if d.kind == "c" else d.itemsize for d in np_dtypes)
    return _C128 if real >= 8 else _C64


# the C++ type torch names when a number does not fit a tensor's elements
_C_SCALAR_NAMES = {
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "int64": "int64_t",
    "int32": "int",
    "int16": "int16_t",
    "int8": "int8_t",
    "uint8": "uint8_t",
}

_INT64 = (-(2**63), 2**63 - 1)


def c_scalar_name(np_dtype: np.dtype) -> str:
    """The C++ name torch gives ``np_dtype`` where a number does not fit it."""
    return _C_SCALAR_NAMES.get(str(np_dtype), "double")


def checked_scalar(value, np_dtype: np.dtype):
    """``value`` (a Python number) as torch converts it to fill a tensor of ``np_dtype``
    (``full``, ``fill_``, ``masked_fill``, setitem, ``clamp``'s and ``where``'s scalars):
    torch's RuntimeError where it overflows the type (inf and NaN fit floating types only);
    a negative int wraps into an unsigned type down to minus its largest value, as in
    torch. Other values (bools, complex, tensors) come back as they are."""
    kind = np_dtype.kind
    tv = type(value)
    if kind == "b":
        return bool(value) if tv is int else value  # any number is a bool, as in torch
    if tv is complex and kind in "fiu":  # its real part, if it has no imaginary part
        if value.imag != 0:  # (NaN included)
            raise _overflow(np_dtype)
        value, tv = value.real, float
    if tv is bool or tv is complex or not isinstance(value, (int, float)):
        return value
    if kind == "f":
        if tv is not float and not _INT64[0] <= value <= _INT64[1] * 2 + 1:
            return value  # past uint64: torch's own OverflowError comes first elsewhere
        v = float(value)
        if v == v and abs(v) != float("inf") and abs(v) > float(np.finfo(np_dtype).max):
            raise _overflow(np_dtype)
        return value
    if kind not in "iu":
        return value
    info = np.iinfo(np_dtype)
    if isinstance(value, float):  # compared as doubles, as torch: 2.0**63 fits int64
        if not (value == value and float(info.min) <= value <= float(info.max)):
            raise _overflow(np_dtype)
        if value >= 2.0**63:  # int64's max as a double: torch's cast gives int64's min
            return int(info.min)
        return value
    if kind == "u" and value < 0:
        if -value > info.max:
            raise _overflow(np_dtype)
        return value + info.max + 1  # two's complement, as torch wraps it
    if not info.min <= value <= info.max:
        raise _overflow(np_dtype)
    return value


def wrapped_scalar(value: int, np_dtype: np.dtype):
    """A Python int as torch casts an operand of arithmetic or a comparison into integer
    ``np_dtype``: modulo the type's range (into uint8, 300 is 44 and -1 is 255), where
    NumPy refuses one out of range; past 64 bits, torch's OverflowError."""
    if not -(2**63) <= value < 2**64:
        raise OverflowError("int too big to convert")
    return np.uint64(value % 2**64).astype(np_dtype)


def overflow_error(type_name: str) -> RuntimeError:
    """torch's error for a number that does not fit a type (``type_name`` as torch names
    it there: ``float`` from a fill, ``uint8`` from ``tensor()``)."""
    return RuntimeError(f"value cannot be converted to type {type_name} without overflow")


def _overflow(np_dtype) -> RuntimeError:
    return overflow_error(c_scalar_name(np_dtype))
