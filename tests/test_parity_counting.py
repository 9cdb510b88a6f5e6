"""Ops that find and count (``nonzero``, ``argwhere``, ``count_nonzero``, ``unique``,
``unique_consecutive``, ``bincount``, ``histc``, ``isclose``, ``signbit``, ``isposinf``,
``isneginf``, ``isreal``) and a tensor's predicates (``is_cpu``, ``get_device``,
``itemsize``, ``is_signed``, ``is_same_size``, ``is_nonzero``, ...) against torch 2.13:
values, dtypes, shapes, whether the result is in the graph (``unique``'s node, whose
backward raises), and errors."""

from __future__ import annotations

import numpy as np
import pytest
from parity import check_error, check_value, params

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

NAN, INF = float("nan"), float("inf")
MIXED = [[0.0, 1.5, -0.0], [NAN, 0.0, 2.0]]
SPECIAL = [1.0, -0.0, INF, -INF, NAN, 1e-9, -3.5, 0.0]
INTS = [3, 1, 3, 2, 1, 1, 0, 7]


def _f(m, rows=MIXED, rg=True):
    return m.tensor(rows, requires_grad=rg)


VALUES = {
    "nonzero": lambda m: m.nonzero(_f(m)),
    "nonzero_method": lambda m: _f(m).nonzero(),
    "nonzero_as_tuple": lambda m: m.nonzero(_f(m), as_tuple=True),
    "nonzero_0d": lambda m: m.nonzero(m.tensor(3.0)),
    "nonzero_0d_zero": lambda m: m.nonzero(m.tensor(0.0)),
    "nonzero_0d_as_tuple": lambda m: m.nonzero(m.tensor(3.0), as_tuple=True),
    "nonzero_bool": lambda m: m.nonzero(m.tensor([[True, False], [False, True]])),
    "nonzero_empty": lambda m: m.nonzero(m.zeros(0, 3)),
    "argwhere": lambda m: m.argwhere(_f(m)),
    "argwhere_method": lambda m: m.tensor(INTS).argwhere(),
    "count_nonzero": lambda m: m.count_nonzero(_f(m)),
    "count_nonzero_dim": lambda m: m.count_nonzero(_f(m), dim=1),
    "count_nonzero_neg_dim": lambda m: _f(m).count_nonzero(-2),
    "count_nonzero_dims": lambda m: m.count_nonzero(_f(m), dim=(0, 1)),
    "count_nonzero_0d": lambda m: m.count_nonzero(m.tensor(5.0), dim=0),
    "count_nonzero_bool": lambda m: m.count_nonzero(m.tensor([True, False, True])),
    "isclose": lambda m: m.isclose(m.tensor(SPECIAL), m.tensor([1.0000001, 0.0, INF, INF, NAN, 0.0, -3.5001, 1e-8])),
    "isclose_equal_nan": lambda m: m.isclose(m.tensor(SPECIAL), m.tensor(SPECIAL), equal_nan=True),
    "isclose_tolerances": lambda m: m.isclose(m.tensor([1.0, 2.0, 100.0]), m.tensor([1.1, 2.5, 101.0]), rtol=0.01, atol=0.2),
    "isclose_broadcast": lambda m: m.isclose(m.tensor([1.0]), m.tensor([1.0, 2.0, 3.0]).reshape(3, 1)),
    "isclose_ints": lambda m: m.isclose(m.tensor([1000000, 2, 3]), m.tensor([1000005, 3, 3])),
    "isclose_bools": lambda m: m.isclose(m.tensor([True, False]), m.tensor([True, True])),
    "isclose_float64": lambda m: m.isclose(m.tensor(SPECIAL, dtype=m.float64), m.tensor(SPECIAL[::-1], dtype=m.float64)),
    "isclose_method": lambda m: _f(m).isclose(_f(m, rg=False)),
    "signbit": lambda m: m.signbit(m.tensor(SPECIAL)),
    "signbit_ints": lambda m: m.tensor([-1, 0, 5]).signbit(),
    "signbit_uint8": lambda m: m.signbit(m.tensor([0, 200], dtype=m.uint8)),
    "signbit_bools": lambda m: m.signbit(m.tensor([True, False])),
    "isposinf": lambda m: m.isposinf(m.tensor(SPECIAL)),
    "isneginf": lambda m: m.tensor(SPECIAL).isneginf(),
    "isposinf_ints": lambda m: m.isposinf(m.tensor([1, 2])),
    "isreal": lambda m: m.isreal(m.tensor(SPECIAL)),
    "isreal_ints": lambda m: m.tensor(INTS).isreal(),
    "unique": lambda m: m.unique(_f(m)),
    "unique_all": lambda m: m.unique(m.tensor(INTS), return_inverse=True, return_counts=True),
    "unique_counts": lambda m: m.unique(_f(m), return_counts=True),
    "unique_unsorted": lambda m: m.unique(m.tensor(INTS), sorted=False),
    "unique_2d_inverse": lambda m: m.unique(m.tensor([[2, 1], [1, 5]]), return_inverse=True),
    "unique_nans": lambda m: m.unique(m.tensor([1.0, NAN, NAN, -INF, INF, INF])),
    "unique_0d": lambda m: m.unique(m.tensor(5), return_inverse=True, return_counts=True),
    "unique_empty": lambda m: m.unique(m.zeros(0), return_inverse=True, return_counts=True),
    "unique_dim_empty": lambda m: m.unique(m.zeros(0, 3), dim=0, return_inverse=True, return_counts=True),
    "unique_consecutive_dim_empty": lambda m: m.unique_consecutive(m.zeros(0, 3), dim=-2, return_inverse=True, return_counts=True),
    "unique_bools": lambda m: m.unique(m.tensor([True, False, True])),
    "unique_dim0": lambda m: m.unique(m.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True, return_counts=True),
    "unique_dim1": lambda m: m.unique(m.tensor([[1, 2, 1], [3, 0, 3]]), dim=1, return_inverse=True, return_counts=True),
    "unique_dim_float": lambda m: m.unique(_f(m, [[1.0, 2.0], [1.0, 2.0], [-1.0, 0.5]]), dim=0),
    "unique_dim_3d": lambda m: m.unique(m.tensor([[[1, 2], [3, 4]], [[1, 2], [3, 4]], [[0, 2], [3, 4]]]), dim=-3, return_counts=True),
    "unique_method": lambda m: _f(m).unique(return_inverse=True),
    "unique_consecutive": lambda m: m.unique_consecutive(m.tensor(INTS), return_inverse=True, return_counts=True),
    "unique_consecutive_float": lambda m: m.unique_consecutive(_f(m, [1.0, 1.0, NAN, NAN, 2.0, 1.0])),
    "unique_consecutive_dim": lambda m: m.unique_consecutive(m.tensor([[1, 1], [1, 1], [2, 3], [1, 1]]), dim=0, return_inverse=True, return_counts=True),
    "unique_consecutive_dim1": lambda m: _f(m, [[1.0, 1.0, 2.0], [0.0, 0.0, 2.0]]).unique_consecutive(dim=1, return_counts=True),
    "unique_consecutive_2d": lambda m: m.unique_consecutive(m.tensor([[1, 1], [2, 2]]), return_inverse=True),
    "bincount": lambda m: m.bincount(m.tensor(INTS)),
    "bincount_minlength": lambda m: m.tensor(INTS).bincount(minlength=10),
    "bincount_weights": lambda m: m.bincount(m.tensor(INTS), weights=m.arange(8.0)),
    "bincount_weights_float64": lambda m: m.bincount(m.tensor(INTS), weights=m.arange(8, dtype=m.float64)),
    "bincount_weights_int": lambda m: m.bincount(m.tensor(INTS), weights=m.arange(8)),
    "bincount_empty": lambda m: m.bincount(m.tensor([], dtype=m.int64)),
    "bincount_uint8": lambda m: m.bincount(m.tensor([1, 1, 4], dtype=m.uint8)),
    "histc": lambda m: m.histc(m.tensor([1.0, 2, 1, 4]), bins=4, min=0, max=3),
    "histc_data_range": lambda m: m.histc(m.tensor([1.0, 2, 1, 4]), bins=4),
    "histc_one_value": lambda m: m.histc(m.tensor([1.0, 1.0]), bins=4),
    "histc_min_equals_max": lambda m: m.histc(m.tensor([1.0, 2, 3]), bins=2, min=1, max=1),
    "histc_nan_outside": lambda m: m.histc(m.tensor([NAN, 1.0, 2.0, -5.0, 9.0]), bins=2, min=0, max=3),
    "histc_empty": lambda m: m.histc(m.tensor([]), bins=2),
    "histc_edges": lambda m: m.histc(m.tensor([0.0, 0.1, 0.2, 0.3, 0.7, 0.9999999, 1.0, 0.333333343]), bins=3, min=0, max=1),
    "histc_linspace": lambda m: m.histc(m.linspace(0, 1, 1001), bins=7, min=0, max=1),
    "histc_float64": lambda m: _f(m, [[1.0, 2.0], [3.0, 3.0]]).double().histc(bins=3),
    "histc_requires_grad": lambda m: m.histc(_f(m, [0.5, 0.25]), bins=2),
}  # fmt: skip

ERRORS = {
    "count_nonzero_dim": lambda m: m.count_nonzero(_f(m), dim=2),
    "count_nonzero_dims_twice": lambda m: m.count_nonzero(_f(m), dim=(0, 0)),
    "nonzero_positional": lambda m: m.nonzero(_f(m), True),
    "nonzero_not_tensor": lambda m: m.nonzero([1, 2]),
    "isclose_dtypes": lambda m: m.isclose(_f(m), _f(m).double()),
    "isclose_int_dtypes": lambda m: m.isclose(m.tensor([1], dtype=m.int32), m.tensor([1])),
    "isclose_rtol": lambda m: m.isclose(_f(m), _f(m), rtol=-1),
    "isclose_atol": lambda m: m.isclose(_f(m), _f(m), atol=-0.5),
    "isclose_number": lambda m: m.isclose(m.tensor([1.0]), 1.0),
    "isclose_shapes": lambda m: m.isclose(m.tensor([1.0, 2]), m.tensor([1.0, 2, 3])),
    "bincount_floats": lambda m: m.bincount(m.tensor([1.0])),
    "bincount_bools": lambda m: m.bincount(m.tensor([True])),
    "bincount_negative": lambda m: m.bincount(m.tensor([-1])),
    "bincount_2d": lambda m: m.bincount(m.tensor([[1]])),
    "bincount_weights_length": lambda m: m.bincount(m.tensor([1, 2]), weights=m.tensor([1.0])),
    "bincount_minlength": lambda m: m.bincount(m.tensor([1]), minlength=-1),
    "histc_ints": lambda m: m.histc(m.tensor([1, 2])),
    "histc_bins": lambda m: m.histc(m.tensor([1.0, 2]), bins=0),
    "histc_reversed": lambda m: m.histc(m.tensor([1.0, 2]), min=3, max=1),
    "histc_infinite_data": lambda m: m.histc(m.tensor([INF, 1.0, 2.0]), bins=2),
    "histc_infinite_max": lambda m: m.histc(m.tensor([1.0, 2, 3]), bins=2, min=0, max=INF),
    "unique_dim": lambda m: m.unique(_f(m), dim=5),
    "unique_dim_0d": lambda m: m.unique(m.tensor(5), dim=0),
    "unique_consecutive_dim_0d": lambda m: m.unique_consecutive(m.tensor(5), dim=-1),
    "unique_dim_empty_other": lambda m: m.unique(m.zeros(0, 3), dim=1),
    "unique_consecutive_dim_empty_other": lambda m: m.unique_consecutive(m.zeros(2, 0, 3), dim=2),
    "unique_consecutive_dim": lambda m: m.unique_consecutive(_f(m), dim=-3),
    "is_same_size_number": lambda m: _f(m).is_same_size(3),
    "is_nonzero_many": lambda m: m.tensor([1.0, 2]).is_nonzero(),
    "is_nonzero_empty": lambda m: m.tensor([]).is_nonzero(),
    "signbit_not_tensor": lambda m: m.signbit(1.0),
}  # fmt: skip


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


@pytest.mark.parametrize(
    "op",
    [
        lambda m, t: m.unique(t),
        lambda m, t: m.unique(t, dim=0),
        lambda m, t: m.unique_consecutive(t),
        lambda m, t: t.unique_consecutive(dim=1),
    ],
    ids=["unique", "unique_dim", "unique_consecutive", "unique_consecutive_dim"],
)
def test_unique_records_a_node_whose_backward_raises_as_torchs(op):
    def backward(m):
        t = _f(m, [[1.0, 2.0], [1.0, 2.0]])
        op(m, t).sum().backward()

    def forward_mode(m):
        t = _f(m, [[1.0, 2.0], [1.0, 2.0]], rg=False)
        with m.autograd.forward_ad.dual_level():
            op(m, m.autograd.forward_ad.make_dual(t, m.ones_like(t)))

    def next_functions(m):
        node = op(m, _f(m, [[1.0, 2.0], [1.0, 2.0]])).grad_fn
        return [n.name() for n, _ in node.next_functions]

    check_error(backward)
    check_error(forward_mode)
    assert next_functions(gs) == next_functions(torch)


def test_unique_under_no_grad_is_outside_the_graph():
    def run(m):
        with m.no_grad():
            return m.unique(_f(m)).requires_grad, m.unique(_f(m), dim=1).grad_fn is None

    assert run(gs) == run(torch) == (False, True)


def test_unique_matches_numpy_on_random_data():
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = rng.integers(-3, 4, size=(int(rng.integers(1, 6)), 3))
        for dim in (None, 0, 1):
            got = gs.unique(gs.tensor(x), dim=dim, return_inverse=True, return_counts=True)
            want = torch.unique(torch.tensor(x), dim=dim, return_inverse=True, return_counts=True)
            for g, w in zip(got, want):
                assert g.tolist() == w.tolist()
            got = gs.unique_consecutive(
                gs.tensor(x), dim=dim, return_inverse=True, return_counts=True
            )
            want = torch.unique_consecutive(
                torch.tensor(x), dim=dim, return_inverse=True, return_counts=True
            )
            for g, w in zip(got, want):
                assert g.tolist() == w.tolist()


def test_histc_counts_as_torch_on_random_data():
    rng = np.random.default_rng(1)
    for _ in range(30):
        x = rng.standard_normal(int(rng.integers(1, 300))).astype(np.float32)
        bins = int(rng.integers(1, 40))
        lo, hi = sorted(rng.uniform(-2, 2, size=2).tolist())
        for args in ((bins,), (bins, lo, hi)):
            assert (
                gs.histc(gs.tensor(x), *args).tolist()
                == torch.histc(torch.tensor(x), *args).tolist()
            )


PREDICATES = {
    "is_cpu": lambda t: t.is_cpu,
    "get_device": lambda t: t.get_device(),
    "itemsize": lambda t: t.itemsize,
    "is_complex": lambda t: t.is_complex(),
    "is_signed": lambda t: t.is_signed(),
    "is_inference": lambda t: t.is_inference(),
    "is_same_size": lambda t: (t.is_same_size(t), t.is_same_size(t.reshape(-1)[:1])),
    "is_floating_point": lambda t: t.is_floating_point(),
}


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "float16", "int64", "int32", "uint8", "bool"]
)
@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_a_tensors_predicates_as_torch(name, dtype):
    def run(m):
        return PREDICATES[name](m.ones(2, 2, dtype=getattr(m, dtype)))

    assert run(gs) == run(torch)


@pytest.mark.parametrize("value", [0.0, 2.5, -0.0, NAN])
def test_is_nonzero_as_torch(value):
    assert gs.tensor([[value]]).is_nonzero() == torch.tensor([[value]]).is_nonzero()
