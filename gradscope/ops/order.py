"""Order statistics and extremes: median, nanmedian, kthvalue, mode (each a value with its
index), aminmax (both extremes from one node), cummax, cummin and logcumsumexp."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import CPU, contiguous, to_device, xp_of
from . import api
from ._graph import constant, zeros_grad
from .index import _sort
from .reduce import (
    MaxBackward0,
    MaxBackward1,
    VarMeanBackward0,
    _quiet,
    _restore,
    _restore_graph,
    output_edge,
)
from .shape import scatter_add

# ------------------------------------------------------------------ helpers on raw arrays


def _host(a):
    """``a`` as a NumPy array: a CuPy array copied to the host, for what CuPy lacks."""
    return to_device(a, CPU)


def _accumulate(ufunc: str, a, axis: int):
    """``ufunc.accumulate`` along ``axis`` (through the host where the array module lacks it)."""
    xp = xp_of(a)
    try:
        return getattr(xp, ufunc).accumulate(a, axis=axis)
    except (AttributeError, NotImplementedError, TypeError):
        return xp.asarray(getattr(np, ufunc).accumulate(_host(a), axis=axis))


def _rows(a, dim: int):
    """``a`` with ``dim`` moved last and the rest flattened: one row per reduced slice."""
    n = a.shape[dim]
    return np.moveaxis(_host(a), dim, -1).reshape(-1, n)


def _from_rows(idx, a, dim: int):
    """One index per row of ``_rows(a, dim)`` back in ``a``'s shape with ``dim`` kept (1)."""
    shape = list(a.shape)
    shape[dim] = 1
    moved = shape[:dim] + shape[dim + 1 :] + [1]
    out = np.moveaxis(np.asarray(idx, dtype=np.int64).reshape(moved), -1, dim)
    return xp_of(a).asarray(np.ascontiguousarray(out))


def _isnan(a):
    return xp_of(a).isnan(a) if a.dtype.kind in "fc" else xp_of(a).zeros(a.shape, bool)


def stable_pick(a, dim: int, rank):
    """The index (``dim`` kept) of the element of rank ``rank`` (an int, or an array with
    ``dim`` kept) in ``a``'s stable ascending order along ``dim``, NaN above every number."""
    xp = xp_of(a)
    order = xp.argsort(a, axis=dim, kind="stable")
    if isinstance(rank, int):
        rank = xp.full([1 if d == dim else s for d, s in enumerate(a.shape)], rank, np.int64)
    return xp.take_along_axis(order, rank, axis=dim).astype(np.int64, copy=False)


def _all_nan_pick(n: int) -> int:
    """The index ``std::nth_element`` (libstdc++) leaves first among ``n`` elements that
    compare equivalent: torch's CPU ``nanmedian(dim)`` of a slice of NaNs."""
    idx = list(range(n))
    last = n
    while last > 3:  # (halving, it never reaches introselect's depth limit)
        mid = last // 2
        idx[0], idx[mid] = idx[mid], idx[0]  # the "median" of three equals
        lo, hi = 1, last
        while True:  # the unguarded partition swaps every pair it meets
            hi -= 1
            if not lo < hi:
                break
            idx[lo], idx[hi] = idx[hi], idx[lo]
            lo += 1
        last = lo  # (the cut is past 0, the place wanted)
    return idx[0]  # (the insertion sort that ends it keeps equal elements in place)


def median_index(a, dim: int, ignore_nan: bool):
    """torch's CPU ``median(dim)`` (the first NaN of a slice that has one) or
    ``nanmedian(dim)`` (the lower median of the numbers; of a slice of NaNs, the one
    ``std::nth_element`` leaves first): ties resolve by index."""
    xp = xp_of(a)
    nan = _isnan(a)
    n = a.shape[dim]
    if ignore_nan:
        count = n - nan.sum(axis=dim, keepdims=True)
        rank = (count - 1) // 2
        if bool((count == 0).any()):
            rank = xp.where(count == 0, _all_nan_pick(n), rank)
        return stable_pick(a, dim, rank.astype(np.int64))
    idx = stable_pick(a, dim, (n - 1) // 2)
    has_nan = nan.any(axis=dim, keepdims=True)
    if bool(has_nan.any()):
        first = xp.argmax(nan, axis=dim, keepdims=True).astype(np.int64)
        idx = xp.where(has_nan, first, idx)
    return idx


def _gt_or_nan(x, y) -> bool:
    return (x != x and y == y) or x > y


def _quick_select(q: list, idx: list, k: int) -> None:
    """torch's ``quick_select_template``: puts the element of rank ``k`` at ``k``, moving
    ``idx`` alongside (the order equal elements end in is this algorithm's)."""

    def swap(i, j):
        q[i], q[j] = q[j], q[i]
        idx[i], idx[j] = idx[j], idx[i]

    lo, hi = 0, len(q) - 1
    while True:
        if hi <= lo:
            return
        if hi == lo + 1:
            if _gt_or_nan(q[lo], q[hi]):
                swap(lo, hi)
            return
        mid = lo + (hi - lo) // 2
        swap(mid, lo + 1)
        if _gt_or_nan(q[lo + 1], q[hi]):
            swap(lo + 1, hi)
        if _gt_or_nan(q[lo], q[hi]):
            swap(lo, hi)
        if _gt_or_nan(q[lo + 1], q[lo]):
            swap(lo + 1, lo)
        i, j, piv = lo + 1, hi, q[lo]
        while True:
            i += 1
            while _gt_or_nan(piv, q[i]):
                i += 1
            j -= 1
            while _gt_or_nan(q[j], piv):
                j -= 1
            if j < i:
                break
            swap(i, j)
        swap(lo, j)
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1


def kthvalue_index(a, dim: int, k: int):
    """The index (``dim`` kept) of the ``k``-th smallest element along ``dim`` as torch's
    CPU quickselect finds it (NaN above every number). Slices without equal elements have
    one answer, the stable order's; the others run the quickselect itself."""
    idx = stable_pick(a, dim, k - 1)
    if xp_of(a) is not np or a.size == 0:
        return idx
    rows = _rows(a, dim)
    ranked = np.sort(rows, axis=-1)
    same = ranked[:, 1:] == ranked[:, :-1]
    if ranked.dtype.kind in "fc":
        same |= np.isnan(ranked[:, 1:]) & np.isnan(ranked[:, :-1])
    redo = np.flatnonzero(same.any(axis=1))
    if not len(redo):
        return idx
    flat = _rows(idx, dim)[:, 0].copy()
    for r in redo:
        q, order = rows[r].tolist(), list(range(rows.shape[1]))
        _quick_select(q, order, k - 1)
        flat[r] = order[k - 1]
    return _from_rows(flat, a, dim)


def mode_index(a, dim: int):
    """The index (``dim`` kept) of the most frequent value along ``dim`` as torch's CPU
    ``mode``: the smallest of the most frequent values, at the index its run ends on after
    ``std::sort`` of (value, index) pairs by value."""
    rows = _rows(a, dim)
    if rows.dtype == np.bool_:
        rows = rows.astype(np.uint8)
    out = np.zeros(len(rows), np.int64)
    for r, row in enumerate(rows):
        q = [(v, j) for j, v in enumerate(row.tolist())]
        _sort(q, 0, len(q), lambda x, y: x[0] < y[0])
        best, run = 0, 0
        for i in range(len(q)):
            run += 1
            if i == len(q) - 1 or q[i][0] != q[i + 1][0]:
                if run > best:
                    out[r], best = q[i][1], run
                run = 0
    return _from_rows(out, a, dim)


# ------------------------------------------------------------------ full reductions


def _lower_median(a, ignore_nan: bool):
    xp = xp_of(a)
    flat = a.reshape(-1)
    nan = _isnan(flat)
    if not ignore_nan and bool(nan.any()):
        return xp.asarray(xp.nan, dtype=a.dtype)
    m = flat.size - int(nan.sum())
    if m == 0:
        empty = xp.nan if a.dtype.kind in "fc" else xp.iinfo(a.dtype).min  # as torch's
        return xp.asarray(empty, dtype=a.dtype)
    return xp.sort(flat)[(m - 1) // 2].copy()


class MedianBackward0(MaxBackward1):
    """Full ``median()``: the lower median (NaN if any is NaN); saves self and result, the
    gradient shared evenly by the elements equal to it."""

    _name = "MedianBackward0"
    _nan = False

    def forward(self, a):
        out = _lower_median(a, self._nan)
        self.save(self=a, result=out)
        return out


class NanmedianBackward0(MedianBackward0):
    """Full ``nanmedian()``: the lower median of the elements that are not NaN."""

    _name = "NanmedianBackward0"
    _nan = True


# ------------------------------------------------------------------ one value per slice


class _Picked(MaxBackward0):
    """A value picked from each slice along ``dim`` with its index (int64, saved); the
    gradient lands at the index. Subclasses say how the index is found."""

    def _pick(self, a, dim: int):
        raise NotImplementedError

    def forward(self, a, dim, keepdim, *args):
        xp = xp_of(a)
        self.args = args
        if a.ndim == 0:
            self.save(indices=xp.zeros((), xp.int64))
            self.dim, self.keepdim, self.sizes = None, keepdim, ()
            return a.copy()
        idx = self._pick(a, dim)
        values = xp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            idx, values = idx.squeeze(dim), values.squeeze(dim)
        self.save(indices=idx)
        self.dim, self.keepdim, self.sizes = dim, keepdim, a.shape
        return values

    def jvp(self, xs, out, tangents):
        if self.dim is None:
            return tangents[0]
        idx = self._pick(xs[0], self.dim)  # (forward mode saves nothing)
        t = xp_of(out).take_along_axis(tangents[0], idx, axis=self.dim)
        return t if self.keepdim else t.squeeze(self.dim)


class MedianBackward1(_Picked):
    _name = "MedianBackward1"

    def _pick(self, a, dim):
        return median_index(a, dim, False)


class NanmedianBackward1(_Picked):
    _name = "NanmedianBackward1"

    def _pick(self, a, dim):
        return median_index(a, dim, True)


class KthvalueBackward0(_Picked):
    _name = "KthvalueBackward0"

    def _pick(self, a, dim):
        return kthvalue_index(a, dim, self.args[0])


class ModeBackward0(_Picked):
    _name = "ModeBackward0"

    def _pick(self, a, dim):
        return mode_index(a, dim)


def picked_indices(cls, a, dim: int, keepdim: bool, *args):
    """The indices ``cls``'s forward finds, for a call that records no node."""
    xp = xp_of(a)
    if a.ndim == 0:
        return xp.zeros((), np.int64)
    node = cls.__new__(cls)
    node.args = args
    idx = node._pick(a, dim)
    return idx if keepdim else idx.squeeze(dim)


# ------------------------------------------------------------------ both extremes


class AminmaxBackward0(VarMeanBackward0):
    """``aminmax``: one node for both outputs (the minimum, then the maximum), as torch's;
    saves self and both results, and shares each output's gradient evenly among the
    elements equal to it."""

    _name = "AminmaxBackward0"

    def forward(self, a, dims, keepdim):
        self.dim, self.keepdim = dims, keepdim
        xp = xp_of(a)
        b = a.view(np.uint8) if a.dtype == np.bool_ else a
        axes = dims or None
        mn = contiguous(xp.asarray(b.min(axis=axes, keepdims=keepdim)).astype(a.dtype, copy=False))
        mx = contiguous(xp.asarray(b.max(axis=axes, keepdims=keepdim)).astype(a.dtype, copy=False))
        self.mean_out = mx  # the second output, which the api gives its own edge
        self.save(self=a, min=mn, max=mx)
        return mn

    def saved_tensor(self, slot: str):
        """As ``Function.saved_tensor``; a saved result leads back through its own edge."""
        t = super().saved_tensor(slot)
        if slot in ("min", "max") and "out_edges" in self.__dict__:
            t._grad_fn = output_edge(self, 0 if slot == "min" else 1)
        return t

    def _mask(self, x, r):
        return x == _restore(r, x.shape, self.dim, self.keepdim)

    def backward(self, g):
        x = self.saved("self")
        grad = None
        for part, slot in zip(self._parts(g, "_accs"), ("min", "max")):
            if part is None:
                continue
            mask = self._mask(x, self.saved(slot))
            part = _restore(part, x.shape, self.dim, self.keepdim)
            with _quiet():
                count = mask.sum(axis=self.dim or None, keepdims=True).astype(part.dtype)
                term = part / count * mask
            grad = term if grad is None else grad + term
        return (None if grad is None else xp_of(x).asarray(grad),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        grad = None
        for part, slot in zip(self._parts(g, "_graph_parts"), ("min", "max")):
            if part is None:
                continue
            mask = self._mask(x._data, self.saved(slot))
            part = _restore_graph(part, self.dim, self.keepdim, x.ndim)
            count = mask.sum(axis=self.dim or None, keepdims=True).astype(part._data.dtype)
            term = part / constant(count) * constant(mask)
            grad = term if grad is None else grad + term
        return (grad,)

    def jvp(self, xs, out, tangents):  # the minimum's; the maximum's is amax's, in the api
        x, t = xs[0], tangents[0]
        xp = xp_of(x)
        mask = self._mask(x, out)
        axes = self.dim or None
        with _quiet():
            num = xp.where(mask, t, xp.zeros((), t.dtype)).sum(axis=axes, keepdims=self.keepdim)
            return num / mask.sum(axis=axes, keepdims=self.keepdim).astype(t.dtype)


# ------------------------------------------------------------------ running extremes


def cumulative_extreme(a, dim: int, largest: bool):
    """``cummax``/``cummin`` along ``dim``: the values and int64 indices (an equal value
    takes the later index; a NaN stays, at the latest NaN's index)."""
    xp = xp_of(a)
    if a.ndim == 0:
        return a.copy(), xp.zeros((), np.int64)
    b = a.view(np.uint8) if a.dtype == np.bool_ else a
    values = _accumulate("maximum" if largest else "minimum", b, dim)
    hit = b == values
    if a.dtype.kind in "fc":
        hit |= xp.isnan(b) & xp.isnan(values)
    pos = xp.arange(a.shape[dim], dtype=np.int64).reshape(
        [-1 if d == dim else 1 for d in range(a.ndim)]
    )
    idx = _accumulate("maximum", xp.where(hit, pos, -1), dim).astype(np.int64, copy=False)
    return values.astype(a.dtype, copy=False), idx


class CummaxBackward0(Function):
    """``cummax(dim)``'s values; saves self and the indices, and adds each gradient at the
    index its value came from."""

    _name = "CummaxBackward0"
    _largest = True

    def forward(self, a, dim):
        values, idx = cumulative_extreme(contiguous(a), dim, self._largest)  # C order, as torch's
        self.dim = dim
        self.save(self=a, indices=idx)
        return values

    def backward(self, g):
        idx = self.saved("indices")
        xp = xp_of(g)
        out = xp.zeros(g.shape, dtype=g.dtype)
        if g.ndim == 0:
            return (g.copy(),)
        grid = list(xp.ix_(*[xp.arange(n) for n in g.shape]))
        grid[self.dim] = idx
        scatter_add(out, tuple(grid), g)
        return (out,)

    def backward_graph(self, g):
        zeros = zeros_grad(tuple(g.shape), g)
        if g.ndim == 0:
            return (zeros + g,)
        return (api.scatter_add(zeros, self.dim, self.saved_tensor("indices"), g),)

    def jvp(self, xs, out, tangents):
        if out.ndim == 0:
            return tangents[0].copy()
        _, idx = cumulative_extreme(xs[0], self.dim, self._largest)
        return xp_of(out).take_along_axis(tangents[0], idx, axis=self.dim)


class CumminBackward0(CummaxBackward0):
    _name = "CumminBackward0"
    _largest = False


# ------------------------------------------------------------------ logcumsumexp


def _flip(a, dim: int):
    return a[(slice(None),) * dim + (slice(None, None, -1),)]


class LogcumsumexpBackward0(Function):
    """``log(cumsum(exp(a)))`` along ``dim``, computed stably; saves self and result."""

    _name = "LogcumsumexpBackward0"

    def forward(self, a, dim):
        if a.dtype.kind == "c":
            raise NotImplementedError(f"{self._name}: gradscope takes real tensors only")
        self.dim = dim
        if a.ndim == 0:
            out = a.copy()
        else:
            out = _accumulate("logaddexp", contiguous(a), dim).astype(a.dtype, copy=False)
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        # torch's logcumsumexp_backward: the positive and negative parts of ``g`` summed
        # separately in log space, so that no exp overflows
        x, r = self.saved("self"), self.saved("result")
        xp = xp_of(g)
        if g.ndim == 0:
            return (g.copy(),)
        low = xp.finfo(g.dtype).min
        with _quiet():
            log_abs = xp.log(xp.abs(g))
            pos = xp.where(g > 0, log_abs, low) - r
            neg = xp.where(g < 0, log_abs, low) - r
            parts = [
                xp.exp(_flip(_accumulate("logaddexp", _flip(p, self.dim), self.dim), self.dim) + x)
                for p in (pos, neg)
            ]
        return ((parts[0] - parts[1]).astype(g.dtype, copy=False),)

    def backward_graph(self, g):
        x, r = self.saved_tensor("self"), self.saved_tensor("result")
        if g.ndim == 0:
            return (g * 1,)
        xp = xp_of(g._data)
        low = float(xp.finfo(g._data.dtype).min)
        log_abs = g.abs().log()
        pos = api.where(constant(g._data > 0), log_abs, low)
        neg = api.where(constant(g._data < 0), log_abs, low)

        def back(p):
            return (p - r).flip(self.dim).logcumsumexp(self.dim).flip(self.dim) + x

        return (back(pos).exp() - back(neg).exp(),)

    def jvp(self, xs, out, tangents):
        # torch's logcumsumexp_jvp, whose denominator carries an epsilon (1e-13)
        x, t = xs[0], tangents[0]
        xp = xp_of(x)
        if x.size == 0:
            return t.copy()
        with _quiet():
            # of a 0-dim self too, so that an infinite or NaN self has a NaN tangent
            e = xp.exp(x - (x if x.ndim == 0 else x.max(axis=self.dim, keepdims=True)))
            dim = self.dim if x.ndim else None  # CuPy takes no axis 0 of a 0-dim array
            grad = xp.cumsum(e * t, axis=dim) / (xp.cumsum(e, axis=dim) + 1e-13)
        return grad.reshape(out.shape).astype(out.dtype, copy=False)
