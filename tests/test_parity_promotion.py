"""The dtype and values of ``a op b`` for every pair of dtypes, and for tensors against
Python numbers and 0-dim tensors, against torch 2.13 (NumPy promotes differently: int32 /
int64 stays an integer there, a float in torch).
"""

from __future__ import annotations

import itertools
import math
import operator
import warnings

import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]
OTHERS = DTYPES + ["py_int", "py_float", "py_bool", "0d_float64", "0d_int64"]
OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "lt": operator.lt,
    "eq": operator.eq,
    "radd": lambda a, b: b + a,
    "rsub": lambda a, b: b - a,
    "rtruediv": lambda a, b: b / a,
    "rpow": lambda a, b: b**a,
}
# torch's pow of bools: left alone (gradscope computes it in int8)
KNOWN = {("pow", "bool", "bool"), ("pow", "bool", "py_bool"), ("rpow", "bool", "bool"),
         ("rpow", "bool", "py_bool")}  # fmt: skip


def _operand(m, kind, values):
    if kind == "py_int":
        return 2
    if kind == "py_float":
        return 2.5
    if kind == "py_bool":
        return True
    if kind == "0d_float64":
        return m.tensor(2.5, dtype=m.float64)
    if kind == "0d_int64":
        return m.tensor(2, dtype=m.int64)
    return m.tensor([True, False] if kind == "bool" else values, dtype=getattr(m, kind))


def _outcome(m, op, a_kind, b_kind):
    a, b = _operand(m, a_kind, [3, 2]), _operand(m, b_kind, [2, 1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = OPS[op](a, b)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e))
    values = ["nan" if isinstance(v, float) and math.isnan(v) else v for v in r.tolist()]
    return ("ok", str(r.dtype).split(".")[-1], values)


CASES = [
    pytest.param(op, a, b, id=f"{op}-{a}-{b}")
    for op, a, b in itertools.product(OPS, DTYPES, OTHERS)
    if (op, a, b) not in KNOWN
]


@pytest.mark.parametrize("op, a_kind, b_kind", CASES)
def test_result_dtype_and_values_as_torch(op, a_kind, b_kind):
    got, want = _outcome(gs, op, a_kind, b_kind), _outcome(torch, op, a_kind, b_kind)
    if want[0] == "ok" and got[0] == "ok" and want[1] == "float16":
        # half arithmetic: torch rounds through float, NumPy in half; compare loosely
        assert got[1] == "float16"
        assert got[2] == pytest.approx(want[2], rel=1e-3, nan_ok=True)
        return
    assert got == want
