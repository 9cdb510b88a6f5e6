"""``gs.nn.functional``'s convolutions and pools: argument checks with torch's errors,
then the nodes of ``gradscope.ops.conv``, wrapped in the views torch adds around them
(a batch dim for unbatched inputs, a height of 1 for the 1-d pools)."""

from __future__ import annotations

import warnings

import numpy as np

from ..autograd.function import apply
from ..errors import py_type_name, refuse_kernel, scalar_type_name
from ..events.callsite import user_stacklevel
from ..ops import api
from ..ops import conv as K
from ..ops import pad as PAD


def _as_int(v):
    """``v`` as an int where torch's parser reads it as one (a NumPy int, a one-element
    integer tensor), else None."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, api.Tensor) and v._data.size == 1 and v._data.dtype.kind in "iu":
        return int(v._data.reshape(()))
    return None


def _int_list(fn: str, name: str, pos: int | None, v, n: int) -> tuple:
    """``v``, torch function ``fn``'s ``int[n]`` argument ``name`` (at ``pos``), as a tuple
    of ints (an int is ``n`` of it; the length is the callers' to check), or the TypeError
    of torch's argument parser for anything else."""
    if type(v) is int:
        return (v,) * n
    if type(v) in (tuple, list) and all(type(e) is int for e in v):
        return tuple(v)
    return _int_lists(fn, n, (name, pos, v))[0]


def _int_lists(fn: str, n: int, *args) -> list:
    """``(name, pos, value)`` arguments of ``fn``, each an ``int[n]`` (or, given a fourth
    item, an ``int``), read as by ``_int_list``, with the parser's errors in its order: the
    type of each argument (its first element) in turn, then the other elements, the last
    argument first (as the binding unpacks them)."""
    out = []
    for name, pos, v, *single in args:
        at = "" if pos is None else f" (position {pos})"
        if single:  # (an int argument among them, read in turn)
            out.append(_int_arg(fn, name, pos, v))
            continue
        if not isinstance(v, (tuple, list)):
            one = _as_int(v)
            if one is None:
                raise TypeError(
                    f"{fn}(): argument '{name}'{at} must be tuple of ints, not {py_type_name(v)}"
                )
            out.append((one,) * n)
            continue
        if v and _as_int(v[0]) is None:
            raise TypeError(
                f"{fn}(): argument '{name}'{at} must be tuple of ints, but found element of "
                f"type {py_type_name(v[0])} at pos 0"
            )
        # (past the first element, a bool is unpacked as an int)
        out.append(tuple(int(e) if isinstance(e, bool) else _as_int(e) for e in v))
    for (name, _, v, *single), got in reversed(list(zip(args, out))):
        for i, e in enumerate(() if single else got):
            if e is None:
                raise TypeError(
                    f"{fn}(): argument '{name}' failed to unpack the object at pos {i + 1} "
                    f'with error "type must be tuple of ints,but got {py_type_name(v[i])}"'
                )
    return out


def _tensor_arg(fn: str, name: str, pos: int, v) -> None:
    """torch's parser's refusal of ``v`` where argument ``name`` of ``fn`` is a tensor."""
    if not isinstance(v, api.Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {py_type_name(v)}"
        )


def _tensor_args(fn: str, *args) -> None:
    """``_tensor_arg`` of each ``(name, pos, value)`` given (not None)."""
    for name, pos, v in args:
        if v is not None and not isinstance(v, api.Tensor):
            _tensor_arg(fn, name, pos, v)


def _int_arg(fn: str, name: str, pos: int | None, v) -> int:
    """``v``, torch function ``fn``'s ``int`` argument ``name``, as an int, or the
    parser's TypeError."""
    if type(v) is int:
        return v
    got = _as_int(v)
    if got is None or isinstance(v, api.Tensor) and v.ndim:
        at = "" if pos is None else f" (position {pos})"
        raise TypeError(f"{fn}(): argument '{name}'{at} must be int, not {py_type_name(v)}")
    return got


def _ints(v) -> str:
    return "[" + ", ".join(map(str, v)) + "]"


def _conv_args(name, input, weight, bias, stride, padding, dilation, groups, nd):
    """torch's checks of a convolution's arguments; the padding as ints and the
    ``ConstantPadNd`` pad (or None) that ``padding='same'`` needs first."""
    _tensor_arg(name, "weight", 2, weight)
    _tensor_args(name, ("bias", 3, bias))
    named = isinstance(padding, str)
    lists = [("stride", 4, stride), ("padding", 5, padding), ("dilation", 6, dilation)]
    if named:
        del lists[1]
    lists = _int_lists(name, nd, *lists)  # (the parser's: all before any check)
    groups = _int_arg(name, "groups", 7, groups)
    _check_dims(name, input, nd)
    stride, dilation = lists[0], lists[-1]
    pad_nd = None
    if not named:
        padding = lists[1]
    elif padding == "valid":
        padding = (0,)
    elif padding == "same":
        _check_same(input, weight, stride, dilation, groups, nd)
        expanded = dilation * nd if len(dilation) == 1 else dilation
        padding, pad_nd = _same_padding(tuple(weight.shape[2:]), expanded, nd)
    else:
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    _check_weight_and_groups(weight, groups)
    dims = weight.ndim - 2  # (one value is as many as the weight has dims)
    stride, padding, dilation = (
        v * dims if len(v) == 1 else v for v in (stride, padding, dilation)
    )
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
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    return stride, padding, dilation, groups, pad_nd


def _check_dims(name: str, input, nd: int) -> None:
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_ints(input.shape)}"
        )


def _check_weight_and_groups(weight, groups: int) -> None:
    """The first checks of torch's ``_convolution``."""
    if weight.ndim <= 2:
        raise RuntimeError("weight should have at least three dimensions")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


_ONEDNN_REFUSES = (
    "could not create a primitive descriptor for the convolution forward propagation "
    "primitive. Run workload with environment variable ONEDNN_VERBOSE=all to get additional "
    "diagnostic information."
)


def _check_backend(input, weight, bias, dilation, transposed: bool = False) -> None:
    """torch's checks when it picks a convolution's kernel (of a batched ``input``, after
    ``check_shape_forward``), in the words of the CPU kernel it picks: an empty batch or no
    channels computes nothing (but reads the weight's and bias's first elements), another
    empty input is refused; a batch goes to oneDNN, one sample to the slow kernels, each
    with its checks of the kernel's size and dilation. A 1-d one is a 2-d one of height 1."""
    shape, kernel = tuple(input.shape), tuple(weight.shape[2:])
    if len(shape) == 3:
        shape, kernel, dilation = (*shape[:2], 1, shape[2]), (1, *kernel), (1, *dilation)
    if not shape[0] or not shape[1]:
        for t in (weight, bias):
            if shape[1] and t is not None and t.numel() == 0:
                raise IndexError(
                    "select(): index 0 out of range for tensor of size [0] at dimension 0"
                )
        return
    if 0 in shape:
        raise RuntimeError(
            "Only zero batch or zero channel inputs are supported, but got input shape: "
            f"{_ints(shape)}"
        )
    if transposed:
        return
    if shape[0] > 1:
        if 0 in dilation:
            raise RuntimeError("non-positive dilation is not supported")
        if 0 in kernel:
            raise RuntimeError(_ONEDNN_REFUSES)
    elif any(d != 1 for d in dilation):  # the dilated kernels'
        if 0 in kernel:
            raise RuntimeError(f"kernel size should be greater than zero, but got {_ints(kernel)}")
        if 0 in dilation:
            raise RuntimeError(f"dilation should be greater than zero, but got {_ints(dilation)}")
    elif 0 in kernel and len(kernel) == 3:
        raise RuntimeError(
            "kernel size should be greater than zero, but got: "
            + " x ".join(map(str, kernel))
            + " (TxHxW)"
        )
    elif 0 in kernel:
        raise RuntimeError(
            "kernel size should be greater than zero, but got kernel_height: "
            f"{kernel[0]} kernel_width: {kernel[1]}"
        )


def _check_same(input, weight, stride, dilation, groups: int, nd: int) -> None:
    """torch's checks of a convolution with ``padding='same'``, before it reads the kernel's
    size (``stride`` and ``dilation`` as expanded from one int)."""
    _check_weight_and_groups(weight, groups)
    k = weight.ndim
    shape = tuple(input.shape) if input.ndim == nd + 2 else (1, *input.shape)
    if len(shape) != k:
        raise RuntimeError(
            f"Expected {k}-dimensional input for {k}-dimensional weight{_ints(weight.shape)}, "
            f"but got {len(shape)}-dimensional input of size {_ints(shape)} instead"
        )
    for what, v in (("stride", stride), ("dilation", dilation)):
        if len(v) not in (1, nd):
            raise RuntimeError(f"{what} cannot broadcast to {nd} dimensions")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")


def _same_padding(kernel, dilation, nd):
    """The symmetric padding of ``padding='same'`` and the extra right pad (torch's
    ``pad_nd``, last dim first) where the total is odd."""
    left, pad_nd = [], [0] * (2 * nd)
    for i in range(nd):
        total = dilation[i] * (kernel[i] - 1)
        half = int(total / 2)  # (C++'s division, toward zero: an empty kernel's is 0)
        left.append(half)
        pad_nd[2 * (nd - 1 - i) + 1] = total - 2 * half
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
    if len(ws) != len(shape):
        raise RuntimeError(
            f"Expected {len(ws)}-dimensional input for {len(ws)}-dimensional weight "
            f"{_ints(ws)}, but got {len(shape)}-dimensional input of size {_ints(shape)} instead"
        )
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
    stride, padding, dilation, groups, pad_nd = _conv_args(
        name, input, weight, bias, stride, padding, dilation, groups, nd
    )
    unbatched = input.ndim == nd + 1
    if unbatched:
        input = api.unsqueeze(input, 0)
    if pad_nd is not None and min(pad_nd) < 0:  # (of an empty kernel: a crop)
        from .functional import _check_constant_pad

        _check_constant_pad(tuple(input.shape), pad_nd)
        input = apply(PAD.ConstantPadNdBackward0, (input,), pad_nd, 0)
    elif pad_nd is not None:
        input = apply(K.ConstantPadNdBackward0, (input,), pad_nd, 0)
    _check_shapes(input, weight, bias, padding, dilation, groups)
    _check_backend(input, weight, bias, dilation)
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
    _tensor_arg(name, "weight", 2, weight)
    _tensor_args(name, ("bias", 3, bias))
    # the parser's reading, all before any check (an int is nd ints), in its words for
    # arguments given by name, as these mostly are
    parsed = _int_lists(
        name,
        nd,
        ("stride", None, stride),
        ("padding", None, padding),
        ("output_padding", None, output_padding),
        ("groups", None, groups, int),
        ("dilation", None, dilation),
    )
    _check_dims(name, input, nd)
    stride, padding, output_padding, groups, dilation = parsed
    _check_weight_and_groups(weight, groups)
    dims = weight.ndim - 2
    args = []
    for what, v in (
        ("stride", stride),
        ("padding", padding),
        ("dilation", dilation),
        ("output_padding", output_padding),
    ):
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
    _check_backend(input, weight, bias, dilation, transposed=True)
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

    if len(kernel) == 1:
        kernel = (1, *kernel)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got {said('kernel', kernel)}"
        )
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


def _pool_ints(fn: str, n: int, kernel_size, stride, padding, dilation=1) -> tuple:
    """A pool's ``int[n]`` arguments (torch function ``fn``'s, at positions 2-5) read as
    torch's parser reads them; an omitted stride (None) as ``()``."""
    args = [("kernel_size", 2, kernel_size), ("stride", 3, stride), ("padding", 4, padding)]
    args.append(("dilation", 5, dilation))
    if stride is None:
        del args[1]
        kernel, padding, dilation = _int_lists(fn, n, *args)
        return kernel, (), padding, dilation
    return tuple(_int_lists(fn, n, *args))


def check_pool_dim(k: int, s: int, p: int, d: int) -> None:
    """torch's ``pooling_output_shape`` checks of one dim's stride and padding, in its order."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > int(((k - 1) * d + 1) / 2):  # (C++'s division, toward zero)
        raise RuntimeError(
            f"pad should be at most half of effective kernel size, but got pad={p}, "
            f"kernel_size={k} and dilation={d}"
        )


def _pool_args(op, input, kernel_size, stride, padding, dilation):
    """torch's checks of a 2-d pool's parsed arguments, in its order: the lengths, the
    dims (a max pool's), ``pooling_output_shape`` per dim, then ``pool2d_shape_check``; the
    arguments as pairs (``()`` for an omitted stride)."""
    kernel = _pool_tuple(op, "kernel_size", kernel_size)
    stride_t = _pool_tuple(op, "stride", stride) if stride else ()
    padding = _pool_tuple(op, "padding", padding)
    dilation = _pool_tuple(op, "dilation", dilation)
    if op == "max_pool2d" and input.ndim not in (3, 4):
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    eff = stride_t or kernel
    for k, s, p, d in zip(kernel, eff, padding, dilation):
        check_pool_dim(k, s, p, d)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kH: {kernel[0]} kW: {kernel[1]}"
        )
    if any(s <= 0 for s in eff):
        raise RuntimeError(f"stride should be greater than zero, but got dH: {eff[0]} dW: {eff[1]}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(
            "dilation should be greater than zero, but got dilationH: "
            f"{dilation[0]} dilationW: {dilation[1]}"
        )
    shape = tuple(input.shape)
    if len(shape) not in (3, 4) or 0 in shape[-3 if len(shape) == 3 else 1 :]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
            f"but got:{_ints(shape)}"
        )
    (kh, kw), (ph, pw) = kernel, padding
    if kw // 2 < pw or kh // 2 < ph:  # (of the kernel itself, however dilated)
        raise RuntimeError(
            "pad should be smaller than or equal to half of kernel size, but got "
            f"padW = {pw}, padH = {ph}, kW = {kw}, kH = {kh}"
        )
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
    fn = "max_pool2d_with_indices" if return_indices else "max_pool2d"
    kernel_size, stride, padding, dilation = _pool_ints(
        fn, 2, kernel_size, stride, padding, dilation
    )
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
    fn = "max_pool1d_with_indices" if return_indices else "max_pool1d"
    kernel_size, stride, padding, dilation = _pool_ints(
        fn, 1, kernel_size, stride, padding, dilation
    )
    if return_indices:  # torch's checks of max_pool1d_with_indices, then the 2-d pool's
        _dims_2_to_3("max_pool1d", input)
        k, s, p, d = (
            _one(what, v, "max_pool1d")
            for what, v in (
                ("kernel_size", kernel_size),
                ("stride", stride or kernel_size),
                ("padding", padding),
                ("dilation", dilation),
            )
        )
        x = api.unsqueeze(input, -2)
        r = max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode, True)
        return api.squeeze(r[0], -2), api.squeeze(r[1], -2)
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size "
            f"for input, but got:{_ints(input.shape)}"
        )
    k = _one("kernel_size", kernel_size)
    s = _one("stride", stride) if stride else k
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
    return api.squeeze(max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode), -2)


def _one(what: str, v: tuple, fn: str = "") -> int:
    """The one int of a 1-d op's argument ``v`` (parsed), with torch's error for another
    length: ``check1d``'s for op ``fn``, else ``max_pool1d``'s own."""
    if len(v) != 1:
        if fn:
            raise RuntimeError(f"{fn}() argument '{what}' should contain one int (got {len(v)})")
        kinds = {
            "kernel_size": "an int, list of ints or",
            "stride": "None, an int, list of ints, or",
        }.get(what, "an int, list of ints, or")
        raise RuntimeError(
            f"max_pool1d() {what} must be {kinds} tuple of ints of size 1 but got size {len(v)}"
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
    kernel_size, stride, padding, _ = _pool_ints("avg_pool2d", 2, kernel_size, stride, padding)
    if divisor_override is not None:
        divisor_override = _int_arg("avg_pool2d", "divisor_override", None, divisor_override)
    for name, v in (("kernel_size", kernel_size), ("stride", stride), ("padding", padding)):
        if name != "stride" or v:
            _pool_tuple("avg_pool2d", name, v)  # torch checks the tuples' lengths first
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
    kernel_size, stride, padding, _ = _pool_ints("avg_pool1d", 1, kernel_size, stride, padding)
    _dims_2_to_3("avg_pool1d", input)
    k = _one("kernel_size", kernel_size, "avg_pool1d")
    s = _one("stride", stride or kernel_size, "avg_pool1d")
    p = _one("padding", padding, "avg_pool1d")
    x = api.unsqueeze(input, -2)
    out = avg_pool2d(x, (1, k), (1, s), (0, p), ceil_mode, count_include_pad)
    return api.squeeze(out, -2)


def _check_nonempty_planes(op: str, input) -> None:
    """torch's refusal of an adaptive pool's input with an empty plane (H or W)."""
    shape = tuple(input.shape)
    for i in (len(shape) - 2, len(shape) - 1):
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


def _list_with_default(output_size, input):
    """torch's ``_list_with_default`` (its Python, with its errors): an int as it is, else
    a list with None in ``output_size`` read as the input's size there."""
    if isinstance(output_size, int):
        return output_size
    if not hasattr(output_size, "__len__"):
        raise TypeError(f"object of type '{py_type_name(output_size)}' has no len()")
    n = len(output_size)
    if input.ndim <= n:
        raise ValueError(f"Input dimension should be at least {n + 1}")
    return [d if o is None else o for o, d in zip(output_size, input.shape[input.ndim - n :])]


def adaptive_avg_pool2d(input, output_size):
    """The mean of each of ``output_size`` near-equal windows of ``(N, C, H, W)`` or
    ``(C, H, W)`` ``input`` (None in ``output_size``: the input's size there)."""
    output_size = _list_with_default(output_size, input)
    size = _int_list("adaptive_avg_pool2d", "output_size", 2, output_size, 2)
    if len(size) != 2:
        raise RuntimeError("adaptive_avg_pool2d: output_size must be 2")
    if any(o < 0 for o in size):
        raise RuntimeError(
            "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
            f"but received {{{', '.join(map(str, size))}}}"
        )
    if size == (1, 1):  # torch takes the mean, a node of its own (of any input)
        return api.mean(input, (-1, -2), keepdim=True)
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_ints(input.shape)}"
        )
    _check_nonempty_planes("adaptive_avg_pool2d", input)
    return apply(K.AdaptiveAvgPool2DBackward0, (input,), size)


def adaptive_avg_pool1d(input, output_size):
    """The mean of each of ``output_size`` near-equal windows of ``(N, C, L)`` or ``(C, L)``
    ``input``."""
    output_size = _int_list("adaptive_avg_pool1d", "output_size", 2, output_size, 1)
    _dims_2_to_3("adaptive_avg_pool1d", input)
    o = _one("output_size", output_size, "adaptive_avg_pool1d")
    x = api.unsqueeze(input, -2)
    return api.squeeze(adaptive_avg_pool2d(x, (1, o)), -2)
