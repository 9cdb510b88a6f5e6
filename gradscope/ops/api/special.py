"""Two-operand and other pointwise math: ``hypot``, ``logaddexp``, ``xlogy``, ``sinc`` ..."""

from __future__ import annotations

import builtins

import numpy as np

from ... import dtypes
from ...autograd.function import apply, apply_inplace
from ...errors import refuse_kernel, scalar_type_name
from .. import elementwise as E
from ._common import (
    _broadcast_error,
    _check_device,
    _check_tensor_arg,
    _fits_in_place,
    _promoted,
    as_tensor_like,
)
from .arithmetic import _division_dtype, _result_dtype, _without_derivative, pow
from .in_place import _binary_, _unary_, pow_
from .pointwise import _floating

Tensor = None  # set by gradscope.tensor


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
    other = as_tensor_like(other, input, "xlogy")
    if type(other) is not Tensor:
        return apply(E.XlogyBackward2, (input,), other, _division_dtype(input, other))
    _check_device(input, other)
    dtype = _division_dtype(input, other)
    return _applied("xlogy", E.XlogyBackward0, input, other, (input, other), dtype)


def xlogy_(a, other):
    """``xlogy`` written into ``a``."""
    other = as_tensor_like(other, a, "xlogy_", 1)
    dtype = _division_dtype(a, other)
    _fits_in_place("xlogy_", a, other, dtype if dtype is not None else a._data.dtype)
    if type(other) is Tensor:
        return apply_inplace(E.XlogyBackward0, a, (a, other), dtype)
    return apply_inplace(E.XlogyBackward2, a, (a,), other, dtype)


def copysign(input, other):  # noqa: A002
    """``|input|`` with the sign of ``other`` (a tensor or a number), elementwise."""
    other = as_tensor_like(other, input, "copysign")
    dtype = _division_dtype(input, other)
    if type(other) is not Tensor:
        return apply(E.CopysignBackward1, (input,), other, dtype)
    _check_device(input, other)
    return _applied("copysign", E.CopysignBackward0, input, other, (input, other), dtype)


def copysign_(a, other):
    """``copysign`` written into ``a``."""
    other = as_tensor_like(other, a, "copysign_", 1)
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
    """``v`` in float64 (complex128 if complex), as ``float_power`` takes its operands (a
    number as a float or a complex number)."""
    if type(v) is Tensor:
        want = dtypes.complex128 if v._data.dtype.kind == "c" else dtypes.float64
        return v if v._data.dtype == want.np else v.to(want)
    return v if type(v) is complex else builtins.float(v)


def float_power(input, exponent):  # noqa: A002
    """``input ** exponent`` in float64, whatever the operands' dtypes."""
    return pow(
        _double(input), _double(as_tensor_like(exponent, input, "float_power", name="exponent"))
    )


def float_power_(a, exponent):
    """``float_power`` written into ``a``, which must be float64."""
    if a._data.dtype != np.float64:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {scalar_type_name(a._data.dtype)} but "
            "the operation's result requires dtype Double"
        )
    return pow_(a, _double(as_tensor_like(exponent, a, "float_power_", 1, "exponent")))


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
