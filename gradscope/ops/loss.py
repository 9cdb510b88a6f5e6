"""Losses: nll_loss and mse_loss (cross_entropy is log_softmax followed by nll_loss)."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import xp_of
from ..errors import scalar_type_name
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
        target = self.saved("target")
        tw = self.saved("total_weight")
        weight = self.saved("weight") if "weight" in self._saved else None
        xp = xp_of(logp)
        lp_shape = logp.shape if self.batched else (1,) + logp.shape
        rows, safe, w = self._rows(xp, lp_shape[0], target, weight, self.ignore_index, logp.dtype)
        out = xp.zeros(lp_shape, dtype=logp.dtype)
        if self.reduction == "none":
            scale = -(g.reshape(-1))
        elif self.reduction == "mean":
            scale = -(g / tw)
        else:
            scale = -g
        out[rows, safe] = xp.where(w != 0, scale * w, 0)
        return (out if self.batched else out[0],)

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
        d = a - target
        sq = d * d
        if reduction == "none":
            return sq
        s = sq.sum() if reduction == "sum" else sq.mean()
        return xp_of(a).asarray(s, dtype=a.dtype)

    def backward(self, g):
        a, t = self.saved("self"), self.saved("target")
        d = 2 * (a - t) * g
        if self.reduction == "mean":
            d = d / a.size
        na, nt = self.needs_input_grad
        return (d if na else None, -d if nt else None)

    def jvp(self, xs, out, tangents):
        (a, target), (ta, tt) = xs, tangents
        d = 2 * (a - target) * terms(ta, None if tt is None else -tt)
        if self.reduction == "none":
            return d
        return d.sum() if self.reduction == "sum" else d.mean()


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
