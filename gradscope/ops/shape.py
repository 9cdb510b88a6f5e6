"""Shape and indexing ops: views that share their input's buffer, and cat/stack/index/copy."""

from __future__ import annotations

import numpy as np

from ..autograd.function import (
    Function,
    OutputEdge,
    _saved_attribute,
    apply,
    named_as_torch,
)
from ..backend import contiguous, device_of, index_layout, scatter_at, to_device, xp_of
from ..errors import M_FREED, M_INTERNAL_OVERLAP
from . import api
from ._broadcast import cast_like, unbroadcast
from ._graph import cast_to, constant, linear_backward_graph, linear_grad, sum_to, zeros_grad
from ._jvp import each


def scatter_add(out, index, values) -> None:
    """``out[index] += values`` with repeated indices accumulating (NumPy or CuPy)."""
    scatter_at("add", out, index, values)


class ViewBackward0(Function):
    _name = "ViewBackward0"
    is_view = True

    def forward(self, a, shape):
        self.self_sym_sizes = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return (g.reshape(self.self_sym_sizes),)

    def backward_graph(self, g):
        return (g.reshape(self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(out.shape)


class UnsafeViewBackward0(ViewBackward0):
    """The reshape of a fresh copy (what ``reshape`` of a non-contiguous tensor is): in
    the copy's memory, but not a view of it."""

    _name = "UnsafeViewBackward0"
    unsafe_view = True


class ReshapeAliasBackward0(ViewBackward0):
    """``reshape`` of a non-contiguous tensor whose strides allow a view."""

    _name = "ReshapeAliasBackward0"


class AliasBackward0(Function):
    _name = "AliasBackward0"
    is_view = True

    def forward(self, a):
        return a.view()

    def backward(self, g):
        return (g,)

    def backward_graph(self, g):
        return (g,)

    def jvp(self, xs, out, tangents):
        return tangents[0]


class CloneBackward0(Function):
    _name = "CloneBackward0"
    complex_rule = "as_is"

    def forward(self, a, order="K"):
        # "K": torch's preserve_format, the input's layout (``clone()``); "C": contiguous
        # (``contiguous()``, and the copy that ``reshape`` and ``ravel`` view)
        return a.copy(order=order)

    def backward(self, g):
        return (g,)

    def backward_graph(self, g):
        return (g,)

    def jvp(self, xs, out, tangents):
        return tangents[0].copy()


class TransposeBackward0(Function):
    _name = "TransposeBackward0"
    is_view = True

    def forward(self, a, dim0, dim1):
        self.dim0, self.dim1 = dim0, dim1
        return a.swapaxes(dim0, dim1) if a.ndim else a.view()

    def backward(self, g):
        return (g.swapaxes(self.dim0, self.dim1) if g.ndim else g,)

    def backward_graph(self, g):
        return (g.transpose(self.dim0, self.dim1) if g._data.ndim else g,)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return t.swapaxes(self.dim0, self.dim1) if t.ndim else t


class TBackward0(Function):
    _name = "TBackward0"
    is_view = True

    def forward(self, a):
        return a.T

    def backward(self, g):
        return (g.T,)

    def backward_graph(self, g):
        return (g.t(),)

    def jvp(self, xs, out, tangents):
        return tangents[0].T


class PermuteBackward0(Function):
    _name = "PermuteBackward0"
    is_view = True

    def forward(self, a, dims):
        self.dims = dims
        return a.transpose(dims)

    def _inverse(self) -> list:
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return inv

    def backward(self, g):
        return (g.transpose(self._inverse()),)

    def backward_graph(self, g):
        return (g.permute(self._inverse()),)

    def jvp(self, xs, out, tangents):
        return tangents[0].transpose(self.dims)


class UnsqueezeBackward0(Function):
    _name = "UnsqueezeBackward0"
    is_view = True

    def forward(self, a, dim):
        self.dim = dim
        return xp_of(a).expand_dims(a, dim)

    def backward(self, g):
        return (g.squeeze(self.dim),)

    def backward_graph(self, g):
        return (g.squeeze(self.dim),)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(out.shape)


class SqueezeBackward0(Function):
    """``squeeze()`` (all size-1 dims); ``SqueezeBackward1`` is ``squeeze(dim)``."""

    _name = "SqueezeBackward0"
    is_view = True

    def forward(self, a, dims):
        self.self_sym_sizes, self.dims = a.shape, dims
        return a.squeeze(dims) if dims is None or dims else a.view()

    def backward(self, g):
        return (g.reshape(self.self_sym_sizes),)

    def backward_graph(self, g):
        # unsqueezes, lowest dim first, as torch's unsqueeze_to
        sizes, dims = self.self_sym_sizes, self.dims
        if dims is None:
            dims = [d for d, n in enumerate(sizes) if n == 1]
        for d in sorted(set(dims)):
            g = g.unsqueeze(d)
        return (g,)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(out.shape)


class SqueezeBackward1(SqueezeBackward0):
    _name = "SqueezeBackward1"


class SqueezeBackward2(SqueezeBackward0):
    """``squeeze(dims)`` with a tuple of dims."""

    _name = "SqueezeBackward2"


class SqueezeBackward3(SqueezeBackward0):
    """``squeeze_()`` in place (all size-1 dims); ``SqueezeBackward4`` is ``squeeze_(dim)``
    (and matmul's own squeeze of a vector), ``SqueezeBackward5`` ``squeeze_(dims)``."""

    _name = "SqueezeBackward3"


class SqueezeBackward4(SqueezeBackward0):
    _name = "SqueezeBackward4"


class SqueezeBackward5(SqueezeBackward0):
    _name = "SqueezeBackward5"


class UnsqueezeBackward1(UnsqueezeBackward0):
    """``unsqueeze_`` in place."""

    _name = "UnsqueezeBackward1"


class TBackward1(TBackward0):
    """``t_`` in place."""

    _name = "TBackward1"


class TransposeBackward1(TransposeBackward0):
    """``transpose_`` (``swapaxes_``, ``swapdims_``) in place."""

    _name = "TransposeBackward1"


class ExpandBackward0(Function):
    _name = "ExpandBackward0"
    is_view = True

    def forward(self, a, shape):
        self.self_sym_sizes = a.shape
        return xp_of(a).broadcast_to(a, shape)

    def backward(self, g):
        return (unbroadcast(g, self.self_sym_sizes),)

    def backward_graph(self, g):
        return (sum_to(g, self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return xp_of(out).broadcast_to(tangents[0], out.shape)


class RepeatBackward0(Function):
    """``repeat(*repeats)``: ``a`` tiled ``repeats`` times (a copy); the gradient sums
    the tiles."""

    _name = "RepeatBackward0"
    complex_rule = "as_is"

    def forward(self, a, repeats):
        self.repeats, self.self_sym_sizes = repeats, a.shape
        return xp_of(a).tile(a, repeats)

    def _plan(self) -> tuple:
        """torch's ``repeat_backward``: how many leading dims to sum, then the shape that
        splits each repeated dim in (repeat, size) and the repeat dims to sum."""
        sizes, repeats = self.self_sym_sizes, self.repeats
        lead = len(repeats) - len(sizes)
        shape, dims = [], []
        for n, r in zip(sizes, repeats[lead:]):
            if r != 1:
                shape.append(r)
                dims.append(len(shape) - 1)
            shape.append(n)
        return lead, tuple(shape), tuple(dims)

    def backward(self, g):
        if 0 in self.repeats:
            return (xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype),)
        lead, shape, dims = self._plan()
        if lead:
            g = g.sum(axis=tuple(range(lead)))
        return (g.reshape(shape).sum(axis=dims) if dims else g,)

    def backward_graph(self, g):
        if 0 in self.repeats:
            return (zeros_grad(self.self_sym_sizes, g),)
        lead, shape, dims = self._plan()
        for _ in range(lead):
            g = g.sum(0)
        return (g.reshape(shape).sum(dims) if dims else g,)

    def jvp(self, xs, out, tangents):
        return xp_of(out).tile(tangents[0], self.repeats)


class FlipBackward0(Function):
    """``flip(dims)``: a copy with the order along ``dims`` reversed."""

    _name = "FlipBackward0"
    complex_rule = "as_is"

    def forward(self, a, dims):
        self.dims = dims
        return self._flip(a)

    def _flip(self, a):
        # in the input's layout, as torch's
        return (xp_of(a).flip(a, self.dims) if self.dims else a).copy(order="K")

    def backward(self, g):
        return (self._flip(g),)

    def backward_graph(self, g):
        return (api.flip(g, self.dims),)

    def jvp(self, xs, out, tangents):
        return self._flip(tangents[0])


class RollBackward0(Function):
    """``roll(shifts, dims)``: a copy with elements moved ``shifts`` places along ``dims``
    (of the flattened tensor, when no dims are given), the last ones wrapping round."""

    _name = "RollBackward0"
    complex_rule = "as_is"

    def forward(self, a, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return self._roll(a, shifts)

    def _roll(self, a, shifts):
        xp = xp_of(a)
        if not self.dims:
            return xp.roll(a.reshape(-1), shifts[0]).reshape(a.shape)
        return contiguous(xp.roll(a, shifts, self.dims))  # C order, as torch's

    def backward(self, g):
        return (self._roll(g, tuple(-s for s in self.shifts)),)

    def backward_graph(self, g):
        return (api.roll(g, tuple(-s for s in self.shifts), self.dims),)

    def jvp(self, xs, out, tangents):
        return self._roll(tangents[0], self.shifts)


class Rot90Backward0(Function):
    """``rot90(k, dims)``: a copy turned ``k`` quarter turns from ``dims[0]`` towards
    ``dims[1]``; the gradient is turned back."""

    _name = "Rot90Backward0"
    complex_rule = "as_is"

    def forward(self, a, k, dims):
        self.k, self.dims = k, dims
        return rot90_array(a, k, dims)

    def backward(self, g):
        return (rot90_array(g, -self.k, self.dims),)

    def backward_graph(self, g):
        return (api.rot90(g, -self.k, self.dims),)

    def jvp(self, xs, out, tangents):
        return rot90_array(tangents[0], self.k, self.dims)


def rot90_array(a, k: int, dims: tuple):
    """``a`` turned ``k`` quarter turns, laid out as torch's (a flipped copy, transposed
    for an odd ``k``)."""
    d0, d1 = dims
    xp = xp_of(a)
    k %= 4
    # (torch's flip keeps the input's layout: order "K")
    if k == 1:
        return xp.flip(a, d1).copy(order="K").swapaxes(d0, d1)
    if k == 2:
        return xp.flip(a, (d0, d1)).copy(order="K")
    if k == 3:
        return xp.flip(a, d0).copy(order="K").swapaxes(d0, d1)
    return a.copy()


class TrilBackward0(Function):
    """``tril(diagonal)``: the lower triangle of the last two dims, zeros above it."""

    _name = "TrilBackward0"
    complex_rule = "as_is"
    _part = "tril"

    def forward(self, a, diagonal):
        self.diagonal = diagonal
        return contiguous(getattr(xp_of(a), self._part)(a, diagonal))  # C order, as torch

    def backward(self, g):
        return (contiguous(getattr(xp_of(g), self._part)(g, self.diagonal)),)

    def backward_graph(self, g):
        return (getattr(api, self._part)(g, self.diagonal),)

    def jvp(self, xs, out, tangents):
        return getattr(xp_of(out), self._part)(tangents[0], self.diagonal)


class TriuBackward0(TrilBackward0):
    """``triu(diagonal)``: the upper triangle of the last two dims, zeros below it."""

    _name = "TriuBackward0"
    complex_rule = "as_is"
    _part = "triu"


def diagonal_view(a, offset: int, dim1: int, dim2: int):
    """The diagonal of ``a`` over ``dim1`` and ``dim2``, as a view that writes go through
    (NumPy's own is read-only)."""
    d = a.diagonal(offset, dim1, dim2)
    if type(d) is np.ndarray and a.flags.writeable:
        d.flags.writeable = True
    return d


class DiagonalBackward0(Function):
    _name = "DiagonalBackward0"
    is_view = True

    def forward(self, a, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2, self.self_sym_sizes = offset, dim1, dim2, a.shape
        return diagonal_view(a, offset, dim1, dim2)

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        diagonal_view(out, self.offset, self.dim1, self.dim2)[...] = g
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: DiagonalBackwardBackward0

    def jvp(self, xs, out, tangents):
        return tangents[0].diagonal(self.offset, self.dim1, self.dim2)


@named_as_torch
class DiagonalCopyBackward0(DiagonalBackward0):
    """``diag`` of a matrix: its diagonal ``offset`` as a new tensor (torch's
    ``diagonal_copy``, whose node torch names ``DiagonalBackward0_copy``)."""

    _name = "DiagonalBackward0_copy"
    graph_name = "DiagonalBackwardBackward0"
    is_view = False

    def forward(self, a, offset, dim1, dim2):
        return super().forward(a, offset, dim1, dim2).copy()

    def jvp(self, xs, out, tangents):
        return super().jvp(xs, out, tangents).copy()


class DiagEmbedBackward0(Function):
    """``diag_embed(offset, dim1, dim2)``: a new tensor, zero but for its diagonal
    ``offset`` over ``dim1`` and ``dim2``, which holds the input's last dim."""

    _name = "DiagEmbedBackward0"
    complex_rule = "as_is"

    def forward(self, a, offset, dim1, dim2):
        self.offset, self.dim1, self.dim2 = offset, dim1, dim2
        return diag_embed_array(a, offset, dim1, dim2)

    def backward(self, g):
        return (g.diagonal(self.offset, self.dim1, self.dim2).copy(),)

    def backward_graph(self, g):
        return (api.diagonal(g, self.offset, self.dim1, self.dim2),)

    def jvp(self, xs, out, tangents):
        return diag_embed_array(tangents[0], self.offset, self.dim1, self.dim2)


def diag_embed_array(a, offset: int, dim1: int, dim2: int):
    """A zero array with ``a``'s last dim as its diagonal ``offset`` over ``dim1`` and
    ``dim2`` (dims of the result, one more than ``a`` has)."""
    n = a.shape[-1] + abs(offset)
    shape = list(a.shape[:-1])
    for d in sorted((dim1, dim2)):
        shape.insert(d, n)
    out = xp_of(a).zeros(shape, dtype=a.dtype)
    diagonal_view(out, offset, dim1, dim2)[...] = a
    return out


class TraceBackward0(Function):
    """``trace()``: the sum of a matrix's diagonal (in int64 for integers)."""

    _name = "TraceBackward0"
    complex_rule = "as_is"

    def forward(self, a):
        self.self_sym_sizes = a.shape
        dtype = np.int64 if a.dtype.kind in "iu" else a.dtype
        return xp_of(a).asarray(a.trace(dtype=dtype))

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        diagonal_view(out, 0, 0, 1)[...] = g
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: TraceBackwardBackward0

    def jvp(self, xs, out, tangents):
        return xp_of(out).asarray(tangents[0].trace())


def _all_in(arrays, dtype) -> list:
    """``arrays``, each in ``dtype`` (torch's result type of them all) when one is given."""
    return arrays if dtype is None else [a.astype(dtype, copy=False) for a in arrays]


class CatBackward0(Function):
    """``cat``: an edge to every input, the 1-d empty tensors included, which torch joins
    with any shape (they add nothing, and each gets an empty gradient)."""

    _name = "CatBackward0"
    complex_rule = "as_is"

    def forward(self, *args):
        *arrays, dim, dtype = args
        self.dim = dim
        empty = [a.shape == (0,) for a in arrays]
        self.empty = empty if not all(empty) else [False] * len(arrays)
        self.sizes = [0 if e else a.shape[dim] for a, e in zip(arrays, self.empty)]
        self.dtypes = [a.dtype for a in arrays]
        joined = [a for a, e in zip(arrays, self.empty) if not e]
        return contiguous(xp_of(arrays[0]).concatenate(_all_in(joined, dtype), axis=dim))

    def backward(self, g):
        out = []
        start = 0
        for n, need, dtype, empty in zip(
            self.sizes, self.needs_input_grad, self.dtypes, self.empty
        ):
            if not need:
                out.append(None)
            elif empty:
                out.append(xp_of(g).zeros(0, dtype))
            else:
                idx = [slice(None)] * g.ndim
                idx[self.dim] = slice(start, start + n)
                out.append(cast_like(g[tuple(idx)], dtype))
            start += n
        return tuple(out)

    def backward_graph(self, g):
        out = []
        start = 0
        for n, need, dtype, empty in zip(
            self.sizes, self.needs_input_grad, self.dtypes, self.empty
        ):
            if not need:
                part = None
            elif empty:
                part = constant(xp_of(g._data).zeros(0, dtype))
            else:
                part = cast_to(apply(SliceBackward0, (g,), self.dim, start, start + n, 1), dtype)
            out.append(part)
            start += n
        return tuple(out)

    def jvp(self, xs, out, tangents):
        xp = xp_of(out)
        kept = [(t, x) for t, x, e in zip(tangents, xs, self.empty) if not e]
        return xp.concatenate(each([t for t, _ in kept], [x for _, x in kept], xp), axis=self.dim)


class StackBackward0(Function):
    _name = "StackBackward0"
    complex_rule = "as_is"

    def forward(self, *args):
        *arrays, dim, dtype = args
        self.dim = dim
        self.dtypes = [a.dtype for a in arrays]
        return contiguous(xp_of(arrays[0]).stack(_all_in(arrays, dtype), axis=dim))

    def backward(self, g):
        xp = xp_of(g)
        return tuple(
            cast_like(xp.take(g, i, axis=self.dim), dtype) if need else None
            for i, (need, dtype) in enumerate(zip(self.needs_input_grad, self.dtypes))
        )

    def backward_graph(self, g):
        return tuple(
            cast_to(apply(SelectBackward0, (g,), self.dim, i), dtype) if need else None
            for i, (need, dtype) in enumerate(zip(self.needs_input_grad, self.dtypes))
        )

    def jvp(self, xs, out, tangents):
        xp = xp_of(out)
        return xp.stack(each(tangents, xs, xp), axis=self.dim)


_COMPLEX_OF = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def real_pairs(z):
    """A complex array's memory as real pairs, ``(..., 2)``: a view."""
    return z[..., None].view(z.real.dtype)


def complex_of_pairs(g):
    """The complex array whose real and imaginary parts are ``g[..., 0]`` and
    ``g[..., 1]`` (a new array)."""
    out = xp_of(g).empty(g.shape[:-1], dtype=_COMPLEX_OF[g.dtype])
    out.real, out.imag = g[..., 0], g[..., 1]
    return out


class ViewAsRealBackward0(Function):
    """``view_as_real``: a complex tensor's memory seen as (real, imaginary) pairs."""

    _name = "ViewAsRealBackward0"
    is_view = True

    def forward(self, a):
        return real_pairs(a)

    def backward(self, g):
        return (complex_of_pairs(g),)

    def jvp(self, xs, out, tangents):
        return real_pairs(tangents[0])


class ViewAsComplexBackward0(Function):
    """``view_as_complex``: real pairs (a last dim of 2, stride 1) seen as complex numbers."""

    _name = "ViewAsComplexBackward0"
    is_view = True

    def forward(self, a):
        return a.view(_COMPLEX_OF[a.dtype])[..., 0]

    def backward(self, g):
        return (xp_of(g).stack([g.real, g.imag], -1),)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return complex_of_pairs(t)


class SelectBackward0(Function):
    _name = "SelectBackward0"
    is_view = True

    def forward(self, a, dim, index):
        self.dim, self.index, self.self_sym_sizes = dim, index, a.shape
        idx = [slice(None)] * a.ndim
        idx[dim] = index
        return a[(*idx, Ellipsis)]  # the Ellipsis keeps a 0-d result an array view

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        idx = [slice(None)] * out.ndim
        idx[self.dim] = self.index
        out[tuple(idx)] = g
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: SelectBackwardBackward0

    def jvp(self, xs, out, tangents):
        idx = [slice(None)] * tangents[0].ndim
        idx[self.dim] = self.index
        return tangents[0][tuple(idx)]


class _ViewsBackward(Function):
    """A node for an op that returns several views of its input (``unbind``, ``split``),
    one for all the outputs, as torch's.

    Output ``i`` reaches it through a ``ViewOutput`` (its edge, which users see as this
    node with output number ``i``); each writes its gradient into its part of one
    gradient of the input's shape, which this node passes on as it is.
    """

    _several = True  # its hooks see one gradient per output

    def backward(self, g):
        from ..autograd import engine

        entry = self.__dict__.get("_accs", {}).get(engine.current_run)
        if entry is not None:  # the engine holds the gradient now; which outputs wrote stays
            entry[0] = None
        return (g,)

    def grad_outputs(self, g) -> tuple:
        """``g`` as one gradient per output (views of it), None for an output that got none
        in this backward: what hooks on this node see, as in torch."""
        from ..autograd import engine

        entry = self.__dict__.get("_accs", {}).get(engine.current_run)
        written = entry[1] if entry is not None else ()
        lead = (slice(None),) * self.dim
        return tuple(
            g[(*lead, index, Ellipsis)] if nr in written else None
            for nr, index in enumerate(self._parts)
        )

    def gradient_of(self, parts: tuple, like):
        """One input-sized gradient of per-output ``parts`` (zeros where None), or None."""
        if all(p is None for p in parts):
            return None
        g = xp_of(like).zeros(self._shape, dtype=like.dtype)
        lead = (slice(None),) * self.dim
        for p, index in zip(parts, self._parts):
            if p is not None:
                g[(*lead, index, Ellipsis)] = p
        return g

    def backward_graph(self, g):
        """The outputs' gradients, as this backward's outputs handed them over, joined into
        one (zeros for an output that got none), as torch's stack or cat of them."""
        from ..autograd import engine

        got = self.__dict__.get("_graph_parts", {}).pop(engine.current_run, {})
        pieces = []
        for nr, index in enumerate(self._parts):
            piece = got.get(nr)
            if piece is None:
                shape = list(self._shape)
                if type(index) is slice:
                    shape[self.dim] = len(range(*index.indices(shape[self.dim])))
                else:
                    del shape[self.dim]
                piece = zeros_grad(tuple(shape), g)
            pieces.append(piece)
        return (getattr(api, self._join)(pieces, self.dim),)


class UnbindBackward0(_ViewsBackward):
    """``unbind`` (and iterating over a tensor)."""

    _name = "UnbindBackward0"
    complex_rule = "as_is"
    _join = "stack"  # (torch's StackBackward0 in the gradient's graph)


class SplitBackward0(_ViewsBackward):
    """``split`` by one size, and ``chunk``."""

    _name = "SplitBackward0"
    complex_rule = "as_is"
    _join = "cat"


class SplitWithSizesBackward0(_ViewsBackward):
    """``split`` by a list of sizes."""

    _name = "SplitWithSizesBackward0"
    complex_rule = "as_is"
    _join = "cat"


class UnsafeSplitBackward0(_ViewsBackward):
    """``unsafe_split`` by one size, and ``unsafe_chunk``: parts that share the input's
    memory but are not views to autograd (each has its own version counter, and writes
    into them are recorded as into any tensor)."""

    _name = "UnsafeSplitBackward0"
    complex_rule = "as_is"
    _join = "cat"


class UnsafeSplitWithSizesBackward0(_ViewsBackward):
    """``unsafe_split`` by a list of sizes."""

    _name = "UnsafeSplitWithSizesBackward0"
    complex_rule = "as_is"
    _join = "cat"


class ViewOutput(OutputEdge):
    """Output ``nr`` of a ``_ViewsBackward`` node, the part ``index`` (an int or a slice)
    of its input along its ``dim``."""

    def __init__(self, node: _ViewsBackward, nr: int, index, offset: float) -> None:
        super().__init__(node, nr, offset)
        self.index = index

    def backward(self, g):
        """Write ``g`` into the node's gradient; hand that gradient on once per backward
        (the first output to run), so that it is summed into the node's once."""
        from ..autograd import engine

        node, run = self.node, engine.current_run
        accs = node.__dict__.setdefault("_accs", {})  # one per backward: they may nest
        entry = accs.get(run)
        first = entry is None
        if first:  # [the gradient being filled, the outputs that wrote into it]
            entry = accs[run] = [xp_of(g).zeros(node._shape, dtype=g.dtype), set()]
            run.partial.append(accs)  # a backward cut short lets go of it all the same
        acc = entry[0]
        idx = [slice(None)] * acc.ndim
        idx[node.dim] = self.index
        acc[tuple(idx)] = g
        entry[1].add(self.nr)
        return (acc if first else None,)

    def backward_graph(self, g):
        """Hand ``g`` to the node, which joins its outputs' gradients (the first output to
        run passes ``g`` on as well, so that the node runs; the node does not read it)."""
        from ..autograd import engine

        node, run = self.node, engine.current_run
        parts = node.__dict__.setdefault("_graph_parts", {})
        got = parts.get(run)
        first = got is None
        if first:
            got = parts[run] = {}
            run.partial.append(parts)
        got[self.nr] = g
        return (g if first else None,)


def views(cls: type[_ViewsBackward], a, dim: int, indices: list, **attrs) -> tuple:
    """The views of ``a`` at ``indices`` (ints or slices) along ``dim``, recorded as one
    node of ``cls`` (with torch's saved ``attrs``) when ``a`` requires grad."""
    from ..autograd import function as F
    from ..autograd.grad_mode import state

    if F._dual:  # forward mode: tangents ride along selects and slices
        parts = tuple(
            apply(SliceBackward0, (a,), dim, i.start, i.stop, 1)
            if type(i) is slice
            else apply(SelectBackward0, (a,), dim, i)
            for i in indices
        )
    else:
        parts = _parts(cls, a, dim, indices, attrs)
    if state.enabled:  # as torch's, they refuse recorded writes (so do views made of them)
        for p in parts:
            p._multi_view = True
    return parts


def _parts(cls: type[_ViewsBackward], a, dim: int, indices: list, attrs: dict) -> tuple:
    """``views`` outside forward mode (one node for all, when ``a`` requires grad)."""
    from ..autograd import function as F
    from ..autograd.grad_mode import state
    from ..events import emit

    lead = (slice(None),) * dim
    arrays = [a._data[(*lead, i, Ellipsis)] for i in indices]
    if not (state.enabled and a.requires_grad):
        return tuple(F.Tensor._view(arr, a, None) for arr in arrays)
    node = cls.__new__(cls)
    node._pending = None
    node.dim, node._shape, node._parts = dim, a._data.shape, tuple(indices)
    node.__dict__.update(attrs)
    F._init_node(node, (a,), (True,))
    if emit.sinks:
        F.record_node(node, a, a._data)
    n = len(indices)
    return tuple(
        F.Tensor._view(arr, a, ViewOutput(node, nr, index, -(nr + 1) / (n + 2)))
        for nr, (arr, index) in enumerate(zip(arrays, indices))
    )


def unsafe_parts(cls: type[_ViewsBackward], a, dim: int, indices: list, **attrs) -> tuple:
    """The parts of ``a`` at ``indices`` (slices) along ``dim``, over ``a``'s memory (no new
    bytes) but not views of it, recorded as one node of ``cls`` when ``a`` requires grad."""
    from ..autograd import function as F
    from ..autograd.grad_mode import state

    if F._dual:  # forward mode: tangents ride along slices, copied to be written apart
        return tuple(apply(SliceBackward0, (a,), dim, i.start, i.stop, 1).clone() for i in indices)
    lead = (slice(None),) * dim
    arrays = [a._data[(*lead, i, Ellipsis)] for i in indices]
    if not (state.enabled and a.requires_grad):
        return tuple(F.Tensor._share(arr, a._buffer, [0]) for arr in arrays)
    node = cls.__new__(cls)
    node._pending = None
    node.dim, node._shape, node._parts = dim, a._data.shape, tuple(indices)
    node.__dict__.update(attrs)
    F._init_node(node, (a,), (True,))
    from ..events import emit

    if emit.sinks:
        F.record_node(node, a, a._data)
    n = len(indices)
    parts = []
    for nr, (arr, index) in enumerate(zip(arrays, indices)):
        t = F.Tensor._share(arr, a._buffer, [0])
        t._grad_fn = ViewOutput(node, nr, index, -(nr + 1) / (n + 2))
        t._rg = True
        parts.append(t)
    return tuple(parts)


class SliceBackward0(Function):
    _name = "SliceBackward0"
    is_view = True

    def forward(self, a, dim, start, end, step):
        self.dim, self.start, self.end, self.step = dim, start, end, step
        self.self_sym_sizes = a.shape
        idx = [slice(None)] * a.ndim
        idx[dim] = slice(start, end, step)
        self.idx = tuple(idx)
        return a[self.idx]

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        out[self.idx] = g
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: SliceBackwardBackward0

    def jvp(self, xs, out, tangents):
        return tangents[0][self.idx]


_INDEX_SLOTS = tuple(f"indices[{i}]" for i in range(64))  # NumPy takes at most 64 dims


class IndexBackward0(Function):
    """Advanced indexing, run as ``(a, *index tensors)``: saves the indices, which get no edge."""

    _name = "IndexBackward0"
    complex_rule = "as_is"
    _edges = 1
    _released_with = ("index",)

    def forward(self, a, *rest):
        *index_arrays, index = rest
        self.self_sym_sizes = a.shape
        self.index = index
        self.save(**dict(zip(_INDEX_SLOTS, index_arrays)))
        return index_layout(a[index], a, index)  # as torch's

    def backward(self, g):
        if self._saved is None:
            raise RuntimeError(M_FREED)
        for slot in self._saved:  # raise if modified
            self.saved(slot)
        xp = xp_of(g)
        out = xp.zeros(self.self_sym_sizes, dtype=g.dtype)
        scatter_add(out, self.index, g)  # repeated indices accumulate
        return (out,)

    graph_name = "IndexPutImplBackward0"
    backward_graph = linear_backward_graph

    @property
    def _saved_indices(self) -> tuple:
        """The index tensors (torch's ``_saved_indices``)."""
        return tuple(_saved_attribute(self, "_saved_" + slot) for slot in self._slot_names())

    def jvp(self, xs, out, tangents):
        return tangents[0][self.index]


class EmbeddingBackward0(Function):
    """Rows of ``weight`` picked by ``indices``, run as ``(weight, indices)``: saves the
    indices, which get no edge. A ``padding_idx`` row gets no gradient; with
    ``scale_grad_by_freq`` each row's gradient is divided by how often it was picked."""

    _name = "EmbeddingBackward0"
    complex_rule = "as_is"
    _edges = 1

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq, sparse):
        self.weight_sym_argsize_0 = weight.shape[0]
        self.padding_idx, self.scale_grad_by_freq, self.sparse = (
            padding_idx,
            scale_grad_by_freq,
            sparse,
        )
        self.save(indices=indices)
        return weight[indices]

    def _args(self) -> tuple:
        return (
            self.saved("indices"),
            self.weight_sym_argsize_0,
            self.padding_idx,
            self.scale_grad_by_freq,
        )

    def backward(self, g):
        return (_embedding_backward(g, *self._args()),)

    def backward_graph(self, g):
        return (apply(EmbeddingDenseBackward0, (g,), *self._args()),)

    def jvp(self, xs, out, tangents):
        return tangents[0][xs[1]]


def _embedding_rows(indices, num_weights, padding_idx, scale_grad_by_freq, dtype):
    """The picked rows (flat) and each pick's factor: 0 at ``padding_idx``, else 1 or one
    over the row's count."""
    xp = xp_of(indices)
    flat = indices.reshape(-1).astype(np.int64, copy=False)
    factor = (flat != padding_idx).astype(dtype)
    if scale_grad_by_freq:
        factor /= xp.bincount(flat, minlength=num_weights)[flat].astype(dtype)
    return flat, factor


def _embedding_backward(g, indices, num_weights, padding_idx, scale_grad_by_freq):
    """embedding's gradient in its weight: each pick's gradient row added into its row."""
    dim = g.shape[-1]
    flat, factor = _embedding_rows(indices, num_weights, padding_idx, scale_grad_by_freq, g.dtype)
    out = xp_of(g).zeros((num_weights, dim), dtype=g.dtype)
    scatter_add(out, flat, g.reshape(-1, dim) * factor[:, None])
    return out


class EmbeddingDenseBackward0(Function):
    """embedding's backward as an op, run as ``(g,)``: linear in ``g``, whose gradient is
    the rows picked again, 0 at ``padding_idx`` (and, as torch's, never scaled by
    frequency)."""

    _name = "EmbeddingDenseBackward0"

    def forward(self, g, indices, num_weights, padding_idx, scale_grad_by_freq):
        self.args = (indices, num_weights, padding_idx, scale_grad_by_freq)
        self.shape = g.shape
        return _embedding_backward(g, *self.args)

    def backward(self, u):
        indices, num_weights, padding_idx, _ = self.args
        flat, factor = _embedding_rows(indices, num_weights, padding_idx, False, u.dtype)
        return ((u[flat] * factor[:, None]).reshape(self.shape),)

    backward_graph = linear_backward_graph

    def jvp(self, xs, out, tangents):
        return _embedding_backward(tangents[0], *self.args)


_RELEASED = object()  # (an attribute that backward released)


class CopySlices(Function):
    """``t[index] = value`` with basic indices: the gradient skips the overwritten part."""

    _name = "CopySlices"
    complex_rule = "as_is"
    _namespace = "torch::autograd::"
    graph_name = "CopySlices"
    writes_repeats = True  # setitem checks the region it writes
    refuses_partial_overlap = False  # likewise
    _released_with = ("index",)

    def forward(self, a, value, index):
        self.index = index
        items = index if type(index) is tuple else (index,)
        arrays = [i for i in items if hasattr(i, "shape")]
        for k, arr in enumerate(arrays):  # index arrays are saved, as torch's index_put_
            self.save(**{f"indices[{k}]": arr})
        self.basic = not arrays
        self.value_shape = getattr(value, "shape", ())
        a[index] = value
        return a

    def _written(self):
        """The index written; torch's error where backward released it (the node is
        reached again through a gradient's graph after ``retain_graph=False``)."""
        index = self.__dict__.get("index", _RELEASED)
        if index is _RELEASED:
            raise RuntimeError(M_FREED)
        return index

    def backward(self, g):
        na, nv = self.needs_input_grad[:2]
        ga = gv = None
        index = self._written()
        if na:
            ga = g.copy()
            ga[index] = 0
        if nv:
            gv = unbroadcast(g[index], self.value_shape)
        return ga, gv

    def backward_graph(self, g):
        # self's gradient is the incoming one with the written part zeroed (torch's
        # CopySlices); the value's, the written part of it, taken as getitem takes it
        # where that is NumPy's indexing too
        na, nv = self.needs_input_grad[:2]
        self._written()
        ga = linear_grad(self, g, 0) if na else None
        gv = None
        if nv:
            items = self.index if type(self.index) is tuple else (self.index,)
            if self.basic:  # torch's CopySlices hands its inner copy a clone of the part
                gv = sum_to(apply(CloneBackward0, (api.getitem(g, self.index),)), self.value_shape)
            elif all(hasattr(i, "shape") for i in items):
                gv = sum_to(api.getitem(g, self.index), self.value_shape)
            else:  # ints among index arrays: NumPy's and torch's layouts may differ
                gv = linear_grad(self, g, 1)
        return ga, gv

    def jvp(self, xs, out, tangents):
        ta, tv = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.copy()
        t[self.index] = 0 if tv is None else tv
        return t


class IndexPutBackward0(CopySlices):
    """``t[tensor indices] = value``, run as ``(t, value, *indices)``: saves the indices."""

    _name = "IndexPutBackward0"
    _namespace = None
    graph_name = "IndexPutBackward0"  # torch's self gradient: grad.index_put(indices, 0)
    _edges = 2

    def forward(self, a, value, *rest):
        *index_arrays, index = rest  # index holds the same arrays, which CopySlices saves
        self.accumulate = False
        return super().forward(a, value, index)

    _saved_indices = IndexBackward0._saved_indices


class ToCopyBackward0(Function):
    """A copy to another dtype or device; the gradient goes back to the original's."""

    _name = "ToCopyBackward0"
    complex_rule = "as_is"
    _moves_device = True

    def forward(self, a, np_dtype, dev):
        self.src_dtype = a.dtype
        from ..backend import device_of

        self.src_device = device_of(a)
        out = a
        if dev is not None:
            out = to_device(out, dev)
        if np_dtype is not None and out.dtype != np_dtype:
            out = out.astype(np_dtype)
        if out is a:
            out = a.copy()
        return out

    def backward(self, g):
        g = to_device(g, self.src_device)
        return (g if g.dtype == self.src_dtype else g.astype(self.src_dtype),)

    def backward_graph(self, g):
        return (g.to(device=self.src_device, dtype=self.src_dtype),)

    def jvp(self, xs, out, tangents):
        t = to_device(tangents[0], device_of(out))
        return t if t.dtype == out.dtype else t.astype(out.dtype)


class ZeroBackward0(Function):
    """``zero_()`` on a tensor in the graph: nothing flows back through it."""

    _name = "ZeroBackward0"
    complex_rule = "as_is"
    writes_repeats = True  # one value everywhere

    def forward(self, a, value):
        return xp_of(a).zeros_like(a)

    def backward(self, g):
        return (xp_of(g).zeros_like(g),)

    def backward_graph(self, g):
        return (zeros_grad(g.shape, g),)  # outside the graph, as torch's zeros_like(grad)

    def jvp(self, xs, out, tangents):
        return xp_of(out).zeros_like(out)


class FillBackward2(ZeroBackward0):
    """``fill_(number)``."""

    _name = "FillBackward2"
    complex_rule = "as_is"

    def forward(self, a, value):
        return xp_of(a).full_like(a, value)


class UniformBackward0(ZeroBackward0):
    """``uniform_(from, to)``: the values drawn (by the caller, from gradscope's generator)
    written in; nothing flows back through it."""

    _name = "UniformBackward0"
    writes_repeats = False

    def forward(self, a, values):
        return values.astype(a.dtype, copy=False)


class NormalBackward0(UniformBackward0):
    """``normal_(mean, std)``."""

    _name = "NormalBackward0"


class FillBackward3(Function):
    """``fill_(0-dim tensor)``: the value's gradient is the sum of the incoming one."""

    _name = "FillBackward3"
    complex_rule = "as_is"
    refuses_partial_overlap = False  # it reads one number, then writes

    def forward(self, a, value):
        out = xp_of(a).empty_like(a)
        out[...] = value  # a 0-dim array, read on the device
        return out

    def backward(self, g):
        na, nv = self.needs_input_grad
        xp = xp_of(g)
        return (xp.zeros_like(g) if na else None, xp.asarray(g.sum()) if nv else None)

    def backward_graph(self, g):
        na, nv = self.needs_input_grad
        return (zeros_grad(g.shape, g) if na else None, g.sum() if nv else None)

    def jvp(self, xs, out, tangents):
        t = xp_of(out).zeros_like(out)
        if tangents[1] is not None:
            t[...] = tangents[1]
        return t


class CopyBackwards(Function):
    """``copy_(src)``: ``src`` broadcast into the target's shape, dtype and device. The
    target's old values get a zero gradient; ``src`` gets the incoming one, summed to its
    shape, in its dtype and on its device."""

    _name = "CopyBackwards"
    complex_rule = "as_is"
    _namespace = "torch::autograd::"
    _moves_device = True  # src may live on another device

    def forward(self, a, src):
        self.src_shape, self.src_dtype, self.src_device = src.shape, src.dtype, device_of(src)
        out = xp_of(a).empty_like(a)
        out[...] = to_device(src, device_of(a))
        return out

    def backward(self, g):
        na, ns = self.needs_input_grad
        gs = None
        if ns:
            gs = to_device(
                cast_like(unbroadcast(g, self.src_shape), self.src_dtype), self.src_device
            )
        return (xp_of(g).zeros_like(g) if na else None, gs)

    def backward_graph(self, g):
        na, ns = self.needs_input_grad
        gs = None
        if ns:
            gs = cast_to(sum_to(g, self.src_shape), self.src_dtype).to(self.src_device)
        return (zeros_grad(g.shape, g) if na else None, gs)

    def jvp(self, xs, out, tangents):
        t = xp_of(out).zeros_like(out)
        if tangents[1] is not None:
            t[...] = to_device(tangents[1], device_of(out))
        return t


# ------------------------------------------------------------- in place through a view


def _ptr(arr) -> int:
    return arr.__array_interface__["data"][0] if type(arr) is np.ndarray else arr.data.ptr


class Geometry(tuple):
    """Where a view lies in its base's memory, in elements, as torch's ``as_strided``
    describes it (sizes, strides and an offset): what a node over a view keeps in place
    of the arrays themselves.

    ``(base shape, base strides, view shape, view strides, view offset, base offset,
    span)``: offsets count from the lowest element either array touches, ``span``
    elements from there hold them all.
    """

    __slots__ = ()

    @classmethod
    def of(cls, base, view) -> Geometry:
        item = base.itemsize
        bstrides = tuple(s // item for s in base.strides)
        lo = hi = 0  # the base's lowest and highest element, from its first
        if base.size:
            for n, s in zip(base.shape, bstrides):
                if s < 0:
                    lo += (n - 1) * s
                else:
                    hi += (n - 1) * s
        span = hi - lo + 1 if base.size else 0
        voff = (_ptr(view) - _ptr(base)) // item - lo if view.size else -lo
        vstrides = tuple(s // item for s in view.strides)
        return cls((base.shape, bstrides, view.shape, vstrides, voff, -lo, span))

    @property
    def repeated(self) -> tuple:
        """The view's dimensions that repeat one element (zero stride, as ``expand`` makes)."""
        return tuple(i for i, (n, s) in enumerate(zip(self[2], self[3])) if s == 0 and n > 1)

    @property
    def overlapping(self) -> bool:
        """Whether two elements of the view may share a memory location (beyond the zero
        strides of a broadcast, which ``AsStridedBackward0`` sums over first): a
        sufficient test, so a view it flags may still be free of overlap."""
        dims = sorted((abs(s), n) for n, s in zip(self[2], self[3]) if n > 1 and s != 0)
        reach = 0
        for s, n in dims:
            if s <= reach:
                return True
            reach = s * (n - 1) + reach
        return False

    def base_array(self, xp, dtype, zero: bool):
        """``(memory, base)``: new memory of ``span`` elements and an array over it laid out
        like the base (the base itself, with the view's part where the view has it)."""
        mem = (xp.zeros if zero else xp.empty)(self[6], dtype=dtype)
        return mem, _strided(xp, mem, self[5], self[0], self[1])

    def base_copy(self, xp, arr):
        """``base_array`` holding a copy of ``arr`` (base-shaped): ``(memory, base)``."""
        mem, laid_out = self.base_array(xp, arr.dtype, zero=False)
        laid_out[...] = arr
        return mem, laid_out

    def gather(self, xp, arr):
        """The view's part of ``arr`` (base-shaped), as a new C-contiguous array."""
        mem, _ = self.base_copy(xp, arr)
        return self.view_array(xp, mem).copy()

    def view_array(self, xp, mem, shape=None):
        """The view's part of ``mem`` (as ``base_array`` made it), optionally with some
        zero-stride dimensions narrowed to 1 (``shape``)."""
        return _strided(xp, mem, self[4], self[2] if shape is None else shape, self[3])


def _strided(xp, mem, offset: int, shape: tuple, strides: tuple):
    item = mem.itemsize
    byte_strides = tuple(s * item for s in strides)
    if xp is np:
        return np.ndarray(shape, mem.dtype, mem, offset * item, byte_strides)
    return xp.lib.stride_tricks.as_strided(mem[offset:], shape, byte_strides)


@named_as_torch
class ViewCopySlices(Function):
    """The base's node after an in-place op on one of its views (torch's ``CopySlices``).

    Runs the in-place op's backward on the view's part of the gradient; the rest of the
    gradient passes through to the base's previous node unchanged.
    """

    _name = "CopySlices"
    complex_rule = "as_is"
    _namespace = "torch::autograd::"
    _released_with = ("fn",)  # the in-place op's node, whose index its saves hold

    def backward(self, g):
        geom = self.geometry
        xp = xp_of(g)
        mem, result = geom.base_copy(xp, g)
        part = geom.view_array(xp, mem)
        fn = self._inplace_node()
        fn._saved = self._saved  # the op's saved tensors live here, freed with this node
        try:
            # a copy: the op may hand back this very array as another input's gradient
            grads = fn.backward(part.copy())
        finally:
            fn._saved = None
        repeated = geom.repeated
        if repeated:  # an expanded view, written by setitem with basic indices alone
            if not (isinstance(fn, CopySlices) and fn.basic):  # as torch's backward refuses
                raise RuntimeError(M_INTERNAL_OVERLAP)
            # an element whose location any overwritten element shares has no gradient left
            written = xp.zeros(part.shape, dtype=bool)
            written[fn.index] = True
            written = written.any(axis=repeated, keepdims=True)
            location = geom.view_array(xp, mem, written.shape)
            location[...] = xp.where(written, 0, location)
        else:
            part[...] = 0 if grads[0] is None else grads[0]
        return (result, *grads[1:])

    def backward_graph(self, g):
        geom = self.geometry
        part = apply(AsStridedBackward0, (g,), geom)
        fn = self._inplace_node()
        fn._saved = self._graph_saves()
        try:
            grads = fn.backward_graph(part)
        finally:
            fn._saved = None
        if geom.repeated:
            if not (isinstance(fn, CopySlices) and fn.basic):
                raise RuntimeError(M_INTERNAL_OVERLAP)
            # the base's locations that any overwritten element shares (see backward)
            xp = xp_of(g._data)
            written = xp.zeros(geom[2], dtype=bool)
            written[fn.index] = True
            written = written.any(axis=geom.repeated, keepdims=True)
            mem, mask = geom.base_array(xp, bool, zero=True)
            geom.view_array(xp, mem, written.shape)[...] = written
            return (g.masked_fill(constant(mask.copy()), 0.0), *grads[1:])
        put = grads[0] if grads[0] is not None else zeros_grad(geom[2], g)
        return (apply(_PutView, (g, put), geom), *grads[1:])

    def _inplace_node(self):
        """The in-place op's node, or torch's error once backward has released it."""
        fn = self.__dict__.get("fn")
        if fn is None:
            raise RuntimeError(M_FREED)
        return fn

    def _graph_saves(self) -> dict | None:
        """The op's saves for its ``backward_graph``. Its own output is the view it wrote,
        whose node is now an ``AsStridedBackward0`` over this one (which holds the saves):
        that output is handed over as a tensor with such a node, as an input would be."""
        saves = self._saved
        if saves is None or not any(st.is_output for st in saves.values()):
            return saves
        from ..autograd.function import SavedTensor, Tensor, _finish, _init_node

        saves = dict(saves)
        for slot, st in saves.items():
            if st.is_output:
                view = Tensor._share(st.data, st.buffer, st.vc)
                node = AsStridedBackward0.__new__(AsStridedBackward0)
                node._pending, node.geometry, node.needs_input_grad = None, self.geometry, (True,)
                _init_node(node, (_Edge(self),), (True,))
                view._grad_fn, view._rg = node, True
                _finish(node, (), None, view, st.data, None)
                saves[slot] = SavedTensor((*st[:5], view, False))
        return saves


class _Edge:
    """Stands for a tensor whose grad_fn is ``node``, where only its edge is needed."""

    __slots__ = ("_grad_fn",)

    def __init__(self, node) -> None:
        self._grad_fn = node


class AsStridedBackward0(Function):
    """A view's node after an in-place op on it or its base: its gradient lands in the
    base's, where the view lies (``geometry``; torch keeps the same sizes and strides).

    Also run as an op (torch's ``as_strided``, here a copy): the view's part of a
    base-shaped tensor, which ``ViewCopySlices.backward_graph`` takes the gradient's with.
    """

    _name = "AsStridedBackward0"
    complex_rule = "as_is"

    def forward(self, base, geometry):
        self.geometry = geometry
        return geometry.gather(xp_of(base), base)

    def backward(self, g):
        geom = self.geometry
        xp = xp_of(g)
        mem, out = geom.base_array(xp, g.dtype, zero=True)
        shape = geom[2]
        repeated = geom.repeated
        if repeated:  # a broadcast view: its repeats of one element add up
            g = g.sum(axis=repeated, keepdims=True)
            shape = g.shape
        if geom.overlapping:
            where = geom.view_array(xp, xp.arange(mem.size, dtype=xp.int64), shape)
            scatter_add(mem, where, g)
        else:
            geom.view_array(xp, mem, shape)[...] = g
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: AsStridedBackwardBackward0

    def jvp(self, xs, out, tangents):
        return self.geometry.gather(xp_of(out), tangents[0])


class _PutView(Function):
    """The base's gradient that ``ViewCopySlices.backward_graph`` makes: the incoming one
    with the view's part replaced by the in-place op's gradient for it."""

    _name = "CopySlices"
    _namespace = "torch::autograd::"

    def forward(self, base, part, geometry):
        self.geometry = geometry
        mem, out = geometry.base_copy(xp_of(base), base)
        geometry.view_array(xp_of(base), mem)[...] = part
        return out

    def backward(self, u):
        geom = self.geometry
        xp = xp_of(u)
        na, npart = self.needs_input_grad
        gb = gp = None
        if na:
            mem, gb = geom.base_copy(xp, u)
            geom.view_array(xp, mem)[...] = 0
        if npart:
            gp = geom.gather(xp, u)
        return gb, gp

    backward_graph = linear_backward_graph  # graph_name: CopySlicesBackward

    def jvp(self, xs, out, tangents):
        geom = self.geometry
        xp = xp_of(out)
        tb, tp = tangents
        if tb is None:
            mem, t = geom.base_array(xp, out.dtype, zero=True)
        else:
            mem, t = geom.base_copy(xp, tb)
        geom.view_array(xp, mem)[...] = 0 if tp is None else tp
        return t


def rebase_view(fn, target, inputs, needs) -> None:
    """After in-place op ``fn`` on view ``target``: the base gets a ``CopySlices`` node and
    the view an ``AsStridedBackward0`` node pointing to it, as torch records them."""
    from ..autograd.function import _finish, _init_node, _rebase

    base = target._base
    geometry = Geometry.of(base._data, target._data)
    n = fn._edges or len(inputs)
    cs_inputs, cs_needs = (base, *inputs[1:n]), (base._rg, *needs[1:n])
    cs = ViewCopySlices.__new__(ViewCopySlices)
    cs._pending, cs.fn, cs.geometry, cs.needs_input_grad = None, fn, geometry, cs_needs
    _init_node(cs, cs_inputs, cs_needs)
    _finish(cs, cs_inputs, [getattr(t, "_data", t) for t in cs_inputs], base, base._data, base)
    cs._saved, fn._saved = fn._saved, None
    if cs._saves is None:  # released after backward all the same: torch's drops ``fn``
        cs._saves = {}
    _rebase(base, cs)  # (a retain_grad on the base or the view follows the tensor, as torch's)
    base._rg = True
    view = AsStridedBackward0.__new__(AsStridedBackward0)
    view._pending, view.geometry = None, geometry
    view.needs_input_grad = (True,)
    _init_node(view, (base,), (True,))
    _finish(view, (base,), [base._data], target, target._data, None)
    _rebase(target, view)
