"""Commands' help from their docstrings.

Typer's rich markup mode keeps the line breaks inside a docstring's later paragraphs, so a
docstring wrapped for the source would print ragged; each paragraph is joined into one
line here, for Rich to wrap to the terminal's width.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import typer


def paragraphs(doc: str | None) -> str | None:
    """``doc`` with each paragraph on one line."""
    if doc is None:
        return None
    return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n"))


def command(app: typer.Typer, name: str, fn: Callable, epilog: str) -> None:
    """Register ``fn`` as command ``name`` of ``app``, its help from its docstring."""
    app.command(name, epilog=epilog, help=paragraphs(fn.__doc__))(fn)
