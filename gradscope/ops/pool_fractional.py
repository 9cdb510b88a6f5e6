"""Fractional max pooling: ``FractionalMaxPool2DBackward0`` and
``FractionalMaxPool3DBackward0``.

Each plane ``(n, c)`` has one sample ``u`` per pooled dim. A dim of ``input`` elements
pooled to ``output`` windows of ``pool`` elements starts its windows at torch's
``generate_intervals``: with ``alpha = (input - pool) / (output - 1)``, window ``i``
starts at ``int((i + u) * alpha) - int(u * alpha)`` (C++'s ``int``, which truncates,
computed in the input's dtype) and the last at ``input - pool``. The maximum of each
window is searched in torch's order: the first of equal maxima, the last NaN; a window
with no element (``pool <= 0``) is ``-inf`` pointing at its start. The backward scatters
the gradient to the maxima, as the max pools do.
"""

from __future__ import annotations

import math

import numpy as np

from ..backend import fp_quiet, xp_of
from .conv import MaxPool2DWithIndicesBackward0


def intervals(samples, in_size: int, out_size: int, pool: int):
    """The start of each of ``out_size`` windows for each sample of ``samples`` (a 1-d
    array in the input's dtype): an int64 ``(len(samples), out_size)`` array."""
    xp = xp_of(samples)
    dt = samples.dtype
    starts = xp.empty((samples.shape[0], out_size), dtype=xp.int64)
    if out_size > 1:
        alpha = dt.type(in_size - pool) / dt.type(out_size - 1)
        i = xp.arange(out_size - 1).astype(dt)
        with fp_quiet():
            a = xp.trunc((i[None, :] + samples[:, None]) * alpha).astype(xp.int64)
            b = xp.trunc(samples * alpha).astype(xp.int64)
        starts[:, :-1] = a - b[:, None]
    if out_size > 0:
        starts[:, -1] = in_size - pool
    if pool > 0:  # within the input for any finite sample; kept there for any other
        starts = xp.clip(starts, 0, in_size - pool)
    return starts


def fractional_max_pool(x, pool, output_size, samples, order):
    """The maxima of ``x``'s fractional windows over its last ``len(pool)`` dims and
    their flat indices into those dims (int64). ``samples`` is ``(planes, nd)``, one row
    per leading index of ``x``; pooled dim ``d`` uses column ``order[d]``."""
    xp = xp_of(x)
    nd = len(pool)
    sizes = tuple(x.shape[-nd:])
    lead = tuple(x.shape[:-nd])
    planes, plane = math.prod(lead), math.prod(sizes)
    out_shape = lead + tuple(output_size)
    n_out = math.prod(output_size)
    if planes * n_out == 0:
        return xp.empty(out_shape, x.dtype), xp.empty(out_shape, xp.int64)
    strides = [math.prod(sizes[d + 1 :]) for d in range(nd)]
    starts = [intervals(samples[:, order[d]], sizes[d], output_size[d], pool[d]) for d in range(nd)]
    if min(pool) <= 0:  # empty windows: -inf, at each window's start
        flat = 0
        for d in range(nd):
            shape = (planes,) + (1,) * d + (output_size[d],) + (1,) * (nd - 1 - d)
            flat = flat + starts[d].reshape(shape) * strides[d]
        values = xp.full((planes, n_out), -np.inf, dtype=x.dtype)
        return values.reshape(out_shape), flat.reshape(out_shape).astype(xp.int64)
    # (planes, o1, k1, o2, k2, ...): the flat index of every tap of every window
    flat = 0
    for d in range(nd):
        taps = starts[d][:, :, None] + xp.arange(pool[d])
        shape = (planes,) + (1, 1) * d + (output_size[d], pool[d]) + (1, 1) * (nd - 1 - d)
        flat = flat + taps.reshape(shape) * strides[d]
    perm = (0,) + tuple(1 + 2 * d for d in range(nd)) + tuple(2 + 2 * d for d in range(nd))
    flat = flat.transpose(perm).reshape(planes, n_out, math.prod(pool))
    taps = xp.take_along_axis(x.reshape(planes, plane), flat.reshape(planes, -1), axis=1)
    taps = taps.reshape(flat.shape)
    arg = taps.argmax(axis=-1)
    values = xp.take_along_axis(taps, arg[..., None], axis=-1)[..., 0]
    if xp.isnan(values).any():  # torch's search keeps the last NaN
        last = taps.shape[-1] - 1 - xp.isnan(taps[..., ::-1]).argmax(axis=-1)
        arg = xp.where(xp.isnan(values), last, arg)
    idx = xp.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return values.reshape(out_shape), idx.reshape(out_shape)


class FractionalMaxPool2DBackward0(MaxPool2DWithIndicesBackward0):
    """The largest value of each fractional window of a ``(N, C, H, W)`` or
    ``(C, H, W)`` input; saves the input (``self``) and the flat ``H * W`` index of each
    maximum (``result1``). The samples' first column is the width's, as in torch."""

    _name = "FractionalMaxPool2DBackward0"
    _nd = 2
    _order = (1, 0)
    _assert = "index >= 0 && index < static_cast<int64_t>(inputW) * inputH"

    def forward(self, x, kernel_size, output_size, samples):
        self.kernel_size, self.output_size = tuple(kernel_size), tuple(output_size)
        self._samples = samples
        values, idx = fractional_max_pool(x, kernel_size, output_size, samples, self._order)
        self.save(self=x, result1=idx)
        self.in_shape = x.shape
        return values

    def backward(self, g):
        idx = self.saved("result1")
        plane = math.prod(self.in_shape[-self._nd :])
        if idx.size and bool(((idx < 0) | (idx >= plane)).any()):  # an empty window's start
            raise RuntimeError(f"{self._assert} INTERNAL ASSERT FAILED")
        return super().backward(g)

    def jvp(self, xs, out, tangents):
        if self._saved is not None and "result1" in self._saved:
            idx = self.saved("result1")
        else:
            _, idx = fractional_max_pool(
                xs[0], self.kernel_size, self.output_size, self._samples, self._order
            )
        t, nd = tangents[0], self._nd
        xp = xp_of(t)
        flat = t.reshape(t.shape[:-nd] + (math.prod(t.shape[-nd:]),))
        taken = idx.reshape(idx.shape[:-nd] + (math.prod(idx.shape[-nd:]),))
        return xp.take_along_axis(flat, taken, axis=-1).reshape(idx.shape)


class FractionalMaxPool3DBackward0(FractionalMaxPool2DBackward0):
    """``FractionalMaxPool2DBackward0`` over the last three dims of a
    ``(N, C, T, H, W)`` or ``(C, T, H, W)`` input; the samples' columns are ``T, H, W``."""

    _name = "FractionalMaxPool3DBackward0"
    _nd = 3
    _order = (0, 1, 2)
    _assert = "index >= 0 && index < inputT * inputH * inputW"
