"""Elementwise math against torch 2.13: ``log1p``, ``expm1``, ``log2``, ``log10``,
``exp2``, ``rsqrt``, ``tan``, ``atan``, ``asin``, ``acos``, ``sinh``, ``cosh``,
``atan2``, ``clamp_min``, ``clamp_max``, ``clip``, ``nan_to_num``, the in-place forms of
these and of ``exp``, ``log``, ``sqrt``, ``neg``, ``abs``, ``sigmoid``, ``tanh``,
``reciprocal``, ``square``; and the ops without gradients: ``isnan``, ``isinf``,
``isfinite``, the logical ops and ``^``, ``&=``, ``|=``, ``^=``. On tensors of every
dtype (signed zeros, infinities and NaN among the values), each case compares shape,
dtype, values, the node, its edges and the gradients, or torch's error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import as_numpy, edges, operand

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
FLOATS = [-7.5, -2.0, -0.0, 0.0, 0.5, 2.5, 0.25, -0.75, -1.0, float("inf"), -float("inf"), np.nan]


def _outcome(m, run, *specs):
    """What ``run`` gives on these operands: torch's error (type and first line), or the
    result's shape, dtype, node and edges, its values and the gradients of its sum."""
    xs = [operand(m, s, k, FLOATS) for k, s in enumerate(specs)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = run(m, *xs)
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e).splitlines()[0]), []
    node = y.grad_fn
    head = [tuple(y.shape), str(y.dtype).split(".")[-1], y.requires_grad]
    head += [None, None] if node is None else [node.name(), edges(node)]
    arrays = [as_numpy(y)]
    if y.requires_grad and y.numel():
        try:
            y.double().sum().backward()
        except RuntimeError as e:
            return (*head, str(e)), arrays
        for t in xs:
            g = getattr(t, "grad", None)
            head.append(g is None)
            if g is not None:
                arrays.append(as_numpy(g))
    return ("ok", *head), arrays


def _check(run, *specs):
    ours, ours_arrays = _outcome(gs, run, *specs)
    theirs, their_arrays = _outcome(torch, run, *specs)
    assert ours == theirs
    for a, b in zip(ours_arrays, their_arrays):
        # (sigmoid's tanh form is 1e-5 off torch's for large negative floats)
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-30, equal_nan=True)
        assert np.array_equal(np.signbit(a), np.signbit(b)) or np.isnan(b).any()


def _in_place(name: str, *args, **kw):
    def run(m, a, *rest):
        target = a * 1 if a.requires_grad else a.clone()
        return getattr(target, name)(*rest, *args, **kw)

    return run


MATH = ["log1p", "expm1", "log2", "log10", "exp2", "rsqrt", "tan", "atan", "asin", "acos"]
MATH += ["sinh", "cosh"]


def _function(name: str):
    return lambda m, a: getattr(m, name)(a)


def _method(name: str):
    return lambda m, a: getattr(a, name)()


UNARY = {name: _function(name) for name in MATH}
UNARY.update({f"{name}_method": _method(name) for name in MATH})
IN_PLACE = MATH + ["exp", "log", "sqrt", "neg", "abs", "sigmoid", "tanh", "reciprocal", "square"]
UNARY.update({f"{name}_": _in_place(name + "_") for name in IN_PLACE})
UNARY.update(
    {
        "clamp_min_0": lambda m, a: m.clamp_min(a, 0),
        "clamp_min_float": lambda m, a: a.clamp_min(0.5),
        "clamp_max_int": lambda m, a: m.clamp_max(a, 2),
        "clamp_max_bool": lambda m, a: a.clamp_max(True),
        "clamp_max_-inf": lambda m, a: a.clamp_max(-float("inf")),
        "clamp_min_nan": lambda m, a: a.clamp_min(float("nan")),
        "clamp_min_uint8_overflow": lambda m, a: m.clamp_min(a, 300),
        "clamp_min_": _in_place("clamp_min_", 1),
        "clamp_min_float_": _in_place("clamp_min_", 0.5),
        "clamp_max_": _in_place("clamp_max_", 2),
        "clip": lambda m, a: m.clip(a, -1, 1.5),
        "clip_max": lambda m, a: a.clip(max=1),
        "clip_": _in_place("clip_", -1, 2),
        "clip_none": lambda m, a: a.clip(),
        "nan_to_num": lambda m, a: m.nan_to_num(a),
        "nan_to_num_args": lambda m, a: a.nan_to_num(nan=1.5, posinf=3.0, neginf=-4.0),
        "nan_to_num_nan_none": lambda m, a: m.nan_to_num(a, nan=None, posinf=2.0),
        "nan_to_num_": _in_place("nan_to_num_", neginf=0.0),
        "isnan": lambda m, a: m.isnan(a),
        "isinf": lambda m, a: a.isinf(),
        "isfinite": lambda m, a: m.isfinite(a),
        "logical_not": lambda m, a: m.logical_not(a),
        "logical_not_method": lambda m, a: a.logical_not(),
    }
)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (12,), (0,), (3, 4)])
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_as_torch(op, shape, dtype):
    _check(UNARY[op], (shape, dtype))


def _iop(op: str):
    def run(m, a, b):
        t = a.clone()
        if op == "&":
            t &= b
        elif op == "|":
            t |= b
        else:
            t ^= b
        return t

    return run


BINARY = {
    "atan2": lambda m, a, b: m.atan2(a, b),
    "atan2_method": lambda m, a, b: a.atan2(b),
    "atan2_": _in_place("atan2_"),
    "clamp_min": lambda m, a, b: m.clamp_min(a, b),
    "clamp_max_method": lambda m, a, b: a.clamp_max(b),
    "clamp_min_": _in_place("clamp_min_"),
    "clamp_max_": _in_place("clamp_max_"),
    "clip_tensor": lambda m, a, b: m.clip(a, b),
    "logical_and": lambda m, a, b: m.logical_and(a, b),
    "logical_or": lambda m, a, b: m.logical_or(a, b),
    "logical_xor_method": lambda m, a, b: a.logical_xor(b),
    "and": lambda m, a, b: a & b,
    "or": lambda m, a, b: a | b,
    "xor": lambda m, a, b: a ^ b,
    "iand": _iop("&"),
    "ior": _iop("|"),
    "ixor": _iop("^"),
}
PAIRS = [
    (((3, 4), "float32"), ((3, 4), "float32")),
    (((3, 4), "float32"), ((4,), "float64")),
    (((4,), "float64"), ((3, 4), "float32")),
    (((3, 4), "float32"), ((), "float64")),
    (((3, 4), "int64"), ((3, 4), "int64")),
    (((3, 4), "int32"), ((4,), "uint8")),
    (((3, 4), "bool"), ((3, 4), "bool")),
    (((3, 4), "bool"), ((4,), "int64")),
    (((3, 4), "int64"), ((4,), "bool")),
    (((3, 4), "int64"), ((3, 4), "float32")),
    (((3, 4), "float32"), ((3, 4), "int64")),
    (((3, 4), "float32"), ((3,), "float32")),
    (((4,), "float32"), ((0, 4), "float32")),
    (((), "float32"), ((), "float64")),
]


@pytest.mark.parametrize("a, b", PAIRS, ids=lambda s: f"{s[1]}{list(s[0])}")
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_as_torch(op, a, b):
    _check(BINARY[op], a, b)


NUMBERS = {
    "atan2_number": lambda m, a: m.atan2(a, 2.0),
    "atan2_method_number": lambda m, a: a.atan2(1),
    "atan2__number": _in_place("atan2_", 1.0),
    "clamp_min_none": lambda m, a: m.clamp_min(a, None),
    "logical_and_number": lambda m, a: m.logical_and(a, True),
    "logical_or_method_number": lambda m, a: a.logical_or(1),
    "isnan_number": lambda m, a: m.isnan(2.0),
    "xor_int": lambda m, a: a ^ 3,
    "xor_bool": lambda m, a: a ^ True,
    "xor_float": lambda m, a: a ^ 2.5,
    "and_bool": lambda m, a: a & False,
    "or_int": lambda m, a: a | 8,
    "rxor_int": lambda m, a: 5 ^ a,
    "iand_int": lambda m, a: _iop("&")(m, a, 6),
    "ior_bool": lambda m, a: _iop("|")(m, a, True),
}


@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool"])
@pytest.mark.parametrize("op", list(NUMBERS))
def test_with_numbers_as_torch(op, dtype):
    _check(NUMBERS[op], ((2, 3), dtype))


def test_atan2_of_zeros_has_zero_gradients_as_torch():
    """torch takes ``1 / (a² + b²)`` as 0 where it is 0 (both zero, or underflowed)."""
    for dtype in ("float32", "float64"):
        grads = []
        for m in (gs, torch):
            kind = getattr(m, dtype)
            a = m.tensor([0.0, -0.0, 1e-30, 1e-20, 0.0], dtype=kind, requires_grad=True)
            b = m.tensor([0.0, 0.0, 0.0, 0.0, -0.0], dtype=kind, requires_grad=True)
            m.atan2(a, b).sum().backward()
            grads.append([as_numpy(a.grad), as_numpy(b.grad)])
        for ours, theirs in zip(*grads):
            np.testing.assert_array_equal(ours, theirs)
            assert np.array_equal(np.signbit(ours), np.signbit(theirs))


def test_in_place_math_writes_the_tensor_every_name_sees():
    for m in (gs, torch):
        x = m.tensor([0.5, 1.0, 2.0], requires_grad=True)
        y = x * 1
        alias = y
        out = y.log1p_()
        assert out is y and alias.grad_fn.name() == "Log1PBackward0"
        y.sum().backward()
        np.testing.assert_allclose(as_numpy(x.grad), 1 / (1 + np.array([0.5, 1.0, 2.0])), rtol=1e-6)


def test_backward_after_in_place_write_of_a_saved_input_refuses_as_torch():
    messages = []
    for m in (gs, torch):
        x = m.tensor([0.5, 1.0, 2.0], requires_grad=True)
        y = x * 1
        z = y.atan()
        y.exp_()
        with pytest.raises(RuntimeError) as info:
            z.sum().backward()
        messages.append(str(info.value).splitlines()[0].split(";")[0])
    assert messages[0] == messages[1]
