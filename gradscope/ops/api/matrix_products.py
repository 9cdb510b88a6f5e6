"""Matrix products: ``matmul``, ``mm``, ``bmm``, ``mv``, ``dot`` and ``outer``."""

from __future__ import annotations

import builtins

import numpy as np

from ...autograd.function import apply
from .. import linalg as L
from .. import shape as S
from ._common import _broadcast_error, _check_device, _check_tensor_arg, _prod, _Shaped
from .arithmetic import mul
from .views import expand, reshape, squeeze, t, transpose, unsqueeze


def matmul(a, b):
    """Matrix product with torch's rules for 1-D, 2-D and batched operands."""
    _check_tensor_arg("matmul", "other", 2, b)
    _check_device(a, b)
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    # (torch multiplies one dtype: each product's kernel checks, after the shapes but dot)
    if na == 3 and nb == 3:  # as torch: a batch of one that requires grad is squeezed, so
        # that the product folds into one mm and its gradient is one mm too
        if a.shape[0] == 1 and b.shape[0] != 1 and a._rg:
            a, na = squeeze(a, 0), 2
        elif b.shape[0] == 1 and a.shape[0] != 1 and b._rg:
            b, nb = squeeze(b, 0), 2
    if na == 1 and nb == 1:
        return apply(L.DotBackward0, (a, b))
    if na == 2 and nb == 1:
        return apply(L.MvBackward0, (a, b))
    if na == 2 and nb == 2:
        return apply(L.MmBackward0, (a, b))
    if na == 1 and nb == 2:
        return apply(S.SqueezeBackward4, (mm(unsqueeze(a, 0), b),), (0,))
    if _should_fold(a, b):
        return _folded_matmul(a, b)
    return _batched_matmul(a, b)


def mm(a, b):
    if a._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_device(a, b)
    return apply(L.MmBackward0, (a, b))


def dot(a, b):
    """The inner product of two 1-D tensors."""
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D tensors"
        )
    _check_device(a, b)
    return apply(L.DotBackward0, (a, b))  # (its forward checks the dtypes, then the sizes)


def mv(a, v):
    if a._data.ndim == 0:  # (torch asks its size first)
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if a._data.ndim != 2 or v._data.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got 1, {a._data.ndim}, {v._data.ndim}"
        )
    _check_device(a, v)
    return apply(L.MvBackward0, (a, v))


def bmm(a, b):
    for name, t_ in (("batch1", a), ("batch2", b)):
        if t_._data.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    _check_device(a, b)
    return apply(L.BmmBackward0, (a, b))


def _should_fold(a, b) -> bool:
    """torch's test for running an N-D @ 1/2-D product as one mm/mv on a folded matrix."""
    na, nb = a._data.ndim, b._data.ndim
    a_larger = na >= nb
    t1 = a._data if a_larger else b._data.swapaxes(-1, -2)
    if not (t1.ndim >= 3 and (nb if a_larger else na) <= 2):
        return False
    if (b if a_larger else a)._rg:  # fold, so that the small operand's gradient is one mm
        return True
    if na == 2:
        return False
    if t1.size == 0:
        return True
    st, sh = t1.strides, t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


def _folded_matmul(a, b):
    na, nb = a._data.ndim, b._data.ndim
    swap = nb > na
    t1 = transpose(b, -2, -1) if swap else a
    t2 = (t(a) if na == 2 else a) if swap else b
    out_shape = tuple(t1.shape[:-1])
    t1f = reshape(t1, (_prod(out_shape), t1.shape[-1]))
    if t2._data.ndim == 2:
        out = apply(S.UnsafeViewBackward0, (mm(t1f, t2),), out_shape + (t2.shape[1],))
        return transpose(out, -2, -1).contiguous() if swap else out
    return apply(S.UnsafeViewBackward0, (mv(t1f, t2),), out_shape)


def _batched_matmul(a, b):
    """The general case, as torch runs it: expand both batches, fold them, one bmm."""
    na, nb = a._data.ndim, b._data.ndim
    n = a.shape[-2] if na > 1 else 1
    m1 = a.shape[-1]
    m2 = b.shape[-2] if nb > 1 else b.shape[0]
    p = b.shape[-1] if nb > 1 else 1
    batch1, batch2 = (
        tuple(a.shape[: builtins.max(na - 2, 0)]),
        tuple(b.shape[: builtins.max(nb - 2, 0)]),
    )
    try:
        batch = tuple(np.broadcast_shapes(batch1, batch2))
    except ValueError:
        raise _broadcast_error("matmul", _Shaped(batch1), _Shaped(batch2)) from None
    nbatch = _prod(batch)
    a3 = reshape(expand(a, batch + (n, m1)), (nbatch, n, m1))
    if nb == 1:
        b3 = unsqueeze(reshape(expand(b, batch + (m2,)), (nbatch, m2)), 2)
    else:
        b3 = reshape(expand(b, batch + (m2, p)), (nbatch, m2, p))
    shape = batch + ((n,) if na > 1 else ()) + ((p,) if nb > 1 else ())
    out = bmm(a3, b3)
    if nb == 1:
        out = squeeze(out, -1)
    return apply(S.UnsafeViewBackward0, (out,), shape)


def outer(a, vec2):
    """The outer product ``a[i] * vec2[j]`` of two vectors."""
    for name, v in (("self", a), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return mul(reshape(a, (a.shape[0], 1)), vec2)
