"""Domain errors carry their exit code and become one stderr line at the command boundary.

Example::

    with boundary():
        raise CliError("no such file: x.py")      # prints "gradscope: error: ...", exits 2
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import NoReturn

import typer
from rich.console import Console

USAGE = 2  # bad usage or unreadable input
SCENARIO_FAILED = 1


class CliError(Exception):
    """A user-facing failure: a one-line message and the exit code it ends with."""

    def __init__(self, message: str, exit_code: int = USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


PIPE_CLOSED = 141  # the reader of stdout went away: 128 + SIGPIPE, as the shell reports it


class _Console(Console):
    def on_broken_pipe(self) -> None:
        pipe_closed()


def out() -> Console:
    """The console for results (stdout); width from $COLUMNS when not a terminal."""
    return _Console(highlight=False, width=_width())


def err() -> Console:
    """The console for warnings and errors (stderr)."""
    return _Console(stderr=True, highlight=False, width=_width())


def pipe_closed() -> NoReturn:
    """Stop quietly with ``PIPE_CLOSED``: whoever read stdout (``| head -1``) has all
    they wanted. What is left to print at exit goes nowhere."""
    with suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    raise SystemExit(PIPE_CLOSED)


def _width() -> int | None:
    """None (rich reads $COLUMNS, else the terminal, else 80), except where $COLUMNS is
    0: rich would take it and print nothing. Then the terminal's width, else 80."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) == 0:
        return shutil.get_terminal_size().columns
    return None


def error_line(message: str) -> None:
    """Print one ``gradscope: error: ...`` line on stderr, never wrapped."""
    stderr_text(f"gradscope: error: {message}")


def warning_line(message: str) -> None:
    """Print one ``gradscope: warning: ...`` line on stderr, never wrapped."""
    stderr_text(f"gradscope: warning: {message}")


def stderr_text(text: str) -> None:
    """``text`` and a newline on stderr, as it is: whatever the terminal settings, no markup, no emoji
    codes; a stream the scenario closed is replaced by the interpreter's own."""
    stream = sys.stderr if not getattr(sys.stderr, "closed", False) else sys.__stderr__
    if stream is None or getattr(stream, "closed", False):
        return
    stream.write(text + "\n")
    stream.flush()


@contextmanager
def boundary() -> Iterator[None]:
    """Turn a ``CliError`` raised inside into its stderr line and exit code.

    Anything else that escapes gradscope's own code (a trace whose events do not fit
    together, or a bug) is one ``internal error`` line and exit code 2, never a Python
    traceback; ``GRADSCOPE_DEBUG=1`` lets the traceback through.
    """
    try:
        yield
    except CliError as e:
        error_line(str(e))
        raise typer.Exit(e.exit_code) from None
    except (typer.Exit, typer.Abort, typer.TyperException):  # Typer's own ways out
        raise
    except KeyboardInterrupt:
        error_line("interrupted")
        raise typer.Exit(130) from None
    except BrokenPipeError:  # typer.echo (--json) to a reader that went away
        pipe_closed()
    except Exception as e:
        if os.environ.get("GRADSCOPE_DEBUG"):
            raise
        text = " ".join(str(e).split())
        text = text if len(text) <= 200 else text[:197] + "..."
        error_line(f"internal error: {type(e).__name__}: {text} "
                   "(GRADSCOPE_DEBUG=1 shows the traceback)")  # fmt: skip
        raise typer.Exit(USAGE) from None
