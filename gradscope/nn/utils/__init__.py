"""``gs.nn.utils``: clipping gradients, and parameters to and from one vector."""

from __future__ import annotations

import math

from ... import creation, linalg
from ...autograd.grad_mode import no_grad
from ...ops import api
from ...tensor import Tensor
from . import rnn


def get_total_norm(
    tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None
) -> Tensor:
    """The ``norm_type`` norm of ``tensors`` taken together as one vector (of each one's
    norm); raises where it is inf or NaN and ``error_if_nonfinite``."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return creation.tensor(0.0)
    with no_grad():
        norms = [linalg.vector_norm(t, norm_type) for t in tensors]
        total = linalg.vector_norm(api.stack(norms), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale the parameters' gradients in place by ``max_norm / (total_norm + 1e-6)``,
    at most 1."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    with no_grad():
        coef = api.clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
        for g in grads:
            g.mul_(coef)


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
    parameters = list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp the parameters' gradients in place to ``[-clip_value, clip_value]``."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    with no_grad():
        for p in parameters:
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)


def _check_param_device(param: Tensor, device):
    """The device the parameters share so far; torch's error for one on another."""
    here = param.device
    if device is None:
        return here
    if str(here) != str(device):
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return device


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened and joined into one vector (``cat`` of their views,
    recorded in the graph)."""
    device = None
    vec = []
    for p in parameters:
        device = _check_param_device(p, device)
        vec.append(p.view(-1))
    return api.cat(vec)


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Each parameter's data replaced by its slice of ``vec`` (in the parameters' order)."""
    if not isinstance(vec, Tensor):
        module = getattr(vec, "__module__", "") or ""
        name = type(vec).__qualname__
        shown = name if module in ("", "builtins") else f"{module}.{name}"
        raise TypeError(f"expected torch.Tensor, but got: {shown}")
    device = None
    pointer = 0
    for p in parameters:
        device = _check_param_device(p, device)
        n = p.numel()
        p.data = vec[pointer : pointer + n].view_as(p).data
        pointer += n


__all__ = [
    "rnn",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]
