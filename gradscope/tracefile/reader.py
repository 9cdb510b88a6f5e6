"""Reading traces, a chunk of lines at a time, with one-line errors for anything malformed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from operator import itemgetter

from ..events import schema
from ..events.bulk import gc_paused
from ..events.schema import Event, from_dict
from . import FORMAT, VERSION, TraceFileError


def read(path: str) -> tuple[dict, list[Event], list[str]]:
    """Read a trace file: ``(header, events, warnings)``.

    A truncated last line is not an error: the events before it are returned and a
    warning names the line. Any other malformed content raises ``TraceFileError``.
    """
    if not os.path.exists(path):
        raise TraceFileError(f"no such file: {path}")
    if os.path.isdir(path):
        raise TraceFileError(f"{path} is a directory, not a trace file")
    warnings: list[str] = []
    events: list[Event] = []
    with open(path, "rb") as f, gc_paused():
        _check_start(path, f.peek(_PEEK))
        first = f.readline()
        if not first.strip():
            raise TraceFileError(f"{path} is empty, not a gradscope trace")
        head = _parse_header(path, first)
        lineno = 1
        numbered = True  # so far, the events are numbered 0, 1, 2, ...
        blank: list[bytes] = []  # blank lines at the end of the chunk so far
        while True:
            lines = f.readlines(_CHUNK_BYTES)
            if not lines:
                break  # blank lines at the end of the file (an editor's, echo's) are skipped
            lines = blank + lines  # more follows them: they are read, and refused
            blank = []
            while lines and not lines[-1].strip():
                blank.append(lines.pop())
            if not lines:
                continue
            start = len(events)
            parsed = _parse_chunk(lines)
            if parsed is None:  # something is malformed or unusual: go line by line
                _read_lines(path, lines, lineno, events, warnings)
            else:
                events.extend(parsed)
            numbered = numbered and _numbered(events[start:], start)
            lineno += len(lines)
        if not numbered:
            _check_order(path, events)
    return head, events, warnings


_PEEK = 4096  # bytes looked at before the first line is read
_BOM = b"\xef\xbb\xbf"


def _check_start(path: str, start: bytes) -> None:
    """Refuse a file that does not begin with a JSON object from its first bytes, before
    reading a first line that may be the whole of a large file (a checkpoint, an archive)."""
    text = start.removeprefix(_BOM).lstrip(b" \t\r\n")
    if text and not text.startswith(b"{"):
        raise TraceFileError(f"{path} is not a gradscope trace (line 1 is not a JSON header)")


def _numbered(events: list[Event], start: int) -> bool:
    """Whether ``events`` are numbered ``start``, ``start + 1``, ... in order."""
    return list(map(_SEQ, events)) == list(range(start, start + len(events)))


def _check_order(path: str, events: list[Event]) -> None:
    """Events are numbered 0, 1, 2, ... in file order; the views find them by ``seq``."""
    if _numbered(events, 0):
        return
    i = next(i for i, e in enumerate(events) if e.seq != i)
    raise TraceFileError(
        f"{path}: line {i + 2} is corrupt (seq {events[i].seq} where {i} was expected: "
        "events are numbered 0, 1, 2, ... in order)"
    )


# Lines read and parsed at a time (about 400): small enough that a chunk's parsed objects
# are still in the CPU's cache when ``_parse_chunk`` builds the events from them (with
# 1 MiB chunks they are not, and reading is ~20% slower).
_CHUNK_BYTES = 1 << 16
_SEQ = itemgetter(0)


def _parse_chunk(lines: list[bytes]) -> list[Event] | None:
    """The events of whole lines, parsed as one JSON array; None if the chunk cannot be
    read that way (``_read_lines`` then reads it, or names the line that is wrong)."""
    if not lines[-1].endswith(b"\n"):
        return None
    try:
        values = _decode((b"[" + b",".join(lines) + b"]").decode())
        if len(values) != len(lines):
            return None  # a line held more than one value
        return [_BUILD[d["kind"]](d) for d in values]
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None  # not JSON, or a value that is not an event that fits the schema


# A plain decoder: the objects inside an event (a pool's) stay dicts whatever keys they
# have, and the events are built from the top-level objects alone, by one comprehension
# (cheaper than a Python ``object_hook`` that C calls for every object it parses).
_decode = json.JSONDecoder().decode


# -- building events from parsed lines, fast ---------------------------------------
# ``from_dict`` looks each field up by name, then calls the NamedTuple's Python-level
# ``__new__``. Here each kind has a generated builder that takes all its fields with one
# ``itemgetter`` call, tests their types in one expression (``from_dict``'s tests) and
# makes the tuple with ``tuple.__new__``. What a builder accepts, ``from_dict`` accepts
# too and builds the same event from; what it refuses is read again by ``_read_lines``,
# where ``from_dict`` says what is wrong.


def _int_list(x) -> bool:
    """schema's test of ``shape``, for a parsed value: a list of sizes (integers >= 0)."""
    if type(x) is not list:
        return False
    for i in x:
        if type(i) is not int or i < 0:
            return False
    return True


def _id_list(x) -> bool:
    """schema's test of ``inputs``, for a parsed value: a list of ids (>= 0) or nulls."""
    if type(x) is not list:
        return False
    for i in x:
        if i is not None and (type(i) is not int or i < 0):
            return False
    return True


# A plain loop over a list of one to four items is quicker than schema's all(...) over
# them, and than map(type, ...) tested against a set.
_ITEM_TESTS = {"shape": _int_list, "inputs": _id_list}  # schema._ITEMS, as functions


def _fast_builder(cls: type) -> Callable[[dict], Event]:
    """``build(d)``: the event of type ``cls`` that dict ``d`` describes."""
    required = [n for n in cls._fields if n not in cls._field_defaults]
    lines = ["def build(d):", f"    {', '.join(required)}, = _get(d)"]
    for name, default in cls._field_defaults.items():
        lines.append(f"    {name} = d.get({name!r}, {default!r})")
    tests = []
    for name in cls._fields:
        if name in _ITEM_TESTS:
            tests.append(f"_{name}_items({name})")
        else:
            tests.append(schema.expectation(cls, name)[0].format(x=name))
    args = ", ".join(f"tuple({n})" if n in schema.TUPLE_FIELDS else n for n in cls._fields)
    lines += [
        f"    if {' and '.join(tests)}:",
        f"        return _new(_cls, ({args},))",
        "    raise ValueError",
    ]
    scope = {
        **schema.CHECK_SCOPE,
        **{f"_{name}_items": test for name, test in _ITEM_TESTS.items()},
        "_get": itemgetter(*required),
        "_new": tuple.__new__,
        "_cls": cls,
    }
    exec("\n".join(lines), scope)  # noqa: S102
    return scope["build"]


_BUILD = {cls.kind: _fast_builder(cls) for cls in schema.EVENT_TYPES}


def _read_lines(path: str, lines: list[bytes], lineno: int, events: list, warnings: list) -> None:
    """Parse ``lines`` one by one, raising ``TraceFileError`` on the first malformed line.

    A truncated last line is not an error: the events before it are kept and a warning
    names the line.
    """
    loads = json.loads
    pending_error = None
    for i, raw in enumerate(lines):
        lineno += 1
        if pending_error is not None:  # a bad line that was not the last one
            raise TraceFileError(pending_error)
        try:
            events.append(from_dict(loads(raw)))
        except (ValueError, TypeError, KeyError, RecursionError) as e:
            pending_error = f"{path}: line {lineno} is corrupt ({_reason(e)})"
            if not raw.endswith(b"\n") and i == len(lines) - 1:
                warnings.append(
                    f"{path}: line {lineno} is truncated; read the {len(events)} events before it"
                )
                return
    if pending_error is not None:
        raise TraceFileError(pending_error)


def _reason(e: Exception) -> str:
    """Why a line is not an event, in a few words (``from_dict`` says which field)."""
    if isinstance(e, (json.JSONDecodeError, RecursionError)):
        return "not valid JSON"
    if isinstance(e, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(e, ValueError):
        return str(e).replace("\n", " ")
    return f"not an event ({type(e).__name__})"


def _parse_header(path: str, line: bytes) -> dict:
    try:
        head = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise TraceFileError(
            f"{path} is not a gradscope trace (line 1 is not a JSON header)"
        ) from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        fmt = head.get("format") if isinstance(head, dict) else None
        raise TraceFileError(
            f"{path} is not a gradscope trace (format {fmt!r}, expected {FORMAT!r})"
        )
    version = head.get("version")
    if type(version) is not int or version < 1:  # bool is no version number
        given = f"version {_short(version)}" if "version" in head else "no version"
        raise TraceFileError(f"{path} is not a valid gradscope trace header ({given})")
    if version > VERSION:
        raise TraceFileError(
            f"{path} is trace format version {version}; this gradscope reads up to "
            f"version {VERSION} (upgrade gradscope)"
        )
    for name, (ok, what) in _HEADER_FIELDS.items():
        if name in head and not ok(head[name]):
            raise TraceFileError(
                f"{path}: line 1 is corrupt (header field {name!r} is {_short(head[name])}, "
                f"not {what})"
            )
    return head


def _byte_counts(x) -> bool:
    return type(x) is dict and all(type(n) is int and n >= 0 for n in x.values())


# The header's optional fields that gradscope reads: a wrong type is refused here, as an
# event's is, rather than failing later in a command.
_HEADER_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "gradscope": (lambda x: x is None or type(x) is str, "a string or null"),
    "scenario": (lambda x: x is None or type(x) is str, "a string or null"),
    "baseline_bytes": (_byte_counts, "an object of non-negative integers (bytes per device)"),
    "holders": (lambda x: x is None or type(x) is list, "a list or null"),
}


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
