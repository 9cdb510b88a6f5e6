"""``F.embedding_bag`` and ``nn.EmbeddingBag`` against torch: refusals (texts and the
order they come in), the module, padding, empty bags, ``include_last_offset``, first
derivatives against finite differences, what ``create_graph`` and forward mode give, and
what the node saves (op-table cases cover values, gradients, graphs and saved shapes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference")


def _outcome(m, make):
    """``make(m)``'s result as NumPy, or its error's type and text."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = make(m)
    except Exception as e:  # noqa: BLE001 - the refusal is what is compared
        return type(e).__name__, str(e)
    return out.detach().numpy().tolist()


def _w(m, dtype=None):
    return m.ones(5, 3, requires_grad=True, dtype=dtype or m.float32)


def _eb(m, idx, w=None, offsets=None, **kw):
    off = None if offsets is None else m.tensor(offsets, dtype=m.int64)
    return m.nn.functional.embedding_bag(
        m.tensor(idx, dtype=m.int64), _w(m) if w is None else w, off, **kw
    )


ERRORS = {
    "padding_above": lambda m: _eb(m, [0, 1], offsets=[0], padding_idx=5),
    "padding_below": lambda m: _eb(m, [0, 1], offsets=[0], padding_idx=-6),
    "index_above": lambda m: _eb(m, [0, 5], offsets=[0]),
    "index_negative": lambda m: _eb(m, [0, -1], offsets=[0]),
    "first_offset": lambda m: _eb(m, [0, 1], offsets=[1]),
    "first_offset_int32": lambda m: m.nn.functional.embedding_bag(
        m.tensor([0, 1], dtype=m.int32), _w(m), m.tensor([1], dtype=m.int32)
    ),
    "last_offset": lambda m: _eb(m, [0, 1, 2], offsets=[0, 4]),
    "last_offset_included": lambda m: _eb(m, [0, 1, 2], offsets=[0, 4], include_last_offset=True),
    "float_indices": lambda m: m.nn.functional.embedding_bag(
        m.tensor([0.0, 1.0]), _w(m), m.tensor([0])
    ),
    "float_offsets": lambda m: m.nn.functional.embedding_bag(
        m.tensor([0, 1]), _w(m), m.tensor([0.0])
    ),
    "int16_indices": lambda m: m.nn.functional.embedding_bag(
        m.tensor([0, 1], dtype=m.int16), _w(m), m.tensor([0], dtype=m.int16)
    ),
    "weights_with_mean": lambda m: _eb(m, [0, 1], offsets=[0], per_sample_weights=m.ones(2)),
    "weights_shape": lambda m: _eb(m, [0, 1], offsets=[0], per_sample_weights=m.ones(3)),
    "weights_dtype": lambda m: _eb(
        m, [0, 1], offsets=[0], mode="sum", per_sample_weights=m.ones(2, dtype=m.float64)
    ),
    "weights_int": lambda m: _eb(
        m, [0, 1], offsets=[0], mode="sum", per_sample_weights=m.tensor([1, 1])
    ),
    "padding_before_weights_dtype": lambda m: _eb(
        m, [0, 1], offsets=[0], mode="sum", padding_idx=9, per_sample_weights=m.ones(2).double()
    ),
    "offsets_before_weights_dtype": lambda m: _eb(
        m, [0, 1], offsets=[1], mode="sum", per_sample_weights=m.ones(2).double()
    ),
    "padding_before_weight_dtype": lambda m: _eb(
        m, [0, 1], m.ones(5, 3, dtype=m.int64), offsets=[0], padding_idx=9
    ),
    "padding_before_indices_dtype": lambda m: m.nn.functional.embedding_bag(
        m.tensor([0, 1]), _w(m), m.tensor([0.0]), padding_idx=9
    ),
    "indices_dtype_before_weight_dtype": lambda m: m.nn.functional.embedding_bag(
        m.tensor([0, 1]), m.ones(5, 3, dtype=m.int64), m.tensor([0.0])
    ),
    "weights_dtype_before_index_range": lambda m: _eb(
        m, [0, 9], offsets=[0], mode="sum", per_sample_weights=m.ones(2).double()
    ),
    "offsets_before_index_range": lambda m: _eb(m, [0, 9], offsets=[1]),
    "mode": lambda m: _eb(m, [0, 1], offsets=[0], mode="min"),
    "max_freq": lambda m: _eb(m, [0, 1], offsets=[0], mode="max", scale_grad_by_freq=True),
    "max_sparse": lambda m: _eb(m, [0, 1], offsets=[0], mode="max", sparse=True),
    "weight_3d": lambda m: _eb(m, [0, 1], m.ones(2, 2, 2), offsets=[0]),
    "input_3d": lambda m: _eb(m, [[[0, 1]]]),
    "input_0d": lambda m: _eb(m, 0, offsets=[0]),
    "no_offsets": lambda m: _eb(m, [0, 1]),
    "offsets_2d": lambda m: m.nn.functional.embedding_bag(m.tensor([0, 1]), _w(m), m.tensor([[0]])),
    "weight_long": lambda m: _eb(m, [0, 1], m.ones(5, 3, dtype=m.int64), offsets=[0]),
    "weight_complex": lambda m: _eb(m, [0, 1], m.ones(5, 3, dtype=m.complex64), offsets=[0]),
    "weight_bool": lambda m: _eb(m, [0, 1], m.ones(5, 3, dtype=m.bool), offsets=[0]),
    "renorm_index_above": lambda m: _eb(m, [0, 9], _w(m).detach(), offsets=[0], max_norm=1.0),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_refusals_as_torch(name):
    want, got = _outcome(torch, ERRORS[name]), _outcome(gs, ERRORS[name])
    assert isinstance(want, tuple), want
    assert got == want


def test_offsets_with_2d_input_name_their_type():
    with pytest.raises(ValueError) as e:
        _eb(gs, [[0, 1]], offsets=[0])
    assert str(e.value) == (
        "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
        f"fixed length sequences. However, found offsets of type {gs.Tensor}"
    )


def test_sparse_is_refused():
    with pytest.raises(NotImplementedError, match="no sparse gradients"):
        _eb(gs, [0, 1], offsets=[0], mode="sum", sparse=True)


def test_decreasing_offsets_are_refused():
    # torch refuses these on its fast path only, and elsewhere reads outside its bags
    for mode in ("sum", "mean", "max"):
        with pytest.raises(RuntimeError, match="offsets must be non-decreasing"):
            _eb(gs, [0, 2, 1, 4], offsets=[0, 3, 2], mode=mode)


def test_old_argument_order_warns_and_swaps():
    outs = []
    for m in (gs, torch):
        w = m.arange(15.0).reshape(5, 3)
        with pytest.warns(UserWarning, match="Argument order of nn.functional.embedding_bag"):
            outs.append(m.nn.functional.embedding_bag(w, m.tensor([[0, 4]])).numpy())
    np.testing.assert_array_equal(*outs)


# ------------------------------------------------------------------ values and gradients


def _both(make, seed_shape=None, dtype="float32"):
    """``make(m, w)`` in both libraries on the same weights; outputs and weight grads."""
    rng = np.random.default_rng(0)
    arr = rng.standard_normal((6, 4))
    res = []
    for m in (gs, torch):
        w = m.tensor(arr, dtype=getattr(m, dtype), requires_grad=True)
        out = make(m, w)
        if out.numel():
            out.backward(m.tensor(np.arange(out.numel()).reshape(tuple(out.shape)) + 1.0))
        res.append((out.detach().numpy(), None if w.grad is None else w.grad.numpy()))
    (go, gg), (to, tg) = res
    np.testing.assert_allclose(go, to, rtol=1e-6, atol=1e-6)
    assert (gg is None) == (tg is None)
    if tg is not None:
        np.testing.assert_allclose(gg, tg, rtol=1e-6, atol=1e-6)
    return go, gg


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_padding_idx_is_left_out_of_its_bag(mode):
    out, grad = _both(lambda m, w: _eb(m, [2, 2, 1, 2, 4], w, [0, 2, 3], mode=mode, padding_idx=2))
    assert not out[0].any()  # a bag of padding only is empty: zeros
    assert not grad[2].any()


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_empty_bags_give_zeros(mode):
    out, grad = _both(lambda m, w: _eb(m, [0, 3, 5], w, [0, 0, 2, 2, 3], mode=mode))
    assert not out[[0, 2, 4]].any()
    assert not grad[[1, 2, 4]].any()


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_include_last_offset(mode):
    out, _ = _both(
        lambda m, w: _eb(m, [0, 3, 5, 1], w, [0, 1, 1, 4], mode=mode, include_last_offset=True)
    )
    assert out.shape == (3, 4) and not out[1].any()


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_bags_with_no_indices(mode):
    out, grad = _both(lambda m, w: _eb(m, [], w, [0, 0, 0], mode=mode))
    assert out.shape == (3, 4) and not out.any() and not grad.any()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_random_bags_as_torch(mode, seed):
    """Many bags, some empty, some of padding only, with repeated rows."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, 6, 60).tolist()
    offsets = [0, *sorted(rng.integers(0, 61, 14).tolist())]
    pad = int(rng.integers(0, 6)) if seed % 2 else None
    last = seed >= 2
    if last:  # the last offset ends the indices (torch's backward reads garbage otherwise)
        offsets.append(len(idx))
    _both(
        lambda m, w: _eb(m, idx, w, offsets, mode=mode, padding_idx=pad, include_last_offset=last)
    )


def test_no_bags():
    for m in (gs, torch):  # torch's backward of this crashes: the forward alone
        out = _eb(m, [1, 2], offsets=[], mode="sum")
        assert tuple(out.shape) == (0, 3)
    out = _eb(gs, [1, 2], offsets=[], mode="mean")
    out.sum().backward()


def test_fixed_length_bags_of_no_rows():
    _both(lambda m, w: m.nn.functional.embedding_bag(m.zeros(0, 2, dtype=m.int64), w))


def test_max_takes_the_first_of_equal_rows_and_a_leading_nan():
    arr = np.array([[1.0, np.nan], [1.0, 2.0], [np.nan, 3.0]])
    res = []
    for m in (gs, torch):
        w = m.tensor(arr, requires_grad=True)
        out = m.nn.functional.embedding_bag(m.tensor([0, 1, 2, 1]), w, m.tensor([0, 3]), mode="max")
        out.sum().backward(retain_graph=True)
        res.append((out.detach().numpy(), w.grad.numpy(), out.grad_fn._saved_result3.numpy()))
    for a, b in zip(*res):
        np.testing.assert_array_equal(a, b)


def test_max_norm_renormalises_the_rows_picked_in_place():
    arr = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0], [1.0, 1.0]])
    res = []
    for m in (gs, torch):
        w = m.tensor(arr)
        out = m.nn.functional.embedding_bag(m.tensor([0, 1, 2]), w, m.tensor([0]), max_norm=1.0)
        res.append((out.numpy(), w.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-6)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-6)


@pytest.mark.parametrize(
    "kw",
    [
        {"mode": "sum"},
        {"mode": "mean"},
        {"mode": "max"},
        {"mode": "sum", "padding_idx": 1},
        {"mode": "mean", "padding_idx": 1},
        {"mode": "sum", "include_last_offset": True},
    ],
    ids=str,
)
def test_first_derivatives_against_finite_differences(kw):
    rng = np.random.default_rng(1)
    w = gs.tensor(rng.standard_normal((5, 3)), dtype=gs.float64, requires_grad=True)
    idx, off = gs.tensor([0, 1, 3, 1, 4, 2]), gs.tensor([0, 2, 2, 6])
    fn = gs.nn.functional.embedding_bag
    assert gs.autograd.gradcheck(lambda w: fn(idx, w, off, **kw), (w,))


def test_per_sample_weights_derivatives_against_finite_differences():
    rng = np.random.default_rng(2)
    w = gs.tensor(rng.standard_normal((5, 3)), dtype=gs.float64, requires_grad=True)
    p = gs.tensor(rng.standard_normal(6), dtype=gs.float64, requires_grad=True)
    idx, off = gs.tensor([0, 1, 3, 1, 4, 2]), gs.tensor([0, 2, 2])
    fn = gs.nn.functional.embedding_bag

    def f(w, p):
        return fn(idx, w, off, mode="sum", per_sample_weights=p, padding_idx=4)

    assert gs.autograd.gradcheck(f, (w, p))


def test_second_derivatives_are_refused_as_torch():
    results = []
    for m in (gs, torch):
        w = m.ones(5, 3, requires_grad=True, dtype=m.float64)
        p = m.ones(4, requires_grad=True, dtype=m.float64)
        v = m.ones(2, 3, requires_grad=True, dtype=m.float64)
        out = m.nn.functional.embedding_bag(
            m.tensor([0, 2, 1, 4]), w, m.tensor([0, 2]), mode="sum", per_sample_weights=p
        )
        gw, gp = m.autograd.grad(out, (w, p), v, create_graph=True)
        row = [gw.grad_fn.name(), gp.grad_fn.name(), len(gw.grad_fn.next_functions)]
        for g in (gw, gp):
            try:
                m.autograd.grad(g.sum(), v)
            except (RuntimeError, NotImplementedError) as e:
                row.append((type(e).__name__, str(e)))
        results.append(row)
    assert results[0] == results[1]


def test_forward_mode_is_refused_as_torch():
    results = []
    for m, fw in ((gs, gs.autograd.forward_ad), (torch, torch.autograd.forward_ad)):
        with fw.dual_level():
            w = fw.make_dual(m.ones(5, 3), m.ones(5, 3))
            with pytest.raises(NotImplementedError) as e:
                m.nn.functional.embedding_bag(m.tensor([0, 1]), w, m.tensor([0]))
        results.append(str(e.value))
    assert results[0] == results[1]


# ------------------------------------------------------------------ what the node saves


def _saves(make):
    with gs.trace() as tr:
        out = make()
    nid = next(e.node for e in tr.events if e.kind == "node_created" and e.output == out._id)
    return {
        e.slot: (e.nbytes, e.new) for e in tr.events if e.kind == "tensor_saved" and e.node == nid
    }


def _torch_saves(make) -> dict:
    fn = make().grad_fn
    return {
        k[7:]: getattr(fn, k).numel() * getattr(fn, k).element_size()
        for k in dir(fn)
        if k.startswith("_saved_") and isinstance(getattr(fn, k), torch.Tensor)
    }


IDX, OFF = [0, 2, 1, 4, 2, 3], [0, 2, 2, 5]  # 48 and 32 bytes as int64


@pytest.mark.parametrize(
    "mode, want",
    [
        # sum's fast path (float32, no padding) keeps no bag per index: 0 bytes
        ("sum", {"result1": (0, True), "result2": (32, True), "result3": (32, True)}),
        ("mean", {"result1": (48, True), "result2": (32, True), "result3": (32, True)}),
        ("max", {"result1": (48, True), "result2": (32, True), "result3": (96, True)}),
    ],
)
def test_saved_bytes(mode, want):
    w = gs.randn(5, 3, requires_grad=True)
    got = _saves(lambda: _eb(gs, IDX, w, OFF, mode=mode))
    # the indices and offsets are the inputs' own buffers
    assert got == {"indices": (48, False), "offsets": (32, False), **want}
    tw = torch.randn(5, 3, requires_grad=True)
    assert _torch_saves(lambda: _eb(torch, IDX, tw, OFF, mode=mode)) == {
        k: v[0] for k, v in got.items()
    }


def test_saved_bytes_with_per_sample_weights():
    def make(m, w, p):
        return _eb(m, IDX, w, OFF, mode="sum", per_sample_weights=p)

    w, p = gs.randn(5, 3, requires_grad=True), gs.rand(6, requires_grad=True)
    got = _saves(lambda: make(gs, w, p))
    assert got == {
        "indices": (48, False),
        "offsets": (32, False),
        "result1": (0, True),
        "result2": (32, True),
        "result3": (32, True),
        "per_sample_weights": (24, False),
        "weight": (60, False),  # kept for the weights' gradient only
    }
    tw, tp = torch.randn(5, 3, requires_grad=True), torch.rand(6, requires_grad=True)
    assert _torch_saves(lambda: make(torch, tw, tp)) == {k: v[0] for k, v in got.items()}
    assert "weight" not in _saves(lambda: make(gs, w, p.detach()))


def test_saved_bytes_padding_and_float64_keep_the_bags():
    w = gs.randn(5, 3, requires_grad=True)
    assert _saves(lambda: _eb(gs, IDX, w, OFF, mode="sum", padding_idx=0))["result1"] == (48, True)
    w64 = gs.randn(5, 3, requires_grad=True, dtype=gs.float64)
    assert _saves(lambda: _eb(gs, IDX, w64, OFF, mode="sum"))["result1"] == (48, True)


# ------------------------------------------------------------------ the module


def test_module_parameters_and_repr_as_torch():
    for kw in (
        {},
        {"mode": "sum", "padding_idx": -2},
        {"max_norm": 1.0, "norm_type": 3.0, "scale_grad_by_freq": True, "mode": "max"},
    ):
        g, t = gs.nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
        assert repr(g) == repr(t)
        assert [(n, tuple(p.shape)) for n, p in g.named_parameters()] == [("weight", (10, 3))]
        assert g.weight.requires_grad
        if "padding_idx" in kw:
            assert g.padding_idx == t.padding_idx == 8
            assert not g.weight[8].detach().numpy().any()


def test_module_forward_is_the_functional():
    bag = gs.nn.EmbeddingBag(6, 2, mode="sum", include_last_offset=True, padding_idx=1)
    idx, off = gs.tensor([0, 1, 5, 2]), gs.tensor([0, 2, 4])
    p = gs.rand(4)
    want = gs.nn.functional.embedding_bag(
        idx, bag.weight, off, mode="sum", include_last_offset=True, padding_idx=1,
        per_sample_weights=p,
    )  # fmt: skip
    np.testing.assert_array_equal(bag(idx, off, p).detach().numpy(), want.detach().numpy())
    assert bag(idx, off).grad_fn.name() == "EmbeddingBagBackward0"


def test_module_reset_parameters_zeroes_the_padding_row():
    bag = gs.nn.EmbeddingBag(4, 3, padding_idx=2)
    with gs.no_grad():
        bag.weight.fill_(5.0)
    bag.reset_parameters()
    assert not bag.weight[2].detach().numpy().any() and bag.weight[0].detach().numpy().all()


def test_module_from_pretrained_as_torch():
    arr = np.array([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]], dtype=np.float32)
    outs = []
    for m in (gs, torch):
        bag = m.nn.EmbeddingBag.from_pretrained(m.tensor(arr))
        assert not bag.weight.requires_grad
        assert m.nn.EmbeddingBag.from_pretrained(m.tensor(arr), freeze=False).weight.requires_grad
        outs.append((repr(bag), bag(m.tensor([[1, 0]])).numpy()))
        with pytest.raises(AssertionError, match="expected to be 2-dimensional"):
            m.nn.EmbeddingBag.from_pretrained(m.ones(3))
    assert outs[0][0] == outs[1][0]
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-6)


def test_module_refusals_as_torch():
    for m in (gs, torch):
        with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
            m.nn.EmbeddingBag(3, 2, padding_idx=3)
        with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
            m.nn.EmbeddingBag(3, 2, padding_idx=-4)
        with pytest.raises(AssertionError, match="Shape of weight does not match"):
            m.nn.EmbeddingBag(3, 2, _weight=m.ones(2, 3))
