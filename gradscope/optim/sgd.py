"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer, check_lr, lr_value


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD`` (its single-tensor form)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        momentum, lr = group["momentum"], lr_value(group["lr"])
        params = [param for param in group["params"] if param.grad is not None]
        # The momentum buffers are read for every parameter first and stored back after
        # the updates, as torch does: a parameter listed twice gets two buffers on its
        # first step (the second is kept), and one buffer updated twice after that.
        bufs = [self.state[param].get("momentum_buffer") for param in params] if momentum else ()
        for i, param in enumerate(params):
            grad = -param.grad if group["maximize"] else param.grad
            if group["weight_decay"] != 0:
                grad = grad.add(param, alpha=group["weight_decay"])
            if momentum != 0:
                buf = bufs[i]
                if buf is None:
                    buf = bufs[i] = grad.detach().clone()
                else:
                    buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
                grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
            param.add_(grad, alpha=-lr)
        for param, buf in zip(params, bufs):
            self.state[param]["momentum_buffer"] = buf
