"""``linalg.householder_product`` (and ``gs.orgqr``): the first ``n`` columns of the
product of Householder reflectors ``H_1 ... H_k``, ``H_j = I - tau_j v_j v_j^T`` with
``v_j`` the ``j``-th column of ``input`` below the diagonal and a one on it, as LAPACK's
``orgqr`` forms them.

The formulas are written once over a small set of matrix helpers, so that the same code
runs on arrays (backward) and on tensors (``create_graph``).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import scalar_type_name
from .decompositions import _colmajor


class _Arrays:
    @staticmethod
    def mT(x):
        return x.swapaxes(-1, -2)

    @staticmethod
    def tril(x, k):
        return xp_of(x).tril(x, k)

    @staticmethod
    def eye(like, m, n):
        return xp_of(like).eye(m, n, dtype=like.dtype)

    @staticmethod
    def cat(parts, dim):
        return xp_of(parts[0]).concatenate(parts, dim)

    @staticmethod
    def zeros(like, shape):
        return xp_of(like).zeros(shape, dtype=like.dtype)


class _Tensors:
    @staticmethod
    def mT(x):
        return x.mT

    @staticmethod
    def tril(x, k):
        return x.tril(k)

    @staticmethod
    def eye(like, m, n):
        from ..creation import eye

        return eye(m, n, dtype=like.dtype, device=like.device)

    @staticmethod
    def cat(parts, dim):
        from .api import cat

        return cat(parts, dim)

    @staticmethod
    def zeros(like, shape):
        from ..creation import zeros

        return zeros(*shape, dtype=like.dtype, device=like.device)


def _reflectors(a, k: int, ops):
    """``V`` (``(..., m, k)``): the reflectors' vectors as columns."""
    m = a.shape[-2]
    return ops.tril(a[..., :, :k], -1) + ops.eye(a, m, k)


def _partial_products(a, tau, ops) -> list:
    """``[R_0, ..., R_k]`` with ``R_k = I[:, :n]`` and ``R_j = H_j R_{j+1}``: ``R_0`` is
    the result."""
    m, n = a.shape[-2:]
    k = tau.shape[-1]
    v = _reflectors(a, k, ops)
    r = ops.eye(a, m, n) + 0 * a[..., :1, :1]  # (the batch shape)
    out = [r]
    for j in range(k - 1, -1, -1):
        vj, tj = v[..., :, j : j + 1], tau[..., None, j : j + 1]
        r = r - tj * (vj @ (ops.mT(vj) @ r))
        out.append(r)
    return out[::-1]


def householder_backward(g, a, tau, ops, parts=None):
    """The gradients of ``input`` and ``tau``, reflector by reflector from the left:
    ``R_j = R_{j+1} - tau_j v_j (v_j^T R_{j+1})``."""
    m, n = a.shape[-2:]
    k = tau.shape[-1]
    v = _reflectors(a, k, ops)
    parts = _partial_products(a, tau, ops) if parts is None else parts
    gvs, gtaus = [], []
    for j in range(k):
        r = parts[j + 1]
        vj, tj = v[..., :, j : j + 1], tau[..., None, j : j + 1]
        vg, vr = ops.mT(vj) @ g, ops.mT(vj) @ r
        gtaus.append(-(vg * vr).sum(-1))
        gvs.append(-tj * (g @ ops.mT(vr) + r @ ops.mT(vg)))
        g = g - tj * (vj @ vg)
    ga = ops.tril(ops.cat(gvs, -1), -1) if k else None
    if k < n:
        rest = ops.zeros(a, tuple(a.shape[:-1]) + (n - k,))
        ga = rest if ga is None else ops.cat([ga, rest], -1)
    gtau = ops.cat(gtaus, -1) if k else ops.zeros(tau, tuple(tau.shape))
    return ga, gtau


class LinalgHouseholderProductBackward0(Function):
    """``linalg.householder_product``: saves ``input``, ``tau`` and the result."""

    _name = "LinalgHouseholderProductBackward0"
    saves_output = "result"

    def forward(self, a, tau):
        if True in self.needs_input_grad:
            self.save(input=a, tau=tau)
        q = _partial_products(a, tau, _Arrays)[0].astype(a.dtype, copy=False)
        return _colmajor(q)  # (stored column by column, as LAPACK's orgqr leaves torch's)

    def backward(self, g):
        na, nt = self.needs_input_grad
        if self.saved("tau").shape[-1] == 0:  # no reflectors: torch gives no gradient
            return None, None
        ga, gt = householder_backward(g, self.saved("input"), self.saved("tau"), _Arrays)
        return ga if na else None, gt if nt else None

    def backward_graph(self, g):
        na, nt = self.needs_input_grad
        a, tau = self.saved_tensor("input"), self.saved_tensor("tau")
        if tau.shape[-1] == 0:
            return None, None
        ga, gt = householder_backward(g, a, tau, _Tensors)
        return ga if na else None, gt if nt else None

    def jvp(self, xs, out, tangents):
        # the product rule over the reflectors, forward: dR_j = dH_j R_{j+1} + H_j dR_{j+1}
        a, tau = xs
        da, dtau = tangents
        xp = xp_of(out)
        da = xp.zeros_like(a) if da is None else da
        dtau = xp.zeros_like(tau) if dtau is None else dtau
        m, n = a.shape[-2:]
        k = tau.shape[-1]
        v = _reflectors(a, k, _Arrays)
        dv = xp.tril(da[..., :, :k], -1)
        r = xp.eye(m, n, dtype=a.dtype) + 0 * a[..., :1, :1]
        dr = xp.zeros_like(r)
        for j in range(k - 1, -1, -1):
            vj, tj = v[..., :, j : j + 1], tau[..., None, j : j + 1]
            dvj, dtj = dv[..., :, j : j + 1], dtau[..., None, j : j + 1]
            vr = _Arrays.mT(vj) @ r
            dr = (
                dr
                - tj * (vj @ (_Arrays.mT(vj) @ dr))
                - dtj * (vj @ vr)
                - tj * (dvj @ vr + vj @ (_Arrays.mT(dvj) @ r))
            )
            r = r - tj * (vj @ vr)
        return dr


def householder_product(A, tau):
    """The first ``n`` columns of ``H_1 ... H_k`` for each ``A`` (``(..., m, n)``, ``m >=
    n``) and ``tau`` (``(..., k)``, ``k <= n``): the ``Q`` that ``geqrf``'s reflectors
    stand for."""
    name = "torch.linalg.householder_product"
    a, t = A._data, tau._data
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if a.shape[-2] < a.shape[-1]:
        raise RuntimeError(
            f"{name}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if a.shape[-1] < t.shape[-1]:
        raise RuntimeError(
            f"{name}: input.shape[-1] must be greater than or equal to tau.shape[-1]"
        )
    if t.ndim != a.ndim - 1:
        raise RuntimeError(
            f"{name}: Expected tau to have one dimension less than input, but got tau.ndim "
            f"equal to {t.ndim} and input.ndim is equal to {a.ndim}"
        )
    if t.shape[:-1] != a.shape[:-2]:
        got = "[" + ", ".join(str(s) for s in t.shape[:-1]) + "]"
        raise RuntimeError(
            f"{name}: Expected batch dimensions of tau to be equal to input.shape[:-2], but "
            f"got {got}"
        )
    if t.dtype != a.dtype:
        raise RuntimeError(
            f"{name}: tau dtype {scalar_type_name(t.dtype)} does not match input dtype "
            f"{scalar_type_name(a.dtype)}"
        )
    if a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise NotImplementedError(
            f"\"orgqr_cpu\" not implemented for '{scalar_type_name(a.dtype)}'"
        )
    return apply(LinalgHouseholderProductBackward0, (A, tau))
