"""Small text formatters shared by the views: bytes, shapes, call sites.

Example::

    human_bytes(4_000_000) == "4.0 MB"; exact_bytes(4_000_000) == "4,000,000"
    signed_bytes(-12) == "-12 B"; shape_text((3, 4)) == "(3, 4)"
"""

from __future__ import annotations

import os

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
