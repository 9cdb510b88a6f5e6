"""``gradscope export``: a run or trace in another tool's format (Chrome trace / Perfetto)."""

from __future__ import annotations

from typing import Annotated

import typer

from gradscope.views.chrome import chrome_json

from ._input import load
from ._show import finish
from ._write import refuse_overwriting, write_text
from .errors import CliError, boundary, out

EPILOG = """[bold]Examples[/]

  gradscope export run.gstrace --chrome run.json

  gradscope export scenarios/mlp_training.py --chrome mlp.json

Open the file in Perfetto (ui.perfetto.dev) or chrome://tracing."""


def export(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    chrome: Annotated[str | None, typer.Option("--chrome", help="Write a Chrome trace (JSON) for Perfetto or chrome://tracing: a live-bytes counter by role, node creation and freeing, backward spans, marks.", metavar="OUT.json")] = None,
) -> None:  # fmt: skip
    """Export a run or a saved trace for other tools.

    --chrome writes the Chrome trace event format: a "live bytes" counter with one series
    per role, instant events when a node is created and when it frees its saved tensors,
    one span per backward call with one nested span per node it ran, and the marks.
    """
    with boundary():
        if not chrome:
            raise CliError("nothing to export: give --chrome OUT.json")
        refuse_overwriting(source, {"--chrome": chrome})
        src = load(source)
        if src.ran:
            write_text(chrome, chrome_json(src.events, src.header))
            out().print(f"wrote {chrome}", soft_wrap=True, markup=False)
        finish(src)
