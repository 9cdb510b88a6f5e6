"""Graph view -> DOT text (a pure function returning a string).

Edges run in data-flow direction: leaves and inputs at the top, the loss at the bottom.
Uses far below a node's first use get their arrows from small name tags, not from the node.
Every look is in ``STYLES``; labels are escaped so ``<``, ``&``, quotes and backslashes
reach the picture as typed.

Example::

    text = to_dot(build_view(fold_graph(events)), title="after backward")
    text.startswith("digraph")
"""

from __future__ import annotations

from collections import Counter

from .fmt import human_bytes, shape_text
from .graph_model import GraphView, LeafItem, OpItem, SavedItem, op_lines

FONT = "Helvetica"

#: Uses of a node more than this many levels below its first use are drawn from name tags
#: (see ``to_dot``).
SPAN_MAX = 8

#: Layout weight of op-to-op edges (others weigh 1): chains of ops are drawn straight down
#: rather than drifting sideways with every leaf or saved tensor beside them.
SPINE_WEIGHT = "4"

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
    # a name tag standing for a node used far below its first use (see SPAN_MAX);
    # it takes the outline color of the node it names
    "tag": {
        "shape": "box",
        "style": "rounded,dashed",
        "fontsize": "9",
        "width": "0",
        "height": "0",
        "margin": "0.06,0.03",
    },
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


def saved_lines(s: SavedItem, holder: str | None = None) -> list[str]:
    """Text lines of a saved-tensor box: its slots under every holder, or under the op
    item ``holder`` only."""
    slots = ", ".join(s.slots if holder is None else s.slots_of(holder))
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
    """DOT text for a graph view.

    A node used both near and far (a weight used at every step of a loop, say) keeps its
    edges to the uses within ``SPAN_MAX`` levels of its first one; each farther use gets a
    small name tag of its own instead of a long edge, and the node says how many uses it has.
    """
    tags = _Tags(view)
    out = [
        "digraph gradscope {",
        '  graph [rankdir="TB", nodesep="0.3", ranksep="0.35"'
        + (f', label="{escape(_caption(view, title))}", labelloc="t", fontname="{FONT}"' if title or view.notes else "")
        + "]",
        f'  node [fontname="{FONT}", fontsize="10"]',
        f'  edge [fontname="{FONT}", fontsize="9"]',
    ]  # fmt: skip
    for leaf in view.leaves:
        lines = leaf_lines(leaf) + tags.uses_line(leaf.key)
        out.append(f"  {leaf.key} {_attrs('param', chr(10).join(lines))}")
        if leaf.grad is not None:
            out.append(f"  {leaf.grad.key} {_attrs('grad', _grad_label(leaf.grad, leaf.name))}")
            out.append(f"  {leaf.key} -> {leaf.grad.key} {_attrs('edge_grad')}")
    for op in view.ops:
        lines = op_lines(op) + tags.uses_line(op.key)
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
        lines = saved_lines(s) + tags.uses_line(s.key)
        out.append(f"  {s.key} {_attrs(_saved_style(s), chr(10).join(lines))}")
        for holder in s.holders:
            out += tags.edge(s.key, holder, "edge_saved_freed" if s.freed else "edge_saved")
    ops = {op.key for op in view.ops}
    for src, dst, n in view.edges:
        extra = {"label": f"x{n}"} if n > 1 else {}
        if src in ops:
            extra["weight"] = SPINE_WEIGHT
        out += tags.edge(src, dst, "edge", **extra)
    out.append("}")
    return "\n".join(out) + "\n"


def _saved_style(s: SavedItem) -> str:
    if s.leaf == "input" and not s.freed:
        return "input"
    return "saved_freed" if s.freed else "saved"


def _heights(view: GraphView) -> dict[str, int]:
    """How many levels above the bottom of the picture each op item sits: the longest chain
    of op-to-op edges from it down to an op that no drawn op uses. (The layout puts a node
    as close above its uses as it can, so this, not the depth from the top, is what tells
    how far apart two uses end up.)"""
    users: dict[str, list[str]] = {}
    for src, dst, _ in view.edges:
        users.setdefault(src, []).append(dst)
    height: dict[str, int] = {}
    for op in reversed(view.ops):  # creation order: an op's users come after it
        height[op.key] = 1 + max((height.get(u, -1) for u in users.get(op.key, ())), default=-1)
    return height


class _Tags:
    """The edges of the picture, where a use more than ``SPAN_MAX`` levels below its
    source's first use is drawn from a name tag of its own instead of the source: a
    short edge in place of one crossing much of the picture, which the layout would
    spend its time routing."""

    def __init__(self, view: GraphView):
        uses: dict[str, list[str]] = {}
        for s in view.saved:
            uses.setdefault(s.key, []).extend(s.holders)
        for src, dst, _ in view.edges:
            uses.setdefault(src, []).append(dst)
        height = _heights(view)
        self.uses = {key: len(dsts) for key, dsts in uses.items()}
        self.tagged: set[tuple[str, str]] = set()
        for key, dsts in uses.items():
            top = max(height.get(d, 0) for d in dsts)  # the first use
            self.tagged.update((key, d) for d in dsts if top - height.get(d, 0) > SPAN_MAX)
        self.tag_count = Counter(src for src, _ in self.tagged)
        self.saved = {s.key for s in view.saved}
        self.names: dict[str, tuple[str, str]] = {}  # key -> (tag text, outline color)
        for leaf in view.leaves:
            self.names[leaf.key] = (leaf.name or f"tensor {leaf.tensor}", STYLES["param"]["color"])
        for op in view.ops:
            self.names[op.key] = (f"{op.op} {op.ids_text}", STYLES[_op_style(op)]["color"])
        for s in view.saved:
            self.names[s.key] = (saved_lines(s)[0], STYLES[_saved_style(s)]["color"])

    def uses_line(self, key: str) -> list[str]:
        """The extra label line of a node with tagged uses (else nothing)."""
        n = self.tag_count.get(key, 0)
        if not n:
            return []
        verb = "saved" if key in self.saved else "used"
        return [f"{verb} by {self.uses[key]} drawn ops ({n} via tags)"]

    def edge(self, src: str, dst: str, style: str, **extra: str) -> list[str]:
        """DOT lines for the edge ``src -> dst``, through a tag where it is a far use."""
        if (src, dst) not in self.tagged:
            return [f"  {src} -> {dst} {_attrs(style, **extra)}"]
        text, color = self.names[src]
        extra.pop("weight", None)  # a tag stands beside the chain; it must not bend it
        tag = f"tag_{src}_{dst}"
        return [
            f"  {tag} {_attrs('tag', text, color=color, fontcolor=color)}",
            f"  {tag} -> {dst} {_attrs(style, **extra)}",
        ]


def _grad_label(g, name: str | None) -> str:
    who = f"{name}.grad" if name else ".grad"
    lines = [who, human_bytes(g.nbytes)]
    if g.count > 1:
        lines.append(f"written {g.count} times")
    return "\n".join(lines)


def _caption(view: GraphView, title: str | None) -> str:
    lines = [title] if title else []
    lines += view.notes
    return "\n".join(lines)
