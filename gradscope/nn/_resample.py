"""``pixel_shuffle``, ``pixel_unshuffle`` and ``channel_shuffle`` with torch's checks and
messages; one node each (``gradscope.ops.shuffle``)."""

from __future__ import annotations

from ..autograd.function import apply
from ..ops import shuffle as SH


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
    _check_3d("pixel_shuffle", input)
    r = upscale_factor
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
    _check_3d("pixel_unshuffle", input)
    r = downscale_factor
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
