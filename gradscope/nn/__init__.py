"""``gs.nn``: the functional interface (``gs.nn.functional``)."""

from . import functional

__all__ = ["functional"]
