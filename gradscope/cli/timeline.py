"""``gradscope mem timeline``: live bytes by role over the run, in the terminal and as SVG."""

from __future__ import annotations

from typing import Annotated

import typer

from gradscope.state.timeline import MAX_POINTS, fold_timeline
from gradscope.views.timeline import HEIGHT, timeline_chart
from gradscope.views.timeline_svg import BANDS, timeline_svg

from ._input import load
from ._show import finish
from ._write import refuse_overwriting, write_text
from .errors import boundary, out

EPILOG = """[bold]Examples[/]

  gradscope mem timeline scenarios/relu_chain_memory.py

  gradscope mem timeline run.gstrace --svg timeline.svg

  gradscope mem timeline mlp_training --height 6 --top 3"""


def timeline(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    svg: Annotated[str | None, typer.Option("--svg", help="Also write the timeline as an SVG picture (the largest buffers as bands linked to their nodes).", metavar="FILE")] = None,
    height: Annotated[int, typer.Option("--height", help="Rows of the terminal chart.", min=2, max=60)] = HEIGHT,
    top: Annotated[int, typer.Option("--top", help="How many of the largest buffers live at the peak to list.", min=0)] = 5,
) -> None:  # fmt: skip
    """Chart live bytes over the event sequence, stacked by role, with the peak's holders.

    Rows: leaf tensors, activations, saved for backward, gradients, other. Under the chart:
    the backward calls and marks, bytes by role at the peak and at the end, and the largest
    buffers live at the peak with their node's op and file:line.
    """
    with boundary():
        refuse_overwriting(source, {"--svg": svg})
        src = load(source)
        if src.ran:
            c = out()
            tl = fold_timeline(src.events, src.baseline, max_points=MAX_POINTS, top=top,
                               bands=BANDS if svg else 0)  # fmt: skip
            if svg:  # first: a file that cannot be written fails before the chart is printed
                title = src.header.get("scenario") or src.path
                write_text(svg, timeline_svg(tl, title=short_name(title)))
            c.print(timeline_chart(tl, width=c.width, height=height))
            if svg:
                c.print(f"wrote {svg}", soft_wrap=True, markup=False)
        finish(src)


def short_name(path: str) -> str:
    """The file name of a scenario or trace path, for titles."""
    return path.replace("\\", "/").rsplit("/", 1)[-1]
