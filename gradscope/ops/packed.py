"""Packing padded sequences (``_pack_padded_sequence``: ``PackPaddedSequenceBackward0``)
and unpacking them (``_pad_packed_sequence``, a composite of copies into a padded tensor)."""

from __future__ import annotations

from .. import creation
from ..autograd.function import Function, apply
from ..backend import xp_of
from ..tensor import Tensor
from . import api
from ._graph import no_forward_mode


def _batch_sizes(lengths: list[int]) -> list[int]:
    """How many sequences are still running at each step, for lengths in decreasing order."""
    return [sum(1 for n in lengths if n > t) for t in range(lengths[0])]


class PackPaddedSequenceBackward0(Function):
    """The steps of a padded ``(T, B, *)`` input laid end to end, each step's running
    sequences only: run as ``(input, batch_sizes)``; saves the batch sizes (``result1``)."""

    _name = "PackPaddedSequenceBackward0"
    complex_rule = "as_is"
    _edges = 1

    def forward(self, a, batch_sizes, batch_first):
        self.batch_first = batch_first
        self.input_sym_sizes = a.shape
        self.save(result1=batch_sizes)
        x = a.swapaxes(0, 1) if batch_first else a
        xp = xp_of(a)
        return xp.concatenate([x[t, :n] for t, n in enumerate(batch_sizes.tolist())], 0)

    def _unpack(self, g, sizes: list[int]):
        shape = self.input_sym_sizes
        time_first = (shape[1], shape[0], *shape[2:]) if self.batch_first else shape
        out = xp_of(g).zeros(time_first, dtype=g.dtype)
        offset = 0
        for t, n in enumerate(sizes):
            out[t, :n] = g[offset : offset + n]
            offset += n
        return out.swapaxes(0, 1) if self.batch_first else out

    def backward(self, g):
        return (self._unpack(g, self.saved("result1").tolist()),)

    def backward_graph(self, g):
        # torch's _pack_padded_sequence_backward: the steps' gradients copied into zeros
        sizes = self.saved("result1").tolist()
        shape = self.input_sym_sizes
        time_first = (shape[1], shape[0], *shape[2:]) if self.batch_first else shape
        out = creation.zeros(time_first, dtype=g.dtype, device=g.device)
        offset = 0
        for t, n in enumerate(sizes):
            out.select(0, t).narrow(0, 0, n).copy_(g.narrow(0, offset, n))
            offset += n
        return (out.transpose(0, 1) if self.batch_first else out,)

    jvp = no_forward_mode("_pack_padded_sequence")  # torch has no forward-mode rule for it


def pack_padded(input: Tensor, lengths: list[int], batch_first: bool) -> tuple[Tensor, Tensor]:
    """``(data, batch_sizes)`` of a padded input whose sequences have ``lengths`` (in
    decreasing order), with torch's errors."""
    if any(n <= 0 for n in lengths):
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    batch = input.shape[0 if batch_first else 1]
    if len(lengths) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
            f"(batch_size={batch})"
        )
    if any(a < b for a, b in zip(lengths, lengths[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability."
        )
    steps = input.shape[1 if batch_first else 0]
    if lengths[0] > steps:
        raise RuntimeError(
            f"Expected sequence length to be less than or equal to {steps}, but got {lengths[0]}"
        )
    sizes = creation.tensor(_batch_sizes(lengths))
    data = apply(PackPaddedSequenceBackward0, (input, sizes), batch_first)
    return data, sizes


def pad_packed(
    data: Tensor, batch_sizes: list[int], batch_first: bool, padding_value: float, total: int
) -> tuple[Tensor, Tensor]:
    """The padded ``(T, B, *)`` tensor (``(B, T, *)`` with ``batch_first``) of packed
    ``data``, and the lengths: torch's copies of each run of equal batch sizes into a new
    tensor (a ``CopySlices`` each)."""
    steps = len(batch_sizes)
    max_len = max(steps, total) if total > 0 else steps
    batch = batch_sizes[0]
    out = creation.full(
        (max_len, batch, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device
    )
    lengths = [0] * batch
    offset, prev_size, prev_i = 0, batch, 0
    for i in range(steps + 1):
        size = batch_sizes[i] if i != steps else 0
        if size != prev_size:
            n = prev_size * (i - prev_i)
            part = data.narrow(0, offset, n).view(i - prev_i, prev_size, *data.shape[1:])
            api.narrow(api.narrow(out, 0, prev_i, i - prev_i), 1, 0, prev_size).copy_(part)
            offset += n
            prev_i = i
        for j in range(size, prev_size):
            lengths[j] = i
        prev_size = size
    if batch_first:
        out = out.transpose(0, 1)
    return out, creation.tensor(lengths)
