"""``gs.nn.utils``: ``clip_grad_norm_``."""

from __future__ import annotations

import math

from .. import creation, linalg
from ..autograd.grad_mode import no_grad
from ..ops import api
from ..tensor import Tensor


def clip_grad_norm_(
    parameters,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach=None,
) -> Tensor:
    """Scale the parameters' gradients in place so that their total ``norm_type`` norm
    (over all of them, as one vector) is at most ``max_norm``; returns that total norm."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return creation.tensor(0.0)
    norm_type = float(norm_type)
    with no_grad():
        norms = [linalg.vector_norm(g, norm_type) for g in grads]
        total = linalg.vector_norm(api.stack(norms), norm_type)
        if error_if_nonfinite and not math.isfinite(total.item()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coef = api.clamp(max_norm / (total + 1e-6), max=1.0)
        for g in grads:
            g.mul_(coef)
    return total


__all__ = ["clip_grad_norm_"]
