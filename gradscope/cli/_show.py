"""Pieces of output shared by the commands: the summary line, graph pictures, the ending.

Example::

    out().print(summary_line(src.events, src.baseline))
"""

from __future__ import annotations

import os

import typer

from gradscope.state import GraphState, Ledger
from gradscope.views.fmt import human_bytes
from gradscope.views.render import RenderError, render_file, resolve_binary

from ._input import Source
from .errors import CliError, out, stderr_text


def summary_line(graph: GraphState, led: Ledger) -> str:
    """``summary: N nodes, M saved tensors (B), peak P at seq S, live at end L`` of the
    final graph and memory state."""
    buffers = {s.buffer: s.nbytes for n in graph.nodes.values() for s in n.saved}
    saved = len(buffers)
    at = f" at seq {led.peak_seq}" if led.peak_seq is not None else ""
    return (
        f"summary: {len(graph.nodes)} nodes, {saved} saved tensor{'s' * (saved != 1)} "
        f"({human_bytes(sum(buffers.values()))}), peak {human_bytes(led.peak_bytes)}{at}, "
        f"live at end {human_bytes(led.live_bytes)}"
    )


def binary_or_fail(choice: str | None) -> str:
    """The Graphviz binary to use, or a ``CliError`` saying why there is none."""
    try:
        return resolve_binary(choice)
    except RenderError as e:
        raise CliError(str(e)) from None


def write_picture(dot: str, path: str, fmt: str, binary: str | None) -> str:
    """Render ``dot`` to ``path``; a failure is a ``CliError``."""
    try:
        return render_file(dot, path, fmt, binary)
    except RenderError as e:
        raise CliError(str(e)) from None


def out_dir(path: str) -> str:
    """Create the output folder (or fail with a one-line message)."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise CliError(f"cannot create {path}: {e.strerror or e}") from None
    return path


def saved_line(src: Source, save: str | None) -> None:
    """``trace saved to PATH``, when the trace was saved (a script that did not compile
    recorded nothing)."""
    if save and src.ran:
        out().print(f"trace saved to {save}", soft_wrap=True, markup=False)


def finish(src: Source, save: str | None = None) -> None:
    """Say where the trace went, print the scenario's error, and exit with its code."""
    saved_line(src, save)
    finish_all(src)


def finish_all(*sources: Source) -> None:
    """Print each scenario's error, then exit with the worst of their codes."""
    for src in sources:
        if src.error:
            stderr_text(src.error.rstrip("\n"))
            if src.exit_code == 1 and src.kind == "scenario" and src.ran:
                stderr_text(
                    f"gradscope: {src.path} failed; shown above is what it recorded before that"
                )
    code = max(src.exit_code for src in sources)
    if code:
        raise typer.Exit(code)
