"""What to draw of a graph state: the drawable items, before any picture.

``build_view`` picks the nodes to show (the graph of the last backward, or the one being
built), collapses runs of identical ops into one item with a count, caps the item count,
and returns plain dataclasses that ``dot.py`` and ``tree.py`` both render.

Example::

    view = build_view(fold_graph(events))
    [op.op for op in view.ops], view.notes
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ..state.graph import GraphState, NodeState
from .fmt import human_bytes, shape_text, short_site

COLLAPSE_MIN = 3  # runs at least this long become one item
MAX_OPS = 300  # op items drawn at most; the rest are counted


@dataclass
class GradItem:
    """A ``.grad`` (or retained grad) that backward wrote."""

    key: str
    tensor: int
    nbytes: int
    count: int  # accumulations


@dataclass
class SavedItem:
    """One saved buffer (or, for a collapsed run, one per node of the run)."""

    key: str
    slots: list[str]  # under every holder
    shape: tuple
    dtype: str
    nbytes: int  # per buffer
    count: int  # buffers behind this item
    freed: bool
    holders: list[str] = field(default_factory=list)  # op keys that saved it
    leaf: str | None = None  # "param" / "input" when the saved tensor is a leaf
    name: str | None = None
    slots_by_holder: dict[str, list[str]] = field(default_factory=dict)

    def slots_of(self, holder: str) -> list[str]:
        """The slots under which the op item ``holder`` saved this buffer."""
        return self.slots_by_holder.get(holder, self.slots)

    @property
    def total(self) -> int:
        """Bytes of all the buffers behind this item."""
        return self.nbytes * self.count


@dataclass
class LeafItem:
    """A leaf tensor that requires grad (a parameter), drawn for its AccumulateGrad."""

    key: str
    tensor: int
    node: int
    name: str | None
    shape: tuple
    dtype: str
    nbytes: int
    executed: bool
    grad: GradItem | None = None


@dataclass
class OpItem:
    """One graph node, or a collapsed run of identical ones."""

    key: str
    op: str
    members: list[int]  # node ids, in data-flow order
    shape: tuple
    dtype: str
    stack: str | None
    executed: bool
    freed: bool
    role: str = "op"  # op | loss | output
    order: int | None = None  # when backward ran it (1 = first), single nodes only
    saved: list[SavedItem] = field(default_factory=list)
    grad: GradItem | None = None
    more_inputs: int = 0  # inputs not drawn (over the cap)
    anomaly: str | None = None  # what anomaly detection found ("returned nan"), if anything

    @property
    def count(self) -> int:
        """How many nodes this item stands for."""
        return len(self.members)

    @property
    def ids_text(self) -> str:
        """``#4`` or ``#2..#101`` for a run."""
        if len(self.members) == 1:
            return f"#{self.members[0]}"
        return f"#{self.members[0]}..#{self.members[-1]}"


@dataclass
class GraphView:
    """Everything a picture of the graph needs, and nothing of the engine."""

    ops: list[OpItem]
    leaves: list[LeafItem]
    saved: list[SavedItem]
    edges: list[tuple[str, str, int]]  # (from, to, multiplicity), data-flow direction
    roots: list[str]  # keys of the items nothing consumes (the loss first)
    notes: list[str]  # what was collapsed or left out
    omitted: int = 0  # op nodes not drawn

    def item(self, key: str) -> OpItem | LeafItem | None:
        """The op or leaf item with this key."""
        for it in self.ops:
            if it.key == key:
                return it
        for lf in self.leaves:
            if lf.key == key:
                return lf
        return None


def focus_roots(graph: GraphState) -> list[int]:
    """The nodes to draw from: the graph built since the last backward, else its root."""
    nodes = graph.nodes
    if not nodes:
        return []
    if graph.backwards:
        last = graph.backwards[-1]
        after = last.end_seq if last.end_seq is not None else last.start_seq
        fresh = [n for n in nodes.values() if n.seq > after]
        if not fresh and last.root in nodes:
            return [last.root]
        pool = fresh or list(nodes.values())
    else:
        pool = list(nodes.values())
    ids = [n.id for n in pool]
    consumed = graph.consumers(ids)
    return [i for i in ids if i not in consumed]


def backward_roots(
    graph: GraphState, root: int | None, start_seq: int, end_seq: int | None
) -> list[int] | None:
    """What to draw for one backward: its root and, for a backward with
    ``create_graph=True``, the outputs of the graph it built (its gradients' nodes)."""
    if root is None:
        return None
    made = graph.built_during(start_seq, end_seq)
    consumed = graph.consumers(made)
    return [root] + [i for i in made if i not in consumed]


def _signature(n: NodeState) -> tuple:
    saved = tuple((s.slot, s.nbytes, s.new, s.freed) for s in n.saved)
    return (n.op, n.shape, n.dtype, saved, n.executed > 0, n.freed)


def _runs(graph: GraphState, ids: list[int], root: int | None, min_run: int) -> list[list[int]]:
    """Chains of identical single-input ops, each a list in data-flow order."""
    nodes = graph.nodes
    consumers = graph.consumers(ids)
    chosen = set(ids)
    prev: dict[int, int] = {}
    for nid in ids:
        n = nodes[nid]
        real = [i for i in n.inputs if i is not None]
        if len(real) != 1 or n.is_accumulate or nid in graph.anomalies:
            continue
        p = real[0]
        if p not in chosen or p == root or p in graph.anomalies:
            continue
        pn = nodes[p]
        if pn.is_accumulate or consumers.get(p) != [nid] or _signature(pn) != _signature(n):
            continue
        prev[nid] = p
    nxt = {p: n for n, p in prev.items()}
    runs = []
    for nid in ids:
        if nid in prev or nid not in nxt:
            continue
        run = [nid]
        while run[-1] in nxt:
            run.append(nxt[run[-1]])
        if len(run) >= min_run:
            runs.append(run)
    return runs


def build_view(
    graph: GraphState,
    roots: list[int] | None = None,
    *,
    loss: int | None = None,
    collapse_min: int = COLLAPSE_MIN,
    max_ops: int = MAX_OPS,
    names: Callable[[int | None, str | None], str | None] | None = None,
) -> GraphView:
    """The drawable items of the nodes reachable from ``roots`` (default: ``focus_roots``).

    ``loss`` is the node to highlight (default: the last backward's root);
    ``collapse_min=0`` turns collapsing off. ``names(tensor, own)`` says what to call a
    leaf (``Holders.namer``: the names the user's code held it by); by default, its own.
    """
    if names is None:
        names = _own_name
    nodes = graph.nodes
    if roots is None:
        roots = focus_roots(graph)
    ids = graph.ancestors(roots)
    if loss is None:
        loss = graph.root
    runs = _runs(graph, ids, loss, collapse_min) if collapse_min else []
    group_of: dict[int, str] = {}
    notes: list[str] = []
    for run in runs:
        key = f"n{run[0]}"
        for nid in run:
            group_of[nid] = key
        first = nodes[run[0]]
        notes.append(
            f"collapsed {len(run)} x {first.op} {shape_text(first.shape)} "
            f"(nodes #{run[0]}..#{run[-1]}) into one box"
        )
    order: dict[int, int] = {}
    for rec in graph.backwards:
        for i, nid in enumerate(rec.executed, 1):
            order[nid] = i

    def key_of(nid: int) -> str:
        n = nodes[nid]
        if n.is_accumulate:
            return f"t{n.output}"
        return group_of.get(nid, f"n{nid}")

    # -- op items and leaves, in creation order
    ops: dict[str, OpItem] = {}
    leaves: dict[str, LeafItem] = {}
    for nid in ids:
        n = nodes[nid]
        key = key_of(nid)
        if n.is_accumulate:
            t = graph.tensors.get(n.output) if n.output is not None else None
            leaves[key] = LeafItem(
                key, n.output, nid, names(n.output, t.name if t else None), n.shape, n.dtype,
                t.nbytes if t else 0, n.executed > 0,
            )  # fmt: skip
            g = graph.grads.get(n.output)
            if g is not None:
                leaves[key].grad = GradItem(f"g{n.output}", n.output, g.nbytes, g.count)
            continue
        item = ops.get(key)
        if item is None:
            ops[key] = OpItem(
                key, n.op, [nid], n.shape, n.dtype, n.stack, n.executed > 0, n.freed,
                order=order.get(nid),
            )  # fmt: skip
        else:
            item.members.append(nid)
            if item.stack != n.stack:
                item.stack = None
            item.order = None
        if nid in graph.anomalies:
            ops[key].anomaly = graph.anomalies[nid]

    # -- edges between items, data-flow direction
    edge_count: dict[tuple[str, str], int] = {}
    for nid in ids:
        n = nodes[nid]
        dst = key_of(nid)
        for inp in n.inputs:
            if inp is None or inp not in nodes:
                continue
            src = key_of(inp)
            if src == dst:
                continue
            edge_count[(src, dst)] = edge_count.get((src, dst), 0) + 1

    # -- the loss, the outputs
    consumed_keys = {src for src, _ in edge_count}
    top = []
    for key, item in ops.items():
        if loss is not None and loss in item.members:
            item.role = "loss"
            top.insert(0, key)
        elif key not in consumed_keys:
            item.role = "output"
            top.append(key)
        last = nodes[item.members[-1]]
        g = graph.grads.get(last.output) if last.output is not None else None
        if g is not None:
            item.grad = GradItem(f"g{last.output}", last.output, g.nbytes, g.count)
    top += [k for k in leaves if k not in consumed_keys]

    # -- cap: keep the items nearest the roots
    omitted = 0
    if len(ops) > max_ops:
        ops, omitted = _cap(ops, edge_count, top, max_ops)
        notes.append(f"{omitted} more nodes not drawn (the {max_ops} nearest the output are)")
        keep = set(ops) | set(leaves)
        for (src, dst), _ in list(edge_count.items()):
            if src not in keep or dst not in keep:
                del edge_count[(src, dst)]
                if dst in ops and src not in keep:
                    ops[dst].more_inputs += 1
        used = {s for s, _ in edge_count} | {d for _, d in edge_count}
        leaves = {k: v for k, v in leaves.items() if k in used or k in top}

    saved = _saved_items(graph, ops, leaves, names)
    edges = [(s, d, c) for (s, d), c in edge_count.items()]
    return GraphView(list(ops.values()), list(leaves.values()), saved, edges, top, notes, omitted)


def _cap(
    ops: dict[str, OpItem], edge_count: dict, top: list[str], max_ops: int
) -> tuple[dict[str, OpItem], int]:
    inputs: dict[str, list[str]] = {}
    for src, dst in edge_count:
        inputs.setdefault(dst, []).append(src)
    keep: list[str] = []
    seen = set()
    queue = deque(k for k in top if k in ops)
    while queue and len(keep) < max_ops:
        k = queue.popleft()
        if k in seen:
            continue
        seen.add(k)
        keep.append(k)
        queue.extend(s for s in inputs.get(k, ()) if s in ops and s not in seen)
    kept = {k: ops[k] for k in ops if k in seen}  # seen: exactly the kept keys
    omitted = sum(it.count for k, it in ops.items() if k not in kept)
    return kept, omitted


def _own_name(tensor: int | None, own: str | None) -> str | None:
    return own


def _saved_items(
    graph: GraphState, ops: dict[str, OpItem], leaves: dict[str, LeafItem], names
) -> list[SavedItem]:
    nodes = graph.nodes
    by_buffer: dict[int, SavedItem] = {}
    out: list[SavedItem] = []
    for item in ops.values():
        if item.count > 1:  # a collapsed run: one item standing for each node's buffers
            first = nodes[item.members[0]]
            if not first.saved:
                continue
            s0 = first.saved[0]
            si = SavedItem(
                f"s{item.key}", list(dict.fromkeys(s.slot for s in first.saved)), s0.shape,
                s0.dtype, first.saved_bytes, item.count,
                all(s.freed for nid in item.members for s in nodes[nid].saved), [item.key],
            )  # fmt: skip
            si.slots_by_holder[item.key] = si.slots
            out.append(si)
            item.saved.append(si)
            continue
        n = nodes[item.members[0]]
        for s in n.saved:
            si = by_buffer.get(s.buffer)
            if si is None:
                si = SavedItem(
                    f"s{s.buffer}", [], s.shape, s.dtype, s.nbytes, 1, s.freed, []
                )  # fmt: skip
                t = graph.tensors.get(s.tensor) if s.tensor is not None else None
                if t is not None and t.role == "leaf":
                    si.leaf = "param" if graph.requires_grad(t.id) else "input"
                    si.name = names(t.id, t.name)
                by_buffer[s.buffer] = si
                out.append(si)
            if s.slot not in si.slots:
                si.slots.append(s.slot)
            own = si.slots_by_holder.setdefault(item.key, [])
            if s.slot not in own:
                own.append(s.slot)
            si.freed = si.freed and s.freed
            if item.key not in si.holders:
                si.holders.append(item.key)
                item.saved.append(si)
    return out


def op_lines(item: OpItem) -> list[str]:
    """The text lines describing an op item (shared by the DOT and tree views)."""
    head = item.op if item.count == 1 else f"{item.op} x{item.count}"
    lines = [head, f"{shape_text(item.shape)} {item.dtype}".strip()]
    site = short_site(item.stack)
    if site:
        lines.append(site)
    if item.saved:
        per = sum(s.nbytes for s in item.saved)
        slots = ", ".join("/".join(s.slots_of(item.key)) for s in item.saved)
        text = f"saved {slots} {human_bytes(per)}"
        if item.count > 1:
            text += f" each, {human_bytes(sum(s.total for s in item.saved))} total"
        if all(s.freed for s in item.saved):
            text += " (freed)"
        lines.append(text)
    if item.executed:
        lines.append(f"ran #{item.order}" if item.order else "ran")
    if item.anomaly:
        lines.append(f"anomaly: {item.anomaly}")
    return lines
