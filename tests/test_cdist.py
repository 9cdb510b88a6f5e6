"""cdist against torch 2.13: which kernel (and so which node) each call records, its
errors, the first derivative of the p-norm kernel by finite differences, and the second
derivative and forward mode torch does not give that kernel."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _r(*shape):
    return lambda m: m.ones(*shape)


ERRORS = {
    "cdist_1d": lambda m: m.cdist(_r(3)(m), _r(2, 3)(m)),
    "cdist_1d_second": lambda m: m.cdist(_r(2, 3)(m), _r(3)(m)),
    "cdist_columns": lambda m: m.cdist(_r(2, 3)(m), _r(2, 4)(m)),
    "cdist_mode": lambda m: m.cdist(_r(2, 3)(m), _r(2, 3)(m), compute_mode="x"),
    "cdist_int": lambda m: m.cdist(m.ones(2, 3, dtype=m.int64), m.ones(2, 3, dtype=m.int64)),
    "cdist_int_mm": lambda m: m.cdist(
        m.ones(2, 3, dtype=m.int64),
        m.ones(2, 3, dtype=m.int64),
        compute_mode="use_mm_for_euclid_dist",
    ),
    "cdist_negative_p": lambda m: m.cdist(_r(2, 3)(m), _r(2, 3)(m), p=-1),
    "cdist_batches": lambda m: m.cdist(_r(2, 2, 3)(m), _r(3, 2, 3)(m)),
    "cdist_batches_mm": lambda m: m.cdist(
        _r(2, 2, 3)(m), _r(3, 2, 3)(m), compute_mode="use_mm_for_euclid_dist"
    ),
    "cdist_dtypes": lambda m: m.cdist(_r(2, 3)(m), m.ones(2, 3, dtype=m.float64)),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


@pytest.mark.parametrize(
    "rows,mode,node",
    [
        (3, "use_mm_for_euclid_dist_if_necessary", "CdistBackward0"),
        (26, "use_mm_for_euclid_dist_if_necessary", "ViewBackward0"),
        (3, "use_mm_for_euclid_dist", "ViewBackward0"),
        (26, "donot_use_mm_for_euclid_dist", "CdistBackward0"),
    ],
)
def test_the_kernel_chosen_as_torch_chooses(rows, mode, node):
    for m in (gs, torch):
        a, b = m.randn(rows, 2, requires_grad=True), m.randn(4, 2)
        out = m.cdist(a, b, compute_mode=mode)
        assert out.grad_fn.name() == node
        if node == "ViewBackward0":
            assert out.grad_fn.next_functions[0][0].name() == "EuclideanDistBackward0"


def test_empty_rows_take_the_p_norm_kernel_as_in_torch():
    for m in (gs, torch):
        out = m.cdist(
            m.ones(0, 3, requires_grad=True), m.ones(30, 3), compute_mode="use_mm_for_euclid_dist"
        )
        assert tuple(out.shape) == (0, 30) and out.grad_fn.name() == "CdistBackward0"


@pytest.mark.parametrize("p", [0.5, 1.0, 1.5, 2.0, 3.0, float("inf")])
def test_gradcheck_of_the_p_norm_kernel(p):
    rng = np.random.default_rng(4)
    a = gs.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    b = gs.tensor(rng.standard_normal((1, 5, 4)), requires_grad=True)
    assert gs.autograd.gradcheck(lambda x, y: gs.cdist(x, y, p=p), (a, b))


def test_no_second_derivative_nor_forward_mode_as_in_torch():
    for m in (gs, torch):
        a, b = m.randn(3, 2, requires_grad=True), m.randn(4, 2, requires_grad=True)
        (g,) = m.autograd.grad(m.cdist(a, b, p=3).sum(), a, create_graph=True)
        assert g.grad_fn.name() == "CdistBackwardBackward0"
        with pytest.raises(NotImplementedError, match="derivative for '_cdist_backward'"):
            g.sum().backward()
        with pytest.raises(NotImplementedError, match="forward AD with _cdist_forward"):
            m.func.jvp(m.cdist, (a.detach(), b.detach()), (m.ones(3, 2), m.ones(4, 2)))
