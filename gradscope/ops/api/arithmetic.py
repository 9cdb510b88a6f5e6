"""Arithmetic: ``add``, ``sub``, ``mul``, ``div``, ``remainder``, ``pow``, ``lerp`` ..."""

from __future__ import annotations

import builtins
from numbers import Number

import numpy as np

from ... import dtypes
from ...autograd import function as _function
from ...autograd.function import apply, apply_inplace, check_inplace_result
from ...errors import M_BOOL_SUB, cpp_type_name, py_type_name, refuse_complex_input, refuse_kernel
from .. import elementwise as E
from ._common import (
    _binary,
    _broadcast_error,
    _broadcast_error_of,
    _check_device,
    _check_tensor_arg,
    _integral_operands,
    _on_one_device,
    _promoted,
    as_tensor_like,
)
from .pointwise import _floating

Tensor = None  # set by gradscope.tensor


_ONE = 1  # CPython's one int 1: ``alpha is _ONE`` for the default and for 1 given


def add(a, b, *, alpha=1):
    """``a + alpha * b``."""
    if type(a) is not Tensor:
        return add(b, a) if alpha == 1 else add(as_tensor_like(a, b, "add"), b, alpha=alpha)
    if alpha is not _ONE:  # (the default's own object: one test on the hot path)
        alpha = _alpha(a, b, _alpha_number("add", alpha))
    elif type(b) is float and a._data.dtype.kind == "f":  # the usual `x + 0.1`, as _binary would
        return apply(E.AddBackward0, (a, b), alpha, None)
    return _binary(E.AddBackward0, "add", a, b, alpha)


def sub(a, b, *, alpha=1):
    """``a - alpha * b``."""
    if type(a) is not Tensor:
        return rsub(b, a)
    if alpha is not _ONE:
        _alpha_number("sub", alpha)
    _check_bool_sub(a, b)
    if alpha is not _ONE:
        alpha = _alpha(a, b, alpha)
    return _binary(E.SubBackward0, "sub", a, b, alpha)


def _alpha_number(op: str, alpha):
    """``alpha`` itself, or torch's parser's TypeError for one that is not a number."""
    if not isinstance(alpha, (Number, np.generic)):
        raise TypeError(f"{op}(): argument 'alpha' must be Number, not {py_type_name(alpha)}")
    return alpha


def _alpha(a, b, alpha, in_place: bool = False):
    """``alpha`` of ``a + alpha * b`` as torch takes it: checked against the operands'
    common dtype (a bool for bools only, a float for floating or complex operands, a
    complex for complex ones), then converted to it as a fill value is (into bools, any
    number is a bool; past the type's range, torch's overflow error). Shapes that do not
    broadcast leave it to the op's own error; ``in_place``, torch first checks that the
    result fits ``a``."""
    ad = a._data.dtype
    if type(b) is Tensor:
        try:
            shape = np.broadcast_shapes(a._data.shape, b._data.shape)
        except ValueError:
            return alpha
        dtype = dtypes.result_type(ad, a._data.ndim, None, b._data.dtype, b._data.ndim)
    else:
        shape, dtype = a._data.shape, dtypes.result_type(ad, a._data.ndim, b, None, 0)
    if in_place:
        check_inplace_result(a._data, shape, dtype)
    kind, ta = dtype.kind, type(alpha)
    if ta is bool and kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if (ta is float or ta is complex) and kind in "biu":
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if ta is complex and kind != "c":
        raise RuntimeError(
            "For non-complex input tensors, argument alpha must not be a complex number."
        )
    return dtypes.checked_scalar(alpha, dtype)


def rsub(a, scalar):
    """``scalar - a``."""
    scalar = as_tensor_like(scalar, a, "rsub")  # (a NumPy scalar counts as the number it holds)
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
    b = as_tensor_like(b, a, "div")
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
    a = as_tensor_like(a, b, "div") if type(a) is not Tensor else a
    if type(a) is not Tensor:  # a number by a tensor: torch wraps the number
        a = _number_tensor(a, b)
    b = as_tensor_like(b, a, "div")
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
    from ...creation import tensor

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
    b = as_tensor_like(b, a, "remainder")
    if type(b) is Tensor:
        return _rounded_remainder(E.RemainderBackward1, "remainder", a, b)
    return _rounded_remainder(E.RemainderBackward0, "remainder", a, b)


def fmod(a, b):
    """C's ``fmod``: the remainder of ``a / b`` rounded toward zero, with ``a``'s sign."""
    b = as_tensor_like(b, a, "fmod")
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
    if type(t) is not Tensor:
        _check_tensor_arg(op, "other", 2, b)
    a, b = as_tensor_like(a, t, op), as_tensor_like(b, t, op)
    refuse_complex_input(op, a, b)
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
        _check_tensor_arg("pow", "exponent", 2, exponent)
        if isinstance(a, float) and exponent._data.dtype.kind in "iub":
            exponent = exponent.to(dtypes.default_float)
        if type(a) is bool and exponent._data.dtype.kind == "b":
            raise _NO_BOOL_POW
        return apply(E.PowBackward2, (exponent,), a)
    exponent = as_tensor_like(exponent, a, "pow")
    if type(exponent) is Tensor:  # (a bool tensor to a Python bool is a bool, as in torch)
        return _binary(E.PowBackward1, "pow", a, exponent)
    return apply(E.PowBackward0, (a,), exponent)


_NO_BOOL_POW = NotImplementedError("\"pow\" not implemented for 'Bool'")


def square(a):
    return pow(a, 2)


def lerp(start, end, weight):
    """``start + weight * (end - start)``; ``weight`` a number or a tensor."""
    _lerp_checks(start, end, weight)
    if type(weight) is Tensor:
        return _broadcasting("lerp", apply, E.LerpBackward1, (start, end, weight))
    return _broadcasting("lerp", apply, E.LerpBackward0, (start, end), float(weight))


def lerp_(start, end, weight):
    _lerp_checks(start, end, weight)
    if type(weight) is Tensor:
        return _broadcasting("lerp_", apply_inplace, E.LerpBackward1, start, (start, end, weight))
    return _broadcasting(
        "lerp_", apply_inplace, E.LerpBackward0, start, (start, end), float(weight)
    )


def _broadcasting(op: str, how, cls, *args):
    """``how(cls, *args)`` (``apply`` or ``apply_inplace``), with torch's error where the
    operands (the tuple among ``args``) do not broadcast, in place of NumPy's."""
    try:
        return how(cls, *args)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        operands = next(a for a in args if type(a) is tuple)
        raise _broadcast_error_of(op, *operands) from None


def _lerp_checks(start, end, weight) -> None:
    """torch's refusals of ``lerp``'s operands, in its order."""
    if type(end) is not Tensor:
        raise TypeError(
            f"lerp(): argument 'end' (position 2) must be Tensor, not {type(end).__name__}"
        )
    if type(weight) is not Tensor and not isinstance(weight, (Number, np.generic)):
        got = f"Tensor, Tensor, {py_type_name(weight)}"
        raise TypeError(f"lerp() received an invalid combination of arguments - got ({got})")
    others = (("end", end),) + ((("weight", weight),) if type(weight) is Tensor else ())
    for name, t in others:
        if t._data.dtype != start._data.dtype:
            raise RuntimeError(
                f"expected dtype {cpp_type_name(start._data.dtype)} for `{name}` but "
                f"got dtype {cpp_type_name(t._data.dtype)}"
            )
    if start._data.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if type(weight) is Tensor else "lerp_kernel_scalar"
        refuse_kernel(kernel, start._data.dtype)


def _addc(name: str, a, t1, t2):
    """The result dtype of ``addcmul``/``addcdiv``, after torch's refusal of an integer
    division."""
    _check_tensor_arg(name, "tensor1", 2, t1)
    _check_tensor_arg(name, "tensor2", 3, t2)
    ad, ndim = a._data.dtype, a._data.ndim
    for t in (t1, t2):  # torch's promotion over the three: a dimensioned tensor outranks
        ad = dtypes.result_type(ad, ndim, None, t._data.dtype, t._data.ndim)
        ndim = builtins.max(ndim, t._data.ndim)
    promoted = ad
    if name == "addcdiv" and t1._data.dtype.kind in "iub" and t2._data.dtype.kind in "iub":
        raise RuntimeError(M_ADDCDIV_INT)
    if promoted.kind == "b":
        refuse_kernel(f"{name}_cpu_out", promoted)
    return promoted


def addcmul(a, tensor1, tensor2, *, value=1):
    """``a + value * tensor1 * tensor2``."""
    dtype = _addc("addcmul", a, tensor1, tensor2)
    return _broadcasting("addcmul", apply, E.AddcmulBackward0, (a, tensor1, tensor2), value, dtype)


def addcdiv(a, tensor1, tensor2, *, value=1):
    """``a + value * tensor1 / tensor2``."""
    dtype = _addc("addcdiv", a, tensor1, tensor2)
    return _broadcasting("addcdiv", apply, E.AddcdivBackward0, (a, tensor1, tensor2), value, dtype)


def addcmul_(a, tensor1, tensor2, *, value=1):
    _addc("addcmul", a, tensor1, tensor2)
    operands, dtype = (a, tensor1, tensor2), a._data.dtype
    return _broadcasting("addcmul_", apply_inplace, E.AddcmulBackward0, a, operands, value, dtype)


def addcdiv_(a, tensor1, tensor2, *, value=1):
    _addc("addcdiv", a, tensor1, tensor2)
    operands, dtype = (a, tensor1, tensor2), a._data.dtype
    return _broadcasting("addcdiv_", apply_inplace, E.AddcdivBackward0, a, operands, value, dtype)


M_ADDCDIV_INT = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes."
)


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
