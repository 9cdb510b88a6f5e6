"""The recorder: ``gs.trace()`` collects the event stream of everything run inside it.

A live trace and a trace loaded from a file are the same ``Trace`` object: a header and
a list of events. Everything else (memory state, graph state, reports) folds over that list.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import IO, Any

from .events import emit
from .events.bulk import gc_paused
from .events.schema import BY_KIND, Event, Mark, seconds_since
from .memory import buffers
from .state.snapshot import Snapshot
from .tracefile import reader, writer

_FLUSH_EVERY = 2048  # puts (of one to three events) between writes of a streamed trace
# ...and a streamed trace is written up to each of these: a mark is the user's checkpoint,
# and the end of a backward call the natural one, so a process that dies later (killed,
# os._exit) leaves them in the file
_CHECKPOINTS = frozenset({"mark", "backward_finished"})
# items in a raw event of each kind: (kind, t, device, live_bytes, *fields)
_WIDTH = {kind: len(cls._fields) for kind, cls in BY_KIND.items()}


class Trace:
    """A recorded event stream.

    Example::

        with gs.trace() as tr:
            y = (x * 2).sum()
            gs.mark("before backward")
            y.backward()
        tr.peak_bytes, tr.events[-1].kind
    """

    def __init__(self, path: str | None = None, *, scenario: str | None = None) -> None:
        self.path = path
        self.header: dict = writer.header(scenario=scenario)
        self.warnings: list[str] = []
        # Raw events arrive as their items laid end to end in ``_flat`` (one list.extend
        # each, no tuple kept per event: a traced op records seven or eight). Every full
        # collection of Python's cycle collector would still walk that list item by item,
        # so as each collection of the older generations starts (and whenever the events
        # are read) the new items move into a tuple in ``_chunks``, while they are still in
        # the CPU's cache: the collector stops walking a tuple of numbers and strings once
        # it has looked at it.
        # Items are numbered across the chunks; ``_bases`` says where each chunk begins,
        # ``_starts`` where each event does (brought up to date when the events are read).
        # A chunk always begins with an event.
        self._flat: list = []
        self._chunks: list[tuple] = []
        self._bases: list[int] = []
        self._frozen = 0  # items in ``_chunks``
        self._freezing = False
        self._starts = array("q")
        self._indexed = 0  # items that ``_starts`` covers
        self._unwritten = 0  # events added since the last write
        self._events: list[Event] = []
        self._t0 = 0.0
        self._file: IO[str] | None = None
        self._written = 0
        self._lines: dict = {}  # the streamed file's line writer per kind (from raw events)
        self._flushing = False
        self._recording = False

    # -- recording ---------------------------------------------------------------
    def __enter__(self) -> Trace:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> Trace:
        """Begin recording (``with gs.trace()`` calls this)."""
        baseline = {d: n for d, n in buffers.live_by_device().items() if n}
        self.header.update(
            devices=sorted(set(baseline) | {"cpu"}),
            baseline_bytes=baseline,
            started=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        )
        self._t0 = time.perf_counter()
        if self.path is not None:
            self._lines = writer.line_writers(raw=True)  # made once: about a millisecond
            self._file = open(self.path, "w", encoding="utf-8")
            self._file.write(writer._dumps(self.header) + "\n")
            self._file.flush()
        self._recording = True
        gc.callbacks.append(self._on_collect)
        # in memory, each event is one list.extend (no Python call between)
        emit.attach(self, self._flat.extend if self._file is None else self.add)
        return self

    def stop(self) -> None:
        """Stop recording and finish the streamed file, if any."""
        if not self._recording:
            return
        emit.detach(self)
        self._recording = False
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_collect)
        self._freeze()
        if self._file is not None:
            self._flush()
            self._file.close()
            self._file = None

    def add(self, event: tuple) -> None:
        """Append raw events ``(kind, t, device, live_bytes, *fields)``, one or a few laid
        end to end (from ``emit.put``)."""
        self._flat.extend(event)
        self._unwritten += 1
        if self._unwritten >= _FLUSH_EVERY or event[0] in _CHECKPOINTS:
            self._flush()

    def _on_collect(self, phase: str, info: dict) -> None:
        # at the older generations' collections: at every one (each ~700 allocations) the
        # copies cost a traced op about 1 us; every tenth, the items are still warm
        if phase == "start" and info["generation"]:
            self._freeze(collecting=True)

    def _freeze(self, collecting: bool = False) -> None:
        """Move the items recorded since the last call into a new chunk."""
        tail = self._flat
        if not tail or self._freezing:
            return
        self._freezing = True  # (a collection another thread sets off meanwhile calls here)
        try:
            # The tuple's allocation could run the collector, whose frees would append
            # events to ``tail`` while ``tuple`` reads it; a collection's own callback
            # cannot set off another one, and elsewhere the collector waits meanwhile
            # (copying ``tail`` first cost a traced chain about 1,000 instructions per op).
            if collecting:
                chunk = tuple(tail)
            else:
                with gc_paused():
                    chunk = tuple(tail)
            del tail[: len(chunk)]
            self._bases.append(self._frozen)
            self._chunks.append(chunk)
            self._frozen += len(chunk)
        finally:
            self._freezing = False

    def _index(self) -> array:
        """Where each raw event recorded so far starts (its first item's number); every
        such event is in ``_chunks`` afterwards."""
        self._freeze()
        starts, i = self._starts, self._indexed
        if i < self._frozen:
            append, width = starts.append, _WIDTH
            for j in range(bisect_right(self._bases, i) - 1, len(self._chunks)):
                chunk, base = self._chunks[j], self._bases[j]
                end = base + len(chunk)
                while i < end:
                    append(i)
                    i += width[chunk[i - base]]
            self._indexed = i
        return starts

    def _spans(self, first: int = 0) -> Iterator[tuple[tuple, int, int, int]]:
        """``(chunk, base, s0, s1)`` for each chunk holding indexed events from seq
        ``first`` on: events ``s0`` to ``s1`` (exclusive) lie in ``chunk``, whose first item
        is number ``base``."""
        starts = self._starts
        n = len(starts)
        if first >= n:
            return
        j = bisect_right(self._bases, starts[first]) - 1
        s0 = first
        while s0 < n:
            chunk, base = self._chunks[j], self._bases[j]
            s1 = bisect_left(starts, base + len(chunk), s0, n)
            yield chunk, base, s0, s1
            s0, j = s1, j + 1

    def _flush(self) -> None:
        # Writing can set off the cycle collector, whose frees record events of their own
        # and so call back in here: those wait for the next flush, in order.
        if self._flushing or self._file is None:
            return
        self._flushing = True
        try:
            # the lines ``writer.write_raw`` writes, straight from the raw events: a flush
            # makes no event records (reading ``events`` does, when someone asks)
            starts = self._index()
            end = len(starts)
            writer.write_raw_lines(
                self._file, self._lines, self._spans(self._written), starts, self._t0
            )
            self._file.flush()  # into the OS: a process killed later leaves these lines
            self._written = end
            self._unwritten = 0
        finally:
            self._flushing = False

    # -- reading -----------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        """The events so far, in order (``seq`` is the index)."""
        evs = self._events
        starts = self._index()
        if len(evs) < len(starts):
            t0, by_kind, width = self._t0, BY_KIND, _WIDTH
            seconds = seconds_since
            for flat, base, s0, s1 in self._spans(len(evs)):
                for seq in range(s0, s1):
                    i = starts[seq] - base  # kind, t, device, live_bytes, *fields
                    kind = flat[i]
                    evs.append(
                        by_kind[kind](seq, seconds(t0, flat[i + 1]), *flat[i + 2 : i + width[kind]])
                    )
        return evs

    @property
    def baseline_bytes(self) -> int:
        """Bytes that were live when the trace began."""
        return sum(self.header.get("baseline_bytes", {}).values())

    @property
    def peak_bytes(self) -> int:
        """The most bytes live at any point of the trace."""
        peak = self.baseline_bytes
        starts = self._index()
        if starts:
            for flat, base, s0, s1 in self._spans():
                peak = max(peak, max([flat[i - base + 3] for i in starts[s0:s1]]))
        elif self._events:
            peak = max(peak, max(e.live_bytes for e in self._events))
        return peak

    @property
    def live_bytes(self) -> int:
        """Bytes live at the end of the trace (now, while it records)."""
        starts = self._index()
        if starts:
            *_, (flat, base, _, _) = self._spans(len(starts) - 1)
            return flat[starts[-1] - base + 3]
        return self._events[-1].live_bytes if self._events else self.baseline_bytes

    def save(self, path: str) -> None:
        """Write the trace file (JSON Lines, see docs/trace-format.md)."""
        if self._index():  # recorded here: straight from the raw events
            writer.write_raw(path, self.header, self._spans(), self._starts, self._t0)
        else:
            writer.write(path, self.header, self.events)

    def snapshot(self, at: str | int | None = None):
        """Graph and memory state at a mark label, an event seq, or the end."""
        from .state.snapshot import snapshot

        snap = snapshot(self.events, at, baseline=self.header.get("baseline_bytes", {}))
        return SnapshotView(*snap)

    def _repr_html_(self) -> str:
        """Jupyter: a summary of the trace and its memory timeline (inline SVG)."""
        from .views.notebook import trace_html

        return trace_html(self.header, self.events)

    def why(self, what: Any = None, *, at: str | int | None = None, top: int = 5):
        """Why buffers are alive: ``what`` is a tensor or a buffer id (None: the ``top``
        largest live buffers); ``at`` a mark, a seq, ``"peak"`` or ``"end"`` (default: the
        last moment the buffer was live, or the peak). The answer prints as the chains from
        the variable that holds each buffer down to it; ``.as_dict()`` gives plain data.

        Example::

            with gs.trace() as tr:
                total = total + loss
            print(tr.why(total))
        """
        from .referrers import why

        frame = sys._getframe(1) if self._index() else None  # recorded here: name what you hold
        return why(self, what, at=at, top=top, frame=frame)

    def __len__(self) -> int:
        return len(self._index()) or len(self._events)

    def __repr__(self) -> str:
        return f"<gradscope Trace: {len(self)} events, peak {self.peak_bytes:,} bytes>"

    @classmethod
    def from_events(cls, header: dict, events: list[Event]) -> Trace:
        """A finished trace from a header and events (as read from a file)."""
        tr = cls()
        tr.header = header
        tr._events = events
        return tr


class SnapshotView(Snapshot):
    """The ``Snapshot`` that ``Trace.snapshot`` returns: Jupyter draws its graph."""

    __slots__ = ()

    def _repr_svg_(self) -> str | None:
        """Jupyter: the graph at this point as SVG (None when Graphviz cannot run)."""
        from .views.notebook import graph_svg

        where = "the end" if self.at is None else repr(self.at)
        return graph_svg(self.graph, f"graph at {where} (seq {self.seq})")


def trace(path: str | None = None, *, scenario: str | None = None) -> Trace:
    """Record every graph and memory event inside a ``with`` block (streamed to ``path``)."""
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"gs.trace(path): path must be a str or os.PathLike, not {type(path).__name__}"
        )
    return Trace(path, scenario=scenario)


def load_trace(path: str) -> Trace:
    """Read a trace file; raises ``TraceFileError`` with a one-line message if malformed."""
    head, events, warnings = reader.read(path)
    tr = Trace.from_events(head, events)
    tr.path = path
    tr.warnings = warnings
    return tr


def mark(label: str) -> None:
    """Record a labelled checkpoint in every active trace."""
    if emit.sinks:
        emit.record(Mark, None, buffers.live_total, str(label), buffers.pool_bytes())
