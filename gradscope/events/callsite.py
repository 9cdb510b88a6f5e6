"""The user's own call site: the first frame outside the gradscope package."""

from __future__ import annotations

import os
import sys

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

# What the leaves made now are called, where a trace records them: set while a layer makes
# its parameters (``Linear.weight``), which the user's line would name after the model.
leaf_name: str | None = None


def user_frame(skip: int = 1):
    """The innermost frame that is not gradscope's own code (None if there is none)."""
    f = sys._getframe(skip)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    return f


def user_site(skip: int = 1) -> str | None:
    """``file:line`` of the innermost user frame."""
    f = sys._getframe(skip)  # user_frame's walk, written out: every traced op asks
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    # Keyed by the instruction, not the line: ``f_lineno`` decodes the code's line table
    # from its start, which costs microseconds deep in a long script or function.
    code = f.f_code
    key = (id(code), f.f_lasti)
    hit = _sites.get(key)
    if hit is None:
        if len(_sites) >= _MAX_SITES:
            _sites.clear()
        hit = _sites[key] = (code, f"{code.co_filename}:{f.f_lineno}")  # code: keeps id unique
    return hit[1]


# (id of code, instruction offset) -> (code, "file:line"): a loop's ops share their sites
_sites: dict[tuple, tuple] = {}
_MAX_SITES = 100_000


def user_stack(limit: int = 16) -> list[str]:
    """The user's frames, innermost last, as ``file:line in func`` strings.

    The walk stops at the next gradscope frame out: under ``gradscope run`` the frames
    above the script (the command line's own, Click's) are not the user's.
    """
    f = user_frame(2)
    out = []
    while f is not None and len(out) < limit:
        name = f.f_code.co_filename
        if name.startswith(_PKG_DIR):
            break
        if not name.startswith("<frozen") and f.f_globals.get("__name__") != "runpy":
            out.append(f"{name}:{f.f_lineno} in {f.f_code.co_name}")
        f = f.f_back
    return out[::-1]


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a ``warnings.warn`` in the caller name the user's line."""
    f = sys._getframe(1)
    level = 1
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
        level += 1
    return level
