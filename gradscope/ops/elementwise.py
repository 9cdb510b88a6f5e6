"""Elementwise arithmetic and math functions."""

from __future__ import annotations

import math

import numpy as np

from .. import dtypes
from ..autograd.function import Function, apply, named_as_torch
from ..backend import contiguous, erf, fp_quiet, xp_of
from ..dtypes import checked_scalar, wrapped_scalar
from ..errors import M_BOOL_SUB, refuse_kernel
from . import api
from ._broadcast import cast_like, keep, sgn, unbroadcast
from ._graph import cast_to, constant, sum_to, zeros_grad
from ._jvp import terms, times


def _shape(v):
    return v.shape if hasattr(v, "shape") else ()


def _shape_dtype(v):
    """An operand's shape and dtype; a Python number's are () and None."""
    return (v.shape, v.dtype) if hasattr(v, "shape") else ((), None)


def _promote(out, dtype):
    return out if dtype is None or out.dtype == dtype else out.astype(dtype)


def _power(a, b):
    """``a ** b``; for integers, torch's rule where NumPy refuses a negative exponent: 0,
    except a base of 1 (1) and of -1 (1 or -1 by the exponent's parity)."""
    b_kind = b.dtype.kind if hasattr(b, "dtype") else ("i" if isinstance(b, int) else "f")
    a_kind = a.dtype.kind if hasattr(a, "dtype") else ("i" if isinstance(a, int) else "f")
    if a_kind not in "iu" or b_kind not in "iu":
        return a**b
    xp = xp_of(b if hasattr(b, "dtype") else a)
    negative = xp.asarray(b) < 0
    if not negative.any():
        return a**b
    out = a ** xp.where(negative, 0, b)
    sign = xp.where(b % 2 != 0, -1, 1)
    special = xp.where(a == 1, 1, xp.where(a == -1, sign, 0))
    return xp.where(negative, special, out).astype(out.dtype)


def _nonnegative(b):
    """``b >= 0``, for complex numbers as torch takes it in ``pow``'s gradient: real and not
    below 0 (NumPy would order them by real part, then imaginary)."""
    if getattr(b, "dtype", None) is not None and b.dtype.kind == "c":
        return (b.imag == 0) & (b.real >= 0)
    return b >= 0


def _scalar_power(a, e):
    """``a ** e`` for a number ``e``, as torch's pow kernel computes it: ``e = -0.5`` as a
    reciprocal square root, which keeps -0's sign (-inf there) and gives NaN at -inf."""
    if e == -0.5 and a.dtype.kind == "f":
        return 1 / xp_of(a).sqrt(a)
    return a**e


# ---------------------------------------------------------------- add / sub / neg


def _scaled(alpha, b, dtype):
    """``alpha * b`` as torch computes it, in the result's ``dtype`` (None: ``b``'s own):
    of bools, their ``and`` (Python's ``True * True`` is an int)."""
    if dtype is not None and hasattr(b, "astype"):
        b = b.astype(dtype)
    return np.logical_and(alpha, b) if type(alpha) is bool else alpha * b


class AddBackward0(Function):
    pointwise = True
    _name = "AddBackward0"
    complex_rule = "as_is"

    def forward(self, a, b, alpha=1, dtype=None):
        self.alpha = alpha
        if hasattr(b, "shape"):
            self.shapes = (a.shape, b.shape)
            self.dtypes = (a.dtype, b.dtype)
        else:  # a Python number: a's gradient is g itself
            self.shapes = None
        return _promote(a + b if alpha == 1 else a + _scaled(alpha, b, dtype), dtype)

    def backward(self, g):
        if self.shapes is None:
            return g, None
        na, nb = self.needs_input_grad
        ga = cast_like(unbroadcast(g, self.shapes[0]), self.dtypes[0]) if na else None
        gb = None
        if nb:
            gb = g if self.alpha == 1 else g * self.alpha.conjugate()
            gb = cast_like(unbroadcast(gb, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        if self.shapes is None:
            return g, None
        na, nb = self.needs_input_grad
        ga = cast_to(sum_to(g, self.shapes[0]), self.dtypes[0]) if na else None
        gb = None
        if nb:
            gb = g if self.alpha == 1 else g * self.alpha.conjugate()
            gb = cast_to(sum_to(gb, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        ta, tb = tangents[:2]
        return terms(ta, times(tb, self.alpha) if self.alpha != 1 else tb)


class SubBackward0(Function):
    pointwise = True
    _name = "SubBackward0"
    complex_rule = "as_is"

    def forward(self, a, b, alpha=1, dtype=None):
        shape_b, dtype_b = _shape_dtype(b)
        self.shapes = (a.shape, shape_b)
        self.dtypes = (a.dtype, dtype_b)
        self.alpha = alpha
        return _promote(a - b if alpha == 1 else a - _scaled(alpha, b, dtype), dtype)

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = cast_like(unbroadcast(g, self.shapes[0]), self.dtypes[0]) if na else None
        gb = None
        if nb:
            gb = cast_like(unbroadcast(-g * self.alpha.conjugate(), self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = cast_to(sum_to(g, self.shapes[0]), self.dtypes[0]) if na else None
        gb = None
        if nb:
            gb = -g if self.alpha == 1 else -g * self.alpha.conjugate()
            gb = cast_to(sum_to(gb, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        ta, tb = tangents[:2]
        return terms(ta, times(tb, -self.alpha))


class RsubBackward1(Function):
    """``scalar - tensor``."""

    _name = "RsubBackward1"
    complex_rule = "as_is"

    def forward(self, a, scalar, dtype=None):
        return _promote(scalar - a, dtype)

    def backward(self, g):
        return (-g, None)

    def backward_graph(self, g):
        return (-g, None)

    def jvp(self, xs, out, tangents):
        return -tangents[0]


class NegBackward0(Function):
    _name = "NegBackward0"
    complex_rule = "as_is"

    def forward(self, a):
        return -a

    def backward(self, g):
        return (-g,)

    def backward_graph(self, g):
        return (-g,)

    def jvp(self, xs, out, tangents):
        return -tangents[0]


class ConjBackward0(Function):
    """The complex conjugate of a complex tensor. A copy with a buffer of its own, where
    torch's is a lazy view that shares one: gradscope has no conjugate bit."""

    _name = "ConjBackward0"
    complex_rule = "as_is"

    def forward(self, a):
        return a.conj()

    def backward(self, g):
        return (g.conj(),)

    def jvp(self, xs, out, tangents):
        return tangents[0].conj()


class ConjPhysicalBackward0(ConjBackward0):
    """``conj_physical``: the conjugate, computed (as ``conj`` always is in gradscope)."""

    _name = "ConjPhysicalBackward0"


# ---------------------------------------------------------------- mul / div


class MulBackward0(Function):
    """Saves each operand only when the other one requires grad (as torch does)."""

    pointwise = True

    _name = "MulBackward0"
    complex_rule = "conj"

    def forward(self, a, b, dtype=None):
        na, nb = self.needs_input_grad
        if hasattr(b, "shape"):
            self.scalar = None
            self.shapes = (a.shape, b.shape)
            self.dtypes = (a.dtype, b.dtype)
            if na:
                self.save(other=b)
            if nb:
                self.save(self=a)
        else:  # a Python number: a's gradient is g times it, in a's shape and dtype
            self.scalar = b
            if na:
                self.save(other=b)  # kept as torch wraps it: 0-dim float64/int64
        return _promote(a * b, dtype)

    def backward(self, g):
        if self.scalar is not None:
            self.saved("other")  # raises if backward already freed it
            return g * self.scalar, None
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = cast_like(unbroadcast(g * self.saved("other"), self.shapes[0]), self.dtypes[0])
        if nb:
            gb = cast_like(unbroadcast(g * self.saved("self"), self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        if self.scalar is not None:
            self.saved("other")  # raises if backward already freed it
            return g * self.scalar, None
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = cast_to(sum_to(g * self.saved_tensor("other"), self.shapes[0]), self.dtypes[0])
        if nb:
            gb = cast_to(sum_to(g * self.saved_tensor("self"), self.shapes[1]), self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        return terms(times(ta, b), times(tb, a))


class _Passes(Function):
    """An op of one tensor whose gradient passes to it unchanged."""

    def backward(self, g):
        return (g,)

    def backward_graph(self, g):
        return (g,)

    def jvp(self, xs, out, tangents):
        return tangents[0]


class AddBackward1(_Passes):
    """A tensor plus a number held as a number (torch's C++ scalar, as in the smoothing of
    probability targets, ``target * (1 - ε) + ε / C``): nothing is saved for it."""

    _name = "AddBackward1"
    complex_rule = "as_is"

    def forward(self, a, other):
        return a + other


class MulBackward1(Function):
    """A tensor times a number held as a number, not a tensor (torch's C++ scalar, as
    inside its composite ops: label smoothing's weights): nothing is saved for it."""

    _name = "MulBackward1"
    complex_rule = "conj"

    def forward(self, a, other):
        self.other = other
        return a * other

    def backward(self, g):
        return (g * self.other,)

    def backward_graph(self, g):
        return (apply(MulBackward1, (g,), self.other),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self.other


class DivBackward1(Function):
    """A tensor divided by a number held as a number (torch's C++ scalar, as in the
    gradient of ``mean``): nothing is saved for it."""

    _name = "DivBackward1"
    complex_rule = "conj"

    def forward(self, a, other):
        self.other = other
        return a / other

    def backward(self, g):
        return (g / self.other,)

    def backward_graph(self, g):
        return (apply(DivBackward1, (g,), self.other),)

    def jvp(self, xs, out, tangents):
        return tangents[0] / self.other


class DivBackward0(Function):
    """Saves ``other`` always, ``self`` only when ``other`` requires grad."""

    pointwise = True

    _name = "DivBackward0"
    complex_rule = "conj"

    def forward(self, a, b, dtype=None):
        na, nb = self.needs_input_grad
        self.scalar = None if hasattr(b, "shape") else b
        self.save(other=b)
        if nb:
            self.save(self=a)
        self.shapes = (_shape(a), _shape(b))
        self.dtypes = (getattr(a, "dtype", None), getattr(b, "dtype", None))
        if self.scalar is not None and b == 0:  # inf and NaN, silently (torch)
            with fp_quiet():
                out = a / b
        else:
            out = a / b
        if dtype is not None and out.dtype != dtype:
            out = out.astype(dtype)
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        b = self.saved("other")
        if self.scalar is not None:
            b = self.scalar
        ga = gb = None
        if na:
            ga = cast_like(unbroadcast(g / b, self.shapes[0]), self.dtypes[0])
        if nb:
            a = self.saved("self")
            gb = cast_like(unbroadcast(-g * ((a / b) / b), self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        b = self.saved_tensor("other")
        ga = gb = None
        if na:
            ga = cast_to(sum_to(g / b, self.shapes[0]), self.dtypes[0])
        if nb:
            a = self.saved_tensor("self")
            gb = cast_to(sum_to(-g * ((a / b) / b), self.shapes[1]), self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        b = xs[1]
        ta, tb = tangents[:2]
        if ta is not None and tb is not None:  # torch's (self_t - other_t * result) / other
            return (ta - tb * out) / b
        return terms(None if ta is None else ta / b, None if tb is None else -tb * out / b)


class ReciprocalBackward0(Function):
    """``1 / tensor`` (what ``scalar / tensor`` is built on)."""

    _name = "ReciprocalBackward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        out = 1 / a
        if out.dtype != a.dtype and a.dtype.kind == "f":
            out = out.astype(a.dtype)
        return out

    def backward(self, g):
        r = self.saved("result")
        return (-g * r * r,)

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        return (-g * (r * r),)

    def jvp(self, xs, out, tangents):
        return -tangents[0] * out * out


# ---------------------------------------------------------------- pow


class PowBackward0(Function):
    """``tensor ** scalar``: saves ``self``."""

    _name = "PowBackward0"
    complex_rule = "conj"

    def forward(self, a, exponent):
        self.save(self=a)
        self.exponent = exponent
        if a.dtype.kind in "iub" and type(exponent) is int and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if a.dtype.kind in "iu" and type(exponent) is int:  # it must fit the type, as torch
            checked_scalar(exponent, a.dtype)
        te = type(exponent)
        if te is complex and a.dtype.kind in "iub":  # computed in the default complex dtype
            a = a.astype(dtypes.default_complex())
        if (te is int or te is float) and exponent >= 0 and exponent % 1 == 0:
            out = a**exponent
        else:  # a negative base to a fraction, zero to a negative power: NaN, inf, silently
            with fp_quiet():
                out = _scalar_power(a, exponent)
        if a.dtype.kind in "iub" and isinstance(exponent, float):
            out = out.astype(dtypes.default_float.np)
        elif a.dtype.kind == "b":  # torch: bool ** int is int64, bool ** bool a bool
            out = out.astype(np.bool_ if te is bool else np.int64)
        return out

    def backward(self, g):
        a = self.saved("self")
        e = self.exponent
        if e == 0:
            return (g * 0,)
        if type(e) is complex:  # (complex_node conjugates around the rule)
            with fp_quiet():
                return (g * (e * a ** (e - 1)),)
        if e < 1:  # a ** (e - 1) is infinite at 0: torch says nothing, NumPy would warn
            with fp_quiet():
                return (g * (e * _scalar_power(a, e - 1)),)
        return (g * (e * a ** (e - 1)),)

    def backward_graph(self, g):
        e = self.exponent
        if type(e) is complex:
            return Function.backward_graph(self, g)  # not written with the conjugate
        a = self.saved_tensor("self")
        if e == 0:
            return (zeros_grad(g.shape, g),)
        return (g * apply(MulBackward1, (a.pow(e - 1),), e),)

    def jvp(self, xs, out, tangents):
        a, e = xs[0], self.exponent
        if e == 0:
            return tangents[0] * 0
        return tangents[0] * (e * _scalar_power(a, e - 1))


class PowBackward1(Function):
    """``tensor ** tensor``: saves self, exponent and result."""

    pointwise = True

    _name = "PowBackward1"
    complex_rule = "conj"

    def forward(self, a, b, dtype=None):
        if a.dtype.kind == "b" and b.dtype.kind == "b":  # after the shapes, as torch
            np.broadcast_shapes(a.shape, b.shape)
            refuse_kernel("pow", a.dtype)
        if dtype is None:
            out = _power(a, b)
        else:  # in the result's dtype, as torch: a uint8 exponent of -2 is 254
            out = _promote(_power(_in(a, dtype), _in(b, dtype)), dtype)
        self.save(self=a, exponent=b, result=out)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        a, b = self.saved("self"), self.saved("exponent")
        ga = gb = None
        if na:
            if b.dtype.kind == "b":  # torch's rule computes ``exponent - 1``
                raise RuntimeError(M_BOOL_SUB)
            ga = g * b * xp_of(a).where(b == 0, 0, a ** (b - 1))
            ga = cast_like(unbroadcast(ga, self.shapes[0]), self.dtypes[0])
        if nb:
            r = self.saved("result")
            xp = xp_of(a)
            with fp_quiet():  # (a negative real base has a complex log if the result is complex)
                gb = g * r * xp.where((a == 0) & _nonnegative(b), 0, xp.log(_in(a, r.dtype)))
            gb = cast_like(unbroadcast(gb, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        a, b = self.saved_tensor("self"), self.saved_tensor("exponent")
        a_, b_ = a._data, b._data
        ga = gb = None
        if na:
            ga = api.where(constant(b_ == 0), 0.0, g * (b * a.pow(b - 1)))
            ga = cast_to(sum_to(ga, self.shapes[0]), self.dtypes[0])
        if nb:
            r = self.saved_tensor("result")
            gb = g * api.where(constant((a_ == 0) & (b_ >= 0)), 0.0, r * a.log())
            gb = cast_to(sum_to(gb, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        xp = xp_of(out)
        ga = gb = None
        if ta is not None:
            ga = ta * b * xp.where(b == 0, 0, a ** (b - 1))
        if tb is not None:
            with fp_quiet():
                gb = tb * out * xp.where((a == 0) & _nonnegative(b), 0, xp.log(a))
        return terms(ga, gb)


class PowBackward2(Function):
    """``scalar ** tensor``: saves exponent and result."""

    _name = "PowBackward2"
    complex_rule = "conj"

    def forward(self, a, base):
        if type(base) is complex and a.dtype.kind in "iub":  # in the default complex dtype
            a = a.astype(dtypes.default_complex())
        if type(base) is int and a.dtype.kind in "iu":
            info = np.iinfo(a.dtype)
            if not info.min <= base <= info.max:  # torch casts it into the dtype, wrapping
                base = np.array(base).astype(a.dtype)[()]
        out = _power(base, a)
        if out.dtype != a.dtype and a.dtype.kind == "f" and type(base) is not complex:
            out = out.astype(a.dtype)
        self.save(exponent=a, result=out)
        self.base = base
        return out

    def _log_base(self, result):
        """The base's log as torch takes it: complex where the result is (a negative real
        base then has one), else a float (NaN for a negative base)."""
        with fp_quiet():
            if result.dtype.kind == "c":
                return complex(np.log(complex(self.base)))
            return float(np.log(np.float64(self.base)))

    def _rate(self, exponent, result):
        """``result * log(base)``; of a zero base, 0 where the exponent is real and not
        negative (its power does not move from 0 or 1 there)."""
        rate = result * self._log_base(result)
        if self.base == 0:
            rate = xp_of(result).where(_nonnegative(exponent), 0, rate)
        return rate

    def backward(self, g):
        # (complex_node conjugates around the rule)
        return (g * self._rate(self.saved("exponent"), self.saved("result")),)

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        lb = self._log_base(r._data)
        if type(lb) is complex:
            return Function.backward_graph(self, g)  # not written for a complex log
        rate = apply(MulBackward1, (r,), lb)
        if self.base == 0:
            rate = api.where(constant(_nonnegative(self.saved("exponent"))), 0.0, rate)
        return (g * rate,)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] * self._rate(xs[0], out)


# ---------------------------------------------------------------- rounded division


def _operands(kernel: str, a, b, dtype):
    """``a`` and ``b`` in ``dtype``, the one torch computes ``a op b`` in, after torch's
    checks: the shapes broadcast, there is a bool kernel (there is none), and no integer
    is divided by zero (NumPy would give 0 and a warning)."""
    a, b = _in(a, dtype), _in(b, dtype)
    shape = np.broadcast_shapes(_shape(a), _shape(b))
    kind = dtype.kind
    if kind == "b":
        refuse_kernel(kernel, dtype)
    if kind in "iu" and 0 not in shape and bool((b == 0).any()):
        raise RuntimeError("ZeroDivisionError")
    return a, b


def _in(v, dtype):
    """An operand in ``dtype``. A Python number stays one (NumPy keeps an array's dtype
    for it), but an integer goes into an integer dtype as torch casts it, wrapping
    around (``-3`` is 253 in uint8), where NumPy refuses one out of range."""
    if hasattr(v, "dtype"):
        return v if v.dtype == dtype else v.astype(dtype)
    if type(v) in (int, bool) and dtype.kind in "iu":
        return wrapped_scalar(int(v), dtype)
    return v


def div_floor(a, b, dtype):
    """``a / b`` rounded down, in ``dtype``, as torch's ``div_floor`` (for floats the
    same steps as Python's ``//``; a division by zero gives ``a / b``: inf or NaN)."""
    a, b = _operands("div_floor_cpu", a, b, dtype)
    with fp_quiet():
        return xp_of(a if hasattr(a, "shape") else b).floor_divide(a, b)


def div_trunc(a, b, dtype):
    """``a / b`` rounded toward zero, in ``dtype``, as torch's ``div_trunc``."""
    a, b = _operands("div_trunc_cpu", a, b, dtype)
    xp = xp_of(a if hasattr(a, "shape") else b)
    if dtype.kind == "f":
        with fp_quiet():
            return xp.trunc(a / b)
    q = xp.floor_divide(a, b)  # one above the floor where the division is inexact and < 0
    return q + ((q * b != a) & ((a < 0) != (b < 0))).astype(q.dtype)


def remainder(a, b, dtype):
    """``a - b * floor(a / b)``, with ``b``'s sign, in ``dtype``, as torch computes it:
    ``fmod`` moved by ``b`` where the signs differ (a zero keeps ``fmod``'s sign, where
    NumPy's ``remainder`` gives it ``b``'s)."""
    a, b = _operands("remainder_cpu", a, b, dtype)
    xp = xp_of(a if hasattr(a, "shape") else b)
    with fp_quiet():
        mod = xp.fmod(a, b)
        return xp.where((mod != 0) & ((b < 0) != (mod < 0)), mod + b, mod)


def fmod(a, b, dtype):
    """C's ``fmod``: the remainder with ``a``'s sign, in ``dtype``."""
    a, b = _operands("fmod_cpu", a, b, dtype)
    with fp_quiet():
        return xp_of(a if hasattr(a, "shape") else b).fmod(a, b)


@named_as_torch
class NotImplementedBackward(Function):
    """The node torch records for an op it gives no derivative (``floor_divide``, a number
    ``%`` a tensor): over the inputs that require grad, and backward through it raises.
    Its value comes computed: ``forward(*arrays, op, out)``."""

    _name = "NotImplemented"
    _namespace = "torch::autograd::"

    def forward(self, *xs):
        self.op, out = xs[-2:]
        return out

    def backward(self, g):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")

    backward_graph = backward

    def jvp(self, xs, out, tangents):
        raise NotImplementedError(
            f"Trying to use forward AD with aten::{self.op} that does not support it."
        )


class _RemainderByNumber(_Passes):
    """``tensor op number`` for a remainder ``kernel``: its gradient passes unchanged."""

    kernel = None

    def forward(self, a, other, dtype):
        return type(self).kernel(a, other, dtype)


class RemainderBackward0(_RemainderByNumber):
    _name, kernel = "RemainderBackward0", remainder


class FmodBackward0(_RemainderByNumber):
    _name, kernel = "FmodBackward0", fmod


class _RemainderByTensor(Function):
    """``a op b`` for a remainder ``kernel`` of two tensors, ``a - b * quotient(a, b)``:
    ``a``'s gradient passes, ``b``'s is ``-g * quotient``. Saves both only when ``b``
    requires grad, as torch."""

    pointwise = True

    kernel = quotient = None
    rounding = ""  # ``div``'s rounding mode that ``quotient`` is

    def forward(self, a, b, dtype):
        if self.needs_input_grad[1]:
            self.save(self=a, other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        self.dtype = dtype
        return type(self).kernel(a, b, dtype)

    def _quotient(self, a, b):
        return type(self).quotient(a, b, self.dtype)

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = cast_like(unbroadcast(g, self.shapes[0]), self.dtypes[0]) if na else None
        gb = None
        if nb:
            q = self._quotient(self.saved("self"), self.saved("other"))
            gb = cast_like(unbroadcast(-g * q, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = cast_to(sum_to(g, self.shapes[0]), self.dtypes[0]) if na else None
        gb = None
        if nb:
            a, b = self.saved_tensor("self"), self.saved_tensor("other")
            q = api.div(a, b, rounding_mode=self.rounding)
            gb = cast_to(sum_to(-g * q, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        return terms(ta, None if tb is None else -tb * self._quotient(a, b))


class RemainderBackward1(_RemainderByTensor):
    _name, kernel, quotient, rounding = "RemainderBackward1", remainder, div_floor, "floor"


class FmodBackward1(_RemainderByTensor):
    _name, kernel, quotient, rounding = "FmodBackward1", fmod, div_trunc, "trunc"


class DivBackward2(Function):
    """``div(a, b, rounding_mode=...)``: for None true division (``DivBackward0``'s
    gradients), for ``"floor"`` and ``"trunc"`` a step, whose gradients are zero. Saves
    ``other`` always, ``self`` when ``other`` requires grad, as torch."""

    _name = "DivBackward2"
    complex_rule = "conj"

    def forward(self, a, b, mode, dtype):
        self.save(other=b)
        if self.needs_input_grad[1]:
            self.save(self=a)
        self.mode = mode
        self.scalar = None if hasattr(b, "shape") else b
        self.shapes = (_shape(a), _shape(b))
        self.dtypes = (getattr(a, "dtype", None), getattr(b, "dtype", None))
        if mode == "floor":
            return div_floor(a, b, dtype)
        if mode == "trunc":
            return div_trunc(a, b, dtype)
        with fp_quiet():
            return _promote(a / b, dtype)

    def _zeros(self, g, k):
        return xp_of(g).zeros(self.shapes[k], self.dtypes[k] or g.dtype)

    def backward(self, g):
        if self.mode is None:
            return DivBackward0.backward(self, g)
        na, nb = self.needs_input_grad
        return (self._zeros(g, 0) if na else None, self._zeros(g, 1) if nb else None)

    def backward_graph(self, g):
        if self.mode is None:
            return DivBackward0.backward_graph(self, g)
        return tuple(
            constant(self._zeros(g._data, k)) if need else None
            for k, need in enumerate(self.needs_input_grad)
        )

    def jvp(self, xs, out, tangents):
        if self.mode is not None:
            return xp_of(out).zeros_like(out)
        (a, b), (ta, tb) = xs[:2], tangents[:2]  # torch's terms, each on its own
        return terms(None if ta is None else ta / b, None if tb is None else -tb * (a / b) / b)


# ---------------------------------------------------------------- math functions


class ExpBackward0(Function):
    _name = "ExpBackward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        return xp_of(a).exp(a)

    def backward(self, g):
        return (g * self.saved("result"),)

    def backward_graph(self, g):
        return (g * self.saved_tensor("result"),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * out


class LogBackward0(Function):
    _name = "LogBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return xp_of(a).log(a)

    def backward(self, g):
        with fp_quiet():
            return (g / self.saved("self"),)

    def backward_graph(self, g):
        return (g / self.saved_tensor("self"),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] / xs[0]


class SqrtBackward0(Function):
    _name = "SqrtBackward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        with fp_quiet():
            out = xp_of(a).sqrt(a)
        return out

    def backward(self, g):
        with fp_quiet():
            return (g / (2 * self.saved("result")),)

    def backward_graph(self, g):
        return (g / apply(MulBackward1, (self.saved_tensor("result"),), 2),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] / (2 * out)


class SinBackward0(Function):
    _name = "SinBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        return xp_of(a).sin(a)

    def backward(self, g):
        return (g * xp_of(g).cos(self.saved("self")),)

    def backward_graph(self, g):
        return (g * self.saved_tensor("self").cos(),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * xp_of(out).cos(xs[0])


class CosBackward0(Function):
    _name = "CosBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        return xp_of(a).cos(a)

    def backward(self, g):
        return (-g * xp_of(g).sin(self.saved("self")),)

    def backward_graph(self, g):
        return (g * -self.saved_tensor("self").sin(),)

    def jvp(self, xs, out, tangents):
        return -tangents[0] * xp_of(out).sin(xs[0])


class ErfBackward0(Function):
    _name = "ErfBackward0"

    def forward(self, a):
        self.save(self=a)
        return erf(a)

    def backward(self, g):
        a = self.saved("self")
        return (g * (_TWO_OVER_SQRT_PI * xp_of(a).exp(-(a * a))).astype(a.dtype, copy=False),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        return (_TWO_OVER_SQRT_PI * (-(a * a)).exp() * g,)

    def jvp(self, xs, out, tangents):
        a = xs[0]
        return tangents[0] * (_TWO_OVER_SQRT_PI * xp_of(a).exp(-(a * a))).astype(a.dtype)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class LogitBackward0(Function):
    """``log(x / (1 - x))``; with ``eps`` (0 or more) of ``x`` clamped to ``[eps, 1 - eps]``,
    whose gradient is 0 where the clamp holds; without it NaN outside ``[0, 1]``."""

    _name = "LogitBackward0"

    def forward(self, a, eps):
        self.eps = eps
        self.save(self=a)
        xp = xp_of(a)
        z = a if eps is None or eps < 0 else xp.clip(a, eps, 1 - eps)
        with fp_quiet():
            return xp.log(z / (1 - z)).astype(a.dtype, copy=False)

    def _outside(self, x):
        """Where the gradient is NaN (no eps) or 0 (clamped), and which of the two."""
        eps = self.eps
        if eps is None or eps < 0:
            return (x < 0) | (x > 1), math.nan
        return (x < eps) | (x > 1 - eps), 0

    def _grad(self, g, x):
        # torch's kernel: g * inf at 0 and 1 themselves (an inf of g's sign, whatever the
        # zero's), g / (x (1 - x)) elsewhere inside
        xp = xp_of(x)
        outside, fill = self._outside(x)
        with fp_quiet():
            d = xp.where((x == 0) | (x == 1), g * math.inf, g / (x * (1 - x)))
        return xp.where(outside, fill, d).astype(d.dtype, copy=False)

    def backward(self, g):
        return (self._grad(g, self.saved("self")),)

    def _inside(self, x):
        """torch's mask under create_graph and in forward mode (its infinitely
        differentiable form): ``g / (x (1 - x))`` where it holds, else 0 with eps (a NaN
        ``x`` too) or NaN without."""
        eps = self.eps
        lo, fill = (0.0, math.nan) if eps is None or eps < 0 else (eps, 0.0)
        return (x >= lo) & (x <= 1 - lo), fill

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        inside, fill = self._inside(x._data)
        one = constant(xp_of(x._data).ones((), x._data.dtype))  # C++'s 1 - x: a sub of two
        return (api.where(constant(inside), g / (x * (one - x)), fill),)

    def jvp(self, xs, out, tangents):
        x = xs[0]
        inside, fill = self._inside(x)
        with fp_quiet():
            d = tangents[0] / (x * (1 - x))
        return xp_of(x).where(inside, d, fill).astype(d.dtype, copy=False)


_LN2, _LN10 = 0.6931471805599453, 2.302585092994046  # torch's M_LN2 and ln(10)


class Log1PBackward0(Function):
    _name = "Log1PBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return xp_of(a).log1p(a)

    def backward(self, g):
        with fp_quiet():
            return (g / (self.saved("self") + 1),)

    def backward_graph(self, g):
        return (g / apply(AddBackward1, (self.saved_tensor("self"),), 1),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] / (xs[0] + 1)


class Expm1Backward0(Function):
    _name = "Expm1Backward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        with fp_quiet():
            return xp_of(a).expm1(a)

    def backward(self, g):
        return (g * (self.saved("result") + 1),)

    def backward_graph(self, g):
        return (g * apply(AddBackward1, (self.saved_tensor("result"),), 1),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * (out + 1)


class Log2Backward0(Function):
    """``log2``; log10 is the same with another base."""

    _name = "Log2Backward0"
    complex_rule = "conj"
    ufunc, ln = "log2", _LN2

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return getattr(xp_of(a), self.ufunc)(a)

    def backward(self, g):
        with fp_quiet():
            return (g / (self.saved("self") * self.ln),)

    def backward_graph(self, g):
        return (g / apply(MulBackward1, (self.saved_tensor("self"),), self.ln),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] / (xs[0] * self.ln)


class Log10Backward0(Log2Backward0):
    _name, ufunc, ln = "Log10Backward0", "log10", _LN10


class Exp2Backward0(Function):
    _name = "Exp2Backward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        with fp_quiet():
            return xp_of(a).exp2(a)

    def backward(self, g):
        return (g * self.saved("result") * _LN2,)

    def backward_graph(self, g):
        return (apply(MulBackward1, (g * self.saved_tensor("result"),), _LN2),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * out * _LN2


class RsqrtBackward0(Function):
    """``1 / sqrt(a)``: -inf at -0, as torch."""

    _name = "RsqrtBackward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        with fp_quiet():
            return 1 / xp_of(a).sqrt(a)

    def backward(self, g):
        r = self.saved("result")
        with fp_quiet():
            return (-0.5 * g * r**3,)

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        return (apply(MulBackward1, (g,), -0.5) * r.pow(3),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return -0.5 * tangents[0] * out**3


class TanBackward0(Function):
    _name = "TanBackward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a):
        with fp_quiet():
            return xp_of(a).tan(a)

    def backward(self, g):
        return (g * (1 + self.saved("result") ** 2),)

    def backward_graph(self, g):
        return (g * apply(AddBackward1, (self.saved_tensor("result").pow(2),), 1),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * (1 + out**2)


class AtanBackward0(Function):
    _name = "AtanBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        return xp_of(a).arctan(a)

    def backward(self, g):
        a = self.saved("self")
        with fp_quiet():
            return (g / (a * a + 1),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        return (g / apply(AddBackward1, (a * a,), 1),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] / (xs[0] * xs[0] + 1)


def _rsqrt_one_minus_square(a):
    """``rsqrt(1 - a * a)``, as torch's asin and acos gradients compute it."""
    with fp_quiet():
        return 1 / xp_of(a).sqrt(-a * a + 1)


class AsinBackward0(Function):
    """``asin``; acos is the same with its gradient negated."""

    _name = "AsinBackward0"
    complex_rule = "conj"
    ufunc, sign = "arcsin", 1

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return getattr(xp_of(a), self.ufunc)(a)

    def backward(self, g):
        r = _rsqrt_one_minus_square(self.saved("self"))
        with fp_quiet():
            return (g * (r if self.sign > 0 else -r),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        r = apply(RsqrtBackward0, (apply(AddBackward1, (-a * a,), 1),))
        return (g * (r if self.sign > 0 else -r),)

    def jvp(self, xs, out, tangents):
        r = _rsqrt_one_minus_square(xs[0])
        with fp_quiet():
            return tangents[0] * (r if self.sign > 0 else -r)


class AcosBackward0(AsinBackward0):
    _name, ufunc, sign = "AcosBackward0", "arccos", -1


class AcoshBackward0(Function):
    """``acosh``: the gradient ``g * rsqrt(a ** 2 - 1)``, in torch's order of operations;
    ``asinh`` is the same with ``+ 1``."""

    _name = "AcoshBackward0"
    complex_rule = "conj"
    ufunc, one = "arccosh", -1

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return getattr(xp_of(a), self.ufunc)(a)

    def _factor(self, a):
        xp = xp_of(a)
        with fp_quiet():
            if self.one < 0 and a.dtype.kind == "c":  # the branch of acosh's own cut
                return 1 / xp.sqrt(a - 1) * (1 / xp.sqrt(a + 1))
            return 1 / xp.sqrt(a * a + self.one)

    def backward(self, g):
        with fp_quiet():
            return (g * self._factor(self.saved("self")),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        if self.one < 0 and a.is_complex():
            return (g * ((a - 1).rsqrt() * (a + 1).rsqrt()),)
        shifted = a.pow(2) - 1 if self.one < 0 else a.pow(2) + 1
        return (g * shifted.rsqrt(),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] * self._factor(xs[0])


class AsinhBackward0(AcoshBackward0):
    _name, ufunc, one = "AsinhBackward0", "arcsinh", 1


class _NoInPlaceDerivative(Function):
    """An in-place op that torch gives no derivative (``acosh_``, ``asinh_``, ``atanh_``):
    its node (``AcoshBackward1``) saves nothing, and backward or forward mode through it
    raises torch's error."""

    op = ufunc = ""
    complex_rule = "as_is"  # (its forward is right for them; there is no backward)

    def forward(self, a):
        with fp_quiet():
            return getattr(xp_of(a), self.ufunc)(a)

    def backward(self, g):
        raise NotImplementedError(
            f"the derivative for 'inplace version of {self.op}' is not implemented."
        )

    backward_graph = backward

    def jvp(self, xs, out, tangents):
        raise NotImplementedError(
            f"Trying to use forward AD with {self.op}_ that does not support it because it "
            "has not been implemented yet.\nPlease file an issue to PyTorch at "
            "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so "
            "that we can prioritize its implementation."
        )


class AcoshBackward1(_NoInPlaceDerivative):
    _name, op, ufunc = "AcoshBackward1", "acosh", "arccosh"


class AsinhBackward1(_NoInPlaceDerivative):
    _name, op, ufunc = "AsinhBackward1", "asinh", "arcsinh"


class AtanhBackward1(_NoInPlaceDerivative):
    _name, op, ufunc = "AtanhBackward1", "atanh", "arctanh"


class AtanhBackward0(Function):
    """``atanh``: the gradient ``g * reciprocal(1 - a ** 2)``, as torch computes it."""

    _name = "AtanhBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return xp_of(a).arctanh(a)

    @staticmethod
    def _factor(a):
        with fp_quiet():
            return 1 / (1 - a * a)

    def backward(self, g):
        with fp_quiet():
            return (g * self._factor(self.saved("self")),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        return (g * (1 - a.pow(2)).reciprocal(),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] * self._factor(xs[0])


class SinhBackward0(Function):
    """``sinh``, whose gradient is ``cosh``; cosh is the same the other way round."""

    _name = "SinhBackward0"
    complex_rule = "conj"
    ufunc, derivative = "sinh", "cosh"

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return getattr(xp_of(a), self.ufunc)(a)

    def backward(self, g):
        a = self.saved("self")
        with fp_quiet():
            return (g * getattr(xp_of(a), self.derivative)(a),)

    def backward_graph(self, g):
        cls = CoshBackward0 if self.derivative == "cosh" else SinhBackward0
        return (g * apply(cls, (self.saved_tensor("self"),)),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] * getattr(xp_of(out), self.derivative)(xs[0])


class CoshBackward0(SinhBackward0):
    _name, ufunc, derivative = "CoshBackward0", "cosh", "sinh"


class Atan2Backward0(Function):
    """``atan2(a, b)``, the angle of ``(b, a)``: saves both. The gradients share
    ``1 / (a² + b²)``, which torch takes as 0 where ``a² + b²`` is 0."""

    pointwise = True

    _name = "Atan2Backward0"

    def forward(self, a, b, dtype=None):
        self.save(self=a, other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        if dtype is None:
            return xp_of(a).arctan2(a, b)
        return xp_of(a).arctan2(_in(a, dtype), _in(b, dtype))  # (bools would give halves)

    @staticmethod
    def _recip(a, b):
        with fp_quiet():
            d = a * a + b * b
            return xp_of(d).where(d == 0, d.dtype.type(0), 1 / d)

    def backward(self, g):
        a, b = self.saved("self"), self.saved("other")
        r = self._recip(a, b)
        na, nb = self.needs_input_grad
        ga = gb = None
        with fp_quiet():
            if na:
                ga = cast_like(unbroadcast(g * b * r, self.shapes[0]), self.dtypes[0])
            if nb:
                gb = cast_like(unbroadcast(g * -a * r, self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        a, b = self.saved_tensor("self"), self.saved_tensor("other")
        d = a * a + b * b
        r = d.reciprocal().masked_fill(constant(d._data == 0), 0)
        na, nb = self.needs_input_grad
        ga = cast_to(sum_to(g * b * r, self.shapes[0]), self.dtypes[0]) if na else None
        gb = cast_to(sum_to(g * -a * r, self.shapes[1]), self.dtypes[1]) if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        # torch's: (-self * other_t + other * self_t) / (self² + other²), unmasked
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        with fp_quiet():
            return terms(times(tb, -a), times(ta, b)) / (a**2 + b**2)


class ClampMinBackward0(Function):
    """``clamp_min`` by a number: saves ``self``; the gradient passes where ``self >= min``."""

    _name = "ClampMinBackward0"

    def forward(self, a, bound):
        self.save(self=a)
        self.min = bound
        return xp_of(a).maximum(a, bound).astype(a.dtype, copy=False)

    def _mask(self, a):
        return a >= self.min

    def backward(self, g):
        return (keep(g, self._mask(self.saved("self"))),)

    def backward_graph(self, g):
        return (api.where(constant(self._mask(self.saved("self"))), g, 0.0),)

    def jvp(self, xs, out, tangents):
        return keep(tangents[0], self._mask(xs[0]))


class ClampMaxBackward0(ClampMinBackward0):
    """``clamp_max`` by a number: the gradient passes where ``self <= max``."""

    _name = "ClampMaxBackward0"

    def forward(self, a, bound):
        self.save(self=a)
        self.max = bound
        return xp_of(a).minimum(a, bound).astype(a.dtype, copy=False)

    def _mask(self, a):
        return a <= self.max


class ClampMinBackward1(Function):
    """``clamp_min`` by a tensor: saves self and min; ``self`` gets the gradient where
    ``self >= min``, ``min`` where ``self < min`` (neither at a NaN)."""

    _name = "ClampMinBackward1"
    slot = "min"

    def forward(self, a, bound, dtype=None):
        self.save(**{"self": a, self.slot: bound})
        self.shapes = (a.shape, bound.shape)
        self.dtypes = (a.dtype, bound.dtype)
        a, bound = _in_dtype(a, bound, dtype)  # cast first, as torch (wrapping)
        xp = xp_of(a)
        return _promote(xp.maximum(a, bound) if self.slot == "min" else xp.minimum(a, bound), dtype)

    def _masks(self, a, bound):
        if self.slot == "min":
            return a >= bound, a < bound
        return a <= bound, a > bound

    def backward(self, g):
        masks = self._masks(self.saved("self"), self.saved(self.slot))
        return tuple(
            cast_like(unbroadcast(keep(g, m), shape), dtype) if need else None
            for need, m, shape, dtype in zip(self.needs_input_grad, masks, self.shapes, self.dtypes)
        )

    def backward_graph(self, g):
        masks = self._masks(self.saved("self"), self.saved(self.slot))
        return tuple(
            cast_to(sum_to(api.where(constant(m), g, 0.0), shape), dtype) if need else None
            for need, m, shape, dtype in zip(self.needs_input_grad, masks, self.shapes, self.dtypes)
        )

    def jvp(self, xs, out, tangents):
        a, bound = xs
        ta, tb = (xp_of(out).zeros_like(out) if t is None else t for t in tangents)
        return xp_of(out).where(self._masks(a, bound)[0], ta, tb)


class ClampMaxBackward1(ClampMinBackward1):
    _name, slot = "ClampMaxBackward1", "max"


class NanToNumBackward0(Function):
    """``nan_to_num``: saves ``self``; the gradient passes where ``self`` is finite."""

    _name = "NanToNumBackward0"
    complex_rule = "as_is"

    def forward(self, a, nan, posinf, neginf):
        self.save(self=a)
        if a.dtype.kind != "f":
            return a.copy()
        return xp_of(a).nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, g):
        return (g * xp_of(g).isfinite(self.saved("self")),)

    def backward_graph(self, g):
        return (g * constant(xp_of(g._data).isfinite(self.saved("self"))),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * xp_of(out).isfinite(xs[0])


@named_as_torch
class BitwiseOp(Function):
    """``a & b``, ``|``, ``^`` (``op``: and, or, xor) of bool or integer operands, in
    ``dtype`` where NumPy's differs: no gradient, as such tensors have none."""

    _name = "NotImplemented"
    _namespace = "torch::autograd::"

    def forward(self, a, b, op, dtype=None):
        xp = xp_of(a if hasattr(a, "shape") else b)
        if dtype is not None:
            a, b = _in(a, dtype), _in(b, dtype)
        return _promote(getattr(xp, "bitwise_" + op)(a, b), dtype)


class AbsBackward0(Function):
    _name = "AbsBackward0"
    complex_rule = "as_is"  # ``g * sgn(a)``: a complex number's sign is ``a / |a|``

    def forward(self, a):
        if a.dtype.kind == "b":
            refuse_kernel("abs_cpu", a.dtype)
        self.save(self=a)
        return xp_of(a).abs(a)

    def backward(self, g):
        return (g * sgn(self.saved("self")),)

    def backward_graph(self, g):
        return (g * apply(SgnBackward0, (self.saved_tensor("self"),)),)

    def jvp(self, xs, out, tangents):
        # (of a complex number: the real part of conj(t) sgn(x), which apply takes)
        return tangents[0].conj() * sgn(xs[0])


class _Step(Function):
    """A piecewise constant op (a sign, a rounding): its gradient is zero, at the jumps
    too, as torch's is."""

    def backward(self, g):
        return (xp_of(g).zeros_like(g),)

    def backward_graph(self, g):
        return (zeros_grad(g.shape, g),)

    def jvp(self, xs, out, tangents):
        return xp_of(out).zeros_like(out)


class SignBackward0(_Step):
    """``sign(a)``: -1, 0 or 1 (0 for NaN, as torch); a bool is its own sign."""

    _name = "SignBackward0"

    def forward(self, a):
        return a.copy() if a.dtype.kind == "b" else sgn(a)


class SgnBackward0(SignBackward0):
    """``sgn(a)``, which is ``sign`` for real numbers (``abs``'s gradient uses it); saves
    ``self`` and its result, which torch's rule reads for complex numbers."""

    _name = "SgnBackward0"
    complex_rule = "as_is"  # (the rule below is written for complex numbers)
    saves_output = "result"

    def forward(self, a):
        self.save(self=a)
        return super().forward(a)

    def backward(self, g):
        a = self.saved("self")
        if a.dtype.kind != "c":
            return super().backward(g)
        # sgn(z) = z / |z| moves with z's angle alone: the part of ``g`` along ``i sgn(z)``,
        # turned into z's angle's gradient (0 at 0, as torch's)
        u = self.saved("result")
        r = xp_of(a).abs(a)
        with fp_quiet():
            out = (g.conj() * 1j * u).real * 1j * u / r
        return (xp_of(a).where(r == 0, 0, out).astype(a.dtype, copy=False),)

    def jvp(self, xs, out, tangents):
        a, t = xs[0], tangents[0]
        if a.dtype.kind != "c":
            return super().jvp(xs, out, tangents)
        # d sgn(z) = (dz - sgn(z) Re(conj(sgn(z)) dz)) / |z|, 0 at 0 (torch's sgn_backward)
        xp = xp_of(a)
        r = xp.abs(a)
        with fp_quiet():
            d = (t - out * (out.conj() * t).real) / r
        return xp.where(r == 0, 0, d)


class AngleBackward0(Function):
    """The angle of a complex number (``atan2(imag, real)``); of a real one, pi below 0 and
    0 elsewhere (-0 too), NaN kept. Saves ``self``."""

    _name = "AngleBackward0"
    complex_rule = "as_is"  # (the rule below is written for complex numbers)

    def forward(self, a):
        self.save(self=a)
        xp = xp_of(a)
        if a.dtype.kind == "c":
            return xp.angle(a)
        if a.dtype.kind in "biu":
            a = a.astype(dtypes.default_float.np)
        return xp.where(a < 0, np.pi, xp.where(a != a, a, 0)).astype(a.dtype, copy=False)

    def backward(self, g):
        a = self.saved("self")
        xp = xp_of(a)
        if a.dtype.kind != "c":
            return (xp.zeros(a.shape, g.dtype),)
        with fp_quiet():
            out = g * a / (a.real * a.real + a.imag * a.imag) * 1j
        return (xp.where(a == 0, 0, out).astype(a.dtype, copy=False),)

    def backward_graph(self, g):  # a real input's (complex_node refuses a complex one)
        return (zeros_grad(g.shape, g),)

    def jvp(self, xs, out, tangents):
        a, t = xs[0], tangents[0]
        if a.dtype.kind != "c":
            return xp_of(out).zeros_like(out)
        with fp_quiet():
            d = (t * a.conj()).imag / (a.real * a.real + a.imag * a.imag)
        return xp_of(out).where(a == 0, 0, d)


class ComplexBackward0(Function):
    """``real + imag * 1j`` of two real tensors (broadcast): each input's gradient is the
    part of the incoming one that it made."""

    _name = "ComplexBackward0"
    complex_rule = "as_is"  # (the real parts of these are taken for the real inputs)
    pointwise = True

    def forward(self, re, im):
        self.shapes = (re.shape, im.shape)
        out = xp_of(re).empty(np.broadcast_shapes(re.shape, im.shape), _COMPLEX_OF[re.dtype])
        out.real, out.imag = re, im
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        return (
            unbroadcast(g, self.shapes[0]) if na else None,
            unbroadcast(g * -1j, self.shapes[1]) if nb else None,  # (its real part: imag(g))
        )

    def jvp(self, xs, out, tangents):
        ta, tb = tangents[:2]
        return terms(ta, times(tb, 1j) if tb is not None else None)


class PolarBackward0(Function):
    """``abs * (cos(angle) + sin(angle) * 1j)`` of two real tensors (broadcast). Saves the
    result."""

    _name = "PolarBackward0"
    complex_rule = "as_is"  # (the real parts of these are taken for the real inputs)
    pointwise = True

    def forward(self, r, theta):
        self.shapes = (r.shape, theta.shape)
        xp = xp_of(r)
        out = xp.empty(np.broadcast_shapes(r.shape, theta.shape), _COMPLEX_OF[r.dtype])
        out.real, out.imag = r * xp.cos(theta), r * xp.sin(theta)
        self.save(result=out)
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        out, gc = self.saved("result"), g.conj()
        with fp_quiet():
            ga = unbroadcast(gc * _sign_of(out), self.shapes[0]) if na else None
        gb = unbroadcast(gc * (out * 1j), self.shapes[1]) if nb else None
        return ga, gb

    def jvp(self, xs, out, tangents):
        ta, tb = tangents[:2]
        with fp_quiet():
            da = times(ta, _sign_of(out)) if ta is not None else None
        return terms(da, times(tb, out * 1j) if tb is not None else None)


def _sign_of(z):
    """``z / |z|``, 0 where ``z`` is 0 (a complex number's sign, torch's ``sgn``)."""
    xp = xp_of(z)
    a = xp.abs(z)
    return xp.where(a == 0, 0, z / xp.where(a == 0, 1, a)).astype(z.dtype, copy=False)


_COMPLEX_OF = {
    np.dtype(np.float32): np.dtype(np.complex64),
    np.dtype(np.float64): np.dtype(np.complex128),
}


class _Rounding(_Step):
    """Rounding to an integral value by NumPy's ``ufunc`` (an integer is its own); torch
    has no kernel ``kernel`` for bools."""

    ufunc = kernel = ""

    def forward(self, a):
        kind = a.dtype.kind
        if kind == "b":
            refuse_kernel(self.kernel, a.dtype)
        if kind in "iu":
            return a.copy()
        return getattr(xp_of(a), self.ufunc)(a)


class FloorBackward0(_Rounding):
    _name, ufunc, kernel = "FloorBackward0", "floor", "floor_vml_cpu"


class CeilBackward0(_Rounding):
    _name, ufunc, kernel = "CeilBackward0", "ceil", "ceil_vml_cpu"


class TruncBackward0(_Rounding):
    _name, ufunc, kernel = "TruncBackward0", "trunc", "trunc_vml_cpu"


class RoundBackward0(_Rounding):
    """Half to even, as torch (and NumPy's ``rint``)."""

    _name, ufunc, kernel = "RoundBackward0", "rint", "round_vml_cpu"


class RoundBackward1(_Step):
    """``round(a, decimals=d)``, computed as torch does: ``rint(a * 10**d) / 10**d``, or
    ``rint(a / 10**-d) * 10**-d`` for negative ``d``, in ``a``'s dtype."""

    _name = "RoundBackward1"

    def forward(self, a, decimals):
        if a.dtype.kind != "f":  # torch names its plain kernel where decimals is 0
            refuse_kernel("round_vml_cpu" if decimals == 0 else "round_cpu", a.dtype)
        xp = xp_of(a)
        scale = a.dtype.type(10.0 ** abs(decimals))
        if decimals >= 0:
            return xp.rint(a * scale) / scale
        return xp.rint(a / scale) * scale


class FracBackward0(_Passes):
    """``a - trunc(a)``: its gradient passes unchanged."""

    _name = "FracBackward0"

    def forward(self, a):
        if a.dtype.kind != "f":
            refuse_kernel("frac_cpu", a.dtype)
        return a - xp_of(a).trunc(a)


class ClampBackward1(Function):
    """``clamp`` with scalar bounds: saves ``self``; the gradient passes where in range."""

    _name = "ClampBackward1"

    def forward(self, a, lo, hi):
        self.save(self=a)
        self.min, self.max = lo, hi
        return xp_of(a).clip(a, lo, hi).astype(a.dtype, copy=False)

    def backward(self, g):
        a = self.saved("self")
        mask = True
        if self.min is not None:
            mask = a >= self.min
        if self.max is not None:
            mask = mask & (a <= self.max)
        return (keep(g, mask),)

    def backward_graph(self, g):
        a = self.saved("self")
        mask = xp_of(a).ones(a.shape, dtype=bool)
        if self.min is not None:
            mask &= a >= self.min
        if self.max is not None:
            mask &= a <= self.max
        return (api.where(constant(mask), g, 0.0),)

    def jvp(self, xs, out, tangents):
        a = xs[0]
        mask = True
        if self.min is not None:
            mask = a >= self.min
        if self.max is not None:
            mask = mask & (a <= self.max)
        return keep(tangents[0], mask)


class ClampBackward0(Function):
    """``clamp`` with tensor bounds: saves self, min and max."""

    _name = "ClampBackward0"

    def forward(self, a, lo, hi, dtype=None):
        self.save(self=a, min=lo, max=hi)
        self.shapes = (a.shape, _shape(lo), _shape(hi))
        self.dtypes = tuple(getattr(v, "dtype", None) for v in (a, lo, hi))
        xp = xp_of(a)
        if dtype is not None:  # each cast first, as torch (wrapping)
            a, lo, hi = (None if v is None else _in(v, dtype) for v in (a, lo, hi))
        out = a
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        if dtype is not None and out.dtype != dtype:
            return out.astype(dtype)
        return out if out is not a else a.copy()

    @staticmethod
    def _masks(a, lo, hi):
        """Which of ``a``, ``min`` and ``max`` gets the gradient at each place, by torch's
        comparisons (a max below min wins; a NaN among them gives none of them any)."""
        if lo is None:
            return a <= hi, None, a > hi
        if hi is None:
            return a >= lo, a < lo, None
        return (a >= lo) & (a <= hi), (a < lo) & (lo < hi), (a > hi) | (hi < lo)

    def backward(self, g):
        a = self.saved("self")
        s = self._saved
        lo = self.saved("min") if "min" in s else None
        hi = self.saved("max") if "max" in s else None
        m_a, m_lo, m_hi = self._masks(a, lo, hi)
        n0, n1, n2 = self.needs_input_grad
        return tuple(
            cast_like(unbroadcast(keep(g, m), shape), dtype) if need and m is not None else None
            for need, m, shape, dtype in zip(
                (n0, n1, n2), (m_a, m_lo, m_hi), self.shapes, self.dtypes
            )
        )

    def backward_graph(self, g):
        a = self.saved("self")
        s = self._saved
        lo = self.saved("min") if "min" in s else None
        hi = self.saved("max") if "max" in s else None
        masks = self._masks(a, lo, hi)
        return tuple(
            cast_to(sum_to(api.where(constant(m), g, 0.0), shape), dtype or g._data.dtype)
            if need and m is not None
            else None
            for need, m, shape, dtype in zip(self.needs_input_grad, masks, self.shapes, self.dtypes)
        )

    def jvp(self, xs, out, tangents):
        # torch's clamp_jvp: picks a tangent by its own comparisons (not the backward's)
        a, lo, hi = xs
        xp = xp_of(out)
        ta, tlo, thi = (xp.zeros_like(out) if t is None else t for t in tangents)
        if lo is None:
            return xp.where(a < hi, ta, thi)
        if hi is None:
            return xp.where(a > lo, ta, tlo)
        return xp.where(lo > hi, thi, xp.where(a < lo, tlo, xp.where(a > hi, thi, ta)))


class WhereBackward0(Function):
    """``where(cond, a, b)``, run as ``(a, b, cond)``: saves the condition only, which gets no edge."""

    _name = "WhereBackward0"
    complex_rule = "as_is"
    _edges = 2

    def forward(self, a, b, cond, dtype=None):
        self.save(condition=cond)
        self.shapes = (_shape(a), _shape(b))
        self.dtypes = (getattr(a, "dtype", None), getattr(b, "dtype", None))
        return _promote(xp_of(cond).where(cond, a, b), dtype)

    def backward(self, g):
        c = self.saved("condition")
        na, nb, _ = self.needs_input_grad
        xp = xp_of(g)
        zero = g.dtype.type(0)
        ga = gb = None
        if na:
            ga = cast_like(unbroadcast(xp.where(c, g, zero), self.shapes[0]), self.dtypes[0])
        if nb:
            gb = cast_like(unbroadcast(xp.where(c, zero, g), self.shapes[1]), self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        c = constant(self.saved("condition"))
        na, nb, _ = self.needs_input_grad
        ga = gb = None
        if na:
            ga = cast_to(sum_to(api.where(c, g, 0.0), self.shapes[0]), self.dtypes[0])
        if nb:
            gb = cast_to(sum_to(api.where(c, 0.0, g), self.shapes[1]), self.dtypes[1])
        return ga, gb, None

    def jvp(self, xs, out, tangents):
        a, b, c = xs
        ta, tb = tangents[:2]
        xp = xp_of(out)
        return xp.where(c, 0 if ta is None else ta, 0 if tb is None else tb)


class MaskedFillBackward0(Function):
    """``masked_fill(mask, number)``, run as ``(a, mask)``: saves the mask, which gets no
    edge; the value takes ``a``'s dtype."""

    _name = "MaskedFillBackward0"
    complex_rule = "as_is"
    _edges = 1

    def forward(self, a, mask, value):
        self.save(mask=mask)
        self.shape = a.shape  # the result may be larger: a broadcast to the mask's shape
        xp = xp_of(a)
        return contiguous(xp.where(mask, xp.asarray(value).astype(a.dtype), a))  # as torch's

    def backward(self, g):
        mask = self.saved("mask")
        return (unbroadcast(xp_of(g).where(mask, g.dtype.type(0), g), self.shape),)

    def backward_graph(self, g):
        mask = constant(self.saved("mask"))
        return (sum_to(g.masked_fill(mask, 0.0), self.shape), None)

    def jvp(self, xs, out, tangents):
        return xp_of(out).where(xs[1], 0, tangents[0])


class MaskedFillBackward1(Function):
    """``masked_fill(mask, 0-dim tensor)``, run as ``(a, value, mask)``: the value's
    gradient is the sum of the filled elements' (it gets an edge; the mask does not)."""

    _name = "MaskedFillBackward1"
    complex_rule = "as_is"
    _edges = 2

    def forward(self, a, value, mask):
        self.save(mask=mask)
        self.shape, self.value_dtype = a.shape, value.dtype
        xp = xp_of(a)
        return xp.where(mask, value.astype(a.dtype), a)

    def backward(self, g):
        mask = self.saved("mask")
        na, nv = self.needs_input_grad[:2]
        xp = xp_of(g)
        zero = g.dtype.type(0)
        ga = unbroadcast(xp.where(mask, zero, g), self.shape) if na else None
        gv = xp.asarray(xp.where(mask, g, zero).sum(), dtype=self.value_dtype) if nv else None
        return ga, gv

    def backward_graph(self, g):
        mask = constant(self.saved("mask"))
        na, nv = self.needs_input_grad[:2]
        ga = sum_to(g.masked_fill(mask, 0.0), self.shape) if na else None
        gv = None
        if nv:
            gv = api.where(mask, g, 0.0).sum()
            gv = cast_to(gv, self.value_dtype)
        return ga, gv, None

    def jvp(self, xs, out, tangents):
        ta, tv = tangents[:2]
        return xp_of(out).where(xs[2], 0 if tv is None else tv, 0 if ta is None else ta)


class MaximumBackward0(Function):
    """``maximum(a, b)``: saves both; ties split the gradient in half (as torch)."""

    pointwise = True

    _name = "MaximumBackward0"
    _pick = staticmethod(lambda a, b: a > b)

    def forward(self, a, b, dtype=None):
        if a.dtype.kind == "c" or b.dtype.kind == "c":
            raise NotImplementedError(f"{self._name}: gradscope takes real tensors only")
        self.save(self=a, other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        a, b = _in_dtype(a, b, dtype)  # cast first, as torch (wrapping)
        xp = xp_of(a)
        out = xp.maximum(a, b) if self._name == "MaximumBackward0" else xp.minimum(a, b)
        return out if dtype is None or out.dtype == dtype else out.astype(dtype)

    def backward(self, g):
        # torch's: where(a == b, g / 2, g), zeroed where the other operand wins; where
        # either is NaN neither wins, and both get g
        a, b = self.saved("self"), self.saved("other")
        half = xp_of(g).where(a == b, g * 0.5, g)
        na, nb = self.needs_input_grad
        ga = keep(half, ~self._pick(b, a)) if na else None
        gb = keep(half, ~self._pick(a, b)) if nb else None
        return (
            None if ga is None else cast_like(unbroadcast(ga, self.shapes[0]), self.dtypes[0]),
            None if gb is None else cast_like(unbroadcast(gb, self.shapes[1]), self.dtypes[1]),
        )

    def backward_graph(self, g):
        # torch's: where(a == b, g / 2, g), then zero where the other operand wins
        a, b = self.saved("self"), self.saved("other")
        half = api.where(constant(a == b), apply(DivBackward1, (g,), 2), g)
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = sum_to(half.masked_fill(constant(self._pick(b, a)), 0.0), self.shapes[0])
            ga = cast_to(ga, self.dtypes[0])
        if nb:
            gb = sum_to(half.masked_fill(constant(self._pick(a, b)), 0.0), self.shapes[1])
            gb = cast_to(gb, self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        a, b = xs
        ta, tb = tangents
        win = self._pick(a, b)
        tie = (a == b) * 0.5
        return terms(times(ta, win + tie), times(tb, (~win & (a != b)) + tie))


class MinimumBackward0(MaximumBackward0):
    _name = "MinimumBackward0"
    _pick = staticmethod(lambda a, b: a < b)


# ---------------------------------------------------------------- hypot, logaddexp, xlogy,
# copysign, fmax, fmin, sinc, deg2rad, rad2deg


def _unbroadcast_to(g, shape, dtype):
    return cast_like(unbroadcast(g, shape), dtype)


def _sum_to_as(g, shape, dtype):
    return cast_to(sum_to(g, shape), dtype)


def _in_dtype(a, b, dtype):
    """``a`` and ``b`` in the result ``dtype`` (None: as they are)."""
    return (a, b) if dtype is None else (_in(a, dtype), _in(b, dtype))


class HypotBackward0(Function):
    """``hypot(a, b) = sqrt(a² + b²)``: saves both and the result; the gradients are
    ``a / result`` and ``b / result`` (NaN where the result is 0, as in torch)."""

    pointwise = True

    _name = "HypotBackward0"
    saves_output = "result"

    def forward(self, a, b, dtype=None):
        # each gradient reads its own operand only: torch saves just the ones it will read
        na, nb = self.needs_input_grad
        if na and nb:
            self.save(self=a, other=b)
        elif na:
            self.save(self=a)
        else:
            self.save(other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        with fp_quiet():
            return xp_of(a).hypot(*_in_dtype(a, b, dtype))

    def backward(self, g):
        r = self.saved("result")
        na, nb = self.needs_input_grad
        ga = gb = None
        with fp_quiet():
            if na:
                ga = _unbroadcast_to(g * self.saved("self") / r, self.shapes[0], self.dtypes[0])
            if nb:
                gb = _unbroadcast_to(g * self.saved("other") / r, self.shapes[1], self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = _sum_to_as(g * self.saved_tensor("self") / r, self.shapes[0], self.dtypes[0])
        if nb:
            gb = _sum_to_as(g * self.saved_tensor("other") / r, self.shapes[1], self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        with fp_quiet():
            return terms(times(ta, a), times(tb, b)) / out


class LogaddexpBackward0(Function):
    """``log(exp(a) + exp(b))``: saves both; ``a``'s gradient is ``1 / (1 + exp(b - a))``,
    ``b``'s the same the other way round."""

    pointwise = True

    _name = "LogaddexpBackward0"
    base2 = False

    def forward(self, a, b, dtype=None):
        if a.dtype.kind == "c" or b.dtype.kind == "c":
            raise NotImplementedError(f"{self._name}: gradscope takes real tensors only")
        self.save(self=a, other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        xp = xp_of(a)
        with fp_quiet():
            return (xp.logaddexp2 if self.base2 else xp.logaddexp)(*_in_dtype(a, b, dtype))

    def _factor(self, a, b):
        with fp_quiet():
            d = b - a
            return 1 / (1 + (xp_of(d).exp2(d) if self.base2 else xp_of(d).exp(d)))

    def _factor_graph(self, a, b):
        d = b - a
        return (d.exp2() if self.base2 else d.exp()).add(1).reciprocal()

    def backward(self, g):
        a, b = self.saved("self"), self.saved("other")
        na, nb = self.needs_input_grad
        ga = _unbroadcast_to(g * self._factor(a, b), self.shapes[0], self.dtypes[0]) if na else None
        gb = _unbroadcast_to(g * self._factor(b, a), self.shapes[1], self.dtypes[1]) if nb else None
        return ga, gb

    def backward_graph(self, g):
        a, b = self.saved_tensor("self"), self.saved_tensor("other")
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = _sum_to_as(g * self._factor_graph(a, b), self.shapes[0], self.dtypes[0])
        if nb:
            gb = _sum_to_as(g * self._factor_graph(b, a), self.shapes[1], self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        return terms(times(ta, self._factor(a, b)), times(tb, self._factor(b, a)))


class Logaddexp2Backward0(LogaddexpBackward0):
    """``log2(2**a + 2**b)``: ``a``'s gradient is ``1 / (1 + 2**(b - a))``."""

    _name = "Logaddexp2Backward0"
    base2 = True


def xlogy(x, y):
    """torch's ``xlogy`` kernel: ``x * log(y)``, 0 where ``x`` is 0, NaN where ``y`` is."""
    xp = xp_of(y if hasattr(y, "dtype") else x)
    with fp_quiet():
        if hasattr(y, "dtype"):
            log_y = xp.log(y)
        else:  # a Python float, which keeps x's dtype (NumPy's log would give a float64)
            log_y = math.log(y) if y > 0 else (-math.inf if y == 0 else math.nan)
        out = x * log_y
        return xp.where((x == 0) & ~xp.isnan(y), out.dtype.type(0), out)


class _XlogShift:
    """What ``xlogy`` (``a * log(b)``) and ``special.xlog1py`` (``a * log(b + 1)``) differ
    in: the kernel, its tensor form for a graph of the backward, and the shift of ``b``."""

    shift = 0
    kernel = staticmethod(xlogy)

    def tensor_op(self, x, y):
        return api.xlogy(x, y)

    def _den(self, b):
        """``b`` shifted: the derivative of ``a * log(b + shift)`` by ``b`` is ``a`` over it."""
        return b + self.shift if self.shift else b

    def _self_grad(self, g, a, b):
        """``kernel(g, b)``, 0 where ``a`` is 0 and ``b + shift <= 0`` (torch's rule for
        ``self``)."""
        out = self.kernel(g, b)
        return xp_of(out).where((a == 0) & (b <= -self.shift), out.dtype.type(0), out)


class XlogyBackward0(_XlogShift, Function):
    """``xlogy(a, b) = a * log(b)`` (0 where ``a`` is 0) of two tensors: saves both."""

    pointwise = True

    _name = "XlogyBackward0"

    def forward(self, a, b, dtype=None):
        self.save(self=a, other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        return self.kernel(*_in_dtype(a, b, dtype))

    def backward(self, g):
        a, b = self.saved("self"), self.saved("other")
        na, nb = self.needs_input_grad
        ga = gb = None
        with fp_quiet():
            if na:
                ga = _unbroadcast_to(self._self_grad(g, a, b), self.shapes[0], self.dtypes[0])
            if nb:
                gb = _unbroadcast_to(g * a / self._den(b), self.shapes[1], self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        a, b = self.saved_tensor("self"), self.saved_tensor("other")
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            mask = constant((a._data == 0) & (b._data <= -self.shift))
            ga = _sum_to_as(
                self.tensor_op(g, b).masked_fill(mask, 0), self.shapes[0], self.dtypes[0]
            )
        if nb:
            gb = _sum_to_as(g * a / self._den(b), self.shapes[1], self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        with fp_quiet():
            ga = None if ta is None else self._self_grad(ta, a, b)
            return terms(ga, None if tb is None else tb * a / self._den(b))


class XlogyBackward1(_XlogShift, Function):
    """``xlogy(number, b)``: saves ``b``; its gradient is ``self / b``."""

    _name = "XlogyBackward1"

    def forward(self, b, x, dtype=None):
        self.save(other=b)
        self.__dict__["self"] = x  # torch's ``_saved_self``: the number
        self.dtype = b.dtype
        return self.kernel(x, b if dtype is None else _in(b, dtype))

    def backward(self, g):
        with fp_quiet():
            grad = g * self.__dict__["self"] / self._den(self.saved("other"))
        return (cast_like(grad, self.dtype),)

    def backward_graph(self, g):
        grad = g * self.__dict__["self"] / self._den(self.saved_tensor("other"))
        return (cast_to(grad, self.dtype),)

    def jvp(self, xs, out, tangents):
        with fp_quiet():
            return tangents[0] * self.__dict__["self"] / self._den(xs[0])


class XlogyBackward2(_XlogShift, Function):
    """``xlogy(a, number)``: saves ``a``; its gradient is ``log(number)``, 0 where ``a``
    is 0 unless the number is positive (NaN included, unlike ``XlogyBackward0``)."""

    _name = "XlogyBackward2"

    def forward(self, a, y, dtype=None):
        self.save(self=a)
        self.other = y
        self.dtype = a.dtype
        return self.kernel(a if dtype is None else _in(a, dtype), y)

    def _grad(self, g, a):
        out = self.kernel(g, self.other)
        if self.other > -self.shift:
            return out
        return xp_of(out).where(a == 0, out.dtype.type(0), out)

    def backward(self, g):
        return (cast_like(self._grad(g, self.saved("self")), self.dtype),)

    def backward_graph(self, g):
        out = self.tensor_op(g, self.other)
        if not self.other > -self.shift:
            out = out.masked_fill(constant(self.saved("self") == 0), 0)
        return (cast_to(out, self.dtype),)

    def jvp(self, xs, out, tangents):
        return self._grad(tangents[0], xs[0])


class CopysignBackward0(Function):
    """``copysign(a, b)``: ``|a|`` with ``b``'s sign. Saves ``a`` and the result; ``a``'s
    gradient is ``result / a`` (0 where ``a`` is 0), ``b``'s is zeros."""

    pointwise = True

    _name = "CopysignBackward0"
    saves_output = "result"

    def forward(self, a, b, dtype=None):
        self.save(self=a)
        self.shapes = (a.shape, _shape(b))
        self.dtypes = (a.dtype, getattr(b, "dtype", None))
        if dtype is None:
            return xp_of(a).copysign(a, b)
        return xp_of(a).copysign(_in(a, dtype), _in(b, dtype))

    @staticmethod
    def _ratio(a, r):
        with fp_quiet():
            ratio = r / a
        return xp_of(ratio).where(a == 0, ratio.dtype.type(0), ratio)

    def backward(self, g):
        ratio = self._ratio(self.saved("self"), self.saved("result"))
        na = self.needs_input_grad[0]
        ga = _unbroadcast_to(g * ratio, self.shapes[0], self.dtypes[0]) if na else None
        if len(self.needs_input_grad) == 1:
            return (ga,)
        gb = None
        if self.needs_input_grad[1]:
            gb = xp_of(g).zeros(self.shapes[1], dtype=self.dtypes[1])
        return ga, gb

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        ratio = (self.saved_tensor("result") / a).masked_fill(constant(a._data == 0), 0)
        na = self.needs_input_grad[0]
        ga = _sum_to_as(g * ratio, self.shapes[0], self.dtypes[0]) if na else None
        if len(self.needs_input_grad) == 1:
            return (ga,)
        gb = None
        if self.needs_input_grad[1]:
            gb = constant(xp_of(g._data).zeros(self.shapes[1], dtype=self.dtypes[1]))
        return ga, gb

    def jvp(self, xs, out, tangents):
        ta = tangents[0]  # (b's tangent does not count: None alone gives None, as torch)
        return None if ta is None else ta * self._ratio(xs[0], out)


class CopysignBackward1(CopysignBackward0):
    """``copysign(a, number)``: as ``CopysignBackward0``, over ``a`` alone."""

    _name = "CopysignBackward1"


class FmaxBackward0(Function):
    """``fmax(a, b)``: the larger, ignoring a NaN. Saves both; ``a`` gets the gradient
    where ``a >= b`` or ``b`` is NaN, ``b`` elsewhere (ties go to ``a``, as in torch)."""

    pointwise = True

    _name = "FmaxBackward0"
    ufunc = "fmax"

    def forward(self, a, b, dtype=None):
        self.save(self=a, other=b)
        self.shapes = (a.shape, b.shape)
        self.dtypes = (a.dtype, b.dtype)
        a, b = _in_dtype(a, b, dtype)  # cast first, as torch (wrapping)
        out = getattr(xp_of(a), self.ufunc)(a, b)
        return out if dtype is None or out.dtype == dtype else out.astype(dtype)

    def _self_wins(self, a, b, tie: bool = True):
        xp = xp_of(a)
        if self.ufunc == "fmax":
            wins = a >= b if tie else a > b
        else:
            wins = a <= b if tie else a < b
        return wins | xp.isnan(b) if b.dtype.kind in "fc" else wins

    def backward(self, g):
        mask = self._self_wins(self.saved("self"), self.saved("other"))
        na, nb = self.needs_input_grad
        ga = _unbroadcast_to(keep(g, mask), self.shapes[0], self.dtypes[0]) if na else None
        gb = _unbroadcast_to(keep(g, ~mask), self.shapes[1], self.dtypes[1]) if nb else None
        return ga, gb

    def backward_graph(self, g):
        mask = self._self_wins(self.saved("self"), self.saved("other"))
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = _sum_to_as(g.masked_fill(constant(~mask), 0), self.shapes[0], self.dtypes[0])
        if nb:
            gb = _sum_to_as(g.masked_fill(constant(mask), 0), self.shapes[1], self.dtypes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        # torch's forward rules send a tie to b under fmax but to a under fmin
        (a, b), (ta, tb) = xs[:2], tangents[:2]
        mask = self._self_wins(a, b, tie=self.ufunc == "fmin")
        return terms(times(ta, mask), times(tb, ~mask))


class FminBackward0(FmaxBackward0):
    """``fmin(a, b)``: the smaller, ignoring a NaN; ties send the gradient to ``a``."""

    _name = "FminBackward0"
    ufunc = "fmin"


class SincBackward0(Function):
    """``sin(pi a) / (pi a)`` (1 at 0): saves ``a``."""

    _name = "SincBackward0"
    complex_rule = "conj"

    def forward(self, a):
        self.save(self=a)
        with fp_quiet():
            return xp_of(a).sinc(a)

    @staticmethod
    def _times_derivative(g, a):
        # torch's sinc_backward: g * (pi a cos(pi a) - sin(pi a)) / (a a pi), 0 where that
        # denominator is 0 (so also where a * a underflows)
        xp = xp_of(a)
        with fp_quiet():
            pa = a * math.pi
            squared = a * a * math.pi
            d = g * (pa * xp.cos(pa) - xp.sin(pa)) / squared
        return xp.where(squared == 0, d.dtype.type(0), d)

    def backward(self, g):
        return (self._times_derivative(g, self.saved("self")),)

    def backward_graph(self, g):
        a = self.saved_tensor("self")
        pa = a * math.pi
        squared = a * a * math.pi
        d = g * (pa * pa.cos() - pa.sin()) / squared
        return (d.masked_fill(constant(squared._data == 0), 0),)

    def jvp(self, xs, out, tangents):
        return self._times_derivative(tangents[0], xs[0])


class Deg2RadBackward0(Function):
    """``a * pi / 180``: saves nothing."""

    _name = "Deg2RadBackward0"
    factor = math.pi / 180

    def forward(self, a):
        return a * self.factor

    def backward(self, g):
        return (g * self.factor,)

    def backward_graph(self, g):
        return (g * self.factor,)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self.factor


class Rad2DegBackward0(Deg2RadBackward0):
    """``a * 180 / pi``: saves nothing."""

    _name = "Rad2DegBackward0"
    factor = 180 / math.pi


def heaviside(a, values, dtype=None):
    """torch's ``heaviside`` kernel: ``values`` where ``a`` is 0, else ``a > 0`` (0 at NaN)."""
    xp = xp_of(a)
    out = xp.where(a == 0, values, a > 0)
    return out.astype(dtype or a.dtype, copy=False)


# ---------------------------------------------------------------- lerp, addcmul, addcdiv


def _lerp(a, b, w):
    """torch's kernel: ``a + w (b - a)`` for ``|w| < 0.5``, else ``b - (b - a) (1 - w)``
    (elementwise where ``w`` is an array)."""
    xp = xp_of(a)
    d = b - a
    if isinstance(w, (int, float)):
        return a + w * d if abs(w) < 0.5 else b - d * (1 - w)
    return xp.where(xp.abs(w) < 0.5, a + w * d, b - d * (1 - w))


class LerpBackward0(Function):
    """``lerp(start, end, weight)`` with a number weight (saved as a number)."""

    _name = "LerpBackward0"
    complex_rule = "conj"

    def forward(self, a, b, weight):
        self.weight, self.shapes = weight, (a.shape, b.shape)
        return _lerp(a, b, weight).astype(a.dtype, copy=False)

    def backward(self, g):
        na, nb = self.needs_input_grad
        w = self.weight
        return (
            unbroadcast(g * (1 - w), self.shapes[0]) if na else None,
            unbroadcast(g * w, self.shapes[1]) if nb else None,
        )

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        w = self.weight
        return (
            sum_to(apply(MulBackward1, (g,), 1 - w), self.shapes[0]) if na else None,
            sum_to(apply(MulBackward1, (g,), w), self.shapes[1]) if nb else None,
        )

    def jvp(self, xs, out, tangents):
        # torch's: lerp(self_t, end_t, weight), a missing tangent a zero
        ta, tb = tangents
        if ta is None and tb is None:
            return None
        xp = xp_of(out)
        ta = xp.zeros_like(out) if ta is None else ta
        tb = xp.zeros_like(out) if tb is None else tb
        return _lerp(ta, tb, self.weight).astype(out.dtype, copy=False)


class LerpBackward1(Function):
    """``lerp(start, end, weight)`` with a tensor weight; saves, as torch, the weight where
    start's or end's gradient is needed, start and end where the weight's is."""

    _name = "LerpBackward1"
    complex_rule = "conj"

    def forward(self, a, b, w):
        self.shapes = (a.shape, b.shape, w.shape)
        na, nb, nw = self.needs_input_grad
        if nw:
            self.save(self=a, end=b)
        if na or nb:
            self.save(weight=w)
        return _lerp(a, b, w).astype(a.dtype, copy=False)

    def backward(self, g):
        na, nb, nw = self.needs_input_grad
        w = self.saved("weight") if na or nb else None
        return (
            unbroadcast(g * (1 - w), self.shapes[0]) if na else None,
            unbroadcast(g * w, self.shapes[1]) if nb else None,
            unbroadcast(g * (self.saved("end") - self.saved("self")), self.shapes[2])
            if nw
            else None,
        )

    def backward_graph(self, g):
        na, nb, nw = self.needs_input_grad
        a = self.saved_tensor("self") if nw else None
        b = self.saved_tensor("end") if nw else None
        w = self.saved_tensor("weight") if na or nb else None
        return (
            sum_to(g * (1 - w), self.shapes[0]) if na else None,
            sum_to(g * w, self.shapes[1]) if nb else None,
            sum_to(g * (b - a), self.shapes[2]) if nw else None,
        )

    def jvp(self, xs, out, tangents):
        # torch's: lerp(self_t, end_t, weight) + weight_t * (end - self)
        (a, b, w), (ta, tb, tw) = xs, tangents
        first = None
        if ta is not None or tb is not None:
            xp = xp_of(out)
            ta = xp.zeros_like(out) if ta is None else ta
            tb = xp.zeros_like(out) if tb is None else tb
            first = _lerp(ta, tb, w)
        return terms(first, None if tw is None else tw * (b - a))


class AddcmulBackward0(Function):
    """``input + value * tensor1 * tensor2`` (torch's order: ``value * t1``, then ``* t2``),
    in the promoted dtype; saves each factor only where the other one needs a gradient."""

    _name = "AddcmulBackward0"
    complex_rule = "conj"

    def forward(self, a, t1, t2, value, dtype):
        self.value, self.dtype = value, dtype
        self.shapes, self.dtypes = (a.shape, t1.shape, t2.shape), (a.dtype, t1.dtype, t2.dtype)
        _, n1, n2 = self.needs_input_grad
        if n2:
            self.save(tensor1=t1)
        if n1:
            self.save(tensor2=t2)
        # in the result type, as torch casts its operands (int8 * int8 would wrap)
        a, t1, t2 = (x.astype(dtype, copy=False) for x in (a, t1, t2))
        with fp_quiet():
            return (a + (value * t1) * t2).astype(dtype, copy=False)

    def backward(self, g):
        na, n1, n2 = self.needs_input_grad
        v = self.value
        return (
            cast_like(unbroadcast(g, self.shapes[0]), self.dtypes[0]) if na else None,
            cast_like(unbroadcast(g * v * self.saved("tensor2"), self.shapes[1]), self.dtypes[1])
            if n1
            else None,
            cast_like(unbroadcast(g * v * self.saved("tensor1"), self.shapes[2]), self.dtypes[2])
            if n2
            else None,
        )

    def backward_graph(self, g):
        na, n1, n2 = self.needs_input_grad
        v = self.value
        return (
            cast_to(sum_to(g, self.shapes[0]), self.dtypes[0]) if na else None,
            cast_to(sum_to(g * v * self.saved_tensor("tensor2"), self.shapes[1]), self.dtypes[1])
            if n1
            else None,
            cast_to(sum_to(g * v * self.saved_tensor("tensor1"), self.shapes[2]), self.dtypes[2])
            if n2
            else None,
        )

    def jvp(self, xs, out, tangents):
        # torch's: self_t + (tensor1_t * tensor2) * value + (tensor2_t * tensor1) * value
        (_, t1, t2), (ta, t1t, t2t), v = xs, tangents, self.value
        total = terms(
            ta, None if t1t is None else (t1t * t2) * v, None if t2t is None else (t2t * t1) * v
        )
        return None if total is None else total.astype(out.dtype, copy=False)


class AddcdivBackward0(AddcmulBackward0):
    """``input + value * tensor1 / tensor2`` (``value * t1``, then ``/ t2``)."""

    _name = "AddcdivBackward0"
    complex_rule = "conj"

    def forward(self, a, t1, t2, value, dtype):
        self.value, self.dtype = value, dtype
        self.shapes, self.dtypes = (a.shape, t1.shape, t2.shape), (a.dtype, t1.dtype, t2.dtype)
        _, n1, n2 = self.needs_input_grad
        if n2:
            self.save(tensor1=t1)
        if n1 or n2:
            self.save(tensor2=t2)
        # in the result type, as torch casts its operands (int8 * int8 would wrap)
        a, t1, t2 = (x.astype(dtype, copy=False) for x in (a, t1, t2))
        with fp_quiet():
            return (a + (value * t1) / t2).astype(dtype, copy=False)

    def backward(self, g):
        na, n1, n2 = self.needs_input_grad
        v = self.value
        gb = g1 = g2 = None
        with fp_quiet():
            if na:
                gb = cast_like(unbroadcast(g, self.shapes[0]), self.dtypes[0])
            t2 = self.saved("tensor2") if (n1 or n2) else None
            if n1:
                g1 = cast_like(unbroadcast(g * v / t2, self.shapes[1]), self.dtypes[1])
            if n2:
                t1 = self.saved("tensor1")
                g2 = cast_like(unbroadcast(-g * v * t1 / (t2 * t2), self.shapes[2]), self.dtypes[2])
        return gb, g1, g2

    def backward_graph(self, g):
        na, n1, n2 = self.needs_input_grad
        v = self.value
        gb = g1 = g2 = None
        if na:
            gb = cast_to(sum_to(g, self.shapes[0]), self.dtypes[0])
        t2 = self.saved_tensor("tensor2") if (n1 or n2) else None
        if n1:
            g1 = cast_to(sum_to(g * v / t2, self.shapes[1]), self.dtypes[1])
        if n2:
            t1 = self.saved_tensor("tensor1")
            g2 = cast_to(sum_to(-g * v * t1 / (t2 * t2), self.shapes[2]), self.dtypes[2])
        return gb, g1, g2

    def jvp(self, xs, out, tangents):
        (_, t1, t2), (ta, t1t, t2t), v = xs, tangents, self.value
        with fp_quiet():
            # torch's: self_t + (tensor1_t / tensor2) * value
            #   - (tensor2_t * (tensor1 / tensor2) / tensor2) * value
            total = terms(
                ta,
                None if t1t is None else (t1t / t2) * v,
                None if t2t is None else -((t2t * (t1 / t2) / t2) * v),
            )
        return None if total is None else total.astype(out.dtype, copy=False)
