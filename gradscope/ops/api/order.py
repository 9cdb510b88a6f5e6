"""Sorting and order statistics: ``sort``, ``topk``, ``median``, ``quantile``, ``cummax`` ..."""

from __future__ import annotations

import numpy as np

from ...autograd import function as _function
from ...autograd.function import apply
from ...backend import fp_quiet, in_layout_of, xp_of
from ...errors import refuse_complex_input, refuse_kernel
from .. import index as I
from .. import order as O
from .. import reduce as R
from ._common import (
    _NOTHING,
    AminmaxResult,
    CummaxResult,
    CumminResult,
    KthvalueResult,
    MedianResult,
    ModeResult,
    NanmedianResult,
    SortResult,
    TopkResult,
    _dim,
    _int_arg,
)
from .arithmetic import lerp_
from .reductions import amax
from .scatter_gather import gather
from .views import flatten, squeeze, squeeze_, transpose, transpose_, unsqueeze, unsqueeze_, view

Tensor = None  # set by gradscope.tensor


def sort(a, dim=-1, descending: bool = False, *, stable=_NOTHING):
    """``(values, indices)``: ``a`` sorted along ``dim`` (NaN above every number; equal
    values keep their order, as torch's sort on the CPU)."""
    dim = _dim(dim, a._data.ndim)
    cls = I.SortBackward0 if stable is _NOTHING else I.SortBackward1
    return _selected(SortResult, cls, a, dim, bool(descending), None)


def argsort(a, dim=-1, descending: bool = False, *, stable: bool = False):
    """The indices that sort ``a`` along ``dim`` (as ``sort`` orders it)."""
    refuse_complex_input("argsort", a)
    dim = _dim(dim, a._data.ndim)
    d = a._data
    if d.ndim == 0:
        return Tensor._make(xp_of(d).zeros((), np.int64), None)
    idx = I.sort_indices(d, dim, bool(descending)).astype(np.int64, copy=False)
    return Tensor._make(in_layout_of(idx, d), None)


def topk(a, k, dim=-1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """``(values, indices)``: the ``k`` largest (or smallest) elements of ``a`` along
    ``dim``, largest (smallest) first."""
    k = _int_arg("topk", "k", 1, k)
    dim = _dim(dim, a._data.ndim)
    size = a.shape[dim] if a._data.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if a._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    return _selected(TopkResult, I.TopkBackward0, a, dim, bool(largest), k, bool(sorted))


def _selected(result_type, cls, a, dim: int, descending: bool, k, sorted_: bool = True):
    """sort's or topk's ``(values, indices)``, the indices those the node saved."""
    values = apply(cls, (a,), dim, descending, k, sorted_)
    node = values._grad_node()
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        d = a._data
        if d.ndim == 0:
            idx = xp_of(d).zeros((), np.int64)
        elif k is not None:
            idx = I.topk_indices(d, dim, k, descending, sorted_)
        else:
            idx = I.sort_indices(d, dim, descending)
        indices = Tensor._make(idx.astype(np.int64, copy=False), None)
    return result_type(values, indices)


def _picked(result_type, cls, a, dim: int, keepdim: bool, *args):
    """``(values, indices)`` of a node that picks one element per slice, the indices those
    it saved."""
    values = apply(cls, (a,), dim, bool(keepdim), *args)
    node = values._grad_node()
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        idx = O.picked_indices(cls, a._data, dim, bool(keepdim), *args)
        indices = Tensor._make(idx, None)
    return result_type(values, indices)


def _order_dim(name: str, a, dim, pos: int = 1) -> int:
    """``dim`` checked as torch's order statistics check it (an int, in range, of a
    non-zero size)."""
    dim = _dim(_int_arg(name, "dim", pos, dim), a._data.ndim)
    if a._data.ndim and a._data.shape[dim] == 0:
        name = "median" if name == "nanmedian" else name
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    return dim


def median(a, dim=_NOTHING, keepdim: bool = False):
    """The lower median of all elements (NaN if any is NaN), or ``(values, indices)`` along
    ``dim``."""
    return _median("median", a, dim, keepdim)


def nanmedian(a, dim=_NOTHING, keepdim: bool = False):
    """``median`` ignoring NaN: the lower median of the numbers (NaN where all are NaN)."""
    return _median("nanmedian", a, dim, keepdim)


def _median(name: str, a, dim, keepdim):
    nan = name == "nanmedian"
    if dim is _NOTHING:
        if a._data.dtype == np.bool_:
            refuse_kernel("median_cpu", a._data.dtype)
        return apply(O.NanmedianBackward0 if nan else O.MedianBackward0, (a,))
    dim = _order_dim(name, a, dim)
    if a._data.dtype == np.bool_:
        refuse_kernel("median_out", a._data.dtype)
    cls, result = (
        (O.NanmedianBackward1, NanmedianResult) if nan else (O.MedianBackward1, MedianResult)
    )
    return _picked(result, cls, a, dim, keepdim)


def kthvalue(a, k, dim=-1, keepdim: bool = False):
    """``(values, indices)``: the ``k``-th smallest element along ``dim`` (NaN above every
    number)."""
    k = _int_arg("kthvalue", "k", 1, k)
    dim = _order_dim("kthvalue", a, dim, 2)
    size = a._data.shape[dim] if a._data.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if a._data.dtype == np.bool_:
        refuse_kernel("kthvalue_cpu", a._data.dtype)
    return _picked(KthvalueResult, O.KthvalueBackward0, a, dim, keepdim, k)


def mode(a, dim=-1, keepdim: bool = False):
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of those
    equally frequent)."""
    dim = _order_dim("mode", a, dim)
    return _picked(ModeResult, O.ModeBackward0, a, dim, keepdim)


def _cumulative_extreme(name: str, result_type, cls, a, dim):
    dim = _int_arg(name, "dim", 1, dim)
    if a._data.ndim == 0 and dim not in (0, -1):
        raise IndexError(f"{name}(): Expected reduction dim -1 or 0 for scalar but got {dim}")
    dim = _dim(dim, a._data.ndim)
    values = apply(cls, (a,), dim)
    node = values._grad_node()
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        _, idx = O.cumulative_extreme(a._data, dim, cls is O.CummaxBackward0)
        indices = Tensor._make(idx, None)
    return result_type(values, indices)


def cummax(a, dim):
    """``(values, indices)``: the running maximum along ``dim`` and where it was reached (the
    latest of equal values)."""
    return _cumulative_extreme("cummax", CummaxResult, O.CummaxBackward0, a, dim)


def cummin(a, dim):
    """``(values, indices)``: the running minimum along ``dim`` and where it was reached (the
    latest of equal values)."""
    return _cumulative_extreme("cummin", CumminResult, O.CumminBackward0, a, dim)


def logcumsumexp(a, dim):
    """``log(cumsum(exp(a), dim))``, computed without overflow."""
    dim = _dim(_int_arg("logcumsumexp", "dim", 1, dim), a._data.ndim)
    if a._data.dtype.kind not in "fc":
        refuse_kernel("logcumsumexp_out_cpu", a._data.dtype)
    return apply(O.LogcumsumexpBackward0, (a,), dim)


def msort(a):
    """``a`` sorted along its first dimension (``sort(a, 0).values``)."""
    return sort(a, 0).values


_QUANTILE_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(a, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """The ``q``-th quantiles of all elements, or along ``dim``, interpolated between the
    two nearest ranks as ``interpolation`` says; a tensor ``q`` gives its quantiles first."""
    return _quantile(a, q, dim, keepdim, interpolation, False)


def nanquantile(a, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """``quantile`` of the elements that are not NaN (NaN where all are)."""
    return _quantile(a, q, dim, keepdim, interpolation, True)


def _quantile(a, q, dim, keepdim, interpolation: str, ignore_nan: bool):
    # torch's quantile_compute, op for op, so that the graph is the same: sort, view,
    # gather at the ranks below (and above), lerp_ in place, then squeeze_ (or, for a
    # tensor ``q``, unsqueeze_, transpose_, squeeze_)
    if isinstance(q, (int, float)) and not isinstance(q, complex):
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q:g}")
        q = Tensor._make(xp_of(a._data).asarray(q, dtype=a._data.dtype), None)
    elif type(q) is not Tensor:
        raise TypeError(
            f"quantile() received an invalid combination of arguments - got "
            f"({type(q).__name__}), but expected one of:"
        )
    if interpolation not in _QUANTILE_MODES:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    d = a._data
    if d.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if q._data.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if q._data.dtype != d.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    wrapped = _dim(0 if dim is None else _int_arg("quantile", "dim", 2, dim), d.ndim)
    qs = q._data
    if not bool(((qs >= 0) & (qs <= 1)).all()):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")

    out_shape = []
    if dim is not None and d.ndim > 0:
        out_shape = list(d.shape)
        if keepdim:
            out_shape[wrapped] = 1
        else:
            del out_shape[wrapped]
    elif keepdim:
        out_shape = [1] * d.ndim
    if dim is None:
        s = sort(flatten(a)).values
    elif wrapped == d.ndim - 1:
        s = sort(a).values
    else:
        s = sort(transpose(unsqueeze(a, -1), wrapped, -1)).values
    out_shape.insert(0, int(qs.size))
    s = view(s, tuple(out_shape[1:]) + (s.shape[-1],))

    xp = xp_of(d)
    sd = s._data
    nan = xp.isnan(sd)
    qv = qs.reshape(-1)
    with fp_quiet():
        if ignore_nan:
            ranks = qv * ((~nan).sum(axis=-1, keepdims=True) - 1).astype(d.dtype)
            ranks = xp.where(ranks < 0, 0, ranks)
        else:
            last = sd.shape[-1] - 1
            ranks, has_nan = xp.broadcast_arrays(qv * last, nan.any(axis=-1, keepdims=True))
            ranks = xp.where(has_nan, last, ranks)
    ranks = ranks.astype(d.dtype, copy=False)
    if interpolation == "lower":
        ranks = xp.floor(ranks)
    elif interpolation == "higher":
        ranks = xp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = xp.round(ranks)
    below = ranks.astype(np.int64)
    out = gather(s, -1, Tensor._make(below, None))
    if interpolation in ("linear", "midpoint"):
        weights = (
            xp.full_like(ranks, 0.5)
            if interpolation == "midpoint"
            else ranks - below.astype(d.dtype)
        )
        above = gather(s, -1, Tensor._make(xp.ceil(ranks).astype(np.int64), None))
        out = lerp_(out, above, Tensor._make(weights, None))
    if _function._dual:  # forward mode changes no shape in place: the same ops, out of place
        if qs.ndim == 0:
            return squeeze(out, -1)
        return squeeze(transpose(unsqueeze(out, 0), 0, -1), -1)
    if qs.ndim == 0:
        return squeeze_(out, -1)
    return squeeze_(transpose_(unsqueeze_(out, 0), 0, -1), -1)


def aminmax(a, *, dim=None, keepdim: bool = False):
    """``(min, max)`` of all elements, or along ``dim``, from one node (``AminmaxBackward0``);
    ties share each output's gradient evenly."""
    refuse_complex_input("aminmax", a)
    d = a._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        dims = ()
    else:
        wrapped = _dim(_int_arg("aminmax", "dim", 2, dim), d.ndim)
        if d.ndim and d.shape[wrapped] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {wrapped} to have non-zero size.")
        dims = (wrapped,) if d.ndim else ()
    keepdim = bool(keepdim)
    first = apply(O.AminmaxBackward0, (a,), dims, keepdim)
    node = first._grad_fn
    if _function._dual:  # forward mode: the maximum is amax's own op, with its tangent
        return AminmaxResult(first, amax(a, list(dims), keepdim))
    if node is None:
        b = d.view(np.uint8) if d.dtype == np.bool_ else d
        mx = xp_of(d).asarray(b.max(axis=dims or None, keepdims=keepdim)).astype(d.dtype)
        return AminmaxResult(first, Tensor._make(mx, None))
    second = Tensor._make(node.mean_out, node)
    node.out_edges = [None, None]  # (weak references to the edges, as they are made)
    first._grad_fn, second._grad_fn = R.output_edge(node, 0), R.output_edge(node, 1)
    del node.mean_out
    return AminmaxResult(first, second)
