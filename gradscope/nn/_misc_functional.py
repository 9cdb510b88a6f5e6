"""``pdist``, and more of ``torch.nn.functional`` recorded as torch records them."""

from __future__ import annotations

from ..ops.distance_misc import pdist

__all__ = ["pdist"]
