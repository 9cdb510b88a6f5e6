"""``gs.nn.functional``: relu, softmax, log_softmax, cross_entropy, nll_loss, mse_loss, linear."""

from __future__ import annotations

import warnings

from ..autograd.function import apply
from ..events.callsite import user_stacklevel
from ..ops import api
from ..ops.elementwise import MulBackward1
from ..ops.linalg import AddmmBackward0
from ..ops.loss import MseLossBackward0, NllLossBackward0, check_target


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
    """Negative log-likelihood of ``target`` classes under log-probabilities ``input``."""
    _check_reduction(reduction)
    check_target(input.shape, target.shape, target._data.dtype)
    t = target._data
    classes = input.shape[1 if input.ndim > 1 else 0]
    if weight is not None:
        if tuple(weight.shape) != (classes,):
            raise RuntimeError(
                f"weight tensor should be defined either for all {classes} classes or no "
                f"classes but got weight tensor of shape: {list(weight.shape)}"
            )
        if weight.requires_grad:
            raise RuntimeError(
                "The function 'nll_loss_forward' is not differentiable with respect to "
                "argument 'weight'. This input cannot have requires_grad True."
            )
    outside = ((t < 0) | (t >= classes)) & (t != ignore_index)
    if outside.any():
        raise IndexError(f"Target {int(t[outside].ravel()[0])} is out of bounds.")
    return apply(NllLossBackward0, (input, target, weight), reduction, ignore_index)


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
    """``nll_loss(log_softmax(input, 1), target)``: torch's two nodes, LogSoftmax then NllLoss.

    With ``label_smoothing`` ε, as torch: ``(1 - ε) * nll + ε / C * smooth``, where
    ``smooth`` is minus the (class-weighted) sum of the log-probabilities of each row,
    reduced as the loss is (a mean divides by the rows kept, or their target weights).
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    _check_reduction(reduction)
    dim = 0 if input.ndim == 1 else 1
    logp = log_softmax(input, dim)
    nll = nll_loss(logp, target, weight, ignore_index, reduction)
    if not label_smoothing:
        return nll
    classes = input.shape[dim]
    if weight is None:
        smooth = -logp.sum(dim)
    else:
        smooth = -(logp * (weight if dim == 0 else api.view(weight, (1, classes)))).sum(dim)
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


def mse_loss(input, target, reduction: str = "mean"):
    """Mean squared error."""
    _check_reduction(reduction)
    if input.shape != target.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=2,
        )
    return apply(MseLossBackward0, (input, target), reduction)


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, recorded as torch records it.

    2-D input with a bias is one ``AddmmBackward0``; other contiguous inputs with a bias
    are folded to 2-D, run through addmm and viewed back; the rest is ``matmul`` (+ bias).
    """
    if bias is not None and (input.ndim == 2 or (input.is_contiguous() and bias.ndim == 1)):
        api._check_device(input, weight)
        shape = input.shape
        flat = input if input.ndim == 2 else api.reshape(input, (_prod(shape[:-1]), shape[-1]))
        if flat.shape[1] != weight.shape[-1]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({flat.shape[0]}x{flat.shape[1]} "
                f"and {weight.shape[-1]}x{weight.shape[0]})"
            )
        out = apply(AddmmBackward0, (bias, flat, api.t(weight)))
        return out if input.ndim == 2 else api.view(out, tuple(shape[:-1]) + (out.shape[1],))
    out = api.matmul(input, api.t(weight))
    return out + bias if bias is not None else out


def _prod(sizes) -> int:
    n = 1
    for s in sizes:
        n *= s
    return n
