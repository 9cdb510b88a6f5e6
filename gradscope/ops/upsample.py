"""The resampling nodes of ``F.interpolate``: nearest, nearest-exact, (bi/tri)linear,
bicubic and the antialiased bilinear/bicubic, one class per torch ``grad_fn`` name; and
``AdaptiveAvgPool3DBackward0`` for ``mode='area'`` on 5-d input.

Every mode is separable: along each spatial dim, output ``o`` is a weighted sum of a few
input elements (its *taps*). The taps are computed on the host, per dim, with the
arithmetic of torch's CPU kernels (``UpSample.h``, ``UpSampleKernel.cpp``): the scale and
the source index in the input's op-math type (float32 for float32 input, float64 for
float64), the index floored as float32 (``floorf``), and torch's special cases, which are
not always the same in forward and backward (``_axes``). Forward gathers the taps along
each dim in turn; backward is the adjoint, one ``bincount`` per dim. The nodes save
sizes and scales (as torch does), never the input.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function
from ..backend import xp_of
from ._graph import linear_backward_graph
from .conv import _spread_windows, _sum_windows, adaptive_windows

# ---------------------------------------------------------------- index arithmetic
# ``T`` is the op-math type: np.float32 or np.float64. Each helper returns the taps of one
# dim: ``(idx, w)``, int64 and T arrays of shape (K, out), or None for the identity.

_F32 = np.float32


def _opmath(dtype) -> type:
    return np.float64 if np.dtype(dtype) == np.float64 else np.float32


def _floorf(v) -> np.ndarray:
    """``floorf(v)``: the value rounded to float32 first, as C's ``floorf`` takes a float."""
    return np.floor(np.asarray(v).astype(_F32)).astype(np.int64)


def _compute_scale(n_in: int, n_out: int, scale, T):
    """``compute_scales_value<T>``: 1/scale when a scale was given, else in/out."""
    if scale is not None and scale > 0:
        return T(1.0 / scale)
    return T(n_in) / T(n_out)


def _area_scale(n_in: int, n_out: int, align: bool, scale, T):
    """``area_pixel_compute_scale<T>``."""
    if align:
        return T(n_in - 1) / T(n_out - 1) if n_out > 1 else T(0)
    return _compute_scale(n_in, n_out, scale, T)


def _source(scale, n_out: int, align: bool, cubic: bool, T) -> np.ndarray:
    """``area_pixel_compute_source_index<T>`` for every output index."""
    i = np.arange(n_out, dtype=T)
    if align:
        return scale * i
    src = scale * (i + T(0.5)) - T(0.5)
    return src if cubic else np.maximum(src, T(0))


def _one_tap(idx):
    return idx[None], None


def nearest_taps(n_in, n_out, scale, T):
    """``HelperInterpNearest``: floor(o * scale), in T."""
    s = _area_scale(n_in, n_out, False, scale, T)
    return _one_tap(np.minimum(_floorf(_source(s, n_out, True, False, T)), n_in - 1))


def nearest_exact_taps(n_in, n_out, scale, T):
    """``HelperInterpNearestExact``: floor((o + 0.5) * scale - 0.5 + 0.5), in T."""
    s = _area_scale(n_in, n_out, False, scale, T)
    src = _source(s, n_out, False, False, T).astype(np.float64) + 0.5
    return _one_tap(np.minimum(_floorf(src), n_in - 1))


def nearest_idx_taps(n_in, n_out, scale, T=None):
    """``nearest_idx``: a copy for the same size, o // 2 for twice it, else floor(o * scale)
    in float32 whatever the dtype (the backward of every nearest node, and 2-d forward)."""
    o = np.arange(n_out, dtype=np.int64)
    if n_out == n_in:
        return None
    if n_out == 2 * n_in:
        return _one_tap(o >> 1)
    s = _compute_scale(n_in, n_out, scale, _F32)
    return _one_tap(np.minimum(_floorf(o.astype(_F32) * s), n_in - 1))


def nearest_exact_idx_taps(n_in, n_out, scale, T=None):
    """``nearest_exact_idx``: floor((o + 0.5) * scale), the product in float64 of a
    float32 scale."""
    s = np.float64(_compute_scale(n_in, n_out, scale, _F32))
    o = np.arange(n_out, dtype=np.float64)
    return _one_tap(np.minimum(_floorf((o + 0.5) * s), n_in - 1))


def linear_taps(n_in, n_out, scale, T, align):
    """``compute_source_index_and_lambda``: two taps, a copy for the same size."""
    if n_out == n_in:
        return None
    s = _area_scale(n_in, n_out, align, scale, T)
    src = _source(s, n_out, align, False, T)
    i0 = np.minimum(_floorf(src), n_in - 1)
    l1 = np.clip(src - i0.astype(T), T(0), T(1)).astype(T)
    i1 = i0 + (i0 < n_in - 1)
    return np.stack([i0, i1]), np.stack([T(1) - l1, l1])


def _cubic1(x, a):
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic2(x, a):
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def cubic_taps(n_in, n_out, scale, T, align):
    """``HelperInterpCubic``: four taps (clamped to the edges), Keys' kernel with A=-0.75."""
    s = _area_scale(n_in, n_out, align, scale, T)
    src = _source(s, n_out, align, True, T)
    i0 = np.minimum(_floorf(src), n_in - 1)
    t = np.clip(src - i0.astype(T), T(0), T(1)).astype(T)
    a, one = T(-0.75), T(1)
    w = np.stack(
        [_cubic2(t + one, a), _cubic1(t, a), _cubic1(one - t, a), _cubic2(one - t + one, a)]
    )
    idx = np.clip(i0[None] + np.arange(-1, 3)[:, None], 0, n_in - 1)
    return idx, w.astype(T)


def _aa_linear(x, T):
    x = np.abs(x)
    return np.where(x < 1, T(1) - x, T(0)).astype(T)


def _aa_cubic(x, T):
    x, a = np.abs(x), T(-0.5)
    return np.where(x < 1, _cubic1(x, a), np.where(x < 2, _cubic2(x, a), T(0))).astype(T)


def aa_taps(n_in, n_out, scale, T, align, interp: int, kernel):
    """``_compute_indices_min_size_weights_aa``: the filter stretched by the scale when
    downsampling, its taps normalised to sum to one (PIL's resampling)."""
    s = _area_scale(n_in, n_out, align, scale, T)
    support = T(interp * 0.5 * float(s)) if s >= 1 else T(interp * 0.5)
    width = int(math.ceil(support)) * 2 + 1
    invscale = T(1.0 / float(s)) if s >= 1 else T(1)
    center = (float(s) * (np.arange(n_out, dtype=np.float64) + 0.5)).astype(T)
    xmin = np.maximum(((center - support).astype(np.float64) + 0.5).astype(np.int64), 0)
    xmax = np.minimum(((center + support).astype(np.float64) + 0.5).astype(np.int64), n_in)
    xsize = np.clip(xmax - xmin, 0, width)
    j = np.arange(width)[:, None]
    pos = (j + xmin[None]).astype(T) - center[None]
    w = kernel(((pos.astype(np.float64) + 0.5) * float(invscale)).astype(T), T)
    w = np.where(j < xsize[None], w, T(0)).astype(T)
    total = w.sum(0, dtype=T)
    w = np.where(total != 0, w / np.where(total != 0, total, T(1)), w).astype(T)
    return np.clip(j + xmin[None], 0, n_in - 1), w


# ---------------------------------------------------------------- applying taps


def _gather(x, axis: int, taps):
    """Along ``axis``: output ``o`` = sum_k w[k, o] * x[idx[k, o]]."""
    if taps is None:
        return x
    xp = xp_of(x)
    idx, w = taps
    xm = xp.moveaxis(x, axis, -1)
    idx = xp.asarray(idx)
    if w is None:
        out = xm[..., idx[0]]
    else:
        w = xp.asarray(w.astype(x.dtype))
        out = xm[..., idx[0]] * w[0]
        for k in range(1, len(idx)):
            out += xm[..., idx[k]] * w[k]
    return xp.ascontiguousarray(xp.moveaxis(out, -1, axis))


def _scatter(g, axis: int, taps, n_in: int):
    """The adjoint of ``_gather``: each tap's share of the gradient added back, one
    ``bincount`` over (row, input index)."""
    if taps is None:
        return g
    xp = xp_of(g)
    idx, w = taps
    gm = xp.moveaxis(g, axis, -1)
    lead, n_out = gm.shape[:-1], gm.shape[-1]
    rows = int(np.prod(lead, dtype=np.int64))
    if rows == 0:
        return xp.zeros(g.shape[:axis] + (n_in,) + g.shape[axis + 1 :], dtype=g.dtype)
    gm = gm.reshape(rows, n_out)
    idx = xp.asarray(idx)
    pos = xp.arange(rows)[None, :, None] * n_in + idx[:, None, :]
    vals = xp.broadcast_to(gm[None], (len(idx), rows, n_out))
    if w is not None:
        vals = vals * xp.asarray(w.astype(np.float64))[:, None, :]
    out = xp.bincount(pos.ravel(), weights=vals.ravel(), minlength=rows * n_in)
    out = out.astype(g.dtype).reshape(*lead, n_in)
    return xp.ascontiguousarray(xp.moveaxis(out, -1, axis))


# ---------------------------------------------------------------- nodes


class _Upsample(Function):
    """Resampling of the last ``_dims`` dims by per-dim taps. ``forward(x, output_size,
    scales[, align_corners])``; saves ``output_size``, the scales and ``self_sym_sizes``
    (and ``align_corners``) as plain values, as torch does."""

    _dims = 2
    _aligns = False  # whether the node takes align_corners

    def forward(self, x, output_size, scales, align_corners=None):
        self.output_size = tuple(output_size)
        self.self_sym_sizes = tuple(x.shape)
        names = (
            ("scales",) if self._dims == 1 else ("scales_d", "scales_h", "scales_w")[-self._dims :]
        )
        for name, s in zip(names, scales):
            setattr(self, name, s)
        if self._aligns:
            self.align_corners = align_corners
        self.scales_ = tuple(scales)
        self.T = _opmath(x.dtype)
        self.fwd = self._axes(backward=False)
        return self._apply(x)

    def _per_dim(self):
        nd = self._dims
        return zip(self.self_sym_sizes[-nd:], self.output_size, self.scales_)

    def _axes(self, backward: bool) -> list:
        """Per dim, the taps (None for a copy)."""
        raise NotImplementedError

    def _apply(self, x):  # the last dim first, as torch's kernels
        src, nd = x, x.ndim
        x = x.astype(self.T, copy=False)  # float16 computed in float32, rounded once
        for d in reversed(range(self._dims)):
            x = _gather(x, nd - self._dims + d, self.fwd[d])
        x = x.astype(src.dtype, copy=False)
        return x.copy() if x is src else x

    def backward(self, g):
        bwd = self._axes(backward=True)
        src, nd = g, g.ndim
        g = g.astype(self.T, copy=False)
        for d in reversed(range(self._dims)):
            g = _scatter(g, nd - self._dims + d, bwd[d], self.self_sym_sizes[nd - self._dims + d])
        g = g.astype(src.dtype, copy=False)
        return (g.copy() if g is src else g,)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return self._apply(tangents[0])


class _Nearest(_Upsample):
    # torch's 1-d and 3-d forward kernels floor o * scale in op-math; its 2-d forward and
    # every backward use ``nearest_idx`` (float32, with a copy for the same size and o // 2
    # for twice it), so the two can disagree for a scale_factor whose size rounds to those
    _fwd, _bwd = staticmethod(nearest_taps), staticmethod(nearest_idx_taps)

    def _axes(self, backward):
        rule = self._bwd if backward or self._dims == 2 else self._fwd
        return [rule(i, o, s, self.T) for i, o, s in self._per_dim()]


class UpsampleNearest1DBackward0(_Nearest):
    _name, _dims = "UpsampleNearest1DBackward0", 1


class UpsampleNearest2DBackward0(_Nearest):
    _name, _dims = "UpsampleNearest2DBackward0", 2


class UpsampleNearest3DBackward0(_Nearest):
    _name, _dims = "UpsampleNearest3DBackward0", 3


class _NearestExact(_Nearest):
    _fwd, _bwd = staticmethod(nearest_exact_taps), staticmethod(nearest_exact_idx_taps)


class UpsampleNearestExact1DBackward0(_NearestExact):
    _name, _dims = "UpsampleNearestExact1DBackward0", 1


class UpsampleNearestExact2DBackward0(_NearestExact):
    _name, _dims = "UpsampleNearestExact2DBackward0", 2


class UpsampleNearestExact3DBackward0(_NearestExact):
    _name, _dims = "UpsampleNearestExact3DBackward0", 3


class _Linear(_Upsample):
    _aligns = True

    def _axes(self, backward):
        ac = self.align_corners
        return [linear_taps(i, o, s, self.T, ac) for i, o, s in self._per_dim()]


class UpsampleLinear1DBackward0(_Linear):
    _name, _dims = "UpsampleLinear1DBackward0", 1


class UpsampleBilinear2DBackward0(_Linear):
    _name, _dims = "UpsampleBilinear2DBackward0", 2


class UpsampleTrilinear3DBackward0(_Linear):
    _name, _dims = "UpsampleTrilinear3DBackward0", 3


class UpsampleBicubic2DBackward0(_Upsample):
    _name, _dims, _aligns = "UpsampleBicubic2DBackward0", 2, True

    def _axes(self, backward):
        # torch's backward copies the gradient when no dim changes size, whatever the scale
        if backward and self.output_size == self.self_sym_sizes[-2:]:
            return [None, None]
        ac = self.align_corners
        return [cubic_taps(i, o, s, self.T, ac) for i, o, s in self._per_dim()]


class _Antialiased(_Upsample):
    _dims, _aligns = 2, True

    def _axes(self, backward):
        # torch's forward skips a dim that keeps its size (whatever the scale); its backward
        # does not
        ac, interp, kernel = self.align_corners, self._interp, self._kernel
        return [
            None if i == o and not backward else aa_taps(i, o, s, self.T, ac, interp, kernel)
            for i, o, s in self._per_dim()
        ]


class UpsampleBilinear2DAaBackward0(_Antialiased):
    _name, _interp, _kernel = "UpsampleBilinear2DAaBackward0", 2, staticmethod(_aa_linear)


class UpsampleBicubic2DAaBackward0(_Antialiased):
    _name, _interp, _kernel = "UpsampleBicubic2DAaBackward0", 4, staticmethod(_aa_cubic)


# ---------------------------------------------------------------- area on 5-d input


class AdaptiveAvgPool3DBackward0(Function):
    """The mean of each of ``output_size`` near-equal windows of the last three dims of a
    4-d or 5-d input; saves the input (``self``), as torch does."""

    _name = "AdaptiveAvgPool3DBackward0"

    def forward(self, x, output_size):
        self.save(self=x)
        self.in_shape, self.size_ = x.shape, tuple(output_size)
        return self._pool(x)

    def _windows(self):
        return [adaptive_windows(n, o) for n, o in zip(self.in_shape[-3:], self.size_)]

    def _divisor(self, dtype):
        (_, cd), (_, ch), (_, cw) = self._windows()
        return np.einsum("i,j,k->ijk", cd, ch, cw).astype(dtype)

    def _pool(self, x):
        for axis, (bounds, _) in zip((-3, -2, -1), self._windows()):
            x = _sum_windows(x, axis, bounds)
        return x / xp_of(x).asarray(self._divisor(x.dtype))

    def backward(self, g):
        share = g / xp_of(g).asarray(self._divisor(g.dtype))
        for axis, (bounds, _), n in zip((-1, -2, -3), self._windows()[::-1], self.in_shape[::-1]):
            share = _spread_windows(share, axis, bounds, n)
        return (share,)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return self._pool(tangents[0])
