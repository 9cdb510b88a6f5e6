"""``nn.init``'s structured and truncated fills and ``nn.utils``' clipping and vector
conversions, against their definitions and torch's."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs

init, utils = gs.nn.init, gs.nn.utils


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    gs.manual_seed(0)
    w = init.trunc_normal_(gs.empty(400, 250), 0.0, 1.0, -1.0, 1.0)
    d = w.numpy()
    assert d.min() >= -1.0 and d.max() <= 1.0
    assert d.std() == pytest.approx(0.5396, abs=0.005)  # a standard normal cut to [-1, 1]
    # far in a tail (under 30% of the mass): the uniform-proposal branch
    w = init.trunc_normal_(gs.empty(400, 250), 0.0, 1.0, 2.0, 3.0)
    d = w.numpy()
    assert d.min() >= 2.0 and d.max() <= 3.0
    assert d.mean() == pytest.approx(2.3158, abs=0.005)  # E[X | 2 < X < 3]
    gs.manual_seed(1)
    a = init.trunc_normal_(gs.empty(5), a=-0.1, b=0.1).numpy()
    gs.manual_seed(1)
    np.testing.assert_array_equal(init.trunc_normal_(gs.empty(5), a=-0.1, b=0.1).numpy(), a)


def test_trunc_normal_warns_far_from_the_bounds_as_torch():
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(gs.empty(3), mean=10.0, std=1.0, a=-2.0, b=2.0)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 6)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = init.orthogonal_(gs.empty(*shape), gain=2.0)
    m = w.numpy().reshape(shape[0], -1).astype(np.float64)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-5)


def test_sparse_zeros_that_many_rows_in_each_column():
    w = init.sparse_(gs.empty(10, 4), 0.3, std=0.5)
    zeros = (w.numpy() == 0).sum(axis=0)
    assert zeros.tolist() == [3, 3, 3, 3]  # ceil(0.3 * 10)


def test_dirac_and_eye_as_torch():
    torch = pytest.importorskip("torch", reason="torch is the reference")
    for shape, groups in [
        ((4, 2, 3), 1),
        ((4, 2, 3, 3), 2),
        ((2, 3, 1, 3, 5), 1),
        ((6, 2, 5, 4), 3),
    ]:
        want = torch.nn.init.dirac_(torch.empty(*shape), groups).numpy()
        np.testing.assert_array_equal(init.dirac_(gs.empty(*shape), groups).numpy(), want)
    for shape in [(2, 3), (3, 2), (4, 4)]:
        w = gs.empty(*shape, requires_grad=True)
        assert init.eye_(w) is w and w.requires_grad and w.grad_fn is None
        np.testing.assert_array_equal(
            w.detach().numpy(), torch.nn.init.eye_(torch.empty(*shape)).numpy()
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda m, I: I.orthogonal_(m.empty(3)),
        lambda m, I: I.sparse_(m.empty(3, 3, 3), 0.1),
        lambda m, I: I.dirac_(m.empty(3, 3)),
        lambda m, I: I.dirac_(m.empty(3, 3, 3), groups=2),
        lambda m, I: I.eye_(m.empty(3)),
    ],
)
def test_init_errors_as_torch(call):
    torch = pytest.importorskip("torch", reason="torch is the reference")
    with pytest.raises(ValueError) as want:
        call(torch, torch.nn.init)
    with pytest.raises(ValueError) as got:
        call(gs, init)
    assert str(got.value) == str(want.value)


def test_deprecated_names_warn_and_fill():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = init.constant(gs.empty(3), 2.5)
        init.xavier_uniform(gs.empty(2, 3))
    assert w.numpy().tolist() == [2.5] * 3
    assert [c.category for c in caught] == [FutureWarning, FutureWarning]
    assert (
        str(caught[0].message)
        == "`nn.init.constant` is now deprecated in favor of `nn.init.constant_`."
    )


def _linear(m):
    lin = m.nn.Linear(3, 2)
    with m.no_grad():
        lin.weight.copy_(m.tensor([[1.0, -2, 3], [4, 5, -6]]))
        lin.bias.copy_(m.tensor([0.5, -1.0]))
    return lin


def test_vectors_and_clipping_as_torch():
    torch = pytest.importorskip("torch", reason="torch is the reference")
    results = []
    for m in (torch, gs):
        lin = _linear(m)
        v = m.nn.utils.parameters_to_vector(lin.parameters())
        graph = type(v.grad_fn).__name__ if m is torch else v.grad_fn.name()
        m.nn.utils.vector_to_parameters(v.detach() * 2, lin.parameters())
        weight = lin.weight.detach().numpy().copy()
        (lin(m.ones(4, 3)) ** 2).sum().backward()
        grads = [p.grad for p in lin.parameters()]
        total = float(m.nn.utils.get_total_norm(grads, 3.0))
        m.nn.utils.clip_grad_value_(lin.parameters(), 20.0)
        clipped = [g.numpy().copy() for g in grads]
        m.nn.utils.clip_grads_with_norm_(lin.parameters(), 1.0, m.tensor(50.0))
        results.append(
            (v.detach().numpy(), graph, weight, total, clipped, [g.numpy() for g in grads])
        )
    (tv, tg, tw, tt, tc, tf), (gv, gg, gw, gt, gc, gf) = results
    np.testing.assert_array_equal(gv, tv)
    assert gg == tg == "CatBackward0"
    np.testing.assert_array_equal(gw, tw)
    assert gt == pytest.approx(tt, rel=1e-6)
    for a, b in zip(gc, tc):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    for a, b in zip(gf, tf):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_vector_to_parameters_refuses_a_list_as_torch():
    with pytest.raises(TypeError, match="^expected torch.Tensor, but got: list$"):
        utils.vector_to_parameters([1.0], _linear(gs).parameters())


def test_get_total_norm_nonfinite_error_and_empty():
    assert float(utils.get_total_norm([])) == 0.0
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        utils.get_total_norm([gs.tensor([1.0, float("inf")])], error_if_nonfinite=True)
