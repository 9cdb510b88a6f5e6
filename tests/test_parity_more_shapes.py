"""Indexing and shape ops against torch 2.13: ``gather``, ``index_select``, ``scatter``,
``scatter_add``, ``masked_select``, ``repeat``, ``flip``, ``roll``, ``narrow``,
``movedim``, ``swapaxes``, ``unflatten``, ``tril``, ``triu``, ``diagonal``, ``outer``,
``sort``, ``argsort``, ``topk``, on tensors of every dtype and of 0, 1, 3 dims and none of
their elements, and their argument checks (``scatter(reduce=)`` too, which has no
derivative). Each case compares shape, dtype, values, the node, its edges, the gradients
and whether the result is a view, or torch's error (type and first line).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import edges

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
SHAPES = [(), (5,), (2, 3, 4), (0, 3)]


def _operand(m, shape, dtype, k=0):
    """A tensor of ``shape`` and ``dtype`` (with ties among its values), floats requiring grad."""
    n = int(np.prod(shape))
    vals = [((i * 7 + k) % 5) - 2 for i in range(n)]
    arr = np.array(vals, dtype=np.float64).reshape(shape)
    if dtype == "bool":
        arr = arr > 0
    elif dtype == "uint8":
        arr = np.abs(arr)
    t = m.tensor(arr.tolist(), dtype=getattr(m, dtype))
    return t.requires_grad_() if t.is_floating_point() else t


def _plain(t) -> str:
    return str(np.asarray(t.detach().numpy(), dtype=float).round(4).tolist())


def _outcome(m, run, *xs):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = run(m, *xs)
    except (RuntimeError, IndexError, ValueError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    outs = y if isinstance(y, tuple) else (y,)
    got = [type(y).__name__ if isinstance(y, tuple) else None]
    for o in outs:
        got += [tuple(o.shape), str(o.dtype).split(".")[-1], _plain(o)]
        got += [o._base is not None if m is gs else o._is_view()]
    y = outs[0]
    node = y.grad_fn
    got += [None, None] if node is None else [node.name(), edges(node)]
    if y.requires_grad and y.numel():
        seed = m.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)).tolist())
        try:
            y.backward(seed.to(y.dtype))
        except RuntimeError as e:
            return (*got, str(e).splitlines()[0])
        got += [None if t.grad is None else _plain(t.grad) for t in xs if isinstance(t, m.Tensor)]
    return ("ok", *got)


def _both(run, *specs):
    """``run`` on the same operands (``(shape, dtype)`` pairs) under gradscope and torch."""
    outs = []
    for m in (gs, torch):
        xs = [_operand(m, *s, k) if isinstance(s, tuple) else s for k, s in enumerate(specs)]
        outs.append(_outcome(m, run, *xs))
    return outs


# --------------------------------------------------------------------- indexing by tensors

INDEXING = {
    "gather_0": lambda m, a: a.gather(0, m.zeros_like(a, dtype=m.int64)),
    "gather_last": lambda m, a: m.gather(a, -1, (m.arange(a.numel()) % 2).reshape(a.shape)),
    "gather_int32": lambda m, a: a.gather(0, m.zeros(a.shape, dtype=m.int32)),
    "index_select": lambda m, a: a.index_select(0, m.tensor([0, 0])),
    "index_select_last": lambda m, a: m.index_select(a, -1, m.tensor([0])),
    "index_select_int32": lambda m, a: a.index_select(0, m.tensor([0], dtype=m.int32)),
    "scatter_value": lambda m, a: a.scatter(0, m.zeros_like(a, dtype=m.int64), 1),
    "scatter_value_float": lambda m, a: a.scatter(-1, m.zeros_like(a, dtype=m.int64), 2.7),
    "scatter_src": lambda m, a: a.scatter(0, m.zeros_like(a, dtype=m.int64)[:1], a.flip(0)),
    "scatter_add": lambda m, a: a.scatter_add(-1, m.zeros_like(a, dtype=m.int64), a * 1),
    "masked_select": lambda m, a: a.masked_select(m.ones_like(a, dtype=m.bool)),
    "masked_select_half": lambda m, a: m.masked_select(a, a > 0),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", list(INDEXING))
def test_indexing_as_torch(op, shape, dtype):
    ours, theirs = _both(INDEXING[op], (shape, dtype))
    assert ours == theirs


# --------------------------------------------------------------------- shapes

SHAPING = {
    "repeat": lambda m, a: a.repeat(2, *([1] * a.ndim)),
    "repeat_zero": lambda m, a: a.repeat(*([0] * a.ndim)),
    "flip_0": lambda m, a: a.flip(0),
    "flip_all": lambda m, a: m.flip(a, tuple(range(a.ndim))),
    "roll": lambda m, a: a.roll(2),
    "roll_dim": lambda m, a: m.roll(a, -1, -1),
    "narrow": lambda m, a: a.narrow(0, 0, 1),
    "narrow_end": lambda m, a: m.narrow(a, -1, -1, 1),
    "movedim": lambda m, a: a.movedim(0, -1),
    "swapaxes": lambda m, a: a.swapaxes(0, -1),
    "swapdims": lambda m, a: m.swapdims(a, -1, 0),
    "unflatten": lambda m, a: a.unflatten(-1, (1, -1)),
    "tril": lambda m, a: a.tril(),
    "tril_1": lambda m, a: m.tril(a, 1),
    "triu": lambda m, a: a.triu(),
    "triu_-1": lambda m, a: m.triu(a, diagonal=-1),
    "diagonal": lambda m, a: a.diagonal(),
    "diagonal_last": lambda m, a: m.diagonal(a, -1, -1, 0),
    "diagonal_far": lambda m, a: a.diagonal(9),
    "outer": lambda m, a: m.outer(a, a),
    "outer_f64": lambda m, a: a.outer(m.ones(2, dtype=m.float64)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", list(SHAPING))
def test_shaping_as_torch(op, shape, dtype):
    ours, theirs = _both(SHAPING[op], (shape, dtype))
    assert ours == theirs


def test_views_share_memory_and_version_as_torch():
    for m in (gs, torch):
        for view_of in (
            lambda t: t.narrow(1, 1, 2),
            lambda t: t.movedim(0, 1),
            lambda t: t.swapaxes(0, 1),
            lambda t: t.unflatten(1, (3, 1)),
            lambda t: t.diagonal(),
        ):
            base = m.zeros(4, 3)
            v = view_of(base)
            v.add_(1)
            assert base._version == v._version == 1
            assert float(base.sum()) == v.numel()
            assert v.grad_fn is None and base._version == 1
            assert v._base is base


# --------------------------------------------------------------------- sorting

SORTING = {
    "sort": lambda m, a: a.sort(),
    "sort_desc": lambda m, a: m.sort(a, 0, True),
    "sort_stable": lambda m, a: a.sort(stable=True, descending=True),
    "sort_stable_false": lambda m, a: m.sort(a, dim=0, stable=False),
    "argsort": lambda m, a: a.argsort(),
    "argsort_desc": lambda m, a: m.argsort(a, 0, descending=True),
    "argsort_stable": lambda m, a: a.argsort(stable=True, dim=-1),
    "topk": lambda m, a: a.topk(min(2, a.shape[-1] if a.ndim else 1)),
    "topk_smallest": lambda m, a: m.topk(a, 1, 0, largest=False),
    "topk_all": lambda m, a: a.topk(a.shape[0] if a.ndim else 1, 0),
    "topk_none": lambda m, a: a.topk(0),
    "topk_unsorted": lambda m, a: a.topk(min(3, a.shape[-1] if a.ndim else 1), sorted=False),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", list(SORTING))
def test_sorting_as_torch(op, shape, dtype):
    ours, theirs = _both(SORTING[op], (shape, dtype))
    assert ours == theirs


SPECIAL = [3.0, 1.0, np.nan, 1.0, 3.0, -0.0, 0.0, 2.0, np.inf, np.nan, -np.inf, 1.0]


@pytest.mark.parametrize("descending", [False, True])
def test_sort_orders_nan_last_and_keeps_ties_as_torch(descending):
    got = []
    for m in (gs, torch):
        x = m.tensor(SPECIAL, dtype=m.float64)
        r = x.sort(descending=descending)
        got.append(
            (_plain(r.values), r.indices.tolist(), x.argsort(descending=descending).tolist())
        )
    assert got[0] == got[1]


def test_topk_orders_nan_first_as_torch():
    got = []
    for m in (gs, torch):
        x = m.tensor([v for v in SPECIAL if v not in (1.0, 3.0)], dtype=m.float64)
        got.append(
            [(_plain(r.values), r.indices.tolist()) for r in (x.topk(3), x.topk(3, largest=False))]
        )
    assert got[0] == got[1]


@pytest.mark.parametrize("seed", range(6))
def test_topk_gives_equal_elements_in_torchs_order(seed):
    """torch's CPU topk leaves equal elements where its partial sort or selection puts
    them (not in index order); so must gradscope, indices and gradients alike."""
    rng = np.random.default_rng(seed)
    n = int(rng.choice([5, 17, 40, 300]))
    arr = rng.integers(0, 4, size=(3, n)).astype(np.float64)
    arr[rng.random(arr.shape) < 0.1] = np.nan
    k = int(rng.integers(0, n + 1)) if seed % 2 else int(rng.integers(1, 5))
    largest, sorted_ = bool(seed % 3), seed != 4
    got = []
    for m in (gs, torch):
        x = m.tensor(arr.T.tolist(), requires_grad=True)
        r = x.topk(k, 0, largest, sorted_)
        r.values.backward(m.ones_like(r.values) * m.arange(k)[:, None])
        got.append((r.indices.tolist(), _plain(r.values), _plain(x.grad)))
    assert got[0] == got[1]


@pytest.mark.parametrize("largest", [True, False])
def test_topk_with_equal_elements_away_from_the_k_chosen_as_torch(largest):
    """Equal elements outside the k chosen leave the sorted result unique: those rows take
    the vectorised path, and still give torch's indices."""
    rng = np.random.default_rng(3)
    arr = np.zeros((4, 500))
    arr[:, :20] = rng.permutation(40)[:20] + 1.0
    arr[1, 5] = arr[1, 6]  # one row with a tie among the chosen
    arr = -arr if not largest else arr
    got = [m.tensor(arr.tolist()).topk(8, 1, largest).indices.tolist() for m in (gs, torch)]
    assert got[0] == got[1]


def test_sort_and_topk_results_are_named_tuples():
    x = gs.tensor([[2.0, 1.0, 3.0]])
    r = x.sort(1)
    assert type(r).__name__ == "sort" and r._fields == ("values", "indices")
    assert repr(r).startswith("gradscope.return_types.sort(\nvalues=tensor(")
    values, indices = x.topk(2)
    assert type(x.topk(2)).__name__ == "topk" and indices.dtype == gs.int64
    assert values.tolist() == [[3.0, 2.0]] and indices.tolist() == [[2, 0]]


# --------------------------------------------------------------------- argument checks


def _x(m):
    return m.arange(12.0).reshape(4, 3).requires_grad_()


ERRORS = {
    "gather_dim": lambda m: _x(m).gather(2, m.tensor([[0]])),
    "gather_float_index": lambda m: _x(m).gather(0, m.tensor([[0.0]])),
    "gather_float_index_ndim": lambda m: _x(m).gather(0, m.tensor([0.0])),
    "gather_ndim": lambda m: _x(m).gather(0, m.tensor([0])),
    "gather_0d_index": lambda m: _x(m).gather(0, m.tensor(0)),
    "gather_too_big": lambda m: _x(m).gather(0, m.tensor([[0, 0, 0, 0]])),
    "gather_bound": lambda m: _x(m).gather(0, m.tensor([[1, 4]])),
    "gather_negative": lambda m: _x(m).gather(0, m.tensor([[-1]])),
    "gather_longer_along_dim": lambda m: _x(m).gather(0, m.tensor([[3]] * 6)),
    "gather_empty_index": lambda m: _x(m).gather(0, m.zeros(0, 5, dtype=m.int64)),
    "gather_0d_self": lambda m: m.tensor(2.0).gather(0, m.tensor([0, 0])),
    "gather_0d_self_bound": lambda m: m.tensor(2.0).gather(0, m.tensor([1])),
    "index_select_float": lambda m: _x(m).index_select(0, m.tensor([0.0])),
    "index_select_2d": lambda m: _x(m).index_select(0, m.tensor([[0]])),
    "index_select_bound": lambda m: _x(m).index_select(0, m.tensor([4])),
    "index_select_negative": lambda m: _x(m).index_select(1, m.tensor([-1])),
    "index_select_dim": lambda m: _x(m).index_select(2, m.tensor([0])),
    "index_select_0d_two": lambda m: m.tensor(1.0).index_select(0, m.tensor([0, 0])),
    "index_select_0d_bound": lambda m: m.tensor(1.0).index_select(0, m.tensor([1])),
    "index_select_empty": lambda m: _x(m).index_select(1, m.tensor([], dtype=m.int64)),
    "index_select_long_bound": lambda m: _x(m).long().index_select(1, m.tensor([0, 3])),
    "index_select_long_bound_0": lambda m: _x(m).long().T.index_select(0, m.tensor([3])),
    "index_select_empty_self": lambda m: m.zeros(0, 3).index_select(1, m.tensor([3])),
    "index_select_empty_dim": lambda m: m.zeros(0, 3).index_select(0, m.tensor([0])),
    "index_select_dim1_3d": lambda m: m.zeros(2, 3, 4).index_select(-2, m.tensor([1, 5])),
    "index_select_dim2_3d": lambda m: m.zeros(2, 3, 4).index_select(2, m.tensor([1, 5])),
    "scatter_float_index": lambda m: _x(m).scatter(0, m.tensor([[0.0]]), 1.0),
    "scatter_dtype": lambda m: _x(m).scatter(0, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)),
    "scatter_dtype_first": lambda m: _x(m).scatter(0, m.tensor([0]), m.ones(1, dtype=m.float64)),
    "scatter_ndim": lambda m: _x(m).scatter(0, m.tensor([0]), 1.0),
    "scatter_src_ndim": lambda m: _x(m).scatter(0, m.tensor([[0]]), m.ones(1, 1, 1)),
    "scatter_0d_src": lambda m: _x(m).scatter(0, m.tensor([[0]]), m.tensor(1.0)),
    "scatter_value_too_big": lambda m: _x(m).scatter(0, m.tensor([[0] * 4]), 1.0),
    "scatter_src_too_small": lambda m: _x(m).scatter(0, m.tensor([[0, 1]]), m.ones(1, 1)),
    "scatter_bound": lambda m: _x(m).scatter(1, m.tensor([[3]]), 1.0),
    "scatter_negative": lambda m: _x(m).scatter(0, m.tensor([[-1]]), 1.0),
    "scatter_dim": lambda m: _x(m).scatter(-3, m.tensor([[0]]), 1.0),
    "scatter_add_number": lambda m: _x(m).scatter_add(0, m.tensor([[0]]), 1.0),
    "scatter_add_dtype": lambda m: _x(m).scatter_add(0, m.tensor([[0]]), m.ones(1, 1).long()),
    "scatter_add_too_big": lambda m: _x(m).scatter_add(0, m.tensor([[0] * 4]), m.ones(1, 4)),
    "scatter_add_bound": lambda m: _x(m).scatter_add(0, m.tensor([[5]]), m.ones(1, 1)),
    "scatter_larger_src_backward": lambda m: (
        _x(m).scatter(0, m.tensor([[0, 1, 2]]), m.ones(2, 3, requires_grad=True)).sum().backward()
    ),
    "scatter_add_larger_src_backward": lambda m: (
        _x(m).scatter_add(0, m.tensor([[0, 1]]), m.ones(1, 3, requires_grad=True)).sum().backward()
    ),
    "scatter_reduce_add": lambda m: _x(m).scatter(
        0, m.tensor([[0, 1, 2], [0, 0, 3]]), _x(m)[:2], reduce="add"
    ),
    "scatter_reduce_multiply": lambda m: _x(m).scatter(
        1, m.tensor([[2], [2], [0], [1]]), 2.5, reduce="multiply"
    ),
    "scatter_reduce_multiply_src": lambda m: m.scatter(
        _x(m), 0, m.tensor([[3, 3, 3]]), _x(m) + 1, reduce="multiply"
    ),
    "scatter_reduce_backward": lambda m: (
        _x(m).scatter(0, m.tensor([[1]]), 2.0, reduce="add").sum().backward()
    ),
    "scatter_reduce_name": lambda m: _x(m).scatter(0, m.tensor([[1]]), 2.0, reduce="mean"),
    "masked_select_int_mask": lambda m: _x(m).masked_select(m.tensor([1, 0, 1])),
    "masked_select_uint8_mask": lambda m: _x(m).masked_select(m.tensor([1, 0, 1], dtype=m.uint8)),
    "masked_select_shape": lambda m: _x(m).masked_select(m.tensor([True, False])),
    "repeat_few": lambda m: _x(m).repeat(2),
    "repeat_negative": lambda m: _x(m).repeat(-1, 2),
    "repeat_nothing": lambda m: _x(m).repeat(),
    "repeat_floats": lambda m: _x(m).repeat(2.0, 1),
    "repeat_float": lambda m: _x(m).repeat(2.0),
    "repeat_list_of_floats": lambda m: _x(m).repeat([2.0, 1]),
    "repeat_tensor": lambda m: _x(m).repeat(m.tensor([2, 1])),
    "repeat_torch_size": lambda m: _x(m).repeat(m.ones(2, 1).shape),
    "flip_twice": lambda m: _x(m).flip(0, -2),
    "flip_dim": lambda m: _x(m).flip(2),
    "flip_nothing": lambda m: _x(m).flip(),
    "flip_empty": lambda m: _x(m).flip(()),
    "roll_align": lambda m: _x(m).roll((1, 2), 0),
    "roll_align_flat": lambda m: _x(m).roll((1, 2)),
    "roll_dim": lambda m: _x(m).roll(1, 2),
    "roll_0d_dim": lambda m: m.tensor(1.0).roll(1, 0),
    "roll_no_shifts": lambda m: _x(m).roll(()),
    "roll_list": lambda m: _x(m).roll([1]),
    "narrow_start": lambda m: _x(m).narrow(0, 5, 1),
    "narrow_start_negative": lambda m: _x(m).narrow(0, -5, 1),
    "narrow_length": lambda m: _x(m).narrow(0, 2, 3),
    "narrow_negative_length": lambda m: _x(m).narrow(0, 2, -1),
    "narrow_0d": lambda m: m.tensor(1.0).narrow(0, 0, 1),
    "narrow_dim": lambda m: _x(m).narrow(2, 0, 1),
    "movedim_lengths": lambda m: _x(m).movedim((0, 1), (1,)),
    "movedim_repeated_source": lambda m: _x(m).movedim((0, 0), (1, 0)),
    "movedim_repeated_destination": lambda m: _x(m).movedim((0, 1), (1, -1)),
    "movedim_dim": lambda m: _x(m).movedim(2, 0),
    "swapaxes_dim": lambda m: _x(m).swapaxes(0, 2),
    "unflatten_no_sizes": lambda m: _x(m).unflatten(0, ()),
    "unflatten_sizes": lambda m: _x(m).unflatten(0, (3, 2)),
    "unflatten_dim": lambda m: _x(m).unflatten(2, (1, 3)),
    "unflatten_two_inferred": lambda m: _x(m).unflatten(1, (-1, -1)),
    "unflatten_0d": lambda m: m.tensor(1.0).unflatten(0, (1,)),
    "tril_1d": lambda m: m.ones(3).tril(),
    "triu_0d": lambda m: m.tensor(1.0).triu(),
    "tril_float_diagonal": lambda m: m.tril(_x(m), 1.0),
    "diagonal_same": lambda m: _x(m).diagonal(0, 0, 0),
    "diagonal_same_negative": lambda m: _x(m).diagonal(0, 1, -1),
    "diagonal_1d": lambda m: m.ones(2).diagonal(),
    "diagonal_0d": lambda m: m.tensor(1.0).diagonal(),
    "diagonal_dim": lambda m: _x(m).diagonal(0, 0, 2),
    "outer_2d": lambda m: m.outer(_x(m), m.ones(1)),
    "outer_2d_vec2": lambda m: m.outer(m.ones(1), _x(m)),
    "outer_0d": lambda m: m.outer(m.tensor(1.0), m.ones(1)),
    "sort_dim": lambda m: _x(m).sort(2),
    "sort_0d_dim": lambda m: m.tensor(1.0).sort(1),
    "argsort_dim": lambda m: _x(m).argsort(-3),
    "topk_k": lambda m: _x(m).topk(5, 0),
    "topk_negative_k": lambda m: _x(m).topk(-1),
    "topk_0d_k": lambda m: m.tensor(1.0).topk(2),
    "topk_empty": lambda m: m.zeros(0, 3).topk(1, 0),
    "topk_float_k": lambda m: _x(m).topk(1.0),
    "topk_bool": lambda m: m.tensor([True, False]).topk(1),
}


def test_scatter_with_reduce_has_no_derivative_as_torch():
    for m in (gs, torch):
        x, src = _x(m), m.ones(2, 3, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            y = x.scatter(0, m.tensor([[0, 1, 2], [0, 0, 3]]), src, reduce="add")
        # torch warns once a process (an earlier test may have had it); gradscope each time
        assert m is torch or any(
            "reduce argument of torch.scatter" in str(w.message) for w in caught
        )
        assert y.grad_fn.name() == "torch::autograd::NotImplemented"
        assert len(y.grad_fn.next_functions) == 2
        with pytest.raises(RuntimeError, match="^derivative for aten::scatter is not implemented"):
            y.sum().backward()


def _raised(fn, m):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = fn(m)
        except Exception as e:  # noqa: BLE001 - comparing whatever torch raises
            return (type(e).__name__, str(e).splitlines()[0])
    if out is None:
        return None
    return ("ok", tuple(out.shape), _plain(out))


@pytest.mark.parametrize("name", list(ERRORS))
def test_argument_checks_as_torch(name):
    assert _raised(ERRORS[name], gs) == _raised(ERRORS[name], torch)
