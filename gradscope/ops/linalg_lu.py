"""The LU factorisation and what uses it: ``linalg.lu_factor`` (``lu_factor_ex``),
``linalg.lu``, ``lu_unpack`` and ``linalg.lu_solve``, each with torch's node.

``LU`` packs the unit lower triangular ``L`` (below the diagonal) and ``U``; ``pivots`` are
one based and int32, as LAPACK's ``getrf`` leaves them, and ``A = P @ L @ U``, with ``L``
``m x k`` and ``U`` ``k x n`` for ``k = min(m, n)``.
"""

from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np

from ..autograd import function as _function
from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import scalar_type_name
from ..events.callsite import user_stacklevel
from . import decompositions as D
from ._broadcast import unbroadcast
from ._graph import sum_to
from .api._common import _ReturnType
from .decompositions import _Factors, _pivot_size
from .linalg_more import LAST, _mT, trisolve


def permutation(piv, m: int | None = None):
    """``P`` (``m x m``) with ``A = P L U`` from one-based ``pivots`` (the row swaps in
    order)."""
    xp = xp_of(piv)
    k = piv.shape[-1]
    m = k if m is None else m
    batch = piv.shape[:-1]
    perm = xp.broadcast_to(xp.arange(m), batch + (m,)).reshape(-1, m).copy()
    p = piv.reshape(-1, k).astype(np.intp) - 1
    rows = xp.arange(perm.shape[0])
    for j in range(k):
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p[:, j]]
        perm[rows, p[:, j]] = top
    # rows of P^T A are A's rows ``perm``: P^T = I[perm], so P[perm[i], i] = 1
    out = xp.zeros((perm.shape[0], m, m))
    out[rows[:, None], perm, xp.arange(m)[None, :]] = 1
    return out.reshape(batch + (m, m))


def unpack(lu, piv):
    """``(P, L, U)`` of a packed factorisation of ``m x n`` matrices: ``L`` is ``m x k``
    and ``U`` ``k x n``, ``k = min(m, n)``."""
    xp = xp_of(lu)
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
    return permutation(piv, m).astype(lu.dtype), low, xp.triu(lu[..., :k, :])


def pack(low, up, ops):
    """``L``'s strict lower part and ``U``'s upper one in one ``m x n`` matrix (zeros where
    neither reaches)."""
    m, k = low.shape[-2:]
    n = up.shape[-1]
    low = ops.tril(low, -1)
    up = ops.triu(up)
    if m > k:
        up = ops.cat([up, ops.zeros(up, tuple(up.shape[:-2]) + (m - k, n))], -2)
    if n > k:
        low = ops.cat([low, ops.zeros(low, tuple(low.shape[:-2]) + (m, n - k))], -1)
    return low + up


class _Arrays:
    mT = staticmethod(_mT)
    tril = staticmethod(lambda x, k=0: xp_of(x).tril(x, k))
    triu = staticmethod(lambda x, k=0: xp_of(x).triu(x, k))
    cat = staticmethod(lambda parts, dim: xp_of(parts[0]).concatenate(parts, dim))
    zeros = staticmethod(lambda like, shape: xp_of(like).zeros(shape, dtype=like.dtype))
    zeros_like = staticmethod(lambda x: xp_of(x).zeros_like(x))

    @staticmethod
    def tri(a, b, upper, left=True, unit=False):
        return trisolve(a, b, upper, left, unit)


class _Tensors:
    mT = staticmethod(lambda t: t.mT)
    tril = staticmethod(lambda x, k=0: x.tril(k))
    triu = staticmethod(lambda x, k=0: x.triu(k))

    @staticmethod
    def cat(parts, dim):
        from .api import cat

        return cat(parts, dim)

    @staticmethod
    def zeros(like, shape):
        from ..creation import zeros

        return zeros(*shape, dtype=like.dtype, device=like.device)

    @staticmethod
    def zeros_like(x):
        from ..creation import zeros_like

        return zeros_like(x)

    @staticmethod
    def tri(a, b, upper, left=True, unit=False):
        from .linalg_more import solve_triangular

        return solve_triangular(a, b, upper=upper, left=left, unitriangular=unit)


def lu_backward(gl, gu, p, low, up, ops):
    """torch's ``linalg_lu_backward``: for square matrices ``P L^-T (L^T gL o 1_L +
    gU U^T o 1_U) U^-T``, with the extra rows of a tall ``L`` or columns of a wide ``U``
    carried as torch carries them."""
    if gl is None and gu is None:
        return None
    m, k = low.shape[-2:]
    n = up.shape[-1]
    if m == n:
        ga = None if gl is None else ops.tril(ops.mT(low) @ gl, -1)
        if gu is not None:
            term = ops.triu(gu @ ops.mT(up))
            ga = term if ga is None else ga + term
        ga = ops.tri(ops.mT(up), ga, False, left=False)
        return p @ ops.tri(ops.mT(low), ga, True, unit=True)
    gl = ops.zeros_like(low) if gl is None else gl
    gu = ops.zeros_like(up) if gu is None else gu
    if m < n:  # wide: U = [U1 U2]
        ga = ops.mT(low) @ gl - ops.triu(gu) @ ops.mT(up)
        ga = ops.tri(ops.mT(up[..., :, :k]), ops.tril(ga, -1), False, left=False)
        ga = ops.cat([ga + ops.triu(gu[..., :, :k]), gu[..., :, k:]], -1)
        return p @ ops.tri(ops.mT(low), ga, True, unit=True)
    # tall: L = [L1; L2]
    ga = gu @ ops.mT(up) - ops.mT(low) @ ops.tril(gl, -1)
    ga = ops.tri(ops.mT(low[..., :k, :]), ops.triu(ga), True, unit=True)
    ga = ops.cat([ga + ops.tril(gl[..., :k, :], -1), gl[..., k:, :]], -2)
    return p @ ops.tri(ops.mT(up), ga, False, left=False)


def lu_jvp(da, p, low, up):
    """torch's ``linalg_lu_jvp``: with ``phi = L1^-1 (P^T dA)_1 U1^-1`` over the leading
    ``k x k`` blocks, ``dL1 = L1 tril(phi, -1)`` and ``dU1 = triu(phi) U1``; a tall ``L``'s
    extra rows and a wide ``U``'s extra columns follow from ``P^T dA = dL U + L dU``."""
    xp = xp_of(da)
    m, k = low.shape[-2:]
    n = up.shape[-1]
    pda = _mT(p) @ da
    phi = trisolve(low[..., :k, :], pda[..., :k, :k], False, unit=True)
    phi = trisolve(up[..., :, :k], phi, True, left=False)
    lo, hi = xp.tril(phi, -1), xp.triu(phi)
    dl = low[..., :k, :] @ lo
    du = hi @ up[..., :, :k]
    if m > k:
        dl2 = trisolve(up, pda[..., k:, :], True, left=False) - low[..., k:, :] @ hi
        dl = xp.concatenate([dl, dl2], -2)
    if n > k:
        du2 = trisolve(low, pda[..., :, k:], False, unit=True) - lo @ up[..., :, k:]
        du = xp.concatenate([du, du2], -1)
    return dl, du


def _lu_of(a):
    m, n = a.shape[-2:]
    if a.size == 0:  # nothing to factor: no pivots for an empty matrix, none to take
        xp = xp_of(a)
        piv = xp.broadcast_to(
            xp.arange(1, min(m, n) + 1, dtype=np.int32), a.shape[:-2] + (min(m, n),)
        )
        return a.copy(), piv.copy(), xp.zeros(a.shape[:-2], dtype=np.int32)
    lu, piv, info = D.lu_factor(a) if m == n else _lu_rectangular(a)
    return D._colmajor(lu), piv, info.astype(np.int32)


def _lu_rectangular(a):
    """``decompositions.lu_factor`` for ``m x n`` matrices: ``k = min(m, n)`` pivots."""
    xp = xp_of(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((-1, m, n)).copy()
    rows = xp.arange(lu.shape[0])
    piv = xp.empty((lu.shape[0], k), dtype=np.int32)
    info = xp.zeros(lu.shape[0], dtype=np.int64)
    with D.fp_quiet():
        for j in range(k):
            p = xp.argmax(_pivot_size(lu[:, j:, j]), axis=1) + j
            piv[:, j] = p + 1
            top = lu[rows, j].copy()
            lu[rows, j] = lu[rows, p]
            lu[rows, p] = top
            d = lu[:, j, j]
            zero = d == 0
            info = xp.where(zero & (info == 0), j + 1, info)
            lu[:, j + 1 :, j] /= xp.where(zero, 1, d)[:, None]
            lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 :]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


class LinalgLuFactorExBackward0(Function):
    """``linalg.lu_factor`` and ``lu_factor_ex``: the gradient reaches ``LU`` only; saves
    ``LU`` (the output's own bytes), ``pivots`` and ``pivot``."""

    _name = "LinalgLuFactorExBackward0"
    complex_rule = "no_grad"  # (computed for complex matrices; not differentiated)
    saves_output = "LU"

    def forward(self, a):
        lu, piv, info = _lu_of(a)
        self.pivot = True
        if self.needs_input_grad[0]:
            self.save(pivots=piv)
        LAST["pivots"], LAST["info"] = piv, info
        return lu

    def backward(self, g):
        p, low, up = unpack(self.saved("LU"), self.saved("pivots"))
        k = low.shape[-1]
        gl, gu = _Arrays.tril(g[..., :, :k], -1), _Arrays.triu(g[..., :k, :])
        return (lu_backward(gl, gu, p, low, up, _Arrays),)

    def backward_graph(self, g):
        p, low, up = lu_unpack(self.saved_tensor("LU"), self.saved_tensor("pivots"))
        k = low.shape[-1]
        gl, gu = g[..., :, :k].tril(-1), g[..., :k, :].triu()
        return (lu_backward(gl, gu, p.detach(), low, up, _Tensors),)

    def jvp(self, xs, out, tangents):
        dl, du = lu_jvp(tangents[0], *unpack(out, LAST["pivots"]))
        return pack(dl, du, _Arrays)


class LinalgLuBackward0(_Factors):
    """``linalg.lu``: one node for ``P``, ``L`` and ``U`` (``P`` has no gradient); saves
    the three and ``pivot``."""

    _name = "LinalgLuBackward0"
    _n_out = 2  # P is no output of the graph's: L is output 0 and U output 1, as in torch
    _primary = 1
    saves_output = "U"
    _NR = {"L": 0, "U": 1}

    def forward(self, a):
        lu, piv, _ = _lu_of(a)
        p, low, up = unpack(lu, piv)
        self.pivot = True
        if self.needs_input_grad[0]:
            self.save(P=p, L=low)
        LAST["others"] = {0: p, 1: low}
        return up

    def backward(self, g):
        gl, gu = self._parts(g, "_accs")
        p, low, up = (self.saved(k) for k in ("P", "L", "U"))
        return (lu_backward(gl, gu, p, low, up, _Arrays),)

    def backward_graph(self, g):
        gl, gu = self._parts(g, "_graph_parts")
        p, low, up = (self.saved_tensor(k) for k in ("P", "L", "U"))
        return (lu_backward(gl, gu, p.detach(), low, up, _Tensors),)

    def jvp(self, xs, out, tangents):
        """``U``'s tangent; ``L``'s is left in ``LAST`` for the api."""
        others = LAST["others"]
        dl, du = lu_jvp(tangents[0], others[0], others[1], out)
        LAST["tangents"] = {0: dl}
        return du


class LuUnpackBackward0(_Factors):
    """``lu_unpack``: one node for ``P``, ``L`` and ``U`` (``P`` has no gradient); keeps
    the sizes of ``LU_data``'s last two dims."""

    _name = "LuUnpackBackward0"
    _n_out = 2  # P is no output of the graph's: L is output 0 and U output 1, as in torch
    _primary = 1

    def forward(self, lu, piv):
        self.LU_data_sym_argsize_minus_1 = lu.shape[-1]
        self.LU_data_sym_argsize_minus_2 = lu.shape[-2]
        p, low, up = unpack(lu, piv)
        LAST["others"] = {0: p, 1: low}
        return up

    def _grad(self, gl, gu, ops):
        if gl is None and gu is None:
            return (None,)
        m, n = self.LU_data_sym_argsize_minus_2, self.LU_data_sym_argsize_minus_1
        k = min(m, n)
        like = gu if gl is None else gl
        batch = tuple(like.shape[:-2])
        gl = ops.zeros(like, batch + (m, k)) if gl is None else gl
        gu = ops.zeros(like, batch + (k, n)) if gu is None else gu
        return (pack(gl, gu, ops),)

    def backward(self, g):
        gl, gu = self._parts(g, "_accs")
        return self._grad(gl, gu, _Arrays)

    def backward_graph(self, g):
        gl, gu = self._parts(g, "_graph_parts")
        return self._grad(gl, gu, _Tensors)

    def jvp(self, xs, out, tangents):
        """``U``'s tangent; ``L``'s is left in ``LAST`` for the api."""
        xp = xp_of(out)
        k = out.shape[-2]
        LAST["tangents"] = {0: xp.tril(tangents[0][..., :, :k], -1)}
        return xp.triu(tangents[0][..., :k, :])


def _lu_solve(lu, piv, b, left: bool, adjoint: bool):
    if lu.size == 0 or b.size == 0:
        xp = xp_of(b)
        batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
        return xp.zeros(batch + b.shape[-2:], dtype=b.dtype)
    if left:
        return D.lu_solve(lu, piv, b, adjoint)
    return _mT(D.lu_solve(lu, piv, _mT(b), not adjoint))


class LinalgLuSolveBackward0(Function):
    """``linalg.lu_solve``: ``X`` with ``op(A) X = B`` (``left``) or ``X op(A) = B``,
    ``op`` transposing with ``adjoint``, from ``A``'s ``(LU, pivots)``; saves ``LU``,
    ``pivots``, the result, ``left`` and ``adjoint``."""

    _name = "LinalgLuSolveBackward0"
    saves_output = "result"
    _edges = 2  # run as (LU, B, pivots): the pivots get no edge, and are saved as they are

    def forward(self, lu, b, piv, left, adjoint):
        self.left, self.adjoint = left, adjoint
        self.shapes = lu.shape, b.shape
        if True in self.needs_input_grad:
            self.save(LU=lu, pivots=piv)
        return D._colmajor(_lu_solve(lu, piv, b, left, adjoint))  # (LAPACK's layout, as torch's)

    def _grad_a(self, gb, x, ops):
        """The gradient of ``A`` (``A = P L U``) from that of ``B``."""
        if self.left:
            return -(x @ ops.mT(gb)) if self.adjoint else -(gb @ ops.mT(x))
        return -(ops.mT(gb) @ x) if self.adjoint else -(ops.mT(x) @ gb)

    def backward(self, g):
        nlu, nb = self.needs_input_grad[:2]
        lu, piv, x = self.saved("LU"), self.saved("pivots"), self.saved("result")
        gb = _lu_solve(lu, piv, g, self.left, not self.adjoint)
        glu = None
        if nlu:
            ga = self._grad_a(gb, x, _Arrays)
            p, low, up = unpack(lu, piv)
            pga = _mT(p) @ ga
            glu = _Arrays.tril(pga @ _mT(up), -1) + _Arrays.triu(_mT(low) @ pga)
            glu = unbroadcast(glu, self.shapes[0])
        return glu, unbroadcast(gb, self.shapes[1]) if nb else None

    def backward_graph(self, g):
        nlu, nb = self.needs_input_grad[:2]
        lu, piv, x = (self.saved_tensor(k) for k in ("LU", "pivots", "result"))
        gb = lu_solve(lu, piv, g, left=self.left, adjoint=not self.adjoint)
        glu = None
        if nlu:
            ga = self._grad_a(gb, x, _Tensors)
            p, low, up = lu_unpack(lu, piv)
            pga = p.detach().mT @ ga
            glu = sum_to((pga @ up.mT).tril(-1) + (low.mT @ pga).triu(), self.shapes[0])
        return glu, sum_to(gb, self.shapes[1]) if nb else None

    def jvp(self, xs, out, tangents):
        # dX = op(A)^-1 (dB - op(dA) X) on the left, (dB - X op(dA)) op(A)^-1 on the right,
        # with dA = P (dL U + L dU)
        (lu, _, piv), (dlu, db) = xs, tangents[:2]
        da = None
        if dlu is not None:
            xp = xp_of(lu)
            p, low, up = unpack(lu, piv)
            da = p @ (xp.tril(dlu, -1) @ up + low @ xp.triu(dlu))
            da = _mT(da) if self.adjoint else da
            da = -(da @ out) if self.left else -(out @ da)
        rhs = da if db is None else db if da is None else db + da
        rhs = rhs * xp_of(out).ones_like(out)
        return _lu_solve(lu, piv, rhs, self.left, self.adjoint)


# ------------------------------------------------------------------------------ the api


class LuFactorResult(_ReturnType, namedtuple("linalg_lu_factor", ["LU", "pivots"])):
    __slots__ = ()


class LuFactorExResult(_ReturnType, namedtuple("linalg_lu_factor_ex", ["LU", "pivots", "info"])):
    __slots__ = ()


class LuResult(_ReturnType, namedtuple("linalg_lu", ["P", "L", "U"])):
    __slots__ = ()


class LuUnpackResult(_ReturnType, namedtuple("lu_unpack", ["P", "L", "U"])):
    __slots__ = ()


class LuWithInfoResult(_ReturnType, namedtuple("_lu_with_info", ["LU", "pivots", "info"])):
    __slots__ = ()


for _cls in (LuFactorResult, LuFactorExResult, LuResult, LuUnpackResult, LuWithInfoResult):
    _cls.__name__ = _cls.__qualname__ = _cls.__mro__[2].__name__


def _check_lu_input(name: str, A, pivot: bool = True) -> None:
    a = A._data
    if a.ndim < 2:
        raise RuntimeError(
            f"{name}: Expected tensor with 2 or more dimensions. Got size: [{', '.join(map(str, a.shape))}] instead"
        )
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    if a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{scalar_type_name(a.dtype)}'")


def _int_tensor(arr):
    from ..tensor import Tensor

    return Tensor._make(arr, None)


def lu_factor_ex(A, *, pivot: bool = True, check_errors: bool = False) -> LuFactorExResult:
    """``(LU, pivots, info)`` of each matrix of ``A``: ``info`` is the first zero on
    ``U``'s diagonal (one based; 0 for none)."""
    _check_lu_input("torch.lu_factor", A, pivot)
    lu = apply(LinalgLuFactorExBackward0, (A,))
    piv, info = LAST.pop("pivots"), LAST.pop("info")
    if check_errors and bool(info.any()):
        raise _singular_lu("torch.linalg.lu_factor_ex", info, A._data.ndim)
    return LuFactorExResult(lu, _int_tensor(piv), _int_tensor(info))


def _singular_lu(name: str, info, ndim: int):
    flat = np.asarray(info.tolist()).reshape(-1)
    bad = int(np.flatnonzero(flat)[0])
    k = int(flat[bad])
    where = f"(Batch element {bad}): " if ndim > 2 else ""
    return RuntimeError(
        f"{name}: {where}U[{k},{k}] is zero and using it on lu_solve would result in a "
        "division by zero. If you still want to perform the factorization, consider calling "
        "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
    )


def lu_factor(A, *, pivot: bool = True) -> LuFactorResult:
    """``(LU, pivots)`` of each matrix of ``A``, with ``A = P @ L @ U``; a zero on
    ``U``'s diagonal raises torch's error."""
    _check_lu_input("torch.lu_factor", A, pivot)
    lu = apply(LinalgLuFactorExBackward0, (A,))
    piv, info = LAST.pop("pivots"), LAST.pop("info")
    if bool(info.any()):
        raise _singular_lu("torch.linalg.lu_factor", info, A._data.ndim)
    return LuFactorResult(lu, _int_tensor(piv))


def _three(cls, inputs, result_cls, *args):
    """The ``(P, L, U)`` of one ``cls`` node: ``P`` without a gradient, ``L`` and ``U``
    through their own edges (outputs 0 and 1, as in torch)."""
    from ..tensor import Tensor

    up = apply(cls, inputs, *args)
    others = LAST.pop("others")
    tangents = LAST.pop("tangents", None)
    node = up._grad_fn
    p = Tensor._make(others[0], None)
    saved = {} if node is None else node._saved or {}
    if "L" in saved:
        low = Tensor._share(saved["L"].data, saved["L"].buffer, saved["L"].vc)
    else:
        low = Tensor._make(others[1], None)
    if node is not None:
        from .reduce import output_edge

        node.out_edges = [None, None]  # (weak references to the edges, as they are made)
        low._grad_fn, up._grad_fn = output_edge(node, 0), output_edge(node, 1)
        low._rg = up._rg = True
    if tangents is not None and _function._dual:
        from ..autograd import forward_ad as fw

        entry = up.__dict__.get("_tangent")
        fw._set_tangent(low, tangents[0], (), None if entry is None else entry[3])
        if "L" in saved:  # for L rebuilt from the node's saves
            entry = low.__dict__["_tangent"]
            kept = None if entry[3] is None else fw._Link(None, entry[3].deps)
            node.__dict__["_tangent_L"] = (*entry[:3], kept)
            fw._tracked.append(fw.weakref.ref(node))
    return result_cls(p, low, up)


def lu(A, *, pivot: bool = True) -> LuResult:
    """``(P, L, U)`` with ``A = P @ L @ U`` for each matrix of ``A``: ``P`` a
    permutation, ``L`` unit lower and ``U`` upper triangular."""
    _check_lu_input("linalg.lu", A, pivot)
    return _three(LinalgLuBackward0, (A,), LuResult)


def lu_unpack(LU_data, LU_pivots, unpack_data: bool = True, unpack_pivots: bool = True):  # noqa: N803
    """``(P, L, U)`` from ``lu_factor``'s ``(LU, pivots)``."""
    _check_lu_input("torch.lu_unpack", LU_data)
    if LU_pivots._data.dtype != np.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            "dtype.\nNote: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor"
        )
    return _three(LuUnpackBackward0, (LU_data,), LuUnpackResult, LU_pivots._data)


def lu_solve(LU, pivots, B, *, left: bool = True, adjoint: bool = False):  # noqa: N803
    """``X`` with ``A @ X = B`` (``left``) or ``X @ A = B`` (``A.mT`` for ``adjoint``) from
    ``A``'s ``lu_factor``; the batch dims broadcast."""
    from .linalg_api import _check_float, _check_matrix, _check_square, _lapack_dtype

    # torch's order: LU's dtype, B's, the pivots', then the shapes
    _check_float("torch.linalg.lu_solve", LU)
    if LU._data.dtype != B._data.dtype:
        raise RuntimeError(
            "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
            f"{scalar_type_name(LU._data.dtype)} and B of type "
            f"{scalar_type_name(B._data.dtype)} instead"
        )
    if pivots._data.dtype != np.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    _check_square("torch.linalg.lu_solve", LU)
    _check_matrix("linalg.lu_solve", B, "B")
    n, b = LU._data.shape[-1], B._data.shape
    if (b[-2] if left else b[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {b[-2]}x{b[-1]})"
        )
    _lapack_dtype("linalg.lu_solve_cpu", LU)
    return apply(LinalgLuSolveBackward0, (LU, B, pivots), bool(left), bool(adjoint))


def torch_lu_solve(b, LU_data, LU_pivots):  # noqa: N803 - torch's names
    """``gs.lu_solve`` (deprecated in torch, which warns): ``linalg.lu_solve(LU_data,
    LU_pivots, b)``."""
    warnings.warn(
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in "
        "a future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments "
        "reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
        "X = torch.linalg.lu_solve(LU, pivots, B)",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return lu_solve(LU_data, LU_pivots, b)


def torch_lu(A, pivot: bool = True, get_infos: bool = False):  # noqa: N803 - torch's names
    """``gs.lu`` and ``Tensor.lu`` (deprecated in torch, which warns): ``(LU, pivots)`` as a
    plain tuple, never raising for a singular matrix, or with ``get_infos`` a named tuple
    ``(LU, pivots, info)``."""
    warnings.warn(
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
        "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
        "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)"
        "\nshould be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, "
        "compute_pivots)",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    lu, piv, info = lu_factor_ex(A, pivot=pivot)
    return LuWithInfoResult(lu, piv, info) if get_infos else (lu, piv)
