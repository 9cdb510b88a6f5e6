"""Distances between the rows of two batches of matrices: ``cdist``, with torch's two
kernels and the nodes each records.

    >>> gs.cdist(a, b).grad_fn.name()        # p-norms of the differences
    'CdistBackward0'
    >>> gs.cdist(a, b, compute_mode="use_mm_for_euclid_dist").grad_fn.name()
    'ViewBackward0'                          # over EuclideanDistBackward0
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import scalar_type_name
from . import api as F
from ._broadcast import unbroadcast
from ._graph import no_forward_mode

_MODES = {
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}


def _pnorm_grad(diff, g, dist, p: float):
    """torch's CPU ``_cdist_backward`` rule, per pair of rows and column: the gradient of
    ``dist = ||diff||_p`` times ``g``, with its conventions where ``dist`` or ``diff`` is 0
    (diff: (..., r1, r2, c); g and dist: (..., r1, r2, 1))."""
    xp = xp_of(diff)
    zero = dist == 0
    if p == 0:
        return xp.zeros_like(diff)
    if p == 1:
        return g * xp.sign(diff)
    if math.isinf(p):  # the elements at the maximum each take the whole gradient (NaN
        # where the difference or the distance is, as torch's formula gives it)
        return g * xp.sign(diff) * (1 - xp.minimum(1, xp.ceil(xp.abs(xp.abs(diff) - dist))))
    safe = xp.where(zero, 1, dist)
    if p < 2:
        out = xp.sign(diff) * xp.abs(diff) ** (p - 1) * g / safe ** (p - 1)
        if p < 1:
            out = xp.where(diff == 0, 0, out)
    elif p == 2:
        out = g * diff / safe
    else:
        out = diff * xp.abs(diff) ** (p - 2) * g / safe ** (p - 1)
    return xp.where(zero, 0, out)


def _pnorm(diff, p: float):
    xp = xp_of(diff)
    a = xp.abs(diff)
    if p == 0:
        return xp.minimum(xp.ceil(a), 1).sum(-1)
    if p == 1:
        return a.sum(-1)
    if p == 2:
        return xp.sqrt((a * a).sum(-1))
    if math.isinf(p):  # torch's running max from 0 (std::max), which passes NaN over
        a = xp.where(xp.isnan(a), 0, a)
        return a.max(-1) if a.shape[-1] else xp.zeros(a.shape[:-1], a.dtype)
    return (a**p).sum(-1) ** (1.0 / p)


class CdistBackward0(Function):
    """``cdist`` through torch's p-norm kernel: saves both inputs and the result; no
    forward mode and no second derivative, as in torch."""

    _name = "CdistBackward0"
    saves_output = "result"

    def forward(self, x1, x2, p):
        self.p = p
        self.save(x1=x1, x2=x2)
        return _pnorm(x1[..., :, None, :] - x2[..., None, :, :], p)

    def _grads(self, g):
        x1, x2, dist = self.saved("x1"), self.saved("x2"), self.saved("result")
        na, nb = self.needs_input_grad
        diff = x1[..., :, None, :] - x2[..., None, :, :]
        ga = gb = None
        if na:
            ga = _pnorm_grad(diff, g[..., None], dist[..., None], self.p).sum(-2)
            ga = unbroadcast(ga, x1.shape)
        if nb:
            gb = -_pnorm_grad(diff, g[..., None], dist[..., None], self.p).sum(-3)
            gb = unbroadcast(gb, x2.shape)
        return ga, gb

    def backward(self, g):
        return self._grads(g)

    jvp = no_forward_mode("_cdist_forward")

    def backward_graph(self, g):
        """torch records a ``CdistBackwardBackward0`` whose own backward raises."""
        na, nb = self.needs_input_grad
        ga, gb = self._grads(g._data)
        ins = (g, self.saved_tensor("x1"), self.saved_tensor("x2"))
        out = []
        for need, grad in ((na, ga), (nb, gb)):
            out.append(apply(CdistBackwardBackward0, ins, grad) if need else None)
        return tuple(out)


class CdistBackwardBackward0(Function):
    """The gradient of ``cdist``'s p-norm kernel, which torch does not differentiate."""

    _name = "CdistBackwardBackward0"

    def forward(self, g, x1, x2, values):
        return values

    def backward(self, g):
        raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")

    backward_graph = backward


class EuclideanDistBackward0(Function):
    """``cdist`` with ``p=2`` through a matrix product (torch's ``_euclidean_dist``):
    ``sqrt(max(|x1|^2 - 2 x1.x2 + |x2|^2, 1e-30))``, saving both inputs and the result."""

    _name = "EuclideanDistBackward0"
    saves_output = "result"

    def forward(self, x1, x2):
        xp = xp_of(x1)
        self.save(x1=x1, x2=x2)
        n1 = (x1 * x1).sum(-1, keepdims=True)
        n2 = (x2 * x2).sum(-1, keepdims=True)
        a = xp.concatenate([x1 * -2, n1, xp.ones_like(n1)], -1)
        b = xp.concatenate([x2, xp.ones_like(n2), n2], -1)
        return xp.sqrt(xp.maximum(a @ xp.swapaxes(b, -1, -2), 1e-30))

    def backward(self, g):
        x1, x2, res = self.saved("x1"), self.saved("x2"), self.saved("result")
        xp = xp_of(g)
        ratio = xp.where(res == 0, 0, g / res)
        na, nb = self.needs_input_grad
        ga = x1 * ratio.sum(-1, keepdims=True) - ratio @ x2 if na else None
        gb = x2 * ratio.sum(-2)[..., None] - xp.swapaxes(ratio, -1, -2) @ x1 if nb else None
        return ga, gb

    jvp = no_forward_mode("_euclidean_dist")

    def backward_graph(self, g):
        x1, x2 = self.saved_tensor("x1"), self.saved_tensor("x2")
        res = self.saved_tensor("result")
        ratio = F.masked_fill(F.div(g, res), F.eq(res, 0), 0)
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = F.sub(F.mul(x1, F.sum(ratio, -1, True)), F.matmul(ratio, x2))
        if nb:
            t = F.transpose(ratio, -1, -2)
            gb = F.sub(F.mul(x2, F.unsqueeze(F.sum(ratio, -2), -1)), F.matmul(t, x1))
        return ga, gb


def _check(x1, x2) -> None:
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )


def cdist(x1, x2, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-norm distance between each row of ``x1`` (..., r1, c) and each row of
    ``x2`` (..., r2, c), batch dims broadcast: (..., r1, r2).

    Recorded as torch records it: one ``CdistBackward0`` (saving ``x1``, ``x2`` and
    ``result``); but for ``p=2`` with ``compute_mode="use_mm_for_euclid_dist"``, or by
    default with more than 25 rows on either side, a matrix product
    (``EuclideanDistBackward0``, batches expanded first) viewed to the result's shape.
    """
    if compute_mode not in _MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _MODES[compute_mode]
    _check(x1, x2)
    F._check_device(x1, x2)
    p = float(p)
    r1, r2 = x1.shape[-2], x2.shape[-2]
    euclid = p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25)))
    if euclid and x1.numel() and x2.numel():
        return _euclidean(x1, x2)
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: "
                f"{scalar_type_name(t._data.dtype)}"
            )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    _same_dtype(x1, x2)
    _batch(x1, x2)
    return apply(CdistBackward0, (x1, x2), p)


def _same_dtype(x1, x2) -> None:
    d1, d2 = x1._data.dtype, x2._data.dtype
    if d1 != d2:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(d1)} but found {scalar_type_name(d2)}"
        )


def _batch(x1, x2) -> tuple:
    """The broadcast batch dims, or torch's error."""
    try:
        return np.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    except ValueError:
        b1, b2 = F._Shaped(tuple(x1.shape[:-2])), F._Shaped(tuple(x2.shape[:-2]))
        raise F._broadcast_error("cdist", b1, b2) from None


def _euclidean(x1, x2):
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: "
                f"{scalar_type_name(t._data.dtype)}"
            )
    _same_dtype(x1, x2)
    batch = _batch(x1, x2)
    r1, r2, c = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    n = math.prod(batch)
    out_shape = tuple(batch) + (r1, r2)
    if n == 1:
        return F.view(apply(EuclideanDistBackward0, (x1, x2)), out_shape)
    a = F.view(F.expand(x1, tuple(batch) + (r1, c)).contiguous(), (n, r1, c))
    b = F.view(F.expand(x2, tuple(batch) + (r2, c)).contiguous(), (n, r2, c))
    return F.view(apply(EuclideanDistBackward0, (a, b)), out_shape)
