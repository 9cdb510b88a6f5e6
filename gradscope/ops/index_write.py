"""Writes at indices: index_add, index_copy, index_fill, masked_scatter, put, index_put
with ``accumulate`` and scatter_reduce.

Their gradients but scatter_reduce's are linear in the incoming gradient alone (the
indices and masks are constants), so their ``backward_graph`` is ``linear_backward_graph``
and their ``jvp`` reads only shapes and the indices kept on the node.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..backend import xp_of
from ._broadcast import unbroadcast
from ._graph import linear_backward_graph
from .shape import IndexPutBackward0 as _IndexPut
from .shape import scatter_add


def _along(dim: int, index) -> tuple:
    """The index that picks positions ``index`` (1-D) along ``dim``."""
    return (slice(None),) * dim + (index,)


def _1d(a):
    return a.reshape(1) if a.ndim == 0 else a


def _zeros(shape, like):
    return xp_of(like).zeros(shape, dtype=like.dtype)


# ---------------------------------------------------------------- index_add, index_copy


class IndexAddBackward0(Function):
    """``index_add(dim, index, source, alpha=)``, run as ``(self, source, index)``."""

    _name = "IndexAddBackward0"
    _edges = 2
    _released_with = ("index",)

    def forward(self, a, src, index, dim, alpha):
        self.dim, self.alpha, self.source_dim = dim, alpha, src.ndim
        self.index, self.shapes = index.reshape(-1), (a.shape, src.shape)
        if self.needs_input_grad[1]:
            self.save(index=index, source=src)
        return self._write(a.copy(), src)

    def _write(self, out, src):
        s = src if self.alpha == 1 else src * self.alpha
        if s.dtype != out.dtype:
            s = s.astype(out.dtype)
        scatter_add(_1d(out), _along(self.dim, self.index), _1d(s))
        return out

    def _src_grad(self, g):
        picked = _1d(g)[_along(self.dim, self.index)]
        picked = picked.reshape(self.shapes[1]) if picked.size else _zeros(self.shapes[1], g)
        return picked if self.alpha == 1 else picked * self.alpha

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        return (g if na else None, self._src_grad(g) if ns else None)

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = _zeros(self.shapes[0], out) if ta is None else ta.astype(out.dtype, copy=True)
        return t if ts is None else self._write(t, ts)


class IndexCopyBackward0(IndexAddBackward0):
    """``index_copy(dim, index, source)``, run as ``(self, source, index)``."""

    _name = "IndexCopyBackward0"

    def forward(self, a, src, index, dim):
        self.dim, self.alpha, self.source_dim = dim, 1, src.ndim
        self.index, self.shapes = index.reshape(-1), (a.shape, src.shape)
        self.save(index=index)
        if self.needs_input_grad[1]:
            self.save(source=src)
        return self._write(a.copy(), src)

    def _write(self, out, src):
        _1d(out)[_along(self.dim, self.index)] = _1d(src)
        return out

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        ga = None
        if na:
            ga = g.copy()
            _1d(ga)[_along(self.dim, self.index)] = 0
        return (ga, self._src_grad(g) if ns else None)

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = _zeros(self.shapes[0], out) if ta is None else ta.astype(out.dtype, copy=True)
        return self._write(t, _zeros(self.shapes[1], out) if ts is None else ts)


# ---------------------------------------------------------------- index_fill


class IndexFillBackward0(Function):
    """``index_fill(dim, index, value)`` with a number, run as ``(self, index)``."""

    _name = "IndexFillBackward0"
    _edges = 1
    _released_with = ("index",)

    def forward(self, a, index, dim, value):
        self.dim, self.index = dim, index.reshape(-1)
        self.save(index=index)
        out = a.copy()
        _1d(out)[_along(dim, self.index)] = value
        return out

    def _self_grad(self, g):
        out = g.copy()
        _1d(out)[_along(self.dim, self.index)] = 0
        return out

    def backward(self, g):
        return (self._self_grad(g),)

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        return None if tangents[0] is None else self._self_grad(tangents[0])


class IndexFillBackward1(IndexFillBackward0):
    """``index_fill(dim, index, value)`` with a 0-dim tensor, run as ``(self, value, index)``."""

    _name = "IndexFillBackward1"
    _edges = 2

    def forward(self, a, value, index, dim):
        return super().forward(a, index, dim, value.astype(a.dtype))

    def _value_grad(self, g):
        xp = xp_of(g)
        picked = _1d(g)[_along(self.dim, xp.unique(self.index))]
        return picked.sum().astype(g.dtype)

    def backward(self, g):
        na, nv = self.needs_input_grad[:2]
        return (self._self_grad(g) if na else None, self._value_grad(g) if nv else None)

    def jvp(self, xs, out, tangents):
        ta, tv = tangents[:2]
        t = _zeros(out.shape, out) if ta is None else ta.astype(out.dtype, copy=True)
        _1d(t)[_along(self.dim, self.index)] = 0 if tv is None else tv
        return t


# ---------------------------------------------------------------- masked_scatter


class MaskedScatterBackward0(Function):
    """``masked_scatter(mask, source)``, run as ``(self, source, mask)``: ``source``'s
    elements in order, written where the mask (broadcast to ``self``) holds."""

    _name = "MaskedScatterBackward0"
    _edges = 2
    _released_with = ("mask",)

    def forward(self, a, src, mask):
        xp = xp_of(a)
        shape = xp.broadcast_shapes(a.shape, mask.shape)
        self.mask, self.shapes = xp.broadcast_to(mask, shape), (a.shape, src.shape, shape)
        self.save(mask=mask)
        self.source_sym_sizes = src.shape
        out = xp.broadcast_to(a, shape).copy()
        return self._write(out, src)

    def _write(self, out, src):
        n = int(self.mask.sum())
        out[self.mask] = src.reshape(-1)[:n]
        return out

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        ga = gs = None
        if na:
            ga = unbroadcast(g * ~self.mask, self.shapes[0])
        if ns:
            flat = _zeros((int(_size(self.shapes[1])),), g)
            picked = g[self.mask]
            flat[: picked.size] = picked
            gs = flat.reshape(self.shapes[1])
        return ga, gs

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        shape = self.shapes[2]
        xp = xp_of(out)
        t = xp.zeros(shape, out.dtype) if ta is None else xp.broadcast_to(ta, shape).copy()
        return self._write(t, _zeros(self.shapes[1], out) if ts is None else ts)


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ---------------------------------------------------------------- put


class PutBackward0(Function):
    """``put(index, source, accumulate)`` into ``self`` seen as 1-D, run as
    ``(self, source, index)``."""

    _name = "PutBackward0"
    _edges = 2
    _released_with = ("index",)

    def forward(self, a, src, index, accumulate):
        self.accumulate, self.shapes = accumulate, (a.shape, src.shape)
        n = max(a.size, 1)
        self.index = index.reshape(-1) % n  # torch wraps negative positions
        self.save(index=index)
        if self.needs_input_grad[1]:
            self.save(source=src)
        return self._write(a.copy(), src)

    def _write(self, out, src):
        flat = out.reshape(-1)
        if self.accumulate:
            scatter_add(flat, self.index, src.reshape(-1))
        else:
            flat[self.index] = src.reshape(-1)
        return out

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        ga = gs = None
        if na:
            ga = g
            if not self.accumulate:
                ga = g.copy()
                ga.reshape(-1)[self.index] = 0
        if ns:
            gs = g.reshape(-1)[self.index].reshape(self.shapes[1])
        return ga, gs

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = _zeros(self.shapes[0], out) if ta is None else ta.astype(out.dtype, copy=True)
        return self._write(t, _zeros(self.shapes[1], out) if ts is None else ts)


# ---------------------------------------------------------------- index_put


class IndexPutBackward0(_IndexPut):
    """``index_put(indices, values, accumulate)``, run as ``(self, values, *indices)``;
    out of place on a copy of ``self``."""

    def forward(self, a, value, *rest):
        *arrays, index, accumulate, copy = rest
        if copy:
            a = a.copy()
        self.accumulate = accumulate
        if not accumulate:
            out = super().forward(a, value, *arrays, index)
            self.accumulate = False
            return out
        for k, arr in enumerate(arrays):
            self.save(**{f"indices[{k}]": arr})
        self.index, self.basic = index, False
        self.value_shape = getattr(value, "shape", ())
        xp = xp_of(a)
        places = a[index].shape
        scatter_add(a, index, xp.broadcast_to(value, places))
        return a

    def backward(self, g):
        if not self.accumulate:
            return super().backward(g)
        na, nv = self.needs_input_grad[:2]
        gv = unbroadcast(g[self.index], self.value_shape) if nv else None
        return (g if na else None), gv

    def backward_graph(self, g):
        if not self.accumulate:
            return super().backward_graph(g)
        return linear_backward_graph(self, g)[:2]

    def jvp(self, xs, out, tangents):
        if not self.accumulate:
            return super().jvp(xs, out, tangents)
        ta, tv = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.astype(out.dtype, copy=True)
        if tv is not None:
            scatter_add(t, self.index, xp_of(out).broadcast_to(tv, t[self.index].shape))
        return t
