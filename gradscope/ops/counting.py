"""Ops that find and count rather than compute: ``nonzero``, ``argwhere``,
``count_nonzero``, ``unique``, ``unique_consecutive``, ``bincount``, ``histc``,
``isclose`` and the sign tests ``signbit``, ``isposinf``, ``isneginf``, ``isreal``.

None has a derivative. Their results are integer or bool tensors outside the graph, as in
torch, but for ``unique``'s values and ``histc``'s counts of a float tensor: torch records
``unique``'s values over a node whose backward raises (``Unique2Backward0``), and so does
gradscope.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..autograd.function import Function, apply
from ..backend import contiguous, fp_quiet, xp_of
from ..errors import refuse_complex_input, refuse_forward_ad, scalar_type_name
from ..tensor import Tensor
from .api import _broadcast_error, _check_tensor_arg, _dim, _dims

_INT64 = np.dtype(np.int64)


def _int64(arr) -> Tensor:
    return Tensor._make(arr.astype(_INT64, copy=False), None)


def _bools(arr) -> Tensor:
    return Tensor._make(arr, None)


def nonzero(a: Tensor, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The indices of ``a``'s nonzero elements: one row per element (an int64 tensor of
    shape ``(n, a.dim())``), or with ``as_tuple`` one index tensor per dim."""
    _check_tensor_arg("nonzero", "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if as_tuple:
        return tuple(_int64(i) for i in xp.nonzero(xp.atleast_1d(x)))
    found = xp.argwhere(x)
    if x.ndim == 0:  # NumPy gives (n, 1) here; torch (n, 0)
        found = found.reshape(found.shape[0], 0)
    return _int64(found)


def argwhere(a: Tensor) -> Tensor:
    """``nonzero(a)``: the indices of the nonzero elements, one row each."""
    _check_tensor_arg("argwhere", "input", 1, a)
    return nonzero(a)


def count_nonzero(a: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """How many elements of ``a`` are nonzero, in all or along ``dim`` (an int or ints)."""
    _check_tensor_arg("count_nonzero", "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if dim is None:
        return _int64(xp.asarray(xp.count_nonzero(x)))
    axes = _dims(list(dim) if isinstance(dim, (list, tuple)) else dim, x.ndim)
    if isinstance(dim, (list, tuple)) and not dim:
        axes = ()  # torch counts nothing away for an empty list here
    return _int64(contiguous(xp.asarray(xp.count_nonzero(x, axis=axes))))


def isclose(
    a: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Where ``|a - other| <= atol + rtol * |other|`` (equal infinities are close; NaNs are
    close to each other only with ``equal_nan``), as a bool tensor."""
    _check_tensor_arg("isclose", "input", 1, a)
    _check_tensor_arg("isclose", "other", 2, other)
    x, y = a._data, other._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"{scalar_type_name(x.dtype)} did not match {scalar_type_name(y.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol:g}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol:g}")
    xp = xp_of(x)
    try:
        close = x == y
    except ValueError:
        raise _broadcast_error("isclose", a, other) from None
    if x.dtype.kind == "b":
        return _bools(close)
    if x.dtype.kind != "f":  # integers: the tolerance in double, as torch computes it
        x, y = x.astype(np.float64), y.astype(np.float64)
    with fp_quiet():
        if equal_nan:
            close |= xp.isnan(x) & xp.isnan(y)
        error = xp.abs(x - y)
        allowed = x.dtype.type(atol) + xp.abs(x.dtype.type(rtol) * y)
        close |= xp.isfinite(error) & (error <= allowed)
    return _bools(close)


def signbit(a: Tensor) -> Tensor:
    """Where ``a``'s sign bit is set (``-0.0`` included), as a bool tensor."""
    _check_tensor_arg("signbit", "input", 1, a)
    refuse_complex_input("signbit", a)
    x = a._data
    xp = xp_of(x)
    if x.dtype.kind == "f":
        return _bools(xp.signbit(x))
    if x.dtype.kind == "i":
        return _bools(x < 0)
    return _bools(xp.zeros(x.shape, bool))


def isposinf(a: Tensor) -> Tensor:
    """Where ``a`` is +inf, as a bool tensor."""
    return _is_inf("isposinf", a, np.inf)


def isneginf(a: Tensor) -> Tensor:
    """Where ``a`` is -inf, as a bool tensor."""
    return _is_inf("isneginf", a, -np.inf)


def _is_inf(name: str, a: Tensor, value: float) -> Tensor:
    _check_tensor_arg(name, "input", 1, a)
    refuse_complex_input(name, a)
    x = a._data
    if x.dtype.kind == "f":
        return _bools(x == value)
    return _bools(xp_of(x).zeros(x.shape, bool))


def isreal(a: Tensor) -> Tensor:
    """Where ``a`` has no imaginary part: everywhere, for gradscope's real dtypes."""
    _check_tensor_arg("isreal", "input", 1, a)
    x = a._data
    return _bools(xp_of(x).ones(x.shape, bool))


# ------------------------------------------------------------------------ unique


class _Underivable(Function):
    """The node torch records over values it gives no derivative: backward and forward
    mode raise its ``NotImplementedError``. Its value comes computed."""

    op = ""

    def forward(self, a, values):
        return values

    def backward(self, g):
        raise NotImplementedError(f"the derivative for '{self.op}' is not implemented.")

    backward_graph = backward

    def jvp(self, xs, out, tangents):
        refuse_forward_ad(self.op)


class Unique2Backward0(_Underivable):
    _name, op = "Unique2Backward0", "_unique2"


class UniqueDimBackward0(_Underivable):
    _name, op = "UniqueDimBackward0", "unique_dim"


class UniqueConsecutiveBackward0(_Underivable):
    _name, op = "UniqueConsecutiveBackward0", "unique_consecutive"


def unique(
    a: Tensor,
    sorted: bool = True,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
):
    """``a``'s distinct elements (or distinct slices along ``dim``), sorted; with
    ``return_inverse``, where each element went, and with ``return_counts``, how many
    times each occurs. NaNs are each distinct, as in torch."""
    _check_tensor_arg("unique", "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if dim is None:
        flat = x.reshape(-1)
        order = xp.argsort(flat, kind="stable")
        ordered = flat[order]
        starts = _run_starts(xp, _new_runs(xp, ordered))
        node = Unique2Backward0
        inverse_shape = x.shape
    else:
        d, moved = _rows(xp, x, dim)
        if moved.shape[1]:
            order = xp.lexsort(moved.T[::-1]).astype(_INT64, copy=False)
        else:
            order = xp.arange(len(moved), dtype=_INT64)
        ordered = moved[order]
        starts = _run_starts(xp, _new_runs(xp, ordered))
        node = UniqueDimBackward0
        inverse_shape = (x.shape[d],)
    values, inverse, counts = _runs(xp, x, ordered, order, starts, dim)
    return _unique_result(a, node, values, inverse.reshape(inverse_shape), counts,
                          return_inverse, return_counts)  # fmt: skip


def unique_consecutive(
    a: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
):
    """``a`` with each run of equal consecutive elements (or slices along ``dim``) kept
    once; with ``return_inverse``, which run each element is in, and with
    ``return_counts``, each run's length."""
    _check_tensor_arg("unique_consecutive", "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if dim is None:
        ordered = x.reshape(-1)
        starts = _run_starts(xp, _new_runs(xp, ordered))
        inverse_shape = x.shape
    else:
        d, ordered = _rows(xp, x, dim)
        starts = _run_starts(xp, _new_runs(xp, ordered))
        inverse_shape = (x.shape[d],)
    order = xp.arange(len(ordered), dtype=_INT64)
    values, inverse, counts = _runs(xp, x, ordered, order, starts, dim)
    return _unique_result(a, UniqueConsecutiveBackward0, values, inverse.reshape(inverse_shape),
                          counts, return_inverse, return_counts)  # fmt: skip


def _rows(xp, x, dim: int):
    """``x``'s slices along ``dim``, each flattened into a row, and ``dim`` made positive."""
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _dim(dim, x.ndim)
    if any(n == 0 for i, n in enumerate(x.shape) if i != d):
        raise RuntimeError(
            "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
        )
    n = x.shape[d]
    return d, xp.moveaxis(x, d, 0).reshape(n, x.size // n if n else 0)


def _new_runs(xp, ordered):
    """Where a run of equal elements (or rows) of ``ordered`` starts: at the first, and
    wherever one differs from the one before (a NaN from everything, so each is one)."""
    differs = ordered[1:] != ordered[:-1]
    if ordered.ndim == 2:
        differs = differs.any(axis=1)
    return xp.concatenate([xp.ones(min(len(ordered), 1), bool), differs])


def _run_starts(xp, new_run):
    return xp.flatnonzero(new_run).astype(_INT64, copy=False)


def _runs(xp, x, ordered, order, starts, dim):
    """The first of each run of ``ordered`` (``x``'s elements, or slices along ``dim``,
    taken in ``order``), where each element went and each run's length."""
    n = len(ordered)
    counts = xp.diff(xp.concatenate([starts, xp.asarray([n], dtype=_INT64)]))
    run_of = xp.zeros(n, _INT64)
    if n:
        run_of[starts[1:]] = 1
        run_of = xp.cumsum(run_of)
    inverse = xp.empty(n, _INT64)
    inverse[order] = run_of
    picked = ordered[starts]
    if dim is not None and x.ndim:
        d = _dim(dim, x.ndim)
        rest = [s for i, s in enumerate(x.shape) if i != d]
        picked = xp.moveaxis(picked.reshape(len(starts), *rest), 0, d)
    return xp.ascontiguousarray(picked), inverse, counts.astype(_INT64, copy=False)


def _unique_result(a, node, values, inverse, counts, return_inverse, return_counts):
    out = apply(node, (a,), values) if a._data.dtype.kind in "fc" else Tensor._make(values, None)
    if not return_inverse and not return_counts:
        return out
    result = [out]
    if return_inverse:
        result.append(_int64(inverse))
    if return_counts:
        result.append(_int64(counts))
    return tuple(result)


# ------------------------------------------------------------------------ counts


def bincount(a: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How many times each value ``0..max(a)`` occurs in ``a`` (1-d, non-negative
    integers), at least ``minlength`` of them; with ``weights``, their sums instead."""
    _check_tensor_arg("bincount", "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if x.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{scalar_type_name(x.dtype)}'"
        )
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _int64(xp.bincount(x, minlength=minlength))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    kind = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    summed = xp.bincount(x, weights=w.astype(np.float64, copy=False), minlength=minlength)
    return Tensor._make(summed.astype(kind, copy=False), None)


def histc(a: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``a``'s elements in ``bins`` equal bins from ``min`` to ``max`` (when
    they are equal, from ``a``'s smallest element to its largest); elements outside, and
    NaNs, are not counted. The counts have ``a``'s dtype."""
    _check_tensor_arg("histc", "input", 1, a)
    x = a._data
    xp = xp_of(x)
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"\"histogram_cpu\" not implemented for '{scalar_type_name(x.dtype)}'"
        )
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_g(lo)}, {_g(hi)}] is not finite")
    t = x.dtype.type
    left, right = t(lo), t(hi)
    flat = x.reshape(-1)
    inside = flat[(flat >= left) & (flat <= right)]
    with fp_quiet():
        pos = ((inside - left) * t(bins) / (right - left)).astype(_INT64)
    pos[pos >= bins] = bins - 1  # the right edge counts in the last bin
    counts = xp.bincount(pos, minlength=bins)[:bins]
    return Tensor._make(counts.astype(x.dtype), None)


def _g(v: float) -> str:
    """``v`` as C's ``%g`` prints it."""
    if np.isnan(v):
        return "-nan" if np.signbit(v) else "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:g}"


__all__ = [
    "argwhere",
    "bincount",
    "count_nonzero",
    "histc",
    "isclose",
    "isneginf",
    "isposinf",
    "isreal",
    "nonzero",
    "signbit",
    "unique",
    "unique_consecutive",
]
