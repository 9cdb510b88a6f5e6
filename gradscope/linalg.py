"""``gs.linalg``: the linear-algebra functions torch keeps under ``torch.linalg``."""

from __future__ import annotations

from .errors import LinAlgError
from .ops.api import vector_norm
from .ops.linalg_api import (
    cond,
    cross,
    det,
    inv,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    norm,
    pinv,
    slogdet,
    solve,
    svd,
    svdvals,
    vecdot,
)

__all__ = [
    "LinAlgError",
    "cond",
    "cross",
    "det",
    "inv",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "multi_dot",
    "norm",
    "pinv",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "vecdot",
    "vector_norm",
]
