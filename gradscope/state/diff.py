"""What changed between two memory states: buffers added and freed, by role and by node.

Within one trace the two states are two points of the same events, and buffers match by
id: a buffer live only at the second point was added, one live only at the first was freed,
and one that changed rows (an activation that became saved for backward) counts as freed
from its old row and added to its new one. Between two traces, buffers are grouped by what
made them (row, op and the user's file:line, or a leaf's name) and the groups are compared.

Example::

    a = snapshot(events, "step 1", baseline)
    b = snapshot(events, "step 5", baseline)
    d = diff_states(a.graph, a.memory, b.graph, b.memory, same_trace=True)
    d["change_bytes"], d["by_node"][0]
"""

from __future__ import annotations

from .graph import GraphState
from .ledger import ROLES, BufferState, Ledger


def origin(graph: GraphState, b: BufferState) -> tuple[str, str | None]:
    """What made a buffer, as (label, the user's file:line): the op of its creating node,
    ``.grad of x`` for a gradient, ``leaf x`` for a leaf."""
    if b.role == "grad":
        owner = graph.grad_buffers.get(b.buffer)
        acc = graph.nodes.get(b.node) if b.node is not None else None
        if owner is None and acc is not None and acc.is_accumulate:
            owner = acc.output  # the leaf whose .grad this is
        t = graph.tensors.get(owner) if owner is not None else None
        return (f".grad of {t.name}" if t is not None and t.name else ".grad"), None
    n = graph.nodes.get(b.node) if b.node is not None else None
    if n is not None and not n.is_accumulate:
        return n.op, n.stack
    return (f"{b.role} {b.name}" if b.name else b.role), None


def _key(graph: GraphState, b: BufferState) -> tuple[str, str, str | None]:
    return (b.category, *origin(graph, b))


def _row(key: tuple) -> dict:
    return {"role": key[0], "op": key[1], "site": key[2], "added_count": 0, "added_bytes": 0,
            "freed_count": 0, "freed_bytes": 0, "change_bytes": 0}  # fmt: skip


def diff_states(
    graph_a: GraphState, led_a: Ledger, graph_b: GraphState, led_b: Ledger, *, same_trace: bool
) -> dict:
    """The change from state A to state B as plain data (snake_case keys, bytes as ints):
    ``by_role`` and ``by_node`` rows with added/freed counts and bytes and the change."""
    rows: dict[tuple, dict] = {}

    def bump(key: tuple, what: str, nbytes: int, count: int = 1) -> None:
        row = rows.get(key)
        if row is None:
            row = rows[key] = _row(key)
        row[f"{what}_count"] += count
        row[f"{what}_bytes"] += nbytes
        row["change_bytes"] += nbytes if what == "added" else -nbytes

    if same_trace:
        for buf, b in led_b.live.items():
            a = led_a.live.get(buf)
            kb = _key(graph_b, b)
            if a is None:
                bump(kb, "added", b.nbytes)
            elif _key(graph_a, a) != kb:
                bump(_key(graph_a, a), "freed", a.nbytes)
                bump(kb, "added", b.nbytes)
        for buf, a in led_a.live.items():
            if buf not in led_b.live:
                bump(_key(graph_a, a), "freed", a.nbytes)
    else:
        totals: dict[tuple, list[int]] = {}  # key -> [count A, bytes A, count B, bytes B]
        for i, (g, led) in enumerate(((graph_a, led_a), (graph_b, led_b))):
            for b in led.live.values():
                t = totals.setdefault(_key(g, b), [0, 0, 0, 0])
                t[2 * i] += 1
                t[2 * i + 1] += b.nbytes
        for key, (ca, ba, cb, bb) in totals.items():
            if bb > ba or (bb == ba and cb > ca):
                bump(key, "added", bb - ba, cb - ca)
            elif ba > bb or ca > cb:
                bump(key, "freed", ba - bb, ca - cb)
    by_role = []
    for role in ROLES:
        r = _row((role, "", None))
        for key, row in rows.items():
            if key[0] == role:
                for k in (
                    "added_count",
                    "added_bytes",
                    "freed_count",
                    "freed_bytes",
                    "change_bytes",
                ):
                    r[k] += row[k]
        del r["op"], r["site"]
        by_role.append(r)
    by_node = sorted(
        rows.values(), key=lambda r: (-abs(r["change_bytes"]), -r["added_bytes"], r["op"])
    )
    return {
        "same_trace": same_trace,
        "live_a_bytes": led_a.live_bytes,
        "live_b_bytes": led_b.live_bytes,
        "change_bytes": led_b.live_bytes - led_a.live_bytes,
        "added_bytes": sum(r["added_bytes"] for r in by_node),
        "freed_bytes": sum(r["freed_bytes"] for r in by_node),
        "by_role": by_role,
        "by_node": by_node,
    }
