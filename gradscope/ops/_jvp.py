"""Helpers for the ``jvp`` rules (forward mode): tangents may be None, meaning zero."""

from __future__ import annotations


def terms(*ts):
    """The sum of the tangent terms that are not None (None when all are)."""
    total = None
    for t in ts:
        if t is not None:
            total = t if total is None else total + t
    return total


def times(t, factor):
    """``t * factor``, or None for a None tangent."""
    return None if t is None else t * factor


def each(tangents, xs, xp):
    """Every tangent, with zeros standing in for the None ones (as arrays shaped like ``xs``)."""
    return [xp.zeros_like(x) if t is None else t for t, x in zip(tangents, xs)]
