"""A number that does not fit the dtype it fills, against torch 2.13: ``full``, ``fill_``,
setitem, ``masked_fill``, ``clamp``'s bounds, ``where``'s scalar and ``tensor()`` raise
torch's errors ("value cannot be converted to type float without overflow"), and the
numbers that fit (inf and NaN in floating types, a negative int wrapping into uint8)
give torch's values.
"""

from __future__ import annotations

import math
import warnings

import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

OPS = {
    "full": lambda m, d, v: m.full((2,), v, dtype=d),
    "fill_": lambda m, d, v: m.zeros(2, dtype=d).fill_(v),
    "setitem": lambda m, d, v: _set(m.zeros(2, dtype=d), v),
    "masked_fill": lambda m, d, v: m.zeros(2, dtype=d).masked_fill(m.tensor([True, False]), v),
    "masked_fill_": lambda m, d, v: m.zeros(2, dtype=d).masked_fill_(m.tensor([True, False]), v),
    "clamp_max": lambda m, d, v: m.zeros(2, dtype=d).clamp(max=v),
    "clamp_min_": lambda m, d, v: m.zeros(2, dtype=d).clamp_(min=v),
    "where": lambda m, d, v: m.where(m.tensor([True, False]), m.zeros(2, dtype=d), v),
    "tensor": lambda m, d, v: m.tensor([v], dtype=d),
    "tensor_0d": lambda m, d, v: m.tensor(v, dtype=d),
    # each number is checked as its own type: an int among floats still wraps into uint8
    "tensor_among_floats": lambda m, d, v: m.tensor([[1.5], [v]], dtype=d),
}
DTYPES = ["float32", "float16", "float64", "int64", "int32", "int8", "uint8", "bool"]
VALUES = [1e40, -1e40, 70000.0, 300, -1, -300, 2**31, 2**63, -(2**63), math.inf, math.nan, 3.5]
VALUES += [-3.5, -0.5, 255.9, 127.9, -128.9, 2.0**63]  # a float must fit, then truncates

# torch's own quirk, left alone: where() on bool tensors with a number promotes it
KNOWN = {("where", "bool")}


def _set(t, v):
    t[0] = v
    return t


def _outcome(m, op, dtype, value):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = OPS[op](m, getattr(m, dtype), value)
        return ("ok", str(r.tolist()))
    except (RuntimeError, ValueError, TypeError, OverflowError) as e:
        return (type(e).__name__, str(e))


CASES = [
    pytest.param(op, d, v, id=f"{op}-{d}-{v!r}")
    for op in OPS
    for d in DTYPES
    for v in VALUES
    if (op, d) not in KNOWN
]


@pytest.mark.parametrize("op, dtype, value", CASES)
def test_a_number_fills_as_torch_fills(op, dtype, value):
    assert _outcome(gs, op, dtype, value) == _outcome(torch, op, dtype, value)


@pytest.mark.parametrize("value", [300, -1, -300, 2**31, 2**63])
def test_bool_tensors_take_any_int(value):
    for op in ("full", "fill_", "setitem", "masked_fill"):
        assert _outcome(gs, op, "bool", value) == _outcome(torch, op, "bool", value), op
