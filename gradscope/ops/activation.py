"""Activations and normalisers: relu, sigmoid, tanh, softmax, log_softmax (all save their output).

Each backward is also an op of its own under ``create_graph=True``, as in torch
(``TanhBackwardBackward0`` ...): a node run as ``(g, result)`` whose backward is the
second derivative.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, apply
from ..backend import contiguous, erf, fp_quiet, half_like, one_like, xp_of
from ._broadcast import keep, unbroadcast
from ._graph import constant, joined, zeros_grad
from ._jvp import terms
from .elementwise import AddBackward1


class ReluBackward0(Function):
    _name = "ReluBackward0"
    saves_output = "result"

    def forward(self, a):
        if a.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        return xp_of(a).maximum(a, 0).astype(a.dtype, copy=False)

    def backward(self, g):
        # torch's ``result <= 0 ? 0 : g``; a result is never below 0, so that is where it
        # is not 0, and a NaN result passes g on, as torch's
        return (keep(g, self.saved("result") != 0),)

    def backward_graph(self, g):
        return (apply(ThresholdBackwardBackward0, (g, self.saved_tensor("result"))),)

    def jvp(self, xs, out, tangents):
        return keep(tangents[0], out != 0)


class ThresholdBackwardBackward0(Function):
    """relu's or threshold's backward as an op, ``g * (x > threshold)``, run as ``(g, x)``
    (relu's ``x`` is its result): linear in ``g``, and a step in ``x``, whose gradient is
    zero (torch's ``zeros_like``)."""

    _name = "ThresholdBackwardBackward0"

    def forward(self, g, x, threshold=0):
        self.threshold = threshold
        self.save(self=x)
        return keep(g, ~(x <= threshold))

    def backward(self, u):
        x = self.saved("self")
        ng, nx = self.needs_input_grad
        return (
            keep(u, ~(x <= self.threshold)) if ng else None,
            xp_of(u).zeros(x.shape, u.dtype) if nx else None,
        )

    def backward_graph(self, u):
        x = self.saved_tensor("self")
        ng, nx = self.needs_input_grad
        gg = apply(ThresholdBackwardBackward0, (u, x), self.threshold) if ng else None
        return gg, zeros_grad(x.shape, u) if nx else None

    def jvp(self, xs, out, tangents):
        tg = tangents[0]
        return None if tg is None else keep(tg, ~(xs[1] <= self.threshold))


class SigmoidBackward0(Function):
    _name = "SigmoidBackward0"
    complex_rule = "conj"
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
    complex_rule = "conj"
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
    return fp_quiet()


def _softmax(a, dim):
    if a.size == 0:  # nothing to normalise (and NumPy's max of nothing raises)
        return a.copy()
    a = contiguous(a)  # as torch's kernel: the result in C order whatever the input's
    xp = xp_of(a)
    with _quiet():
        e = xp.exp(a - a.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
    return e


def _log_softmax(a, dim):
    if a.size == 0:
        return a.copy()
    a = contiguous(a)
    xp = xp_of(a)
    with _quiet():
        shifted = a - a.max(axis=dim, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))


class SoftmaxBackward0(Function):
    _name = "SoftmaxBackward0"
    complex_rule = "conj"
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


# ---------------------------------------------------------------- pointwise activations
# Each saves its input (or, run in place, its output) and computes as torch's CPU kernels
# do, so that infinities and NaN land where torch's do (where torch's vectorised loop and
# its scalar one part, at a NaN in hardtanh's and elu's backward, as the scalar one). Under create_graph=True the
# backward is ``g * f'(x)`` in tensor ops (torch records one ``...BackwardBackward0`` node).


class _Pointwise(Function):
    """``f(x)`` saving ``x``: ``_f`` and ``_df`` on arrays, ``_df_graph`` on a tensor."""

    def forward(self, a, *args):
        self._args(*args)
        self.save(self=a)
        with _quiet():
            return self._f(a)

    # its backward as an op of its own under create_graph=True, where torch records one
    # (``GeluBackwardBackward0``); None: the backward in tensor ops, as torch's silu
    _bb: type | None = None

    def _args(self):
        pass

    def _grad(self, g, x):
        """The backward's kernel: ``g * f'(x)``."""
        return g * self._df(x)

    def backward(self, g):
        with _quiet():
            return (self._grad(g, self.saved("self")),)

    def _params(self) -> tuple:
        """What ``_args`` took, for the double-backward node to rebuild ``_df`` from."""
        return ()

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        if self._bb is not None:
            return (apply(self._bb, (g, x), type(self), self._params()),)
        return (g * self._df_graph(x),)

    def jvp(self, xs, out, tangents):
        with _quiet():
            return tangents[0] * self._df(xs[0])


class _PointwiseBackwardBackward(Function):
    """A pointwise activation's backward as an op, ``g * f'(x)``, run as ``(g, x)`` with
    the activation's class and arguments: the gradients are ``u * f'(x)`` for ``g`` and
    ``u * g * f''(x)`` for ``x`` (zeros where ``f''`` is, as torch's ``zeros_like``)."""

    x_slot = "self"
    zero_second = False  # f'' is 0 wherever it is defined (a piecewise-linear activation)

    def forward(self, g, x, fwd_cls, params):
        self.fwd_cls, self.params = fwd_cls, params
        self.f = f = fwd_cls.__new__(fwd_cls)
        f._args(*params)
        self.save(**{self.x_slot: x})
        if self.needs_input_grad[1] and not self.zero_second:
            self.save(grad_output=g)
        with _quiet():
            return f._grad(g, x)

    def backward(self, u):
        x = self.saved(self.x_slot)
        ng, nx = self.needs_input_grad
        with _quiet():
            gg = self.f._grad(u, x) if ng else None
            if not nx:
                gx = None
            elif self.zero_second:
                gx = xp_of(u).zeros(x.shape, u.dtype)
            else:
                gx = u * self.saved("grad_output") * self.f._d2f(x)
        return gg, gx

    def backward_graph(self, u):
        x = self.saved_tensor(self.x_slot)
        ng, nx = self.needs_input_grad
        gg = apply(type(self), (u, x), self.fwd_cls, self.params) if ng else None
        if not nx:
            gx = None
        elif self.zero_second:
            gx = zeros_grad(x.shape, u)
        else:
            gx = u * self.saved_tensor("grad_output") * self.f._d2f_graph(x)
        return gg, gx

    def jvp(self, xs, out, tangents):
        (g, x), (tg, tx) = xs, tangents
        with _quiet():
            return terms(
                None if tg is None else self.f._grad(tg, x),
                None if tx is None or self.zero_second else tx * g * self.f._d2f(x),
            )


_SQRT1_2 = math.sqrt(0.5)
_GELU_PDF = 1 / math.sqrt(2 * math.pi)  # torch's M_2_SQRTPI * M_SQRT1_2 * 0.5
_GELU_BETA = math.sqrt(2 / math.pi)  # torch's M_SQRT2 * M_2_SQRTPI * 0.5
_GELU_KAPPA = 0.044715


class GeluBackward0(_Pointwise):
    """``x * Phi(x)``, or with ``approximate='tanh'`` its tanh form."""

    _name = "GeluBackward0"

    def _args(self, approximate):
        self.approximate = approximate

    def _f(self, x):
        if self.approximate == "tanh":
            inner = _GELU_BETA * (x + _GELU_KAPPA * (x * x * x))
            return 0.5 * x * (1 + xp_of(x).tanh(inner))
        return x * 0.5 * (1 + erf(x * _SQRT1_2))

    def _df(self, x):
        xp = xp_of(x)
        if self.approximate == "tanh":
            sq = x * x
            t = xp.tanh(_GELU_BETA * (x + _GELU_KAPPA * (sq * x)))
            right = 0.5 * x * (1 - t * t) * _GELU_BETA * (1 + 3 * _GELU_KAPPA * sq)
            return 0.5 * (1 + t) + right
        cdf = 0.5 * (1 + erf(x * _SQRT1_2))
        return cdf + x * (_GELU_PDF * xp.exp(-0.5 * x * x))

    def _df_graph(self, x):
        if self.approximate == "tanh":
            sq = x * x
            t = (_GELU_BETA * (x + _GELU_KAPPA * (sq * x))).tanh()
            right = 0.5 * x * (1 - t * t) * _GELU_BETA * (1 + 3 * _GELU_KAPPA * sq)
            return 0.5 * (1 + t) + right
        return 0.5 * (1 + (x * _SQRT1_2).erf()) + x * (_GELU_PDF * (-0.5 * x * x).exp())

    def _params(self) -> tuple:
        return (self.approximate,)

    def _d2f(self, x):
        xp = xp_of(x)
        sq = x * x
        if self.approximate == "tanh":
            # inner = beta (x + kappa x^3), t = tanh(inner):
            # f'' = (1 - t^2) (inner' + x (inner'' / 2 - t inner'^2))
            t = xp.tanh(_GELU_BETA * (x + _GELU_KAPPA * (sq * x)))
            d1 = _GELU_BETA * (1 + 3 * _GELU_KAPPA * sq)
            d2 = _GELU_BETA * 6 * _GELU_KAPPA * x
            return (1 - t * t) * (d1 + x * (0.5 * d2 - t * d1 * d1))
        return _GELU_PDF * xp.exp(-0.5 * sq) * (2 - sq)  # phi(x) (2 - x^2)

    def _d2f_graph(self, x):
        sq = x * x
        if self.approximate == "tanh":
            t = (_GELU_BETA * (x + _GELU_KAPPA * (sq * x))).tanh()
            d1 = _GELU_BETA * (1 + 3 * _GELU_KAPPA * sq)
            d2 = _GELU_BETA * 6 * _GELU_KAPPA * x
            return (1 - t * t) * (d1 + x * (0.5 * d2 - t * d1 * d1))
        return _GELU_PDF * (-0.5 * sq).exp() * (2 - sq)


class GeluBackwardBackward0(_PointwiseBackwardBackward):
    _name = "GeluBackwardBackward0"


class SiluBackward0(_Pointwise):
    """``x * sigmoid(x)``."""

    _name = "SiluBackward0"
    complex_rule = "no_grad"

    def _f(self, x):
        return x / (1 + xp_of(x).exp(-x))

    def _df(self, x):
        s = 1 / (1 + xp_of(x).exp(-x))
        return s * (1 + x * (1 - s))

    def _df_graph(self, x):
        s = x.sigmoid()
        return s * (1 + x * (1 - s))

    def backward_graph(self, g):
        # torch records silu's backward as these ops, in this order (no node of its own)
        x = self.saved_tensor("self")
        s = x.sigmoid()
        one = constant(xp_of(x._data).ones((), x._data.dtype))  # C++'s 1 - t: a sub of two
        return ((g * s) * apply(AddBackward1, (x * (one - s),), 1),)


class SoftplusBackward0(_Pointwise):
    """``log(1 + exp(beta x)) / beta``, and ``x`` itself where ``beta x > threshold``."""

    _name = "SoftplusBackward0"

    def _args(self, beta, threshold):
        self.beta, self.threshold = beta, threshold

    def _f(self, x):
        xp = xp_of(x)
        bx = x * self.beta
        return xp.where(bx > self.threshold, x, xp.log1p(xp.exp(bx)) / self.beta)

    def _df(self, x):
        xp = xp_of(x)
        bx = x * self.beta
        z = xp.exp(bx)
        return xp.where(bx > self.threshold, 1, z / (z + 1)).astype(x.dtype, copy=False)

    def _df_graph(self, x):
        linear = constant((x._data * self.beta > self.threshold).astype(x._data.dtype))
        return linear + (1 - linear) * (x * self.beta).sigmoid()

    def _params(self) -> tuple:
        return (self.beta, self.threshold)

    def _d2f(self, x):
        xp = xp_of(x)
        bx = x * self.beta
        z = 1 / (1 + xp.exp(-bx))
        return xp.where(bx > self.threshold, 0, self.beta * z * (1 - z)).astype(x.dtype, copy=False)

    def _d2f_graph(self, x):
        curved = constant((x._data * self.beta <= self.threshold).astype(x._data.dtype))
        z = (x * self.beta).sigmoid()
        return curved * (self.beta * z * (1 - z))


class SoftplusBackwardBackward0(_PointwiseBackwardBackward):
    _name = "SoftplusBackwardBackward0"


class LogSigmoidBackward0(Function):
    """``log(sigmoid(x))``, as ``min(x, 0) - log1p(exp(-|x|))``; saves ``x`` and the
    ``exp(-|x|)`` it computed (``buffer``)."""

    _name = "LogSigmoidBackward0"

    def forward(self, a):
        xp = xp_of(a)
        with _quiet():
            buffer = xp.exp(-xp.abs(a))
            self.save(self=a, buffer=buffer)
            return contiguous(xp.minimum(a, 0) - xp.log1p(buffer))  # C order, as torch's

    @staticmethod
    def _df(x, z):
        xp = xp_of(x)
        neg = x < 0
        sign = xp.where(neg, 1, -1).astype(x.dtype)
        with _quiet():
            return neg.astype(x.dtype) - sign * (z / (1 + z))

    def backward(self, g):
        return (g * self._df(self.saved("self"), self.saved("buffer")),)

    def backward_graph(self, g):
        x, buffer = self.saved_tensor("self"), self.saved("buffer")
        return (apply(LogSigmoidBackwardBackward0, (g, x), buffer),)

    def jvp(self, xs, out, tangents):
        xp = xp_of(xs[0])
        return tangents[0] * self._df(xs[0], xp.exp(-xp.abs(xs[0])))


class LogSigmoidBackwardBackward0(Function):
    """logsigmoid's backward as an op, ``g * f'(x)`` (with the forward's ``buffer``), run
    as ``(g, x)``: the gradients are ``u * f'(x)`` for ``g`` and ``-u g z (1 - z)`` for
    ``x``, ``z = sigmoid(x)``."""

    _name = "LogSigmoidBackwardBackward0"

    def forward(self, g, x, buffer):
        self.save(self=x, buffer=buffer)
        if self.needs_input_grad[1]:
            self.save(grad_output=g)
        return g * LogSigmoidBackward0._df(x, buffer)

    @staticmethod
    def _d2f(x):
        with _quiet():
            z = 1 / (1 + xp_of(x).exp(-x))
        return (z - 1) * z

    def backward(self, u):
        x = self.saved("self")
        ng, nx = self.needs_input_grad
        gg = u * LogSigmoidBackward0._df(x, self.saved("buffer")) if ng else None
        gx = u * self.saved("grad_output") * self._d2f(x) if nx else None
        return gg, gx

    def backward_graph(self, u):
        x = self.saved_tensor("self")
        ng, nx = self.needs_input_grad
        gg = apply(LogSigmoidBackwardBackward0, (u, x), self.saved("buffer")) if ng else None
        if nx:
            z = x.sigmoid()
            gx = u * self.saved_tensor("grad_output") * ((z - 1) * z)
        else:
            gx = None
        return gg, gx

    def jvp(self, xs, out, tangents):
        (g, x), (tg, tx) = xs, tangents
        xp = xp_of(x)
        df = LogSigmoidBackward0._df(x, xp.exp(-xp.abs(x)))
        return terms(None if tg is None else tg * df, None if tx is None else tx * g * self._d2f(x))


class LeakyReluBackward0(Function):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""

    _name = "LeakyReluBackward0"

    def forward(self, a, negative_slope):
        self._args(negative_slope)
        self.save(self=a)
        return xp_of(a).where(a > 0, a, a * negative_slope).astype(a.dtype, copy=False)

    def _args(self, negative_slope):
        self.negative_slope = negative_slope

    def _slopes(self, x):
        return xp_of(x).where(x > 0, 1, self.negative_slope).astype(x.dtype)

    def _grad(self, g, x):
        return g * self._slopes(x)

    def backward(self, g):
        return (self._grad(g, self.saved("self")),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        return (
            apply(LeakyReluBackwardBackward0, (g, x), LeakyReluBackward0, (self.negative_slope,)),
        )

    def jvp(self, xs, out, tangents):
        return tangents[0] * self._slopes(xs[0])


class LeakyReluBackwardBackward0(_PointwiseBackwardBackward):
    _name = "LeakyReluBackwardBackward0"
    zero_second = True


class LeakyReluBackward1(LeakyReluBackward0):
    """``leaky_relu_``: the same, from its output (a negative slope has no backward)."""

    _name = "LeakyReluBackward1"
    saves_output = "result"

    def forward(self, a, negative_slope):
        self.negative_slope = negative_slope
        return xp_of(a).where(a > 0, a, a * negative_slope).astype(a.dtype, copy=False)

    def _result_slopes(self):
        if self.negative_slope < 0:
            raise RuntimeError(M_LEAKY_NEGATIVE_SLOPE)
        return self._slopes(self.saved("result"))

    def backward(self, g):
        return (g * self._result_slopes(),)

    def backward_graph(self, g):
        self._result_slopes()  # refuses a negative slope
        r = self.saved_tensor("result")  # its signs are the input's: the same slopes
        return (
            apply(LeakyReluBackwardBackward0, (g, r), LeakyReluBackward0, (self.negative_slope,)),
        )


M_LEAKY_NEGATIVE_SLOPE = (
    "In-place leakyReLu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead. File an issue at "
    "https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
    "backward calculation with negative slope"
)
M_ELU_NEGATIVE_SLOPE = (
    "In-place elu backward calculation is triggered with a negative slope which is not "
    "supported. This is caused by calling in-place forward function with a negative slope, "
    "please call out-of-place version instead."
)


class EluBackward0(_Pointwise):
    """``scale * x`` where positive, ``scale * alpha * (exp(input_scale * x) - 1)`` elsewhere."""

    _name = "EluBackward0"

    def _args(self, alpha, scale, input_scale):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale

    def _f(self, x):
        xp = xp_of(x)
        neg = xp.expm1(x * self.input_scale) * (self.alpha * self.scale)
        return xp.where(x > 0, x * self.scale, neg).astype(x.dtype, copy=False)

    def _df(self, x):
        xp = xp_of(x)
        c = self.input_scale * self.alpha * self.scale
        return xp.where(x <= 0, c * xp.exp(x * self.input_scale), self.scale).astype(x.dtype)

    def _df_graph(self, x):
        neg = constant(x._data <= 0).to(x.dtype)
        c = self.input_scale * self.alpha * self.scale
        return neg * (c * (x * self.input_scale).exp()) + (1 - neg) * self.scale

    def _params(self) -> tuple:
        return (self.alpha, self.scale, self.input_scale)

    def _d2f(self, x):
        # 0 at x == 0 itself, where f' took the negative side: torch's mask is x < 0
        xp = xp_of(x)
        c = self.input_scale * self.input_scale * self.alpha * self.scale
        return xp.where(x < 0, c * xp.exp(x * self.input_scale), 0).astype(x.dtype, copy=False)

    def _d2f_graph(self, x):
        neg = constant(x._data < 0).to(x.dtype)
        c = self.input_scale * self.input_scale * self.alpha * self.scale
        return neg * (c * (x * self.input_scale).exp())


class EluBackwardBackward0(_PointwiseBackwardBackward):
    _name = "EluBackwardBackward0"
    x_slot = "self_or_result"


class EluBackward1(EluBackward0):
    """``elu_``: the same, from its output (a negative alpha has no backward)."""

    _name = "EluBackward1"
    saves_output = "result"

    def forward(self, a, alpha, scale, input_scale):
        self._args(alpha, scale, input_scale)
        with _quiet():
            return self._f(a)

    def _result_df(self, r):
        if self.alpha < 0:
            raise RuntimeError(M_ELU_NEGATIVE_SLOPE)
        xp = xp_of(r)
        neg = self.input_scale * (r + self.alpha * self.scale)
        return xp.where(r <= 0, neg, self.scale).astype(r.dtype)

    def backward(self, g):
        return (g * self._result_df(self.saved("result")),)

    def backward_graph(self, g):
        r = self.saved_tensor("result")
        self._result_df(r._data)  # refuses a negative alpha
        return (apply(EluBackwardBackward0, (g, r), EluBackward1, self._params()),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self._result_df(out)

    # for its double-backward node, run on the result (torch's ``is_result``): f' is
    # ``input_scale (r + alpha scale)`` where ``r <= 0``, and its derivative in ``r`` is
    # ``input_scale`` where ``r < 0``
    def _grad(self, g, r):
        return g * self._result_df(r)

    def _d2f(self, r):
        return xp_of(r).where(r < 0, self.input_scale, 0).astype(r.dtype, copy=False)

    def _d2f_graph(self, r):
        return constant(r._data < 0).to(r.dtype) * self.input_scale


class HardtanhBackward0(Function):
    """``x`` clipped to ``[min_val, max_val]``; the gradient passes strictly inside."""

    _name = "HardtanhBackward0"

    def forward(self, a, min_val, max_val):
        self._args(min_val, max_val)
        self.save(self=a)
        xp = xp_of(a)
        # torch's clamp: min, then max (so max_val wins where min_val > max_val); NaN stays
        low = xp.where(a < min_val, min_val, a)
        return xp.where(low > max_val, max_val, low).astype(a.dtype, copy=False)

    def _args(self, min_val, max_val):
        self.min_val, self.max_val = min_val, max_val

    def _inside(self, x):
        return ~((x <= self.min_val) | (x >= self.max_val))

    def _grad(self, g, x):
        return keep(g, self._inside(x))

    def backward(self, g):
        return (self._grad(g, self.saved("self")),)

    def backward_graph(self, g):
        x, args = self.saved_tensor("self"), (self.min_val, self.max_val)
        return (apply(HardtanhBackwardBackward0, (g, x), HardtanhBackward0, args),)

    def jvp(self, xs, out, tangents):
        return keep(tangents[0], self._inside(xs[0]))


class HardtanhBackwardBackward0(_PointwiseBackwardBackward):
    _name = "HardtanhBackwardBackward0"
    zero_second = True


GeluBackward0._bb = GeluBackwardBackward0
SoftplusBackward0._bb = SoftplusBackwardBackward0
EluBackward0._bb = EluBackwardBackward0  # (elu_, from its output, has its own rule)


# ---------------------------------------------------------------- layer_norm


class MishBackward0(_Pointwise):
    """``x * tanh(softplus(x))``."""

    _name = "MishBackward0"

    def _f(self, x):
        return x * xp_of(x).tanh(xp_of(x).logaddexp(0, x)).astype(x.dtype, copy=False)

    def _df(self, x):
        xp = xp_of(x)
        t = xp.tanh(xp.logaddexp(0, x))
        s = 1 / (1 + xp.exp(-x))
        return (t + x * s * (1 - t * t)).astype(x.dtype, copy=False)

    def _df_graph(self, x):
        from ..nn import functional as F

        t = F.softplus(x).tanh()
        return t + x * x.sigmoid() * (1 - t * t)


class _PiecewiseLinear(_Pointwise):
    """An activation whose slope is constant between kinks: its backward in tensor ops
    multiplies by that slope held as a constant, except where it depends on ``x``."""

    def _df_graph(self, x):
        return constant(self._df(x._data))


class HardsigmoidBackward0(_PiecewiseLinear):
    """``relu6(x + 3) / 6``."""

    _name = "HardsigmoidBackward0"

    def _f(self, x):
        return (xp_of(x).clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    def _df(self, x):
        # torch's kernel takes 1/6 as a float (1.0f / 6.0f) for every dtype
        return ((x > -3) & (x < 3)).astype(x.dtype) * x.dtype.type(np.float32(1) / np.float32(6))


class HardswishBackward0(_Pointwise):
    """``x * relu6(x + 3) / 6``."""

    _name = "HardswishBackward0"

    def _f(self, x):
        return (x * xp_of(x).clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    def _df(self, x):
        xp = xp_of(x)
        mid = x / 3 + 0.5
        return xp.where(x < -3, 0, xp.where(x <= 3, mid, 1)).astype(x.dtype, copy=False)

    def _df_graph(self, x):
        a = x._data
        mid = constant(((a >= -3) & (a <= 3)).astype(a.dtype))
        hi = constant((a > 3).astype(a.dtype))
        return (x / 3 + 0.5) * mid + hi


class NativeLayerNormBackward0(Function):
    """Each sample normalised over its last ``len(normalized_shape)`` dims, then scaled by
    ``weight`` and shifted by ``bias`` (either may be None), run as ``(input, weight,
    bias)``; saves them, the mean (``result1``) and the reciprocal standard deviation
    (``result2``), both shaped as the input with those dims kept as 1."""

    _name = "NativeLayerNormBackward0"

    def forward(self, x, weight, bias, normalized_shape, eps):
        self.normalized_shape, self.eps = normalized_shape, eps
        self.axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
        # torch's kernel reads the input in C order (and saves the input as it is)
        mean, rstd, xhat = self._stats(contiguous(x))
        self.save(input=x, result1=mean, result2=rstd)
        if weight is not None:
            self.save(weight=weight)
        if bias is not None:
            self.save(bias=bias)
        out = xhat if weight is None else xhat * weight
        return out if bias is None else out + bias

    def _stats(self, x):
        """The mean, the reciprocal standard deviation and the normalised ``x``."""
        with _quiet():
            mean = x.mean(axis=self.axes, keepdims=True, dtype=np.float64).astype(x.dtype)
            d = x - mean
            var = (d * d).mean(axis=self.axes, keepdims=True, dtype=np.float64).astype(x.dtype)
            xp = xp_of(x)
            # a variance past the dtype's range is NaN in torch's kernel, not inf
            var = xp.where(xp.isinf(var), xp.nan, var).astype(x.dtype, copy=False)
            rstd = (1 / xp.sqrt(var + self.eps)).astype(x.dtype, copy=False)
        return mean, rstd, d * rstd

    def _weight(self, saved):
        return saved("weight") if "weight" in self._saved else None

    def _normalised_grad(self, gh, xhat, rstd):
        """The input's gradient (or tangent) from that of the normalised input."""
        axes = self.axes
        return rstd * (
            gh
            - gh.mean(axis=axes, keepdims=True)
            - xhat * (gh * xhat).mean(axis=axes, keepdims=True)
        )

    def backward(self, g):
        x, w = self.saved("input"), self._weight(self.saved)
        mean, rstd = self.saved("result1"), self.saved("result2")
        nx, nw, nb = self.needs_input_grad
        lead = tuple(range(self.axes[0]))
        xhat = (x - mean) * rstd
        with _quiet():
            gx = None
            if nx:  # in float64 at least: the terms cancel, and float32 loses digits to that
                acc = np.promote_types(x.dtype, np.float64)
                x64, r64 = x.astype(acc), rstd.astype(acc)
                gh = g.astype(acc) if w is None else g.astype(acc) * w.astype(acc)
                gx = self._normalised_grad(gh, (x64 - mean.astype(acc)) * r64, r64)
                gx = gx.astype(x.dtype, copy=False)
            gw = (g * xhat).sum(axis=lead) if nw else None
            gb = g.sum(axis=lead) if nb else None
        return gx, gw, gb

    def backward_graph(self, g):
        x, w = self.saved_tensor("input"), self._weight(self.saved_tensor)
        nx, nw, nb = self.needs_input_grad
        dims, lead = self.axes, tuple(range(self.axes[0]))
        # the statistics again, in tensor ops: the gradient's graph runs through them
        d = x - x.mean(dims, keepdim=True)
        rstd = ((d * d).mean(dims, keepdim=True) + self.eps) ** -0.5
        xhat = d * rstd
        gx = gw = gb = None
        if nx:
            gh = g if w is None else g * w
            gx = gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True)
            gx = rstd * gx
        if nw:
            gw = (g * xhat).sum(lead) if lead else g * xhat
        if nb:
            gb = g.sum(lead) if lead else g
        b = self.saved_tensor("bias") if "bias" in self._saved else None
        # torch's one op reads all of these: each gradient requires grad if any does
        return joined(self, (gx, gw, gb), g, x, w, b)

    def jvp(self, xs, out, tangents):
        (x, w, _), (tx, tw, tb) = xs, tangents
        _, rstd, xhat = self._stats(x)
        t = None
        if tx is not None:
            with _quiet():
                t = self._normalised_grad(tx, xhat, rstd)
            t = t if w is None else t * w
        return terms(t, None if tw is None else xhat * tw, tb)


# ---------------------------------------------------------------- threshold, shrinks, celu


class ThresholdBackward0(Function):
    """``value`` where ``x <= threshold``, ``x`` elsewhere; saves the input."""

    _name = "ThresholdBackward0"

    def forward(self, a, threshold, value):
        self.threshold = threshold
        self.save(self=a)
        # NaN is kept, as torch's ``x <= threshold ? value : x``
        return xp_of(a).where(a <= threshold, value, a).astype(a.dtype, copy=False)

    def backward(self, g):
        return (keep(g, ~(self.saved("self") <= self.threshold)),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        return (apply(ThresholdBackwardBackward0, (g, x), self.threshold),)

    def jvp(self, xs, out, tangents):
        return keep(tangents[0], ~(xs[0] <= self.threshold))


class ThresholdBackward1(ThresholdBackward0):
    """``threshold_``: the same rule, on a copy of the input kept before the write."""

    _name = "ThresholdBackward1"

    def jvp(self, xs, out, tangents):
        return None if tangents[0] is None else super().jvp(xs, out, tangents)


class _Shrink(_Pointwise):
    """A shrink by ``lambd``: the gradient passes where ``|x| > lambd``."""

    def _args(self, lambd):
        self.lambd = lambd

    def _params(self) -> tuple:
        return (self.lambd,)

    def _inside(self, x):
        return (x >= -self.lambd) & (x <= self.lambd)  # False for NaN, as torch's test

    def _df(self, x):
        return (~self._inside(x)).astype(x.dtype)

    def _df_graph(self, x):
        return constant(self._df(x._data))

    def _d2f(self, x):
        return xp_of(x).zeros_like(x)


class SoftshrinkBackward0(_Shrink):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between."""

    _name = "SoftshrinkBackward0"

    def _f(self, x):
        xp = xp_of(x)
        lam = self.lambd
        out = xp.where(x > lam, x - lam, xp.where(x < -lam, x + lam, 0))
        return xp.where(xp.isnan(x), x, out).astype(x.dtype, copy=False)  # NaN passes


class HardshrinkBackward0(_Shrink):
    """``x`` where ``|x| > lambd``, 0 elsewhere."""

    _name = "HardshrinkBackward0"

    def _f(self, x):
        return xp_of(x).where(self._inside(x), 0, x).astype(x.dtype, copy=False)


class SoftshrinkBackwardBackward0(_PointwiseBackwardBackward):
    _name = "SoftshrinkBackwardBackward0"
    zero_second = True


class HardshrinkBackwardBackward0(_PointwiseBackwardBackward):
    _name = "HardshrinkBackwardBackward0"
    zero_second = True


SoftshrinkBackward0._bb = SoftshrinkBackwardBackward0
HardshrinkBackward0._bb = HardshrinkBackwardBackward0


class CeluBackward0(EluBackward0):
    """``celu``: ``elu`` with ``input_scale = 1 / alpha`` (run as ``(x, alpha, 1, 1/alpha)``);
    its double backward is elu's, as in torch."""

    _name = "CeluBackward0"


class CeluBackward1(EluBackward1):
    """``celu_``: the same, from its output."""

    _name = "CeluBackward1"


# ---------------------------------------------------------------- glu, prelu


def _halves(x, dim: int):
    n = x.shape[dim] // 2
    idx = [slice(None)] * x.ndim
    idx[dim] = slice(0, n)
    a = x[tuple(idx)]
    idx[dim] = slice(n, None)
    return a, x[tuple(idx)]


def _sigmoid(b):
    with _quiet():
        return (1 / (1 + xp_of(b).exp(-b))).astype(b.dtype, copy=False)


class GluBackward0(Function):
    """``a * sigmoid(b)`` of the halves ``a``, ``b`` of the input along ``dim``; saves the
    input. Its double backward is written in tensor ops (torch has ``GluBackwardBackward0``)."""

    _name = "GluBackward0"

    def forward(self, x, dim):
        self._dim = dim % x.ndim
        self.dim = dim % (1 << 64)  # as torch shows its saved int64 dim
        self.save(self=x)
        a, b = _halves(x, self._dim)
        return a * _sigmoid(b)

    def _grad(self, g, x):
        a, b = _halves(x, self._dim)
        s = _sigmoid(b)
        return xp_of(x).concatenate([g * s, g * a * s * (1 - s)], axis=self._dim)

    def backward(self, g):
        return (self._grad(g, self.saved("self")),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        a, b = x.chunk(2, self._dim)
        s = b.sigmoid()
        from . import api

        return (api.cat([g * s, g * a * s * (1 - s)], self._dim),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], tangents[0]
        a, b = _halves(x, self._dim)
        ta, tb = _halves(t, self._dim)
        s = _sigmoid(b)
        return ta * s + a * s * (1 - s) * tb


class PreluKernelBackward0(Function):
    """``x`` where positive, ``weight * x`` elsewhere, ``weight`` broadcast over ``x``;
    saves both. Its double backward is written in tensor ops (torch has
    ``PreluKernelBackwardBackward0``)."""

    _name = "PreluKernelBackward0"

    def forward(self, x, w):
        self.save(self=x, weight=w)
        return xp_of(x).where(x > 0, x, w * x).astype(x.dtype, copy=False)

    def backward(self, g):
        x, w = self.saved("self"), self.saved("weight")
        xp = xp_of(x)
        nx, nw = self.needs_input_grad
        gx = xp.where(x > 0, g, w * g).astype(g.dtype, copy=False) if nx else None
        gw = None
        if nw:
            gw = unbroadcast(xp.where(x > 0, 0, x * g).astype(g.dtype, copy=False), w.shape)
        return gx, gw

    def backward_graph(self, g):
        from ._graph import sum_to

        x, w = self.saved_tensor("self"), self.saved_tensor("weight")
        pos = constant((x._data > 0).astype(x._data.dtype))
        nx, nw = self.needs_input_grad
        gx = g * pos + (g * w) * (1 - pos) if nx else None
        gw = sum_to(x * g * (1 - pos), tuple(w.shape)) if nw else None
        return gx, gw

    def jvp(self, xs, out, tangents):
        x, w = xs
        tx, tw = tangents
        xp = xp_of(x)
        # torch's rule: where(x >= 0, tx, w * tx + tw * x)
        return terms(
            None if tx is None else xp.where(x >= 0, tx, w * tx),
            None if tw is None else xp.where(x >= 0, 0, tw * x),
        )
