"""Small text formatters shared by the views: bytes, shapes, call sites, and text that
wraps only where it may.

Example::

    human_bytes(4_000_000) == "4.0 MB"; exact_bytes(4_000_000) == "4,000,000"
    signed_bytes(-12) == "-12 B"; shape_text((3, 4)) == "(3, 4)"
    Console(width=12).print(Pieces("308..", "817", sep=""))  # 308..817, or 308.. / 817
"""

from __future__ import annotations

import os
import re

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

_UNITS = ("B", "kB", "MB", "GB", "TB")


def human_bytes(n: int) -> str:
    """Bytes in decimal units, as a 1M-element float32 tensor is "4.0 MB"."""
    size = float(abs(n))
    unit = 0
    while size >= 1000 and unit < len(_UNITS) - 1:
        size /= 1000
        unit += 1
    sign = "-" if n < 0 else ""
    if unit == 0:
        return f"{sign}{int(size)} B"
    return f"{sign}{size:.1f} {_UNITS[unit]}"


def exact_bytes(n: int) -> str:
    """Exact bytes with thousands separators: ``4,000,000``."""
    return f"{n:,}"


def signed_bytes(n: int) -> str:
    """A change in bytes with its sign, human units: ``+4.0 MB``, ``-12 B``, ``0 B``."""
    if n > 0:
        return "+" + human_bytes(n)
    return human_bytes(n)


def signed_int(n: int) -> str:
    """A change in a count or exact bytes, with sign and separators: ``+1,024``."""
    return f"{n:+,}" if n else "0"


def shape_text(shape: tuple | list | None) -> str:
    """A shape as torch prints sizes, ``(3, 4)``; a 0-d tensor is ``()``."""
    if shape is None:
        return "?"
    shape = tuple(shape)
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(s) for s in shape) + ")"


def short_site(site: str | None) -> str:
    """``file:line`` with the file's directories dropped; ``""`` when unknown."""
    if not site:
        return ""
    path, sep, line = site.rpartition(":")
    if not sep or not line.isdigit():
        return os.path.basename(site)
    return f"{os.path.basename(path)}:{line}"


# a space that must not break a line: between a number and its unit
_BOUND = re.compile(r"(?<=\d) (?=(?:B|kB|MB|GB|TB)\b)")
_SPACES = re.compile(r" +")


def _words(plain: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the words a line may break between; a number and its unit are
    one word."""
    bound = {m.start() for m in _BOUND.finditer(plain)}
    out, start = [], 0
    for m in _SPACES.finditer(plain):
        if m.start() in bound or m.start() == 0:
            continue
        out.append((start, m.start()))
        start = m.end()
    if start < len(plain):
        out.append((start, len(plain)))
    return out


def wrap_words(text: Text, width: int) -> list[Text]:
    """``text`` cut into lines of at most ``width`` cells at its spaces, never between a
    number and its unit; a word wider than ``width`` is folded."""
    plain = text.plain
    width = max(1, width)
    cuts, line_start = [], 0
    for start, end in _words(plain):
        if start > line_start and cell_len(plain[line_start:end]) > width:
            cuts.append(start)
            line_start = start
        while cell_len(plain[line_start:end]) > width:  # a word alone too wide: fold it
            fold, used = line_start, 0
            while used + cell_len(plain[fold]) <= width:
                used += cell_len(plain[fold])
                fold += 1
            fold = max(fold, line_start + 1)  # a character wider than the line still moves on
            cuts.append(fold)
            line_start = fold
    lines = text.divide(cuts)
    for line in lines:
        line.rstrip()
    return list(lines)


class Pieces:
    """Pieces of text laid out on one line when they fit, else broken only between pieces:
    each piece starts a new line when it does not fit on the current one, and a piece wider
    than the whole line wraps at its own spaces, never between a number and its unit."""

    def __init__(self, *pieces: str | Text, sep: str = "  ") -> None:
        self.pieces = [p if isinstance(p, Text) else Text(p) for p in pieces if p]
        self.sep = sep

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max(
            (cell_len(p.plain[a:b]) for p in self.pieces for a, b in _words(p.plain)), default=0
        )
        whole = sum(p.cell_len for p in self.pieces) + len(self.sep) * (len(self.pieces) - 1)
        return Measurement(widest, max(widest, whole)).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines: list[Text] = []
        for piece in self.pieces:
            if lines and lines[-1].cell_len + len(self.sep) + piece.cell_len <= width:
                lines[-1].append(self.sep)
                lines[-1].append_text(piece)
            elif piece.cell_len <= width:
                lines.append(Text().append_text(piece))  # the piece's style stays its own
            else:
                lines.extend(Text().append_text(line) for line in wrap_words(piece, width))
        yield from lines
