"""Integrals and moments of samples, composed of other ops as torch composes them:
``trapezoid`` (``trapz``), ``cumulative_trapezoid``, ``cov`` and ``corrcoef``.

    >>> gs.trapezoid(y).grad_fn.name()   # (sum - (first + last) * 0.5) * dx
    'MulBackward1'
"""

from __future__ import annotations

import warnings

from .. import dtypes
from ..autograd.function import apply
from ..errors import scalar_type_name
from ..events.callsite import user_stacklevel
from . import api as F
from . import elementwise as E
from . import shape as S

# ---------------------------------------------------------------- the trapezoid rule


def _slice(t, dim: int, start: int, end: int):
    """torch's ``t.slice(dim, start, end)`` (``end`` negative counts from the end)."""
    n = t.shape[dim]
    end = max(min(end + n if end < 0 else end, n), 0)
    return apply(S.SliceBackward0, (t,), dim, min(start, n), max(end, min(start, n)), 1)


def _spacings(name: str, y, x, dim: int):
    """``x``'s differences along ``dim``, shaped to broadcast with ``y``'s (torch does not
    broadcast ``x`` to ``y`` first, as NumPy does not)."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
        sizes = [1] * y.ndim
        sizes[dim] = x.shape[0]
        x = F.view(x, tuple(sizes))
    elif x.ndim < y.ndim:
        x = F.view(x, (1,) * (y.ndim - x.ndim) + tuple(x.shape))
    return F.sub(_slice(x, dim, 1, x.shape[dim]), _slice(x, dim, 0, -1))


def _times(t, number: float):
    """``t * number`` as torch's composite records it (``MulBackward1``, the number held as
    a number); an integer ``t`` (no graph) promotes to the default float dtype, as torch's
    C++ scalar does, where NumPy's would give float64."""
    if t._data.dtype.kind in "fc":
        return apply(E.MulBackward1, (t,), number)
    return F.mul(t, number)


def _halved(t):
    """``t / 2`` as torch's composite records it (``DivBackward1``), promoting as ``_times``."""
    if t._data.dtype.kind in "fc":
        return apply(E.DivBackward1, (t,), 2.0)
    return F.div(t, 2.0)


def _check_y(name: str, y) -> None:
    if y._data.dtype.kind == "b":
        raise RuntimeError(f"{name}: received a bool input for `y`, but bool is not supported")


def trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """The integral of samples ``y`` along ``dim`` by the trapezoid rule, at points ``x``
    or ``dx`` apart (1 by default).

    Recorded as torch records it: with a spacing ``dx``, ``(sum(y) - (y[0] + y[-1]) *
    0.5) * dx`` (``MulBackward1`` on top); with points ``x``, ``((y[:-1] + y[1:]) *
    (x[1:] - x[:-1])).sum() / 2`` (``DivBackward1``).
    """
    dim = F._dim(dim, y.ndim)
    if y.shape[dim] == 0:  # no samples: 0, as NumPy
        from ..creation import zeros

        shape = tuple(s for i, s in enumerate(y.shape) if i != dim)
        return zeros(shape, dtype=y.dtype, device=y.device)
    if x is not None:
        if dx is not None:
            raise TypeError("trapezoid() received both x and dx: give one of them")
        _check_y("trapezoid", y)
        if x._data.dtype.kind == "b":
            raise RuntimeError(
                "trapezoid: received a bool input for `x`, but bool is not supported"
            )
        spacing = _spacings("trapezoid", y, x, dim)
        total = F.sum(
            F.mul(F.add(_slice(y, dim, 0, -1), _slice(y, dim, 1, y.shape[dim])), spacing), dim
        )
        return _halved(total)
    dx = 1 if dx is None else dx
    _check_y("trapezoid", y)
    if isinstance(dx, (bool, complex)):
        raise RuntimeError("trapezoid: Currently, we only support dx as a real number.")
    ends = F.add(F.select(y, dim, 0), F.select(y, dim, -1))
    inner = F.sub(F.sum(y, dim), _times(ends, 0.5))
    return _times(inner, float(dx))


def trapz(y, x=None, *, dx=None, dim: int = -1):
    """``trapezoid``, under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """The running integral of samples ``y`` along ``dim`` by the trapezoid rule: one
    value per interval. Recorded as torch records it (``CumsumBackward0`` of the
    intervals' areas; with ``x``, divided by 2 after: ``DivBackward1``)."""
    dim = F._dim(dim, y.ndim)
    _check_y("cumulative_trapezoid", y)
    n = y.shape[dim]
    pairs = F.add(_slice(y, dim, 0, -1), _slice(y, dim, 1, n))
    if x is not None:
        if dx is not None:
            raise TypeError("cumulative_trapezoid() received both x and dx: give one of them")
        spacing = _spacings("cumulative_trapezoid", y, x, dim)
        return _halved(F.cumsum(F.mul(pairs, spacing), dim))
    dx = 1 if dx is None else dx
    if isinstance(dx, (bool, complex)):
        raise RuntimeError("cumulative_trapezoid: Currently, we only support dx as a real number.")
    return F.cumsum(_times(pairs, dx / 2.0), dim)


# ---------------------------------------------------------------- covariance, correlation


def _check_weights(kind: str, w, n: int, integral: bool) -> None:
    if w.ndim > 1:
        raise RuntimeError(
            f"cov(): expected {kind} to have one or fewer dimensions but got {kind} with "
            f"{w.ndim} dimensions"
        )
    ok = w._data.dtype.kind in "iu" if integral else w._data.dtype.kind == "f"
    if not ok:
        what = "integral" if integral else "floating point"
        raise RuntimeError(
            f"cov(): expected {kind} to have {what} dtype but got {kind} with "
            f"{scalar_type_name(w._data.dtype)} dtype"
        )
    if w.numel() != n:
        raise RuntimeError(
            f"cov(): expected {kind} to have the same numel as there are observations in the "
            f"input but got {w.numel()} != {n}"
        )
    if n and not bool((w._data >= 0).all()):
        raise RuntimeError(f"cov(): {kind} cannot be negative")


def cov(input, *, correction: int = 1, fweights=None, aweights=None):  # noqa: A002
    """The covariance matrix of the variables in ``input``'s rows (observations in its
    columns), optionally weighted by observation counts ``fweights`` and weights
    ``aweights``, divided by the weights' sum less ``correction``.

    Recorded as torch records it: the weighted mean (``SumBackward1``, ``DivBackward0``),
    the centred observations (``SubBackward0``), their product with their transpose
    (``MmBackward0``, ``TBackward0``), divided (``DivBackward0``) and squeezed
    (``SqueezeBackward0``).
    """
    from ..creation import tensor

    if input.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.ndim} dimensions"
        )
    if input._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = F.view(input, (1, -1)) if input.ndim < 2 else input
    n = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights("fweights", fweights, n, integral=True)
        w = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, n, integral=False)
        w = aweights if w is None else F.mul(w, aweights)
    w_sum = F.sum(w) if w is not None else tensor(n, dtype=dtypes.int64, device=x.device)
    if w is not None and not bool(w_sum._data != 0):
        raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    avg = F.div(F.sum(F.mul(x, w) if w is not None else x, 1), w_sum)
    if w is not None and correction != 0 and aweights is not None:
        norm = F.sub(
            w_sum,
            F.div(apply(E.MulBackward1, (F.sum(F.mul(w, aweights)),), correction), w_sum),
        )
    else:
        norm = F.sub(w_sum, correction)
    if bool(norm._data <= 0):
        warnings.warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "number of observations.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        norm = F.zero_(norm)  # torch zeroes it in place: the division gives inf or NaN
    x = F.sub(x, F.unsqueeze(avg, 1))
    c = F.mm(x, F.conj(F.t(F.mul(x, w) if w is not None else x)))
    return F.squeeze(F.div(c, norm))


def corrcoef(input):  # noqa: A002 - torch's name
    """The Pearson correlation coefficients of the variables in ``input``'s rows: ``cov``
    over the outer product of the standard deviations, clipped to [-1, 1] (a single
    variable gives ``c / c``)."""
    if input.ndim > 2:
        raise RuntimeError(
            "corrcoef(): expected input to have two or fewer dimensions but got an input with "
            f"{input.ndim} dimensions"
        )
    c = cov(input)
    if c.ndim == 0:
        return F.div(c, c)
    stddev = F.sqrt(F.diagonal(c))
    c = F.div(c, F.view(stddev, (-1, 1)))
    c = F.div(c, F.view(stddev, (1, -1)))
    return F.clip(c, -1, 1)
