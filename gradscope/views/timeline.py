"""The memory timeline in the terminal: a stacked bar chart of live bytes by row.

One column per slice of the event sequence (the slice's highest point, so the peak is
never lost), one character per row of the stack, a distinct character and colour per row
(legible without colour too). Under the chart: the seq axis, a lane with each backward
call, a lane with the marks, the legend with bytes at the peak and at the end, and the
largest buffers live at the peak with their node's op and the user's file:line.

Example::

    tl = fold_timeline(events, baseline)
    Console(width=100).print(timeline_chart(tl, width=100))
"""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ..state.timeline import ROWS, Holder, Timeline, TimelinePoint
from .fmt import Pieces, exact_bytes, human_bytes, shape_text, short_site
from .memory_table import LABELS

#: row -> (character, Rich style, SVG colour); one table for the terminal and the SVG.
LOOK: dict[str, tuple[str, str, str]] = {
    "baseline": ("·", "grey50", "#c8c8c8"),
    "leaf": ("░", "green", "#7fbf7f"),
    "activation": ("▒", "dodger_blue2", "#7fa7d9"),
    "saved": ("█", "dark_orange", "#e8a33d"),
    "grad": ("▓", "magenta", "#b57fc9"),
    "other": (":", "grey62", "#a0a0a0"),
}
#: Drawing order, bottom first: new activations land on top of the saved bytes and, once
#: saved, stay where they are (only their colour changes).
STACK: tuple[str, ...] = ("baseline", "leaf", "saved", "activation", "grad", "other")
HEIGHT = 10
MIN_COLUMNS = 10
LIST_SPANS = 3  # backward calls listed by name under the chart
LIST_MARKS = 9


def columns(tl: Timeline, cols: int) -> list[TimelinePoint | None]:
    """The point each of ``cols`` columns shows: the highest of its slice of the sequence,
    or, in a slice where nothing changed, the state carried from the last change before."""
    highest: dict[int, TimelinePoint] = {}
    last: dict[int, TimelinePoint] = {}
    for p in tl.points:
        c = column_of(tl, p.seq, cols)
        if c not in highest or p.total > highest[c].total:
            highest[c] = p
        last[c] = p
    out: list[TimelinePoint | None] = []
    carry = None
    for c in range(cols):
        out.append(highest.get(c, carry))
        carry = last.get(c, carry)
    return out


def column_of(tl: Timeline, seq: int, cols: int) -> int:
    """The column that ``seq`` falls in."""
    span = max(1, tl.last_seq - tl.first_seq + 1)
    return max(0, min(cols - 1, (seq - tl.first_seq) * cols // span))


def _cell(p: TimelinePoint | None, r: int, height: int, top: int) -> tuple[str, str]:
    if p is None or top <= 0:
        return " ", ""
    mid = (r + 0.5) * top / height
    cum = 0
    last_row = None
    for name in STACK:
        b = p.rows[ROWS.index(name)]
        if not b:
            continue
        cum += b
        last_row = name
        if cum >= mid:
            ch, style, _ = LOOK[name]
            return ch, style
    if r == 0 and last_row is not None:  # less than half a cell: still show it is there
        return "▁", LOOK[last_row][1]
    return " ", ""


def _lane(cols: int, items: list[tuple[int, int, str]], fill: str) -> str:
    """A line of ``cols`` characters: each item (start col, end col, label) as a run of
    ``fill``, with its label written where it fits; when the items crowd each other only
    the first and the last are labelled."""
    chars = [" "] * cols
    for a, b, _ in items:
        for c in range(a, b + 1):
            chars[c] = fill
    crowded = len(items) * 3 > cols
    taken = [False] * cols
    for k, (a, _b, label) in enumerate(items):
        if crowded and 0 < k < len(items) - 1:
            continue
        start = max(0, min(a, cols - len(label)))
        end = start + len(label)
        if not any(taken[start:end]):
            chars[start:end] = label
            for c in range(max(0, start - 1), min(cols, end + 1)):
                taken[c] = True
    return "".join(chars)


def chart_lines(tl: Timeline, width: int, height: int = HEIGHT) -> list[Text]:
    """The chart itself, as lines of styled text ``width`` characters wide at most."""
    top = tl.max_bytes
    label_w = max(len(human_bytes(top)), len("backward"), 3)
    cols = max(MIN_COLUMNS, width - label_w - 2)
    shown = columns(tl, cols)
    lines: list[Text] = []
    peak_col = column_of(tl, tl.peak_seq, cols) if tl.peak_seq is not None else None
    head = Text(" " * (label_w + 2))
    if peak_col is not None:
        tag = f"▼ peak {human_bytes(tl.peak_bytes)} at seq {tl.peak_seq}"
        marker = [" "] * cols
        start = peak_col if peak_col + len(tag) <= cols else max(0, peak_col - len(tag) + 1)
        if start == peak_col:
            marker[start : start + len(tag)] = tag
        else:
            tag = tag[1:] + " ▼"
            marker[start : start + len(tag)] = tag
        head.append("".join(marker).rstrip(), style="bold")
    lines.append(head)
    for r in range(height - 1, -1, -1):
        if r == height - 1:
            label = human_bytes(top)
        elif r == (height - 1) // 2:
            label = human_bytes(top * (r + 1) // height)
        else:
            label = ""
        line = Text(f"{label:>{label_w}} ┤" if label else " " * label_w + " │", style="dim")
        for p in shown:
            ch, style = _cell(p, r, height, top)
            line.append(ch, style=style)
        lines.append(line)
    lines.append(Text(f"{'0 B':>{label_w}} └" + "─" * cols, style="dim"))
    first, last = str(tl.first_seq), str(tl.last_seq)
    axis = "seq " + first
    gap = cols - len(axis) - len(last)
    lines.append(Text(" " * (label_w + 2) + axis + " " * max(1, gap) + last, style="dim"))
    if tl.spans:
        items = [
            (column_of(tl, s.start_seq, cols), column_of(tl, _end(tl, s), cols), f"{s.index}")
            for s in tl.spans
        ]
        lane = Text(f"{'backward':>{label_w}}  ", style="dim")
        lane.append(_lane(cols, items, "━").rstrip(), style="red")
        lines.append(lane)
    if tl.marks:
        items = [(column_of(tl, m.seq, cols),) * 2 + (str(i),) for i, m in _numbered(tl)]
        lane = Text(f"{'marks':>{label_w}}  ", style="dim")
        lane.append(_lane(cols, items, "▲").rstrip(), style="cyan")
        lines.append(lane)
    return lines


def _end(tl: Timeline, span) -> int:
    return span.end_seq if span.end_seq is not None else tl.last_seq


def _numbered(tl: Timeline):
    return list(enumerate(tl.marks, 1))


def legend_lines(tl: Timeline) -> list[Text]:
    """One line per row of the stack: its character, bytes at the peak and at the end."""
    out = []
    for i, name in enumerate(ROWS):
        if name == "baseline" and not (tl.peak_rows[i] or tl.end_rows[i]):
            continue
        ch, style, _ = LOOK[name]
        line = Text("  ")
        line.append(ch * 2, style=style)
        line.append(f" {LABELS[name]:<22}{human_bytes(tl.peak_rows[i]):>10} at peak")
        line.append(f"{human_bytes(tl.end_rows[i]):>10} at end")
        out.append(line)
    return out


def notes_lines(tl: Timeline) -> list[str]:
    """The backward calls and marks the lanes number, in words."""
    out = []
    for s in tl.spans[:LIST_SPANS]:
        end = s.end_seq if s.end_seq is not None else "(unfinished)"
        root = f" from {s.op} #{s.root}" if s.op else ""
        site = short_site(s.stack)
        out.append(
            f"backward {s.index}: seq {s.start_seq}..{end}{root}" + (f" ({site})" if site else "")
        )
    if len(tl.spans) > LIST_SPANS:
        out.append(f"... and {len(tl.spans) - LIST_SPANS} more backward calls")
    marks = [f"{i} {m.label!r} (seq {m.seq})" for i, m in _numbered(tl)[:LIST_MARKS]]
    if marks:
        more = len(tl.marks) - LIST_MARKS
        out.append("marks: " + ", ".join(marks) + (f", ... and {more} more" if more > 0 else ""))
    return out


def holder_rows(tl: Timeline) -> list[dict]:
    """The largest buffers live at the peak, as plain rows."""
    return [_holder_row(h) for h in tl.holders]


def _holder_row(h: Holder) -> dict:
    node = f"{h.op} #{h.node}" if h.op else (f"node {h.node}" if h.node is not None else "-")
    what = h.name or (f"tensor {h.tensor}" if h.tensor is not None else "(engine buffer)")
    return {
        "buffer": h.buffer,
        "bytes": h.nbytes,
        "row": h.row,
        "label": LABELS.get(h.row, h.row),
        "tensor": what,
        "shape": shape_text(h.shape),
        "dtype": h.dtype,
        "node": node,
        "node_id": h.node,
        "where": short_site(h.stack),
        "saved_by": list(h.saved_by),
    }


def holders_table(tl: Timeline) -> Table | None:
    """A Rich table of ``holder_rows``, or None when nothing was live at the peak."""
    rows = holder_rows(tl)
    if not rows:
        return None
    title = f"largest buffers live at the peak (seq {tl.peak_seq})"
    t = Table(title=title, title_justify="left")
    # bytes never wrap; the text columns wrap, so they share what is left of the width
    t.add_column("bytes", justify="right", no_wrap=True)
    for col in ("memory", "tensor", "node", "where"):
        t.add_column(col, overflow="fold")
    for r in rows:
        path, sep, line = r["where"].rpartition(":")
        t.add_row(human_bytes(r["bytes"]), escape(r["label"]),
                  Pieces(r["tensor"], r["shape"], sep=" "), escape(r["node"]),
                  Pieces(path + sep, line, sep=""))  # fmt: skip
    return t


def timeline_chart(tl: Timeline, width: int = 100, height: int = HEIGHT) -> Group:
    """The whole terminal view: title, chart, lanes, legend, notes and the peak's holders."""
    title = Text(f"memory timeline  {tl.events} events, ", style="bold")
    if tl.peak_seq is not None:
        title.append(
            f"peak {human_bytes(tl.peak_bytes)} ({exact_bytes(tl.peak_bytes)} B) at seq {tl.peak_seq}"
        )
    else:
        title.append(f"peak {human_bytes(tl.peak_bytes)} (before the trace)")
    parts: list = [title, *chart_lines(tl, width, height), *legend_lines(tl)]
    parts += [Text(line) for line in notes_lines(tl)]
    table = holders_table(tl)
    if table is not None:
        parts.append(table)
    return Group(*parts)
