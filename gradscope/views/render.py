"""DOT text -> SVG/PNG bytes through the ``graphviz`` package's command runner.

The layout binary is ``graphviz-pure`` (installed with gradscope, same output everywhere)
unless ``GRADSCOPE_DOT=/path/to/dot`` or an explicit choice says otherwise: ``"pure"``,
``"system"`` (Graphviz's own ``dot`` on PATH), or a path.

Example::

    svg = render_dot(to_dot(view), "svg")          # bytes of an SVG document
    render_file(to_dot(view), "graph.png")          # format from the suffix
"""

from __future__ import annotations

import os
import shutil

PURE = "graphviz-pure"
SYSTEM = "dot"
ENV = "GRADSCOPE_DOT"
FORMATS = ("svg", "png", "dot")


class RenderError(RuntimeError):
    """The picture could not be made; the message is one line for the user."""


def resolve_binary(choice: str | None = None) -> str:
    """The layout program to run: ``choice`` ("pure", "system" or a path), else $GRADSCOPE_DOT,
    else graphviz-pure. Raises ``RenderError`` when it is not installed."""
    origin = "--dot-binary"
    if not choice:
        choice = os.environ.get(ENV) or "pure"
        origin = ENV if os.environ.get(ENV) else "default"
    name = {"pure": PURE, "system": SYSTEM}.get(choice, choice)
    found = shutil.which(name)
    if found is None:
        if name == SYSTEM:
            hint = "install Graphviz, or use --dot-binary pure"
        elif name == PURE:
            hint = "reinstall gradscope (it depends on graphviz-pure), or use --dot-binary system"
        else:
            hint = f"check the path given by {origin}"
        raise RenderError(f"Graphviz binary {name!r} not found ({hint})")
    return found


def render_dot(dot: str, fmt: str = "svg", binary: str | None = None) -> bytes:
    """Lay out ``dot`` and return the picture's bytes in ``fmt`` ("svg" or "png")."""
    if fmt == "dot":
        return dot.encode("utf-8")
    if fmt not in FORMATS:
        raise RenderError(f"cannot render {fmt!r}; choose one of {', '.join(FORMATS)}")
    from graphviz import CalledProcessError, ExecutableNotFound
    from graphviz.backend.execute import run_check

    exe = resolve_binary(binary)
    name = os.path.basename(exe)
    try:  # quiet: the program's stderr goes into the one-line error, not onto the terminal
        proc = run_check(
            [exe, "-Kdot", f"-T{fmt}"], input=dot.encode("utf-8"), capture_output=True, quiet=True
        )
    except ExecutableNotFound:
        raise RenderError(f"Graphviz binary {exe!r} could not be run") from None
    except CalledProcessError as e:
        err = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        first = err[0] if err else f"exit status {e.returncode}"
        raise RenderError(f"{name} failed: {first}") from None
    except OSError as e:  # not a program the OS can run: no #! line, a foreign binary
        raise RenderError(f"Graphviz binary {exe!r} could not be run: {e.strerror or e}") from None
    if not proc.stdout:
        raise RenderError(f"{name} wrote no {fmt}")
    return proc.stdout


def format_of(path: str, default: str = "svg") -> str:
    """The picture format a file name asks for (its suffix), else ``default``."""
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    if ext == "gv":
        return "dot"
    return ext if ext in FORMATS else default


def render_file(dot: str, path: str, fmt: str | None = None, binary: str | None = None) -> str:
    """Write the picture of ``dot`` to ``path`` (format from ``fmt`` or the suffix)."""
    data = render_dot(dot, fmt or format_of(path), binary)
    folder = os.path.dirname(path)
    try:
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise RenderError(f"cannot write {path}: {e.strerror or e}") from None
    return path
