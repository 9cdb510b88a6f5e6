"""Graph and memory state at one point of a trace.

``at`` names the point:

- ``None``: the end of the trace;
- an ``int``: the event with that ``seq`` (included);
- a ``str``: the first ``mark`` with that label (included). When no mark has it:
  ``"before"`` is just before the first ``backward_started``, ``"after"`` the last
  ``backward_finished`` (included), ``"end"`` the end, a string of digits that seq.

A mark's label wins over the keyword of the same name: whoever wrote
``gs.mark("after")`` named that point on purpose.

Example::

    snap = snapshot(trace.events, "before", baseline={"cpu": 0})
    snap.seq, snap.memory.live_bytes, len(snap.graph.nodes)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..events.schema import Event
from .graph import GraphState, fold_graph
from .ledger import Ledger, fold_memory


class SnapshotError(ValueError):
    """``at`` names no point of the trace; the message is one line for the user."""


class Snapshot(NamedTuple):
    """Graph and memory state after the events up to ``seq`` (None: no events)."""

    graph: GraphState
    memory: Ledger
    seq: int | None
    at: str | int | None


KEYWORDS = ("before", "after", "end")  # the points ``resolve`` knows by name


def resolve(
    events: Sequence[Event], at: str | int | None, keywords: Sequence[str] = KEYWORDS
) -> int:
    """How many leading events ``at`` covers (an index to slice ``events`` with).

    ``keywords`` are the names the caller accepts, for the message when ``at`` names no
    point (a caller that knows more points than these passes them all)."""
    if at is None:
        return len(events)
    if isinstance(at, bool):
        raise SnapshotError(f"cannot take a snapshot at {at!r}")
    if isinstance(at, int):
        return _at_seq(events, at)
    if not isinstance(at, str):
        raise SnapshotError(f"cannot take a snapshot at {at!r}")
    marked = mark_index(events, at)
    if marked is not None:
        return marked
    if at == "end":
        return len(events)
    if at == "before":
        for i, e in enumerate(events):
            if e.kind == "backward_started":
                return i
        raise SnapshotError("no backward in this trace, so there is no 'before'")
    if at == "after":
        for i in range(len(events) - 1, -1, -1):
            if events[i].kind == "backward_finished":
                return i + 1
        raise SnapshotError("no finished backward in this trace, so there is no 'after'")
    if at.strip().lstrip("-").isdigit():
        return _at_seq(events, int(at))
    labels = (e.label for e in events if e.kind == "mark")
    known = ", ".join(repr(x) for x in dict.fromkeys(labels)) or "none"
    words = ", ".join(repr(k) for k in keywords)
    raise SnapshotError(f"no mark {at!r} in this trace (marks: {known}; or give a seq, {words})")


def mark_index(events: Sequence[Event], label: str) -> int | None:
    """How many leading events the first mark labelled ``label`` covers (None: no such
    mark). Points named by a keyword look here first, so a user's mark wins."""
    for i, e in enumerate(events):
        if e.kind == "mark" and e.label == label:
            return i + 1
    return None


def _at_seq(events: Sequence[Event], seq: int) -> int:
    if not events:
        raise SnapshotError(f"seq {seq} is out of range: the trace has no events")
    last = events[-1].seq
    if seq < 0 or seq > last:
        raise SnapshotError(f"seq {seq} is out of range (0..{last})")
    # events are in seq order; in a recorded trace seq is the index
    if seq < len(events) and events[seq].seq == seq:
        return seq + 1
    lo, hi = 0, len(events)
    while lo < hi:
        mid = (lo + hi) // 2
        if events[mid].seq <= seq:
            lo = mid + 1
        else:
            hi = mid
    return lo


def snapshot(
    events: Sequence[Event],
    at: str | int | None = None,
    baseline: dict[str, int] | None = None,
) -> Snapshot:
    """Fold the events up to ``at`` into graph and memory state.

    ``baseline`` is the bytes per device that were live when the trace began
    (a trace header's ``baseline_bytes``). Raises ``SnapshotError`` for an unknown ``at``.
    """
    return snapshot_at_index(events, resolve(events, at), baseline, at)


def snapshot_at_index(
    events: Sequence[Event],
    n: int,
    baseline: dict[str, int] | None = None,
    at: str | int | None = None,
) -> Snapshot:
    """Fold the first ``n`` events (``n`` from ``resolve``, or any index)."""
    head = events[:n] if n < len(events) else events
    seq = head[n - 1].seq if n else None
    return Snapshot(fold_graph(head), fold_memory(head, baseline), seq, at)
