"""Graph view -> a Rich tree for the terminal, loss at the top, leaves at the bottom.

The tree follows backward's direction (each op's children are its inputs). A node reached
twice is drawn once and referred to the second time; collapsed runs are one line. A line
too long for the terminal breaks between its parts (shape, file:line, saved bytes...),
never between a number and its unit.

Example::

    Console().print(graph_tree(build_view(fold_graph(events)), title="before backward"))
"""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from rich.tree import Tree

from .dot import leaf_lines, saved_lines
from .fmt import Pieces, human_bytes
from .graph_model import GraphView, LeafItem, OpItem, op_lines

MAX_LINES = 200


def _op_text(op: OpItem) -> Pieces:
    lines = op_lines(op)
    head_style = "bold red" if op.role == "loss" or op.anomaly else "bold"
    head = Text(lines[0], style=head_style)
    head.append(f" {op.ids_text}", style="dim")
    if op.role == "loss":
        head.append(" loss", style="red")
    pieces = [head]
    rest = lines[1:]
    saved_line = next((x for x in rest if x.startswith("saved ")), None)
    for line in rest:
        if line is saved_line:
            continue
        if op.anomaly and line.startswith("anomaly: "):
            pieces.append(Text(line, style="bold white on red"))
            continue
        pieces.append(Text(line, style="dim" if line.startswith("ran") else ""))
    if saved_line is not None:
        freed = saved_line.endswith("(freed)")
        pieces.append(Text(saved_line, style="dim strike" if freed else "yellow"))
    if op.grad is not None:
        pieces.append(Text(f".grad {human_bytes(op.grad.nbytes)}", style="cyan"))
    return Pieces(*pieces)


def _leaf_text(leaf: LeafItem) -> Pieces:
    lines = leaf_lines(leaf)
    pieces = [Text(lines[0], style="bold green"), *lines[1:]]
    if leaf.grad is not None:
        g = leaf.grad
        grad = Text(f"-> .grad {human_bytes(g.nbytes)}", style="cyan")
        if g.count > 1:
            # each count is a grad_accumulated event; an in-place zero_() between two of
            # them records none, so the text says nothing about what .grad holds now
            grad.append(f" (written {g.count} times)")
        pieces.append(grad)
    return Pieces(*pieces)


def graph_tree(view: GraphView, title: str | None = None, max_lines: int = MAX_LINES) -> Group:
    """A Rich tree of the view (at most ``max_lines`` lines, the rest counted), then notes."""
    tree = Tree(Text(title or "graph", style="bold"), guide_style="dim")
    if not view.roots:
        tree.add(Text("(no graph nodes)", style="dim"))
        return Group(tree)
    inputs: dict[str, list[str]] = {}
    for src, dst, _ in view.edges:
        inputs.setdefault(dst, []).append(src)
    items: dict[str, OpItem | LeafItem] = {op.key: op for op in view.ops}
    items.update({lf.key: lf for lf in view.leaves})
    inputs_saved = {}
    for s in view.saved:
        if s.leaf == "input":
            for h in s.holders:
                inputs_saved.setdefault(h, []).append(s)

    seen: set[str] = set()
    lines = 0
    skipped = 0
    stack: list[tuple[str, Tree]] = [(k, tree) for k in reversed(view.roots)]
    while stack:
        key, parent = stack.pop()
        item = items.get(key)
        if item is None:
            continue
        if lines >= max_lines:
            skipped += 1
            continue
        lines += 1
        if key in seen:
            label = item.op if isinstance(item, OpItem) else (item.name or f"tensor {item.tensor}")
            parent.add(Text(f"^ {label} (shown above)", style="dim"))
            continue
        seen.add(key)
        if isinstance(item, LeafItem):
            parent.add(_leaf_text(item))
            continue
        branch = parent.add(_op_text(item))
        for s in inputs_saved.get(key, ()):
            style = "dim" if s.freed else ""
            branch.add(Pieces(*(Text(line, style=style) for line in saved_lines(s, key))))
        if item.more_inputs:
            branch.add(Text(f"... {item.more_inputs} more inputs not drawn", style="dim"))
        for src in reversed(inputs.get(key, [])):
            stack.append((src, branch))
    if skipped:
        tree.add(Text(f"... {skipped} more lines not shown", style="dim"))
    notes = [Pieces(Text(f"note: {note}", style="dim italic")) for note in view.notes]
    return Group(tree, *notes)
