"""gradscope against torch on the op table: values, gradients, graphs, saved tensors, errors.

Also dtype promotion and ``repr``. Every test here needs torch (CPU build).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import CASES, ERRORS, to_gs, to_torch
from tests.parity import as_numpy

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


# --------------------------------------------------------------------------- helpers


def _name(node) -> str:
    return node.name()


def _walk(root) -> list:
    """The nodes reachable from ``root``, depth first, each once, in a fixed order."""
    order, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(n for n, _ in reversed(node.next_functions) if n is not None)
    return order


def graph_signature(t) -> list:
    """Each node's name and its edges, as (position of the next node, output_nr)."""
    order = _walk(t.grad_fn)
    pos = {id(n): i for i, n in enumerate(order)}
    return [
        (_name(n), tuple((pos[id(m)] if m is not None else None, nr) for m, nr in n.next_functions))
        for n in order
    ]


def _dtype_name(d) -> str:
    return str(d).rsplit(".", 1)[-1]


def _tensor_info(t) -> tuple:
    return (_dtype_name(t.dtype), tuple(t.shape), t.numel() * t.element_size())


def saved_signature(t) -> list:
    """Per node (graph order): {slot: (dtype, shape, bytes)} of the tensors it saved."""
    out = []
    for node in _walk(t.grad_fn):
        slots = {}
        if isinstance(node, gs.autograd.Node):
            for slot in node._saved or {}:
                base = slot.split("[")[0]
                info = _tensor_info(
                    getattr(node, "_saved_" + base)
                    if "[" not in slot
                    else getattr(node, "_saved_" + slot)
                )
                slots.setdefault(base, []).append(info)
        else:
            for attr in dir(node):
                if not attr.startswith("_saved_"):
                    continue
                v = getattr(node, attr)
                vals = v if isinstance(v, tuple) else (v,)
                infos = [_tensor_info(x) for x in vals if isinstance(x, torch.Tensor)]
                if infos:
                    slots[attr[7:]] = infos
        out.append((_name(node), slots))
    return out


def _run_both(case, dtype_gs=None, dtype_torch=None):
    xs = case.arrays()
    gi = to_gs(case, xs, dtype_gs)
    ti = to_torch(case, xs, dtype_torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gi, case.fn(gs, *gi), ti, case.fn(torch, *ti)


ids = [c.name for c in CASES]


# --------------------------------------------------------------------------- op table


@pytest.mark.filterwarnings("ignore:The .grad attribute")  # an input may become a non-leaf
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_values_and_gradients(case):
    gi, go, ti, to = _run_both(case)
    assert tuple(go.shape) == tuple(to.shape)
    assert _dtype_name(go.dtype) == _dtype_name(to.dtype)
    np.testing.assert_allclose(as_numpy(go), as_numpy(to), rtol=1e-5, atol=1e-6)
    assert go.requires_grad == to.requires_grad
    seed = np.random.default_rng(7).standard_normal(tuple(to.shape))
    go.backward(gs.tensor(seed, dtype=go.dtype))
    to.backward(torch.tensor(seed, dtype=to.dtype))
    for k, (a, b) in enumerate(zip(gi, ti)):
        if b.grad is None:
            assert a.grad is None, f"input {k}"
        else:
            assert a.grad is not None, f"input {k}"
            np.testing.assert_allclose(as_numpy(a.grad), as_numpy(b.grad), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_grad_fn_graph(case):
    _, go, _, to = _run_both(case)
    assert graph_signature(go) == graph_signature(to)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_saved_tensors(case):
    if not case.saved:
        pytest.skip("torch's CopySlices does not show the saved tensors of the op it wraps")
    _, go, _, to = _run_both(case)
    assert saved_signature(go) == saved_signature(to)


def test_saved_tensors_freed_after_backward():
    for m in (gs, torch):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        assert y.grad_fn._saved_other.dtype == m.int64
        y.sum().backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.grad_fn._saved_other  # noqa: B018


# --------------------------------------------------------------------------- errors


def _raised(fn, m):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(m)
        except Exception as e:  # noqa: BLE001 - comparing whatever torch raises
            return e
    return None


@pytest.mark.parametrize("name,fn", ERRORS, ids=[n for n, _ in ERRORS])
def test_errors(name, fn):
    te = _raised(fn, torch)
    assert te is not None, "torch raises"
    ge = _raised(fn, gs)
    assert ge is not None, f"gradscope does not raise; torch raises {te!r}"
    assert type(ge) is type(te), f"{type(ge).__name__}: {ge} / torch {type(te).__name__}: {te}"
    gm, tm = str(ge), str(te)
    assert gm == tm or gm.startswith(tm + "\n"), f"\ngradscope: {gm}\ntorch:     {tm}"


# --------------------------------------------------------------------------- promotion

PROMOTION = {
    "int_plus_float_scalar": lambda m: m.arange(3) + 1.5,
    "int_times_int_scalar": lambda m: m.arange(3) * 2,
    "int_div_int": lambda m: m.arange(3) / 2,
    "int_div_int_tensor": lambda m: m.arange(3) / m.tensor([1, 2, 3]),
    "bool_plus_int": lambda m: m.tensor([True, False]) + 1,
    "bool_plus_float": lambda m: m.tensor([True, False]) + 1.0,
    "bool_times_bool": lambda m: m.tensor([True, False]) * m.tensor([True, True]),
    "f32_plus_f64_0d": lambda m: m.ones(3) + m.tensor(2.0, dtype=m.float64),
    "f64_0d_plus_f32": lambda m: m.tensor(2.0, dtype=m.float64) + m.ones(3),
    "f32_plus_f64": lambda m: m.ones(3) + m.ones(3, dtype=m.float64),
    "f32_0d_plus_f64_0d": lambda m: m.tensor(1.0) + m.tensor(2.0, dtype=m.float64),
    "int_plus_f64_0d": lambda m: m.arange(3) + m.tensor(2.0, dtype=m.float64),
    "int_plus_f32_0d": lambda m: m.arange(3) + m.tensor(2.0),
    "int32_plus_int64": lambda m: m.arange(3, dtype=m.int32) + m.arange(3),
    "int32_plus_int64_0d": lambda m: m.arange(3, dtype=m.int32) + m.tensor(7),
    "int32_plus_int_scalar": lambda m: m.arange(3, dtype=m.int32) + 7,
    "f64_times_float": lambda m: m.ones(3, dtype=m.float64) * 0.5,
    "f16_plus_f32_0d": lambda m: m.ones(3, dtype=m.float16) + m.tensor(1.0),
    "f16_plus_float": lambda m: m.ones(3, dtype=m.float16) + 1.5,
    "int_pow_float": lambda m: m.arange(3) ** 2.0,
    "int_pow_int": lambda m: m.arange(3) ** 2,
    "float_scalar_pow_int": lambda m: 2.0 ** m.arange(3),
    "int_scalar_pow_float": lambda m: 2 ** m.ones(3),
    "rsub_int_float": lambda m: 1.5 - m.arange(3),
    "int_sub_f32": lambda m: m.arange(3) - m.ones(3),
    "where_int_float": lambda m: m.where(m.tensor([True, False, True]), m.arange(3), 0.5),
    "where_f32_f64": lambda m: m.where(
        m.tensor([True, False, True]), m.ones(3), m.zeros(3, dtype=m.float64)
    ),
    "sum_int32": lambda m: m.arange(3, dtype=m.int32).sum(),
    "sum_bool": lambda m: m.tensor([True, True, False]).sum(),
    "sum_bool_dim": lambda m: m.tensor([[True, True, False]]).sum(1),
    "sum_dtype": lambda m: m.ones(3).sum(dtype=m.float64),
    "mean_f64": lambda m: m.ones(3, dtype=m.float64).mean(),
    "cat_mixed": lambda m: m.cat([m.ones(2), m.ones(2, dtype=m.float64)]),
    "matmul_f64": lambda m: m.ones(2, 3, dtype=m.float64) @ m.ones(3, dtype=m.float64),
    "neg_int": lambda m: -m.arange(3),
    "abs_int": lambda m: abs(-m.arange(3)),
    "exp_int": lambda m: m.arange(3).exp(),
    "sqrt_int": lambda m: m.arange(3).sqrt(),
    "sigmoid_int": lambda m: m.arange(3).sigmoid(),
    "eq_float_int": lambda m: m.ones(3) == m.arange(3),
    "lt_scalar": lambda m: m.arange(3) < 1.5,
    "clamp_int_float_bounds": lambda m: m.arange(5).clamp(1, 3),
    "max_int": lambda m: m.arange(5).max(),
    "max_dim_indices": lambda m: m.tensor([[1.0, 5.0, 2.0], [3.0, 2.0, 7.0]]).max(1).indices,
    "min_dim_keepdim_indices": lambda m: m.tensor([[1.0, 5.0], [3.0, 2.0]]).min(0, True)[1],
    "argmax_flat": lambda m: m.tensor([[1.0, 5.0], [7.0, 2.0]]).argmax(),
    "relu_int": lambda m: m.relu(m.arange(5) - 2),
    "to_f64": lambda m: m.arange(3).to(m.float64),
    "tensor_from_mixed": lambda m: m.tensor([1, 2.5]),
    "tensor_from_bools": lambda m: m.tensor([True, False]),
    "full_int": lambda m: m.full((2,), 3),
    "full_float": lambda m: m.full((2,), 3.0),
    "full_bool": lambda m: m.full((2,), True),
    "arange_float": lambda m: m.arange(0, 1, 0.25),
    "arange_step_0": lambda m: m.arange(0, 5, 0),
    "randint_high_size": lambda m: m.randint(1, (2, 3)),
    "squeeze_no_dims": lambda m: m.ones(1, 2).squeeze(dim=()),
    "zeros_like_int": lambda m: m.zeros_like(m.arange(3)),
    "clamp_int_by_floats": lambda m: m.arange(5).clamp(0.5, 2.5),
    "f32_times_numpy_f64": lambda m: m.ones(3) * np.float64(2.0),
    "tensor_of_numpy_f64": lambda m: m.tensor(np.float64(2.5)),
    "iadd_f32_by_f64": lambda m: m.ones(3).add_(m.ones(3, dtype=m.float64) / 3),
    "iadd_int32_by_int64": lambda m: m.arange(3, dtype=m.int32).add_(m.arange(3)),
    "imul_float_by_bool": lambda m: m.ones(2).mul_(m.tensor([True, False])),
    "setitem_int_by_float": lambda m: _set(m.arange(3), 0, 1.5),
    "fill_int_by_float": lambda m: m.arange(3).fill_(2.5),
    "long_of_float": lambda m: m.tensor([1.5, -2.5], requires_grad=True).long(),
    "bool_of_float": lambda m: m.tensor([1.5, 0.0], requires_grad=True).to(m.bool),
}


def test_where_with_the_condition_alone_gives_indices():
    cond = [[True, False, True], [False, False, True]]
    got, want = gs.where(gs.tensor(cond)), torch.where(torch.tensor(cond))
    assert len(got) == len(want) == 2
    for g, t in zip(got, want):
        assert _dtype_name(g.dtype) == _dtype_name(t.dtype) and g.tolist() == t.tolist()


def test_requires_grad_true_on_a_result_is_kept_as_it_is():
    for m in (gs, torch):
        x = m.ones(2, requires_grad=True)
        y = (x * 2).requires_grad_(True)
        assert y.requires_grad and y.grad_fn.name() == "MulBackward0"


def _set(t, index, value):
    t[index] = value
    return t


@pytest.mark.parametrize("name", list(PROMOTION))
def test_dtype_promotion(name):
    fn = PROMOTION[name]
    te = _raised(fn, torch)
    ge = _raised(fn, gs)
    if te is not None:
        assert ge is not None and type(ge) is type(te), f"torch raises {te!r}, gradscope {ge!r}"
        return
    assert ge is None, f"gradscope raises {ge!r}"
    g, t = fn(gs), fn(torch)
    assert _dtype_name(g.dtype) == _dtype_name(t.dtype)
    assert tuple(g.shape) == tuple(t.shape)
    assert g.requires_grad == t.requires_grad
    np.testing.assert_allclose(
        as_numpy(g).astype(np.float64), as_numpy(t).astype(np.float64), rtol=1e-3
    )


# --------------------------------------------------------------------------- repr


def _nll_ignored_grad(m):
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    m.nn.functional.nll_loss(x, m.tensor([0, -100])).backward()
    return x.grad


def _grad_sum(m):
    x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return (x * x).sum()


def _leaf_grad(m):
    x = m.tensor([[1.0, -2.0], [3.0, 4.5]], requires_grad=True)
    (x * x).sum().backward()
    return x.grad


REPRS = {
    "signed": lambda m: m.tensor([0.5465, 0.3207, -0.5304]),
    "ints_as_float": lambda m: m.tensor([1.0, 2.0, 3.0]),
    "ints_as_float_neg": lambda m: m.tensor([-1.0, 20.0, 3.0]),
    "zeros": lambda m: m.zeros(3),
    "zero_0d": lambda m: m.tensor(0.0),
    "neg_zero": lambda m: m.tensor([-0.0, 1.0]),
    "nll_ignored_rows_grad": lambda m: _nll_ignored_grad(m),
    "scalar_sum": _grad_sum,
    "scalar_float": lambda m: m.tensor(3.14159),
    "scalar_int": lambda m: m.tensor(7),
    "scalar_bool": lambda m: m.tensor(True),
    "requires_grad": lambda m: m.tensor([1.0, 2.5], requires_grad=True),
    "grad_fn": lambda m: m.tensor([1.0, 2.5], requires_grad=True) * 2,
    "leaf_grad": _leaf_grad,
    "float64": lambda m: m.tensor([1.5, 2.25], dtype=m.float64),
    "float64_rg": lambda m: m.tensor([1.5, 2.25], dtype=m.float64, requires_grad=True),
    "float64_grad_fn": lambda m: m.tensor([1.5, 2.25], dtype=m.float64, requires_grad=True).exp(),
    "float16": lambda m: m.tensor([1.5, 2.25], dtype=m.float16),
    "int32": lambda m: m.tensor([1, -2, 300], dtype=m.int32),
    "int64": lambda m: m.tensor([1, -2, 300]),
    "uint8": lambda m: m.tensor([1, 2, 255], dtype=m.uint8),
    "bool": lambda m: m.tensor([True, False, True]),
    "bool_2d": lambda m: m.tensor([[True, False], [False, True]]),
    "matrix": lambda m: m.tensor([[1.25, -2.5, 3.0], [4.0, 5.5, -6.75]]),
    "matrix_int_valued": lambda m: m.tensor([[1.0, 2.0], [30.0, -4.0]]),
    "tensor_3d": lambda m: m.arange(24, dtype=m.float32).reshape(2, 3, 4) / 7,
    "int_3d": lambda m: m.arange(24).reshape(2, 3, 4) - 5,
    "sci_large": lambda m: m.tensor([1e10, 1.0, -3.5]),
    "sci_small": lambda m: m.tensor([1e-5, 1.0]),
    "sci_ratio": lambda m: m.tensor([0.001, 1.5, 2000.0]),
    "sci_int_valued": lambda m: m.tensor([1.0, 1e9]),
    "tiny_only": lambda m: m.tensor([1e-8, -2e-8]),
    "big_ints": lambda m: m.tensor([123456789, -5]),
    "inf_nan": lambda m: m.tensor([float("inf"), float("nan"), 1.5, -float("inf")]),
    "inf_nan_int_valued": lambda m: m.tensor([float("inf"), float("nan"), 2.0]),
    "all_nan": lambda m: m.tensor([float("nan")]),
    "empty": lambda m: m.tensor([]),
    "empty_2d": lambda m: m.zeros(0, 3),
    "empty_int": lambda m: m.zeros(0, dtype=m.int64),
    "empty_f64_2d": lambda m: m.zeros(2, 0, dtype=m.float64),
    "wrap_long_row": lambda m: m.arange(30, dtype=m.float32) / 3,
    "wrap_ints": lambda m: m.arange(60),
    "wrap_matrix": lambda m: (m.arange(40, dtype=m.float64) / 7).reshape(2, 20),
    "summarized": lambda m: m.arange(2000, dtype=m.float32),
    "summarized_2d": lambda m: m.arange(3000).reshape(60, 50),
    "summarized_3d": lambda m: (m.arange(1200, dtype=m.float32) / 3).reshape(10, 10, 12),
    "long_suffix_wrap": lambda m: (m.arange(18, dtype=m.float64) / 3).requires_grad_().exp(),
    "view_of_grad": lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)[0],
    "nonleaf_0d_float64": lambda m: m.tensor(2.0, dtype=m.float64, requires_grad=True) * 3,
    "column": lambda m: m.tensor([[0.25], [-1.5], [100.0]]),
}


def _norm(s: str) -> str:
    return re.sub(r"\bgradscope\.", "torch.", s)


@pytest.mark.parametrize("name", list(REPRS))
def test_repr(name):
    fn = REPRS[name]
    assert _norm(repr(fn(gs))) == repr(fn(torch))


def test_repr_size_and_dtype():
    assert _norm(repr(gs.ones(2, 3).shape)) == repr(torch.ones(2, 3).shape)
    assert _norm(repr(gs.float64)) == repr(torch.float64)
    assert _norm(str(gs.int64)) == str(torch.int64)


# --------------------------------------------------------------------------- defaults


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)])
def test_functional_softmax_without_dim_picks_torchs_dim_and_warns(fn, shape):
    x = np.random.default_rng(0).standard_normal(shape)
    results = []
    for m in (gs, torch):
        with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn}") as rec:
            results.append(as_numpy(getattr(m.nn.functional, fn)(m.tensor(x))))
        assert rec[0].filename == __file__  # the user's line
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
@pytest.mark.parametrize("size", [(2, 3), [4], ()])
def test_creation_takes_size_as_a_keyword(name, size):
    t = getattr(gs, name)(size=size)
    assert tuple(t.shape) == tuple(getattr(torch, name)(size=size).shape) == tuple(size)
    assert t.dtype == gs.float32


def test_softmax_of_an_integer_tensor_in_a_float_dtype():
    for fn in ("softmax", "log_softmax"):
        ours = getattr(gs.arange(3), fn)(0, dtype=gs.float32)
        theirs = getattr(torch.arange(3), fn)(0, dtype=torch.float32)
        np.testing.assert_allclose(as_numpy(ours), as_numpy(theirs), rtol=1e-6)


# --------------------------------------------------------------------------- index dtypes


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool"])
def test_index_tensor_dtypes_as_torch(dtype):
    """long and int index; a byte tensor is a mask (torch warns); other integers refuse."""
    data = np.arange(6.0).reshape(2, 3)
    idx = np.array([1, 0])
    results = []
    for m in (gs, torch):
        a = m.tensor(data, requires_grad=True)
        i = m.tensor(idx, dtype=getattr(m, dtype))
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                out = a[i]
            except IndexError as e:
                results.append(("IndexError", str(e)))
                continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns again in its backward
            out.sum().backward()
        warned = [str(w.message).split(" (Triggered")[0] for w in rec]
        results.append(
            (as_numpy(out).tolist(), as_numpy(a.grad).tolist(), out.grad_fn.name(), warned)
        )
    assert results[0] == results[1]


@pytest.mark.parametrize("value", [5.0, "0-d", "1-element", "row"])
def test_writes_through_a_byte_mask_as_torch(value):
    results = []
    for m in (gs, torch):
        v = {"0-d": m.tensor(5.0), "1-element": m.tensor([5.0]), "row": m.ones(3)}.get(value, value)
        a = m.zeros(2, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                a[m.tensor([1, 0], dtype=m.uint8)] = v
            except RuntimeError as e:
                results.append(str(e))
                continue
        results.append(as_numpy(a).tolist())
    assert results[0] == results[1]


@pytest.mark.parametrize(
    "index",
    [
        lambda m: m.tensor([2, 0, 2]),
        lambda m: (m.tensor([1, 0, 1]), m.tensor([3, 3, 0])),
        lambda m: (m.tensor([[1], [0]]), m.tensor([2, 1, 0])),
        lambda m: (m.tensor([1, 0], dtype=m.int32), m.tensor([3, -1])),
        lambda m: (m.tensor([0, 1]), m.tensor([0, 1]), m.tensor([1, 0])),  # too many
        lambda m: m.tensor([3]),  # out of range
        lambda m: (m.tensor([0]), m.tensor([-5])),  # out of range, dim 1
    ],
)
def test_indexing_with_integer_tensors_alone_as_torch(index):
    """``a[i]``, ``a[i, j]``: values, gradients (repeats add up), node and errors."""
    data = np.arange(12.0).reshape(3, 4)
    results = []
    for m in (gs, torch):
        a = m.tensor(data, requires_grad=True)
        try:
            out = a[index(m)]
        except IndexError as e:
            results.append(("IndexError", re.sub(r"dimension|axis", "dim", str(e))))
            continue
        (out * m.arange(out.numel(), dtype=m.float64).reshape(out.shape)).sum().backward()
        results.append((as_numpy(out).tolist(), as_numpy(a.grad).tolist(), out.grad_fn.name()))
    assert results[0] == results[1]


def test_dot_t_of_a_non_matrix_warns_once_as_torch():
    import gradscope.ops.api as api

    api._t_warned.clear()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        shapes = [tuple(gs.randn(s).T.shape) for s in [(2, 3, 4), (3,), (), (2, 3), ()]]
    assert shapes == [(4, 3, 2), (3,), (), (3, 2), ()]
    messages = [str(w.message) for w in rec]
    assert len(messages) == 2 and {w.filename for w in rec} == {__file__}
    assert messages[0].startswith("The use of `x.T` on tensors of dimension other than 2")
    assert messages[1] == (
        "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
    )
    assert gs.randn(2, 3, 4, requires_grad=True).T.grad_fn.name() == "PermuteBackward0"


@pytest.mark.parametrize("pytype", [float, int, bool])
def test_python_types_as_dtypes_as_torch(pytype):
    """torch reads Python's float as float64 (not the default float), int as int64."""
    for make in (
        lambda m: m.zeros(2, dtype=pytype),
        lambda m: m.tensor([1, 0], dtype=pytype),
        lambda m: m.arange(3).to(pytype),
    ):
        assert str(make(gs).dtype).split(".")[-1] == str(make(torch).dtype).split(".")[-1]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.ones(2, 3).sum(axis=0),
        lambda m: m.ones(2, 3).mean(axis=1, keepdim=True),
        lambda m: m.dot(m.tensor([1.0, 2.0], requires_grad=True), m.tensor([3.0, 4.0])),
        lambda m: m.tensor([1.0, 2.0]).dot(m.tensor([3.0, 4.0])),
        lambda m: m.mv(m.ones(2, 3), m.ones(3)),
        lambda m: m.ones(2, 3, dtype=m.float64).new_zeros(2, 3),
        lambda m: m.ones(2, dtype=m.float64).new_ones((3,), requires_grad=True),
        lambda m: m.ones(2).new_full((2,), 3.0),
        lambda m: m.ones(2).new_tensor([1, 2]),
        lambda m: m.ones(2).new_empty(3).shape,
        lambda m: m.dot(m.ones(2, 2), m.ones(2, 2)),
        lambda m: m.dot(m.ones(2), m.ones(3)),
        lambda m: m.ones(2).dot(m.ones(2, dtype=m.float64)),
    ],
)
def test_axis_dot_and_new_tensors_as_torch(call):
    results = []
    for m in (torch, gs):
        try:
            r = call(m)
        except RuntimeError as e:
            results.append(("RuntimeError", str(e)))
            continue
        if isinstance(r, (torch.Tensor, gs.Tensor)):
            gf = r.grad_fn.name() if r.grad_fn is not None else None
            r = (
                str(r.dtype).split(".")[-1],
                tuple(r.shape),
                r.requires_grad,
                gf,
                as_numpy(r).tolist(),
            )
        else:
            r = tuple(r)
        results.append(r)
    assert results[0] == results[1]
