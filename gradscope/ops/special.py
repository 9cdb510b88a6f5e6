"""Special functions: erfc, erfinv, the gamma family (lgamma, digamma, polygamma,
mvlgamma), the modified Bessel functions I0 and I1 and the normal distribution's
functions, with torch's nodes, saved tensors, gradients and errors.

The values come from ``_specfun`` (float64 series and recurrences on the CPU,
``cupyx.scipy.special`` on CUDA). Each node's ``backward_graph`` writes torch's formula
in tensor ops, so a second derivative records torch's nodes (lgamma's gradient is a
``DigammaBackward0``, digamma's a ``PolygammaBackward0``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function, apply, apply_inplace
from ..backend import fp_quiet, xp_of
from ..errors import refuse_kernel, scalar_type_name
from . import _specfun as K
from . import api
from . import elementwise as E
from ._graph import constant

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)
_SQRT_2PI = math.sqrt(2 * math.pi)


def _const(a, value):
    """``value`` as a 0-dim array of ``a``'s dtype (a Python float would promote float32)."""
    return xp_of(a).asarray(value, dtype=a.dtype)


# torch's formulas multiply by C++ numbers, which record the ``...Backward1`` nodes
def _mul1(t, c):
    return apply(E.MulBackward1, (t,), c)


def _div1(t, c):
    return apply(E.DivBackward1, (t,), c)


def _add1(t, c):
    return apply(E.AddBackward1, (t,), c)


class SubBackward1(E.AddBackward1):
    """A tensor minus a number held as a number."""

    _name = "SubBackward1"

    def forward(self, a, other):
        return a - other


class _Unary(Function):
    """A function of one tensor that saves its input, ``self``, and whose derivative is
    ``d(x)``: ``backward`` is ``g * d(x)``, ``jvp`` ``t * d(x)``."""

    def forward(self, a):
        self.save(self=a)
        return self.kernel(a)

    def backward(self, g):
        return (g * self.d(self.saved("self")),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self.d(xs[0])


# ---------------------------------------------------------------- erfc, erfinv


class ErfcBackward0(_Unary):
    _name = "ErfcBackward0"
    kernel = staticmethod(K.erfc)

    @staticmethod
    def d(a):
        return _const(a, -_TWO_OVER_SQRT_PI) * xp_of(a).exp(-(a * a))

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        return (_mul1((-(a**2)).exp(), -_TWO_OVER_SQRT_PI) * g,)


class ErfinvBackward0(_Unary):
    """``erfinv``; its derivative, ``sqrt(pi)/2 exp(erfinv(x)**2)``, takes erfinv again
    (torch saves only ``self``)."""

    _name = "ErfinvBackward0"
    kernel = staticmethod(K.erfinv)

    @staticmethod
    def d(a):
        y = K.erfinv(a)
        return _const(a, _HALF_SQRT_PI) * xp_of(a).exp(y * y)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        return (_mul1(apply(ErfinvBackward0, (a,)).pow(2).exp(), _HALF_SQRT_PI) * g,)


# ---------------------------------------------------------------- the gamma family


class LgammaBackward0(_Unary):
    _name = "LgammaBackward0"
    kernel = staticmethod(K.lgamma)
    d = staticmethod(K.digamma)

    def backward_graph(self, g):
        return (g * apply(DigammaBackward0, (self.saved_tensor("self"),)),)


class DigammaBackward0(_Unary):
    _name = "DigammaBackward0"
    kernel = staticmethod(K.digamma)

    @staticmethod
    def d(a):
        return K.polygamma(1, a)

    def backward_graph(self, g):
        return (g * apply(PolygammaBackward0, (self.saved_tensor("self"),), 1),)


class PolygammaBackward0(Function):
    """``polygamma(n, x)``, the n-th derivative of digamma; saves ``self`` and ``n``."""

    _name = "PolygammaBackward0"

    def forward(self, a, n):
        self.save(self=a)
        self.__dict__["n"] = n  # torch's ``_saved_n``
        return K.polygamma(n, a)

    def backward(self, g):
        return (g * K.polygamma(self.n + 1, self.saved("self")),)

    def backward_graph(self, g):
        return (g * apply(PolygammaBackward0, (self.saved_tensor("self"),), self.n + 1),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * K.polygamma(self.n + 1, xs[0])


class PolygammaBackward1(PolygammaBackward0):
    """``polygamma_`` in place (torch's node for it)."""

    _name = "PolygammaBackward1"


def _mvlgamma_args(a, p: int):
    """torch's ``arange(-p/2 + 1/2, 1/2, 1/2)``: ``-(p-1)/2, ..., -1/2, 0``."""
    return xp_of(a).arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=a.dtype)


class MvlgammaBackward0(Function):
    """The multivariate log-gamma ``sum_j lgamma(x - j/2) + p (p-1)/4 log(pi)``; saves
    ``self`` and ``p``."""

    _name = "MvlgammaBackward0"

    def forward(self, a, p):
        self.save(self=a)
        self.__dict__["p"] = p  # torch's ``_saved_p``
        terms = K.lgamma(a[..., None] + _mvlgamma_args(a, p)).sum(-1)
        return (terms + _const(a, p * (p - 1) * math.log(math.pi) * 0.25)).astype(a.dtype)

    def _d(self, a):
        return K.digamma(a[..., None] + _mvlgamma_args(a, self.p)).sum(-1)

    def backward(self, g):
        return (g * self._d(self.saved("self")),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        args = constant(_mvlgamma_args(a._data, self.p)) + a.unsqueeze(-1)
        return (g * apply(DigammaBackward0, (args,)).sum(-1),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self._d(xs[0])


# ---------------------------------------------------------------- Bessel I0, I1


class I0Backward0(_Unary):
    _name = "I0Backward0"
    kernel = staticmethod(K.i0)
    d = staticmethod(K.i1)

    def backward_graph(self, g):
        return (g * apply(SpecialI1Backward0, (self.saved_tensor("self"),)),)


class _SavesResult(Function):
    """A function of one tensor that saves ``self`` and ``result``; ``d(x, y)``."""

    saves_output = "result"

    def forward(self, a):
        self.save(self=a)
        return self.kernel(a)

    def backward(self, g):
        return (g * self.d(self.saved("self"), self.saved("result")),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self.d(xs[0], out)


class SpecialI0EBackward0(_SavesResult):
    _name = "SpecialI0EBackward0"
    kernel = staticmethod(K.i0e)

    @staticmethod
    def d(a, y):
        return K.i1e(a) - xp_of(a).sign(a) * y

    def backward_graph(self, g):
        a, y = self.saved_tensor("self"), self.saved_tensor("result")
        return (g * (apply(SpecialI1EBackward0, (a,)) - a.sgn() * y),)


def _not_tiny(a):
    return xp_of(a).abs(a) > np.finfo(a.dtype).eps


def _safe(a):
    """torch's ``where(|x| > eps, x, eps)``, as a tensor and its mask."""
    mask = constant(_not_tiny(a._data))
    return api.where(mask, a, float(np.finfo(a._data.dtype).eps)), mask


class SpecialI1Backward0(_SavesResult):
    """``I1``; its derivative ``I0(x) - I1(x)/x`` is 1/2 at 0 (torch: where ``|x|`` is
    below the dtype's epsilon)."""

    _name = "SpecialI1Backward0"
    kernel = staticmethod(K.i1)

    @staticmethod
    def d(a, y):
        xp = xp_of(a)
        safe = xp.where(_not_tiny(a), a, np.finfo(a.dtype).eps).astype(a.dtype)
        return xp.where(_not_tiny(a), K.i0(safe) - y / safe, 0.5).astype(a.dtype)

    def backward_graph(self, g):
        a, y = self.saved_tensor("self"), self.saved_tensor("result")
        safe, mask = _safe(a)
        gradx = apply(I0Backward0, (safe,)) - y * safe.reciprocal()
        return (g * api.where(mask, gradx, 0.5),)


class SpecialI1EBackward0(_SavesResult):
    _name = "SpecialI1EBackward0"
    kernel = staticmethod(K.i1e)

    @staticmethod
    def d(a, y):
        xp = xp_of(a)
        safe = xp.where(_not_tiny(a), a, np.finfo(a.dtype).eps).astype(a.dtype)
        gradx = K.i0e(safe) - y * (xp.sign(safe) + 1 / safe)
        return xp.where(_not_tiny(a), gradx, 0.5).astype(a.dtype)

    def backward_graph(self, g):
        a, y = self.saved_tensor("self"), self.saved_tensor("result")
        safe, mask = _safe(a)
        gradx = apply(SpecialI0EBackward0, (safe,)) - y * (safe.sgn() + safe.reciprocal())
        return (g * api.where(mask, gradx, 0.5),)


# ---------------------------------------------------------------- normal distribution


class SpecialNdtriBackward0(Function):
    """The inverse of the normal CDF; saves only its result: the derivative is
    ``sqrt(2 pi) exp(y**2 / 2)``."""

    _name = "SpecialNdtriBackward0"
    saves_output = "result"

    def forward(self, a):
        return K.ndtri(a)

    def _d(self, y):
        return _const(y, _SQRT_2PI) * xp_of(y).exp(y * y / 2)

    def backward(self, g):
        return (g * self._d(self.saved("result")),)

    def backward_graph(self, g):
        return (_mul1(g, _SQRT_2PI) * _div1(self.saved_tensor("result").square(), 2).exp(),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self._d(out)


class SpecialLogNdtrBackward0(_SavesResult):
    _name = "SpecialLogNdtrBackward0"
    kernel = staticmethod(K.log_ndtr)

    @staticmethod
    def d(a, y):
        return xp_of(a).exp(-(y + a * a / 2)) / _const(a, _SQRT_2PI)

    def backward(self, g):
        a, y = self.saved("self"), self.saved("result")
        return (g / _const(a, _SQRT_2PI) * xp_of(a).exp(-(y + a * a / 2)),)

    def backward_graph(self, g):
        a, y = self.saved_tensor("self"), self.saved_tensor("result")
        return (_div1(g, _SQRT_2PI) * (y + _div1(a.pow(2), 2)).neg().exp(),)


class SpecialErfcxBackward0(_SavesResult):
    _name = "SpecialErfcxBackward0"
    kernel = staticmethod(K.erfcx)

    @staticmethod
    def d(a, y):
        return 2 * a * y - _const(a, _TWO_OVER_SQRT_PI)

    def backward_graph(self, g):
        a, y = self.saved_tensor("self"), self.saved_tensor("result")
        return (apply(SubBackward1, (_mul1(a, 2.0) * y,), _TWO_OVER_SQRT_PI) * g,)


def _entr(a):
    xp = xp_of(a)
    with fp_quiet():
        out = -a * xp.log(a)
    out = xp.where(a == 0, 0, out)
    return xp.where(a < 0, -np.inf, out).astype(a.dtype)


class SpecialEntrBackward0(_Unary):
    """``-x log(x)``: 0 at 0, -inf below; the derivative ``-(1 + log(x))``."""

    _name = "SpecialEntrBackward0"
    kernel = staticmethod(_entr)

    @staticmethod
    def d(a):
        return -(1 + xp_of(a).log(a))

    def backward_graph(self, g):
        return (g * -_add1(self.saved_tensor("self").log(), 1),)


# ---------------------------------------------------------------- the functions


def _one(cls, a):
    return apply(cls, (api._floating(a),))


def erfc(input):  # noqa: A002
    """``1 - erf(x)``, accurate where erf is near 1."""
    return _one(ErfcBackward0, input)


def erfinv(input):  # noqa: A002
    """The inverse of ``erf``: +-inf at +-1, NaN outside ``[-1, 1]``."""
    return _one(ErfinvBackward0, input)


def lgamma(input):  # noqa: A002
    """``log |Gamma(x)|``; inf at 0 and the negative integers."""
    return _one(LgammaBackward0, input)


def digamma(input):  # noqa: A002
    """``d/dx lgamma(x)``: -inf at 0, inf at -0, NaN at the negative integers."""
    return _one(DigammaBackward0, input)


def _polygamma_order(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(
            f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}"
        )
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n, input):  # noqa: A002
    """The ``n``-th derivative of digamma (``n = 0`` is digamma)."""
    return apply(PolygammaBackward0, (api._floating(input),), _polygamma_order(n))


def _mvlgamma_check(a, p) -> int:
    if a._data.dtype == np.bool_:
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return int(p)


def mvlgamma(input, p):  # noqa: A002
    """The multivariate log-gamma function of dimension ``p``."""
    p = _mvlgamma_check(input, p)
    return apply(MvlgammaBackward0, (api._floating(input),), p)


def i0(input):  # noqa: A002
    """The modified Bessel function of the first kind, order 0."""
    return _one(I0Backward0, input)


def i0e(input):  # noqa: A002
    """``exp(-|x|) I0(x)``."""
    return _one(SpecialI0EBackward0, input)


def i1(input):  # noqa: A002
    """The modified Bessel function of the first kind, order 1."""
    return _one(SpecialI1Backward0, input)


def i1e(input):  # noqa: A002
    """``exp(-|x|) I1(x)``."""
    return _one(SpecialI1EBackward0, input)


def ndtr(input):  # noqa: A002
    """The standard normal CDF, as torch composes it: ``(1 + erf(x / sqrt 2)) * 0.5``."""
    x = api._floating(input)
    return _mul1(_add1(api.erf(_mul1(x, math.sqrt(0.5))), 1), 0.5)


def ndtri(input):  # noqa: A002
    """The inverse of the standard normal CDF."""
    return _one(SpecialNdtriBackward0, input)


def log_ndtr(input):  # noqa: A002
    """``log`` of the standard normal CDF, accurate far into the lower tail."""
    return _one(SpecialLogNdtrBackward0, input)


def erfcx(input):  # noqa: A002
    """``exp(x**2) erfc(x)``, the scaled complementary error function."""
    a = api._floating(input)
    if a._data.dtype == np.float16:
        refuse_kernel("erfcx_cpu", a._data.dtype)
    return apply(SpecialErfcxBackward0, (a,))


def entr(input):  # noqa: A002
    """``-x log(x)`` elementwise (0 at 0, -inf below 0)."""
    return _one(SpecialEntrBackward0, input)


# in place, where torch has them: a float result does not go into an integer tensor
erfc_ = api._unary_(ErfcBackward0, floating=True)
erfinv_ = api._unary_(ErfinvBackward0, floating=True)
lgamma_ = api._unary_(LgammaBackward0, floating=True)
digamma_ = api._unary_(DigammaBackward0, floating=True)
i0_ = api._unary_(I0Backward0, floating=True)


def _refuse_int_inplace(a) -> None:
    dtype = a._data.dtype
    if dtype.kind in "iub":
        raise RuntimeError(
            f"result type {scalar_type_name(dtypes.default_float.np)} can't be cast to "
            f"the desired output type {scalar_type_name(dtype)}"
        )


def _refuse_int_mvlgamma_(a) -> None:
    """torch's own check in ``mvlgamma_``, which names the two types the other way round."""
    dtype = a._data.dtype
    if dtype.kind in "iu":
        raise RuntimeError(
            f"mvlgamma: result type {scalar_type_name(dtype)} can't be cast to the desired "
            f"output type {scalar_type_name(dtypes.default_float.np)}"
        )


def polygamma_(a, n):
    """``polygamma(n, a)`` written into ``a`` (the method ``a.polygamma_(n)``)."""
    n = _polygamma_order(n)
    _refuse_int_inplace(a)
    return apply_inplace(PolygammaBackward1, a, (a,), n)


def mvlgamma_(a, p):
    """``mvlgamma(a, p)`` written into ``a``."""
    p = _mvlgamma_check(a, p)
    _refuse_int_mvlgamma_(a)
    return apply_inplace(MvlgammaBackward0, a, (a,), p)


def polygamma_method(a, n):
    """``a.polygamma(n)``: the tensor first, as a method."""
    return polygamma(n, a)
