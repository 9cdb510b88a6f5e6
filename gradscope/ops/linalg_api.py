"""The functions of ``gs.linalg`` beyond ``vector_norm``, with torch's checks and errors.

Where torch records a node of its own (``LinalgInvExBackward0``, ``LinalgDetBackward0``
...) the function runs that node; where torch composes other ops (``matrix_norm``,
``matrix_power``, ``multi_dot``, ``vecdot``, ``svdvals``'s norms, ``cond``) it composes
gradscope's, so that the graph is torch's.
"""

from __future__ import annotations

import math
import warnings
from collections import namedtuple

import numpy as np

from ..autograd import function as _function
from ..autograd.function import apply
from ..errors import py_type_name, scalar_type_name, shape_str
from ..events.callsite import user_stacklevel
from . import api as F
from . import decompositions as D
from .api._common import _ReturnType, _Scalar


class SlogdetResult(_ReturnType, namedtuple("linalg_slogdet", ["sign", "logabsdet"])):
    __slots__ = ()


class TorchSlogdetResult(_ReturnType, namedtuple("slogdet", ["sign", "logabsdet"])):
    __slots__ = ()


SlogdetResult.__name__ = SlogdetResult.__qualname__ = "linalg_slogdet"
TorchSlogdetResult.__name__ = TorchSlogdetResult.__qualname__ = "slogdet"


# ------------------------------------------------------------------------------ checks


def _check_matrix(name: str, a, arg: str = "A") -> None:
    if a._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _check_square(name: str, a, arg: str = "A") -> None:
    _check_matrix(name, a, arg)
    m, n = a._data.shape[-2:]
    if m != n:
        raise RuntimeError(
            f"{name}: {arg} must be batches of square matrices, but they are {m} by {n} matrices"
        )


def _check_float(name: str, a) -> None:
    kind = a._data.dtype
    if kind.kind not in "fc":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. "
            f"Got {scalar_type_name(kind)}"
        )


def _check_low_precision(name: str, a) -> None:
    if a._data.dtype == np.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")


def _square_float(name: str, a) -> None:
    _check_square(name, a)
    _check_float(name, a)


# ------------------------------------------------------------------------------ inverse, det


class InvExResult(_ReturnType, namedtuple("linalg_inv_ex", ["inverse", "info"])):
    __slots__ = ()


class SolveExResult(_ReturnType, namedtuple("linalg_solve_ex", ["result", "info"])):
    __slots__ = ()


class CholeskyExResult(_ReturnType, namedtuple("linalg_cholesky_ex", ["L", "info"])):
    __slots__ = ()


for _cls in (InvExResult, SolveExResult, CholeskyExResult):
    _cls.__name__ = _cls.__qualname__ = _cls.__mro__[2].__name__


def _info():
    """The ``info`` the last ``inv``, ``solve`` or ``cholesky`` node left (int32)."""
    return F.Tensor._make(D.LAST.pop("info"), None)


def inv(A):
    """The inverse of each square matrix of ``A`` (``(..., n, n)``); a singular matrix
    raises ``LinAlgError``."""
    _square_float("linalg.inv", A)
    _check_low_precision("linalg.inv", A)
    out = apply(D.LinalgInvExBackward0, (A,))
    D.LAST.pop("info", None)
    return out


def inv_ex(A, *, check_errors: bool = False) -> InvExResult:
    """``(inverse, info)``: as ``inv``, but a singular matrix gives infinities and its
    ``info`` (int32, per matrix) the first zero on the diagonal of its LU factor's ``U``
    (one based; 0 for none); ``check_errors`` raises ``LinAlgError`` instead."""
    _square_float("linalg.inv", A)
    _check_low_precision("linalg.inv", A)
    out = apply(D.LinalgInvExBackward0, (A,), "linalg.inv_ex", bool(check_errors))
    return InvExResult(out, _info())


def det(A):
    """The determinant of each square matrix of ``A``."""
    _square_float("linalg.det", A)
    _lapack_dtype("lu_cpu", A)
    return apply(D.LinalgDetBackward0, (A,))


def _slogdet(name: str, A) -> tuple:
    _square_float(name, A)
    _check_low_precision(name, A)
    logabsdet = apply(D.LinalgSlogdetBackward0, (A,))
    node = logabsdet._grad_fn
    if node is None:
        return F.Tensor._make(_sign_of(A), None), logabsdet
    sign_out = node.sign_out
    del node.sign_out
    if _function._dual:  # logabsdet's tangent is the node's own; the sign is a constant
        return F.Tensor._make(sign_out, None), logabsdet
    from .reduce import output_edge

    sign = F.Tensor._make(sign_out, node)
    node.out_edges = [None, None]  # (weak references to the edges, as they are made)
    sign._grad_fn, logabsdet._grad_fn = output_edge(node, 0), output_edge(node, 1)
    return sign, logabsdet


def _sign_of(A):
    xp = D.xp_of(A._data)
    return xp.linalg.slogdet(A._data)[0].astype(A._data.dtype)


def slogdet(A) -> SlogdetResult:
    """``(sign, logabsdet)`` of each square matrix of ``A``: its determinant is
    ``sign * exp(logabsdet)``; only ``logabsdet`` carries a gradient."""
    return SlogdetResult(*_slogdet("linalg.slogdet", A))


def torch_slogdet(A) -> TorchSlogdetResult:
    """``gs.slogdet``: as ``gs.linalg.slogdet``."""
    return TorchSlogdetResult(*_slogdet("linalg.slogdet", A))


def logdet(A):
    """The log of each matrix's determinant: NaN where it is negative."""
    _square_float("logdet", A)
    _check_low_precision("logdet", A)
    sign, logabsdet = _slogdet("linalg.slogdet", A)
    if A.is_complex():  # the sign's angle is the imaginary part
        return sign.log() + logabsdet
    return F.where(sign == -1.0, math.nan, logabsdet)


# ------------------------------------------------------------------------------ solve


def solve(A, B, *, left: bool = True):
    """``X`` with ``A @ X = B`` (``left``) or ``X @ A = B``, for each square ``A`` of a
    batch; ``B`` may be a batch of vectors. A singular ``A`` raises ``LinAlgError``."""
    vector = _check_solve(A, B, left)
    out = apply(D.LinalgSolveExBackward0, (A, B), bool(left), vector)
    D.LAST.pop("info", None)
    return out


def solve_ex(A, B, *, left: bool = True, check_errors: bool = False) -> SolveExResult:
    """``(result, info)``: as ``solve``, but a singular ``A`` gives infinities and its
    ``info`` (int32, per matrix of ``A``) the first zero on the diagonal of its LU factor's
    ``U`` (one based; 0 for none); ``check_errors`` raises ``LinAlgError`` instead."""
    vector = _check_solve(A, B, left)
    out = apply(
        D.LinalgSolveExBackward0,
        (A, B),
        bool(left),
        vector,
        "torch.linalg.solve_ex",
        bool(check_errors),
    )
    return SolveExResult(out, _info())


def _check_solve(A, B, left: bool) -> bool:
    """torch's checks of ``solve``'s operands; True when ``B`` is a batch of vectors."""
    _check_float("linalg.solve", A)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{scalar_type_name(A._data.dtype)} and B of type "
            f"{scalar_type_name(B._data.dtype)} instead"
        )
    a, b = A._data, B._data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    _check_square("linalg.solve", A)
    bshape = b.shape + (1,) if vector else b.shape
    if len(bshape) < 2:
        raise RuntimeError("linalg.solve: The input tensor B must have at least 2 dimensions.")
    n = a.shape[-1]
    if (bshape[-2] if left else bshape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {bshape[-2]}x{bshape[-1]})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], bshape[:-2])
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({a.shape[-3]}) must match the size of tensor b "
            f"({bshape[-3]}) at non-singleton dimension 0"
        ) from None
    _lapack_dtype("lu_cpu", A)
    return vector


# ------------------------------------------------------------------------------ norms


def _ord_text(ord) -> str:
    f = float(ord)
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return str(int(f)) if f == int(f) else repr(f)


def _wrap(d: int, ndim: int) -> int:
    return F._dim(d, ndim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):  # noqa: A002
    """The ``ord`` norm of each matrix of ``A`` over the two dims ``dim``: ``"fro"``,
    ``"nuc"`` (the sum of the singular values), 2 or -2 (the largest or smallest singular
    value), or 1, -1, inf, -inf (the largest or smallest column or row sum of absolute
    values)."""
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        if ord == "nuc":
            return _svd_norm(A, ord, dim, keepdim, dtype)
        _matrix_dims(A, dim)
        return F.vector_norm(A, 2, list(dim), keepdim, dtype=dtype)
    if not isinstance(ord, _Scalar):
        raise TypeError(
            f"linalg_matrix_norm(): argument 'ord' must be Number, not {type(ord).__name__}"
        )
    a = abs(float(ord))
    if a not in (1.0, 2.0, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {_ord_text(ord)} not supported.")
    if a == 2.0:
        return _svd_norm(A, ord, dim, keepdim, dtype)
    d0, d1 = _matrix_dims(A, dim)
    if a == math.inf:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    rows = F.vector_norm(A, 1.0, [d0], keepdim, dtype=dtype)
    return F.amax(rows, d1, keepdim) if float(ord) > 0 else F.amin(rows, d1, keepdim)


def _matrix_dims(A, dim, half: bool = True) -> tuple:
    """``dim`` wrapped, after torch's checks of ``A`` (``half``: half precision allowed)
    and ``dim``."""
    _check_matrix("linalg.matrix_norm", A)
    _check_float("linalg.matrix_norm", A)
    if not half:
        _check_low_precision("linalg.matrix_norm", A)
    dim = tuple(dim)
    if len(dim) != 2:
        got = " ".join(str(d) for d in dim)
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    d0, d1 = (_wrap(d, A._data.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """``linalg.norm``: a matrix norm over two dims (``dim`` of two, or a 2-D ``A`` with
    ``ord`` given), else a vector norm."""
    if type(dim) is int:
        dim = (dim,)
    ndim = A._data.ndim
    if dim is not None:
        dim = tuple(dim)
        if len(dim) not in (1, 2):
            got = "[" + ", ".join(str(d) for d in dim) + "]"
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {got}"
            )
    elif ord is not None and ndim not in (1, 2):
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {ndim}D."
        )
    if isinstance(ord, str) or (
        ord is not None and ((dim is not None and len(dim) == 2) or (dim is None and ndim == 2))
    ):
        return matrix_norm(A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    return F.vector_norm(A, 2.0 if ord is None else ord, dim, keepdim, dtype=dtype)


# ------------------------------------------------------------------------------ products


def matrix_power(A, n: int):
    """``A`` multiplied by itself ``n`` times (its inverse's ``-n`` times for ``n < 0``; the
    identity for 0), by repeated squaring as torch."""
    if isinstance(n, bool) or not hasattr(type(n), "__index__"):
        raise TypeError(
            f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {py_type_name(n)}"
        )
    _check_square("linalg.matrix_power", A)
    if n == 0:
        from ..creation import eye

        eye_ = eye(A.shape[-1], dtype=A.dtype, device=A.device)
        return F.copy_(A.clone(), eye_.expand(tuple(A.shape)))
    if n < 0:
        A, n = inv(A), -n
        if n == 1:  # torch hands the inverse back itself
            return A
    if n == 1:
        return A.clone()
    if n == 2:
        return F.matmul(A, A)
    if n == 3:
        return F.matmul(F.matmul(A, A), A)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = A if z is None else F.matmul(z, z)
        if bit:
            result = z if result is None else F.matmul(result, z)
    return result


def multi_dot(tensors):
    """The product of a chain of matrices in the order that costs the fewest
    multiplications; the first and last may be vectors."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    ts = list(tensors)
    out_shape = []
    first, last = ts[0], ts[-1]
    if first.ndim == 1:
        ts[0] = F.unsqueeze(first, 0)
    elif first.ndim == 2:
        out_shape.append(first.shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim == 1:
        ts[-1] = F.unsqueeze(last, -1)
    elif last.ndim == 2:
        out_shape.append(last.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i in range(1, n - 1):
        if ts[i].ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {ts[i].ndim}D")
    dtype = ts[0]._data.dtype
    for i in range(1, n):
        if ts[i]._data.dtype != dtype:
            raise RuntimeError(
                "multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_c_name(dtype)} and tensor {i} {_c_name(ts[i]._data.dtype)}"
            )
    for i in range(n - 1):
        if ts[i].shape[-1] != ts[i + 1].shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes "
                f"{shape_str(tuple(tensors[i].shape))} and "
                f"{shape_str(tuple(tensors[i + 1].shape))} cannot be multiplied"
            )
    if n == 2:
        return F.mm(ts[0], ts[1]).view(*out_shape)
    if n == 3:
        a, b = ts[0].shape[0], ts[1].shape[0]
        c, d = ts[2].shape
        if a * c * (b + d) > b * d * (a + c):
            return F.mm(ts[0], F.mm(ts[1], ts[2])).view(*out_shape)
        return F.mm(F.mm(ts[0], ts[1]), ts[2]).view(*out_shape)
    split = _chain_order([t.shape[0] for t in ts] + [ts[-1].shape[1]])
    return _chain(ts, split, 0, n - 1).view(*out_shape)


def _c_name(dtype) -> str:
    """The C name torch's multi_dot error gives a dtype (``float``, ``double``)."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        str(dtype), str(dtype)
    )


def _chain_order(p: list) -> list:
    """Where to split each sub-chain ``i..j``, by the textbook dynamic programme (ties to
    the first split, as torch's)."""
    n = len(p) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain(ts: list, split: list, i: int, j: int):
    if i == j:
        return ts[i]
    k = split[i][j]
    return F.mm(_chain(ts, split, i, k), _chain(ts, split, k + 1, j))


def vecdot(x, y, *, dim: int = -1):
    """The dot product of ``x`` and ``y`` (broadcast) along ``dim``, ``x`` conjugated."""
    _check_float("linalg.vecdot", x)
    if x._data.dtype != y._data.dtype:
        raise RuntimeError(
            "linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
            f"{scalar_type_name(x._data.dtype)} and y of type "
            f"{scalar_type_name(y._data.dtype)} instead"
        )
    return F.sum(F.mul(F.conj(x), y), dim)  # x conjugated, as torch


def matmul(input, other):  # noqa: A002 - torch's names
    """``linalg.matmul``: ``gs.matmul``."""
    return F.matmul(input, other)


def diagonal(A, *args, offset: int = 0, dim1: int = -2, dim2: int = -1):  # noqa: N803
    """``linalg.diagonal``: ``gs.diagonal`` over the last two dims by default (its options
    by keyword only)."""
    if args:
        raise TypeError(
            f"linalg_diagonal() takes 1 positional argument but {1 + len(args)} were given"
        )
    return F.diagonal(A, offset, dim1, dim2)


def vander(x, N=None):  # noqa: N803 - torch's names
    """The Vandermonde matrix of ``x``'s last dim: columns ``x**0 .. x**(N-1)`` (``N``
    defaults to the size of that dim), composed as torch's: a row of ones beside the
    running product of ``x`` repeated."""
    dt = x._data.dtype
    if not (dt.kind in "iu" or str(dt) in ("float32", "float64", "complex64", "complex128")):
        raise RuntimeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got "
            f"{scalar_type_name(dt)}"
        )
    x_ = F.unsqueeze(x, -1) if x._data.ndim == 0 else x
    shape = list(x_.shape)
    n = shape[-1] if N is None else int(N)
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    shape.append(n - 1)
    result = F.cumprod(F.unsqueeze(x_, -1).expand(*shape), -1)
    shape[-1] = 1
    return F.cat([result.new_ones(shape), result], -1)


def _slice_check(n: int, size: int) -> None:
    if n > size:
        raise RuntimeError(f"ArrayRef: invalid slice, N = {n}; size = {size}")


def tensorinv(A, ind: int = 2):  # noqa: N803 - torch's name
    """The inverse of ``A`` for ``tensordot`` over ``ind`` dims: ``A`` reshaped to a square
    matrix (``prod(shape[:ind])`` rows), inverted, and reshaped to
    ``shape[ind:] + shape[:ind]``, as torch composes it."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = tuple(A.shape)
    _slice_check(ind, len(shape))
    end, start = shape[ind:], shape[:ind]
    pe, ps = math.prod(end), math.prod(start)
    if pe != ps:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {pe} != {ps}"
        )
    result, info = inv_ex(A.reshape(pe, pe))
    bad = int(info.item())
    if bad:
        raise D.LinAlgError(
            f"inv: The diagonal element {bad} is zero, the inversion could not be completed "
            "because the input matrix is singular."
        )
    return result.reshape(end + start)


def tensorsolve(A, B, dims=None):  # noqa: N803 - torch's names
    """``X`` with ``tensordot(A, X, X.ndim) = B``: ``A`` (its ``dims`` moved to the end)
    reshaped to a square matrix and solved against ``B`` flattened, as torch composes it."""
    ndim = A._data.ndim
    a = A
    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        a = F.movedim(a, dims, list(range(ndim - len(dims), ndim)))
    k = B._data.ndim
    _slice_check(k, ndim)
    result_shape = tuple(a.shape)[k:]
    rp, bp = math.prod(result_shape), math.prod(tuple(B.shape))
    if rp != bp:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {rp} != {bp}"
        )
    return solve(a.reshape(rp, rp), B.flatten()).reshape(result_shape)


def cross(input, other, *, dim: int = -1):  # noqa: A002 - torch's names
    """The cross product of 3-vectors along ``dim`` of ``input`` and ``other`` (broadcast)."""
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. "
            f"Got {a.shape[d]} and {b.shape[d]}"
        )
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise F._broadcast_error("linalg.cross", input, other) from None
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(a.dtype)} but found "
            f"{scalar_type_name(b.dtype)}"
        )
    return apply(D.LinalgCrossBackward0, (input, other), dim)


def torch_cross(input, other, dim: int | None = None):  # noqa: A002 - torch's names
    """``gs.cross``: as ``linalg.cross``; without ``dim``, along the first dim of size 3
    (deprecated in torch, which warns)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\n"
            "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
            "The default value of dim will change to agree with that of linalg.cross in a "
            "future release.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        sizes = input._data.shape
        dim = next((i for i, s in enumerate(sizes) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return cross(input, other, dim=dim)


# ------------------------------------------------------------------------------ svd


class SvdResult(_ReturnType, namedtuple("linalg_svd", ["U", "S", "Vh"])):
    __slots__ = ()


class TorchSvdResult(_ReturnType, namedtuple("svd", ["U", "S", "V"])):
    __slots__ = ()


SvdResult.__name__ = SvdResult.__qualname__ = "linalg_svd"
TorchSvdResult.__name__ = TorchSvdResult.__qualname__ = "svd"


# the dtypes whose machine epsilon torch's default tolerances know (real ones' precision)
_EPSILON_DTYPES = frozenset(np.dtype(d) for d in ("f4", "f8", "c8", "c16"))


def _check_svd(A) -> None:
    _check_matrix("linalg.svd", A)
    _check_float("linalg.svd", A)
    _lapack_dtype("linalg_svd_cpu", A)


def _svd_parts(A, full_matrices: bool) -> tuple:
    """``(U, S, Vh)``, all three outputs of one ``LinalgSvdBackward0`` (when ``A`` needs a
    gradient): ``U`` and ``Vh`` share the bytes the node saved of them, as in torch."""
    _check_svd(A)
    S = apply(D.LinalgSvdBackward0, (A,), bool(full_matrices))
    u, vh = D.LAST.pop("uv")
    tangents = D.LAST.pop("uv_tangents", None)
    node = S._grad_fn
    if node is None:
        U, Vh = F.Tensor._make(u, None), F.Tensor._make(vh, None)
    else:
        from .reduce import output_edge

        del node.uv_out
        saved = node._saved
        U, Vh = (F.Tensor._share(saved[k].data, saved[k].buffer, saved[k].vc) for k in ("U", "Vh"))
        node.out_edges = [None, None, None]  # (weak references to the edges, as they are made)
        for nr, t in enumerate((U, S, Vh)):
            t._grad_fn, t._rg = output_edge(node, nr), True
    if tangents is not None and _function._dual:
        from ..autograd import forward_ad as fw

        entry = S.__dict__.get("_tangent")
        link = None if entry is None else entry[3]
        fw._set_tangent(U, tangents[0], (), link)
        fw._set_tangent(Vh, tangents[1], (), link)
        if node is not None:  # for the factors rebuilt from the node's saves
            for key, t in (("_tangent_U", U), ("_tangent_Vh", Vh)):
                entry = t.__dict__["_tangent"]
                kept = None if entry[3] is None else fw._Link(None, entry[3].deps)
                node.__dict__[key] = (*entry[:3], kept)
            fw._tracked.append(fw.weakref.ref(node))
    return U, S, Vh


def svd(A, full_matrices: bool = True) -> SvdResult:
    """``(U, S, Vh)`` with ``A = U @ diag(S) @ Vh`` for each matrix of ``A``: ``S`` in
    descending order; ``U`` and ``Vh`` square with ``full_matrices``, else ``k = min(m, n)``
    columns and rows. The gradient is defined where the singular values are distinct (and,
    for a loss of ``U`` or ``Vh``, not zero)."""
    return SvdResult(*_svd_parts(A, full_matrices))


def svdvals(A):
    """The singular values of each matrix of ``A``, in descending order."""
    return _svd_parts(A, False)[1]


def torch_svd(input, some: bool = True, compute_uv: bool = True) -> TorchSvdResult:  # noqa: A002
    """``gs.svd``: ``(U, S, V)`` with ``A = U @ diag(S) @ V.mT`` (reduced factors with
    ``some``); without ``compute_uv``, ``U`` and ``V`` are zeros."""
    if input._data.ndim < 2:
        raise RuntimeError(
            "linalg.svd: input should have at least 2 dimensions, but has "
            f"{input._data.ndim} dimensions instead"
        )
    U, S, Vh = _svd_parts(input, not some)
    if not compute_uv:
        from ..creation import zeros

        batch, (m, n) = tuple(input.shape[:-2]), tuple(input.shape[-2:])
        U = zeros(*batch, m, m, dtype=input.dtype, device=input.device)
        V = zeros(*batch, n, n, dtype=input.dtype, device=input.device)
        return TorchSvdResult(U, S, V)
    return TorchSvdResult(U, S, F.transpose(Vh, -2, -1))


def _rtol_default(A, atol, rtol):
    """torch's tolerance rule: ``rtol`` is ``eps * max(m, n)`` when neither is given, 0 when
    only a positive ``atol`` is."""
    if rtol is None:
        m, n = A._data.shape[-2:]
        rtol = 0.0 if atol is not None and atol > 0 else np.finfo(A._data.dtype).eps * max(m, n)
    return 0.0 if atol is None else atol, rtol


def pinv(A, rcond=None, hermitian: bool = False, *, atol=None, rtol=None):
    """The Moore-Penrose pseudo-inverse of each matrix of ``A``: singular values at most
    ``max(atol, rtol * largest)`` count as zero (``rcond`` is ``rtol``'s old name)."""
    a = A._data
    if a.ndim < 2 or a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise RuntimeError(
            f"linalg.pinv({scalar_type_name(a.dtype)}{{{shape_str(a.shape)}}}): expected a "
            "tensor with 2 or more dimensions of float, double, cfloat or cdouble types"
        )
    if rcond is not None:
        rtol = rcond
    atol, rtol = _rtol_default(A, atol, rtol)
    return apply(D.LinalgPinvBackward0, (A,), float(atol), float(rtol), bool(hermitian))


def pinverse(input, rcond: float = 1e-15):  # noqa: A002 - torch's names
    """``gs.pinverse``: ``linalg.pinv`` with ``rcond`` as the relative tolerance."""
    return pinv(input, atol=0.0, rtol=rcond)


def matrix_rank(A, tol=None, hermitian: bool = False, *, atol=None, rtol=None):
    """The number of singular values of each matrix of ``A`` above
    ``max(atol, rtol * largest)`` (``tol``: an absolute tolerance alone), as int64."""
    _check_matrix("torch.linalg.matrix_rank", A, "input")
    a = A._data
    if tol is not None:
        atol, rtol = tol, 0.0
    if rtol is None and a.dtype not in _EPSILON_DTYPES:  # (torch's default takes an epsilon)
        raise RuntimeError("This function doesn't handle types other than float and double")
    atol, rtol = _rtol_default(A, atol, rtol)
    xp = D.xp_of(a)
    if hermitian:  # the checks of eigvalsh, which torch calls
        _eigh_args("linalg_eigvalsh", A, "L")
        s = xp.abs(xp.linalg.eigvalsh(a))
    else:
        _check_svd(A)
        s = D._svd(a, False)[1]
    top = s.max(axis=-1, keepdims=True) if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    rank = (s > xp.maximum(atol, rtol * top)).sum(axis=-1).astype(np.int64)
    return F.Tensor._make(xp.asarray(rank), None)


def cond(A, p=None):
    """The condition number of each square matrix of ``A`` in the ``p`` norm: None or 2 (the
    largest singular value over the smallest), -2 (the smallest over the largest), 1, -1,
    inf, -inf, ``'fro'`` (the norm of ``A`` times that of its inverse; infinity for a
    singular matrix; as in torch, its backward refuses: the inverse is written over in
    place) or ``'nuc'`` (the sum of the singular values times that of their
    reciprocals). Matrices of any shape for None and +-2; 0 for an empty one."""
    if isinstance(p, str):
        return _cond_str(A, p)
    if isinstance(p, F.Tensor) and p._data.ndim == 0:  # a 0-dim tensor is a number
        p = p.item()
    if p is not None and not isinstance(p, (_Scalar, complex)):
        raise TypeError(
            "linalg_cond() received an invalid combination of arguments - got (Tensor, "
            f"{py_type_name(p)}), but expected one of:\n"
            " * (Tensor input, Number p = None, *, Tensor out = None)\n"
            " * (Tensor input, str p, *, Tensor out = None)\n"
        )
    if A._data.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    f = 2.0 if p is None else float(p.real if isinstance(p, complex) else p)
    if abs(f) not in (1.0, 2.0, math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {f:g}")
    if A._data.size == 0:
        return _cond_of_empty(A)
    if abs(f) == 2.0:
        S = svdvals(A)
        big, small = F.narrow(S, -1, 0, 1), F.narrow(S, -1, S.shape[-1] - 1, 1)
        return F.squeeze(small / big if f < 0 else big / small, -1)
    shown = f"{f:f}" if isinstance(p, float) else str(int(f))  # (torch's std::to_string)
    _check_square(f"linalg.cond(ord={shown})", A)
    return _cond_by_inverse(A, f)


def _cond_str(A, p: str):
    """``cond`` for ``p`` ``'fro'`` or ``'nuc'``, with torch's checks in its order."""
    _check_square(f"linalg.cond(ord={p})", A)
    if p not in ("fro", "nuc"):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if A._data.size == 0:
        return _cond_of_empty(A)
    if p == "nuc":
        S = svdvals(A)
        return F.sum(S, -1) * F.sum(F.reciprocal(S), -1)
    return _cond_by_inverse(A, p)


def _cond_of_empty(A):
    """torch's condition number of empty matrices: 0, in ``A``'s real dtype."""
    a = A._data
    return F.Tensor._make(D.xp_of(a).zeros(a.shape[:-2], D._real_dtype(a.dtype)), None)


def _cond_by_inverse(A, ord):  # noqa: A002 - torch's name
    """``|A| * |A^-1|`` in the ``ord`` norm, as torch composes it: the inverse of a singular
    matrix is infinities, and a product of 0 and infinity (or a NaN) is infinity."""
    inverse, info = inv_ex(A)
    singular = F.unsqueeze(F.unsqueeze(info > 0, -1), -1)
    # in place, as torch: the inverse's node saved it, so backward refuses (torch's error)
    F.masked_fill_(inverse, singular, math.inf)
    result = matrix_norm(A, ord) * matrix_norm(inverse, ord)
    return F.nan_to_num_(result, math.inf, math.inf, -math.inf)


def _svd_norm(A, ord, dim, keepdim: bool, dtype):  # noqa: A002
    """The ``nuc``, 2 or -2 norm, as torch composes it: the two dims moved to the end, the
    singular values summed, or their largest or smallest taken."""
    d0, d1 = _matrix_dims(A, dim, half=False)
    if dtype is not None:
        A = A.to(dtype)
    nd = A._data.ndim
    perm = [d for d in range(nd) if d not in (d0, d1)] + [d0, d1]
    S = svdvals(F.permute(A, *perm))
    if ord == "nuc":
        out = F.sum(S, -1, keepdim)
    elif float(ord) > 0:
        out = F.amax(S, -1, keepdim)
    else:
        out = F.amin(S, -1, keepdim)
    if keepdim:
        back = [perm.index(d) for d in range(nd)]
        out = F.permute(F.unsqueeze(out, -1), *back)
    return out


# ------------------------------------------------------------------------------ cholesky, eigh, qr


class EighResult(_ReturnType, namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])):
    __slots__ = ()


class QrResult(_ReturnType, namedtuple("linalg_qr", ["Q", "R"])):
    __slots__ = ()


EighResult.__name__ = EighResult.__qualname__ = "linalg_eigh"
QrResult.__name__ = QrResult.__qualname__ = "linalg_qr"


def _factor_outputs(cls, A, *args) -> list:
    """All outputs of one ``cls`` node (a ``D._Factors``): the others share the bytes the
    node saved of them, as in torch."""
    first = apply(cls, (A,), *args)
    others = D.LAST.pop("others")
    tangents = D.LAST.pop("tangents", None)
    node = first._grad_fn
    slots = {nr: slot for slot, nr in cls._NR.items()}
    outs = [None] * cls._n_out
    outs[cls._primary] = first
    if node is None:
        for nr, arr in others.items():
            outs[nr] = F.Tensor._make(arr, None)
    else:
        from .reduce import output_edge

        del node.others
        saved = node._saved
        for nr in others:
            st = saved[slots[nr]]
            outs[nr] = F.Tensor._share(st.data, st.buffer, st.vc)
        node.out_edges = [None] * cls._n_out  # (weak references to the edges, as they are made)
        for nr, t in enumerate(outs):
            t._grad_fn, t._rg = output_edge(node, nr), True
    if tangents is not None and _function._dual:
        from ..autograd import forward_ad as fw

        entry = first.__dict__.get("_tangent")
        link = None if entry is None else entry[3]
        for nr, tangent in tangents.items():
            fw._set_tangent(outs[nr], tangent, (), link)
        if node is not None:  # for the outputs rebuilt from the node's saves
            for nr in tangents:
                entry = outs[nr].__dict__["_tangent"]
                kept = None if entry[3] is None else fw._Link(None, entry[3].deps)
                node.__dict__["_tangent_" + slots[nr]] = (*entry[:3], kept)
            fw._tracked.append(fw.weakref.ref(node))
    return outs


def cholesky(A, upper: bool = False):
    """The lower triangular ``L`` with ``A = L @ L.mT`` for each symmetric positive-definite
    matrix of ``A`` (read from its lower triangle); with ``upper``, the upper triangular
    ``U = L.mT`` (read from the upper triangle). A matrix that is not positive-definite
    raises ``LinAlgError``."""
    _square_float("linalg.cholesky", A)
    _lapack_dtype("cholesky_cpu", A)
    out = apply(D.LinalgCholeskyExBackward0, (A,), bool(upper))
    D.LAST.pop("info", None)
    return out


def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False) -> CholeskyExResult:
    """``(L, info)``: as ``cholesky``, but a matrix that is not positive-definite gives
    LAPACK's partial factor and its ``info`` (int32, per matrix) the order of the first
    leading minor that is not (0 for none); ``check_errors`` raises ``LinAlgError``
    instead."""
    _square_float("linalg.cholesky", A)
    _lapack_dtype("cholesky_cpu", A)
    out = apply(
        D.LinalgCholeskyExBackward0, (A,), bool(upper), "linalg.cholesky_ex", bool(check_errors)
    )
    return CholeskyExResult(out, _info())


def torch_cholesky(input, upper: bool = False):  # noqa: A002 - torch's name
    """``gs.cholesky``: as ``linalg.cholesky``."""
    _check_square("cholesky", input)
    _lapack_dtype("cholesky_cpu", input)
    out = apply(D.CholeskyBackward0, (input,), bool(upper))
    D.LAST.pop("info", None)
    return out


class TorchQrResult(_ReturnType, namedtuple("qr", ["Q", "R"])):
    __slots__ = ()


TorchQrResult.__name__ = TorchQrResult.__qualname__ = "qr"


def torch_qr(input, some: bool = True) -> TorchQrResult:  # noqa: A002 - torch's name
    """``gs.qr``: ``linalg.qr`` in mode ``'reduced'`` (``some``) or ``'complete'``."""
    return TorchQrResult(*qr(input, "reduced" if some else "complete"))


def _lapack_dtype(kernel: str, a) -> None:
    """torch's error for a dtype its LAPACK kernel ``kernel`` has no version of (integers,
    booleans, half precision)."""
    if a._data.dtype.kind not in "fc" or a._data.dtype == np.float16:
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{scalar_type_name(a._data.dtype)}'"
        )


def _eigh_args(fn: str, A, UPLO) -> str:  # noqa: N803 - torch's name
    """``UPLO`` upper-cased, after torch's checks in its order: the argument's type, ``A``'s
    shape, ``UPLO`` (one letter, either case), ``A``'s dtype."""
    if not isinstance(UPLO, str):
        raise TypeError(f"{fn}(): argument 'UPLO' must be str, not {py_type_name(UPLO)}")
    _check_square("linalg.eigh", A)
    uplo = UPLO.upper()
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _lapack_dtype("linalg_eigh_cpu", A)
    return uplo


def eigh(A, UPLO: str = "L") -> EighResult:  # noqa: N803 - torch's name
    """``(eigenvalues, eigenvectors)`` of each symmetric matrix of ``A`` (read from its
    ``UPLO`` triangle, ``'L'`` or ``'U'`` in either case): eigenvalues in ascending order,
    eigenvectors as columns. The gradient is defined where the eigenvalues are distinct."""
    uplo = _eigh_args("linalg_eigh", A, UPLO)
    return EighResult(*_factor_outputs(D.LinalgEighBackward0, A, uplo))


def eigvalsh(A, UPLO: str = "L"):  # noqa: N803 - torch's name
    """The eigenvalues of each symmetric matrix of ``A``, in ascending order."""
    uplo = _eigh_args("linalg_eigvalsh", A, UPLO)
    return _factor_outputs(D.LinalgEighBackward0, A, uplo)[0]


def qr(A, mode: str = "reduced") -> QrResult:
    """``(Q, R)`` with ``A = Q @ R`` for each matrix of ``A``: ``Q`` with orthonormal
    columns and ``R`` upper triangular, ``k = min(m, n)`` of them for ``'reduced'``, ``Q``
    square for ``'complete'``; ``'r'`` gives ``R`` and an empty ``Q``."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
            "(default), 'r', or 'complete'"
        )
    _check_matrix("linalg.qr", A)
    _check_float("linalg.qr", A)
    _lapack_dtype("geqrf_cpu", A)
    return QrResult(*_factor_outputs(D.LinalgQrBackward0, A, mode))
