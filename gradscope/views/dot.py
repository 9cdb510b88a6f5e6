"""Graph view -> DOT text (a pure function returning a string).

Edges run in data-flow direction: leaves and inputs at the top, the loss at the bottom.
Every look is in ``STYLES``; labels are escaped so ``<``, ``&``, quotes and backslashes
reach the picture as typed.

Example::

    text = to_dot(build_view(fold_graph(events)), title="after backward")
    text.startswith("digraph")
"""

from __future__ import annotations

from .fmt import human_bytes, shape_text
from .graph_model import GraphView, LeafItem, OpItem, SavedItem, op_lines

FONT = "Helvetica"

#: Every node and edge look, in one table.
STYLES: dict[str, dict[str, str]] = {
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#e3ecf7", "color": "#4a6fa5"},
    "loss": {
        "shape": "box",
        "style": "rounded,filled,bold",
        "fillcolor": "#f8d3cf",
        "color": "#b03a2e",
        "penwidth": "2",
    },
    "output": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#fbe9c6",
        "color": "#b7791f",
    },
    "collapsed": {
        "shape": "box3d",
        "style": "filled",
        "fillcolor": "#e3ecf7",
        "color": "#4a6fa5",
    },
    "anomaly": {
        "shape": "box",
        "style": "rounded,filled,bold",
        "fillcolor": "#e74c3c",
        "color": "#7b241c",
        "fontcolor": "#ffffff",
        "penwidth": "2",
    },
    "param": {"shape": "box", "style": "filled", "fillcolor": "#d4edda", "color": "#2f7d43"},
    "input": {"shape": "box", "style": "filled", "fillcolor": "#eeeeee", "color": "#777777"},
    "saved": {"shape": "note", "style": "filled", "fillcolor": "#fff3c4", "color": "#a08a2e"},
    "saved_freed": {
        "shape": "note",
        "style": "dashed",
        "color": "#aaaaaa",
        "fontcolor": "#888888",
    },
    "grad": {"shape": "box", "style": "filled,dashed", "fillcolor": "#d6eaf8", "color": "#2e86c1"},
    "more": {"shape": "plaintext", "fontcolor": "#666666"},
    # edges
    "edge": {"color": "#444444"},
    "edge_saved": {"style": "dotted", "arrowhead": "none", "color": "#a08a2e"},
    "edge_saved_freed": {"style": "dotted", "arrowhead": "none", "color": "#bbbbbb"},
    "edge_grad": {"style": "dashed", "color": "#2e86c1"},
    "edge_more": {"style": "dotted", "color": "#999999"},
}


def escape(text: str) -> str:
    """``text`` as the inside of a DOT double-quoted string that renders it verbatim."""
    return (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace('"', '\\"')
        .replace("\r", "")
        .replace("\n", "\\n")
    )


def _attrs(style: str, label: str | None = None, **extra: str) -> str:
    parts = dict(STYLES[style])
    parts.update(extra)
    items = [f'{k}="{escape(v)}"' for k, v in parts.items()]
    if label is not None:
        items.insert(0, f'label="{escape(label)}"')
    return "[" + ", ".join(items) + "]"


def leaf_lines(leaf: LeafItem) -> list[str]:
    """Text lines of a parameter leaf."""
    name = leaf.name or f"tensor {leaf.tensor}"
    lines = [name, f"{shape_text(leaf.shape)} {leaf.dtype}", "leaf, requires grad"]
    if leaf.nbytes:
        lines.append(human_bytes(leaf.nbytes))
    return lines


def saved_lines(s: SavedItem) -> list[str]:
    """Text lines of a saved-tensor box."""
    slots = ", ".join(s.slots)
    head = f"saved {slots}"
    if s.leaf == "input":
        head = f"input {s.name or ''} saved as {slots}".replace("  ", " ")
    elif s.leaf == "param":
        head = f"{s.name or 'leaf'} saved as {slots}"
    lines = [head, f"{shape_text(s.shape)} {s.dtype}"]
    if s.count > 1:
        lines.append(f"{s.count} x {human_bytes(s.nbytes)} = {human_bytes(s.total)}")
    else:
        lines.append(human_bytes(s.nbytes))
    if s.freed:
        lines.append("freed")
    return lines


def _op_style(op: OpItem) -> str:
    if op.anomaly:  # backward returned NaN/Inf here (anomaly detection)
        return "anomaly"
    if op.role in ("loss", "output"):
        return op.role
    return "collapsed" if op.count > 1 else "op"


def to_dot(view: GraphView, title: str | None = None) -> str:
    """DOT text for a graph view."""
    out = [
        "digraph gradscope {",
        '  graph [rankdir="TB", nodesep="0.3", ranksep="0.35"'
        + (f', label="{escape(_caption(view, title))}", labelloc="t", fontname="{FONT}"' if title or view.notes else "")
        + "]",
        f'  node [fontname="{FONT}", fontsize="10"]',
        f'  edge [fontname="{FONT}", fontsize="9"]',
    ]  # fmt: skip
    for leaf in view.leaves:
        out.append(f"  {leaf.key} {_attrs('param', chr(10).join(leaf_lines(leaf)))}")
        if leaf.grad is not None:
            out.append(f"  {leaf.grad.key} {_attrs('grad', _grad_label(leaf.grad, leaf.name))}")
            out.append(f"  {leaf.key} -> {leaf.grad.key} {_attrs('edge_grad')}")
    for op in view.ops:
        lines = op_lines(op)
        if op.role == "loss":
            lines.insert(0, "loss")
        out.append(f"  {op.key} {_attrs(_op_style(op), chr(10).join(lines))}")
        if op.grad is not None:
            out.append(f"  {op.grad.key} {_attrs('grad', _grad_label(op.grad, None))}")
            out.append(f"  {op.key} -> {op.grad.key} {_attrs('edge_grad')}")
        if op.more_inputs:
            more = f"more_{op.key}"
            out.append(f"  {more} {_attrs('more', '...')}")
            out.append(f"  {more} -> {op.key} {_attrs('edge_more')}")
    for s in view.saved:
        style = "saved_freed" if s.freed else "saved"
        if s.leaf == "input" and not s.freed:
            style = "input"
        out.append(f"  {s.key} {_attrs(style, chr(10).join(saved_lines(s)))}")
        for holder in s.holders:
            edge = "edge_saved_freed" if s.freed else "edge_saved"
            out.append(f"  {s.key} -> {holder} {_attrs(edge)}")
    for src, dst, n in view.edges:
        extra = {"label": f"x{n}"} if n > 1 else {}
        out.append(f"  {src} -> {dst} {_attrs('edge', **extra)}")
    out.append("}")
    return "\n".join(out) + "\n"


def _grad_label(g, name: str | None) -> str:
    who = f"{name}.grad" if name else ".grad"
    lines = [who, human_bytes(g.nbytes)]
    if g.count > 1:
        lines.append(f"accumulated {g.count} times")
    return "\n".join(lines)


def _caption(view: GraphView, title: str | None) -> str:
    lines = [title] if title else []
    lines += view.notes
    return "\n".join(lines)
