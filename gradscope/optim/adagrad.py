"""Adagrad: each parameter's step divided by the root of its summed squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..creation import full_like
from ..tensor import Tensor
from .optimizer import Optimizer, check_lr, check_nonnegative, lr_value, new_step


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad`` (its single-tensor form): the state (``step``,
    ``sum``) of the parameters given here is made with the optimizer, that of parameters
    added later at their first step, as torch makes them."""

    _scalar_state = ("step",)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_nonnegative(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        # as torch: the accumulator starts at the value given here, whatever a group says
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, initial_accumulator_value)

    def _init_state(self, param: Tensor, initial_accumulator_value: float) -> None:
        value = initial_accumulator_value
        if param.is_complex():
            value = complex(value, value)
        state = self.state[param]
        state["step"] = new_step()
        state["sum"] = full_like(param, value)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = lr_value(group["lr"]), group["lr_decay"], group["eps"]
        weight_decay = group["weight_decay"]
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            if len(state) == 0:  # a parameter added since (``add_param_group``)
                self._init_state(param, self.defaults["initial_accumulator_value"])
            step_t = state["step"]
            step_t += 1
            step = step_t.item()
            grad = -param.grad if group["maximize"] else param.grad
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            clr = lr / (1 + (step - 1) * lr_decay)
            state_sum = state["sum"]
            state_sum.addcmul_(grad, grad, value=1)
            std = state_sum.sqrt().add_(eps)
            param.addcdiv_(grad, std, value=-clr)
