"""``gs.utils``: ``gs.utils.data``, datasets and their loader."""

from . import data

__all__ = ["data"]
