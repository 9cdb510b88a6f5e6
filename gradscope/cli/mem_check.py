"""``gradscope mem check``: leak and retention checks; exit 1 with ``--strict`` on findings."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from gradscope.state.leaks import check as run_checks
from gradscope.views.check import render_findings

from ._input import load
from ._show import finish
from .errors import boundary, out

EPILOG = """[bold]Examples[/]

  gradscope mem check leak_retain_graph

  gradscope mem check leak_retain_graph -- --fixed      (arguments for the script)

  gradscope mem check my_training.py --strict      (exit 1 when something leaks)

  gradscope mem check run.gstrace --json"""


def check(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    args: Annotated[list[str] | None, typer.Argument(help="Arguments for the script (after --).", metavar="ARGS", show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit with code 1 when there are findings.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:  # fmt: skip
    """Look for leaks and retained graphs: memory growing across iterations, graphs kept
    after backward, retain_graph=True graphs never used again, losses accumulated with
    their graphs, hooks capturing tensors.

    Each finding names the node, the bytes and your file:line. A clean run says so.
    """
    with boundary():
        src = load(source, args, quiet=as_json)
        findings = []
        if src.ran:
            holders = src.header.get("holders")
            findings = [f.as_dict() for f in run_checks(src.events, src.baseline, holders)]
            if as_json:
                typer.echo(json.dumps({"events": len(src.events), "clean": not findings,
                                       "findings": findings}, indent=2))  # fmt: skip
            else:
                render_findings(findings, out(), events=len(src.events), named=bool(holders))
        finish(src)
        if strict and findings:
            raise typer.Exit(1)
