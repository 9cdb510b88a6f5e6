"""``gs.linalg.lstsq``: least squares, one ``LinalgLstsqBackward0`` node for the solution
and the residuals (the rank and the singular values carry no gradient), saving ``self``,
``b`` and ``solution`` as torch's.

The solution is the minimum-norm least-squares one, from the singular value decomposition
of each matrix: what LAPACK's ``gelsd``, ``gelss`` and (up to rounding) ``gelsy`` give
torch on the CPU. ``gelsy`` tells the rank by a condition estimate of a pivoted QR; here the
singular values tell it, under the same ``rcond``, which agrees wherever the rank is clear.
The residuals are the squared norms of the rows past ``n`` of ``Q^T B`` (``Q`` the complete
QR factor of ``A``), the rows LAPACK sums for torch.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..autograd import function as _function
from ..autograd.function import apply
from ..backend import fp_quiet, xp_of
from ..errors import scalar_type_name
from ._broadcast import unbroadcast
from ._graph import sum_to
from .api._common import _ReturnType
from .decompositions import _Factors, _mH, _mT, _svd, _tmT, pinv_backward, pinv_jvp, pinv_of

# What the last lstsq made beside its solution (residuals, rank, singular values, and under
# forward mode the residuals' tangent), for the api to take at once.
LAST: dict = {}

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LstsqResult(
    _ReturnType,
    namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"]),
):
    __slots__ = ()


LstsqResult.__name__ = LstsqResult.__qualname__ = "linalg_lstsq"


def _lapack_eps(dtype) -> float:
    """LAPACK's ``dlamch('E')``: half the dtype's epsilon (rounding to nearest)."""
    return float(np.finfo(dtype).eps) / 2


def _tolerance(s, rcond: float, driver: str, dtype):
    """The singular values at most this count as zero, as each LAPACK driver reads
    ``rcond``."""
    xp = xp_of(s)
    top = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,), s.dtype)
    if driver == "gelsd":  # dlalsd: an rcond outside (0, 1) is the machine precision
        rc = rcond if 0 < rcond < 1 else _lapack_eps(dtype)
        return rc * top
    if driver == "gelss":  # never below the safe minimum; a negative rcond is the precision
        rc = rcond if rcond >= 0 else _lapack_eps(dtype)
        return xp.maximum(rc * top, np.finfo(dtype).tiny)
    return rcond * top


def _default_pinv(a):
    """``linalg.pinv(A)`` with its default tolerances, as torch's backward takes it."""
    m, n = a.shape[-2:]
    return pinv_of(a, 0.0, float(np.finfo(a.dtype).eps) * max(m, n), False)


class LinalgLstsqBackward0(_Factors):
    """``linalg.lstsq``: the solution (output 0) and the residuals (output 1) of one node;
    saves ``self`` (A), ``b`` and ``solution``. ``vector``: ``b`` is a batch of vectors;
    ``batch``: the batch dims of the solution."""

    _name = "LinalgLstsqBackward0"
    complex_rule = "as_is"  # (its rule is written for complex matrices too)
    _n_out = 2
    saves_output = "solution"
    _NR = {"solution": 0, "residuals": 1}

    def forward(self, a, b, rcond, driver, vector, batch):
        xp = xp_of(a)
        self.vector = vector
        self.shapes = a.shape, b.shape
        m, n = a.shape[-2:]
        b2 = b[..., None] if vector else b
        nrhs = b2.shape[-1]
        real = a.real.dtype if a.dtype.kind == "c" else a.dtype
        k = min(m, n)
        if k:
            u, s, vh = _svd(a, False)
        else:
            u = xp.zeros(a.shape[:-2] + (m, 0), a.dtype)
            s = xp.zeros(a.shape[:-2] + (0,), real)
            vh = xp.zeros(a.shape[:-2] + (0, n), a.dtype)
        tol = _tolerance(s, rcond, driver, real)
        keep = s > tol
        rank = keep.sum(axis=-1).astype(np.int64)
        with fp_quiet():
            sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
            x = (_mH(vh) * sinv[..., None, :]) @ (_mH(u) @ b2)
        # LAPACK's layout, as torch's: the first n rows of a column-major max(m, n) x nrhs
        buf = xp.empty(batch + (nrhs, max(m, n)), a.dtype)
        full = _mT(buf)
        full[..., :n, :] = x
        x = full[..., :n, :]
        empty = xp.zeros((0,), real)
        residuals = empty
        if m > n and driver != "gelsy" and (driver == "gels" or bool((rank == n).all())):
            q = (
                xp.linalg.qr(a, mode="complete")[0]
                if n
                else xp.broadcast_to(xp.eye(m, dtype=a.dtype), a.shape[:-2] + (m, m))
            )
            c = (_mH(q) @ b2)[..., n:, :]
            c2 = (c * c.conj()).real if c.dtype.kind == "c" else c * c
            residuals = c2.sum(axis=-2).astype(real)
            if driver == "gels":  # LAPACK zeroes B for a zero matrix: no residual
                zero = ~(a != 0).any(axis=(-2, -1))
                residuals = xp.where(zero[..., None], 0, residuals).astype(real)
            out = xp.empty(batch + (nrhs,), real)  # (fresh strides, size-1 dims included)
            out[...] = residuals
            residuals = out
        x = x[..., 0] if vector else x
        if True in self.needs_input_grad:
            self.save(self=a, b=b)
        LAST["others"] = {1: residuals}
        LAST["rank"] = xp.zeros((0,), np.int64) if driver == "gels" else rank
        LAST["singular_values"] = s.astype(real) if driver in ("gelsd", "gelss") else empty
        self.residuals_out = residuals
        return x

    def _grads(self, gx, gl, a, b, x, ops, pinv_of_a):
        na, nb = self.needs_input_grad[:2]
        mt = ops.mH  # (the conjugate transpose, torch's mH)
        vec = self.vector
        bm = ops.unsq(b) if vec else b
        ga = gb = None
        if gx is not None:
            gxm = ops.unsq(gx) if vec else gx
            pinv = pinv_of_a(a)
            if na:
                ga = pinv_backward(gxm @ mt(bm), pinv, a, mt)
            if nb:
                gb = mt(pinv) @ gxm
                gb = ops.sq(gb) if vec else gb
        if gl is not None and ops.numel(gl):
            xm = ops.unsq(x) if vec else x
            r = a @ xm - bm
            glm = ops.unsq2(gl)
            if na:
                gal = 2 * ((glm * r) @ mt(xm))
                ga = gal if ga is None else ga + gal
            if nb:
                gbl = -2 * (glm * r)
                gbl = ops.sq(gbl) if vec else gbl
                gb = gbl if gb is None else gb + gbl
        ga = None if ga is None else ops.sum_to(ga, self.shapes[0])
        gb = None if gb is None else ops.sum_to(gb, self.shapes[1])
        return ga, gb

    def backward(self, g):
        gx, gl = self._parts(g, "_accs")
        a, b, x = self.saved("self"), self.saved("b"), self.saved("solution")
        return self._grads(gx, gl, a, b, x, _Arr, _default_pinv)

    def backward_graph(self, g):
        from ..linalg import pinv

        gx, gl = self._parts(g, "_graph_parts")
        a, b, x = (self.saved_tensor(k) for k in ("self", "b", "solution"))
        return self._grads(gx, gl, a, b, x, _Ten, pinv)

    def jvp(self, xs, out, tangents):
        """The solution's tangent; the residuals' is left in ``LAST`` for the api (torch's
        ``linalg_lstsq_solution_jvp`` and ``linalg_lstsq_residuals_jvp``)."""
        xp = xp_of(out)
        (a, b), (da, db) = xs[:2], tangents[:2]
        vec = self.vector
        bm = b[..., None] if vec else b
        dbm = None if db is None else (db[..., None] if vec else db)
        pinv = _default_pinv(a)
        dx = None
        if da is not None:
            dx = pinv_jvp(a, pinv, da) @ bm
        if dbm is not None:
            dx = pinv @ dbm if dx is None else dx + pinv @ dbm
        xm = out[..., None] if vec else out
        dx = xp.broadcast_to(dx, xm.shape) * 1
        res = self.residuals_out
        if res.size == 0:
            dl = res.copy()
        else:
            r = a @ xm - bm
            dr = -dbm if da is None else (da @ xm if dbm is None else da @ xm - dbm)
            rdr = (r.conj() * dr).real if r.dtype.kind == "c" else r * dr
            dl = 2 * rdr.sum(axis=-2)
            dl = xp.broadcast_to(dl, res.shape) * 1
        LAST["tangents"] = {1: dl}
        return dx[..., 0] if vec else dx


class _Arr:
    mT = staticmethod(_mT)
    mH = staticmethod(_mH)
    unsq = staticmethod(lambda x: x[..., None])
    unsq2 = staticmethod(lambda x: x[..., None, :])
    sq = staticmethod(lambda x: x[..., 0])
    sum_to = staticmethod(unbroadcast)
    numel = staticmethod(lambda x: x.size)


class _Ten:  # (real: create_graph refuses complex tensors)
    mT = staticmethod(_tmT)
    mH = staticmethod(_tmT)
    unsq = staticmethod(lambda x: x.unsqueeze(-1))
    unsq2 = staticmethod(lambda x: x.unsqueeze(-2))
    sq = staticmethod(lambda x: x.squeeze(-1))
    sum_to = staticmethod(sum_to)
    numel = staticmethod(lambda x: x.numel())


# ------------------------------------------------------------------------------ the api


def _batch_error(sa, sb):
    from .api._common import _broadcast_error

    class _S:
        def __init__(self, shape):
            self.shape = shape

    return _broadcast_error("linalg.lstsq", _S(sa), _S(sb))


def _broadcast(sa: tuple, sb: tuple) -> tuple:
    try:
        return tuple(np.broadcast_shapes(sa, sb))
    except ValueError:
        raise _batch_error(sa, sb) from None


def lstsq(A, B, rcond=None, *, driver=None) -> LstsqResult:  # noqa: N803 - torch's names
    """The least-squares solution ``X`` of ``A @ X = B`` for each matrix of ``A`` (the one
    of least norm where ``A`` lacks full rank), as a named tuple ``(solution, residuals,
    rank, singular_values)``: the squared residuals for ``m > n`` with ``A`` of full rank
    (not with ``gelsy``), the rank (not with ``gels``) and the singular values (``gelsd``
    and ``gelss`` only). ``B`` may be a batch of vectors."""
    a, b = A._data, B._data
    if a.ndim < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if b.ndim < 1:
        raise RuntimeError("torch.linalg.lstsq: other must have at least 1 dimension.")
    if a.dtype != b.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {scalar_type_name(a.dtype)} and other's dtype "
            f"{scalar_type_name(b.dtype)}"
        )
    dim_diff = a.ndim - b.ndim
    if not 0 <= dim_diff <= 1:
        raise RuntimeError(
            "torch.linalg.lstsq: input.dim() must be greater or equal to other.dim() and "
            "(input.dim() - other.dim()) <= 1"
        )
    vector = b.ndim == 1 or (dim_diff == 1 and b.shape == a.shape[:-1])
    b2_shape = b.shape + (1,) if vector else b.shape
    if a.shape[-2] != b2_shape[-2]:
        which = "-1" if vector else "-2"
        raise RuntimeError(f"torch.linalg.lstsq: input.size(-2) should match other.size({which})")
    if driver is not None and not isinstance(driver, str):
        raise TypeError(
            f"linalg_lstsq(): argument 'driver' must be str, not {type(driver).__name__}"
        )
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    if a.dtype.kind not in "fc" or a.dtype.itemsize < 4:
        raise RuntimeError("This function doesn't handle types other than float and double")
    if rcond is not None and (isinstance(rcond, bool) or not isinstance(rcond, (int, float))):
        raise TypeError(
            f"linalg_lstsq(): argument 'rcond' must be float, not {type(rcond).__name__}"
        )
    # torch broadcasts the batch dims of A with B's leading dims (all but the last one when
    # B has one dim fewer), then with B's own batch dims
    batch = _broadcast(a.shape[:-2], b.shape[:-1] if dim_diff == 1 else b.shape[:-2])
    batch = _broadcast(batch, b2_shape[:-2])
    m, n = a.shape[-2:]
    if rcond is None:
        rcond = float(np.finfo(a.dtype).eps) * max(m, n)
    solution = apply(LinalgLstsqBackward0, (A, B), float(rcond), driver, vector, batch)
    return LstsqResult(*_outputs(solution))


def _outputs(solution) -> tuple:
    """``(solution, residuals, rank, singular_values)``: the residuals through the node's
    output 1, the others without a gradient."""
    from ..tensor import Tensor

    others = LAST.pop("others")
    tangents = LAST.pop("tangents", None)
    rank = Tensor._make(LAST.pop("rank"), None)
    sv = Tensor._make(LAST.pop("singular_values"), None)
    node = solution._grad_fn
    residuals = Tensor._make(others[1], None)
    if node is not None:
        from .reduce import output_edge

        node.__dict__.pop("residuals_out", None)
        node.out_edges = [None, None]  # (weak references to the edges, as they are made)
        solution._grad_fn, residuals._grad_fn = output_edge(node, 0), output_edge(node, 1)
        residuals._rg = True
    if tangents is not None and _function._dual:
        from ..autograd import forward_ad as fw

        entry = solution.__dict__.get("_tangent")
        fw._set_tangent(residuals, tangents[1], (), None if entry is None else entry[3])
    return solution, residuals, rank, sv
