"""Number-theoretic and floating-point-format ops: gcd, lcm (integers, no derivative),
ldexp, nextafter and frexp; and dist, the norm of a difference."""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, named_as_torch
from ..backend import xp_of
from . import api
from ._broadcast import cast_like, unbroadcast
from ._graph import constant, sum_to
from ._jvp import terms, times
from .reduce import LinalgVectorNormBackward0, _norm, _norm_grad, _norm_grad_graph


@named_as_torch
class IntegerOp(Function):
    """``gcd`` or ``lcm`` (``op``) of integer operands in ``dtype``: no gradient, as such
    tensors have none."""

    _name = "NotImplemented"
    _namespace = "torch::autograd::"

    def forward(self, a, b, op, dtype):
        xp = xp_of(a)
        out = getattr(xp, op)(a.astype(dtype, copy=False), b.astype(dtype, copy=False))
        return out.astype(dtype, copy=False)


def _exp2(other, dtype):
    """``pow(2.0, other)`` as torch computes it: an integer exponent in the default float."""
    return xp_of(other).exp2(other.astype(dtype, copy=False))


def _grad_scale(other):
    """torch's ``pow(2, other)`` in ldexp's derivative: of an integer ``other``, an integer
    power, 0 for a negative exponent (so that the gradient there is 0, as torch's)."""
    xp = xp_of(other)
    if other.dtype.kind in "fc":
        return xp.exp2(other)
    if other.dtype.kind == "b":
        other = other.astype(np.int64)
    return xp.where(other < 0, 0, xp.left_shift(xp.ones((), other.dtype), xp.maximum(other, 0)))


class LdexpBackward0(Function):
    """``self * 2 ** other``; saves the result, and other where self's gradient is needed."""

    _name = "LdexpBackward0"
    complex_rule = "conj"

    def forward(self, a, b, dtype, pow_dtype):
        self.shapes, self.pow_dtype = (a.shape, b.shape), pow_dtype
        out = (a.astype(dtype, copy=False) * _exp2(b, pow_dtype).astype(dtype, copy=False)).astype(
            dtype, copy=False
        )
        if self.needs_input_grad[0]:
            self.save(other=b)
        self.save(result=out)
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            scale = _grad_scale(self.saved("other"))
            ga = unbroadcast((g * scale).astype(g.dtype, copy=False), self.shapes[0])
        if nb:
            gb = unbroadcast(g * self.saved("result") * math.log(2.0), self.shapes[1])
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            b = self.saved_tensor("other")
            scale = api.pow(2, b) if b._data.dtype.kind in "fc" else _grad_scale(b._data)
            ga = sum_to(
                g * (scale if b._data.dtype.kind in "fc" else constant(scale)), self.shapes[0]
            )
        if nb:
            gb = sum_to(g * self.saved_tensor("result") * math.log(2.0), self.shapes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        (_, b), (ta, tb) = xs, tangents
        first = None if ta is None else (ta * _grad_scale(b)).astype(out.dtype, copy=False)
        return terms(first, times(tb, out * math.log(2.0)))


def _moves(a, b):
    """Where ``nextafter(a, b)`` is not ``b`` itself (NaN included): its gradient's mask."""
    return a != b


class NextafterBackward0(Function):
    """The next number after self towards other; saves both. The gradient passes to self
    where self differs from other (elsewhere the result is other), and other's is zero."""

    _name = "NextafterBackward0"

    def forward(self, a, b, dtype):
        self.shapes = (a.shape, b.shape)
        self.save(self=a, other=b)
        xp = xp_of(a)
        return xp.nextafter(a.astype(dtype, copy=False), b.astype(dtype, copy=False))

    def backward(self, g):
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            moves = _moves(self.saved("self"), self.saved("other"))
            ga = unbroadcast(
                xp_of(g).where(moves, g, 0).astype(g.dtype, copy=False), self.shapes[0]
            )
        if nb:
            gb = xp_of(g).zeros(self.shapes[1], dtype=g.dtype)
        return ga, gb

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            moves = _moves(self.saved("self"), self.saved("other"))
            ga = sum_to(api.where(constant(moves), g, 0), self.shapes[0])
        if nb:
            gb = constant(xp_of(g._data).zeros(self.shapes[1], dtype=g._data.dtype))
        return ga, gb

    def jvp(self, xs, out, tangents):
        (a, b), ta = xs, tangents[0]
        xp = xp_of(out)
        if ta is None:
            return xp.zeros(out.shape, dtype=out.dtype)
        return xp.where(_moves(a, b), ta, 0).astype(out.dtype, copy=False)


def frexp_arrays(a):
    """``(mantissa, exponent)`` of ``a`` as arrays (of a 0-dim ``a`` too), the exponent int32."""
    xp = xp_of(a)
    mantissa, exponent = xp.frexp(a)
    return (
        xp.asarray(mantissa).astype(a.dtype, copy=False),
        xp.asarray(exponent).astype(np.int32, copy=False),
    )


class FrexpBackward0(Function):
    """``frexp``'s mantissa (the exponent, int32, is saved and has no gradient):
    the gradient is divided by ``2 ** exponent``."""

    _name = "FrexpBackward0"

    def forward(self, a):
        mantissa, exponent = frexp_arrays(a)
        self.save(exponent=exponent)
        return mantissa

    def backward(self, g):
        return ((g / xp_of(g).exp2(self.saved("exponent"))).astype(g.dtype, copy=False),)

    def backward_graph(self, g):
        e = self.saved("exponent")
        return (g / constant(xp_of(e).exp2(e).astype(g._data.dtype)),)

    def jvp(self, xs, out, tangents):
        _, exponent = frexp_arrays(xs[0])
        return (tangents[0] / xp_of(out).exp2(exponent)).astype(out.dtype, copy=False)


class DistBackward0(LinalgVectorNormBackward0):
    """``dist(self, other, p)``: the ``p``-norm of ``self - other`` (broadcast) over every
    element; saves self, other and the result."""

    _name = "DistBackward0"

    def forward(self, a, b, p, dtype):
        self.ord, self.dim, self.keepdim = p, None, False
        self.shapes = (a.shape, b.shape)
        x = a.astype(dtype, copy=False) - b.astype(dtype, copy=False)
        out = _norm(xp_of(x).abs(x) if x.dtype.kind == "c" else x, float(p), (), False)
        self.save(self=a, other=b, result=out)
        return out

    def backward(self, g):
        na, nb = self.needs_input_grad
        if float(self.ord) == 0:
            return None, None
        a, b, r = self.saved("self"), self.saved("other"), self.saved("result")
        x = a - b
        grad = xp_of(x).asarray(_norm_grad(g, x, r, float(self.ord), None)).astype(x.dtype)
        return (  # (a real operand of a complex difference gets the real part)
            cast_like(unbroadcast(grad, self.shapes[0]), a.dtype) if na else None,
            cast_like(unbroadcast(-grad, self.shapes[1]), b.dtype) if nb else None,
        )

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        if float(self.ord) == 0:
            return None, None
        x = self.saved_tensor("self") - self.saved_tensor("other")
        grad = _norm_grad_graph(g, x, self.saved_tensor("result"), float(self.ord), None)
        return (
            sum_to(grad, self.shapes[0]) if na else None,
            sum_to(-grad, self.shapes[1]) if nb else None,
        )

    def jvp(self, xs, out, tangents):
        (a, b), (ta, tb) = xs, tangents
        xp = xp_of(out)
        ta = xp.zeros((), out.dtype) if ta is None else ta
        tb = xp.zeros((), out.dtype) if tb is None else tb
        x = a - b
        t = xp.broadcast_to(ta - tb, x.shape)
        return xp.asarray(self._tangent(x, t, out)).astype(out.dtype, copy=False)
