"""Activations and normalisers: relu, sigmoid, tanh, softmax, log_softmax (all save their output)."""

from __future__ import annotations

from ..autograd.function import Function
from ..backend import half_like, one_like, xp_of


class ReluBackward0(Function):
    _name = "ReluBackward0"
    saves_output = "result"

    def forward(self, a):
        return xp_of(a).maximum(a, 0).astype(a.dtype, copy=False)

    def backward(self, g):
        return (g * (self.saved("result") > 0),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * (out > 0)


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

    def jvp(self, xs, out, tangents):
        return tangents[0] * out * (1 - out)


class TanhBackward0(Function):
    _name = "TanhBackward0"
    saves_output = "result"

    def forward(self, a):
        return xp_of(a).tanh(a)

    def backward(self, g):
        r = self.saved("result")
        return (g * (one_like(r) - r * r),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * (1 - out * out)


def _softmax(a, dim):
    xp = xp_of(a)
    e = xp.exp(a - a.max(axis=dim, keepdims=True))
    e /= e.sum(axis=dim, keepdims=True)
    return e


def _log_softmax(a, dim):
    xp = xp_of(a)
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
        return (r * (g - (g * r).sum(axis=self.dim, keepdims=True)),)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return out * (t - (t * out).sum(axis=self.dim, keepdims=True))


class LogSoftmaxBackward0(Function):
    _name = "LogSoftmaxBackward0"
    saves_output = "result"

    def forward(self, a, dim):
        out = _log_softmax(a, dim)
        self.dim = dim
        return out

    def backward(self, g):
        r = self.saved("result")
        return (g - xp_of(g).exp(r) * g.sum(axis=self.dim, keepdims=True),)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return t - (xp_of(out).exp(out) * t).sum(axis=self.dim, keepdims=True)
