"""Memory timeline: live bytes by role over the event sequence, as one pure fold.

The fold runs the memory ledger over the events and keeps, at sampled points, the bytes
in each row (``ROWS``: bytes live before the trace, then the ledger's roles). It also
keeps the peak with the largest buffers live there (their node's op and the user's
file:line), the backward calls and marks, and the lifetime of the largest buffers (so a
picture can draw each as its own band, linked to its node).

A long trace is sampled: the events are cut into ``max_points`` equal runs and the point
with the most live bytes in each run is kept (the peak is always kept).

Example::

    tl = fold_timeline(events, baseline={"cpu": 0})
    tl.peak_bytes, tl.points[-1].total, [h.op for h in tl.holders]
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from ..events.bulk import gc_paused
from ..events.schema import Event
from .ledger import ROLES, BufferState, Ledger

#: Stacking order, bottom first: bytes that predate the trace, then the ledger's rows.
ROWS: tuple[str, ...] = ("baseline", *ROLES)
MAX_POINTS = 1000
TOP_HOLDERS = 5
_CHANGES = ("tensor_allocated", "tensor_freed", "tensor_saved", "grad_accumulated")


class TimelinePoint(NamedTuple):
    """Bytes per row (``ROWS`` order) right after event ``seq``."""

    seq: int
    t: float
    rows: tuple[int, ...]

    @property
    def total(self) -> int:
        """All live bytes at this point."""
        return sum(self.rows)

    def row(self, name: str) -> int:
        """Bytes in one row (``"saved"``, ``"leaf"``, ...)."""
        return self.rows[ROWS.index(name)]


class Holder(NamedTuple):
    """One buffer live at the peak, and the node it belongs to."""

    buffer: int
    nbytes: int
    row: str  # its row at the peak
    name: str | None
    shape: tuple
    dtype: str
    device: str | None
    tensor: int | None
    node: int | None  # the node holding it: the first that saved it, else its creator
    op: str | None
    stack: str | None
    saved_by: tuple[int, ...]  # the nodes holding it for backward at the peak


class Span(NamedTuple):
    """One backward call: from ``backward_started`` to ``backward_finished``."""

    index: int
    start_seq: int
    end_seq: int | None  # None: it never finished
    root: int | None
    op: str | None
    stack: str | None


class MarkPoint(NamedTuple):
    """A ``gs.mark(label)``."""

    seq: int
    label: str


class Band:
    """One large buffer over the points: its row at each point, None where it is not live."""

    __slots__ = ("buffer", "nbytes", "node", "op", "stack", "name", "tensor", "rows")

    def __init__(self, buffer: int, nbytes: int) -> None:
        self.buffer = buffer
        self.nbytes = nbytes
        self.node: int | None = None
        self.op: str | None = None
        self.stack: str | None = None
        self.name: str | None = None
        self.tensor: int | None = None
        self.rows: list[str | None] = []  # one per point

    def __repr__(self) -> str:
        return f"<band buffer {self.buffer}: {self.nbytes} B, node {self.node}>"


class Timeline:
    """Live bytes by row over a trace, the peak and who held it, backward calls and marks."""

    def __init__(self) -> None:
        self.points: list[TimelinePoint] = []
        self.events = 0
        self.first_seq = 0
        self.last_seq = 0
        self.peak_bytes = 0
        self.peak_seq: int | None = None  # None: the peak is what predates the trace
        self.peak_rows: tuple[int, ...] = (0,) * len(ROWS)
        self.holders: list[Holder] = []
        self.spans: list[Span] = []
        self.marks: list[MarkPoint] = []
        self.bands: list[Band] = []
        self.nodes: dict[int, tuple] = {}  # node -> (op, file:line, output tensor)
        self.end_rows: tuple[int, ...] = (0,) * len(ROWS)

    @property
    def max_bytes(self) -> int:
        """The largest total among the points (the peak, unless sampling hid it)."""
        return max([p.total for p in self.points] + [self.peak_bytes])

    def point_at(self, seq: int) -> TimelinePoint | None:
        """The last point at or before ``seq``."""
        i = bisect_right([p.seq for p in self.points], seq)
        return self.points[i - 1] if i else None

    def __repr__(self) -> str:
        return f"<Timeline: {len(self.points)} points, peak {self.peak_bytes} B>"


def _rows_of(led: Ledger, totals: dict[str, int]) -> tuple[int, ...]:
    return (sum(led.baseline.values()), *(totals[r] for r in ROLES))


def _sample(events: Sequence[Event], max_points: int | None) -> tuple[set[int] | None, int]:
    """Indices to keep (None: every change), and the index of the recorded peak."""
    n = len(events)
    peak = max(range(n), key=lambda i: events[i].live_bytes) if n else -1
    if not max_points or n <= max_points:
        return None, peak
    keep = {peak, n - 1}
    step = n / max_points
    for b in range(max_points):
        lo, hi = int(b * step), min(n, int((b + 1) * step))
        if lo < hi:
            keep.add(max(range(lo, hi), key=lambda i: events[i].live_bytes))
    return keep, peak


def _band_buffers(events: Sequence[Event], count: int) -> dict[int, Band]:
    """The ``count`` largest buffers of the trace (ties: the earliest)."""
    if count <= 0:
        return {}
    sizes: dict[int, int] = {}
    for e in events:
        k = e.kind
        if k == "tensor_allocated" or (k == "tensor_saved" and e.new) or k == "grad_accumulated":
            sizes.setdefault(e.buffer, e.nbytes)
    ranked = sorted(sizes, key=lambda b: (-sizes[b], b))[:count]
    return {b: Band(b, sizes[b]) for b in sorted(ranked)}


def grad_name(name: str | None, names: dict[int, str]) -> str | None:
    """``"12.grad"`` (the engine's name for tensor 12's gradient) as ``"x.grad"`` when
    tensor 12 is called ``x``."""
    if name and name.endswith(".grad") and name[:-5].isdigit():
        leaf = names.get(int(name[:-5]))
        if leaf:
            return f"{leaf}.grad"
    return name


def _holder(b: BufferState, nodes: dict) -> Holder:
    saved = tuple(sorted(b.saved_by))
    node = saved[0] if saved else b.node
    op, stack, _ = nodes.get(node, (None, None, None)) if node is not None else (None,) * 3
    return Holder(b.buffer, b.nbytes, b.category, b.name, tuple(b.shape), b.dtype, b.device,
                  b.tensor, node, op, stack, saved)  # fmt: skip


def _top_holders(led: Ledger, nodes: dict, top: int) -> list[Holder]:
    live = sorted(led.live.values(), key=lambda b: (-b.nbytes, b.buffer))[:top]
    return [_holder(b, nodes) for b in live]


def fold_timeline(
    events: Sequence[Event],
    baseline: dict[str, int] | None = None,
    *,
    max_points: int | None = MAX_POINTS,
    top: int = TOP_HOLDERS,
    bands: int = 0,
) -> Timeline:
    """The memory timeline of ``events``.

    ``max_points``: how many points to keep at most (None: every change); ``top``: how many
    buffers to name at the peak; ``bands``: how many of the largest buffers to follow.
    """
    tl = Timeline()
    led = Ledger(baseline)
    totals = dict.fromkeys(ROLES, 0)
    tl.events = len(events)
    if events:
        tl.first_seq, tl.last_seq = events[0].seq, events[-1].seq
    keep, peak_index = _sample(events, max_points)
    followed = _band_buffers(events, bands)
    tl.bands = list(followed.values())
    nodes = tl.nodes
    names: dict[int, str] = {}  # tensor id -> its name
    dispatch = led._dispatch
    live = led.live
    node_saved = led.node_saved
    last_rows = _rows_of(led, totals)
    with gc_paused():
        for i, e in enumerate(events):
            kind = e.kind
            buffer_event = kind in _CHANGES
            if buffer_event:
                b = live.get(e.buffer)
                touched: tuple = (b,) if b is not None else ()
            elif kind == "graph_freed":
                touched = tuple(live[x] for x in node_saved.get(e.node, ()) if x in live)
            else:
                touched = ()
                _note(tl, e)
            for b in touched:
                totals[b.category] -= b.nbytes
            handler = dispatch.get(kind)
            if handler is not None:
                handler(e)
            if buffer_event:
                b = live.get(e.buffer)
                touched = (b,) if b is not None else ()
                if kind == "tensor_allocated" and e.name and e.tensor is not None:
                    names[e.tensor] = e.name
                if e.buffer in followed:
                    _describe(followed[e.buffer], b, e)
            for b in touched:
                if b.alive:
                    totals[b.category] += b.nbytes
            led.seq = e.seq
            if i == peak_index:
                tl.holders = _top_holders(led, nodes, top)
            if keep is not None and i not in keep:
                continue
            rows = _rows_of(led, totals)
            if rows != last_rows or not tl.points:
                last_rows = rows
                tl.points.append(TimelinePoint(e.seq, e.t, rows))
                for band in tl.bands:
                    bs = live.get(band.buffer)
                    band.rows.append(bs.category if bs is not None else None)
    led.events = len(events)
    tl.end_rows = _rows_of(led, totals)
    tl.peak_bytes, tl.peak_seq = led.peak_bytes, led.peak_seq
    if tl.peak_seq is not None and (peak_index < 0 or events[peak_index].seq != tl.peak_seq):
        # the recorded live bytes disagree with the ledger's: name the ledger's peak
        upto = [e for e in events if e.seq <= tl.peak_seq]
        tl.holders = _top_holders(Ledger(baseline).feed(upto), nodes, top)
    tl.holders = [
        h._replace(name=grad_name(h.name, names), op=nodes.get(h.node, (h.op,))[0],
                   stack=nodes.get(h.node, (None, h.stack))[1])
        for h in tl.holders
    ]  # fmt: skip
    for band in tl.bands:
        band.name = grad_name(band.name, names)
        if band.node is not None:
            band.op, band.stack, _ = nodes.get(band.node, (None, None, None))
    if tl.peak_seq is None:
        tl.holders = []
        tl.peak_rows = _rows_of(Ledger(baseline), dict.fromkeys(ROLES, 0))
    else:
        p = tl.point_at(tl.peak_seq)
        tl.peak_rows = p.rows if p is not None else tl.end_rows
    return tl


def _note(tl: Timeline, e: Event) -> None:
    """Keep what the timeline needs of an event that moves no bytes."""
    kind = e.kind
    if kind == "node_created":
        tl.nodes[e.node] = (e.op, e.stack, e.output)
    elif kind == "mark":
        tl.marks.append(MarkPoint(e.seq, e.label))
    elif kind == "backward_started":
        op, stack, _ = tl.nodes.get(e.root, (None, None, None))
        tl.spans.append(Span(len(tl.spans) + 1, e.seq, None, e.root, op, stack))
    elif kind == "backward_finished":
        for k in range(len(tl.spans) - 1, -1, -1):
            if tl.spans[k].end_seq is None:
                tl.spans[k] = tl.spans[k]._replace(end_seq=e.seq)
                break


def _describe(band: Band, b: BufferState | None, e: Event) -> None:
    """Note a followed buffer's node, name and tensor from an event that touches it."""
    if b is not None:
        band.name = band.name or b.name
        if band.tensor is None:
            band.tensor = b.tensor
    if band.node is None and e.kind != "tensor_freed":
        band.node = e.node  # its creator, else the first node that saved it or wrote it
