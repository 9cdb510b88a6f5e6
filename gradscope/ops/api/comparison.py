"""Comparisons, logical and bitwise ops, and picking values: ``where``, ``clamp``, ``maximum``."""

from __future__ import annotations

import builtins
import warnings
from numbers import Number

import numpy as np

from ... import dtypes
from ...autograd.function import apply, apply_inplace
from ...backend import xp_of
from ...errors import cpp_type_name, py_type_name, refuse_kernel, scalar_type_name, shape_str
from ...events.callsite import user_stacklevel
from .. import elementwise as E
from ._common import (
    _NOTHING,
    _broadcast_error,
    _broadcast_error_of,
    _check_device,
    _check_tensor_arg,
    _fits_in_place,
    _integral_operands,
    _on_one_device,
    _promoted,
    as_tensor_like,
)

Tensor = None  # set by gradscope.tensor


def clamp(a, min=None, max=None):  # noqa: A002
    """Clip to ``[min, max]`` (scalars or tensors)."""
    _refuse_mixed_bounds("clamp", min, max)
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


def _refuse_mixed_bounds(name: str, lo, hi) -> None:
    """torch's parser refuses one bound a tensor and the other a number (its two forms
    take two tensors or two numbers, and a 0-dim tensor that does not require grad passes
    for a number); its message as the method's."""
    for b in (lo, hi):
        if b is not None and type(b) is not Tensor and not isinstance(b, (Number, np.generic)):
            got = ", ".join(py_type_name(v) for v in (lo, hi))
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got (Tensor, {got})"
            )
    kinds = [type(b) is Tensor for b in (lo, hi) if b is not None]
    if len(kinds) != 2 or kinds[0] == kinds[1]:
        return
    t = lo if kinds[0] else hi
    if t._data.ndim or t.requires_grad:
        got = ", ".join("Tensor" if k else py_type_name(b) for k, b in zip(kinds, (lo, hi)))
        bad = ", ".join(f"!{g}!" for g in got.split(", "))
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but "
            "expected one of:\n * (Tensor min = None, Tensor max = None)\n      didn't match "
            f"because some of the arguments have invalid types: ({bad})\n * (Number min = "
            "None, Number max = None)\n      didn't match because some of the arguments have "
            f"invalid types: ({bad})\n"
        )


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


_F64 = np.dtype(np.float64)


def _checked_bounds(a, lo, hi, in_place: bool = False) -> tuple:
    """``clamp``'s number bounds, checked to fit ``a``'s dtype as torch checks them."""
    dtype = a._data.dtype
    if dtype.kind != "c" and complex in (type(lo), type(hi)):
        if dtype.kind != "f" and in_place:
            raise RuntimeError(
                "result type ComplexFloat can't be cast to the desired output type "
                + cpp_type_name(dtype)
            )
        if dtype.kind != "f":
            raise NotImplementedError("clamp is not supported for complex types")
        # converted as doubles: only a real value fits, whatever the floating type
        lo, hi = (dtypes.checked_scalar(b, _F64) if type(b) is complex else b for b in (lo, hi))
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
    _check_tensor_arg(op, "other", 2, b)
    _check_device(a, b)
    try:
        return apply(cls, (a, b), _promoted(a, b))
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def _masked_fill_args(a, mask, value, inplace: bool):
    """``value`` as a number or a 0-dim tensor, after torch's checks of the mask and value
    (out of place, ``a`` and the mask broadcast; in place, the mask to ``a``'s shape), in
    torch's order: out of place, the mask's dtype last."""
    if inplace:
        _check_mask_dtype(mask)
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
    value = as_tensor_like(value, a, "masked_fill_" if inplace else "masked_fill", 2, "value")
    if type(value) is Tensor and value._data.ndim:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    if not inplace:
        _check_mask_dtype(mask)
    return dtypes.checked_scalar(value, a._data.dtype)


def _check_mask_dtype(mask) -> None:
    if mask._data.dtype.kind != "b":
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{cpp_type_name(mask._data.dtype)}"
        )


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


def where(condition, a=_NOTHING, b=_NOTHING):
    """Pick from ``a`` where ``condition`` holds, else from ``b``; with the condition
    alone, the indices where it holds (``nonzero(as_tuple=True)``)."""
    if a is _NOTHING and b is _NOTHING:
        found = xp_of(condition._data).nonzero(condition._data)
        return tuple(Tensor._make(i.astype(np.int64, copy=False), None) for i in found)
    if a is _NOTHING or b is _NOTHING:
        raise TypeError("where() takes the condition alone, or the condition, input and other")
    like = condition
    a = as_tensor_like(a, like, "where", 2, "input")
    b = as_tensor_like(b, like, "where", 3)
    if type(a) is Tensor and type(b) is Tensor:
        dtype = _promoted(a, b)
    else:
        t = a if type(a) is Tensor else b
        other = b if t is a else a
        dtype = _promoted(t, other) if type(t) is Tensor else None
    if type(a) is not Tensor and type(b) is not Tensor:  # two Python scalars
        from ...creation import tensor

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


def _compare(ufunc, name: str, kernel: str | None = None):
    """A comparison; ``kernel`` names the ordering ones, which torch refuses complex
    numbers (NumPy orders them by real part, then imaginary)."""

    def op(a, b):
        b = as_tensor_like(b, a, name)
        if type(b) is int:
            b, _ = _integral_operands(b, a._data.dtype, ())
        bd = b._data if type(b) is Tensor else b
        if kernel is not None and (
            a._data.dtype.kind == "c"
            or type(bd) is complex
            or getattr(bd, "dtype", a._data.dtype).kind == "c"
        ):
            refuse_kernel(kernel, np.result_type(a._data, bd))
        ad = a._data
        if type(b) is Tensor and bd.dtype != ad.dtype:
            # torch compares in the operands' result type, each cast to it first (a 0-dim
            # int32 -1 against uint8 is 255; a 0-dim float32 0.1 against float16 rounds)
            common = dtypes.result_type(ad.dtype, ad.ndim, None, bd.dtype, bd.ndim)
            ad, bd = ad.astype(common, copy=False), bd.astype(common, copy=False)
        try:
            return Tensor._make(ufunc(ad, bd), None)
        except ValueError as e:
            if "broadcast" in str(e):
                raise _broadcast_error(ufunc.__name__, a, b) from None
            raise

    op.__name__ = ufunc.__name__
    return op


eq = _compare(np.equal, "eq")


ne = _compare(np.not_equal, "ne")


lt = _compare(np.less, "lt", "lt_cpu")


le = _compare(np.less_equal, "le", "le_cpu")


gt = _compare(np.greater, "gt", "gt_cpu")


ge = _compare(np.greater_equal, "ge", "ge_cpu")


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
    other = as_tensor_like(other, a, f"bitwise_{op}_" if inplace else f"bitwise_{op}")
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
