"""Timeline views (terminal chart, SVG), the Chrome export, the HTML report and the
Jupyter reprs, on hand-built events and on real traces."""

import json
import re
import xml.etree.ElementTree as ET

from rich.console import Console
from test_state_builder import relu_chain, square_sum

import gradscope as gs
from gradscope.state import fold_graph, fold_memory
from gradscope.state.timeline import ROWS, fold_timeline
from gradscope.views.chrome import chrome_json, chrome_trace
from gradscope.views.html_report import html_report, inline_svg
from gradscope.views.memory_table import memory_rows
from gradscope.views.report import build_report
from gradscope.views.timeline import LOOK, chart_lines, columns, holder_rows, timeline_chart
from gradscope.views.timeline_svg import link_target, timeline_svg

SVG = "{http://www.w3.org/2000/svg}"


def _render(renderable, width=80) -> str:
    c = Console(width=width, record=True, color_system=None)
    c.print(renderable)
    return c.export_text()


# -- terminal chart -----------------------------------------------------------------
def test_chart_fits_the_width_and_marks_the_peak():
    tl = fold_timeline(relu_chain(30, numel=100).events)
    for width in (60, 80, 120):
        lines = [t.plain for t in chart_lines(tl, width, height=8)]
        assert max(len(x) for x in lines) <= width
        assert "▼ peak" in lines[0]
        assert sum(1 for x in lines if "┤" in x or "│" in x) == 8
    text = _render(timeline_chart(tl, width=80, height=8))
    assert "backward 1: seq" in text and "from SumBackward0" in text
    assert "saved for backward" in text and "largest buffers live at the peak" in text


def test_each_row_has_its_own_character():
    chars = [LOOK[r][0] for r in ROWS]
    assert len(set(chars)) == len(chars)
    tl = fold_timeline(relu_chain(30, numel=100).events)
    body = "".join(t.plain for t in chart_lines(tl, 80, height=10)[1:11])
    assert LOOK["saved"][0] in body  # the chain's saved outputs dominate


def test_columns_keep_the_highest_point_and_carry_the_state():
    tl = fold_timeline(relu_chain(10, numel=100).events)
    cols = columns(tl, 200)  # more columns than points: the state is carried
    assert all(c is not None for c in cols)
    assert max(c.total for c in cols) == tl.peak_bytes
    narrow = columns(tl, 5)
    assert max(c.total for c in narrow) == tl.peak_bytes


def test_lanes_for_backward_and_marks():
    tl = fold_timeline(square_sum().events)
    lines = [t.plain for t in chart_lines(tl, 80, height=4)]
    bw = next(x for x in lines if x.lstrip().startswith("backward"))
    marks = next(x for x in lines if x.lstrip().startswith("marks"))
    assert "1━" in bw and "━" in bw
    assert "1" in marks[10:] and "2" in marks[10:]


def test_holder_rows():
    rows = holder_rows(fold_timeline(square_sum().events))
    assert rows[0]["tensor"] in ("x", "tensor 5", "tensor 3")
    assert {r["row"] for r in rows} <= set(ROWS)
    assert all(r["bytes"] >= rows[-1]["bytes"] for r in rows)


# -- SVG ------------------------------------------------------------------------------
def test_svg_is_well_formed_with_linked_bands():
    ev = relu_chain(12, numel=100).events
    tl = fold_timeline(ev, bands=6)
    svg = timeline_svg(tl, title="chain.py")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    groups = [i for i in ids if i.startswith("timeline-node-")]
    assert groups, "bands are grouped by node"
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert any(h.startswith("#node-") for h in links) and any(h == "#tensor-1" for h in links)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert any("ReluBackward0 #" in t and "chain.py:6" in t for t in titles)
    assert any(t.startswith("backward 1: seq") for t in titles)
    assert any("mark 'before backward'" in t for t in titles)
    assert "peak " in svg and "largest buffers live at the peak" in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_svg_band_rows_and_rest_bands():
    tl = fold_timeline(square_sum().events, bands=1)
    svg = timeline_svg(tl)
    assert 'class="band row-saved"' in svg and 'class="band row-leaf"' in svg
    assert "smaller buffers" in svg  # the rest of each row is one band
    assert link_target(tl, tl.bands[0]) == "node-2"  # x is saved by PowBackward0 #2


def test_svg_of_an_empty_trace():
    svg = timeline_svg(fold_timeline([]))
    ET.fromstring(svg)


# -- Chrome trace -----------------------------------------------------------------------
def test_chrome_trace_counters_instants_and_spans():
    ev = square_sum().events
    doc = chrome_trace(ev, {"scenario": "sq.py", "baseline_bytes": {}})
    evs = doc["traceEvents"]
    counters = [e for e in evs if e["ph"] == "C"]
    assert counters and all(e["name"] == "live bytes" for e in counters)
    seqs = {e.seq: e for e in ev}
    tl = fold_timeline(ev, max_points=None)
    assert [sum(e["args"].values()) for e in counters] == [
        seqs[p.seq].live_bytes for p in tl.points
    ]
    assert set(counters[0]["args"]) == {"leaf tensors", "activations", "saved for backward",
                                        "gradients", "other"}  # fmt: skip
    created = [e for e in evs if e.get("cat") == "node_created"]
    assert [e["args"]["op"] for e in created] == ["AccumulateGrad", "PowBackward0", "SumBackward0"]
    assert all(e["ph"] == "i" for e in created)
    freed = [e for e in evs if e.get("cat") == "graph_freed"]
    assert [e["name"] for e in freed] == ["free SumBackward0 #3", "free PowBackward0 #2"]
    (bw,) = [e for e in evs if e.get("cat") == "backward"]
    assert bw["ph"] == "X" and bw["dur"] > 0 and bw["args"]["end_seq"] == 19
    steps = [e for e in evs if e.get("cat") == "node_executed"]
    assert len(steps) == 3
    assert all(
        bw["ts"] <= s["ts"] and s["ts"] + s["dur"] <= bw["ts"] + bw["dur"] + 1e-6 for s in steps
    )
    marks = [e for e in evs if e.get("cat") == "mark"]
    assert [(m["name"], m["s"]) for m in marks] == [
        ("before backward", "g"),
        ("after backward", "g"),
    ]
    assert doc["otherData"]["peak_bytes"] == fold_timeline(ev).peak_bytes
    assert json.loads(chrome_json(ev))["traceEvents"]


# -- HTML report --------------------------------------------------------------------
GRAPHVIZ = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
 "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Generated by graphviz -->
<svg xmlns="http://www.w3.org/2000/svg"><g id="graph0" class="graph">
<g id="node1" class="node">
<title>n2</title><text>PowBackward0</text></g>
<g id="node2" class="node">
<title>t1</title><text>x</text></g>
<g id="node3" class="node">
<title>s1</title><text>saved</text></g></g></svg>"""


def test_inline_svg_drops_the_prologue_and_names_the_boxes():
    body = inline_svg(GRAPHVIZ)
    assert body.startswith("<svg") and "DOCTYPE" not in body and "<!--" not in body
    assert 'id="node-2"' in body and 'id="tensor-1"' in body and 'id="saved-1"' in body
    assert 'id="after-node-2"' in inline_svg(GRAPHVIZ, "after-")


def _external(page: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page)


def test_html_report_is_self_contained():
    ev = square_sum().events
    rep = build_report(ev, {})
    tl = fold_timeline(ev, bands=4)
    page = html_report(
        title="sq.py",
        report=rep,
        timeline=timeline_svg(tl),
        graphs=[("graph before backward 1", GRAPHVIZ), ("graph after backward 1", GRAPHVIZ)],
        memory_tables=[("memory at the end", memory_rows(fold_memory(ev)))],
        findings=[{"check": "growth", "title": "live bytes grow", "node": 2, "op": "PowBackward0",
                   "site": "/x/sq.py:4", "bytes": 12, "details": ["step 1: 12 B"], "fix": "drop it"}],
        version="0.1.0",
    )  # fmt: skip
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not _external(page), "nothing is fetched when the page opens"
    assert "<script" not in page and "@import" not in page and "url(" not in page
    assert page.count("<svg") == 3
    assert 'id="node-2"' in page and 'id="after-node-2"' in page
    assert 'href="#node-2"' in page  # the timeline band and the finding link to the graph
    assert "growth" in page and "sq.py:4" in page and "drop it" in page
    assert "saved for backward" in page and "around each backward" in page


def test_html_without_findings_module_has_no_findings_section():
    page = html_report(title="t", report=build_report(square_sum().events, {}))
    assert "Findings" not in page
    assert "no findings" in html_report(title="t", report=build_report([], {}), findings=[])


# -- Jupyter --------------------------------------------------------------------------
def test_trace_repr_html_and_snapshot_repr_svg(tmp_path):
    with gs.trace() as tr:
        x = gs.randn(4, requires_grad=True)
        y = (x * x).sum()
        gs.mark("before backward")
        y.backward()
    html = tr._repr_html_()
    assert "gradscope trace" in html and "<svg" in html and "memory timeline" in html
    assert not _external(html)
    snap = tr.snapshot("before backward")
    assert snap.seq is not None and snap.graph.nodes  # still the state snapshot
    svg = snap._repr_svg_()
    assert svg is None or ("<svg" in svg and "MulBackward0" in svg)
    tr.save(str(tmp_path / "t.gstrace"))
    loaded = gs.load_trace(str(tmp_path / "t.gstrace"))
    assert loaded._repr_html_().count("<svg") == 1


def test_graph_of_the_chain_has_op_boxes_the_timeline_links_to():
    ev = relu_chain(2, numel=10).events
    tl = fold_timeline(ev, bands=8)
    graph = fold_graph(ev)
    targets = {link_target(tl, b) for b in tl.bands}
    ops = {f"node-{n}" for n in graph.nodes if graph.nodes[n].op != "AccumulateGrad"}
    assert targets - {"tensor-1", None} <= ops
