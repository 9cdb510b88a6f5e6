"""The rest of ``torch.special``: ``xlog1py``, the Hurwitz ``zeta``, the regularized
incomplete gamma functions, the Bessel and Airy functions and the classical orthogonal
polynomials.

As in torch: ``xlog1py`` has derivatives both ways (``SpecialXlog1PyBackward0/1/2``);
``zeta`` (``SpecialZetaBackward0/1/2``), ``gammainc`` (``IgammaBackward0``) and
``gammaincc`` (``IgammacBackward0``) have one for their second argument only (backward
for the first raises torch's "the derivative for ... is not implemented.", and forward
mode refuses them); the Bessel and Airy functions and the polynomials give results that
never require grad (no node, whatever the inputs).

The values come from ``_cephes`` (torch's approximations, in float64 on NumPy).

    >>> gs.special.zeta(gs.tensor([2.0]), 1.0)   # pi**2 / 6
    tensor([1.6449])
"""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function, apply, apply_inplace
from ..backend import fp_quiet, xp_of
from ..errors import py_type_name, refuse_forward_ad, refuse_kernel
from ..tensor import Tensor
from . import _cephes as C
from . import _specfun as K
from .api import _broadcast_error, _check_device, _check_tensor_arg, as_tensor_like
from .api._common import _fits_in_place
from .api.arithmetic import _division_dtype
from .api.arithmetic import _result_dtype as _promoted_dtype
from .api.special import _applied
from .elementwise import (
    XlogyBackward0,
    XlogyBackward1,
    XlogyBackward2,
    _sum_to_as,
    _unbroadcast_to,
    cast_like,
    cast_to,
)

# ---------------------------------------------------------------- xlog1py


def _log1p_of(y, xp):
    if hasattr(y, "dtype"):
        return xp.log1p(y)
    return math.log1p(y) if y > -1 else (-math.inf if y == -1 else math.nan)


def xlog1py_kernel(x, y):
    """``x * log1p(y)``, 0 where ``x`` is 0 unless ``y`` is NaN (torch's kernel)."""
    xp = xp_of(y if hasattr(y, "dtype") else x)
    with fp_quiet():
        out = x * _log1p_of(y, xp)
        y_nan = xp.isnan(y) if hasattr(y, "dtype") else math.isnan(y)
        return xp.where((x == 0) & ~y_nan, out.dtype.type(0), out)


class _Xlog1py:
    """``xlogy``'s nodes with ``b + 1`` for ``b``: torch's xlog1py nodes differ from
    xlogy's in their kernel alone."""

    shift = 1
    kernel = staticmethod(xlog1py_kernel)

    def tensor_op(self, x, y):
        return xlog1py(x, y)


class SpecialXlog1PyBackward0(_Xlog1py, XlogyBackward0):
    """``xlog1py(a, b)`` of two tensors; saves both."""

    _name = "SpecialXlog1PyBackward0"


class SpecialXlog1PyBackward1(_Xlog1py, XlogyBackward1):
    """``xlog1py(number, b)``: saves ``b``; its gradient is ``self / (b + 1)``."""

    _name = "SpecialXlog1PyBackward1"


class SpecialXlog1PyBackward2(_Xlog1py, XlogyBackward2):
    """``xlog1py(a, number)``: saves ``a``; its gradient is ``log1p(number)``, 0 where
    ``a`` is 0 unless the number is above -1."""

    _name = "SpecialXlog1PyBackward2"


# ---------------------------------------------------------------- zeta, gammainc, gammaincc


def _result_dtype(a, b, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    da, db = getattr(a, "dtype", None), getattr(b, "dtype", None)
    return da if db is None else db if da is None else np.result_type(da, db)


class _SecondOnly(Function):
    """A function of two tensors with a derivative for the second alone (``kernel``):
    saves both only where the second requires grad, as torch does; backward for the
    first raises ``NotImplementedError``, and forward mode refuses."""

    op = ""  # the name in the backward error
    fwd_op = ""  # the name in the forward-mode error

    def forward(self, a, b, dtype=None):
        if self.needs_input_grad[1]:
            self.save(self=a, other=b)
        else:  # torch's ``_saved_self`` and ``_saved_other`` are then None
            self.__dict__.update({"self": None, "other": None})
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        return type(self).kernel(a, b, dtype=_result_dtype(a, b, dtype))

    def _refuse(self):
        raise NotImplementedError(f"the derivative for '{self.op}' is not implemented.")

    def backward(self, g):
        if self.needs_input_grad[0]:
            self._refuse()
        a, b = self.saved("self"), self.saved("other")
        with fp_quiet():
            gb = g * self.factor(a, b)
        return None, _unbroadcast_to(gb, self.shapes[1], self.dtypes[1])

    def backward_graph(self, g):
        if self.needs_input_grad[0]:
            self._refuse()
        a, b = self.saved_tensor("self"), self.saved_tensor("other")
        return None, _sum_to_as(self.factor_graph(g, a, b), self.shapes[1], self.dtypes[1])

    def jvp(self, xs, out, tangents):
        refuse_forward_ad(self.fwd_op)


class SpecialZetaBackward0(_SecondOnly):
    """``zeta(x, q)``: ``q``'s gradient is ``-x zeta(x + 1, q)``."""

    _name, op, fwd_op = "SpecialZetaBackward0", "zeta", "special_zeta"
    kernel = staticmethod(C.zeta)

    @staticmethod
    def factor(a, b):
        return -a * C.zeta(a + 1, b, dtype=np.result_type(a.dtype, b.dtype))

    @staticmethod
    def factor_graph(g, a, b):
        return g * -a * zeta(a + 1.0, b)


def _igamma_factor(a, x):
    """``x**(a-1) exp(-x) / Gamma(a)``, as torch writes it: ``exp((a - 1) log(x) - x -
    lgamma(a))``."""
    xp = xp_of(x)
    dtype = np.result_type(a.dtype, x.dtype)
    return xp.exp((a - 1) * xp.log(x) - x - K.lgamma(a.astype(dtype, copy=False)))


def _igamma_factor_graph(a, x):
    return ((a - 1) * x.log() - x - a.lgamma()).exp()


class IgammaBackward0(_SecondOnly):
    """``gammainc(a, x)``: ``x``'s gradient is ``x**(a-1) exp(-x) / Gamma(a)``."""

    _name, op, fwd_op = "IgammaBackward0", "igamma: input", "igamma"
    kernel = staticmethod(C.gammainc)
    factor = staticmethod(_igamma_factor)

    @staticmethod
    def factor_graph(g, a, b):
        return g * _igamma_factor_graph(a, b)


class IgammacBackward0(_SecondOnly):
    """``gammaincc(a, x)``: ``x``'s gradient is minus ``gammainc``'s."""

    _name, op, fwd_op = "IgammacBackward0", "igammac: input", "igammac"
    kernel = staticmethod(C.gammaincc)

    @staticmethod
    def factor(a, b):
        return -_igamma_factor(a, b)

    @staticmethod
    def factor_graph(g, a, b):
        return -g * _igamma_factor_graph(a, b)


class SpecialZetaBackward1(Function):
    """``zeta(number, q)``: saves ``q`` (and the number)."""

    _name = "SpecialZetaBackward1"

    def forward(self, b, x, dtype=None):
        self.save(other=b)
        self.__dict__["self"] = x  # torch's ``_saved_self``: the number
        self.dtype = b.dtype
        return C.zeta(float(x), b, dtype=b.dtype if dtype is None else dtype)

    def _factor(self, b):
        x = self.__dict__["self"]
        return -x * C.zeta(x + 1.0, b, dtype=b.dtype)

    def backward(self, g):
        with fp_quiet():
            return (cast_like(g * self._factor(self.saved("other")), self.dtype),)

    def backward_graph(self, g):
        x = self.__dict__["self"]
        return (cast_to(g * -x * zeta(x + 1.0, self.saved_tensor("other")), self.dtype),)

    def jvp(self, xs, out, tangents):
        refuse_forward_ad("special_zeta")


class SpecialZetaBackward2(Function):
    """``zeta(x, number)``: saves nothing; backward for ``x`` raises."""

    _name = "SpecialZetaBackward2"

    def forward(self, a, q, dtype=None):
        return C.zeta(a, float(q), dtype=a.dtype if dtype is None else dtype)

    def backward(self, g):
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")

    backward_graph = backward

    def jvp(self, xs, out, tangents):
        refuse_forward_ad("special_zeta")


# ---------------------------------------------------------------- the functions


def _overloads(op: str, first: str, second: str) -> str:
    return (
        f" * (Tensor {first}, Tensor {second}, *, Tensor out = None)\n"
        f" * (Number {'self' if first == 'input' else first}, Tensor {second}, *, Tensor out = None)\n"
        f" * (Tensor {first}, Number {second}, *, Tensor out = None)\n"
    )


def _two_numbers(op: str, a, b, first: str, second: str) -> TypeError:
    return TypeError(
        f"special_{op}() received an invalid combination of arguments - got "
        f"({py_type_name(a)}, {py_type_name(b)}), but expected one of:\n"
        + _overloads(op, first, second)
    )


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, complex)


def _floating_pair(op: str, input, other, first: str, second: str, half: bool):  # noqa: A002
    """The operands of a two-operand special function (a tensor and a tensor or a number,
    either way round), and the result's dtype (integers give the default float)."""
    input = as_tensor_like(input, other) if type(other) is Tensor else input  # noqa: A001
    other = as_tensor_like(other, input) if type(input) is Tensor else other
    if type(input) is not Tensor and type(other) is not Tensor:
        raise _two_numbers(op, input, other, first, second)
    if type(input) is Tensor and type(other) is Tensor:
        _check_device(input, other)
        dtype = _division_dtype(input, other)
        result = (
            dtype if dtype is not None else np.result_type(input._data.dtype, other._data.dtype)
        )
    elif type(input) is Tensor:
        dtype = _division_dtype(input, other)
        result = dtype if dtype is not None else input._data.dtype
    else:
        dtype = _division_dtype(other, input)
        result = dtype if dtype is not None else other._data.dtype
    if result.kind == "c" or (result == np.float16 and not half):
        refuse_kernel(f"{op}_cpu", result)
    return input, other, dtype


def xlog1py(input, other):  # noqa: A002
    """``input * log1p(other)``, elementwise, 0 where ``input`` is 0 (unless ``other`` is
    NaN); either side may be a number."""
    a, b, dtype = _floating_pair("xlog1py", input, other, "input", "other", half=True)
    if type(a) is not Tensor:
        return apply(SpecialXlog1PyBackward1, (b,), a, dtype)
    if type(b) is not Tensor:
        return apply(SpecialXlog1PyBackward2, (a,), b, dtype)
    return _applied("xlog1py", SpecialXlog1PyBackward0, a, b, (a, b), dtype)


def zeta(input, other):  # noqa: A002
    """The Hurwitz zeta function ``sum_k (other + k)**-input``; either side may be a
    number. Only ``other`` has a derivative."""
    a, b, dtype = _floating_pair("zeta", input, other, "input", "other", half=False)
    if type(a) is not Tensor:
        return apply(SpecialZetaBackward1, (b,), float(a), dtype)
    if type(b) is not Tensor:
        return apply(SpecialZetaBackward2, (a,), float(b), dtype)
    return _applied("zeta", SpecialZetaBackward0, a, b, (a, b), dtype)


def _igamma(op: str, cls, input, other):  # noqa: A002
    _check_tensor_arg(op, "input", 1, input)
    _check_tensor_arg(op, "other", 2, other)
    _check_device(input, other)
    dtype = _igamma_dtype(cls, input, other)
    dtype = None if dtype == input._data.dtype == other._data.dtype else dtype
    return _applied(op, cls, input, other, (input, other), dtype)


def _igamma_dtype(cls, input, other):  # noqa: A002
    dtype = _promoted_dtype(input, other)
    if dtype.kind in "iubc":
        refuse_kernel("igamma_cpu" if cls is IgammaBackward0 else "igammac_cpu", dtype)
    return dtype


def gammainc(input, other):  # noqa: A002
    """The regularized lower incomplete gamma function ``P(input, other)``; only
    ``other`` has a derivative."""
    return _igamma("special_gammainc", IgammaBackward0, input, other)


def gammaincc(input, other):  # noqa: A002
    """The regularized upper incomplete gamma function ``Q(input, other) = 1 - P``; only
    ``other`` has a derivative."""
    return _igamma("special_gammaincc", IgammacBackward0, input, other)


def igamma(input, other):  # noqa: A002
    """``torch.igamma``: ``special.gammainc`` under its first name."""
    return _igamma("igamma", IgammaBackward0, input, other)


def igammac(input, other):  # noqa: A002
    """``torch.igammac``: ``special.gammaincc`` under its first name."""
    return _igamma("igammac", IgammacBackward0, input, other)


def _igamma_(op: str, cls, a, other):
    _check_tensor_arg(op, "other", 1, other)
    _check_device(a, other)
    dtype = _igamma_dtype(cls, a, other)
    _fits_in_place(op, a, other, dtype)
    return apply_inplace(cls, a, (a, other), None if dtype == a._data.dtype else dtype)


def igamma_(a, other):
    """``igamma`` written into ``a``."""
    return _igamma_("igamma_", IgammaBackward0, a, other)


def igammac_(a, other):
    """``igammac`` written into ``a``."""
    return _igamma_("igammac_", IgammacBackward0, a, other)


def _unary(name: str, kernel):
    """A one-tensor function whose result never requires grad."""
    op = f"special_{name}"

    def fn(input):  # noqa: A002
        _check_tensor_arg(op, "input", 1, input)
        dtype = input._data.dtype
        if dtype.kind in "iub":
            dtype = dtypes.default_float.np
        elif dtype.kind == "c" or dtype == np.float16:
            refuse_kernel(f"{name}_cpu", dtype)
        return Tensor._make(kernel(input._data, dtype=dtype), None)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = kernel.__doc__
    return fn


bessel_j0 = _unary("bessel_j0", C.bessel_j0)
bessel_j1 = _unary("bessel_j1", C.bessel_j1)
bessel_y0 = _unary("bessel_y0", C.bessel_y0)
bessel_y1 = _unary("bessel_y1", C.bessel_y1)
modified_bessel_i0 = _unary("modified_bessel_i0", C.modified_bessel_i0)
modified_bessel_i1 = _unary("modified_bessel_i1", C.modified_bessel_i1)
modified_bessel_k0 = _unary("modified_bessel_k0", C.modified_bessel_k0)
modified_bessel_k1 = _unary("modified_bessel_k1", C.modified_bessel_k1)
scaled_modified_bessel_k0 = _unary("scaled_modified_bessel_k0", C.scaled_modified_bessel_k0)
scaled_modified_bessel_k1 = _unary("scaled_modified_bessel_k1", C.scaled_modified_bessel_k1)
spherical_bessel_j0 = _unary("spherical_bessel_j0", C.spherical_bessel_j0)
airy_ai = _unary("airy_ai", C.airy_ai)


def _polynomial(name: str, kernel, doc: str):
    """A polynomial of ``(x, n)``, either a number (not both); its result never requires
    grad. ``n`` is truncated to an integer degree, in the result's dtype."""
    op = f"special_{name}"

    def fn(x, n):
        x = as_tensor_like(x, n) if type(n) is Tensor else x
        n = as_tensor_like(n, x) if type(x) is Tensor else n
        if type(x) is not Tensor and type(n) is not Tensor:
            raise TypeError(
                f"{op}() received an invalid combination of arguments - got "
                f"({py_type_name(x)}, {py_type_name(n)}), but expected one of:\n"
                " * (Tensor x, Tensor n, *, Tensor out = None)\n"
                " * (Number x, Tensor n, *, Tensor out = None)\n"
                " * (Tensor x, Number n, *, Tensor out = None)\n"
            )
        if type(x) is Tensor and type(n) is Tensor:
            _check_device(x, n)
            dtype = _division_dtype(x, n)
            dtype = dtype if dtype is not None else np.result_type(x._data.dtype, n._data.dtype)
            try:
                np.broadcast_shapes(x._data.shape, n._data.shape)
            except ValueError:
                raise _broadcast_error(op, x, n) from None
        else:
            t, number = (x, n) if type(x) is Tensor else (n, x)
            dtype = _division_dtype(t, number)
            dtype = dtype if dtype is not None else t._data.dtype
        dtype = np.dtype(dtype)
        if dtype.kind == "c" or dtype == np.float16:
            refuse_kernel(f"{name}_cpu", dtype)
        xs = x._data if type(x) is Tensor else x
        ns = n._data if type(n) is Tensor else n
        return Tensor._make(kernel(xs, ns, dtype), None)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


chebyshev_polynomial_t = _polynomial(
    "chebyshev_polynomial_t", C.chebyshev_polynomial_t, "Chebyshev's polynomial T_n(x)."
)
chebyshev_polynomial_u = _polynomial(
    "chebyshev_polynomial_u", C.chebyshev_polynomial_u, "Chebyshev's polynomial U_n(x)."
)
chebyshev_polynomial_v = _polynomial(
    "chebyshev_polynomial_v", C.chebyshev_polynomial_v, "Chebyshev's polynomial V_n(x)."
)
chebyshev_polynomial_w = _polynomial(
    "chebyshev_polynomial_w", C.chebyshev_polynomial_w, "Chebyshev's polynomial W_n(x)."
)
shifted_chebyshev_polynomial_t = _polynomial(
    "shifted_chebyshev_polynomial_t", C.shifted_chebyshev_polynomial_t, "T_n(2x - 1)."
)
shifted_chebyshev_polynomial_u = _polynomial(
    "shifted_chebyshev_polynomial_u", C.shifted_chebyshev_polynomial_u, "U_n(2x - 1)."
)
shifted_chebyshev_polynomial_v = _polynomial(
    "shifted_chebyshev_polynomial_v", C.shifted_chebyshev_polynomial_v, "V_n(2x - 1)."
)
shifted_chebyshev_polynomial_w = _polynomial(
    "shifted_chebyshev_polynomial_w", C.shifted_chebyshev_polynomial_w, "W_n(2x - 1)."
)
hermite_polynomial_h = _polynomial(
    "hermite_polynomial_h",
    C.hermite_polynomial_h,
    "The physicists' Hermite polynomial H_n(x) (NaN above degree 512, 128 in float32).",
)
hermite_polynomial_he = _polynomial(
    "hermite_polynomial_he",
    C.hermite_polynomial_he,
    "The probabilists' Hermite polynomial He_n(x) (NaN above degree 512, 128 in float32).",
)
laguerre_polynomial_l = _polynomial(
    "laguerre_polynomial_l", C.laguerre_polynomial_l, "Laguerre's polynomial L_n(x)."
)
legendre_polynomial_p = _polynomial(
    "legendre_polynomial_p", C.legendre_polynomial_p, "Legendre's polynomial P_n(x)."
)
