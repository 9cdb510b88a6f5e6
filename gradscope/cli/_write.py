"""Writing an output file, or failing with the one-line message of the command line.

Example::

    write_text("timeline.svg", svg)      # CliError("cannot write ...") when it cannot
"""

from __future__ import annotations

import os

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
