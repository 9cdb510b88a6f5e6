"""``gradscope run``: run a scenario and show memory and graph around each backward."""

from __future__ import annotations

import os
import re
from contextlib import nullcontext, suppress
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gradscope.autograd import set_detect_anomaly
from gradscope.state import Snapshot, resolve, snapshot_at_index
from gradscope.state.holders import Holders
from gradscope.views.dot import to_dot
from gradscope.views.explain import backward_steps, steps_table
from gradscope.views.fmt import human_bytes, short_site
from gradscope.views.graph_model import backward_roots, build_view
from gradscope.views.memory_table import memory_table
from gradscope.views.tree import graph_tree

from ._input import load
from ._show import binary_or_fail, finish, out_dir, saved_line, summary_line, write_picture
from ._write import refuse_overwriting
from .errors import CliError, boundary, out
from .step import capture_gradients, show_steps

STEP_ROWS = 40  # rows of the per-step table before the middle is cut
# the files written into --out: backward-N-before.svg and -after.svg, or graph.svg
PICTURES = re.compile(r"backward-\d+-(before|after)\.svg|graph\.svg")

EPILOG = """[bold]Examples[/]

  gradscope run scenarios/relu_chain_memory.py

  gradscope run my_script.py --save run.gstrace --out pictures/

  gradscope run scenarios/mlp_training.py --no-graph --explain

  gradscope run scenarios/square_sum.py --step"""


def run(
    scenario: Annotated[str, typer.Argument(help="A scenario script (.py), a bundled scenario's name, or a saved trace to replay.", metavar="SCENARIO.py|TRACE", show_default=False)],
    args: Annotated[list[str] | None, typer.Argument(help="Arguments for the script (after --).", metavar="ARGS", show_default=False)] = None,
    save: Annotated[str | None, typer.Option("--save", help="Also write the trace to this file.", metavar="TRACE")] = None,
    out_: Annotated[str, typer.Option("--out", help="Folder for the SVG pictures.", metavar="DIR")] = "gradscope-out",
    no_graph: Annotated[bool, typer.Option("--no-graph", help="Show memory only: no graph trees, no SVG files.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Add the backward step table: each node as it ran, its rule, what it sent on and freed.")] = False,
    dot_binary: Annotated[str | None, typer.Option("--dot-binary", help="Graphviz program: pure (default), system, or a path; else $GRADSCOPE_DOT.", metavar="BIN")] = None,
    step: Annotated[bool, typer.Option("--step", help="Walk each backward one node at a time: the gradient arriving, the local rule, what reaches .grad, what is freed, live bytes. In a terminal: Enter steps, c continues, b OP runs to an OP node, q quits; otherwise every step is printed as a table. The script runs first, with gradient values captured (a trace file shows shapes only).")] = False,
    anomaly: Annotated[bool, typer.Option("--anomaly", help="Anomaly detection: a backward that returns NaN or Inf fails the run, naming the node (drawn red) and the line that created it.")] = False,
) -> None:  # fmt: skip
    """Run a scenario under the recorder and show memory and the graph around each backward."""
    with boundary():
        folder = None if no_graph or step else out_
        refuse_overwriting(scenario, {"--save": save}, folder=("--out", folder, PICTURES))
        binary = None if no_graph or step else binary_or_fail(dot_binary)
        made = folder is not None and not os.path.isdir(folder)
        pictures = None if folder is None else out_dir(folder)  # before the script runs
        with (
            set_detect_anomaly(True) if anomaly else nullcontext(),
            capture_gradients(step) as grads,
        ):
            try:
                src = load(scenario, args, save)
            except BaseException:
                _drop_if_empty(pictures, made)
                raise
        if src.ran and step:
            show_steps(src, grads)
        elif src.ran:
            try:
                show(src.events, src.baseline, pictures=pictures, binary=binary,
                     explain=explain, title=src.path, final=src.final,
                     holders=src.header.get("holders"))  # fmt: skip
            except CliError:  # a picture failed: the trace was saved all the same
                saved_line(src, save)
                raise
        else:
            _drop_if_empty(pictures, made)
        finish(src, save)


def _drop_if_empty(folder: str | None, made: bool) -> None:
    """Remove the --out folder made for a run that drew nothing into it."""
    if folder is not None and made:
        with suppress(OSError):
            os.rmdir(folder)


def show(
    events: list,
    baseline: dict[str, int],
    *,
    pictures: str | None,
    binary: str | None,
    explain: bool = False,
    title: str = "",
    console: Console | None = None,
    final: Snapshot | None = None,
    holders: list | None = None,
) -> None:
    """Print the run report of ``events``; graph pictures go to the folder ``pictures``
    (None: no graphs at all). ``final`` is the state at the end, if already folded;
    ``holders`` the trace header's records of the names the script held tensors by (the
    graphs call leaves by them)."""
    c = console or out()
    named = Holders(holders)
    if final is None:
        final = snapshot_at_index(events, len(events), baseline)
    led, graph = final.memory, final.graph
    spans = led.backwards
    c.print(f"[bold]{escape(title)}[/]: {len(events)} events, {len(graph.nodes)} graph nodes, "
            f"{len(spans)} backward call{'s' * (len(spans) != 1)}", soft_wrap=True)  # fmt: skip
    if not spans:
        _show_end(c, final, pictures, binary, named)
    full = list(range(len(spans))) if len(spans) <= 2 else [0, len(spans) - 1]
    for i, span in enumerate(spans):
        if i in full:
            _show_backward(c, events, baseline, span, len(spans), pictures, binary, explain, named)
        if i == 0 and len(spans) > 2:
            c.print(_steps_table(spans[1:-1], graph))
    c.print(summary_line(graph, led), soft_wrap=True)


def _heading(graph, root: int | None) -> str:
    n = graph.nodes.get(root) if root is not None else None
    if n is None:
        return "root unknown"
    site = short_site(n.stack)
    return f"from {n.op} #{n.id}" + (f" ({site})" if site else "")


def _show_backward(c, events, baseline, span, total, out, binary, explain, named) -> None:
    i = span.index - 1
    start = resolve(events, span.start_seq) - 1  # the state just before backward_started
    end = resolve(events, span.end_seq) if span.end_seq is not None else len(events)
    before = snapshot_at_index(events, start, baseline)
    after = snapshot_at_index(events, end, baseline)
    root = span.root
    raised = " raised" if span.error else ""
    c.rule(escape(f"backward {i + 1} of {total} {_heading(after.graph, root)}{raised}"))
    if span.error:
        c.print(escape(f"it raised {span.error.splitlines()[0]}"), soft_wrap=True)
    devices = [d for d in after.memory.devices if after.memory.peak_by_device.get(d)]
    # several devices: one pair of tables per device this backward changed
    changed = [d for d in devices if before.memory.by_role(d) != after.memory.by_role(d)]
    per_device = changed if len(devices) > 1 and changed else [None]
    for dev in per_device:
        c.print(memory_table(before.memory, device=dev, title="memory before backward"))
        c.print(
            memory_table(after.memory, before.memory, device=dev, title="memory after backward")
        )
    if out is not None:
        vb = build_view(before.graph, [root] if root is not None else None, loss=root,
                        names=named.namer(before.seq))  # fmt: skip
        roots = backward_roots(after.graph, root, span.start_seq, span.end_seq)
        va = build_view(after.graph, roots, loss=root, names=named.namer(after.seq))
        c.print(graph_tree(vb, "graph before backward"))
        c.print(graph_tree(va, "graph after backward"))
        paths = []
        for view, when in ((vb, "before"), (va, "after")):
            path = os.path.join(out, f"backward-{i + 1}-{when}.svg")
            paths.append(
                write_picture(to_dot(view, f"{when} backward {i + 1}"), path, "svg", binary)
            )
        c.print("pictures: " + ", ".join(paths), soft_wrap=True, markup=False)
    if explain:
        c.print(
            steps_table(backward_steps(after.graph, i + 1), title=f"backward {i + 1}, step by step")
        )


def _show_end(c, end: Snapshot, out, binary, named: Holders) -> None:
    c.print(memory_table(end.memory, title="memory at the end (no backward ran)"))
    if out is not None:
        view = build_view(end.graph, names=named.namer(end.seq))
        c.print(graph_tree(view, "graph at the end"))
        path = os.path.join(out, "graph.svg")
        c.print("picture: " + write_picture(to_dot(view, "graph at the end"), path, "svg", binary),
                soft_wrap=True, markup=False)  # fmt: skip


def _steps_table(spans, graph) -> Table:
    first, last = spans[0].index, spans[-1].index
    title = (
        f"backward {first}, one line"
        if first == last
        else f"backward {first}..{last}, one line each"
    )
    t = Table(title=title, title_justify="left")
    # numbers never wrap; two-line headers and a root that folds keep them whole at 80 columns
    t.add_column("#", justify="right", no_wrap=True)
    t.add_column("root", overflow="fold")
    for col in ("nodes\nran", "live\nbefore", "peak", "live\nafter", "freed", "grads"):
        t.add_column(col, justify="right", no_wrap=True)
    shown = (
        spans
        if len(spans) <= STEP_ROWS
        else spans[: STEP_ROWS // 2] + [None] + spans[-STEP_ROWS // 2 :]
    )
    for s in shown:
        if s is None:
            t.add_row("", f"... {len(spans) - 2 * (STEP_ROWS // 2)} more")
            continue
        n = graph.nodes.get(s.root) if s.root is not None else None
        root = (f"{n.op} #{n.id}" if n else "?") + (" raised" if s.error else "")
        t.add_row(str(s.index), escape(root), str(s.nodes_run),
                  human_bytes(s.live_before), human_bytes(s.peak_bytes), human_bytes(s.live_after),
                  human_bytes(s.freed_bytes), human_bytes(s.grad_bytes))  # fmt: skip
    return t
