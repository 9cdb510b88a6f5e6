"""Pointwise math of one tensor: ``exp``, ``log``, ``sin``, rounding, ``abs``, ``isnan`` ..."""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.function import apply, apply_inplace
from ...autograd.grad_mode import state
from ...backend import xp_of
from ...errors import refuse_complex_grad, scalar_type_name
from .. import activation as A
from .. import elementwise as E
from ._common import _broadcast_error, _check_tensor_arg

Tensor = None  # set by gradscope.tensor


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


def angle(a):
    """The angle of each element, in radians: of a real number, pi below 0 and 0 elsewhere."""
    return apply(E.AngleBackward0, (a,))


def complex(real, imag):  # noqa: A001 - torch's name
    """The complex tensor ``real + imag * 1j`` (float32 parts make complex64, float64 ones
    complex128; the two broadcast)."""
    _complex_parts("complex", "real", "imag", real, imag)
    return apply(E.ComplexBackward0, (real, imag))


def polar(abs, angle):  # noqa: A002 - torch's names
    """The complex tensor of absolute values ``abs`` and angles ``angle`` (radians)."""
    _complex_parts("polar", "abs", "angle", abs, angle)
    return apply(E.PolarBackward0, (abs, angle))


def _complex_parts(fn: str, first: str, second: str, a, b) -> None:
    """torch's checks of the two real tensors that ``complex`` and ``polar`` combine."""
    _check_tensor_arg(fn, first, 1, a)
    _check_tensor_arg(fn, second, 2, b)
    da, db = a._data.dtype, b._data.dtype
    if da.kind != "f" or db.kind != "f":
        raise RuntimeError(
            "Expected both inputs to be Half, Float or Double tensors but got "
            f"{scalar_type_name(da)} and {scalar_type_name(db)}"
        )
    if da != db:
        raise RuntimeError(
            f"Expected object of scalar type {scalar_type_name(da)} but got scalar type "
            f"{scalar_type_name(db)} for second argument"
        )
    if da.itemsize < 4:
        raise NotImplementedError(f"{fn}(): gradscope has no complex32 (float16 parts)")
    try:
        np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise _broadcast_error(fn, a, b) from None


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


def log1p(a):
    return apply(E.Log1PBackward0, (_floating(a),))


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


def nan_to_num(
    a, nan: float | None = 0.0, posinf: float | None = None, neginf: float | None = None
):
    """``a`` with NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest
    finite values unless given)."""
    refuse_complex_grad("nan_to_num", a._data, state.enabled and a.requires_grad)
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
