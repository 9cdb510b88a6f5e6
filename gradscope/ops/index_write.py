"""Writes at indices: index_add, index_copy, index_fill, masked_scatter, put, index_put
with ``accumulate`` and scatter_reduce.

Their gradients but scatter_reduce's are linear in the incoming gradient alone (the
indices and masks are constants): ``backward_graph`` runs the ops torch's formulas name
(``index_select``, ``index_fill``, ``masked_fill``, ``take``, ...), or, where torch has an
op of its own for the gradient, ``linear_grad``; ``jvp`` reads only shapes and the
indices kept on the node.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, apply
from ..backend import in_layout_of, xp_of
from . import api
from ._broadcast import keep, unbroadcast
from ._graph import check_held, constant, linear_grad, sum_to
from .elementwise import MulBackward1
from .index import ScatterAddBackward0, grid, leading
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
    complex_rule = "as_is"
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
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        return (g if na else None, self._src_grad(g) if ns else None)

    def backward_graph(self, g):
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        return (g if na else None), (self._src_grad_graph(g) if ns else None)

    def _src_grad_graph(self, g):
        """torch's ``grad.index_select(dim, index).expand_as(source)`` (times alpha)."""
        if not self.source_dim or not len(self.shapes[0]):  # 0-dim: as the forward rule
            return linear_grad(self, g, 1)
        picked = api.index_select(g, self.dim, self.saved_tensor("index"))
        picked = api.expand(picked, self.shapes[1])
        return picked if self.alpha == 1 else apply(MulBackward1, (picked,), self.alpha)

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = _zeros(self.shapes[0], out) if ta is None else ta.astype(out.dtype, copy=True)
        return t if ts is None else self._write(t, ts)


class IndexCopyBackward0(IndexAddBackward0):
    """``index_copy(dim, index, source)``, run as ``(self, source, index)``."""

    _name = "IndexCopyBackward0"
    complex_rule = "as_is"

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
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        ga = None
        if na:
            ga = g.copy()
            _1d(ga)[_along(self.dim, self.index)] = 0
        return (ga, self._src_grad(g) if ns else None)

    def backward_graph(self, g):
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        ga = _filled_graph(g, self.dim, self.saved_tensor("index")) if na else None
        return ga, (self._src_grad_graph(g) if ns else None)

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = _zeros(self.shapes[0], out) if ta is None else ta.astype(out.dtype, copy=True)
        return self._write(t, _zeros(self.shapes[1], out) if ts is None else ts)


def _filled_graph(g, dim: int, index):
    """torch's ``grad.index_fill(dim, index, 0)``, in the gradient's graph."""
    from .writes import index_fill

    return index_fill(g, dim, index, 0)


# ---------------------------------------------------------------- index_fill


class IndexFillBackward0(Function):
    """``index_fill(dim, index, value)`` with a number, run as ``(self, index)``."""

    _name = "IndexFillBackward0"
    complex_rule = "as_is"
    _edges = 1
    _released_with = ("index",)

    def forward(self, a, index, dim, value):
        self.dim, self.index = dim, index.reshape(-1)
        self.save(index=index)
        out = a.copy(order="K")  # torch's clone: in the input's layout
        _1d(out)[_along(dim, self.index)] = value
        return out

    def _self_grad(self, g):
        out = g.copy(order="K")
        _1d(out)[_along(self.dim, self.index)] = 0
        return out

    def backward(self, g):
        check_held(self)
        return (self._self_grad(g),)

    def backward_graph(self, g):
        check_held(self)
        return (_filled_graph(g, self.dim, self.saved_tensor("index")),)

    def jvp(self, xs, out, tangents):
        return None if tangents[0] is None else self._self_grad(tangents[0])


class IndexFillBackward1(IndexFillBackward0):
    """``index_fill(dim, index, value)`` with a 0-dim tensor, run as ``(self, value, index)``."""

    _name = "IndexFillBackward1"
    complex_rule = "as_is"
    _edges = 2

    def forward(self, a, value, index, dim):
        return super().forward(a, index, dim, value.astype(a.dtype))

    def _value_grad(self, g):
        xp = xp_of(g)
        picked = _1d(g)[_along(self.dim, xp.unique(self.index))]
        return picked.sum().astype(g.dtype)

    def backward(self, g):
        check_held(self)
        na, nv = self.needs_input_grad[:2]
        return (self._self_grad(g) if na else None, self._value_grad(g) if nv else None)

    def backward_graph(self, g):
        check_held(self)
        na, nv = self.needs_input_grad[:2]
        ga = _filled_graph(g, self.dim, self.saved_tensor("index")) if na else None
        gv = None
        if nv:
            unique = constant(xp_of(self.index).unique(self.index))
            gv = api.index_select(g, self.dim, unique).sum()
        return ga, gv

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
    complex_rule = "as_is"
    _edges = 2
    _released_with = ("mask",)

    def forward(self, a, src, mask):
        xp = xp_of(a)
        shape = np.broadcast_shapes(a.shape, mask.shape)
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
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        ga = gs = None
        if na:
            # torch's grad.masked_fill(mask, 0): a NaN or inf where the mask holds gives 0
            ga = unbroadcast(keep(g, ~self.mask), self.shapes[0])
        if ns:
            flat = _zeros((math.prod(self.shapes[1]),), g)
            picked = g[self.mask]
            flat[: picked.size] = picked
            gs = flat.reshape(self.shapes[1])
        return ga, gs

    def backward_graph(self, g):
        """torch's ``grad.masked_fill(mask, 0)``, and its ``masked_scatter_backward`` op
        (``MaskedScatterBackwardBackward0``) for the source."""
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        ga = None
        if na:
            ga = sum_to(g.masked_fill(self.saved_tensor("mask"), 0), self.shapes[0])
        return ga, (linear_grad(self, g, 1) if ns else None)

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        shape = self.shapes[2]
        xp = xp_of(out)
        t = xp.zeros(shape, out.dtype) if ta is None else xp.broadcast_to(ta, shape).copy()
        return self._write(t, _zeros(self.shapes[1], out) if ts is None else ts)


# ---------------------------------------------------------------- put


class PutBackward0(Function):
    """``put(index, source, accumulate)`` into ``self`` seen as 1-D, run as
    ``(self, source, index)``."""

    _name = "PutBackward0"
    complex_rule = "as_is"
    _edges = 2
    _released_with = ("index",)

    def forward(self, a, src, index, accumulate):
        self.accumulate, self.shapes = accumulate, (a.shape, src.shape)
        n = max(a.size, 1)
        self.index = index.reshape(-1) % n  # torch wraps negative positions
        self.save(index=index)
        if self.needs_input_grad[1]:
            self.save(source=src)
        # written through the flat view of a C-ordered copy, which holds torch's order of
        # the elements; then laid out as torch's clone of ``self``
        return in_layout_of(self._write(a.copy(), src), a)

    def _write(self, out, src):
        flat = out.reshape(-1)
        if self.accumulate:
            scatter_add(flat, self.index, src.reshape(-1))
        else:
            flat[self.index] = src.reshape(-1)
        return out

    def backward(self, g):
        check_held(self)
        na, ns = self.needs_input_grad[:2]
        ga = gs = None
        if na:
            ga = g
            if not self.accumulate:
                ga = g.copy()
                ga.reshape(-1)[self.index] = 0
                ga = in_layout_of(ga, g)
        if ns:
            gs = g.reshape(-1)[self.index].reshape(self.shapes[1])
        return ga, gs

    def backward_graph(self, g):
        """torch's ``grad.put(index, zeros_like(source))`` (``grad`` itself with
        ``accumulate``) and ``grad.take(index).reshape_as(source)``."""
        from ..creation import zeros
        from .writes import put

        check_held(self)
        na, ns = self.needs_input_grad[:2]
        index = self.saved_tensor("index")
        ga = gs = None
        if na:
            ga = g
            if not self.accumulate:
                ga = put(g, index, zeros(self.shapes[1], dtype=g.dtype, device=g.device))
        if ns:
            gs = api.reshape(api.take(g, index), self.shapes[1])
        return ga, gs

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
            a = a.copy(order="K")
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
        check_held(self)
        if not self.accumulate:
            return super().backward(g)
        na, nv = self.needs_input_grad[:2]
        gv = unbroadcast(g[self.index], self.value_shape) if nv else None
        return (g if na else None), gv

    def backward_graph(self, g):
        check_held(self)
        if not self.accumulate:
            return super().backward_graph(g)
        na, nv = self.needs_input_grad[:2]
        gv = sum_to(api.getitem(g, self.index), self.value_shape) if nv else None
        return (g if na else None), gv

    def jvp(self, xs, out, tangents):
        if not self.accumulate:
            return super().jvp(xs, out, tangents)
        ta, tv = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.astype(out.dtype, copy=True)
        if tv is not None:
            scatter_add(t, self.index, xp_of(out).broadcast_to(tv, t[self.index].shape))
        return t


# ---------------------------------------------------------------- scatter_reduce


def _reduce_at(out, where: tuple, part, op) -> None:
    """``out[where] = op(out[where], part)``, a repeated position taking each value in
    turn (NumPy's ``op.at``, which CuPy lacks for most ops): one pass per repeat."""
    xp = xp_of(out)
    flat = out.reshape(-1)
    pos = xp.ravel_multi_index(xp.broadcast_arrays(*where), out.shape)
    lin, part = pos.reshape(-1), xp.broadcast_to(xp.asarray(part), pos.shape).reshape(-1)
    order = xp.argsort(lin, kind="stable")
    ranked = lin[order]
    nth = xp.empty_like(lin)  # which occurrence of its position each entry is
    nth[order] = xp.arange(lin.size) - xp.searchsorted(ranked, ranked, side="left")
    for r in range(int(nth.max()) + 1 if lin.size else 0):
        hit = nth == r
        flat[lin[hit]] = op(flat[lin[hit]], part[hit])


def scatter_reduce(a, src, index, dim: int, reduce: str, include_self: bool):
    """``a`` with ``src`` reduced into it along ``dim`` at ``index`` (arrays, ``a`` and
    ``src`` at least 1-D)."""
    xp = xp_of(a)
    out = a.copy()
    where = grid(index, dim)
    part = leading(src, index.shape)
    if reduce in ("sum", "mean"):
        if not include_self:
            out[where] = 0
        scatter_add(out, where, part)
        if reduce == "mean":
            n = _counts(a, index, dim, include_self)
            if out.dtype.kind in "iu":
                out //= n
            else:
                out /= n
        return out
    ops = {"prod": (xp.multiply, 1), "amax": (xp.maximum, None), "amin": (xp.minimum, None)}
    op, start = ops[reduce]
    if not include_self:
        if start is None:
            info = xp.finfo if out.dtype.kind == "f" else xp.iinfo
            start = info(out.dtype).min if reduce == "amax" else info(out.dtype).max
            if out.dtype.kind == "f":
                start = -xp.inf if reduce == "amax" else xp.inf
        out[where] = start
    _reduce_at(out, where, part, op)
    return out


def _counts(a, index, dim: int, include_self: bool):
    """How many values each position of ``a`` averages (1 where none)."""
    n = xp_of(a).full(a.shape, 1 if include_self else 0, dtype=a.dtype)
    scatter_add(n, grid(index, dim), 1)
    n[n == 0] = 1
    return n


def _gather(arr, index, dim: int):
    return arr[grid(index, dim)].reshape(index.shape)


class ScatterReduceBackward0(ScatterAddBackward0):
    """``scatter_reduce(dim, index, src, reduce, include_self=)``, run as
    ``(self, src, index)``. Each gradient is the incoming one (for ``src``, gathered at
    ``index``) times a weight: what ``_weights`` gives."""

    _name = "ScatterReduceBackward0"
    complex_rule = None  # not checked against torch, which refuses complex tensors
    _edges = 2

    def forward(self, a, src, index, dim, reduce, include_self):
        self.dim, self.src_shape = dim, src.shape
        self.reduce, self.include_self = reduce, include_self
        out = scatter_reduce(_1d(a), _1d(src), _1d(index), dim, reduce, include_self)
        out = out.reshape(a.shape)
        self.save(self=a, src=src, index=index, result=out)
        return out

    def _weights(self, a, src, index, result):
        """The weights of the incoming gradient: ``self``'s, and ``src``'s at ``index``
        (of ``index``'s shape), as torch's ``scatter_reduce_backward`` computes them."""
        xp, dim, reduce = xp_of(a), self.dim, self.reduce
        src = leading(src, index.shape)
        if reduce == "sum":
            ws, wr = xp.ones_like(a), xp.ones(index.shape, a.dtype)
        elif reduce == "mean":
            n = _counts(a, index, dim, self.include_self)
            ws, wr = 1 / n, 1 / _gather(n, index, dim)
        elif reduce == "prod":
            masked_self = xp.where(a == 0, 1, a).astype(a.dtype)
            ws = scatter_reduce(masked_self, src, index, dim, "prod", self.include_self)
            ws = ws / masked_self
            zero = src == 0
            zeros = xp.zeros_like(a)
            scatter_add(zeros, grid(index, dim), zero.astype(a.dtype))
            single = zero & (_gather(zeros, index, dim) == 1)
            masked = xp.where(single, 1, src).astype(a.dtype)
            msr = scatter_reduce(a, masked, index, dim, "prod", self.include_self)
            wr = xp.where(
                single,
                _gather(msr, index, dim),
                _gather(result, index, dim) / xp.where(zero, 1, src),
            )
        else:  # amax, amin: shared evenly among the values equal to the result
            self_is = (a == result).astype(a.dtype)
            src_is = (src == _gather(result, index, dim)).astype(a.dtype)
            n = self_is.copy()
            scatter_add(n, grid(index, dim), src_is)
            ws, wr = self_is / n, src_is / _gather(n, index, dim)
        if not self.include_self:
            ws = ws.copy()
            ws[grid(index, dim)] = 0
        return ws, wr

    def _saved_weights(self):
        arrays = [_1d(self.saved(k)) for k in ("self", "src", "index", "result")]
        return (*self._weights(*arrays), arrays[2])

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        if ns:
            self._check_src()
        ws, wr, index = self._saved_weights()
        g1 = _1d(g)
        ga = (g1 * ws).reshape(g.shape) if na else None
        gs = (_gather(g1, index, self.dim) * wr).reshape(self.src_shape) if ns else None
        return ga, gs

    def backward_graph(self, g):
        na, ns = self.needs_input_grad[:2]
        if ns:
            self._check_src()
        index = self.saved_tensor("index")
        if self.reduce == "prod":
            return _prod_backward_graph(self, g, index)
        return self._graph_of_constants(g, index)

    def _graph_of_constants(self, g, index):
        """sum, mean, amax, amin: torch's ops on ``g``, with weights that are constants
        (counts and masks, whose own derivative is zero)."""
        na, ns = self.needs_input_grad[:2]
        dim, reduce = self.dim, self.reduce
        a, src, idx, result = (_1d(self.saved(k)) for k in ("self", "src", "index", "result"))
        src = leading(src, idx.shape)
        shape = g.shape
        ga = gs = None
        if reduce == "sum":
            ga, gs = g, (api.gather(g, dim, index) if ns else None)
        elif reduce == "mean":
            n = _counts(a, idx, dim, self.include_self)
            ga = g / constant(n.reshape(shape)) if na else None
            if ns:
                gs = api.gather(g, dim, index) / constant(_gather(n, idx, dim).reshape(index.shape))
        else:
            self_is = a == result
            src_is = src == _gather(result, idx, dim)
            n = self_is.astype(a.dtype)
            scatter_add(n, grid(idx, dim), src_is.astype(a.dtype))
            spread = g / constant(n.reshape(shape))
            ga = constant(self_is.reshape(shape)) * spread if na else None
            if ns:
                gs = constant(src_is.reshape(index.shape)) * api.gather(spread, dim, index)
        if na and not self.include_self:
            ga = api.scatter(ga, dim, index, 0)
        return (ga if na else None), gs

    def jvp(self, xs, out, tangents):
        a, src, index = (_1d(x) for x in xs[:3])
        ws, wr = self._weights(a, src, index, _1d(out))
        ta, ts = tangents[:2]
        t = xp_of(out).zeros(ws.shape, out.dtype) if ta is None else _1d(ta) * ws
        if ts is not None:
            scatter_add(t, grid(index, self.dim), leading(_1d(ts), index.shape) * wr)
        return t.reshape(out.shape)


def _prod_backward_graph(node, g, index):
    """torch's gradient of ``scatter_reduce(..., "prod")`` in tensor ops (its values
    depend on ``self`` and ``src``, so a second derivative goes through them)."""
    na, ns = node.needs_input_grad[:2]
    dim, inc = node.dim, node.include_self
    a, src = node.saved_tensor("self"), node.saved_tensor("src")
    result = node.saved_tensor("result")
    from ..creation import zeros_like
    from .writes import scatter_reduce as reduce_

    ga = gs = None
    if na:
        masked_self = a.masked_fill(a == 0, 1)
        masked_result = reduce_(masked_self, dim, index, src, "prod", include_self=inc)
        ga = g * masked_result / masked_self
        if not inc:
            ga = api.scatter(ga, dim, index, 0)
    if ns:
        zero = src == 0
        zeros = zeros_like(a).scatter_add(dim, index, zero.to(a.dtype))
        single = zero & (api.gather(zeros, dim, index) == 1)
        masked_src = src.masked_fill(single, 1)
        msr = reduce_(a, dim, index, masked_src, "prod", include_self=inc)
        gs = api.where(
            single,
            api.gather(g * msr, dim, index),
            api.gather(g * result, dim, index) / src.masked_fill(zero, 1),
        )
    return ga, gs
