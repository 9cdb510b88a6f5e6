"""Commands' help from their docstrings.

Typer's rich markup mode keeps the line breaks inside a docstring's later paragraphs, so a
docstring wrapped for the source would print ragged; each paragraph is joined into one
line here, for Rich to wrap to the terminal's width.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import typer
from typer.core import TyperCommand


def paragraphs(doc: str | None) -> str | None:
    """``doc`` with each paragraph on one line."""
    if doc is None:
        return None
    return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n"))


def command(app: typer.Typer, name: str, fn: Callable, epilog: str) -> None:
    """Register ``fn`` as command ``name`` of ``app``, its help from its docstring."""
    takes_args = "args" in inspect.signature(fn).parameters  # a scenario's arguments
    cls = ScriptCommand if takes_args else TyperCommand
    app.command(name, epilog=epilog, help=paragraphs(fn.__doc__), cls=cls)(fn)


class ScriptCommand(TyperCommand):
    """A command that passes arguments on to a script: an unknown option is most likely
    one of the script's, given before ``--``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as e:
            if not hasattr(e, "option_name") or not hasattr(e, "possibilities"):
                raise  # not click's NoSuchOption (Typer carries its own copy of click)
            e.possibilities = [p for p in e.possibilities or [] if p not in ("--help", "-h")]
            if not e.possibilities:  # no option of ours it is a misspelling of
                e.message = f"{e.message.rstrip('.')} (script arguments go after --)"
            raise
