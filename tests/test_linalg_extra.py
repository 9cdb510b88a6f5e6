"""``linalg.lstsq``, the ``_ex`` forms (``solve_ex``, ``inv_ex``, ``cholesky_ex``) and
``matmul``, ``diagonal``, ``vander``, ``tensorinv``, ``tensorsolve`` against torch 2.13:
errors, named tuples, ``info`` values, each lstsq driver's outputs, layouts and what the
nodes save. The op-table cases (values, gradients, graphs, second order, forward mode) are
in ``tests/op_cases.py``."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

try:
    import torch
except ImportError:  # the parity tests below skip; the others run
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference for parity tests")

RNG = np.random.default_rng(5)
TALL = RNG.standard_normal((5, 3)).tolist()
WIDE = RNG.standard_normal((3, 5)).tolist()
RHS5 = RNG.standard_normal((5, 2)).tolist()
RHS3 = RNG.standard_normal((3, 2)).tolist()
BATCH = RNG.standard_normal((2, 5, 3)).tolist()
BATCH_RHS = RNG.standard_normal((2, 5, 2)).tolist()
DEFICIENT = np.concatenate([np.asarray(TALL), np.asarray(TALL)[:, :1]], 1).tolist()  # rank 3
SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
NOT_PD = [[4.0, 2.0, 1.0], [2.0, 1.0, 3.0], [1.0, 3.0, 5.0]]  # fails at the 2nd minor


def _f64(m, a):
    return m.tensor(a, dtype=m.float64)


def _ls(m, a, b, **kw):
    return m.linalg.lstsq(_f64(m, a), _f64(m, b), **kw)


def _batch(m, *mats):
    return m.stack([_f64(m, x) for x in mats])


ERRORS = {
    "lstsq_a_1d": lambda m: m.linalg.lstsq(m.ones(3), m.ones(3)),
    "lstsq_b_0d": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(())),
    "lstsq_dtypes": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(3, 2, dtype=m.float64)),
    "lstsq_dims": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(1, 3, 2)),
    "lstsq_dims_far": lambda m: m.linalg.lstsq(m.ones(2, 4, 3, 2), m.ones(4, 3)),
    "lstsq_rows": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(4, 2)),
    "lstsq_rows_vector": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(4)),
    "lstsq_rows_batched": lambda m: m.linalg.lstsq(m.ones(2, 3, 2), m.ones(2, 4)),
    "lstsq_driver": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(3, 2), driver="foo"),
    "lstsq_driver_type": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(3, 2), driver=3),
    "lstsq_rcond_type": lambda m: m.linalg.lstsq(m.ones(3, 2), m.ones(3, 2), rcond="a"),
    "lstsq_int": lambda m: m.linalg.lstsq(m.ones(3, 2, dtype=m.int64), m.ones(3, 2, dtype=m.int64)),
    "lstsq_half": lambda m: m.linalg.lstsq(
        m.ones(3, 2, dtype=m.float16), m.ones(3, 2, dtype=m.float16)
    ),
    "lstsq_driver_before_dtype": lambda m: m.linalg.lstsq(
        m.ones(3, 2, dtype=m.int64), m.ones(3, 2, dtype=m.int64), driver="foo"
    ),
    # the batch dims broadcast with B's leading dims, then with B's own batch dims
    "lstsq_batch": lambda m: m.linalg.lstsq(m.ones(3, 3, 2), m.ones(5, 3, 2)),
    "lstsq_batch_one_fewer": lambda m: m.linalg.lstsq(m.ones(4, 3, 2), m.ones(3, 5)),
    "lstsq_batch_inner": lambda m: m.linalg.lstsq(m.ones(2, 4, 3, 2), m.ones(4, 3, 5)),
    "lstsq_batch_second": lambda m: m.linalg.lstsq(m.ones(2, 1, 3, 2), m.ones(2, 3, 3)),
    "lstsq_batch_vector_shape": lambda m: m.linalg.lstsq(m.ones(5, 3, 2), m.ones(3, 2)),
    "solve_ex_singular": lambda m: m.linalg.solve_ex(
        _f64(m, SINGULAR), m.ones(2, dtype=m.float64), check_errors=True
    ),
    "solve_ex_singular_batch": lambda m: m.linalg.solve_ex(
        _batch(m, np.eye(2), SINGULAR), m.ones(2, dtype=m.float64), check_errors=True
    ),
    "solve_singular_batch": lambda m: m.linalg.solve(
        _batch(m, np.eye(2), SINGULAR), m.ones(3, 1, 2, 2, dtype=m.float64)
    ),
    "solve_ex_not_square": lambda m: m.linalg.solve_ex(m.ones(2, 3), m.ones(2)),
    "solve_ex_int": lambda m: m.linalg.solve_ex(
        m.ones(2, 2, dtype=m.int64), m.ones(2, dtype=m.int64)
    ),
    "solve_ex_right_vector": lambda m: m.linalg.solve_ex(m.eye(2), m.ones(2), left=False),
    "inv_ex_singular": lambda m: m.linalg.inv_ex(_f64(m, SINGULAR), check_errors=True),
    "inv_ex_singular_batch": lambda m: m.linalg.inv_ex(
        _batch(m, np.eye(2), SINGULAR), check_errors=True
    ),
    "inv_ex_1d": lambda m: m.linalg.inv_ex(m.ones(2)),
    "inv_ex_int": lambda m: m.linalg.inv_ex(m.ones(2, 2, dtype=m.int64)),
    "cholesky_ex_not_pd": lambda m: m.linalg.cholesky_ex(_f64(m, NOT_PD), check_errors=True),
    "cholesky_ex_not_pd_batch": lambda m: m.linalg.cholesky_ex(
        _batch(m, np.eye(3), NOT_PD), upper=True, check_errors=True
    ),
    "cholesky_nan_pivot": lambda m: m.linalg.cholesky(
        _f64(m, [[4.0, 2.0, 1.0], [2.0, 5.0, 3.0], [1.0, float("nan"), 5.0]])
    ),
    "cholesky_ex_not_square": lambda m: m.linalg.cholesky_ex(m.ones(2, 3)),
    "vander_n": lambda m: m.linalg.vander(m.ones(3), N=1),
    "vander_scalar": lambda m: m.linalg.vander(m.tensor(2.0)),
    "vander_bool": lambda m: m.linalg.vander(m.tensor([True, False])),
    "vander_half": lambda m: m.linalg.vander(m.ones(3, dtype=m.float16)),
    "tensorinv_ind": lambda m: m.linalg.tensorinv(m.ones(2, 3, 6), ind=0),
    "tensorinv_sizes": lambda m: m.linalg.tensorinv(m.ones(2, 3, 6), ind=1),
    "tensorinv_slice": lambda m: m.linalg.tensorinv(m.ones(2, 3, 6), ind=5),
    "tensorinv_singular": lambda m: m.linalg.tensorinv(m.zeros(2, 2, 4)),
    "tensorinv_int": lambda m: m.linalg.tensorinv(m.ones(2, 2, 4, dtype=m.int64)),
    "tensorsolve_sizes": lambda m: m.linalg.tensorsolve(m.ones(6, 2, 3), m.ones(2, 3)),
    "tensorsolve_singular": lambda m: m.linalg.tensorsolve(m.zeros(2, 3, 6), m.ones(2, 3)),
    "tensorsolve_dtypes": lambda m: m.linalg.tensorsolve(
        m.ones(2, 3, 6, dtype=m.float64), m.ones(2, 3)
    ),
    "diagonal_positional": lambda m: m.linalg.diagonal(m.ones(2, 3), 1),
}


@needs_torch
@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


VALUES = {
    # each driver's outputs: residuals (m > n, full rank, not gelsy), rank (not gels),
    # singular values (gelsd and gelss)
    "lstsq_gelsy": lambda m: tuple(_ls(m, TALL, RHS5)),
    "lstsq_gelsd": lambda m: tuple(_ls(m, TALL, RHS5, driver="gelsd")),
    "lstsq_gelss": lambda m: tuple(_ls(m, TALL, RHS5, driver="gelss")),
    "lstsq_gels": lambda m: tuple(_ls(m, TALL, RHS5, driver="gels")),
    "lstsq_wide": lambda m: tuple(_ls(m, WIDE, RHS3, driver="gelsd")),
    "lstsq_vector": lambda m: tuple(_ls(m, TALL, RHS5[0] + [1.0, 2.0, 3.0], driver="gelss")),
    "lstsq_batched": lambda m: tuple(_ls(m, BATCH, BATCH_RHS, driver="gelsd")),
    "lstsq_batched_vectors": lambda m: tuple(
        _ls(m, BATCH, np.asarray(BATCH_RHS)[..., 0].tolist(), driver="gels")
    ),
    # A's batch broadcast: the rank and singular values keep A's batch dims
    "lstsq_broadcast_a": lambda m: tuple(
        _ls(m, [TALL], np.asarray(BATCH_RHS).tolist(), driver="gelsd")
    ),
    "lstsq_one_dim_fewer_matrix": lambda m: tuple(
        _ls(m, [TALL], np.asarray(RHS5).tolist(), driver="gelss")
    ),
    # rank deficient: the least-norm solution, the rank seen, no residuals
    "lstsq_deficient_gelsy": lambda m: tuple(_ls(m, DEFICIENT, RHS5)),
    "lstsq_deficient_gelsd": lambda m: tuple(_ls(m, DEFICIENT, RHS5, driver="gelsd")),
    "lstsq_rcond": lambda m: tuple(
        _ls(m, [[1.0, 0.0], [0.0, 1e-3], [0.0, 0.0]], RHS3, rcond=1e-2, driver="gelss")
    ),
    "lstsq_rcond_zero_gelsd": lambda m: tuple(
        _ls(m, [[1.0, 0.0], [0.0, 1e-17], [0.0, 0.0]], RHS3, rcond=0.0, driver="gelsd")
    ),
    "lstsq_zero_gelsy": lambda m: tuple(_ls(m, np.zeros((3, 2)).tolist(), RHS3)),
    "lstsq_zero_gels": lambda m: tuple(_ls(m, np.zeros((3, 2)).tolist(), RHS3, driver="gels")),
    "lstsq_no_rows": lambda m: tuple(
        m.linalg.lstsq(m.zeros(0, 2, dtype=m.float64), m.zeros(0, 2, dtype=m.float64))
    ),
    "lstsq_no_columns": lambda m: tuple(
        m.linalg.lstsq(m.ones(3, 0, dtype=m.float64), m.ones(3, 2, dtype=m.float64), driver="gelsd")
    ),
    "lstsq_no_columns_gels": lambda m: tuple(
        m.linalg.lstsq(m.ones(3, 0, dtype=m.float64), m.ones(3, 2, dtype=m.float64), driver="gels")
    ),
    "lstsq_empty_batch": lambda m: tuple(
        m.linalg.lstsq(m.ones(0, 3, 2), m.ones(0, 3, 2), driver="gelsd")
    ),
    "lstsq_float32": lambda m: tuple(
        m.linalg.lstsq(m.tensor(TALL), m.tensor(RHS5), driver="gelsd")
    ),
    "lstsq_grad_fns": lambda m: tuple(
        m.linalg.lstsq(_f64(m, TALL).requires_grad_(), _f64(m, RHS5), driver="gelsd")
    ),
    "solve_ex": lambda m: tuple(m.linalg.solve_ex(_f64(m, NOT_PD), m.ones(3, dtype=m.float64))),
    "solve_ex_singular": lambda m: tuple(
        m.linalg.solve_ex(_batch(m, np.eye(2), SINGULAR), m.ones(3, 1, 2, 2, dtype=m.float64))
    ),
    "solve_ex_singular_right": lambda m: tuple(
        m.linalg.solve_ex(_f64(m, SINGULAR), m.ones(3, 2, dtype=m.float64), left=False)
    ),
    "inv_ex": lambda m: tuple(m.linalg.inv_ex(_f64(m, NOT_PD).requires_grad_())),
    "inv_ex_singular": lambda m: tuple(m.linalg.inv_ex(_batch(m, np.eye(2), SINGULAR))),
    "cholesky_ex": lambda m: tuple(m.linalg.cholesky_ex(m.eye(3) * 4)),
    # LAPACK's partial factor: the failing pivot left in place, later columns as they were
    "cholesky_ex_partial": lambda m: tuple(m.linalg.cholesky_ex(_f64(m, NOT_PD))),
    "cholesky_ex_partial_upper": lambda m: tuple(
        m.linalg.cholesky_ex(_batch(m, np.eye(3), NOT_PD, -np.eye(3)), upper=True)
    ),
    "cholesky_ex_nan_pivot": lambda m: tuple(
        m.linalg.cholesky_ex(_f64(m, [[4.0, 2.0, 1.0], [2.0, 5.0, 3.0], [1.0, np.nan, 5.0]]))
    ),
    "vander_int": lambda m: m.linalg.vander(m.tensor([1, 2, 3])),
    "vander_uint8": lambda m: m.linalg.vander(m.tensor([1, 2], dtype=m.uint8)),
    "vander_scalar_n": lambda m: m.linalg.vander(m.tensor(2.0), N=3),
    "vander_complex": lambda m: m.view_as_real(m.linalg.vander(m.tensor([1 + 1j, 2 - 1j]), N=3)),
    "tensorinv_1": lambda m: m.linalg.tensorinv(
        _f64(m, np.eye(4).reshape(4, 2, 2) * 2).requires_grad_(), ind=1
    ),
    "tensorsolve_dims": lambda m: m.linalg.tensorsolve(
        _f64(m, np.eye(6).reshape(6, 2, 3)).requires_grad_(), m.ones(2, 3, dtype=m.float64), (0,)
    ),
    "linalg_diagonal": lambda m: m.linalg.diagonal(m.ones(2, 3, 4), offset=-1, dim1=0),
    "linalg_matmul": lambda m: m.linalg.matmul(m.ones(3), m.ones(3, 2)),
}


@needs_torch
@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@needs_torch
def test_named_tuples_are_torchs():
    a, b = [[2.0, 1.0], [4.0, 3.0], [1.0, 1.0]], [[1.0], [2.0], [3.0]]
    for m_res in (
        (
            gs.linalg.lstsq(gs.tensor(a), gs.tensor(b)),
            torch.linalg.lstsq(torch.tensor(a), torch.tensor(b)),
        ),
        (gs.linalg.inv_ex(gs.eye(2)), torch.linalg.inv_ex(torch.eye(2))),
        (
            gs.linalg.solve_ex(gs.eye(2), gs.ones(2)),
            torch.linalg.solve_ex(torch.eye(2), torch.ones(2)),
        ),
        (gs.linalg.cholesky_ex(gs.eye(2)), torch.linalg.cholesky_ex(torch.eye(2))),
    ):
        ours, theirs = m_res
        assert repr(ours).replace("gradscope", "torch") == repr(theirs)
    r = gs.linalg.lstsq(gs.tensor(a), gs.tensor(b), driver="gelsd")
    assert r._fields == ("solution", "residuals", "rank", "singular_values")
    assert r.solution is r[0] and r.singular_values is r[3]
    assert gs.linalg.solve_ex(gs.eye(2), gs.ones(2))._fields == ("result", "info")
    assert gs.linalg.inv_ex(gs.eye(2))._fields == ("inverse", "info")
    assert gs.linalg.cholesky_ex(gs.eye(2))._fields == ("L", "info")


@needs_torch
@pytest.mark.parametrize(
    "shapes", [((5, 3), (5, 2)), ((3, 5), (3, 2)), ((2, 5, 3), (2, 5, 2)), ((2, 5, 3), (2, 5))]
)
@pytest.mark.parametrize("driver", ["gelsy", "gelsd"])
def test_lstsq_layout_is_lapacks(shapes, driver):
    """The solution is the first n rows of a column-major max(m, n) x k array, as torch's."""
    a, b = (RNG.standard_normal(s) for s in shapes)
    ours = gs.linalg.lstsq(gs.tensor(a), gs.tensor(b), driver=driver)
    theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for name in ("solution", "residuals", "singular_values"):
        x, y = getattr(ours, name), getattr(theirs, name)
        assert x.stride() == y.stride() and x.is_contiguous() == y.is_contiguous(), name


@needs_torch
def test_lstsq_node_saves_self_b_and_solution_and_has_two_outputs():
    def run(m):
        a = m.tensor(TALL, dtype=m.float64, requires_grad=True)
        b = m.tensor(RHS5, dtype=m.float64, requires_grad=True)
        return a, b, m.linalg.lstsq(a, b, driver="gelsd")

    ga, gb, g = run(gs)
    ta, tb, t = run(torch)
    node = g.solution.grad_fn
    assert node.name() == t.solution.grad_fn.name() == "LinalgLstsqBackward0"
    assert g.residuals.grad_fn is node and g.rank.grad_fn is None
    assert g.singular_values.grad_fn is None and not g.rank.requires_grad
    assert node._saved_self is ga and node._saved_b is gb
    np.testing.assert_array_equal(
        node._saved_solution.detach().numpy(), g.solution.detach().numpy()
    )
    # the residuals alone reach the inputs through output 1
    (g.residuals.sum() * 2).backward()
    (t.residuals.sum() * 2).backward()
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@needs_torch
def test_ex_nodes_and_info_dtype_are_torchs():
    a = gs.tensor(NOT_PD, dtype=gs.float64, requires_grad=True)
    spd = a @ a.mT + gs.eye(3, dtype=gs.float64)
    for r, node, saved in (
        (gs.linalg.solve_ex(a, gs.ones(3, dtype=gs.float64)), "LinalgSolveExBackward0", "result"),
        (gs.linalg.inv_ex(a), "LinalgInvExBackward0", "inverse"),
        (gs.linalg.cholesky_ex(spd), "LinalgCholeskyExBackward0", "L"),
    ):
        assert r[0].grad_fn.name() == node
        assert getattr(r[0].grad_fn, "_saved_" + saved) is not None
        assert r.info.dtype == gs.int32 and r.info.grad_fn is None and r.info.item() == 0
    info = gs.linalg.inv_ex(gs.stack([gs.eye(2), gs.tensor(SINGULAR), gs.eye(2)])).info
    assert info.tolist() == [0, 2, 0]
    info = gs.linalg.cholesky_ex(gs.stack([gs.eye(2), -gs.eye(2)])).info
    assert info.tolist() == [0, 1]
