"""``pdist`` (the distances between every pair of rows) and ``renorm`` (sub-tensors
scaled down to a largest norm), one node each as in torch.

    >>> gs.pdist(x).grad_fn.name()          # x: (n, m) -> n (n - 1) / 2 distances
    'PdistBackward0'
    >>> gs.renorm(x, 2, 0, 1.0).grad_fn.name()
    'RenormBackward0'
"""

from __future__ import annotations

from ..autograd.function import Function, apply, apply_inplace
from ..backend import contiguous, xp_of
from ..errors import scalar_type_name
from . import api as F
from ._graph import constant, no_forward_mode
from .distance import _pnorm, _pnorm_grad
from .reduce import _norm, _norm_grad, _norm_grad_graph

# ---------------------------------------------------------------- pdist


def _pairs(xp, n: int):
    """The row pairs ``i < j`` in torch's order: (0, 1), (0, 2), ..., (1, 2), ..."""
    return xp.triu_indices(n, 1)


class PdistBackward0(Function):
    """torch's ``_pdist_forward`` of a contiguous ``(n, m)`` input: the ``p``-norm of
    ``x[i] - x[j]`` for each pair ``i < j``. Saves ``self``, ``p`` and ``result``; no
    forward mode and no second derivative, as in torch."""

    _name = "PdistBackward0"
    saves_output = "result"

    def forward(self, x, p):
        xp = xp_of(x)
        self.save(self=x)
        self.p = p  # (torch's ``_saved_p``, a number)
        n, m = x.shape
        if n <= 1:
            return xp.zeros((0,), x.dtype)
        i, j = _pairs(xp, n)
        if m == 0:
            return xp.zeros((len(i),), x.dtype)
        diff = x[i] - x[j]
        if p == float("inf"):  # torch's vectorised max here passes NaN on (cdist's does not)
            return xp.abs(diff).max(-1)
        return xp.asarray(_pnorm(diff, p)).astype(x.dtype, copy=False)

    def _grad(self, g):
        """torch's ``_pdist_backward``: each pair's gradient (cdist's kernel rules, 0 where
        the distance is 0) added to its first row and taken from its second."""
        x, dist = self.saved("self"), self.saved("result")
        xp = xp_of(x)
        n, m = x.shape
        if n <= 1 or m == 0:
            return xp.zeros_like(x)
        i, j = _pairs(xp, n)
        pair = _pnorm_grad(x[i] - x[j], g[:, None], dist[:, None], self.p)
        full = xp.zeros((n, n, m), x.dtype)
        full[i, j] = pair
        return (full.sum(1) - full.sum(0)).astype(x.dtype, copy=False)

    def backward(self, g):
        return (self._grad(g),)

    jvp = no_forward_mode("_pdist_forward")

    def backward_graph(self, g):
        """torch records a ``PdistBackwardBackward0`` whose own backward raises."""
        ins = (g, self.saved_tensor("self"), self.saved_tensor("result"))
        return (apply(PdistBackwardBackward0, ins, self._grad(g._data)),)


class PdistBackwardBackward0(Function):
    """The gradient of ``pdist``, which torch does not differentiate."""

    _name = "PdistBackwardBackward0"

    def forward(self, g, x, result, values):
        return values

    def backward(self, g):
        raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")

    backward_graph = backward


def pdist(input, p: float = 2):
    """The ``p``-norm distance between each pair of rows ``i < j`` of an ``(n, m)`` input,
    in the order (0, 1), (0, 2), ..., (1, 2), ...: ``n (n - 1) / 2`` values.

        >>> gs.pdist(gs.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        tensor([5.0000, 1.0000, 4.2426])
    """
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    p = float(p)
    if not p >= 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return apply(PdistBackward0, (input.contiguous(),), p)


# ---------------------------------------------------------------- renorm


def _reduce_dims(ndim: int, dim: int) -> tuple:
    return tuple(d for d in range(ndim) if d != dim)


class RenormBackward0(Function):
    """Each sub-tensor ``x.select(dim, k)`` whose ``p``-norm exceeds ``maxnorm`` scaled by
    ``maxnorm / (norm + 1e-7)``, the others left as they are. Saves ``self`` (with ``p``,
    ``dim`` and ``maxnorm``), as torch does; its backward is torch's ``renorm_backward``."""

    _name = "RenormBackward0"

    def forward(self, x, p, dim, maxnorm):
        xp = xp_of(x)
        self.save(self=x)
        # ``_saved_dim``: the dim as given, read back as torch reads it (unsigned: -1 is 2**64 - 1)
        self.p, self.dim, self.maxnorm = p, dim % 2**64, maxnorm
        self.dims = _reduce_dims(x.ndim, dim % x.ndim)
        norm = _norm(x, float(p), self.dims, True)
        top = xp.asarray(maxnorm, x.dtype)
        factor = xp.where(norm > top, top / (norm + xp.asarray(1e-7, x.dtype)), 1)
        return contiguous(x * factor.astype(x.dtype, copy=False))  # C order, as torch's

    def _scales(self, x):
        """The norms and where they exceed ``maxnorm``; ``1 / (norm + 1e-7)`` and its
        product with ``maxnorm`` (torch's ``invnorm`` and ``factor``, in float64 steps as
        its double ``maxnorm`` gives them)."""
        norm = _norm(x, float(self.p), self.dims, True)
        inv = 1 / (norm + 1e-7)
        return norm, inv, inv * self.maxnorm

    def backward(self, g):
        x = self.saved("self")
        xp = xp_of(x)
        norm, inv, factor = self._scales(x)
        go = (x * g).sum(axis=self.dims, keepdims=True)
        nb = _norm_grad(go, x, norm, float(self.p), self.dims)
        out = xp.where(norm > self.maxnorm, factor * g - (factor * inv) * nb, g)
        return (out.astype(x.dtype, copy=False),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        norm = F.vector_norm(x, self.p, self.dims, True)
        inv = (norm + 1e-7).reciprocal()
        factor = inv * self.maxnorm
        go = (x * g).sum(self.dims, keepdim=True)
        nb = _norm_grad_graph(go, x, norm, float(self.p), self.dims)
        over = constant(norm._data > self.maxnorm)
        return (F.where(over, factor * g - (factor * inv) * nb, g),)

    def jvp(self, xs, out, tangents):
        """torch's ``renorm_jvp``."""
        x, t = xs[0], tangents[0]
        xp = xp_of(x)
        norm, inv, factor = self._scales(x)
        dn = (_norm_grad(xp.ones_like(norm), x, norm, float(self.p), self.dims) * t).sum(
            axis=self.dims, keepdims=True
        )
        r = xp.where(norm > self.maxnorm, factor * (t - x * inv * dn), t)
        return r.astype(out.dtype, copy=False)


def _renorm_args(input, p, dim, maxnorm) -> None:
    """torch's checks, in its order."""
    if isinstance(p, complex):
        raise RuntimeError("renorm: p must be real-valued")
    if not float(p) > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if isinstance(maxnorm, complex):
        raise RuntimeError("renorm: maxnorm must be real-valued")
    if not float(maxnorm) >= 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {float(maxnorm):g}")
    if input.ndim <= 1:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.ndim} dimensions"
        )
    F._dim(dim, input.ndim)
    kind = input._data.dtype
    if kind.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {scalar_type_name(kind)}"
        )


def renorm(input, p, dim: int, maxnorm):
    """``input`` with each sub-tensor along ``dim`` (``input.select(dim, k)``) whose
    ``p``-norm exceeds ``maxnorm`` scaled down to norm ``maxnorm``.

        >>> gs.renorm(gs.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    _renorm_args(input, p, dim, maxnorm)
    return apply(RenormBackward0, (input,), p, dim, maxnorm)


def renorm_(input, p, dim: int, maxnorm):
    """``renorm`` written into ``input`` (its node saves a copy of ``input`` as it was)."""
    _renorm_args(input, p, dim, maxnorm)
    return apply_inplace(RenormBackward0, input, (input,), p, dim, maxnorm)


__all__ = ["pdist", "renorm", "renorm_"]
