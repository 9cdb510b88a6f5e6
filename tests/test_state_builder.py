"""Hand-built event lists for the state, view and command-line tests.

``Events`` appends records of gradscope.events.schema with consecutive ``seq`` and a
consistent ``live_bytes``, so tests never depend on the engine. The tests at the bottom
check the builder itself.
"""

from __future__ import annotations

from gradscope.events.schema import (
    BackwardFinished,
    BackwardStarted,
    GradAccumulated,
    GraphFreed,
    Mark,
    NodeCreated,
    NodeExecuted,
    TensorAllocated,
    TensorFreed,
    TensorSaved,
)


class Events:
    """A growing list of events with consistent seq and live bytes."""

    def __init__(self, baseline: dict[str, int] | None = None) -> None:
        self.events: list = []
        self.live = sum((baseline or {}).values())
        self.sizes: dict[int, tuple[int, str]] = {}

    def _add(self, cls, device, *fields):
        seq = len(self.events)
        self.events.append(cls(seq, seq * 0.001, device, self.live, *fields))
        return self

    def alloc(
        self,
        buffer,
        tensor,
        nbytes,
        shape,
        role="activation",
        node=None,
        name=None,
        dtype="float32",
        device="cpu",
    ):
        self.live += nbytes
        self.sizes[buffer] = (nbytes, device)
        return self._add(
            TensorAllocated, device, buffer, tensor, nbytes, tuple(shape), dtype, role, node, name
        )

    def free(self, buffer, nbytes=None, device="cpu"):
        if nbytes is None:
            nbytes, device = self.sizes[buffer]
        self.live -= nbytes
        return self._add(TensorFreed, device, buffer, nbytes)

    def node(self, node, op, inputs, output, shape, stack="s.py:1", dtype="float32", device="cpu"):
        return self._add(
            NodeCreated, device, node, op, tuple(inputs), output, stack, tuple(shape), dtype
        )

    def save(
        self, node, buffer, tensor, slot, nbytes, shape, new=False, dtype="float32", device="cpu"
    ):
        if new:
            self.live += nbytes
            self.sizes[buffer] = (nbytes, device)
        return self._add(
            TensorSaved, device, node, buffer, tensor, slot, nbytes, new, tuple(shape), dtype
        )

    def bw_start(self, root, retain_graph=False, gradient=False):
        return self._add(BackwardStarted, "cpu", root, retain_graph, gradient)

    def run(self, node):
        return self._add(NodeExecuted, "cpu", node)

    def grad(self, tensor, node, nbytes, buffer, first=True):
        return self._add(GradAccumulated, "cpu", tensor, node, nbytes, first, buffer)

    def graph_freed(self, node, nbytes=0):
        return self._add(GraphFreed, "cpu", node, nbytes)

    def bw_end(self, root):
        return self._add(BackwardFinished, "cpu", root)

    def mark(self, label):
        return self._add(Mark, None, label)


def square_sum() -> Events:
    """``x = randn(3, requires_grad=True); y = (x**2).sum(); y.backward()`` with marks."""
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (3,), stack=None)
    ev.alloc(2, 2, 12, (3,), node=2)
    ev.node(2, "PowBackward0", (1,), 2, (3,), stack="sq.py:4")
    ev.save(2, 1, 1, "self", 12, (3,))
    ev.alloc(3, 3, 4, (), node=3)
    ev.node(3, "SumBackward0", (2,), 3, (), stack="sq.py:4")
    ev.free(2)  # the (x**2) temporary is not kept by anyone
    ev.mark("before backward")
    ev.bw_start(3)
    ev.run(3)
    ev.alloc(4, None, 12, (3,), role="temp")
    ev.graph_freed(3, 0)
    ev.run(2)
    ev.alloc(5, 5, 12, (3,), role="grad", node=1)
    ev.free(4)
    ev.graph_freed(2, 0)
    ev.run(1)
    ev.grad(1, 1, 12, 5, first=True)
    ev.bw_end(3)
    ev.mark("after backward")
    return ev


def relu_chain(n: int, numel: int = 1000) -> Events:
    """``p = x; n times p = relu(p); p.sum().backward()``: each relu saves its result."""
    size = numel * 4
    ev = Events()
    ev.alloc(1, 1, size, (numel,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (numel,), stack=None)
    prev = 1
    for k in range(2, n + 2):
        ev.alloc(k, k, size, (numel,), node=k)
        ev.node(k, "ReluBackward0", (prev,), k, (numel,), stack="chain.py:6")
        ev.save(k, k, k, "result", size, (numel,))
        prev = k
    top = n + 2
    ev.alloc(top, top, 4, (), node=top)
    ev.node(top, "SumBackward0", (prev,), top, (), stack="chain.py:7")
    ev.mark("before backward")
    ev.bw_start(top)
    ev.run(top)
    ev.graph_freed(top, 0)
    for k in range(n + 1, 1, -1):
        ev.run(k)
        if k != n + 1:  # the last relu's output is still held by the user's variable
            ev.free(k)
            ev.graph_freed(k, size)
        else:
            ev.graph_freed(k, 0)
    ev.run(1)
    buf = 10 * n + 100
    ev.alloc(buf, None, size, (numel,), role="grad", node=1)
    ev.grad(1, 1, size, buf, first=True)
    ev.bw_end(top)
    return ev


# -- the builder itself ---------------------------------------------------------------
def retained(second_backward: bool) -> Events:
    """``exp(x).sum()`` backward with ``retain_graph=True``, then (optionally) again without."""
    ev = Events()
    ev.alloc(1, 1, 40, (10,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (10,), stack=None)
    ev.alloc(2, 2, 40, (10,), node=2)
    ev.node(2, "ExpBackward0", (1,), 2, (10,), stack="r.py:3")
    ev.save(2, 2, 2, "result", 40, (10,))
    ev.alloc(3, 3, 4, (), node=3)
    ev.node(3, "SumBackward0", (2,), 3, (), stack="r.py:4")
    ev.bw_start(3, retain_graph=True).run(3).run(2).run(1).bw_end(3)
    if second_backward:
        ev.bw_start(3).run(3).run(2).graph_freed(2, 0).run(1).bw_end(3)
    return ev


def test_seq_is_index_and_live_is_consistent():
    ev = square_sum()
    assert [e.seq for e in ev.events] == list(range(len(ev.events)))
    assert ev.events[-1].live_bytes == 12 + 4 + 12  # x, y, x.grad


def test_relu_chain_ends_with_x_output_and_grad():
    ev = relu_chain(5, numel=10)
    assert ev.events[-1].live_bytes == 40 * 3 + 4
