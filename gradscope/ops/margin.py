"""Margin losses with nodes of their own in torch: soft_margin_loss, multi_margin_loss and
multilabel_margin_loss.

``soft_margin_loss`` has a second derivative (``SoftMarginLossBackwardBackward0``) and a
forward-mode rule; the other two have neither in torch: under ``create_graph=True`` their
gradient comes from a ``NotImplemented`` node that refuses to go further, and forward mode
refuses them.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import fp_quiet, xp_of
from ..errors import refuse_forward_ad
from ._broadcast import unbroadcast
from ._graph import constant
from ._jvp import terms
from .elementwise import NotImplementedBackward, _Passes


class SubBackward1(_Passes):
    """A tensor minus a number held as a number (torch's C++ scalar, as in
    ``cosine_embedding_loss``'s ``cos - margin``): nothing is saved for it."""

    _name = "SubBackward1"
    complex_rule = "as_is"

    def forward(self, a, other):
        return a - other


def _reduce(loss, reduction, dtype):
    """``loss`` summed, averaged (NaN over no elements, as torch) or left as it is."""
    if reduction == "none":
        return loss
    with fp_quiet():
        s = loss.sum() if reduction == "sum" else loss.sum() / loss.size
    return xp_of(loss).asarray(s, dtype=dtype)


# ---------------------------------------------------------------- soft_margin_loss


def _soft_margin_slope(x, t, scale):
    """``-scale t exp(-t x) / (1 + exp(-t x))``, in torch's order of operations (so that
    infinities give its NaNs)."""
    xp = xp_of(x)
    z = xp.exp(-t * x)
    return (t * z) * -scale / (z + 1)


class SoftMarginLossBackward0(Function):
    """``log(1 + exp(-target * input))``, reduced, in the input's dtype (the target
    broadcasts to the input's shape); saves self and target. The target gets no edge."""

    _name = "SoftMarginLossBackward0"
    _edges = 1

    def forward(self, x, t, reduction):
        self.reduction, self.numel = reduction, x.size
        self.save(self=x, target=t)
        tt = t.astype(x.dtype, copy=False)
        with fp_quiet():
            loss = xp_of(x).log1p(xp_of(x).exp(-x * tt)).astype(x.dtype, copy=False)
        return _reduce(loss, reduction, x.dtype)

    def _norm(self):
        return 1.0 / self.numel if self.reduction == "mean" else 1.0

    def _target(self):
        t = self.saved("target")
        if t.dtype == np.bool_:  # torch's backward negates the target
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return t

    def backward(self, g):
        x = self.saved("self")
        t = self._target().astype(x.dtype, copy=False)
        with fp_quiet():
            d = _soft_margin_slope(x, t, x.dtype.type(self._norm())) * g
        return (d.astype(x.dtype, copy=False),)

    def backward_graph(self, g):
        t = self._target()
        x = self.saved_tensor("self")
        return (apply(SoftMarginLossBackwardBackward0, (g, x), t, self.reduction),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], xs[1].astype(xs[0].dtype, copy=False)
        with fp_quiet():
            d = _soft_margin_slope(x, t, x.dtype.type(1)) * tangents[0]
        return _reduce(d.astype(out.dtype, copy=False), self.reduction, out.dtype)


class SoftMarginLossBackwardBackward0(Function):
    """soft_margin_loss's backward as an op, run as ``(g, input)`` with the target: its
    gradient for ``g`` is the backward of ``u`` (summed against ``g``'s shape), for the
    input ``u g t**2 z / (1 + z)**2`` (``z = exp(-t x)``, ``/ n`` for a mean)."""

    _name = "SoftMarginLossBackwardBackward0"

    def forward(self, g, x, t, reduction):
        self.reduction, self.numel, self.target = reduction, x.size, t
        self.g_shape = g.shape
        self.save(self=x)
        if self.needs_input_grad[1]:
            self.save(grad_output=g)
        tt = t.astype(x.dtype, copy=False)
        with fp_quiet():
            out = _soft_margin_slope(x, tt, x.dtype.type(self._norm())) * g
        return out.astype(x.dtype, copy=False)

    def _norm(self):
        return 1.0 / self.numel if self.reduction == "mean" else 1.0

    def _curvature(self, x):
        """``t**2 z / (1 + z)**2``, over the element count for a mean."""
        t = self.target.astype(x.dtype, copy=False)
        z = xp_of(x).exp(x * -t)
        zp1 = z + 1
        return t, z, zp1

    def _grad_of_g(self, u, x):
        t = self.target.astype(x.dtype, copy=False)
        if self.reduction == "none":
            return _soft_margin_slope(x, t, x.dtype.type(1)) * u
        r = _soft_margin_slope(x, t, x.dtype.type(self._norm()))
        return xp_of(u).asarray((r * u).sum(), dtype=u.dtype)

    def backward(self, u):
        ng, nx = self.needs_input_grad
        x = self.saved("self")
        gg = gx = None
        with fp_quiet():
            if ng:
                gg = unbroadcast(self._grad_of_g(u, x), self.g_shape).astype(x.dtype, copy=False)
            if nx:
                t, z, zp1 = self._curvature(x)
                gx = u * self.saved("grad_output") * t * t * z / (zp1 * zp1)
                if self.reduction == "mean":
                    gx = gx / self.numel
                gx = gx.astype(x.dtype, copy=False)
        return gg, gx

    def backward_graph(self, u):
        ng, nx = self.needs_input_grad
        x = self.saved_tensor("self")
        t = constant(self.target.astype(x._data.dtype, copy=False))
        gg = gx = None
        z = (x * -t).exp()
        zp1 = z + 1
        if ng:
            r = (t * z) * -self._norm() / zp1
            gg = r * u if self.reduction == "none" else (r * u).sum()
        if nx:
            gx = u * self.saved_tensor("grad_output") * t * t * z / (zp1 * zp1)
            if self.reduction == "mean":
                gx = gx / self.numel
        return gg, gx

    def jvp(self, xs, out, tangents):
        (g, x), (tg, tx) = xs, tangents
        with fp_quiet():
            a = None
            if tg is not None:
                t = self.target.astype(x.dtype, copy=False)
                a = _soft_margin_slope(x, t, x.dtype.type(self._norm())) * tg
            b = None
            if tx is not None:
                t, z, zp1 = self._curvature(x)
                b = tx * g * t * t * z / (zp1 * zp1)
                if self.reduction == "mean":
                    b = b / self.numel
            total = terms(a, b)
        return None if total is None else total.astype(out.dtype, copy=False)


# ---------------------------------------------------------------- multi_margin_loss,
# multilabel_margin_loss: (dim,) or (N, dim) scores, run here as (N, dim)


def _frames(x):
    """``x`` as (frames, dim): a 0-dim or 1-dim input is one frame."""
    if x.ndim == 2:
        return x
    return x.reshape(1, -1)


def _finish(loss, reduction, frames, dtype, keep_frames):
    """Per-frame losses reduced as torch's kernels reduce them."""
    xp = xp_of(loss)
    if reduction == "none":
        return loss.astype(dtype, copy=False) if keep_frames else loss.reshape(())
    with fp_quiet():
        s = loss.sum() if reduction == "sum" else loss.sum() / frames
    return xp.asarray(s, dtype=dtype)


def _times_grad_output(d, g, reduction, frames):
    """A per-frame gradient times the incoming one (per frame for ``none``)."""
    if reduction == "none" and g.ndim > 0:
        return d * g.reshape(frames, 1)
    return d * g


class _NoSecondDerivative(Function):
    """A loss whose backward torch cannot differentiate: under ``create_graph`` the
    gradient comes from a ``NotImplemented`` node over the gradient and the input."""

    _edges = 1
    _op = ""  # torch's name for the backward, in its refusal to differentiate it
    _forward_op = ""  # and for the forward, in forward mode's refusal

    def jvp(self, xs, out, tangents):
        refuse_forward_ad(self._forward_op)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        out = self.backward(g._data)[0]
        grads = tuple(v for v in (g, x) if v._rg)
        return (apply(NotImplementedBackward, grads, self._op, out),)


class MultiMarginLossBackward0(_NoSecondDerivative):
    """``sum_{d != y} max(0, margin - x[y] + x[d])**p * w[y] / dim`` per frame, reduced,
    run as ``(input, target, weight or None)``; saves self, target and the weight."""

    _name = "MultiMarginLossBackward0"
    _op, _forward_op = "multi_margin_loss_backward", "multi_margin_loss"

    def forward(self, x, target, weight, p, margin, reduction, keep_frames):
        self.p, self.margin, self.reduction = p, margin, reduction
        self.shape, self.keep_frames = x.shape, keep_frames
        self.save(self=x, target=target)
        if weight is not None:
            self.save(weight=weight)
        self.weight = weight
        z, mask = self._margins(x, target)
        h = z if p == 1 else z * z
        h = xp_of(x).where(mask, h, 0)
        if weight is not None:
            h = h * self._weights(x, target)[:, None]
        loss = h.sum(axis=1) / x.dtype.type(z.shape[1])
        return _finish(loss.astype(x.dtype), reduction, z.shape[0], x.dtype, keep_frames)

    def _margins(self, x, target):
        xp = xp_of(x)
        x2 = _frames(x)
        y = target.reshape(-1)
        at = xp.take_along_axis(x2, y[:, None], axis=1)
        z = x.dtype.type(self.margin) - at + x2
        cols = xp.arange(x2.shape[1])
        mask = (z > 0) & (cols[None, :] != y[:, None])
        return z, mask

    def _weights(self, x, target):
        w = self.weight.reshape(-1)
        return w[target.reshape(-1)].astype(x.dtype, copy=False)

    def backward(self, g):
        x, target = self.saved("self"), self.saved("target")
        xp = xp_of(x)
        z, mask = self._margins(x, target)
        frames, dim = z.shape
        scale = 1.0 / (frames * dim) if self.reduction == "mean" else 1.0 / dim
        scale = x.dtype.type(scale)
        h = xp.full(z.shape, scale, dtype=x.dtype) if self.p == 1 else 2 * scale * z
        h = xp.where(mask, h, 0).astype(x.dtype, copy=False)
        if self.weight is not None:
            h = h * self._weights(x, target)[:, None]
        cols = xp.arange(dim)
        at_target = cols[None, :] == target.reshape(-1)[:, None]
        d = xp.where(at_target, -h.sum(axis=1, keepdims=True), h)
        d = _times_grad_output(d, g, self.reduction, frames)
        return (d.astype(x.dtype, copy=False).reshape(self.shape),)


class MultilabelMarginLossBackward0(_NoSecondDerivative):
    """``sum_{j, d not a target} max(0, 1 - x[y_j] + x[d]) / dim`` per frame over its
    targets ``y_j`` (up to the first -1), reduced; saves self, target and ``is_target``
    (1 where a class is one of the frame's targets, in the input's dtype)."""

    _name = "MultilabelMarginLossBackward0"
    _op = "multilabel_margin_loss_backward"
    _forward_op = "multilabel_margin_loss_forward"

    def forward(self, x, target, reduction, keep_frames):
        self.reduction, self.shape = reduction, x.shape
        z, mask, is_target = self._margins(x, target)
        self.save(self=x, target=target, is_target=is_target.reshape(target.shape))
        loss = xp_of(x).where(mask, z, 0).sum(axis=(1, 2)) / x.dtype.type(z.shape[2])
        return _finish(loss.astype(x.dtype), reduction, z.shape[0], x.dtype, keep_frames)

    @staticmethod
    def _picks(x, target):
        """Per frame: which target slots count (those before the first -1) and the
        one-hot (frame, slot, class) of the classes they name."""
        xp = xp_of(x)
        y = _frames(target)
        valid = xp.cumprod(y >= 0, axis=1).astype(bool)
        cols = xp.arange(y.shape[1])
        onehot = (y[:, :, None] == cols[None, None, :]) & valid[:, :, None]
        return y, valid, onehot

    def _margins(self, x, target):
        xp = xp_of(x)
        x2 = _frames(x)
        y, valid, onehot = self._picks(x, target)
        is_target = onehot.any(axis=1)
        at = xp.take_along_axis(x2, xp.where(valid, y, 0), axis=1)
        z = 1 - at[:, :, None] + x2[:, None, :]
        mask = valid[:, :, None] & ~is_target[:, None, :] & (z > 0)
        return z, mask, is_target.astype(x.dtype)

    def backward(self, g):
        x, target = self.saved("self"), self.saved("target")
        z, mask, _ = self._margins(x, target)
        frames, _, dim = z.shape
        scale = 1.0 / (frames * dim) if self.reduction == "mean" else 1.0 / dim
        _, _, onehot = self._picks(x, target)
        counts = mask.sum(axis=2).astype(x.dtype)  # per (frame, slot): the margins it is in
        d = mask.sum(axis=1).astype(x.dtype)  # per (frame, class): as the other class
        d = d - (counts[:, :, None] * onehot).sum(axis=1)
        d = _times_grad_output(d * x.dtype.type(scale), g, self.reduction, frames)
        return (d.astype(x.dtype, copy=False).reshape(self.shape),)
