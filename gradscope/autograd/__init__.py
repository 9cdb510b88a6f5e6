"""Reverse-mode autograd: ``backward``, ``grad``, ``gradcheck``, anomaly detection."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from . import forward_ad, higher_order
from .engine import root_gradients, run_backward
from .function import Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled, state
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .higher_order import tensor_roots

__all__ = [
    "Function",
    "GradcheckError",
    "Node",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "forward_ad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def _as_list(x) -> list:
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def backward(
    tensors,
    grad_tensors=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs=None,
) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of the graph's leaves.

    With ``create_graph=True`` the gradients are computed with tensor ops that record a
    graph (``.grad`` then has a ``grad_fn``), and ``retain_graph`` defaults to True.
    """
    ts = _as_list(tensors)
    gs = _as_list(grad_tensors) or [None] * len(ts)
    if len(gs) != len(ts):
        raise RuntimeError(f"got {len(gs)} tensors and {len(ts)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    roots = root_gradients(ts, gs)
    if create_graph:
        roots = tensor_roots(roots, gs)
    if inputs is None:
        run_backward(
            roots,
            retain_graph=bool(retain_graph),
            gradient_given=any(g is not None for g in gs),
            create_graph=create_graph,
        )
        return
    # backward(inputs=...): only these tensors' .grad receive the gradient
    ins = _as_list(inputs)
    grads = run_backward(
        roots,
        retain_graph=bool(retain_graph),
        gradient_given=any(g is not None for g in gs),
        inputs=ins,
        allow_unused=True,
        create_graph=create_graph,
    )
    for t, g in zip(ins, grads):
        if g is None:
            continue
        if create_graph:
            if t.grad_fn is None:
                higher_order.accumulate(t._accumulate_node(), g)
            else:
                t._grad = g if t._grad is None else t._grad + g
        elif t.grad_fn is None:
            t._accumulate_node().accumulate(g._data, g._buffer)
        elif t._grad is None:
            t._grad = g.clone()
        else:
            t._grad._data += g._data


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, leaving every ``.grad`` alone.

    With ``create_graph=True`` they are computed with tensor ops that record a graph, so
    that they can be differentiated again; ``retain_graph`` then defaults to True.
    """
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    gos = _as_list(grad_outputs) or [None] * len(outs)
    if retain_graph is None:
        retain_graph = create_graph
    roots = root_gradients(outs, gos, what="grad")  # torch checks the outputs first
    if create_graph:
        roots = tensor_roots(roots, gos)
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    result = run_backward(
        roots,
        retain_graph=bool(retain_graph),
        gradient_given=any(g is not None for g in gos),
        inputs=ins,
        allow_unused=bool(allow_unused) or materialize_grads,
        create_graph=create_graph,
    )
    if materialize_grads:
        from ..creation import zeros_like

        result = tuple(zeros_like(t) if r is None else r for t, r in zip(ins, result))
    return result


def is_anomaly_enabled() -> bool:
    return state.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return state.anomaly_check_nan


class set_detect_anomaly:  # noqa: N801
    """Turn anomaly detection on or off: as a call or as a context manager."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly = bool(mode)
        state.anomaly_check_nan = bool(check_nan)

    def __enter__(self):
        return None

    def __exit__(self, *exc) -> None:
        state.anomaly, state.anomaly_check_nan = self._prev


class detect_anomaly:  # noqa: N801
    """Context manager: NaN/Inf produced by backward raise, naming the node and its forward call site."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and "
            "should only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self):
        self._prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly = True
        state.anomaly_check_nan = self.check_nan

    def __exit__(self, *exc) -> None:
        state.anomaly, state.anomaly_check_nan = self._prev


def _unused(x: Sequence) -> None:  # pragma: no cover
    pass
