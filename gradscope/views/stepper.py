"""Backward, one node at a time: what each step received, did, wrote, freed and moved.

``backward_walk`` cuts one backward call's events into steps, one per node it ran, and
returns plain dicts: the gradient arriving (its shape, and its values when they were
captured at run time), the node's local rule (``rules.py``), where it sent gradients, what
it wrote into a ``.grad``, the bytes freed, and the live bytes before and after.
Each event between two ``node_executed`` goes to the step before, except what a leaf's
``AccumulateGrad`` writes (a ``.grad`` allocated for it, or a gradient taken over as
``.grad``), which goes to that node's own step. A step's live bytes change by what its
own events moved, and each step starts where the step before ended: the first at the live
bytes when backward started, the last ending at those when it finished.

Gradient values are not in the event stream: ``grads`` maps ``(backward index, node id)``
to a summary captured while the scenario ran (see ``gradscope run --step``); without it
(a trace file) the steps show shapes only.

Example::

    steps = backward_walk(events, fold_graph(events), 1)
    Console().print(walk_table(steps, "backward 1"))
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..events.schema import Event
from ..state.graph import GraphState
from .fmt import Pieces, human_bytes, shape_text, short_site, signed_bytes
from .rules import rule_for

SMALL = 8  # gradients with at most this many elements show their values


def _span(events: Sequence[Event], index: int) -> tuple[int, int]:
    """Indices of backward ``index``'s ``backward_started`` and of the event after its end."""
    count = 0
    start = None
    for i, e in enumerate(events):
        if e.kind == "backward_started":
            count += 1
            if count == index:
                start = i
        elif e.kind == "backward_finished" and start is not None:
            return start, i + 1
    if start is None:
        raise IndexError(f"no backward {index} in these events")
    return start, len(events)


def backward_walk(
    events: Sequence[Event], graph: GraphState, index: int, grads: dict | None = None
) -> list[dict]:
    """One dict per node that backward ``index`` (1-based) ran, in the order it ran."""
    start, stop = _span(events, index)
    runs = [i for i in range(start, stop) if events[i].kind == "node_executed"]
    if not runs:
        return []
    owned: dict[int, list[int]] = {r: [] for r in runs}  # node_executed index -> its events
    for k, r in enumerate(runs):
        owned[r].extend(range(start + 1, r + 1) if k == 0 else (r,))
        nxt = runs[k + 1] if k + 1 < len(runs) else None
        if nxt is None:
            owned[r].extend(range(r + 1, stop))
            continue
        node_b = events[nxt].node
        for i in range(r + 1, nxt):
            e = events[i]
            theirs = e.kind in ("tensor_allocated", "grad_accumulated") and e.node == node_b
            owned[nxt if theirs else r].append(i)
    steps = []
    live = events[start].live_bytes
    for k, r in enumerate(runs, 1):
        mine = sorted(owned[r])
        # an event's live_bytes is the total right after it; its change is the difference
        # with the event before, wherever that event belongs
        after = live + sum(events[i].live_bytes - events[i - 1].live_bytes for i in mine)
        steps.append(_step(k, events, graph, index, r, mine, live, after, grads))
        live = after
    return steps


def _step(k, events, graph, index, r, mine, before, after, grads) -> dict:
    nid = events[r].node
    n = graph.nodes.get(nid)
    nodes = graph.nodes
    op = n.op if n else "?"
    sent = []
    if n is not None and not n.is_accumulate:
        sent = [f"{nodes[i].op} #{i}" for i in n.inputs if i is not None and i in nodes]
    wrote, freed, released, allocated = [], 0, 0, 0
    for i in mine:
        e = events[i]
        if e.kind == "grad_accumulated":
            t = graph.tensors.get(e.tensor)
            name = (t.name if t else None) or f"tensor {e.tensor}"
            wrote.append({"tensor": e.tensor, "name": name, "nbytes": e.nbytes, "first": e.first})
        elif e.kind == "tensor_freed":
            freed += e.nbytes
        elif e.kind == "graph_freed":
            released += e.nbytes
        elif e.kind == "tensor_allocated":
            allocated += e.nbytes
    return {
        "backward": index,
        "step": k,
        "node": nid,
        "op": op,
        "stack": n.stack if n else None,
        "grad_shape": list(n.shape) if n else None,
        "grad": (grads or {}).get((index, nid)),
        "rule": rule_for(op),
        "sent_to": sent,
        "wrote": wrote,
        "allocated_bytes": allocated,
        "freed_bytes": freed,
        "released_bytes": released,
        "live_before": before,
        "live_after": after,
        "seqs": [events[i].seq for i in mine],
    }


def grad_text(step: dict, values: bool = True) -> str:
    """The gradient a step received: its shape, then its values or their range."""
    g = step.get("grad")
    shape = shape_text(g["shape"] if g else step["grad_shape"])
    if not g or not values:
        return shape
    if g.get("values") is not None:
        vals = ", ".join(_num(v) for v in g["values"])
        return f"{shape} [{vals}]"
    if "min" in g:
        return f"{shape} min {_num(g['min'])} max {_num(g['max'])} mean {_num(g['mean'])}"
    return shape


def _num(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return str(v)
    text = f"{v:.4g}"
    return text if any(c in text for c in ".einf") else text + "."  # 1.0 prints as torch's "1."


def wrote_text(step: dict) -> str:
    """What a step wrote into ``.grad`` (``x.grad = grad 12 B``), else where it sent gradients."""
    if step["wrote"]:
        return "; ".join(
            f"{w['name']}.grad {'=' if w['first'] else '+='} grad ({human_bytes(w['nbytes'])})"
            for w in step["wrote"]
        )
    return ", ".join(step["sent_to"]) or "-"


def freed_text(step: dict) -> str:
    """Bytes freed in the step, and how many of them were saved tensors released."""
    if not step["freed_bytes"]:
        return "-"
    text = human_bytes(step["freed_bytes"])
    if step["released_bytes"]:
        text += f" (saved {human_bytes(step['released_bytes'])})"
    return text


def live_text(step: dict) -> str:
    """Live bytes after the step, with the change."""
    change = step["live_after"] - step["live_before"]
    return f"{human_bytes(step['live_after'])} ({signed_bytes(change)})"


def walk_table(steps: list[dict], title: str | None = None, max_rows: int = 60) -> Table:
    """All the steps of one backward as a Rich table (long ones cut in the middle)."""
    t = Table(title=title, title_justify="left")
    # the numbers never wrap (live bytes over their change); the text columns share the rest
    t.add_column("step", justify="right", no_wrap=True)
    for col in ("node", "grad in", "local rule", "sent to /\nwrote"):
        t.add_column(col, overflow="fold")
    t.add_column("freed", justify="right", no_wrap=True)
    t.add_column("live\nafter", justify="right", no_wrap=True)
    shown: list = list(steps)
    if len(steps) > max_rows:
        half = max_rows // 2
        shown = steps[:half] + [None] + steps[-half:]
    for s in shown:
        if s is None:
            t.add_row("...", f"{len(steps) - 2 * (max_rows // 2)} more steps", *[""] * 5)
            continue
        freed = human_bytes(s["freed_bytes"]) if s["freed_bytes"] else "-"
        change = signed_bytes(s["live_after"] - s["live_before"])
        t.add_row(str(s["step"]), Pieces(s["op"], f"#{s['node']}", sep=" "), Pieces(grad_text(s)),
                  Pieces(s["rule"]), Pieces(wrote_text(s)), freed,
                  f"{human_bytes(s['live_after'])}\n({change})")  # fmt: skip
    return t


def step_view(step: dict, total: int) -> Group:
    """One step in full, for the interactive debugger."""
    site = short_site(step["stack"])
    head = Text(f"step {step['step']}/{total}  ", style="bold")
    head.append(f"{step['op']} #{step['node']}", style="bold cyan")
    if site:
        head.append(f"  ({site})", style="dim")
    lines = [head]
    for label, value in (
        ("grad in", grad_text(step)),
        ("local rule", step["rule"]),
        ("sent to" if not step["wrote"] else ".grad", wrote_text(step)),
        ("freed", freed_text(step)),
        ("live", f"{human_bytes(step['live_before'])} -> {live_text(step)}"),
    ):
        line = Text(f"  {label:<12}", style="dim")
        line.append(value)
        lines.append(line)
    return Group(*lines)


def step_line(step: dict) -> str:
    """One step in one line, for the steps run past without stopping."""
    return (f"  {step['step']:>3}  {step['op']} #{step['node']}  {grad_text(step, values=False)}"
            f"  -> {wrote_text(step)}  live {live_text(step)}")  # fmt: skip
