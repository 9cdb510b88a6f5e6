"""``max_unpool2d``'s and ``max_unpool3d``'s nodes (``max_unpool1d`` runs the 2-d one on
inputs unsqueezed at -1, as torch does): each value written at its flat ``H * W`` (or
``D * H * W``) index of a zero output plane."""

from __future__ import annotations

import math

from ..autograd.function import Function
from ..backend import xp_of
from . import api


def _planes(x, indices, size):
    nd = len(size)
    planes = math.prod(x.shape[:-nd])
    return planes, indices.reshape(planes, math.prod(x.shape[-nd:])), math.prod(size)


def unpool(x, indices, size):
    """Zeros of ``x.shape[:-nd] + size`` (``nd = len(size)``) with ``x``'s values at
    their flat ``indices`` (the last write wins where indices repeat, as in torch's CPU
    loop)."""
    xp = xp_of(x)
    nd = len(size)
    planes, flat, n = _planes(x, indices, size)
    out = xp.zeros((planes, n), dtype=x.dtype)
    if flat.size and n:
        bad = (flat < 0) | (flat >= n)
        if bad.any():  # torch's loop reports the last it met (one thread: the last)
            raise RuntimeError(
                f"Found an invalid max index: {int(flat[bad][-1])} (output volumes are of size "
                f"{'x'.join(str(s) for s in size)})"
            )
        out[xp.arange(planes)[:, None], flat] = x.reshape(flat.shape)
    return out.reshape(x.shape[:-nd] + tuple(size))


class MaxUnpool2DBackward0(Function):
    """Run as ``(self, indices)``; saves ``indices`` (as torch does) and gathers the
    gradient at them."""

    _name = "MaxUnpool2DBackward0"
    _edges = 1
    _nd = 2

    def forward(self, x, indices, size):
        self.size = tuple(size)
        self.save(indices=indices)
        return unpool(x, indices, self.size)

    def backward(self, g):
        indices = self.saved("indices")
        planes, flat, n = _planes(indices, indices, self.size)
        xp = xp_of(g)
        picked = g.reshape(planes, n)[xp.arange(planes)[:, None], flat]
        return (picked.reshape(indices.shape),)

    def backward_graph(self, g):
        # torch's max_pool_double_backward: grad.flatten(-2).gather(-1, indices.flatten(-2))
        indices = self.saved_tensor("indices")
        nd = self._nd
        picked = api.gather(api.flatten(g, -nd), -1, api.flatten(indices, -nd))
        return (api.reshape(picked, tuple(indices.shape)),)

    def jvp(self, xs, out, tangents):
        return unpool(tangents[0], xs[1], self.size)


class MaxUnpool3DBackward0(MaxUnpool2DBackward0):
    """``MaxUnpool2DBackward0`` over the last three dims (flat ``D * H * W`` indices)."""

    _name = "MaxUnpool3DBackward0"
    _nd = 3
