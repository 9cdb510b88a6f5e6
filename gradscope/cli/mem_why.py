"""``gradscope mem why``: why buffers are alive, from the user's variable down to the buffer."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gradscope.state.retention import explain
from gradscope.views.why import render_why

from ._input import load
from ._show import finish
from .errors import CliError, boundary, out

EPILOG = """[bold]Examples[/]

  gradscope mem why leak_loss_accumulation

  gradscope mem why leak_loss_accumulation -- --fixed     (arguments for the script)

  gradscope mem why run.gstrace --at peak --top 3

  gradscope mem why run.gstrace --buffer 12 --at "step 3\""""


def why(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    buffer: Annotated[int | None, typer.Option("--buffer", help="The buffer to explain (ids are in mem report --json, under peak_buffers, and in the trace).", metavar="ID")] = None,
    top: Annotated[int, typer.Option("--top", help="Without --buffer: explain this many of the largest live buffers.", min=1)] = 5,
    args: Annotated[list[str] | None, typer.Argument(help="Arguments for the script (after --).", metavar="ARGS", show_default=False)] = None,
    at: Annotated[str | None, typer.Option("--at", help="Where: a mark's label, a seq, start, before, after, peak or end. Default: the peak; with --buffer, the last moment the buffer was live.", metavar="MARK|SEQ|peak|end|...")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the chains as JSON.")] = False,
) -> None:  # fmt: skip
    """Say why buffers are alive: the variable that holds each one, the tensor, the node and
    slot that saved it, the nodes downstream that keep that node, and the pattern's name.

    Variable names come from the script's frames, which gradscope reads at each mark, after
    each backward and at the end when it runs a scenario.
    """
    with boundary():
        src = load(source, args, quiet=as_json)
        if src.ran:
            try:
                ans = explain(src.events, src.baseline, src.header.get("holders"), buffer=buffer,
                              at=at, top=top)  # fmt: skip
            except ValueError as e:
                raise CliError(str(e)) from None
            if as_json:
                typer.echo(json.dumps(ans.as_dict(), indent=2))
            else:
                render_why(ans, out())
        finish(src)
