"""Rearranging ops with nodes of their own in torch: ``pixel_shuffle``,
``pixel_unshuffle`` and ``channel_shuffle``. Each is a permutation of its input's
elements, so its backward is the inverse permutation (linear in the gradient, which is
also what it is under ``create_graph``) and its forward-mode rule the op itself. And
``F.unfold``/``F.fold``, on the convolutions' im2col and col2im nodes."""

from __future__ import annotations

from ..autograd.function import Function, named_as_torch
from ._graph import linear_backward_graph
from .conv import Col2ImBackward0, Im2ColBackward0


def pixel_shuffle(x, r: int):
    """``(*, C r**2, H, W)`` -> ``(*, C, H r, W r)``."""
    *lead, c, h, w = x.shape
    oc = c // (r * r)
    y = x.reshape((*lead, oc, r, r, h, w))
    n = len(lead)
    y = y.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape((*lead, oc, h * r, w * r))


def pixel_unshuffle(x, r: int):
    """``(*, C, H r, W r)`` -> ``(*, C r**2, H, W)``: the inverse of ``pixel_shuffle``."""
    *lead, c, h, w = x.shape
    oh, ow = h // r, w // r
    y = x.reshape((*lead, c, oh, r, ow, r))
    n = len(lead)
    y = y.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape((*lead, c * r * r, oh, ow))


def channel_shuffle(x, groups: int):
    """``(N, C, *)``: the channels, read as ``(groups, C / groups)``, transposed."""
    n, c, *rest = x.shape
    y = x.reshape((n, groups, c // groups, *rest)).swapaxes(1, 2)
    return y.reshape(x.shape)


class _Permutation(Function):
    """A rearrangement of the input's elements: ``_op(x, arg)``, undone by ``_inverse``."""

    def forward(self, x, arg):
        self.arg, self.c = arg, (x.shape[1] if x.ndim > 1 else 0)
        return self._op(x, arg).copy()

    def backward(self, g):
        return (self._inverse(g).copy(),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return self._op(tangents[0], self.arg)


class PixelShuffleBackward0(_Permutation):
    _name = "PixelShuffleBackward0"
    complex_rule = "as_is"

    def _op(self, x, r):
        return pixel_shuffle(x, r)

    def _inverse(self, g):
        return pixel_unshuffle(g, self.arg)


class PixelUnshuffleBackward0(_Permutation):
    _name = "PixelUnshuffleBackward0"
    complex_rule = "as_is"

    def _op(self, x, r):
        return pixel_unshuffle(x, r)

    def _inverse(self, g):
        return pixel_shuffle(g, self.arg)


class ChannelShuffleBackward0(_Permutation):
    _name = "ChannelShuffleBackward0"
    complex_rule = "as_is"

    def _op(self, x, groups):
        return channel_shuffle(x, groups)

    def _inverse(self, g):
        return channel_shuffle(g, self.c // self.arg)


# ---------------------------------------------------------------- unfold, fold
# ``F.unfold``/``F.fold``: the convolutions' im2col and col2im nodes, which also take an
# input without its batch dim (as torch's do: one node, the batch of one implied).


def _batched(x, ndim: int):
    return x if x.ndim == ndim else x[None]


@named_as_torch
class Im2Col(Im2ColBackward0):
    def forward(self, x, kernel, stride, dilation, pads):
        self.unbatched = x.ndim == 3
        out = super().forward(_batched(x, 4), kernel, stride, dilation, pads)
        return out[0] if self.unbatched else out

    def backward(self, g):
        (r,) = super().backward(_batched(g, 3))
        return (r[0] if self.unbatched else r,)

    def jvp(self, xs, out, tangents):
        r = super().jvp(xs, out, (_batched(tangents[0], 4),))
        return r[0] if self.unbatched else r


@named_as_torch
class Col2Im(Col2ImBackward0):
    def forward(self, cols, spatial, kernel, stride, dilation, pads):
        self.unbatched = cols.ndim == 2
        out = super().forward(_batched(cols, 3), spatial, kernel, stride, dilation, pads)
        return out[0] if self.unbatched else out

    def backward(self, g):
        (r,) = super().backward(_batched(g, 4))
        return (r[0] if self.unbatched else r,)

    def jvp(self, xs, out, tangents):
        r = super().jvp(xs, out, (_batched(tangents[0], 3),))
        return r[0] if self.unbatched else r
