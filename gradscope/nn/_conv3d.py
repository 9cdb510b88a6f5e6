"""``gs.nn.functional``'s 3-d convolution and pools: torch's argument checks and error
texts, then the nodes of ``gradscope.ops.conv`` and ``gradscope.ops.pool3d``."""

from __future__ import annotations

import numpy as np

from ..autograd.function import apply
from ..errors import scalar_type_name
from ..ops import api
from ..ops import conv as K
from ..ops import pool3d as P
from ._conv import (
    _convolution,
    _indices,
    _int_arg,
    _int_list,
    _ints,
    _list_with_default,
    _pool_ints,
    check_pool_dim,
)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """A 3-d convolution (cross-correlation) of ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    ``input`` with ``(out, C / groups, kd, kh, kw)`` ``weight``; ``padding`` may be
    ``'same'`` or ``'valid'``."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------- pooling


def _triple(op: str, what: str, v) -> tuple:
    """``v`` as three ints, or torch's error for another length."""
    if isinstance(v, int):
        return (v,) * 3
    v = tuple(v)
    if len(v) == 1:
        return v * 3
    if len(v) != 3:
        verb = "be" if op == "avg_pool3d" else "be either" if what == "dilation" else "either be"
        omitted = "omitted, " if what == "stride" else ""
        raise RuntimeError(
            f"{op}: {what} must {verb} {omitted}a single int, or a tuple of three ints"
        )
    return v


def _pool3d_args(op, input, kernel_size, stride, padding, dilation):
    """torch's checks of a 3-d pool's arguments (``max_pool3d``'s and ``avg_pool3d``'s
    meta functions, then ``pooling_output_shape`` per dim); the arguments as triples
    (``()`` for an omitted stride) and the output's size."""
    kernel = _triple(op, "kernel_size", kernel_size)
    stride = _triple(op, "stride", stride) if stride else ()
    padding = _triple(op, "padding", padding)
    dilation = _triple(op, "dilation", dilation)
    if input.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    return kernel, stride, padding, dilation


def _pool3d_shape(fn, input, kernel, stride, padding, dilation, ceil_mode, check_input_size):
    """``pooling_output_shape`` per dim and ``pool3d_shape_check``: torch's errors, in its
    order."""
    sizes = tuple(input.shape[-3:])
    outs = []
    for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation):
        check_pool_dim(k, s, p, d)
        outs.append(K.pool_out_size(n, k, s, p, d, ceil_mode))
    (kt, kh, kw), (dt, dh, dw), (lt, lh, lw) = kernel, stride, dilation
    if min(kernel) <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kT: {kt} kH: {kh} kW: {kw}"
        )
    if min(stride) <= 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got dT: {dt} dH: {dh} dW: {dw}"
        )
    if min(dilation) <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilationT: {lt} dilationH: {lh} "
            f"dilationW: {lw}"
        )
    for n in input.shape[input.ndim - 4 :]:
        if n <= 0:
            raise RuntimeError(
                f"{fn}: Expected input's non-batch dimensions to have positive length, but input "
                f"has a shape of {_ints(input.shape)} and non-batch dimension {n} has length zero!"
            )
    t, h, w = sizes
    if check_input_size and (t < kt or h < kh or w < kw):
        raise RuntimeError(
            f"input image (T: {t} H: {h} W: {w}) smaller than kernel size "
            f"(kT: {kt} kH: {kh} kW: {kw})"
        )
    (pt, ph, pw) = padding
    if kt // 2 < pt or kw // 2 < pw or kh // 2 < ph:
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"kT: {kt} kW: {kw} kH: {kh} padT: {pt} padW: {pw} padH: {ph}"
        )
    if min(outs) < 1:
        c = input.shape[-4]
        raise RuntimeError(
            f"Given input size: ({c}x{t}x{h}x{w}). Calculated output size: "
            f"({c}x{outs[0]}x{outs[1]}x{outs[2]}). Output size is too small"
        )


def max_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value of each window of ``(N, C, D, H, W)`` or ``(C, D, H, W)``
    ``input``; with ``return_indices``, also the flat ``D * H * W`` index of each."""
    fn = "max_pool3d_with_indices" if return_indices else "max_pool3d"
    kernel_size, stride, padding, dilation = _pool_ints(
        fn, 3, kernel_size, stride, padding, dilation
    )
    kernel, stride, padding, dilation = _pool3d_args(
        "max_pool3d", input, kernel_size, stride, padding, dilation
    )
    _pool3d_shape(
        "max_pool3d_with_indices_out_cpu_template()",
        input,
        kernel,
        stride or kernel,
        padding,
        dilation,
        ceil_mode,
        False,
    )
    if input._data.dtype.kind == "b":
        _not_implemented("max_pool3d", input)
    out = apply(
        P.MaxPool3DWithIndicesBackward0, (input,), kernel, stride, padding, dilation, ceil_mode
    )
    if not return_indices:
        return out
    return out, _indices(out, input, kernel, stride, padding, dilation, ceil_mode)


def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
):
    """The mean of each window of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` ``input``."""
    kernel_size, stride, padding, _ = _pool_ints("avg_pool3d", 3, kernel_size, stride, padding)
    if divisor_override is not None:
        divisor_override = _int_arg("avg_pool3d", "divisor_override", None, divisor_override)
    kernel, stride, padding, _ = _pool3d_args("avg_pool3d", input, kernel_size, stride, padding, 1)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _pool3d_shape(
        "avg_pool3d()", input, kernel, stride or kernel, padding, (1, 1, 1), ceil_mode, True
    )
    dt = input._data.dtype
    if dt.kind != "f" and dt != np.int64 or dt == np.float16:
        _not_implemented("avg_pool3d_out_frame", input)
    return apply(
        P.AvgPool3DBackward0,
        (input,),
        kernel,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def _not_implemented(kernel: str, input):
    name = scalar_type_name(input._data.dtype)
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _output_size(op: str, output_size, input) -> tuple:
    """torch's ``_list_with_default``: None in ``output_size`` is the input's size there."""
    return _int_list(op, "output_size", 2, _list_with_default(output_size, input), 3)


def adaptive_avg_pool3d(input, output_size):
    """The mean of each of ``output_size`` near-equal windows of ``(N, C, D, H, W)`` or
    ``(C, D, H, W)`` ``input`` (None in ``output_size``: the input's size there)."""
    size = _output_size("adaptive_avg_pool3d", output_size, input)
    if len(size) != 3:
        raise RuntimeError("adaptive_avg_pool3d: output_size must be 3")
    if any(o < 0 for o in size):
        raise RuntimeError(
            "adaptive_avg_pool3d: elements of output_size must be greater than or equal to 0 "
            f"but received {{{size[0]}, {size[1]},{size[2]}}}"
        )
    if size == (1, 1, 1):  # torch takes the mean, a node of its own
        return api.mean(input, (-1, -2, -3), keepdim=True)
    _adaptive_input_checks("adaptive_avg_pool3d", input, "")
    if input._data.dtype.kind != "f":
        _not_implemented("adaptive_avg_pool3d_cpu", input)
    return apply(P.AdaptiveAvgPool3DBackward0, (input,), size)


def _adaptive_input_checks(op, input, colon) -> None:
    if op == "adaptive_max_pool3d":  # its dims are checked first
        _adaptive_dims(op, input, colon)
    for i in range(1, input.ndim):
        if input.shape[i] <= 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_ints(input.shape)} with dimension {i} being empty"
            )
    _adaptive_dims(op, input, colon)


def _adaptive_dims(op, input, colon) -> None:
    if input.ndim not in (4, 5):
        raise RuntimeError(f"{op}(): Expected 4D or 5D tensor, but got{colon} {_ints(input.shape)}")


def adaptive_max_pool3d(input, output_size, return_indices: bool = False):
    """The largest value of each of ``output_size`` near-equal windows of
    ``(N, C, D, H, W)`` or ``(C, D, H, W)`` ``input``; with ``return_indices``, also the
    flat ``D * H * W`` index of each."""
    size = _output_size("adaptive_max_pool3d", output_size, input)
    _adaptive_input_checks("adaptive_max_pool3d", input, ":")
    if len(size) != 3:
        raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must be 3")
    if any(o < 0 for o in size):
        shape = tuple(input.shape[:-3]) + size
        neg = next(o for o in size if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {_ints(shape)}")
    if input._data.dtype.kind != "f":
        _not_implemented("adaptive_max_pool3d_cpu", input)
    out = apply(P.AdaptiveMaxPool3DBackward0, (input,), size)
    if not return_indices:
        return out
    node = out._grad_node()
    if node is not None and node._saved:
        st = node._saved["result1"]
        return out, api.Tensor._share(st.data, st.buffer, st.vc)
    _, idx = P.adaptive_max_pool(input._data, size)
    return out, api.Tensor._make(idx, None)
