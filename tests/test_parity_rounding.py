"""Rounding and rounded division against torch 2.13: ``floor``, ``ceil``, ``trunc``,
``round`` (with decimals), ``sign``, ``sgn``, ``frac``; ``//``, ``%``, ``fmod``,
``div(rounding_mode=...)`` and their in-place forms, on tensors of every dtype (with
signed zeros, infinities and NaN among the values) and on Python numbers on either side.
Each case compares shape, dtype, values (zero's sign too), the node, its edges and the
gradients, or torch's error. The binary cases are drawn once from a seeded generator.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import as_numpy, edges, operand

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
SHAPES = [(), (4,), (2, 4), (1, 4), (2, 1), (0, 4)]
FLOATS = [-7.5, -2.0, -0.0, 0.0, 0.5, 2.5, 3.0, 7.25, -1.5, float("inf"), -float("inf"), np.nan]
NUMBERS = [2, -3, 0, 2.5, -0.75, 0.0, -0.0, True, float("inf")]


def _plain(arr) -> str:
    return str(np.asarray(arr, dtype=float).round(4).tolist())  # keeps -0.0


def _inplace(name: str, **kw):
    def run(m, a, b):
        target = a * 1 if a.requires_grad else a.clone()
        return getattr(target, name)(b, **kw)

    return run


def _ifloordiv(m, a, b):
    t = a * 1 if a.requires_grad else a.clone()
    t //= b
    return t


def _imod(m, a, b):
    t = a * 1 if a.requires_grad else a.clone()
    t %= b
    return t


BINARY = {
    "floordiv": lambda m, a, b: a // b,
    "mod": lambda m, a, b: a % b,
    "remainder_fn": lambda m, a, b: m.remainder(a, b),
    "floor_divide_fn": lambda m, a, b: m.floor_divide(a, b),
    "fmod": lambda m, a, b: m.fmod(a, b),
    "div_floor": lambda m, a, b: m.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda m, a, b: m.div(a, b, rounding_mode="trunc"),
    "div_none": lambda m, a, b: m.div(a, b, rounding_mode=None),
    "remainder_": _inplace("remainder_"),
    "fmod_": _inplace("fmod_"),
    "floor_divide_": _inplace("floor_divide_"),
    "div_floor_": _inplace("div_", rounding_mode="floor"),
    "ifloordiv": _ifloordiv,
    "imod": _imod,
    "pow_": _inplace("pow_"),
}
# ops that take a number first (as Python's reflected operators do)
REFLECTED = {"floordiv", "mod", "remainder_fn", "floor_divide_fn"}

UNARY = {
    "floor": lambda m, a: a.floor(),
    "ceil": lambda m, a: m.ceil(a),
    "trunc": lambda m, a: a.trunc(),
    "round": lambda m, a: a.round(),
    "round_1": lambda m, a: m.round(a, decimals=1),
    "round_0": lambda m, a: a.round(decimals=0),
    "round_-1": lambda m, a: (a * 3).round(decimals=-1),
    "sign": lambda m, a: a.sign(),
    "sgn": lambda m, a: m.sgn(a),
    "frac": lambda m, a: a.frac(),
    "floor_": lambda m, a: (a * 1 if a.requires_grad else a.clone()).floor_(),
    "frac_": lambda m, a: (a * 1 if a.requires_grad else a.clone()).frac_(),
    "sign_": lambda m, a: (a * 1 if a.requires_grad else a.clone()).sign_(),
}


def _outcome(m, run, *specs):
    xs = [operand(m, s, k, FLOATS) for k, s in enumerate(specs)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = run(m, *xs)
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    got = [tuple(y.shape), str(y.dtype).split(".")[-1], _plain(y.detach().numpy())]
    node = y.grad_fn
    got += [None, None] if node is None else [node.name(), edges(node)]
    if y.requires_grad and y.numel():
        try:
            y.double().sum().backward()
        except RuntimeError as e:
            return (*got, str(e))
        grads = [getattr(t, "grad", None) for t in xs]
        got += [None if g is None else _plain(as_numpy(g)) for g in grads]
    return ("ok", *got)


def _tensor_spec(rng):
    return (rng.choice(SHAPES), rng.choice(DTYPES))


def _binary_cases(count: int, seed: int = 11) -> list:
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < count:
        op = rng.choice(list(BINARY))
        a, b = _tensor_spec(rng), _tensor_spec(rng)
        kind = rng.random()
        if kind < 0.3:
            b = rng.choice(NUMBERS)
        elif kind < 0.4 and op in REFLECTED:
            a = rng.choice(NUMBERS)
        case = (op, a, b)
        if repr(case) in seen:
            continue
        seen.add(repr(case))
        out.append(pytest.param(*case, id="-".join(map(str, case)).replace(" ", "")))
    return out


@pytest.mark.parametrize("op, a, b", _binary_cases(700))
def test_rounded_division_as_torch(op, a, b):
    assert _outcome(gs, BINARY[op], a, b) == _outcome(torch, BINARY[op], a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (12,), (0,)])
@pytest.mark.parametrize("op", list(UNARY))
def test_rounding_as_torch(op, shape, dtype):
    spec = (shape, dtype)
    assert _outcome(gs, UNARY[op], spec) == _outcome(torch, UNARY[op], spec)


@pytest.mark.parametrize("op", ["floor_divide", "remainder"])
def test_backward_through_an_op_without_derivative_raises_as_torch(op):
    for m in (gs, torch):
        x = m.tensor([3.5, -1.25], requires_grad=True)
        y = x // 2 if op == "floor_divide" else 5 % x
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError, match=f"^derivative for aten::{op} is not implemented"):
            y.sum().backward()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch's forward AD, scripted
def test_forward_mode_through_floor_divide_refuses_as_torch():
    for m in (gs, torch):
        fwAD = m.autograd.forward_ad
        with fwAD.dual_level():
            d = fwAD.make_dual(m.tensor([3.5, -1.25]), m.ones(2))
            with pytest.raises(NotImplementedError, match="forward AD with aten::floor_divide"):
                d // 2
            assert fwAD.unpack_dual(d % 2).tangent.tolist() == [1.0, 1.0]


def test_pow_in_place_changes_the_tensor_every_name_sees():
    for m in (gs, torch):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 1
        alias = y
        y **= 2
        assert alias is y and y._version == 1 and y.grad_fn.name() == "PowBackward0"
        y.sum().backward()
        assert x.grad.tolist() == [2.0, 4.0, 6.0]
