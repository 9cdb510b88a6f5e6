"""The backward step table: each node in the order it ran, as plain rows, then Rich.

For every node a backward ran: the gradient shape it received (its output's shape), the
local rule it applied, where it sent gradients on, and the bytes it freed (and, for a
leaf, what it wrote into ``.grad``).

Example::

    steps = backward_steps(fold_graph(events), index=1)
    Console().print(steps_table(steps, title="backward 1"))
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from ..state.graph import GraphState
from .fmt import human_bytes, shape_text
from .rules import rule_for

MAX_ROWS = 60


def backward_steps(graph: GraphState, index: int) -> list[dict]:
    """One dict per node that backward ``index`` (1-based) ran, in order."""
    rec = graph.backwards[index - 1]
    nodes = graph.nodes
    rows = []
    for step, nid in enumerate(rec.executed, 1):
        n = nodes.get(nid)
        if n is None:
            continue
        sent = [f"{nodes[i].op} #{i}" for i in n.inputs if i is not None and i in nodes]
        wrote = None
        if n.is_accumulate and n.output is not None:
            g = graph.grads.get(n.output)
            t = graph.tensors.get(n.output)
            name = (t.name if t else None) or f"tensor {n.output}"
            if g is not None:
                wrote = f"{name}.grad {human_bytes(g.nbytes)}"
        rows.append(
            {
                "step": step,
                "node": nid,
                "op": n.op,
                "grad_shape": list(n.shape),
                "rule": rule_for(n.op),
                "sent_to": sent,
                "freed_bytes": n.freed_bytes if n.freed else 0,
                "wrote": wrote,
                "stack": n.stack,
            }
        )
    return rows


def steps_table(steps: list[dict], title: str | None = None, max_rows: int = MAX_ROWS) -> Table:
    """A Rich table of ``backward_steps``; long runs show the first and last rows."""
    table = Table(title=title, title_justify="left")
    table.add_column("step", justify="right")
    table.add_column("node", overflow="fold")
    table.add_column("grad in", overflow="fold")
    table.add_column("local rule", overflow="fold")
    table.add_column("sent to", overflow="fold")
    table.add_column("freed", justify="right", no_wrap=True)
    shown = steps
    if len(steps) > max_rows:
        half = max_rows // 2
        shown = steps[:half] + [None] + steps[-half:]
    for row in shown:
        if row is None:
            table.add_row("...", f"{len(steps) - 2 * (max_rows // 2)} more steps", "", "", "", "")
            continue
        sent = ", ".join(row["sent_to"]) or "-"
        if row["wrote"]:
            sent = f"wrote {row['wrote']}"
        table.add_row(
            str(row["step"]),
            escape(f"{row['op']} #{row['node']}"),
            shape_text(row["grad_shape"]),
            escape(row["rule"]),
            escape(sent),
            human_bytes(row["freed_bytes"]) if row["freed_bytes"] else "-",
        )
    return table
