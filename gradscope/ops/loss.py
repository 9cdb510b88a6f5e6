"""Losses: nll_loss and mse_loss (cross_entropy is log_softmax followed by nll_loss).

Each backward is also an op of its own under ``create_graph=True``, as in torch
(``NllLossBackwardBackward0``, ``MseLossBackwardBackward0``).
"""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function, apply
from ..backend import xp_of
from ..errors import scalar_type_name
from ._broadcast import unbroadcast
from ._graph import constant, sum_to, zeros_grad
from ._jvp import terms


class NllLossBackward0(Function):
    """Negative log-likelihood of class targets, run as ``(logp, target, weight or None)``;
    saves self, target, total_weight and the class weights if any."""

    _name = "NllLossBackward0"
    _edges = 1  # the target and the weights get no edge, as in torch

    def forward(self, logp, target, weight, reduction, ignore_index):
        xp = xp_of(logp)
        batched = logp.ndim == 2
        lp = logp if batched else logp[None, :]
        rows, safe, w = self._rows(xp, lp.shape[0], target, weight, ignore_index, logp.dtype)
        # where, not a product with the mask: an ignored row's loss is 0, not -0
        picked = xp.where(w != 0, -lp[rows, safe] * w, 0).astype(logp.dtype, copy=False)
        total_weight = xp.asarray(w.sum(), dtype=logp.dtype)
        self.reduction, self.ignore_index, self.batched = reduction, ignore_index, batched
        self.save(self=logp, target=target, total_weight=total_weight)
        if weight is not None:
            self.save(weight=weight)
        if reduction == "none":
            return picked if batched else picked[0]
        s = picked.sum()
        if reduction == "mean":
            s = s / total_weight
        return xp.asarray(s, dtype=logp.dtype)

    @staticmethod
    def _rows(xp, n, target, weight, ignore_index, dtype):
        """Each row's index, its target class (0 where ignored) and its weight (0 there)."""
        tg = target.reshape(-1)
        valid = tg != ignore_index
        safe = xp.where(valid, tg, 0)
        w = valid.astype(dtype) if weight is None else xp.where(valid, weight[safe], 0)
        return xp.arange(n), safe, w

    def backward(self, g):
        logp = self.saved("self")
        weight = self.saved("weight") if "weight" in self._saved else None
        return (
            _nll_backward(
                g,
                logp.shape,
                logp.dtype,
                self.saved("target"),
                weight,
                self.saved("total_weight"),
                self.reduction,
                self.ignore_index,
            ),
        )

    def backward_graph(self, g):
        weight = self.saved("weight") if "weight" in self._saved else None
        args = (self.saved("target"), weight, self.saved("total_weight"))
        args += (self.reduction, self.ignore_index)
        return (apply(NllLossBackwardBackward0, (g, self.saved_tensor("self")), *args),)

    def jvp(self, xs, out, tangents):
        t, target, weight = tangents[0], xs[1], xs[2]
        xp = xp_of(out)
        lt = t if self.batched else t[None, :]
        rows, safe, w = self._rows(xp, lt.shape[0], target, weight, self.ignore_index, out.dtype)
        picked = xp.where(w != 0, -lt[rows, safe] * w, 0)
        if self.reduction == "none":
            return picked if self.batched else picked[0]
        s = picked.sum()
        if self.reduction == "mean":
            s = s / w.sum()
        return s


class MseLossBackward0(Function):
    _name = "MseLossBackward0"

    def forward(self, a, target, reduction):
        self.save(self=a, target=target)
        self.reduction = reduction
        self.shapes = (a.shape, target.shape)  # a target may broadcast against the input
        d = a - target
        sq = d * d
        if reduction == "none":
            return sq
        s = sq.sum() if reduction == "sum" else sq.mean()
        return xp_of(a).asarray(s, dtype=a.dtype)

    def backward(self, g):
        a, t = self.saved("self"), self.saved("target")
        d = _mse_backward(g, a, t, self.reduction)
        na, nt = self.needs_input_grad
        return (
            unbroadcast(d, self.shapes[0]) if na else None,
            unbroadcast(-d, self.shapes[1]) if nt else None,
        )

    def backward_graph(self, g):
        # as torch: the target's gradient is the same op with the operands swapped
        a, t = self.saved_tensor("self"), self.saved_tensor("target")
        na, nt = self.needs_input_grad
        ga = gt = None
        if na:
            ga = sum_to(apply(MseLossBackwardBackward0, (g, a, t), self.reduction), self.shapes[0])
        if nt:
            gt = sum_to(apply(MseLossBackwardBackward0, (g, t, a), self.reduction), self.shapes[1])
        return ga, gt

    def jvp(self, xs, out, tangents):
        (a, target), (ta, tt) = xs, tangents
        d = 2 * (a - target) * terms(ta, None if tt is None else -tt)
        if self.reduction == "none":
            return d
        return d.sum() if self.reduction == "sum" else d.mean()


def _nll_picked(u, target, weight, ignore_index, reduction):
    """nll_loss of ``u`` (log-probabilities, or the gradient of its backward): minus the
    weighted target entries, reduced (a mean divides by the weights of the rows kept)."""
    xp = xp_of(u)
    batched = u.ndim == 2
    lu = u if batched else u[None, :]
    rows, safe, w = NllLossBackward0._rows(xp, lu.shape[0], target, weight, ignore_index, u.dtype)
    # where, not a product with the mask: an ignored row's loss is 0, not -0
    picked = xp.where(w != 0, -lu[rows, safe] * w, 0).astype(u.dtype, copy=False)
    if reduction == "none":
        return picked if batched else picked[0]
    s = picked.sum()
    if reduction == "mean":
        s = s / w.sum()
    return xp.asarray(s, dtype=u.dtype)


def _nll_backward(g, shape, dtype, target, weight, total_weight, reduction, ignore_index):
    """nll_loss's gradient for log-probabilities of ``shape``: ``-g`` (over the total
    weight for a mean, times the class weight) at each row's target, zero elsewhere."""
    xp = xp_of(g)
    batched = len(shape) == 2
    lp_shape = tuple(shape) if batched else (1,) + tuple(shape)
    rows, safe, w = NllLossBackward0._rows(xp, lp_shape[0], target, weight, ignore_index, dtype)
    out = xp.zeros(lp_shape, dtype=dtype)
    if reduction == "none":
        scale = -(g.reshape(-1))
    elif reduction == "mean":
        scale = -(g / total_weight)
    else:
        scale = -g
    out[rows, safe] = xp.where(w != 0, scale * w, 0)
    return out if batched else out[0]


class NllLossBackwardBackward0(Function):
    """nll_loss's backward as an op, run as ``(g, logp)``: linear in ``g``, whose gradient
    is nll_loss of ``u`` with the same targets, weights and reduction; it reads no value of
    ``logp``, whose gradient is zero (torch's ``zeros_like``)."""

    _name = "NllLossBackwardBackward0"

    def forward(self, g, logp, target, weight, total_weight, reduction, ignore_index):
        self.shape = logp.shape
        self.target, self.weight, self.total_weight = target, weight, total_weight
        self.reduction, self.ignore_index = reduction, ignore_index
        return _nll_backward(
            g, logp.shape, logp.dtype, target, weight, total_weight, reduction, ignore_index
        )

    def backward(self, u):
        ng, nl = self.needs_input_grad
        gg = None
        if ng:
            gg = _nll_picked(u, self.target, self.weight, self.ignore_index, self.reduction)
        return gg, xp_of(u).zeros(self.shape, u.dtype) if nl else None

    def backward_graph(self, u):
        ng, nl = self.needs_input_grad
        gg = None
        if ng:
            weight = None if self.weight is None else constant(self.weight)
            inputs = (u, constant(self.target), weight)
            gg = apply(NllLossBackward0, inputs, self.reduction, self.ignore_index)
        return gg, zeros_grad(self.shape, u) if nl else None

    def jvp(self, xs, out, tangents):
        tg = tangents[0]  # linear in g; logp's values are not read
        if tg is None:
            return None
        return _nll_backward(
            tg,
            self.shape,
            out.dtype,
            self.target,
            self.weight,
            self.total_weight,
            self.reduction,
            self.ignore_index,
        )


def _mse_backward(g, a, t, reduction):
    """mse_loss's gradient in ``a``: ``2 (a - t) g``, over the element count for a mean."""
    d = 2 * (a - t) * g
    return d / d.size if reduction == "mean" else d


class MseLossBackwardBackward0(Function):
    """mse_loss's backward as an op, ``2 (a - t) g`` (``/ n`` for a mean), run as
    ``(g, a, t)``: the gradients are the same op on ``u`` summed to ``g``'s shape for
    ``g``, and ``2 u g`` (``/ n``) summed to each operand's shape, negated for ``t``."""

    _name = "MseLossBackwardBackward0"

    def forward(self, g, a, t, reduction):
        ng, na, nt = self.needs_input_grad
        self.reduction = reduction
        self.shapes = (g.shape, a.shape, t.shape)
        if ng:
            self.save(self=a, target=t)
        if na or nt:
            self.save(grad_output=g)
        out = _mse_backward(g, a, t, reduction)
        self.numel = out.size
        return out

    def _scale(self, x):
        return x / self.numel if self.reduction == "mean" else x

    def backward(self, u):
        ng, na, nt = self.needs_input_grad
        gg = ga = gt = None
        if ng:
            gg = unbroadcast(
                _mse_backward(u, self.saved("self"), self.saved("target"), self.reduction),
                self.shapes[0],
            )
        if na or nt:
            c = self._scale(2 * u * self.saved("grad_output"))
            ga = unbroadcast(c, self.shapes[1]) if na else None
            gt = unbroadcast(-c, self.shapes[2]) if nt else None
        return gg, ga, gt

    def backward_graph(self, u):
        ng, na, nt = self.needs_input_grad
        gg = ga = gt = None
        if ng:
            a, t = self.saved_tensor("self"), self.saved_tensor("target")
            gg = sum_to(apply(MseLossBackwardBackward0, (u, a, t), self.reduction), self.shapes[0])
        if na or nt:
            c = self._scale(2 * (u * self.saved_tensor("grad_output")))
            ga = sum_to(c, self.shapes[1]) if na else None
            gt = sum_to(-c, self.shapes[2]) if nt else None
        return gg, ga, gt

    def jvp(self, xs, out, tangents):
        (g, a, t), (tg, ta, tt) = xs, tangents
        terms_ = []
        if tg is not None:
            terms_.append(2 * (a - t) * tg)
        if ta is not None:
            terms_.append(2 * ta * g)
        if tt is not None:
            terms_.append(-2 * tt * g)
        total = terms(*terms_)
        return None if total is None else self._scale(total)


def check_target(logp_shape, target_shape, target_dtype) -> None:
    """torch's checks of ``nll_loss`` targets, with its messages."""
    if len(target_shape) > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if len(logp_shape) == 2 and tuple(target_shape) != (logp_shape[0],):
        raise ValueError(
            f"Expected input batch_size ({logp_shape[0]}) to match target batch_size "
            f"({target_shape[0] if target_shape else 0})."
        )
    if len(logp_shape) == 1 and len(target_shape) == 1 and target_shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target_shape[0]}"
        )
    if target_dtype not in (np.dtype(np.int64), np.dtype(np.uint8)):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {scalar_type_name(target_dtype)}"
        )
