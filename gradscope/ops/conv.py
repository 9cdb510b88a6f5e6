"""Convolution and pooling: ``ConvolutionBackward0`` (conv1d-3d, conv_transpose1d-3d),
``MaxPool2DWithIndicesBackward0``, ``AvgPool2DBackward0``, ``AdaptiveAvgPool2DBackward0``
and the padding node ``ConstantPadNdBackward0`` that ``padding='same'`` may add.

Convolutions run as im2col (a strided view of the padded input, one column per output
position) and one matrix product per group; the input's gradient scatters the column
gradients back (col2im). Average pools sum each window's own elements, one spatial dim at a time.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..autograd.function import Function, apply
from ..backend import suggested_layout, xp_of
from ._graph import linear_backward_graph
from ._jvp import terms

# ---------------------------------------------------------------- im2col and col2im


def out_size(size: int, k: int, s: int, lo: int, hi: int, d: int) -> int:
    """How many windows of ``k`` taps ``d`` apart, ``s`` apart, fit a dim of ``size``
    padded by ``lo`` and ``hi``."""
    return (size + lo + hi - d * (k - 1) - 1) // s + 1


def _pad(x, pads, value=0):
    """``x`` with its last ``len(pads)`` dims padded by ``(lo, hi)`` each."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = xp_of(x)
    width = [(0, 0)] * (x.ndim - len(pads)) + [tuple(p) for p in pads]
    return xp.pad(x, width, constant_values=value)


def _pad_or_crop(x, pads, value=0):
    """``x`` padded by ``pads``, a negative right pad cropping instead (the frame of a
    transposed convolution whose ``output_padding`` exceeds its padding)."""
    if any(hi < 0 for _, hi in pads):
        lead = x.ndim - len(pads)
        keep = tuple(slice(0, x.shape[lead + i] + min(hi, 0)) for i, (_, hi) in enumerate(pads))
        x, pads = x[(Ellipsis,) + keep], [(lo, max(hi, 0)) for lo, hi in pads]
    return _pad(x, pads, value)


def windows(x, kernel, stride, dilation, pads, value=0):
    """A read-only strided view ``(..., *out, *kernel)`` of ``x`` padded by ``pads``: the
    taps of every window."""
    nd = len(kernel)
    x = _pad_or_crop(x, pads, value)
    lead = x.ndim - nd
    sp = x.shape[lead:]
    out = tuple(out_size(sp[i], kernel[i], stride[i], 0, 0, dilation[i]) for i in range(nd))
    st = x.strides[lead:]
    strides = (
        x.strides[:lead]
        + tuple(st[i] * stride[i] for i in range(nd))
        + tuple(st[i] * dilation[i] for i in range(nd))
    )
    xp = xp_of(x)
    return xp.lib.stride_tricks.as_strided(x, x.shape[:lead] + out + tuple(kernel), strides)


def im2col(x, kernel, stride, dilation, pads):
    """``(N, C, *spatial)`` -> ``(N, C * prod(kernel), prod(out))`` columns (a copy)."""
    nd = len(kernel)
    w = windows(x, kernel, stride, dilation, pads)
    n, c = x.shape[:2]
    # (N, C, *out, *k) -> (N, C, *k, *out)
    order = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    return w.transpose(order).reshape(n, c * math.prod(kernel), math.prod(w.shape[2 : 2 + nd]))


def col2im(cols, spatial, kernel, stride, dilation, pads):
    """The adjoint of ``im2col``: ``(N, C * prod(kernel), prod(out))`` columns summed back
    into ``(N, C, *spatial)``."""
    xp = xp_of(cols)
    nd = len(kernel)
    padded = tuple(spatial[i] + pads[i][0] + pads[i][1] for i in range(nd))
    out = tuple(out_size(padded[i], kernel[i], stride[i], 0, 0, dilation[i]) for i in range(nd))
    n = cols.shape[0]
    c = cols.shape[1] // math.prod(kernel)
    cols = cols.reshape((n, c) + tuple(kernel) + out)
    # a negative right pad leaves part of the result that no window reaches
    frame = tuple(spatial[i] + pads[i][0] + max(pads[i][1], 0) for i in range(nd))
    acc = xp.zeros((n, c) + frame, dtype=cols.dtype)
    for taps in itertools.product(*[range(k) for k in kernel]):
        dst = tuple(
            slice(t * d, t * d + s * (o - 1) + 1, s)
            for t, d, s, o in zip(taps, dilation, stride, out)
        )
        acc[(slice(None), slice(None)) + dst] += cols[(slice(None), slice(None)) + taps]
    crop = tuple(slice(lo, lo + size) for (lo, _), size in zip(pads, spatial))
    return acc[(slice(None), slice(None)) + crop]


class Im2ColBackward0(Function):
    """Columns of a padded input's windows (``F.unfold``), linear in the input: what the
    gradients of a convolution are built of under ``create_graph``."""

    _name = "Im2ColBackward0"
    complex_rule = "as_is"

    def forward(self, x, kernel, stride, dilation, pads):
        self.spatial, self.args = x.shape[2:], (kernel, stride, dilation, pads)
        return im2col(x, *self.args)

    def backward(self, g):
        return (col2im(g, self.spatial, *self.args),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return im2col(tangents[0], *self.args)


class Col2ImBackward0(Function):
    """Columns summed back into an image (``F.fold``), the adjoint of ``Im2ColBackward0``."""

    _name = "Col2ImBackward0"
    complex_rule = "as_is"

    def forward(self, cols, spatial, kernel, stride, dilation, pads):
        self.spatial, self.args = spatial, (kernel, stride, dilation, pads)
        return col2im(cols, spatial, *self.args)

    def backward(self, g):
        return (im2col(g, *self.args),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return col2im(tangents[0], self.spatial, *self.args)


# ---------------------------------------------------------------- convolution


class ConvolutionBackward0(Function):
    """``convolution(input, weight, bias, ...)``, direct or transposed, over 1, 2 or 3 spatial
    dims, ``groups`` groups of channels; saves the input and the weight, as torch does,
    whichever needs a gradient."""

    _name = "ConvolutionBackward0"
    complex_rule = "conj"

    def forward(self, x, w, b, stride, padding, dilation, transposed, output_padding, groups):
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.transposed, self.output_padding, self.groups = transposed, output_padding, groups
        self.bias_sym_sizes_opt = (0,) if b is None else tuple(b.shape)
        self.save(input=x, weight=w)
        out = conv_forward(x, w, stride, padding, dilation, transposed, output_padding, groups)
        if b is not None:
            out += b.reshape((-1,) + (1,) * len(stride))
        return out

    def _args(self):
        return (
            self.stride,
            self.padding,
            self.dilation,
            self.transposed,
            self.output_padding,
            self.groups,
        )

    def backward(self, g):
        nx, nw, nb = self.needs_input_grad
        x, w = self.saved("input"), self.saved("weight")
        gx, gw = conv_grads(_ARRAYS, x, w, g, nx, nw, *self._args())
        gb = g.sum(axis=(0,) + tuple(range(2, g.ndim))) if nb else None
        return gx, gw, gb

    def backward_graph(self, g):
        nx, nw, nb = self.needs_input_grad
        x, w = self.saved_tensor("input"), self.saved_tensor("weight")
        gx, gw = conv_grads(_TENSORS, x, w, g, nx, nw, *self._args())
        gb = g.sum((0,) + tuple(range(2, g.ndim))) if nb else None
        return gx, gw, gb

    def jvp(self, xs, out, tangents):
        (x, w, _), (tx, tw, tb) = xs, tangents
        args = self._args()
        return terms(
            None if tx is None else conv_forward(tx, w, *args),
            None if tw is None else conv_forward(x, tw, *args),
            None if tb is None else tb.reshape((-1,) + (1,) * len(self.stride)),
        )


def _pads(padding) -> tuple:
    return tuple((p, p) for p in padding)


def _transposed_pads(padding, output_padding) -> tuple:
    """The padded frame a transposed convolution writes into, as ``(lo, hi)`` crops."""
    return tuple((p, p - op) for p, op in zip(padding, output_padding))


def conv_forward(x, w, stride, padding, dilation, transposed, output_padding, groups):
    """The convolution of arrays ``x`` and ``w`` (no bias)."""
    kernel, nd = w.shape[2:], len(stride)
    n, g = x.shape[0], groups
    p = math.prod(x.shape[2:])
    if not transposed:
        cols = im2col(x, kernel, stride, dilation, _pads(padding))
        out = tuple(
            out_size(x.shape[2 + i], kernel[i], stride[i], padding[i], padding[i], dilation[i])
            for i in range(nd)
        )
        wm = w.reshape(g, w.shape[0] // g, -1)
        y = wm @ cols.reshape(n, g, wm.shape[2], math.prod(out))
        return y.reshape((n, w.shape[0]) + out)
    cin, coutg = w.shape[:2]
    wm = w.reshape(g, cin // g, -1)
    cols = wm.swapaxes(1, 2) @ x.reshape(n, g, cin // g, p)
    spatial = tuple(
        (x.shape[2 + i] - 1) * stride[i]
        - 2 * padding[i]
        + dilation[i] * (kernel[i] - 1)
        + output_padding[i]
        + 1
        for i in range(nd)
    )
    pads = _transposed_pads(padding, output_padding)
    cols = cols.reshape(n, g * cols.shape[2], p)
    return col2im(cols, spatial, kernel, stride, dilation, pads)


class _Arrays:
    """The raw-array versions of the steps ``conv_grads`` takes."""

    @staticmethod
    def im2col(x, *args):
        return im2col(x, *args)

    @staticmethod
    def col2im(cols, spatial, *args):
        return col2im(cols, spatial, *args)

    @staticmethod
    def t(a):
        return a.swapaxes(-1, -2)


class _Tensors:
    """The same steps as tensor ops, so that the gradients have a graph of their own."""

    @staticmethod
    def im2col(x, *args):
        return apply(Im2ColBackward0, (x,), *args)

    @staticmethod
    def col2im(cols, spatial, *args):
        return apply(Col2ImBackward0, (cols,), tuple(spatial), *args)

    @staticmethod
    def t(a):
        return a.transpose(-1, -2)


_ARRAYS, _TENSORS = _Arrays(), _Tensors()


def conv_grads(ops, x, w, g, nx, nw, stride, padding, dilation, transposed, output_padding, groups):
    """The gradients of a convolution's input and weight (None where not needed), written
    once for arrays and for tensors (``ops``)."""
    kernel = tuple(w.shape[2:])
    n, grp = x.shape[0], groups
    gx = gw = None
    if not transposed:
        oc, cg = w.shape[0], w.shape[1]
        wm = w.reshape(grp, oc // grp, -1)
        p = math.prod(tuple(g.shape[2:]))
        g4 = g.reshape(n, grp, oc // grp, p)
        pads = _pads(padding)
        if nx:
            cols = (ops.t(wm) @ g4).reshape(n, grp * cg * math.prod(kernel), p)
            gx = ops.col2im(cols, tuple(x.shape[2:]), kernel, stride, dilation, pads)
        if nw:
            cols = ops.im2col(x, kernel, stride, dilation, pads)
            cols = cols.reshape(n, grp, cg * math.prod(kernel), p)
            gw = (g4 @ ops.t(cols)).sum(0).reshape(tuple(w.shape))
        return gx, gw
    cin, coutg = w.shape[0], w.shape[1]
    wm = w.reshape(grp, cin // grp, -1)
    colsg = ops.im2col(g, kernel, stride, dilation, _transposed_pads(padding, output_padding))
    p = math.prod(tuple(x.shape[2:]))
    colsg = colsg.reshape(n, grp, coutg * math.prod(kernel), p)
    if nx:
        gx = (wm @ colsg).reshape(tuple(x.shape))
    if nw:
        x4 = x.reshape(n, grp, cin // grp, p)
        gw = (x4 @ ops.t(colsg)).sum(0).reshape(tuple(w.shape))
    return gx, gw


class ConstantPadNdBackward0(Function):
    """The input padded with ``value`` by ``pad`` (``(lo, hi)`` pairs from the last dim
    back, as torch's ``F.pad``)."""

    _name = "ConstantPadNdBackward0"
    complex_rule = "as_is"

    def forward(self, x, pad, value):
        self.pad = tuple(pad)
        return _pad(x, self._pairs(x.ndim), value)

    def _pairs(self, ndim):
        k = len(self.pad) // 2
        return [(self.pad[2 * (k - 1 - i)], self.pad[2 * (k - 1 - i) + 1]) for i in range(k)]

    def backward(self, g):
        pairs = self._pairs(g.ndim)
        lead = g.ndim - len(pairs)
        idx = (slice(None),) * lead + tuple(
            slice(lo, g.shape[lead + i] - hi) for i, (lo, hi) in enumerate(pairs)
        )
        return (g[idx].copy(),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return _pad(tangents[0], self._pairs(tangents[0].ndim), 0)


# ---------------------------------------------------------------- pooling


def pool_out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling output size (``pooling_output_shape``)."""
    span = size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = span // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_pads(sizes, kernel, stride, padding, dilation, outs):
    """``(lo, hi)`` per dim: the padding, and on the right whatever the last window of a
    ``ceil_mode`` pool reaches past it."""
    return tuple(
        (p, max(p, (o - 1) * s + d * (k - 1) + 1 - n - p))
        for n, k, s, p, d, o in zip(sizes, kernel, stride, padding, dilation, outs)
    )


class MaxPool2DWithIndicesBackward0(Function):
    """The largest value of each window of a ``(N, C, H, W)`` or ``(C, H, W)`` input;
    saves the input (``self``) and the flat ``H * W`` index of each maximum (``result1``)."""

    _name = "MaxPool2DWithIndicesBackward0"
    _nd = 2  # the pooled dims, the last ones

    def forward(self, x, kernel_size, stride, padding, dilation, ceil_mode):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation, self.ceil_mode = dilation, ceil_mode
        values, idx = max_pool(x, kernel_size, stride or kernel_size, padding, dilation, ceil_mode)
        self.save(self=x, result1=idx)
        self.in_shape = x.shape
        return values

    def backward(self, g):
        xp = xp_of(g)
        idx = self.saved("result1")
        shape, nd = self.in_shape, self._nd
        plane = math.prod(shape[-nd:])
        planes = math.prod(shape[:-nd])
        flat = (
            idx.reshape(planes, math.prod(idx.shape[-nd:])) + (xp.arange(planes) * plane)[:, None]
        )
        gx = xp.bincount(flat.ravel(), weights=g.ravel(), minlength=planes * plane)
        return (gx.astype(g.dtype, copy=False).reshape(shape),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        if self._saved is not None and "result1" in self._saved:
            idx = self.saved("result1")
        else:
            _, idx = max_pool(
                xs[0],
                self.kernel_size,
                self.stride or self.kernel_size,
                self.padding,
                self.dilation,
                self.ceil_mode,
            )
        t, nd = tangents[0], self._nd
        xp = xp_of(t)
        flat = t.reshape(t.shape[:-nd] + (math.prod(t.shape[-nd:]),))
        taken = idx.reshape(idx.shape[:-nd] + (math.prod(idx.shape[-nd:]),))
        picked = xp.take_along_axis(flat, taken, axis=-1)
        return picked.reshape(idx.shape)


def max_pool(x, kernel, stride, padding, dilation, ceil_mode):
    """The maxima of the windows of ``x``'s last ``len(kernel)`` dims and their flat
    indices into those dims (int64)."""
    xp = xp_of(x)
    nd = len(kernel)
    sizes = x.shape[-nd:]
    outs = tuple(
        pool_out_size(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation)
    )
    pads = _pool_pads(sizes, kernel, stride, padding, dilation, outs)
    low = -np.inf if x.dtype.kind in "fc" else np.iinfo(x.dtype).min
    w = windows(x, kernel, stride, dilation, pads, low)
    w = w[(Ellipsis,) + tuple(slice(0, o) for o in outs) + (slice(None),) * nd]
    taps = w.reshape(w.shape[:-nd] + (math.prod(kernel),))
    arg = taps.argmax(axis=-1)
    values = xp.take_along_axis(taps, arg[..., None], axis=-1)[..., 0]
    # torch's kernel keeps the first of equal maxima but the last NaN, and a window whose
    # every element is -inf (or the dtype's least) points at its first element, not a pad
    if x.dtype.kind in "fc" and xp.isnan(values).any():
        last = taps.shape[-1] - 1 - xp.isnan(taps[..., ::-1]).argmax(axis=-1)
        arg = xp.where(xp.isnan(values), last, arg)
    at_low = values == low
    if any(lo or hi for lo, hi in pads) and at_low.any():
        first = 0
        for i, (n, s, p, d) in enumerate(zip(outs, stride, padding, dilation)):
            tap = xp.asarray([-(-max(p - o * s, 0) // d) for o in range(n)])
            first = first * kernel[i] + tap.reshape((-1,) + (1,) * (nd - 1 - i))
        arg = xp.where(at_low, first, arg)
    flat = 0
    for i, t in enumerate(xp.unravel_index(arg, tuple(kernel))):
        start = xp.arange(outs[i]) * stride[i] - padding[i]
        flat = flat * sizes[i] + start.reshape((-1,) + (1,) * (nd - 1 - i)) + t * dilation[i]
    return values, flat.astype(xp.int64)


def avg_windows(size, k, s, p, ceil_mode, count_include_pad) -> tuple[list, list]:
    """One dim of an average pool: each window's ``(start, end)`` in the input, and the
    count it divides by (with ``count_include_pad``, the padding it covers counts)."""
    out = pool_out_size(size, k, s, p, 1, ceil_mode)
    bounds, counts = [], []
    for o in range(out):
        start = o * s - p
        end = min(start + k, size + p)
        count = end - start
        start, end = max(start, 0), min(end, size)
        bounds.append((start, end))
        counts.append(count if count_include_pad else end - start)
    return bounds, counts


def adaptive_windows(size, out) -> tuple[list, list]:
    """One dim of an adaptive average pool: each window's ``(start, end)`` and size."""
    bounds = [((o * size) // out, -((-(o + 1) * size) // out)) for o in range(out)]
    return bounds, [end - start for start, end in bounds]


def _sum_windows(x, axis: int, bounds):
    """``x`` summed over each window of ``bounds`` along ``axis`` (only the window's own
    elements: an inf elsewhere stays out, as in torch's kernels)."""
    xp = xp_of(x)
    lead = (slice(None),) * (axis % x.ndim)
    if not bounds:  # an output size of 0
        return x[lead + (slice(0, 0),)].copy()
    return xp.concatenate(
        [x[lead + (slice(a, b),)].sum(axis=axis, keepdims=True) for a, b in bounds], axis=axis
    )


def _spread_windows(g, axis: int, bounds, size: int):
    """The adjoint of ``_sum_windows``: each window's value added to its elements."""
    xp = xp_of(g)
    axis = axis % g.ndim
    lead = (slice(None),) * axis
    shape = g.shape[:axis] + (size,) + g.shape[axis + 1 :]
    out = xp.zeros(shape, dtype=g.dtype)
    for i, (a, b) in enumerate(bounds):
        out[lead + (slice(a, b),)] += g[lead + (slice(i, i + 1),)]
    return out


class _Separable(Function):
    """A pool that sums rectangular windows of the last two dims and divides each sum by
    its count; the windows are rebuilt from the input's shape when needed rather than
    kept on the node."""

    def _windows(self):
        """Per dim, the windows' bounds and counts."""
        raise NotImplementedError

    def _divisor(self, dtype):
        (_, ch), (_, cw) = self._windows()
        return np.outer(ch, cw).astype(dtype)

    def _pool(self, x):
        (bh, _), (bw, _) = self._windows()
        total = _sum_windows(_sum_windows(x, -2, bh), -1, bw)
        return total / xp_of(x).asarray(self._divisor(x.dtype))

    def backward(self, g):
        (bh, _), (bw, _) = self._windows()
        h, w = self.in_shape[-2:]
        share = g / xp_of(g).asarray(self._divisor(g.dtype))
        return (_spread_windows(_spread_windows(share, -1, bw, w), -2, bh, h),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return self._pool(tangents[0])


class AvgPool2DBackward0(_Separable):
    """The mean of each window of a ``(N, C, H, W)`` or ``(C, H, W)`` input; saves the
    input (``self``) as torch does."""

    _name = "AvgPool2DBackward0"

    def forward(
        self, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    ):
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad
        self.divisor_override = divisor_override
        self.save(self=x)
        self.in_shape = x.shape
        if x.dtype.kind in "fc":
            return suggested_layout(self._pool(x), x)  # as torch's kernel lays it out
        # integer pools divide as torch's kernel does: the window's sum, truncated
        xp = xp_of(x)
        (bh, _), (bw, _) = self._windows()
        total = _sum_windows(_sum_windows(x.astype(np.int64), -2, bh), -1, bw)
        div = xp.asarray(self._divisor(np.int64))
        q = xp.abs(total) // xp.abs(div)
        return suggested_layout((xp.sign(total) * xp.sign(div) * q).astype(x.dtype), x)

    def _windows(self):
        s = self.stride or self.kernel_size
        return tuple(
            avg_windows(n, k, st, p, self.ceil_mode, self.count_include_pad)
            for n, k, st, p in zip(self.in_shape[-2:], self.kernel_size, s, self.padding)
        )

    def _divisor(self, dtype):
        if self.divisor_override is not None:
            (bh, _), (bw, _) = self._windows()
            return np.full((len(bh), len(bw)), self.divisor_override, dtype=dtype)
        return super()._divisor(dtype)


class AdaptiveAvgPool2DBackward0(_Separable):
    """The mean of each of ``output_size`` near-equal windows of a ``(N, C, H, W)`` or
    ``(C, H, W)`` input; saves the input (``self``)."""

    _name = "AdaptiveAvgPool2DBackward0"

    def forward(self, x, output_size):
        self.save(self=x)
        self.in_shape, self.output_size = x.shape, output_size
        return suggested_layout(self._pool(x), x)

    def _windows(self):
        return tuple(adaptive_windows(n, o) for n, o in zip(self.in_shape[-2:], self.output_size))
