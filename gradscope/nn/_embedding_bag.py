"""``embedding_bag``: sums, means or maxima of bags of embedding rows, without the
rows themselves ever being a tensor of the graph, as torch records it:

    >>> w = gs.randn(5, 3, requires_grad=True)
    >>> out = gs.nn.functional.embedding_bag(gs.tensor([0, 2, 1, 4]), w, gs.tensor([0, 2]))
    >>> out.shape, out.grad_fn.name()
    (gradscope.Size([2, 3]), 'EmbeddingBagBackward0')
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import creation
from ..autograd.function import apply
from ..errors import scalar_type_name, size_str, tensor_type_name
from ..events.callsite import user_stacklevel
from ..ops.embedding_bag import MODE_MAX, MODE_MEAN, MODE_SUM, EmbeddingBagBackward0
from ..tensor import Tensor
from .functional import _embedding_renorm

_MODES = {"sum": MODE_SUM, "mean": MODE_MEAN, "max": MODE_MAX}
_CHECKING = " (while checking arguments for embedding_bag)"


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Each bag's rows of ``weight`` reduced by ``mode`` ('sum', 'mean' or 'max').

    A 2-D ``input`` holds one bag per row; a 1-D one is cut into bags where ``offsets``
    say (with ``include_last_offset``, the last offset ends the last bag). An empty bag
    gives zeros, ``padding_idx``'s row is left out of every bag, ``per_sample_weights``
    (with 'sum' only) scales each row picked, and with ``max_norm`` each row picked is
    first scaled down in place to that norm at most.
    """
    if weight._data.dtype == np.int64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. "
            "Usage `embedding_bag(weight, input, ...)` is deprecated, "
            "and should now be `embedding_bag(input, weight, ...)`.",
            stacklevel=user_stacklevel(),
        )
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({size_str(per_sample_weights.shape)}) is "
            f"not None, then it must have the same shape as the input ({size_str(input.shape)})"
        )
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        offsets = creation.arange(
            0, input.numel(), input.shape[1], dtype=input.dtype, device=input.device
        )
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}"
        )
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _check_renorm_rows(input, weight)
        _embedding_renorm(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    if sparse:
        raise NotImplementedError("embedding_bag(sparse=True): gradscope has no sparse gradients")
    padding_idx = _check_arguments(input, weight, offsets, per_sample_weights, padding_idx)
    return apply(
        EmbeddingBagBackward0,
        (weight, per_sample_weights, input, offsets),
        _MODES[mode],
        scale_grad_by_freq,
        padding_idx,
        include_last_offset,
    )


def _check_renorm_rows(input: Tensor, weight: Tensor) -> None:
    """torch's ``embedding_renorm_`` selects each row: an index past the table refuses."""
    idx = input._data
    n = weight.shape[0]
    bad = idx[(idx >= n) | (idx < -n)] if idx.size else idx
    if bad.size:
        raise IndexError(
            f"select(): index {int(bad.min())} out of range for tensor of size "
            f"[{n}, {weight.shape[1]}] at dimension 0"
        )


def _type_name(t: Tensor) -> str:
    """The name torch's argument checks give ``t``'s type."""
    if t.is_complex() or t._data.dtype == np.bool_:
        prefix = "CUDA" if t.device.type == "cuda" else "CPU"
        return f"{prefix}{scalar_type_name(t._data.dtype)}Type"
    return tensor_type_name(t._data.dtype, str(t.device))


def _check_arguments(input, weight, offsets, per_sample_weights, padding_idx) -> int:
    """torch's checks in ``_embedding_bag``, in its order; ``padding_idx`` made
    non-negative (-1 for none)."""
    n = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif not -n <= padding_idx < n:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, "
            f"but got {padding_idx}"
        )
    else:
        padding_idx %= n
    idx, off = input._data, offsets._data
    common = input if input.is_floating_point() or not offsets.is_floating_point() else offsets
    if idx.dtype.kind in "iu" and off.dtype.kind in "iu":
        itype = np.result_type(idx.dtype, off.dtype)
    else:
        itype = common._data.dtype
    if itype not in (np.dtype(np.int64), np.dtype(np.int32)):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {tensor_type_name(itype, str(input.device))} "
            f"instead{_CHECKING}"
        )
    if weight._data.dtype.kind != "f":
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have one of the following scalar "
            f"types: Half, BFloat16, Float, Double; but got {_type_name(weight)} "
            f"instead{_CHECKING}"
        )
    _check_offsets(idx, off, itype)
    if per_sample_weights is not None and per_sample_weights.dtype != weight.dtype:
        raise RuntimeError(
            "Expected tensor for argument #1 'weight' to have the same type as tensor for "
            f"argument #1 'per_sample_weights'; but type {_type_name(weight)} does not "
            f"equal {_type_name(per_sample_weights)}{_CHECKING}"
        )
    if idx.size:
        bad = (idx < 0) | (idx >= n)
        if bad.any():
            k = int(bad.argmax())
            raise RuntimeError(
                f"Index {k} of input takes value {int(idx[k])} which is not in the valid "
                f"range [0, {n})"
            )
    return padding_idx


def _check_offsets(idx, off, itype) -> None:
    """The first offset 0, the last within ``input`` (``itype``: the indices' and
    offsets' common type, which torch's message names)."""
    if not off.size:
        return
    if int(off[0]) != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(off[0])}\n[ {tensor_type_name(itype)}{{}} ]"
        )
    if int(off[-1]) > idx.shape[0]:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {idx.shape[0]} but got "
            f"offsets[-1] of {int(off[-1])}"
        )
    if off.size > 1 and (off[1:] < off[:-1]).any():
        # torch's CPU kernel refuses these deeper in, with no message of its own
        raise RuntimeError("embedding_bag: offsets must be non-decreasing")
