"""``gs.nn.functional``'s convolutions and pools: argument checks with torch's errors,
then the nodes of ``gradscope.ops.conv``, wrapped in the views torch adds around them
(a batch dim for unbatched inputs, a height of 1 for the 1-d pools)."""

from __future__ import annotations

import warnings

from ..autograd.function import apply
from ..errors import py_type_name, refuse_kernel, scalar_type_name
from ..events.callsite import user_stacklevel
from ..ops import api
from ..ops import conv as K


def _ntuple(v, n: int) -> tuple:
    return (v,) * n if isinstance(v, int) else tuple(v)


def _ints(v) -> str:
    return "[" + ", ".join(map(str, v)) + "]"


def _conv_args(name, input, weight, bias, stride, padding, dilation, groups, nd):
    """torch's checks of a convolution's arguments; the padding as ints and the
    ``ConstantPadNd`` pad (or None) that ``padding='same'`` needs first."""
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_ints(input.shape)}"
        )
    stride, dilation = _ntuple(stride, nd), _ntuple(dilation, nd)
    stride, dilation = (v * nd if len(v) == 1 else v for v in (stride, dilation))
    pad_nd = None
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            padding, pad_nd = _same_padding(kernel, dilation, nd)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = _ntuple(padding, nd)
    padding = padding * nd if len(padding) == 1 else padding
    dims = weight.ndim - 2
    for what, v in (("stride", stride), ("padding", padding), ("dilation", dilation)):
        if len(v) != dims:
            raise RuntimeError(
                f"expected {what} to be a single integer value or a list of {dims} values to "
                f"match the convolution dimensions, but got {what}={_ints(v)}"
            )
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    return stride, padding, dilation, pad_nd


def _same_padding(kernel, dilation, nd):
    """The symmetric padding of ``padding='same'`` and the extra right pad (torch's
    ``pad_nd``, last dim first) where the total is odd."""
    left, pad_nd = [], [0] * (2 * nd)
    for i in range(nd):
        total = dilation[i] * (kernel[i] - 1)
        left.append(total // 2)
        pad_nd[2 * (nd - 1 - i) + 1] = total - 2 * (total // 2)
    if any(pad_nd):
        if any(d % 2 for d in dilation) and any(k % 2 == 0 for k in kernel):
            warnings.warn(
                "Using padding='same' with even kernel lengths and odd dilation may require a "
                "zero-padded copy of the input be created",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return tuple(left), tuple(pad_nd)
    return tuple(left), None


def _check_shapes(input, weight, bias, padding, dilation, groups, transposed=False) -> None:
    """torch's ``check_shape_forward`` on a batched input."""
    shape, ws = tuple(input.shape), tuple(weight.shape)
    cin = ws[0] if transposed else ws[1] * groups
    if ws[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
            f"but got weight of size {_ints(ws)} instead"
        )
    if ws[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
            f"0, but got weight of size [{_ints(ws)}] instead"
        )
    if shape[1] != cin:
        if transposed:
            raise RuntimeError(
                f"Given transposed=1, weight of size {_ints(ws)}, expected input{_ints(shape)} "
                f"to have {cin} channels, but got {shape[1]} channels instead"
            )
        raise RuntimeError(
            f"Given groups={groups}, weight of size {_ints(ws)}, expected input{_ints(shape)} "
            f"to have {cin} channels, but got {shape[1]} channels instead"
        )
    cout = ws[1] * groups if transposed else ws[0]
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != cout):
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(
            f"{given} of size {_ints(ws)}, expected bias to be 1-dimensional with {cout} "
            f"elements, but got bias of size {_ints(bias.shape)} instead"
        )
    if transposed:
        return
    padded = [n + 2 * p for n, p in zip(shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(ws[2:], dilation)]
    if any(k > n for k, n in zip(kernel, padded)):
        raise RuntimeError(
            "Calculated padded input size per channel: ("
            + " x ".join(map(str, padded))
            + "). Kernel size: ("
            + " x ".join(map(str, kernel))
            + "). Kernel size can't be greater than actual input size"
        )


def _check_dtypes(input, weight, bias) -> None:
    dt = input._data.dtype
    if weight._data.dtype != dt:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(dt)} but found "
            f"{scalar_type_name(weight._data.dtype)}"
        )
    if bias is not None and bias._data.dtype != dt:
        raise RuntimeError(
            f"Input type ({dt.name.replace('float32', 'float').replace('float64', 'double')}) "
            f"and bias type ({bias._data.dtype.name.replace('float32', 'float').replace('float64', 'double')}) "
            "should be the same"
        )


def _convolution(name, nd, input, weight, bias, stride, padding, dilation, groups):
    stride, padding, dilation, pad_nd = _conv_args(
        name, input, weight, bias, stride, padding, dilation, groups, nd
    )
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = api.unsqueeze(input, 0)
    if pad_nd is not None:
        input = apply(K.ConstantPadNdBackward0, (input,), pad_nd, 0)
    _check_shapes(input, weight, bias, padding, dilation, groups)
    _check_dtypes(input, weight, bias)
    api._check_device(input, weight)
    out = apply(
        K.ConvolutionBackward0,
        (input, weight, bias),
        stride,
        padding,
        dilation,
        False,
        (0,) * nd,
        groups,
    )
    return api.squeeze(out, 0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """A 1-d convolution (cross-correlation) of ``(N, C, L)`` or ``(C, L)`` ``input`` with
    ``(out, C / groups, k)`` ``weight``; ``padding`` may be ``'same'`` or ``'valid'``."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """A 2-d convolution (cross-correlation) of ``(N, C, H, W)`` or ``(C, H, W)`` ``input``
    with ``(out, C / groups, kh, kw)`` ``weight``; ``padding`` may be ``'same'`` or ``'valid'``."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1
):
    """The adjoint of ``conv1d`` of ``(N, C, L)`` or ``(C, L)`` ``input`` with
    ``(C, out / groups, k)`` ``weight``."""
    args = (stride, padding, output_padding, groups, dilation)
    return _conv_transposed("conv_transpose1d", 1, input, weight, bias, *args)


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1
):
    """The adjoint of ``conv2d`` (a "deconvolution") of ``(N, C, H, W)`` or ``(C, H, W)``
    ``input`` with ``(C, out / groups, kh, kw)`` ``weight``."""
    args = (stride, padding, output_padding, groups, dilation)
    return _conv_transposed("conv_transpose2d", 2, input, weight, bias, *args)


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1, dilation=1
):
    """The adjoint of ``conv3d`` of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` ``input`` with
    ``(C, out / groups, kd, kh, kw)`` ``weight``."""
    args = (stride, padding, output_padding, groups, dilation)
    return _conv_transposed("conv_transpose3d", 3, input, weight, bias, *args)


def _conv_transposed(
    name, nd, input, weight, bias, stride, padding, output_padding, groups, dilation
):
    """A transposed convolution over ``nd`` dims, with torch's checks in its order."""
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_ints(input.shape)}"
        )
    if isinstance(padding, str):  # (torch's argument parser refuses it)
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    dims = weight.ndim - 2
    args = []
    for what, v in (
        ("stride", stride),
        ("padding", padding),
        ("dilation", dilation),
        ("output_padding", output_padding),
    ):
        v = _ntuple(v, nd)  # an int is nd ints, as torch's binding makes it
        v = v * dims if len(v) == 1 else v
        if len(v) != dims:
            raise RuntimeError(
                f"expected {what} to be a single integer value or a list of {dims} values to "
                f"match the convolution dimensions, but got {what}={_ints(v)}"
            )
        args.append(v)
    stride, padding, dilation, output_padding = args
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = api.unsqueeze(input, 0)
    _check_shapes(input, weight, bias, padding, dilation, groups, transposed=True)
    _check_dtypes(input, weight, bias)
    _check_transposed(input, weight, stride, padding, dilation, output_padding)
    api._check_device(input, weight)
    out = apply(
        K.ConvolutionBackward0,
        (input, weight, bias),
        stride,
        padding,
        dilation,
        True,
        output_padding,
        groups,
    )
    return api.squeeze(out, 0) if unbatched else out


def _check_transposed(input, weight, stride, padding, dilation, output_padding) -> None:
    """torch's ``slow_conv_transpose{2,3}d_shape_check``; a 1-d one is a 2-d one of
    height 1, and its texts say so."""
    kernel, sizes = tuple(weight.shape[2:]), tuple(input.shape[2:])
    out = [
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, s, p, d, k, op in zip(sizes, stride, padding, dilation, kernel, output_padding)
    ]
    if len(kernel) == 1:  # the height of 1 torch adds
        stride, dilation, output_padding = (1, *stride), (1, *dilation), (0, *output_padding)
        sizes, out = (1, *sizes), [1, *out]
    names = ("depth", "height", "width")[-len(stride) :]

    def said(what, values, sep=" "):
        return sep.join(f"{what}_{n}: {v}" for n, v in zip(names, values))

    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            f"dilation should be greater than zero, but got {said('dilation', dilation, ', ')}"
        )
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"{said('output_padding', output_padding)} {said('stride', stride)} "
            f"{said('dilation', dilation)}"
        )
    if any(o < 1 for o in out):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, sizes))}). Calculated output "
            f"size per channel: ({' x '.join(map(str, out))}). Output size is too small"
        )


# ---------------------------------------------------------------- pooling


def _pool_tuple(op: str, what: str, v, omitted: bool = False) -> tuple:
    if isinstance(v, int):
        return (v, v)
    v = tuple(v)
    if len(v) == 1:
        return (v[0], v[0])
    if len(v) != 2:
        if what == "stride":
            raise RuntimeError(
                f"{op}: stride must either be omitted, a single int, or a tuple of two ints"
            )
        verb = "be either" if what == "dilation" else "either be"
        raise RuntimeError(f"{op}: {what} must {verb} a single int, or a tuple of two ints")
    return v


def _pool_args(op, input, kernel_size, stride, padding, dilation):
    kernel = _pool_tuple(op, "kernel_size", kernel_size)
    given = stride is not None and not (not isinstance(stride, int) and len(stride) == 0)
    stride_t = _pool_tuple(op, "stride", stride) if given else ()
    padding = _pool_tuple(op, "padding", padding)
    dilation = _pool_tuple(op, "dilation", dilation)
    eff = stride_t or kernel
    if any(s == 0 for s in eff):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}"
        )
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            "dilation should be greater than zero, but got dilationH: "
            f"{dilation[0]} dilationW: {dilation[1]}"
        )
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    if input.ndim not in (3, 4) or input.numel() == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    return kernel, stride_t, padding, dilation


def _check_output(input, kernel, stride, padding, dilation, ceil_mode) -> None:
    h, w = input.shape[-2:]
    c = input.shape[-3]
    oh, ow = (
        K.pool_out_size(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip((h, w), kernel, stride, padding, dilation)
    )
    if oh < 1 or ow < 1:
        raise RuntimeError(
            f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). "
            "Output size is too small"
        )


def max_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value of each window of ``(N, C, H, W)`` or ``(C, H, W)`` ``input``;
    with ``return_indices``, also the flat ``H * W`` index of each."""
    kernel, stride, padding, dilation = _pool_args(
        "max_pool2d", input, kernel_size, stride, padding, dilation
    )
    _check_output(input, kernel, stride or kernel, padding, dilation, ceil_mode)
    out = apply(
        K.MaxPool2DWithIndicesBackward0, (input,), kernel, stride, padding, dilation, ceil_mode
    )
    if not return_indices:
        return out
    return out, _indices(out, input, kernel, stride, padding, dilation, ceil_mode)


def _indices(out, input, kernel, stride, padding, dilation, ceil_mode):
    """The indices a max pool's node saved (shared, as torch's), or computed again."""
    node = out._grad_node()
    if node is not None and node._saved:
        st = node._saved["result1"]
        return api.Tensor._share(st.data, st.buffer, st.vc)
    _, idx = K.max_pool(input._data, kernel, stride or kernel, padding, dilation, ceil_mode)
    return api.Tensor._make(idx, None)


def max_pool1d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    dilation=1,
    ceil_mode: bool = False,
    return_indices: bool = False,
):
    """The largest value of each window of ``(N, C, L)`` or ``(C, L)`` ``input`` (a 2-d
    pool of height 1, as torch runs it)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{_ints(input.shape)}"
        )
    k = _one("kernel_size", kernel_size)
    s = _one("stride", stride) if stride is not None else k
    p, d = _one("padding", padding), _one("dilation", dilation)
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(
            "max_pool1d() padding should be at most half of kernel size, but got "
            f"padding={p} and kernel_size={k}"
        )
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")
    o = K.pool_out_size(input.shape[-1], k, s, p, d, ceil_mode)
    if o <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")
    if input._data.dtype.kind in "biu":  # (torch's 2-d max pool takes them; its 1-d one not)
        refuse_kernel("max_pool1d_impl", input._data.dtype)
    x = api.unsqueeze(input, -2)
    r = max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode, return_indices)
    if return_indices:
        return api.squeeze(r[0], -2), api.squeeze(r[1], -2)
    return api.squeeze(r, -2)


def _one(what: str, v) -> int:
    if isinstance(v, int):
        return v
    v = tuple(v)
    if len(v) != 1:
        raise RuntimeError(
            f"max_pool1d() {what} must be an int, list of ints or tuple of ints of size 1 but "
            f"got size {len(v)}"
        )
    return v[0]


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
):
    """The mean of each window of ``(N, C, H, W)`` or ``(C, H, W)`` ``input``."""
    for name, v in (("kernel_size", kernel_size), ("stride", stride), ("padding", padding)):
        if name != "stride" or v is not None:
            _pool_tuple("avg_pool2d", name, v)  # torch checks the tuples' lengths first
    if divisor_override is not None and type(divisor_override) is not int:
        raise TypeError(
            "avg_pool2d(): argument 'divisor_override' must be int, not "
            f"{py_type_name(divisor_override)}"
        )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.ndim < 3:  # torch reads the planes as input.size(-3) next
        if input.ndim == 0:
            raise IndexError("Dimension specified as -3 but tensor has no dimensions")
        n = input.ndim
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got -3)"
        )
    kernel, stride, padding, _ = _pool_args("avg_pool2d", input, kernel_size, stride, padding, 1)
    if stride and 0 not in stride and min(stride) < 0:
        raise RuntimeError(
            f"stride should be greater than zero, but got dH: {stride[0]} dW: {stride[1]}"
        )
    _check_output(input, kernel, stride or kernel, padding, (1, 1), ceil_mode)
    return apply(
        K.AvgPool2DBackward0,
        (input,),
        kernel,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def avg_pool1d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
):
    """The mean of each window of ``(N, C, L)`` or ``(C, L)`` ``input``."""
    _dims_2_to_3("avg_pool1d", input)
    k = _one("kernel_size", kernel_size)
    s = k if stride is None else _one("stride", stride)
    p = _one("padding", padding)
    x = api.unsqueeze(input, -2)
    out = avg_pool2d(x, (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return api.squeeze(out, -2)


def _check_nonempty_planes(op: str, input) -> None:
    """torch's refusal of an adaptive pool's input with an empty dim after the first."""
    shape = tuple(input.shape)
    for i in range(1, len(shape)):
        if shape[i] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {_ints(shape)} with dimension {i} being empty"
            )


def _dims_2_to_3(op: str, input) -> None:
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
            f"#1 'self' (while checking arguments for {op})"
        )


def adaptive_avg_pool2d(input, output_size):
    """The mean of each of ``output_size`` near-equal windows of ``(N, C, H, W)`` or
    ``(C, H, W)`` ``input`` (None in ``output_size``: the input's size there)."""
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    output_size = tuple(output_size)
    if len(output_size) != 2:
        raise ValueError("Input dimension should be at least 4")
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_ints(input.shape)}"
        )
    size = tuple(n if o is None else o for o, n in zip(output_size, input.shape[-2:]))
    if any(o < 0 for o in size):
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {{{', '.join(map(str, size))}}}"
        )
    if size == (1, 1):  # torch takes the mean, a node of its own
        return api.mean(input, (-1, -2), keepdim=True)
    _check_nonempty_planes("adaptive_avg_pool2d", input)
    return apply(K.AdaptiveAvgPool2DBackward0, (input,), size)


def adaptive_avg_pool1d(input, output_size):
    """The mean of each of ``output_size`` near-equal windows of ``(N, C, L)`` or ``(C, L)``
    ``input``."""
    _dims_2_to_3("adaptive_avg_pool1d", input)
    o = _one("output_size", output_size)
    x = api.unsqueeze(input, -2)
    return api.squeeze(adaptive_avg_pool2d(x, (1, o)), -2)
