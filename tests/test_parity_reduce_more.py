"""Order statistics and running extremes (``median``, ``nanmedian``, ``kthvalue``, ``mode``,
``aminmax``, ``cummax``, ``cummin``, ``logcumsumexp``, ``msort``, ``quantile``,
``nanquantile``), number formats (``gcd``, ``lcm``, ``ldexp``, ``nextafter``, ``frexp``) and
the conversions ``byte``, ``char``, ``short`` against torch 2.13: values and indices at
ties and NaN, dtypes, empty and 0-dim inputs, the named tuples, and errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from parity import check_error, check_value, params

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

NAN, INF = float("nan"), float("inf")
TIES = [[2.0, 2.0, 2.0, 1.0, 1.0], [3.0, 1.0, 3.0, 1.0, 0.0]]
WITH_NAN = [[1.0, NAN, 3.0, NAN, 0.0], [NAN, NAN, NAN, NAN, NAN], [2.0, 2.0, 2.0, 1.0, 1.0]]
INTS = [[3, 1, 3, 2, 1, 1, 0, 7], [5, 5, 4, 4, 4, 9, 9, 9]]


def _f(m, rows=TIES, rg=True):
    return m.tensor(rows, requires_grad=rg)


VALUES = {
    "median": lambda m: _f(m).median(),
    "median_nan": lambda m: m.median(_f(m, WITH_NAN)),
    "median_ints": lambda m: m.tensor(INTS).median(),
    "median_empty": lambda m: m.tensor([]).median(),
    "median_empty_ints": lambda m: m.tensor([], dtype=m.int64).median(),
    "median_dim": lambda m: _f(m).median(1),
    "median_dim_nan": lambda m: _f(m, WITH_NAN).median(dim=1, keepdim=True),
    "median_dim0": lambda m: m.median(_f(m), 0),
    "median_dim_ints": lambda m: m.tensor(INTS).median(-1),
    "median_0d": lambda m: m.tensor(3.0, requires_grad=True).median(0),
    "median_dim_empty_rows": lambda m: m.zeros(0, 2).median(1),
    "nanmedian": lambda m: _f(m, WITH_NAN).nanmedian(),
    "nanmedian_all_nan": lambda m: m.tensor([NAN, NAN]).nanmedian(),
    "nanmedian_dim": lambda m: m.nanmedian(_f(m, WITH_NAN), 1),
    "nanmedian_dim_ints": lambda m: m.tensor(INTS).nanmedian(0),
    "kthvalue": lambda m: _f(m).kthvalue(2, 1),
    "kthvalue_nan": lambda m: _f(m, WITH_NAN).kthvalue(2, 1),
    "kthvalue_last_nan": lambda m: m.kthvalue(_f(m, WITH_NAN), 5, 1, True),
    "kthvalue_ints": lambda m: m.tensor(INTS).kthvalue(4),
    "kthvalue_0d": lambda m: m.tensor(2.0).kthvalue(1),
    "mode": lambda m: _f(m).mode(1),
    "mode_nan": lambda m: _f(m, WITH_NAN).mode(),
    "mode_ints": lambda m: m.mode(m.tensor(INTS), 1, keepdim=True),
    "mode_bool": lambda m: m.tensor([True, False, True]).mode(),
    "mode_long_row": lambda m: m.tensor([i % 5 for i in range(40)]).mode(),
    "cummax": lambda m: _f(m).cummax(1),
    "cummin": lambda m: m.cummin(_f(m), 1),
    "cummax_nan": lambda m: _f(m, WITH_NAN).cummax(1),
    "cummin_nan": lambda m: _f(m, WITH_NAN).cummin(-1),
    "cummax_ints": lambda m: m.tensor(INTS).cummax(0),
    "cummin_bool": lambda m: m.tensor([True, False, True]).cummin(0),
    "cummax_0d": lambda m: m.tensor(3.0).cummax(0),
    "cummax_empty": lambda m: m.zeros(0).cummax(0),
    "logcumsumexp": lambda m: _f(m).logcumsumexp(1),
    "logcumsumexp_extremes": lambda m: m.logcumsumexp(m.tensor([-1000.0, 0.0, -1000.0, 700.0]), 0),
    "logcumsumexp_infs": lambda m: m.tensor([-INF, -INF, INF, 1.0, NAN]).logcumsumexp(0),
    "logcumsumexp_float64": lambda m: m.tensor(TIES, dtype=m.float64).logcumsumexp(0),
    "logcumsumexp_empty": lambda m: m.zeros(0).logcumsumexp(0),
    "msort": lambda m: _f(m).msort(),
    "msort_fn": lambda m: m.msort(m.tensor(INTS)),
    "msort_0d": lambda m: m.tensor(2.0).msort(),
    "aminmax": lambda m: _f(m).aminmax(),
    "aminmax_dim": lambda m: m.aminmax(_f(m), dim=1),
    "aminmax_keepdim": lambda m: _f(m).aminmax(dim=0, keepdim=True),
    "aminmax_full_keepdim": lambda m: _f(m).aminmax(keepdim=True),
    "aminmax_nan": lambda m: _f(m, WITH_NAN).aminmax(dim=1),
    "aminmax_ints": lambda m: m.tensor(INTS).aminmax(),
    "aminmax_bool": lambda m: m.tensor([True, False]).aminmax(),
    "aminmax_0d": lambda m: m.tensor(3.0, requires_grad=True).aminmax(dim=0),
    "aminmax_empty_rows": lambda m: m.zeros(0, 2).aminmax(dim=1),
    "quantile": lambda m: _f(m).quantile(0.3),
    "quantile_one": lambda m: _f(m).quantile(1),
    "quantile_bool_q": lambda m: _f(m).quantile(True),
    "quantile_dim_keepdim": lambda m: _f(m).quantile(0.5, dim=0, keepdim=True),
    "quantile_q_keepdim": lambda m: m.quantile(_f(m), m.tensor([0.2, 0.5]), keepdim=True),
    "quantile_q_0d": lambda m: _f(m).quantile(m.tensor(0.3)),
    "quantile_nearest_halves": lambda m: m.tensor([0.0, 1, 2, 3, 4]).quantile(
        m.tensor([0.125, 0.375, 0.625]), interpolation="nearest"
    ),
    "quantile_nan": lambda m: m.tensor([0.0, NAN, 2, 3, 4]).quantile(0.5),
    "nanquantile": lambda m: m.tensor([0.0, NAN, 2, 3, 4]).nanquantile(0.5),
    "nanquantile_all_nan": lambda m: m.tensor([NAN, NAN]).nanquantile(0.5, dim=0),
    "quantile_0d_dim": lambda m: m.tensor(2.0, requires_grad=True).quantile(0.3, dim=0),
    "quantile_float64": lambda m: m.quantile(m.tensor(TIES, dtype=m.float64), 0.5),
}

A, B = [12, -18, 0, 7], [8, 12, 5, 0]
FLOATS = [1.5, -2.0, 0.0, 3.0]
FORMATS = {
    "gcd": lambda m: m.gcd(m.tensor(A), m.tensor(B)),
    "lcm": lambda m: m.lcm(m.tensor(A), m.tensor(B)),
    "gcd_method": lambda m: m.tensor(A).gcd(m.tensor(B)),
    "gcd_inplace": lambda m: m.tensor(A).gcd_(m.tensor(B)),
    "lcm_inplace": lambda m: m.tensor(A).lcm_(m.tensor(B)),
    "gcd_uint8": lambda m: m.gcd(
        m.tensor(B, dtype=m.uint8), m.tensor([4, 9, 10, 3], dtype=m.uint8)
    ),
    "gcd_promotes": lambda m: m.gcd(m.tensor(A, dtype=m.int8), m.tensor(B)),
    "gcd_inplace_int8": lambda m: m.tensor(A, dtype=m.int8).gcd_(m.tensor(B)),
    "gcd_broadcast": lambda m: m.gcd(m.tensor([[4], [6]]), m.tensor(B)),
    "lcm_negative": lambda m: m.lcm(m.tensor([-4]), m.tensor([6])),
    "ldexp": lambda m: m.ldexp(_f(m, FLOATS), m.tensor([1, 2, 3, -1])),
    "ldexp_float_exponent": lambda m: _f(m, FLOATS).ldexp(m.tensor([1.0, 2, 3, 4])),
    "ldexp_float64_exponent": lambda m: m.ldexp(
        _f(m, FLOATS), m.tensor([1.0, 2, 3, 4], dtype=m.float64)
    ),
    "ldexp_ints": lambda m: m.ldexp(m.tensor([1, 2]), m.tensor([1, 2])),
    "ldexp_int32_float64": lambda m: m.ldexp(
        m.tensor([1.0, 2.0], dtype=m.float64), m.tensor([1, 2], dtype=m.int32)
    ),
    "ldexp_half": lambda m: m.ldexp(m.tensor([1.0, 2.0], dtype=m.float16), m.tensor([1, 2])),
    "ldexp_inplace": lambda m: m.tensor(FLOATS).ldexp_(m.tensor([1, 2, 3, -1])),
    "nextafter": lambda m: m.nextafter(_f(m, FLOATS), m.tensor([2.0, 0, 1, -1])),
    "nextafter_float64": lambda m: m.nextafter(
        m.tensor(FLOATS, dtype=m.float64), m.tensor([2.0, 0, 1, -1], dtype=m.float64)
    ),
    "nextafter_promotes": lambda m: _f(m, FLOATS).nextafter(
        m.tensor([2.0, 0, 1, -1], dtype=m.float64)
    ),
    "nextafter_inplace": lambda m: m.tensor(FLOATS).nextafter_(m.tensor([2.0, 0, 1, -1])),
    "frexp": lambda m: m.frexp(_f(m, FLOATS)),
    "frexp_method_float64": lambda m: m.tensor(FLOATS, dtype=m.float64).frexp(),
    "frexp_specials": lambda m: m.frexp(m.tensor([0.0, INF, NAN, -0.0, 1e-40, -INF])),
    "frexp_half": lambda m: m.tensor([0.75, 3.0, -1e-5], dtype=m.float16).frexp(),
    "frexp_0d": lambda m: m.frexp(m.tensor(6.0, requires_grad=True)),
    "byte": lambda m: _f(m, FLOATS).byte(),
    "char": lambda m: _f(m, FLOATS).char(),
    "short": lambda m: _f(m, FLOATS).short(),
    "byte_of_ints": lambda m: m.tensor([1, 255, 7]).byte(),
    "char_of_bools": lambda m: m.tensor([True, False]).char(),
    "short_of_short": lambda m: m.tensor([1, -2], dtype=m.int16).short(),
    "dist": lambda m: m.dist(_f(m, FLOATS), m.zeros(4)),
    "dist_p0": lambda m: m.dist(_f(m, FLOATS), m.zeros(4), 0),
    "dist_inf": lambda m: _f(m, FLOATS).dist(m.ones(1), float("inf")),
    "dist_negative_p": lambda m: m.dist(_f(m, FLOATS), m.zeros(4), p=-1),
    "dist_tensor_p": lambda m: m.dist(_f(m, FLOATS), m.ones(4), p=m.tensor(3.0)),
    "dist_promotes": lambda m: m.dist(_f(m, FLOATS), m.zeros(4, dtype=m.float64)),
    "sum_to_size": lambda m: _f(m).sum_to_size(5),
    "sum_to_size_keep": lambda m: _f(m).sum_to_size(1, 5),
    "sum_to_size_same": lambda m: _f(m).sum_to_size(2, 5),
    "sum_to_size_empty": lambda m: _f(m).sum_to_size([]),
    "H": lambda m: _f(m).H,
    "mH_batched": lambda m: m.zeros(2, 3, 4).mH,
    "adjoint": lambda m: m.adjoint(_f(m)),
    "conj": lambda m: m.conj(_f(m)),
    "conj_physical_ints": lambda m: m.conj_physical(m.tensor(INTS)),
    "resolve_neg": lambda m: _f(m).resolve_neg(),
    "real": lambda m: _f(m).real,
}

ERRORS = {
    "gcd_scalar": lambda m: m.gcd(m.tensor(A), 4),
    "gcd_floats": lambda m: m.gcd(m.tensor([1.0]), m.tensor([2.0])),
    "gcd_bools": lambda m: m.gcd(m.tensor([True]), m.tensor([True])),
    "lcm_floats": lambda m: m.tensor([1.0]).lcm(m.tensor([2])),
    "gcd_broadcast": lambda m: m.gcd(m.tensor([1, 2]), m.tensor([1, 2, 3])),
    "gcd_inplace_broadcast": lambda m: m.tensor([1, 2]).gcd_(m.tensor([[1, 2], [3, 4]])),
    "ldexp_scalar": lambda m: m.ldexp(m.tensor([1.0]), 2),
    "ldexp_inplace_ints": lambda m: m.tensor([1, 2]).ldexp_(m.tensor([1, 2])),
    "nextafter_ints": lambda m: m.nextafter(m.tensor([1, 2]), m.tensor([2, 3])),
    "nextafter_scalar": lambda m: m.nextafter(m.tensor([1.0]), 2.0),
    "frexp_ints": lambda m: m.frexp(m.tensor([1, 2])),
    "dist_ints": lambda m: m.dist(m.tensor([1, 2]), m.tensor([1, 2])),
    "dist_broadcast": lambda m: m.dist(_f(m), m.zeros(4)),
    "dist_scalar": lambda m: m.dist(_f(m), 1.0),
    "sum_to_size_not_expandable": lambda m: _f(m).sum_to_size(3),
    "sum_to_size_too_long": lambda m: _f(m).sum_to_size(1, 1, 5),
    "H_vector": lambda m: m.arange(3.0).H,
    "H_batched": lambda m: m.zeros(2, 3, 4).H,
    "mH_vector": lambda m: m.arange(3.0).mH,
    "adjoint_vector": lambda m: m.arange(3.0).adjoint(),
    "imag": lambda m: m.imag(_f(m)),
    "imag_property": lambda m: _f(m).imag,
    "median_bool": lambda m: m.tensor([True, False]).median(),
    "median_dim_bool": lambda m: m.tensor([True, False]).median(0),
    "nanmedian_dim_bool": lambda m: m.tensor([True, False]).nanmedian(0),
    "median_dim_none": lambda m: m.tensor([1.0, 2.0]).median(None),
    "median_dim_out_of_range": lambda m: _f(m).median(5),
    "median_empty_dim": lambda m: m.zeros(2, 0).median(1),
    "nanmedian_empty_dim": lambda m: m.zeros(0, 2).nanmedian(0),
    "kthvalue_k_zero": lambda m: _f(m).kthvalue(0, 1),
    "kthvalue_k_too_big": lambda m: _f(m).kthvalue(6, 1),
    "kthvalue_k_float": lambda m: _f(m).kthvalue(1.5),
    "kthvalue_k_bool": lambda m: _f(m).kthvalue(True),
    "kthvalue_0d_k2": lambda m: m.tensor(3.0).kthvalue(2),
    "kthvalue_bool": lambda m: m.tensor([True, False]).kthvalue(1),
    "kthvalue_empty_dim": lambda m: m.zeros(0, 0).kthvalue(1, 1),
    "mode_empty_dim": lambda m: m.zeros(0, 3).mode(0),
    "mode_dim_out_of_range": lambda m: m.tensor([1.0, 2.0]).mode(1),
    "cummax_0d_dim": lambda m: m.tensor(3.0).cummax(1),
    "cummin_dim_out_of_range": lambda m: _f(m).cummin(2),
    "logcumsumexp_ints": lambda m: m.tensor([1, 2]).logcumsumexp(0),
    "logcumsumexp_bool": lambda m: m.tensor([True]).logcumsumexp(0),
    "logcumsumexp_0d_dim": lambda m: m.tensor(3.0).logcumsumexp(1),
    "aminmax_empty": lambda m: m.zeros(0).aminmax(),
    "aminmax_empty_dim": lambda m: m.zeros(2, 0).aminmax(dim=1),
    "aminmax_dim_out_of_range": lambda m: m.tensor([1, 2]).aminmax(dim=2),
    "quantile_q_above_one": lambda m: _f(m).quantile(1.5),
    "quantile_q_negative": lambda m: _f(m).quantile(-0.1),
    "nanquantile_q_above_one": lambda m: _f(m).nanquantile(1.5),
    "quantile_q_values": lambda m: _f(m).quantile(m.tensor([0.1, 1.2])),
    "quantile_ints": lambda m: m.tensor([1, 2]).quantile(0.5),
    "quantile_q_dtype": lambda m: _f(m).quantile(m.tensor([0.5], dtype=m.float64)),
    "quantile_q_2d": lambda m: _f(m).quantile(m.tensor([[0.5]])),
    "quantile_empty": lambda m: m.zeros(0).quantile(0.5),
    "quantile_empty_rows": lambda m: m.zeros(2, 0).quantile(0.5, dim=0),
    "quantile_interpolation": lambda m: _f(m).quantile(0.5, interpolation="foo"),
    "quantile_dim_out_of_range": lambda m: _f(m).quantile(0.5, dim=3),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(FORMATS))
def test_number_formats_as_torch(fn):
    check_value(fn)


def test_ldexp_gradient_through_a_negative_integer_exponent_is_torchs_zero():
    """torch's derivative multiplies by ``pow(2, other)``, an integer power for an integer
    ``other``: 0 where the exponent is negative."""
    grads = []
    for m in (torch, gs):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        m.ldexp(x, m.tensor([1, -2, 3])).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(grads[1], grads[0])
    np.testing.assert_array_equal(grads[1], [2.0, 0.0, 8.0])


def test_frexp_is_a_named_tuple_whose_exponent_is_saved():
    ours = gs.tensor([1.5, 6.0], requires_grad=True).frexp()
    theirs = torch.tensor([1.5, 6.0], requires_grad=True).frexp()
    assert type(ours).__name__ == type(theirs).__name__ == "frexp"
    assert ours._fields == ("mantissa", "exponent")
    assert ours.mantissa.grad_fn.name() == theirs.mantissa.grad_fn.name() == "FrexpBackward0"
    assert np.shares_memory(ours.mantissa.grad_fn._saved_exponent.numpy(), ours.exponent.numpy())


@pytest.mark.parametrize(
    "op",
    [
        lambda m, x: x.conj(),
        lambda m, x: m.conj_physical(x),
        lambda m, x: x.resolve_conj(),
        lambda m, x: m.resolve_neg(x),
        lambda m, x: x.real,
        lambda m, x: m.real(x),
        lambda m, x: x.sum_to_size(2, 5),
    ],
    ids=["conj", "conj_physical", "resolve_conj", "resolve_neg", "real", "real_fn", "sum_to"],
)
def test_ops_that_return_a_real_tensor_itself_as_torch(op):
    for m in (torch, gs):
        x = _f(m) * 1
        assert op(m, x) is x
        assert x.is_conj() is False and m.is_neg(x) is False


@pytest.mark.parametrize("name", ["H", "mH", "adjoint"])
def test_transposes_of_a_0d_tensor_warn_as_torch(name):
    said = {}
    for m in (torch, gs):
        x = m.tensor(2.0)
        with pytest.warns(UserWarning) as rec:
            r = x.adjoint() if name == "adjoint" else getattr(x, name)
        assert r is x
        said[m] = [str(w.message).split(" (Triggered")[0] for w in rec]
    assert said[gs] == said[torch]


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


@pytest.mark.parametrize(
    "op",
    [
        lambda x, i: x.median(1),
        lambda x, i: x.nanmedian(1),
        lambda x, i: x.kthvalue(1 + i % x.shape[1], 1),
        lambda x, i: x.mode(1),
        lambda x, i: x.cummax(1),
        lambda x, i: x.cummin(1),
        lambda x, i: (x.median(), x.nanmedian()),
    ],
    ids=["median", "nanmedian", "kthvalue", "mode", "cummax", "cummin", "full"],
)
def test_indices_at_ties_and_nan_as_torch(op):
    """Values and indices on many small-integer rows (ties everywhere, NaN in some), up to
    40 long, where torch's selection and sorting algorithms decide among equal elements."""
    rng = np.random.default_rng(0)
    for i in range(120):
        a = rng.integers(0, 4, size=(int(rng.integers(1, 4)), int(rng.integers(1, 40))))
        a = a.astype(np.float64)
        if i % 3 == 0:
            a[rng.random(a.shape) < 0.2] = np.nan
        theirs, ours = op(torch.tensor(a), i), op(gs.tensor(a), i)
        for t, g in zip(theirs, ours):
            np.testing.assert_array_equal(g.numpy(), t.numpy(), err_msg=str(a.tolist()))


@pytest.mark.parametrize("name", ["median", "nanmedian", "kthvalue", "mode", "cummax", "cummin"])
def test_named_tuples_as_torch(name):
    args = (1, 0) if name == "kthvalue" else (0,)
    theirs = getattr(torch.tensor([3.0, 1.0, 2.0]), name)(*args)
    ours = getattr(gs.tensor([3.0, 1.0, 2.0]), name)(*args)
    assert type(ours).__name__ == type(theirs).__name__ == name
    assert ours._fields == ("values", "indices")
    assert repr(ours).startswith(f"gradscope.return_types.{name}(\nvalues=tensor(")
    assert ours.indices.dtype == gs.int64


def test_aminmax_is_one_node_with_two_outputs_as_torch():
    ours = gs.tensor([[1.0, 4.0], [3.0, 2.0]], requires_grad=True).aminmax(dim=1)
    theirs = torch.tensor([[1.0, 4.0], [3.0, 2.0]], requires_grad=True).aminmax(dim=1)
    assert type(ours).__name__ == type(theirs).__name__ == "aminmax"
    assert ours._fields == ("min", "max") and (theirs.min, theirs.max) == tuple(theirs)
    assert repr(ours).startswith("gradscope.return_types.aminmax(\nmin=tensor(")
    assert ours.min.grad_fn.name() == ours.max.grad_fn.name() == "AminmaxBackward0"


@pytest.mark.parametrize("name", ["median", "kthvalue", "mode", "cummax"])
def test_indices_share_the_saved_tensor(name):
    x = gs.tensor([[3.0, 1.0, 2.0]], requires_grad=True)
    r = getattr(x, name)(*((1, 1) if name == "kthvalue" else (1,)))
    saved = r.values.grad_fn._saved_indices
    assert np.shares_memory(saved.numpy(), r.indices.numpy())


def test_quantile_of_a_list_q_raises_torchs_first_line():
    with pytest.raises(TypeError) as theirs:
        torch.tensor([1.0, 2.0]).quantile([0.5])
    with pytest.raises(TypeError) as ours:
        gs.tensor([1.0, 2.0]).quantile([0.5])
    assert str(ours.value).splitlines()[0] == str(theirs.value).splitlines()[0]


def _graph(t) -> list:
    out, stack = [], [(t.grad_fn, 0)]
    while stack:
        fn, depth = stack.pop()
        if fn is None:
            continue
        out.append((depth, fn.name().split("::")[-1]))
        stack.extend((nf, depth + 1) for nf, _ in reversed(fn.next_functions))
    return out


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantile_values_gradients_and_graph_as_torch(name, interpolation):
    """Over shapes, every dim, keepdim, number and tensor ``q``, with and without a NaN: the
    result, the gradient of a weighted sum and the recorded graph (torch composes
    ``quantile`` of sort, view, gather, lerp_ and the in-place shape ops)."""
    rng = np.random.default_rng(1)
    for shape in [(5,), (2, 4), (3, 2, 4), ()]:
        a = rng.standard_normal(shape)
        b = a.copy()
        if b.size > 2:
            b.reshape(-1)[1] = np.nan
        for arr, q, keepdim in itertools.product((a, b), (0.3, [0.1, 0.5, 1.0]), (False, True)):
            for dim in [None, *range(-len(shape), len(shape) or 1)]:
                got = []
                for m in (torch, gs):
                    x = m.tensor(arr, dtype=m.float64, requires_grad=True)
                    qq = q if isinstance(q, float) else m.tensor(q, dtype=m.float64)
                    y = getattr(m, name)(x, qq, dim, keepdim, interpolation=interpolation)
                    w = m.tensor(np.arange(y.numel()).reshape(tuple(y.shape)) + 1.0)
                    (g,) = m.autograd.grad((y * w.to(m.float64)).sum(), x)
                    got.append((tuple(y.shape), y.detach().numpy(), g.numpy(), _graph(y)))
                (ts, tv, tg, tgraph), (gs_, gv, gg, ggraph) = got
                assert ts == gs_ and tgraph == ggraph
                np.testing.assert_allclose(gv, tv, rtol=1e-12, equal_nan=True)
                np.testing.assert_allclose(gg, tg, rtol=1e-12)


def test_dist_p0_has_no_gradient_as_torch():
    """torch leaves the gradient of the 0-"norm" undefined: nothing reaches the input."""
    for m in (torch, gs):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
            m.autograd.grad(m.dist(x, m.zeros(2), 0), x)
        (g,) = m.autograd.grad(m.dist(x, m.zeros(2), 0) + x.sum(), x)
        np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])
