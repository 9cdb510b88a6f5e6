"""``gradscope mem diff``: buffers added and freed between two marks, or two traces."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gradscope.state.diff import diff_states
from gradscope.state.retention import point_index
from gradscope.state.snapshot import snapshot_at_index
from gradscope.views.diff import render_diff

from ._input import Source, load
from ._show import finish, finish_all
from .errors import CliError, boundary, out

EPILOG = """[bold]Examples[/]

  gradscope mem diff run.gstrace --from "step 1" --to "step 5"

  gradscope mem diff leaky.gstrace fixed.gstrace

  gradscope mem diff run.gstrace --from before --to after --json"""


def _state(src: Source, at: str):
    try:
        n = point_index(src.events, at, src.baseline)
    except ValueError as e:
        raise CliError(str(e)) from None
    return snapshot_at_index(src.events, n, src.baseline, at)


def diff(
    a: Annotated[str, typer.Argument(help="A scenario script (.py), a bundled scenario's name, or a saved trace.", metavar="A", show_default=False)],
    b: Annotated[str | None, typer.Argument(help="A second scenario or trace to compare with A.", metavar="[B]", show_default=False)] = None,
    from_: Annotated[str | None, typer.Option("--from", help="The first point (of A): a mark, a seq, before, after, peak, start or end. Default: start, or end with two inputs.", metavar="MARK")] = None,
    to: Annotated[str, typer.Option("--to", help="The second point (of B, or of A alone): default end.", metavar="MARK")] = "end",
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
    top: Annotated[int, typer.Option("--top", help="Rows of the by-node table.", min=1)] = 15,
) -> None:  # fmt: skip
    """Show the buffers and bytes added and freed between two points of one trace
    (--from MARK --to MARK), or between two traces or scenarios: by role, and by node (the
    op and the line of your code that ran it)."""
    with boundary():
        src_a = load(a, quiet=as_json)
        if src_a.exit_code == 130:  # Ctrl-C in A: the user wants to stop, not to run B
            finish(src_a)
        src_b = load(b, quiet=as_json) if b is not None else src_a
        if src_a.ran and src_b.ran:
            start = from_ or ("start" if b is None else "end")
            sa, sb = _state(src_a, start), _state(src_b, to)
            d = diff_states(sa.graph, sa.memory, sb.graph, sb.memory, same_trace=b is None)
            label_a = f"{a} at {start}" if b is not None else start
            label_b = f"{b} at {to}" if b is not None else to
            d.update(a=label_a, b=label_b, seq_a=sa.seq, seq_b=sb.seq)
            if as_json:
                typer.echo(json.dumps(d, indent=2))
            else:
                render_diff(d, out(), label_a, label_b, top=top)
        finish_all(*([src_a] if src_b is src_a else [src_a, src_b]))
