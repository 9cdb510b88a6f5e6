"""The fused products ``beta * input + alpha * product``: addmm, addmv, addr, baddbmm,
addbmm, and their in-place forms, with torch's checks in its order and its messages.

    >>> gs.addmm(bias, x, w, beta=0.5, alpha=2).grad_fn.name()
    'AddmmBackward0'
"""

from __future__ import annotations

from numbers import Number

from .. import dtypes
from ..autograd.function import apply, apply_inplace
from ..errors import cpp_type_name, scalar_type_name, shape_str, tensor_type_name
from . import api
from . import linalg as L


def check_expands(t, sizes: tuple) -> None:
    """torch's error unless ``t`` expands to ``sizes`` (the last mismatch reported)."""
    shape = tuple(t.shape)
    if len(shape) > len(sizes):
        raise RuntimeError(
            f"expand({tensor_type_name(t._data.dtype, t._buffer.device)}"
            f"{{{shape_str(shape)}}}, size={shape_str(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    for i in range(len(shape) - 1, -1, -1):
        if shape[i] not in (1, sizes[lead + i]):
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[lead + i]}) must match the existing "
                f"size ({shape[i]}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}"
            )


def _scalars(op: str, beta, alpha) -> None:
    for name, v in (("beta", beta), ("alpha", alpha)):
        if isinstance(v, complex) or not isinstance(v, Number):
            raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(v).__name__}")


def _same_dtype(first: str, a, b) -> None:
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        raise RuntimeError(
            f"{first} and mat2 must have the same dtype, but got {scalar_type_name(da)} and "
            f"{scalar_type_name(db)}"
        )


def _fits_in_place(target, sizes: tuple) -> None:
    if tuple(target.shape) != tuple(sizes):
        raise RuntimeError(
            f"Bad in-place call: input tensor size {shape_str(target.shape)} and output tensor "
            f"size {shape_str(sizes)} should match"
        )


def _run(cls, inplace: bool, input, a, b, beta, alpha):
    if inplace:
        return apply_inplace(cls, input, (input, a, b), beta, alpha)
    return apply(cls, (input, a, b), beta, alpha)


# ---------------------------------------------------------------- addmm


def _addmm(op: str, input, mat1, mat2, beta, alpha, inplace: bool):
    _scalars(op, beta, alpha)
    api._check_device(input, mat1)
    api._check_device(mat1, mat2)
    _same_dtype("self", input, mat2)
    _same_dtype("mat1", mat1, mat2)
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} "
            f"and {mat2.shape[0]}x{mat2.shape[1]})"
        )
    sizes = (mat1.shape[0], mat2.shape[1])
    if inplace:
        _fits_in_place(input, sizes)
    else:
        check_expands(input, sizes)
    return _run(L.AddmmBackward0, inplace, input, mat1, mat2, beta, alpha)


def addmm(input, mat1, mat2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``beta * input + alpha * (mat1 @ mat2)``, ``input`` broadcast to the product's shape."""
    return _addmm("addmm", input, mat1, mat2, beta, alpha, inplace=False)


def addmm_(input, mat1, mat2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``addmm`` written into ``input`` (of the product's shape)."""
    return _addmm("addmm_", input, mat1, mat2, beta, alpha, inplace=True)


# ---------------------------------------------------------------- addmv


def _addmv(op: str, input, mat, vec, beta, alpha, inplace: bool):
    _scalars(op, beta, alpha)
    api._check_device(input, mat)
    api._check_device(mat, vec)
    if mat.ndim != 2 or vec.ndim != 1 or input.ndim > 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}"
        )
    n = input.shape[0] if input.ndim else 1
    if mat.shape[1] != vec.shape[0] or n not in (1, mat.shape[0]):
        raise RuntimeError(
            f"size mismatch, got input ({n}), mat ({mat.shape[0]}x{mat.shape[1]}), "
            f"vec ({vec.shape[0]})"
        )
    ds = [t._data.dtype for t in (input, mat, vec)]
    if not ds[0] == ds[1] == ds[2]:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{scalar_type_name(ds[0])}, {scalar_type_name(ds[1])}, and {scalar_type_name(ds[2])}"
        )
    if inplace:
        _fits_in_place(input, (mat.shape[0],))
    return _run(L.AddmvBackward0, inplace, input, mat, vec, beta, alpha)


def addmv(input, mat, vec, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``beta * input + alpha * (mat @ vec)``."""
    return _addmv("addmv", input, mat, vec, beta, alpha, inplace=False)


def addmv_(input, mat, vec, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``addmv`` written into ``input``."""
    return _addmv("addmv_", input, mat, vec, beta, alpha, inplace=True)


# ---------------------------------------------------------------- addr


def _addr(op: str, input, vec1, vec2, beta, alpha, inplace: bool):
    _scalars(op, beta, alpha)
    api._check_device(input, vec1)
    api._check_device(vec1, vec2)
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    sizes = (vec1.shape[0], vec2.shape[0])
    if inplace:
        if input.ndim != 2:
            raise RuntimeError(f"2D tensor expected, got {input.ndim}D tensor for input")
        check_expands(input, sizes)  # (then torch's own message names the sizes)
    else:
        check_expands(input, sizes)
    result = dtypes.result_type(
        dtypes.result_type(input._data.dtype, input.ndim, None, vec1._data.dtype, vec1.ndim),
        2,
        None,
        vec2._data.dtype,
        vec2.ndim,
    )
    if result.kind != "b":
        for name, v in (("beta", beta), ("alpha", alpha)):
            if type(v) is bool:
                raise RuntimeError(f"Boolean {name} only supported for Boolean results.")
    if result.kind in "iu" and (isinstance(beta, float) or isinstance(alpha, float)):
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if inplace:
        api.check_inplace_result(input._data, sizes, result)
    if inplace:
        return apply_inplace(L.AddrBackward0, input, (input, vec1, vec2), beta, alpha, result)
    return apply(L.AddrBackward0, (input, vec1, vec2), beta, alpha, result)


def addr(input, vec1, vec2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``beta * input + alpha * outer(vec1, vec2)``."""
    return _addr("addr", input, vec1, vec2, beta, alpha, inplace=False)


def addr_(input, vec1, vec2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``addr`` written into ``input``."""
    return _addr("addr_", input, vec1, vec2, beta, alpha, inplace=True)


# ---------------------------------------------------------------- baddbmm, addbmm


def _batch_size(t, d: int) -> int:
    n = t.ndim
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return t.shape[d]


def _baddbmm(op: str, input, batch1, batch2, beta, alpha, inplace: bool):
    _scalars(op, beta, alpha)
    api._check_device(input, batch1)
    api._check_device(batch1, batch2)
    sizes = (_batch_size(batch1, 0), _batch_size(batch1, 1), _batch_size(batch2, 2))
    if inplace:
        _fits_in_place(input, sizes)
    else:
        check_expands(input, sizes)
    d = [t._data.dtype for t in (input, batch1, batch2)]
    if d[0] != d[1]:
        names = [cpp_type_name(x) for x in d]
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {names[0]}, batch1: {names[1]}, "
            f"batch2: {names[2]}"
        )
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if batch2.shape[0] != batch1.shape[0] or batch2.shape[1] != batch1.shape[2]:
        raise RuntimeError(
            "Expected size for first two dimensions of batch2 tensor to be: "
            f"[{batch1.shape[0]}, {batch1.shape[2]}] but got: "
            f"[{batch2.shape[0]}, {batch2.shape[1]}]."
        )
    if d[1] != d[2]:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(d[1])} but found {scalar_type_name(d[2])}"
        )
    return _run(L.BaddbmmBackward0, inplace, input, batch1, batch2, beta, alpha)


def baddbmm(input, batch1, batch2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``beta * input + alpha * (batch1 @ batch2)``, one product per batch."""
    return _baddbmm("baddbmm", input, batch1, batch2, beta, alpha, inplace=False)


def baddbmm_(input, batch1, batch2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``baddbmm`` written into ``input``."""
    return _baddbmm("baddbmm_", input, batch1, batch2, beta, alpha, inplace=True)


def _addbmm(op: str, input, batch1, batch2, beta, alpha, inplace: bool):
    _scalars(op, beta, alpha)
    api._check_device(input, batch1)
    api._check_device(batch1, batch2)
    sizes = (_batch_size(batch1, 1), _batch_size(batch2, 2))
    if inplace:
        _fits_in_place(input, sizes)
    else:
        check_expands(input, sizes)
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(
            "batch1 and batch2 must have same number of batches, got "
            f"{batch1.shape[0]} and {batch2.shape[0]}"
        )
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x{batch1.shape[2]} and "
            f"{batch2.shape[1]}x{batch2.shape[2]})"
        )
    _same_dtype("self", input, batch2)
    _same_dtype("mat1", batch1, batch2)
    return _run(L.AddbmmBackward0, inplace, input, batch1, batch2, beta, alpha)


def addbmm(input, batch1, batch2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``beta * input + alpha * sum_i(batch1[i] @ batch2[i])``."""
    return _addbmm("addbmm", input, batch1, batch2, beta, alpha, inplace=False)


def addbmm_(input, batch1, batch2, *, beta: Number = 1, alpha: Number = 1):  # noqa: A002
    """``addbmm`` written into ``input`` (of the product's shape)."""
    return _addbmm("addbmm_", input, batch1, batch2, beta, alpha, inplace=True)
