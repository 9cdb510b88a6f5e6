"""Reading traces, line by line, with one-line errors for anything malformed."""

from __future__ import annotations

import json
import os

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
    with open(path, "rb") as f:
        first = f.readline()
        if not first.strip():
            raise TraceFileError(f"{path} is empty, not a gradscope trace")
        head = _parse_header(path, first)
        lineno = 1
        while True:
            lines = f.readlines(_CHUNK_BYTES)
            if not lines:
                break
            parsed = _parse_chunk(lines)
            if parsed is None:  # something is malformed: find it line by line
                _read_lines(path, lines, lineno, events, warnings)
                break
            events.extend(parsed)
            lineno += len(lines)
    _check_order(path, events)
    return head, events, warnings


def _check_order(path: str, events: list[Event]) -> None:
    """Events are numbered 0, 1, 2, ... in file order; the views find them by ``seq``."""
    if [e[0] for e in events] == list(range(len(events))):
        return
    i = next(i for i, e in enumerate(events) if e.seq != i)
    raise TraceFileError(
        f"{path}: line {i + 2} is corrupt (seq {events[i].seq} where {i} was expected: "
        "events are numbered 0, 1, 2, ... in order)"
    )


_CHUNK_BYTES = 1 << 20


def _parse_chunk(lines: list[bytes]) -> list[Event] | None:
    """The events of whole, well-formed lines, parsed as one JSON array; None if any is not."""
    if not lines[-1].endswith(b"\n"):
        return None
    try:
        dicts = json.loads(b"[" + b",".join(lines) + b"]")
        if len(dicts) != len(lines):  # a line held more than one value
            return None
        return [from_dict(d) for d in dicts]
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


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
    if not isinstance(version, int) or version > VERSION:
        raise TraceFileError(
            f"{path} is trace format version {version}; this gradscope reads up to "
            f"version {VERSION} (upgrade gradscope)"
        )
    return head
