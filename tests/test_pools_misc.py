"""Power-average pools, max unpooling, ``rrelu``, ``gumbel_softmax``, the triplet loss
with a distance function and the window functions against torch: values and gradients in
float64, the nodes and what they save, errors and modules' reprs; and gradchecks, which
need no torch.

The ops' table cases (gradcheck, graphs, saved tensors) are in ``tests/op_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params


def _F(m):  # noqa: N802
    return m.nn.functional


def _x(m, shape, seed=0, rg=True, dtype=None, pos=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    a = np.abs(a) + 0.5 if pos else a
    return m.tensor(a, dtype=dtype or m.float64, requires_grad=rg)


# ---------------------------------------------------------------- gradchecks (no torch)


@pytest.mark.parametrize("p", [1, 2, 3, 1.5])
def test_lp_pool_gradcheck(p):
    x3 = _x(gs, (1, 2, 3, 4, 3), 2, pos=True)
    assert gs.autograd.gradcheck(lambda t: gs.nn.functional.lp_pool3d(t, p, (2, 2, 3), 1), (x3,))
    x = _x(gs, (2, 3, 5, 4), pos=True)
    assert gs.autograd.gradcheck(lambda t: gs.nn.functional.lp_pool2d(t, p, (2, 3), 1), (x,))
    x1 = _x(gs, (2, 7), 1, pos=True)
    assert gs.autograd.gradcheck(
        lambda t: gs.nn.functional.lp_pool1d(t, p, 3, ceil_mode=True), (x1,)
    )


def test_lp_pool_values():
    """As torch, a negative window sum (odd ``p``) keeps its sign: ``sign * relu(abs)``."""
    x = gs.tensor([[[3.0, -4.0, 1.0, 2.0, 2.0]]], dtype=gs.float64)
    F = gs.nn.functional
    np.testing.assert_allclose(F.lp_pool1d(x, 2, 2).numpy(), [[[5.0, np.sqrt(5.0)]]])
    np.testing.assert_allclose(F.lp_pool1d(x, 1, 2, ceil_mode=True).numpy(), [[[-1.0, 3.0, 4.0]]])
    np.testing.assert_allclose(F.lp_pool1d(x, float("inf"), 2).numpy(), [[[4.0, 2.0]]])
    np.testing.assert_allclose(F.lp_pool1d(x, -float("inf"), 2).numpy(), [[[3.0, 1.0]]])


def _seeded_rrelu(t):
    gs.manual_seed(3)  # the same slopes on every call, so finite differences apply
    return gs.nn.functional.rrelu(t, 0.1, 0.4, training=True)


@pytest.mark.parametrize(
    "fn",
    [
        _seeded_rrelu,
        lambda t: gs.nn.functional.rrelu(t),
        lambda t: gs.nn.functional.rrelu(t * 1, 0.2, 0.2, True, inplace=True),
    ],
)
def test_rrelu_gradcheck(fn):
    x = _x(gs, (3, 4), 5)
    assert gs.autograd.gradcheck(fn, (x,))
    assert gs.autograd.gradgradcheck(fn, (x,))


def test_rrelu_training_draws_slopes_in_bounds_from_gradscopes_generator():
    x = _x(gs, (200,), 1)
    gs.manual_seed(0)
    y = gs.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    gs.manual_seed(0)
    assert np.array_equal(y.detach().numpy(), gs.rrelu(x, 0.1, 0.3, True).detach().numpy())
    noise = y.grad_fn._saved_noise.numpy()
    xv = x.detach().numpy()
    assert np.all(noise[xv > 0] == 1.0)
    neg = noise[xv <= 0]
    assert neg.min() >= 0.1 and neg.max() <= 0.3 and neg.std() > 0.03
    np.testing.assert_array_equal(y.detach().numpy(), xv * noise)
    (g,) = gs.autograd.grad(y.sum(), x)
    np.testing.assert_array_equal(g.numpy(), noise)


def _seeded_gumbel(hard, dim=-1):
    def run(t):
        gs.manual_seed(5)  # the same noise on every call
        return gs.nn.functional.gumbel_softmax(t, 0.7, hard, dim=dim)

    return run


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_gumbel_softmax_gradcheck(dim):
    """The soft sample only: the hard one's straight-through gradient is by design not the
    derivative of its (piecewise constant) values."""
    x = _x(gs, (3, 4), 6)
    assert gs.autograd.gradcheck(_seeded_gumbel(False, dim), (x,))


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_gumbel_softmax_samples_and_straight_through_gradients(dim):
    x = _x(gs, (3, 4, 2), 7)
    soft = _seeded_gumbel(False, dim)(x)
    hard = _seeded_gumbel(True, dim)(x)
    assert soft.shape == hard.shape == x.shape and soft.dtype == gs.float64
    np.testing.assert_allclose(soft.detach().numpy().sum(dim), 1.0, rtol=1e-12)
    h = hard.detach().numpy()
    assert set(np.unique(h)) == {0.0, 1.0} and np.all(h.sum(dim) == 1.0)
    # the one-hot marks the soft sample's maximum
    s = soft.detach().numpy()
    np.testing.assert_array_equal(h.argmax(dim), s.argmax(dim))
    w = gs.tensor(np.sin(np.arange(24.0)).reshape(3, 4, 2), dtype=gs.float64)
    (gh,) = gs.autograd.grad((hard * w).sum(), x)
    (gs_,) = gs.autograd.grad((soft * w).sum(), x)
    np.testing.assert_allclose(gh.numpy(), gs_.numpy(), rtol=1e-12, atol=1e-15)


def test_gumbel_softmax_noise_is_gumbel_from_gradscopes_generator():
    x = gs.zeros(20000, 2, dtype=gs.float64)
    gs.manual_seed(0)
    a = gs.nn.functional.gumbel_softmax(x, tau=1.0)
    gs.manual_seed(0)
    np.testing.assert_array_equal(a.numpy(), gs.nn.functional.gumbel_softmax(x).numpy())
    # softmax of two Gumbel(0, 1) draws: the first wins half the time, its share is uniform
    p = a.numpy()[:, 0]
    assert abs(p.mean() - 0.5) < 0.01 and abs(p.var() - 1 / 12) < 0.005


def test_triplet_margin_with_distance_loss_gradcheck():
    a, p, n = (_x(gs, (4, 3), k) for k in (1, 2, 3))
    F = gs.nn.functional

    def loss(a, p, n):
        return F.triplet_margin_with_distance_loss(a, p, n, margin=3.0, swap=True, reduction="sum")

    def cos(a, p, n):
        return F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=1.5
        )

    assert gs.autograd.gradcheck(loss, (a, p, n))
    assert gs.autograd.gradcheck(cos, (a, p, n))


def test_triplet_margin_with_distance_loss_values():
    a = gs.tensor([[0.0, 0.0], [1.0, 1.0]], dtype=gs.float64)
    p = gs.tensor([[3.0, 4.0], [1.0, 1.0]], dtype=gs.float64)
    n = gs.tensor([[0.0, 1.0], [1.0, 11.0]], dtype=gs.float64)
    F = gs.nn.functional
    loss = F.triplet_margin_with_distance_loss(a, p, n, reduction="none")
    # eps 1e-6 is added to the differences by pairwise_distance
    d = lambda u: float(np.linalg.norm(np.asarray(u) + 1e-6))  # noqa: E731
    np.testing.assert_allclose(loss.numpy(), [1 + d([-3, -4]) - d([0, -1]), 0.0], rtol=1e-12)
    l1 = lambda x, y: (x - y).abs().sum(-1)  # noqa: E731
    got = F.triplet_margin_with_distance_loss(a, p, n, distance_function=l1, swap=True)
    np.testing.assert_allclose(got.item(), (1 + 7 - 1 + 0) / 2)


# ---------------------------------------------------------------- torch parity

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _grads(run, seed=0, shape=(2, 3, 5, 6), pos=False):
    def case(m):
        x = _x(m, shape, seed, pos=pos)
        y = run(m, x)
        w = m.tensor(np.cos(np.arange(y.numel())).reshape(y.shape), dtype=m.float64)
        (g,) = m.autograd.grad((y * w).sum(), x)
        return y, g

    return case


LP_VALUES = {
    "1d_p2": _grads(lambda m, x: _F(m).lp_pool1d(x, 2, 3), shape=(2, 3, 7)),
    "1d_p3_stride_ceil": _grads(
        lambda m, x: _F(m).lp_pool1d(x, 3, 3, 2, ceil_mode=True), shape=(2, 3, 8)
    ),
    "1d_unbatched_p1.5": _grads(lambda m, x: _F(m).lp_pool1d(x, 1.5, 2), shape=(3, 6), pos=True),
    "1d_inf": _grads(lambda m, x: _F(m).lp_pool1d(x, float("inf"), 2), shape=(2, 3, 6)),
    "1d_minus_inf": _grads(lambda m, x: _F(m).lp_pool1d(x, -float("inf"), 3, 1), shape=(2, 6)),
    "2d_p2": _grads(lambda m, x: _F(m).lp_pool2d(x, 2, (2, 3))),
    "2d_p1_stride": _grads(lambda m, x: _F(m).lp_pool2d(x, 1, 3, (1, 2))),
    "2d_p4_ceil_unbatched": _grads(
        lambda m, x: _F(m).lp_pool2d(x, 4, 2, ceil_mode=True), shape=(3, 5, 5)
    ),
    "2d_inf": _grads(lambda m, x: _F(m).lp_pool2d(x, float("inf"), 2)),
    "2d_minus_inf_ceil": _grads(lambda m, x: _F(m).lp_pool2d(x, -float("inf"), 2, 2, True)),
    "module_1d": _grads(lambda m, x: m.nn.LPPool1d(2, 3, 2)(x), shape=(2, 3, 7)),
    "module_2d": _grads(lambda m, x: m.nn.LPPool2d(3, (3, 2))(x)),
    "module_2d_float32": lambda m: m.nn.LPPool2d(2, 2)(_x(m, (1, 2, 4, 4), dtype=m.float32)),
    "zero_window": _grads(lambda m, x: _F(m).lp_pool1d(x * 0, 2, 2), shape=(2, 4)),
    "3d_p2": _grads(lambda m, x: _F(m).lp_pool3d(x, 2, (2, 3, 2)), shape=(1, 2, 4, 5, 4)),
    "3d_p3_stride_ceil_unbatched": _grads(
        lambda m, x: _F(m).lp_pool3d(x, 3, 2, 1, True), shape=(2, 3, 4, 3)
    ),
    "3d_inf": _grads(lambda m, x: _F(m).lp_pool3d(x, float("inf"), 2), shape=(1, 2, 4, 4, 4)),
    "3d_minus_inf": _grads(
        lambda m, x: _F(m).lp_pool3d(x, -float("inf"), (1, 2, 2)), shape=(2, 3, 4, 4)
    ),
    "module_3d": _grads(lambda m, x: m.nn.LPPool3d(1.5, 2)(x), shape=(1, 2, 4, 4, 4), pos=True),
}


@pytest.mark.parametrize("fn", params(LP_VALUES))
def test_lp_pool_value(fn):
    check_value(fn)


def _graph(t):
    from tests.test_parity_torch import graph_signature

    return [(n.replace("torch::autograd::", ""), e) for n, e in graph_signature(t)]


@pytest.mark.parametrize(
    "run",
    [
        lambda m, x: _F(m).lp_pool1d(x[0], 2, 2),
        lambda m, x: _F(m).lp_pool2d(x, 3, 2, 1, True),
        lambda m, x: _F(m).lp_pool2d(x, float("inf"), 2),
        lambda m, x: _F(m).lp_pool1d(x[0], -float("inf"), 2),
        lambda m, x: _F(m).lp_pool3d(x, 2, 2),
        lambda m, x: _F(m).lp_pool3d(x[None], float("inf"), (1, 2, 2)),
    ],
)
def test_lp_pool_graph_as_torch(run):
    got = [_graph(run(m, _x(m, (2, 3, 4, 4)))) for m in (gs, torch)]
    assert got[0] == got[1]


def test_lp_pool_module_reprs_as_torch():
    for m in (gs, torch):
        assert (
            repr(m.nn.LPPool1d(2, 3))
            == "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"
        )
        assert (
            repr(m.nn.LPPool2d(1.5, (2, 3), 1, True))
            == "LPPool2d(norm_type=1.5, kernel_size=(2, 3), stride=1, ceil_mode=True)"
        )
        assert (
            repr(m.nn.LPPool3d(3, 2, (1, 2, 2)))
            == "LPPool3d(norm_type=3, kernel_size=2, stride=(1, 2, 2), ceil_mode=False)"
        )


LP_ERRORS = {
    "1d_4d_input": lambda m: _F(m).lp_pool1d(m.ones(1, 2, 3, 4), 2, 2),
    "2d_2d_input": lambda m: _F(m).lp_pool2d(m.ones(3, 4), 2, 2),
    "2d_too_big": lambda m: _F(m).lp_pool2d(m.ones(1, 1, 2, 2), 2, 3),
    "2d_three_sizes": lambda m: _F(m).lp_pool2d(m.ones(1, 1, 4, 4), 2, (2, 2, 2)),
    "1d_inf_too_big": lambda m: _F(m).lp_pool1d(m.ones(1, 1, 2), float("inf"), 3),
    "3d_3d_input": lambda m: _F(m).lp_pool3d(m.ones(2, 4, 4), 2, 2),
    "3d_two_sizes": lambda m: _F(m).lp_pool3d(m.ones(1, 2, 4, 4, 4), 2, (2, 2)),
    "3d_too_big": lambda m: _F(m).lp_pool3d(m.ones(1, 1, 2, 2, 2), 2, 3),
    "1d_tuple_kernel": lambda m: _F(m).lp_pool1d(m.ones(1, 2, 6), 2, (3,)),
    "1d_list_kernel": lambda m: _F(m).lp_pool1d(m.ones(1, 2, 6), 2, [3]),
    "p0": lambda m: _F(m).lp_pool1d(m.ones(1, 2, 6), 0, 2),
}


@pytest.mark.parametrize("fn", params(LP_ERRORS))
def test_lp_pool_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- max unpooling


def _pooled(m, shape=(2, 3, 4, 6), seed=0, k=2, s=None, p=0, d=2):
    """A max pool's values (a new leaf, float64) and indices."""
    x = _x(m, shape, seed, rg=False)
    pool = _F(m).max_pool2d if d == 2 else _F(m).max_pool1d
    y, i = pool(x, k, s, p, return_indices=True)
    return y.detach().requires_grad_(), i


def _unpool_grads(d=2, shape=(2, 3, 4, 6), k=2, s=None, p=0, **kw):
    def case(m):
        y, i = _pooled(m, shape, 0, k, s, p, d)
        unpool = _F(m).max_unpool2d if d == 2 else _F(m).max_unpool1d
        out = unpool(y, i, k, s, p, **kw)
        w = m.tensor(np.cos(np.arange(out.numel())).reshape(out.shape), dtype=m.float64)
        (g,) = m.autograd.grad((out * w).sum(), y)
        return out, g

    return case


UNPOOL_VALUES = {
    "2d": _unpool_grads(),
    "2d_unbatched": _unpool_grads(shape=(3, 5, 4)),
    "2d_stride_padding": _unpool_grads(shape=(1, 2, 5, 5), k=3, s=2, p=1),
    "2d_output_size": _unpool_grads(shape=(1, 2, 5, 7), output_size=(5, 7)),
    "2d_output_size_4": _unpool_grads(shape=(1, 2, 5, 7), output_size=[1, 2, 5, 7]),
    "1d": _unpool_grads(d=1, shape=(2, 3, 8)),
    "1d_unbatched_output_size": _unpool_grads(d=1, shape=(3, 7), k=2, output_size=[7]),
    "1d_stride": _unpool_grads(d=1, shape=(2, 9), k=3, s=2),
    "module_2d": lambda m: m.nn.MaxUnpool2d(2)(*_pooled(m), output_size=(5, 6)),
    "module_1d": lambda m: m.nn.MaxUnpool1d(2)(*_pooled(m, (2, 7), d=1)),
    "float32": lambda m: _F(m).max_unpool2d(
        *(lambda y, i: (y.float(), i))(*_pooled(m)), 2, output_size=(5, 6)
    ),
    "empty_batch": lambda m: _F(m).max_unpool2d(*(lambda y, i: (y[:0], i[:0]))(*_pooled(m)), 2),
}


@pytest.mark.parametrize("fn", params(UNPOOL_VALUES))
def test_max_unpool_value(fn):
    check_value(fn)


def test_max_unpool_repeated_indices_gather_gradients_as_torch():
    """Where indices repeat, which value lands is torch's kernel's choice (it varied between
    runs here; gradscope's is the last); each input's gradient is the one at its index."""
    got = []
    for m in (gs, torch):
        y = m.tensor([[[[1.0, 2.0], [3.0, 4.0]]]], requires_grad=True)
        out = _F(m).max_unpool2d(y, m.tensor([[[[0, 5], [0, 5]]]]), 2)
        (g,) = m.autograd.grad((out * m.arange(16.0).reshape(1, 1, 4, 4)).sum(), y)
        assert float(out[0, 0, 0, 0]) in (1.0, 3.0) and float(out[0, 0, 1, 1]) in (2.0, 4.0)
        assert float(out.sum()) in (3.0, 5.0, 7.0)  # one value per index, zeros elsewhere
        got.append(g.numpy().ravel().tolist())
    assert got[0] == got[1] == [0.0, 5.0, 0.0, 5.0]


def test_max_unpool_saves_indices_and_graph_as_torch():
    sigs = []
    for m in (gs, torch):
        y, i = _pooled(m, (2, 3, 6))
        node = _F(m).max_unpool2d(y, i, 2).grad_fn
        assert node.name() == "MaxUnpool2DBackward0" and node._saved_indices is i
        out = _F(m).max_unpool1d(*_pooled(m, (2, 3, 6), d=1), 2)
        sigs.append(_graph(out))
    assert sigs[0] == sigs[1]
    assert [n for n, _ in sigs[0]] == [
        "SqueezeBackward1",
        "MaxUnpool2DBackward0",
        "UnsqueezeBackward0",
        "AccumulateGrad",
    ]


def test_max_unpool_double_backward_and_forward_mode_as_torch():
    got = []
    for m in (gs, torch):
        y, i = _pooled(m)
        out = _F(m).max_unpool2d(y, i, 2)
        (g,) = m.autograd.grad((out * out).sum(), y, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), y)
        _, t = m.func.jvp(lambda v, m=m, i=i: _F(m).max_unpool2d(v, i, 2), (y,), (y * 0 + 1,))
        got.append((_graph(g)[:3], gg.detach().numpy(), t.detach().numpy()))
    assert got[0][0] == got[1][0]
    assert [n for n, _ in got[0][0]] == ["ViewBackward0", "GatherBackward0", "ViewBackward0"]
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-12)
    np.testing.assert_array_equal(got[0][2], got[1][2])


def test_max_unpool_gradcheck():
    y, i = _pooled(gs, (2, 2, 4, 4))
    assert gs.autograd.gradcheck(lambda t: gs.nn.functional.max_unpool2d(t, i, 2), (y,))
    assert gs.autograd.gradgradcheck(lambda t: gs.nn.functional.max_unpool2d(t, i, 2), (y,))


def test_max_unpool_module_reprs_as_torch():
    for m in (gs, torch):
        assert (
            repr(m.nn.MaxUnpool2d(2))
            == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"
        )
        assert (
            repr(m.nn.MaxUnpool1d(3, 2, 1))
            == "MaxUnpool1d(kernel_size=(3,), stride=(2,), padding=(1,))"
        )


def _unpool_bad(fn):
    def case(m):
        y, i = _pooled(m)
        return fn(m, _F(m), y, i)

    return case


def _one_off(m, i, by):
    """``i`` with one index moved by ``by`` (with several bad ones, which torch's threads
    report varies)."""
    return i + (m.arange(i.numel()).reshape(i.shape) == 7).long() * by


UNPOOL_ERRORS = {
    "output_size_range": _unpool_bad(
        lambda m, F, y, i: F.max_unpool2d(y, i, 2, output_size=(9, 9))
    ),
    "output_size_length": _unpool_bad(
        lambda m, F, y, i: F.max_unpool2d(y, i, 2, output_size=(1, 2, 3))
    ),
    "output_size_int": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, i, 2, output_size=5)),
    "negative_size": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, i, 2, 1, 3)),
    "float_indices": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, i.float(), 2)),
    "int32_indices": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, i.int(), 2)),
    "indices_shape": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, i[..., :1], 2)),
    "index_too_big": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, _one_off(m, i, 100), 2)),
    "index_negative": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y, _one_off(m, i, -100), 2)),
    "1d_input": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y[0, 0, 0], i[0, 0, 0], 2)),
    "2d_input": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y[0, 0], i[0, 0], 2)),
    "5d_input": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y[None], i[None], 2)),
    "empty_channels": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y[:, :0], i[:, :0], 2)),
    "integer_input": _unpool_bad(lambda m, F, y, i: F.max_unpool2d(y.int(), i, 2)),
    "1d_4d_input": _unpool_bad(lambda m, F, y, i: F.max_unpool1d(y, i, 2)),
    "1d_bad_index": lambda m: _F(m).max_unpool1d(m.ones(2, 3), m.tensor([[0, 1, 9]] * 2), 2),
    "1d_output_size_3": _unpool_bad(
        lambda m, F, y, i: F.max_unpool1d(y[0, 0], i[0, 0], 2, output_size=[1, 2, 3])
    ),
}


@pytest.mark.parametrize("fn", params(UNPOOL_ERRORS))
def test_max_unpool_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- rrelu


def _rrelu_grads(run, shape=(3, 4), create_graph=False):
    def case(m):
        x = _x(m, shape, 2)
        y = run(m, x)
        w = m.tensor(np.cos(np.arange(y.numel())).reshape(y.shape), dtype=m.float64)
        (g,) = m.autograd.grad((y * w).sum(), x, create_graph=create_graph)
        if not create_graph:
            return y, g
        (gg,) = m.autograd.grad((g * g).sum(), x, allow_unused=True)
        return y, g, gg

    return case


def _rrelu_specials(m, training):
    """NaN, infinities and zeros with equal bounds (so the draws are torch's values too)."""
    x = m.tensor([np.nan, np.inf, -np.inf, 0.0, -0.0, -2.0, 3.0], requires_grad=True)
    y = _F(m).rrelu(x, 0.25, 0.25, training)
    (g,) = m.autograd.grad(y.sum(), x)
    return y, g


RRELU_VALUES = {
    "eval": _rrelu_grads(lambda m, x: _F(m).rrelu(x)),
    "eval_bounds": _rrelu_grads(lambda m, x: _F(m).rrelu(x, 0.05, 0.6)),
    "eval_inplace": _rrelu_grads(lambda m, x: _F(m).rrelu(x * 1, inplace=True)),
    "eval_rrelu_": _rrelu_grads(lambda m, x: m.rrelu_(x * 1)),
    "eval_top_level": _rrelu_grads(lambda m, x: m.rrelu(x, 0.2, 0.3)),
    "training_equal_bounds": _rrelu_grads(lambda m, x: _F(m).rrelu(x, 0.25, 0.25, True)),
    "training_equal_bounds_inplace": _rrelu_grads(
        lambda m, x: _F(m).rrelu(x * 1, 0.25, 0.25, True, True)
    ),
    "eval_create_graph": _rrelu_grads(lambda m, x: _F(m).rrelu(x), create_graph=True),
    "module_eval": _rrelu_grads(lambda m, x: m.nn.RReLU(0.1, 0.2).eval()(x)),
    "float32": lambda m: _F(m).rrelu(_x(m, (2, 3), dtype=m.float32)),
    "zero": _rrelu_grads(lambda m, x: _F(m).rrelu(x * 0)),
    "training_specials": lambda m: _rrelu_specials(m, True),
    "eval_specials": lambda m: _rrelu_specials(m, False),
}


@pytest.mark.parametrize("fn", params(RRELU_VALUES))
def test_rrelu_value(fn):
    check_value(fn)


def _saved(node):
    """Which of rrelu's slots the node has (gradscope's nodes find them on access)."""
    names = ("lower", "noise", "result", "self", "training", "upper")
    return [f"_saved_{n}" for n in names if hasattr(node, f"_saved_{n}")]


@pytest.mark.parametrize("training", [False, True])
def test_rrelu_nodes_and_saves_as_torch(training):
    got = []
    for m in (gs, torch):
        x = _x(m, (3, 4))
        node = _F(m).rrelu(x, 0.1, 0.3, training).grad_fn
        assert node._saved_self is x and tuple(node._saved_noise.shape) == (3, 4)
        entry = [node.name(), _saved(node), node._saved_lower, node._saved_upper]
        entry.append(node._saved_training)
        z = x * 1
        r = _F(m).rrelu(z, 0.1, 0.3, training, True)
        assert r is z and z._version == 1 and tuple(r.grad_fn._saved_noise.shape) == (3, 4)
        entry += [r.grad_fn.name(), _saved(r.grad_fn)]
        (g,) = m.autograd.grad(_F(m).rrelu(x, 0.1, 0.3, training).sum(), x, create_graph=True)
        entry.append([n for n, _ in _graph(g)][:1])
        got.append(entry)
    assert got[0] == got[1]
    assert got[0][0] == "RreluWithNoiseBackward0" and got[0][5] == "RreluWithNoiseBackward1"
    assert got[0][1] == [
        "_saved_lower",
        "_saved_noise",
        "_saved_self",
        "_saved_training",
        "_saved_upper",
    ]
    assert got[0][-1] == ["RreluWithNoiseBackwardBackward0"]


def test_rrelu_module_repr_and_mode_as_torch():
    for m in (gs, torch):
        assert repr(m.nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"
        assert repr(m.nn.RReLU(0.1, 0.3, True)) == "RReLU(lower=0.1, upper=0.3, inplace=True)"
        layer = m.nn.RReLU(0.1, 0.3)
        x = _x(m, (50,), 4, rg=False)
        assert layer.training and layer(x).grad_fn is None
        y = layer(x)
        neg = (x <= 0).numpy()
        ratio = (y / x).numpy()[neg]
        assert ratio.min() >= 0.1 and ratio.max() <= 0.3 and ratio.std() > 0.01  # drawn
        layer.eval()
        np.testing.assert_allclose((layer(x) / x).numpy()[neg], 0.2)


RRELU_ERRORS = {
    "bounds": lambda m: _F(m).rrelu(m.ones(3), 0.5, 0.2, training=True),
    "bounds_eval": lambda m: _F(m).rrelu(m.ones(3), 0.5, 0.2),
    "integer_eval": lambda m: _F(m).rrelu(m.ones(3, dtype=m.int64)),
    "integer_training": lambda m: _F(m).rrelu(m.ones(3, dtype=m.int64), training=True),
    "inplace_leaf": lambda m: _F(m).rrelu(m.ones(3, requires_grad=True), inplace=True),
}


@pytest.mark.parametrize("fn", params(RRELU_ERRORS))
def test_rrelu_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- gumbel_softmax


@pytest.mark.parametrize("hard, tau, dim", [(False, 1, -1), (True, 0.5, -1), (True, 2.0, 0)])
def test_gumbel_softmax_graph_as_torch(hard, tau, dim):
    sigs = []
    for m in (gs, torch):
        x = _x(m, (3, 4))
        y = _F(m).gumbel_softmax(x, tau, hard, dim=dim)
        assert tuple(y.shape) == (3, 4) and y.dtype == m.float64 and y.requires_grad
        if hard:
            h = y.detach().numpy()
            assert set(np.unique(h)) == {0.0, 1.0} and np.all(h.sum(dim) == 1.0)
        sigs.append(_graph(y))
    assert sigs[0] == sigs[1]
    names = [n for n, _ in sigs[0]]
    assert names[-4:] == ["SoftmaxBackward0", "DivBackward0", "AddBackward0", "AccumulateGrad"]
    assert (names[0] == "AddBackward0" and sigs[0][0][1][0][0] is None) == hard


def test_gumbel_softmax_eps_warns_as_torch():
    from tests.parity import check_warns_as_torch

    check_warns_as_torch(lambda m: _F(m).gumbel_softmax(m.ones(2, 3), eps=1e-5))
    check_warns_as_torch(lambda m: _F(m).gumbel_softmax(m.ones(2, 3)))
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated and has no effect."):
        gs.nn.functional.gumbel_softmax(gs.ones(2, 3), eps=1e-5)


GUMBEL_ERRORS = {
    "dim": lambda m: _F(m).gumbel_softmax(m.ones(2, 3), dim=2),
    "integer": lambda m: _F(m).gumbel_softmax(m.ones(2, 3, dtype=m.int64)),
}


@pytest.mark.parametrize("fn", params(GUMBEL_ERRORS))
def test_gumbel_softmax_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- triplet loss with a distance


def _triplet_grads(shape=(4, 3), **kw):
    def case(m):
        a, p, n = (_x(m, shape, k) for k in (1, 2, 3))
        dist = kw.get("dist")
        args = {k: v for k, v in kw.items() if k != "dist"}
        if dist is not None:
            args["distance_function"] = dist(m)
        y = _F(m).triplet_margin_with_distance_loss(a, p, n, **args)
        w = m.tensor(np.cos(np.arange(y.numel())).reshape(y.shape), dtype=m.float64)
        g = m.autograd.grad((y * w).sum(), (a, p, n))
        return y, *g

    return case


def _cosine(m):
    return lambda x, y: 1.0 - _F(m).cosine_similarity(x, y)


TRIPLET_VALUES = {
    "default": _triplet_grads(),
    "margin_sum": _triplet_grads(margin=2.5, reduction="sum"),
    "none": _triplet_grads(margin=1.5, reduction="none"),
    "swap": _triplet_grads(margin=2.0, swap=True, reduction="none"),
    "cosine": _triplet_grads(dist=_cosine, margin=0.8),
    "cosine_swap_none": _triplet_grads(dist=_cosine, swap=True, reduction="none"),
    "module_distance": _triplet_grads(dist=lambda m: m.nn.PairwiseDistance(p=1), margin=3.0),
    "1d": _triplet_grads(shape=(5,), margin=2.0),
    "3d": _triplet_grads(shape=(2, 3, 4), reduction="none", margin=2.0),
    "module": lambda m: m.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True)(
        *(_x(m, (4, 3), k) for k in (1, 2, 3))
    ),
    "module_cosine_sum": lambda m: m.nn.TripletMarginWithDistanceLoss(
        distance_function=_cosine(m), reduction="sum"
    )(*(_x(m, (4, 3), k) for k in (1, 2, 3))),
}


@pytest.mark.parametrize("fn", params(TRIPLET_VALUES))
def test_triplet_margin_with_distance_loss_value(fn):
    check_value(fn)


@pytest.mark.parametrize("swap, reduction", [(False, "mean"), (True, "sum"), (True, "none")])
def test_triplet_margin_with_distance_loss_graph_as_torch(swap, reduction):
    sigs = []
    for m in (gs, torch):
        a, p, n = (_x(m, (4, 3), k) for k in (1, 2, 3))
        y = _F(m).triplet_margin_with_distance_loss(a, p, n, swap=swap, reduction=reduction)
        sigs.append(_graph(y))
    assert sigs[0] == sigs[1]
    assert any(n == "ClampMinBackward0" for n, _ in sigs[0])
    assert any(n == "MinimumBackward0" for n, _ in sigs[0]) == swap


def test_triplet_margin_with_distance_loss_module_as_torch():
    for m in (gs, torch):
        layer = m.nn.TripletMarginWithDistanceLoss()
        assert repr(layer) == (
            "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"
        )
        assert layer.margin == 1.0 and layer.swap is False and layer.reduction == "mean"
        f = _cosine(m)
        custom = m.nn.TripletMarginWithDistanceLoss(distance_function=f, swap=True)
        assert custom.distance_function is f and repr(custom) == "TripletMarginWithDistanceLoss()"


TRIPLET_ERRORS = {
    "reduction": lambda m: _F(m).triplet_margin_with_distance_loss(
        m.ones(2, 3), m.ones(2, 3), m.ones(2, 3), reduction="max"
    ),
    "margin": lambda m: _F(m).triplet_margin_with_distance_loss(
        m.ones(2, 3), m.ones(2, 3), m.ones(2, 3), margin=0
    ),
    "dims": lambda m: _F(m).triplet_margin_with_distance_loss(
        m.ones(2, 3), m.ones(3), m.ones(2, 3)
    ),
    "positional_distance": lambda m: _F(m).triplet_margin_with_distance_loss(
        m.ones(2, 3), m.ones(2, 3), m.ones(2, 3), None
    ),
    "module_margin": lambda m: m.nn.TripletMarginWithDistanceLoss(margin=-1.0),
    "shapes": lambda m: _F(m).triplet_margin_with_distance_loss(
        m.ones(2, 3), m.ones(2, 4), m.ones(2, 3)
    ),
}


@pytest.mark.parametrize("fn", params(TRIPLET_ERRORS))
def test_triplet_margin_with_distance_loss_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- window functions

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("periodic", [True, False])
def test_window_float64_values_as_torch(name, periodic):
    for n in (0, 1, 2, 3, 4, 7, 16):
        want = getattr(torch, name)(n, periodic, dtype=torch.float64).numpy()
        got = getattr(gs, name)(n, periodic, dtype=gs.float64).numpy()
        assert got.dtype == np.float64 and got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-16)


def _win(name, *args, dtype=None, **kw):
    """``name(*args, **kw)`` of a module, ``dtype`` named (``"float64"``)."""

    def case(m):
        extra = {"dtype": getattr(m, dtype)} if dtype else {}
        return getattr(m, name)(*args, **kw, **extra)

    return case


WINDOW_VALUES = {
    **{f"{n}_default": _win(n, 6) for n in WINDOWS},
    **{f"{n}_symmetric": _win(n, 7, False) for n in WINDOWS},
    **{f"{n}_requires_grad": _win(n, 5, requires_grad=True) for n in WINDOWS},
    **{f"{n}_empty": _win(n, 0, dtype="float64") for n in WINDOWS},
    **{f"{n}_one": _win(n, 1, False) for n in WINDOWS},
    "hamming_alpha_beta": _win("hamming_window", 9, False, 0.5, 0.3, dtype="float64"),
    "hamming_alpha": _win("hamming_window", 8, True, 0.6),
    "kaiser_beta": _win("kaiser_window", 9, False, 3.5, dtype="float64"),
    "kaiser_periodic_beta": _win("kaiser_window", 10, True, 0.0),
    "hann_keywords": _win("hann_window", window_length=5, periodic=False, dtype="float64"),
}


@pytest.mark.parametrize("fn", params(WINDOW_VALUES))
def test_window_value(fn):
    check_value(fn)


def test_window_is_a_leaf_under_the_default_dtype():
    w = gs.hann_window(4, requires_grad=True)
    assert w.is_leaf and w.grad_fn is None and w.dtype == gs.float32
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * w.detach().numpy())


WINDOW_ERRORS = {
    **{f"{n}_negative": _win(n, -1) for n in WINDOWS},
    **{f"{n}_int64": _win(n, 5, dtype="int64") for n in WINDOWS},
    **{f"{n}_float_length": _win(n, 2.5) for n in WINDOWS},
    "hann_bool": _win("hann_window", 5, dtype="bool"),
    "kaiser_int32_requires_grad": _win("kaiser_window", 3, dtype="int32", requires_grad=True),
    "hamming_int_one": _win("hamming_window", 1, dtype="int64"),
}


@pytest.mark.parametrize("fn", params(WINDOW_ERRORS))
def test_window_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- top-level bilinear


def test_top_level_bilinear_as_torch():
    got = []
    for m in (gs, torch):
        a, b, w, c = _x(m, (4, 3), 1), _x(m, (4, 2), 2), _x(m, (5, 3, 2), 3), _x(m, (5,), 4)
        y = m.bilinear(a, b, w, c)
        ga, gw = m.autograd.grad(y.sum(), (a, w))
        got.append((_graph(y), y.detach().numpy(), ga.numpy(), gw.numpy()))
    assert got[0][0] == got[1][0]
    for u, v in zip(got[0][1:], got[1][1:]):
        np.testing.assert_allclose(u, v, rtol=1e-12)
    assert gs.bilinear is gs.nn.functional.bilinear
