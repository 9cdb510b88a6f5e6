"""Writing an output file, or failing with the one-line message of the command line.

Example::

    refuse_overwriting("run.py", {"--save": "run.py"})   # CliError before anything runs
    write_text("timeline.svg", svg)      # CliError("cannot write ...") when it cannot
"""

from __future__ import annotations

import errno
import os
import re

from ._input import input_file
from .errors import CliError


def write_text(path: str, text: str) -> str:
    """Write ``text`` (UTF-8) to ``path``, creating its folder; returns the path."""
    folder = os.path.dirname(path)
    try:
        if folder:
            os.makedirs(folder, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise CliError(f"cannot write {path}: {e.strerror or e}") from None
    return path


def same_file(a: str, b: str) -> bool:
    """Whether paths ``a`` and ``b`` name one file, even one that does not exist yet
    (links and ``..`` resolved; an existing pair compared as ``os.path.samefile`` does)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        real = os.path.realpath
        return os.path.normcase(real(a)) == os.path.normcase(real(b))


def refuse_overwriting(
    source: str,
    outputs: dict[str, str | None],
    *,
    folder: tuple[str, str | None, re.Pattern] | None = None,
) -> None:
    """Refuse (a ``CliError``, exit 2) an output that is the command's input, before
    anything runs: writing it would destroy the script or trace it was made from; and two
    outputs that name one file (the second would overwrite the first).

    ``outputs`` maps each file option to its path (None: not given). ``folder`` is
    ``(option, path, names)``: a folder the command writes files named ``names`` into,
    refused when the input or an output lies in it under such a name (or is the folder's
    path itself).
    """
    path = input_file(source)
    given = [(option, out) for option, out in outputs.items() if out]
    for i, (option, out) in enumerate(given):
        _check_writable(out)
        if same_file(out, path):
            raise CliError(f"{option} {out} is the input file {source}: give another path")
        for other, out2 in given[:i]:
            if same_file(out, out2):
                raise CliError(f"{other} and {option} both name {out}: give each its own file")
    if folder is None or not folder[1]:
        return
    option, out, names = folder
    if _named_in(path, out, names):
        raise CliError(
            f"{option} {out} would overwrite the input file {source}: give another folder"
        )
    for other, out2 in given:
        if _named_in(out2, out, names):
            raise CliError(
                f"{other} {out2} would be overwritten by the pictures of {option} {out}: "
                "give another path"
            )


def _check_writable(path: str) -> None:
    """Refuse now, before a scenario runs for minutes, an output path that cannot be
    written: a folder, a file that is not open to writing, or one under a path through a
    file or a folder closed to new files (``write_text`` creates the missing folders)."""
    reason = None
    if os.path.isdir(path):
        reason = errno.EISDIR
    elif os.path.exists(path):
        if not os.access(path, os.W_OK):
            reason = errno.EACCES
    else:
        folder = os.path.dirname(os.path.abspath(path))
        while not os.path.exists(folder):
            folder = os.path.dirname(folder)
        if not os.path.isdir(folder):
            reason = errno.ENOTDIR
        elif not os.access(folder, os.W_OK | os.X_OK):
            reason = errno.EACCES
    if reason is not None:
        raise CliError(f"cannot write {path}: {os.strerror(reason)}")


def _named_in(path: str, folder: str, names: re.Pattern) -> bool:
    """Whether ``path`` is ``folder`` itself or a file in it named like ``names``."""
    inside = same_file(os.path.dirname(os.path.abspath(path)), folder)
    return same_file(folder, path) or bool(inside and names.fullmatch(os.path.basename(path)))
