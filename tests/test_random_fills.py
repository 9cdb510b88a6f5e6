"""``uniform_`` and ``normal_`` in place: torch's nodes (``UniformBackward0``,
``NormalBackward0``: nothing flows back), version counts, errors and refusals; the values
come from gradscope's generator, so ``gs.manual_seed`` repeats them, and they follow the
distribution asked for."""

from __future__ import annotations

import numpy as np
import pytest
from parity import check_error

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
    "uniform_reversed_floats": lambda m: m.ones(3).uniform_(1.5, 1e-7),
    "uniform_reversed_large": lambda m: m.ones(3).uniform_(123456789.0, -3.0),
    "normal_negative_std": lambda m: m.ones(3).normal_(0, -1),
    "normal_negative_float_std": lambda m: m.ones(3).normal_(0.0, -0.5),
    "normal_tiny_negative_std": lambda m: m.ones(3).normal_(0.0, -1e-9),
    "init_uniform_reversed": lambda m: m.nn.init.uniform_(m.ones(3), 1.0, 0.0),
    "init_normal_negative_std": lambda m: m.nn.init.normal_(m.ones(3), 0.0, -1.0),
    "init_uniform_int": lambda m: m.nn.init.uniform_(m.ones(3, dtype=m.int64)),
    "init_normal_int": lambda m: m.nn.init.normal_(m.ones(3, dtype=m.int64)),
    "init_kaiming_bool": lambda m: m.nn.init.kaiming_uniform_(m.ones(2, 3, dtype=m.bool)),
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
    check_error(REFUSED[case])


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


def test_init_fills_the_parameter_in_place_from_the_same_stream():
    """``nn.init`` draws what the tensor's own ``uniform_``/``normal_`` draws, as torch's
    does, and bumps the version once."""
    gs.manual_seed(7)
    w = gs.nn.init.uniform_(gs.nn.Parameter(gs.empty(4, 5)), -2.0, 3.0)
    gs.manual_seed(7)
    want = gs.rand(4, 5).numpy() * 5.0 - 2.0
    assert w._vc[0] == 1 and w.grad_fn is None and w.requires_grad
    assert (w.detach().numpy() == want).all()
    gs.manual_seed(7)
    n = gs.nn.init.normal_(gs.empty(3, 2, dtype=gs.float64), 1.0, 0.25)
    gs.manual_seed(7)
    assert (n.numpy() == gs.randn(3, 2, dtype=gs.float64).numpy() * 0.25 + 1.0).all()


def test_a_layer_made_inside_a_trace_allocates_its_parameters_and_nothing_else(no_gc):
    """Initialising writes into the parameters: no temporary tensors appear in the trace
    (torch's init allocates none), so the peak of a model built while recording is its
    parameters' bytes. (With the collector off, earlier tests' garbage is not freed in
    the middle of the trace.)"""
    with gs.trace() as tr:
        layer = gs.nn.Linear(64, 32)
        gs.nn.init.xavier_normal_(layer.weight)
        gs.nn.init.normal_(layer.bias)
    allocated = [e for e in tr.events if e.kind == "tensor_allocated"]
    assert [(e.shape, e.name) for e in allocated] == [
        ((32, 64), "Linear.weight"),
        ((32,), "Linear.bias"),
    ]
    assert not [e for e in tr.events if e.kind == "tensor_freed"]
    assert tr.peak_bytes - tr.header["baseline_bytes"].get("cpu", 0) == 32 * 64 * 4 + 32 * 4
