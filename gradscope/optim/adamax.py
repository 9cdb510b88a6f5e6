"""Adamax: Adam with the infinity norm of past gradients in place of their mean square."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..creation import zeros_like
from ..ops.api import maximum
from .optimizer import (
    Optimizer,
    betas_values,
    check_betas,
    check_lr,
    check_nonnegative,
    lr_value,
    new_step,
)


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax`` (its single-tensor form)."""

    _scalar_state = ("step",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonnegative(lr=lr, eps=eps)
        check_betas(betas)
        check_nonnegative(weight_decay=weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = lr_value(group["lr"]), betas_values(group["betas"]), group["eps"]
        weight_decay = group["weight_decay"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if len(state) == 0:
                state["step"] = new_step()
                state["exp_avg"] = zeros_like(param)
                state["exp_inf"] = zeros_like(param)
            grad = -param.grad if group["maximize"] else param.grad
            exp_avg, exp_inf, step_t = state["exp_avg"], state["exp_inf"], state["step"]
            step_t += 1
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            exp_avg.lerp_(grad, 1 - beta1)
            # torch writes the maximum into exp_inf with out=: one more version
            exp_inf.copy_(maximum(exp_inf.mul_(beta2), grad.abs().add_(eps)))
            clr = lr / (1 - beta1 ** step_t.item())
            param.addcdiv_(exp_avg, exp_inf, value=-clr)
