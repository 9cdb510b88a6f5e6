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
    """Backward ends: done, or stopped by an exception (``error``: its type and message)."""

    seq: int
    t: float
    device: str | None
    live_bytes: int
    root: int | None
    pool: dict | None = None
    error: str | None = None
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
TUPLE_FIELDS = {"shape", "inputs"}  # tuples in an event, lists in a trace file

Event = Any  # any of EVENT_TYPES


def seconds_since(t0: float, t: float) -> float:
    """An event's ``t``: the seconds from ``t0`` to ``t`` (``perf_counter`` times), to the
    nanosecond. (``round(x, 9)`` gives the same to within a nanosecond at several times
    the cost, which a million-event trace feels.)"""
    return round((t - t0) * 1e9) / 1e9


def to_dict(event: Event) -> dict:
    """The JSON-ready dict of an event (``kind`` included, tuples as lists)."""
    d = event._asdict()
    d["kind"] = event.kind
    for key in TUPLE_FIELDS.intersection(d):
        d[key] = list(d[key])
    return d


def from_dict(d: dict) -> Event:
    """The event a dict describes; raises ``ValueError`` when it does not fit the schema:
    a one-line message naming the kind and the field (missing, or of the wrong type)."""
    try:
        build = _BUILD[d["kind"]]
    except (KeyError, TypeError):
        raise ValueError(_not_an_event(d)) from None
    try:
        event = build(d)
    except KeyError:  # a required field is missing
        event = None
    if event is None:
        raise ValueError(_what_is_wrong(BY_KIND[d["kind"]], d))
    return event


# -- checking what a trace file says -----------------------------------------------
# One generated test per event type: a trace with a field of the wrong type is refused
# when read, naming the line, rather than failing later inside a fold.

_EXPECT = {  # annotation -> (test of the value ``{x}``, what the message says it should be)
    "int": ("type({x}) is int", "an integer"),
    "int | None": ("({x} is None or type({x}) is int)", "an integer or null"),
    "float": ("type({x}) in _NUMBER", "a number"),
    "str": ("type({x}) is str", "a string"),
    "str | None": ("({x} is None or type({x}) is str)", "a string or null"),
    "bool": ("type({x}) is bool", "true or false"),
    "dict | None": ("({x} is None or type({x}) is dict)", "an object or null"),
    "tuple": ("_{name}_ok({x})", ""),
}
_ITEMS = {  # list fields: the test of each item, what the message says
    "shape": ("(type(i) is int and i >= 0)", "a list of non-negative integers"),
    "inputs": (
        "(i is None or type(i) is int and i >= 0)",
        "a list of non-negative integers or nulls",
    ),
}
#: Fields that count bytes, number events, name an id or time from the trace's start:
#: never below zero.
NON_NEGATIVE = {"seq", "t", "live_bytes", "nbytes", "buffer", "tensor", "node", "root", "output"}
_NON_NEGATIVE_EXPECT = {
    "float": ("(type({x}) in _NUMBER and {x} >= 0)", "a non-negative number"),
    "int": ("(type({x}) is int and {x} >= 0)", "a non-negative integer"),
    "int | None": (
        "({x} is None or type({x}) is int and {x} >= 0)",
        "a non-negative integer or null",
    ),
}
# the names the tests of ``expectation`` use (a reader that generates its own builders needs them)
CHECK_SCOPE: dict[str, Any] = {"_NUMBER": (float, int)}
for _name, (_item, _) in _ITEMS.items():
    CHECK_SCOPE[f"_{_name}_ok"] = eval(  # noqa: S307
        f"lambda x: type(x) in (list, tuple) and all({_item} for i in x)"
    )


def expectation(cls: type, name: str) -> tuple[str, str]:
    """The test (a template over ``{x}``) a field's value must pass, and its wording."""
    ann = getattr(cls.__annotations__[name], "__forward_arg__", cls.__annotations__[name])
    test, what = (_NON_NEGATIVE_EXPECT if name in NON_NEGATIVE else _EXPECT)[ann]
    if name in _ITEMS:
        what = _ITEMS[name][1]
    return test.replace("{name}", name), what


def _builder(cls: type):
    """``build(d)``: the event of type ``cls`` that dict ``d`` describes, or None when a
    field has the wrong type (KeyError when one is missing). Generated, one per type, so
    that checking every field costs less than a generic loop that checks none."""
    lines = ["def build(d):"]
    for name in cls._fields:
        if name in cls._field_defaults:
            lines.append(f"    {name} = d.get({name!r}, {cls._field_defaults[name]!r})")
        else:
            lines.append(f"    {name} = d[{name!r}]")
    tests = " and ".join(expectation(cls, n)[0].format(x=n) for n in cls._fields)
    args = ", ".join(f"tuple({n})" if n in TUPLE_FIELDS else n for n in cls._fields)
    lines += [f"    if {tests}:", f"        return cls({args})", "    return None"]
    scope = {**CHECK_SCOPE, "cls": cls}
    exec("\n".join(lines), scope)  # noqa: S102
    return scope["build"]


_BUILD = {cls.kind: _builder(cls) for cls in EVENT_TYPES}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _not_an_event(d: Any) -> str:
    if not isinstance(d, dict):
        return f"not a JSON object but {_short(d)}"
    if "kind" not in d:
        return "an event without a 'kind'"
    return f"unknown event kind {_short(d['kind'])}"


def _what_is_wrong(cls: type, d: dict) -> str:
    """The first field of ``d`` that does not fit ``cls``, in one line."""
    for name in cls._fields:
        if name not in d and name not in cls._field_defaults:
            return f"{cls.kind} event lacks field {name!r}"
        x = d.get(name, cls._field_defaults.get(name))
        test, what = expectation(cls, name)
        if not eval(test.format(x="x"), {**CHECK_SCOPE, "x": x}):  # noqa: S307
            return f"{cls.kind} event: field {name!r} is {_short(x)}, not {what}"
    return f"{cls.kind} event does not fit the trace format"
