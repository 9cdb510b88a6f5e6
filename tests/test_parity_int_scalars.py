"""A Python int with an integer tensor, against torch 2.13: arithmetic and comparisons
cast it into the tensor's dtype, wrapping around (into uint8, 300 is 44 and -1 is 255),
where NumPy refuses one out of range or compares exactly; ``alpha``, a power's exponent
and fills must fit instead, with torch's error."""

from __future__ import annotations

import warnings

import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

EXPRESSIONS = [
    "u + 300",
    "u - 300",
    "300 - u",
    "u * -1",
    "-1 * u",
    "u + -1",
    "u == 300",
    "u != 300",
    "u < 300",
    "u > -1",
    "u >= 256",
    "i8 + 200",
    "i8 * 1000",
    "i8 <= 200",
    "i32 + 2**40",
    "i32 + 2**63",
    "i32 - 2**63",
    "i64 + 2**63",
    "i64 * 2**62",
    "u + 2**64",
    "u.clone().add_(300)",
    "u.clone().mul_(-3)",
    "u.clone().sub_(-1)",
    "u.add(300, alpha=2)",
    "u.sub(1, alpha=300)",
    "u / 300",
    "300 / u",
    "u // 300",
    "u % 300",
    "u % -3",
    "u ** 255",
    "u ** 256",
    "u ** -1",
    "i8 ** 200",
    "u.clone().pow_(300)",
    "u.clamp(-5, 300)",
    "u.masked_fill(u > 0, 300)",
    "u + True",
    "b + 300",
    "b * -1",
]


def _outcome(m, expression: str):
    names = {
        "u": m.tensor([5, 200], dtype=m.uint8),
        "i8": m.tensor([5, -100], dtype=m.int8),
        "i32": m.tensor([5], dtype=m.int32),
        "i64": m.tensor([3]),
        "b": m.tensor([True, False]),
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eval(expression, {}, names)
    except (RuntimeError, OverflowError, TypeError) as e:
        return type(e).__name__, str(e).splitlines()[0]
    return str(r.dtype).split(".")[-1], r.tolist()


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_a_python_int_with_an_integer_tensor_as_torch(expression):
    assert _outcome(gs, expression) == _outcome(torch, expression)
