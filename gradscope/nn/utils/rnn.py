"""``gs.nn.utils.rnn``: sequences of different lengths padded into one tensor or packed
(steps laid end to end, each with the sequences still running), and back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ... import creation
from ...ops import packed as _packed
from ...tensor import Tensor


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes ``permutation`` (a ``scatter_`` of ``arange``, as torch)."""
    if permutation is None:
        return None
    out = creation.empty_like(permutation)
    out.scatter_(0, permutation, creation.arange(permutation.numel(), device=permutation.device))
    return out


class PackedSequence(_PackedFields):
    """Sequences packed step by step: ``data`` (each step's running sequences, one after
    the other), ``batch_sizes`` (how many run at each step), and the permutation that
    sorted the batch by length (``sorted_indices``) with its inverse."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # (data, batch_sizes) given as one pair, as torch allows
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data`` (and the indices, to its device) converted as ``Tensor.to`` converts."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self

        def move(t):
            return None if t is None else t.to(data.device)

        return type(self)(
            data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices)
        )

    def double(self) -> PackedSequence:
        return self.to(dtype=creation.dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=creation.dtypes.float32)

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """A padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences of
    ``lengths`` packed (``PackPaddedSequenceBackward0``); unless ``enforce_sorted``, the
    batch is first sorted by length (an ``index_select``)."""
    if isinstance(lengths, Tensor):
        lengths = lengths.tolist()
    lengths = [int(n) for n in lengths]
    sorted_indices = None
    if not enforce_sorted:
        order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
        lengths = [lengths[i] for i in order]
        sorted_indices = creation.tensor(order, device=input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _packed.pack_padded(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """The padded batch of a ``PackedSequence`` (in its original order) and the lengths."""
    steps = sequence.batch_sizes.size(0)
    if total_length is not None and total_length < steps:
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence in "
            f"input, but got total_length={total_length} and max sequence length being {steps}"
        )
    padded, lengths = _packed.pad_packed(
        sequence.data,
        sequence.batch_sizes.tolist(),
        batch_first,
        padding_value,
        total_length or 0,
    )
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Tensors of shape ``(L_i, *)`` packed: ``pad_sequence``, then ``pack_padded_sequence``."""
    lengths = creation.tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The tensors ``pack_sequence`` packed."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


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


__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
