"""``embedding_bag``'s node: the rows of ``weight`` picked by ``indices``, reduced per bag
(sum, mean or max), as torch's ``_embedding_bag`` on the CPU.

``EmbeddingBagBackward0`` is run as ``(weight, per_sample_weights, indices, offsets)``,
the last two without edges, and saves what torch's node saves: ``indices``, ``offsets``,
``per_sample_weights`` (when given), ``weight`` (when ``per_sample_weights`` needs a
gradient) and torch's three extra results: ``result1`` (each index's bag, empty on
torch's fast path for ``sum``), ``result2`` (each bag's size, zeros for ``sum``) and
``result3`` (for ``max`` the row each maximum came from, else a copy of ``result2``).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import scatter_at, xp_of
from ._graph import no_forward_mode
from .shape import scatter_add

MODE_SUM, MODE_MEAN, MODE_MAX = 0, 1, 2


def offset2bag(offsets, n: int, nbags: int, dtype):
    """Each of the ``n`` indices' bag: the last bag starting at or before it."""
    xp = xp_of(offsets)
    if nbags == 0:
        return xp.zeros(n, dtype=dtype)
    starts = offsets[:nbags].astype(np.int64, copy=False)
    return (xp.searchsorted(starts, xp.arange(n), side="right") - 1).astype(dtype)


def _bag_reduce(op: str, arr, starts, fill):
    """``op`` (``"add"``, ``"max"`` or ``"min"``) over each bag's run of rows of ``arr``, a
    run going from its start to the next (the last to the end); an empty run gives a row
    it does not own, which the caller overwrites."""
    xp = xp_of(arr)
    n, nbags = arr.shape[0], starts.shape[0]
    if nbags and n and n % nbags == 0:  # bags of one size (2-d input): a reshape, ten
        size = n // nbags  # times faster than ``reduceat``'s loop over rows
        if bool((starts == xp.arange(0, n, size)).all()):
            runs = arr.reshape(nbags, size, *arr.shape[1:])
            return runs.sum(axis=1) if op == "add" else getattr(runs, op)(axis=1)
    if xp is np:
        pad = xp.full((1, *arr.shape[1:]), fill, dtype=arr.dtype)
        return _REDUCE[op].reduceat(xp.concatenate([arr, pad]), starts, axis=0)
    out = xp.full((nbags, *arr.shape[1:]), fill, dtype=arr.dtype)  # CuPy has no reduceat
    scatter_at(op, out, offset2bag(starts, n, nbags, np.int64), arr)
    return out


_REDUCE = {"add": np.add, "max": np.maximum, "min": np.minimum}


def _empty_runs(xp, starts, n: int):
    """Which bags' runs hold no rows."""
    return starts == xp.concatenate([starts[1:], xp.asarray([n], dtype=starts.dtype)])


class EmbeddingBagBackward0(Function):
    """Bags of rows of ``weight`` reduced by ``mode`` (0 sum, 1 mean, 2 max); a
    ``padding_idx`` row is left out of its bag, and an empty bag gives zeros."""

    _name = "EmbeddingBagBackward0"
    complex_rule = "as_is"  # complex weights are refused before the op runs
    _edges = 2

    def forward(
        self,
        weight,
        per_sample_weights,
        indices,
        offsets,
        mode: int,
        scale_grad_by_freq: bool,
        padding_idx: int,
        include_last_offset: bool,
    ):
        xp = xp_of(weight)
        n = indices.shape[0]
        nbags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
        nbags = max(nbags, 0)
        itype = np.result_type(indices.dtype, offsets.dtype)
        self.mode, self.scale_grad_by_freq, self.padding_idx = mode, scale_grad_by_freq, padding_idx
        self.weight_sym_argsize_0 = weight.shape[0]
        self.include_last_offset = include_last_offset
        self.has_per_sample_weights = per_sample_weights is not None

        idx = indices.astype(np.int64, copy=False)
        bag = offset2bag(offsets, n, nbags, np.int64)
        keep = (idx != padding_idx) & (nbags > 0)
        # torch's fast path (single or half precision, no padding) sums (sum and mean) up
        # to the last offset; otherwise, and for sizes and maxima, bags run to the end
        fast = padding_idx < 0 and weight.dtype != np.float64
        summed = keep.copy()
        if fast and include_last_offset and nbags:
            summed &= xp.arange(n) < int(offsets[-1])
        sizes = xp.bincount(bag[keep], minlength=nbags)[:nbags] if n else xp.zeros(nbags, int)
        rows = weight[idx]
        starts = offsets[:nbags].astype(np.int64, copy=False)
        if mode == MODE_MAX:
            out, max_indices = self._max(xp, rows, idx, bag, keep, sizes, starts, weight)
        else:
            out = self._sum(xp, rows, per_sample_weights, summed, starts, n, weight.dtype)
            if mode == MODE_MEAN:
                out /= xp.maximum(sizes, 1).astype(weight.dtype)[:, None]

        fast_sum = fast and mode == MODE_SUM
        result1 = xp.zeros(0, dtype=itype) if fast_sum else bag.astype(itype)
        result2 = xp.zeros(nbags, dtype=itype) if mode == MODE_SUM else sizes.astype(itype)
        if mode == MODE_MAX:
            result3 = max_indices.astype(itype)
        else:
            result3 = result2.copy()
        self.save(indices=indices, offsets=offsets, result1=result1, result2=result2)
        self.save(result3=result3)
        if per_sample_weights is not None:
            self.save(per_sample_weights=per_sample_weights)
            if self.needs_input_grad[1]:
                self.save(weight=weight)
        return out

    @staticmethod
    def _sum(xp, rows, per_sample_weights, summed, starts, n, dtype):
        """Each bag's sum of the rows ``summed`` keeps (scaled by the per-sample weights);
        half precision summed in single, as torch."""
        if per_sample_weights is not None:
            rows = rows * per_sample_weights[:, None]
        acc = np.float32 if dtype == np.float16 else dtype
        rows = xp.where(summed[:, None], rows, 0).astype(acc, copy=False)
        out = xp.zeros((starts.shape[0], rows.shape[1]), dtype=dtype)
        if starts.shape[0]:
            out[...] = _bag_reduce("add", rows, starts, 0)
            out[_empty_runs(xp, starts, n)] = 0
        return out

    @staticmethod
    def _max(xp, rows, idx, bag, keep, sizes, starts, weight):
        """Each bag's maximum per column, and the row of ``weight`` it came from; zeros and
        row 0 for an empty bag. As torch's loop: the bag's first row, replaced only by a
        greater value (so the first on ties, and NaN only when the first row has it)."""
        n, dim, nbags = rows.shape[0], rows.shape[1], starts.shape[0]
        out = xp.zeros((nbags, dim), dtype=weight.dtype)
        max_indices = xp.zeros((nbags, dim), dtype=np.int64)
        if not nbags:
            return out, max_indices
        pos = xp.arange(n)
        vals = xp.where(xp.isnan(rows) | ~keep[:, None], -np.inf, rows)
        top = _bag_reduce("max", vals, starts, -np.inf)
        hit_pos, hit_col = xp.nonzero(keep[:, None] & (vals == top[bag]))
        first = xp.full((nbags, dim), n, dtype=np.int64)
        scatter_at("min", first, (bag[hit_pos], hit_col), hit_pos)
        lead = _bag_reduce("min", xp.where(keep, pos, n), starts, n)
        full = sizes > 0
        lead_nan = xp.isnan(rows[lead[full]])
        first = xp.where(lead_nan, lead[full][:, None], first[full])
        out[full] = xp.take_along_axis(rows, first, axis=0)
        max_indices[full] = idx[first]
        return out, max_indices

    def _bags(self):
        """Each index's bag (computed again where torch's fast path saved none)."""
        bag = self.saved("result1")
        indices, offsets = self.saved("indices"), self.saved("offsets")
        if bag.shape[0] != indices.shape[0]:
            nbags = offsets.shape[0] - int(self.include_last_offset)
            bag = offset2bag(offsets, indices.shape[0], max(nbags, 0), np.int64)
        return bag.astype(np.int64, copy=False), indices.astype(np.int64, copy=False)

    def backward(self, g):
        need_w, need_p = self.needs_input_grad[:2]
        gw = gp = None
        bag, idx = self._bags()
        keep = (idx != self.padding_idx) & (bag < g.shape[0])
        psw = self.saved("per_sample_weights") if self.has_per_sample_weights else None
        if need_w:
            gw = self._weight_grad(g, bag, idx, keep, psw)
        if need_p:
            weight = self.saved("weight")
            gp = xp_of(g).zeros(idx.shape[0], dtype=weight.dtype)
            gp[keep] = (g[bag[keep]] * weight[idx[keep]]).sum(axis=1)
        return gw, gp

    def backward_graph(self, g):
        # as torch: the gradients carry nodes of their own, which refuse a second backward
        need_w, need_p = self.needs_input_grad[:2]
        gw = gp = None
        if need_w:
            psw = self.saved_tensor("per_sample_weights") if self.has_per_sample_weights else None
            gw = apply(EmbeddingBagBackwardBackward0, (g, psw), self)
        if need_p:
            gp = apply(_PerSampleWeightsBackward, (g, self.saved_tensor("weight")), self)
        return gw, gp

    jvp = no_forward_mode("_embedding_bag")  # torch has no forward-mode rule for it

    def _weight_grad(self, g, bag, idx, keep, psw):
        """``weight``'s gradient: ``g``'s row for each bag, into the rows it picked."""
        xp = xp_of(g)
        dim = g.shape[1]
        gw = xp.zeros((self.weight_sym_argsize_0, dim), dtype=g.dtype)
        sizes = self.saved("result2")
        if self.mode == MODE_MAX:
            rows = self.saved("result3")[sizes > 0]
            cols = xp.broadcast_to(xp.arange(dim), rows.shape)
            scatter_add(gw, (rows.astype(np.int64), cols), g[sizes > 0])
            return gw
        scale = xp.ones(idx.shape[0], dtype=g.dtype) if psw is None else psw.astype(g.dtype)
        if self.scale_grad_by_freq and idx.shape[0]:
            # torch divides each distinct index's gradient by the count of the k-th
            # smallest index, k being that index's rank among the distinct ones
            counts = xp.bincount(idx, minlength=self.weight_sym_argsize_0)
            distinct = xp.unique(idx)
            divisor = counts[xp.sort(idx)[: distinct.shape[0]]]
            scale = scale / divisor[xp.searchsorted(distinct, idx)].astype(g.dtype)
        bag, scale = bag[keep], scale[keep]
        if self.mode == MODE_MEAN:
            scale = scale / xp.maximum(sizes, 1)[bag].astype(g.dtype)
        scatter_add(gw, idx[keep], g[bag] * scale[:, None])
        return gw


class EmbeddingBagBackwardBackward0(Function):
    """``weight``'s gradient as an op, run as ``(g, per_sample_weights)``: as in torch, it
    has no derivative of its own."""

    _name = "EmbeddingBagBackwardBackward0"
    _edges = 2

    def forward(self, g, psw, node):
        bag, idx = node._bags()
        keep = (idx != node.padding_idx) & (bag < g.shape[0])
        return node._weight_grad(g, bag, idx, keep, psw)

    def backward(self, u):
        raise NotImplementedError(
            "the derivative for '_embedding_bag_backward' is not implemented."
        )


class _PerSampleWeightsBackward(Function):
    """``per_sample_weights``' gradient as an op, run as ``(g, weight)``: torch's
    ``NotImplemented`` node, which refuses a second backward."""

    _name = "NotImplemented"
    _namespace = "torch::autograd::"
    _edges = 2

    def forward(self, g, weight, node):
        return node.backward(g)[1]

    def backward(self, u):
        raise RuntimeError(
            "derivative for aten::_embedding_bag_per_sample_weights_backward is not implemented"
        )
