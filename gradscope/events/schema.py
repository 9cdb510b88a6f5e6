"""One immutable record type per event kind, and their JSON form.

Every event has ``seq``, ``t`` (seconds since the trace began), ``device`` and
``live_bytes`` (bytes held by live gradscope buffers right after the event), followed by
the fields of its kind. ``kind`` is a class attribute, also written to JSON.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class TensorAllocated(NamedTuple):
    """A new buffer starts being held."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    buffer: int
    tensor: int | None
    nbytes: int
    shape: tuple
    dtype: str
    role: str  # leaf | activation | grad | temp
    node: int | None
    name: str | None
    kind = "tensor_allocated"


class TensorFreed(NamedTuple):
    """The last holder of a buffer lets go."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    buffer: int
    nbytes: int
    kind = "tensor_freed"


class NodeCreated(NamedTuple):
    """An op records a graph node (``op`` is its grad_fn name)."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    node: int
    op: str
    inputs: tuple  # node ids of next_functions, None where an input needs no grad
    output: int | None  # tensor id
    stack: str | None  # the user's file:line
    shape: tuple  # output shape
    dtype: str  # output dtype
    kind = "node_created"


class TensorSaved(NamedTuple):
    """A node saves a tensor for backward."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    node: int
    buffer: int
    tensor: int | None
    slot: str
    nbytes: int
    new: bool  # False when the buffer was already live
    shape: tuple
    dtype: str
    kind = "tensor_saved"


class BackwardStarted(NamedTuple):
    """``backward()`` or ``autograd.grad`` begins."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    root: int | None  # root node id
    retain_graph: bool
    gradient: bool
    pool: dict | None = None  # {device: {"used_bytes", "total_bytes"}} of CuPy's pool, if in use
    kind = "backward_started"


class NodeExecuted(NamedTuple):
    """A node's backward ran."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    node: int
    kind = "node_executed"


class GradAccumulated(NamedTuple):
    """A gradient is written into a ``.grad``."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    tensor: int
    node: int | None
    nbytes: int
    first: bool
    buffer: int  # the buffer that holds .grad
    kind = "grad_accumulated"


class GraphFreed(NamedTuple):
    """A node drops its saved tensors."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    node: int
    nbytes: int  # bytes whose last holder this node was
    kind = "graph_freed"


class BackwardFinished(NamedTuple):
    """Backward ends."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    root: int | None
    pool: dict | None = None
    kind = "backward_finished"


class Mark(NamedTuple):
    """A labelled checkpoint, from ``gs.mark(label)``."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    label: str
    pool: dict | None = None
    kind = "mark"


#: The label of the mark that anomaly detection records when a node's backward returns
#: NaN or Inf (just before it raises); the views draw that node red.
ANOMALY_LABEL = "anomaly: node {node} {op} returned {bad}"


EVENT_TYPES: tuple[type, ...] = (
    TensorAllocated,
    TensorFreed,
    NodeCreated,
    TensorSaved,
    BackwardStarted,
    NodeExecuted,
    GradAccumulated,
    GraphFreed,
    BackwardFinished,
    Mark,
)
BY_KIND: dict[str, type] = {cls.kind: cls for cls in EVENT_TYPES}
KINDS: tuple[str, ...] = tuple(BY_KIND)
COMMON_FIELDS = ("seq", "kind", "t", "device", "live_bytes")
_TUPLE_FIELDS = {"shape", "inputs"}

Event = Any  # any of EVENT_TYPES


def to_dict(event: Event) -> dict:
    """The JSON-ready dict of an event (``kind`` included, tuples as lists)."""
    d = event._asdict()
    d["kind"] = event.kind
    for key in _TUPLE_FIELDS.intersection(d):
        d[key] = list(d[key])
    return d


def from_dict(d: dict) -> Event:
    """The event a dict describes; raises ``ValueError`` when it does not fit the schema."""
    try:
        cls = BY_KIND[d["kind"]]
    except KeyError:
        raise ValueError(f"unknown event kind {d.get('kind')!r}") from None
    names, defaults, tuple_at = _LAYOUT[cls]
    try:
        if defaults:
            values = [d[n] if n not in defaults else d.get(n, defaults[n]) for n in names]
        else:
            values = [d[n] for n in names]
    except KeyError as e:
        raise ValueError(f"{d['kind']} event lacks field {e.args[0]!r}") from None
    for i in tuple_at:
        if values[i] is not None:
            values[i] = tuple(values[i])
    return cls(*values)


# event type -> (field names, defaults, positions of the fields JSON gives as lists)
_LAYOUT = {
    cls: (
        cls._fields,
        cls._field_defaults,
        tuple(i for i, n in enumerate(cls._fields) if n in _TUPLE_FIELDS),
    )
    for cls in EVENT_TYPES
}
