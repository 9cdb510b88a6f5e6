"""Losses: nll_loss and mse_loss (cross_entropy is log_softmax followed by nll_loss)."""

from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ..backend import xp_of


class NllLossBackward0(Function):
    """Negative log-likelihood of class targets; saves self, target and total_weight."""

    _name = "NllLossBackward0"

    def forward(self, logp, target, reduction, ignore_index):
        xp = xp_of(logp)
        batched = logp.ndim == 2
        lp = logp if batched else logp[None, :]
        tg = target.reshape(-1)
        valid = tg != ignore_index
        safe = xp.where(valid, tg, 0)
        picked = -lp[xp.arange(lp.shape[0]), safe] * valid
        total_weight = xp.asarray(valid.sum(), dtype=logp.dtype)
        self.reduction, self.ignore_index, self.batched = reduction, ignore_index, batched
        self.save(self=logp, target=target, total_weight=total_weight)
        if reduction == "none":
            return picked if batched else picked[0]
        s = picked.sum()
        if reduction == "mean":
            s = s / total_weight
        return xp.asarray(s, dtype=logp.dtype)

    def backward(self, g):
        logp = self.saved("self")
        target = self.saved("target")
        tw = self.saved("total_weight")
        xp = xp_of(logp)
        lp_shape = logp.shape if self.batched else (1,) + logp.shape
        out = xp.zeros(lp_shape, dtype=logp.dtype)
        tg = target.reshape(-1)
        valid = tg != self.ignore_index
        safe = xp.where(valid, tg, 0)
        if self.reduction == "none":
            scale = -(g.reshape(-1)) * valid
        elif self.reduction == "mean":
            scale = -(g / tw) * valid
        else:
            scale = -g * valid
        out[xp.arange(lp_shape[0]), safe] = scale
        return (out if self.batched else out[0], None)


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


def check_target(logp_shape, target_shape, target_dtype) -> None:
    if target_dtype.kind not in "iu":
        raise RuntimeError(
            f"expected scalar type Long but found {_name(target_dtype)}"
        )
    if len(logp_shape) == 2 and tuple(target_shape) != (logp_shape[0],):
        raise ValueError(
            f"Expected input batch_size ({logp_shape[0]}) to match target batch_size "
            f"({target_shape[0] if target_shape else 0})."
        )


def _name(d: np.dtype) -> str:
    return {"float32": "Float", "float64": "Double", "int32": "Int"}.get(str(d), str(d))
