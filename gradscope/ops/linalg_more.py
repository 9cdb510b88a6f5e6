"""More of ``gs.linalg``'s nodes: ``matrix_exp``.

Each works on a batch of matrices ``(..., n, n)`` on raw arrays and saves what torch's node
saves.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function, apply
from ..backend import fp_quiet, xp_of


def _mT(x):
    return x.swapaxes(-1, -2)


# ------------------------------------------------------------------------------ matrix_exp

# The largest 1-norm for which the Taylor polynomial of degree 18 is exact to the dtype's
# precision (torch's ``thetas`` for its highest degree); larger matrices are scaled by a power
# of two below it and the result squared back.
_THETA18 = {np.dtype(np.float64): 1.090863719290036e00, np.dtype(np.float32): 3.010066362817634e00}
_DEGREE = 18
_COEFS = [1.0 / math.factorial(k) for k in range(_DEGREE + 2)]  # up to 19: blocks of four


def _taylor(x):
    """``sum_k x^k / k!`` for ``k <= 19``, by Paterson-Stockmeyer in blocks of four powers
    (seven products instead of eighteen)."""
    xp = xp_of(x)
    eye = xp.eye(x.shape[-1], dtype=x.dtype)
    x2 = x @ x
    x3 = x2 @ x
    x4 = x2 @ x2
    powers = (eye, x, x2, x3)

    def block(j):
        c = _COEFS[4 * j : 4 * j + 4]
        return c[0] * powers[0] + c[1] * powers[1] + c[2] * powers[2] + c[3] * powers[3]

    r = block(4)
    for j in (3, 2, 1, 0):
        r = r @ x4 + block(j)
    return r


def matrix_exp_of(a):
    """``exp(A)`` of each matrix of ``a``: each scaled by ``2^-s`` to a 1-norm at most
    ``theta``, its Taylor polynomial, then squared ``s`` times (a matrix with a NaN or an
    infinity gives NaN throughout, as torch's)."""
    xp = xp_of(a)
    if a.size == 0:
        return a.copy()
    norm = xp.abs(a).sum(axis=-2).max(axis=-1)
    finite = xp.isfinite(norm)
    theta = _THETA18.get(a.dtype, _THETA18[np.dtype(np.float32)])
    with fp_quiet():
        s = xp.ceil(xp.log2(norm / theta))
    s = xp.where(finite & (s > 0), s, 0).astype(np.int64)
    scale = (2.0 ** -s.astype(a.dtype)).astype(a.dtype)
    with fp_quiet():
        r = _taylor(a * scale[..., None, None])
        for k in range(int(s.max()) if s.size else 0):
            r = xp.where((s > k)[..., None, None], r @ r, r)
    return xp.where(finite[..., None, None], r, xp.nan).astype(a.dtype, copy=False)


def _exp_differential(a, da):
    """The derivative of ``exp`` at ``a`` in direction ``da``: the top right block of the
    exponential of ``[[a, da], [0, a]]`` (torch's ``linalg_matrix_exp_differential``)."""
    xp = xp_of(a)
    n = a.shape[-1]
    da = xp.broadcast_to(da, a.shape)
    big = xp.concatenate(
        [xp.concatenate([a, da], -1), xp.concatenate([xp.zeros_like(a), a], -1)], -2
    )
    return matrix_exp_of(big)[..., :n, n:]


class LinalgMatrixExpBackward0(Function):
    """``linalg.matrix_exp`` (and ``gs.matrix_exp``): saves ``self``."""

    _name = "LinalgMatrixExpBackward0"

    def forward(self, a):
        if self.needs_input_grad[0]:
            self.save(self=a)
        return matrix_exp_of(a)

    def backward(self, g):
        return (_exp_differential(_mT(self.saved("self")), g),)

    def backward_graph(self, g):
        from ..creation import zeros_like
        from .api import cat

        a = self.saved_tensor("self").mT
        n = a.shape[-1]
        g = g.expand(tuple(a.shape))
        big = cat([cat([a, g], -1), cat([zeros_like(a), a], -1)], -2)
        return (matrix_exp(big)[..., :n, n:],)

    def jvp(self, xs, out, tangents):
        return _exp_differential(xs[0], tangents[0])


# ------------------------------------------------------------------------------ the api


def _checks():
    from . import linalg_api

    return linalg_api


def matrix_exp(A):
    """``exp(A)`` of each square matrix of ``A`` (``(..., n, n)``): ``sum_k A^k / k!``."""
    _checks()._square_float("linalg.matrix_exp", A)
    return apply(LinalgMatrixExpBackward0, (A,))
