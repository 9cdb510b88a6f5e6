"""``matrix_exp``, the triangular and Cholesky solvers (``linalg.solve_triangular``,
``triangular_solve``, ``cholesky_solve``, ``cholesky_inverse``) and the LU factorisation
(``linalg.lu_factor``, ``lu_factor_ex``, ``lu``, ``lu_solve``, ``lu_unpack``) and
``linalg.householder_product``: values of known matrices,
float64 finite differences of each backward and forward mode (without torch), then against
torch 2.13: errors, special values, named tuples, what each node saves. The op-table cases
(values, gradients, graphs, second order) are in ``tests/op_cases.py``."""

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


def _spd_factor(m, a, upper=False):
    return m.linalg.cholesky(a @ a.mT + 3 * m.eye(a.shape[-1], dtype=a.dtype), upper=upper)


def _ts(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gs.triangular_solve(*args, **kwargs)


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


def test_solvers_solve():
    a = np.triu(A33) + 4 * np.eye(3)
    x = gs.linalg.solve_triangular(_t(a, False), _t(R32, False), upper=True).numpy()
    np.testing.assert_allclose(a @ x, R32, atol=1e-14)
    x = gs.linalg.solve_triangular(_t(a, False), _t(R32.T, False), upper=True, left=False)
    np.testing.assert_allclose(x.numpy() @ a, R32.T, atol=1e-14)
    unit = np.tril(A33, -1) + np.eye(3)
    x = gs.linalg.solve_triangular(_t(A33, False), _t(R32, False), upper=False, unitriangular=True)
    np.testing.assert_allclose(unit @ x.numpy(), R32, atol=1e-14)
    sol, coef = _ts(_t(R32, False), _t(a, False), transpose=True)
    np.testing.assert_allclose(a.T @ sol.numpy(), R32, atol=1e-14)
    np.testing.assert_array_equal(coef.numpy(), a)
    spd = A33 @ A33.T + 3 * np.eye(3)
    low = np.linalg.cholesky(spd)
    for f, up in ((low, False), (low.T, True)):
        x = gs.cholesky_solve(_t(R32, False), _t(f, False), upper=up).numpy()
        np.testing.assert_allclose(spd @ x, R32, atol=1e-13)
        inv = gs.cholesky_inverse(_t(f, False), upper=up).numpy()
        np.testing.assert_allclose(inv, np.linalg.inv(spd), rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------------------------ derivatives

GRADCHECKS = {
    "matrix_exp": (lambda a: gs.linalg.matrix_exp(a), (A33,)),
    "matrix_exp_batched_scaled": (lambda a: gs.matrix_exp(a * 3), (B233,)),
    "solve_triangular_lower": (
        lambda a, b: gs.linalg.solve_triangular(a + 4 * gs.eye(3, dtype=F64), b, upper=False),
        (B233, R32),
    ),
    "solve_triangular_right_unit": (
        lambda a, b: gs.linalg.solve_triangular(a, b, upper=True, left=False, unitriangular=True),
        (A33, R32.T),
    ),
    "triangular_solve_transpose": (
        lambda b, a: _ts(b, a + 4 * gs.eye(3, dtype=F64), False, True)[0],
        (R32, B233),
    ),
    "triangular_solve_both": (
        lambda b, a: sum(t.sum(-1) for t in _ts(b, a + 4 * gs.eye(3, dtype=F64))),
        (R32, A33),
    ),
    "cholesky_solve": (lambda b, a: gs.cholesky_solve(b, _spd_factor(gs, a)), (R32, B233)),
    "cholesky_solve_upper": (
        lambda b, a: gs.cholesky_solve(b, _spd_factor(gs, a, True), upper=True),
        (R32, A33),
    ),
    "cholesky_inverse": (lambda a: gs.cholesky_inverse(_spd_factor(gs, a)), (B233,)),
    "cholesky_inverse_upper": (
        lambda a: gs.cholesky_inverse(_spd_factor(gs, a, True), upper=True),
        (A33,),
    ),
}


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_gradcheck_and_gradgradcheck(name):
    fn, arrays = GRADCHECKS[name]
    xs = [_t(a) for a in arrays]
    assert gs.autograd.gradcheck(fn, xs)
    assert gs.autograd.gradgradcheck(fn, xs, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_forward_mode_matches_finite_differences(name):
    """torch's forward mode of ``triangular_solve`` and ``cholesky_inverse`` is not their
    derivative; gradscope's is, as this checks."""
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


def test_solve_triangular_gradient_is_its_triangle():
    a, b = _t(A33), _t(R32)
    gs.linalg.solve_triangular(a + 4 * gs.eye(3, dtype=F64), b, upper=True).sum().backward()
    assert (np.tril(a.grad.numpy(), -1) == 0).all() and (np.diag(a.grad.numpy()) != 0).all()
    a.grad = None
    gs.linalg.solve_triangular(a, b, upper=False, unitriangular=True).sum().backward()
    assert (np.triu(a.grad.numpy()) == 0).all()


def test_nodes_and_what_they_keep():
    a, b = _t(A33), _t(R32)
    node = gs.linalg.matrix_exp(a).grad_fn
    assert node.name() == "LinalgMatrixExpBackward0" and node._saved_self is a
    x = gs.linalg.solve_triangular(a, b, upper=False, left=True, unitriangular=True)
    node = x.grad_fn
    assert node.name() == "LinalgSolveTriangularBackward0"
    assert (node._saved_upper, node._saved_left, node._saved_unitriangular) == (False, True, True)
    assert node._saved_self is a and x._buffer is node._saved["result"].buffer
    assert sorted(node._saved) == ["result", "self"]
    sol, coef = _ts(b, a, False, True, False)
    assert sol.grad_fn.name() == coef.grad_fn.name() == "TriangularSolveBackward0"
    assert sorted(sol.grad_fn._saved) == ["A", "self", "solution"]
    assert sol.grad_fn._saved_transpose is True and sol.grad_fn._saved_upper is False
    node = gs.cholesky_solve(b, a, upper=True).grad_fn
    assert node.name() == "CholeskySolveBackward0" and node._saved_upper is True
    assert sorted(node._saved) == ["input2", "result", "self"] and node._saved_input2 is a
    node = gs.cholesky_inverse(a).grad_fn
    assert node.name() == "CholeskyInverseBackward0" and sorted(node._saved) == ["result", "self"]


def test_triangular_solve_is_a_named_tuple_and_warns():
    with pytest.warns(UserWarning, match="torch.triangular_solve is deprecated") as rec:
        r = gs.triangular_solve(gs.ones(2, 1), gs.eye(2))
    assert rec[0].filename == __file__
    assert type(r).__name__ == "triangular_solve" and r._fields == (
        "solution",
        "cloned_coefficient",
    )
    assert r.solution is r[0] and r.cloned_coefficient.grad_fn is None


def test_solve_triangular_needs_upper():
    with pytest.raises(TypeError, match='missing 1 required positional arguments: "upper"'):
        gs.linalg.solve_triangular(gs.eye(2), gs.ones(2, 2))


# ------------------------------------------------------------------------------ against torch

ERRORS = {
    "mexp_not_square": lambda m: m.linalg.matrix_exp(m.ones(2, 3)),
    "mexp_vector": lambda m: m.linalg.matrix_exp(m.ones(3)),
    "mexp_int": lambda m: m.matrix_exp(m.eye(2, dtype=m.int64)),
    "cs_int": lambda m: m.cholesky_solve(m.ones(2, 2, dtype=m.int64), m.eye(2, dtype=m.int64)),
    "cs_dtypes": lambda m: m.cholesky_solve(m.ones(2, 2), m.eye(2, dtype=m.float64)),
    "cs_b_vector": lambda m: m.cholesky_solve(m.ones(2), m.eye(2)),
    "cs_l_vector": lambda m: m.cholesky_solve(m.ones(2, 2), m.ones(2)),
    "cs_not_square": lambda m: m.cholesky_solve(m.ones(2, 2), m.ones(2, 3)),
    "cs_sizes": lambda m: m.cholesky_solve(m.ones(3, 2), m.eye(2)),
    "cs_batch": lambda m: m.cholesky_solve(m.ones(3, 2, 2), m.ones(4, 2, 2)),
    "cs_batch_4d": lambda m: m.cholesky_solve(m.ones(5, 3, 2, 2), m.ones(4, 1, 2, 2)),
    "ci_int": lambda m: m.cholesky_inverse(m.eye(2, dtype=m.int64)),
    "ci_vector": lambda m: m.cholesky_inverse(m.ones(2)),
    "ci_not_square": lambda m: m.cholesky_inverse(m.ones(2, 3)),
    "ci_singular": lambda m: m.cholesky_inverse(m.zeros(2, 2)),
    "ci_singular_batch": lambda m: m.cholesky_inverse(m.stack([m.eye(2), m.zeros(2, 2)])),
    "st_int": lambda m: m.linalg.solve_triangular(
        m.eye(2, dtype=m.int64), m.ones(2, 2, dtype=m.int64), upper=True
    ),
    "st_int_a": lambda m: m.linalg.solve_triangular(
        m.eye(2, dtype=m.int64), m.ones(2, 2), upper=True
    ),
    "st_b_vector": lambda m: m.linalg.solve_triangular(m.eye(2), m.ones(2), upper=True),
    "st_a_vector": lambda m: m.linalg.solve_triangular(m.ones(2), m.ones(2, 2), upper=True),
    "st_not_square": lambda m: m.linalg.solve_triangular(m.ones(2, 3), m.ones(2, 2), upper=True),
    "st_shapes": lambda m: m.linalg.solve_triangular(m.eye(2), m.ones(3, 2), upper=True),
    "st_shapes_right": lambda m: m.linalg.solve_triangular(
        m.eye(2), m.ones(2, 3), upper=True, left=False
    ),
    "st_batch": lambda m: m.linalg.solve_triangular(m.ones(3, 2, 2), m.ones(4, 2, 2), upper=True),
    "ts_int": lambda m: m.triangular_solve(m.ones(2, 2, dtype=m.int64), m.eye(2, dtype=m.int64)),
    "ts_dtypes": lambda m: m.triangular_solve(m.ones(2, 2), m.eye(2, dtype=m.float64)),
    "ts_b_vector": lambda m: m.triangular_solve(m.ones(2), m.eye(2)),
    "ts_a_vector": lambda m: m.triangular_solve(m.ones(2, 2), m.ones(2)),
    "ts_not_square": lambda m: m.triangular_solve(m.ones(2, 2), m.ones(2, 3)),
    "ts_sizes": lambda m: m.triangular_solve(m.ones(3, 2), m.eye(2)),
    "ts_batch": lambda m: m.triangular_solve(m.ones(3, 2, 2), m.ones(4, 2, 2)),
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
    "st_singular": lambda m: m.linalg.solve_triangular(m.zeros(2, 2), m.ones(2, 2), upper=True),
    "st_b_dtype": lambda m: m.linalg.solve_triangular(
        m.eye(2) * 2, m.ones(2, 2, dtype=m.float64), upper=True
    ),
    "st_a_float64": lambda m: m.linalg.solve_triangular(
        m.eye(2, dtype=m.float64) * 2, m.ones(2, 2), upper=True
    ),
    "st_broadcast": lambda m: m.linalg.solve_triangular(
        m.eye(2).expand(3, 2, 2) * 2, m.ones(1, 2, 4), upper=False
    ),
    "ts_singular": lambda m: tuple(m.triangular_solve(m.ones(2, 1), m.zeros(2, 2))),
    "ts_broadcast": lambda m: tuple(m.triangular_solve(m.ones(3, 2, 1), m.eye(2) * 2)),
    "ts_grad": lambda m: tuple(m.triangular_solve(m.ones(2, 1), m.eye(2, requires_grad=True))),
    "cs_broadcast": lambda m: m.cholesky_solve(m.ones(3, 2, 1), m.eye(2)[None] * 2),
    "ci_batched": lambda m: m.cholesky_inverse(m.eye(2).expand(2, 2, 2) * 2, upper=True),
    "ci_empty": lambda m: m.cholesky_inverse(m.ones(0, 0)),
    "st_int_b": lambda m: m.linalg.solve_triangular(
        m.eye(2) * 2, m.ones(2, 2, dtype=m.int64), upper=True
    ),
    "st_no_columns": lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3, 0), upper=True),
}


@needs_torch
@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@needs_torch
def test_triangular_solve_repr_is_torchs():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gs.triangular_solve(gs.ones(2, 1), gs.eye(2))
        theirs = torch.triangular_solve(torch.ones(2, 1), torch.eye(2))
    assert repr(ours).replace("gradscope", "torch") == repr(theirs)


@needs_torch
def test_mixed_dtypes_of_solve_triangular_as_torch():
    grads = []
    for m in (gs, torch):
        a = m.eye(2, requires_grad=True)
        b = m.ones(2, 2, dtype=m.float64, requires_grad=True)
        x = m.linalg.solve_triangular(a * 2, b, upper=True)
        assert [n.name() for n, _ in x.grad_fn.next_functions][1].endswith("AccumulateGrad")
        x.sum().backward()
        grads.append((str(b.grad.dtype)[-7:], b.grad.tolist(), a.grad.tolist()))
    assert grads[0] == grads[1]


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


def _eye(m):
    return m.eye(3, dtype=m.float64)


def tight_solve_triangular(m, a, b):
    return m.linalg.solve_triangular(a + 4 * _eye(m), b, upper=True)


def tight_solve_triangular_right(m, a, b):
    return m.linalg.solve_triangular(a + 4 * _eye(m), b.mT, upper=False, left=False)


def tight_triangular_solve(m, a, b):
    s, c = m.triangular_solve(b, a + 4 * _eye(m), False, True, True)
    return s + c[..., :2]


def tight_cholesky_solve(m, a, b):
    return m.cholesky_solve(b, _spd_factor(m, a, True), upper=True)


def tight_cholesky_inverse(m, a, b):
    return m.cholesky_inverse(_spd_factor(m, a)) * b.sum()


TIGHT = [
    tight_matrix_exp,
    tight_solve_triangular,
    tight_solve_triangular_right,
    tight_triangular_solve,
    tight_cholesky_solve,
    tight_cholesky_inverse,
]


# ------------------------------------------------------------------------------ LU


def test_lu_factors_multiply_back():
    a = B233 + 0.5
    P, L, U = gs.linalg.lu(_t(a, False))
    np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-14)
    assert (np.triu(L.numpy(), 1) == 0).all() and (np.diagonal(L.numpy(), 0, -2, -1) == 1).all()
    lu, piv = gs.linalg.lu_factor(_t(a, False))
    assert piv.dtype == gs.int32
    for x, y in zip(gs.lu_unpack(lu, piv), (P, L, U)):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    x = gs.linalg.lu_solve(lu, piv, _t(R32, False))
    np.testing.assert_allclose(a @ x.numpy(), np.broadcast_to(R32, (2, 3, 2)), atol=1e-13)
    x = gs.linalg.lu_solve(lu, piv, _t(R32.T, False), left=False, adjoint=True)
    np.testing.assert_allclose(
        x.numpy() @ a.transpose(0, 2, 1), np.broadcast_to(R32.T, (2, 2, 3)), atol=1e-13
    )


def test_lu_of_rectangular_matrices_multiplies_back():
    for shape in ((2, 4, 3), (3, 5)):
        a = RNG.standard_normal(shape)
        P, L, U = gs.linalg.lu(_t(a, False))
        k = min(shape[-2:])
        assert tuple(L.shape[-2:]) == (shape[-2], k) and tuple(U.shape[-2:]) == (k, shape[-1])
        np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-14)


LU_GRADCHECKS = {
    "lu_factor": (lambda a: gs.linalg.lu_factor(a).LU, (B233,)),
    "lu": (lambda a: sum(t.sum(-1) * k for k, t in enumerate(gs.linalg.lu(a))), (A33,)),
    "lu_unpack": (lambda a: gs.lu_unpack(*gs.linalg.lu_factor(a)).L, (B233,)),
    "lu_factor_tall": (lambda a: gs.linalg.lu_factor(a).LU, (RNG.standard_normal((2, 4, 3)),)),
    "lu_wide": (
        lambda a: sum(t.sum() for t in gs.linalg.lu(a)[1:]),
        (RNG.standard_normal((3, 5)),),
    ),
    "lu_unpack_tall": (
        lambda a: gs.lu_unpack(*gs.linalg.lu_factor(a)).L,
        (RNG.standard_normal((5, 2)),),
    ),
    "lu_solve": (lambda a, b: gs.linalg.lu_solve(*gs.linalg.lu_factor(a), b), (B233, R32)),
    "lu_solve_right_adjoint": (
        lambda a, b: gs.linalg.lu_solve(*gs.linalg.lu_factor(a), b.mT, left=False, adjoint=True),
        (A33, R32),
    ),
}


@pytest.mark.parametrize("name", list(LU_GRADCHECKS))
def test_lu_gradcheck_and_gradgradcheck(name):
    fn, arrays = LU_GRADCHECKS[name]
    xs = [_t(a) for a in arrays]
    assert gs.autograd.gradcheck(fn, xs)
    assert gs.autograd.gradgradcheck(fn, xs, atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("name", list(LU_GRADCHECKS))
def test_lu_forward_mode_matches_finite_differences(name):
    fn, arrays = LU_GRADCHECKS[name]
    tangents = [np.random.default_rng(4).standard_normal(np.shape(a)) for a in arrays]
    _, jvp = gs.func.jvp(
        fn, tuple(_t(a, False) for a in arrays), tuple(_t(t, False) for t in tangents)
    )
    eps = 1e-6
    plus = fn(*(_t(a + eps * t, False) for a, t in zip(arrays, tangents))).numpy()
    minus = fn(*(_t(a - eps * t, False) for a, t in zip(arrays, tangents))).numpy()
    np.testing.assert_allclose(jvp.numpy(), (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_lu_nodes_and_what_they_keep():
    a, b = _t(A33), _t(R32)
    lu, piv = gs.linalg.lu_factor(a)
    node = lu.grad_fn
    assert node.name() == "LinalgLuFactorExBackward0" and node._saved_pivot is True
    assert sorted(node._saved) == ["LU", "pivots"] and piv.grad_fn is None
    P, L, U = gs.linalg.lu(a)
    assert L.grad_fn.name() == U.grad_fn.name() == "LinalgLuBackward0" and P.grad_fn is None
    assert sorted(U.grad_fn._saved) == ["L", "P", "U"]
    P, L, U = gs.lu_unpack(lu, piv)
    assert (
        U.grad_fn.name() == "LuUnpackBackward0"
        and U.grad_fn._saved_LU_data_sym_argsize_minus_1 == 3
    )
    node = gs.linalg.lu_solve(lu, piv, b, adjoint=True).grad_fn
    assert node.name() == "LinalgLuSolveBackward0" and node._saved_adjoint is True
    assert sorted(node._saved) == ["LU", "pivots", "result"]
    assert node._saved["pivots"].buffer is piv._buffer  # the pivots' own bytes, not a copy
    assert [n.name() for n, _ in node.next_functions] == [
        "LinalgLuFactorExBackward0",
        "torch::autograd::AccumulateGrad",
    ]


LU_ERRORS = {
    "lu_factor_vector": lambda m: m.linalg.lu_factor(m.ones(3)),
    "lu_factor_ex_vector": lambda m: m.linalg.lu_factor_ex(m.ones(3)),
    "lu_factor_int": lambda m: m.linalg.lu_factor(m.eye(2, dtype=m.int64)),
    "lu_factor_singular": lambda m: m.linalg.lu_factor(m.zeros(2, 2)),
    "lu_factor_singular_wide": lambda m: m.linalg.lu_factor(m.ones(2, 3)),
    "lu_factor_singular_batch": lambda m: m.linalg.lu_factor(m.stack([m.eye(2), m.zeros(2, 2)])),
    "lu_factor_ex_check": lambda m: m.linalg.lu_factor_ex(
        m.stack([m.eye(2), m.zeros(2, 2)]), check_errors=True
    ),
    "lu_no_pivot": lambda m: m.linalg.lu(m.eye(2), pivot=False),
    "lu_vector": lambda m: m.linalg.lu(m.ones(3)),
    "lu_int": lambda m: m.linalg.lu(m.eye(2, dtype=m.int64)),
    "lu_unpack_pivots_dtype": lambda m: m.lu_unpack(m.eye(2), m.ones(2)),
    "lu_unpack_vector": lambda m: m.lu_unpack(m.ones(2), m.ones(2, dtype=m.int32)),
    "lu_solve_shapes": lambda m: m.linalg.lu_solve(
        m.eye(2), m.ones(2, dtype=m.int32), m.ones(3, 2)
    ),
    "lu_solve_vector": lambda m: m.linalg.lu_solve(m.eye(2), m.ones(2, dtype=m.int32), m.ones(2)),
    "lu_solve_pivots_dtype": lambda m: m.linalg.lu_solve(
        m.eye(2), m.ones(2, dtype=m.int64), m.ones(2, 2)
    ),
    "lu_solve_dtypes": lambda m: m.linalg.lu_solve(
        m.eye(2), m.ones(2, dtype=m.int32), m.ones(2, 2, dtype=m.float64)
    ),
    "lu_solve_not_square": lambda m: m.linalg.lu_solve(
        m.ones(2, 3), m.ones(2, dtype=m.int32), m.ones(2, 2)
    ),
}


@needs_torch
@pytest.mark.parametrize("fn", params(LU_ERRORS))
def test_lu_error(fn):
    check_error(fn)


def _pivoted(m):
    return m.tensor([[1.0, 2.0, 0.5], [4.0, 1.0, 1.0], [2.0, 8.0, 3.0]])


LU_VALUES = {
    "lu_factor": lambda m: tuple(m.linalg.lu_factor(_pivoted(m))),
    "lu_factor_ex_singular": lambda m: tuple(m.linalg.lu_factor_ex(m.zeros(2, 2))),
    "lu": lambda m: tuple(m.linalg.lu(_pivoted(m).requires_grad_())),
    "lu_unpack": lambda m: tuple(m.lu_unpack(*m.linalg.lu_factor(_pivoted(m)))),
    "lu_solve": lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(_pivoted(m)), m.ones(2, 3, 1)),
    "lu_tall": lambda m: tuple(m.linalg.lu(_pivoted(m)[:, :2].requires_grad_())),
    "lu_factor_wide": lambda m: tuple(m.linalg.lu_factor(_pivoted(m)[:2])),
    "lu_unpack_wide": lambda m: tuple(m.lu_unpack(*m.linalg.lu_factor(_pivoted(m)[:2]))),
    "lu_solve_deprecated": lambda m: m.lu_solve(m.ones(3, 2), *m.linalg.lu_factor(_pivoted(m))),
    "lu_solve_method": lambda m: m.ones(3, 1).lu_solve(*m.linalg.lu_factor(_pivoted(m))),
    "lu_deprecated": lambda m: m.lu(_pivoted(m).requires_grad_()),
    "lu_deprecated_singular": lambda m: m.lu(m.zeros(2, 2)),
    "lu_deprecated_infos": lambda m: tuple(m.lu(m.zeros(2, 3, 3), get_infos=True)),
    "lu_method": lambda m: _pivoted(m).lu(),
    "lu_factor_empty": lambda m: tuple(m.linalg.lu_factor(m.ones(0, 0))),
    "lu_factor_no_rows": lambda m: tuple(m.linalg.lu_factor(m.ones(2, 0, 3))),
    "lu_solve_no_columns": lambda m: m.linalg.lu_solve(*m.linalg.lu_factor(m.eye(2)), m.ones(2, 0)),
}


@needs_torch
@pytest.mark.parametrize("fn", params(LU_VALUES))
def test_lu_value(fn):
    check_value(fn)


@needs_torch
def test_lu_results_are_named_tuples_as_torchs():
    a = [[2.0, 1.0], [4.0, 3.0]]
    for name in ("lu_factor", "lu_factor_ex", "lu"):
        ours, theirs = (
            getattr(gs.linalg, name)(gs.tensor(a)),
            getattr(torch.linalg, name)(torch.tensor(a)),
        )
        assert repr(ours).replace("gradscope", "torch") == repr(theirs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = (
            gs.lu(gs.tensor(a), get_infos=True),
            torch.lu(torch.tensor(a), get_infos=True),
        )
    assert repr(ours).replace("gradscope", "torch") == repr(theirs)
    ours = gs.lu_unpack(*gs.linalg.lu_factor(gs.tensor(a)))
    assert repr(ours).replace("gradscope", "torch") == repr(
        torch.lu_unpack(*torch.linalg.lu_factor(torch.tensor(a)))
    )


@needs_torch
def test_lu_values_and_gradients_in_float64_are_torchs():
    for case in (tight_lu, tight_lu_unpack, tight_lu_solve):
        ours, theirs = (_run(m, case) for m in (gs, torch))
        for x, y in zip(ours, theirs):
            np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-13, err_msg=case.__name__)


def tight_lu(m, a, b):
    p, low, up = m.linalg.lu(a)
    return p @ low * 2 + up * b.sum()


def tight_lu_unpack(m, a, b):
    return sum(m.lu_unpack(*m.linalg.lu_factor(a)))


def tight_lu_solve(m, a, b):
    lu, piv = m.linalg.lu_factor(a)
    right = m.linalg.lu_solve(lu, piv, b.mT, left=False)
    return m.linalg.lu_solve(lu, piv, b, adjoint=True) + right.mT


# ------------------------------------------------------------------------------ householder_product


def test_householder_product_is_qr_s_q():
    """The reflectors LAPACK's geqrf leaves (from NumPy's raw QR) give back QR's ``Q``."""
    a = RNG.standard_normal((5, 3))
    h, tau = np.linalg.qr(a, mode="raw")
    q = gs.linalg.householder_product(_t(h.T.copy(), False), _t(tau, False)).numpy()
    np.testing.assert_allclose(q, np.linalg.qr(a)[0], atol=1e-14)
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-14)


HOUSEHOLDER = {
    "square": (lambda a, t: gs.linalg.householder_product(a, t), (A33, R32[:, 0])),
    "tall_batched": (lambda a, t: gs.orgqr(a, t), (RNG.standard_normal((2, 4, 3)), R32[:2].T)),
}


@pytest.mark.parametrize("name", list(HOUSEHOLDER))
def test_householder_gradcheck_and_forward_mode(name):
    fn, arrays = HOUSEHOLDER[name]
    xs = [_t(a) for a in arrays]
    assert gs.autograd.gradcheck(fn, xs)
    assert gs.autograd.gradgradcheck(fn, xs, atol=1e-5, rtol=1e-3)
    tangents = [np.random.default_rng(3).standard_normal(np.shape(a)) for a in arrays]
    _, jvp = gs.func.jvp(
        fn, tuple(_t(a, False) for a in arrays), tuple(_t(t, False) for t in tangents)
    )
    eps = 1e-6
    plus = fn(*(_t(a + eps * t, False) for a, t in zip(arrays, tangents))).numpy()
    minus = fn(*(_t(a - eps * t, False) for a, t in zip(arrays, tangents))).numpy()
    np.testing.assert_allclose(jvp.numpy(), (plus - minus) / (2 * eps), rtol=1e-6, atol=1e-8)


def test_householder_node_keeps_input_tau_and_result():
    a, t = _t(A33), _t(R32[:, 0])
    q = gs.linalg.householder_product(a, t)
    node = q.grad_fn
    assert node.name() == "LinalgHouseholderProductBackward0"
    assert sorted(node._saved) == ["input", "result", "tau"] and node._saved_tau is t
    assert q._buffer is node._saved["result"].buffer


HOUSEHOLDER_ERRORS = {
    "vector": lambda m: m.linalg.householder_product(m.ones(3), m.ones(1)),
    "wide": lambda m: m.linalg.householder_product(m.ones(2, 3), m.ones(1)),
    "too_many_tau": lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(3)),
    "tau_ndim": lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(2, 1)),
    "tau_batch": lambda m: m.linalg.householder_product(m.ones(2, 3, 2), m.ones(3, 1)),
    "dtypes": lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(1, dtype=m.float64)),
    "int": lambda m: m.orgqr(m.ones(3, 2, dtype=m.int64), m.ones(1, dtype=m.int64)),
}


@needs_torch
@pytest.mark.parametrize("fn", params(HOUSEHOLDER_ERRORS))
def test_householder_error(fn):
    check_error(fn)


HOUSEHOLDER_VALUES = {
    "ones": lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(1)),
    "no_reflectors": lambda m: m.linalg.householder_product(m.ones(3, 2), m.ones(0)),
    "method": lambda m: m.ones(3, 2, requires_grad=True).orgqr(m.tensor([0.5, 1.5])),
}


@needs_torch
@pytest.mark.parametrize("fn", params(HOUSEHOLDER_VALUES))
def test_householder_value(fn):
    check_value(fn)


@needs_torch
def test_householder_values_and_gradients_in_float64_are_torchs():
    ours, theirs = (_run(m, tight_householder) for m in (gs, torch))
    for x, y in zip(ours, theirs):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-13)
    for m in (gs, torch):  # no reflectors: the result depends on neither input
        a, t = m.ones(3, 2, requires_grad=True), m.ones(0, requires_grad=True)
        m.linalg.householder_product(a, t).sum().backward()
        assert a.grad is None and t.grad is None


def tight_householder(m, a, b):
    return m.linalg.householder_product(a, b[:2].mT.expand(2, 2, 2)[:, 0] * 0.7)


# ------------------------------------------------------------------------------ layouts


def _strides(t) -> tuple:
    if isinstance(t, gs.Tensor):
        a = np.asarray(t.detach())
        return tuple(s // a.itemsize for s in a.strides)
    return t.stride()


@needs_torch
def test_results_are_stored_as_torchs():
    """Column by column where LAPACK leaves torch's so, which decides what a later ``view``
    or ``reshape`` records."""
    a = B233 + 3 * np.eye(3)
    calls = {
        "matrix_exp": lambda m, x, b: m.linalg.matrix_exp(x),
        "solve_triangular": lambda m, x, b: m.linalg.solve_triangular(x, b, upper=True),
        "cholesky_solve": lambda m, x, b: m.cholesky_solve(b, x),
        "cholesky_inverse": lambda m, x, b: m.cholesky_inverse(x),
        "triangular_solve": lambda m, x, b: m.triangular_solve(b, x)[0],
        "cloned_coefficient": lambda m, x, b: m.triangular_solve(b, x)[1],
        "lu_factor": lambda m, x, b: m.linalg.lu_factor(x).LU,
        "lu_L": lambda m, x, b: m.linalg.lu(x).L,
        "lu_solve": lambda m, x, b: m.linalg.lu_solve(*m.linalg.lu_factor(x), b),
        "householder_product": lambda m, x, b: m.linalg.householder_product(x, b[..., 0]),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, call in calls.items():
            ours = call(gs, gs.tensor(a), gs.tensor(B233[..., :2]))
            theirs = call(torch, torch.tensor(a), torch.tensor(B233[..., :2]))
            assert _strides(ours) == theirs.stride(), name
    check_error(lambda m: m.linalg.solve_triangular(m.eye(3), m.ones(3, 2), upper=True).view(6))
