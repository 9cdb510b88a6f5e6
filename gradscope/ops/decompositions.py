"""Matrix ops of ``gs.linalg`` with nodes of their own: inv, det, slogdet, solve, cross,
svd and pinv.

Each works on a batch of matrices ``(..., n, n)`` and saves what torch's node saves:
``det`` and ``slogdet`` keep the LU factorisation (``LU``, and ``pivots`` as int32, one
based, as LAPACK gives them) next to ``A``, as torch does.
"""

from __future__ import annotations

import numpy as np

from ..autograd import function as _function
from ..autograd.function import Function
from ..backend import CPU, to_device, xp_of
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
    flat = to_device(info, CPU).reshape(-1)  # for the message only
    bad = int(np.flatnonzero(flat)[0]) if flat.any() else 0
    where = f"(Batch element {bad}): " if a.ndim > 2 else ""
    return LinAlgError(
        f"{name}: {where}The diagonal element {int(flat[bad])} is zero, the inversion could "
        "not be completed because the input matrix is singular."
    )


def _mT(x):
    return x.swapaxes(-1, -2)


def _finite(x) -> bool:
    return bool(xp_of(x).isfinite(x).all())


def lu_solve(lu, piv, b, trans: bool = False):
    """``X`` with ``A X = B`` (``A^T X = B`` with ``trans``) for each matrix of a batch, from
    ``lu_factor``'s ``(LU, pivots)`` of ``A``; the batch dims broadcast. Every product is
    formed (zero times an infinity is NaN), so a NaN or infinity of ``A`` or ``B`` reaches the
    elements it does in torch's solve; NumPy's LAPACK leaves some of them finite."""
    xp = xp_of(b)
    n = lu.shape[-1]
    batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
    x = xp.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:]).copy()
    lu = xp.broadcast_to(lu, batch + (n, n)).reshape((-1, n, n))
    piv = xp.broadcast_to(piv, batch + (n,)).reshape((-1, n)).astype(np.intp) - 1
    rows = xp.arange(x.shape[0])

    def swap(k):
        p = piv[:, k]
        top = x[rows, k].copy()
        x[rows, k] = x[rows, p]
        x[rows, p] = top

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if not trans:
            for k in range(n):
                swap(k)
            for k in range(n):  # L, unit diagonal
                x[:, k + 1 :] -= lu[:, k + 1 :, k, None] * x[:, k, None]
            for k in range(n - 1, -1, -1):  # U
                x[:, k] /= lu[:, k, k, None]
                x[:, :k] -= lu[:, :k, k, None] * x[:, k, None]
        else:
            for k in range(n):  # U^T
                x[:, k] /= lu[:, k, k, None]
                x[:, k + 1 :] -= lu[:, k, k + 1 :, None] * x[:, k, None]
            for k in range(n - 1, -1, -1):  # L^T
                x[:, :k] -= lu[:, k, :k, None] * x[:, k, None]
            for k in range(n - 1, -1, -1):
                swap(k)
    return x.reshape(batch + b.shape[-2:])


def _solve(a, b, left: bool = True, trans: bool = False, error=None, lu=None):
    """``X`` with ``op(A) X = B`` (``left``) or ``X op(A) = B``, ``op`` transposing with
    ``trans``: NumPy's solve where ``A`` and ``X`` are finite, else ``lu_solve`` (over
    ``lu``, ``A``'s ``(LU, pivots)`` when at hand), whose NaN and infinities are torch's. A
    singular ``A`` raises ``error()`` when one is given; else its zero pivots divide."""
    xp = xp_of(a)
    if _finite(a):  # with A finite, a NaN or infinity of B always reaches X
        at = _mT(a) if trans != (not left) else a
        try:
            x = xp.linalg.solve(at, b) if left else _mT(xp.linalg.solve(at, _mT(b)))
        except np.linalg.LinAlgError:
            if error is not None:
                raise error() from None
        else:
            if _finite(x):
                return x
    return _lu_path(a, b, left, trans, error, lu)


def _lu_path(a, b, left, trans, error, lu):
    lu, piv, info = lu_factor(a) if lu is None else lu
    if error is not None and bool(info.any()):
        raise error()
    t = trans != (not left)
    return lu_solve(lu, piv, b, t) if left else _mT(lu_solve(lu, piv, _mT(b), t))


def _inv(a, name: str = "linalg.inv"):
    xp = xp_of(a)
    if _finite(a):
        try:
            out = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise singular_error(name, a) from None
        if _finite(out):
            return out
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    return _lu_path(a, eye, True, False, lambda: singular_error(name, a), None)


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
        return (_slogdet_grad(self.saved("A"), glog),)

    def backward_graph(self, g):
        from ..linalg import inv

        _, glog = self._parts(g, "_graph_parts")
        if glog is None:
            return (None,)
        a = self.saved_tensor("A")
        return (glog.unsqueeze(-1).unsqueeze(-1) * inv(a).mT,)

    def jvp(self, xs, out, tangents):  # logabsdet's
        return (_mT(_inv(xs[0])) * tangents[0]).sum(axis=(-2, -1))


def _slogdet_grad(a, g):
    """``g A^-T``; where ``A`` is singular or not finite, the solve of ``A^T X = diag(g)``
    torch's backward makes, without its check for a singular matrix."""
    xp = xp_of(a)
    if _finite(a):
        try:
            inv = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            pass
        else:
            if _finite(inv):
                return g[..., None, None] * _mT(inv)
    d = g[..., None, None] * xp.eye(a.shape[-1], dtype=a.dtype)
    return _lu_path(_mT(a), d, True, False, None, None)


def _as_matrix(b, vector: bool):
    return b[..., None] if vector else b


def _solve_singular() -> LinAlgError:
    return LinAlgError(
        "torch.linalg.solve: The solver failed because the input matrix is singular."
    )


class LinalgSolveExBackward0(Function):
    """``linalg.solve``: ``X`` with ``A X = B`` (``left``) or ``X A = B``; saves ``A``, its
    LU factorisation, the result and ``left``. ``vector``: ``B`` is a batch of vectors."""

    _name = "LinalgSolveExBackward0"

    def forward(self, a, b, left, vector):
        self.left, self.vector = left, vector
        self.a_shape, self.b_shape = a.shape, b.shape
        bm = _as_matrix(b, vector)
        x = _solve(a, bm, left, error=_solve_singular)
        x = x[..., 0] if vector else x
        if True in self.needs_input_grad:
            lu, piv, _ = lu_factor(a)
            self.save(A=a, LU=lu, pivots=piv, result=x)
        return x

    def backward(self, g):
        na, nb = self.needs_input_grad
        a, x = self.saved("A"), self.saved("result")
        gm, xm = _as_matrix(g, self.vector), _as_matrix(x, self.vector)
        lu = self.saved("LU"), self.saved("pivots"), None
        gb = _solve(a, gm, self.left, trans=True, lu=lu)
        if self.left:
            ga = -(gb @ _mT(xm)) if na else None
        else:
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
        dx = _solve(a, rhs * xp.ones_like(xm), self.left)
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


# ------------------------------------------------------------------------------ svd, pinv


# What the last svd made beside ``S`` (its ``U`` and ``Vh``, and under forward mode their
# tangents), for the api to take at once: the node is not kept when nothing needs a gradient.
LAST: dict = {}


def _svd(a, full_matrices: bool):
    """``(U, S, Vh)`` of each matrix of ``a``; a matrix with a NaN or an infinity raises
    torch's ``LinAlgError``."""
    xp = xp_of(a)
    if not bool(xp.isfinite(a).all()):
        raise LinAlgError(
            "linalg.svd: The algorithm failed to converge because the input matrix contained "
            "non-finite values."
        )
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return u, s.astype(a.dtype, copy=False), vh


def _svd_gap(s):
    """``E[j, k] = S_k^2 - S_j^2``, with ones on the diagonal (the terms there are 0 / 1)."""
    s2 = s * s
    e = s2[..., None, :] - s2[..., :, None]
    return e + _eye_like(s, s.shape[-1])


def _eye_like(like, n: int):
    from ..tensor import Tensor

    if isinstance(like, Tensor):
        from ..creation import eye

        return eye(n, dtype=like.dtype, device=like.device)
    return xp_of(like).eye(n, dtype=like.dtype)


def svd_backward(gu, gs, gvh, u, s, vh, mt):
    """torch's ``svd_backward`` (real matrices, reduced factors): the gradient of ``A``
    from those of ``U``, ``S`` and ``Vh`` (None where none came). Works on arrays or, for
    ``create_graph``, on tensors; ``mt`` transposes the last two dims."""
    m, n = u.shape[-2], vh.shape[-1]
    if gu is None and gvh is None:
        if gs is None:
            return None
        return u @ (gs[..., :, None] * vh) if m >= n else (u * gs[..., None, :]) @ vh
    e = _svd_gap(s)
    uhgu = None if gu is None else mt(u) @ gu
    vhgv = None if gvh is None else vh @ mt(gvh)
    uhgu = None if uhgu is None else uhgu - mt(uhgu)
    vhgv = None if vhgv is None else vhgv - mt(vhgv)
    if gu is not None and gvh is not None:
        ga = (uhgu * s[..., None, :] + s[..., :, None] * vhgv) / e
    elif gu is None:
        ga = s[..., :, None] * vhgv / e
    else:
        ga = uhgu * s[..., None, :] / e
    if gs is not None:
        ga = ga + _eye_like(s, s.shape[-1]) * gs[..., None, :]
    if m > n and gu is not None:
        ga = u @ ga
        gu_sinv = gu / s[..., None, :]
        ga = ga + gu_sinv - u @ (mt(u) @ gu_sinv)
        return ga @ vh
    if m < n and gvh is not None:
        ga = ga @ vh
        sinv_gvh = gvh / s[..., :, None]
        ga = ga + sinv_gvh - (sinv_gvh @ mt(vh)) @ vh
        return u @ ga
    return u @ (ga @ vh) if m >= n else (u @ ga) @ vh


def _tmT(t):
    return t.mT


class LinalgSvdBackward0(Function):
    """``linalg.svd`` (and ``svdvals``, ``svd``): one node for ``U``, ``S`` and ``Vh``; saves
    the three, ``full_matrices`` and the number of singular values. ``forward`` returns
    ``S``; ``U`` and ``Vh`` are made by the api over the arrays saved."""

    _name = "LinalgSvdBackward0"
    _several = True  # its hooks see one gradient per output
    _n_out = 3
    saves_output = "S"
    _NR = {"U": 0, "S": 1, "Vh": 2}

    def forward(self, a, full_matrices):
        u, s, vh = _svd(a, full_matrices)
        self.full_matrices = full_matrices
        self.S_sym_argsize_minus_1 = s.shape[-1]
        if self.needs_input_grad[0]:
            self.save(U=u, Vh=vh)
        self.uv_out = LAST["uv"] = (u, vh)
        return s

    def _parts(self, g, key: str) -> list:
        """This backward's gradient of each output; one that reaches the node itself is
        ``S``'s."""
        from ..autograd import engine

        parts = self.__dict__.get(key, {}).get(engine.current_run)
        return list(parts) if parts is not None else [None, g, None]

    def grad_outputs(self, g) -> tuple:
        """The gradients hooks on this node see, one per output."""
        return tuple(self._parts(g, "_accs"))

    def gradient_of(self, parts: tuple, like):
        """Take ``parts`` (a hook's replacement) as this backward's output gradients."""
        from ..autograd import engine

        self.__dict__.setdefault("_accs", {})[engine.current_run] = list(parts)
        return next((p for p in parts if p is not None), None)

    def saved_tensor(self, slot: str):
        """As ``Function.saved_tensor``; a saved factor leads back through its own output's
        edge, as torch's saved outputs do."""
        t = super().saved_tensor(slot)
        if slot in self._NR and "out_edges" in self.__dict__:
            from .reduce import output_edge

            t._grad_fn, t._rg = output_edge(self, self._NR[slot]), True
            if slot != "S" and _function._dual:  # forward mode: the factor's tangent with it
                from ..autograd.forward_ad import lend_tangent

                lend_tangent(self, t, "_tangent_" + slot)
        return t

    def _reduced(self, gu, gvh, u, vh):
        """The factors and their gradients cut to the first ``k`` columns of ``U`` and rows
        of ``Vh`` (what torch's formula takes for ``full_matrices``)."""
        if not self.full_matrices:
            return gu, gvh, u, vh
        k = self.S_sym_argsize_minus_1
        cut_u = (lambda x: x[..., :k]) if u.shape[-1] != k else (lambda x: x)
        cut_vh = (lambda x: x[..., :k, :]) if vh.shape[-2] != k else (lambda x: x)
        return (
            None if gu is None else cut_u(gu),
            None if gvh is None else cut_vh(gvh),
            cut_u(u),
            cut_vh(vh),
        )

    def backward(self, g):
        gu, gs, gvh = self._parts(g, "_accs")
        u, s, vh = self.saved("U"), self.saved("S"), self.saved("Vh")
        gu, gvh, u, vh = self._reduced(gu, gvh, u, vh)
        return (svd_backward(gu, gs, gvh, u, s, vh, _mT),)

    def backward_graph(self, g):
        gu, gs, gvh = self._parts(g, "_graph_parts")
        u, s, vh = (self.saved_tensor(k) for k in ("U", "S", "Vh"))
        gu, gvh, u, vh = self._reduced(gu, gvh, u, vh)
        return (svd_backward(gu, gs, gvh, u, s, vh, _tmT),)

    def jvp(self, xs, out, tangents):
        """``S``'s tangent; those of ``U`` and ``Vh`` are left in ``uv_tangents`` for the api
        (torch's ``linalg_svd_jvp``)."""
        xp = xp_of(out)
        da, s = tangents[0], out
        u, vh = self.uv_out
        m, n = da.shape[-2:]
        k = s.shape[-1]
        full = self.full_matrices
        u = u[..., :k] if full else u
        vh = vh[..., :k, :] if full else vh
        v = _mT(vh)
        dp = _mT(u) @ (da @ v) if m >= n else (_mT(u) @ da) @ v
        ds = xp.diagonal(dp, axis1=-2, axis2=-1)
        dp = dp - ds[..., None] * xp.eye(k, dtype=dp.dtype)
        e = _svd_gap(s)
        x = dp * s[..., None, :]
        du = u @ ((x + _mT(x)) / e)
        if m > n:
            dav_sinv = da @ (v / s[..., None, :])
            du = du + dav_sinv - u @ (_mT(u) @ dav_sinv)
            if full:
                du = xp.concatenate([du, xp.zeros(du.shape[:-1] + (m - n,), du.dtype)], -1)
        y = dp * (-s)[..., :, None]
        dvh = ((y + _mT(y)) / e) @ vh
        if m < n:
            uhda_sinv = (_mT(u) / s[..., :, None]) @ da
            dvh = dvh + uhda_sinv - (uhda_sinv @ v) @ vh
            if full:
                zeros = xp.zeros(dvh.shape[:-2] + (n - m, n), dvh.dtype)
                dvh = xp.concatenate([dvh, zeros], -2)
        LAST["uv_tangents"] = (du, dvh)
        return ds


def pinv_backward(g, pinv, a, mt):
    """torch's ``pinv_backward`` (real matrices), on arrays or tensors."""
    m, n = a.shape[-2:]
    pinvh, gh = mt(pinv), mt(g)
    if m <= n:
        k = gh @ pinv
        kpinvh = k @ pinvh
        return -mt(pinv @ k) + kpinvh - (a @ pinv) @ kpinvh + (pinvh @ pinv) @ (gh - k @ a)
    k = pinv @ gh
    pinvhk = pinvh @ k
    return -mt(k @ pinv) + ((gh - a @ k) @ pinv) @ pinvh + pinvhk - (pinvhk @ pinv) @ a


def pinv_of(a, atol, rtol, hermitian: bool):
    """The pseudo-inverse of each matrix of ``a``: singular values at most
    ``max(atol, rtol * largest)`` count as zero (eigenvalues by magnitude for
    ``hermitian``)."""
    xp = xp_of(a)
    if hermitian:
        w, q = xp.linalg.eigh(a)
        s, u, vh = xp.abs(w), q, _mT(q) * xp.sign(w)[..., :, None]
    else:
        u, s, vh = _svd(a, False)
    top = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    tol = xp.maximum(atol, rtol * top)
    with np.errstate(divide="ignore"):
        sinv = xp.where(s > tol, 1 / xp.where(s > tol, s, 1), 0).astype(a.dtype)
    return (_mT(vh) * sinv[..., None, :]) @ _mT(u)


class LinalgPinvBackward0(Function):
    """``linalg.pinv``: saves ``A`` and the result."""

    _name = "LinalgPinvBackward0"
    saves_output = "result"

    def forward(self, a, atol, rtol, hermitian):
        if self.needs_input_grad[0]:
            self.save(self=a)
        return pinv_of(a, atol, rtol, hermitian)

    def backward(self, g):
        return (pinv_backward(g, self.saved("result"), self.saved("self"), _mT),)

    def backward_graph(self, g):
        pinv, a = self.saved_tensor("result"), self.saved_tensor("self")
        return (pinv_backward(g, pinv, a, _tmT),)

    def jvp(self, xs, out, tangents):
        a, pinv, da = xs[0], out, tangents[0]
        m, n = a.shape[-2:]
        dah, pinvh = _mT(da), _mT(pinv)
        if m <= n:
            k = pinvh @ dah
            return pinv @ (k - _mT(k) - k @ (a @ pinv)) + (dah - pinv @ (a @ dah)) @ (pinvh @ pinv)
        k = pinv @ da
        kh = _mT(k)
        return (kh - k - (pinv @ a) @ kh) @ pinv + (pinv @ pinvh) @ (dah - (dah @ a) @ pinv)
