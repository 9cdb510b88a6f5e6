"""Windows over one dim: ``Tensor.unfold`` (a view of every ``size``-long window, ``step``
apart: ``UnfoldBackward0``) and ``narrow_copy`` (one window as a new tensor:
``NarrowCopyBackward0``).

    >>> gs.arange(7.0, requires_grad=True).unfold(0, 3, 2).grad_fn.name()
    'UnfoldBackward0'
"""

from __future__ import annotations

from ..autograd.function import Function, apply
from ..backend import xp_of
from . import api as F
from ._graph import linear_backward_graph
from .shape import scatter_add


def unfold_view(a, dim: int, size: int, step: int):
    """The windows of ``a`` along ``dim`` as a view: that dim becomes the number of windows
    and a last dim of ``size`` is added (torch's strides)."""
    shape, strides = list(a.shape), list(a.strides)
    n = (shape[dim] - size) // step + 1 if a.ndim else 1
    if a.ndim:
        shape[dim], strides[dim] = n, strides[dim] * step
        shape.append(size)
        strides.append(a.strides[dim])
    else:
        shape, strides = [size], [a.itemsize]
    return xp_of(a).lib.stride_tricks.as_strided(a, tuple(shape), tuple(strides))


class UnfoldBackward0(Function):
    """``Tensor.unfold``: overlapping windows share their input's elements, so backward
    adds each window's gradient into its place."""

    _name = "UnfoldBackward0"
    is_view = True

    def forward(self, a, dim, size, step):
        self.dimension, self.size, self.step, self.self_sym_sizes = dim, size, step, a.shape
        return unfold_view(a, dim, size, step)

    def backward(self, g):
        xp = xp_of(g)
        out = xp.zeros(self.self_sym_sizes, dtype=g.dtype)
        if not self.self_sym_sizes:  # a 0-dim input: one window of at most one element
            return (g.sum().astype(g.dtype),)
        d = self.dimension
        n = g.shape[d]
        index = xp.arange(n)[:, None] * self.step + xp.arange(self.size)[None, :]
        moved = xp.moveaxis(out, d, -1)  # a view: the adds land in ``out``
        scatter_add(moved, (Ellipsis, index), xp.moveaxis(g, d, -2))
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: UnfoldBackwardBackward0

    def jvp(self, xs, out, tangents):
        return unfold_view(tangents[0], self.dimension, self.size, self.step)


def unfold(a, dimension: int, size: int, step: int):
    """Every window of ``size`` elements of ``a`` along ``dimension``, ``step`` apart, as a
    view: that dim becomes the windows' count and a last dim of ``size`` is added."""
    size = F._int_arg("unfold", "size", 2, size)
    step = F._int_arg("unfold", "step", 3, step)
    dimension = F._int_arg("unfold", "dimension", 1, dimension)
    nd = a._data.ndim
    d = F._dim(dimension, nd)
    length = a.shape[d] if nd else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return apply(UnfoldBackward0, (a,), d, size, step)


class NarrowCopyBackward0(Function):
    """``narrow_copy``: the slice ``start:start+length`` of ``dim``, copied.

    torch saves ``start`` as given and its backward slices with it unwrapped, so a
    negative ``start`` (fine forward) makes backward raise; so does gradscope's."""

    _name = "NarrowCopyBackward0"
    complex_rule = "as_is"

    def forward(self, a, dim, start, length, given_start):
        self.dim, self.start, self.length, self.self_sym_sizes = dim, given_start, length, a.shape
        idx = [slice(None)] * a.ndim
        idx[dim] = slice(start, start + length)
        self.idx = tuple(idx)
        return a[self.idx].copy()

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        if self.start < 0:  # torch's backward narrows from the unwrapped start: nothing
            raise RuntimeError(
                f"The size of tensor a (0) must match the size of tensor b ({self.length}) at "
                f"non-singleton dimension {self.dim}"
            )
        out[self.idx] = g
        return (out,)

    backward_graph = linear_backward_graph  # graph_name: NarrowCopyBackwardBackward0

    def jvp(self, xs, out, tangents):
        return tangents[0][self.idx].copy()


def narrow_copy(input, dim: int, start: int, length: int):  # noqa: A002 - torch's name
    """``narrow``, as a new tensor rather than a view."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if dim >= nd:
        raise RuntimeError(
            "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
            "(Could this error message be improved?  If so, please report an enhancement "
            "request to PyTorch.)"
        )
    dim = F._dim(dim, nd)
    size = input.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    given = start
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(NarrowCopyBackward0, (input,), dim, start, length, given)
