"""``gradscope mem report``: peak, live at end, by role and device, top nodes, timelines."""

from __future__ import annotations

from typing import Annotated

import typer

from gradscope.views.report import build_report, render_report, report_json

from . import mem_check, mem_diff, mem_why
from ._help import command
from ._input import load
from ._show import finish
from .errors import boundary, out

EPILOG = """[bold]Examples[/]

  gradscope mem report scenarios/relu_chain_memory.py

  gradscope mem report run.gstrace --top 5

  gradscope mem report run.gstrace --json > report.json"""

app = typer.Typer(help="Memory of a run or a saved trace.", no_args_is_help=True, epilog=EPILOG)
command(app, "why", mem_why.why, mem_why.EPILOG)
command(app, "check", mem_check.check, mem_check.EPILOG)
command(app, "diff", mem_diff.diff, mem_diff.EPILOG)


def report(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (bytes as exact integers).")] = False,
    top: Annotated[int, typer.Option("--top", help="How many nodes to list by saved bytes, and rows of what the peak is made of (0 for none).", min=0)] = 10,
) -> None:  # fmt: skip
    """Print the memory report: peak, live at end, by role and device, top nodes, timelines.

    The top nodes are those holding the most saved bytes, with the user's file:line; the
    timeline shows live bytes around each backward.
    """
    with boundary():
        src = load(source, quiet=as_json)
        if src.ran:
            rep = build_report(src.events, src.baseline, top=top, header=src.header,
                               graph=src.final.graph, memory=src.final.memory)  # fmt: skip
            if as_json:
                typer.echo(report_json(rep), nl=False)
            else:
                render_report(rep, out())
        finish(src)


command(app, "report", report, EPILOG)
