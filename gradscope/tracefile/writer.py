"""Writing traces: a header object, then one JSON object per event."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import IO

from ..events.schema import BY_KIND, Event
from . import FORMAT, VERSION

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def header(**extra) -> dict:
    """A header dict with the format, version and gradscope's version, plus ``extra``."""
    from .. import __version__

    return {"format": FORMAT, "version": VERSION, "gradscope": __version__, **extra}


def write_lines(f: IO[str], events: Iterable[Event]) -> int:
    """Write ``events`` as JSON lines to ``f``; returns how many were written.

    Each line is ``to_dict(event)`` encoded; ``_encode_chunk`` does a few thousand at a time.
    """
    n = 0
    chunk: list[Event] = []
    for e in events:
        chunk.append(e)
        if len(chunk) >= _CHUNK:
            f.write(_encode_chunk(chunk))
            n += len(chunk)
            chunk.clear()
    if chunk:
        f.write(_encode_chunk(chunk))
        n += len(chunk)
    return n


_CHUNK = 4096
_keys: dict[type, tuple] = {}  # event type -> its field names and "kind", the JSON keys


def _encode_chunk(events: list[Event]) -> str:
    """JSON lines for ``events``, with one call into the JSON encoder for all of them.

    The encoder writes the list as ``[{...},{...},...]``; the objects are split apart at
    ``},{``. A string inside an event may hold ``},{`` too: then the pieces do not count
    one per event, and each event is encoded alone instead.
    """
    dicts = []
    for e in events:
        keys = _keys.get(type(e))
        if keys is None:
            keys = _keys[type(e)] = (*e._fields, "kind")
        dicts.append(dict(zip(keys, (*e, e.kind))))  # to_dict(e), without its copies
    return _encode_dicts(dicts)


def _encode_dicts(dicts: list[dict]) -> str:
    text = _dumps(dicts)
    parts = text[2:-2].split("},{")
    if len(parts) != len(dicts):
        return "".join(_dumps(d) + "\n" for d in dicts)
    return "{" + "}\n{".join(parts) + "}\n"


def write_raw(path: str, head: dict, flat: list, starts: Sequence[int], t0: float) -> None:
    """``write`` for a recording's raw events, laid end to end in ``flat`` as ``kind, t,
    device, live_bytes, *fields`` (``t`` from ``perf_counter``, ``t0`` the start) and
    beginning at ``starts``: the same lines, without making the event records first."""
    # per kind: the line's keys (seq, t, device, live_bytes, *fields, kind), and the
    # number of items its raw event takes (kind, t, device, live_bytes, *fields)
    layout = {kind: ((*cls._fields, "kind"), len(cls._fields)) for kind, cls in BY_KIND.items()}
    with open(path, "w", encoding="utf-8") as f:
        f.write(_dumps(head) + "\n")
        for first in range(0, len(starts), _CHUNK):
            dicts = []
            seq = first
            for i in starts[first : first + _CHUNK]:
                kind = flat[i]
                keys, width = layout[kind]
                row = (seq, round(flat[i + 1] - t0, 9), *flat[i + 2 : i + width], kind)
                dicts.append(dict(zip(keys, row)))
                seq += 1
            f.write(_encode_dicts(dicts))


def write(path: str, head: dict, events: Iterable[Event]) -> None:
    """Write a whole trace file at ``path``."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(_dumps(head) + "\n")
        write_lines(f, events)
