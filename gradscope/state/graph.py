"""Graph state: one pure fold over the event stream.

Nodes (op, inputs, output shape/dtype, the user's file:line, saved slots with bytes and
buffer ids, whether backward ran them and freed them), tensors (leaves, activations and
views), the gradients written into ``.grad``, and one record per backward call with the
nodes in the order they ran. ``root`` is the node the last backward started from: the loss.

Example::

    g = fold_graph(events)
    [n.op for n in g.nodes.values()], g.root, g.grads
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..events.bulk import gc_paused
from ..events.schema import Event

ACCUMULATE = "AccumulateGrad"
_ANOMALY = re.compile(r"anomaly: node (\d+)\b")  # events.schema.ANOMALY_LABEL


class SavedSlot:
    """One tensor a node saved for backward."""

    __slots__ = ("slot", "buffer", "tensor", "nbytes", "new", "shape", "dtype", "freed", "seq")

    def __init__(self, e: Event) -> None:
        self.slot: str = e.slot
        self.buffer: int = e.buffer
        self.tensor: int | None = e.tensor
        self.nbytes: int = e.nbytes
        self.new: bool = e.new
        self.shape: tuple = tuple(e.shape)
        self.dtype: str = e.dtype
        self.freed = False  # the node let go of it (or its buffer was freed)
        self.seq: int = e.seq

    def __repr__(self) -> str:
        return f"<saved {self.slot}: buffer {self.buffer}, {self.nbytes} B>"


class NodeState:
    """One graph node (a grad_fn)."""

    __slots__ = (
        "id",
        "op",
        "inputs",
        "output",
        "stack",
        "shape",
        "dtype",
        "device",
        "seq",
        "saved",
        "executed",
        "exec_seq",
        "freed",
        "freed_seq",
        "freed_bytes",
    )

    def __init__(self, e: Event) -> None:
        self.id: int = e.node
        self.op: str = e.op
        self.inputs: tuple = tuple(e.inputs)
        self.output: int | None = e.output
        self.stack: str | None = e.stack
        self.shape: tuple = tuple(e.shape)
        self.dtype: str = e.dtype
        self.device: str | None = e.device
        self.seq: int = e.seq
        self.saved: list[SavedSlot] = []
        self.executed = 0  # how many times backward ran it
        self.exec_seq: int | None = None  # the last time
        self.freed = False  # graph_freed: its saved tensors were released
        self.freed_seq: int | None = None
        self.freed_bytes = 0

    @property
    def is_accumulate(self) -> bool:
        """True for the AccumulateGrad node of a leaf."""
        return self.op == ACCUMULATE

    @property
    def saved_bytes(self) -> int:
        """Bytes of the distinct buffers this node saved."""
        seen: dict[int, int] = {}
        for s in self.saved:
            seen[s.buffer] = s.nbytes
        return sum(seen.values())

    def __repr__(self) -> str:
        return f"<node {self.id} {self.op}>"


class TensorInfo:
    """A tensor id seen in the trace (an allocation, or a node's output view)."""

    __slots__ = ("id", "buffer", "shape", "dtype", "role", "node", "name", "device", "nbytes")

    def __init__(self, tid: int, shape: tuple, dtype: str, device: str | None) -> None:
        self.id = tid
        self.buffer: int | None = None
        self.shape = tuple(shape)
        self.dtype = dtype
        self.role: str | None = None  # None: a view, sharing its base's buffer
        self.node: int | None = None  # the node that produced it
        self.name: str | None = None
        self.device = device
        self.nbytes = 0

    def __repr__(self) -> str:
        return f"<tensor {self.id} {self.shape} {self.dtype}>"


class GradInfo:
    """What backward wrote into one tensor's ``.grad``."""

    __slots__ = ("tensor", "node", "buffer", "nbytes", "count", "first_seq", "last_seq")

    def __init__(self, e: Event) -> None:
        self.tensor: int = e.tensor
        self.node: int | None = e.node
        self.buffer: int = e.buffer
        self.nbytes: int = e.nbytes
        self.count = 0  # accumulations
        self.first_seq: int = e.seq
        self.last_seq: int = e.seq

    def __repr__(self) -> str:
        return f"<grad of tensor {self.tensor}: {self.nbytes} B x{self.count}>"


class BackwardRecord:
    """One backward call: its root and the nodes in the order they ran."""

    __slots__ = ("index", "root", "retain_graph", "gradient", "start_seq", "end_seq", "executed")

    def __init__(self, index: int, e: Event) -> None:
        self.index = index  # 1-based
        self.root: int | None = e.root
        self.retain_graph: bool = e.retain_graph
        self.gradient: bool = e.gradient
        self.start_seq: int = e.seq
        self.end_seq: int | None = None
        self.executed: list[int] = []

    def __repr__(self) -> str:
        return f"<backward {self.index} from node {self.root}>"


class GraphState:
    """The graph after some prefix of the events; ``feed`` advances it."""

    def __init__(self) -> None:
        self.nodes: dict[int, NodeState] = {}
        self.tensors: dict[int, TensorInfo] = {}
        self.grads: dict[int, GradInfo] = {}  # tensor id -> its .grad
        self.backwards: list[BackwardRecord] = []
        self.accumulators: dict[int, int] = {}  # leaf tensor id -> AccumulateGrad node id
        self.savers: dict[int, list[SavedSlot]] = {}  # buffer -> slots that saved it
        self.grad_buffers: dict[int, int] = {}  # buffer holding a .grad -> tensor id
        self.anomalies: dict[int, str] = {}  # node id -> what anomaly detection said of it
        self.seq: int | None = None
        self._open: BackwardRecord | None = None
        self._dispatch = {
            "node_created": self._node,
            "tensor_allocated": self._allocated,
            "tensor_saved": self._saved,
            "tensor_freed": self._freed,
            "node_executed": self._executed,
            "graph_freed": self._graph_freed,
            "grad_accumulated": self._grad,
            "backward_started": self._bw_started,
            "backward_finished": self._bw_finished,
            "mark": self._mark,
        }

    # -- folding -----------------------------------------------------------------
    def feed(self, events: Iterable[Event]) -> GraphState:
        """Fold ``events`` (in order) into this state; returns self."""
        dispatch = self._dispatch
        last = None
        with gc_paused():
            for e in events:
                handler = dispatch.get(e.kind)
                if handler is not None:
                    handler(e)
                last = e
        if last is not None:
            self.seq = last.seq
        return self

    def _node(self, e: Event) -> None:
        n = NodeState(e)
        self.nodes[n.id] = n
        out = e.output
        if out is None:
            return
        if n.is_accumulate:
            self.accumulators[out] = n.id
            if out not in self.tensors:
                self.tensors[out] = TensorInfo(out, n.shape, n.dtype, e.device)
            return
        t = self.tensors.get(out)
        if t is None:
            t = self.tensors[out] = TensorInfo(out, n.shape, n.dtype, e.device)
        t.node = n.id

    def _allocated(self, e: Event) -> None:
        if e.tensor is None:
            return
        t = self.tensors.get(e.tensor)
        if t is None:
            t = self.tensors[e.tensor] = TensorInfo(e.tensor, e.shape, e.dtype, e.device)
        t.buffer = e.buffer
        t.role = e.role
        t.name = e.name
        t.nbytes = e.nbytes
        if e.node is not None and e.role == "activation":
            t.node = e.node

    def _saved(self, e: Event) -> None:
        n = self.nodes.get(e.node)
        s = SavedSlot(e)
        if n is not None:
            n.saved.append(s)
        self.savers.setdefault(e.buffer, []).append(s)

    def _freed(self, e: Event) -> None:
        for s in self.savers.pop(e.buffer, ()):
            s.freed = True
        tid = self.grad_buffers.pop(e.buffer, None)
        if tid is not None:  # the .grad was let go (set to None, or its tensor died)
            g = self.grads.get(tid)
            if g is not None and g.buffer == e.buffer:
                del self.grads[tid]

    def _executed(self, e: Event) -> None:
        n = self.nodes.get(e.node)
        if n is not None:
            n.executed += 1
            n.exec_seq = e.seq
        if self._open is not None:
            self._open.executed.append(e.node)

    def _graph_freed(self, e: Event) -> None:
        n = self.nodes.get(e.node)
        if n is None:
            return
        n.freed = True
        n.freed_seq = e.seq
        n.freed_bytes += e.nbytes
        for s in n.saved:
            s.freed = True

    def _grad(self, e: Event) -> None:
        g = self.grads.get(e.tensor)
        if g is None or e.first:
            g = self.grads[e.tensor] = GradInfo(e)
        g.count += 1
        if g.buffer != e.buffer:
            self.grad_buffers.pop(g.buffer, None)
        self.grad_buffers[e.buffer] = e.tensor
        g.buffer = e.buffer
        g.nbytes = e.nbytes
        g.last_seq = e.seq

    def _bw_started(self, e: Event) -> None:
        rec = BackwardRecord(len(self.backwards) + 1, e)
        self.backwards.append(rec)
        self._open = rec

    def _bw_finished(self, e: Event) -> None:
        if self._open is not None:
            self._open.end_seq = e.seq
            self._open = None

    def _mark(self, e: Event) -> None:
        m = _ANOMALY.match(e.label) if isinstance(e.label, str) else None
        if m is not None:
            rest = e.label[m.end() :].split(" returned ", 1)
            self.anomalies[int(m.group(1))] = "returned " + rest[1] if len(rest) > 1 else "anomaly"

    # -- reading -----------------------------------------------------------------
    @property
    def root(self) -> int | None:
        """The node the last backward started from (the loss), if any."""
        for rec in reversed(self.backwards):
            if rec.root is not None:
                return rec.root
        return None

    @property
    def loss_tensor(self) -> int | None:
        """The tensor id of the loss (the root node's output)."""
        root = self.root
        n = self.nodes.get(root) if root is not None else None
        return n.output if n is not None else None

    @property
    def leaves(self) -> list[int]:
        """Leaf tensor ids, in the order they were first seen."""
        return [
            t.id for t in self.tensors.values() if t.role == "leaf" or t.id in self.accumulators
        ]

    def requires_grad(self, tensor: int) -> bool:
        """True for a leaf that has an AccumulateGrad node (a parameter)."""
        return tensor in self.accumulators

    def built_during(self, start_seq: int, end_seq: int | None) -> list[int]:
        """The ops created between two events, such as the nodes a backward with
        ``create_graph=True`` built (``end_seq`` None: to the end)."""
        end = float("inf") if end_seq is None else end_seq
        return [
            n.id for n in self.nodes.values() if start_seq < n.seq < end and not n.is_accumulate
        ]

    def consumers(self, ids: Iterable[int] | None = None) -> dict[int, list[int]]:
        """node id -> the nodes (among ``ids``, default all) that take it as an input."""
        nodes = self.nodes
        out: dict[int, list[int]] = {}
        for nid in nodes if ids is None else ids:
            for inp in nodes[nid].inputs:
                if inp is not None:
                    out.setdefault(inp, []).append(nid)
        return out

    def ancestors(self, roots: Iterable[int]) -> list[int]:
        """The nodes reachable from ``roots`` through inputs, in creation order."""
        nodes = self.nodes
        seen: set[int] = set()
        stack = [r for r in roots if r in nodes]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            for inp in nodes[nid].inputs:
                if inp is not None and inp not in seen and inp in nodes:
                    stack.append(inp)
        return sorted(seen, key=lambda i: nodes[i].seq)

    @property
    def saved_count(self) -> int:
        """Distinct buffers saved by any node (a buffer saved twice counts once)."""
        return len({s.buffer for n in self.nodes.values() for s in n.saved})

    def __repr__(self) -> str:
        return f"<GraphState at seq {self.seq}: {len(self.nodes)} nodes>"


def fold_graph(events: Iterable[Event]) -> GraphState:
    """The graph state after ``events``."""
    return GraphState().feed(events)
