"""Joining and reshaping tensors the way NumPy users do: ``hstack``, ``vstack``
(``row_stack``), ``dstack``, ``column_stack``, ``atleast_1d/2d/3d``, ``broadcast_tensors``,
``meshgrid``, ``block_diag``, ``cartesian_prod``, ``combinations`` and ``vander``.

Each is composed of other ops, as in torch, so each records the nodes torch records:
``hstack`` a ``CatBackward0`` (after a ``ViewBackward0`` per 0-dim input), ``meshgrid`` a
``ViewBackward0`` then an ``ExpandBackward0`` per input, ``cartesian_prod`` those, then
``flatten`` and ``StackBackward0``, ``combinations`` ``MaskedSelectBackward0`` of the grids.
``block_diag`` is one node of its own (``BlockDiagBackward0``), as in torch.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import tensor_type_name
from ..events.callsite import user_stacklevel
from ..tensor import Tensor
from . import api
from ._graph import cast_to, constant
from ._jvp import each
from .api import _broadcast_error, _check_device, _Shaped, _tensor_list
from .predicates import invalid_arguments

# ------------------------------------------------------------------------ atleast_nd


def _atleast(name: str, one, tensors: tuple):
    """``one`` of each tensor: of one tensor a tensor, of several (or a sequence) a tuple."""
    if len(tensors) == 1:
        arg = tensors[0]
        if type(arg) is Tensor:
            return one(arg)
        if isinstance(arg, (list, tuple)) and all(type(t) is Tensor for t in arg):
            return tuple(one(t) for t in arg)
        raise invalid_arguments(
            name,
            [("Tensor input", ("Tensor",)), ("tuple of Tensors tensors", ("Tensors",))],
            (arg,),
        )
    for i, t in enumerate(tensors):
        if type(t) is not Tensor:
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tuple(one(t) for t in tensors)


def _at_least_1d(t):
    return t.reshape(1) if t._data.ndim == 0 else t


def _at_least_2d(t):
    nd = t._data.ndim
    return t.reshape(1, 1) if nd == 0 else t.unsqueeze(0) if nd == 1 else t


def _at_least_3d(t):
    nd = t._data.ndim
    if nd == 0:
        return t.reshape(1, 1, 1)
    if nd == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if nd == 2 else t


def atleast_1d(*tensors):
    """Each tensor with at least one dim (a 0-dim one as shape ``(1,)``; others as they
    are, the same tensor)."""
    return _atleast("atleast_1d", _at_least_1d, tensors)


def atleast_2d(*tensors):
    """Each tensor with at least two dims: a vector becomes a row."""
    return _atleast("atleast_2d", _at_least_2d, tensors)


def atleast_3d(*tensors):
    """Each tensor with at least three dims: a vector ``(n,)`` becomes ``(1, n, 1)``, a
    matrix ``(m, n)`` becomes ``(m, n, 1)``."""
    return _atleast("atleast_3d", _at_least_3d, tensors)


# ------------------------------------------------------------------------ stacks


def _nonempty(name: str, tensors, shown: str | None = None) -> list:
    tensors = _tensor_list(shown or name, tensors)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors):
    """Tensors joined column-wise: along dim 1, or along dim 0 for vectors."""
    rep = [_at_least_1d(t) for t in _nonempty("hstack", tensors)]
    return api.cat(rep, 0 if rep[0]._data.ndim == 1 else 1)


def vstack(tensors):
    """Tensors joined row-wise (along dim 0), vectors as rows."""
    return _vstack("vstack", tensors)


def row_stack(tensors):
    """``vstack``, by its other name."""
    return _vstack("row_stack", tensors)


def _vstack(name: str, tensors):
    return api.cat([_at_least_2d(t) for t in _nonempty("vstack", tensors, name)], 0)


def dstack(tensors):
    """Tensors joined depth-wise (along dim 2), each made at least 3-d first."""
    return api.cat([_at_least_3d(t) for t in _nonempty("dstack", tensors)], 2)


def column_stack(tensors):
    """Tensors joined as columns: 0-d and 1-d ones as columns ``(n, 1)``, then ``hstack``."""
    tensors = _nonempty("column_stack", tensors)
    return hstack([t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors])


# ------------------------------------------------------------------------ broadcasting


def _varargs(tensors: tuple) -> tuple:
    for i, t in enumerate(tensors):
        if type(t) is not Tensor:
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded to their common shape (``ExpandBackward0`` each; one already
    of that shape comes back as it is)."""
    _varargs(tensors)
    if not tensors:
        return ()
    shape = tuple(tensors[0].shape)
    for t in tensors[1:]:
        try:
            shape = np.broadcast_shapes(shape, tuple(t.shape))
        except ValueError:
            raise _broadcast_error("broadcast_tensors", _Shaped(shape), t) from None
    return tuple(t if tuple(t.shape) == shape else api.expand(t, shape) for t in tensors)


_warned_meshgrid = False


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids of 0-d or 1-d tensors: output ``i`` holds tensor ``i`` along dim
    ``i`` (``indexing="ij"``, the default) or with the first two dims swapped (``"xy"``).
    Without ``indexing`` torch warns once that it will be required, and so does gradscope."""
    global _warned_meshgrid
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    _varargs(tensors)
    if indexing is None:
        if not _warned_meshgrid:
            _warned_meshgrid = True
            warnings.warn(
                "torch.meshgrid: in an upcoming release, it will be required to pass the "
                "indexing argument.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for a, b in zip(tensors, tensors[1:]):
        if a._data.dtype != b._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
        if a._buffer.device != b._buffer.device:
            raise RuntimeError("meshgrid expects all tensors to have the same device")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    for t in order:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"[ {tensor_type_name(t._data.dtype, t._buffer.device)}"
                f"{{{','.join(str(n) for n in t.shape)}}} ]"
            )
    shape = tuple(t._data.size for t in order)
    grids = []
    for i, t in enumerate(order):
        view_shape = [1] * len(order)
        view_shape[i] = -1
        grids.append(api.expand(api.view(t, tuple(view_shape)), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# ------------------------------------------------------------------------ block_diag


class BlockDiagBackward0(Function):
    """``block_diag``: the inputs (as matrices) on the diagonal of one matrix of their
    joint dtype, zeros elsewhere; each input's gradient is its block, in its dtype."""

    _name = "BlockDiagBackward0"
    complex_rule = "as_is"

    def forward(self, *args):
        *arrays, dtype = args
        self.shapes = [a.shape for a in arrays]
        self.dtypes = [a.dtype for a in arrays]
        self.places = []
        mats = [_as_matrix(a) for a in arrays]
        rows = sum(m.shape[0] for m in mats)
        cols = sum(m.shape[1] for m in mats)
        out = xp_of(arrays[0]).zeros((rows, cols), dtype)
        r = c = 0
        for m in mats:
            self.places.append((r, c, m.shape))
            out[r : r + m.shape[0], c : c + m.shape[1]] = m
            r, c = r + m.shape[0], c + m.shape[1]
        return out

    def _blocks(self, g):
        for (r, c, (h, w)), shape in zip(self.places, self.shapes):
            yield g[r : r + h, c : c + w], shape

    def backward(self, g):
        out = []
        for (block, shape), dtype, need in zip(self._blocks(g), self.dtypes, self.needs_input_grad):
            out.append(block.reshape(shape).astype(dtype, copy=False) if need else None)
        return tuple(out)

    def backward_graph(self, g):
        out = []
        for (block, shape), dtype, need in zip(self._blocks(g), self.dtypes, self.needs_input_grad):
            out.append(cast_to(block.reshape(shape), dtype) if need else None)
        return tuple(out)

    def jvp(self, xs, out, tangents):
        return self.forward(*each(tangents, xs, xp_of(out)), out.dtype)


def _as_matrix(a):
    return a.reshape(1, -1) if a.ndim <= 1 else a


def block_diag(*tensors):
    """The tensors (0-d, 1-d as a row, or 2-d) as blocks on the diagonal of one matrix."""
    _varargs(tensors)
    if not tensors:
        return constant(np.zeros((1, 0), dtypes.default_float.np))
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t._data.ndim} dimensions"
            )
        _check_device(tensors[0], t)
    dtype = tensors[0]._data.dtype
    for t in tensors[1:]:
        dtype = dtypes.result_type(dtype, 1, None, t._data.dtype, 1)
    return apply(BlockDiagBackward0, tuple(tensors), dtype)


# ------------------------------------------------------------------------ products


def _vector(t) -> None:
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")


def cartesian_prod(*tensors):
    """Every tuple of one element from each vector, as the rows of a matrix (one vector
    comes back as it is)."""
    _varargs(tensors)
    for t in tensors:
        _vector(t)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return api.stack([g.flatten() for g in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False):
    """The length-``r`` combinations of a vector's elements (with ``with_replacement``,
    elements may repeat), one per row, in lexicographic order of position."""
    api._check_tensor_arg("combinations", "input", 1, input)
    _vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return constant(xp_of(input._data).empty((0,), input._data.dtype))
    n = input._data.shape[0]
    xp = xp_of(input._data)
    index = xp.arange(n)
    mask = xp.ones((n,) * r, bool)
    for i in range(r - 1):
        shape_a, shape_b = [1] * r, [1] * r
        shape_a[i], shape_b[i + 1] = n, n
        a, b = index.reshape(shape_a), index.reshape(shape_b)
        mask &= (a <= b) if with_replacement else (a < b)
    grids = meshgrid(*([input] * r), indexing="ij")
    return api.stack([api.masked_select(g, constant(mask)) for g in grids], 1)


def vander(x, N: int | None = None, increasing: bool = False):  # noqa: N803 - torch's name
    """The Vandermonde matrix of a vector: column ``j`` holds ``x ** j`` (reversed unless
    ``increasing``), composed as torch composes it: ones, a slice written in place with
    ``x`` and then with its running product, flipped. As in torch, backward through it
    meets a saved tensor written in place (with three columns or more) and raises."""
    api._check_tensor_arg("vander", "x", 1, x)
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0]
    if N is not None:
        n = N
        if n < 0:
            raise RuntimeError("N must be non-negative.")
    dtype = dtypes.result_type(x._data.dtype, 1, None, np.dtype(np.int64), 1)
    from ..creation import empty

    result = empty(x._data.shape[0], n, dtype=dtypes.from_numpy(dtype), device=x.device)
    if n > 0:
        result.fill_(1)
        if n > 1:
            result[:, 1:].copy_(x.unsqueeze(1))
            result[:, 1:].copy_(api.cumprod(result[:, 1:], 1))
    return result if increasing else api.flip(result, 1)
