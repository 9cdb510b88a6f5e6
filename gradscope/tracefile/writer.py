"""Writing traces: a header object, then one JSON object per event."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from ..events.schema import Event, to_dict
from . import FORMAT, VERSION

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def header(**extra) -> dict:
    """A header dict with the format, version and gradscope's version, plus ``extra``."""
    from .. import __version__

    return {"format": FORMAT, "version": VERSION, "gradscope": __version__, **extra}


def write_lines(f: IO[str], events: Iterable[Event]) -> int:
    """Write ``events`` as JSON lines to ``f``; returns how many were written."""
    n = 0
    chunk = []
    for e in events:
        chunk.append(_dumps(to_dict(e)))
        n += 1
        if len(chunk) >= 4096:
            f.write("\n".join(chunk) + "\n")
            chunk.clear()
    if chunk:
        f.write("\n".join(chunk) + "\n")
    return n


def write(path: str, head: dict, events: Iterable[Event]) -> None:
    """Write a whole trace file at ``path``."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(_dumps(head) + "\n")
        write_lines(f, events)
