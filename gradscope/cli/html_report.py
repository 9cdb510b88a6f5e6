"""``gradscope report --html``: one self-contained HTML page of a run or a saved trace."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from gradscope import __version__
from gradscope.state import resolve, snapshot_at_index
from gradscope.state.holders import Holders
from gradscope.state.timeline import fold_timeline
from gradscope.views.dot import to_dot
from gradscope.views.graph_model import backward_roots, build_view
from gradscope.views.html_report import html_report
from gradscope.views.memory_table import memory_rows
from gradscope.views.render import RenderError, render_dot
from gradscope.views.report import build_report
from gradscope.views.timeline_svg import BANDS, timeline_svg

from ._input import Source, load
from ._show import binary_or_fail, finish
from ._write import refuse_overwriting, write_text
from .errors import CliError, boundary, out
from .timeline import short_name

TIMELINE_POINTS = 1000

EPILOG = """[bold]Examples[/]

  gradscope report scenarios/relu_chain_memory.py --html relu.html

  gradscope report run.gstrace --html report.html --top 5

  gradscope report run.gstrace --html report.html --no-graph"""


def report(
    source: Annotated[str, typer.Argument(help="A scenario script (.py) to run, a bundled scenario's name, or a saved trace.", metavar="SCENARIO.py|TRACE", show_default=False)],
    html: Annotated[str | None, typer.Option("--html", help="Write the report as one self-contained HTML file (nothing fetched when opened).", metavar="OUT.html")] = None,
    top: Annotated[int, typer.Option("--top", help="How many nodes to list by saved bytes.", min=0)] = 10,
    no_graph: Annotated[bool, typer.Option("--no-graph", help="Leave out the graph pictures (no Graphviz needed).")] = False,
    dot_binary: Annotated[str | None, typer.Option("--dot-binary", help="Graphviz program: pure (default), system, or a path; else $GRADSCOPE_DOT.", metavar="BIN")] = None,
) -> None:  # fmt: skip
    """Write an HTML report: summary, findings, memory timeline, graph before and after
    backward, and the memory tables, in one file that needs no network.

    The graph is drawn around the backward call with the peak (else the first one); each
    timeline band links to its node in the graph.
    """
    with boundary():
        if not html:
            raise CliError("nothing to write: give --html OUT.html")
        refuse_overwriting(source, {"--html": html})
        binary = None if no_graph else binary_or_fail(dot_binary)
        src = load(source)
        if src.ran:
            write_text(html, build_page(src, top=top, binary=binary, graphs=not no_graph))
            out().print(f"wrote {html}", soft_wrap=True, markup=False)
        finish(src)


def build_page(
    src: Source, *, top: int = 10, binary: str | None = None, graphs: bool = True
) -> str:
    """The HTML text of the report of ``src``."""
    events, baseline = src.events, src.baseline
    led = src.final.memory
    rep = build_report(events, baseline, top=top, header=src.header, graph=src.final.graph,
                       memory=led)  # fmt: skip
    name = short_name(src.header.get("scenario") or src.path)
    tl = fold_timeline(events, baseline, max_points=TIMELINE_POINTS, bands=BANDS)
    pictures: list[tuple[str, str]] = []
    aliases: dict[int, int] = {}
    tables: list[tuple[str, list[dict]]] = []
    span = _chosen_backward(led)
    if span is not None:
        start = resolve(events, span.start_seq) - 1
        end = resolve(events, span.end_seq) if span.end_seq is not None else len(events)
        before = snapshot_at_index(events, start, baseline)
        after = snapshot_at_index(events, end, baseline)
        which = f"backward {span.index} of {len(led.backwards)}"
        tables = [(f"memory before {which}", memory_rows(before.memory)),
                  (f"memory after {which}", memory_rows(after.memory, before.memory))]  # fmt: skip
        if graphs:
            drawn = (
                (before, [span.root] if span.root is not None else None, "before"),
                (
                    after,
                    backward_roots(after.graph, span.root, span.start_seq, span.end_seq),
                    "after",
                ),
            )
            named = Holders(src.header.get("holders"))
            for snap, roots, when in drawn:
                view = build_view(snap.graph, roots, loss=span.root, names=named.namer(snap.seq))
                if not aliases:
                    aliases = {m: op.members[0] for op in view.ops for m in op.members}
                caption = f"graph {when} {which}"
                pictures.append((caption, _svg(to_dot(view, caption), binary)))
    else:
        tables = [("memory at the end (no backward ran)", memory_rows(led))]
        if graphs:
            view = build_view(src.final.graph)
            aliases = {m: op.members[0] for op in view.ops for m in op.members}
            pictures.append(("graph at the end", _svg(to_dot(view, "graph at the end"), binary)))
    return html_report(title=name, report=rep, timeline=timeline_svg(tl, title=name),
                       graphs=pictures, memory_tables=tables, findings=findings(src),
                       version=__version__, aliases=aliases)  # fmt: skip


def _chosen_backward(led):
    """The backward call during which the peak happened, else the first one."""
    for span in led.backwards:
        end = span.end_seq if span.end_seq is not None else float("inf")
        if led.peak_seq is not None and span.start_seq <= led.peak_seq <= end:
            return span
    return led.backwards[0] if led.backwards else None


def _svg(dot: str, binary: str | None) -> str:
    try:
        return render_dot(dot, "svg", binary).decode("utf-8")
    except RenderError as e:
        raise CliError(str(e)) from None


def findings(src: Source) -> list[dict] | None:
    """The leak and retention checks' findings as dicts, when that module is installed;
    None when it is not (the report then has no findings section)."""
    checks = None
    for name in ("gradscope.state.leaks", "gradscope.state.checks"):
        try:
            checks = importlib.import_module(name)
            break
        except ImportError:
            continue
    check = getattr(checks, "check", None)
    if not callable(check):
        return None
    try:
        found = check(src.events, src.baseline, src.header.get("holders"))
    except Exception as e:  # an optional section must not cost the whole report
        return [{"check": "checks", "title": f"the checks could not run ({type(e).__name__}: {e})"}]
    out = []
    for f in found:
        if hasattr(f, "as_dict"):
            out.append(f.as_dict())
        elif isinstance(f, dict):
            out.append(f)
        else:
            out.append({"title": str(f)})
    return out
