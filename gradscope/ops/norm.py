"""Batch and group normalisation: one node each, saving what torch's native kernels save.

``NativeBatchNormBackward0`` normalises each channel (dim 1) over the batch and the
spatial dims; ``NativeGroupNormBackward0`` each sample's group of channels. Both keep the
input, the weight, and per-statistic arrays (``result1``, ``result2``) of a few bytes
per channel or group.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import xp_of
from ._graph import constant
from ._jvp import terms
from .activation import _quiet


def _acc(dtype):
    """The dtype statistics are accumulated in: float64 at least."""
    return np.promote_types(dtype, np.float64)


def _normalised_grad(gh, xhat, rstd, axes):
    """The input's gradient (or tangent) from that of ``xhat``, where ``xhat`` is
    normalised over ``axes``: ``rstd * (gh - mean(gh) - xhat * mean(gh * xhat))``."""
    return rstd * (
        gh - gh.mean(axis=axes, keepdims=True) - xhat * (gh * xhat).mean(axis=axes, keepdims=True)
    )


class NativeBatchNormBackward0(Function):
    """Each channel (dim 1) normalised over every other dim, then scaled by ``weight`` and
    shifted by ``bias`` (either may be None), run as ``(input, weight, bias, running_mean,
    running_var)``. Training, it uses the batch's mean and biased variance and updates
    the running statistics in place (unbiased variance; their versions are left as they
    are, as in torch); in eval, it uses the running statistics.

    Saves the input, the weight and the running statistics (those given), the batch mean
    (``result1``) and reciprocal standard deviation (``result2``), both (C,), or empty
    arrays (0,) in eval."""

    _name = "NativeBatchNormBackward0"
    _edges = 3  # the running statistics get no edge

    def forward(self, x, weight, bias, running_mean, running_var, training, momentum, eps):
        self.training, self.eps = training, eps
        self.axes = (0,) + tuple(range(2, x.ndim))
        self.bshape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        xp = xp_of(x)
        with _quiet():
            if training:
                mean, var = self._batch_stats(x)
                rstd = (1 / xp.sqrt(var + eps)).astype(x.dtype, copy=False)
                if running_mean is not None:
                    self._update(running_mean, running_var, mean, var, x, momentum)
                mean = mean.astype(x.dtype, copy=False)
                self.save(result1=mean, result2=rstd)
                xhat = (x - mean.reshape(self.bshape)) * rstd.reshape(self.bshape)
            else:
                rstd = 1 / xp.sqrt(running_var.astype(_acc(x.dtype)) + eps)
                xhat = (x - running_mean.reshape(self.bshape)) * rstd.reshape(self.bshape)
                xhat = xhat.astype(x.dtype, copy=False)
                empty = xp.empty((0,), x.dtype)
                self.save(result1=empty, result2=xp.empty((0,), x.dtype))
        self.save(input=x, weight=weight, running_mean=running_mean, running_var=running_var)
        for slot, a in (("weight", weight), ("running_mean", running_mean)):
            if a is None:  # torch's _saved_<slot> is None then
                setattr(self, slot, None)
        if running_var is None:
            self.running_var = None
        out = xhat if weight is None else xhat * weight.reshape(self.bshape)
        return out if bias is None else out + bias.reshape(self.bshape)

    def _batch_stats(self, x):
        """The batch's mean and biased variance per channel, accumulated in float64."""
        acc = _acc(x.dtype)
        x64 = x.astype(acc)
        mean = x64.mean(axis=self.axes)
        d = x64 - mean.reshape(self.bshape)
        return mean, (d * d).mean(axis=self.axes)

    def _update(self, running_mean, running_var, mean, var, x, momentum) -> None:
        """``running = (1 - momentum) * running + momentum * batch``, in place."""
        n = x.size // x.shape[1]
        unbiased = var * (n / (n - 1)) if n > 1 else var * np.inf
        running_mean[...] = (1 - momentum) * running_mean + momentum * mean
        running_var[...] = (1 - momentum) * running_var + momentum * unbiased

    def _opt(self, saved, slot):
        return saved(slot) if slot in self._saved else None

    def _stats(self, x):
        """The mean and reciprocal standard deviation used, shaped to broadcast over ``x``."""
        if self.training:
            mean, rstd = self.saved("result1"), self.saved("result2")
        else:
            xp = xp_of(x)
            mean = self.saved("running_mean")
            rstd = 1 / xp.sqrt(self.saved("running_var").astype(_acc(x.dtype)) + self.eps)
        return mean.reshape(self.bshape), rstd.reshape(self.bshape)

    def backward(self, g):
        x, w = self.saved("input"), self._opt(self.saved, "weight")
        nx, nw, nb = self.needs_input_grad[:3]
        mean, rstd = self._stats(x)
        gx = gw = gb = None
        with _quiet():
            acc = _acc(x.dtype)
            xhat = (x.astype(acc) - mean.astype(acc)) * rstd.astype(acc)
            if nx:  # in float64 at least: the terms cancel, and float32 loses digits to that
                gh = g.astype(acc)
                if w is not None:
                    gh = gh * w.astype(acc).reshape(self.bshape)
                if self.training:
                    gx = _normalised_grad(gh, xhat, rstd.astype(acc), self.axes)
                else:
                    gx = gh * rstd
                gx = gx.astype(x.dtype, copy=False)
            if nw:
                gw = (g * xhat).sum(axis=self.axes).astype(x.dtype, copy=False)
            if nb:
                gb = g.sum(axis=self.axes)
        return gx, gw, gb

    def backward_graph(self, g):
        x, w = self.saved_tensor("input"), self._opt(self.saved_tensor, "weight")
        nx, nw, nb = self.needs_input_grad[:3]
        dims, bshape = self.axes, self.bshape
        if self.training:  # the statistics again, in tensor ops: the graph runs through them
            d = x - x.mean(dims, keepdim=True)
            rstd = ((d * d).mean(dims, keepdim=True) + self.eps) ** -0.5
        else:
            mean, rstd = self._stats(x._data)
            rstd = constant(rstd.astype(x._data.dtype, copy=False))
            d = x - constant(mean)
        xhat = d * rstd
        gx = gw = gb = None
        if nx:
            gh = g if w is None else g * w.view(bshape)
            if self.training:
                gh = gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True)
            gx = rstd * gh
        if nw:
            gw = (g * xhat).sum(dims)
        if nb:
            gb = g.sum(dims)
        return gx, gw, gb

    def jvp(self, xs, out, tangents):
        (x, w, *_), (tx, tw, tb, *_) = xs, tangents
        bshape = self.bshape
        with _quiet():
            if self.training:
                mean, var = self._batch_stats(x)
                rstd = (1 / xp_of(x).sqrt(var + self.eps)).astype(x.dtype).reshape(bshape)
                mean = mean.astype(x.dtype).reshape(bshape)
            else:
                mean = xs[3].reshape(bshape)
                rstd = 1 / xp_of(x).sqrt(xs[4].astype(_acc(x.dtype)) + self.eps)
                rstd = rstd.astype(x.dtype, copy=False).reshape(bshape)
            xhat = (x - mean) * rstd
            t = None
            if tx is not None:
                t = _normalised_grad(tx, xhat, rstd, self.axes) if self.training else tx * rstd
                t = t if w is None else t * w.reshape(bshape)
            tw_ = None if tw is None else xhat * tw.reshape(bshape)
            tb_ = None if tb is None else xp_of(x).broadcast_to(tb.reshape(bshape), x.shape)
        return terms(t, tw_, tb_)


class NativeGroupNormBackward0(Function):
    """Each sample's channels (dim 1) split into ``group`` groups, each normalised over its
    channels and the spatial dims, then scaled by ``weight`` and shifted by ``bias`` per
    channel (either may be None), run as ``(input, weight, bias)``. Saves the input, the
    weight, and the mean (``result1``) and reciprocal standard deviation (``result2``) of
    each group, (N, group); ``N``, ``C``, ``HxW``, ``group`` and ``eps`` as numbers."""

    _name = "NativeGroupNormBackward0"

    def forward(self, x, weight, bias, group, eps):
        n, c = x.shape[0], x.shape[1]
        self.N, self.C, self.HxW, self.group, self.eps = n, c, x.size // max(n * c, 1), group, eps
        self.bshape = (1, c) + (1,) * (x.ndim - 2)
        self.gshape = (n, group, -1) if x.size else (n, group, 0)
        mean, rstd, xhat = self._stats(x)
        self.save(input=x, weight=weight, result1=mean, result2=rstd)
        if weight is None:
            self.weight = None  # torch's _saved_weight is None then
        out = xhat if weight is None else xhat * weight.reshape(self.bshape)
        return out if bias is None else out + bias.reshape(self.bshape)

    def _stats(self, x):
        """Each group's mean and reciprocal standard deviation, (N, group), and the
        normalised ``x``."""
        xp = xp_of(x)
        with _quiet():
            xg = x.reshape(self.gshape).astype(_acc(x.dtype))
            mean = xg.mean(axis=2)
            d = xg - mean[..., None]
            rstd = 1 / xp.sqrt((d * d).mean(axis=2) + self.eps)
            xhat = (d * rstd[..., None]).reshape(x.shape).astype(x.dtype, copy=False)
        return mean.astype(x.dtype), rstd.astype(x.dtype), xhat

    def _weight(self, saved):
        return saved("weight") if "weight" in self._saved else None

    def _sum_axes(self, ndim: int) -> tuple:
        return (0,) + tuple(range(2, ndim))

    def backward(self, g):
        x, w = self.saved("input"), self._weight(self.saved)
        mean, rstd = self.saved("result1"), self.saved("result2")
        nx, nw, nb = self.needs_input_grad
        gx = gw = gb = None
        with _quiet():
            acc = _acc(x.dtype)
            xg = x.reshape(self.gshape).astype(acc)
            r = rstd.astype(acc)[..., None]
            xhat = (xg - mean.astype(acc)[..., None]) * r
            if nx:  # in float64 at least: the terms cancel
                gh = g.astype(acc)
                if w is not None:
                    gh = gh * w.astype(acc).reshape(self.bshape)
                gx = _normalised_grad(gh.reshape(self.gshape), xhat, r, 2)
                gx = gx.reshape(x.shape).astype(x.dtype, copy=False)
            axes = self._sum_axes(x.ndim)
            if nw:
                gw = (g * xhat.reshape(x.shape)).sum(axis=axes).astype(x.dtype, copy=False)
            if nb:
                gb = g.sum(axis=axes)
        return gx, gw, gb

    def backward_graph(self, g):
        x, w = self.saved_tensor("input"), self._weight(self.saved_tensor)
        nx, nw, nb = self.needs_input_grad
        shape, gshape = tuple(x.shape), self.gshape
        xg = x.reshape(gshape)  # the statistics again, in tensor ops
        d = xg - xg.mean(2, keepdim=True)
        rstd = ((d * d).mean(2, keepdim=True) + self.eps) ** -0.5
        xhat = d * rstd
        gx = gw = gb = None
        axes = self._sum_axes(len(shape))
        if nx:
            gh = (g if w is None else g * w.view(self.bshape)).reshape(gshape)
            gh = gh - gh.mean(2, keepdim=True) - xhat * (gh * xhat).mean(2, keepdim=True)
            gx = (rstd * gh).reshape(shape)
        if nw:
            gw = (g * xhat.reshape(shape)).sum(axes)
        if nb:
            gb = g.sum(axes)
        return gx, gw, gb

    def jvp(self, xs, out, tangents):
        (x, w, _), (tx, tw, tb) = xs, tangents
        _, rstd, xhat = self._stats(x)
        bshape = self.bshape
        t = None
        with _quiet():
            if tx is not None:
                xg = xhat.reshape(self.gshape)
                t = _normalised_grad(tx.reshape(self.gshape), xg, rstd[..., None], 2)
                t = t.reshape(x.shape)
                t = t if w is None else t * w.reshape(bshape)
            tw_ = None if tw is None else xhat * tw.reshape(bshape)
            tb_ = None if tb is None else xp_of(x).broadcast_to(tb.reshape(bshape), x.shape)
        return terms(t, tw_, tb_)
