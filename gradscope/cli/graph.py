"""``gradscope graph``: the autograd graph at one point, in the terminal and as pictures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from gradscope.events.schema import Event
from gradscope.state import GraphState, SnapshotError, snapshot_at_index
from gradscope.state.holders import Holders
from gradscope.state.retention import point_index
from gradscope.views.dot import to_dot
from gradscope.views.graph_model import COLLAPSE_MIN, MAX_OPS, build_view
from gradscope.views.tree import graph_tree

from ._input import load
from ._show import binary_or_fail, finish, write_picture
from ._write import refuse_overwriting
from .errors import CliError, boundary, out

EPILOG = """[bold]Examples[/]

  gradscope graph scenarios/square_sum.py

  gradscope graph run.gstrace --at "before backward" --svg before.svg

  gradscope graph run.gstrace --at after --png after.png --dot after.dot

  GRADSCOPE_DOT=/usr/bin/dot gradscope graph run.gstrace --svg g.svg"""


def graph(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    svg: Annotated[str | None, typer.Option("--svg", help="Write the graph as SVG.", metavar="FILE")] = None,
    png: Annotated[str | None, typer.Option("--png", help="Write the graph as PNG.", metavar="FILE")] = None,
    dot: Annotated[str | None, typer.Option("--dot", help="Write the DOT text.", metavar="FILE")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Where: a mark's label, an event seq, 'start', 'before' (the first backward), 'after' (the last), 'peak' or 'end' (the default).", metavar="MARK|SEQ|before|after|peak|...")] = None,
    dot_binary: Annotated[str | None, typer.Option("--dot-binary", help="Graphviz program: pure (default), system, or a path; else $GRADSCOPE_DOT.", metavar="BIN")] = None,
    max_nodes: Annotated[int, typer.Option("--max-nodes", help="Draw at most this many op boxes, those nearest the output (leaves, saved tensors and name tags come on top).", min=1)] = MAX_OPS,
    no_collapse: Annotated[bool, typer.Option("--no-collapse", help="Draw runs of identical ops one node each.")] = False,
) -> None:  # fmt: skip
    """Render the autograd graph: ops, leaves, saved tensors and their bytes, freed parts.

    Op boxes carry the grad_fn name, output shape and dtype and the user's file:line; runs
    of identical ops are drawn as one box with a count.
    """
    with boundary():
        refuse_overwriting(source, {"--svg": svg, "--png": png, "--dot": dot})
        binary = binary_or_fail(dot_binary) if (svg or png) else None
        src = load(source)
        if not src.ran:
            finish(src)
        try:
            n = len(src.events) if at is None else point_index(src.events, at, src.baseline)
        except SnapshotError as e:
            raise CliError(str(e)) from None
        snap = src.final if at is None else snapshot_at_index(src.events, n, src.baseline, at)
        view = build_view(
            snap.graph,
            loss=coming_loss(src.events, n, snap.graph),
            collapse_min=0 if no_collapse else COLLAPSE_MIN,
            max_ops=max_nodes,
            names=Holders(src.header.get("holders")).namer(snap.seq),
        )
        where = "the end" if at is None else repr(at)
        title = f"graph at {where} " + (
            f"(seq {snap.seq})" if snap.seq is not None else "(before any event)"
        )
        text = to_dot(view, title)
        # the files first: a picture that cannot be made fails before anything is printed
        wrote = [write_picture(text, path, fmt, binary)
                 for path, fmt in ((svg, "svg"), (png, "png"), (dot, "dot")) if path]  # fmt: skip
        c = out()
        c.print(graph_tree(view, title))
        for path in wrote:
            c.print(f"wrote {path}", soft_wrap=True, markup=False)
        finish(src)


def coming_loss(events: Sequence[Event], n: int, graph: GraphState) -> int | None:
    """The root of the first backward after the first ``n`` events, when ``graph`` already
    holds it (the loss about to be backwarded); None: the last backward's root is the loss."""
    for e in events[n:]:
        if e.kind == "backward_started":
            return e.root if e.root in graph.nodes else None
    return None
