"""Backward with ``create_graph=True``: the gradients are tensors, and each node's rule
runs as tensor ops (``Function.backward_graph``) with grad mode on, so that the
gradients have a graph of their own and a second backward can go through them
(``grad`` of ``grad``, Hessian-vector products, gradient penalties).

The order is phase 1 and 2 of ``engine``; what differs is that a gradient is a tensor
whose ops record nodes and account their own memory, and that a leaf's ``.grad`` is a
new tensor each time (``CopyBackwards`` the first time, then ``old + new``), as torch's.
"""

from __future__ import annotations

import heapq
import warnings

from .. import dtypes
from ..events import emit
from ..events.callsite import user_stacklevel
from ..events.schema import GradAccumulated, NodeExecuted
from ..memory import buffers
from . import function
from .engine import (
    _check_nan,
    check_hook_value,
    check_hook_values,
    order,
    record_grad_written,
    run_post_accumulate_hooks,
)
from .function import Function, Node
from .grad_mode import enable_grad, state
from .leaf import AccumulateGrad, copy_as_grad, grad_copy_version

M_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this "
    "function, make sure to reset the .grad fields of your parameters to None after use "
    "to break the cycle and avoid the leak."
)


def tensor_roots(pairs: list, given: list) -> list:
    """``root_gradients``' pairs with each gradient as a tensor: the caller's own tensor
    (so that a gradient that requires grad stays in the graph), or a new constant."""
    Tensor = function.Tensor
    roots = []
    for (t, arr, buf), g in zip(pairs, given):
        if isinstance(g, Tensor):
            gt = g if arr is g._data else g.to(dtypes.from_numpy(t._data.dtype))
        elif buf is not None:
            gt = Tensor._share(arr, buf, [0])
        else:
            gt = Tensor._make(arr, None, role="temp")
        roots.append((t, gt))
    return roots


def run_graph(roots: list, retain_graph: bool, inputs, allow_unused: bool):
    """``engine._run`` for tensor gradients (see the module's docstring)."""
    grads: dict[Node, object] = {}
    start_nodes = []
    for t, g in roots:
        node = t._node() or t._accumulate_node()
        grads[node] = g if node not in grads else grads[node] + g
        start_nodes.append(node)
    roots.clear()
    deps, captures, needed = order(start_nodes, inputs)
    captured: dict[Node, object] = {}
    capture_nodes = set(captures.values()) if captures is not None else ()
    ready = [(-n.id - n._prio_offset, n) for n in set(start_nodes) if deps[n] == 0]
    heapq.heapify(ready)
    cycles = []  # leaves whose new .grad requires grad
    with enable_grad():
        while ready:
            node = heapq.heappop(ready)[1]
            g = grads.pop(node, None)
            ran = False
            if g is not None:
                dev = g._buffer.device
                ran = _run_node(node, g, dev, captured, capture_nodes, needed, grads, cycles)
            for nxt in node._next:
                if nxt is not None:
                    deps[nxt] -= 1
                    if deps[nxt] == 0:
                        heapq.heappush(ready, (-nxt.id - nxt._prio_offset, nxt))
            if ran and not retain_graph and node._saved is not None:
                function.release_saves(node, dev)
    if cycles and captures is None:
        warnings.warn(M_CYCLE, UserWarning, stacklevel=user_stacklevel())
    if captures is None:
        return None
    results = []
    for i, t in enumerate(inputs):
        node = captures[id(t)]
        got = captured.get(node) if node is not None else None
        if got is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in "
                "the graph. Set allow_unused=True if this is the desired behavior."
            )
        results.append(got)
    return tuple(results)


def _run_node(node, g, dev, captured, capture_nodes, needed, grads, cycles) -> bool:
    """Run one node on its summed gradient ``g`` and hand the new gradients on; False
    when ``autograd.grad`` does not need it run."""
    if node._tensor_hooks is not None or node._retain is not None:
        g = _tensor_hooks(node, g)
    if node in capture_nodes:
        if isinstance(node, AccumulateGrad):
            g = _hooks(node.variable._hooks, g)
        captured[node] = g
    if needed is not None and (node not in needed or isinstance(node, AccumulateGrad)):
        return False
    if isinstance(node, AccumulateGrad):
        accumulate(node, g, cycles)
        if emit.sinks:
            emit.record(NodeExecuted, dev, buffers.live_total, node.id)
        return True
    if node._pre_hooks:
        g = _prehooks(node, g)
        if g is None:  # a pre-hook dropped it: nothing goes on from here
            return True
    out = node.backward_graph(g)
    if node._post_hooks:
        for hook in list(node._post_hooks):
            r = hook(out, (g,))
            if r is not None:
                check_hook_values(hook, r, tuple(_slot(o) for o in out))
                out = tuple(r)
    if state.anomaly and state.anomaly_check_nan:
        _check_nan(node, [None if o is None else o._data for o in out])
    if emit.sinks and not node._hidden:
        emit.record(NodeExecuted, dev, buffers.live_total, node.id)
    for nxt, gi in zip(node._next, out):
        if nxt is not None and gi is not None:
            prev = grads.get(nxt)
            grads[nxt] = gi if prev is None else prev + gi
    return True


def accumulate(node: AccumulateGrad, g, cycles: list | None = None) -> None:
    """A leaf's ``.grad`` under ``create_graph``: a copy of ``g`` the first time
    (``CopyBackwards``), then ``old + g``, each a new tensor in ``g``'s graph."""
    leaf = node.variable
    g = _hooks(leaf._hooks, g)
    if node._pre_hooks:
        g = _prehooks(node, g)
    if g is not None:  # else a pre-hook dropped it: the hooks after still run
        _accumulate_tensor(node, leaf, g, cycles)
    if leaf._post_acc_hooks:
        run_post_accumulate_hooks(leaf)
    if node._post_hooks:
        for hook in list(node._post_hooks):
            hook((), (g,))


def _accumulate_tensor(node: AccumulateGrad, leaf, g, cycles: list | None) -> None:
    old = leaf._grad
    if old is None:
        new = function.apply(CopyBackwards, (0, g), leaf._data)
        new._vc[0] = grad_copy_version(leaf._data)
    else:
        new = old + g
    if emit.sinks:  # the memory views learn that this buffer is a .grad now
        buf = new._buffer
        emit.record(
            GradAccumulated,
            buf.device,
            buffers.live_total,
            leaf._id,
            node.id,
            buf.nbytes,
            True,
            buf.id,
        )
    leaf._grad = new
    if new._rg and cycles is not None:
        cycles.append(leaf)


def _hooks(hooks, g):
    for hook in list(hooks or ()):
        r = hook(g)
        if r is not None:
            check_hook_value(hook, r, *_slot(g))
            g = r
    return g


def _prehooks(node: Node, g):
    """``g`` after ``node``'s pre-hooks (None: one of them dropped it)."""
    for hook in list(node._pre_hooks):
        r = hook((g,))
        if r is not None:
            check_hook_values(hook, r, (_slot(g),))
            g = r[0]
            if g is None:
                return None
    return g


def _slot(t) -> tuple | None:
    """What a hook must give back in place of gradient ``t``: its dtype, shape, device."""
    return None if t is None else (t._data.dtype, t._data.shape, t._buffer.device)


def _tensor_hooks(node: Node, g):
    g = _hooks(node._tensor_hooks, g)
    if node._retain is not None:
        t = node._retain()
        if t is not None:  # a new tensor, as torch's: a clone first
            first = t._grad is None
            t._grad = g.clone() if first else t._grad + g
            if emit.sinks:
                record_grad_written(t, node, first)
    return g


class CopyBackwards(Function):
    """The copy that becomes a leaf's ``.grad`` under ``create_graph`` (in the leaf's
    dtype, laid out as torch lays out a new ``.grad`` of ``like``, the leaf's array), run
    as ``(0, g)``: torch's copy into a new tensor, whose edge is None; its backward passes
    the gradient through to ``g``."""

    _name = "CopyBackwards"
    complex_rule = "as_is"
    _namespace = "torch::autograd::"  # a C++ node in torch

    def forward(self, dst, g, like):
        self.dtype = g.dtype
        return copy_as_grad(g, like)[0]

    def backward(self, u):
        return None, (u if u.dtype == self.dtype else u.astype(self.dtype))

    def backward_graph(self, u):
        return None, (u if u._data.dtype == self.dtype else u.to(self.dtype))

    def jvp(self, xs, out, tangents):
        return tangents[1]
