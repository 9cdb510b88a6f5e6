"""The backward engine: reverse mode with torch's ordering and memory behaviour.

Two phases:

1. **Order the graph.** Walk ``next_functions`` from the roots (iteratively: a chain of a
   million nodes must not recurse) and count each node's incoming edges.
2. **Apply the chain rule.** Repeatedly run the ready node created last (torch's
   ``sequence_nr`` priority; ``AccumulateGrad`` first), after summing all its incoming
   gradients. Right after a node runs its saved tensors are released (unless
   ``retain_graph``) and its input gradient is dropped, so peak memory during backward is
   what torch's would be.
"""

from __future__ import annotations

import heapq
import warnings
from sys import getrefcount
from time import perf_counter

import numpy as np

from .. import backend
from ..errors import M_SCALAR, py_type_name, size_str, tensor_type_name
from ..events import emit
from ..events.callsite import user_stacklevel
from ..events.schema import (
    ANOMALY_LABEL,
    BackwardFinished,
    BackwardStarted,
    GradAccumulated,
    Mark,
    NodeExecuted,
)
from ..memory import buffers
from ..memory.buffers import array_nbytes
from . import function  # function.Tensor: the tensor class (gradscope.tensor sets it)
from .function import _MANY, _ONE, Node, release_saves
from .grad_mode import state
from .leaf import AccumulateGrad

_EXECUTED = NodeExecuted.kind

# getrefcount(gi) for a gradient that only the edge loop of ``_run`` holds: its local
# name, the node's output tuple, the result tuple zip() keeps for reuse, and
# getrefcount's own argument. Anything else holding it raises the count: no take-over.
_ONLY_HERE = 4
# getrefcount(gbuf) in the edge loop of ``_run`` for an incoming gradient's buffer that
# nothing else holds (a hook's tensor, the caller's ``gradient``): its local name and
# getrefcount's own argument
_BUFFER_ONLY_HERE = 2
# getrefcount(old) in _add_grad for a gradient that only ``grads`` holds: the dict's tuple,
# the local name and getrefcount's own argument
_ONLY_SUMMED = 3


def root_gradients(tensors, grads):
    """Validate roots and their gradients (a gradient per root; extra ones are ignored, as
    torch ignores them); the implicit gradient is ones for 1-element outputs."""
    Tensor = function.Tensor

    # torch's checks in its order: each gradient given, then their count, then the roots
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if g is None:
            if t.requires_grad and t._data.size != 1:
                raise RuntimeError(M_SCALAR)
            if t.requires_grad and t._data.dtype.kind == "c":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"torch.{t._data.dtype}"
                )
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif g._data.shape != t._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {size_str(g._data.shape)} "
                f"and output[{i}] has a shape of {size_str(t._data.shape)}."
            )
    if len(grads) < len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    pairs = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if not t.requires_grad or (t._grad_to_nowhere and t._grad_node() is None):
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            data = t._data
            if type(data) is np.ndarray and not data.ndim:  # a loss: np.ones is Python
                arr = np.array(1, dtype=data.dtype)
            else:
                arr = t._xp().ones(data.shape, dtype=data.dtype)
            buf = None
        else:
            arr = g._data
            buf = g._buffer
            if arr.dtype != t._data.dtype:
                arr = arr.astype(t._data.dtype)
                buf = None
        pairs.append((t, arr, buf))
    return pairs


class _Run:
    """One backward, for what a node of several outputs fills its gradient for
    (``ViewOutput``): ``partial`` holds the fillings it started, let go when it ends."""

    __slots__ = ("partial",)

    def __init__(self) -> None:
        self.partial: list[dict] = []


current_run: _Run | None = None  # the backward running now (the one before restored after)


def run_backward(
    roots,
    *,
    retain_graph: bool,
    gradient_given: bool,
    inputs=None,
    allow_unused: bool = False,
    create_graph: bool = False,
):
    """Backpropagate from ``roots`` ([(tensor, grad array, buffer or None)]; with
    ``create_graph``, [(tensor, grad tensor)]).

    Without ``inputs`` the gradients accumulate into the leaves' ``.grad``; with them
    (``autograd.grad``) nothing is accumulated and their gradients are returned.
    """
    tracing = emit.sinks
    first_root = roots[0][0]
    root_node = first_root._node() or first_root._accumulate_node()
    if tracing:
        emit.record(
            BackwardStarted,
            str(first_root.device),
            buffers.live_total,
            root_node.id,
            bool(retain_graph),
            gradient_given,
            buffers.pool_bytes(),
        )
    if create_graph:
        from .higher_order import run_graph as run
    else:
        run = _run
    global current_run
    outer, current_run = current_run, _Run()
    grad_mode = state.enabled
    state.enabled = create_graph  # as torch: hooks see grad mode on only with create_graph
    error = None
    try:
        return run(roots, retain_graph, inputs, allow_unused)
    except BaseException as e:
        error = f"{type(e).__name__}: {e}"
        _drop_gradients(e.__traceback__)
        raise
    finally:
        for accs in current_run.partial:
            accs.pop(current_run, None)
        current_run = outer
        state.enabled = grad_mode
        if emit.sinks:
            emit.record(
                BackwardFinished,
                str(first_root.device),
                buffers.live_total,
                root_node.id,
                buffers.pool_bytes(),
                error,
            )


def _drop_gradients(tb) -> None:
    """Let go of what a backward stopped by an exception held: the gradients in flight are
    its frame's locals, which the traceback would keep alive for as long as the exception
    lives; torch's engine frees them as it unwinds."""
    while tb is not None:
        if tb.tb_frame.f_code is _run.__code__:
            tb.tb_frame.clear()
        tb = tb.tb_next


def _run(roots, retain_graph, inputs, allow_unused):
    # -- phase 1: order the graph ------------------------------------------------------
    grads: dict[Node, tuple] = {}  # node -> (summed grad array, its buffer)
    added_in_place: dict[Node, int] = {}  # node -> gradients summed into its one in place
    start_nodes = []
    for t, arr, buf in roots:
        node = t._node() or t._accumulate_node()
        dev = t._buffer.device
        if buf is None:
            buf = buffers.account(arr, dev, "temp", None)
        _add_grad(grads, node, arr, buf, dev)
        start_nodes.append(node)
    # from here the root gradients live in ``grads`` alone, and go once their node has run
    roots.clear()
    t = arr = buf = None

    deps, captures, needed = order(start_nodes, inputs)
    if captures is not None:
        captured: dict[Node, tuple] = {}

    # -- phase 2: apply the chain rule, most recently created ready node first ---------
    # A node made ready that outranks every node in the heap runs next without entering
    # it (``following``): in a chain, that is every node.
    ready = [(-n.id - n._prio_offset, n) for n in set(start_nodes) if deps[n] == 0]
    heapq.heapify(ready)
    following = None
    release = not retain_graph
    anomaly = state.anomaly
    capture_nodes = set(captures.values()) if captures is not None else ()
    while True:
        if following is not None:
            node, following = following, None
        elif ready:
            node = heapq.heappop(ready)[1]
        else:
            break
        entry = grads.pop(node, None)
        if entry is None:
            # no gradient reached this node: let its inputs' counts fall all the same
            for nxt in node._next:
                if nxt is not None:
                    deps[nxt] -= 1
                    if deps[nxt] == 0:
                        heapq.heappush(ready, (-nxt.id - nxt._prio_offset, nxt))
            continue
        g, gbuf, dev = entry
        entry = None
        if node._watched or captures is not None:  # hooks, retain_grad, leaves, autograd.grad
            if node._tensor_hooks is not None or node._retain is not None:
                g, gbuf = _tensor_hooks(node, g, gbuf, dev)
            if node in capture_nodes:
                if isinstance(node, AccumulateGrad):
                    g, gbuf = _leaf_hooks(node.variable, g, gbuf, dev)
                captured[node] = (g, gbuf, dev)
            if needed is not None and (node not in needed or isinstance(node, AccumulateGrad)):
                continue
            if isinstance(node, AccumulateGrad):
                _accumulate(node, g, gbuf, dev, added_in_place.pop(node, 0))
                continue
            if node._pre_hooks:
                g, gbuf = _run_prehooks(node, g, gbuf, dev)
            # a gradient that a pre-hook dropped gives its inputs none
            if g is None:
                out = (None,) * len(node._next)
            else:
                out = backend.run_rule(node.backward, g)
            if node._post_hooks:
                out = _run_posthooks(node, out, g, gbuf, dev)
        else:
            try:
                out = node.backward(g)
            except backend.FP_SIGNALS:
                out = backend.quietly(node.backward, g)
        if anomaly and state.anomaly_check_nan:
            _check_nan(node, out)
        if emit.sinks and not node._hidden:
            emit.put((_EXECUTED, perf_counter(), dev, buffers.live_total, node.id))
        made = None
        moves, gdev = node._moves_device, dev
        e1 = node._e1  # (``Node._next``, written out)
        # (a second input that needs no gradient has no edge to follow)
        single = e1 is _ONE or e1 is None
        edges = (node._e0,) if single else node._nx if e1 is _MANY else (node._e0, e1)
        for nxt, gi in zip(edges, out):
            if nxt is None:
                continue
            if gi is not None:
                if type(gi) is not np.ndarray and isinstance(gi, np.generic):
                    gi = np.asarray(gi)
                if moves:
                    gdev = str(backend.device_of(gi))  # ToCopyBackward0's
                # a view of the incoming gradient costs no new bytes
                base = gi.base
                if gi is g or (base is not None and (base is g or base is g.base)):
                    gb = gbuf
                elif (
                    isinstance(nxt, AccumulateGrad)  # (a node handed to the user: a subclass)
                    and deps[nxt] == 1
                    and nxt not in grads
                    and captures is None
                    and getrefcount(gi) == _ONLY_HERE
                    and nxt.can_take(gi)
                ):
                    gb = nxt.hand_over(gi)  # becomes .grad as it is: accounted as that now
                elif emit.sinks:
                    gb = buffers.account(gi, gdev, "temp", node.id)
                else:
                    nbytes = gi.nbytes if base is None else array_nbytes(gi)
                    if (
                        single
                        and gbuf[1] == nbytes
                        and gbuf[2] == gdev
                        and getrefcount(gbuf) == _BUFFER_ONLY_HERE
                    ):
                        # Untraced, a node of one input replaces its incoming gradient by
                        # one of the same size, and the record of those bytes passes from
                        # the one to the other: the live count is what it would be once
                        # the node is done, and no user code runs before that.
                        gb = gbuf
                    else:
                        gb = buffers.new(nbytes, gdev)
                if nxt in grads:
                    if _add_grad(grads, nxt, gi, gb, gdev, out):
                        added_in_place[nxt] = added_in_place.get(nxt, 0) + 1
                else:
                    grads[nxt] = (gi, gb, gdev)
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                if made is None:
                    made = nxt
                else:
                    heapq.heappush(ready, (-nxt.id - nxt._prio_offset, nxt))
        if made is not None:
            if ready:
                item = (-made.id - made._prio_offset, made)
                if ready[0][0] < item[0]:
                    heapq.heappush(ready, item)
                else:
                    following = made
            else:  # (a chain: no queue to weigh it against)
                following = made
        # what the node saved goes only now: its rule held it, the incoming gradient and
        # the new ones at once, and the peak says so
        if release and (node._saves is not None or node._one_vc is not None):
            release_saves(node, dev)
        g = gbuf = out = gi = gb = base = None

    if captures is None:
        return None
    results = []
    Tensor = function.Tensor

    for i, t in enumerate(inputs):
        node = captures[id(t)]
        got = captured.get(node) if node is not None else None
        if got is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            results.append(None)
        else:
            g, gbuf, _ = got
            results.append(Tensor._share(g, gbuf, [0]))
    return tuple(results)


def order(start_nodes: list, inputs) -> tuple[dict, dict | None, set | None]:
    """Phase 1: each reachable node's count of incoming edges (its keys are the nodes
    seen); for ``autograd.grad``'s ``inputs``, each input's node by ``id`` of the tensor
    and the nodes that lead to one of them."""
    deps: dict[Node, int] = dict.fromkeys(start_nodes, 0)
    parents: dict[Node, list] | None = {} if inputs is not None else None
    stack = list(deps)
    while stack:
        node = stack.pop()
        e1 = node._e1  # (``Node._next``, written out)
        if (e1 is _ONE or e1 is None) and parents is None:  # one edge to follow: no tuple
            nxt = node._e0
            if nxt in deps:
                deps[nxt] += 1
            elif nxt is not None:
                deps[nxt] = 1
                stack.append(nxt)
            continue
        for nxt in (node._e0,) if e1 is _ONE else node._nx if e1 is _MANY else (node._e0, e1):
            if nxt is None:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
            if parents is not None:
                parents.setdefault(nxt, []).append(node)
    if inputs is None:
        return deps, None, None
    captures = {}
    for t in inputs:
        node = t._node() or t._accumulate_cached()
        captures[id(t)] = node
    needed = _needed(set(n for n in captures.values() if n is not None), parents)
    return deps, captures, needed


def _needed(targets: set, parents: dict) -> set:
    """Nodes from which some target is strictly downstream (the ones ``autograd.grad`` runs)."""
    needed = set()
    stack = list(targets)
    while stack:
        n = stack.pop()
        for p in parents.get(n, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _add_grad(grads, node, arr, buf, dev, out: tuple = ()) -> bool:
    """Add gradient ``arr`` (from a node's outputs ``out``) into ``node``'s; True when that
    was done in place.

    As torch's InputBuffer, the sum goes into the gradient already there (a NumPy or CuPy
    array) when only the sum holds it (not another node's input, a hook's tensor or the
    caller's ``gradient``; ``out`` holds it until its node is done) and it is a whole array
    of the same shape and dtype; else it is a new array.
    """
    prev = grads.get(node)
    if prev is None:
        grads[node] = (arr, buf, dev)
        return False
    old = prev[0]
    kind = type(old)
    if (
        ((kind is np.ndarray and old.flags.writeable) or kind is backend.cupy_ndarray())
        and old is not arr
        and old.base is None
        and getrefcount(old) == _ONLY_SUMMED + sum([o is old for o in out])
        and old.shape == arr.shape
        and old.dtype == arr.dtype
    ):
        try:
            old += arr
        except backend.FP_SIGNALS:
            pass  # raised once the sum was written
        return True
    total = backend.run_rule(old.__add__, arr)
    if type(total) is not np.ndarray and isinstance(total, np.generic):
        total = np.asarray(total)
    grads[node] = (total, buffers.account(total, dev, "temp", None), dev)
    return False


def _tensor_hooks(node: Node, g, gbuf, dev):
    Tensor = function.Tensor

    for hook in list(node._tensor_hooks or ()):
        r = hook(Tensor._share(g, gbuf, [0]))
        if r is not None:
            g, gbuf = _hook_result(hook, r, g, gbuf, dev)
    if node._retain is not None:
        t = node._retain()
        if t is not None:
            _store_retained(t, g, node)
    return g, gbuf


def _store_retained(t, g, node) -> None:
    Tensor = function.Tensor

    # a new tensor each time, as torch's retains_grad hook makes (grad = grad + new):
    # a .grad kept from an earlier backward stays what it was
    first = t._grad is None
    new = g.copy() if first else t._grad._data + g
    name = f"{getattr(t, 'name', None) or t._id}.grad"
    t._grad = Tensor._make(new, None, role="grad", node_id=node.id, name=name)
    if emit.sinks:
        record_grad_written(t, node, first)


def record_grad_written(t, node, first: bool) -> None:
    """The ``grad_accumulated`` event of a retained non-leaf's new ``.grad``."""
    buf = t._grad._buffer
    emit.record(
        GradAccumulated, buf.device, buffers.live_total, t._id, node.id, buf.nbytes, first, buf.id
    )


def _leaf_hooks(leaf, g, gbuf, dev):
    if not leaf._hooks:
        return g, gbuf
    Tensor = function.Tensor
    for hook in list(leaf._hooks):
        r = hook(Tensor._share(g, gbuf, [0]))
        if r is not None:
            g, gbuf = _hook_result(hook, r, g, gbuf, dev)
    return g, gbuf


def _hook_result(hook, r, g, gbuf, dev):
    """The gradient (array, buffer) that ``hook`` returned in place of ``g``."""
    check_hook_value(hook, r, g.dtype, g.shape, dev)
    arr = r._data
    if arr is g:
        return g, gbuf
    return arr, r._buffer


def _hook_name(hook) -> str:
    name = getattr(hook, "__name__", None)
    return name if isinstance(name, str) else "<unknown>"


def check_hook_value(hook, r, dtype, shape, device: str) -> None:
    """Raise torch's error unless ``r``, what ``hook`` returned for a gradient of ``dtype``
    and ``shape`` on ``device``, is a tensor of that dtype, shape and kind of device."""
    if not isinstance(r, function.Tensor):
        raise TypeError(f"expected Variable, but hook returned '{py_type_name(r)}'")
    got, got_device = r._data.dtype, r._buffer.device
    if got != dtype or got_device.startswith("cuda") != device.startswith("cuda"):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was "
            f"{tensor_type_name(dtype, device)} got {tensor_type_name(got, got_device)})"
        )
    if r._data.shape != shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")


def check_hook_values(hook, r, expected: tuple) -> None:
    """Raise torch's error unless ``r``, what a Node ``hook`` returned in place of a tuple
    of gradients, is a tuple as long as ``expected`` (one ``(dtype, shape, device)``, or
    None for an absent gradient, per slot) whose tensors match their slots."""
    if not isinstance(r, tuple):
        raise TypeError(f"expected tuple, but hook returned '{py_type_name(r)}'")
    if len(r) != len(expected):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values "
            f"(got {len(r)}, but expected {len(expected)})"
        )
    for v, slot in zip(r, expected):
        if v is None:
            continue
        if slot is None:
            raise RuntimeError("can't replace a None gradient with a non-None value")
        check_hook_value(hook, v, *slot)


def run_post_accumulate_hooks(leaf) -> None:
    """Call ``leaf``'s post-accumulate-grad hooks, which act on it and return nothing."""
    for hook in list(leaf._post_acc_hooks):
        if hook(leaf) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _slot(arr, dev):
    return None if arr is None else (arr.dtype, arr.shape, dev)


def _accumulate(node: AccumulateGrad, g, gbuf, dev, added: int = 0) -> None:
    """Run leaf ``node``: hooks, then ``g`` into ``.grad``; ``added`` gradients were summed
    into ``g`` in place on the way (torch's version of a ``.grad`` made of it)."""
    leaf = node.variable
    g, gbuf = _leaf_hooks(leaf, g, gbuf, dev)
    if node._pre_hooks:
        g, gbuf = _run_prehooks(node, g, gbuf, dev)
    if g is not None:  # else a pre-hook dropped it: nothing to accumulate
        node.accumulate(g, gbuf, added)
    if leaf._post_acc_hooks:
        run_post_accumulate_hooks(leaf)
    if node._post_hooks:
        Tensor = function.Tensor

        given = Tensor._share(g, gbuf, [0]) if g is not None else None
        for hook in list(node._post_hooks):
            r = hook((), (given,))
            if r is not None:
                check_hook_values(hook, r, ())
    if emit.sinks:
        emit.record(NodeExecuted, dev, buffers.live_total, node.id)


def _run_prehooks(node: Node, g, gbuf, dev):
    """Run a node's pre-hooks on its incoming gradient (its buffer shared, not counted
    again); a hook's replacement brings its own buffer. A gradient a hook replaced by
    None comes back as ``(None, None)``."""
    Tensor = function.Tensor

    if node._several:
        return _run_prehooks_several(node, g, gbuf, dev)
    for hook in list(node._pre_hooks):
        r = hook((Tensor._share(g, gbuf, [0]) if g is not None else None,))
        if r is not None:
            check_hook_values(hook, r, (_slot(g, dev),))
            g, gbuf = (r[0]._data, r[0]._buffer) if r[0] is not None else (None, None)
    return g, gbuf


def _run_prehooks_several(node: Node, g, gbuf, dev):
    """``_run_prehooks`` for a node of several outputs: each hook sees (and may replace)
    one gradient per output; a replacement is put together into one new gradient."""
    Tensor = function.Tensor

    parts = node.grad_outputs(g)
    new = False
    for hook in list(node._pre_hooks):
        r = hook(tuple(None if p is None else Tensor._share(p, gbuf, [0]) for p in parts))
        if r is not None:
            check_hook_values(hook, r, tuple(_slot(p, dev) for p in parts))
            parts, new = tuple(None if t is None else t._data for t in r), True
    if not new:
        return g, gbuf
    g = node.gradient_of(parts, g)
    return (None, None) if g is None else (g, buffers.account(g, dev, "temp", node.id))


def _run_posthooks(node: Node, out, g, gbuf, dev):
    Tensor = function.Tensor

    # the new gradients are counted from here (the edges count them again once the hook
    # tensors have gone); the incoming one is already
    grad_inputs = tuple(Tensor._from_array(o) if o is not None else None for o in out)
    if node._several:
        given = tuple(
            None if p is None else Tensor._share(p, gbuf, [0]) for p in node.grad_outputs(g)
        )
    else:
        given = (Tensor._share(g, gbuf, [0]) if g is not None else None,)
    for hook in list(node._post_hooks):
        r = hook(grad_inputs, given)
        if r is not None:
            slots = tuple(None if t is None else _slot(t._data, dev) for t in grad_inputs)
            check_hook_values(hook, r, slots)
            grad_inputs = r
    return tuple(t._data if t is not None else None for t in grad_inputs)


def _check_nan(node: Node, out) -> None:
    if node._hidden:  # an output's edge: the node is the one to name
        node = node.node
    for i, o in enumerate(out):
        if o is None:
            continue
        xp = node_xp(o)
        if o.dtype.kind in "fc" and not bool(xp.isfinite(o).all()):
            bad = "nan" if bool(xp.isnan(o).any()) else "inf"
            stack = node._stack or []
            if stack:
                warnings.warn(
                    f"Error detected in {node._name}. Traceback of forward call that caused "
                    "the error:\n" + _forward_traceback(stack),
                    stacklevel=user_stacklevel(),  # the user's backward() call
                )
            if emit.sinks:  # how the views learn which node to draw red
                label = ANOMALY_LABEL.format(node=node.id, op=node._name, bad=bad)
                emit.record(Mark, None, buffers.live_total, label, buffers.pool_bytes())
            where = f" (created at {stack[-1]})" if stack else ""
            raise RuntimeError(
                f"Function '{node._name}' returned {bad} values in its {i}th output.\n"
                f"gradscope: node {node.id} {node._name}{where}"
            )


def _forward_traceback(stack: list[str]) -> str:
    """``file:line in func`` frames written the way Python writes a traceback."""
    import linecache

    lines = []
    for frame in stack:
        site, _, func = frame.rpartition(" in ")
        path, _, line = site.rpartition(":")
        if not line.isdigit():
            lines.append(f"  File {frame}")
            continue
        lines.append(f'  File "{path}", line {line}, in {func}')
        src = linecache.getline(path, int(line)).strip()
        if src:
            lines.append(f"    {src}")
    return "\n".join(lines)


def node_xp(arr):
    from ..backend import xp_of

    return xp_of(arr)
