"""``AvgPool3DBackward0`` for the one 3-d pool gradscope runs: a window of ``k`` along the
depth dim (``-3``) and 1 along the others, stride 1, no padding, which is how
``local_response_norm`` averages the squares of neighbouring channels."""

from __future__ import annotations

from ..autograd.function import Function
from ._graph import linear_backward_graph
from .conv import _spread_windows, _sum_windows


class AvgPool3DBackward0(Function):
    """The mean of each window of ``k`` along dim -3 of a 4-d or 5-d input; saves the input
    (``self``) as torch does."""

    _name = "AvgPool3DBackward0"

    def forward(self, x, k):
        self.save(self=x)
        self.k, self.depth = k, x.shape[-3]
        return _sum_windows(x, -3, self._bounds()) / k

    def _bounds(self):
        return [(o, o + self.k) for o in range(self.depth - self.k + 1)]

    def backward(self, g):
        return (_spread_windows(g / self.k, -3, self._bounds(), self.depth),)

    def backward_graph(self, g):
        return linear_backward_graph(self, g)

    def jvp(self, xs, out, tangents):
        return _sum_windows(tangents[0], -3, self._bounds()) / self.k
