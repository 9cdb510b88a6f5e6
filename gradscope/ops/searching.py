"""Looking values up: ``isin``, ``searchsorted`` and ``bucketize``.

None has a derivative, and their results (bool or integer tensors) are outside the graph,
as in torch. Values and boundaries are compared in their joint dtype (torch's type
promotion); a NaN sorts after every number, as in torch's and NumPy's sorts.
"""

from __future__ import annotations

from numbers import Number

import numpy as np

from .. import dtypes
from ..backend import xp_of
from ..errors import refuse_complex_input, scalar_type_name, shape_str
from ..tensor import Tensor
from .predicates import invalid_arguments

_INT64 = np.dtype(np.int64)


def _is_number(v) -> bool:
    return isinstance(v, Number) and not isinstance(v, Tensor)


def _joint(x, y):
    """Arrays ``x`` and ``y`` (either may be a Python number) in their joint dtype: a
    number takes the array's dtype where it fits its category (an int wrapping into an
    integer dtype, as torch casts it)."""
    if not hasattr(x, "dtype"):
        b, a = _joint(y, x)
        return a, b
    xp = xp_of(x)
    if hasattr(y, "dtype"):
        dtype = dtypes.result_type(x.dtype, 1, None, y.dtype, 1)
        y = y.astype(dtype, copy=False)
    else:
        dtype = dtypes.result_type(x.dtype, 1, y, None, 0)
        if isinstance(y, int) and not isinstance(y, bool) and dtype.kind in "iu":
            y = dtypes.wrapped_scalar(y, dtype)
        y = xp.asarray(y, dtype=dtype)
    return x.astype(dtype, copy=False), y


# ------------------------------------------------------------------------ isin

_ISIN_FORMS = [
    ("Tensor elements, Tensor test_elements, *, bool assume_unique = False, bool invert = "
     "False, Tensor out = None", ("Tensor",) * 5),
    ("Number element, Tensor test_elements, *, bool assume_unique = False, bool invert = "
     "False, Tensor out = None", ("Number",) * 5),
    ("Tensor elements, Number test_element, *, bool assume_unique = False, bool invert = "
     "False, Tensor out = None", ("Tensor",) * 5),
]  # fmt: skip


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Where each of ``elements`` equals one of ``test_elements`` (either may be a Python
    number, not both), as a bool tensor of ``elements``' shape; with ``invert``, where
    none does."""
    te, tt = type(elements) is Tensor, type(test_elements) is Tensor
    if not ((te and (tt or _is_number(test_elements))) or (tt and _is_number(elements))):
        raise invalid_arguments("isin", _ISIN_FORMS, (elements, test_elements))
    refuse_complex_input("isin", elements, test_elements)
    for v in (elements, test_elements):
        kind = v._data.dtype.kind if type(v) is Tensor else "b" if isinstance(v, bool) else ""
        if kind == "b":
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    x, y = _joint(elements._data if te else elements, test_elements._data if tt else test_elements)
    xp = xp_of(x)
    found = xp.isin(x, y, assume_unique=assume_unique, invert=invert)
    return Tensor._make(xp.asarray(found), None)


# ------------------------------------------------------------------------ searchsorted

_SEARCHSORTED_FORMS = [
    ("Tensor sorted_sequence, Tensor input, *, bool out_int32 = False, bool right = False, "
     "str side = None, Tensor sorter = None, Tensor out = None", ("Tensor",) * 7),
    ("Tensor sorted_sequence, Number self, *, bool out_int32 = False, bool right = False, "
     "str side = None, Tensor sorter = None, Tensor out = None", ("Tensor",) * 7),
]  # fmt: skip

_BUCKETIZE_FORMS = [
    ("Tensor input, Tensor boundaries, *, bool out_int32 = False, bool right = False, "
     "Tensor out = None", ("Tensor",) * 5),
    ("Number self, Tensor boundaries, *, bool out_int32 = False, bool right = False",
     ("Number",) * 4),
]  # fmt: skip

_SS = "torch.searchsorted(): "


def searchsorted(
    sorted_sequence,
    input,  # noqa: A002 - torch's name
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter=None,
):
    """Where each of ``input`` would go in ``sorted_sequence`` (sorted along its last dim,
    or put in order by ``sorter``) to keep it sorted: the first such place, or the last
    with ``right=True`` / ``side="right"``. A 1-d sequence serves every value; an n-d one
    has one row per row of ``input``. int64 indices (int32 with ``out_int32``)."""
    if type(sorted_sequence) is not Tensor or not (type(input) is Tensor or _is_number(input)):
        raise invalid_arguments("searchsorted", _SEARCHSORTED_FORMS, (sorted_sequence, input))
    refuse_complex_input("searchsorted", sorted_sequence, input)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"{_SS}side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                f"{_SS}side and right can't be set to opposites, got side of left while right "
                "was True"
            )
        right = side == "right"
    return _search(sorted_sequence, input, out_int32, right, sorter, "searchsorted_out_cpu")


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):  # noqa: A002
    """Which bucket of the 1-d sorted ``boundaries`` each of ``input`` falls in: the index
    of the first boundary at or above it (above it with ``right=True``)."""
    if type(boundaries) is not Tensor or not (type(input) is Tensor or _is_number(input)):
        raise invalid_arguments("bucketize", _BUCKETIZE_FORMS, (input, boundaries))
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return _search(boundaries, input, out_int32, right, None, "searchsorted_out_cpu")


def _search(seq, values, out_int32: bool, right: bool, sorter, kernel: str) -> Tensor:
    s = seq._data
    v = values._data if type(values) is Tensor else values
    v_ndim = v.ndim if hasattr(v, "ndim") else 0
    if s.ndim == 0:
        raise RuntimeError(
            f"{_SS}boundaries tensor should have positive dimension, but got 0 dimension"
        )
    if s.ndim > 1 and v_ndim == 0:
        raise RuntimeError(
            f"{_SS}input value can be a scalar only when boundaries tensor dimension is 1, "
            f"but we got boundaries tensor dim({s.ndim}) and input value's dim(0) numel(1)"
        )
    if s.ndim > 1 and (v_ndim != s.ndim or v.shape[:-1] != s.shape[:-1]):
        raise RuntimeError(
            f"{_SS}boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries "
            f"tensor {shape_str(s.shape)} and input value tensor {shape_str(v.shape)}"
        )
    for arr in (s, v):
        if getattr(arr, "dtype", None) is not None and arr.dtype.kind == "b":
            raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    xp = xp_of(s)
    if sorter is not None:
        o = sorter._data
        if o.shape != s.shape:
            raise RuntimeError(
                f"{_SS}boundary and sorter must have the same size, but got boundary tensor "
                f"{shape_str(s.shape)}and got sorter tensor {shape_str(o.shape)}"
            )
        if o.dtype != _INT64:
            raise RuntimeError(
                f"{_SS}sorter must be a tensor of long dtype but got dtype "
                f"{scalar_type_name(o.dtype)}"
            )
        if o.size and (o.min() < 0 or o.max() >= s.shape[-1]):
            raise RuntimeError(f"{_SS}sorter index out of range")
        s = xp.take_along_axis(s, o, axis=-1)
    s, v = _joint(s, v)
    which = "right" if right else "left"
    if s.ndim == 1:
        found = xp.searchsorted(s, v, side=which)
    else:  # one search per row of the sequence
        rows_s = s.reshape(-1, s.shape[-1])
        rows_v = v.reshape(-1, v.shape[-1])
        found = xp.empty(rows_v.shape, _INT64)
        for i in range(rows_s.shape[0]):
            found[i] = xp.searchsorted(rows_s[i], rows_v[i], side=which)
        found = found.reshape(v.shape)
    dtype = np.dtype(np.int32) if out_int32 else _INT64
    return Tensor._make(xp.asarray(found).astype(dtype, copy=False), None)
