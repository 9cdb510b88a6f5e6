"""What a command reads: a scenario script (run now) or a trace file (read back).

Both give the same thing: a header and a list of events. Anything unreadable becomes a
``CliError`` with exit code 2 and a one-line message.

Example::

    src = load("scenarios/square_sum.py")      # or "run.gstrace"
    src.events, src.baseline, src.exit_code
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import CliError, warning_line


@dataclass
class Source:
    """Events to show, where they came from, and how the scenario ended."""

    path: str
    header: dict
    events: list
    kind: str  # "scenario" | "trace"
    exit_code: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    ran: bool = True  # False for a script that did not compile: nothing to show
    final: Any = None  # gradscope.state.Snapshot at the end, folded once by check_events

    @property
    def baseline(self) -> dict[str, int]:
        """Bytes per device that were live when the trace began."""
        base = self.header.get("baseline_bytes")
        if not isinstance(base, dict):
            return {}
        return {str(d): n for d, n in base.items() if isinstance(n, int)}


def scenarios_dir() -> Path:
    """The bundled scenarios: ``gradscope_scenarios/`` next to the installed package (a
    wheel), else the repository's ``scenarios/`` folder (a checkout, an editable install).

    pyproject.toml installs the repository's ``scenarios/`` as ``gradscope_scenarios``.
    """
    import gradscope

    root = Path(gradscope.__file__).resolve().parent.parent
    installed = root / "gradscope_scenarios"
    return installed if installed.is_dir() else root / "scenarios"


def input_file(path: str) -> str:
    """The file a command's input names: a bundled scenario's file for its name, else
    ``path`` itself."""
    return _bundled(path) or path


def _bundled(name: str) -> str | None:
    if os.path.sep in name or name.endswith(".py") or os.path.exists(name):
        return None
    candidate = scenarios_dir() / f"{name}.py"
    return str(candidate) if candidate.is_file() else None


def load(
    path: str,
    args: list[str] | None = None,
    save: str | None = None,
    *,
    quiet: bool = False,
) -> Source:
    """Run ``path`` if it is a ``.py`` scenario (or a bundled scenario's name), else read it
    as a trace. ``quiet`` sends the scenario's own prints to stderr."""
    path = _bundled(path) or path
    if path.endswith(".py") and not os.path.isdir(path):
        from ._scenario import run_scenario

        redirect = contextlib.redirect_stdout(sys.stderr) if quiet else contextlib.nullcontext()
        with redirect:
            res = run_scenario(path, args, save)
        src = Source(path, res.trace.header, res.trace.events, "scenario", res.exit_code,
                     res.error, ran=res.ran)  # fmt: skip
        check_events(src)
        return src
    if args:
        raise CliError(f"{path} is a trace file; script arguments need a .py scenario")
    from gradscope.recorder import load_trace
    from gradscope.tracefile import TraceFileError

    try:
        tr = load_trace(path)
    except TraceFileError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"cannot read {path}: {e.strerror or e}") from None
    for w in tr.warnings:
        warning_line(w)
    src = Source(path, tr.header, tr.events, "trace", warnings=list(tr.warnings))
    check_events(src)
    if save:
        try:
            folder = os.path.dirname(save)
            if folder:
                os.makedirs(folder, exist_ok=True)
            tr.save(save)
        except OSError as e:
            raise CliError(f"cannot write {save}: {e.strerror or e}") from None
    return src


def check_events(src: Source) -> None:
    """Fold the events once (into ``src.final``); events that do not fold are unreadable."""
    from gradscope.state import snapshot_at_index

    try:
        src.final = snapshot_at_index(src.events, len(src.events), src.baseline)
        return
    except (TypeError, ValueError, KeyError, AttributeError):
        if src.kind == "scenario":
            raise
    bad = _first_bad(src)
    raise CliError(f"{src.path}: event {bad} does not fit the trace format") from None


def _first_bad(src: Source) -> str:
    from gradscope.state import GraphState, Ledger

    graph, led = GraphState(), Ledger(src.baseline)
    for i, e in enumerate(src.events):
        try:
            graph.feed((e,))
            led.feed((e,))
        except (TypeError, ValueError, KeyError, AttributeError) as x:
            return f"{getattr(e, 'seq', i)} on line {i + 2} ({e.kind}: {type(x).__name__})"
    return "?"
