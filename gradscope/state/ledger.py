"""Memory state: one pure fold over the event stream.

The ledger knows every buffer the trace saw (size, device, role, creating node, tensor,
the graph nodes still holding it for backward, alive or not), the bytes live per device,
the peak and where it happened, a timeline of live bytes, and one record per backward.

A buffer that a not-yet-freed node has saved counts as *saved for backward*, whatever
role it was allocated with: that is the memory backward is waiting for.

Example::

    led = fold_memory(events, baseline={"cpu": 0})
    led.peak_bytes, led.peak_seq, led.by_role()["saved"]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ..events.bulk import gc_paused
from ..events.schema import Event

#: Row order of the role totals; "baseline" appears only when bytes predate the trace.
ROLES: tuple[str, ...] = ("leaf", "activation", "saved", "grad", "other")
_ROLE_OF = {"leaf": "leaf", "activation": "activation", "grad": "grad"}


class BufferState:
    """One buffer as the ledger knows it."""

    __slots__ = (
        "buffer",
        "nbytes",
        "device",
        "role",
        "node",
        "tensor",
        "name",
        "shape",
        "dtype",
        "saved_by",
        "alive",
        "allocated_seq",
        "freed_seq",
    )

    def __init__(
        self,
        buffer: int,
        nbytes: int,
        device: str | None,
        role: str,
        node: int | None,
        tensor: int | None,
        name: str | None,
        shape: tuple,
        dtype: str,
        seq: int,
    ) -> None:
        self.buffer = buffer
        self.nbytes = nbytes
        self.device = device
        self.role = role
        self.node = node
        self.tensor = tensor
        self.name = name
        self.shape = shape
        self.dtype = dtype
        self.saved_by: set[int] = set()  # nodes holding it for backward, not yet freed
        self.alive = True
        self.allocated_seq = seq
        self.freed_seq: int | None = None

    @property
    def category(self) -> str:
        """The row this buffer counts in: ``saved`` while a live node holds it."""
        if self.saved_by:
            return "saved"
        return _ROLE_OF.get(self.role, "other")

    def __repr__(self) -> str:
        state = "alive" if self.alive else "freed"
        return f"<buffer {self.buffer}: {self.nbytes} B {self.role} on {self.device}, {state}>"


class RoleTotal(NamedTuple):
    """Count and bytes of the live buffers in one row."""

    count: int
    bytes: int


class BackwardSpan:
    """Memory over one backward call (``backward_started`` .. ``backward_finished``)."""

    __slots__ = (
        "index",
        "root",
        "retain_graph",
        "gradient",
        "start_seq",
        "end_seq",
        "live_before",
        "saved_before",
        "peak_bytes",
        "peak_seq",
        "live_after",
        "freed_bytes",
        "grad_bytes",
        "nodes_run",
        "pool_before",
        "pool_after",
        "error",
    )

    def __init__(self, index: int, e: Event, live_before: int, saved_before: int) -> None:
        self.index = index  # 1-based
        self.root = e.root
        self.retain_graph = e.retain_graph
        self.gradient = e.gradient
        self.start_seq = e.seq
        self.end_seq: int | None = None  # None while it runs (or if it raised)
        self.live_before = live_before
        self.saved_before = saved_before
        self.peak_bytes = live_before
        self.peak_seq = e.seq
        self.live_after = live_before
        self.freed_bytes = 0  # bytes released by graph_freed
        self.grad_bytes = 0  # bytes written into .grad
        self.nodes_run = 0
        # CuPy's pool per CUDA device ({device: {"used_bytes", "total_bytes"}}), if recorded
        self.pool_before: dict | None = _pool(e)
        self.pool_after: dict | None = None
        self.error: str | None = None  # what stopped it, if an exception did

    def as_dict(self) -> dict:
        """Plain data, snake_case keys, bytes as ints."""
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self) -> str:
        return f"<backward {self.index}: seq {self.start_seq}..{self.end_seq}>"


def _pool(e: Event) -> dict | None:
    pool = getattr(e, "pool", None)
    return pool if isinstance(pool, dict) else None


class Ledger:
    """The memory state after some prefix of the events; ``feed`` advances it."""

    def __init__(self, baseline: dict[str, int] | None = None) -> None:
        self.baseline: dict[str, int] = {d: n for d, n in (baseline or {}).items() if n}
        self.buffers: dict[int, BufferState] = {}
        self.live: dict[int, BufferState] = {}
        self.live_by_device: dict[str, int] = dict(self.baseline)
        self.live_bytes = sum(self.baseline.values())
        self.peak_bytes = self.live_bytes
        self.peak_seq: int | None = None  # None: the peak is the baseline
        self.peak_by_device: dict[str, int] = dict(self.baseline)
        self.timeline: list[tuple[int, int]] = []  # (seq, live bytes) at every change
        self.backwards: list[BackwardSpan] = []
        self.node_saved: dict[int, set[int]] = {}  # node -> buffers it still holds
        self._saved_live = 0  # bytes of live buffers some node holds for backward
        self.seq: int | None = None  # last event folded
        self.events = 0
        self.mismatch_seq: int | None = None  # first event whose live_bytes disagrees
        self._open: BackwardSpan | None = None
        self._dispatch = {
            "tensor_allocated": self._allocated,
            "tensor_freed": self._freed,
            "tensor_saved": self._saved,
            "graph_freed": self._graph_freed,
            "grad_accumulated": self._grad,
            "backward_started": self._bw_started,
            "backward_finished": self._bw_finished,
            "node_executed": self._executed,
        }

    # -- folding -----------------------------------------------------------------
    def feed(self, events: Iterable[Event]) -> Ledger:
        """Fold ``events`` (in order) into this state; returns self."""
        dispatch = self._dispatch
        n = 0
        with gc_paused():
            for e in events:
                n += 1
                handler = dispatch.get(e.kind)
                if handler is not None:
                    handler(e)
                if self.mismatch_seq is None and e.live_bytes != self.live_bytes:
                    self.mismatch_seq = e.seq
                self.seq = e.seq
        self.events += n
        return self

    def _change(self, device: str | None, delta: int, seq: int) -> None:
        dev = device or "?"
        now = self.live_by_device.get(dev, 0) + delta
        self.live_by_device[dev] = now
        if now > self.peak_by_device.get(dev, 0):
            self.peak_by_device[dev] = now
        total = self.live_bytes = self.live_bytes + delta
        self.timeline.append((seq, total))
        if total > self.peak_bytes:
            self.peak_bytes = total
            self.peak_seq = seq
        span = self._open
        if span is not None and total > span.peak_bytes:
            span.peak_bytes = total
            span.peak_seq = seq

    def _new(self, e: Event, buffer: int, nbytes: int, role: str, node: int | None) -> BufferState:
        b = BufferState(
            buffer,
            nbytes,
            e.device,
            role,
            node,
            e.tensor,
            getattr(e, "name", None),
            getattr(e, "shape", ()),
            getattr(e, "dtype", ""),
            e.seq,
        )
        self.buffers[buffer] = b
        self.live[buffer] = b
        self._change(e.device, nbytes, e.seq)
        return b

    def _adopt(self, e: Event, role: str) -> BufferState:
        """A buffer first seen already live: it predates the trace, so its bytes move out
        of the baseline (or, if the baseline cannot hold them, count as new)."""
        dev = e.device or "?"
        if self.baseline.get(dev, 0) < e.nbytes:
            return self._new(e, e.buffer, e.nbytes, role, None)
        self.baseline[dev] -= e.nbytes
        b = BufferState(
            e.buffer,
            e.nbytes,
            e.device,
            role,
            None,
            e.tensor,
            None,
            getattr(e, "shape", ()),
            getattr(e, "dtype", ""),
            e.seq,
        )
        self.buffers[e.buffer] = self.live[e.buffer] = b
        return b

    def _allocated(self, e: Event) -> None:
        if e.buffer in self.buffers:  # already known (saved or written before announced)
            return
        self._new(e, e.buffer, e.nbytes, e.role, e.node)

    def _freed(self, e: Event) -> None:
        b = self.live.pop(e.buffer, None)
        if b is None:
            if e.buffer in self.buffers:  # freed twice: ignore
                return
            # allocated before the trace began: it leaves the baseline
            dev = e.device or "?"
            self.baseline[dev] = self.baseline.get(dev, 0) - e.nbytes
            self._change(e.device, -e.nbytes, e.seq)
            return
        b.alive = False
        b.freed_seq = e.seq
        if b.saved_by:
            self._saved_live -= b.nbytes
        for node in b.saved_by:
            held = self.node_saved.get(node)
            if held is not None:
                held.discard(b.buffer)
        b.saved_by.clear()
        self._change(b.device, -b.nbytes, e.seq)

    def _saved(self, e: Event) -> None:
        b = self.buffers.get(e.buffer)
        if b is None:
            if e.new:  # created by the node to be saved, never announced
                b = self._new(e, e.buffer, e.nbytes, "temp", e.node)
            else:
                b = self._adopt(e, "other")
        if not b.alive:
            return
        if not b.saved_by:
            self._saved_live += b.nbytes
        b.saved_by.add(e.node)
        held = self.node_saved.get(e.node)
        if held is None:
            held = self.node_saved[e.node] = set()
        held.add(e.buffer)

    def _graph_freed(self, e: Event) -> None:
        held = self.node_saved.pop(e.node, ())
        buffers = self.buffers
        for buf in held:
            b = buffers[buf]
            b.saved_by.discard(e.node)
            if not b.saved_by:
                self._saved_live -= b.nbytes
        if self._open is not None:
            self._open.freed_bytes += e.nbytes

    def _grad(self, e: Event) -> None:
        b = self.buffers.get(e.buffer)
        if b is None:
            b = (
                self._new(e, e.buffer, e.nbytes, "grad", e.node)
                if e.first
                else self._adopt(e, "grad")
            )
        if b.role != "grad":  # a gradient in flight that became .grad as it was
            b.role = "grad"
            b.name = b.name or f"{e.tensor}.grad"
        if b.tensor is None:
            b.tensor = e.tensor
        if self._open is not None:
            self._open.grad_bytes += e.nbytes

    def _bw_started(self, e: Event) -> None:
        span = BackwardSpan(len(self.backwards) + 1, e, self.live_bytes, self._saved_live)
        self.backwards.append(span)
        self._open = span

    def _bw_finished(self, e: Event) -> None:
        span = self._open
        if span is None:
            return
        span.end_seq = e.seq
        span.live_after = self.live_bytes
        span.pool_after = _pool(e)
        span.error = getattr(e, "error", None)
        self._open = None

    def _executed(self, e: Event) -> None:
        if self._open is not None:
            self._open.nodes_run += 1

    # -- reading -----------------------------------------------------------------
    def by_role(self, device: str | None = None) -> dict[str, RoleTotal]:
        """Live buffers by row (``ROLES`` order), plus ``baseline`` when bytes predate the trace."""
        counts = dict.fromkeys(ROLES, 0)
        sizes = dict.fromkeys(ROLES, 0)
        for b in self.live.values():
            if device is not None and b.device != device:
                continue
            cat = b.category
            counts[cat] += 1
            sizes[cat] += b.nbytes
        out = {r: RoleTotal(counts[r], sizes[r]) for r in ROLES}
        base = sum(self.baseline.values()) if device is None else self.baseline.get(device, 0)
        if base:
            out["baseline"] = RoleTotal(0, base)
        return out

    @property
    def devices(self) -> list[str]:
        """Devices that held bytes at any point, cpu first."""
        devs = set(self.peak_by_device) | set(self.live_by_device)
        return sorted(devs, key=lambda d: (d != "cpu", d))

    @property
    def saved_bytes(self) -> int:
        """Bytes of live buffers still held by a node for backward (each buffer once)."""
        return self._saved_live

    def __repr__(self) -> str:
        return (
            f"<Ledger at seq {self.seq}: {len(self.live)} live buffers, "
            f"{self.live_bytes} B live, peak {self.peak_bytes} B>"
        )


def fold_memory(events: Iterable[Event], baseline: dict[str, int] | None = None) -> Ledger:
    """The memory state after ``events``, starting from ``baseline`` bytes per device."""
    return Ledger(baseline).feed(events)
