"""The ``gradscope`` Typer app: global options and the command table.

Exit codes: 0 success, 1 the scenario failed, 2 bad usage or unreadable input.
"""

from __future__ import annotations

from typing import Annotated

import typer

from . import export, graph, html_report, mem, run, scenarios, timeline
from ._help import command

app = typer.Typer(
    name="gradscope",
    help="Watch reverse-mode autograd: the graph it builds, the memory it holds, and what "
    "backward does with both.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""[bold]Examples[/]

  gradscope scenarios

  gradscope run scenarios/relu_chain_memory.py --save relu.gstrace

  gradscope graph relu.gstrace --at before --svg before.svg

  gradscope mem report relu.gstrace --json

  gradscope mem timeline relu.gstrace --svg timeline.svg

  gradscope report relu.gstrace --html report.html""",
)


def _version(value: bool) -> None:
    if value:
        from gradscope import __version__

        typer.echo(f"gradscope {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.", callback=_version, is_eager=True)] = False,
) -> None:  # fmt: skip
    """Watch reverse-mode autograd: the graph it builds, the memory it holds, and what
    backward does with both."""


command(app, "run", run.run, run.EPILOG)
command(app, "graph", graph.graph, graph.EPILOG)
command(mem.app, "timeline", timeline.timeline, timeline.EPILOG)
app.add_typer(mem.app, name="mem")
command(app, "report", html_report.report, html_report.EPILOG)
command(app, "export", export.export, export.EPILOG)
command(app, "scenarios", scenarios.scenarios, scenarios.EPILOG)


def main() -> None:
    """Console entry point."""
    app()
