"""The one place events enter the stream.

``sinks`` is the tuple of active recorders; it is empty when nothing records, so the
engine's guard ``if emit.sinks:`` is the whole cost of instrumentation when off.
"""

from __future__ import annotations

from typing import Any

sinks: tuple[Any, ...] = ()


def record(cls: type, device: str | None, live_bytes: int, *fields: Any) -> None:
    """Append one event of type ``cls`` to every active recorder."""
    for sink in sinks:
        sink.add(cls, device, live_bytes, fields)


def attach(sink: Any) -> None:
    """Start delivering events to ``sink`` (an object with ``add``)."""
    global sinks
    sinks = sinks + (sink,)


def detach(sink: Any) -> None:
    """Stop delivering events to ``sink``."""
    global sinks
    sinks = tuple(s for s in sinks if s is not sink)
