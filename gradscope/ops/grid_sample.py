"""The nodes of ``F.grid_sample`` (``GridSampler2DBackward0``, ``GridSampler3DBackward0``)
and ``F.affine_grid`` (``AffineGridGeneratorBackward0``).

``grid_sample`` reads each output point at a location the grid gives in [-1, 1] per
spatial dim (x for the last dim, then y, then z). The location is unnormalised, then
clipped or reflected by the padding mode (piecewise linear in the grid: a value and a
slope, ``mult``); bilinear (trilinear on 5-d input) weighs the 2**d corners around it,
nearest takes the rounded one, bicubic (4-d input) weighs the 4x4 pixels around it with
Keys' kernel, padding each of those instead. The arithmetic is in the input's op-math
type (float32 for float16 and float32), as torch's CPU kernels.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..autograd.function import Function
from ..backend import fp_quiet, xp_of
from ._graph import constant, linear_backward_graph, no_forward_mode

MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}


def _opmath(dtype) -> type:
    return np.float64 if np.dtype(dtype) == np.float64 else np.float32


# ---------------------------------------------------------------- source locations


def _clip(c, size: int, T):
    """``clip_coordinates`` with its slope: the borders count as outside (slope 0)."""
    xp = xp_of(c)
    hi = T(size - 1)
    res = xp.minimum(xp.maximum(c, T(0)), hi)
    return res, ((res != 0) & (res != hi)).astype(T)


def _reflect(c, size: int, align: bool, T):
    """``reflect_coordinates`` with its slope (+-1), about the corner pixels' centres
    (``align``) or their outer edges."""
    xp = xp_of(c)
    span = T(2 * (size - 1)) if align else T(2 * size)
    if span == 0:
        return xp.zeros_like(c), xp.zeros_like(c)
    v = c if align else c + T(0.5)
    neg = v < 0
    a = xp.abs(v)
    extra = a - xp.trunc(a / span) * span
    back = span - extra
    more = extra > back
    res = xp.where(more, back, extra)
    if not align:
        res = res - T(0.5)
    return res.astype(T), xp.where(more ^ neg, T(-1), T(1))


def _unnormalize(g, size: int, align: bool, T):
    """Grid coordinate ``g`` as a location in pixels along a dim of ``size``, and the
    scale (its derivative)."""
    s = T((size - 1) / 2) if align else T(size / 2)
    c = (g + T(1)) * s if align else (g + T(1)) * s - T(0.5)
    return c.astype(T), s


def _pad(c, size: int, padding: int, align: bool, T):
    """A location clipped (``border``) or reflected (``reflection``) into the input, and
    its derivative."""
    if padding == 1:
        return _clip(c, size, T)
    if padding == 2:
        c, m1 = _reflect(c, size, align, T)
        c, m2 = _clip(c, size, T)
        return c, m1 * m2
    return c, None


def source(g, size: int, padding: int, align: bool, T):
    """The location in pixels of grid coordinate ``g`` along a dim of ``size``, and its
    derivative with respect to ``g``."""
    xp = xp_of(g)
    c, s = _unnormalize(g, size, align, T)
    c, m = _pad(c, size, padding, align, T)
    mult = xp.full_like(c, s) if m is None else s * m
    return c.astype(T), mult.astype(T)


def _to_index(v):
    """Floored or rounded locations as int64; non-finite or huge ones far outside."""
    xp = xp_of(v)
    ok = xp.isfinite(v) & (xp.abs(v) < 2.0**62)
    return xp.where(ok, v, -2).astype(np.int64)


_A = -0.75  # the cubic convolution's parameter, as torch's


def factor(kind: str, o: int, t):
    """The weight along one dim of tap ``o`` at fractional location ``t`` (an array or a
    tensor): linear taps 0 and 1, cubic taps -1 to 2 (Keys' kernel)."""
    if kind == "linear":
        return 1 - t if o == 0 else t
    x = (t + 1, t, 1 - t, 2 - t)[o]
    if o in (1, 2):
        return (((_A + 2) * x - (_A + 3)) * x) * x + 1
    return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A


def dfactor(kind: str, o: int, t):
    """The derivative of ``factor`` with respect to ``t``."""
    if kind == "linear":
        return -1.0 if o == 0 else 1.0
    x = (t + 1, t, 1 - t, 2 - t)[o]
    sign = 1.0 if o < 2 else -1.0
    if o in (1, 2):
        return (3 * (_A + 2) * x - 2 * (_A + 3)) * x * sign
    return ((3 * _A * x - 10 * _A) * x + 8 * _A) * sign


class _Taps:
    """Per output point (flattened to (N, Q)): each tap's flat input index, in-bounds
    mask, weight and the weight's derivative along each dim; the slopes ``mult``. As in
    torch, a tap outside the input reads 0 and its weight is kept (a NaN location gives
    NaN), and a gradient is never scattered to it. Bicubic pads each tap's location, not
    the point's (as torch), so its slopes are the unnormalising scale alone."""

    def __init__(self, grid, spatial: tuple, mode: int, padding: int, align: bool, T):
        nd = len(spatial)
        n = grid.shape[0]
        xp = xp_of(grid)
        q = int(np.prod(grid.shape[1:-1], dtype=np.int64))
        g = grid.reshape(n, q, nd).astype(T, copy=False)
        sizes = spatial[::-1]  # grid component d indexes spatial dim -1 - d
        strides = [int(np.prod(spatial[len(spatial) - d :], dtype=np.int64)) for d in range(nd)]
        self.kind = ("linear", None, "cubic")[mode]
        with fp_quiet():
            if mode == 2:
                unn = [_unnormalize(g[..., d], sizes[d], align, T) for d in range(nd)]
                locs = [(c, xp.full_like(c, s)) for c, s in unn]
            else:
                locs = [source(g[..., d], sizes[d], padding, align, T) for d in range(nd)]
            self.mult = [m for _, m in locs]
            if mode == 1:
                self.t = None
                per_dim = [[_to_index(xp.rint(c))] for c, _ in locs]
            else:
                fl = [xp.floor(c) for c, _ in locs]
                self.t = [(c - f).astype(T) for (c, _), f in zip(locs, fl)]
                offs = (0, 1) if mode == 0 else (-1, 0, 1, 2)
                per_dim = []
                for d, f in enumerate(fl):
                    taps = []
                    for o in offs:
                        loc = (f + T(o)).astype(T)
                        if mode == 2:
                            loc, _ = _pad(loc, sizes[d], padding, align, T)
                        taps.append(_to_index(loc))
                    per_dim.append(taps)
        self.idx, self.mask, self.offs = [], [], []
        for combo in itertools.product(*[range(len(p)) for p in per_dim]):
            flat = xp.zeros((n, q), dtype=np.int64)
            mask = xp.ones((n, q), dtype=bool)
            for d, o in enumerate(combo):
                i = per_dim[d][o]
                mask &= (i >= 0) & (i < sizes[d])
                flat += xp.clip(i, 0, sizes[d] - 1) * strides[d]
            self.idx.append(flat)
            self.mask.append(mask)
            self.offs.append(combo)
        self.w, self.dw = [], []
        for combo in self.offs:
            if self.t is None:
                self.w.append(xp.ones((n, q), dtype=T))
                continue
            fac = [factor(self.kind, o, self.t[d]) for d, o in enumerate(combo)]
            self.w.append(_prod(fac).astype(T))
            self.dw.append(
                [
                    _prod([dfactor(self.kind, o, self.t[d])] + fac[:d] + fac[d + 1 :])
                    for d, o in enumerate(combo)
                ]
            )


def _prod(factors):
    out = factors[0]
    for f in factors[1:]:
        out = out * f
    return out


def _flat(x):
    return x.reshape(x.shape[0], x.shape[1], int(np.prod(x.shape[2:], dtype=np.int64)))


def _gather(xf, idx):
    xp = xp_of(xf)
    return xp.take_along_axis(xf, xp.asarray(idx)[:, None, :], axis=2)


class _GridSampler(Function):
    """``forward(input, grid, interpolation_mode, padding_mode, align_corners)``; saves
    the input and the grid, as torch does."""

    _dims = 2
    # torch's 3-d kernel adds nothing for a corner outside the input; its 2-d one adds the
    # corner's weight times 0, which is NaN for a NaN location
    _skip_outside = False

    def forward(self, x, grid, interpolation_mode, padding_mode, align_corners):
        self.save(input=x, grid=grid)
        self.interpolation_mode = interpolation_mode
        self.padding_mode = padding_mode
        self.align_corners = align_corners
        self.T = _opmath(x.dtype)
        taps = self._taps(x, grid)
        out = self._sample(x, taps)
        return out.reshape(x.shape[:2] + grid.shape[1:-1])

    def _taps(self, x, grid) -> _Taps:
        return _Taps(
            grid,
            tuple(x.shape[2:]),
            self.interpolation_mode,
            self.padding_mode,
            self.align_corners,
            self.T,
        )

    def _sample(self, x, taps):
        xp = xp_of(x)
        xf = _flat(x).astype(self.T, copy=False)
        out = None
        for k, idx in enumerate(taps.idx):
            m = xp.asarray(taps.mask[k])[:, None, :]
            term = xp.where(m, _gather(xf, idx), 0) * xp.asarray(taps.w[k])[:, None, :]
            if self._skip_outside:
                term = xp.where(m, term, 0)
            out = term if out is None else out + term
        return out.astype(x.dtype, copy=False)

    def _grid_grad(self, x, grid, gf, taps):
        """d<g, out>/d grid, (N, *out_spatial, dims)."""
        xp = xp_of(x)
        if taps.t is None:  # nearest: zero almost everywhere
            return xp.zeros(grid.shape, dtype=grid.dtype)
        xf = _flat(x).astype(self.T, copy=False)
        comps = [0] * self._dims
        for k, idx in enumerate(taps.idx):
            v = xp.where(xp.asarray(taps.mask[k])[:, None, :], _gather(xf, idx), 0)
            gv = (v * gf).sum(1)
            for d in range(self._dims):
                term = gv * xp.asarray(taps.dw[k][d])
                if self._skip_outside:
                    term = xp.where(xp.asarray(taps.mask[k]), term, 0)
                comps[d] = comps[d] + term
        comps = [c * xp.asarray(m) for c, m in zip(comps, taps.mult)]
        return xp.stack(comps, -1).reshape(grid.shape).astype(grid.dtype, copy=False)

    def backward(self, g):
        x, grid = self.saved("input"), self.saved("grid")
        need_x, need_grid = self.needs_input_grad
        taps = self._taps(x, grid)
        xp = xp_of(g)
        gf = _flat(g).astype(self.T, copy=False)
        gx = ggrid = None
        if need_x:
            n, c = x.shape[:2]
            p = int(np.prod(x.shape[2:], dtype=np.int64))
            rows = (xp.arange(n * c).reshape(n, c, 1)) * p
            pos = xp.concatenate([(rows + xp.asarray(i)[:, None, :]).ravel() for i in taps.idx])
            vals = xp.concatenate(
                [
                    xp.where(xp.asarray(m)[:, None, :], gf * xp.asarray(w)[:, None, :], 0)
                    .astype(np.float64)
                    .ravel()
                    for w, m in zip(taps.w, taps.mask)
                ]
            )
            gx = xp.bincount(pos, weights=vals, minlength=n * c * p)
            gx = gx.astype(x.dtype).reshape(x.shape)
        if need_grid:
            ggrid = self._grid_grad(x, grid, gf, taps)
        return gx, ggrid

    def backward_graph(self, g):
        """The backward in tensor ops over the saved input and grid: the weights linear in
        the grid about its saved values (the padding's slopes are constant almost
        everywhere), so second derivatives through both come out right."""
        from . import api

        x_t, grid_t = self.saved_tensor("input"), self.saved_tensor("grid")
        x, grid = x_t._data, grid_t._data
        need_x, need_grid = self.needs_input_grad
        taps = self._taps(x, grid)
        n, c = x.shape[:2]
        nd, q = self._dims, taps.idx[0].shape[1]
        dt = x.dtype
        xp = xp_of(x)
        gf = g.reshape(n, c, q)
        weights = [constant(w.astype(dt)) for w in taps.w]
        if taps.t is not None:
            gd = grid_t.reshape(n, q, nd)
            gconst = grid.reshape(n, q, nd)
            ts = [
                constant(taps.t[d].astype(dt))
                + (gd[..., d] - constant(gconst[..., d])) * constant(taps.mult[d].astype(dt))
                for d in range(nd)
            ]
            weights = [
                _prod([factor(taps.kind, o, ts[d]) for d, o in enumerate(combo)])
                for combo in taps.offs
            ]
        idx = [constant(xp.broadcast_to(i[:, None, :], (n, c, q)).copy()) for i in taps.idx]
        masks = [constant(m[:, None, :]) for m in taps.mask]
        gx = ggrid = None
        if need_x:
            flat = constant(xp.zeros((n, c, int(np.prod(x.shape[2:], dtype=np.int64))), dt))
            for i, w, m in zip(idx, weights, masks):
                flat = api.scatter_add(flat, 2, i, api.where(m, gf * w.unsqueeze(1), 0.0))
            gx = flat.reshape(tuple(x.shape))
        if need_grid:
            if taps.t is None:
                ggrid = constant(xp.zeros(grid.shape, dtype=grid.dtype))
            else:
                xf = x_t.reshape(n, c, int(np.prod(x.shape[2:], dtype=np.int64)))
                comps = [None] * nd
                for k, i in enumerate(idx):
                    gv = (api.where(masks[k], api.gather(xf, 2, i), 0.0) * gf).sum(1)
                    for d in range(nd):
                        fac = [factor(taps.kind, o, ts[e]) for e, o in enumerate(taps.offs[k])]
                        dw = _prod(
                            [dfactor(taps.kind, taps.offs[k][d], ts[d])] + fac[:d] + fac[d + 1 :]
                        )
                        term = gv * dw
                        if self._skip_outside:
                            term = api.where(masks[k][:, 0], term, 0.0)
                        comps[d] = term if comps[d] is None else comps[d] + term
                comps = [cd * constant(taps.mult[d].astype(dt)) for d, cd in enumerate(comps)]
                ggrid = api.stack(comps, -1).reshape(tuple(grid.shape))
        return gx, ggrid


class GridSampler2DBackward0(_GridSampler):
    _name, _dims = "GridSampler2DBackward0", 2
    jvp = no_forward_mode("grid_sampler_2d")  # torch has no forward-mode rule either


class GridSampler3DBackward0(_GridSampler):
    _name, _dims, _skip_outside = "GridSampler3DBackward0", 3, True
    jvp = no_forward_mode("grid_sampler_3d")


# ---------------------------------------------------------------- affine_grid


def _linspace(steps: int, align: bool, T) -> np.ndarray:
    """torch's ``linspace_from_neg_one``: -1 to 1 (pixel centres scaled in when not
    ``align``), 0 for a single step."""
    if steps <= 1:
        return np.zeros(1, dtype=T)
    step = (T(1) - T(-1)) / T(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    r = np.where(
        i < half, T(-1) + step * i.astype(T), T(1) - step * (steps - i - 1).astype(T)
    ).astype(T)
    if not align:
        r = (r * T(steps - 1) / T(steps)).astype(T)
    return r


def base_grid(spatial: tuple, align: bool, T) -> np.ndarray:
    """The (*spatial, dims + 1) grid of normalised locations (x, y[, z], 1)."""
    nd = len(spatial)
    out = np.ones(tuple(spatial) + (nd + 1,), dtype=T)
    for d in range(nd):
        axis = nd - 1 - d
        shape = [1] * nd
        shape[axis] = spatial[axis]
        out[..., d] = _linspace(spatial[axis], align, T).reshape(shape)
    return out


class AffineGridGeneratorBackward0(Function):
    """``forward(theta, size, align_corners)``: the grid ``base @ theta^T`` for an output
    of ``size``; saves ``size`` and ``align_corners`` as plain values, as torch does."""

    _name = "AffineGridGeneratorBackward0"

    def forward(self, theta, size, align_corners):
        self.size, self.align_corners = tuple(size), align_corners
        return self._grid(theta)

    def _base(self, dtype):
        return base_grid(self.size[2:], self.align_corners, _opmath(dtype))

    def _grid(self, theta):
        xp = xp_of(theta)
        base = self._base(theta.dtype)
        nd = base.shape[-1] - 1
        flat = xp.asarray(base.reshape(-1, nd + 1))
        th = theta.astype(base.dtype, copy=False)
        out = xp.matmul(flat[None], xp.swapaxes(th, 1, 2))
        return out.reshape((self.size[0],) + tuple(self.size[2:]) + (nd,)).astype(theta.dtype)

    def backward(self, g):
        xp = xp_of(g)
        base = self._base(g.dtype)
        nd = base.shape[-1] - 1
        flat = xp.asarray(base.reshape(-1, nd + 1))
        gf = g.reshape(g.shape[0], flat.shape[0], nd).astype(base.dtype, copy=False)
        return (xp.swapaxes(xp.matmul(flat.T[None], gf), 1, 2).astype(g.dtype),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return self._grid(tangents[0])
