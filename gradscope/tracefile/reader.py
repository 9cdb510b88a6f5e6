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
    loads = json.loads
    with open(path, "rb") as f:
        first = f.readline()
        if not first.strip():
            raise TraceFileError(f"{path} is empty, not a gradscope trace")
        head = _parse_header(path, first)
        lineno = 1
        pending_error = None
        for raw in f:
            lineno += 1
            if pending_error is not None:  # a bad line that was not the last one
                raise TraceFileError(pending_error)
            try:
                events.append(from_dict(loads(raw)))
            except (ValueError, TypeError, KeyError) as e:
                if isinstance(e, ValueError) and not isinstance(e, json.JSONDecodeError):
                    reason = str(e)
                else:
                    reason = "not valid JSON"
                pending_error = f"{path}: line {lineno} is corrupt ({reason})"
                truncated = not raw.endswith(b"\n")
                if truncated:
                    warnings.append(
                        f"{path}: line {lineno} is truncated; "
                        f"read the {len(events)} events before it"
                    )
                    pending_error = None
                    break
        if pending_error is not None:
            raise TraceFileError(pending_error)
    return head, events, warnings


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
