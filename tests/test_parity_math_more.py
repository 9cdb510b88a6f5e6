"""Elementwise math against torch 2.13: ``hypot``, ``logaddexp``, ``logaddexp2``,
``xlogy``, ``copysign``, ``fmax``, ``fmin``, ``heaviside``, ``float_power``, ``sinc``,
``deg2rad``, ``rad2deg`` and their in-place forms; ``nansum``, ``nanmean`` and ``diff``. On tensors of every dtype (signed
zeros, infinities and NaN among the values), each case compares shape, dtype, values, the
node, its edges and the gradients, or torch's error.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import as_numpy, check_error
from tests.test_parity_math import PAIRS, _check, _in_place

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]

BINARY = {
    "hypot": lambda m, a, b: m.hypot(a, b),
    "hypot_method": lambda m, a, b: a.hypot(b),
    "hypot_": _in_place("hypot_"),
    "logaddexp": lambda m, a, b: m.logaddexp(a, b),
    "logaddexp_method": lambda m, a, b: a.logaddexp(b),
    "logaddexp2": lambda m, a, b: m.logaddexp2(a, b),
    "xlogy": lambda m, a, b: m.xlogy(a, b),
    "xlogy_method": lambda m, a, b: a.xlogy(b),
    "xlogy_": _in_place("xlogy_"),
    "copysign": lambda m, a, b: m.copysign(a, b),
    "copysign_method": lambda m, a, b: a.copysign(b),
    "copysign_": _in_place("copysign_"),
    "fmax": lambda m, a, b: m.fmax(a, b),
    "fmin_method": lambda m, a, b: a.fmin(b),
    "heaviside": lambda m, a, b: m.heaviside(a, b),
    "heaviside_method": lambda m, a, b: a.heaviside(b),
    "heaviside_": _in_place("heaviside_"),
    "float_power": lambda m, a, b: m.float_power(a, b),
    "float_power_method": lambda m, a, b: a.float_power(b),
    "float_power_": _in_place("float_power_"),
}


@pytest.mark.parametrize("a, b", PAIRS, ids=lambda s: f"{s[1]}{list(s[0])}")
@pytest.mark.parametrize("op", list(BINARY))
def test_binary_as_torch(op, a, b):
    _check(BINARY[op], a, b)


UNARY = {}
for _name in ("sinc", "deg2rad", "rad2deg"):
    UNARY[_name] = lambda m, a, name=_name: getattr(m, name)(a)
    UNARY[f"{_name}_method"] = lambda m, a, name=_name: getattr(a, name)()
    UNARY[f"{_name}_"] = _in_place(f"{_name}_")
    UNARY[f"{_name}_function_"] = lambda m, a, name=_name: getattr(m, f"{name}_")(
        a * 1 if a.requires_grad else a.clone()
    )


UNARY.update(
    {
        "nansum": lambda m, a: m.nansum(a),
        "nansum_dim": lambda m, a: a.nansum(-1),
        "nansum_keepdim": lambda m, a: m.nansum(a, keepdim=True),
        "nansum_dims": lambda m, a: m.nansum(a, (0, -1), True),
        "nansum_dtype": lambda m, a: m.nansum(a, dtype=m.float64),
        "nanmean": lambda m, a: m.nanmean(a),
        "nanmean_dim": lambda m, a: a.nanmean(0, keepdim=True),
        "diff": lambda m, a: m.diff(a),
        "diff_method_n3": lambda m, a: a.diff(3),
        "diff_n0": lambda m, a: m.diff(a, n=0),
        "diff_dim0_prepend": lambda m, a: m.diff(a, dim=0, prepend=a[:1] * 2),
        "diff_append": lambda m, a: m.diff(a, append=a),
    }
)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (12,), (0,), (3, 4)])
@pytest.mark.parametrize("op", list(UNARY))
def test_unary_as_torch(op, shape, dtype):
    _check(UNARY[op], (shape, dtype))


NUMBERS = {
    "xlogy_number": lambda m, a: m.xlogy(a, 2.0),
    "xlogy_int": lambda m, a: m.xlogy(a, 3),
    "xlogy_zero": lambda m, a: m.xlogy(a, 0.0),
    "xlogy_negative": lambda m, a: a.xlogy(-1.5),
    "xlogy_nan": lambda m, a: m.xlogy(a, float("nan")),
    "xlogy_number_self": lambda m, a: m.xlogy(2.0, a),
    "xlogy_zero_self": lambda m, a: m.xlogy(0, a),
    "xlogy__number": _in_place("xlogy_", 0.5),
    "copysign_number": lambda m, a: m.copysign(a, -1.0),
    "copysign_neg_zero": lambda m, a: a.copysign(-0.0),
    "copysign_int": lambda m, a: m.copysign(a, 2),
    "copysign_bool": lambda m, a: m.copysign(a, True),
    "copysign__number": _in_place("copysign_", -3),
    "float_power_int": lambda m, a: m.float_power(a, 2),
    "float_power_float": lambda m, a: a.float_power(0.5),
    "float_power_number_self": lambda m, a: m.float_power(2, a),
    "float_power__number": _in_place("float_power_", 3),
}


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
@pytest.mark.parametrize("op", list(NUMBERS))
def test_with_numbers_as_torch(op, dtype):
    _check(NUMBERS[op], ((2, 3), dtype))


ERRORS = {
    "hypot_number": lambda m: m.hypot(m.ones(2), 2.0),
    "hypot_number_self": lambda m: m.hypot(2, m.ones(2)),
    "hypot_method_number": lambda m: m.ones(2).hypot(1),
    "hypot__number": lambda m: m.ones(2).hypot_(1.0),
    "hypot_shapes": lambda m: m.hypot(m.ones(3), m.ones(4)),
    "hypot_int_shapes": lambda m: m.hypot(m.ones(3, dtype=m.int64), m.ones(4, dtype=m.int64)),
    "hypot_int": lambda m: m.hypot(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    "hypot__int_float": lambda m: m.ones(3, dtype=m.int64).hypot_(m.ones(3)),
    "hypot__shapes": lambda m: m.ones(3).hypot_(m.ones(2, 3)),
    "logaddexp_number": lambda m: m.logaddexp(m.ones(2), 1.0),
    "logaddexp_bool": lambda m: m.logaddexp(m.ones(2, dtype=m.bool), m.ones(2, dtype=m.bool)),
    "logaddexp2_method_number": lambda m: m.ones(2).logaddexp2(0),
    "logaddexp2_int": lambda m: m.logaddexp2(m.ones(2, dtype=m.int32), m.ones(2, dtype=m.uint8)),
    "fmax_number": lambda m: m.fmax(m.ones(2), 1.0),
    "fmin_method_number": lambda m: m.ones(2).fmin(1.0),
    "fmax_shapes": lambda m: m.fmax(m.ones(2, 3), m.ones(2)),
    "xlogy_shapes": lambda m: m.xlogy(m.ones(2, 3), m.ones(2)),
    "xlogy__int": lambda m: m.ones(2, dtype=m.int64).xlogy_(m.ones(2)),
    "xlogy__int_number": lambda m: m.ones(2, dtype=m.int64).xlogy_(2),
    "xlogy__shapes": lambda m: m.ones(2).xlogy_(m.ones(3, 2)),
    "copysign_shapes": lambda m: m.copysign(m.ones(2, 3), m.ones(2)),
    "copysign__bool": lambda m: m.ones(2, dtype=m.bool).copysign_(m.ones(2)),
    "heaviside_number": lambda m: m.heaviside(m.ones(2), 1.0),
    "heaviside_method_number": lambda m: m.ones(2).heaviside(0),
    "heaviside_dtypes": lambda m: m.heaviside(m.ones(2), m.ones(2, dtype=m.float64)),
    "heaviside__dtypes": lambda m: m.ones(2).heaviside_(m.ones(2, dtype=m.int64)),
    "heaviside_shapes": lambda m: m.heaviside(m.ones(2, 3), m.ones(2)),
    "heaviside_backward": lambda m: (
        m.heaviside(m.ones(2, requires_grad=True), m.ones(2)).sum().backward()
    ),
    "float_power__float32": lambda m: m.ones(2).float_power_(2),
    "float_power__int": lambda m: m.ones(2, dtype=m.int64).float_power_(m.ones(2)),
    "sinc__int": lambda m: m.ones(2, dtype=m.int64).sinc_(),
    "deg2rad__bool": lambda m: m.ones(2, dtype=m.bool).deg2rad_(),
    "rad2deg__uint8": lambda m: m.rad2deg_(m.ones(2, dtype=m.uint8)),
    "nansum_dim_range": lambda m: m.nansum(m.ones(2, 3), 2),
    "nanmean_int": lambda m: m.nanmean(m.ones(2, dtype=m.int64)),
    "nanmean_bool": lambda m: m.ones(2, dtype=m.bool).nanmean(),
    "diff_0d": lambda m: m.diff(m.tensor(1.0)),
    "diff_negative_n": lambda m: m.diff(m.ones(3), n=-1),
    "diff_dim_range": lambda m: m.diff(m.ones(3), dim=1),
    "diff_prepend_ndim": lambda m: m.diff(m.ones(2, 3), prepend=m.ones(3)),
    "diff_append_shape": lambda m: m.diff(m.ones(2, 3), dim=1, append=m.ones(3, 1)),
}


@pytest.mark.parametrize("fn", list(ERRORS.values()), ids=list(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


def _grads(m, op, xs, ys, dtype="float64"):
    kind = getattr(m, dtype)
    a = m.tensor(xs, dtype=kind, requires_grad=True)
    b = m.tensor(ys, dtype=kind, requires_grad=True)
    out = getattr(m, op)(a, b)
    out.sum().backward()
    return [as_numpy(out), as_numpy(a.grad), as_numpy(b.grad)]


INF, NAN = float("inf"), float("nan")
EDGES = {
    "hypot": ([0.0, -0.0, 3.0, INF, NAN, 1e30], [0.0, 2.0, -4.0, NAN, INF, 1e30]),
    "logaddexp": ([-INF, INF, 0.0, 1e3, NAN, INF], [-INF, INF, -INF, 1e3, 0.0, -INF]),
    "logaddexp2": ([-INF, INF, 0.0, -1e3, NAN, 5.0], [-INF, INF, -INF, 1e3, 0.0, 5.0]),
    "xlogy": ([0.0, 0.0, 0.0, -0.0, 2.0, 1.0, 0.0], [0.0, -1.0, NAN, 3.0, 0.0, INF, INF]),
    "copysign": ([0.0, -0.0, 2.0, -3.0, NAN, INF], [-1.0, 1.0, -0.0, NAN, -2.0, -0.0]),
    "fmax": ([1.0, NAN, NAN, 2.0, -0.0, INF], [1.0, 3.0, NAN, NAN, 0.0, INF]),
    "fmin": ([1.0, NAN, NAN, 2.0, 0.0, -INF], [1.0, 3.0, NAN, NAN, -0.0, -INF]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", list(EDGES))
def test_edge_values_as_torch(op, dtype):
    """Zeros of both signs, infinities, NaN and ties: values and both gradients."""
    xs, ys = EDGES[op]
    ours, theirs = _grads(gs, op, xs, ys, dtype), _grads(torch, op, xs, ys, dtype)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=2e-6, equal_nan=True)
        assert np.array_equal(np.signbit(o), np.signbit(t)) or np.isnan(t).any()


def test_sinc_and_angles_at_edges_as_torch():
    values = [0.0, -0.0, 1.0, -2.0, 0.5, 1e-20, INF, -INF, NAN]
    results = []
    for m in (gs, torch):
        a = m.tensor(values, dtype=m.float64, requires_grad=True)
        outs = [m.sinc(a), m.deg2rad(a), m.rad2deg(a)]
        grads = [as_numpy(m.autograd.grad(o.sum(), a)[0]) for o in outs]
        results.append([as_numpy(o) for o in outs] + grads)
    for o, t in zip(*results):
        np.testing.assert_allclose(o, t, rtol=1e-12, atol=1e-15, equal_nan=True)


def test_nan_reductions_at_edges_as_torch():
    """All-NaN rows (nanmean's 0 / 0), infinities and signed zeros."""
    values = [[NAN, NAN, NAN], [INF, NAN, 1.0], [-0.0, NAN, -0.0], [-INF, INF, NAN]]
    results = []
    for m in (gs, torch):
        a = m.tensor(values, dtype=m.float64, requires_grad=True)
        outs = [m.nansum(a, 1), m.nanmean(a, 1), m.nanmean(a), m.diff(a, dim=0)]
        grads = [as_numpy(m.autograd.grad(o.sum(), a)[0]) for o in outs]
        results.append([as_numpy(o) for o in outs] + grads)
    for o, t in zip(*results):
        np.testing.assert_allclose(o, t, equal_nan=True)
        assert np.array_equal(np.signbit(o), np.signbit(t)) or np.isnan(t).any()


def test_saved_values_as_torch():
    """What the nodes keep for backward, named as torch names them."""
    for m in (gs, torch):
        a = m.tensor([1.0, 0.0], requires_grad=True)
        b = m.tensor([2.0, -1.0])
        assert m.xlogy(2.5, a).grad_fn._saved_self == 2.5
        assert m.xlogy(a, 3.0).grad_fn._saved_other == 3.0
        node = m.copysign(a, b).grad_fn
        assert as_numpy(node._saved_result).tolist() == [1.0, -0.0]
        assert as_numpy(m.hypot(a, b).grad_fn._saved_self).tolist() == [1.0, 0.0]


def test_forward_ad_ties_as_torch():
    """torch's forward rules send a tie to ``other`` under fmax and to ``self`` under
    fmin, and copysign ignores ``other``'s tangent."""
    tangents = []
    for m in (gs, torch):
        fwad = m.autograd.forward_ad
        a, b = m.tensor([1.0, 2.0, NAN]), m.tensor([1.0, 1.0, 3.0])
        row = []
        with fwad.dual_level():
            da = fwad.make_dual(a, m.ones(3))
            db = fwad.make_dual(b, m.full((3,), 10.0))
            for op in ("fmax", "fmin"):
                row.append(as_numpy(fwad.unpack_dual(getattr(m, op)(da, db)).tangent))
            row.append(fwad.unpack_dual(m.copysign(a, db)).tangent)
        tangents.append(row)
    ours, theirs = tangents
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
    assert ours[2] is None and theirs[2] is None
