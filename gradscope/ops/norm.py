"""Batch and group normalisation: one node each, saving what torch's native kernels save.

``NativeBatchNormBackward0`` normalises each channel (dim 1) over the batch and the
spatial dims; ``NativeGroupNormBackward0`` each sample's group of channels. Both keep the
input, the weight, and per-statistic arrays (``result1``, ``result2``) of a few bytes
per channel or group.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import suggested_layout, xp_of
from ._graph import constant, joined
from ._jvp import terms
from .activation import _quiet


def _acc(dtype):
    """The dtype statistics are accumulated in: float64 at least."""
    return np.promote_types(dtype, np.float64)


def _centred_tangent(t, d, rstd, axes):
    """The tangent of ``(x - mean) * rstd`` over ``axes`` from ``x``'s tangent ``t``, where
    ``d = x - mean``, as torch's forward-mode formula: the centred tangent scaled by
    ``rstd``, plus ``d`` times the tangent of ``rstd``."""
    tc = t - t.mean(axis=axes, keepdims=True)
    n = int(np.prod([t.shape[a] for a in ((axes,) if isinstance(axes, int) else axes)]))
    rstd_t = -(rstd**3) * (tc * d).sum(axis=axes, keepdims=True) / n
    return tc * rstd + d * rstd_t


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
        acc = _acc(x.dtype)
        with _quiet():
            if training:
                mean, var_sum = self._batch_stats(x)
                n = self._count(x)
                rstd = 1 / xp.sqrt(var_sum.astype(acc) / n + eps)
                saved_mean = mean.astype(x.dtype, copy=False)
                if running_mean is not None:
                    self._update(running_mean, running_var, saved_mean, var_sum, n, momentum)
                self.save(result1=saved_mean, result2=rstd.astype(x.dtype, copy=False))
            else:
                mean = running_mean.astype(acc)
                rstd = 1 / xp.sqrt(running_var.astype(acc) + eps)
                self.save(result1=xp.empty((0,), x.dtype), result2=xp.empty((0,), x.dtype))
            # as torch's CPU kernel, x * alpha + beta, with alpha = rstd * weight and
            # beta = bias - mean * alpha per channel (so an inf weight can give inf - inf),
            # in float64 at least: alpha and beta are large where the mean is
            # (a weight or bias of any shape with a value per channel is read as a vector)
            alpha = rstd if weight is None else rstd * weight.astype(acc).reshape(-1)
            beta = (0 if bias is None else bias.astype(acc).reshape(-1)) - mean * alpha
            out = x.astype(acc) * alpha.reshape(self.bshape) + beta.reshape(self.bshape)
        self.save(input=x, weight=weight, running_mean=running_mean, running_var=running_var)
        for slot, a in (("weight", weight), ("running_mean", running_mean)):
            if a is None:  # torch's _saved_<slot> is None then
                setattr(self, slot, None)
        if running_var is None:
            self.running_var = None
        return suggested_layout(out.astype(x.dtype, copy=False), x)  # as torch's kernel

    def _count(self, x) -> int:
        """How many values each channel is normalised over."""
        return int(np.prod([x.shape[a] for a in self.axes]))

    def _batch_stats(self, x):
        """The batch's mean per channel, in float64 at least, and the sum of squared
        deviations from it (rounded to ``x``'s dtype), as torch's CPU kernel: both summed
        in float64 at least, the deviations squared in ``x``'s dtype (so a float32 square
        past 3.4e38 is inf)."""
        acc = _acc(x.dtype)
        mean = x.sum(axis=self.axes, dtype=acc) / self._count(x)
        d = x - mean.astype(x.dtype).reshape(self.bshape)
        return mean, (d * d).sum(axis=self.axes, dtype=acc).astype(x.dtype, copy=False)

    def _update(self, running_mean, running_var, mean, var_sum, n, momentum) -> None:
        """``running = (1 - momentum) * running + momentum * batch``, in place, with the
        unbiased variance."""
        unbiased = var_sum.astype(_acc(var_sum.dtype)) / (n - 1)
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
            rstd = rstd.astype(x.dtype, copy=False)
        return mean.reshape(self.bshape), rstd.reshape(self.bshape)

    def backward(self, g):
        x, w = self.saved("input"), self._opt(self.saved, "weight")
        nx, nw, nb = self.needs_input_grad[:3]
        if w is not None and w.ndim != 1:  # (torch's kernel reads it as a vector)
            raise RuntimeError(f"TensorAccessor expected 1 dims but tensor has {w.ndim}")
        mean, rstd = self._stats(x)
        gx = gw = gb = None
        with _quiet():
            # in float64 at least: the terms cancel, and float32 loses digits to that;
            # in the order of torch's CPU kernel, whose products decide where inf meets 0
            acc = _acc(x.dtype)
            r = rstd.astype(acc)
            ga = g.astype(acc)
            d = x.astype(acc) - mean.astype(acc)
            dotp = (d * ga).sum(axis=self.axes, keepdims=True) if nx or nw else None
            if nx:
                if self.training:
                    n = self._count(x)
                    k = dotp * r * r / n
                    gx = (ga - ga.sum(axis=self.axes, keepdims=True) / n - d * k) * r
                else:
                    gx = ga * r
                if w is not None:
                    gx = gx * w.astype(acc).reshape(self.bshape)
                gx = gx.astype(x.dtype, copy=False)
            if nw:
                gw = (dotp * r).reshape(-1).astype(x.dtype, copy=False)
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
        return joined(self, (gx, gw, gb), g, x, w)

    def jvp(self, xs, out, tangents):
        (x, w, *_), (tx, tw, tb, *_) = xs, tangents
        bshape = self.bshape
        with _quiet():
            if self.training:
                mean, var_sum = self._batch_stats(x)
                rstd = 1 / xp_of(x).sqrt(var_sum.astype(_acc(x.dtype)) / self._count(x) + self.eps)
                rstd = rstd.astype(x.dtype).reshape(bshape)
                mean = mean.astype(x.dtype).reshape(bshape)
            else:
                mean = xs[3].reshape(bshape)
                rstd = 1 / xp_of(x).sqrt(xs[4].astype(_acc(x.dtype)) + self.eps)
                rstd = rstd.astype(x.dtype, copy=False).reshape(bshape)
            d = x - mean
            t = None
            if tx is not None:
                t = _centred_tangent(tx, d, rstd, self.axes) if self.training else tx * rstd
                t = t if w is None else t * w.reshape(bshape)
            tw_ = None if tw is None else tw.reshape(bshape) * d * rstd
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
        self.cshape = (n, group, c // group, self.HxW)
        mean, rstd = self._stats(x)
        self.save(
            input=x, weight=weight, result1=mean.astype(x.dtype), result2=rstd.astype(x.dtype)
        )
        if weight is None:
            self.weight = None  # torch's _saved_weight is None then
        with _quiet():
            acc = _acc(x.dtype)
            mean, rstd = mean[..., None], rstd[..., None]
            if weight is None and bias is None:
                out = (x.reshape(self.gshape).astype(acc) - mean) * rstd
                return out.reshape(x.shape).astype(x.dtype, copy=False)
            # as torch's CPU kernel, x * scale + shift, with scale = rstd * weight and
            # shift = bias - scale * mean per sample and channel, in float64 at least
            d = c // group
            scale = rstd if weight is None else rstd * weight.astype(acc).reshape(group, d)
            shift = -scale * mean
            if bias is not None:
                shift = shift + bias.astype(acc).reshape(group, d)
            out = x.reshape(self.cshape).astype(acc) * scale[..., None] + shift[..., None]
        return out.reshape(x.shape).astype(x.dtype, copy=False)

    def _stats(self, x):
        """Each group's mean and reciprocal standard deviation, (N, group), in float64 at
        least, as torch's CPU kernel gives them: a group whose sum of squared deviations is
        past the range of the moments' dtype (float32 for float32) has rstd 0, and one
        whose mean's square is past it has NaN statistics."""
        xp = xp_of(x)
        acc = _acc(x.dtype)
        with _quiet():
            xg = x.reshape(self.gshape)
            mean = xg.mean(axis=2, dtype=acc)
            d = xg - mean[..., None].astype(x.dtype)
            ssd = (d * d).sum(axis=2, dtype=acc)
            moments = np.promote_types(x.dtype, np.float32)
            # torch's Welford merge multiplies the mean's square by a count of 0 (exactly so
            # for groups shorter than a SIMD vector; on longer ones it depends on the lanes)
            m = mean.astype(moments)
            ssd = xp.where(xp.isinf(m * m), xp.nan, ssd.astype(moments).astype(acc))
            var = ssd / xg.shape[2]
            rstd = 1 / xp.sqrt(xp.maximum(var, 0) + self.eps)
        return mean, rstd

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
            # in float64 at least: the terms cancel; with the per-channel sums and
            # coefficients of torch's CPU kernel, centred on the mean
            acc = _acc(x.dtype)
            r = rstd.astype(acc)[..., None]  # (N, group, 1)
            if nx or nw:
                ga = g.reshape(self.cshape).astype(acc)
                d = x.reshape(self.cshape).astype(acc) - mean.astype(acc)[..., None, None]
                dotp = (ga * d).sum(axis=3)  # (N, group, C // group)
            if nx:
                db = ga.sum(axis=3)
                wg = None if w is None else w.astype(acc).reshape(self.cshape[1:3])
                ds_val = (dotp if wg is None else dotp * wg).sum(axis=2, keepdims=True)
                db_val = (db if wg is None else db * wg).sum(axis=2, keepdims=True)
                s = 1 / (self.cshape[2] * self.HxW)
                c1 = (r if wg is None else r * wg)[..., None]
                gx = (
                    c1 * ga + (-ds_val * r * r * r * s)[..., None] * d - (db_val * r * s)[..., None]
                )
                # torch's own coefficients of x and of 1, from the raw sums of g * x: where
                # they are not finite (an inf weight), the gradient is made from them
                m = mean.astype(acc)[..., None]
                raw = dotp + m * db
                raw_ds = (raw if wg is None else raw * wg).sum(axis=2, keepdims=True)
                c2 = (db_val * m - raw_ds) * r * r * r * s
                c3 = -c2 * m - db_val * r * s
                xp = xp_of(x)
                odd = ~(xp.isfinite(c2) & xp.isfinite(c3))
                if odd.any():
                    xa = x.reshape(self.cshape).astype(acc)
                    torch_gx = c1 * ga + c2[..., None] * xa + c3[..., None]
                    gx = xp.where(odd[..., None], torch_gx, gx)
                gx = gx.reshape(x.shape).astype(x.dtype, copy=False)
            if nw:
                gw = (dotp * r).sum(axis=0).reshape(-1).astype(x.dtype, copy=False)
            if nb:
                gb = g.sum(axis=self._sum_axes(x.ndim))
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
        mean, rstd = self._stats(x)
        bshape = self.bshape
        t = None
        with _quiet():
            d = x.reshape(self.gshape) - mean[..., None].astype(x.dtype)
            r = rstd[..., None].astype(x.dtype)
            if tx is not None:
                t = _centred_tangent(tx.reshape(self.gshape), d, r, 2).reshape(x.shape)
                t = t if w is None else t * w.reshape(bshape)
            tw_ = None if tw is None else tw.reshape(bshape) * (d * r).reshape(x.shape)
            tb_ = None if tb is None else xp_of(x).broadcast_to(tb.reshape(bshape), x.shape)
        return terms(t, tw_, tb_)
