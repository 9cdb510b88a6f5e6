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
_add: Callable[[tuple], Any] | None = None  # the add, when there is exactly one sink


def _record_all(cls: type, device: str | None, live_bytes: int, *fields: Any) -> None:
    """Hand one event of type ``cls`` to every active recorder.

    The event travels raw, as one flat tuple ``(cls.kind, perf_counter(), device,
    live_bytes, *fields)``: the record object is built only when someone reads it. Holding
    only strings, numbers and tuples of them, a raw event is soon untracked by Python's
    cycle collector, which otherwise would walk every event of a long trace at each full
    collection.
    """
    event = (cls.kind, perf_counter(), device, live_bytes, *fields)
    for add in _adds:
        add(event)


def _record_one(cls: type, device: str | None, live_bytes: int, *fields: Any) -> None:
    """``_record_all`` for the usual case of one recorder."""
    _add((cls.kind, perf_counter(), device, live_bytes, *fields))


record = _record_all  # what the engine calls (only ``if sinks:``); rebound as sinks come and go


def dtype_str(dtype) -> str:
    """``str(dtype)``, remembered: NumPy builds a dtype's name in Python on every call."""
    try:
        return _dtype_names[dtype]
    except KeyError:
        name = _dtype_names[dtype] = str(dtype)
        return name


_dtype_names: dict = {}


def attach(sink: Any, add: Callable[[tuple], Any] | None = None) -> None:
    """Start delivering raw events to ``add`` (by default ``sink.add``)."""
    global sinks, _adds
    sinks = sinks + (sink,)
    _adds = _adds + (add if add is not None else sink.add,)
    _rebind()


def detach(sink: Any) -> None:
    """Stop delivering events to ``sink``."""
    global sinks, _adds
    keep = [i for i, s in enumerate(sinks) if s is not sink]
    sinks = tuple(sinks[i] for i in keep)
    _adds = tuple(_adds[i] for i in keep)
    _rebind()


def _rebind() -> None:
    global record, _add
    _add = _adds[0] if len(_adds) == 1 else None
    record = _record_one if _add is not None else _record_all
