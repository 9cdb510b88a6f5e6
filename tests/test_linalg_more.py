"""``matrix_exp``: values of known matrices, float64 finite differences of its backward and
forward mode (without torch), then against torch 2.13: errors, special values, what its node
saves. The op-table cases (values, gradients, graphs, second order) are in
``tests/op_cases.py``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

try:
    import torch
except ImportError:  # the parity tests below skip; the others run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference for parity tests")
F64 = gs.float64
RNG = np.random.default_rng(11)
A33 = RNG.standard_normal((3, 3))
B233 = RNG.standard_normal((2, 3, 3))
R32 = RNG.standard_normal((3, 2))


def _t(a, rg=True):
    return gs.tensor(a, dtype=F64, requires_grad=rg)


# ------------------------------------------------------------------------------ values


def test_matrix_exp_of_known_matrices():
    d = gs.linalg.matrix_exp(gs.diag(gs.tensor([1.0, -2.0, 0.5], dtype=F64)))
    np.testing.assert_allclose(d.numpy(), np.diag(np.exp([1.0, -2.0, 0.5])), rtol=1e-15)
    n = gs.matrix_exp(gs.tensor([[0.0, 1.0], [0.0, 0.0]], dtype=F64))  # nilpotent: I + N
    np.testing.assert_array_equal(n.numpy(), [[1.0, 1.0], [0.0, 1.0]])
    t = 2.5  # a rotation generator, large enough to be scaled and squared
    r = gs.tensor([[0.0, -t], [t, 0.0]], dtype=F64).matrix_exp()
    c, s = np.cos(t), np.sin(t)
    np.testing.assert_allclose(r.numpy(), [[c, -s], [s, c]], rtol=1e-14, atol=1e-15)


def test_matrix_exp_batched_is_each_matrix_and_its_eigen_exponential():
    sym = B233 + B233.transpose(0, 2, 1)
    sym[1] *= 20  # one matrix squared many times, the other not at all
    out = gs.linalg.matrix_exp(_t(sym, False)).numpy()
    w, v = np.linalg.eigh(sym)
    want = (v * np.exp(w)[:, None, :]) @ v.transpose(0, 2, 1)
    np.testing.assert_allclose(out, want, rtol=1e-12)
    for k in range(2):
        np.testing.assert_allclose(gs.matrix_exp(_t(sym[k], False)).numpy(), out[k], rtol=1e-15)


def test_matrix_exp_of_nan_or_inf_is_nan_and_empty_stays_empty():
    x = gs.matrix_exp(gs.tensor([[[np.nan, 0.0], [0.0, 1.0]], [[np.inf, 0.0], [0.0, 1.0]]]))
    assert np.isnan(x.numpy()).all()
    assert tuple(gs.matrix_exp(gs.ones(0, 2, 2)).shape) == (0, 2, 2)
    assert tuple(gs.matrix_exp(gs.ones(2, 0, 0)).shape) == (2, 0, 0)


# ------------------------------------------------------------------------------ derivatives

GRADCHECKS = {
    "matrix_exp": (lambda a: gs.linalg.matrix_exp(a), (A33,)),
    "matrix_exp_batched_scaled": (lambda a: gs.matrix_exp(a * 3), (B233,)),
}


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_gradcheck_and_gradgradcheck(name):
    fn, arrays = GRADCHECKS[name]
    xs = [_t(a) for a in arrays]
    assert gs.autograd.gradcheck(fn, xs)
    assert gs.autograd.gradgradcheck(fn, xs, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_forward_mode_matches_finite_differences(name):
    fn, arrays = GRADCHECKS[name]
    rng = np.random.default_rng(5)
    tangents = [rng.standard_normal(np.shape(a)) for a in arrays]
    _, jvp = gs.func.jvp(
        fn, tuple(_t(a, False) for a in arrays), tuple(_t(t, False) for t in tangents)
    )
    eps = 1e-6
    plus = fn(*(_t(a + eps * t, False) for a, t in zip(arrays, tangents))).numpy()
    minus = fn(*(_t(a - eps * t, False) for a, t in zip(arrays, tangents))).numpy()
    np.testing.assert_allclose(jvp.numpy(), (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_nodes_and_what_they_keep():
    a = _t(A33)
    node = gs.linalg.matrix_exp(a).grad_fn
    assert node.name() == "LinalgMatrixExpBackward0" and node._saved_self is a


# ------------------------------------------------------------------------------ against torch

ERRORS = {
    "mexp_not_square": lambda m: m.linalg.matrix_exp(m.ones(2, 3)),
    "mexp_vector": lambda m: m.linalg.matrix_exp(m.ones(3)),
    "mexp_int": lambda m: m.matrix_exp(m.eye(2, dtype=m.int64)),
}


@needs_torch
@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


VALUES = {
    "mexp_nan": lambda m: m.linalg.matrix_exp(m.tensor([[float("nan"), 0.0], [0.0, 1.0]])),
    "mexp_inf": lambda m: m.linalg.matrix_exp(m.tensor([[float("inf"), 0.0], [0.0, 1.0]])),
    "mexp_empty": lambda m: m.linalg.matrix_exp(m.ones(0, 2, 2)),
    "mexp_zero_size": lambda m: m.matrix_exp(m.ones(2, 0, 0, requires_grad=True)),
    "mexp_float32": lambda m: m.matrix_exp(m.tensor([[0.5, -1.0], [2.0, 0.25]])),
}


@needs_torch
@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@needs_torch
def test_values_and_gradients_in_float64_are_torchs():
    """Values and every gradient within 1e-12 of torch's (the op table compares them in
    float32)."""
    for case in TIGHT:
        ours, theirs = (_run(m, case) for m in (gs, torch))
        for x, y in zip(ours, theirs):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-13, err_msg=case.__name__)


def _run(m, fn) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xs = [m.tensor(a, dtype=m.float64, requires_grad=True) for a in (B233, R32)]
        out = fn(m, *xs)
        g = np.random.default_rng(2).standard_normal(tuple(out.shape))
        out.backward(m.tensor(g, dtype=m.float64))
        return [np.asarray(out.detach())] + [
            np.zeros(0) if x.grad is None else np.asarray(x.grad) for x in xs
        ]


def tight_matrix_exp(m, a, b):
    return m.linalg.matrix_exp(a * 2)


TIGHT = [tight_matrix_exp]
