"""Writing traces: a header object, then one JSON object per event."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from operator import sub
from typing import IO

from ..events.bulk import gc_paused
from ..events.schema import BY_KIND, Event
from . import FORMAT, VERSION

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_CHUNK = 4096  # lines written at a time


def header(**extra) -> dict:
    """A header dict with the format, version and gradscope's version, plus ``extra``."""
    from .. import __version__

    return {"format": FORMAT, "version": VERSION, "gradscope": __version__, **extra}


def write_lines(f: IO[str], events: Iterable[Event]) -> int:
    """Write ``events`` as JSON lines to ``f``; returns how many were written."""
    lines = line_writers(raw=False)
    out: list[str] = []
    n = 0
    for e in events:
        out.append(lines[e.kind](e))
        if len(out) >= _CHUNK:
            f.write("".join(out))
            n += len(out)
            out.clear()
    f.write("".join(out))
    return n + len(out)


# A recording's raw events: ``(items, base, s0, s1)`` spans, events ``s0`` to ``s1``
# (exclusive) laid end to end in ``items`` as ``kind, t, device, live_bytes, *fields`` (``t``
# from ``perf_counter``), event ``seq`` beginning at item ``starts[seq] - base``.
RawSpans = Iterable[tuple[Sequence, int, int, int]]


def write_raw(path: str, head: dict, spans: RawSpans, starts: Sequence[int], t0: float) -> None:
    """``write`` for a recording's raw events (``t0`` the start): the same lines, without
    making the event records first."""
    with replacing(path) as f, gc_paused():  # each line makes a list
        f.write(_dumps(head) + "\n")
        write_raw_lines(f, line_writers(raw=True), spans, starts, t0)


def write_raw_lines(
    f: IO[str], lines: dict, spans: RawSpans, starts: Sequence[int], t0: float
) -> None:
    """Write the raw events of ``spans`` as lines to ``f``, with ``lines`` from
    ``line_writers(raw=True)`` (a streamed trace makes them once)."""
    for flat, base, s0, s1 in spans:
        for c0 in range(s0, s1, _CHUNK):
            c1 = min(c0 + _CHUNK, s1)
            at = starts[c0:c1] if base == 0 else map(sub, starts[c0:c1], repeat(base))
            f.write(
                "".join([lines[flat[i]](flat, i, seq, t0) for seq, i in zip(range(c0, c1), at)])
            )


# -- one line per event, from a template per kind ------------------------------------
# The JSON encoder needs a dict per event, which costs more than encoding it. Each kind
# gets a generated function instead that fills a %-template of its line: numbers as they
# are, strings and shapes through a cache of their JSON text (a trace repeats a few op
# names, call sites and shapes). The text is the encoder's, byte for byte: tests compare.

_FORMATS = {  # annotation -> (the template's conversion, the expression of value ``{x}``)
    "int": ("%d", "{x}"),
    "int | None": ("%s", "('null' if {x} is None else str({x}))"),
    "float": ("%r", "{x}"),
    "str": ("%s", "_text[{x}]"),
    "str | None": ("%s", "_text[{x}]"),
    "bool": ("%s", "('true' if {x} else 'false')"),
    "dict | None": ("%s", "('null' if {x} is None else _dumps({x}))"),
    "tuple": ("%s", "_lists[{x}]"),
    "inputs": ("[%s]", "_ids({x})"),  # (by name: a node's inputs, unique to it, are not cached)
}


def _ids(ids: tuple) -> str:
    """The JSON text of a tuple of ids and Nones, without its brackets."""
    return ",".join(map(str, ids)).replace("None", "null")


class _Cached(dict):
    """JSON text per value, computed once per value (``None`` is ``null``)."""

    def __missing__(self, value) -> str:
        text = self[value] = _dumps(value)
        return text


def _line_writer(cls: type, scope: dict, raw: bool):
    """``line(event)``: the JSON line of an event record; with ``raw``, ``line(flat, i, seq,
    t0)``: that of the raw event at ``flat[i]``."""
    fields = cls._fields  # seq, t, device, live_bytes, *its own; raw: kind in seq's place
    parts, args = [], []
    for name in fields:
        ann = cls.__annotations__[name]
        conv, expr = _FORMATS[name if name in _FORMATS else getattr(ann, "__forward_arg__", ann)]
        parts.append(f"{_dumps(name)}:{conv}")
        args.append(expr.format(x=name))
    template = "{" + ",".join(parts) + f',"kind":{_dumps(cls.kind)}}}\n'
    if raw:
        args[1] = "round((t - t0) * 1e9) / 1e9"  # schema.seconds_since, without a call
        head = [
            "def line(flat, i, seq, t0):",
            f"    _kind, {', '.join(fields[1:])}, = flat[i : i + {len(fields)}]",
        ]
    else:
        head = ["def line(event):", f"    {', '.join(fields)}, = event"]
    exec("\n".join([*head, f"    return {template!r} % ({', '.join(args)},)"]), scope)  # noqa: S102
    return scope.pop("line")


def line_writers(raw: bool) -> dict:
    """A line writer per kind, sharing new caches (they live as long as one write)."""
    scope = {"_dumps": _dumps, "_ids": _ids, "_text": _Cached(), "_lists": _Cached()}
    return {kind: _line_writer(cls, scope, raw) for kind, cls in BY_KIND.items()}


def write(path: str, head: dict, events: Iterable[Event]) -> None:
    """Write a whole trace file at ``path``."""
    with replacing(path) as f:
        f.write(_dumps(head) + "\n")
        write_lines(f, events)


@contextlib.contextmanager
def replacing(path: str) -> Iterator[IO[str]]:
    """A text file to write that takes the place of ``path`` only once it is complete.

    An interrupt or a full disk part way leaves ``path`` as it was (a streamed trace stays
    whole). It is written next to ``path`` and renamed over it; a path that is not a
    regular file (``/dev/null``, a pipe) is written in place.
    """
    target = os.path.realpath(path)  # a link keeps pointing at the trace
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    try:
        special = not stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        special = False
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        f = None if special else open(tmp, "w", encoding="utf-8")  # noqa: SIM115
    except PermissionError:  # a folder closed to new files, and a file open to writing
        if not os.path.exists(target):
            raise
        f = None
    if f is None:
        with open(path, "w", encoding="utf-8") as f:
            yield f
        return
    try:
        with f:
            yield f
        if os.path.exists(target):
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
