"""Padding: constant (``ConstantPadNdBackward0``), reflection and replication (a node per
1-, 2- or 3-d form, as torch's ``ReflectionPad2DBackward0`` ...). Circular padding is no
node of its own: ``nn.functional.pad`` writes slices into a new tensor, as torch does.

``padding`` lists (left, right) pairs from the last dim backwards, torch's order.
"""

from __future__ import annotations

from ..autograd.function import Function, apply
from ..backend import xp_of
from ._graph import linear_backward_graph
from .shape import scatter_add

_U64 = 1 << 64


def _torch_shown(pad) -> tuple:
    """``pad`` as torch's ``_saved_pad``/``_saved_padding`` shows it: negative entries as
    their unsigned 64-bit values."""
    return tuple(p % _U64 for p in pad)


def _pairs(pad, ndim: int):
    """(dim, left, right) for each padded dim, from the last dim backwards."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def constant_pad(arr, pad, value):
    """``arr`` with ``pad`` added (negative entries crop) and filled with ``value``."""
    xp = xp_of(arr)
    shape = list(arr.shape)
    src = [slice(None)] * arr.ndim
    dst = [slice(None)] * arr.ndim
    for d, left, right in _pairs(pad, arr.ndim):
        n = shape[d]
        shape[d] = n + left + right
        src[d] = slice(max(-left, 0), n - max(-right, 0))
        dst[d] = slice(max(left, 0), shape[d] - max(right, 0))
    out = xp.full(shape, value, dtype=arr.dtype)
    out[tuple(dst)] = arr[tuple(src)]
    return out


class ConstantPadNdBackward0(Function):
    """``constant_pad_nd``: saves no tensor, only the padding; its backward is the
    opposite padding of the gradient (itself an op of this kind under ``create_graph``)."""

    _name = "ConstantPadNdBackward0"
    complex_rule = "as_is"

    def forward(self, a, pad, value):
        self._pad = tuple(pad)
        self.pad = _torch_shown(pad)
        return constant_pad(a, self._pad, value)

    def backward(self, g):
        return (constant_pad(g, [-p for p in self._pad], 0),)

    def backward_graph(self, g):
        return (apply(ConstantPadNdBackward0, (g,), [-p for p in self._pad], 0),)

    def jvp(self, xs, out, tangents):
        return constant_pad(tangents[0], self._pad, 0)


def _reflect(xp, n: int, left: int, right: int):
    i = xp.arange(-left, n + right)
    i = xp.abs(i)
    return xp.where(i > n - 1, 2 * (n - 1) - i, i)


def _replicate(xp, n: int, left: int, right: int):
    return xp.clip(xp.arange(-left, n + right), 0, n - 1)


class _IndexPad(Function):
    """Reflection or replication padding: each output element is an input element (an
    index per padded dim), so the backward adds the gradient back at those indices.
    Saves the input, as torch does, though only its shape is read."""

    _index = staticmethod(_reflect)

    def forward(self, a, padding):
        self.save(self=a)
        self._pad = tuple(padding)
        self.padding = _torch_shown(padding)
        self.in_shape = a.shape
        return self._take(a)

    def _indices(self, xp) -> list:
        """(dim, input index of each output position) per padded dim, made when needed
        rather than kept on the node."""
        shape = self.in_shape
        return [
            (d, self._index(xp, shape[d], left, right))
            for d, left, right in _pairs(self._pad, len(shape))
        ]

    def _take(self, arr):
        xp = xp_of(arr)
        for d, idx in self._indices(xp):
            arr = xp.take(arr, idx, axis=d)
        return arr

    def backward(self, g):
        xp = xp_of(g)
        shape = list(g.shape)
        for d, idx in reversed(self._indices(xp)):
            shape[d] = self.in_shape[d]
            out = xp.zeros(shape, dtype=g.dtype)
            scatter_add(out, (slice(None),) * d + (idx,), g)
            g = out
        return (g,)

    backward_graph = linear_backward_graph  # graph_name: ReflectionPad1DBackwardBackward0 ...

    def jvp(self, xs, out, tangents):
        return self._take(tangents[0])


class ReflectionPad1DBackward0(_IndexPad):
    _name = "ReflectionPad1DBackward0"
    complex_rule = "as_is"


class ReflectionPad2DBackward0(_IndexPad):
    _name = "ReflectionPad2DBackward0"
    complex_rule = "as_is"


class ReflectionPad3DBackward0(_IndexPad):
    _name = "ReflectionPad3DBackward0"
    complex_rule = "as_is"


class ReplicationPad1DBackward0(_IndexPad):
    _name = "ReplicationPad1DBackward0"
    complex_rule = "as_is"
    _index = staticmethod(_replicate)


class ReplicationPad2DBackward0(ReplicationPad1DBackward0):
    _name = "ReplicationPad2DBackward0"
    complex_rule = "as_is"


class ReplicationPad3DBackward0(ReplicationPad1DBackward0):
    _name = "ReplicationPad3DBackward0"
    complex_rule = "as_is"


REFLECTION = {1: ReflectionPad1DBackward0, 2: ReflectionPad2DBackward0, 3: ReflectionPad3DBackward0}
REPLICATION = {
    1: ReplicationPad1DBackward0,
    2: ReplicationPad2DBackward0,
    3: ReplicationPad3DBackward0,
}
