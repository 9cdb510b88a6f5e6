"""Indexing along one dim: gather, index_select, scatter, scatter_add, masked_select, and
the value-selecting sort and topk."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import in_layout_of, xp_of
from ..errors import shape_str
from . import api
from ._broadcast import cast_like, unbroadcast
from ._graph import cast_to, constant, linear_backward_graph, zeros_grad
from .shape import SliceBackward0, diagonal_view, scatter_add


def grid(index, dim: int) -> tuple:
    """The positions ``index`` picks along ``dim``: ``index`` there, its own position in
    every other dim (what ``gather`` and ``scatter`` index with)."""
    xp = xp_of(index)
    nd = index.ndim
    out = [
        xp.arange(n).reshape([n if j == k else 1 for j in range(nd)])
        for k, n in enumerate(index.shape)
    ]
    out[dim] = index
    return tuple(out)


def leading(a, shape, skip: int | None = None):
    """The leading ``shape`` corner of ``a`` (as large or larger in every dim), all of
    dim ``skip``."""
    return a[tuple(slice(None) if d == skip else slice(0, n) for d, n in enumerate(shape))]


def _at_least_1d(a):
    return a.reshape(1) if a.ndim == 0 else a


class GatherBackward0(Function):
    """``gather(dim, index)``: ``out[i][j] = self[index[i][j]][j]`` (dim 0), run as
    ``(self, index)``; the index gets no edge."""

    _name = "GatherBackward0"
    complex_rule = "as_is"
    _edges = 1

    def forward(self, a, index, dim):
        self.dim, self.sparse_grad = dim, False
        self.save(self=a, index=index)
        a1, i1 = _at_least_1d(a), _at_least_1d(index)
        return leading(a1, i1.shape, dim)[grid(i1, dim)].reshape(index.shape)

    def backward(self, g):
        a, index = self.saved("self"), self.saved("index")
        out = xp_of(g).zeros(a.shape, dtype=g.dtype)
        i1 = _at_least_1d(index)
        scatter_add(_at_least_1d(out), grid(i1, self.dim), g.reshape(i1.shape))
        return (out,)

    def backward_graph(self, g):
        a = self.saved("self")
        return (api.scatter_add(zeros_grad(a.shape, g), self.dim, self.saved_tensor("index"), g),)

    def jvp(self, xs, out, tangents):
        i1 = _at_least_1d(xs[1])
        t = _at_least_1d(tangents[0])
        return leading(t, i1.shape, self.dim)[grid(i1, self.dim)].reshape(out.shape)


class TakeBackward0(Function):
    """``take(index)``: elements of the flattened input at ``index`` (negative from the
    end), in ``index``'s shape; run as ``(self, index)``, the index gets no edge."""

    _name = "TakeBackward0"
    complex_rule = "as_is"
    _edges = 1

    def forward(self, a, index):
        self.save(self=a, index=index)
        return a.reshape(-1)[index]

    def backward(self, g):
        a, index = self.saved("self"), self.saved("index")
        out = xp_of(g).zeros(a.size, dtype=g.dtype)
        scatter_add(out, index, g)  # repeated indices accumulate
        return (out.reshape(a.shape),)

    def backward_graph(self, g):
        # torch's zeros_like(self).put_(index, grad, accumulate=True), as a scatter_add
        a, index = self.saved("self"), self.saved("index")
        flat = constant(index.reshape(-1) % a.size)  # take refuses an empty self
        out = api.scatter_add(zeros_grad((a.size,), g), 0, flat, g.reshape(-1))
        return (out.reshape(a.shape),)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(-1)[xs[1]]


class IndexSelectBackward0(Function):
    """``index_select(dim, index)``, run as ``(self, index)``; the index gets no edge."""

    _name = "IndexSelectBackward0"
    complex_rule = "as_is"
    _edges = 1
    _released_with = ("index",)
    graph_name = "IndexAddBackward0"  # torch's gradient: zeros.index_add(dim, index, grad)

    def forward(self, a, index, dim):
        self.dim, self.self_sym_sizes, self.index = dim, a.shape, index
        self.save(index=index)
        return self._take(a, index)

    def _take(self, a, index):
        if a.ndim == 0:
            return a.reshape(1)[index.reshape(-1)].reshape(())
        return xp_of(a).take(a, index.reshape(-1), axis=self.dim)

    def backward(self, g):
        index = self.saved("index").reshape(-1)
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        if out.ndim == 0:
            return (g.copy(),)
        scatter_add(out, (slice(None),) * self.dim + (index,), g)
        return (out,)

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        return self._take(tangents[0], self.index)


class ScatterAddBackward0(Function):
    """``scatter_add(dim, index, src)``, run as ``(self, src, index)``."""

    _name = "ScatterAddBackward0"
    complex_rule = "as_is"
    _edges = 2

    def forward(self, a, src, index, dim):
        self.dim, self.src_shape = dim, src.shape
        self.save(index=index)
        out = a.copy()
        i1 = _at_least_1d(index)
        scatter_add(_at_least_1d(out), grid(i1, dim), leading(_at_least_1d(src), i1.shape))
        return out

    def _src_grad(self, g):
        """``g`` at the index's positions, as torch's ``grad.gather(dim, index)``."""
        index = self._check_src()
        i1 = _at_least_1d(index)
        return _at_least_1d(g)[grid(i1, self.dim)].reshape(index.shape)

    def _check_src(self):
        """The saved index, once its shape is ``src``'s (torch's engine refuses the
        gradient of a larger ``src``)."""
        index = self.saved("index")
        if index.shape != self.src_shape:
            raise RuntimeError(
                f"Function {self._name} returned an invalid gradient at index 1 - got "
                f"{shape_str(index.shape)} but expected shape compatible with "
                f"{shape_str(self.src_shape)}"
            )
        return index

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        return (g if na else None, self._src_grad(g) if ns else None)

    def backward_graph(self, g):
        na, ns = self.needs_input_grad[:2]
        gs = None
        if ns:
            self._check_src()
            gs = api.gather(g, self.dim, self.saved_tensor("index"))
        return (g if na else None, gs)

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.copy()
        if ts is not None:
            i1 = _at_least_1d(xs[2])
            scatter_add(_at_least_1d(t), grid(i1, self.dim), leading(_at_least_1d(ts), i1.shape))
        return t


class ScatterBackward0(ScatterAddBackward0):
    """``scatter(dim, index, src)``, run as ``(self, src, index)``: where two indices meet,
    the later write wins."""

    _name = "ScatterBackward0"

    def forward(self, a, src, index, dim):
        self.dim, self.src_shape = dim, src.shape
        self.save(index=index)
        out = a.copy()
        i1 = _at_least_1d(index)
        _at_least_1d(out)[grid(i1, dim)] = leading(_at_least_1d(src), i1.shape)
        return out

    def _self_grad(self, g):
        out = g.copy()
        _at_least_1d(out)[grid(_at_least_1d(self.saved("index")), self.dim)] = 0
        return out

    def backward(self, g):
        na, ns = self.needs_input_grad[:2]
        return (self._self_grad(g) if na else None, self._src_grad(g) if ns else None)

    def backward_graph(self, g):
        na, ns = self.needs_input_grad[:2]
        index = self.saved_tensor("index")
        ga = api.scatter(g, self.dim, index, 0) if na else None
        if ns:
            self._check_src()
        return (ga, api.gather(g, self.dim, index) if ns else None)

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.copy()
        i1 = _at_least_1d(xs[2])
        where = grid(i1, self.dim)
        _at_least_1d(t)[where] = 0 if ts is None else leading(_at_least_1d(ts), i1.shape)
        return t


def scatter_reduced(a, dim: int, index, src, reduce: str):
    """``scatter`` of ``src`` (an array or a number) that adds to or multiplies what is
    there (``reduce``), repeated indices in turn; no node (torch gives it no derivative)."""
    out = a.copy()
    i1 = _at_least_1d(index)
    where = grid(i1, dim)
    part = leading(_at_least_1d(src), i1.shape) if hasattr(src, "shape") else src
    if reduce == "add":
        scatter_add(_at_least_1d(out), where, part)
        return out
    _multiply_at(out, where, part)
    return out


def _multiply_at(out, where: tuple, part) -> None:
    """``out[where] *= part``, a repeated position taking each factor in turn (NumPy's
    ``multiply.at``, which CuPy lacks): one pass per repeat, on the array's device."""
    xp = xp_of(out)
    flat = out.reshape(-1)
    pos = xp.ravel_multi_index(xp.broadcast_arrays(*where), _at_least_1d(out).shape)
    lin, part = pos.reshape(-1), xp.broadcast_to(xp.asarray(part), pos.shape).reshape(-1)
    order = xp.argsort(lin, kind="stable")
    ranked = lin[order]
    nth = xp.empty_like(lin)  # which occurrence of its position each entry is
    nth[order] = xp.arange(lin.size) - xp.searchsorted(ranked, ranked, side="left")
    for r in range(int(nth.max()) + 1 if lin.size else 0):
        hit = nth == r
        flat[lin[hit]] *= part[hit]


class ScatterBackward1(Function):
    """``scatter(dim, index, value)`` with a number, run as ``(self, index)``."""

    _name = "ScatterBackward1"
    complex_rule = "as_is"
    _edges = 1

    def forward(self, a, index, dim, value):
        self.dim = dim
        self.save(index=index)
        out = a.copy()
        _at_least_1d(out)[grid(_at_least_1d(index), dim)] = value
        return out

    _self_grad = ScatterBackward0._self_grad

    def backward(self, g):
        return (self._self_grad(g),)

    def backward_graph(self, g):
        return (api.scatter(g, self.dim, self.saved_tensor("index"), 0),)

    def jvp(self, xs, out, tangents):
        t = tangents[0].copy()
        _at_least_1d(t)[grid(_at_least_1d(xs[1]), self.dim)] = 0
        return t


class MaskedSelectBackward0(Function):
    """``masked_select(mask)``, run as ``(self, mask)``: the elements where the mask (both
    broadcast) holds, as one dimension."""

    _name = "MaskedSelectBackward0"
    complex_rule = "as_is"
    _edges = 1
    _released_with = ("mask",)
    graph_name = "MaskedScatterBackward0"

    def forward(self, a, mask):
        self.mask = mask
        self.save(self=a, mask=mask)
        xp = xp_of(a)
        a_, m_ = xp.broadcast_arrays(a, mask)
        return a_[m_]

    def backward(self, g):
        a, mask = self.saved("self"), self.saved("mask")
        xp = xp_of(g)
        shape = xp.broadcast_shapes(a.shape, mask.shape)
        out = xp.zeros(shape, dtype=g.dtype)
        out[xp.broadcast_to(mask, shape)] = g
        return (unbroadcast(out, a.shape),)

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        xp = xp_of(out)
        t_, m_ = xp.broadcast_arrays(tangents[0], self.mask)
        return t_[m_]


class SortBackward0(Function):
    """``sort(dim)``'s values (``SortBackward1`` with ``stable=`` given); the indices
    (int64) are saved, the gradient lands where each value came from."""

    _name = "SortBackward0"

    def forward(self, a, dim, descending, k, sorted_=True):
        self.self_sym_sizes = a.shape
        xp = xp_of(a)
        if a.ndim == 0:
            self.dim = dim
            self.save(indices=xp.zeros((), xp.int64))
            return a.copy()
        self.dim, self._order = dim, (descending, k, sorted_)
        idx = self._indices(a)
        self.save(indices=idx)
        values = xp.take_along_axis(a, idx, axis=dim)
        return values if k is not None else in_layout_of(values, a)  # (topk's: C order)

    def _indices(self, a):
        descending, k, sorted_ = self._order
        if k is not None:
            return topk_indices(a, self.dim, k, descending, sorted_)
        return in_layout_of(sort_indices(a, self.dim, descending), a)

    def backward(self, g):
        idx = self.saved("indices")
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        if out.ndim == 0:
            return (g.copy(),)
        out[grid(idx, self.dim)] = g
        return (out,)

    def backward_graph(self, g):
        zeros = zeros_grad(self.self_sym_sizes, g)
        return (api.scatter(zeros, self.dim, self.saved_tensor("indices"), g),)

    def jvp(self, xs, out, tangents):
        if out.ndim == 0:
            return tangents[0].copy()
        idx = self._indices(xs[0])  # (forward mode saves nothing)
        return xp_of(out).take_along_axis(tangents[0], idx, axis=self.dim)


class SortBackward1(SortBackward0):
    _name = "SortBackward1"


class TopkBackward0(SortBackward0):
    _name = "TopkBackward0"


def sort_indices(a, dim: int, descending: bool):
    """The stable order of ``a`` along ``dim`` as torch sorts (NaN above everything; ties
    keep their order, descending too)."""
    xp = xp_of(a)
    if a.dtype.kind == "b":
        a = a.view(xp.uint8)
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    n = a.shape[dim]
    rev = (slice(None),) * dim + (slice(None, None, -1),)
    # sorting the reversed array and reversing the result keeps ties in ascending order
    return (n - 1) - xp.argsort(a[rev], axis=dim, kind="stable")[rev]


# ------------------------------------------------ topk: the order of libstdc++'s algorithms
# torch's CPU topk runs std::partial_sort (k * 64 <= size) or std::nth_element then
# std::sort of the first k - 1 on (value, index) pairs: elements that compare equal come
# out in the order those algorithms leave them, which the ports below reproduce.


def topk_indices(a, dim: int, k: int, largest: bool, sorted_: bool):
    """The indices of the ``k`` largest (smallest) elements of ``a`` along ``dim``, in the
    order torch's CPU ``topk`` gives them (NaN above every number). On CuPy, whose order
    torch's CUDA kernel does not share either, equal elements keep their index order."""
    xp = xp_of(a)
    n = a.shape[dim]
    order = sort_indices(a, dim, largest)[(slice(None),) * dim + (slice(0, k),)]
    if k == 0 or n == 0 or xp is not np:
        return xp.ascontiguousarray(order)
    rows = np.moveaxis(a, dim, -1).reshape(-1, n)
    ranked = np.sort(rows, axis=-1)
    same = ranked[:, 1:] == ranked[:, :-1]
    if ranked.dtype.kind == "f":  # NaNs are equal to one another here
        same |= np.isnan(ranked[:, 1:]) & np.isnan(ranked[:, :-1])
    # the rows where the algorithms' order shows: unsorted, all; sorted, those with equal
    # elements among the k chosen or across the cut (elsewhere the sorted order is unique)
    if sorted_:
        near = same[:, max(n - k - 1, 0) :] if largest else same[:, : min(k, n - 1)]
        redo = np.flatnonzero(near.any(axis=1))
    else:
        redo = np.arange(len(rows))
    if not len(redo):
        return np.ascontiguousarray(order)
    out = np.moveaxis(order, dim, -1).reshape(-1, k).copy()
    for r in redo:
        out[r] = [j for _, j in _std_topk(rows[r].tolist(), k, largest, sorted_)]
    out = out.reshape(tuple(order.shape[:dim] + order.shape[dim + 1 :]) + (k,))
    return np.ascontiguousarray(np.moveaxis(out, -1, dim))


def _std_topk(values: list, k: int, largest: bool, sorted_: bool) -> list:
    q = [(v, j) for j, v in enumerate(values)]
    if largest:

        def less(x, y):
            return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]
    else:

        def less(x, y):
            return (x[0] == x[0] and y[0] != y[0]) or x[0] < y[0]

    if k * 64 <= len(q):
        _heap_select(q, 0, k, len(q), less)
        _sort_heap(q, 0, k, less)
    else:
        _nth_element(q, 0, k - 1, len(q), less)
        if sorted_:
            _sort(q, 0, k - 1, less)
    return q[:k]


def _lg(n: int) -> int:
    return n.bit_length() - 1


def _sort(q, first, last, less) -> None:
    if first != last:
        _introsort_loop(q, first, last, _lg(last - first) * 2, less)
        _final_insertion_sort(q, first, last, less)


def _introsort_loop(q, first, last, depth, less) -> None:
    while last - first > 16:
        if depth == 0:
            _heap_select(q, first, last, last, less)
            _sort_heap(q, first, last, less)
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, less)
        _introsort_loop(q, cut, last, depth, less)
        last = cut


def _nth_element(q, first, nth, last, less) -> None:
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last, less)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last, less)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last, less)


def _partition_pivot(q, first, last, less) -> int:
    mid = first + (last - first) // 2
    _median_to_first(q, first, first + 1, mid, last - 1, less)
    return _unguarded_partition(q, first + 1, last, first, less)


def _median_to_first(q, result, a, b, c, less) -> None:
    if less(q[a], q[b]):
        if less(q[b], q[c]):
            pick = b
        elif less(q[a], q[c]):
            pick = c
        else:
            pick = a
    elif less(q[a], q[c]):
        pick = a
    elif less(q[b], q[c]):
        pick = c
    else:
        pick = b
    q[result], q[pick] = q[pick], q[result]


def _unguarded_partition(q, first, last, pivot, less) -> int:
    while True:
        while less(q[first], q[pivot]):
            first += 1
        last -= 1
        while less(q[pivot], q[last]):
            last -= 1
        if not first < last:
            return first
        q[first], q[last] = q[last], q[first]
        first += 1


def _final_insertion_sort(q, first, last, less) -> None:
    if last - first > 16:
        _insertion_sort(q, first, first + 16, less)
        for i in range(first + 16, last):
            _linear_insert(q, i, less)
    else:
        _insertion_sort(q, first, last, less)


def _insertion_sort(q, first, last, less) -> None:
    if first == last:
        return
    for i in range(first + 1, last):
        if less(q[i], q[first]):
            val = q[i]
            q[first + 1 : i + 1] = q[first:i]
            q[first] = val
        else:
            _linear_insert(q, i, less)


def _linear_insert(q, last, less) -> None:
    val = q[last]
    nxt = last - 1
    while less(val, q[nxt]):
        q[last] = q[nxt]
        last = nxt
        nxt -= 1
    q[last] = val


def _heap_select(q, first, middle, last, less) -> None:
    _make_heap(q, first, middle, less)
    for i in range(middle, last):
        if less(q[i], q[first]):
            _pop_heap(q, first, middle, i, less)


def _make_heap(q, first, last, less) -> None:
    n = last - first
    if n < 2:
        return
    parent = (n - 2) // 2
    while True:
        _adjust_heap(q, first, parent, n, q[first + parent], less)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(q, first, last, result, less) -> None:
    val = q[result]
    q[result] = q[first]
    _adjust_heap(q, first, 0, last - first, val, less)


def _sort_heap(q, first, last, less) -> None:
    while last - first > 1:
        last -= 1
        _pop_heap(q, first, last, last, less)


def _adjust_heap(q, first, hole, n, val, less) -> None:
    top = hole
    child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if less(q[first + child], q[first + child - 1]):
            child -= 1
        q[first + hole] = q[first + child]
        hole = child
    if n & 1 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        q[first + hole] = q[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and less(q[first + parent], val):
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = val


# ------------------------------------------------------------- one view of a copy written


class _ViewScatter(Function):
    """``select_scatter``, ``slice_scatter``, ``diagonal_scatter``: a copy of ``self`` with
    one view of it (``_part``) replaced by ``src``, run as ``(self, src, *where)``. The
    gradient of ``self`` is the incoming one with that part zeroed; ``src``'s, that part."""

    def _write(self, a, src):
        self.src_dtype = src.dtype
        out = a.copy(order="K")  # torch's clone: in the input's layout
        self._part(out)[...] = src
        return out

    def _part(self, arr):
        """The view of ``arr`` that ``src`` replaces."""
        raise NotImplementedError

    def _part_graph(self, g):
        """``_part`` of tensor ``g``, as torch's view op of it."""
        raise NotImplementedError

    def _scatter_graph(self, g, src):
        """This op again, on tensors."""
        raise NotImplementedError

    def backward(self, g):
        na, ns = self.needs_input_grad
        ga = gs = None
        if na:
            ga = g.copy(order="K")
            self._part(ga)[...] = 0
        if ns:
            gs = cast_like(self._part(g).copy(), self.src_dtype)
        return ga, gs

    def backward_graph(self, g):
        na, ns = self.needs_input_grad
        ga = gs = None
        if na:  # torch's grad.<op>_scatter(zeros_like(src), ...)
            ga = self._scatter_graph(g, zeros_grad(self._part(g._data).shape, g))
        if ns:
            gs = cast_to(self._part_graph(g), self.src_dtype)
        return ga, gs

    def jvp(self, xs, out, tangents):
        ta, ts = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.astype(out.dtype, copy=True)
        self._part(t)[...] = 0 if ts is None else ts
        return t


class SelectScatterBackward0(_ViewScatter):
    """``select_scatter(src, dim, index)``."""

    _name = "SelectScatterBackward0"
    complex_rule = "as_is"

    def forward(self, a, src, dim, index):
        self.dim, self.index = dim, index
        return self._write(a, src)

    def _part(self, arr):
        return arr[(slice(None),) * self.dim + (self.index, Ellipsis)]

    def _part_graph(self, g):
        return api.select(g, self.dim, self.index)

    def _scatter_graph(self, g, src):
        return api.select_scatter(g, src, self.dim, self.index)


class SliceScatterBackward0(_ViewScatter):
    """``slice_scatter(src, dim, start, end, step)``."""

    _name = "SliceScatterBackward0"
    complex_rule = "as_is"

    def forward(self, a, src, dim, start, end, step):
        self.dim, self.start, self.end, self.step = dim, start, end, step
        return self._write(a, src)

    def _part(self, arr):
        return arr[(slice(None),) * self.dim + (slice(self.start, self.end, self.step),)]

    def _part_graph(self, g):
        return apply(SliceBackward0, (g,), self.dim, self.start, self.end, self.step)

    def _scatter_graph(self, g, src):
        return api.slice_scatter(g, src, self.dim, self.start, self.end, self.step)


class DiagonalScatterBackward0(_ViewScatter):
    """``diagonal_scatter(src, offset, dim1, dim2)``."""

    _name = "DiagonalScatterBackward0"
    complex_rule = "as_is"

    def forward(self, a, src, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        return self._write(a, src)

    def _part(self, arr):
        return diagonal_view(arr, self.offset, self.dim1, self.dim2)

    def _part_graph(self, g):
        return api.diagonal(g, self.offset, self.dim1, self.dim2)

    def _scatter_graph(self, g, src):
        return api.diagonal_scatter(g, src, self.offset, self.dim1, self.dim2)
