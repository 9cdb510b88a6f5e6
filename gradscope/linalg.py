"""``gs.linalg``: the linear-algebra functions torch keeps under ``torch.linalg``."""

from __future__ import annotations

from .ops.api import vector_norm

__all__ = ["vector_norm"]
