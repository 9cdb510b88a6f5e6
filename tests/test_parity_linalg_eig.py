"""``gs.linalg.eig`` and ``eigvals`` against torch 2.13 (values, dtypes, nodes, gradients,
errors), and the checks and values of ``eigh``'s ``UPLO``, ``matrix_rank`` and every ``p``
of ``cond``.

LAPACK's ``geev`` (NumPy's OpenBLAS here, MKL in torch) scales each eigenvector to norm 1,
a complex one with its largest component real, but leaves a real eigenvector's sign to
the algorithm, and orders the eigenvalues of a larger matrix as its iteration finds them:
the tables compare eigenvectors where both agree (complex matrices, small real ones) and
what does not depend on the sign elsewhere (``V.abs()``, gradients of such losses).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

INF = math.inf
# real, with a pair of complex eigenvalues
M3 = [[1.0, 2.0, 0.0], [-3.0, 4.0, 1.0], [0.5, -1.0, 2.0]]
M2 = [[1.0, 2.0], [3.0, 4.0]]
ROT = [[0.0, -1.0], [1.0, 0.0]]
SING = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]
NAN = [[1.0, math.nan], [2.0, 3.0]]
_B = np.random.default_rng(7).standard_normal((2, 3, 3))


def _half(m):
    return (m.eye(3) * 2 + 0.5).half()


def _piv(m):
    return m.ones(3, dtype=m.int32)


def _cond_case(make, p):
    return lambda m: m.linalg.cond(make(m), p)


def _c(m, a, dtype=None):
    """``a`` as a complex tensor (``(1 + 0.5j) a`` plus a little ``i a^T``)."""
    t = m.tensor(a, dtype=dtype or m.float64)
    return t * (1 + 0.5j) + 0.25j * t.mT


def _ri(out):
    """``out`` (a tensor or a tuple of them) with each complex tensor's imaginary part
    beside it: ``check_value`` compares the real parts of complex values only."""
    out = out if isinstance(out, tuple) else (out,)
    return tuple(p for t in out for p in ((t, t.imag) if t.is_complex() else (t,)))


def _grad(m, x, loss):
    """``x.grad`` of ``loss(x)`` (``x`` a new leaf)."""
    x.requires_grad_()
    loss(x).backward()
    return x.grad


def _eig_loss(m, x):
    L, V = m.linalg.eig(x)
    return L.abs().sum() + (V.abs() * m.arange(float(V.shape[-1]))).sum()


ERRORS = {
    # eig / eigvals: dtype first (integers have no complex type), then NaN (eig), shape
    "eig_int": lambda m: m.linalg.eig(m.ones(3, 3, dtype=m.int64)),
    "eig_int_vector": lambda m: m.linalg.eig(m.ones(3, dtype=m.int64)),
    "eig_bool": lambda m: m.linalg.eig(m.ones(2, 2, dtype=m.bool)),
    "eigvals_int32": lambda m: m.linalg.eigvals(m.ones(3, 3, dtype=m.int32)),
    "eig_half": lambda m: m.linalg.eig(m.ones(3, 3).half()),
    "eigvals_half": lambda m: m.linalg.eigvals(m.ones(3, 3).half()),
    "eig_not_square": lambda m: m.linalg.eig(m.ones(3, 4)),
    "eig_vector": lambda m: m.linalg.eig(m.ones(3)),
    "eigvals_not_square": lambda m: m.linalg.eigvals(m.ones(3, 4)),
    "eigvals_scalar": lambda m: m.linalg.eigvals(m.tensor(1.0)),
    "eigvals_grad_not_square": lambda m: m.linalg.eigvals(m.ones(3, 4, requires_grad=True)),
    "eig_nan": lambda m: m.linalg.eig(m.tensor(NAN)),
    "eig_inf_batch": lambda m: m.linalg.eig(m.stack([m.eye(2), m.tensor([[INF, 0], [0, 1]])])),
    "eig_nan_not_square": lambda m: m.linalg.eig(m.full((3, 4), math.nan)),
    "eigvals_grad_nan": lambda m: m.linalg.eigvals(m.tensor(NAN, requires_grad=True)),
    "eig_loss_of_phase": lambda m: (
        m.linalg.eig(m.tensor(M3, requires_grad=True)).eigenvectors.real.sum().backward()
    ),
    "eig_loss_of_phase_complex": lambda m: (
        m.linalg.eig(_c(m, M3).requires_grad_()).eigenvectors.imag.sum().backward()
    ),
    # eigh / eigvalsh: UPLO's type, A's shape, UPLO's value, A's dtype
    "eigh_uplo_int": lambda m: m.linalg.eigh(m.eye(2), UPLO=1),
    "eigh_uplo_none": lambda m: m.linalg.eigh(m.eye(2), UPLO=None),
    "eigvalsh_uplo_list": lambda m: m.linalg.eigvalsh(m.eye(2), UPLO=["L"]),
    "eigh_int": lambda m: m.linalg.eigh(m.ones(3, 3, dtype=m.int64), UPLO="L"),
    "eigh_bool": lambda m: m.linalg.eigh(m.ones(3, 3, dtype=m.bool)),
    "eigvalsh_uint8": lambda m: m.linalg.eigvalsh(m.ones(3, 3, dtype=m.uint8)),
    "eigh_half": lambda m: m.linalg.eigh(m.eye(3).half()),
    "eigh_int_bad_uplo": lambda m: m.linalg.eigh(m.ones(3, 3, dtype=m.int64), UPLO="x"),
    # matrix_rank: the default tolerance's epsilon, then eigvalsh's or svd's checks
    "matrix_rank_hermitian_not_square": lambda m: m.linalg.matrix_rank(
        m.ones(2, 3, 4), hermitian=True
    ),
    "matrix_rank_int_rtol": lambda m: m.linalg.matrix_rank(m.ones(3, 3, dtype=m.int64), rtol=0.1),
    "matrix_rank_int_tol": lambda m: m.linalg.matrix_rank(m.ones(3, 3, dtype=m.int64), tol=0.1),
    "matrix_rank_int_hermitian_rtol": lambda m: m.linalg.matrix_rank(
        m.ones(3, 3, dtype=m.int64), hermitian=True, rtol=0.1
    ),
    "matrix_rank_int_hermitian_not_square_rtol": lambda m: m.linalg.matrix_rank(
        m.ones(3, 4, dtype=m.int64), hermitian=True, rtol=0.1
    ),
    "matrix_rank_int_atol_and_rtol": lambda m: m.linalg.matrix_rank(
        m.ones(3, 4, dtype=m.int64), atol=0.0, rtol=0.1
    ),
    "matrix_rank_half": lambda m: m.linalg.matrix_rank(m.eye(2).half()),
    "matrix_rank_half_rtol": lambda m: m.linalg.matrix_rank(m.eye(2).half(), rtol=0.1),
    "matrix_rank_half_hermitian_rtol": lambda m: m.linalg.matrix_rank(
        m.eye(2).half(), hermitian=True, rtol=0.1
    ),
    "svd_half": lambda m: m.linalg.svd(m.eye(2).half()),
    "svdvals_half": lambda m: m.linalg.svdvals(m.eye(2).half()),
    # half precision, which torch's LAPACK kernels have no version of
    "inv_half": lambda m: m.linalg.inv(_half(m)),
    "inv_ex_half": lambda m: m.linalg.inv_ex(_half(m)),
    "inverse_half": lambda m: m.inverse(_half(m)),
    "matrix_power_half_negative": lambda m: m.linalg.matrix_power(_half(m), -2),
    "tensorinv_half": lambda m: m.linalg.tensorinv(_half(m), 1),
    "det_half": lambda m: m.linalg.det(_half(m)),
    "slogdet_half": lambda m: m.linalg.slogdet(_half(m)),
    "logdet_half": lambda m: m.logdet(_half(m)),
    "cholesky_half": lambda m: m.linalg.cholesky(_half(m)),
    "cholesky_ex_half": lambda m: m.linalg.cholesky_ex(_half(m)),
    "torch_cholesky_half": lambda m: m.cholesky(_half(m)),
    "torch_cholesky_int": lambda m: m.cholesky(m.eye(3, dtype=m.int64)),
    "qr_half": lambda m: m.linalg.qr(_half(m)),
    "qr_half_wide": lambda m: m.linalg.qr(m.ones(3, 4).half()),
    "pinv_half": lambda m: m.linalg.pinv(_half(m)),
    "solve_half": lambda m: m.linalg.solve(_half(m), _half(m)),
    "solve_ex_half": lambda m: m.linalg.solve_ex(_half(m), _half(m)[0]),
    "solve_triangular_half": lambda m: m.linalg.solve_triangular(_half(m), _half(m), upper=True),
    "triangular_solve_half": lambda m: m.triangular_solve(_half(m), _half(m)),
    "cholesky_solve_half": lambda m: m.cholesky_solve(_half(m), _half(m)),
    "cholesky_inverse_half": lambda m: m.cholesky_inverse(_half(m)),
    "householder_product_half": lambda m: m.linalg.householder_product(_half(m), _half(m)[0, :2]),
    "lu_half": lambda m: m.linalg.lu(_half(m)),
    "lu_factor_half": lambda m: m.linalg.lu_factor(m.ones(3, 4).half()),
    "lu_factor_ex_half": lambda m: m.linalg.lu_factor_ex(_half(m)),
    "matrix_norm_nuc_half": lambda m: m.linalg.matrix_norm(_half(m), "nuc"),
    "matrix_norm_2_half": lambda m: m.linalg.matrix_norm(m.ones(3, 4).half(), -2),
    "matrix_norm_nuc_half_same_dims": lambda m: m.linalg.matrix_norm(_half(m), "nuc", dim=(0, 0)),
    "norm_2_half": lambda m: m.linalg.norm(_half(m), 2),
    # lu_solve: LU's dtype first, then B's, the pivots' and the shapes
    "lu_solve_half": lambda m: m.linalg.lu_solve(_half(m), _piv(m), _half(m)),
    "lu_solve_int": lambda m: m.linalg.lu_solve(m.eye(3, dtype=m.int64), _piv(m), m.eye(3)),
    "lu_solve_int_not_square": lambda m: m.linalg.lu_solve(
        m.ones(3, 4, dtype=m.int64), _piv(m), m.eye(3, dtype=m.int64)
    ),
    "lu_solve_vector_lu": lambda m: m.linalg.lu_solve(m.ones(3), _piv(m), m.eye(3)),
    "lu_solve_vector_lu_int64_pivots": lambda m: m.linalg.lu_solve(
        m.ones(3), _piv(m).long(), m.eye(3)
    ),
    "lu_solve_vector_b_dtypes": lambda m: m.linalg.lu_solve(
        m.eye(3), _piv(m), m.ones(3, dtype=m.float64)
    ),
    "torch_lu_solve_vector_lu": lambda m: m.lu_solve(m.eye(3), m.ones(3), _piv(m)),
    # matrix_norm's order of checks: a text order, then A's dims, then its dtype
    "matrix_norm_text_of_int": lambda m: m.linalg.matrix_norm(m.eye(2, dtype=m.int64), "abc"),
    "matrix_norm_fro_of_int_vector": lambda m: m.linalg.matrix_norm(
        m.ones(3, dtype=m.int64), "fro"
    ),
    "norm_nuc_of_bool_vector": lambda m: m.linalg.norm(m.ones(3, dtype=m.bool), "nuc"),
    # cond
    "cond_p_3": lambda m: m.linalg.cond(m.zeros(3, 3), p=3),
    "cond_p_0": lambda m: m.linalg.cond(m.eye(3), 0),
    "cond_p_1_5": lambda m: m.linalg.cond(m.eye(3), 1.5),
    "cond_p_nan": lambda m: m.linalg.cond(m.eye(3), math.nan),
    "cond_p_false": lambda m: m.linalg.cond(m.ones(2, 3), False),
    "cond_p_text": lambda m: m.linalg.cond(m.eye(3), "abc"),
    "cond_p_text_2": lambda m: m.linalg.cond(m.eye(3), "2"),
    "cond_p_list": lambda m: m.linalg.cond(m.eye(3), [1]),
    "cond_not_square_1": lambda m: m.linalg.cond(m.ones(2, 3), 1),
    "cond_not_square_1_float": lambda m: m.linalg.cond(m.ones(2, 3), -1.0),
    "cond_not_square_inf": lambda m: m.linalg.cond(m.ones(2, 3), INF),
    "cond_not_square_minus_inf": lambda m: m.linalg.cond(m.ones(2, 3), -INF),
    "cond_not_square_true": lambda m: m.linalg.cond(m.ones(2, 3), True),
    "cond_not_square_fro": lambda m: m.linalg.cond(m.ones(2, 3), "fro"),
    "cond_not_square_nuc": lambda m: m.linalg.cond(m.ones(2, 3), "nuc"),
    "cond_not_square_text": lambda m: m.linalg.cond(m.ones(2, 3), "abc"),
    "cond_empty_not_square_fro": lambda m: m.linalg.cond(m.zeros(0, 3), "fro"),
    "cond_vector": lambda m: m.linalg.cond(m.ones(3)),
    "cond_vector_1": lambda m: m.linalg.cond(m.ones(3), 1),
    "cond_vector_3": lambda m: m.linalg.cond(m.ones(3), 3),
    "cond_vector_fro": lambda m: m.linalg.cond(m.ones(3), "fro"),
    "cond_int_1": lambda m: m.linalg.cond(m.ones(2, 2, dtype=m.int64), 1),
    "cond_int_fro": lambda m: m.linalg.cond(m.ones(2, 2, dtype=m.int64), "fro"),
    "cond_int_nuc": lambda m: m.linalg.cond(m.ones(2, 2, dtype=m.int64), "nuc"),
    "cond_half_1": lambda m: m.linalg.cond(m.eye(2).half(), 1),
    "cond_half_fro": lambda m: m.linalg.cond(m.eye(2).half(), "fro"),
    "cond_half_nuc": lambda m: m.linalg.cond(m.eye(2).half(), "nuc"),
    "cond_half_2": lambda m: m.linalg.cond(m.eye(2).half()),
    # torch writes the inverse over in place, which its node saved: no gradient
    "cond_1_backward": lambda m: (
        m.linalg.cond(m.tensor(_B, requires_grad=True), 1).sum().backward()
    ),
    "cond_fro_backward": lambda m: m.linalg.cond(
        m.tensor(M3, requires_grad=True), "fro"
    ).backward(),
    "cond_inf_backward_singular": lambda m: m.linalg.cond(
        m.tensor(SING, requires_grad=True), -INF
    ).backward(),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


VALUES = {
    # eig: values, dtypes (complex of the input's precision), nodes
    "eig_2x2": lambda m: _ri(tuple(m.linalg.eig(m.tensor(M2)))),
    "eig_2x2_float64": lambda m: _ri(tuple(m.linalg.eig(m.tensor(M2, dtype=m.float64)))),
    "eig_rotation": lambda m: _ri(tuple(m.linalg.eig(m.tensor(ROT)))),
    "eig_diagonal": lambda m: _ri(tuple(m.linalg.eig(m.diag(m.tensor([3.0, -1.0, 2.0]))))),
    "eig_complex": lambda m: _ri(tuple(m.linalg.eig(_c(m, M3)))),
    "eig_complex64": lambda m: _ri(tuple(m.linalg.eig(_c(m, M3, m.float32).to(m.complex64)))),
    "eig_complex_batch": lambda m: _ri(tuple(m.linalg.eig(_c(m, _B)))),
    "eig_values_3x3": lambda m: _ri(m.linalg.eig(m.tensor(M3)).eigenvalues),
    "eig_vectors_abs_3x3": lambda m: m.linalg.eig(m.tensor(M3)).eigenvectors.abs(),
    "eig_values_batch": lambda m: _ri(m.linalg.eig(m.tensor(_B)).eigenvalues),
    "eig_vectors_abs_batch": lambda m: m.linalg.eig(m.tensor(_B)).eigenvectors.abs(),
    "eig_of_grad": lambda m: _ri(tuple(m.linalg.eig(m.tensor(M2, requires_grad=True)))),
    "eig_empty": lambda m: _ri(tuple(m.linalg.eig(m.ones(0, 0)))),
    "eig_empty_batch": lambda m: _ri(tuple(m.linalg.eig(m.ones(0, 3, 3, dtype=m.float64)))),
    "eig_empty_matrices": lambda m: _ri(tuple(m.linalg.eig(m.ones(2, 0, 0, requires_grad=True)))),
    "eig_spd_batch": lambda m: _ri(m.linalg.eig(m.eye(3).expand(2, 3, 3) * 2 + 1).eigenvalues),
    # eigvals: eig's first output when A needs a gradient, computed alone otherwise
    "eigvals": lambda m: _ri(m.linalg.eigvals(m.tensor(M3))),
    "eigvals_of_grad": lambda m: _ri(m.linalg.eigvals(m.tensor(M3, requires_grad=True))),
    "eigvals_no_grad_mode": lambda m: _no_grad(m, lambda: _ri(m.linalg.eigvals(m.tensor(M3)))),
    "eigvals_complex_batch": lambda m: _ri(m.linalg.eigvals(_c(m, _B))),
    "eigvals_empty": lambda m: _ri(m.linalg.eigvals(m.ones(2, 0, 0))),
    "eigvals_nan_no_grad": lambda m: _ri(m.linalg.eigvals(m.tensor([[1.0, INF], [2.0, 3.0]]))),
    # gradients (the real part for a real A)
    "eigvals_grad_abs": lambda m: _grad(m, m.tensor(M3), lambda x: m.linalg.eigvals(x).abs().sum()),
    "eigvals_grad_real_batch": lambda m: _grad(
        m, m.tensor(_B), lambda x: (m.linalg.eigvals(x).real ** 2).sum()
    ),
    "eigvals_grad_imag": lambda m: _grad(m, m.tensor(M3), lambda x: m.linalg.eigvals(x).imag.sum()),
    "eig_grad_values_and_vectors": lambda m: _grad(m, m.tensor(M3), lambda x: _eig_loss(m, x)),
    "eig_grad_batch": lambda m: _grad(m, m.tensor(_B), lambda x: _eig_loss(m, x)),
    "eig_grad_vectors_2x2": lambda m: _grad(
        m, m.tensor(M2), lambda x: m.linalg.eig(x).eigenvectors.real.sum()
    ),
    "eig_grad_rotation": lambda m: _grad(
        m, m.tensor(ROT, dtype=m.float64), lambda x: (m.linalg.eig(x)[0] ** 2).real.sum()
    ),
    "eig_grad_complex": lambda m: _ri(_grad(m, _c(m, M3).detach(), lambda x: _eig_loss(m, x))),
    "eig_grad_complex_values": lambda m: _ri(
        _grad(m, _c(m, _B).detach(), lambda x: (m.linalg.eigvals(x) * (1 - 2j)).real.sum())
    ),
    # eigh: UPLO in either case
    "eigh_uplo_lower_case": lambda m: tuple(m.linalg.eigh(m.tensor([[2.0, 1.0], [5.0, 3.0]]), "l")),
    "eigh_uplo_upper_case": lambda m: tuple(m.linalg.eigh(m.tensor([[2.0, 1.0], [5.0, 3.0]]), "u")),
    "eigvalsh_uplo_upper_case": lambda m: m.linalg.eigvalsh(
        m.tensor([[2.0, 1.0], [5.0, 3.0]]), UPLO="u"
    ),
    "eigh_uplo_grad": lambda m: _grad(
        m, m.tensor([[2.0, 1.0], [5.0, 3.0]]), lambda x: m.linalg.eigvalsh(x, "u")[1]
    ),
    # cond, every p
    **{
        f"cond_{name}": _cond_case(lambda m: m.tensor(M3), p)
        for name, p in (
            ("1", 1),
            ("minus_1", -1),
            ("1_float", 1.0),
            ("true", True),
            ("inf", INF),
            ("minus_inf", -INF),
            ("fro", "fro"),
            ("nuc", "nuc"),
        )
    },
    **{
        f"cond_batch_{name}": _cond_case(lambda m: m.tensor(_B), p)
        for name, p in (("1", 1), ("minus_inf", -INF), ("fro", "fro"), ("nuc", "nuc"))
    },
    **{
        f"cond_singular_{name}": _cond_case(lambda m: m.tensor(SING), p)
        for name, p in (("1", 1), ("minus_1", -1), ("inf", INF), ("fro", "fro"))
    },
    **{
        f"cond_zeros_{name}": _cond_case(lambda m: m.zeros(2, 2), p)
        for name, p in (("1", 1), ("fro", "fro"), ("nuc", "nuc"))
    },
    **{
        f"cond_empty_{name}": _cond_case(lambda m: m.zeros(0, 0), p)
        for name, p in (("none", None), ("minus_2", -2), ("1", 1), ("fro", "fro"), ("nuc", "nuc"))
    },
    "cond_empty_batch": lambda m: m.linalg.cond(m.zeros(3, 0, 0, dtype=m.float64), INF),
    "cond_empty_not_square_1": lambda m: m.linalg.cond(m.zeros(0, 3), 1),
    "cond_empty_int": lambda m: m.linalg.cond(m.zeros(0, 0, dtype=m.int64), 1),
    "cond_empty_complex_fro": lambda m: m.linalg.cond(m.zeros(0, 0, dtype=m.complex64), "fro"),
    "cond_empty_of_grad": lambda m: m.linalg.cond(m.zeros(0, 0, requires_grad=True), 1),
    "cond_complex_1": lambda m: m.linalg.cond(_c(m, M3), 1),
    "cond_complex_nuc": lambda m: m.linalg.cond(_c(m, M3), "nuc"),
    "cond_p_tensor": lambda m: m.linalg.cond(m.tensor(M3), m.tensor(1.0)),
    "cond_of_grad_1": lambda m: m.linalg.cond(m.tensor(M3, requires_grad=True), 1),
    "cond_of_grad_fro": lambda m: m.linalg.cond(m.tensor(M3, requires_grad=True), "fro"),
    "cond_of_grad_nuc": lambda m: m.linalg.cond(m.tensor(M3, requires_grad=True), "nuc"),
    "cond_grad_nuc": lambda m: _grad(m, m.tensor(_B), lambda x: m.linalg.cond(x, "nuc").sum()),
}


def _no_grad(m, fn):
    with m.no_grad():
        return fn()


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


def _tree(node, depth: int = 8) -> str:
    if node is None:
        return "None"
    kids = [n for n, _ in node.next_functions]
    inner = ", ".join(_tree(k, depth - 1) for k in kids) if depth and kids else ""
    return f"{node.name()}({inner})" if inner else node.name()


@pytest.mark.parametrize("p", [1, -1, INF, -INF, "fro", "nuc"])
def test_cond_records_torchs_graph(p):
    trees = [_tree(m.linalg.cond(m.tensor(M3, requires_grad=True), p).grad_fn) for m in (gs, torch)]
    assert trees[0] == trees[1]


def test_eig_result_is_a_named_tuple_as_torchs():
    ours, theirs = gs.linalg.eig(gs.tensor(M2)), torch.linalg.eig(torch.tensor(M2))
    assert type(ours).__name__ == type(theirs).__name__ == "linalg_eig"
    assert ours._fields == ("eigenvalues", "eigenvectors") and ours.eigenvectors is ours[1]
    ours, theirs = gs.linalg.eig(gs.eye(2)), torch.linalg.eig(torch.eye(2))
    assert repr(ours).replace("gradscope", "torch") == repr(theirs)


def test_eig_outputs_share_one_node_its_saves_and_torchs_strides():
    for m in (gs, torch):
        x = m.tensor(_B, requires_grad=True)
        L, V = m.linalg.eig(x)
        assert L.grad_fn.name() == V.grad_fn.name() == "LinalgEigBackward0"
        assert V.grad_fn.next_functions[0][0].name().endswith("AccumulateGrad")
        assert m.linalg.eigvals(x).grad_fn.name() == "LinalgEigBackward0"
        assert L.stride() == (3, 1) and V.stride() == (9, 1, 3)
        node = L.grad_fn
        assert tuple(node._saved_eigenvalues.shape) == (2, 3)
        assert node._saved_eigenvectors.dtype == m.complex128
    L, V = gs.linalg.eig(gs.tensor(_B, requires_grad=True))
    node = L.grad_fn
    assert sorted(node._saved) == ["eigenvalues", "eigenvectors"]
    assert L._buffer is node._saved["eigenvalues"].buffer
    assert V._buffer is node._saved["eigenvectors"].buffer


def test_eig_of_random_matrices_is_torchs_up_to_order_and_sign():
    """``A V = V diag(L)``, columns of norm 1 (a complex one with its largest component
    real, as ``geev`` leaves it), and torch's eigenvalues; with the same order and
    eigenvectors as torch's up to a real eigenvector's sign for the small matrices."""
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 5, 8):
        for dtype in (np.float32, np.float64, np.complex128):
            a = rng.standard_normal((4, n, n)).astype(dtype)
            if dtype == np.complex128:
                a = a + 1j * rng.standard_normal((4, n, n))
            L, V = (np.asarray(t) for t in gs.linalg.eig(gs.tensor(a)))
            tL, tV = (t.numpy() for t in torch.linalg.eig(torch.tensor(a)))
            tol = 1e-4 if dtype == np.float32 else 1e-10
            assert L.dtype == tL.dtype and V.dtype == tV.dtype
            np.testing.assert_allclose(a @ V, V * L[..., None, :], atol=tol * 10 * n)
            np.testing.assert_allclose(np.linalg.norm(V, axis=-2), 1, atol=tol)
            big = np.take_along_axis(V, np.abs(V).argmax(-2)[..., None, :], -2)
            np.testing.assert_allclose(big.imag, 0, atol=tol)
            key = lambda w: np.sort_complex(np.round(w, 3))  # noqa: E731
            np.testing.assert_allclose(key(L), key(tL), atol=tol * 10 * n)
            if n <= 2 or (dtype == np.complex128 and n <= 3):
                np.testing.assert_allclose(L, tL, atol=tol)
                phase = np.sum(V.conj() * tV, axis=-2)  # 1, or -1 for a flipped sign
                np.testing.assert_allclose(np.abs(phase), 1, atol=tol)
                np.testing.assert_allclose(phase.imag, 0, atol=tol)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x: gs.linalg.eigvals(x).abs(),
        lambda x: gs.linalg.eigvals(x).real * 2 - gs.linalg.eigvals(x).imag,
        lambda x: gs.linalg.eig(x).eigenvectors.abs(),
        lambda x: _eig_loss(gs, x),
    ],
    ids=["eigvals_abs", "eigvals_parts", "eig_vectors_abs", "eig_both"],
)
def test_eig_gradcheck(loss):
    x = gs.tensor(_B, requires_grad=True)
    assert gs.autograd.gradcheck(loss, (x,))


def test_eig_forward_mode_tangents_are_torchs():
    rng = np.random.default_rng(5)
    a, t = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3, 3))
    got = []
    for m in (gs, torch):
        fw = m.autograd.forward_ad
        with fw.dual_level():
            d = fw.make_dual(m.tensor(a), m.tensor(t))
            got.append(np.asarray(fw.unpack_dual(m.linalg.eigvals(d)).tangent))
            L, V = m.linalg.eig(d)
            got.append(np.asarray(fw.unpack_dual(L).tangent))
    np.testing.assert_allclose(got[0], got[2], atol=1e-10)
    np.testing.assert_allclose(got[1], got[3], atol=1e-10)
