"""The one place events enter the stream.

``sinks`` is the tuple of active recorders; it is empty when nothing records, so the
engine's guard ``if emit.sinks:`` is the whole cost of instrumentation when off.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

sinks: tuple[Any, ...] = ()
_adds: tuple[Callable[[tuple], Any], ...] = ()  # each sink's add, called with a raw event


def _put_all(event: tuple) -> None:
    for add in _adds:
        add(event)


def _put_none(event: tuple) -> None:
    pass


# Hand one raw event ``(kind, perf_counter(), device, live_bytes, *fields)`` to every
# active recorder: the sink's own ``add`` when there is one sink (no Python call between),
# else a fan-out. The fields follow the kind's record in ``schema``, in order. Hot paths
# (a buffer freed, a tensor allocated, a node made, run or freed) build the tuple
# themselves and call this, since packing ``*fields`` again in ``record`` costs more than
# the append; the record object is built only when someone reads the event. Events of
# one moment may come in one put, laid end to end (an op's output allocated, its node
# made, its output saved): a sink reads each kind's width (``schema``) to split them, and
# the first item is the first event's kind (the ones a sink looks out for, a mark or a
# backward's end, always come alone).
put: Callable[[tuple], Any] = _put_none


def record(cls: type, device: str | None, live_bytes: int, *fields: Any) -> None:
    """Hand one event of type ``cls`` to every active recorder, as ``put`` does: raw, one
    flat tuple of strings, numbers and tuples of them, made a record only when read."""
    put((cls.kind, perf_counter(), device, live_bytes, *fields))


class _DtypeNames(dict):
    """``str(dtype)`` per dtype, remembered: NumPy builds a dtype's name in Python on
    every call, and a traced op asks for it two or three times."""

    def __missing__(self, dtype) -> str:
        name = self[dtype] = str(dtype)
        return name


# ``dtype_str(dtype) -> str``: a dict lookup, with no Python frame once a dtype was seen
dtype_str: Callable[[Any], str] = _DtypeNames().__getitem__


class _Shapes(dict):
    """Each shape seen, kept once: a recording holds on to the shape of every event, and an
    array makes a new tuple on each ``.shape``. Bounded; the same shapes recur."""

    def __missing__(self, shape: tuple) -> tuple:
        if len(self) >= 4096:
            self.clear()
        self[shape] = shape
        return shape


# ``shape_of(shape) -> tuple``: the one tuple kept for an equal shape (a dict lookup)
shape_of: Callable[[tuple], tuple] = _Shapes().__getitem__


def attach(sink: Any, add: Callable[[tuple], Any] | None = None) -> None:
    """Start delivering raw events to ``add`` (by default ``sink.add``)."""
    global sinks, _adds
    sinks = sinks + (sink,)
    _adds = _adds + (add if add is not None else sink.add,)
    _rebind()
    if len(sinks) == 1:
        for fn in _on_begin:
            fn()


def detach(sink: Any) -> None:
    """Stop delivering events to ``sink``."""
    global sinks, _adds
    keep = [i for i, s in enumerate(sinks) if s is not sink]
    sinks = tuple(sinks[i] for i in keep)
    _adds = tuple(_adds[i] for i in keep)
    _rebind()


def on_begin(fn: Callable[[], Any]) -> None:
    """Call ``fn()`` whenever recording begins (the first sink attaches), and at once if it
    has begun."""
    _on_begin.append(fn)
    if sinks:
        fn()


_on_begin: list[Callable[[], Any]] = []


def _rebind() -> None:
    global put
    put = _adds[0] if len(_adds) == 1 else _put_all if _adds else _put_none
