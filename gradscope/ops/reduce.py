"""Reductions: sum, mean, max and min (full and along a dimension)."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import expand, xp_of
from ._graph import cast_to, constant, linear_backward_graph
from .elementwise import DivBackward1


def _expand_to(g, shape, dims, keepdim):
    """A reduced gradient broadcast back over the input's shape (a view, as torch's expand)."""
    if not keepdim and dims is not None:  # the reduced dimensions back, as 1s
        g = g.reshape(tuple([1 if i in dims else n for i, n in enumerate(shape)]))
    return expand(g, shape)


def _expand_graph(g, shape, dims, keepdim):
    """``_expand_to`` in tensor ops: the reduced dimensions back (``unsqueeze``), then
    ``expand``, as torch's ``sum_backward``."""
    if not keepdim and dims is not None:
        for d in sorted(dims):
            g = g.unsqueeze(d)
    return g.expand(shape)


def _sum(a, axis, keepdim, dtype):
    """``a.sum(...)``; on NumPy the ufunc's reduce itself, which ``ndarray.sum`` wraps in
    Python. Integers sum as int64, as in torch (NumPy sums unsigned ones as uint64)."""
    if dtype is None and a.dtype.kind == "u":
        dtype = np.int64
    if type(a) is np.ndarray:
        return np.add.reduce(a, axis, dtype, None, keepdim)
    return a.sum(axis=axis, keepdims=keepdim, dtype=dtype)


# the largest count each dtype holds exactly: dividing by it in the dtype rounds as
# NumPy's mean does (through float64, then back), since float64 division rounded to
# float32 is float32 division
_EXACT_COUNT = {np.dtype(np.float32): 2**24, np.dtype(np.float64): 2**53}


def _mean(a, axis, keepdim, n: int):
    """``a.mean(...)`` in ``a``'s dtype, over ``n`` elements; on NumPy one reduce and one
    division (``ndarray.mean`` spends about 4 us in Python)."""
    if type(a) is np.ndarray and 0 < n <= _EXACT_COUNT.get(a.dtype, 0):
        return np.add.reduce(a, axis, a.dtype, None, keepdim) / n
    if n == 0 and a.dtype.kind in "fc":  # NaN, as torch gives it: without NumPy's warning
        out = xp_of(a).array(_sum(a, axis, keepdim, a.dtype))
        out[...] = np.nan
        return out
    return a.mean(axis=axis, keepdims=keepdim, dtype=a.dtype)


class SumBackward0(Function):
    """Sum of all elements."""

    _name = "SumBackward0"

    def forward(self, a, dtype=None):
        self.self_sym_sizes = a.shape
        return xp_of(a).asarray(_sum(a, None, False, dtype))

    def backward(self, g):
        return (expand(g, self.self_sym_sizes),)

    def backward_graph(self, g):
        return (g.expand(self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return tangents[0].sum()


class SumBackward1(Function):
    """Sum along dimensions."""

    _name = "SumBackward1"

    def forward(self, a, dims, keepdim, dtype=None):
        self.self_sym_sizes = a.shape
        self.dim, self.keepdim = dims, keepdim
        return xp_of(a).asarray(_sum(a, dims, keepdim, dtype))

    def backward(self, g):
        return (_expand_to(g, self.self_sym_sizes, self.dim, self.keepdim),)

    def backward_graph(self, g):
        return (_expand_graph(g, self.self_sym_sizes, self.dim, self.keepdim),)

    def jvp(self, xs, out, tangents):
        return tangents[0].sum(axis=self.dim, keepdims=self.keepdim)


def _in(grad, dtype):
    """``grad`` in the input's ``dtype`` (None: it is in it already)."""
    return grad if dtype is None else grad.astype(dtype)


class MeanBackward0(Function):
    _name = "MeanBackward0"

    in_dtype = None  # the input's dtype, when ``dtype=`` computed the mean in another

    def forward(self, a, dtype=None):
        self.self_sym_sizes = a.shape
        self.self_sym_numel = a.size
        if dtype is not None and dtype != a.dtype:
            self.in_dtype, a = a.dtype, a.astype(dtype)
        return xp_of(a).asarray(_mean(a, None, False, a.size))

    def backward(self, g):
        return (_in(expand(g / self.self_sym_numel, self.self_sym_sizes), self.in_dtype),)

    def backward_graph(self, g):
        grad = apply(DivBackward1, (g.expand(self.self_sym_sizes),), self.self_sym_numel)
        return (grad if self.in_dtype is None else cast_to(grad, self.in_dtype),)

    def jvp(self, xs, out, tangents):
        return tangents[0].mean().astype(out.dtype, copy=False)


class MeanBackward1(Function):
    _name = "MeanBackward1"

    in_dtype = None

    def forward(self, a, dims, keepdim, dtype=None):
        self.self_sym_sizes = a.shape
        self.dim, self.keepdim = dims, keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        self.n = n
        if dtype is not None and dtype != a.dtype:
            self.in_dtype, a = a.dtype, a.astype(dtype)
        return xp_of(a).asarray(_mean(a, dims, keepdim, n))

    def backward(self, g):
        grad = _expand_to(g / self.n, self.self_sym_sizes, self.dim, self.keepdim)
        return (_in(grad, self.in_dtype),)

    def backward_graph(self, g):
        expanded = _expand_graph(g, self.self_sym_sizes, self.dim, self.keepdim)
        grad = apply(DivBackward1, (expanded,), self.n)
        return (grad if self.in_dtype is None else cast_to(grad, self.in_dtype),)

    def jvp(self, xs, out, tangents):
        return tangents[0].mean(axis=self.dim, keepdims=self.keepdim).astype(out.dtype, copy=False)


def _extremes(a, r):
    """Where full ``max``/``min`` of ``a`` is reached: the elements equal to ``r``, or, when
    ``r`` is NaN, the NaNs (torch's ``evenly_distribute_backward``)."""
    if a.dtype.kind in "fc" and xp_of(a).isnan(r):
        return xp_of(a).isnan(a)
    return a == r


class MaxBackward1(Function):
    """Full ``max()``: saves self and result; ties share the gradient evenly."""

    _name = "MaxBackward1"
    _reduce = "max"

    def forward(self, a):
        if a.size == 0:
            raise RuntimeError(
                f"{self._reduce}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        out = xp_of(a).asarray(getattr(a, self._reduce)())
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        a, r = self.saved("self"), self.saved("result")
        mask = _extremes(a, r)
        return (mask * (g / mask.sum()),)

    def backward_graph(self, g):
        a, r = self.saved("self"), self.saved("result")
        mask = _extremes(a, r)
        zeros = constant(xp_of(a).zeros(a.shape, dtype=g._data.dtype))
        return (zeros.masked_fill(constant(mask), g / int(mask.sum())),)

    def jvp(self, xs, out, tangents):
        # torch's evenly_read_jvp: the elements equal to the result (none for a NaN result,
        # whose tangent is then 0 / 0, NaN), unlike the backward's
        mask = xs[0] == out
        return (tangents[0] * mask).sum() / mask.sum()


class MinBackward1(MaxBackward1):
    _name = "MinBackward1"
    _reduce = "min"


class MaxBackward0(Function):
    """``max(dim)``: the values' node; saves the indices (int64)."""

    _name = "MaxBackward0"
    _arg = "argmax"

    def forward(self, a, dim, keepdim):
        xp = xp_of(a)
        if a.ndim == 0:  # dim 0 or -1 of a 0-dim tensor: its one element, at index 0
            self.save(indices=xp.zeros((), xp.int64))
            self.dim, self.keepdim, self.sizes = None, keepdim, ()
            return a.copy()
        idx = getattr(a, self._arg)(axis=dim, keepdims=True)
        values = xp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            idx = idx.squeeze(dim)
            values = values.squeeze(dim)
        self.save(indices=idx.astype(xp.int64, copy=False))  # max(dim)'s indices, too
        self.dim, self.keepdim, self.sizes = dim, keepdim, a.shape
        return values

    def backward(self, g):
        if self.dim is None:
            return (g,)
        return (_scatter(g, self.saved("indices"), self.sizes, self.dim, self.keepdim),)

    def backward_graph(self, g):
        if self.dim is None:
            return (g,)
        idx = self.saved("indices")
        if not self.keepdim:  # as torch: the reduced dim back first, then the scatter
            g = g.unsqueeze(self.dim)
            idx = xp_of(idx).expand_dims(idx, self.dim)
        return (apply(ScatterBackward0, (g,), idx, self.sizes, self.dim, True),)

    def jvp(self, xs, out, tangents):
        if self.dim is None:
            return tangents[0]
        idx = getattr(xs[0], self._arg)(axis=self.dim, keepdims=True)  # (forward mode only)
        t = xp_of(out).take_along_axis(tangents[0], idx, axis=self.dim)
        return t if self.keepdim else t.squeeze(self.dim)


class MinBackward0(MaxBackward0):
    _name = "MinBackward0"
    _arg = "argmin"


def _scatter(g, idx, sizes, dim, keepdim):
    """Zeros of ``sizes`` with ``g`` at ``idx`` along ``dim`` (``max(dim)``'s gradient)."""
    xp = xp_of(g)
    if not keepdim:
        idx = xp.expand_dims(idx, dim)
        g = xp.expand_dims(g, dim)
    out = xp.zeros(sizes, dtype=g.dtype)
    nd = idx.ndim
    grid = [
        xp.arange(n).reshape([n if j == k else 1 for j in range(nd)])
        for k, n in enumerate(idx.shape)
    ]
    grid[dim] = idx
    out[tuple(grid)] = g
    return out


class ScatterBackward0(Function):
    """The gradient of ``max(dim)``/``min(dim)`` as an op of its own (what
    ``create_graph`` makes of their backward): ``g`` scattered into zeros at the saved
    indices. Its backward gathers from the same places."""

    _name = "ScatterBackward0"
    graph_name = "GatherBackward0"

    def forward(self, g, idx, sizes, dim, keepdim):
        self.idx, self.sizes, self.dim, self.keepdim = idx, sizes, dim, keepdim
        return _scatter(g, idx, sizes, dim, keepdim)

    def backward(self, u):
        xp = xp_of(u)
        idx = self.idx if self.keepdim else xp.expand_dims(self.idx, self.dim)
        t = xp.take_along_axis(u, idx, axis=self.dim)
        return (t if self.keepdim else t.squeeze(self.dim),)

    def backward_graph(self, u):
        return linear_backward_graph(self, u)

    def jvp(self, xs, out, tangents):
        return _scatter(tangents[0], self.idx, self.sizes, self.dim, self.keepdim)
