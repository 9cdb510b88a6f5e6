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


LP_ERRORS = {
    "1d_4d_input": lambda m: _F(m).lp_pool1d(m.ones(1, 2, 3, 4), 2, 2),
    "2d_2d_input": (
        lambda m: _F(m).lp_pool2d(m.ones(3, 4), 2, 2),
        "gradscope's avg_pool2d raises its own RuntimeError for a 2-d input, torch an IndexError",
    ),
    "2d_too_big": lambda m: _F(m).lp_pool2d(m.ones(1, 1, 2, 2), 2, 3),
    "2d_three_sizes": lambda m: _F(m).lp_pool2d(m.ones(1, 1, 4, 4), 2, (2, 2, 2)),
    "1d_inf_too_big": lambda m: _F(m).lp_pool1d(m.ones(1, 1, 2), float("inf"), 3),
}


@pytest.mark.parametrize("fn", params(LP_ERRORS))
def test_lp_pool_error(fn):
    check_error(fn)
