"""Domain errors carry their exit code and become one stderr line at the command boundary.

Example::

    with boundary():
        raise CliError("no such file: x.py")      # prints "gradscope: error: ...", exits 2
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

USAGE = 2  # bad usage or unreadable input
SCENARIO_FAILED = 1


class CliError(Exception):
    """A user-facing failure: a one-line message and the exit code it ends with."""

    def __init__(self, message: str, exit_code: int = USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def out() -> Console:
    """The console for results (stdout); width from $COLUMNS when not a terminal."""
    return Console(highlight=False)


def err() -> Console:
    """The console for warnings and errors (stderr)."""
    return Console(stderr=True, highlight=False)


def error_line(message: str) -> None:
    """Print one ``gradscope: error: ...`` line on stderr, never wrapped."""
    err().print(f"gradscope: error: {message}", markup=False, soft_wrap=True)


def warning_line(message: str) -> None:
    """Print one ``gradscope: warning: ...`` line on stderr, never wrapped."""
    err().print(f"gradscope: warning: {message}", markup=False, soft_wrap=True)


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
    except Exception as e:
        if os.environ.get("GRADSCOPE_DEBUG"):
            raise
        text = " ".join(str(e).split())
        text = text if len(text) <= 200 else text[:197] + "..."
        error_line(f"internal error: {type(e).__name__}: {text} "
                   "(GRADSCOPE_DEBUG=1 shows the traceback)")  # fmt: skip
        raise typer.Exit(USAGE) from None
