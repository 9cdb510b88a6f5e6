"""Matrix ops of ``gs.linalg`` with nodes of their own: inv, det, slogdet, solve, cross,
svd, pinv, cholesky, eigh and qr.

Each works on a batch of matrices ``(..., n, n)`` and saves what torch's node saves:
``det`` and ``slogdet`` keep the LU factorisation (``LU``, and ``pivots`` as int32, one
based, as LAPACK gives them) next to ``A``, as torch does.
"""

from __future__ import annotations

import numpy as np

from ..autograd import function as _function
from ..autograd.function import Function, complex_node
from ..backend import CPU, fp_quiet, to_device, xp_of
from ..errors import LinAlgError, complex_refusal
from ._broadcast import unbroadcast
from ._graph import sum_to
from ._jvp import terms


def _pivot_size(col):
    """How LAPACK ranks pivot candidates: ``|x|``, and ``|re| + |im|`` of a complex one."""
    xp = xp_of(col)
    if col.dtype.kind == "c":
        return xp.abs(col.real) + xp.abs(col.imag)
    return xp.abs(col)


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
    with fp_quiet():
        for k in range(n):
            p = xp.argmax(_pivot_size(lu[:, k:, k]), axis=1) + k
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


def first_failure(info, ndim: int) -> tuple[str, int]:
    """For torch's error messages: ``"(Batch element i): "`` for the first matrix whose
    LAPACK ``info`` is not 0 (nothing for a single matrix), and that ``info``."""
    flat = to_device(info, CPU).reshape(-1)  # for the message only
    bad = int(np.flatnonzero(flat)[0]) if flat.any() else 0
    return (f"(Batch element {bad}): " if ndim > 2 else ""), int(flat[bad])


def singular_error(name: str, a) -> LinAlgError:
    """torch's error for a singular ``a``: which diagonal element of U is zero, and in which
    matrix of a batch."""
    where, k = first_failure(lu_factor(a)[2], a.ndim)
    return LinAlgError(
        f"{name}: {where}The diagonal element {k} is zero, the inversion could "
        "not be completed because the input matrix is singular."
    )


def _mT(x):
    return x.swapaxes(-1, -2)


def _mH(x):
    """The conjugate transpose of each matrix of ``x``: its transpose for a real one."""
    return x.swapaxes(-1, -2).conj() if x.dtype.kind == "c" else x.swapaxes(-1, -2)


def _is_complex(x) -> bool:
    return x.dtype.kind == "c"


def _complex_ready(fn, *arrays) -> None:
    """For a node whose rule is written for complex numbers but whose (primary) output is
    real, so that ``apply`` leaves it alone: ready it for complex inputs as ``apply`` does
    a node of complex output (its backward as it is; ``create_graph`` refused)."""
    if True in fn.needs_input_grad:
        complex_node(fn, arrays, ())


def _refuse_complex_jvp(fn, a) -> None:
    """Forward mode through ``fn`` over a complex ``a``: refused, as it was before the
    backward took complex tensors (no tangent checked against torch's for them)."""
    if a.dtype.kind == "c":
        raise complex_refusal(fn._name, a.dtype)


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

    with fp_quiet():
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


def _batched_solve(a, b):
    """``xp.linalg.solve`` over batches broadcast against each other (CuPy's takes equal
    batches only)."""
    xp = xp_of(a)
    if xp is not np and b.ndim >= 2 and a.shape[:-2] != b.shape[:-2]:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        a = xp.broadcast_to(a, batch + a.shape[-2:])
        b = xp.broadcast_to(b, batch + b.shape[-2:])
    return xp.linalg.solve(a, b)


def _solve(a, b, left: bool = True, trans: bool = False, error=None, lu=None):
    """``X`` with ``op(A) X = B`` (``left``) or ``X op(A) = B``, ``op`` transposing with
    ``trans``: NumPy's solve where ``A`` and ``X`` are finite, else ``lu_solve`` (over
    ``lu``, ``A``'s ``(LU, pivots)`` when at hand), whose NaN and infinities are torch's. A
    singular ``A`` raises ``error()`` when one is given; else its zero pivots divide."""
    if _finite(a):  # with A finite, a NaN or infinity of B always reaches X
        at = _mT(a) if trans != (not left) else a
        try:
            x = _batched_solve(at, b) if left else _mT(_batched_solve(at, _mT(b)))
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


def _inv(a, name: str = "linalg.inv", check: bool = True):
    """The inverse of each matrix of ``a``; a singular one raises torch's error, or with
    ``check`` false gives the infinities and NaN of LAPACK's solve against the identity."""
    xp = xp_of(a)
    if _finite(a):
        try:
            out = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            if check:
                raise singular_error(name, a) from None
        else:
            if _finite(out):
                return out
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    error = (lambda: singular_error(name, a)) if check else None
    return _lu_path(a, eye, True, False, error, None)


def lu_info(a, out):
    """LAPACK's ``info`` of ``getrf`` for each matrix of ``a`` (int32): the first zero on
    ``U``'s diagonal, one based, 0 for none; ``out``, the solve's result, is finite only
    where none is zero."""
    xp = xp_of(a)
    if _finite(a) and _finite(out):
        return xp.zeros(a.shape[:-2], dtype=np.int32)
    return lu_factor(a)[2].astype(np.int32)


def _inv_or_eye(a, det):
    """The inverse of each matrix whose determinant is not zero, the identity in place of
    the others: the gradient of det, ``det * A^-T``, is then zero at a singular matrix, as
    torch's first-order one is (it perturbs a zero pivot of the LU factorisation)."""
    xp = xp_of(a)
    singular = (det == 0)[..., None, None]
    eye = xp.eye(a.shape[-1], dtype=a.dtype)
    return xp.where(singular, eye, xp.linalg.inv(xp.where(singular, eye, a)))


class LinalgInvExBackward0(Function):
    """``linalg.inv`` and ``inv_ex``: saves its output (``inverse``). With ``check`` false
    a singular matrix gives infinities, and ``LAST["info"]`` tells which."""

    _name = "LinalgInvExBackward0"
    complex_rule = "conj"
    saves_output = "inverse"

    def forward(self, a, name="linalg.inv", check=True):
        out = _inv(a, name, check)
        LAST["info"] = lu_info(a, out)
        return _colmajor(out)  # (stored column by column, as LAPACK leaves torch's)

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
    complex_rule = "conj"

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

        a = self.saved_tensor("A")
        if a.shape[-1] == 1:  # the incoming gradient itself, which reads no value of A
            return (g.unsqueeze(-1).unsqueeze(-1).expand(a.shape),)
        det = self.saved_tensor("result")
        return ((g * det).unsqueeze(-1).unsqueeze(-1) * inv(a).mT,)

    def jvp(self, xs, out, tangents):
        inv = _inv_or_eye(xs[0], out)
        return out * (_mT(inv) * tangents[0]).sum(axis=(-2, -1))


class LinalgSlogdetBackward0(Function):
    """``linalg.slogdet``: one node for both outputs (``sign``, then ``logabsdet``); saves
    ``A``, its LU factorisation and ``sign``. Only ``logabsdet`` has a gradient (for real
    matrices the sign is locally constant)."""

    _name = "LinalgSlogdetBackward0"
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    _several = True  # its hooks see one gradient per output
    _n_out = 2

    def forward(self, a):
        _complex_ready(self, a)  # (logabsdet is real)
        sign, logabsdet = xp_of(a).linalg.slogdet(a)
        sign, logabsdet = sign.astype(a.dtype), logabsdet.astype(_real_dtype(a.dtype))
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
        gsign, glog = self._parts(g, "_accs")
        a = self.saved("A")
        if _is_complex(a) and gsign is not None:
            # torch's: the sign's gradient counts for complex matrices, through
            # g = glog - i Im(gsign conj(sign)); the gradient is conj(g) A^-H
            turn = xp_of(a).asarray(1j * (gsign * self.saved("sign").conj()).imag)
            glog = turn if glog is None else glog + turn
        if glog is None:
            return (None,)
        return (_slogdet_grad(a, glog),)

    def backward_graph(self, g):
        from ..linalg import inv

        _, glog = self._parts(g, "_graph_parts")
        if glog is None:
            return (None,)
        a = self.saved_tensor("A")
        return (glog.unsqueeze(-1).unsqueeze(-1) * inv(a).mT,)

    def jvp(self, xs, out, tangents):  # logabsdet's
        _refuse_complex_jvp(self, xs[0])  # (a complex sign has a tangent: not given here)
        return (_mT(_inv(xs[0])) * tangents[0]).sum(axis=(-2, -1))


def _slogdet_grad(a, g):
    """``g A^-H`` (``A^-T`` for a real ``A``); where ``A`` is singular or not finite, the
    solve of ``A^H X = diag(g)`` torch's backward makes, without its check for a singular
    matrix."""
    xp = xp_of(a)
    if _finite(a):
        try:
            inv = xp.linalg.inv(a)
        except np.linalg.LinAlgError:
            pass
        else:
            if _finite(inv):
                return g[..., None, None] * _mH(inv)
    d = g[..., None, None] * xp.eye(a.shape[-1], dtype=a.dtype)
    return _lu_path(_mH(a), d, True, False, None, None)


def _as_matrix(b, vector: bool):
    return b[..., None] if vector else b


def _solve_singular(name: str, a) -> LinAlgError:
    """torch's error for a singular ``a`` in ``solve``: in which matrix of a batch."""
    where, _ = first_failure(lu_factor(a)[2], a.ndim)
    return LinAlgError(f"{name}: {where}The solver failed because the input matrix is singular.")


class LinalgSolveExBackward0(Function):
    """``linalg.solve``: ``X`` with ``A X = B`` (``left``) or ``X A = B``; saves ``A``, its
    LU factorisation, the result and ``left``. ``vector``: ``B`` is a batch of vectors."""

    _name = "LinalgSolveExBackward0"
    complex_rule = "conj"

    def forward(self, a, b, left, vector, name="torch.linalg.solve", check=True):
        self.left, self.vector = left, vector
        self.a_shape, self.b_shape = a.shape, b.shape
        bm = _as_matrix(b, vector)
        error = (lambda: _solve_singular(name, a)) if check else None
        x = _solve(a, bm, left, error=error)
        LAST["info"] = lu_info(a, x)
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
    complex_rule = "conj"

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
    return u, s.astype(_real_dtype(a.dtype), copy=False), vh


def _real_dtype(dtype):
    """The real dtype of ``dtype``'s precision (``dtype`` itself if real)."""
    return np.dtype(f"f{dtype.itemsize // 2}") if dtype.kind == "c" else dtype


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


_SVD_PHASE = (
    "svd_backward: The singular vectors in the complex case are specified up to "
    "multiplication by e^{i phi}. The specified loss function depends on this phase term, "
    "making it ill-defined."
)


def _close(a, b) -> bool:
    """torch's ``allclose(a, b, rtol=1e-2, atol=1e-2)``, a NaN failing it."""
    xp = xp_of(a)
    return bool((xp.abs(a - b) <= 1e-2 + 1e-2 * xp.abs(b)).all())


def svd_backward(gu, gs, gvh, u, s, vh, mt, cplx: bool = False):
    """torch's ``svd_backward`` (reduced factors): the gradient of ``A`` from those of
    ``U``, ``S`` and ``Vh`` (None where none came). Works on arrays or, for
    ``create_graph``, on (real) tensors; ``mt`` transposes the last two dims, conjugating
    a complex matrix. ``cplx``: the factors are complex, and the loss must not depend on
    the phase of each pair of singular vectors (torch's error)."""
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
    if cplx:  # Im(diag(U^H gU)) + Im(diag(V^H gV)) = 0 for a loss invariant to the phases
        xp = xp_of(s)
        zero = xp.zeros_like(s)
        im_u = zero if uhgu is None else xp.diagonal(uhgu, axis1=-2, axis2=-1).imag
        im_v = zero if vhgv is None else xp.diagonal(vhgv, axis1=-2, axis2=-1).imag
        if not _close(im_u, -im_v):
            raise RuntimeError(_SVD_PHASE)
    if gu is not None and gvh is not None:
        ga = (uhgu * s[..., None, :] + s[..., :, None] * vhgv) / e
    elif gu is None:
        ga = s[..., :, None] * vhgv / e
    else:
        ga = uhgu * s[..., None, :] / e
    if gs is not None:
        ga = ga + _eye_like(s, s.shape[-1]) * gs[..., None, :]
    if cplx and gu is not None and gvh is not None:
        with fp_quiet():
            d = xp_of(s).diagonal(uhgu, axis1=-2, axis2=-1) / (2 * s)
        ga = ga + _eye_like(s, s.shape[-1]) * d[..., None, :]
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
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    _several = True  # its hooks see one gradient per output
    _n_out = 3
    saves_output = "S"
    _NR = {"U": 0, "S": 1, "Vh": 2}

    def forward(self, a, full_matrices):
        _complex_ready(self, a)  # (S is real)
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
        return (svd_backward(gu, gs, gvh, u, s, vh, _mH, _is_complex(u)),)

    def backward_graph(self, g):
        gu, gs, gvh = self._parts(g, "_graph_parts")
        u, s, vh = (self.saved_tensor(k) for k in ("U", "S", "Vh"))
        gu, gvh, u, vh = self._reduced(gu, gvh, u, vh)
        return (svd_backward(gu, gs, gvh, u, s, vh, _tmT),)

    def jvp(self, xs, out, tangents):
        """``S``'s tangent; those of ``U`` and ``Vh`` are left in ``uv_tangents`` for the api
        (torch's ``linalg_svd_jvp``; real matrices only)."""
        _refuse_complex_jvp(self, xs[0])
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
    """torch's ``pinv_backward``, on arrays or tensors: ``mt`` transposes the last two dims
    (conjugating a complex matrix)."""
    m, n = a.shape[-2:]
    pinvh, gh = mt(pinv), mt(g)
    if m <= n:
        k = gh @ pinv
        kpinvh = k @ pinvh
        return -mt(pinv @ k) + kpinvh - (a @ pinv) @ kpinvh + (pinvh @ pinv) @ (gh - k @ a)
    k = pinv @ gh
    pinvhk = pinvh @ k
    return -mt(k @ pinv) + ((gh - a @ k) @ pinv) @ pinvh + pinvhk - (pinvhk @ pinv) @ a


def pinv_jvp(a, pinv, da):
    """torch's ``pinv_jvp``: the tangent of ``pinv`` (of ``a``) along ``da``."""
    m, n = a.shape[-2:]
    dah, pinvh = _mH(da), _mH(pinv)
    if m <= n:
        k = pinvh @ dah
        return pinv @ (k - _mH(k) - k @ (a @ pinv)) + (dah - pinv @ (a @ dah)) @ (pinvh @ pinv)
    k = pinv @ da
    kh = _mH(k)
    return (kh - k - (pinv @ a) @ kh) @ pinv + (pinv @ pinvh) @ (dah - (dah @ a) @ pinv)


def pinv_of(a, atol, rtol, hermitian: bool):
    """The pseudo-inverse of each matrix of ``a``: singular values at most
    ``max(atol, rtol * largest)`` count as zero (eigenvalues by magnitude for
    ``hermitian``)."""
    xp = xp_of(a)
    if hermitian:
        w, q = xp.linalg.eigh(a)
        s, u, vh = xp.abs(w), q, _mH(q) * xp.sign(w)[..., :, None]
    else:
        u, s, vh = _svd(a, False)
    top = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    tol = xp.maximum(atol, rtol * top)
    with fp_quiet():
        sinv = xp.where(s > tol, 1 / xp.where(s > tol, s, 1), 0).astype(a.dtype)
    return (_mH(vh) * sinv[..., None, :]) @ _mH(u)


class LinalgPinvBackward0(Function):
    """``linalg.pinv``: saves ``A`` and the result."""

    _name = "LinalgPinvBackward0"
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    saves_output = "result"

    def forward(self, a, atol, rtol, hermitian):
        if self.needs_input_grad[0]:
            self.save(self=a)
        return pinv_of(a, atol, rtol, hermitian)

    def backward(self, g):
        return (pinv_backward(g, self.saved("result"), self.saved("self"), _mH),)

    def backward_graph(self, g):
        pinv, a = self.saved_tensor("result"), self.saved_tensor("self")
        return (pinv_backward(g, pinv, a, _tmT),)

    def jvp(self, xs, out, tangents):
        return pinv_jvp(xs[0], out, tangents[0])


# ------------------------------------------------------------------------------ cholesky, eigh, qr


def _colmajor(x):
    """``x`` with each matrix stored column by column, as LAPACK (and torch) leave it."""
    return _mT(xp_of(x).ascontiguousarray(_mT(x)))


class _ArrayOps:
    """The matrix helpers the formulas below take, on arrays."""

    mT = staticmethod(_mT)
    mH = staticmethod(_mH)  # (the conjugate transpose)

    @staticmethod
    def re(x):
        """The real part of a complex ``x`` (of the same dtype); a real one as it is."""
        return x.real.astype(x.dtype) if x.dtype.kind == "c" else x

    @staticmethod
    def tril(x, k: int = 0):
        return xp_of(x).tril(x, k)

    @staticmethod
    def diag(x):
        return xp_of(x).diagonal(x, axis1=-2, axis2=-1)

    @staticmethod
    def diag_embed(x):
        return x[..., :, None] * xp_of(x).eye(x.shape[-1], dtype=x.dtype)

    @staticmethod
    def solve(a, b, left: bool = True):
        return _solve(a, b, left)

    @staticmethod
    def cat(parts, dim: int):
        return xp_of(parts[0]).concatenate(parts, dim)


class _TensorOps:
    """The matrix helpers the formulas below take, on tensors (for ``create_graph``, which
    refuses complex tensors: these are real)."""

    mT = staticmethod(_tmT)
    mH = staticmethod(_tmT)

    @staticmethod
    def re(x):
        return x

    @staticmethod
    def tril(x, k: int = 0):
        return x.tril(k)

    @staticmethod
    def diag(x):
        return x.diagonal(0, -2, -1)

    @staticmethod
    def diag_embed(x):
        return x.diag_embed()

    @staticmethod
    def solve(a, b, left: bool = True):
        from ..linalg import solve

        return solve(a, b, left=left)

    @staticmethod
    def cat(parts, dim: int):
        from ..ops.api import cat

        return cat(parts, dim)


class _Factors(Function):
    """A node of several outputs made by one factorisation: ``forward`` returns output
    ``_primary``; the api makes the others over the arrays the node saved of them."""

    _several = True  # its hooks see one gradient per output
    _NR: dict = {}
    _primary = 0

    def _parts(self, g, key: str) -> list:
        """This backward's gradient of each output; one that reaches the node itself is
        the primary output's."""
        from ..autograd import engine

        parts = self.__dict__.get(key, {}).get(engine.current_run)
        if parts is not None:
            return list(parts)
        out = [None] * self._n_out
        out[self._primary] = g
        return out

    def grad_outputs(self, g) -> tuple:
        """The gradients hooks on this node see, one per output."""
        return tuple(self._parts(g, "_accs"))

    def gradient_of(self, parts: tuple, like):
        """Take ``parts`` (a hook's replacement) as this backward's output gradients."""
        from ..autograd import engine

        self.__dict__.setdefault("_accs", {})[engine.current_run] = list(parts)
        return next((p for p in parts if p is not None), None)

    def saved_tensor(self, slot: str):
        """As ``Function.saved_tensor``; a saved output leads back through its own edge, as
        torch's saved outputs do."""
        t = super().saved_tensor(slot)
        if slot in self._NR and "out_edges" in self.__dict__:
            from .reduce import output_edge

            nr = self._NR[slot]
            t._grad_fn, t._rg = output_edge(self, nr), True
            if nr != self._primary and _function._dual:
                from ..autograd.forward_ad import lend_tangent

                lend_tangent(self, t, "_tangent_" + slot)
        return t


def _not_pd_error(name: str, info, ndim: int) -> LinAlgError:
    """torch's error for the first matrix whose ``info`` is not 0."""
    where, k = first_failure(info, ndim)
    return LinAlgError(
        f"{name}: {where}The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {k} is not positive-definite)."
    )


def _cholesky(a, upper: bool, name: str = "linalg.cholesky", check: bool = True):
    """``L`` (or ``U``) of each matrix of ``a``; one that is not positive-definite raises
    torch's error, or with ``check`` false gives LAPACK's partial factor. ``LAST["info"]``:
    the order of the first leading minor that is not positive-definite, 0 for none."""
    xp = xp_of(a)
    low = _mT(a) if upper else a
    try:
        with fp_quiet():
            out = xp.linalg.cholesky(low)
    except np.linalg.LinAlgError:
        out = None
    info = xp.zeros(a.shape[:-2], dtype=np.int32)
    if out is None or not _finite(out):  # (OpenBLAS takes a NaN pivot, where LAPACK stops)
        part, info = _cholesky_partial(low)
        if bool(info.any()):
            if check:
                raise _not_pd_error(name, info, a.ndim)
            out = part
        elif out is None:
            out = part
    LAST["info"] = info
    return _colmajor(_mT(out) if upper else out)


def _cholesky_partial(a):
    """The lower Cholesky factor of each matrix of ``a`` as LAPACK's ``potf2`` leaves it:
    column by column, stopping at the first column whose pivot is not positive (or NaN),
    that pivot left in place and the columns after it as they were; and its ``info``. The
    matrices that factor are taken from ``xp.linalg.cholesky`` whole."""
    xp = xp_of(a)
    n = a.shape[-1]
    batch = a.shape[:-2]
    x = xp.tril(a).reshape((-1, n, n)).copy()
    info = xp.zeros(x.shape[0], dtype=np.int32)
    with fp_quiet():
        for j in range(n):
            live = info == 0
            row = x[:, j, :j]
            ajj = x[:, j, j].real - (row * row.conj()).real.sum(-1)  # (the diagonal's real part)
            bad = live & ~(ajj > 0)
            good = live & (ajj > 0)
            info = xp.where(bad, j + 1, info).astype(np.int32)
            root = xp.sqrt(xp.where(good, ajj, 1))
            col = x[:, j + 1 :, j] - (x[:, j + 1 :, :j] @ row.conj()[..., None])[..., 0]
            col = col * (1 / root)[:, None]  # (potf2 scales by the reciprocal)
            x[:, j, j] = xp.where(good, root, xp.where(bad, ajj, x[:, j, j]))
            x[:, j + 1 :, j] = xp.where(good[:, None], col, x[:, j + 1 :, j])
        ok = info == 0
        if bool(ok.any()):
            try:
                x[ok] = xp.linalg.cholesky(a.reshape((-1, n, n))[ok])
            except np.linalg.LinAlgError:  # (a pivot that rounds the other way: keep ours)
                pass
    return x.reshape(a.shape), info.reshape(batch)


def cholesky_backward(gl, l, upper: bool, ops):
    """torch's ``cholesky_backward``, on arrays or tensors."""
    mt = ops.mH
    l_, gl_ = (mt(l), mt(gl)) if upper else (l, gl)
    ga = ops.tril(mt(l_) @ gl_)
    ga = 0.5 * (ga + mt(ops.tril(ga, -1)))
    ga = ops.solve(mt(l_), ga)
    return ops.solve(l_, ga, left=False)


def cholesky_jvp(da, l, upper: bool, ops):
    """torch's ``cholesky_jvp``, on arrays."""
    mt = ops.mH
    l_ = mt(l) if upper else l
    dl = ops.solve(mt(l_), ops.solve(l_, da), left=False)
    dl = ops.tril(dl) - ops.diag_embed(0.5 * ops.diag(dl))
    dl = l_ @ dl
    return mt(dl) if upper else dl


class LinalgCholeskyExBackward0(Function):
    """``linalg.cholesky``: saves its output (``L``) and ``upper``."""

    _name = "LinalgCholeskyExBackward0"
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    saves_output = "L"
    _op = "linalg.cholesky"

    def forward(self, a, upper, name=None, check=True):
        self.upper = upper
        return _cholesky(a, upper, name or self._op, check)

    def backward(self, g):
        return (cholesky_backward(g, self.saved(self.saves_output), self.upper, _ArrayOps),)

    def backward_graph(self, g):
        l = self.saved_tensor(self.saves_output)
        return (cholesky_backward(g, l, self.upper, _TensorOps),)

    def jvp(self, xs, out, tangents):
        return cholesky_jvp(tangents[0], out, self.upper, _ArrayOps)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    """``gs.cholesky``: as ``linalg.cholesky``, its output saved as ``result``."""

    _name = "CholeskyBackward0"
    complex_rule = "as_is"
    saves_output = "result"
    _op = "cholesky"


def _gap(w, ops):
    """``E[i, j] = w_j - w_i``, with ones on the diagonal."""
    n = w.shape[-1]
    e = w[..., None, :] - w[..., :, None]
    return e + _eye_like(w, n)


_EIGH_PHASE = (
    "linalg_eigh_backward: The eigenvectors in the complex case are specified up to "
    "multiplication by e^{i phi}. The specified loss function depends on this quantity, so "
    "it is ill-defined."
)


def eigh_backward(gw, gv, w, v, ops, cplx: bool = False):
    """torch's ``linalg_eig_backward`` for a symmetric (Hermitian) matrix, on arrays or
    (real) tensors: defined where the eigenvalues are distinct and, for complex ones
    (``cplx``), for a loss that does not depend on each eigenvector's phase (torch's
    error otherwise)."""
    mt = ops.mH
    if gv is None:
        if gw is None:
            return None
        return (v * gw[..., None, :]) @ mt(v)
    vhgv = mt(v) @ gv
    if cplx:
        xp = xp_of(vhgv)
        if not bool((xp.abs(xp.diagonal(vhgv, axis1=-2, axis2=-1).imag) <= 1e-2).all()):
            raise RuntimeError(_EIGH_PHASE)
    ga = 0.5 * (vhgv - mt(vhgv)) / _gap(w, ops)
    if gw is not None:
        if cplx:  # torch's: the diagonal is gw's
            n = w.shape[-1]
            idx = xp_of(ga).arange(n)
            ga[..., idx, idx] = gw
        else:
            ga = ga + ops.diag_embed(gw)
    return v @ (ga @ mt(v))


class LinalgEighBackward0(_Factors):
    """``linalg.eigh`` (and ``eigvalsh``): one node for ``eigenvalues`` and
    ``eigenvectors``; saves both."""

    _name = "LinalgEighBackward0"
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    _n_out = 2
    saves_output = "eigenvalues"
    _NR = {"eigenvalues": 0, "eigenvectors": 1}

    def forward(self, a, uplo):
        _complex_ready(self, a)  # (the eigenvalues are real)
        w, v = xp_of(a).linalg.eigh(a, UPLO=uplo)
        w, v = w.astype(_real_dtype(a.dtype), copy=False), _colmajor(v)
        if self.needs_input_grad[0]:
            self.save(eigenvectors=v)
        self.others = LAST["others"] = {1: v}
        return w

    def backward(self, g):
        gw, gv = self._parts(g, "_accs")
        w, v = self.saved("eigenvalues"), self.saved("eigenvectors")
        return (eigh_backward(gw, gv, w, v, _ArrayOps, _is_complex(v)),)

    def backward_graph(self, g):
        gw, gv = self._parts(g, "_graph_parts")
        w, v = self.saved_tensor("eigenvalues"), self.saved_tensor("eigenvectors")
        return (eigh_backward(gw, gv, w, v, _TensorOps),)

    def jvp(self, xs, out, tangents):
        """The eigenvalues' tangent; the eigenvectors' is left in ``LAST`` for the api
        (torch's ``linalg_eig_jvp``)."""
        w, v = out, self.others[1]
        dx = _mH(v) @ tangents[0] @ v
        dw = _ArrayOps.diag(dx).real.copy()  # (real: dx is Hermitian)
        dx = dx / _gap(w, _ArrayOps)
        dx = dx - _ArrayOps.diag_embed(_ArrayOps.diag(dx))
        LAST["tangents"] = {1: v @ dx}
        return dw


def _copyltu(x, ops):
    """The symmetric (Hermitian) matrix with ``x``'s lower triangle (its diagonal's real
    part: torch's ``syminvadj`` of the upper triangle of ``x^H``)."""
    low = ops.tril(x, -1)
    return low + ops.mH(low) + ops.diag_embed(ops.re(ops.diag(x)))


def _qr_square_backward(gq, gr, q, r, ops):
    """The gradient of ``A`` (``m >= n``) from those of its reduced ``Q`` and ``R``."""
    mt = ops.mH
    if gr is None:
        m = -(mt(gq) @ q)
        b = gq
    else:
        m = r @ mt(gr)
        if gq is not None:
            m = m - mt(gq) @ q
        b = None if gq is None else gq
    b = q @ _copyltu(m, ops) if b is None else b + q @ _copyltu(m, ops)
    return mt(ops.solve(r, mt(b)))


def qr_backward(gq, gr, q, r, mode: str, ops):
    """torch's ``linalg_qr_backward``, on arrays or tensors."""
    if mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
            "through linalg.qr."
        )
    m, n = q.shape[-2], r.shape[-1]
    if mode == "complete" and m > n:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    if gq is None and gr is None:
        return None
    if m >= n:
        return _qr_square_backward(gq, gr, q, r, ops)
    u, v = r[..., :, :m], r[..., :, m:]
    gu = None if gr is None else gr[..., :, :m]
    gv = None if gr is None else gr[..., :, m:]
    if gv is not None:
        y = q @ v  # the columns of A past the m-th
        gq = y @ ops.mH(gv) if gq is None else gq + y @ ops.mH(gv)
        gy = q @ gv
    else:
        gy = 0 * (q @ v)
    gx = _qr_square_backward(gq, gu, q, u, ops)
    return ops.cat([gx, gy], -1)


def _qr_square_jvp(da, q, r):
    """The tangents of ``Q`` and ``R`` (``m >= n``): ``Q^H dQ`` skew-Hermitian, ``dR R^-1``
    upper triangular with a real diagonal (``R``'s is real)."""
    xp = xp_of(da)
    dar = _solve(r, da, left=False)
    c = _mH(q) @ dar
    s = xp.tril(c, -1)
    u = c - (s - _mH(s))
    if c.dtype.kind == "c":
        u = u - _ArrayOps.diag_embed(1j * _ArrayOps.diag(c).imag)
    return dar - q @ u, u @ r


class LinalgQrBackward0(_Factors):
    """``linalg.qr``: one node for ``Q`` and ``R``; saves both (``Q`` empty for mode
    ``'r'``) and ``mode``."""

    _name = "LinalgQrBackward0"
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    _n_out = 2
    _primary = 1
    saves_output = "R"
    _NR = {"Q": 0, "R": 1}

    def forward(self, a, mode):
        xp = xp_of(a)
        self.mode = mode
        if mode == "r":
            r = _colmajor(xp.linalg.qr(a, mode="r"))
            q = xp.empty((0,), dtype=a.dtype)
        else:
            q, r = (_colmajor(x) for x in xp.linalg.qr(a, mode=mode))
        if self.needs_input_grad[0]:
            self.save(Q=q)
        self.others = LAST["others"] = {0: q}
        return r

    def backward(self, g):
        gq, gr = self._parts(g, "_accs")
        q, r = self.saved("Q"), self.saved("R")
        return (qr_backward(gq, gr, q, r, self.mode, _ArrayOps),)

    def backward_graph(self, g):
        gq, gr = self._parts(g, "_graph_parts")
        q, r = self.saved_tensor("Q"), self.saved_tensor("R")
        return (qr_backward(gq, gr, q, r, self.mode, _TensorOps),)

    def jvp(self, xs, out, tangents):
        """``R``'s tangent; ``Q``'s is left in ``LAST`` for the api (torch's
        ``linalg_qr_jvp``)."""
        q, r, da = self.others[0], out, tangents[0]
        if self.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr."
            )
        m, n = da.shape[-2:]
        if self.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        if m >= n:
            dq, dr = _qr_square_jvp(da, q, r)
        else:
            dq, du = _qr_square_jvp(da[..., :m], q, r[..., :m])
            dv = _mH(q) @ (da[..., m:] - dq @ r[..., m:])
            dr = xp_of(da).concatenate([du, dv], -1)
        LAST["tangents"] = {0: dq}
        return dr
