"""``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``, ``unfold`` and ``fold``
with torch's checks and messages; one node each (``gradscope.ops.shuffle``)."""

from __future__ import annotations

from ..autograd.function import apply
from ..ops import shuffle as SH
from ._conv import _int_arg, _int_lists


def _check_factor(op: str, what: str, factor: int) -> None:
    if factor <= 0:
        raise RuntimeError(f"{op} expects a positive {what}, but got {factor}")


def _check_3d(op: str, input) -> None:
    if input.ndim < 3:
        raise RuntimeError(
            f"{op} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )


def pixel_shuffle(input, upscale_factor: int):
    """``(*, C r**2, H, W)`` rearranged into ``(*, C, H r, W r)`` (``r`` the factor)."""
    r = _int_arg("pixel_shuffle", "upscale_factor", 2, upscale_factor)
    _check_3d("pixel_shuffle", input)
    _check_factor("pixel_shuffle", "upscale_factor", r)
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    return apply(SH.PixelShuffleBackward0, (input,), r)


def pixel_unshuffle(input, downscale_factor: int):
    """``(*, C, H r, W r)`` rearranged into ``(*, C r**2, H, W)``, undoing ``pixel_shuffle``."""
    r = _int_arg("pixel_unshuffle", "downscale_factor", 2, downscale_factor)
    _check_3d("pixel_unshuffle", input)
    _check_factor("pixel_unshuffle", "downscale_factor", r)
    for name, d in (("height", -2), ("width", -1)):
        if input.shape[d] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {name} to be divisible by downscale_factor, but "
                f"input.size({d})={input.shape[d]} is not divisible by {r}"
            )
    return apply(SH.PixelUnshuffleBackward0, (input,), r)


def channel_shuffle(input, groups: int):
    """The channels (dim 1) of ``(N, C, *)``, read as ``groups`` groups, interleaved."""
    groups = _int_arg("channel_shuffle", "groups", 2, groups)
    if input.ndim <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    return apply(SH.ChannelShuffleBackward0, (input,), groups)


def _pair(v) -> tuple:
    """torch's ``_pair`` (an iterable as a tuple), its result read as ``int[2]``."""
    return tuple(v) if hasattr(v, "__iter__") else (v, v)


def _sizes2(fn: str, args: tuple) -> tuple:
    """``(name, position, value)`` arguments of ``fn`` (``im2col`` or ``col2im``) as pairs
    of ints, parsed as torch's parser does, then their lengths checked."""
    out = _int_lists(fn, 2, *((name, pos, _pair(v)) for name, pos, v in args))
    for (name, _, _), v in zip(args, out):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return out


def _check_positive(kernel, dilation, padding, stride, order: str) -> None:
    """``im2col_shape_check``'s (``order`` "kdps") or ``col2im_shape_check``'s ("ksdp")
    checks of the arguments."""
    checks = {
        "k": (kernel, 1, "kernel size should be greater than zero", "kernel"),
        "d": (dilation, 1, "dilation should be greater than zero", "dilation"),
        "p": (padding, 0, "padding should be non-negative", "pad"),
        "s": (stride, 1, "stride should be greater than zero", "stride"),
    }
    for c in order:
        (h, w), least, text, name = checks[c]
        if h < least or w < least:
            raise RuntimeError(f"{text}, but got {name}_height: {h} {name}_width: {w}")


def _blocks(spatial, kernel, dilation, padding, stride) -> tuple:
    return tuple(
        (n + 2 * p - d * (k - 1) - 1) // s + 1
        for n, k, d, p, s in zip(spatial, kernel, dilation, padding, stride)
    )


def _tuple_str(v) -> str:
    return "(" + ", ".join(map(str, v)) + ")"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding ``kernel_size`` blocks of ``(N, C, H, W)`` (or ``(C, H, W)``) input as
    columns: ``(N, C * kh * kw, L)``, one ``Im2ColBackward0``."""
    kernel, dilation, padding, stride = _sizes2(
        "im2col",
        (
            ("kernel_size", 2, kernel_size),
            ("dilation", 3, dilation),
            ("padding", 4, padding),
            ("stride", 5, stride),
        ),
    )
    _check_positive(kernel, dilation, padding, stride, "kdps")
    nd = input.ndim
    if nd == 0:  # (torch reads sizes 1 and 2 before it checks the dims)
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    if nd == 1:
        input.size(1)
    elif nd == 2 and input.shape[1]:
        input.size(2)
    if nd not in (3, 4) or any(n == 0 for n in input.shape[nd - 3 :]):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    spatial = tuple(input.shape[-2:])
    blocks = _blocks(spatial, kernel, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise RuntimeError(
            f"Given input with spatial size {_tuple_str(spatial)}, kernel_size="
            f"{_tuple_str(kernel)}, dilation={_tuple_str(dilation)}, padding="
            f"{_tuple_str(padding)}, calculated shape of the array of sliding blocks as "
            f"{_tuple_str(blocks)}, but its components must be at least one."
        )
    pads = tuple((p, p) for p in padding)
    return apply(SH.Im2Col, (input,), kernel, stride, dilation, pads)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns ``(N, C * kh * kw, L)`` (or without ``N``) summed back into ``(N, C,
    *output_size)``, the adjoint of ``unfold``: one ``Col2ImBackward0``."""
    out, kernel, dilation, padding, stride = _sizes2(
        "col2im",
        (
            ("output_size", 2, output_size),
            ("kernel_size", 3, kernel_size),
            ("dilation", 4, dilation),
            ("padding", 5, padding),
            ("stride", 6, stride),
        ),
    )
    _check_positive(kernel, dilation, padding, stride, "ksdp")
    nd = input.ndim
    if nd not in (2, 3) or any(n == 0 for n in input.shape[nd - 2 :]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    c = input.shape[-2]
    if c % (kernel[0] * kernel[1]):
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={c} and kernel_size={_tuple_str(kernel)}."
        )
    blocks = _blocks(out, kernel, dilation, padding, stride)
    args = (
        f"Given output_size={_tuple_str(out)}, kernel_size={_tuple_str(kernel)}, "
        f"dilation={_tuple_str(dilation)}, padding={_tuple_str(padding)}, "
        f"stride={_tuple_str(stride)}, "
    )
    if blocks[0] * blocks[1] != input.shape[-1]:
        raise RuntimeError(
            f"{args}expected size of input's dimension 2 to match the calculated number of "
            f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={input.shape[-1]}."
        )
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(
            f"{args}calculated shape of the array of sliding blocks as "
            f"{_tuple_str(blocks)}, which is invalid."
        )
    pads = tuple((p, p) for p in padding)
    return apply(SH.Col2Im, (input,), out, kernel, stride, dilation, pads)
