"""``ctc_loss``: the connectionist temporal classification loss, as torch's ``ctc_loss``
runs it on the CPU.

One ``CtcLossBackward0`` (``gradscope.ops.ctc``) gives each sample's loss; then, as
torch's C++ ``ctc_loss``: with ``zero_infinity`` a ``where`` puts 0 for an infinite loss
(``WhereBackward0``); ``mean`` divides each loss by its target length (at least 1) and
takes the mean (``DivBackward0``, ``MeanBackward0``), ``sum`` sums (``SumBackward0``).
An unbatched (T, C) input is unsqueezed to (T, 1, C) first (``UnsqueezeBackward0``), and
its ``none`` loss squeezed back (``SqueezeBackward1``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import creation
from ..autograd.function import apply
from ..backend import CPU, device_of, to_device
from ..errors import refuse_kernel
from ..events.callsite import user_stacklevel
from ..ops import api
from ..ops._graph import constant
from ..ops.ctc import CtcLossBackward0
from ..tensor import Tensor

_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


def ctc_loss(
    log_probs,
    targets,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
):
    """The CTC loss of (T, N, C) (or unbatched (T, C)) log-probabilities against targets
    padded (N, S) or concatenated (sum(target_lengths),), with each sample's input and
    target lengths as tensors or sequences of ints; ``mean`` divides each loss by its
    target length before averaging over the batch."""
    reduction = _reduction_enum(reduction)
    _check_signature(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    if type(input_lengths) is Tensor:
        input_lengths = _lengths_of(input_lengths, "input_lengths")
        target_lengths = _lengths_of(target_lengths, "target_lengths")
    else:
        input_lengths = tuple(int(v) for v in input_lengths)
        target_lengths = tuple(int(v) for v in target_lengths)
    blank = int(blank)
    batched = log_probs.ndim == 3
    lp = log_probs if batched else api.unsqueeze(log_probs, 1)
    tg = _long_targets(targets, lp)
    dtype = lp._data.dtype
    if dtype not in (np.float32, np.float64):
        refuse_kernel("ctc_loss_cpu", dtype)
    if lp.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    _check_allocate(lp, tg, input_lengths, target_lengths, blank)
    res = apply(
        CtcLossBackward0, (lp, tg), input_lengths, target_lengths, blank, bool(zero_infinity)
    )
    if zero_infinity:
        zero = creation.zeros((), dtype=res.dtype, device=res.device)
        res = api.where(res == math.inf, zero, res)
    if reduction == "mean":
        lengths = creation.tensor(list(target_lengths), dtype=res.dtype, device=res.device)
        return (res / lengths.clamp_min(1)).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)


def _reduction_enum(reduction: str) -> str:
    """torch's ``_Reduction.get_enum``: ``elementwise_mean`` is ``mean``, with a warning."""
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=user_stacklevel(),
        )
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


# ---------------------------------------------------------------- the arguments


def _is_int(v) -> bool:
    if type(v) is Tensor:
        return v.ndim == 0 and v._data.dtype.kind in "iu"
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _int_list(v) -> bool:
    return isinstance(v, (list, tuple)) and all(_is_int(x) for x in v)


def _check_signature(log_probs, targets, input_lengths, target_lengths, blank, zero_inf):
    """torch's argument parser: lengths both tensors or both sequences of ints, an int
    ``blank``, a bool ``zero_infinity``."""
    tensors = type(log_probs) is Tensor and type(targets) is Tensor
    scalars = _is_int(blank) and type(blank) is not Tensor and isinstance(zero_inf, bool)
    as_lists = _int_list(input_lengths) and _int_list(target_lengths)
    as_tensors = type(input_lengths) is Tensor and type(target_lengths) is Tensor
    if tensors and scalars and (as_lists or as_tensors):
        return
    given = (log_probs, targets, input_lengths, target_lengths, blank, 1, zero_inf)
    got = ", ".join(_type_name(v) for v in given)
    lines = [
        f"ctc_loss() received an invalid combination of arguments - got ({got}), but "
        "expected one of:"
    ]
    for lengths in ("tuple of ints", "Tensor"):
        lines.append(
            f" * (Tensor log_probs, Tensor targets, {lengths} input_lengths, {lengths} "
            "target_lengths, int blank = 0, int reduction = at::Reduction::Mean, bool "
            "zero_infinity = False)"
        )
        kinds = ("Tensor", "Tensor", lengths, lengths)
        # as torch's message: a tensor where one is expected unmarked, all else marked
        marks = [
            _detail(v) if type(v) is Tensor and k == "Tensor" else f"!{_detail(v)}!"
            for v, k in zip(given, kinds + (None,) * 3)
        ]
        lines.append(
            "      didn't match because some of the arguments have invalid types: "
            f"({', '.join(marks)})"
        )
    raise TypeError("\n".join(lines) + "\n")


def _type_name(v) -> str:
    """A value's type as torch's parser names it (C types with their module)."""
    if type(v) is Tensor:
        return "Tensor"
    cls = type(v)
    heap = cls.__flags__ & (1 << 9)
    if heap or cls.__module__ == "builtins":
        return cls.__name__
    return f"{cls.__module__}.{cls.__name__}"


def _detail(v) -> str:
    if isinstance(v, list):
        return f"list of [{', '.join(_type_name(x) for x in v)}]"
    if isinstance(v, tuple):
        return f"tuple of ({', '.join(_type_name(x) for x in v)})"
    return _type_name(v)


def _lengths_of(t: Tensor, name: str) -> tuple:
    """A tensor of lengths as a tuple of ints (torch's ``.to(kLong)`` of it)."""
    if t._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name} must be integral")
    return tuple(int(v) for v in np.asarray(to_device(t._data, CPU)).reshape(-1))


def _long_targets(targets: Tensor, log_probs: Tensor) -> Tensor:
    """``targets.to(log_probs.device, long)``: the tensor itself when it is one already."""
    arr = targets._data
    if arr.dtype == np.int64 and targets.device == log_probs.device:
        return targets
    if arr.dtype.kind == "c":
        arr = arr.real
    return constant(to_device(arr.astype(np.int64), device_of(log_probs._data)))


def _check_allocate(lp: Tensor, tg: Tensor, input_lengths, target_lengths, blank) -> None:
    """torch's checks in ``ctc_loss_allocate_outputs``, in its order."""
    if lp.ndim != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor for argument "
            f"#1 'log_probs'{_WHERE}"
        )
    if not 1 <= tg.ndim <= 2:
        raise RuntimeError(
            f"Expected 1 to 2 dimensions, but got {tg.ndim}-dimensional tensor for argument #2 "
            f"'targets'{_WHERE}"
        )
    _, batch, classes = lp.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if len(input_lengths) != batch:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(target_lengths) != batch:
        raise RuntimeError("target_lengths must be of size batch_size")
    for n in target_lengths:
        if n < 0:
            raise RuntimeError(
                f"Expected target_lengths to have value at least 0, but got value {n}{_WHERE}"
            )
    if tg.ndim == 1:
        _check_size(tg, 0, sum(target_lengths))
    else:
        _check_size(tg, 0, batch)
        longest = max(target_lengths, default=0)
        if tg.shape[1] < longest:
            raise RuntimeError(
                f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                f"{tg.shape[1]} for argument #2 'targets'{_WHERE}"
            )
    steps = lp.shape[0]
    for n in input_lengths:
        if n < 0:
            raise RuntimeError(
                f"Expected input_lengths to have value at least 0, but got value {n}{_WHERE}"
            )
        if n > steps:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {steps}, but got value {n}{_WHERE}"
            )
    _check_labels(tg, target_lengths, classes)


def _check_size(tg: Tensor, dim: int, size: int) -> None:
    if tg.shape[dim] != size:
        raise RuntimeError(
            f"Expected tensor to have size {size} at dimension {dim}, but got size "
            f"{tg.shape[dim]} for argument #2 'targets'{_WHERE}"
        )


def _check_labels(tg: Tensor, target_lengths, classes: int) -> None:
    """Every label a sample uses is a class (torch reads past its input otherwise; a
    gradscope check of its own)."""
    arr = np.asarray(to_device(tg._data, CPU))
    if arr.ndim == 1:
        used = arr[: sum(target_lengths)]
    else:
        width = arr.shape[1]
        used = arr[np.arange(width) < np.asarray(target_lengths)[:, None]]
    if used.size and (used.min() < 0 or used.max() >= classes):
        bad = int(used[(used < 0) | (used >= classes)][0])
        raise RuntimeError(
            f"ctc_loss: target label {bad} is out of range for {classes} classes "
            f"(labels are 0 to {classes - 1})"
        )
