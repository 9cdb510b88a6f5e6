"""The 3-d pools: ``MaxPool3DWithIndicesBackward0``, ``AvgPool3DBackward0``,
``AdaptiveAvgPool3DBackward0`` and ``AdaptiveMaxPool3DBackward0``.

The max pool is the 2-d node's window search (``conv.max_pool`` takes any number of
dims). The average pools sum their windows one dim at a time: a dim's windows become a
table of ``(window, tap)`` input indices with a mask of the real taps, gathered and
summed at once; the gradient gathers back through the transposed table (which windows
read each input element), so there is no scatter and no loop over output positions.
Only a window's own elements enter its sum, so an inf reaches just the windows that hold
it, as in torch's kernels. The tables are rebuilt from the input's shape when needed
rather than kept on the node.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import xp_of
from ._graph import linear_backward_graph
from .conv import MaxPool2DWithIndicesBackward0, pool_out_size


class MaxPool3DWithIndicesBackward0(MaxPool2DWithIndicesBackward0):
    """The largest value of each window of a ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    input; saves the input (``self``) and the flat ``D * H * W`` index of each maximum
    (``result1``)."""

    _name = "MaxPool3DWithIndicesBackward0"
    _nd = 3


# ---------------------------------------------------------------- window tables


def avg_bounds(size, k, s, p, ceil_mode, count_include_pad):
    """One dim of an average pool: its windows' ``[start, end)`` in the input and the
    count each divides by (with ``count_include_pad``, the padding it covers counts)."""
    out = pool_out_size(size, k, s, p, 1, ceil_mode)
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    lo, hi = np.maximum(start, 0), np.minimum(end, size)
    return lo, hi, (end - start) if count_include_pad else hi - lo


def adaptive_bounds(size, out):
    """One dim of an adaptive pool: ``out`` near-equal windows ``[start, end)`` and their
    sizes."""
    o = np.arange(out)
    start, end = (o * size) // out, -((-(o + 1) * size) // out)
    return start, end, end - start


def _rows(cover):
    """Each row's True columns, left-aligned, and which of them are real."""
    width = max(int(cover.sum(axis=1).max(initial=0)), 1)
    order = np.argsort(~cover, axis=1, kind="stable")[:, :width]
    return order, np.take_along_axis(cover, order, axis=1)


def _tables(start, end, size):
    """For windows ``[start, end)`` of a dim of ``size``: ``(index, mask)`` of each
    window's taps, and of the windows that read each input element."""
    i = np.arange(size)
    cover = (start[:, None] <= i) & (i < end[:, None])
    return _rows(cover), _rows(cover.T)


def _gather_sum(x, axis, table):
    """``x`` along ``axis`` replaced by the sums of the entries ``table`` names."""
    idx, mask = table
    xp = xp_of(x)
    axis %= x.ndim
    v = xp.take(x, xp.asarray(idx.ravel()), axis=axis)
    v = v.reshape(x.shape[:axis] + idx.shape + x.shape[axis + 1 :])
    m = xp.asarray(mask).reshape(idx.shape + (1,) * (x.ndim - axis - 1))
    return xp.where(m, v, 0).sum(axis=axis + 1)


class _WindowMean(Function):
    """A pool that sums windows of the last three dims, one dim at a time, and divides
    each sum by its divisor."""

    def _bounds(self):
        """Per dim, the windows' starts, ends and counts."""
        raise NotImplementedError

    def _divisor(self, bounds, dtype):
        counts = [c for _, _, c in bounds]
        return np.einsum("i,j,k->ijk", *counts).astype(dtype)

    def _sum(self, x, bounds, which):
        for i, (start, end, _) in enumerate(bounds):
            x = _gather_sum(x, i - 3, _tables(start, end, self.in_shape[i - 3])[which])
        return x

    def _pool(self, x):
        bounds = self._bounds()
        return self._sum(x, bounds, 0) / xp_of(x).asarray(self._divisor(bounds, x.dtype))

    def backward(self, g):
        bounds = self._bounds()
        share = g / xp_of(g).asarray(self._divisor(bounds, g.dtype))
        return (self._sum(share, bounds, 1),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return self._pool(tangents[0])


class AvgPool3DBackward0(_WindowMean):
    """The mean of each window of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input; saves
    the input (``self``) as torch does."""

    _name = "AvgPool3DBackward0"

    def forward(
        self, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    ):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override
        self.save(self=x)
        self.in_shape = x.shape
        if x.dtype.kind in "fc":
            return self._pool(x)
        # an integer pool divides as torch's kernel does: the window's sum, truncated
        xp = xp_of(x)
        bounds = self._bounds()
        total = self._sum(x.astype(np.int64), bounds, 0)
        div = xp.asarray(self._divisor(bounds, np.int64))
        return (xp.sign(total) * xp.sign(div) * (xp.abs(total) // xp.abs(div))).astype(x.dtype)

    def _bounds(self):
        s = self.stride or self.kernel_size
        return [
            avg_bounds(n, k, st, p, self.ceil_mode, self.count_include_pad)
            for n, k, st, p in zip(self.in_shape[-3:], self.kernel_size, s, self.padding)
        ]

    def _divisor(self, bounds, dtype):
        if self.divisor_override is not None:
            return np.full(tuple(len(c) for _, _, c in bounds), self.divisor_override, dtype)
        return super()._divisor(bounds, dtype)


class AdaptiveAvgPool3DBackward0(_WindowMean):
    """The mean of each of ``output_size`` near-equal windows of a ``(N, C, D, H, W)`` or
    ``(C, D, H, W)`` input; saves the input (``self``)."""

    _name = "AdaptiveAvgPool3DBackward0"

    def forward(self, x, output_size):
        self.save(self=x)
        self.in_shape, self.output_size = x.shape, output_size
        return self._pool(x)

    def _bounds(self):
        return [adaptive_bounds(n, o) for n, o in zip(self.in_shape[-3:], self.output_size)]


# ---------------------------------------------------------------- adaptive max


def adaptive_max_pool(x, output_size):
    """The maxima of ``output_size`` near-equal windows of ``x``'s last three dims and
    their flat ``D * H * W`` indices (int64): the first of equal maxima, the last NaN."""
    xp = xp_of(x)
    sizes = x.shape[-3:]
    bounds = [adaptive_bounds(n, o) for n, o in zip(sizes, output_size)]
    tables = [_tables(s, e, n)[0] for (s, e, _), n in zip(bounds, sizes)]
    # (..., od, Ld, oh, Lh, ow, Lw): every tap of every window, masked where not real
    idx = np.ix_(*[t[0].ravel() for t in tables])
    shape = sum((t[0].shape for t in tables), ())
    taps = x[(Ellipsis,) + tuple(xp.asarray(i) for i in idx)].reshape(x.shape[:-3] + shape)
    mask = np.einsum("ab,cd,ef->abcdef", *[t[1] for t in tables])
    taps = xp.where(xp.asarray(mask), taps, -np.inf)
    lead = x.ndim - 3
    order = tuple(range(lead)) + tuple(lead + i for i in (0, 2, 4, 1, 3, 5))
    widths = tuple(t[0].shape[1] for t in tables)
    taps = taps.transpose(order)
    taps = taps.reshape(taps.shape[: lead + 3] + (math.prod(widths),))
    arg = taps.argmax(axis=-1)
    values = xp.take_along_axis(taps, arg[..., None], axis=-1)[..., 0]
    if xp.isnan(values).any():
        last = taps.shape[-1] - 1 - xp.isnan(taps[..., ::-1]).argmax(axis=-1)
        arg = xp.where(xp.isnan(values), last, arg)
    flat = 0
    for i, tap in enumerate(xp.unravel_index(arg, widths)):
        start = xp.asarray(bounds[i][0]).reshape((-1,) + (1,) * (2 - i))
        flat = flat * sizes[i] + start + tap
    return values, flat.astype(xp.int64)


class AdaptiveMaxPool3DBackward0(MaxPool3DWithIndicesBackward0):
    """The largest value of each of ``output_size`` near-equal windows of a
    ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input; saves the input (``self``) and the flat
    index of each maximum (``result1``); its backward is the max pool's."""

    _name = "AdaptiveMaxPool3DBackward0"

    def forward(self, x, output_size):
        values, idx = adaptive_max_pool(x, output_size)
        self.save(self=x, result1=idx)
        self.in_shape, self._output_size = x.shape, output_size
        return values

    def jvp(self, xs, out, tangents):
        if self._saved is not None and "result1" in self._saved:
            idx = self.saved("result1")
        else:
            _, idx = adaptive_max_pool(xs[0], self._output_size)
        t = tangents[0]
        xp = xp_of(t)
        flat = t.reshape(t.shape[:-3] + (math.prod(t.shape[-3:]),))
        taken = idx.reshape(idx.shape[:-3] + (math.prod(idx.shape[-3:]),))
        return xp.take_along_axis(flat, taken, axis=-1).reshape(idx.shape)
