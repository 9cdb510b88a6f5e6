"""What Jupyter shows for a trace and for a snapshot: HTML and SVG, made from the events.

``trace_html`` is a summary table and the memory timeline (inline SVG); ``graph_svg`` is
the picture of a snapshot's graph (Graphviz through ``render.py``; None when no layout
program is installed, so Jupyter falls back to the text repr).

Example::

    from IPython.display import HTML
    HTML(trace_html(trace.header, trace.events))
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from ..events.schema import Event
from ..state.graph import GraphState
from ..state.timeline import fold_timeline
from .dot import to_dot
from .fmt import exact_bytes, human_bytes
from .graph_model import build_view
from .render import RenderError, render_dot
from .timeline_svg import timeline_svg

BANDS = 24
WIDTH = 760


def trace_html(header: dict, events: Sequence[Event]) -> str:
    """A summary of the trace and its memory timeline, as an HTML fragment."""
    baseline = (
        header.get("baseline_bytes") if isinstance(header.get("baseline_bytes"), dict) else {}
    )
    tl = fold_timeline(events, baseline, max_points=WIDTH, bands=BANDS)
    nodes = sum(1 for e in events if e.kind == "node_created")
    rows = [
        ("scenario", header.get("scenario") or "-"),
        ("events", f"{len(events):,}"),
        ("graph nodes", f"{nodes:,}"),
        ("backward calls", str(len(tl.spans))),
        ("peak", f"{human_bytes(tl.peak_bytes)} ({exact_bytes(tl.peak_bytes)} B)"
                 + (f" at seq {tl.peak_seq}" if tl.peak_seq is not None else "")),
        ("live at end", human_bytes(sum(tl.end_rows))),
    ]  # fmt: skip
    table = "".join(
        f'<tr><th style="text-align:left">{escape(k)}</th><td style="text-align:left">'
        f"{escape(str(v))}</td></tr>"
        for k, v in rows
    )
    svg = timeline_svg(tl, width=WIDTH) if events else ""
    return f'<div class="gradscope-trace"><b>gradscope trace</b><table>{table}</table>{svg}</div>'


def graph_svg(graph: GraphState, title: str | None = None) -> str | None:
    """The SVG text of a graph state's picture, or None when it cannot be drawn."""
    try:
        data = render_dot(to_dot(build_view(graph), title), "svg")
    except (RenderError, OSError):
        return None
    return data.decode("utf-8")
