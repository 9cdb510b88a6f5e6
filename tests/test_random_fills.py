"""``uniform_`` and ``normal_`` in place: torch's nodes (``UniformBackward0``,
``NormalBackward0``: nothing flows back), version counts, errors and refusals; the values
come from gradscope's generator, so ``gs.manual_seed`` repeats them, and they follow the
distribution asked for."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

FILLS = {
    "uniform_": lambda y: y.uniform_(-1, 1),
    "normal_": lambda y: y.normal_(0, 2),
}

REFUSED = {
    "uniform_int": lambda m: m.ones(3, dtype=m.int64).uniform_(),
    "uniform_bool": lambda m: m.ones(3, dtype=m.bool).uniform_(),
    "uniform_reversed": lambda m: m.ones(3).uniform_(1, 0),
    "normal_negative_std": lambda m: m.ones(3).normal_(0, -1),
    "normal_int": lambda m: m.ones(3, dtype=m.int64).normal_(),
    "leaf_requiring_grad": lambda m: m.ones(3, requires_grad=True).uniform_(),
    "expanded": lambda m: m.ones(3).expand(2, 3).normal_(),
}


def _graph(m, fill):
    x = m.tensor([[0.2, 0.7, -1.5], [1.5, 0.3, 0.1]], requires_grad=True)
    y = x * 1.0
    z = fill(y)
    z.sum().backward()
    version = y._version if m is torch else y._vc[0]
    return z is y, z.grad_fn.name(), x.grad.tolist(), version, str(z.dtype).split(".")[1]


@pytest.mark.parametrize("name", sorted(FILLS))
def test_a_fill_records_torchs_node_and_passes_no_gradient(name):
    assert _graph(gs, FILLS[name]) == _graph(torch, FILLS[name])


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refusals_as_torch(case):
    def outcome(m):
        try:
            REFUSED[case](m)
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            return type(e).__name__, str(e)
        return None

    want, got = outcome(torch), outcome(gs)
    assert want is not None and got == want


def test_values_follow_the_distribution_and_the_seed():
    gs.manual_seed(3)
    u = gs.empty(200_000).uniform_(2.0, 5.0).numpy()
    n = gs.empty(200_000, dtype=gs.float64).normal_(1.0, 0.5).numpy()
    assert u.dtype == np.float32 and 2.0 <= u.min() and u.max() < 5.0
    assert abs(u.mean() - 3.5) < 0.01 and abs(u.std() - 3 / np.sqrt(12)) < 0.01
    assert abs(n.mean() - 1.0) < 0.01 and abs(n.std() - 0.5) < 0.01
    gs.manual_seed(3)
    assert (gs.empty(200_000).uniform_(2.0, 5.0).numpy() == u).all()
    with gs.no_grad():  # a leaf that requires grad is filled under no_grad, as in torch
        w = gs.zeros(4, requires_grad=True).normal_()
    assert w.requires_grad and w.grad_fn is None and (w.detach().numpy() != 0).all()
