"""Activations and normalisers: relu, sigmoid, tanh, softmax, log_softmax (all save their output).

Each backward is also an op of its own under ``create_graph=True``, as in torch
(``TanhBackwardBackward0`` ...): a node run as ``(g, result)`` whose backward is the
second derivative.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import half_like, one_like, xp_of
from ._broadcast import keep
from ._graph import zeros_grad
from ._jvp import terms


class ReluBackward0(Function):
    _name = "ReluBackward0"
    saves_output = "result"

    def forward(self, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        return xp_of(a).maximum(a, 0).astype(a.dtype, copy=False)

    def backward(self, g):
        return (keep(g, ~(self.saved("result") <= 0)),)  # a NaN passes g on, as torch

    def backward_graph(self, g):
        return (apply(ThresholdBackwardBackward0, (g, self.saved_tensor("result"))),)

    def jvp(self, xs, out, tangents):
        return keep(tangents[0], ~(out <= 0))


class ThresholdBackwardBackward0(Function):
    """relu's backward as an op, ``g * (result > 0)``, run as ``(g, result)``: linear in
    ``g``, and a step in ``result``, whose gradient is zero (torch's ``zeros_like``)."""

    _name = "ThresholdBackwardBackward0"

    def forward(self, g, result):
        self.save(result=result)
        return keep(g, ~(result <= 0))

    def backward(self, u):
        r = self.saved("result")
        ng, nr = self.needs_input_grad
        return (
            keep(u, ~(r <= 0)) if ng else None,
            xp_of(u).zeros(r.shape, u.dtype) if nr else None,
        )

    def backward_graph(self, u):
        r = self.saved_tensor("result")
        ng, nr = self.needs_input_grad
        gg = apply(ThresholdBackwardBackward0, (u, r)) if ng else None
        return gg, zeros_grad(r.shape, u) if nr else None

    def jvp(self, xs, out, tangents):
        tg = tangents[0]
        return None if tg is None else keep(tg, ~(xs[1] <= 0))


class SigmoidBackward0(Function):
    _name = "SigmoidBackward0"
    saves_output = "result"

    def forward(self, a):
        # the tanh form never overflows, unlike 1 / (1 + exp(-a))
        half = half_like(a)
        out = xp_of(a).tanh(a * half)
        out += one_like(a)
        out *= half
        return out

    def backward(self, g):
        r = self.saved("result")
        return (g * r * (one_like(r) - r),)

    def backward_graph(self, g):
        return (apply(SigmoidBackwardBackward0, (g, self.saved_tensor("result"))),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * out * (1 - out)


class SigmoidBackwardBackward0(Function):
    """sigmoid's backward as an op, ``g * y * (1 - y)``, run as ``(g, y)``: the gradients
    are ``u * y * (1 - y)`` for ``g`` and ``u * g * (1 - 2 y)`` for ``y``."""

    _name = "SigmoidBackwardBackward0"

    def forward(self, g, y):
        self.save(output=y)
        if self.needs_input_grad[1]:
            self.save(grad_output=g)
        return g * y * (one_like(y) - y)

    def backward(self, u):
        y = self.saved("output")
        ng, ny = self.needs_input_grad
        gg = u * y * (one_like(y) - y) if ng else None
        gy = u * self.saved("grad_output") * (one_like(y) - 2 * y) if ny else None
        return gg, gy

    def backward_graph(self, u):
        y = self.saved_tensor("output")
        ng, ny = self.needs_input_grad
        gg = apply(SigmoidBackwardBackward0, (u, y)) if ng else None
        gy = u * self.saved_tensor("grad_output") * (1 - 2 * y) if ny else None
        return gg, gy

    def jvp(self, xs, out, tangents):
        (g, y), (tg, ty) = xs, tangents
        return terms(
            None if tg is None else tg * y * (one_like(y) - y),
            None if ty is None else ty * g * (one_like(y) - 2 * y),
        )


class TanhBackward0(Function):
    _name = "TanhBackward0"
    saves_output = "result"

    def forward(self, a):
        return xp_of(a).tanh(a)

    def backward(self, g):
        r = self.saved("result")
        return (g * (one_like(r) - r * r),)

    def backward_graph(self, g):
        return (apply(TanhBackwardBackward0, (g, self.saved_tensor("result"))),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * (1 - out * out)


class TanhBackwardBackward0(Function):
    """tanh's backward as an op, ``g * (1 - y**2)``, run as ``(g, y)``: the gradients are
    ``u * (1 - y**2)`` for ``g`` and ``-2 u g y`` for ``y``."""

    _name = "TanhBackwardBackward0"

    def forward(self, g, y):
        self.save(output=y)
        if self.needs_input_grad[1]:
            self.save(grad_output=g)
        return g * (one_like(y) - y * y)

    def backward(self, u):
        y = self.saved("output")
        ng, ny = self.needs_input_grad
        gg = u * (one_like(y) - y * y) if ng else None
        gy = -2 * u * self.saved("grad_output") * y if ny else None
        return gg, gy

    def backward_graph(self, u):
        y = self.saved_tensor("output")
        ng, ny = self.needs_input_grad
        gg = apply(TanhBackwardBackward0, (u, y)) if ng else None
        gy = -2 * y * u * self.saved_tensor("grad_output") if ny else None
        return gg, gy

    def jvp(self, xs, out, tangents):
        (g, y), (tg, ty) = xs, tangents
        return terms(
            None if tg is None else tg * (one_like(y) - y * y),
            None if ty is None else -2 * g * y * ty,
        )


def _quiet():
    """NumPy's floating-point warnings off: an inf logit (inf - inf) or an inf gradient
    (inf * 0) gives NaN here silently, as in torch. CuPy arrays never warn."""
    return np.errstate(all="ignore")


def _softmax(a, dim):
    if a.size == 0:  # nothing to normalise (and NumPy's max of nothing raises)
        return a.copy()
    xp = xp_of(a)
    with _quiet():
        e = xp.exp(a - a.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
    return e


def _log_softmax(a, dim):
    if a.size == 0:
        return a.copy()
    xp = xp_of(a)
    with _quiet():
        shifted = a - a.max(axis=dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))


class SoftmaxBackward0(Function):
    _name = "SoftmaxBackward0"
    saves_output = "result"

    def forward(self, a, dim):
        out = _softmax(a, dim)
        self.dim = dim
        return out

    def backward(self, g):
        r = self.saved("result")
        with _quiet():
            return (r * (g - (g * r).sum(axis=self.dim, keepdims=True)),)

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        return (apply(SoftmaxBackwardDataBackward0, (g, r), self.dim),)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return out * (t - (t * out).sum(axis=self.dim, keepdims=True))


class SoftmaxBackwardDataBackward0(Function):
    """softmax's backward as an op, ``y * (g - sum(g y))`` along ``dim``, run as ``(g, y)``.

    Symmetric in ``g``, so ``g``'s gradient is the same op on ``u``; ``y``'s is
    ``u g - sum(y g) u - g sum(y u)`` (torch's ``softmax_double_backward``).
    """

    _name = "SoftmaxBackwardDataBackward0"

    def forward(self, g, y, dim):
        self.dim = dim
        self.save(output=y)
        if self.needs_input_grad[1]:
            self.save(grad_output=g)
        with _quiet():
            return y * (g - (g * y).sum(axis=dim, keepdims=True))

    def backward(self, u):
        y, d = self.saved("output"), self.dim
        ng, ny = self.needs_input_grad
        gg = y * (u - (u * y).sum(axis=d, keepdims=True)) if ng else None
        gy = None
        if ny:
            g = self.saved("grad_output")
            gy = u * (g - (y * g).sum(axis=d, keepdims=True)) - g * (y * u).sum(
                axis=d, keepdims=True
            )
        return gg, gy

    def backward_graph(self, u):
        y, d = self.saved_tensor("output"), self.dim
        ng, ny = self.needs_input_grad
        gg = apply(SoftmaxBackwardDataBackward0, (u, y), d) if ng else None
        gy = None
        if ny:
            g = self.saved_tensor("grad_output")
            gy = u * g - (y * g).sum(d, keepdim=True) * u - g * (y * u).sum(d, keepdim=True)
        return gg, gy

    def jvp(self, xs, out, tangents):
        # out = y * (g - s), s = sum(g y): d out = dy (g - s) + y (dg - ds)
        (g, y), (tg, ty), d = xs, tangents, self.dim
        s = (g * y).sum(axis=d, keepdims=True)
        ds = 0
        if tg is not None:
            ds = ds + (tg * y).sum(axis=d, keepdims=True)
        if ty is not None:
            ds = ds + (g * ty).sum(axis=d, keepdims=True)
        t = y * ((0 if tg is None else tg) - ds)
        return t if ty is None else t + ty * (g - s)


class LogSoftmaxBackward0(Function):
    _name = "LogSoftmaxBackward0"
    saves_output = "result"

    def forward(self, a, dim):
        out = _log_softmax(a, dim)
        self.dim = dim
        return out

    def backward(self, g):
        r = self.saved("result")
        with _quiet():
            return (g - xp_of(g).exp(r) * g.sum(axis=self.dim, keepdims=True),)

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        return (apply(LogSoftmaxBackwardDataBackward0, (g, r), self.dim),)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return t - (xp_of(out).exp(out) * t).sum(axis=self.dim, keepdims=True)


class LogSoftmaxBackwardDataBackward0(Function):
    """log_softmax's backward as an op, ``g - exp(y) sum(g)`` along ``dim``, run as
    ``(g, y)``: the gradients are ``u - sum(u exp(y))`` for ``g`` and
    ``-u exp(y) sum(g)`` for ``y``."""

    _name = "LogSoftmaxBackwardDataBackward0"

    def forward(self, g, y, dim):
        self.dim = dim
        self.save(output=y)
        if self.needs_input_grad[1]:
            self.save(grad_output=g)
        with _quiet():
            return g - xp_of(y).exp(y) * g.sum(axis=dim, keepdims=True)

    def backward(self, u):
        y, d = self.saved("output"), self.dim
        ng, ny = self.needs_input_grad
        p = xp_of(y).exp(y)
        gg = u - (u * p).sum(axis=d, keepdims=True) if ng else None
        gy = -u * p * self.saved("grad_output").sum(axis=d, keepdims=True) if ny else None
        return gg, gy

    def backward_graph(self, u):
        y, d = self.saved_tensor("output"), self.dim
        ng, ny = self.needs_input_grad
        p = y.exp()
        gg = u - (u * p).sum(d, keepdim=True) if ng else None
        gy = -self.saved_tensor("grad_output").sum(d, keepdim=True) * p * u if ny else None
        return gg, gy

    def jvp(self, xs, out, tangents):
        # out = g - exp(y) sum(g): d out = dg - exp(y) (dy sum(g) + sum(dg))
        (g, y), (tg, ty), d = xs, tangents, self.dim
        p = xp_of(y).exp(y)
        t = None
        if tg is not None:
            t = tg - p * tg.sum(axis=d, keepdims=True)
        if ty is not None:
            t = terms(t, -p * ty * g.sum(axis=d, keepdims=True))
        return t
