"""``rrelu``'s nodes: a leaky ReLU whose negative slopes are drawn, in training, uniformly
from ``[lower, upper]`` (one per element, kept as ``noise``), and are their mean otherwise.
``RreluWithNoiseBackward0`` saves ``self`` and ``noise``; ``rrelu_`` records
``RreluWithNoiseBackward1``, saving ``result`` instead, as torch does."""

from __future__ import annotations

from ..autograd.function import Function, apply
from ..backend import contiguous
from .activation import _PointwiseBackwardBackward


class RreluWithNoiseBackward0(Function):
    """Run as ``(self,)`` with the noise already drawn (ones where ``x > 0``), or, out of
    training, an unfilled array of ``x``'s shape, as torch's ``empty_like``."""

    _name = "RreluWithNoiseBackward0"

    def forward(self, x, noise, lower, upper, training):
        self._args(lower, upper, training, noise)
        out = x * noise if training else x * self._slopes(x)
        self.save(self=x, noise=noise)
        return contiguous(out.astype(x.dtype, copy=False))  # C order, as torch's

    def _args(self, lower, upper, training, noise):
        self.lower, self.upper, self.training, self.noise = lower, upper, training, noise

    def _slopes(self, x):
        """The noise in training (so a NaN input, whose noise is 1, passes its gradient
        on, as in torch, equal bounds included), else the leaky ReLU slopes at the mean of
        the bounds."""
        if self.training:
            return self.noise
        slope = (self.lower + self.upper) / 2
        return (x > 0).astype(x.dtype) * (1 - slope) + x.dtype.type(slope)

    def _grad(self, g, x):
        return g * self._slopes(x)

    def _params(self):
        return (self.lower, self.upper, self.training, self.noise)

    def backward(self, g):
        self.noise = self.saved("noise")
        return (self._grad(g, self.saved("self")),)

    def backward_graph(self, g):
        self.noise = self.saved("noise")
        x = self.saved_tensor("self")
        return (apply(RreluWithNoiseBackwardBackward0, (g, x), type(self), self._params()),)

    def jvp(self, xs, out, tangents):
        return tangents[0] * self._slopes(xs[0])


class RreluWithNoiseBackward1(RreluWithNoiseBackward0):
    """``rrelu_``: the same, from its output (whose signs are the input's)."""

    _name = "RreluWithNoiseBackward1"
    saves_output = "result"

    def forward(self, x, noise, lower, upper, training):
        self._args(lower, upper, training, noise)
        out = x * noise if training else x * self._slopes(x)
        self.save(noise=noise)
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        self.noise = self.saved("noise")
        return (self._grad(g, self.saved("result")),)

    def backward_graph(self, g):
        self.noise = self.saved("noise")
        r = self.saved_tensor("result")
        return (apply(RreluWithNoiseBackwardBackward0, (g, r), type(self), self._params()),)


class RreluWithNoiseBackwardBackward0(_PointwiseBackwardBackward):
    """The backward as an op, ``g * slopes``: linear in ``g``, zero in ``x``."""

    _name = "RreluWithNoiseBackwardBackward0"
    zero_second = True
