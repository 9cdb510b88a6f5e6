"""Square-matrix ops of ``gs.linalg``: inv, det, slogdet, solve, and cross.

Each works on a batch of matrices ``(..., n, n)`` and saves what torch's node saves:
``det`` and ``slogdet`` keep the LU factorisation (``LU``, and ``pivots`` as int32, one
based, as LAPACK gives them) next to ``A``, as torch does.
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import xp_of
from ..errors import LinAlgError
from ._broadcast import unbroadcast
from ._graph import sum_to
from ._jvp import terms


def lu_factor(a):
    """``(LU, pivots)`` of each matrix of ``a`` (``(..., n, n)``) by Gaussian elimination
    with partial pivoting, as LAPACK's getrf: L (unit diagonal, below) and U packed in one
    array, pivots one based in int32, and the first zero on U's diagonal (one based, 0 for
    none) per matrix."""
    xp = xp_of(a)
    n = a.shape[-1]
    batch = a.shape[:-2]
    lu = a.reshape((-1, n, n)).copy()
    b = lu.shape[0]
    rows = xp.arange(b)
    piv = xp.empty((b, n), dtype=np.int32)
    info = xp.zeros(b, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        for k in range(n):
            p = xp.argmax(xp.abs(lu[:, k:, k]), axis=1) + k
            piv[:, k] = p + 1
            top = lu[rows, k].copy()
            lu[rows, k] = lu[rows, p]
            lu[rows, p] = top
            d = lu[:, k, k]
            zero = d == 0
            info = xp.where(zero & (info == 0), k + 1, info)
            scale = xp.where(zero, 1, d)
            lu[:, k + 1 :, k] /= scale[:, None]
            lu[:, k + 1 :, k + 1 :] -= lu[:, k + 1 :, k, None] * lu[:, k, None, k + 1 :]
    return lu.reshape(a.shape), piv.reshape(batch + (n,)), info.reshape(batch)


def singular_error(name: str, a) -> LinAlgError:
    """torch's error for a singular ``a``: which diagonal element of U is zero, and in which
    matrix of a batch."""
    _, _, info = lu_factor(a)
    flat = np.asarray(info.get() if hasattr(info, "get") else info).reshape(-1)
    bad = int(np.flatnonzero(flat)[0]) if flat.any() else 0
    where = f"(Batch element {bad}): " if a.ndim > 2 else ""
    return LinAlgError(
        f"{name}: {where}The diagonal element {int(flat[bad])} is zero, the inversion could "
        "not be completed because the input matrix is singular."
    )


def _mT(x):
    return x.swapaxes(-1, -2)


def _inv(a, name: str = "linalg.inv"):
    xp = xp_of(a)
    try:
        return xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise singular_error(name, a) from None


def _inv_or_eye(a, det):
    """The inverse of each matrix whose determinant is not zero, the identity in place of
    the others: the gradient of det, ``det * A^-T``, is then zero at a singular matrix, as
    torch's first-order one is (it perturbs a zero pivot of the LU factorisation)."""
    xp = xp_of(a)
    singular = (det == 0)[..., None, None]
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    return xp.where(singular, eye, xp.linalg.inv(xp.where(singular, eye, a)))


class LinalgInvExBackward0(Function):
    """``linalg.inv``: saves its output (``inverse``)."""

    _name = "LinalgInvExBackward0"
    saves_output = "inverse"

    def forward(self, a):
        return _inv(a)

    def backward(self, g):
        inv = self.saved("inverse")
        return (-(_mT(inv) @ (g @ _mT(inv))),)

    def backward_graph(self, g):
        inv = self.saved_tensor("inverse")
        return (-(inv.mT @ (g @ inv.mT)),)

    def jvp(self, xs, out, tangents):
        return -(out @ tangents[0] @ out)


class LinalgDetBackward0(Function):
    """``linalg.det``: saves ``A``, its LU factorisation and the result."""

    _name = "LinalgDetBackward0"

    def forward(self, a):
        out = xp_of(a).linalg.det(a)
        if self.needs_input_grad[0]:
            lu, piv, _ = lu_factor(a)
            self.save(A=a, LU=lu, pivots=piv, result=out)
        return out

    def backward(self, g):
        a, det = self.saved("A"), self.saved("result")
        return ((g * det)[..., None, None] * _mT(_inv_or_eye(a, det)),)

    def backward_graph(self, g):
        from ..linalg import inv

        a, det = self.saved_tensor("A"), self.saved_tensor("result")
        return ((g * det).unsqueeze(-1).unsqueeze(-1) * inv(a).mT,)

    def jvp(self, xs, out, tangents):
        inv = _inv_or_eye(xs[0], out)
        return out * (_mT(inv) * tangents[0]).sum(axis=(-2, -1))


class LinalgSlogdetBackward0(Function):
    """``linalg.slogdet``: one node for both outputs (``sign``, then ``logabsdet``); saves
    ``A``, its LU factorisation and ``sign``. Only ``logabsdet`` has a gradient (for real
    matrices the sign is locally constant)."""

    _name = "LinalgSlogdetBackward0"
    _several = True  # its hooks see one gradient per output
    _n_out = 2

    def forward(self, a):
        sign, logabsdet = xp_of(a).linalg.slogdet(a)
        sign, logabsdet = sign.astype(a.dtype), logabsdet.astype(a.dtype)
        if self.needs_input_grad[0]:
            lu, piv, _ = lu_factor(a)
            self.save(A=a, LU=lu, pivots=piv, sign=sign)
        self.sign_out = sign
        return logabsdet

    def _parts(self, g, key: str) -> list:
        """This backward's gradient of each output; a gradient that reaches the node itself
        (not through an output's edge) is ``logabsdet``'s."""
        from ..autograd import engine

        parts = self.__dict__.get(key, {}).get(engine.current_run)
        return list(parts) if parts is not None else [None, g]

    def grad_outputs(self, g) -> tuple:
        """The gradients hooks on this node see, one per output."""
        return tuple(self._parts(g, "_accs"))

    def gradient_of(self, parts: tuple, like):
        """Take ``parts`` (a hook's replacement) as this backward's output gradients."""
        from ..autograd import engine

        self.__dict__.setdefault("_accs", {})[engine.current_run] = list(parts)
        return next((p for p in parts if p is not None), None)

    def backward(self, g):
        _, glog = self._parts(g, "_accs")
        if glog is None:
            return (None,)
        a = self.saved("A")
        return (glog[..., None, None] * _mT(_inv(a)),)

    def backward_graph(self, g):
        from ..linalg import inv

        _, glog = self._parts(g, "_graph_parts")
        if glog is None:
            return (None,)
        a = self.saved_tensor("A")
        return (glog.unsqueeze(-1).unsqueeze(-1) * inv(a).mT,)

    def jvp(self, xs, out, tangents):  # logabsdet's
        return (_mT(_inv(xs[0])) * tangents[0]).sum(axis=(-2, -1))


def _as_matrix(b, vector: bool):
    return b[..., None] if vector else b


class LinalgSolveExBackward0(Function):
    """``linalg.solve``: ``X`` with ``A X = B`` (``left``) or ``X A = B``; saves ``A``, its
    LU factorisation, the result and ``left``. ``vector``: ``B`` is a batch of vectors."""

    _name = "LinalgSolveExBackward0"

    def forward(self, a, b, left, vector):
        xp = xp_of(a)
        self.left, self.vector = left, vector
        self.a_shape, self.b_shape = a.shape, b.shape
        bm = _as_matrix(b, vector)
        try:
            if left:
                x = xp.linalg.solve(a, bm)
            else:
                x = _mT(xp.linalg.solve(_mT(a), _mT(bm)))
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        x = x[..., 0] if vector else x
        if True in self.needs_input_grad:
            lu, piv, _ = lu_factor(a)
            self.save(A=a, LU=lu, pivots=piv, result=x)
        return x

    def backward(self, g):
        xp = xp_of(g)
        na, nb = self.needs_input_grad
        a, x = self.saved("A"), self.saved("result")
        gm, xm = _as_matrix(g, self.vector), _as_matrix(x, self.vector)
        if self.left:
            gb = xp.linalg.solve(_mT(a), gm)
            ga = -(gb @ _mT(xm)) if na else None
        else:
            gb = _mT(xp.linalg.solve(a, _mT(gm)))
            ga = -(_mT(xm) @ gb) if na else None
        ga = None if ga is None else unbroadcast(ga, self.a_shape)
        if nb:
            gb = unbroadcast(gb[..., 0] if self.vector else gb, self.b_shape)
        return ga, gb if nb else None

    def backward_graph(self, g):
        from ..linalg import solve

        na, nb = self.needs_input_grad
        a, x = self.saved_tensor("A"), self.saved_tensor("result")
        gm = g.unsqueeze(-1) if self.vector else g
        xm = x.unsqueeze(-1) if self.vector else x
        if self.left:
            gb = solve(a.mT, gm)
            ga = -(gb @ xm.mT) if na else None
        else:
            gb = solve(a.mT, gm, left=False)
            ga = -(xm.mT @ gb) if na else None
        ga = None if ga is None else sum_to(ga, self.a_shape)
        if nb:
            gb = sum_to(gb.squeeze(-1) if self.vector else gb, self.b_shape)
        return ga, gb if nb else None

    def jvp(self, xs, out, tangents):
        # dX = A^-1 (dB - dA X) on the left, (dB - X dA) A^-1 on the right
        xp = xp_of(out)
        a = xs[0]
        ta, tb = tangents
        xm = _as_matrix(out, self.vector)
        rhs = terms(
            None if tb is None else _as_matrix(tb, self.vector),
            None if ta is None else -(ta @ xm if self.left else xm @ ta),
        )
        if self.left:
            dx = xp.linalg.solve(a, rhs * xp.ones_like(xm))
        else:
            dx = _mT(xp.linalg.solve(_mT(a), _mT(rhs * xp.ones_like(xm))))
        return dx[..., 0] if self.vector else dx


def _cross(xp, a, b, dim: int):
    return xp.cross(a, b, axis=dim)


class LinalgCrossBackward0(Function):
    """``linalg.cross`` along ``dim``: saves each operand when the other needs a gradient."""

    _name = "LinalgCrossBackward0"

    def forward(self, a, b, dim):
        self.dim = dim % (1 << 64) if dim < 0 else dim  # (torch shows it as unsigned)
        self.axis = dim
        self.shapes = a.shape, b.shape
        na, nb = self.needs_input_grad
        if nb:
            self.save(self=a)
        if na:
            self.save(other=b)
        return _cross(xp_of(a), a, b, dim)

    def backward(self, g):
        xp = xp_of(g)
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            other = xp.broadcast_to(self.saved("other"), g.shape)
            ga = unbroadcast(_cross(xp, other, g, self.axis), self.shapes[0])
        if nb:
            a = xp.broadcast_to(self.saved("self"), g.shape)
            gb = unbroadcast(_cross(xp, g, a, self.axis), self.shapes[1])
        return ga, gb

    def backward_graph(self, g):
        from ..linalg import cross

        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ga = sum_to(cross(self.saved_tensor("other"), g, dim=self.axis), self.shapes[0])
        if nb:
            gb = sum_to(cross(g, self.saved_tensor("self"), dim=self.axis), self.shapes[1])
        return ga, gb

    def jvp(self, xs, out, tangents):
        xp = xp_of(out)
        (a, b), (ta, tb) = xs, tangents
        return terms(
            None if ta is None else _cross(xp, ta, b, self.axis) * xp.ones_like(out),
            None if tb is None else _cross(xp, a, tb, self.axis) * xp.ones_like(out),
        )
