"""A self-contained HTML report: one file, no scripts, nothing fetched when opened.

The page holds the summary, the findings (when given), the memory timeline (inline SVG),
the graph before and after backward (inline SVG from Graphviz, with each box given an id:
``node-N`` for an op, ``tensor-T`` for a leaf, ``saved-B`` for a saved buffer; the graph
after backward uses the prefix ``after-``), and the memory tables. A band of the timeline
links to its node's box; every link of the page lands on an id of the page (a link to a
node or leaf the graph does not draw is dropped, or goes to the buffer's saved box).

Example::

    page = html_report(title="run.gstrace", report=build_report(events, baseline),
                       timeline=timeline_svg(tl), graphs=[("before backward", svg)])
    open("report.html", "w").write(page)
"""

from __future__ import annotations

import re
from html import escape

from .fmt import exact_bytes, human_bytes, short_site
from .memory_table import LABELS

CSS = """
body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#222;
padding:0 16px;line-height:1.4}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid
#ddd;padding-bottom:4px}h3{font-size:14px;margin:18px 0 6px}
.summary{color:#444}.figure{overflow-x:auto;border:1px solid #eee;padding:8px;margin:8px 0}
.figure svg{max-width:100%;height:auto}
table{border-collapse:collapse;margin:6px 0 14px;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}td.n,th.n{text-align:right}
tr.total td{font-weight:bold}th{background:#f4f4f4}
.finding{border-left:4px solid #b03a2e;background:#fbeeee;padding:6px 10px;margin:6px 0}
.finding.info{border-color:#4a6fa5;background:#eef3fa}.muted{color:#777}
a{color:#1f4e8c}.graphs{display:flex;flex-wrap:wrap;gap:12px}.graphs>div{flex:1 1 420px}
footer{margin-top:40px;color:#888;font-size:12px}
"""

_PROLOGUE = re.compile(r"<\?xml.*?\?>|<!DOCTYPE.*?>|<!--.*?-->", re.S)
_NODE_ID = re.compile(r'<g id="(node\d+)" class="node">\s*<title>([nts])(\d+)</title>')
_KINDS = {"n": "node", "t": "tensor", "s": "saved"}


def inline_svg(svg: str, prefix: str = "") -> str:
    """A Graphviz SVG document ready to sit inside HTML: no XML prologue or comments, and
    each box's id set to ``{prefix}node-N`` / ``tensor-T`` / ``saved-B`` after its DOT name."""
    body = _PROLOGUE.sub("", svg).strip()

    def rename(m: re.Match) -> str:
        return (f'<g id="{prefix}{_KINDS[m.group(2)]}-{m.group(3)}" class="node">'
                f"<title>{m.group(2)}{m.group(3)}</title>")  # fmt: skip

    return _NODE_ID.sub(rename, body)


def _table(head: list[str], rows: list[list[str]], numeric: set[int], totals: bool = False) -> str:
    cls = [' class="n"' if i in numeric else "" for i in range(len(head))]
    out = [
        "<table><tr>"
        + "".join(f"<th{cls[i]}>{escape(h)}</th>" for i, h in enumerate(head))
        + "</tr>"
    ]
    for k, row in enumerate(rows):
        tr = ' class="total"' if totals and k == len(rows) - 1 else ""
        cells = "".join(f"<td{cls[i]}>{cell}</td>" for i, cell in enumerate(row))
        out.append(f"<tr{tr}>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def memory_rows_table(rows: list[dict]) -> str:
    """``memory_table.memory_rows`` as an HTML table."""
    change = rows and rows[0].get("change_bytes") is not None
    head = ["memory", "count", "bytes", "exact bytes"] + (["change"] if change else [])
    body = []
    for r in rows:
        cells = [
            escape(r["label"]),
            str(r["count"]),
            human_bytes(r["bytes"]),
            exact_bytes(r["bytes"]),
        ]
        if change:
            cells.append(("+" if r["change_bytes"] > 0 else "") + human_bytes(r["change_bytes"]))
        body.append(cells)
    return _table(head, body, {1, 2, 3, 4}, totals=True)


def _node_link(node: int | None, text: str) -> str:
    if node is None:
        return escape(text)
    return f'<a href="#node-{node}">{escape(text)}</a>'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("s" if n != 1 else "")


def link_aliases(page: str, aliases: dict[int, int]) -> str:
    """Point each ``href="#node-N"`` at the box that draws node N (a run of identical ops
    is one box, whose id names the run's first node)."""

    def move(m: re.Match) -> str:
        n = int(m.group(1))
        return f'href="#node-{aliases.get(n, n)}"'

    return re.sub(r'href="#node-(\d+)"', move, page)


def _summary(report: dict) -> str:
    peak_at = (
        f" at seq {report['peak_seq']} ({report['peak_event']})"
        if report["peak_seq"] is not None
        else ""
    )
    parts = [
        f"{report['events']} events, {report['nodes']} graph nodes, "
        f"{report['saved_tensors']} saved tensors, {_plural(len(report['backwards']), 'backward call')}",
        f"peak <b>{human_bytes(report['peak_bytes'])}</b> ({exact_bytes(report['peak_bytes'])} B){peak_at}",
        f"live at end <b>{human_bytes(report['live_at_end_bytes'])}</b>",
    ]
    return '<p class="summary">' + "<br>".join(parts) + "</p>"


def _findings(findings: list[dict] | None) -> str:
    if findings is None:
        return ""
    out = ['<h2 id="findings">Findings</h2>']
    if not findings:
        out.append('<p class="muted">no findings: the checks found nothing to report</p>')
    for f in findings:
        level = str(f.get("severity") or f.get("level") or "")
        cls = "finding info" if level in ("info", "note") else "finding"
        name = f.get("check") or f.get("rule") or level
        head = f.get("title") or f.get("message") or ""
        parts = [f"<b>{escape(str(name))}</b> {escape(str(head))}"]
        where = []
        if f.get("node") is not None:
            where.append(_node_link(f["node"], f"{f.get('op') or 'node'} #{f['node']}"))
        if f.get("site"):
            where.append(escape(short_site(str(f["site"]))))
        if f.get("bytes"):
            where.append(human_bytes(int(f["bytes"])))
        if where:
            parts.append('<br><span class="muted">' + ", ".join(where) + "</span>")
        for d in f.get("details") or ():
            parts.append(f"<br>{escape(str(d))}")
        if f.get("fix"):
            parts.append(f"<br><i>fix:</i> {escape(str(f['fix']))}")
        out.append(f'<div class="{cls}">{"".join(parts)}</div>')
    return "\n".join(out)


def _report_tables(report: dict) -> str:
    out = ['<h2 id="memory">Memory</h2>', "<h3>by role</h3>"]
    rows = []
    for role, end in report["by_role"].items():
        pk = report["by_role_at_peak"].get(role, {"bytes": 0})["bytes"]
        rows.append([escape(LABELS.get(role, role)), human_bytes(pk), exact_bytes(pk),
                     human_bytes(end["bytes"]), exact_bytes(end["bytes"])])  # fmt: skip
    out.append(_table(["memory", "at peak", "exact", "at end", "exact"], rows, {1, 2, 3, 4}))
    if report["top_nodes"]:
        out.append("<h3>nodes holding the most saved bytes</h3>")
        rows = [
            [_node_link(n["node"], f"#{n['node']}"), escape(n["op"]), human_bytes(n["saved_bytes"]),
             escape(", ".join(n["slots"])), escape(short_site(n["stack"])),
             "freed" if n["freed"] else "held"]
            for n in report["top_nodes"]
        ]  # fmt: skip
        out.append(_table(["node", "op", "saved", "slots", "where", "state"], rows, {2}))
    if report["backwards"]:
        out.append("<h3>around each backward</h3>")
        rows = []
        for bw in report["backwards"]:
            root = _node_link(bw["root"], f"{bw['root_op'] or 'node'} #{bw['root']}")
            end = bw["end_seq"] if bw["end_seq"] is not None else "(unfinished)"
            rows.append([str(bw["index"]), root, f"{bw['start_seq']}..{end}",
                         human_bytes(bw["live_before_bytes"]), human_bytes(bw["peak_bytes"]),
                         human_bytes(bw["live_after_bytes"]), human_bytes(bw["freed_bytes"]),
                         human_bytes(bw["grad_bytes"])])  # fmt: skip
        head = ["#", "root", "seq", "live before", "peak", "live after", "freed", "grads"]
        out.append(_table(head, rows, {0, 3, 4, 5, 6, 7}))
    return "\n".join(out)


def html_report(
    *,
    title: str,
    report: dict,
    timeline: str | None = None,
    graphs: list[tuple[str, str]] | None = None,
    memory_tables: list[tuple[str, list[dict]]] | None = None,
    findings: list[dict] | None = None,
    version: str = "",
    aliases: dict[int, int] | None = None,
) -> str:
    """The report page. ``report``: ``report.build_report``'s dict; ``timeline``: the
    timeline SVG; ``graphs``: (caption, Graphviz SVG) pairs, the first one's boxes get the
    plain ids; ``memory_tables``: (caption, ``memory_rows``); ``findings``: dicts with ``check``,
    ``title`` and optionally ``node``, ``op``, ``site``, ``bytes``, ``details``, ``fix``
    (None: no findings section); ``aliases``: node id -> the node whose box draws it."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>gradscope report: {escape(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>gradscope report: {escape(title)}</h1>",
        _summary(report),
    ]
    for w in report.get("warnings", []):
        out.append(f'<div class="finding">{escape(w)}</div>')
    out.append(_findings(findings))
    if timeline:
        out.append('<h2 id="timeline">Memory timeline</h2>')
        out.append('<p class="muted">live bytes by role over the event sequence; the largest '
                   "buffers are bands of their own: hover for their node, click to find it in the "
                   "graph</p>")  # fmt: skip
        out.append(f'<div class="figure">{inline_svg(timeline)}</div>')
    if graphs:
        out.append('<h2 id="graph">Graph</h2><div class="graphs">')
        for k, (caption, svg) in enumerate(graphs):
            prefix = "" if k == 0 else "after-" if "after" in caption else f"g{k}-"
            out.append(f'<div><h3>{escape(caption)}</h3><div class="figure">'
                       f"{inline_svg(svg, prefix)}</div></div>")  # fmt: skip
        out.append("</div>")
    if memory_tables:
        out.append('<h2 id="backward-memory">Memory around backward</h2>')
        for caption, rows in memory_tables:
            out.append(f"<h3>{escape(caption)}</h3>")
            out.append(memory_rows_table(rows))
    out.append(_report_tables(report))
    out.append(f"<footer>made by gradscope {escape(version)}</footer></body></html>")
    page = "\n".join(out) + "\n"
    if aliases:
        page = link_aliases(page, aliases)
    return drop_dead_links(page)


_ID = re.compile(r'\sid="([^"]+)"')
_BAND_LINK = re.compile(r'<g id="buffer-(\d+)"><a href="#([^"]+)">')
_LINK = re.compile(r'<a href="#([^"]+)">(.*?)</a>', re.S)


def drop_dead_links(page: str) -> str:
    """The page with every in-page link landing on an id of the page: a band whose node or
    leaf the graph does not draw links to its buffer's saved box when there is one, and
    any other link to nothing keeps its text and loses the link."""
    ids = set(_ID.findall(page))

    def band(m: re.Match) -> str:
        buffer, target = m.group(1), m.group(2)
        if target not in ids and f"saved-{buffer}" in ids:
            target = f"saved-{buffer}"
        return f'<g id="buffer-{buffer}"><a href="#{target}">'

    def link(m: re.Match) -> str:
        return m.group(0) if m.group(1) in ids else m.group(2)

    return _LINK.sub(link, _BAND_LINK.sub(band, page))
