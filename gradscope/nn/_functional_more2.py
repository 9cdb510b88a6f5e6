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

import warnings

import numpy as np

from .. import creation
from ..autograd.function import apply, apply_inplace
from ..backend import xp_of
from ..errors import scalar_type_name, shape_str
from ..ops import api
from ..ops.pool_more import MaxUnpool2DBackward0, MaxUnpool3DBackward0
from ..ops.rrelu import RreluWithNoiseBackward0, RreluWithNoiseBackward1
from . import functional as F


def _single(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,)


def _pair(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


# ---------------------------------------------------------------- power-average pools


def _lp_pool(nd: int, input, norm_type, kernel_size, stride, ceil_mode, window):
    """torch's composite for ``lp_pool{nd}d``: ``window`` is what the mean is multiplied
    back by (the kernel's size; for 1-d, ``kernel_size`` as given, which torch's ``mul``
    refuses as a tuple or list only after pooling), or a function computing it then (the
    product of the sizes, which torch too computes after pooling)."""
    max_pool = getattr(F, f"max_pool{nd}d")
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(api.abs(input), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-api.abs(input), kernel_size, stride, 0, 1, ceil_mode)
    avg_pool, powered = getattr(F, f"avg_pool{nd}d"), api.pow(input, norm_type)
    if stride is not None:
        out = avg_pool(powered, kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(powered, kernel_size, padding=0, ceil_mode=ceil_mode)
    if callable(window):
        window = window()
    if isinstance(window, (tuple, list)):
        raise TypeError(
            f"mul(): argument 'other' (position 1) must be Tensor, not {type(window).__name__}"
        )
    return api.pow(api.mul(api.sign(out) * F.relu(api.abs(out)), window), 1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``(sum over each window of x ** p) ** (1 / p)`` over ``(N, C, L)`` or ``(C, L)``
    input: an average pool of ``x ** p``, ``sign(out) * relu(|out|)`` (torch's way of
    writing ``out``, so a negative sum for odd ``p`` stays negative) times the window's
    size, then the ``1 / p`` power. ``p = +-inf`` is the max pool of ``|x|`` (of ``-|x|``,
    negated)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode, kernel_size)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``lp_pool1d`` over the last two dims of ``(N, C, H, W)`` or ``(C, H, W)`` input."""
    kw, kh = _pair(kernel_size)
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode, lambda: kw * kh)


def _triple(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v, v)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """``lp_pool1d`` over the last three dims of ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    input."""
    kd, kw, kh = _triple(kernel_size)
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode, lambda: kd * kw * kh)


# ---------------------------------------------------------------- max unpooling


def _unpool_output_size(input, kernel_size, stride, padding, output_size) -> list:
    """torch's ``_unpool_output_size``: the size a max pool of ``kernel_size``, ``stride``
    and ``padding`` came from, or ``output_size`` (its last dims) if it could have."""
    input_size = tuple(input.shape)
    nk = len(kernel_size)
    default_size = [
        (input_size[-nk + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(nk)
    ]
    if output_size is None:
        ret = default_size
    else:
        if len(output_size) == nk + 2:
            output_size = output_size[2:]
        if len(output_size) != nk:
            raise ValueError(
                f"output_size should be a sequence containing {nk} or {nk + 2} elements, but it "
                f"has a length of '{len(output_size)}'"
            )
        for d in range(nk):
            min_size = default_size[d] - stride[d]
            max_size = default_size[d] + stride[d]
            if not (min_size < output_size[d] < max_size):
                raise ValueError(
                    f'invalid output_size "{output_size}" (dim {d} must be between {min_size} '
                    f"and {max_size})"
                )
        ret = output_size
    for d in range(nk):
        if ret[d] < 0:
            raise ValueError(
                "max_unpooling: output_size must contain non-negative spatial dimensions, but "
                f"got output_size[{d}]={ret[d]}"
            )
    return ret


def _check_unpool_input(nd: int, input, indices) -> None:  # noqa: A002
    """torch's checks of an ``nd``-d unpool's input against its indices: its number of
    dims (with or without the batch), the same shape, and no empty non-batch dim."""
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a "
            f"tensor with {input.ndim} dimensions."
        )
    if tuple(input.shape) != tuple(indices.shape):
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({shape_str(input.shape)}) but got indices tensor with shape: "
            f"{shape_str(indices.shape)}"
        )
    for d in range(1, input.ndim):
        if input.shape[d] == 0:
            raise RuntimeError(
                f"max_unpooling{nd}d_forward_out_cpu(): Expected input to have non-zero size "
                f"for non-batch dimensions, but got {shape_str(input.shape)} with dimension {d} "
                "being empty."
            )


def _max_unpool2d(input, indices, output_size):
    """torch's ``max_unpool2d`` kernel: its checks, in its order, then one node."""
    if indices._data.dtype.name != "int64":
        raise RuntimeError(
            "elements in indices should be type int64 but got: "
            f"{scalar_type_name(indices._data.dtype)}"
        )
    if len(output_size) != 2:
        raise RuntimeError(
            "There should be exactly two elements (height, width) in output_size, but got "
            f"{len(output_size)} elements."
        )
    _check_unpool_input(2, input, indices)
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"max_unpool2d\" not implemented for '{scalar_type_name(input._data.dtype)}'"
        )
    return apply(MaxUnpool2DBackward0, (input, indices), tuple(int(s) for s in output_size))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool1d``: zeros of the pooled-from length with each
    value of ``input`` at its index. torch runs ``max_unpool2d`` on the inputs unsqueezed
    at -1 and squeezes the result."""
    kernel_size = _single(kernel_size)
    stride = _single(stride) if stride is not None else kernel_size
    padding = _single(padding)
    output_size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    output_size = list(output_size) + [1]
    out = _max_unpool2d(api.unsqueeze(input, -1), api.unsqueeze(indices, -1), output_size)
    return api.squeeze(out, -1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool2d``: zeros of the pooled-from ``(H, W)`` (or
    ``output_size``) with each value of ``input`` at its flat ``H * W`` index."""
    kernel_size = _pair(kernel_size)
    stride = _pair(stride) if stride is not None else kernel_size
    padding = _pair(padding)
    output_size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    return _max_unpool2d(input, indices, output_size)


def _max_unpool3d(input, indices, output_size, stride):
    """torch's ``max_unpool3d`` kernel: its checks, in its order, then one node."""
    if indices._data.dtype.name != "int64":
        raise RuntimeError("elements in indices should be type int64")
    _check_unpool_input(3, input, indices)
    if any(s <= 0 for s in stride):
        raise RuntimeError(
            f"strides should be greater than zero, but got stride: {shape_str(stride)}"
        )
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"max_unpool3d\" not implemented for '{scalar_type_name(input._data.dtype)}'"
        )
    return apply(MaxUnpool3DBackward0, (input, indices), tuple(int(s) for s in output_size))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of ``max_pool3d``: zeros of the pooled-from ``(D, H, W)`` (or
    ``output_size``) with each value of ``input`` at its flat ``D * H * W`` index."""
    kernel_size = _triple(kernel_size)
    stride = _triple(stride) if stride is not None else kernel_size
    padding = _triple(padding)
    output_size = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    return _max_unpool3d(input, indices, output_size, stride)


# ---------------------------------------------------------------- randomized leaky ReLU


def _rrelu(input, lower, upper, training, inplace):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"
    F._float_kernel(kernel, input)
    x = input._data
    xp = xp_of(x)
    if training:  # a slope drawn from gradscope's generator for each x <= 0, 1 elsewhere
        rng = creation._rng if xp is np else xp.random
        with F._on_device(input):
            drawn = rng.uniform(lower, upper, x.shape).astype(x.dtype, copy=False)
            noise = xp.where(x <= 0, drawn, x.dtype.type(1))
    else:  # torch saves an unfilled tensor here
        noise = xp.empty_like(x)
    if inplace:
        return apply_inplace(
            RreluWithNoiseBackward1, input, (input,), noise, lower, upper, training
        )
    return apply(RreluWithNoiseBackward0, (input,), noise, lower, upper, training)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training: bool = False, inplace: bool = False):
    """Randomized leaky ReLU: ``x`` where positive, ``a * x`` elsewhere, with ``a`` drawn
    uniformly from ``[lower, upper]`` for each element in training (gradscope's generator,
    ``gs.manual_seed``; its draws are not torch's) and ``(lower + upper) / 2`` otherwise."""
    return _rrelu(input, lower, upper, training, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training: bool = False):
    """``rrelu`` in place (``RreluWithNoiseBackward1``)."""
    return _rrelu(input, lower, upper, training, True)


# ---------------------------------------------------------------- Gumbel-softmax


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1):
    """A sample of the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    ``g = -log(E)``, ``E`` exponential draws from gradscope's generator. With ``hard``, the
    one-hot of each maximum, differentiated as the soft sample (``y_hard - y_soft.detach()
    + y_soft``, torch's straight-through trick)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -creation.empty_like(logits).exponential_().log()  # ~Gumbel(0, 1)
    gumbels = (logits + gumbels) / tau  # ~Gumbel(logits, tau)
    y_soft = gumbels.softmax(dim)
    if hard:  # straight through
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = creation.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft  # the reparameterization trick


# ---------------------------------------------------------------- triplet loss, any distance


def triplet_margin_with_distance_loss(
    anchor,
    positive,
    negative,
    *,
    distance_function=None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
):
    """``max(d(a, p) - d(a, n) + margin, 0)``, reduced, for any distance ``d`` (default
    ``pairwise_distance``); ``swap`` takes the smaller of ``d(a, n)`` and ``d(p, n)``."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative "
            f"{n_dim}D inputs"
        )
    if distance_function is None:
        distance_function = F.pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_swap = distance_function(positive, negative)
        dist_neg = api.minimum(dist_neg, dist_swap)
    loss = api.clamp_min(margin + dist_pos - dist_neg, 0)
    if reduction == "sum":
        return api.sum(loss)
    if reduction == "mean":
        return api.mean(loss)
    return loss


__all__ = [
    "gumbel_softmax",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "rrelu",
    "rrelu_",
    "triplet_margin_with_distance_loss",
]
