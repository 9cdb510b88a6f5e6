"""The memory timeline as an SVG picture, written by hand (no plotting library).

Live bytes over the event sequence, stacked by row (bytes from before the trace, leaf
tensors, activations, saved for backward, gradients, other). The largest buffers are
drawn as bands of their own, each inside ``<g id="timeline-node-N">`` and an
``<a href="#node-N">`` (or ``#tensor-T`` for a leaf's buffers), with a ``<title>`` that
names the node, op, tensor, bytes and the user's file:line; the rest of each row is one
band. Backward calls are shaded and labelled, marks are dashed lines, and the peak is
annotated with the largest buffers live there.

The ids match the ones the HTML report gives the graph's boxes (``node-N`` for an op,
``tensor-T`` for a leaf, ``saved-B`` for a saved buffer), so a click on a band in the
report jumps to its node in the graph.

Example::

    tl = fold_timeline(events, baseline, bands=BANDS)
    open("timeline.svg", "w").write(timeline_svg(tl, title="relu_chain_memory.py"))
"""

from __future__ import annotations

from xml.sax.saxutils import escape as _xml

from ..state.timeline import ROWS, Band, Holder, Timeline
from .fmt import exact_bytes, human_bytes, shape_text, short_site
from .memory_table import LABELS
from .timeline import LOOK, STACK

BANDS = 48  # buffers drawn as bands of their own
WIDTH = 960
CHART_H = 300
LEFT, RIGHT, TOP = 78, 16, 44
FONT = "Helvetica, Arial, sans-serif"
SPAN_FILL = "#f6e3e3"
MARK_COLOR = "#1a8a8a"
PEAK_COLOR = "#b03a2e"


def esc(text: object) -> str:
    """Text escaped for an SVG element or a double-quoted attribute."""
    return _xml(str(text), {'"': "&quot;"})


def link_target(tl: Timeline, band: Band | Holder) -> str | None:
    """The graph id a band (or a buffer live at the peak) links to: ``node-N`` for an op's
    buffer, ``tensor-T`` for a leaf's (its own buffer or its ``.grad``), None when the trace
    names neither."""
    node = tl.nodes.get(band.node) if band.node is not None else None
    if node is not None and node[0] == "AccumulateGrad":
        return f"tensor-{node[2]}" if node[2] is not None else None
    if band.node is not None:
        return f"node-{band.node}"
    return f"tensor-{band.tensor}" if band.tensor is not None else None


def band_title(tl: Timeline, band: Band) -> str:
    """The hover text of a band: node, op, tensor, bytes, file:line, buffer."""
    parts = []
    if band.op:
        parts.append(f"{band.op} #{band.node}")
    what = band.name or (f"tensor {band.tensor}" if band.tensor is not None else "engine buffer")
    parts.append(what)
    parts.append(f"{human_bytes(band.nbytes)} ({exact_bytes(band.nbytes)} B)")
    site = short_site(band.stack)
    if site:
        parts.append(site)
    parts.append(f"buffer {band.buffer}")
    return " · ".join(parts)


class _Scale:
    def __init__(self, tl: Timeline, width: int) -> None:
        self.first = tl.first_seq
        self.span = max(1, tl.last_seq + 1 - tl.first_seq)
        self.w = width - LEFT - RIGHT
        self.top = max(1, tl.max_bytes)

    def x(self, seq: float) -> float:
        return round(LEFT + (seq - self.first) * self.w / self.span, 1)

    def y(self, nbytes: float) -> float:
        return round(TOP + CHART_H - nbytes * CHART_H / self.top, 1)


def _layout(tl: Timeline) -> tuple[dict, dict]:
    """Per point, the (low, high, row) byte interval of each band and of the rest of each
    row, stacked in ``STACK`` order; None where it holds nothing."""
    n = len(tl.points)
    band_iv: dict[int, list] = {b.buffer: [None] * n for b in tl.bands}
    rest_iv: dict[str, list] = {r: [None] * n for r in ROWS}
    bands = sorted(tl.bands, key=lambda b: b.buffer)
    for i, p in enumerate(tl.points):
        base = 0
        for r in STACK:
            total = p.rows[ROWS.index(r)]
            used = 0
            for b in bands:
                if b.rows[i] == r:
                    band_iv[b.buffer][i] = (base + used, base + used + b.nbytes, r)
                    used += b.nbytes
            rest = max(0, total - used)
            if rest:
                rest_iv[r][i] = (base + used, base + used + rest, r)
            base += max(total, used)
    return band_iv, rest_iv


def _paths(ivs: list, xs: list[float], sc: _Scale) -> list[tuple[str, str]]:
    """Step-shaped outlines of the runs of consecutive intervals in one row: (row, d)."""
    out = []
    i, n = 0, len(ivs)
    while i < n:
        if ivs[i] is None:
            i += 1
            continue
        row = ivs[i][2]
        j = i
        while j + 1 < n and ivs[j + 1] is not None and ivs[j + 1][2] == row:
            j += 1
        top, bottom = [], []
        for k in range(i, j + 1):
            y1 = sc.y(ivs[k][1])
            top += [(xs[k], y1), (xs[k + 1], y1)]
        for k in range(j, i - 1, -1):
            y0 = sc.y(ivs[k][0])
            bottom += [(xs[k + 1], y0), (xs[k], y0)]
        pts = _squeeze(top + bottom)
        out.append((row, "M" + " L".join(f"{x},{y}" for x, y in pts) + " Z"))
        i = j + 1
    return out


def _squeeze(pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points in the middle of straight horizontal or vertical runs."""
    out: list[tuple[float, float]] = []
    for p in pts:
        if out and out[-1] == p:
            continue
        if len(out) >= 2:
            a, b = out[-2], out[-1]
            if (a[0] == b[0] == p[0]) or (a[1] == b[1] == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out


def timeline_svg(tl: Timeline, title: str = "", width: int = WIDTH) -> str:
    """The SVG document (text) of a memory timeline; ``tl`` folded with ``bands=`` > 0 to
    draw the largest buffers one by one."""
    sc = _Scale(tl, width)
    legend, below = _legend(tl, TOP + CHART_H + 62, width)
    holders_h = 18 * len(tl.holders) + 10 if tl.holders else 0
    height = below + holders_h
    o: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11" '
        'class="gradscope-timeline">',
        f"<title>{esc(_heading(tl, title))}</title>",
        "<style>.band:hover{opacity:.75}.band{stroke:#ffffff;stroke-width:.4}"
        "a text{fill:#1f4e8c}</style>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="bold">{esc(_heading(tl, title))}</text>',
    ]
    o += _spans(tl, sc)
    o += _axes(tl, sc)
    xs = [sc.x(p.seq) for p in tl.points] + [sc.x(tl.last_seq + 1)]
    band_iv, rest_iv = _layout(tl)
    o.append('<g id="timeline-rows">')
    for r in ROWS:
        for row, d in _paths(rest_iv[r], xs, sc):
            label = LABELS[row] if row != "baseline" else LABELS["baseline"]
            what = "smaller buffers" if tl.bands else "all buffers"
            o.append(f'<path class="band row-{row}" fill="{LOOK[row][2]}" d="{d}">'
                     f"<title>{esc(label)}: {what}</title></path>")  # fmt: skip
    o.append("</g>")
    o += _bands(tl, band_iv, xs, sc)
    o += _marks(tl, sc)
    o += _peak(tl, sc)
    o += legend
    o += _holders(tl, below)
    o.append("</svg>")
    return "\n".join(o) + "\n"


def _heading(tl: Timeline, title: str) -> str:
    head = f"{title}: " if title else ""
    where = f" at seq {tl.peak_seq}" if tl.peak_seq is not None else ""
    return f"{head}memory timeline, {tl.events} events, peak {human_bytes(tl.peak_bytes)}{where}"


def _bands(tl: Timeline, band_iv: dict, xs: list[float], sc: _Scale) -> list[str]:
    by_node: dict = {}
    for b in tl.bands:
        by_node.setdefault(b.node, []).append(b)
    o = ['<g id="timeline-bands">']
    for node, bands in by_node.items():
        gid = f' id="timeline-node-{node}" data-node="{node}"' if node is not None else ""
        o.append(f"<g{gid}>")
        for b in bands:
            target = link_target(tl, b)
            o.append(f'<g id="buffer-{b.buffer}">' + (f'<a href="#{target}">' if target else ""))
            for row, d in _paths(band_iv[b.buffer], xs, sc):
                o.append(f'<path class="band row-{row}" fill="{LOOK[row][2]}" d="{d}">'
                         f"<title>{esc(band_title(tl, b))} ({esc(LABELS[row])})</title></path>")  # fmt: skip
            o.append(("</a>" if target else "") + "</g>")
        o.append("</g>")
    o.append("</g>")
    return o


def _spans(tl: Timeline, sc: _Scale) -> list[str]:
    o = ['<g id="timeline-backwards">']
    for s in tl.spans:
        end = s.end_seq if s.end_seq is not None else tl.last_seq
        x0, x1 = sc.x(s.start_seq), sc.x(end + 1)
        root = f" from {s.op} #{s.root}" if s.op else ""
        tip = f"backward {s.index}: seq {s.start_seq}..{end}{root}"
        o.append(f'<rect x="{x0}" y="{TOP}" width="{round(x1 - x0, 1)}" height="{CHART_H}" '
                 f'fill="{SPAN_FILL}"><title>{esc(tip)}</title></rect>')  # fmt: skip
        label = f"backward {s.index}" if x1 - x0 > 70 else f"{s.index}"
        crowded = len(tl.spans) > 10 and 1 < s.index < len(tl.spans)  # label the ends only
        if not crowded and (x1 - x0 >= 6 * len(label) or s.index in (1, len(tl.spans))):
            o.append(f'<text x="{x0 + 2}" y="{TOP - 4}" fill="{PEAK_COLOR}">{esc(label)}</text>')
    o.append("</g>")
    return o


def _axes(tl: Timeline, sc: _Scale) -> list[str]:
    o = ['<g id="timeline-axes" stroke="#dddddd">']
    for k in range(5):
        b = sc.top * k / 4
        y = sc.y(b)
        o.append(f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + sc.w}" y2="{y}"/>')
        o.append(f'<text x="{LEFT - 6}" y="{y + 4}" text-anchor="end" stroke="none" '
                 f'fill="#555555">{esc(human_bytes(round(b)))}</text>')  # fmt: skip
    base = TOP + CHART_H
    o.append(f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + sc.w}" y2="{base}" stroke="#888888"/>')
    for seq in _ticks(tl.first_seq, tl.last_seq):
        x = sc.x(seq)
        o.append(f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 4}" stroke="#888888"/>')
        o.append(f'<text x="{x}" y="{base + 16}" text-anchor="middle" stroke="none" '
                 f'fill="#555555">{seq}</text>')  # fmt: skip
    o.append(f'<text x="{LEFT - 6}" y="{base + 16}" text-anchor="end" stroke="none" '
             'fill="#555555">seq</text>')  # fmt: skip
    o.append("</g>")
    return o


def _ticks(first: int, last: int, want: int = 8) -> list[int]:
    span = max(1, last - first)
    raw = span / want
    mag = 10 ** max(0, len(str(int(raw))) - 1)
    step = next((m * mag for m in (1, 2, 5, 10) if m * mag >= raw), 10 * mag)
    start = -(-first // step) * step
    return list(range(start, last + 1, step))


def _marks(tl: Timeline, sc: _Scale) -> list[str]:
    o = ['<g id="timeline-marks">']
    ends = [-1e9, -1e9]  # where the label on each of two lines ends
    base = TOP + CHART_H
    for m in tl.marks:
        x = sc.x(m.seq + 1)
        o.append(f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{base}" stroke="{MARK_COLOR}" '
                 f'stroke-dasharray="3,3"><title>mark {esc(repr(m.label))} at seq {m.seq}'
                 "</title></line>")  # fmt: skip
        width = _text_w(m.label) + 12
        left = x if x + width <= LEFT + sc.w else x - width  # near the right edge: leftwards
        anchor = "start" if left == x else "end"
        for line in (0, 1):
            if left > ends[line] + 4:
                ends[line] = left + width
                o.append(f'<text x="{x}" y="{base + 30 + 13 * line}" text-anchor="{anchor}" '
                         f'fill="{MARK_COLOR}">▲ {esc(m.label)}</text>')  # fmt: skip
                break
    o.append("</g>")
    return o


def _peak(tl: Timeline, sc: _Scale) -> list[str]:
    if tl.peak_seq is None:
        return []
    x = sc.x(tl.peak_seq)
    y = sc.y(tl.peak_bytes)
    text = f"peak {human_bytes(tl.peak_bytes)} at seq {tl.peak_seq}"
    anchor = "start" if x < LEFT + sc.w * 0.7 else "end"
    dx = 6 if anchor == "start" else -6
    return [
        '<g id="timeline-peak">',
        f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{TOP + CHART_H}" stroke="{PEAK_COLOR}" '
        'stroke-width="1.2"/>',
        f'<circle cx="{x}" cy="{y}" r="3" fill="{PEAK_COLOR}"/>',
        f'<text x="{x + dx}" y="{max(TOP + 12, y + 4)}" text-anchor="{anchor}" '
        f'fill="{PEAK_COLOR}" font-weight="bold">{esc(text)}</text>',
        "</g>",
    ]


def _text_w(text: str) -> int:
    """About how wide ``text`` is at the 11px font, in pixels."""
    return round(6.2 * len(text))


def _legend(tl: Timeline, y: int, width: int) -> tuple[list[str], int]:
    """The swatches, wrapped to ``width``; and the y below them."""
    o = ['<g id="timeline-legend">']
    x = LEFT
    for i, r in enumerate(ROWS):
        if r == "baseline" and not (tl.peak_rows[i] or tl.end_rows[i]):
            continue
        label = f"{LABELS[r]} {human_bytes(tl.peak_rows[i])} at peak"
        need = 16 + _text_w(label)
        if x > LEFT and x + need > width - RIGHT:
            x, y = LEFT, y + 18
        o.append(f'<rect x="{x}" y="{y - 9}" width="12" height="12" fill="{LOOK[r][2]}"/>')
        o.append(f'<text x="{x + 16}" y="{y + 1}">{esc(label)}</text>')
        x += need + 18
    o.append("</g>")
    return o, y + 30


def _holders(tl: Timeline, y: int) -> list[str]:
    if not tl.holders:
        return []
    o = [
        '<g id="timeline-holders">',
        f'<text x="{LEFT}" y="{y}" font-weight="bold">largest buffers live at the peak '
        f"(seq {tl.peak_seq})</text>",
    ]
    for k, h in enumerate(tl.holders, 1):
        node = f"{h.op} #{h.node}" if h.op else "-"
        what = h.name or (f"tensor {h.tensor}" if h.tensor is not None else "engine buffer")
        line = (f"{human_bytes(h.nbytes)}  {LABELS.get(h.row, h.row)}  {what} "
                f"{shape_text(h.shape)} {h.dtype}  {node}  {short_site(h.stack)}")  # fmt: skip
        text = f'<text x="{LEFT + 8}" y="{y + 18 * k}">{esc(line)}</text>'
        target = link_target(tl, h)
        o.append(f'<a href="#{target}">{text}</a>' if target else text)
    o.append("</g>")
    return o
