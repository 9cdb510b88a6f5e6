"""``gs.nn.utils.rnn``: sequences of different lengths padded into one tensor, and back."""

from __future__ import annotations

from collections.abc import Iterable

from ... import creation
from ...tensor import Tensor


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Tensors of shape ``(L_i, *)`` stacked into ``(max L, B, *)`` (``(B, max L, *)`` with
    ``batch_first``), filled with ``padding_value`` after each (before it, with
    ``padding_side="left"``): each sequence copied into its place in a new tensor, which
    torch records as one ``CopySlices`` per sequence."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences)}"
        )
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    first = sequences[0]
    max_len = max(s.size(0) for s in sequences)
    trailing = tuple(first.shape[1:])
    n = len(sequences)
    dims = (n, max_len, *trailing) if batch_first else (max_len, n, *trailing)
    out = creation.full(dims, padding_value, dtype=first.dtype, device=first.device)
    for i, seq in enumerate(sequences):
        length = seq.size(0)
        start = max_len - length if padding_side == "left" else 0
        if batch_first:
            out.select(0, i).narrow(0, start, length).copy_(seq)
        else:
            out.narrow(0, start, length).select(1, i).copy_(seq)
    return out


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list:
    """The sequences ``pad_sequence`` padded, cut back to ``lengths`` (with torch, the
    padded tensor is transposed in place when it is not ``batch_first``)."""
    if not batch_first:
        padded_sequences.transpose_(0, 1)
    idx = creation.arange(padded_sequences.shape[1], device=lengths.device)
    return [seq[idx < length] for seq, length in zip(padded_sequences, lengths)]


__all__ = ["pad_sequence", "unpad_sequence"]
