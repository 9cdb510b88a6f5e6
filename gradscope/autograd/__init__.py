"""Reverse-mode autograd: ``backward``, ``grad``, ``gradcheck``, anomaly detection."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from ..errors import py_type_name
from . import forward_ad, function, functional, higher_order
from .engine import root_gradients, run_backward, run_post_accumulate_hooks
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
    "functional",
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


def _tensors(x) -> tuple:
    """A tensor, or an iterable of them, as a tuple (as torch reads ``tensors`` and
    ``inputs``: anything else that is not iterable raises Python's TypeError)."""
    return (x,) if isinstance(x, function.Tensor) else tuple(x)


def _gradients(grads, n: int) -> tuple:
    """The gradients given for ``n`` roots (None: all implicit), as a tuple."""
    if grads is None:
        return (None,) * n
    return _tensors(grads)


def _check_inputs(inputs: tuple, accumulate: bool) -> None:
    """torch's errors for ``inputs`` that are not tensors requiring grad (``backward``
    words the second one as the ``retain_grad`` it does first)."""
    for t in inputs:
        if not isinstance(t, function.Tensor):
            raise RuntimeError(
                f"all inputs have to be Tensors or GradientEdges, but got {py_type_name(t)}"
            )
        if not t.requires_grad:
            if accumulate:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            raise RuntimeError("One of the differentiated Tensors does not require grad")


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
    if inputs is not None and not isinstance(inputs, function.Tensor) and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    ts = _tensors(tensors)
    if not ts:  # nothing to differentiate: nothing happens, as in torch
        return
    gs = _gradients(grad_tensors, len(ts))
    if retain_graph is None:
        retain_graph = create_graph
    roots = root_gradients(ts, gs)
    gs = gs[: len(ts)]
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
    # backward(inputs=...): only these tensors' .grad receive the gradient; a non-leaf
    # one retains its gradient from now on, as in torch, and takes it that way
    ins = _tensors(inputs)
    _check_inputs(ins, accumulate=True)
    for t in ins:
        if t._grad_node() is not None:
            t.retain_grad()
    grads = run_backward(
        roots,
        retain_graph=bool(retain_graph),
        gradient_given=any(g is not None for g in gs),
        inputs=ins,
        allow_unused=True,
        create_graph=create_graph,
    )
    for t, g in zip(ins, grads):
        if g is None or t._grad_node() is not None:  # (a non-leaf's: retained, above)
            continue
        if create_graph:
            higher_order.accumulate(t._accumulate_node(), g)
        else:
            t._accumulate_node().accumulate(g._data, g._buffer)
            if t._post_acc_hooks:
                run_post_accumulate_hooks(t)


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
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not outs:  # no output: no input was used
        _check_inputs(ins, accumulate=False)
        if not (allow_unused or materialize_grads):
            raise RuntimeError(
                "The differentiated Tensor at index 0 appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior."
            )
        if materialize_grads:
            from ..creation import zeros_like

            return tuple(zeros_like(t, requires_grad=create_graph) for t in ins)
        return (None,) * len(ins)
    gos = _gradients(grad_outputs, len(outs))
    if retain_graph is None:
        retain_graph = create_graph
    roots = root_gradients(outs, gos)  # torch checks the outputs first
    gos = gos[: len(outs)]
    if create_graph:
        roots = tensor_roots(roots, gos)
    _check_inputs(ins, accumulate=False)
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

        result = tuple(
            zeros_like(t, requires_grad=create_graph) if r is None else r
            for t, r in zip(ins, result)
        )
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
