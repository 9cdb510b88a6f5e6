"""``gs.nn.functional``: relu, softmax, log_softmax, cross_entropy, nll_loss, mse_loss, linear."""

from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from ..autograd.function import apply
from ..errors import scalar_type_name, shape_str, tensor_type_name
from ..events.callsite import user_stacklevel
from ..ops import api
from ..ops.elementwise import AddBackward0, AddBackward1, DivBackward1, MulBackward1
from ..ops.linalg import AddmmBackward0
from ..ops.loss import (
    MseLossBackward0,
    NllLoss2DBackward0,
    NllLossBackward0,
    check_target,
    check_target_2d,
)


def relu(input, inplace: bool = False):
    """``max(input, 0)``; with ``inplace``, written into ``input`` (``relu_``)."""
    return api.relu_(input) if inplace else api.relu(input)


def softmax(input, dim=None, dtype=None):
    """``exp(input) / sum(exp(input))`` along ``dim``; without one, torch's implicit
    (deprecated) choice, with its warning."""
    if dim is None:
        dim = _implicit_dim("softmax", input)
    return api.softmax(input, dim, dtype)


def log_softmax(input, dim=None, dtype=None):
    """``log(softmax(input))`` along ``dim``; without one, as ``softmax``."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input)
    return api.log_softmax(input, dim, dtype)


def _implicit_dim(name: str, input) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return api.implicit_softmax_dim(input)


sigmoid = api.sigmoid
tanh = api.tanh

__all__ = [
    "cross_entropy",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """Negative log-likelihood of ``target`` classes under log-probabilities ``input``:
    (C,) or (N, C) with a class per sample, or (N, C, d1, ...) with (N, d1, ...) targets."""
    _check_reduction(reduction)
    if input.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if input.ndim > 1 and (target.ndim == 0 or target.shape[0] != input.shape[0]):
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0] if target.ndim else 0})."
        )
    if input.ndim > 2:
        return _nll_loss_nd(input, target, weight, ignore_index, reduction)
    _check_weight_grad("nll_loss_forward", weight)
    check_target(input.shape, target.shape, target._data.dtype)
    classes = input.shape[-1]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"weight tensor should be defined either for all {classes} classes or no "
            f"classes but got weight tensor of shape: {list(weight.shape)}"
        )
    _check_weight_dtype(input, weight)
    _check_classes(target, classes, ignore_index)
    return apply(NllLossBackward0, (input, target, weight), reduction, ignore_index)


def _nll_loss_nd(input, target, weight, ignore_index, reduction):
    """nll_loss of (N, C, d1, ...) log-probabilities, as torch runs it: nll_loss2d, on a
    (N, C, 1, -1) view of them unless they are (N, C, H, W)."""
    if input.ndim == 4:
        return _nll_loss2d(input, target, weight, ignore_index, reduction)
    n, c = input.shape[:2]
    out_size = (n,) + tuple(input.shape[2:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(
            f"Expected target size {shape_str(out_size)}, got {shape_str(target.shape)}"
        )
    logp = input.contiguous()
    logp = api.view(logp, (n, c, 1, -1) if logp.numel() else (n, c, 0, 0))
    target = target.contiguous()
    target = api.view(target, (n, 1, -1) if target.numel() else (n, 0, 0))
    out = _nll_loss2d(logp, target, weight, ignore_index, reduction)
    return api.view(out, out_size) if reduction == "none" else out


def _nll_loss2d(input, target, weight, ignore_index, reduction):
    """nll_loss of (N, C, H, W) log-probabilities against (N, H, W) targets."""
    _check_weight_grad("nll_loss2d_forward", weight)
    numel = None if weight is None else weight.numel()
    check_target_2d(input.shape, target.shape, target._data.dtype, numel)
    _check_weight_dtype(input, weight)
    _check_classes(target, input.shape[1], ignore_index)
    return apply(NllLoss2DBackward0, (input, target, weight), reduction, ignore_index)


def _check_weight_grad(kernel: str, weight) -> None:
    if weight is not None and weight.requires_grad:
        raise RuntimeError(
            f"The function '{kernel}' is not differentiable with respect to argument "
            "'weight'. This input cannot have requires_grad True."
        )


def _check_weight_dtype(input, weight) -> None:
    """Class weights must be in the input's dtype (torch's kernels do not promote them)."""
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(input._data.dtype)} but found "
            f"{scalar_type_name(weight._data.dtype)}"
        )


def _check_classes(target, classes: int, ignore_index: int) -> None:
    t = target._data
    outside = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if outside.any():
        raise IndexError(f"Target {int(t[outside].ravel()[0])} is out of bounds.")


def _check_reduction(reduction) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def cross_entropy(
    input,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
):
    """``nll_loss(log_softmax(input, 1), target)``: torch's two nodes, LogSoftmax then NllLoss
    (or NllLoss2D, for (N, C, d1, ...) input and (N, d1, ...) targets).

    With ``label_smoothing`` ε, as torch: ``(1 - ε) * nll + ε / C * smooth``, where
    ``smooth`` is minus the (class-weighted) sum of the log-probabilities of each sample,
    reduced as the loss is (a mean divides by the samples kept, or their target weights).

    A ``target`` of ``input``'s shape holds class probabilities instead (see
    ``_cross_entropy_probs``).
    """
    _check_reduction(reduction)
    if input.shape == target.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing)
    _check_label_smoothing(label_smoothing)
    dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, dim)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if label_smoothing <= 0.0:  # as torch, a negative one is no smoothing
        return nll
    classes = input.shape[dim]
    if weight is None:
        smooth = -logp.sum(dim)
    else:
        shape = [1] * input.ndim
        shape[dim] = weight.shape[0]
        with np.errstate(invalid="ignore"):  # a -inf log-probability times 0: NaN, as torch
            smooth = -(logp * (weight if dim == 0 else api.view(weight, tuple(shape)))).sum(dim)
    ignored = target == ignore_index
    smooth.masked_fill_(ignored, 0.0)
    if reduction == "mean":
        kept = ~ignored
        denominator = kept.sum() if weight is None else weight[target[kept]].sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return apply(MulBackward1, (nll,), 1 - label_smoothing) + apply(
        MulBackward1, (smooth,), label_smoothing / classes
    )


def _check_label_smoothing(label_smoothing: float) -> None:
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing):
    """cross_entropy against class probabilities, in torch's ops: ``-(log_softmax(input)
    * target * weight)`` summed over the classes, then summed or averaged over the samples.

    ``label_smoothing`` ε mixes ``target`` with the uniform distribution first:
    ``target * (1 - ε) + ε / C``. ``ignore_index`` has no meaning here, so only a negative
    one (the default) is accepted.
    """
    if target._data.dtype.kind != "f":
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{scalar_type_name(target._data.dtype)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    dim = 0 if input.ndim == 1 else 1
    classes = input.shape[dim]
    if weight is not None and tuple(weight.shape) != (classes,):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {classes} "
            f"classes or no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    logp = log_softmax(input, dim)
    if label_smoothing > 0.0:
        _check_label_smoothing(label_smoothing)
        target = apply(MulBackward1, (target,), 1 - label_smoothing)
        target = apply(AddBackward1, (target,), label_smoothing / classes)
    with np.errstate(invalid="ignore"):  # a -inf log-probability times 0: NaN, as torch
        losses = logp * target
        if weight is not None:
            shape = [1] * input.ndim
            shape[dim] = classes
            losses = losses * (weight if dim == 0 else api.view(weight, tuple(shape)))
    if reduction == "none":
        return -losses.sum(dim)
    total = losses.sum()
    if reduction == "sum":
        return -total
    if not input.numel():  # no samples: torch's mean is NaN
        return -total.fill_(float("nan"))
    return apply(DivBackward1, (-total,), input.numel() // classes)


def mse_loss(input, target, reduction: str = "mean"):
    """Mean squared error, in the dtype torch gives ``input - target`` once broadcast."""
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )
        try:
            shape = np.broadcast_shapes(tuple(input.shape), tuple(target.shape))
        except ValueError:
            raise api._broadcast_error("mse_loss", input, target) from None
        # as torch's broadcast_tensors: an operand that grows is expanded (ExpandBackward0)
        if tuple(input.shape) != shape:
            input = api.expand(input, shape)
        if tuple(target.shape) != shape:
            target = api.expand(target, shape)
    _check_reduction(reduction)
    # both broadcast before torch promotes them, so neither counts as 0-dim
    dtype = dtypes.result_type(input._data.dtype, 1, None, target._data.dtype, 1)
    if dtype.kind != "f":
        kernel = "mse_cuda" if input._buffer.device.startswith("cuda") else "mse_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")
    return apply(MseLossBackward0, (input, target), reduction, dtype)


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, recorded as torch records it.

    2-D input with a bias is one ``AddmmBackward0``; other contiguous inputs with a bias of
    one dim (once squeezed) are folded to 2-D, run through addmm and viewed back; the rest
    is ``matmul``, then the bias added as torch's ``add_`` adds it (into the product's shape
    and dtype).
    """
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(
            "both arguments to linear need to be at least 1D, but they are "
            f"{input.ndim}D and {weight.ndim}D"
        )
    if bias is not None and (input.ndim == 2 or (input.is_contiguous() and _fusable(bias))):
        api._check_device(input, weight)
        shape = input.shape
        flat = input if input.ndim == 2 else api.reshape(input, (_prod(shape[:-1]), shape[-1]))
        mat2 = api.t(weight)
        _check_addmm(bias, flat, mat2)
        out = apply(AddmmBackward0, (bias, flat, mat2))
        return out if input.ndim == 2 else api.view(out, tuple(shape[:-1]) + (out.shape[1],))
    out = api.matmul(input, api.t(weight))
    return out if bias is None else _add_into(out, bias)


def _fusable(bias) -> bool:
    """Whether torch folds ``linear`` into addmm for this bias (with a contiguous input)."""
    one_dim = bias.ndim == 1 or sum(n != 1 for n in bias.shape) == 1
    return one_dim and bias.is_contiguous()


def _add_into(out, bias):
    """``out + bias`` with the result in ``out``'s shape and dtype (torch's ``out.add_(bias)``
    on a fresh product), one ``AddBackward0``."""
    out, bias = api._on_one_device(out, bias)
    try:
        joint = np.broadcast_shapes(tuple(out.shape), tuple(bias.shape))
    except ValueError:
        raise api._broadcast_error("add_", out, bias) from None
    if joint != tuple(out.shape):
        raise RuntimeError(
            f"output with shape {shape_str(out.shape)} doesn't match the broadcast shape "
            f"{shape_str(joint)}"
        )
    dtype = out._data.dtype
    result = dtypes.result_type(dtype, out.ndim, None, bias._data.dtype, bias.ndim)
    if not np.can_cast(result, dtype, casting="same_kind"):
        raise RuntimeError(
            f"result type {scalar_type_name(result)} can't be cast to the desired output type "
            f"{scalar_type_name(dtype)}"
        )
    return apply(AddBackward0, (out, bias), 1, dtype)


def _check_addmm(bias, mat1, mat2) -> None:
    """torch's checks of ``addmm(bias, mat1, mat2)``, in its order, with its messages."""
    for name, m in (("self", bias), ("mat1", mat1)):
        if m._data.dtype != mat2._data.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got "
                f"{scalar_type_name(m._data.dtype)} and {scalar_type_name(mat2._data.dtype)}"
            )
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} "
            f"and {mat2.shape[0]}x{mat2.shape[1]})"
        )
    sizes, shape = (mat1.shape[0], mat2.shape[1]), tuple(bias.shape)
    if len(shape) > len(sizes):
        raise RuntimeError(
            f"expand({tensor_type_name(bias._data.dtype, bias._buffer.device)}"
            f"{{{shape_str(shape)}}}, size={shape_str(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    for i in range(len(shape) - 1, -1, -1):  # torch reports the last mismatch first
        if shape[i] not in (1, sizes[lead + i]):
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[lead + i]}) must match the existing "
                f"size ({shape[i]}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}"
            )


def _prod(sizes) -> int:
    n = 1
    for s in sizes:
        n *= s
    return n
