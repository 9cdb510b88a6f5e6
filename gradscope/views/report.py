"""The memory report: plain data from the events first, then Rich and JSON renderings.

``build_report`` returns a dict with snake_case keys and bytes as ints (``peak_bytes``,
``peak_seq``, ``live_at_end_bytes``, ``by_role``, ``by_device``, ``top_nodes`` with the
user's file:line, ``backwards`` each with a timeline around it, ``peak_buffers``: the
buffers live at the peak grouped by why they are alive, the ``top`` largest groups, with
``peak_buffers_more`` counting the groups, buffers and bytes of the rest, ``findings``: the
leak checks).

Example::

    rep = build_report(trace.events, trace.header.get("baseline_bytes"), top=5)
    print(report_json(rep)); render_report(rep, Console())
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..events.schema import Event
from ..state.graph import GraphState, fold_graph
from ..state.holders import Holders
from ..state.leaks import check
from ..state.ledger import Ledger, fold_memory
from ..state.retention import Retention
from ..state.snapshot import resolve
from .check import render_findings
from .fmt import Pieces, exact_bytes, human_bytes, short_site
from .memory_table import LABELS
from .why import peak_groups, peak_table

TIMELINE_POINTS = 16
TIMELINE_SHOWN = 5


def _roles(led: Ledger) -> dict[str, dict[str, int]]:
    return {r: {"count": t.count, "bytes": t.bytes} for r, t in led.by_role().items()}


def _top_nodes(graph: GraphState, top: int) -> list[dict]:
    ranked = [n for n in graph.nodes.values() if n.saved]
    ranked.sort(key=lambda n: (-n.saved_bytes, n.seq))
    out = []
    for n in ranked[:top]:
        out.append(
            {
                "node": n.id,
                "op": n.op,
                "saved_bytes": n.saved_bytes,
                "slots": [s.slot for s in n.saved],
                "stack": n.stack,
                "shape": list(n.shape),
                "dtype": n.dtype,
                "freed": n.freed,
            }
        )
    return out


def _timeline(led: Ledger, start: int, end: int | None, before: int) -> list[dict]:
    """Live bytes when the backward starts, then at each change until it ends (sampled)."""
    pts = [(start, before)]
    pts += [(s, b) for s, b in led.timeline if s > start and (end is None or s <= end)]
    if len(pts) > TIMELINE_POINTS:
        peak = max(range(len(pts)), key=lambda i: pts[i][1])
        step = (len(pts) - 1) / (TIMELINE_POINTS - 2)
        keep = {round(i * step) for i in range(TIMELINE_POINTS - 1)} | {peak, len(pts) - 1}
        pts = [pts[i] for i in sorted(keep)]
    return [{"seq": s, "live_bytes": b} for s, b in pts]


def build_report(
    events: Sequence[Event],
    baseline: dict[str, int] | None = None,
    *,
    top: int = 10,
    header: dict | None = None,
    graph: GraphState | None = None,
    memory: Ledger | None = None,
) -> dict:
    """The memory report of a trace as plain data (``graph``/``memory``: the final states,
    when already folded)."""
    led = memory if memory is not None else fold_memory(events, baseline)
    graph = graph if graph is not None else fold_graph(events)
    at_peak = led
    if led.peak_seq is not None and led.peak_seq != led.seq:
        at_peak = fold_memory(events[: resolve(events, led.peak_seq)], baseline)
    peak_kind = None
    if led.peak_seq is not None:
        peak_kind = events[resolve(events, led.peak_seq) - 1].kind
    backwards = []
    for span in led.backwards:
        root = graph.nodes.get(span.root) if span.root is not None else None
        backwards.append(
            {
                "index": span.index,
                "root": span.root,
                "root_op": root.op if root else None,
                "root_stack": root.stack if root else None,
                "start_seq": span.start_seq,
                "end_seq": span.end_seq,
                "retain_graph": span.retain_graph,
                "live_before_bytes": span.live_before,
                "saved_before_bytes": span.saved_before,
                "peak_bytes": span.peak_bytes,
                "peak_seq": span.peak_seq,
                "live_after_bytes": span.live_after,
                "freed_bytes": span.freed_bytes,
                "grad_bytes": span.grad_bytes,
                "nodes_run": span.nodes_run,
                "pool_before": span.pool_before,
                "pool_after": span.pool_after,
                "timeline": _timeline(led, span.start_seq, span.end_seq, span.live_before),
            }
        )
    warnings = []
    if led.mismatch_seq is not None:
        warnings.append(
            f"event {led.mismatch_seq}: the recorded live bytes differ from the sum of "
            "the buffers the events describe"
        )
    head = header or {}
    holders = Holders(head.get("holders"))
    peak_n = resolve(events, led.peak_seq) if led.peak_seq is not None else 0
    at_peak_ret = Retention(events, peak_n, baseline, holders, full=graph, memory=at_peak)
    groups = peak_groups(at_peak_ret)
    return {
        "scenario": head.get("scenario"),
        "events": len(events),
        "peak_bytes": led.peak_bytes,
        "peak_seq": led.peak_seq,
        "peak_event": peak_kind,
        "live_at_end_bytes": led.live_bytes,
        "baseline_bytes": sum((baseline or {}).values()),
        "by_role": _roles(led),
        "by_role_at_peak": _roles(at_peak),
        "by_device": {
            d: {
                "live_bytes": led.live_by_device.get(d, 0),
                "peak_bytes": led.peak_by_device.get(d, 0),
            }
            for d in led.devices
        },
        "nodes": len(graph.nodes),
        "saved_tensors": graph.saved_count,
        "top_nodes": _top_nodes(graph, top),
        "backwards": backwards,
        "peak_buffers": groups[:top],
        "peak_buffers_more": {
            "groups": len(groups[top:]),
            "buffers": sum(g["count"] for g in groups[top:]),
            "bytes": sum(g["bytes"] for g in groups[top:]),
        },
        "names_recorded": bool(holders),
        "findings": [f.as_dict() for f in check(events, baseline, holders)],
        "warnings": warnings,
    }


def report_json(report: dict) -> str:
    """The report as indented JSON text."""
    return json.dumps(report, indent=2) + "\n"


def _b(n: int) -> str:
    return f"{human_bytes(n)} ({exact_bytes(n)} B)" if abs(n) >= 1000 else human_bytes(n)


def _site(stack: str | None) -> Pieces:
    """``file:line``, broken after the colon when the column is narrow."""
    path, sep, line = short_site(stack).rpartition(":")
    return Pieces(path + sep, line, sep="")


def render_report(report: dict, console: Console) -> None:
    """Print the report to ``console`` as Rich text and tables."""
    where = (
        f" at seq {report['peak_seq']} ({report['peak_event']})"
        if report["peak_seq"] is not None
        else ""
    )
    saved = report["saved_tensors"]
    console.print(f"[bold]Memory report[/]  {report['events']} events, {report['nodes']} graph nodes, "
                  f"{saved} saved tensor{'s' * (saved != 1)}")  # fmt: skip
    console.print(f"peak: [bold]{_b(report['peak_bytes'])}[/]{where}")
    console.print(f"live at end: [bold]{_b(report['live_at_end_bytes'])}[/]")
    for w in report["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(w)}", markup=True)

    roles = Table(title="by role", title_justify="left")
    roles.add_column("memory", overflow="fold")
    for col in ("at peak", "exact", "at end", "exact"):
        roles.add_column(col, justify="right", no_wrap=True)
    for role, end in report["by_role"].items():
        pk = report["by_role_at_peak"].get(role, {"bytes": 0})["bytes"]
        roles.add_row(LABELS.get(role, role), human_bytes(pk), exact_bytes(pk),
                      human_bytes(end["bytes"]), exact_bytes(end["bytes"]))  # fmt: skip
    console.print(roles)

    devs = Table(title="by device", title_justify="left")
    devs.add_column("device", overflow="fold")
    for col in ("peak", "live at end"):
        devs.add_column(col, justify="right", no_wrap=True)
    for dev, d in report["by_device"].items():
        devs.add_row(escape(dev), _b(d["peak_bytes"]), _b(d["live_bytes"]))
    console.print(devs)

    if report["top_nodes"]:
        tops = Table(title="nodes holding the most saved bytes", title_justify="left")
        for col in ("node", "op", "saved", "slots", "where", "state"):
            numeric = col in ("node", "saved")
            tops.add_column(col, justify="right" if numeric else "left", overflow="fold",
                            no_wrap=numeric or col == "state")  # fmt: skip
        for n in report["top_nodes"]:
            tops.add_row(f"#{n['node']}", escape(n["op"]), _b(n["saved_bytes"]),
                         escape(", ".join(n["slots"])), _site(n["stack"]),
                         "freed" if n["freed"] else "held")  # fmt: skip
        console.print(tops)

    if report.get("peak_buffers"):
        console.print(peak_table(report["peak_buffers"], top=len(report["peak_buffers"])))
        more = report.get("peak_buffers_more") or {}
        if more.get("groups"):
            rows, bufs = more["groups"], more["buffers"]
            console.print(f"({rows} more row{'s' * (rows != 1)}: {bufs} buffer{'s' * (bufs != 1)}, "
                          f"{_b(more['bytes'])}; --top sets how many are listed)", style="dim",
                          highlight=False)  # fmt: skip
    if "findings" in report:
        console.print("leak checks", style="bold")
        render_findings(report["findings"], console, events=report["events"],
                        named=report.get("names_recorded", True))  # fmt: skip

    if not report["backwards"]:
        return
    bws = Table(title="around each backward", title_justify="left")
    # numbers never wrap; two-line headers, a root that folds and a seq range that breaks
    # after its ".." keep them whole at 80 columns
    bws.add_column("#", justify="right", no_wrap=True)
    bws.add_column("root", overflow="fold")
    bws.add_column("seq", overflow="fold")
    for col in ("live\nbefore", "peak", "live\nafter", "freed", "grads"):
        bws.add_column(col, justify="right", no_wrap=True)
    for bw in report["backwards"]:
        root = f"{bw['root_op']} #{bw['root']}" if bw["root_op"] else f"node {bw['root']}"
        end = bw["end_seq"] if bw["end_seq"] is not None else "(unfinished)"
        bws.add_row(str(bw["index"]), escape(root), Pieces(f"{bw['start_seq']}..", str(end), sep=""),
                    human_bytes(bw["live_before_bytes"]), human_bytes(bw["peak_bytes"]),
                    human_bytes(bw["live_after_bytes"]), human_bytes(bw["freed_bytes"]),
                    human_bytes(bw["grad_bytes"]))  # fmt: skip
    console.print(bws)
    for bw in report["backwards"][:TIMELINE_SHOWN]:
        for when in ("before", "after"):
            for dev, pool in sorted((bw[f"pool_{when}"] or {}).items()):
                if not isinstance(pool, dict):
                    continue
                console.print(f"backward {bw['index']} {when}: {escape(dev)} pool uses "
                              f"{_b(pool.get('used_bytes', 0))} of {_b(pool.get('total_bytes', 0))} "
                              "held by CuPy", highlight=False)  # fmt: skip
        pts = "  ".join(f"{p['seq']}:{exact_bytes(p['live_bytes'])}" for p in bw["timeline"])
        console.print(f"backward {bw['index']} timeline (seq:live bytes)  {pts}", highlight=False)
    if len(report["backwards"]) > TIMELINE_SHOWN:
        console.print(f"(timelines of the other {len(report['backwards']) - TIMELINE_SHOWN} "
                      "backwards are in --json)")  # fmt: skip
