"""Fractional max pooling (``fractional_max_pool2d``/``3d``, with or without indices):
windows of a fixed size at pseudo-random steps, so that the output has any size between
one window and the input's. Each plane draws its steps from ``_random_samples`` (or from
gradscope's generator); given the same samples, the windows are torch's:

    >>> x = gs.arange(25.0).reshape(1, 1, 5, 5).requires_grad_()
    >>> u = gs.full((1, 1, 2), 0.5)
    >>> F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=u).grad_fn.name()
    'FractionalMaxPool2DBackward0'
"""

from __future__ import annotations

import numpy as np

from .. import creation
from ..autograd.function import apply
from ..autograd.grad_mode import is_grad_enabled
from ..errors import scalar_type_name, shape_str
from ..ops.api.views import _int_list
from ..ops.pool_fractional import (
    FractionalMaxPool2DBackward0,
    FractionalMaxPool3DBackward0,
    fractional_max_pool,
)
from ..tensor import Tensor


def _int_arg(fn: str, arg: str, pos: int, v, n: int) -> tuple:
    """An ``int[n]`` argument as torch's binding reads it: one int for all ``n``, or a
    sequence of ints (0-dim tensors pass as their value)."""
    if type(v) is Tensor and v.ndim == 0 and v._data.dtype.kind in "iu":
        v = int(v.item())
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * n
    if isinstance(v, (tuple, list)):
        v = [int(e.item()) if type(e) is Tensor and e.ndim == 0 else e for e in v]
    return _int_list(fn, arg, pos, v)


def _fractional(nd: int, input, kernel_size, output_size, output_ratio, samples):
    """torch's Python part (the output size from ``output_ratio``, samples drawn when
    none are given), then its kernel's checks in its order, then one node."""
    op = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2:
            if len(output_ratio) > 2:
                raise ValueError(
                    f"{op} requires output_ratio to either be a single Int or tuple of Ints."
                )
            ratio = tuple(output_ratio)
        else:
            ratio = (
                tuple(output_ratio)
                if isinstance(output_ratio, (tuple, list))
                else (output_ratio,) * 3
            )
        output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    if samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        samples = creation.rand(
            n_batch, input.size(-nd - 1), nd, dtype=input.dtype, device=input.device
        )
    kernel = _int_arg(op, "kernel_size", 2, kernel_size, nd)
    size = _int_arg(op, "output_size", 3, output_size, nd)
    if type(samples) is not Tensor:
        raise TypeError(
            f"{op}(): argument 'random_samples' (position 4) must be Tensor, not "
            f"{type(samples).__name__}"
        )
    if samples.requires_grad and is_grad_enabled():
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument "
            "'random_samples'. This input cannot have requires_grad True."
        )
    _check_sizes(nd, op, input, kernel, size)
    _check_samples(nd, input, samples)
    dtype = input._data.dtype
    if dtype.kind != "f" and input.numel() and all(size):
        raise NotImplementedError(
            f"\"{op}_out_frame\" not implemented for '{scalar_type_name(dtype)}'"
        )
    n = 1 if input.ndim == nd + 1 else input.shape[0]
    rows = samples._data[:n].reshape(-1, nd)
    cls = FractionalMaxPool2DBackward0 if nd == 2 else FractionalMaxPool3DBackward0
    out = apply(cls, (input,), kernel, size, rows)
    node = out._grad_node()
    if node is not None and node._saved:  # the indices the node saved (shared, as torch's)
        st = node._saved["result1"]
        return out, Tensor._share(st.data, st.buffer, st.vc)
    _, idx = fractional_max_pool(input._data, kernel, size, rows, cls._order)
    return out, Tensor._make(idx, None)


def _check_sizes(nd: int, op: str, input, kernel, size) -> None:
    names = ("time", "height", "width")[3 - nd :]
    if len(kernel) != nd or len(size) != nd:
        what = "kernel_size" if len(kernel) != nd else "output_size"
        ints = "Ints" if nd == 2 else "three Ints"
        raise RuntimeError(f"{op}: {what} must either be a single Int or tuple of {ints}")
    where = f"{op}()" if nd == 2 else f"{op}_out()"
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {shape_str(input.shape)}"
        )
    for i in range(1, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(
                f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                f"got{shape_str(input.shape)} with dimension {i} being empty."
            )
    sizes = input.shape[-nd:]
    # the 2-d kernel checks height then width (<=); the 3-d one time, width, height (<)
    dims = range(nd) if nd == 2 else (0, 2, 1)
    for d in dims:
        fits = (
            size[d] + kernel[d] - 1 <= sizes[d] if nd == 2 else size[d] + kernel[d] - 1 < sizes[d]
        )
        if not fits:
            raise RuntimeError(
                f"{where}: pool {names[d]} {kernel[d]} too large relative to input "
                f"{names[d]} {sizes[d]}"
            )
    neg = [o for o in size if o < 0]
    if neg:
        shape = shape_str(tuple(input.shape[:-nd]) + tuple(size))
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg[0]}: {shape}")


def _check_samples(nd: int, input, samples) -> None:
    """torch's ``fractional_max_pool_check_shape``."""
    if samples._data.dtype != input._data.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.ndim}")
    n, c, d = samples.shape
    batch, channels = (1, input.shape[0]) if input.ndim == nd + 1 else input.shape[:2]
    if n < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if c != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if d != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {d}.")


def fractional_max_pool2d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices: bool = False,
    _random_samples=None,
):
    """``fractional_max_pool2d`` with its indices: ``(output, indices)`` whatever
    ``return_indices`` says."""
    return _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices: bool = False,
    _random_samples=None,
):
    """The largest value of each ``kernel_size`` window of ``(N, C, H, W)`` or
    ``(C, H, W)`` input at pseudo-random steps to ``output_size`` (or ``output_ratio``
    times the input's size; a pair); ``_random_samples`` (``(N, C, 2)`` in ``[0, 1)``, the
    width's first) fixes the steps, else they are drawn from gradscope's generator. With
    ``return_indices``, also the flat ``H * W`` index of each maximum."""
    out, idx = _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices: bool = False,
    _random_samples=None,
):
    """``fractional_max_pool3d`` with its indices: ``(output, indices)`` whatever
    ``return_indices`` says."""
    return _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices: bool = False,
    _random_samples=None,
):
    """``fractional_max_pool2d`` over the last three dims of ``(N, C, T, H, W)`` or
    ``(C, T, H, W)`` input; ``_random_samples`` is ``(N, C, 3)`` (``T, H, W``)."""
    out, idx = _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return (out, idx) if return_indices else out


__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]
