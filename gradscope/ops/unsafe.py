"""``unsafe_split``, ``unsafe_chunk`` and ``unsafe_split_with_sizes``: ``split`` without
autograd's view tracking, as torch's recurrent cells cut their gates."""

from __future__ import annotations

from ..autograd.grad_mode import no_grad
from . import api
from . import shape as S


def _slices(parts: tuple, dim: int) -> list:
    """The slices along ``dim`` that ``parts`` (consecutive, in order) cover."""
    out, start = [], 0
    for p in parts:
        n = p._data.shape[dim]
        out.append(slice(start, start + n))
        start += n
    return out


def unsafe_split(a, split_size, dim=0) -> tuple:
    """``split`` by one size into parts over ``a``'s memory that are not views to autograd
    (``UnsafeSplitBackward0``); a list of sizes goes to ``unsafe_split_with_sizes``."""
    if isinstance(split_size, (list, tuple)):
        raise TypeError(
            "unsafe_split(): argument 'split_size' (position 2) must be int, not "
            f"{type(split_size).__name__}"
        )
    with no_grad():  # torch's checks and errors, and the parts' extents
        parts = api.split(a, split_size, dim)
    d = api._dim(dim, a._data.ndim)
    return S.unsafe_parts(
        S.UnsafeSplitBackward0,
        a,
        d,
        _slices(parts, d),
        self_sym_sizes=a.shape,
        split_size=int(split_size),
    )


def unsafe_split_with_sizes(a, split_sizes, dim=0) -> tuple:
    """``split_with_sizes`` into parts that are not views to autograd
    (``UnsafeSplitWithSizesBackward0``)."""
    with no_grad():
        parts = api.split_with_sizes(a, split_sizes, dim)
    d = api._dim(dim, a._data.ndim)
    return S.unsafe_parts(
        S.UnsafeSplitWithSizesBackward0,
        a,
        d,
        _slices(parts, d),
        self_sym_sizes=a.shape,
        split_sizes=tuple(int(n) for n in split_sizes),
    )


def unsafe_chunk(a, chunks: int, dim=0) -> tuple:
    """``chunk`` into parts that are not views to autograd: ``unsafe_split`` by
    ``ceil(size / chunks)`` (by ``chunks`` zero sizes of an empty dim)."""
    with no_grad():
        api.chunk(a, chunks, dim)  # torch's checks and errors
    d = api._dim(dim, a._data.ndim)
    size = a._data.shape[d]
    if size == 0:
        return unsafe_split_with_sizes(a, [0] * chunks, d)
    return unsafe_split(a, -(-size // chunks), d)
