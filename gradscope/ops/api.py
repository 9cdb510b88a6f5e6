"""The op functions users call (``gs.mul``, ``Tensor.sum``, ``+`` ...).

Each checks and normalises its arguments the way torch does (dims, Python scalars, type
promotion, devices, error texts), then runs one ``Function`` through ``apply``.
"""

from __future__ import annotations

import builtins
import warnings
from collections import namedtuple
from numbers import Number

import numpy as np

from .. import dtypes
from ..autograd import function as _function
from ..autograd.function import apply, apply_inplace, apply_view_inplace, check_inplace_result
from ..autograd.grad_mode import state
from ..backend import overlap, repeats_memory, writable, xp_of
from ..errors import (
    M_BOOL_SUB,
    M_INTERNAL_OVERLAP,
    M_LEAF_INPLACE,
    M_NO_GRAD_VIEW_INPLACE,
    M_PARTIAL_OVERLAP,
    cpp_type_name,
    py_type_name,
    refuse_kernel,
    scalar_type_name,
    shape_str,
)
from ..events.callsite import user_stacklevel
from . import activation as A
from . import elementwise as E
from . import index as I
from . import linalg as L
from . import numeric as N
from . import order as O
from . import reduce as R
from . import shape as S

Tensor = None  # set by gradscope.tensor

_Scalar = (int, float, bool)


class _ReturnType:
    """torch's ``return_types`` repr for a (values, indices) pair: one field a line."""

    __slots__ = ()

    def __repr__(self) -> str:
        fields = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
        return f"gradscope.return_types.{type(self).__name__}(\n{fields})"


class MaxResult(_ReturnType, namedtuple("max", ["values", "indices"])):
    __slots__ = ()


class MinResult(_ReturnType, namedtuple("min", ["values", "indices"])):
    __slots__ = ()


class SortResult(_ReturnType, namedtuple("sort", ["values", "indices"])):
    __slots__ = ()


class TopkResult(_ReturnType, namedtuple("topk", ["values", "indices"])):
    __slots__ = ()


def _return_type(name: str, fields=("values", "indices")):
    """A ``gradscope.return_types`` named tuple called ``name``."""
    cls = type(name, (_ReturnType, namedtuple(name, list(fields))), {"__slots__": ()})
    cls.__qualname__ = name
    return cls


MedianResult = _return_type("median")
NanmedianResult = _return_type("nanmedian")
KthvalueResult = _return_type("kthvalue")
ModeResult = _return_type("mode")
CummaxResult = _return_type("cummax")
CumminResult = _return_type("cummin")
AminmaxResult = _return_type("aminmax", ("min", "max"))
FrexpResult = _return_type("frexp", ("mantissa", "exponent"))

MaxResult.__name__ = MaxResult.__qualname__ = "max"
MinResult.__name__ = MinResult.__qualname__ = "min"
SortResult.__name__ = SortResult.__qualname__ = "sort"
TopkResult.__name__ = TopkResult.__qualname__ = "topk"


# ---------------------------------------------------------------- helpers


def as_tensor_like(v, like):
    """``v`` as a tensor on ``like``'s device (lists, arrays) or unchanged (tensors, scalars)."""
    if type(v) is Tensor:
        return v
    if isinstance(v, np.generic):  # a NumPy scalar counts as the Python number it holds
        return v.item()
    if isinstance(v, _Scalar):
        return v
    if isinstance(v, complex):
        return v
    if isinstance(v, Number):
        return v.item()
    from ..creation import tensor

    return tensor(v, device=like.device)


def _check_device(a, b) -> None:
    if a._buffer.device != b._buffer.device:
        da, db = a._buffer.device, b._buffer.device
        first, second = (da, db) if da.startswith("cuda") else (db, da)
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{first} and {second}!"
        )


def _scalar_mover(a, b) -> int | None:
    """Which operand of an elementwise op moves to the other's device: torch lets a 0-dim
    CPU tensor join a tensor on another device, as a Python scalar would (0: ``a``,
    1: ``b``; None: both are on one device). Any other mix raises torch's error."""
    da, db = a._buffer.device, b._buffer.device
    if da == db:
        return None
    if db == "cpu" and b._data.ndim == 0:
        return 1
    if da == "cpu" and a._data.ndim == 0:
        return 0
    _check_device(a, b)
    return None  # pragma: no cover (_check_device raised)


def _on_one_device(a, b) -> tuple:
    """``(a, b)``, the 0-dim CPU operand copied to the other's device if they differ.

    The copy is a graph node (``ToCopyBackward0``), so the gradient goes back to the CPU
    tensor on the CPU; torch records no such node, the values and gradients are the same.
    """
    which = _scalar_mover(a, b)
    if which == 1:
        return a, b.to(a._buffer.device)
    if which == 0:
        return a.to(b._buffer.device), b
    return a, b


def _promoted(a, b):
    """The result dtype torch would give ``a op b`` when NumPy might not, else None."""
    ad = a._data.dtype
    if type(b) is Tensor:
        bd = b._data.dtype
        if ad is bd:
            return None
        return dtypes.result_type(ad, a._data.ndim, None, bd, b._data.ndim)
    if isinstance(b, float) and ad.kind in "iub":
        return dtypes.default_float.np
    if isinstance(b, int) and not isinstance(b, bool) and ad.kind == "b":
        return np.dtype(np.int64)
    return None


def _broadcast_error(op: str, a, b) -> RuntimeError:
    sa, sb = a.shape, getattr(b, "shape", ())
    n = builtins.max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i}"
            )
    return RuntimeError(f"{op}: shapes {shape_str(sa)} and {shape_str(sb)} do not broadcast")


def _binary(cls, op: str, a, b, *extra):
    tb = type(b)
    if (tb is float or tb is int) and a._data.dtype.kind in "fc":
        promoted = None  # a Python number and a floating tensor: nothing to convert or promote
    elif tb is Tensor and b._data.dtype is a._data.dtype and b._buffer.device == a._buffer.device:
        promoted = None  # two tensors of one dtype on one device: likewise
    else:
        b = as_tensor_like(b, a)
        if type(b) is Tensor:
            a, b = _on_one_device(a, b)
        promoted = _promoted(a, b)
        if type(b) is int:
            b, extra = _integral_operands(b, promoted or a._data.dtype, extra)
    try:
        return apply(cls, (a, b), *extra, promoted)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def _integral_operands(b: int, dtype, extra: tuple) -> tuple:
    """A Python int operand ``b`` (and an ``alpha`` in ``extra``) as torch applies them to
    a tensor of integer ``dtype``: ``b`` cast, wrapping around; ``alpha`` checked."""
    if dtype.kind not in "iu":
        return b, extra
    if extra and type(extra[0]) is int:
        extra = (dtypes.checked_scalar(extra[0], dtype), *extra[1:])
    return dtypes.wrapped_scalar(b, dtype), extra


def _dim(d: int, ndim: int) -> int:
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n if ndim else 0


def _dims(dim, ndim: int) -> tuple:
    """Reduction dims, sorted; an empty list is every dim, as torch reads ``dim=[]``. Of a
    0-dim tensor, dim 0 (or -1) is valid and reduces nothing: no dims."""
    if isinstance(dim, (list, tuple)):
        if not dim:
            return tuple(range(ndim))
        dims = [_dim(d, ndim) for d in dim]
        if len(set(dims)) < len(dims):
            twice = next(d for i, d in enumerate(dims) if d in dims[:i])
            raise RuntimeError(f"dim {twice} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim else ()
    d = _dim(dim, ndim)
    return (d,) if ndim else ()


def _sizes(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    if len(size) == 1 and type(size[0]) is Tensor:
        return tuple(size[0].tolist())
    return tuple(size)


# ---------------------------------------------------------------- arithmetic


def add(a, b, *, alpha=1):
    """``a + alpha * b``."""
    if type(a) is not Tensor:
        return add(b, a) if alpha == 1 else add(as_tensor_like(a, b), b, alpha=alpha)
    if type(b) is float and a._data.dtype.kind == "f":  # the usual `x + 0.1`, as _binary would
        return apply(E.AddBackward0, (a, b), alpha, None)
    if type(alpha) is float:
        _check_alpha(a, b)
    return _binary(E.AddBackward0, "add", a, b, alpha)


def sub(a, b, *, alpha=1):
    """``a - alpha * b``."""
    if type(a) is not Tensor:
        return rsub(b, a)
    _check_bool_sub(a, b)
    if type(alpha) is float:
        _check_alpha(a, b)
    return _binary(E.SubBackward0, "sub", a, b, alpha)


def _check_alpha(a, b) -> None:
    """torch refuses a float ``alpha`` when both operands are integers (or bools), once
    their shapes broadcast (the op's own error for shapes that do not comes first)."""
    if type(b) is Tensor:
        try:
            np.broadcast_shapes(a._data.shape, b._data.shape)
        except ValueError:
            return
    b_integral = b._data.dtype.kind in "iub" if type(b) is Tensor else type(b) in (int, bool)
    if a._data.dtype.kind in "iub" and b_integral:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def rsub(a, scalar):
    """``scalar - a``."""
    scalar = as_tensor_like(scalar, a)  # (a NumPy scalar counts as the number it holds)
    if type(scalar) is Tensor:
        return sub(scalar, a)
    _check_bool_sub(a, scalar)
    promoted = _promoted(a, scalar)
    if type(scalar) is int:
        scalar, _ = _integral_operands(scalar, promoted or a._data.dtype, ())
    return apply(E.RsubBackward1, (a,), scalar, promoted)


def _check_bool_sub(a, b) -> None:
    """torch refuses ``-`` on bools (tensor ``a``, tensor or number ``b``): an xor or a
    negated mask is meant."""
    a_bool = a._data.dtype.kind == "b"
    b_bool = b._data.dtype.kind == "b" if type(b) is Tensor else type(b) is bool
    if not (a_bool or b_bool):
        return
    if a_bool and b_bool:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
        )
    raise RuntimeError(M_BOOL_SUB)


def mul(a, b):
    """Elementwise product."""
    if type(a) is not Tensor:
        a, b = b, a
    if type(b) is float and a._data.dtype.kind == "f":  # the usual `x * 0.5`, as _binary would
        return apply(E.MulBackward0, (a, b), None)
    return _binary(E.MulBackward0, "mul", a, b)


_TRUE_DIVISION = object()  # div without rounding_mode: DivBackward0, not DivBackward2


def div(a, b, *, rounding_mode: str | None = _TRUE_DIVISION):
    """Elementwise division; ``rounding_mode`` ``"floor"`` or ``"trunc"`` rounds the
    quotient (``DivBackward2``, whose gradients are zero), as torch's."""
    if rounding_mode is not _TRUE_DIVISION:
        return _rounded_div(a, b, _rounding(rounding_mode))
    if type(a) is not Tensor:
        return mul(reciprocal(b), a)
    b = as_tensor_like(b, a)
    if type(b) is Tensor:
        a, b = _on_one_device(a, b)
    try:
        return apply(E.DivBackward0, (a, b), _division_dtype(a, b))
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error("div", a, b) from None
        raise


def _rounding(mode):
    if mode not in (None, "floor", "trunc"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'"
        )
    return mode


def _rounded_div(a, b, mode):
    a = as_tensor_like(a, b) if type(a) is not Tensor else a
    if type(a) is not Tensor:  # a number by a tensor: torch wraps the number
        a = _number_tensor(a, b)
    b = as_tensor_like(b, a)
    if type(b) is Tensor:
        a, b = _on_one_device(a, b)
    dtype = _division_dtype(a, b) if mode is None else _result_dtype(a, b)
    try:
        return apply(E.DivBackward2, (a, b), mode, dtype)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error("div", a, b) from None
        raise


def _number_tensor(v, like):
    """A Python number as the 0-dim tensor torch wraps it in, on ``like``'s device."""
    from ..creation import tensor

    return tensor(v, device=like.device)


def _result_dtype(a, b):
    """The dtype torch gives ``a op b`` (tensor ``a``)."""
    return _promoted(a, b) or a._data.dtype


def floor_divide(a, b):
    """``a // b``: the quotient rounded down, as ``div(a, b, rounding_mode="floor")``, but
    with no derivative, as in torch: backward through it raises."""
    return _without_derivative("floor_divide", E.div_floor, a, b)


def remainder(a, b):
    """``a % b``: ``a - b * floor(a / b)``, with ``b``'s sign, as Python's ``%``."""
    if type(a) is not Tensor:  # torch gives a number % a tensor no derivative
        return _without_derivative("remainder", E.remainder, a, b)
    b = as_tensor_like(b, a)
    if type(b) is Tensor:
        return _rounded_remainder(E.RemainderBackward1, "remainder", a, b)
    return _rounded_remainder(E.RemainderBackward0, "remainder", a, b)


def fmod(a, b):
    """C's ``fmod``: the remainder of ``a / b`` rounded toward zero, with ``a``'s sign."""
    b = as_tensor_like(b, a)
    if type(b) is Tensor:
        return _rounded_remainder(E.FmodBackward1, "fmod", a, b)
    return _rounded_remainder(E.FmodBackward0, "fmod", a, b)


def _rounded_remainder(cls, op: str, a, b):
    if type(b) is not Tensor:  # torch's Scalar overload: an edge for ``a`` alone
        return apply(cls, (a,), b, _result_dtype(a, b))
    a, b = _on_one_device(a, b)
    try:
        return apply(cls, (a, b), _result_dtype(a, b))
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def _without_derivative(op: str, kernel, a, b):
    """``kernel(a, b)`` under a ``NotImplemented`` node over the operands that require
    grad (a number on either side)."""
    t = a if type(a) is Tensor else b
    a, b = as_tensor_like(a, t), as_tensor_like(b, t)
    if type(a) is Tensor and type(b) is Tensor:
        a, b = _on_one_device(a, b)
        dtype = _result_dtype(a, b)
    else:
        dtype = _result_dtype(t, b if t is a else a)
    arrays = [v._data if type(v) is Tensor else v for v in (a, b)]
    try:
        out = kernel(*arrays, dtype)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise
    # its edges: the operands that require grad (under forward AD, any: a tangent refuses)
    grads = tuple(v for v in (a, b) if type(v) is Tensor and (v._rg or _function._dual))
    return apply(E.NotImplementedBackward, grads, op, out)


def reciprocal(a):
    return apply(E.ReciprocalBackward0, (_floating(a),))


def _division_dtype(a, b):
    """``a / b``'s dtype where NumPy's is not torch's: integers divide into the default float."""
    promoted = _promoted(a, b)
    if (a._data.dtype if promoted is None else promoted).kind in "iub":
        return dtypes.default_float.np  # int32 / int64 too, which NumPy keeps as integers
    return promoted


def neg(a):
    if a._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return apply(E.NegBackward0, (a,))


def pow(a, exponent):  # noqa: A001 - torch's name
    """``a ** exponent`` (tensor or scalar on either side)."""
    if type(a) is not Tensor:
        if isinstance(a, float) and exponent._data.dtype.kind in "iub":
            exponent = exponent.to(dtypes.default_float)
        if type(a) is bool and exponent._data.dtype.kind == "b":
            raise _NO_BOOL_POW
        return apply(E.PowBackward2, (exponent,), a)
    exponent = as_tensor_like(exponent, a)
    if type(exponent) is Tensor:  # (a bool tensor to a Python bool is a bool, as in torch)
        return _binary(E.PowBackward1, "pow", a, exponent)
    return apply(E.PowBackward0, (a,), exponent)


_NO_BOOL_POW = NotImplementedError("\"pow\" not implemented for 'Bool'")


def square(a):
    return pow(a, 2)


def _floating(a):
    """``a``, or a float copy of an integer or bool ``a`` (torch's float ops promote them)."""
    if a._data.dtype.kind in "iub":
        return a.to(dtypes.default_float)
    return a


def exp(a):
    return apply(E.ExpBackward0, (_floating(a),))


def log(a):
    return apply(E.LogBackward0, (_floating(a),))


def sqrt(a):
    return apply(E.SqrtBackward0, (_floating(a),))


def sin(a):
    return apply(E.SinBackward0, (_floating(a),))


def cos(a):
    return apply(E.CosBackward0, (_floating(a),))


def erf(a):
    return apply(E.ErfBackward0, (_floating(a),))


def abs(a):  # noqa: A001
    return apply(E.AbsBackward0, (a,))


def sign(a):
    return apply(E.SignBackward0, (a,))


def sgn(a):
    return apply(E.SgnBackward0, (a,))


def floor(a):
    return apply(E.FloorBackward0, (a,))


def ceil(a):
    return apply(E.CeilBackward0, (a,))


def trunc(a):
    return apply(E.TruncBackward0, (a,))


def frac(a):
    return apply(E.FracBackward0, (a,))


def round(a, *, decimals: int | None = None):  # noqa: A001
    """Half to even, as torch; ``decimals`` rounds to that many decimal places."""
    if decimals is None:
        return apply(E.RoundBackward0, (a,))
    return apply(E.RoundBackward1, (a,), _decimals(decimals))


def _decimals(decimals) -> int:
    if type(decimals) is not int:
        raise TypeError(
            f"round() received an invalid combination of arguments - got (Tensor, "
            f"decimals={type(decimals).__name__}), but expected (Tensor input, *, int decimals)"
        )
    return decimals


def tanh(a):
    return apply(A.TanhBackward0, (_floating(a),))


def sigmoid(a):
    return apply(A.SigmoidBackward0, (_floating(a),))


def relu(a):
    return apply(A.ReluBackward0, (a,))


def clamp(a, min=None, max=None):  # noqa: A002
    """Clip to ``[min, max]`` (scalars or tensors)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if _float_bounds_on_integers(a, min, max):
        a = a.to(dtypes.default_float)  # the result is a float, as in torch
    if type(min) is Tensor or type(max) is Tensor:
        return _clamp_by_tensors(apply, a, min, max)
    if a._data.dtype.kind == "b":
        _check_bool_bounds(min, max)
        a = a.to(dtypes.int64)  # by an int, in the int's type, as torch promotes
    min, max = _checked_bounds(a, min, max)
    return apply(E.ClampBackward1, (a,), min, max)


def _check_bool_bounds(lo, hi) -> None:
    """torch's errors for clamping a bool tensor by numbers: by bools (it has no bool
    kernel), and by an int that only uint64 holds (which it does not promote to)."""
    for b in (lo, hi):
        if type(b) is int and 2**63 <= b < 2**64:
            raise RuntimeError(
                "Promotion for uint16, uint32, uint64 types is not supported, attempted to "
                "promote Bool and UInt64"
            )
    if all(type(b) is bool for b in (lo, hi) if b is not None):
        kernel = (
            "clamp"
            if lo is not None and hi is not None
            else "clamp_min"
            if hi is None
            else "clamp_max"
        )
        raise NotImplementedError(f"\"{kernel}_scalar_cpu\" not implemented for 'Bool'")


def _checked_bounds(a, lo, hi) -> tuple:
    """``clamp``'s number bounds, checked to fit ``a``'s dtype as torch checks them."""
    dtype = a._data.dtype
    return dtypes.checked_scalar(lo, dtype), dtypes.checked_scalar(hi, dtype)


def _clamp_by_tensors(how, a, lo, hi):
    """``clamp`` with tensor bounds, out of place (``how`` is ``apply``) or in place (the
    result cast back to ``a``'s dtype), in torch's result dtype of the three."""
    dtype, ndim = a._data.dtype, a._data.ndim
    for bound in (lo, hi):
        if type(bound) is Tensor:
            _check_device(a, bound)
            dtype = dtypes.result_type(dtype, ndim, None, bound._data.dtype, bound._data.ndim)
            ndim = builtins.max(ndim, bound._data.ndim)
    if dtype.kind == "b" and type(lo) is Tensor and type(hi) is Tensor:
        raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
    try:
        if how is apply:
            return apply(E.ClampBackward0, (a, lo, hi), dtype)
        return apply_inplace(E.ClampBackward0, a, (a, lo, hi), dtype)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        bounds = [b for b in (lo, hi) if type(b) is Tensor]
        raise _broadcast_error_of("clamp", a, *bounds) from None


def _float_bounds_on_integers(a, lo, hi) -> bool:
    """Whether clamping integer or bool ``a`` by these bounds gives floats (in torch)."""
    return a._data.dtype.kind in "iub" and (type(lo) is float or type(hi) is float)


def maximum(a, b):
    return _pairwise(E.MaximumBackward0, "maximum", a, b)


def minimum(a, b):
    return _pairwise(E.MinimumBackward0, "minimum", a, b)


def _pairwise(cls, op: str, a, b):
    """``maximum``/``minimum``: torch's result dtype and broadcast error."""
    _check_device(a, b)
    try:
        return apply(cls, (a, b), _promoted(a, b))
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def _masked_fill_args(a, mask, value, inplace: bool):
    """``value`` as a number or a 0-dim tensor, after torch's checks of the mask and value
    (out of place, ``a`` and the mask broadcast; in place, the mask to ``a``'s shape)."""
    if mask._data.dtype.kind != "b":
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{cpp_type_name(mask._data.dtype)}"
        )
    _check_device(a, mask)
    try:
        joint = np.broadcast_shapes(mask._data.shape, a._data.shape)
    except ValueError:  # torch names the tensors the other way round in place
        raise (
            _broadcast_error("masked_fill_", a, mask)
            if inplace
            else _broadcast_error("masked_fill", mask, a)
        ) from None
    if inplace and joint != a._data.shape:
        raise RuntimeError(
            f"output with shape {shape_str(a._data.shape)} doesn't match the broadcast shape "
            f"{shape_str(joint)}"
        )
    value = as_tensor_like(value, a)
    if type(value) is Tensor and value._data.ndim:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    return dtypes.checked_scalar(value, a._data.dtype)


def masked_fill(a, mask, value):
    """``a`` with ``value`` where ``mask`` holds (the mask broadcast to ``a``'s shape)."""
    value = _masked_fill_args(a, mask, value, inplace=False)
    if type(value) is Tensor:
        return apply(E.MaskedFillBackward1, (a, value, mask))
    return apply(E.MaskedFillBackward0, (a, mask), value)


def masked_fill_(a, mask, value):
    """``masked_fill`` written into ``a``."""
    value = _masked_fill_args(a, mask, value, inplace=True)
    if type(value) is Tensor:
        return apply_inplace(E.MaskedFillBackward1, a, (a, value, mask))
    return apply_inplace(E.MaskedFillBackward0, a, (a, mask), value)


_NOTHING = object()  # an argument not given (where None could be meant)


def where(condition, a=_NOTHING, b=_NOTHING):
    """Pick from ``a`` where ``condition`` holds, else from ``b``; with the condition
    alone, the indices where it holds (``nonzero(as_tuple=True)``)."""
    if a is _NOTHING and b is _NOTHING:
        found = xp_of(condition._data).nonzero(condition._data)
        return tuple(Tensor._make(i.astype(np.int64, copy=False), None) for i in found)
    if a is _NOTHING or b is _NOTHING:
        raise TypeError("where() takes the condition alone, or the condition, input and other")
    like = condition
    a = as_tensor_like(a, like)
    b = as_tensor_like(b, like)
    if type(a) is Tensor and type(b) is Tensor:
        dtype = _promoted(a, b)
    else:
        t = a if type(a) is Tensor else b
        other = b if t is a else a
        dtype = _promoted(t, other) if type(t) is Tensor else None
    if type(a) is not Tensor and type(b) is not Tensor:  # two Python scalars
        from ..creation import tensor

        a = tensor(a, device=condition.device)
        dtype = _promoted(a, b)
    cdt = condition._data.dtype
    if cdt == np.uint8:
        warnings.warn(
            "where received a uint8 condition tensor. This behavior is deprecated and will be "
            "removed in a future version of PyTorch. Use a boolean condition instead.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif cdt != np.bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            + scalar_type_name(cdt)
        )
    cond = condition if cdt == np.bool_ else condition.bool()
    if type(a) is not Tensor or type(b) is not Tensor:  # a number fills in the result's dtype
        t = a if type(a) is Tensor else b
        out_dtype = dtype if dtype is not None else t._data.dtype
        if out_dtype != np.float16:  # (torch fills a half's result unchecked)
            a, b = dtypes.checked_scalar(a, out_dtype), dtypes.checked_scalar(b, out_dtype)
    try:
        return apply(E.WhereBackward0, (a, b, cond), dtype)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        raise _broadcast_error_of("where", cond, a, b) from None


def _broadcast_error_of(op: str, *operands) -> RuntimeError:
    """torch's error for operands that do not broadcast together: that of the first one
    that does not broadcast with those before it."""
    joint, err = operands[0], None
    for other in operands[1:]:
        err = _broadcast_error(op, joint, other)
        if "must match" in str(err):
            break
        joint = _Shaped(np.broadcast_shapes(tuple(joint.shape), tuple(getattr(other, "shape", ()))))
    return err


class _Shaped:
    def __init__(self, shape) -> None:
        self.shape = tuple(shape)


def _compare(ufunc):
    def op(a, b):
        b = as_tensor_like(b, a)
        if type(b) is int:
            b, _ = _integral_operands(b, a._data.dtype, ())
        try:
            return Tensor._make(ufunc(a._data, b._data if type(b) is Tensor else b), None)
        except ValueError as e:
            if "broadcast" in str(e):
                raise _broadcast_error(ufunc.__name__, a, b) from None
            raise

    op.__name__ = ufunc.__name__
    return op


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)


def log1p(a):
    return apply(E.Log1PBackward0, (_floating(a),))


def lerp(start, end, weight):
    """``start + weight * (end - start)``; ``weight`` a number or a tensor."""
    _lerp_checks(start, end, weight)
    if type(weight) is Tensor:
        return apply(E.LerpBackward1, (start, end, weight))
    return apply(E.LerpBackward0, (start, end), float(weight))


def lerp_(start, end, weight):
    _lerp_checks(start, end, weight)
    if type(weight) is Tensor:
        return apply_inplace(E.LerpBackward1, start, (start, end, weight))
    return apply_inplace(E.LerpBackward0, start, (start, end), float(weight))


def _lerp_checks(start, end, weight) -> None:
    """torch's refusals of ``lerp``'s operands, in its order."""
    if type(end) is not Tensor:
        raise TypeError(
            f"lerp(): argument 'end' (position 2) must be Tensor, not {type(end).__name__}"
        )
    others = (("end", end),) + ((("weight", weight),) if type(weight) is Tensor else ())
    if start._data.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if type(weight) is Tensor else "lerp_kernel_scalar"
        refuse_kernel(kernel, start._data.dtype)
    for name, t in others:
        if t._data.dtype != start._data.dtype:
            raise RuntimeError(
                f"expected dtype {scalar_type_name(start._data.dtype).lower()} for `{name}` but "
                f"got dtype {scalar_type_name(t._data.dtype).lower()}"
            )


def _addc(name: str, a, t1, t2):
    """The result dtype of ``addcmul``/``addcdiv``, after torch's refusal of an integer
    division."""
    ad, ndim = a._data.dtype, a._data.ndim
    for t in (t1, t2):  # torch's promotion over the three: a dimensioned tensor outranks
        ad = dtypes.result_type(ad, ndim, None, t._data.dtype, t._data.ndim)
        ndim = builtins.max(ndim, t._data.ndim)
    promoted = ad
    if name == "addcdiv" and t1._data.dtype.kind in "iub" and t2._data.dtype.kind in "iub":
        raise RuntimeError(M_ADDCDIV_INT)
    return promoted


def addcmul(a, tensor1, tensor2, *, value=1):
    """``a + value * tensor1 * tensor2``."""
    return apply(
        E.AddcmulBackward0, (a, tensor1, tensor2), value, _addc("addcmul", a, tensor1, tensor2)
    )


def addcdiv(a, tensor1, tensor2, *, value=1):
    """``a + value * tensor1 / tensor2``."""
    return apply(
        E.AddcdivBackward0, (a, tensor1, tensor2), value, _addc("addcdiv", a, tensor1, tensor2)
    )


def addcmul_(a, tensor1, tensor2, *, value=1):
    _addc("addcmul", a, tensor1, tensor2)
    return apply_inplace(E.AddcmulBackward0, a, (a, tensor1, tensor2), value, a._data.dtype)


def addcdiv_(a, tensor1, tensor2, *, value=1):
    _addc("addcdiv", a, tensor1, tensor2)
    return apply_inplace(E.AddcdivBackward0, a, (a, tensor1, tensor2), value, a._data.dtype)


M_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes."
)


def logit(a, eps: float | None = None):
    """``log(a / (1 - a))``, of ``a`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    return apply(E.LogitBackward0, (_floating(a),), None if eps is None else float(eps))


def logit_(a, eps: float | None = None):
    dtype = a._data.dtype
    if dtype.kind in "iub":
        raise RuntimeError(
            f"result type {scalar_type_name(dtypes.default_float.np)} can't be cast to "
            f"the desired output type {scalar_type_name(dtype)}"
        )
    return apply_inplace(E.LogitBackward0, a, (a,), None if eps is None else float(eps))


def expm1(a):
    return apply(E.Expm1Backward0, (_floating(a),))


def log2(a):
    return apply(E.Log2Backward0, (_floating(a),))


def log10(a):
    return apply(E.Log10Backward0, (_floating(a),))


def exp2(a):
    return apply(E.Exp2Backward0, (_floating(a),))


def rsqrt(a):
    return apply(E.RsqrtBackward0, (_floating(a),))


def tan(a):
    return apply(E.TanBackward0, (_floating(a),))


def atan(a):
    return apply(E.AtanBackward0, (_floating(a),))


def asin(a):
    return apply(E.AsinBackward0, (_floating(a),))


def acosh(a):
    return apply(E.AcoshBackward0, (_floating(a),))


def asinh(a):
    return apply(E.AsinhBackward0, (_floating(a),))


def atanh(a):
    return apply(E.AtanhBackward0, (_floating(a),))


def acos(a):
    return apply(E.AcosBackward0, (_floating(a),))


def sinh(a):
    return apply(E.SinhBackward0, (_floating(a),))


def cosh(a):
    return apply(E.CoshBackward0, (_floating(a),))


def atan2(a, other):
    """The angle of the point ``(other, a)``, elementwise, in ``[-pi, pi]``."""
    return _atan2(a, other, 2)


def _atan2(a, other, position: int):
    _check_tensor_arg("atan2", "other", position, other)
    _check_device(a, other)
    try:
        return apply(E.Atan2Backward0, (a, other), _division_dtype(a, other))
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error("atan2", a, other) from None
        raise


def _check_tensor_arg(fn: str, name: str, position: int, v) -> None:
    if type(v) is not Tensor:
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {py_type_name(v)}"
        )


def clamp_min(a, min):  # noqa: A002
    """``a`` raised to ``min`` (a number or a tensor) where it is below."""
    return _clamp_side(apply, "min", a, min)


def clamp_max(a, max):  # noqa: A002
    """``a`` lowered to ``max`` (a number or a tensor) where it is above."""
    return _clamp_side(apply, "max", a, max)


def _clamp_side(how, side: str, a, bound):
    """``clamp_min``/``clamp_max``, out of place (``how`` is ``apply``) or in place, with
    ``clamp``'s dtypes and errors."""
    by_number, by_tensor = (
        (E.ClampMinBackward0, E.ClampMinBackward1)
        if side == "min"
        else (E.ClampMaxBackward0, E.ClampMaxBackward1)
    )
    op = "clamp_" + side
    if bound is None:
        raise TypeError(
            f"{op}() received an invalid combination of arguments - got (Tensor, NoneType), "
            f"but expected one of:\n * (Tensor input, Tensor {side}, *, Tensor out = None)\n"
            f" * (Tensor input, Number {side}, *, Tensor out = None)\n"
        )
    if type(bound) is Tensor:
        _check_device(a, bound)
        try:
            if how is apply:
                return apply(by_tensor, (a, bound), _promoted(a, bound))
            return apply_inplace(by_tensor, a, (a, bound), _promoted(a, bound))
        except ValueError as e:
            if "broadcast" in str(e):
                raise _broadcast_error(op, a, bound) from None
            raise
    lo, hi = (bound, None) if side == "min" else (None, bound)
    if how is apply:
        if _float_bounds_on_integers(a, lo, hi):
            a = a.to(dtypes.default_float)
        elif a._data.dtype.kind == "b":
            _check_bool_bounds(lo, hi)
            a = a.to(dtypes.int64)
        return apply(by_number, (a,), dtypes.checked_scalar(bound, a._data.dtype))
    if _float_bounds_on_integers(a, lo, hi):
        raise RuntimeError(
            f"result type {scalar_type_name(dtypes.default_float.np)} can't be cast to the "
            f"desired output type {cpp_type_name(a._data.dtype)}"
        )
    if a._data.dtype.kind == "b":
        _check_bool_bounds(lo, hi)
        raise RuntimeError("result type Long can't be cast to the desired output type bool")
    return apply_inplace(by_number, a, (a,), dtypes.checked_scalar(bound, a._data.dtype))


clip = clamp


def nan_to_num(
    a, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None
):
    """``a`` with NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest
    finite values unless given)."""
    return apply(E.NanToNumBackward0, (a,), 0.0 if nan is None else nan, posinf, neginf)


def isnan(a):
    """Where ``a`` is NaN, as a bool tensor."""
    return _classify(a, "isnan", False)


def isinf(a):
    """Where ``a`` is infinite, as a bool tensor."""
    return _classify(a, "isinf", False)


def isfinite(a):
    """Where ``a`` is neither infinite nor NaN, as a bool tensor."""
    return _classify(a, "isfinite", True)


def _classify(a, name: str, of_integers: bool):
    """A bool tensor of a test of each element; integers and bools are all ``of_integers``."""
    _check_tensor_arg(name, "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if x.dtype.kind in "fc":
        return Tensor._make(getattr(xp, name)(x), None)
    return Tensor._make(xp.full(x.shape, of_integers), None)


def logical_not(a):
    """``not`` of each element's truth, as a bool tensor."""
    return Tensor._make(xp_of(a._data).logical_not(a._data), None)


def logical_and(a, other):
    return _logical("logical_and", a, other)


def logical_or(a, other):
    return _logical("logical_or", a, other)


def logical_xor(a, other):
    return _logical("logical_xor", a, other)


def _logical(name: str, a, other, position: int = 2):
    """A logical op of two tensors' truth values, broadcast, as a bool tensor."""
    _check_tensor_arg(name, "other", position, other)
    _check_device(a, other)
    try:
        return Tensor._make(getattr(xp_of(a._data), name)(a._data, other._data), None)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(name, a, other) from None
        raise


def bitwise(op: str, a, other, inplace: bool = False):
    """``a & other``, ``|`` or ``^`` (``op``: and, or, xor) of bool or integer tensors
    (and Python numbers), in torch's result dtype; with ``inplace``, written into ``a``."""
    other = as_tensor_like(other, a)
    if type(other) is Tensor:
        a, other = _on_one_device(a, other)
    dtype = _promoted(a, other)
    result = a._data.dtype if dtype is None else dtype
    if inplace:
        _fits_in_place("bitwise_" + op + "_", a, other, result)
    else:
        try:
            np.broadcast_shapes(a._data.shape, getattr(other, "shape", ()))
        except ValueError:
            raise _broadcast_error("bitwise_" + op, a, other) from None
    if result.kind not in "biu":
        refuse_kernel(f"bitwise_{op}_cpu", result)
    if inplace:
        return apply_inplace(E.BitwiseOp, a, (a, other), op, dtype)
    return apply(E.BitwiseOp, (a, other), op, dtype)


# ---------------------------------------------------------------- reductions


def sum(a, dim=None, keepdim=False, *, dtype=None, axis=None):  # noqa: A001
    """Sum of all elements, or along ``dim`` (an int or a tuple; ``axis``, NumPy's name,
    as torch takes it too)."""
    if axis is not None and dim is None:
        dim = axis
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "bi" and a._data.dtype != np.int64:
        np_dtype = np.dtype(np.int64)
    if dim is None and not keepdim:
        return apply(R.SumBackward0, (a,), np_dtype)
    dims = tuple(range(a._data.ndim)) if dim is None else _dims(dim, a._data.ndim)
    return apply(R.SumBackward1, (a,), dims, keepdim, np_dtype)


def mean(a, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Mean of all elements, or along ``dim`` (or ``axis``), computed in ``dtype`` if given."""
    if axis is not None and dim is None:
        dim = axis
    np_dtype = dtypes.resolve(dtype)
    kind = (np_dtype or a._data.dtype).kind
    if kind not in "fc":
        what = "Input" if np_dtype is None else "Optional"
        got = scalar_type_name(np_dtype or a._data.dtype)
        raise RuntimeError(
            "mean(): could not infer output dtype. "
            f"{what} dtype must be either a floating point or complex dtype. Got: {got}"
        )
    extra = () if np_dtype is None else (np_dtype,)
    if dim is None and not keepdim:
        return apply(R.MeanBackward0, (a,), *extra)
    dims = tuple(range(a._data.ndim)) if dim is None else _dims(dim, a._data.ndim)
    return apply(R.MeanBackward1, (a,), dims, keepdim, *extra)


def _extreme(a, dim, keepdim, full_cls, dim_cls, result_type, pair_fn):
    if type(dim) is Tensor:
        return pair_fn(a, dim)
    if dim is None:
        return apply(full_cls, (a,))
    d = _dim(dim, a._data.ndim)
    if a._data.ndim and a._data.shape[d] == 0:
        name = "max" if full_cls is R.MaxBackward1 else "min"
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    values = apply(dim_cls, (a,), d, keepdim)
    node = values.grad_fn
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        arg = a._data.argmax if full_cls is R.MaxBackward1 else a._data.argmin
        indices = Tensor._make(arg(axis=d, keepdims=keepdim).astype(np.int64, copy=False), None)
    return result_type(values, indices)


def max(a, dim=None, keepdim=False):  # noqa: A001
    """The largest element, or ``(values, indices)`` along ``dim``, or ``maximum(a, other)``."""
    return _extreme(a, dim, keepdim, R.MaxBackward1, R.MaxBackward0, MaxResult, maximum)


def min(a, dim=None, keepdim=False):  # noqa: A001
    """The smallest element, or ``(values, indices)`` along ``dim``, or ``minimum(a, other)``."""
    return _extreme(a, dim, keepdim, R.MinBackward1, R.MinBackward0, MinResult, minimum)


def argmax(a, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor, or along ``dim``)."""
    return _arg_extreme("argmax", a, dim, keepdim)


def argmin(a, dim=None, keepdim=False):
    """The index of the smallest element (of the flattened tensor, or along ``dim``)."""
    return _arg_extreme("argmin", a, dim, keepdim)


def _arg_extreme(name: str, a, dim, keepdim):
    d = a._data
    xp = xp_of(d)
    if dim is None:
        if d.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        found = getattr(d, name)(keepdims=keepdim)
    elif d.ndim == 0:  # dim 0 or -1 of a 0-dim tensor: its one element
        _dim(dim, 0)
        found = 0
    else:
        ax = _dim(dim, d.ndim)
        if d.shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")
        found = getattr(d, name)(axis=ax, keepdims=keepdim)
    return Tensor._make(xp.asarray(found, dtype=xp.int64), None)


def softmax(a, dim=_NOTHING, dtype=None):
    """``exp(a) / sum(exp(a))`` along ``dim`` (in ``dtype``, when given)."""
    a, dim = _softmax_args("softmax", a, dim, dtype)
    return apply(A.SoftmaxBackward0, (a,), dim)


def log_softmax(a, dim=_NOTHING, dtype=None):
    """``log(softmax(a))`` along ``dim``, computed stably (in ``dtype``, when given)."""
    a, dim = _softmax_args("log_softmax", a, dim, dtype)
    return apply(A.LogSoftmaxBackward0, (a,), dim)


def implicit_softmax_dim(a) -> int:
    """The dim torch's ``F.softmax`` picks when none is given (a deprecated choice)."""
    return 0 if a._data.ndim in (0, 1, 3) else 1


def _softmax_args(name: str, a, dim, dtype):
    """``a`` in ``dtype`` and ``dim`` checked; torch's errors for a missing dim and for
    integer and bool tensors (which its kernels refuse)."""
    if dim is _NOTHING or dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if dtype is not None:
        a = a.to(dtype)
    nd = a._data.ndim
    dim = _dim(dim, nd)
    if a._data.dtype.kind not in "fc":
        last = "_lastdim" if dim == builtins.max(nd, 1) - 1 else ""
        raise NotImplementedError(
            f"\"{name}{last}_kernel_impl\" not implemented for '{scalar_type_name(a._data.dtype)}'"
        )
    return a, dim


def var(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """The variance of all elements, or along ``dim``, with Bessel's ``correction`` (1
    unless ``unbiased=False`` or ``correction=`` says otherwise)."""
    return _var_std(R.VarBackward0, "var", a, dim, unbiased, keepdim, correction)


def std(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """The standard deviation: the square root of ``var`` with the same arguments."""
    return _var_std(R.StdBackward0, "std", a, dim, unbiased, keepdim, correction)


def var_mean(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """``(var, mean)`` of all elements, or along ``dim``, with ``var``'s arguments."""
    return _with_mean(R.VarMeanBackward0, "var_mean", a, dim, unbiased, keepdim, correction)


def std_mean(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """``(std, mean)`` of all elements, or along ``dim``, with ``std``'s arguments."""
    return _with_mean(R.StdMeanBackward0, "std_mean", a, dim, unbiased, keepdim, correction)


def _with_mean(cls, name: str, a, dim, unbiased, keepdim, correction) -> tuple:
    """Both outputs of one node: the first from ``apply``, the mean made alongside and both
    given edges into that node, as torch's node of two outputs (under forward mode the
    mean is ``mean``'s own op, which carries its tangent)."""
    dims, correction, keepdim = _var_args(name, a, dim, unbiased, keepdim, correction)
    first = apply(cls, (a,), dims, correction, keepdim)
    node = first._grad_fn
    if _function._dual:
        return first, mean(a, list(dims or ()), keepdim)
    if node is None:
        return first, Tensor._make(R._mean_of(a._data, dims, keepdim), None)
    second = Tensor._make(node.mean_out, node)
    node.out_edges = [None, None]  # (weak references to the edges, as they are made)
    first._grad_fn, second._grad_fn = R.output_edge(node, 0), R.output_edge(node, 1)
    del node.mean_out
    return first, second


def _var_std(cls, name: str, a, dim, unbiased, keepdim, correction):
    dims, correction, keepdim = _var_args(name, a, dim, unbiased, keepdim, correction)
    return apply(cls, (a,), dims, correction, keepdim)


def _var_args(name: str, a, dim, unbiased, keepdim, correction) -> tuple:
    """``var``'s arguments as torch's three overloads read them: ``(dims, correction,
    keepdim)``, the correction as torch's node keeps it (None when none was given in any
    form); torch's errors, and its warning when the count is not above the correction."""
    if type(dim) is bool and unbiased is _NOTHING:  # ``var(False)``: the unbiased overload
        dim, unbiased = _NOTHING, dim
    given = {"unbiased": unbiased, "keepdim": keepdim, "correction": correction}
    bad = (
        (unbiased is not _NOTHING and (correction is not _NOTHING or type(unbiased) is not bool))
        or (unbiased is not _NOTHING and keepdim is not _NOTHING and dim is _NOTHING)
        or (keepdim is not _NOTHING and type(keepdim) is not bool)
        or (correction not in (_NOTHING, None) and not isinstance(correction, _Scalar))
        or not _dims_arg(dim)
    )
    if bad:
        shown = [] if dim is _NOTHING else [type(dim).__name__]
        kw = [f"{k}={type(v).__name__}" for k, v in given.items() if v is not _NOTHING]
        lead = "Tensor input, " if name.endswith("_mean") else ""  # (functions only)
        shown = (["Tensor"] if lead else []) + shown
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({', '.join(shown + kw)}), but expected one of:\n"
            f" * ({lead}tuple of ints dim, bool unbiased = True, bool keepdim = False)\n"
            f" * ({lead}tuple of ints dim = None, *, Number correction = None, "
            "bool keepdim = False)\n"
            f" * ({lead}bool unbiased = True)\n"
        )
    if a._data.dtype.kind not in "fc":
        what = name if name.endswith("_mean") else "std and var"
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if unbiased is not _NOTHING:
        correction = 1 if unbiased else 0
    elif correction is _NOTHING:
        correction = None if dim is _NOTHING else 1
    keepdim = keepdim is True
    nd = a._data.ndim
    if dim is _NOTHING or dim is None:
        dims = None
    elif isinstance(dim, (list, tuple)) and not dim:
        dims = ()  # torch reduces every dim, and its backward counts 1 element
    else:
        dims = _dims(int(dim.item()) if type(dim) is Tensor else dim, nd)
        dims = dims if nd else None  # a 0-dim tensor's one element, as without dims
    shape = a._data.shape
    kept = 1 if not dims else _prod(n for i, n in enumerate(shape) if i not in dims)
    count = a._data.size // kept if kept else 0  # torch's: input numel / output numel, or 0
    if count - (1 if correction is None else correction) <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than "
            "the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return dims, correction, keepdim


def _dims_arg(dim) -> bool:
    """Whether ``dim`` is what torch takes for a reduction's dims (an int, an int tensor of
    one element, a list or tuple of ints, None) or not given."""
    if dim is _NOTHING or dim is None or type(dim) is int:
        return True
    if type(dim) is Tensor:
        return dim._data.dtype.kind in "iu" and dim._data.size == 1
    return isinstance(dim, (list, tuple)) and all(type(d) is int for d in dim)


def logsumexp(a, dim=_NOTHING, keepdim=False):
    """``log(sum(exp(a)))`` along ``dim`` (an int or a tuple), without overflow."""
    if dim is _NOTHING:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    dims = _reduction_dims("logsumexp", a, dim)
    nd = a._data.ndim
    if isinstance(dim, (list, tuple)) and not dim and a._data.size and nd and not keepdim:
        raise RuntimeError(  # torch's kernel writes its kept dims into a 0-dim result
            f"output with shape [] doesn't match the broadcast shape {shape_str((1,) * nd)}"
        )
    return apply(R.LogsumexpBackward0, (_floating(a),), dims, keepdim)


def amax(a, dim=(), keepdim=False):
    """The largest value along ``dim`` (an int or a tuple; all dims when empty); ties
    share the gradient evenly."""
    return _amax_amin(R.AmaxBackward0, "amax", a, dim, keepdim)


def amin(a, dim=(), keepdim=False):
    """The smallest value along ``dim`` (an int or a tuple; all dims when empty); ties
    share the gradient evenly."""
    return _amax_amin(R.AminBackward0, "amin", a, dim, keepdim)


def _amax_amin(cls, name: str, a, dim, keepdim):
    shape = a._data.shape
    for d in [dim] if type(dim) is int else dim if isinstance(dim, (list, tuple)) else ():
        if type(d) is int and shape and shape[_dim(d, len(shape))] == 0:  # (before repeats)
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    dims = _reduction_dims(name, a, () if dim is None else dim)
    if not dims and a._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    return apply(cls, (a,), dims, keepdim)


def _reduction_dims(name: str, a, dim) -> tuple:
    """``dim`` of a reduction that takes ``int[1] dim`` (an int, an int tensor, a list or
    tuple of ints), checked and sorted; ``()`` for none (all dims), as for a 0-dim tensor."""
    if type(dim) is Tensor:
        dim = int(dim.item())
    if isinstance(dim, (list, tuple)):
        for i, d in enumerate(dim):
            if type(d) is not int:
                raise TypeError(
                    f"{name}(): argument 'dim' failed to unpack the object at pos {i + 1} with "
                    f'error "type must be tuple of ints,but got {type(d).__name__}"'
                )
        if not dim:
            return ()
    elif type(dim) is not int:
        raise TypeError(
            f"{name}(): argument 'dim' (position 1) must be tuple of ints, not {type(dim).__name__}"
        )
    return _dims(dim, a._data.ndim)


def prod(a, dim=_NOTHING, keepdim=_NOTHING, *, dtype=None):
    """The product of all elements, or along ``dim`` (one int), in ``dtype`` if given
    (integers and bools multiply as int64)."""
    int_dim = type(dim) is int or (type(dim) is Tensor and dim._data.ndim == 0)
    if dim is not _NOTHING and keepdim is not _NOTHING and not int_dim:  # one overload left
        raise TypeError(
            f"prod(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    if (dim is _NOTHING and keepdim is not _NOTHING) or not (dim is _NOTHING or int_dim):
        got = [] if dim is _NOTHING else [type(dim).__name__]
        kw = [] if keepdim is _NOTHING else [f"keepdim={type(keepdim).__name__}"]
        raise TypeError(
            f"prod() received an invalid combination of arguments - got "
            f"({', '.join(got + kw)}{', ' if not got else ''}), but expected one of:\n"
            " * (*, torch.dtype dtype = None)\n"
            " * (int dim, bool keepdim = False, *, torch.dtype dtype = None)\n"
        )
    if keepdim is not _NOTHING and type(keepdim) is not bool:
        raise TypeError(
            f"prod(): argument 'keepdim' (position 2) must be bool, not {type(keepdim).__name__}"
        )
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "biu":
        np_dtype = np.dtype(np.int64)
    if np_dtype is not None and np_dtype.kind not in "fc" and a._rg and state.enabled:
        raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(np_dtype)}")
    if dim is _NOTHING:
        return apply(R.ProdBackward0, (a,), np_dtype)
    d = _dim(int(dim.item()) if type(dim) is Tensor else dim, a._data.ndim)
    return apply(R.ProdBackward1, (a,), d, keepdim is True, np_dtype)


def vector_norm(a, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002 - torch's name
    """``linalg.vector_norm``: the ``ord``-norm of all elements, or along ``dim`` (an int
    or a tuple), computed in ``dtype`` if given."""
    if not isinstance(ord, _Scalar):
        raise TypeError(
            f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}"
        )
    if type(dim) is Tensor and dim._data.ndim == 0:
        dim = int(dim.item())
    if dim is not None and not isinstance(dim, (int, list, tuple)):
        raise TypeError(
            "linalg_vector_norm(): argument 'dim' (position 3) must be tuple of ints, not "
            f"{type(dim).__name__}"
        )
    if builtins.abs(float(ord)) == float("inf"):  # (before repeated dims)
        _check_identity(a, float(ord), dim)
    dims = None if dim is None else _reduction_dims("linalg_vector_norm", a, dim)
    kind = a._data.dtype
    if kind.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {scalar_type_name(kind)}"
        )
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is not None:
        if np_dtype.kind not in "fc":
            raise RuntimeError(
                "linalg.vector_norm: dtype should be floating point or complex, but got "
                f"{scalar_type_name(np_dtype)}"
            )
        if np.promote_types(kind, np_dtype) != np_dtype:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({scalar_type_name(kind)}) should "
                "be convertible without narrowing to the specified dtype "
                f"({scalar_type_name(np_dtype)})"
            )
    return apply(R.LinalgVectorNormBackward0, (a,), ord, dims, keepdim, np_dtype)


def _check_identity(a, ord: float, dim) -> None:
    """torch's refusal of an inf norm over nothing (it has no identity)."""
    shape = a._data.shape
    name = "inf" if ord > 0 else "-inf"
    given = [dim] if type(dim) is int else list(dim) if isinstance(dim, (list, tuple)) else []
    if not given:
        if a._data.size == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        return
    for d in given:
        if type(d) is int and shape and shape[_dim(d, len(shape))] == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}"
                "because this dimension is empty and the operation does not have an identity"
            )


def norm(a, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: a vector norm (``p`` a number, or ``"fro"`` over at most two dims) of
    all elements or along ``dim``, as ``linalg.vector_norm`` computes it."""
    if isinstance(p, str):
        dims = [dim] if type(dim) is int else dim
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if p == "nuc" or (dims is not None and len(dims) > 2):  # torch's matrix_norm
            if a._data.ndim < 2:
                raise RuntimeError(
                    "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
                )
            if dims is not None and len(dims) != 2:
                got = " ".join(str(d) for d in dims)
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
            raise NotImplementedError("norm(p='nuc'): gradscope has no nuclear (matrix) norm")
        p = 2
    dim = [dim] if type(dim) is int else dim
    return vector_norm(a, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


def cumsum(a, dim=_NOTHING, *, dtype=None):
    """Running sums along ``dim``, in ``dtype`` if given (integers and bools as int64)."""
    return _running(R.CumsumBackward0, "cumsum", a, dim, dtype)


def cumprod(a, dim=_NOTHING, *, dtype=None):
    """Running products along ``dim``, in ``dtype`` if given (integers and bools as int64)."""
    return _running(R.CumprodBackward0, "cumprod", a, dim, dtype)


def _running(cls, name: str, a, dim, dtype):
    if dim is _NOTHING:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if type(dim) is Tensor and dim._data.ndim == 0 and dim._data.dtype.kind in "iu":
        dim = int(dim.item())
    if type(dim) is not int:
        raise TypeError(
            f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "biu":
        np_dtype = np.dtype(np.int64)
    if np_dtype is not None and np_dtype.kind not in "fc" and a._rg and state.enabled:
        raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(np_dtype)}")
    return apply(cls, (a,), _dim(dim, a._data.ndim), np_dtype)


# ---------------------------------------------------------------- linear algebra


def matmul(a, b):
    """Matrix product with torch's rules for 1-D, 2-D and batched operands."""
    b = as_tensor_like(b, a)
    _check_device(a, b)
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    # (torch multiplies one dtype: each product's kernel checks, after the shapes but dot)
    if na == 3 and nb == 3:  # as torch: a batch of one that requires grad is squeezed, so
        # that the product folds into one mm and its gradient is one mm too
        if a.shape[0] == 1 and b.shape[0] != 1 and a._rg:
            a, na = squeeze(a, 0), 2
        elif b.shape[0] == 1 and a.shape[0] != 1 and b._rg:
            b, nb = squeeze(b, 0), 2
    if na == 1 and nb == 1:
        return apply(L.DotBackward0, (a, b))
    if na == 2 and nb == 1:
        return apply(L.MvBackward0, (a, b))
    if na == 2 and nb == 2:
        return apply(L.MmBackward0, (a, b))
    if na == 1 and nb == 2:
        return apply(S.SqueezeBackward4, (mm(unsqueeze(a, 0), b),), (0,))
    if _should_fold(a, b):
        return _folded_matmul(a, b)
    return _batched_matmul(a, b)


def mm(a, b):
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_device(a, b)
    return apply(L.MmBackward0, (a, b))


def dot(a, b):
    """The inner product of two 1-D tensors."""
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors"
        )
    _check_device(a, b)
    return apply(L.DotBackward0, (a, b))  # (its forward checks the dtypes, then the sizes)


def mv(a, v):
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}"
        )
    _check_device(a, v)
    return apply(L.MvBackward0, (a, v))


def bmm(a, b):
    for name, t_ in (("batch1", a), ("batch2", b)):
        if t_._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    _check_device(a, b)
    return apply(L.BmmBackward0, (a, b))


def _should_fold(a, b) -> bool:
    """torch's test for running an N-D @ 1/2-D product as one mm/mv on a folded matrix."""
    na, nb = a._data.ndim, b._data.ndim
    a_larger = na >= nb
    t1 = a._data if a_larger else b._data.swapaxes(-1, -2)
    if not (t1.ndim >= 3 and (nb if a_larger else na) <= 2):
        return False
    if (b if a_larger else a)._rg:  # fold, so that the small operand's gradient is one mm
        return True
    if na == 2:
        return False
    if t1.size == 0:
        return True
    st, sh = t1.strides, t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


def _folded_matmul(a, b):
    na, nb = a._data.ndim, b._data.ndim
    swap = nb > na
    t1 = transpose(b, -2, -1) if swap else a
    t2 = (t(a) if na == 2 else a) if swap else b
    out_shape = tuple(t1.shape[:-1])
    t1f = reshape(t1, (_prod(out_shape), t1.shape[-1]))
    if t2._data.ndim == 2:
        out = apply(S.UnsafeViewBackward0, (mm(t1f, t2),), out_shape + (t2.shape[1],))
        return transpose(out, -2, -1).contiguous() if swap else out
    return apply(S.UnsafeViewBackward0, (mv(t1f, t2),), out_shape)


def _batched_matmul(a, b):
    """The general case, as torch runs it: expand both batches, fold them, one bmm."""
    na, nb = a._data.ndim, b._data.ndim
    n = a.shape[-2] if na > 1 else 1
    m1 = a.shape[-1]
    m2 = b.shape[-2] if nb > 1 else b.shape[0]
    p = b.shape[-1] if nb > 1 else 1
    batch1, batch2 = (
        tuple(a.shape[: builtins.max(na - 2, 0)]),
        tuple(b.shape[: builtins.max(nb - 2, 0)]),
    )
    try:
        batch = tuple(np.broadcast_shapes(batch1, batch2))
    except ValueError:
        raise _broadcast_error("matmul", _Shaped(batch1), _Shaped(batch2)) from None
    nbatch = _prod(batch)
    a3 = reshape(expand(a, batch + (n, m1)), (nbatch, n, m1))
    if nb == 1:
        b3 = unsqueeze(reshape(expand(b, batch + (m2,)), (nbatch, m2)), 2)
    else:
        b3 = reshape(expand(b, batch + (m2, p)), (nbatch, m2, p))
    shape = batch + ((n,) if na > 1 else ()) + ((p,) if nb > 1 else ())
    out = bmm(a3, b3)
    if nb == 1:
        out = squeeze(out, -1)
    return apply(S.UnsafeViewBackward0, (out,), shape)


def _prod(shape) -> int:
    p = 1
    for s in shape:
        p *= s
    return p


# ---------------------------------------------------------------- shapes


def _infer_shape(shape: tuple, numel: int, name: str, given: tuple) -> tuple:
    """``shape`` with its ``-1`` worked out, for ``name`` (view or reshape) called with
    ``given``; torch's errors for what cannot be a shape."""
    for i, s in enumerate(shape):
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            if name == "view" and len(given) > 1:  # torch's argument parser
                got = ", ".join(type(g).__name__ for g in given)
                raise TypeError(
                    f"view() received an invalid combination of arguments - got ({got}), but "
                    "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n"
                )
            raise TypeError(
                f"{name}(): argument 'shape' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {i}"
            )
        if s < -1:
            raise RuntimeError(
                f"invalid shape dimension {s} at index {i} of shape {shape_str(shape)}"
            )
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = _prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {shape_str(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def reshape(a, *shape):
    """A tensor of a new shape: a view when possible, else a copy (as torch)."""
    shape = _infer_shape(_sizes(shape), a._data.size, "reshape", shape)
    if a._data.flags.c_contiguous:
        return apply(S.ViewBackward0, (a,), shape)
    if _viewable(a._data, shape):
        return apply(S.ReshapeAliasBackward0, (a,), shape)
    return apply(S.UnsafeViewBackward0, (apply(S.CloneBackward0, (a,)),), shape)


def view(a, *shape):
    """A view of a new shape; raises when the strides do not allow one (as torch)."""
    shape = _infer_shape(_sizes(shape), a._data.size, "view", shape)
    if not _viewable(a._data, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return apply(S.ViewBackward0, (a,), shape)


def _viewable(arr, shape) -> bool:
    if arr.flags.c_contiguous:
        return True
    if type(arr) is np.ndarray:
        try:
            np.reshape(arr, shape, copy=False)
            return True
        except ValueError:
            return False
    try:  # CuPy
        v = arr.view()
        v.shape = shape
        return True
    except AttributeError:
        return False


def flatten(a, start_dim=0, end_dim=-1):
    nd = a._data.ndim
    if nd == 0:
        return reshape(a, (1,))
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return a
    shape = a.shape
    return reshape(a, tuple(shape[:s]) + (-1,) + tuple(shape[e + 1 :]))


def transpose(a, dim0, dim1):
    nd = a._data.ndim
    return apply(S.TransposeBackward0, (a,), _dim(dim0, nd), _dim(dim1, nd))


def t(a):
    if a._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return apply(S.TBackward0, (a,))


def permute(a, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    nd = a._data.ndim
    given = _sizes(dims)
    if len(given) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
            f"equal to len(dims) = {len(given)}"
        )
    dims = tuple(_dim(d, nd) for d in given)
    if len(dims) == nd and len(set(dims)) < nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    if sorted(dims) != list(range(nd)):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    return apply(S.PermuteBackward0, (a,), dims)


def T(a):  # noqa: N802
    """``a.T``: the dimensions reversed (torch warns when ``a`` is not a matrix)."""
    nd = a._data.ndim
    if nd != 2 and (nd == 0) not in _t_warned:
        _warn_t(nd == 0)
    return apply(S.PermuteBackward0, (a,), tuple(range(nd - 1, -1, -1)))


_t_warned: set[bool] = set()  # torch gives each of its two warnings once per process


def _warn_t(zero_d: bool) -> None:
    _t_warned.add(zero_d)
    if zero_d:
        text = (
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
        )
    else:
        text = (
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor."
        )
    warnings.warn(text, UserWarning, stacklevel=user_stacklevel())


def _int_arg(fn: str, name: str, pos: int, v) -> int:
    """``v`` as an int, or torch's TypeError for an argument that must be one."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    if type(v) is Tensor and v._data.ndim == 0 and v._data.dtype.kind in "iu":
        return int(v._data)
    what = "Tensor" if type(v) is Tensor else type(v).__name__
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not {what}")


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
    if a._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _int_arg("split", "dim", 2, dim)
    n = split_size_or_sections
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n < 0:  # before dim
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={n}")
    d = _dim(dim, a._data.ndim)
    size = a._data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        for n in split_size_or_sections:
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                raise TypeError(
                    "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of "
                    f"ints, not {type(n).__name__}"
                )
        sizes = [int(n) for n in split_size_or_sections]
        if builtins.any(n < 0 for n in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if builtins.sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input "
                f"tensor's size at dimension {d}), but got split_sizes={sizes}"
            )
        starts = np.cumsum([0, *sizes]).tolist()
        parts = [slice(s, s + n) for s, n in zip(starts, sizes)]
        return S.views(
            S.SplitWithSizesBackward0, a, d, parts, self_sym_sizes=a.shape, split_sizes=tuple(sizes)
        )
    n = split_size_or_sections
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):  # torch: sizes, then
        raise TypeError(
            "split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, "
            f"not {'Tensor' if type(n) is Tensor else type(n).__name__}"
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
    elif isinstance(how, (tuple, list)):
        if how and not _is_int(how[0]):
            raise _invalid_split_args("tensor_split", _TENSOR_SPLIT_FORMS, (how,), function)
        how = list(_int_list("tensor_split", "indices", 2 if function else 1, how))
    elif not _is_int(how):
        raise _invalid_split_args("tensor_split", _TENSOR_SPLIT_FORMS, (how,), function)
    nd = a._data.ndim
    if nd == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = _dim(_int_arg("tensor_split", "dim", 2, dim), nd)
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
    if a._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = a._data.shape[_dim(dim, a._data.ndim)]
    if size == 0:  # as torch: that many empty parts
        return split(a, [0] * chunks, dim)
    return split(a, -(-size // chunks), dim)


def unsqueeze(a, dim):
    return apply(S.UnsqueezeBackward0, (a,), _dim(dim, a._data.ndim + 1))


def squeeze(a, dim=None):
    nd = a._data.ndim
    if dim is None:
        return apply(S.SqueezeBackward0, (a,), None)
    listed = _dims(dim, nd) if dim != [] and dim != () else ()  # none listed: none squeezed
    dims = tuple(d for d in listed if nd and a.shape[d] == 1)
    cls = S.SqueezeBackward1 if not isinstance(dim, (tuple, list)) else S.SqueezeBackward2
    return apply(cls, (a,), dims)


def expand(a, *sizes):
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _sizes(sizes)
    shape = a.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({_torch_type(a)}{{{shape_str(shape)}}}, size={shape_str(sizes)}): the "
            "number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    out = list(sizes)
    for i in range(len(sizes) - 1, -1, -1):  # from the last, as torch checks them
        s = sizes[i]
        have = shape[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError(
                    "The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            out[i] = s = have
        if have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({have}) at non-singleton dimension {i}.  Target sizes: "
                f"{shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}"
            )
    return apply(S.ExpandBackward0, (a,), tuple(out))


def _torch_type(a) -> str:
    from ..errors import tensor_type_name

    return tensor_type_name(a._data.dtype, a._buffer.device)


def _tensor_list(name: str, tensors) -> list:
    if type(tensors) is Tensor:
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
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
    tensors = _tensor_list("cat", tensors)
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
    for i, t_ in enumerate(tensors[1:], 1):
        if t_.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {shape_str(tensors[0].shape)} "
                f"at entry 0 and {shape_str(t_.shape)} at entry {i}"
            )
    return apply(
        S.StackBackward0,
        tuple(tensors),
        _dim(dim, tensors[0]._data.ndim + 1),
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
    return flatten(apply(S.CloneBackward0, (x,)), d, d + 1)


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
    one = given[0] if len(given) == 1 else None
    if type(one) is Tensor or isinstance(one, float):
        raise TypeError(
            "repeat(): argument 'repeats' (position 1) must be tuple of ints, not "
            f"{type(one).__name__}"
        )
    sizes = tuple(one) if isinstance(one, (tuple, list)) else given
    for i, r in enumerate(sizes):
        if not isinstance(r, (int, np.integer)) or isinstance(r, bool):
            if one is None:
                raise TypeError(f"repeat() takes 1 positional argument but {len(given)} were given")
            raise TypeError(
                "repeat(): argument 'repeats' (position 1) must be tuple of ints, but found "
                f"element of type {type(r).__name__} at pos {i}"
            )
    return tuple(int(r) for r in sizes)


def flip(a, *dims):
    """A copy of ``a`` with the order of elements along ``dims`` reversed."""
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    nd = a._data.ndim
    found = [_dim(d, nd) for d in _sizes(dims)]
    for i, d in enumerate(found):
        if d in found[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return apply(S.FlipBackward0, (a,), tuple(found) if nd else ())


def roll(a, shifts, dims=None):
    """``a`` with its elements moved ``shifts`` places along ``dims`` (of the flattened
    tensor, when no dims are given), those past the end coming back at the start."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if (dims or len(shifts) != 1) and len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    nd = a._data.ndim
    if nd == 0 and dims:
        _dim(dims[0], 0)
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(_dim(d, nd) for d in dims)
    return apply(S.RollBackward0, (a,), tuple(int(s) for s in shifts), dims)


def narrow(a, dim, start, length):
    """The view of ``length`` elements of ``a`` from ``start`` along ``dim``."""
    nd = a._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = _dim(dim, nd)
    size = a._data.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(S.SliceBackward0, (a,), dim, start, start + length, 1)


def movedim(a, source, destination):
    """A view of ``a`` with the dims ``source`` moved to ``destination``, the others
    keeping their order."""
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({shape_str(src)} dims) "
            f"should contain the same number of dims as destination ({shape_str(dst)} dims)"
        )
    nd = a._data.ndim
    given = {"source": src, "destination": dst}
    src = [_dim(d, nd) for d in src]
    dst = [_dim(d, nd) for d in dst]
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) < len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({shape_str(given[name])})")
    if nd == 0:  # as torch: an alias of a 0-dim tensor
        return apply(S.AliasBackward0, (a,))
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    dims = tuple(next(rest) if o is None else o for o in order)
    return apply(S.PermuteBackward0, (a,), dims)


moveaxis = movedim


def ravel(a):
    """``a`` as one dimension: a view of a contiguous tensor, else a view of a contiguous
    copy (as torch's ``contiguous().view(-1)``)."""
    if not a._data.flags.c_contiguous:
        a = apply(S.CloneBackward0, (a,))
    return apply(S.ViewBackward0, (a,), (a._data.size,))


def broadcast_to(a, size):
    """A view of ``a`` broadcast to ``size`` (``expand``, -1 keeping a dim's size)."""
    return expand(a, _int_list("broadcast_to", "size", 2, size))


def _int_list(fn: str, arg: str, pos: int, seq) -> tuple:
    """``seq`` (a tuple or list of ints) as ints, or torch's TypeError for argument ``arg``
    at ``pos`` of ``fn``; after the first element, bools pass as ints, as torch's."""
    if not isinstance(seq, (tuple, list)):
        what = "Tensor" if type(seq) is Tensor else type(seq).__name__
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, not {what}"
        )
    for i, n in enumerate(seq):
        if isinstance(n, (int, np.integer)) and not (i == 0 and isinstance(n, bool)):
            continue
        if i == 0:
            raise TypeError(
                f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
                f"element of type {type(n).__name__} at pos 0"
            )
        raise TypeError(
            f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
            f'"type must be tuple of ints,but got {type(n).__name__}"'
        )
    return tuple(int(n) for n in seq)


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


def positive(a):
    """``a`` itself (``+a``); refused for bool tensors, as torch."""
    if a._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return a


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


def fliplr(a):
    """A copy of ``a`` with its columns (dim 1) in reverse order."""
    if a._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return apply(S.FlipBackward0, (a,), (1,))


def flipud(a):
    """A copy of ``a`` with its rows (dim 0) in reverse order."""
    if a._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return apply(S.FlipBackward0, (a,), (0,))


def rot90(a, k: int = 1, dims=(0, 1)):
    """A copy of ``a`` turned ``k`` quarter turns in the plane of ``dims``, from the first
    towards the second."""
    k = _int_arg("rot90", "k", 1, k)
    dims = tuple(dims)
    nd = a._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _dim(dims[0], nd), _dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return apply(S.Rot90Backward0, (a,), k, (d0, d1))


def unsqueeze_(a, dim):
    """``unsqueeze`` in place: ``a`` itself, with a dim of size 1 inserted."""
    return apply_view_inplace(S.UnsqueezeBackward1, a, _dim(dim, a._data.ndim + 1))


def squeeze_(a, dim=None):
    """``squeeze`` in place: ``a`` itself, without its (listed) dims of size 1."""
    nd = a._data.ndim
    if dim is None:
        return apply_view_inplace(S.SqueezeBackward3, a, None)
    listed = _dims(dim, nd) if dim != [] and dim != () else ()
    dims = tuple(d for d in listed if nd and a.shape[d] == 1)
    cls = S.SqueezeBackward4 if not isinstance(dim, (tuple, list)) else S.SqueezeBackward5
    return apply_view_inplace(cls, a, dims)


def transpose_(a, dim0, dim1):
    """``transpose`` in place: ``a`` itself, with two dims swapped."""
    nd = a._data.ndim
    return apply_view_inplace(S.TransposeBackward1, a, _dim(dim0, nd), _dim(dim1, nd))


def t_(a):
    """``t`` in place."""
    if a._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return apply_view_inplace(S.TBackward1, a)


swapaxes_ = swapdims_ = transpose_


def swapaxes(a, axis0, axis1):
    """``transpose`` under NumPy's name."""
    return transpose(a, axis0, axis1)


def swapdims(a, dim0, dim1):
    """``transpose`` under another name."""
    return transpose(a, dim0, dim1)


def unflatten(a, dim, sizes):
    """A view of ``a`` with dim ``dim`` split into ``sizes`` (one of them may be -1)."""
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    nd = a._data.ndim
    dim = _dim(dim, nd)
    if nd == 0 or sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:")
    size = a._data.shape[dim]
    known = _prod(s for s in sizes if s != -1)
    if (-1 in sizes and (known == 0 or size % known)) or (-1 not in sizes and known != size):
        raise RuntimeError(
            f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to the size of dim "
            f"{dim} ({size}) in the input tensor"
        )
    sizes = tuple(size // known if s == -1 else s for s in sizes)
    shape = a.shape
    return view(a, tuple(shape[:dim]) + sizes + tuple(shape[dim + 1 :]))


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


def outer(a, vec2):
    """The outer product ``a[i] * vec2[j]`` of two vectors."""
    for name, v in (("self", a), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return mul(reshape(a, (a.shape[0], 1)), vec2)


# ---------------------------------------------------------------- indexing


def _index_items(a, index) -> tuple:
    """``index`` as a tuple: 0-dim integer tensors become ints, lists and arrays tensors."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    for item in items:
        if isinstance(item, (list, np.ndarray)) or hasattr(item, "__cuda_array_interface__"):
            from ..creation import tensor

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
    if recording and a.grad_fn is None and a._rg and not a._grad_to_nowhere:
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
        from ..creation import tensor

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
    if type(indices) is not Tensor:
        raise TypeError(
            "take_along_dim(): argument 'indices' (position 2) must be Tensor, not "
            f"{type(indices).__name__}"
        )
    if dim is None:
        return gather(view(a, -1), 0, view(indices, -1))
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
    d = _dim(_int_arg("take_along_dim", "dim", 3, dim), nd)
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
    _check_index_dtype("index_select", index, "int32 or int64")
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = _dim(dim, a._data.ndim)
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
    if type(src) is not Tensor:
        raise TypeError(
            f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}"
        )
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


def sort(a, dim=-1, descending: bool = False, *, stable=_NOTHING):
    """``(values, indices)``: ``a`` sorted along ``dim`` (NaN above every number; equal
    values keep their order, as torch's sort on the CPU)."""
    dim = _dim(dim, a._data.ndim)
    cls = I.SortBackward0 if stable is _NOTHING else I.SortBackward1
    return _selected(SortResult, cls, a, dim, bool(descending), None)


def argsort(a, dim=-1, descending: bool = False, *, stable: bool = False):
    """The indices that sort ``a`` along ``dim`` (as ``sort`` orders it)."""
    dim = _dim(dim, a._data.ndim)
    d = a._data
    if d.ndim == 0:
        return Tensor._make(xp_of(d).zeros((), np.int64), None)
    return Tensor._make(I.sort_indices(d, dim, bool(descending)).astype(np.int64), None)


def topk(a, k, dim=-1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """``(values, indices)``: the ``k`` largest (or smallest) elements of ``a`` along
    ``dim``, largest (smallest) first."""
    k = _int_arg("topk", "k", 1, k)
    dim = _dim(dim, a._data.ndim)
    size = a.shape[dim] if a._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if a._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    return _selected(TopkResult, I.TopkBackward0, a, dim, bool(largest), k, bool(sorted))


def _selected(result_type, cls, a, dim: int, descending: bool, k, sorted_: bool = True):
    """sort's or topk's ``(values, indices)``, the indices those the node saved."""
    values = apply(cls, (a,), dim, descending, k, sorted_)
    node = values.grad_fn
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        d = a._data
        if d.ndim == 0:
            idx = xp_of(d).zeros((), np.int64)
        elif k is not None:
            idx = I.topk_indices(d, dim, k, descending, sorted_)
        else:
            idx = I.sort_indices(d, dim, descending)
        indices = Tensor._make(idx.astype(np.int64, copy=False), None)
    return result_type(values, indices)


# ---------------------------------------------------------------- in place


def _binary_(cls, op: str, a, b, *extra, dtype_of=_promoted):
    """``a op= b``: ``apply_inplace``, computed in the dtype torch gives ``a op b`` (which
    must cast back to ``a``'s), with torch's error for shapes that do not broadcast."""
    b = as_tensor_like(b, a)
    dtype = dtype_of(a, b)
    if type(b) is int:
        b, extra = _integral_operands(b, dtype or a._data.dtype, extra)
    try:
        return apply_inplace(cls, a, (a, b), *extra, dtype)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def add_(a, b, *, alpha=1):
    return _binary_(E.AddBackward0, "add_", a, b, alpha)


def sub_(a, b, *, alpha=1):
    _check_bool_sub(a, b)
    return _binary_(E.SubBackward0, "sub_", a, b, alpha)


def mul_(a, b):
    return _binary_(E.MulBackward0, "mul_", a, b)


def div_(a, b, *, rounding_mode: str | None = _TRUE_DIVISION):
    if rounding_mode is _TRUE_DIVISION:
        return _binary_(E.DivBackward0, "div_", a, b, dtype_of=_division_dtype)
    mode = _rounding(rounding_mode)
    b = as_tensor_like(b, a)
    dtype = _division_dtype(a, b) if mode is None else _result_dtype(a, b)
    _fits_in_place("div_", a, b, dtype)
    return apply_inplace(E.DivBackward2, a, (a, b), mode, dtype)


def remainder_(a, b):
    return _rounded_remainder_(E.RemainderBackward1, E.RemainderBackward0, "remainder_", a, b)


def fmod_(a, b):
    return _rounded_remainder_(E.FmodBackward1, E.FmodBackward0, "fmod_", a, b)


def _rounded_remainder_(by_tensor, by_number, op: str, a, b):
    b = as_tensor_like(b, a)
    dtype = _result_dtype(a, b)
    _fits_in_place(op, a, b, dtype)
    if type(b) is Tensor:
        return apply_inplace(by_tensor, a, (a, b), dtype)
    return apply_inplace(by_number, a, (a,), b, dtype)


def floor_divide_(a, b):
    b = as_tensor_like(b, a)
    dtype = _result_dtype(a, b)
    _fits_in_place("floor_divide_", a, b, dtype)
    out = E.div_floor(a._data, b._data if type(b) is Tensor else b, dtype)
    inputs = (a, b) if type(b) is Tensor and b._rg else (a,)
    return apply_inplace(E.NotImplementedBackward, a, inputs, "floor_divide_", out)


def pow_(a, exponent):
    exponent = as_tensor_like(exponent, a)
    if type(exponent) is Tensor:
        _fits_in_place("pow_", a, exponent, _result_dtype(a, exponent))
        return _binary_(E.PowBackward1, "pow_", a, exponent)
    return apply_inplace(E.PowBackward0, a, (a,), exponent)


def _fits_in_place(op: str, a, b, dtype) -> None:
    """torch's checks of ``a op= b`` before its kernel runs: ``b`` broadcasts to ``a``'s
    shape, and the result's ``dtype`` casts to ``a``'s."""
    try:
        shape = np.broadcast_shapes(a._data.shape, getattr(b, "shape", ()))
    except ValueError:
        raise _broadcast_error(op, a, b) from None
    check_inplace_result(a._data, shape, np.dtype(dtype))


def _unary_(cls, floating: bool = False):
    """Op ``cls`` in place, as a function of the tensor; a ``floating`` op's float result
    does not cast back into an integer or bool tensor, which torch refuses."""

    def op(a):
        dtype = a._data.dtype
        if floating and dtype.kind in "iub":
            raise RuntimeError(
                f"result type {scalar_type_name(dtypes.default_float.np)} can't be cast to "
                f"the desired output type {scalar_type_name(dtype)}"
            )
        return apply_inplace(cls, a, (a,))

    op.__name__ = op.__qualname__ = cls._name[: cls._name.index("Backward")].lower() + "_"
    return op


floor_ = _unary_(E.FloorBackward0)
ceil_ = _unary_(E.CeilBackward0)
trunc_ = _unary_(E.TruncBackward0)
frac_ = _unary_(E.FracBackward0)
sign_ = _unary_(E.SignBackward0)
sgn_ = _unary_(E.SgnBackward0)


def round_(a, *, decimals: int | None = None):
    if decimals is None:
        return apply_inplace(E.RoundBackward0, a, (a,))
    return apply_inplace(E.RoundBackward1, a, (a,), _decimals(decimals))


def relu_(a):
    return apply_inplace(A.ReluBackward0, a, (a,))


def clamp_(a, min=None, max=None):  # noqa: A002
    if _float_bounds_on_integers(a, min, max):
        raise RuntimeError(  # torch names the type as C++ does, here
            f"result type {scalar_type_name(dtypes.default_float.np)} can't be cast to the "
            f"desired output type {cpp_type_name(a._data.dtype)}"
        )
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if type(min) is Tensor or type(max) is Tensor:
        return _clamp_by_tensors(apply_inplace, a, min, max)
    if a._data.dtype.kind == "b":
        _check_bool_bounds(min, max)
        raise RuntimeError("result type Long can't be cast to the desired output type bool")
    min, max = _checked_bounds(a, min, max)
    return apply_inplace(E.ClampBackward1, a, (a,), min, max)


def zero_(a):
    return apply_inplace(S.ZeroBackward0, a, (a,), 0)


def copy_(a, src, non_blocking: bool = False):
    """Write ``src`` (a tensor broadcast to ``a``'s shape, or a number) into ``a``, in
    ``a``'s dtype and on its device; recorded as torch's ``CopyBackwards``."""
    if type(src) is not Tensor:
        if not isinstance(src, (int, float, complex)):
            raise TypeError(
                f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
            )
        from ..creation import tensor

        src = tensor(src, device=a.device)
    try:
        joint = np.broadcast_shapes(a._data.shape, src._data.shape)
    except ValueError:
        raise _broadcast_error("copy_", a, src) from None
    if joint != a._data.shape:
        raise RuntimeError(
            f"output with shape {shape_str(a._data.shape)} doesn't match the broadcast shape "
            f"{shape_str(joint)}"
        )
    return apply_inplace(S.CopyBackwards, a, (a, src))


def fill_(a, value):
    if type(value) is Tensor:
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        return apply_inplace(S.FillBackward3, a, (a, value))
    return apply_inplace(S.FillBackward2, a, (a,), dtypes.checked_scalar(value, a._data.dtype))


exp_ = _unary_(E.ExpBackward0, floating=True)
sin_ = _unary_(E.SinBackward0, floating=True)
cos_ = _unary_(E.CosBackward0, floating=True)


def tril_(a, diagonal: int = 0):
    return _triangle("tril_", S.TrilBackward0, a, diagonal, inplace=True)


def triu_(a, diagonal: int = 0):
    return _triangle("triu_", S.TriuBackward0, a, diagonal, inplace=True)


def uniform_(a, from_: float = 0.0, to: float = 1.0):
    """``a`` filled in place from U(from, to), drawn from gradscope's generator."""
    from .. import creation

    dtype = a._data.dtype
    if dtype.kind != "f":
        raise NotImplementedError(
            f"\"check_uniform_bounds\" not implemented for '{scalar_type_name(dtype)}'"
        )
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}"
        )
    values = creation.sample_array("uniform", a._data.shape, dtype, a._buffer[2])
    return apply_inplace(S.UniformBackward0, a, (a,), values * (to - from_) + from_)


def normal_(a, mean: float = 0.0, std: float = 1.0):
    """``a`` filled in place from N(mean, std**2), drawn from gradscope's generator."""
    from .. import creation

    dtype = a._data.dtype
    if dtype.kind != "f":
        raise NotImplementedError(
            f"\"normal_kernel_cpu\" not implemented for '{scalar_type_name(dtype)}'"
        )
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")  # C++'s %g
    values = creation.sample_array("normal", a._data.shape, dtype, a._buffer[2])
    return apply_inplace(S.NormalBackward0, a, (a,), values * std + mean)


log_ = _unary_(E.LogBackward0, floating=True)
sqrt_ = _unary_(E.SqrtBackward0, floating=True)
sigmoid_ = _unary_(A.SigmoidBackward0, floating=True)
tanh_ = _unary_(A.TanhBackward0, floating=True)
reciprocal_ = _unary_(E.ReciprocalBackward0, floating=True)
log1p_ = _unary_(E.Log1PBackward0, floating=True)
erf_ = _unary_(E.ErfBackward0, floating=True)
expm1_ = _unary_(E.Expm1Backward0, floating=True)
log2_ = _unary_(E.Log2Backward0, floating=True)
log10_ = _unary_(E.Log10Backward0, floating=True)
exp2_ = _unary_(E.Exp2Backward0, floating=True)
rsqrt_ = _unary_(E.RsqrtBackward0, floating=True)
tan_ = _unary_(E.TanBackward0, floating=True)
atan_ = _unary_(E.AtanBackward0, floating=True)
asin_ = _unary_(E.AsinBackward0, floating=True)
acos_ = _unary_(E.AcosBackward0, floating=True)
# torch records these in place with no derivative: backward through one raises its error
acosh_ = _unary_(E.AcoshBackward1, floating=True)
asinh_ = _unary_(E.AsinhBackward1, floating=True)
atanh_ = _unary_(E.AtanhBackward1, floating=True)
sinh_ = _unary_(E.SinhBackward0, floating=True)
cosh_ = _unary_(E.CoshBackward0, floating=True)
abs_ = _unary_(E.AbsBackward0)


def neg_(a):
    if a._data.dtype.kind == "b":
        neg(a)  # torch's error
    return apply_inplace(E.NegBackward0, a, (a,))


def square_(a):
    return pow_(a, 2)


def atan2_(a, other):
    _check_tensor_arg("atan2_", "other", 1, other)
    return _binary_(E.Atan2Backward0, "atan2_", a, other, dtype_of=_division_dtype)


def clamp_min_(a, min):  # noqa: A002
    return _clamp_side(apply_inplace, "min", a, min)


def clamp_max_(a, max):  # noqa: A002
    return _clamp_side(apply_inplace, "max", a, max)


clip_ = clamp_


def nan_to_num_(
    a, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None
):
    return apply_inplace(E.NanToNumBackward0, a, (a,), 0.0 if nan is None else nan, posinf, neginf)


# ---------------------------------------------------------------- hypot, logaddexp, xlogy,
# copysign, fmax, fmin, heaviside, float_power, sinc, deg2rad, rad2deg


def _applied(op: str, cls, a, b, inputs: tuple, *args):
    """``apply(cls, inputs, *args)``, with torch's error where ``a`` and ``b`` do not
    broadcast."""
    try:
        return apply(cls, inputs, *args)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def _tensor_pair(cls, op: str, a, other, position: int, floating: bool = False):
    """``op(a, other)`` of two tensors, promoted as torch's binary ops; a ``floating``
    op refuses an integer or bool result as torch's kernel does."""
    if position == 2:
        _check_tensor_arg(op, "input", 1, a)
    _check_tensor_arg(op, "other", position, other)
    _check_device(a, other)
    dtype = _result_dtype(a, other)
    if floating and dtype.kind in "iub":
        try:
            np.broadcast_shapes(a._data.shape, other._data.shape)
        except ValueError:
            raise _broadcast_error(op, a, other) from None
        refuse_kernel(f"{op}_cpu", dtype)
    return _applied(op, cls, a, other, (a, other), _promoted(a, other))


def hypot(input, other):  # noqa: A002
    """``sqrt(input² + other²)``, elementwise, without overflow in the squares."""
    return _tensor_pair(E.HypotBackward0, "hypot", input, other, 2, floating=True)


def logaddexp(input, other):  # noqa: A002
    """``log(exp(input) + exp(other))``, elementwise, without overflow."""
    return _tensor_pair(E.LogaddexpBackward0, "logaddexp", input, other, 2, floating=True)


def logaddexp2(input, other):  # noqa: A002
    """``log2(2**input + 2**other)``, elementwise, without overflow."""
    return _tensor_pair(E.Logaddexp2Backward0, "logaddexp2", input, other, 2, floating=True)


def fmax(input, other):  # noqa: A002
    """The larger of ``input`` and ``other``, elementwise; a NaN loses to a number."""
    return _tensor_pair(E.FmaxBackward0, "fmax", input, other, 2)


def fmin(input, other):  # noqa: A002
    """The smaller of ``input`` and ``other``, elementwise; a NaN loses to a number."""
    return _tensor_pair(E.FminBackward0, "fmin", input, other, 2)


def _as_method(cls, op: str, floating: bool = False):
    """The method form of a two-tensor op (where torch counts ``other`` as argument 1)."""

    def method(self, other):
        return _tensor_pair(cls, op, self, other, 1, floating)

    method.__name__ = method.__qualname__ = op
    return method


_hypot_method = _as_method(E.HypotBackward0, "hypot", floating=True)
_logaddexp_method = _as_method(E.LogaddexpBackward0, "logaddexp", floating=True)
_logaddexp2_method = _as_method(E.Logaddexp2Backward0, "logaddexp2", floating=True)
_fmax_method = _as_method(E.FmaxBackward0, "fmax")
_fmin_method = _as_method(E.FminBackward0, "fmin")


def hypot_(a, other):
    """``hypot`` written into ``a``."""
    _check_tensor_arg("hypot_", "other", 1, other)
    dtype = _result_dtype(a, other)
    _fits_in_place("hypot_", a, other, dtype)
    if dtype.kind in "iub":
        refuse_kernel("hypot_cpu", dtype)
    return _binary_(E.HypotBackward0, "hypot_", a, other)


def xlogy(input, other):  # noqa: A002
    """``input * log(other)``, elementwise, 0 where ``input`` is 0 (unless ``other`` is
    NaN); either side may be a number."""
    if type(input) is not Tensor:
        _check_tensor_arg("xlogy", "other", 2, other)
        return apply(E.XlogyBackward1, (other,), input, _division_dtype(other, input))
    other = as_tensor_like(other, input)
    if type(other) is not Tensor:
        return apply(E.XlogyBackward2, (input,), other, _division_dtype(input, other))
    _check_device(input, other)
    dtype = _division_dtype(input, other)
    return _applied("xlogy", E.XlogyBackward0, input, other, (input, other), dtype)


def xlogy_(a, other):
    """``xlogy`` written into ``a``."""
    other = as_tensor_like(other, a)
    dtype = _division_dtype(a, other)
    _fits_in_place("xlogy_", a, other, dtype if dtype is not None else a._data.dtype)
    if type(other) is Tensor:
        return apply_inplace(E.XlogyBackward0, a, (a, other), dtype)
    return apply_inplace(E.XlogyBackward2, a, (a,), other, dtype)


def copysign(input, other):  # noqa: A002
    """``|input|`` with the sign of ``other`` (a tensor or a number), elementwise."""
    other = as_tensor_like(other, input)
    dtype = _division_dtype(input, other)
    if type(other) is not Tensor:
        return apply(E.CopysignBackward1, (input,), other, dtype)
    _check_device(input, other)
    return _applied("copysign", E.CopysignBackward0, input, other, (input, other), dtype)


def copysign_(a, other):
    """``copysign`` written into ``a``."""
    other = as_tensor_like(other, a)
    dtype = _division_dtype(a, other)
    _fits_in_place("copysign_", a, other, dtype if dtype is not None else a._data.dtype)
    if type(other) is Tensor:
        return apply_inplace(E.CopysignBackward0, a, (a, other), dtype)
    return apply_inplace(E.CopysignBackward1, a, (a,), other, dtype)


_HEAVISIDE_DTYPES = "heaviside is not yet implemented for tensors with different dtypes."


def heaviside(input, values):  # noqa: A002
    """The step function: ``values`` where ``input`` is 0, else 1 where it is positive and
    0 where not. It has no derivative (backward through it raises, as in torch)."""
    return _heaviside(input, values, 2)


def _heaviside(a, values, position: int):
    if position == 2:
        _check_tensor_arg("heaviside", "input", 1, a)
    _check_tensor_arg("heaviside", "values", position, values)
    if a._data.dtype != values._data.dtype:
        raise RuntimeError(_HEAVISIDE_DTYPES)
    return _without_derivative("heaviside", E.heaviside, a, values)


def _heaviside_method(self, values):
    return _heaviside(self, values, 1)


def heaviside_(a, values):
    """``heaviside`` written into ``a``."""
    _check_tensor_arg("heaviside_", "values", 1, values)
    if a._data.dtype != values._data.dtype:
        raise RuntimeError(_HEAVISIDE_DTYPES)
    _fits_in_place("heaviside_", a, values, a._data.dtype)
    out = E.heaviside(a._data, values._data)
    inputs = (a, values) if values._rg else (a,)
    return apply_inplace(E.NotImplementedBackward, a, inputs, "heaviside_", out)


def _double(v):
    """``v`` in float64, as ``float_power`` takes its operands (a number as a float)."""
    if type(v) is Tensor:
        return v if v._data.dtype == np.float64 else v.to(dtypes.float64)
    return builtins.float(v)


def float_power(input, exponent):  # noqa: A002
    """``input ** exponent`` in float64, whatever the operands' dtypes."""
    return pow(_double(input), _double(as_tensor_like(exponent, input)))


def float_power_(a, exponent):
    """``float_power`` written into ``a``, which must be float64."""
    if a._data.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {scalar_type_name(a._data.dtype)} but "
            "the operation's result requires dtype Double"
        )
    return pow_(a, _double(as_tensor_like(exponent, a)))


def sinc(a):
    """``sin(pi a) / (pi a)``, 1 at 0."""
    return apply(E.SincBackward0, (_floating(a),))


def deg2rad(a):
    """Degrees to radians."""
    return apply(E.Deg2RadBackward0, (_floating(a),))


def rad2deg(a):
    """Radians to degrees."""
    return apply(E.Rad2DegBackward0, (_floating(a),))


sinc_ = _unary_(E.SincBackward0, floating=True)
deg2rad_ = _unary_(E.Deg2RadBackward0, floating=True)
rad2deg_ = _unary_(E.Rad2DegBackward0, floating=True)


# ---------------------------------------------------------------- nansum, nanmean, diff


def nansum(a, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum of all elements, or along ``dim``, counting NaN as zero."""
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "bi" and a._data.dtype != np.int64:
        np_dtype = np.dtype(np.int64)
    dims = None if dim is None else _dims(dim, a._data.ndim)
    if dims == ():  # torch's empty dim list: every dim
        dims = tuple(range(a._data.ndim))
    return apply(R.NansumBackward0, (a,), dims, keepdim, np_dtype)


def nanmean(a, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean of the elements that are not NaN, of all or along ``dim``: ``nansum`` over
    their count, as torch composes it."""
    if a._data.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{scalar_type_name(a._data.dtype)}"
        )
    count = logical_not(isnan(a)).sum(dim, keepdim)
    return nansum(a, dim, keepdim, dtype=dtype).div(count)


def diff(a, n: int = 1, dim: int = -1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (after joining ``prepend`` and
    ``append`` to ``a``): ``n`` times ``a[1:] - a[:-1]``, composed of slices and ``sub``
    (``logical_xor`` for bools) as torch composes it."""
    if a._data.ndim < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(dim, a._data.ndim)
    for other in (prepend, append):
        if other is None:
            continue
        if other._data.ndim != a._data.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i, (x, y) in enumerate(zip(a.shape, other.shape)):
            if i != d and x != y:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({i}) = {x}, "
                    f"but got tensor.size({i}) = {y}"
                )
    if n == 0:
        from ..creation import zeros_like

        return zeros_like(a).copy_(a)
    if prepend is not None or append is not None:
        a = cat([t for t in (prepend, a, append) if t is not None], d)
    size = a.shape[d]
    out_len = size - 1
    for _ in range(builtins.min(n, size)):
        later, earlier = narrow(a, d, 1, out_len), narrow(a, d, 0, out_len)
        a = logical_xor(later, earlier) if a._data.dtype.kind == "b" else later - earlier
        out_len -= 1
    return a


# ---------------------------------------------------------------- order statistics


def _picked(result_type, cls, a, dim: int, keepdim: bool, *args):
    """``(values, indices)`` of a node that picks one element per slice, the indices those
    it saved."""
    values = apply(cls, (a,), dim, bool(keepdim), *args)
    node = values.grad_fn
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        idx = O.picked_indices(cls, a._data, dim, bool(keepdim), *args)
        indices = Tensor._make(idx, None)
    return result_type(values, indices)


def _order_dim(name: str, a, dim, pos: int = 1) -> int:
    """``dim`` checked as torch's order statistics check it (an int, in range, of a
    non-zero size)."""
    dim = _dim(_int_arg(name, "dim", pos, dim), a._data.ndim)
    if a._data.ndim and a._data.shape[dim] == 0:
        name = "median" if name == "nanmedian" else name
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return dim


def median(a, dim=_NOTHING, keepdim: bool = False):
    """The lower median of all elements (NaN if any is NaN), or ``(values, indices)`` along
    ``dim``."""
    return _median("median", a, dim, keepdim)


def nanmedian(a, dim=_NOTHING, keepdim: bool = False):
    """``median`` ignoring NaN: the lower median of the numbers (NaN where all are NaN)."""
    return _median("nanmedian", a, dim, keepdim)


def _median(name: str, a, dim, keepdim):
    nan = name == "nanmedian"
    if dim is _NOTHING:
        if a._data.dtype == np.bool_:
            refuse_kernel("median_cpu", a._data.dtype)
        return apply(O.NanmedianBackward0 if nan else O.MedianBackward0, (a,))
    dim = _order_dim(name, a, dim)
    if a._data.dtype == np.bool_:
        refuse_kernel("median_out", a._data.dtype)
    cls, result = (
        (O.NanmedianBackward1, NanmedianResult) if nan else (O.MedianBackward1, MedianResult)
    )
    return _picked(result, cls, a, dim, keepdim)


def kthvalue(a, k, dim=-1, keepdim: bool = False):
    """``(values, indices)``: the ``k``-th smallest element along ``dim`` (NaN above every
    number)."""
    k = _int_arg("kthvalue", "k", 1, k)
    dim = _order_dim("kthvalue", a, dim, 2)
    size = a._data.shape[dim] if a._data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if a._data.dtype == np.bool_:
        refuse_kernel("kthvalue_cpu", a._data.dtype)
    return _picked(KthvalueResult, O.KthvalueBackward0, a, dim, keepdim, k)


def mode(a, dim=-1, keepdim: bool = False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of those
    equally frequent)."""
    dim = _order_dim("mode", a, dim)
    return _picked(ModeResult, O.ModeBackward0, a, dim, keepdim)


def _cumulative_extreme(name: str, result_type, cls, a, dim):
    dim = _int_arg(name, "dim", 1, dim)
    if a._data.ndim == 0 and dim not in (0, -1):
        raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    dim = _dim(dim, a._data.ndim)
    values = apply(cls, (a,), dim)
    node = values.grad_fn
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        _, idx = O.cumulative_extreme(a._data, dim, cls is O.CummaxBackward0)
        indices = Tensor._make(idx, None)
    return result_type(values, indices)


def cummax(a, dim):
    """``(values, indices)``: the running maximum along ``dim`` and where it was reached (the
    latest of equal values)."""
    return _cumulative_extreme("cummax", CummaxResult, O.CummaxBackward0, a, dim)


def cummin(a, dim):
    """``(values, indices)``: the running minimum along ``dim`` and where it was reached (the
    latest of equal values)."""
    return _cumulative_extreme("cummin", CumminResult, O.CumminBackward0, a, dim)


def logcumsumexp(a, dim):
    """``log(cumsum(exp(a), dim))``, computed without overflow."""
    dim = _dim(_int_arg("logcumsumexp", "dim", 1, dim), a._data.ndim)
    if a._data.dtype.kind not in "fc":
        refuse_kernel("logcumsumexp_out_cpu", a._data.dtype)
    return apply(O.LogcumsumexpBackward0, (a,), dim)


def msort(a):
    """``a`` sorted along its first dimension (``sort(a, 0).values``)."""
    return sort(a, 0).values


_QUANTILE_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(a, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """The ``q``-th quantiles of all elements, or along ``dim``, interpolated between the
    two nearest ranks as ``interpolation`` says; a tensor ``q`` gives its quantiles first."""
    return _quantile(a, q, dim, keepdim, interpolation, False)


def nanquantile(a, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """``quantile`` of the elements that are not NaN (NaN where all are)."""
    return _quantile(a, q, dim, keepdim, interpolation, True)


def _quantile(a, q, dim, keepdim, interpolation: str, ignore_nan: bool):
    # torch's quantile_compute, op for op, so that the graph is the same: sort, view,
    # gather at the ranks below (and above), lerp_ in place, then squeeze_ (or, for a
    # tensor ``q``, unsqueeze_, transpose_, squeeze_)
    if isinstance(q, (int, float)) and not isinstance(q, complex):
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q:g}")
        q = Tensor._make(xp_of(a._data).asarray(q, dtype=a._data.dtype), None)
    elif type(q) is not Tensor:
        raise TypeError(
            f"quantile() received an invalid combination of arguments - got "
            f"({type(q).__name__}), but expected one of:"
        )
    if interpolation not in _QUANTILE_MODES:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    d = a._data
    if d.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q._data.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q._data.dtype != d.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    wrapped = _dim(0 if dim is None else _int_arg("quantile", "dim", 2, dim), d.ndim)
    qs = q._data
    if not bool(((qs >= 0) & (qs <= 1)).all()):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")

    out_shape = []
    if dim is not None and d.ndim > 0:
        out_shape = list(d.shape)
        if keepdim:
            out_shape[wrapped] = 1
        else:
            del out_shape[wrapped]
    elif keepdim:
        out_shape = [1] * d.ndim
    if dim is None:
        s = sort(flatten(a)).values
    elif wrapped == d.ndim - 1:
        s = sort(a).values
    else:
        s = sort(transpose(unsqueeze(a, -1), wrapped, -1)).values
    out_shape.insert(0, int(qs.size))
    s = view(s, tuple(out_shape[1:]) + (s.shape[-1],))

    xp = xp_of(d)
    sd = s._data
    nan = xp.isnan(sd)
    qv = qs.reshape(-1)
    with np.errstate(invalid="ignore"):
        if ignore_nan:
            ranks = qv * ((~nan).sum(axis=-1, keepdims=True) - 1).astype(d.dtype)
            ranks = xp.where(ranks < 0, 0, ranks)
        else:
            last = sd.shape[-1] - 1
            ranks, has_nan = xp.broadcast_arrays(qv * last, nan.any(axis=-1, keepdims=True))
            ranks = xp.where(has_nan, last, ranks)
    ranks = ranks.astype(d.dtype, copy=False)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = ranks.astype(np.int64)
    out = gather(s, -1, Tensor._make(below, None))
    if interpolation in ("linear", "midpoint"):
        weights = (
            xp.full_like(ranks, 0.5)
            if interpolation == "midpoint"
            else ranks - below.astype(d.dtype)
        )
        above = gather(s, -1, Tensor._make(xp.ceil(ranks).astype(np.int64), None))
        out = lerp_(out, above, Tensor._make(weights, None))
    if _function._dual:  # forward mode changes no shape in place: the same ops, out of place
        if qs.ndim == 0:
            return squeeze(out, -1)
        return squeeze(transpose(unsqueeze(out, 0), 0, -1), -1)
    if qs.ndim == 0:
        return squeeze_(out, -1)
    return squeeze_(transpose_(unsqueeze_(out, 0), 0, -1), -1)


def aminmax(a, *, dim=None, keepdim: bool = False):
    """``(min, max)`` of all elements, or along ``dim``, from one node (``AminmaxBackward0``);
    ties share each output's gradient evenly."""
    d = a._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        dims = ()
    else:
        wrapped = _dim(_int_arg("aminmax", "dim", 2, dim), d.ndim)
        if d.ndim and d.shape[wrapped] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {wrapped} to have non-zero size.")
        dims = (wrapped,) if d.ndim else ()
    keepdim = bool(keepdim)
    first = apply(O.AminmaxBackward0, (a,), dims, keepdim)
    node = first._grad_fn
    if _function._dual:  # forward mode: the maximum is amax's own op, with its tangent
        return AminmaxResult(first, amax(a, list(dims), keepdim))
    if node is None:
        b = d.view(np.uint8) if d.dtype == np.bool_ else d
        mx = xp_of(d).asarray(b.max(axis=dims or None, keepdims=keepdim)).astype(d.dtype)
        return AminmaxResult(first, Tensor._make(mx, None))
    second = Tensor._make(node.mean_out, node)
    node.out_edges = [None, None]  # (weak references to the edges, as they are made)
    first._grad_fn, second._grad_fn = R.output_edge(node, 0), R.output_edge(node, 1)
    del node.mean_out
    return AminmaxResult(first, second)


# ---------------------------------------------------------------- number formats


def _tensor_other(name: str, other) -> None:
    if type(other) is not Tensor:
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {py_type_name(other)}"
        )


def _pair_dtype(name: str, a, other, inplace: bool):
    """The dtype torch gives ``name(a, other)``, after its broadcast (and in-place) checks."""
    _tensor_other(name, other)
    dtype = dtypes.result_type(
        a._data.dtype, a._data.ndim, other, other._data.dtype, other._data.ndim
    )
    if inplace:
        _fits_in_place(name + "_", a, other, dtype)
    else:
        try:
            np.broadcast_shapes(a._data.shape, other._data.shape)
        except ValueError:
            raise _broadcast_error(name, a, other) from None
    return dtype


def _integer_op(name: str, a, other, inplace: bool = False):
    dtype = _pair_dtype(name, a, other, inplace)
    if dtype.kind not in "iu":
        refuse_kernel(f"{name}_cpu", dtype)
    if inplace:
        return apply_inplace(N.IntegerOp, a, (a, other), name, dtype)
    return apply(N.IntegerOp, (a, other), name, dtype)


def gcd(a, other):
    """The greatest common divisor of integer tensors, elementwise (non-negative)."""
    return _integer_op("gcd", a, other)


def gcd_(a, other):
    """``gcd`` in place."""
    return _integer_op("gcd", a, other, inplace=True)


def lcm(a, other):
    """The least common multiple of integer tensors, elementwise (non-negative)."""
    return _integer_op("lcm", a, other)


def lcm_(a, other):
    """``lcm`` in place."""
    return _integer_op("lcm", a, other, inplace=True)


def _ldexp(a, other, inplace: bool):
    _tensor_other("ldexp", other)
    od = other._data.dtype
    pow_dtype = od if od.kind in "fc" else dtypes.default_float.np
    dtype = dtypes.result_type(a._data.dtype, a._data.ndim, other, od, other._data.ndim)
    if dtype.kind not in "fc":
        dtype = dtypes.default_float.np
    if inplace:
        if a._data.dtype.kind not in "fc":
            raise RuntimeError(
                "ldexp can't be cast to the desired output type " + scalar_type_name(a._data.dtype)
            )
        _fits_in_place("ldexp_", a, other, dtype)
        return apply_inplace(N.LdexpBackward0, a, (a, other), dtype, pow_dtype)
    try:
        np.broadcast_shapes(a._data.shape, other._data.shape)
    except ValueError:
        raise _broadcast_error("ldexp", a, other) from None
    return apply(N.LdexpBackward0, (a, other), dtype, pow_dtype)


def ldexp(a, other):
    """``a * 2 ** other``."""
    return _ldexp(a, other, False)


def ldexp_(a, other):
    """``ldexp`` in place."""
    return _ldexp(a, other, True)


def _nextafter(a, other, inplace: bool):
    dtype = _pair_dtype("nextafter", a, other, inplace)
    if dtype.kind != "f":
        refuse_kernel("nextafter_cpu", dtype)
    if inplace:
        return apply_inplace(N.NextafterBackward0, a, (a, other), dtype)
    return apply(N.NextafterBackward0, (a, other), dtype)


def nextafter(a, other):
    """The next representable number after ``a`` towards ``other``, elementwise."""
    return _nextafter(a, other, False)


def nextafter_(a, other):
    """``nextafter`` in place."""
    return _nextafter(a, other, True)


def frexp(a):
    """``(mantissa, exponent)``: ``a == mantissa * 2 ** exponent``, the mantissa's magnitude
    in [0.5, 1) (0 for 0), the exponent int32."""
    if a._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa = apply(N.FrexpBackward0, (a,))
    node = mantissa.grad_fn
    if node is not None and node._saved:
        st = node._saved["exponent"]
        exponent = Tensor._share(st.data, st.buffer, st.vc)
    else:
        exponent = Tensor._make(N.frexp_arrays(a._data)[1], None)
    return FrexpResult(mantissa, exponent)


def dist(a, other, p=2):
    """The ``p``-norm of ``a - other`` (broadcast), over every element."""
    _tensor_other("dist", other)
    if type(p) is Tensor:
        p = p.item()
    dtype = dtypes.result_type(
        a._data.dtype, a._data.ndim, other, other._data.dtype, other._data.ndim
    )
    try:
        np.broadcast_shapes(a._data.shape, other._data.shape)
    except ValueError:
        raise _broadcast_error("dist", a, other) from None
    if dtype.kind not in "fc":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. "
            f"Got {scalar_type_name(dtype)} instead."
        )
    return apply(N.DistBackward0, (a, other), float(p), dtype)


# ---------------------------------------------------------------- shapes and views


def sum_to_size(a, *size):
    """``a`` summed down to ``size`` (which must expand to ``a``'s shape), as torch's
    ``sum_to``: one sum over the leading and the stretched dims, then a view; ``a`` itself
    when nothing is summed."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(n) for n in size)
    shape = tuple(a._data.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(n != 1 and n != shape[lead + i] for i, n in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if not size:
        return sum(a)
    dims = list(range(lead))
    dims += [lead + i for i, n in enumerate(size) if n == 1 and shape[lead + i] != 1]
    out = a
    if dims:
        out = sum(out, tuple(dims), keepdim=True)
    return view(out, size) if lead else out


def adjoint(a):
    """The conjugate transpose of the last two dims (a real tensor's ``mT``)."""
    return _transposed("adjoint", a)


def _transposed(name: str, a):
    """``H``, ``mH`` and ``adjoint`` of a real tensor: ``a`` transposed, as torch checks."""
    nd = a._data.ndim
    what = {"H": "tensor.H", "mH": "tensor.mH", "adjoint": "tensor.adjoint()"}[name]
    if nd == 0:
        warn = {"H": "Tensor.H", "mH": "Tensor.mH", "adjoint": "adjoint()"}[name]
        warnings.warn(
            f"{warn} is deprecated on 0-D tensors. Consider using x.conj().",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return conj(a)
    if name == "H":
        if nd != 2:
            tail = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{tail}"
            )
        return transpose(a, 0, 1)
    if nd < 2:
        raise RuntimeError(
            f"{what} is only supported on matrices or batches of matrices. Got {nd}-D tensor."
        )
    return transpose(a, -2, -1)


def _real_only(name: str, a):
    if a._data.dtype.kind == "c":
        raise NotImplementedError(f"gradscope's {name} takes real tensors only")
    return a


def conj(a):
    """The complex conjugate: of a real tensor, the tensor itself."""
    return _real_only("conj", a)


def conj_physical(a):
    """The complex conjugate, computed: of a real tensor, the tensor itself."""
    return _real_only("conj_physical", a)


def resolve_conj(a):
    """``a`` with a pending conjugation applied: a real tensor has none, so itself."""
    return _real_only("resolve_conj", a)


def resolve_neg(a):
    """``a`` with a pending negation applied: gradscope has none, so itself."""
    return _real_only("resolve_neg", a)


def real(a):
    """The real part: of a real tensor, the tensor itself."""
    return _real_only("real", a)


def imag(a):
    """The imaginary part, which a real tensor does not have (torch's error)."""
    if a._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _real_only("imag", a)


def is_conj(a) -> bool:
    """Whether ``a`` is a lazily conjugated view: never, in gradscope."""
    return False


def is_neg(a) -> bool:
    """Whether ``a`` is a lazily negated view: never, in gradscope."""
    return False
