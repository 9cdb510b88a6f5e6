"""The in-place ops: ``add_``, ``mul_``, ``exp_``, ``clamp_``, ``copy_``, ``fill_`` ..."""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.function import apply_inplace
from ...errors import cpp_type_name, refuse_complex_input, scalar_type_name, shape_str
from .. import activation as A
from .. import elementwise as E
from .. import shape as S
from ._common import (
    _broadcast_error,
    _check_tensor_arg,
    _fits_in_place,
    _integral_operands,
    _promoted,
    as_tensor_like,
)
from .arithmetic import (
    _TRUE_DIVISION,
    _alpha,
    _alpha_number,
    _check_bool_sub,
    _division_dtype,
    _result_dtype,
    _rounding,
    neg,
)
from .comparison import (
    _check_bool_bounds,
    _checked_bounds,
    _clamp_by_tensors,
    _clamp_side,
    _float_bounds_on_integers,
    _refuse_mixed_bounds,
)
from .diagonals import _triangle
from .pointwise import _decimals

Tensor = None  # set by gradscope.tensor


def _binary_(cls, op: str, a, b, *extra, dtype_of=_promoted):
    """``a op= b``: ``apply_inplace``, computed in the dtype torch gives ``a op b`` (which
    must cast back to ``a``'s), with torch's error for shapes that do not broadcast."""
    b = as_tensor_like(b, a, op, 1)
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
    if alpha != 1 or type(alpha) is not int:
        alpha = _alpha_number("add_", alpha)
        alpha = _alpha(a, as_tensor_like(b, a, "add_", 1), alpha, in_place=True)
    return _binary_(E.AddBackward0, "add_", a, b, alpha)


def sub_(a, b, *, alpha=1):
    if alpha != 1 or type(alpha) is not int:
        _alpha_number("sub_", alpha)
    _check_bool_sub(a, b)
    if alpha != 1 or type(alpha) is not int:
        alpha = _alpha(a, as_tensor_like(b, a, "sub_", 1), alpha, in_place=True)
    return _binary_(E.SubBackward0, "sub_", a, b, alpha)


def mul_(a, b):
    return _binary_(E.MulBackward0, "mul_", a, b)


def div_(a, b, *, rounding_mode: str | None = _TRUE_DIVISION):
    if rounding_mode is _TRUE_DIVISION:
        return _binary_(E.DivBackward0, "div_", a, b, dtype_of=_division_dtype)
    mode = _rounding(rounding_mode)
    b = as_tensor_like(b, a, "div_", 1)
    dtype = _division_dtype(a, b) if mode is None else _result_dtype(a, b)
    _fits_in_place("div_", a, b, dtype)
    return apply_inplace(E.DivBackward2, a, (a, b), mode, dtype)


def remainder_(a, b):
    return _rounded_remainder_(E.RemainderBackward1, E.RemainderBackward0, "remainder_", a, b)


def fmod_(a, b):
    return _rounded_remainder_(E.FmodBackward1, E.FmodBackward0, "fmod_", a, b)


def _rounded_remainder_(by_tensor, by_number, op: str, a, b):
    b = as_tensor_like(b, a, op, 1)
    dtype = _result_dtype(a, b)
    _fits_in_place(op, a, b, dtype)
    if type(b) is Tensor:
        return apply_inplace(by_tensor, a, (a, b), dtype)
    return apply_inplace(by_number, a, (a,), b, dtype)


def floor_divide_(a, b):
    b = as_tensor_like(b, a, "floor_divide_", 1)
    dtype = _result_dtype(a, b)
    _fits_in_place("floor_divide_", a, b, dtype)
    out = E.div_floor(a._data, b._data if type(b) is Tensor else b, dtype)
    inputs = (a, b) if type(b) is Tensor and b._rg else (a,)
    return apply_inplace(E.NotImplementedBackward, a, inputs, "floor_divide_", out)


def pow_(a, exponent):
    exponent = as_tensor_like(exponent, a, "pow_", 1)
    if type(exponent) is Tensor:
        _fits_in_place("pow_", a, exponent, _result_dtype(a, exponent))
        return _binary_(E.PowBackward1, "pow_", a, exponent)
    return apply_inplace(E.PowBackward0, a, (a,), exponent)


def _unary_(cls, floating: bool = False, real: bool = False):
    """Op ``cls`` in place, as a function of the tensor; a ``floating`` op's float result
    does not cast back into an integer or bool tensor, and a ``real`` one's does not
    replace a complex tensor's, which torch refuses."""

    def op(a):
        if real:
            refuse_complex_input(op.__name__, a)
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
    _refuse_mixed_bounds("clamp_", min, max)
    if _float_bounds_on_integers(a, min, max):
        raise RuntimeError(  # torch names the type as C++ does, here
            f"result type {scalar_type_name(dtypes.default_float.np)} can't be cast to the "
            f"desired output type {cpp_type_name(a._data.dtype)}"
        )
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if type(min) is Tensor or type(max) is Tensor:
        return _clamp_by_tensors(apply_inplace, a, min, max)
    if a._data.dtype.kind == "b" and complex not in (type(min), type(max)):
        _check_bool_bounds(min, max)
        raise RuntimeError("result type Long can't be cast to the desired output type bool")
    min, max = _checked_bounds(a, min, max, in_place=True)
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
        from ...creation import tensor

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
    from ... import creation

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
    from ... import creation

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


abs_ = _unary_(E.AbsBackward0, real=True)


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
