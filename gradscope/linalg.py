"""``gs.linalg``: the linear-algebra functions torch keeps under ``torch.linalg``."""

from __future__ import annotations

from .errors import LinAlgError
from .ops.api import vector_norm
from .ops.linalg_api import (
    cross,
    det,
    inv,
    matrix_norm,
    matrix_power,
    multi_dot,
    norm,
    slogdet,
    solve,
    vecdot,
)

__all__ = [
    "LinAlgError",
    "cross",
    "det",
    "inv",
    "matrix_norm",
    "matrix_power",
    "multi_dot",
    "norm",
    "slogdet",
    "solve",
    "vecdot",
    "vector_norm",
]
