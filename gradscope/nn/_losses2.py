"""More of ``torch.nn.functional``'s losses, recorded as torch records them.

``soft_margin_loss``, ``multi_margin_loss`` and ``multilabel_margin_loss`` are one node
each (``gradscope.ops.margin``); the rest are torch's composites, written here with the
same ops in the same order (its C++ ``margin_ranking_loss``, ``hinge_embedding_loss``,
``cosine_embedding_loss`` and ``poisson_nll_loss``, its Python
``multilabel_soft_margin_loss`` and ``gaussian_nll_loss``), so the graph has its nodes.
"""

from __future__ import annotations

import math

import numpy as np

from .. import creation
from ..autograd.function import apply
from ..autograd.grad_mode import no_grad
from ..errors import refuse_kernel, scalar_type_name, shape_str
from ..ops import api
from ..ops import margin as M
from ..ops.elementwise import AddBackward1, MulBackward1
from .functional import _check_reduction, _legacy_reduction, _size, logsigmoid


def _reduce(loss, reduction: str):
    """torch's ``apply_loss_reduction``: a mean, a sum, or the losses as they are."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduction(size_average, reduce, reduction: str) -> str:
    return _check_reduction(_legacy_reduction(size_average, reduce, reduction))


def _scalar_minus(value: float, t):
    """``value - t`` as ATen writes it in C++ (``empty_like(t).fill_(value).sub_(t)``): a
    ``SubBackward0`` whose first operand needs no gradient."""
    return api.sub(creation.full_like(t, value), t)


def margin_ranking_loss(
    input1,
    input2,
    target,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
):
    """``max(0, -target * (input1 - input2) + margin)``, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_size(input1.shape)}, input2: {_size(input2.shape)}, target: "
            f"{_size(target.shape)} "
        )
    loss = apply(AddBackward1, (api.mul(api.neg(target), api.sub(input1, input2)),), margin)
    return _reduce(api.clamp_min_(loss, 0), reduction)


def hinge_embedding_loss(
    input, target, margin: float = 1.0, size_average=None, reduce=None, reduction: str = "mean"
):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1 (the sum
    of both elsewhere), reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    zeros = creation.zeros_like(input)
    margin_clamp = api.clamp_min_(_scalar_minus(margin, input), 0)
    output_margin = api.where(target != 1, margin_clamp, zeros)
    output_self = api.where(target != -1, input, zeros)
    return _reduce(api.add(output_margin, output_self), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """``log(1 + exp(-target * input))``, reduced: one ``SoftMarginLossBackward0``."""
    reduction = _reduction(size_average, reduce, reduction)
    _no_grad_argument("soft_margin_loss", "target", target)
    _check_into(input, target)
    dtype = input._data.dtype
    if dtype.kind != "f":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type {scalar_type_name(dtype)}"
        )
    return apply(M.SoftMarginLossBackward0, (input, target), reduction)


def _no_grad_argument(op: str, name: str, t) -> None:
    if t is not None and t.requires_grad:
        raise RuntimeError(
            f"The function '{op}' is not differentiable with respect to argument '{name}'. "
            "This input cannot have requires_grad True."
        )


def _check_into(input, target) -> None:
    """``target`` must broadcast to ``input``'s shape (torch multiplies it into the loss in
    place)."""
    api._check_device(input, target)
    shape = tuple(input.shape)
    try:
        joint = np.broadcast_shapes(shape, tuple(target.shape))
    except ValueError:
        raise api._broadcast_error("soft_margin_loss", input, target) from None
    if joint != shape:
        raise RuntimeError(
            f"output with shape {shape_str(shape)} doesn't match the broadcast shape "
            f"{shape_str(joint)}"
        )


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"
):
    """``-(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))``, weighted,
    averaged over the classes (the last dim), then reduced over the samples."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    classes = input.shape[class_dim]
    loss = loss.sum(dim=class_dim) / classes
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def _class_target(op: str, input, target):
    """Checks shared by the multi-class margin losses: (dim,) or (N, dim) scores of a
    floating dtype, int64 targets."""
    nd = input.ndim
    if not ((nd == 2 and input.shape[1] != 0) or (nd == 1 and input.shape[0] != 0) or nd == 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    frames, dim = (1, 1 if nd == 0 else input.shape[0]) if nd <= 1 else input.shape
    return frames, dim


def multi_margin_loss(
    input,
    target,
    p: int = 1,
    margin: float = 1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
):
    """The multi-class hinge loss: per sample, ``max(0, margin - x[y] + x[i])**p`` summed
    over the other classes ``i`` (each weighed by ``weight[y]``) and divided by their
    number; one ``MultiMarginLossBackward0``."""
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _no_grad_argument("multi_margin_loss", "weight", weight)
    frames, dim = _class_target("multi_margin_loss", input, target)
    if target.ndim > 1 or target.numel() != frames:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{frames}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    if weight is not None and weight.numel() != dim:
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got {list(weight.shape)}")
    _long_target(target)
    dtype = input._data.dtype
    if weight is not None and weight._data.dtype != dtype:
        raise RuntimeError(
            f"expected scalar type {scalar_type_name(dtype)} but found "
            f"{scalar_type_name(weight._data.dtype)}"
        )
    if dtype.kind != "f":
        refuse_kernel("multi_margin_loss_cpu_kernel", dtype)
    t = target._data
    if t.size and bool(((t < 0) | (t >= dim)).any()):
        raise RuntimeError("target out of range")
    keep = target.ndim > 0
    cls = M.MultiMarginLossBackward0
    return apply(cls, (input, target, weight), p, float(margin), reduction, keep)


def _long_target(target) -> None:
    if target._data.dtype.kind not in "iu" or target._data.dtype.itemsize != 8:
        raise RuntimeError(
            f"expected scalar type Long but found {scalar_type_name(target._data.dtype)}"
        )


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """The multi-label hinge loss: per sample, ``max(0, 1 - x[y_j] + x[i])`` summed over
    its target classes ``y_j`` (the row of ``target`` up to the first -1) and the classes
    ``i`` that are not targets, divided by the number of classes; one
    ``MultilabelMarginLossBackward0``."""
    reduction = _reduction(size_average, reduce, reduction)
    frames, dim = _class_target("multilabel_margin_loss", input, target)
    nd = input.ndim
    if nd <= 1:
        ok = target.ndim <= 1 and target.numel() == dim
    else:
        ok = target.ndim == 2 and tuple(target.shape) == (frames, dim)
    if not ok:
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    _long_target(target)
    dtype = input._data.dtype
    if dtype.kind != "f":
        refuse_kernel("multilabel_margin_loss_forward_out_frame", dtype)
    t = target._data
    if t.size and bool(((t < -1) | (t >= dim)).any()):
        raise RuntimeError("argument #2 'target' is out of range")
    keep = nd == 2
    return apply(M.MultilabelMarginLossBackward0, (input, target), reduction, keep)


_EPSILON = 1e-12  # torch's, added to the squared magnitudes in cosine_embedding_loss


def cosine_embedding_loss(
    input1,
    input2,
    target,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
):
    """``1 - cos(input1, input2)`` where ``target`` is 1, ``max(0, cos - margin)`` where
    it is -1 (0 elsewhere), reduced; the cosine over the last dim."""
    reduction = _reduction(size_average, reduce, reduction)
    targ_dim = target.ndim
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(
            "1D target tensor expects 2D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    if targ_dim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(
            "0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    prod_sum = (input1 * input2).sum(targ_dim)
    mag_square1 = apply(AddBackward1, ((input1 * input1).sum(targ_dim),), _EPSILON)
    mag_square2 = apply(AddBackward1, ((input2 * input2).sum(targ_dim),), _EPSILON)
    denom = (mag_square1 * mag_square2).sqrt_()
    cos = prod_sum / denom
    zeros = creation.zeros_like(cos)
    pos = _scalar_minus(1, cos)
    neg = api.clamp_min_(apply(M.SubBackward1, (cos,), margin), 0)
    output_pos = api.where(target == 1, pos, zeros)
    output_neg = api.where(target == -1, neg, zeros)
    return _reduce(api.add(output_pos, output_neg), reduction)


def poisson_nll_loss(
    input,
    target,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
):
    """The negative log-likelihood of ``target`` under a Poisson distribution of rate
    ``exp(input)`` (``input`` itself without ``log_input``); ``full`` adds Stirling's
    approximation of ``log(target!)`` where ``target > 1``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = api.sub(api.exp(input), api.mul(target, input))
    else:
        loss = api.sub(input, api.mul(target, api.log(apply(AddBackward1, (input,), eps))))
    if full:
        # C++'s ``number * tensor`` is ``tensor.mul(number)``: MulBackward1
        two_pi_target = apply(MulBackward1, (target,), 2 * math.pi)
        stirling = api.sub(api.mul(target, api.log(target)), target)
        stirling = api.add(stirling, apply(MulBackward1, (api.log(two_pi_target),), 0.5))
        loss = api.add_(loss, api.masked_fill(stirling, target <= 1, 0))
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input, target, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
):
    """The negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and
    variance ``var`` (clamped to ``eps`` outside the graph): ``0.5 * (log(var) + (input -
    target)**2 / var)``, plus ``0.5 * log(2 pi)`` with ``full``, reduced. ``var`` may have
    one dim fewer than ``input``, or one dim of size 1 (one variance shared)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * creation.ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = api.unsqueeze(var, -1)
        elif (
            input.ndim == var.ndim and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1
        ):
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (api.log(var) + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
