"""``cat``, ``stack``, ``where``, ``masked_fill``, ``maximum``, ``clamp`` by tensors,
comparisons and in-place ``add_``/``mul_``/``div_`` on pairs of shapes (broadcasting,
empty, 0-dim) and dtypes (floats, ints, bools, half), against torch 2.13: shape, dtype,
values, node and gradients, or torch's error (an in-place op checks the shape before the
dtype). The cases are drawn once from a seeded generator.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "int64", "bool", "float16", "int32"]
SHAPES = [(), (3,), (2, 3), (1, 3), (2, 1), (0, 3)]


def _inplace(name: str):
    def run(m, a, b):
        target = a * 1 if a.requires_grad else a.clone()
        return getattr(target, name)(b)

    return run


OPS = {
    "cat0": lambda m, a, b: m.cat([a, b], 0),
    "cat_last": lambda m, a, b: m.cat([a, b], -1),
    "stack": lambda m, a, b: m.stack([a, b]),
    "where": lambda m, a, b: m.where(a > 0, a, b),
    "where_float": lambda m, a, b: m.where(b > 0, a, 1.5),
    "where_int": lambda m, a, b: m.where(b > 0, 2, a),
    "masked_fill": lambda m, a, b: a.masked_fill(b > 0, 2.5),
    "masked_fill_0dim": lambda m, a, b: a.masked_fill(b > 0, m.tensor(3)),
    "maximum": lambda m, a, b: m.maximum(a, b),
    "clamp_min_tensor": lambda m, a, b: a.clamp(min=b),
    "clamp_tensors": lambda m, a, b: a.clamp(b, b),
    "eq": lambda m, a, b: a == b,
    "mul_mask": lambda m, a, b: a * (b > 0),
    "add_": _inplace("add_"),
    "mul_": _inplace("mul_"),
    "div_": _inplace("div_"),
}


def _operand(m, shape, dtype, k):
    arr = (np.arange(int(np.prod(shape))).reshape(shape) * (k + 1) % 5 - 2) / 2
    t = m.tensor(arr > 0) if dtype == "bool" else m.tensor(arr, dtype=getattr(m, dtype))
    if t.is_floating_point():
        t.requires_grad_()
    return t


def _plain(arr) -> str:
    return str((np.asarray(arr, dtype=float).round(3) + 0.0).tolist())


def _outcome(m, op, sa, da, sb, db):
    a, b = _operand(m, sa, da, 1), _operand(m, sb, db, 2)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = OPS[op](m, a, b)
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    got = [tuple(y.shape), str(y.dtype).split(".")[-1], _plain(y.detach().numpy())]
    got.append(type(y.grad_fn).__name__ if y.grad_fn is not None else None)
    if y.requires_grad and y.numel():
        (y.double() * 1.5).sum().backward()
        got += [_plain(t.grad.numpy()) if t.grad is not None else None for t in (a, b)]
    return ("ok", *got)


def _cases(count: int, seed: int = 6) -> list:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < count:
        case = (rng.choice(list(OPS)), rng.choice(SHAPES), rng.choice(DTYPES))
        case += (rng.choice(SHAPES), rng.choice(DTYPES))
        if case in seen:
            continue
        seen.add(case)
        out.append(pytest.param(*case, id="-".join(map(str, case)).replace(" ", "")))
    return out


@pytest.mark.parametrize("op, sa, da, sb, db", _cases(800))
def test_mixed_operands_as_torch(op, sa, da, sb, db):
    got, want = _outcome(gs, op, sa, da, sb, db), _outcome(torch, op, sa, da, sb, db)
    if got[0] == want[0] == "ok" and "float16" in (got[2], want[2]):
        assert got[:3] == want[:3]  # half: NumPy rounds in half, torch in float
        return
    assert got == want
