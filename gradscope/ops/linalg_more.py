"""More of ``gs.linalg``'s nodes: ``matrix_exp``, the triangular and Cholesky solvers
(``solve_triangular``, ``triangular_solve``, ``cholesky_solve``, ``cholesky_inverse``).

Each works on a batch of matrices ``(..., n, n)`` on raw arrays and saves what torch's node
saves. The solvers substitute column by column, vectorised over the batch, so a zero on the
diagonal gives the infinities and NaN that LAPACK's ``trtrs`` gives torch, where NumPy's
``solve`` would raise. Their results are stored column by column, as LAPACK leaves
torch's: what a later ``view`` or ``reshape`` of them records (or refuses) depends on it.
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple

import numpy as np

from ..autograd import function as _function
from ..autograd.function import Function, apply
from ..backend import fp_quiet, xp_of
from ..errors import LinAlgError
from ..events.callsite import user_stacklevel
from ._broadcast import unbroadcast
from ._graph import sum_to
from ._jvp import terms
from .api._common import _ReturnType
from .decompositions import _colmajor, _Factors

# What the last ``triangular_solve`` made beside its solution (the copy of ``A``), for the
# api to take at once: the node is not kept when nothing needs a gradient.
LAST: dict = {}


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
    complex_rule = "conj"

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


# ------------------------------------------------------------------------------ triangular solves


def _broadcast_batch(a, b):
    """``a`` (``(..., n, n)``) and ``b`` (``(..., n, k)``) with their batch dims broadcast."""
    xp = xp_of(b)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return xp.broadcast_to(a, batch + a.shape[-2:]), xp.broadcast_to(b, batch + b.shape[-2:])


def trisolve(a, b, upper: bool, left: bool = True, unit: bool = False, trans: bool = False):
    """``X`` with ``op(T) X = B`` (``left``) or ``X op(T) = B``, ``T`` the ``upper`` or lower
    triangle of each matrix of ``a`` (its diagonal taken as ones with ``unit``) and ``op``
    transposing with ``trans``; the batch dims broadcast. By substitution, a column of
    ``T`` at a time over the whole batch."""
    if not left:  # X op(T) = B  <=>  op(T)^T X^T = B^T
        return _mT(trisolve(a, _mT(b), upper, True, unit, not trans))
    if trans:  # T^T is triangular the other way
        a, upper = _mT(a), not upper
    a, b = _broadcast_batch(a, b)
    n = a.shape[-1]
    x = b.astype(np.result_type(a.dtype, b.dtype), copy=True)
    with fp_quiet():
        steps = range(n - 1, -1, -1) if upper else range(n)
        for k in steps:
            if not unit:
                x[..., k, :] /= a[..., k, k, None]
            if upper:
                x[..., :k, :] -= a[..., :k, k, None] * x[..., k, None, :]
            else:
                x[..., k + 1 :, :] -= a[..., k + 1 :, k, None] * x[..., k, None, :]
    return x


def _triangle(x, upper: bool, unit: bool):
    """The part of ``x`` (an array or a tensor) that a triangular solve reads: the upper or
    lower triangle, without the diagonal for ``unit``."""
    if hasattr(x, "_data"):
        return x.triu(int(unit)) if upper else x.tril(-int(unit))
    xp = xp_of(x)
    return xp.triu(x, int(unit)) if upper else xp.tril(x, -int(unit))


class LinalgSolveTriangularBackward0(Function):
    """``linalg.solve_triangular``: saves ``A`` (as ``self``), the result, ``upper``,
    ``left`` and ``unitriangular``."""

    _name = "LinalgSolveTriangularBackward0"
    complex_rule = "conj"
    saves_output = "result"

    def forward(self, a, b, upper, left, unit):
        self.upper, self.left, self.unitriangular = upper, left, unit
        self.shapes = a.shape, b.shape
        self.b_dtype = b.dtype  # B is taken in A's dtype, its gradient given back in its own
        if True in self.needs_input_grad:
            self.save(self=a)
        return _colmajor(trisolve(a, b.astype(a.dtype, copy=False), upper, left, unit))

    def backward(self, g):
        na, nb = self.needs_input_grad
        a, x = self.saved("self"), self.saved("result")
        gb = trisolve(a, g, self.upper, self.left, self.unitriangular, trans=True)
        ga = None
        if na:
            ga = -(gb @ _mT(x)) if self.left else -(_mT(x) @ gb)
            ga = unbroadcast(_triangle(ga, self.upper, self.unitriangular), self.shapes[0])
        return ga, unbroadcast(gb, self.shapes[1]).astype(self.b_dtype, copy=False) if nb else None

    def backward_graph(self, g):
        na, nb = self.needs_input_grad
        a, x = self.saved_tensor("self"), self.saved_tensor("result")
        gb = solve_triangular(
            a.mT, g, upper=not self.upper, left=self.left, unitriangular=self.unitriangular
        )
        ga = None
        if na:
            ga = -(gb @ x.mT) if self.left else -(x.mT @ gb)
            ga = sum_to(_triangle(ga, self.upper, self.unitriangular), self.shapes[0])
        return ga, sum_to(gb, self.shapes[1]).to(self.b_dtype) if nb else None

    def jvp(self, xs, out, tangents):
        # dX = T^-1 (dB - dT X) on the left, (dB - X dT) T^-1 on the right
        xp = xp_of(out)
        (a, _), (ta, tb) = xs, tangents
        dt = None if ta is None else _triangle(ta, self.upper, self.unitriangular)
        rhs = terms(tb, None if dt is None else -(dt @ out if self.left else out @ dt))
        rhs = rhs.astype(out.dtype, copy=False) * xp.ones_like(out)
        return trisolve(a, rhs, self.upper, self.left, self.unitriangular)


class TriangularSolveBackward0(_Factors):
    """``triangular_solve`` (deprecated in torch): one node for ``solution`` and
    ``cloned_coefficient`` (``A`` broadcast to the batch and copied); saves ``b`` (as
    ``self``), ``A``, the solution, ``upper``, ``transpose`` and ``unitriangular``."""

    _name = "TriangularSolveBackward0"
    complex_rule = "no_grad"
    _n_out = 2
    saves_output = "solution"
    _NR = {"solution": 0}

    def forward(self, b, a, upper, transpose, unit):
        self.upper, self.transpose, self.unitriangular = upper, transpose, unit
        self.shapes = b.shape, a.shape
        if True in self.needs_input_grad:
            self.save(self=b, A=a)
        x = _colmajor(trisolve(a, b, upper, unit=unit, trans=transpose))
        LAST["coefficient"] = _colmajor(xp_of(a).broadcast_to(a, x.shape[:-2] + a.shape[-2:]))
        return x

    def _grads(self, g, gm, a, x, ops):
        nb, na = self.needs_input_grad
        gb = ga = None
        if g is not None:
            gb = ops.trisolve(a, g, self.upper, self.unitriangular, not self.transpose)
            if na:
                ga = -(x @ ops.mT(gb)) if self.transpose else -(gb @ ops.mT(x))
                ga = _triangle(ga, self.upper, self.unitriangular)
        if gm is not None and na:
            ga = gm if ga is None else ga + gm
        if gb is None and nb and gm is not None:  # torch's zeros for b, as A's copy had one
            gb = ops.zeros(x)
        return (
            None if gb is None or not nb else ops.sum_to(gb, self.shapes[0]),
            None if ga is None else ops.sum_to(ga, self.shapes[1]),
        )

    def backward(self, g):
        g, gm = self._parts(g, "_accs")
        return self._grads(g, gm, self.saved("A"), self.saved("solution"), _OnArrays)

    def backward_graph(self, g):
        g, gm = self._parts(g, "_graph_parts")
        a, x = self.saved_tensor("A"), self.saved_tensor("solution")
        return self._grads(g, gm, a, x, _OnTensors)

    def jvp(self, xs, out, tangents):
        (_, a), (tb, ta) = xs, tangents
        dt = None if ta is None else _triangle(ta, self.upper, self.unitriangular)
        if dt is not None and self.transpose:
            dt = _mT(dt)
        rhs = terms(tb, None if dt is None else -(dt @ out))
        rhs = rhs * xp_of(out).ones_like(out)
        return trisolve(a, rhs, self.upper, unit=self.unitriangular, trans=self.transpose)


class _OnArrays:
    mT = staticmethod(_mT)
    zeros = staticmethod(lambda x: xp_of(x).zeros_like(x))
    sum_to = staticmethod(unbroadcast)

    @staticmethod
    def trisolve(a, b, upper, unit, trans):
        return trisolve(a, b, upper, unit=unit, trans=trans)


class _OnTensors:
    mT = staticmethod(lambda t: t.mT)

    @staticmethod
    def zeros(x):
        from ..creation import zeros_like

        return zeros_like(x)

    sum_to = staticmethod(sum_to)

    @staticmethod
    def trisolve(a, b, upper, unit, trans):
        if trans:
            a, upper = a.mT, not upper
        return solve_triangular(a, b, upper=upper, unitriangular=unit)


def _cholesky_solve(b, l, upper: bool):
    """``X`` with ``(L L^T) X = B`` (``(U^T U) X = B`` with ``upper``)."""
    y = trisolve(l, b, upper, trans=upper)
    return trisolve(l, y, upper, trans=not upper)


class CholeskySolveBackward0(Function):
    """``cholesky_solve``: saves ``B`` (as ``self``), the factor (as ``input2``), the
    result and ``upper``."""

    _name = "CholeskySolveBackward0"
    saves_output = "result"

    def forward(self, b, l, upper):
        self.upper = upper
        self.shapes = b.shape, l.shape
        if True in self.needs_input_grad:
            self.save(self=b, input2=l)
        return _colmajor(_cholesky_solve(b, l, upper))

    def backward(self, g):
        nb, nl = self.needs_input_grad
        l, x = self.saved("input2"), self.saved("result")
        gb = _cholesky_solve(g, l, self.upper)
        gl = None
        if nl:
            common = gb @ _mT(x)
            common = common + _mT(common)
            gl = unbroadcast(-(l @ common) if self.upper else -(common @ l), self.shapes[1])
        return unbroadcast(gb, self.shapes[0]) if nb else None, gl

    def backward_graph(self, g):
        nb, nl = self.needs_input_grad
        l, x = self.saved_tensor("input2"), self.saved_tensor("result")
        gb = cholesky_solve(g, l, self.upper)
        gl = None
        if nl:
            common = gb @ x.mT
            common = common + common.mT
            gl = sum_to(-(l @ common) if self.upper else -(common @ l), self.shapes[1])
        return sum_to(gb, self.shapes[0]) if nb else None, gl

    def jvp(self, xs, out, tangents):
        # torch's cholesky_solve_jvp: dA = dK + dK^T, dK = dU^T U or dL L^T
        xp = xp_of(out)
        (_, l), (tb, tl) = xs, tangents
        da = None
        if tl is not None:
            dk = _mT(tl) @ l if self.upper else tl @ _mT(l)
            da = dk + _mT(dk)
        rhs = terms(tb, None if da is None else -(da @ out)) * xp.ones_like(out)
        return _cholesky_solve(rhs, l, self.upper)


def _zero_diagonal_error(name: str, l) -> LinAlgError | None:
    """torch's error for a factor with a zero on its diagonal (the first, and in which
    matrix of a batch), or None."""
    if l.size == 0:
        return None
    d = np.asarray(xp_of(l).diagonal(l, axis1=-2, axis2=-1).tolist()).reshape(-1, l.shape[-1])
    bad = np.argwhere(d == 0)
    if not len(bad):
        return None
    b, k = bad[0]
    where = f"(Batch element {b}): " if l.ndim > 2 else ""
    return LinAlgError(
        f"{name}: {where}The diagonal element {k + 1} is zero, the inversion could not be "
        "completed because the input matrix is singular."
    )


class CholeskyInverseBackward0(Function):
    """``cholesky_inverse``: saves the factor (as ``self``), the result and ``upper``."""

    _name = "CholeskyInverseBackward0"
    saves_output = "result"

    def forward(self, l, upper):
        self.upper = upper
        err = _zero_diagonal_error("cholesky_inverse", l)
        if err is not None:
            raise err
        if self.needs_input_grad[0]:
            self.save(self=l)
        eye = xp_of(l).eye(l.shape[-1], dtype=l.dtype)
        return _colmajor(_cholesky_solve(xp_of(l).broadcast_to(eye, l.shape), l, upper))

    def backward(self, g):
        l, inv = self.saved("self"), self.saved("result")
        common = inv @ ((g + _mT(g)) @ inv)
        return (-(l @ common) if self.upper else -(common @ l),)

    def backward_graph(self, g):
        l, inv = self.saved_tensor("self"), self.saved_tensor("result")
        common = inv @ ((g + g.mT) @ inv)
        return (-(l @ common) if self.upper else -(common @ l),)

    def jvp(self, xs, out, tangents):
        # torch's cholesky_inverse_jvp
        l, dl = xs[0], tangents[0]
        cf, dcf = (l, _mT(dl)) if self.upper else (_mT(l), dl)
        part = -(out @ dcf @ cf @ out)
        return part + _mT(part)


# ------------------------------------------------------------------------------ the api


def _checks():
    from . import linalg_api

    return linalg_api


def _not_implemented(kernel: str, *tensors) -> None:
    """torch's error for an integer, boolean or half-precision operand: its kernel has no
    such dtype."""
    from ..errors import scalar_type_name

    for t in tensors:
        if t._data.dtype.kind not in "fc" or t._data.dtype == np.float16:
            raise NotImplementedError(
                f"\"{kernel}\" not implemented for '{scalar_type_name(t._data.dtype)}'"
            )


def _batch_broadcast(b_batch: tuple, a_batch: tuple) -> None:
    """torch's ``infer_size`` error when the batch dims of ``b`` and ``A`` do not broadcast."""
    nd = max(len(b_batch), len(a_batch))
    for i in range(nd - 1, -1, -1):
        k = nd - 1 - i
        x = b_batch[len(b_batch) - 1 - k] if k < len(b_batch) else 1
        y = a_batch[len(a_batch) - 1 - k] if k < len(a_batch) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i}"
            )


def _solver_checks(name: str, b, a) -> None:
    """The checks of torch's ``linearSolveCheckInputs`` and batch broadcasting, for the
    solvers that take ``(b, A)``."""
    from ..errors import scalar_type_name

    bd, ad = b._data, a._data
    if bd.dtype != ad.dtype:
        raise RuntimeError(
            "Expected b and A to have the same dtype, but found b of type "
            f"{scalar_type_name(bd.dtype)} and A of type {scalar_type_name(ad.dtype)} instead."
        )
    m, n = ad.shape[-2:]
    if m != n:
        raise RuntimeError(
            f"A must be batches of square matrices, but they are {m} by {n} matrices"
        )
    if bd.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for {name}: each A matrix is {n} by {n} but each b "
            f"matrix is {bd.shape[-2]} by {bd.shape[-1]}"
        )
    _batch_broadcast(bd.shape[:-2], ad.shape[:-2])


def matrix_exp(A):
    """``exp(A)`` of each square matrix of ``A`` (``(..., n, n)``): ``sum_k A^k / k!``."""
    _checks()._square_float("linalg.matrix_exp", A)
    return apply(LinalgMatrixExpBackward0, (A,))


def solve_triangular(A, B, *, upper=None, left: bool = True, unitriangular: bool = False):
    """``X`` with ``A @ X = B`` (``left``) or ``X @ A = B`` for each triangular ``A`` (its
    ``upper`` or lower triangle is read; its diagonal is taken as ones with
    ``unitriangular``); the batch dims broadcast. ``B`` is taken in ``A``'s dtype."""
    if upper is None:
        raise TypeError(
            'linalg_solve_triangular() missing 1 required positional arguments: "upper"'
        )
    L = _checks()
    L._check_matrix("linalg.solve_triangular", A)
    L._check_matrix("linalg.solve_triangular", B, "B")
    L._check_square("linalg.solve_triangular", A)
    a, b = A._data, B._data
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {b.shape[-2]}x{b.shape[-1]})"
        )
    _batch_broadcast(b.shape[:-2], a.shape[:-2])
    _not_implemented("triangular_solve_cpu", A)  # (B is taken in A's dtype, an integer B too)
    return apply(
        LinalgSolveTriangularBackward0, (A, B), bool(upper), bool(left), bool(unitriangular)
    )


def cholesky_solve(B, L, upper: bool = False):
    """``X`` with ``A @ X = B`` for ``A = L @ L.mT`` (``U.mT @ U`` with ``upper``) given its
    Cholesky factor ``L``; the batch dims broadcast."""
    if B._data.ndim < 2:
        raise RuntimeError(
            f"b should have at least 2 dimensions, but has {B._data.ndim} dimensions instead"
        )
    if L._data.ndim < 2:
        raise RuntimeError(
            f"u should have at least 2 dimensions, but has {L._data.ndim} dimensions instead"
        )
    _solver_checks("cholesky_solve", B, L)
    _not_implemented("cholesky_solve_cpu", B)
    return apply(CholeskySolveBackward0, (B, L), bool(upper))


def cholesky_inverse(L, upper: bool = False):
    """The inverse of ``A = L @ L.mT`` (``U.mT @ U`` with ``upper``) for each Cholesky factor
    ``L`` of a batch; a zero on ``L``'s diagonal raises ``LinAlgError``."""
    C = _checks()
    C._check_square("cholesky_inverse", L)
    _not_implemented("cholesky_inverse_out_cpu", L)
    return apply(CholeskyInverseBackward0, (L,), bool(upper))


class TriangularSolveResult(
    _ReturnType, namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
):
    __slots__ = ()


TriangularSolveResult.__name__ = TriangularSolveResult.__qualname__ = "triangular_solve"


def triangular_solve(b, A, upper: bool = True, transpose: bool = False, unitriangular=False):
    """``(solution, cloned_coefficient)``: ``X`` with ``op(A) @ X = b`` for each triangular
    ``A`` (``op`` transposing with ``transpose``), and a copy of ``A`` broadcast to the
    batch. Deprecated in torch for ``linalg.solve_triangular``, and warns as torch does."""
    warnings.warn(
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
        "and will be removed in a future PyTorch release.\n"
        "torch.linalg.solve_triangular has its arguments reversed and does not return a copy "
        "of one of the inputs.\nX = torch.triangular_solve(B, A).solution\nshould be replaced "
        "with\nX = torch.linalg.solve_triangular(A, B).",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    for t, arg in ((b, "b"), (A, "A")):
        if t._data.ndim < 2:
            raise RuntimeError(
                f"torch.triangular_solve: Expected {arg} to have at least 2 dimensions, but it "
                f"has {t._data.ndim} dimensions instead"
            )
    _solver_checks("triangular_solve", b, A)
    _not_implemented("triangular_solve_cpu", b)
    args = bool(upper), bool(transpose), bool(unitriangular)
    x = apply(TriangularSolveBackward0, (b, A), *args)
    coefficient = LAST.pop("coefficient")
    node = x._grad_fn
    from ..tensor import Tensor

    if _function._dual:  # the copy's tangent is A's, broadcast: a clone carries it
        shape = tuple(x.shape[:-2]) + tuple(A.shape[-2:])
        return TriangularSolveResult(x, A.expand(shape).clone())
    if node is None:
        return TriangularSolveResult(x, Tensor._make(coefficient, None))
    from .reduce import output_edge

    m = Tensor._make(coefficient, node)
    node.out_edges = [None, None]  # (weak references to the edges, as they are made)
    x._grad_fn, m._grad_fn = output_edge(node, 0), output_edge(node, 1)
    x._rg = m._rg = True
    return TriangularSolveResult(x, m)
