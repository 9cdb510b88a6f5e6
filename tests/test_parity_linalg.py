"""``gs.linalg`` against torch 2.13: the errors of each function (shapes, dtypes, singular
matrices) with torch's text and type, the named tuples of ``slogdet`` and ``svd``, values of
special matrices, torch's deprecation warning of ``cross`` without ``dim``, and what each
node saves once backward has run."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

SINGULAR = [[1.0, 2.0], [2.0, 4.0]]


def _singular_batch(m):
    return m.stack([m.eye(2), m.tensor(SINGULAR)])


ERRORS = {
    "inv_singular": lambda m: m.linalg.inv(m.tensor(SINGULAR)),
    "inv_singular_batch": lambda m: m.linalg.inv(_singular_batch(m)),
    "inverse_singular": lambda m: m.inverse(m.zeros(3, 3)),
    "inv_not_square": lambda m: m.linalg.inv(m.ones(2, 3)),
    "inv_vector": lambda m: m.linalg.inv(m.ones(3)),
    "inv_int": lambda m: m.linalg.inv(m.eye(2, dtype=m.int64)),
    "det_int": lambda m: m.linalg.det(m.eye(2, dtype=m.int64)),
    "det_not_square": lambda m: m.linalg.det(m.ones(2, 3)),
    "det_vector": lambda m: m.det(m.ones(3)),
    "slogdet_not_square": lambda m: m.linalg.slogdet(m.ones(2, 3)),
    "slogdet_int": lambda m: m.slogdet(m.eye(2, dtype=m.int64)),
    "solve_singular": lambda m: m.linalg.solve(m.tensor(SINGULAR), m.ones(2)),
    "solve_not_square": lambda m: m.linalg.solve(m.ones(2, 3), m.ones(2)),
    "solve_shapes_vector": lambda m: m.linalg.solve(m.eye(2), m.ones(3)),
    "solve_shapes_matrix": lambda m: m.linalg.solve(m.eye(2), m.ones(3, 1)),
    "solve_shapes_right": lambda m: m.linalg.solve(m.eye(2), m.ones(3, 1), left=False),
    "solve_vector_right": lambda m: m.linalg.solve(m.eye(2), m.ones(2), left=False),
    "solve_dtypes": lambda m: m.linalg.solve(m.eye(2), m.ones(2, dtype=m.float64)),
    "solve_int": lambda m: m.linalg.solve(m.eye(2, dtype=m.int64), m.ones(2, dtype=m.int64)),
    "matrix_power_not_square": lambda m: m.linalg.matrix_power(m.ones(2, 3), 2),
    "matrix_power_vector": lambda m: m.linalg.matrix_power(m.ones(3), 2),
    "matrix_power_int_negative": lambda m: m.linalg.matrix_power(m.eye(2, dtype=m.int64), -1),
    "multi_dot_one": lambda m: m.linalg.multi_dot([m.ones(2, 2)]),
    "multi_dot_3d_first": lambda m: m.linalg.multi_dot([m.ones(2, 2, 2), m.ones(2, 2)]),
    "multi_dot_3d_last": lambda m: m.linalg.multi_dot([m.ones(2, 2), m.ones(2, 2, 2)]),
    "multi_dot_shapes": lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(2, 2)]),
    "multi_dot_middle_vector": lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(3), m.ones(3)]),
    "multi_dot_dtypes": lambda m: m.linalg.multi_dot([m.ones(2, 3), m.ones(3, 2, dtype=m.float64)]),
    "cross_length": lambda m: m.linalg.cross(m.ones(4, 2), m.ones(4, 2)),
    "cross_broadcast": lambda m: m.linalg.cross(m.ones(4, 3), m.ones(2, 3)),
    "cross_dim_range": lambda m: m.linalg.cross(m.ones(4, 3), m.ones(4, 3), dim=2),
    "cross_ndims": lambda m: m.linalg.cross(m.ones(4, 3), m.ones(3)),
    "cross_no_size_3": lambda m: m.cross(m.ones(4, 2), m.ones(4, 2)),
    "cross_dtypes": lambda m: m.linalg.cross(m.ones(3), m.ones(3, dtype=m.float64)),
    "vecdot_dtypes": lambda m: m.linalg.vecdot(m.ones(3), m.ones(3, dtype=m.float64)),
    "vecdot_int": lambda m: m.linalg.vecdot(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    "matrix_norm_int": lambda m: m.linalg.matrix_norm(m.eye(2, dtype=m.int64)),
    "matrix_norm_vector": lambda m: m.linalg.matrix_norm(m.ones(3)),
    "matrix_norm_order": lambda m: m.linalg.matrix_norm(m.ones(3, 3), 3),
    "matrix_norm_order_half": lambda m: m.linalg.matrix_norm(m.ones(3, 3), 0.5),
    "matrix_norm_order_text": lambda m: m.linalg.matrix_norm(m.ones(3, 3), "abc"),
    "matrix_norm_same_dims": lambda m: m.linalg.matrix_norm(m.ones(3, 3), 1, dim=(0, -2)),
    "matrix_norm_three_dims": lambda m: m.linalg.matrix_norm(m.ones(3, 3, 3), dim=(0, 1, 2)),
    "norm_3d_with_ord": lambda m: m.linalg.norm(m.ones(3, 3, 3), 1),
    "norm_fro_of_vector": lambda m: m.linalg.norm(m.ones(3), "fro"),
    "norm_three_dims": lambda m: m.linalg.norm(m.ones(3, 3, 3), dim=(0, 1, 2)),
    "svd_int": lambda m: m.linalg.svd(m.ones(2, 2, dtype=m.int64)),
    "svd_vector": lambda m: m.linalg.svd(m.ones(2)),
    "svd_nan": lambda m: m.linalg.svd(m.tensor([[float("nan"), 1.0], [1.0, 1.0]])),
    "svdvals_vector": lambda m: m.linalg.svdvals(m.ones(2)),
    "svdvals_int": lambda m: m.linalg.svdvals(m.ones(2, 2, dtype=m.int64)),
    "torch_svd_vector": lambda m: m.svd(m.ones(2)),
    "torch_svd_int": lambda m: m.svd(m.ones(2, 2, dtype=m.int64)),
    "pinv_vector": lambda m: m.linalg.pinv(m.ones(2)),
    "pinv_int": lambda m: m.linalg.pinv(m.ones(2, 2, dtype=m.int64)),
    "matrix_rank_vector": lambda m: m.linalg.matrix_rank(m.ones(2)),
    "matrix_rank_int": lambda m: m.linalg.matrix_rank(m.ones(2, 2, dtype=m.int64)),
    "matrix_norm_nuc_int": lambda m: m.linalg.matrix_norm(m.eye(2, dtype=m.int64), "nuc"),
    "matrix_norm_2_same_dims": lambda m: m.linalg.matrix_norm(m.ones(3, 3), 2, dim=(1, 1)),
    "matrix_norm_nuc_vector": lambda m: m.linalg.matrix_norm(m.ones(3), "nuc"),
    "cholesky_not_pd": lambda m: m.linalg.cholesky(m.tensor(SINGULAR) - m.eye(2)),
    "cholesky_not_pd_batch": lambda m: m.linalg.cholesky(
        m.stack([m.eye(2), m.tensor([[1.0, 2.0], [2.0, 1.0]])])
    ),
    "cholesky_negative": lambda m: m.linalg.cholesky(-m.eye(3)),
    "cholesky_upper_not_pd": lambda m: m.linalg.cholesky(
        m.tensor([[1.0, 2.0], [0.0, 1.0]]), upper=True
    ),
    "torch_cholesky_not_pd": lambda m: m.cholesky(-m.eye(3)),
    "cholesky_not_square": lambda m: m.linalg.cholesky(m.ones(2, 3)),
    "cholesky_int": lambda m: m.linalg.cholesky(m.eye(2, dtype=m.int64)),
    "cholesky_vector": lambda m: m.linalg.cholesky(m.ones(2)),
    "eigh_not_square": lambda m: m.linalg.eigh(m.ones(3, 2)),
    "eigh_uplo": lambda m: m.linalg.eigh(m.eye(2), UPLO="X"),
    "eigvalsh_not_square": lambda m: m.linalg.eigvalsh(m.ones(3, 2)),
    "qr_mode": lambda m: m.linalg.qr(m.eye(2), mode="foo"),
    "qr_int": lambda m: m.linalg.qr(m.eye(2, dtype=m.int64)),
    "qr_vector": lambda m: m.linalg.qr(m.ones(2)),
    "qr_r_backward": lambda m: (
        m.linalg.qr(m.ones(3, 2, requires_grad=True), mode="r").R.sum().backward()
    ),
    "qr_complete_tall_backward": lambda m: (
        m.linalg.qr(
            m.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 7.0]], requires_grad=True), mode="complete"
        )
        .Q.sum()
        .backward()
    ),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


VALUES = {
    "det_singular": lambda m: m.linalg.det(m.tensor(SINGULAR)),
    "det_of_ones": lambda m: m.linalg.det(m.ones(2, 2)),
    "slogdet_singular": lambda m: m.linalg.slogdet(m.zeros(2, 2)),
    "slogdet_negative": lambda m: m.linalg.slogdet(-m.eye(3)),
    "slogdet_batched": lambda m: tuple(m.linalg.slogdet(_singular_batch(m) + 1)),
    "slogdet_fields": lambda m: m.slogdet(m.eye(2) * 2).logabsdet,
    "logdet_negative": lambda m: m.logdet(-m.eye(3)),
    "logdet_singular": lambda m: m.logdet(m.zeros(2, 2)),
    "det_float64": lambda m: m.linalg.det(m.eye(3, dtype=m.float64) * 2),
    "inv_batched_broadcast": lambda m: m.linalg.inv(m.eye(2).expand(3, 2, 2) * 2),
    "cross_int": lambda m: m.linalg.cross(m.ones(3, dtype=m.int64), m.arange(3)),
    "matrix_power_int": lambda m: m.linalg.matrix_power(m.eye(2, dtype=m.int64) * 2, 3),
    "matrix_power_empty_batch": lambda m: m.linalg.matrix_power(m.ones(0, 2, 2), 3),
    "solve_broadcast_vectors": lambda m: m.linalg.solve(m.eye(2).expand(4, 2, 2), m.ones(2, 2)),
    "norm_vector": lambda m: m.linalg.norm(m.tensor([3.0, 4.0], requires_grad=True)),
    "svdvals_float32": lambda m: m.linalg.svdvals(m.tensor([[3.0, 0.0], [0.0, -4.0]])),
    "svd_values_of_diagonal": lambda m: m.linalg.svd(m.tensor([[3.0, 0.0], [0.0, 4.0]])).S,
    "torch_svd_no_uv": lambda m: tuple(m.svd(m.ones(2, 3), compute_uv=False)),
    "matrix_rank": lambda m: m.linalg.matrix_rank(m.ones(2, 3, 3)),
    "matrix_rank_full": lambda m: m.linalg.matrix_rank(m.eye(3, dtype=m.float64) * 2),
    "matrix_rank_hermitian": lambda m: m.linalg.matrix_rank(m.ones(3, 3), hermitian=True),
    "matrix_rank_tolerances": lambda m: m.linalg.matrix_rank(m.eye(3) * 0.4, atol=0.5),
    "matrix_rank_tol": lambda m: m.linalg.matrix_rank(m.eye(3) * 0.4, tol=0.3),
    "matrix_rank_rtol": lambda m: m.linalg.matrix_rank(m.diag(m.tensor([1.0, 0.1])), rtol=0.2),
    "matrix_rank_of_grad": lambda m: m.linalg.matrix_rank(m.ones(2, 2, requires_grad=True)),
    "pinv_singular": lambda m: m.linalg.pinv(m.tensor(SINGULAR)),
    "pinv_atol": lambda m: m.linalg.pinv(m.diag(m.tensor([1.0, 0.1])), atol=0.5),
    "pinverse_rcond": lambda m: m.pinverse(m.diag(m.tensor([1.0, 0.1])), rcond=0.2),
    "cond_diagonal": lambda m: m.linalg.cond(m.diag(m.tensor([4.0, 0.5])), -2),
    "matrix_norm_2_of_grad": lambda m: m.linalg.matrix_norm(m.eye(2, requires_grad=True), 2),
    "cholesky_diagonal": lambda m: m.linalg.cholesky(m.diag(m.tensor([4.0, 9.0]))),
    "cholesky_upper_reads_upper": lambda m: m.linalg.cholesky(
        m.tensor([[4.0, 2.0], [100.0, 5.0]]), upper=True
    ),
    "eigvalsh_diagonal": lambda m: m.linalg.eigvalsh(m.diag(m.tensor([3.0, -1.0]))),
    "eigh_values_of_grad": lambda m: m.linalg.eigh(m.eye(2) * 2 + m.ones(2, 2)).eigenvalues,
    "qr_r_mode_q": lambda m: tuple(m.linalg.qr(m.ones(3, 2), mode="r")),
    "qr_r_of_diagonal": lambda m: m.linalg.qr(m.diag(m.tensor([2.0, 3.0]))).R.abs(),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


def test_slogdet_is_a_named_tuple_as_torchs():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    ours, theirs = gs.linalg.slogdet(gs.tensor(a)), torch.linalg.slogdet(torch.tensor(a))
    assert type(ours).__name__ == type(theirs).__name__ == "linalg_slogdet"
    assert ours._fields == ("sign", "logabsdet") and theirs.sign is theirs[0]
    assert type(gs.slogdet(gs.tensor(a))).__name__ == type(torch.slogdet(torch.tensor(a))).__name__
    assert repr(ours).replace("gradscope", "torch") == repr(theirs)


def test_slogdet_outputs_share_one_node():
    for m in (gs, torch):
        a = m.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
        sign, logabsdet = m.linalg.slogdet(a)
        assert sign.grad_fn.name() == logabsdet.grad_fn.name() == "LinalgSlogdetBackward0"
        edge = m.logdet(a).grad_fn.next_functions[1]
        assert edge[0].name() == "LinalgSlogdetBackward0" and edge[1] == 1
        (sign * logabsdet).backward()
        np.testing.assert_allclose(np.asarray(a.grad.detach()), np.linalg.inv([[2, 1], [1, 3]]).T)


def test_svd_results_are_named_tuples_as_torchs():
    a = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0]])
    ours, theirs = gs.linalg.svd(gs.tensor(a)), torch.linalg.svd(torch.tensor(a))
    assert type(ours).__name__ == type(theirs).__name__ == "linalg_svd"
    assert ours._fields == ("U", "S", "Vh") and theirs.Vh is theirs[2]
    old, told = gs.svd(gs.tensor(a)), torch.svd(torch.tensor(a))
    assert type(old).__name__ == type(told).__name__ == "svd"
    assert old._fields == ("U", "S", "V") and told.V is told[2]
    assert tuple(old.V.shape) == tuple(told.V.shape) == (3, 2)
    ours = gs.linalg.svd(gs.eye(2))
    assert repr(ours).replace("gradscope", "torch") == repr(torch.linalg.svd(torch.eye(2)))


def test_svd_outputs_share_one_node_and_its_saved_bytes():
    for m in (gs, torch):
        a = m.tensor([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0]], requires_grad=True)
        U, S, Vh = m.linalg.svd(a, full_matrices=False)
        node = S.grad_fn
        assert U.grad_fn.name() == Vh.grad_fn.name() == node.name() == "LinalgSvdBackward0"
        assert node._saved_full_matrices is False and node._saved_S_sym_argsize_minus_1 == 2
        V = m.svd(a).V
        assert V.grad_fn.name() == "TransposeBackward0"
        assert V.grad_fn.next_functions[0][1] == 2
    x = gs.tensor([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0]], requires_grad=True)
    U, S, Vh = gs.linalg.svd(x)
    node = S.grad_fn
    assert U._buffer is node._saved["U"].buffer and Vh._buffer is node._saved["Vh"].buffer
    assert S._buffer is node._saved["S"].buffer


def test_svd_factor_changed_in_place_refuses_backward():
    for m in (gs, torch):
        a = m.tensor([[2.0, 1.0], [1.0, 3.0]], requires_grad=True)
        U, S, Vh = m.linalg.svd(a)
        y = (U * U).sum() + S.sum()
        with m.no_grad():
            U.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_cross_without_dim_warns_with_torchs_text():
    # (torch warns once per process, so its own warning cannot be counted on here)
    with pytest.warns(UserWarning) as rec:
        gs.cross(gs.ones(4, 3), gs.ones(4, 3))
    assert str(rec[0].message).startswith(
        "Using torch.cross without specifying the dim arg is deprecated.\n"
    )
    assert rec[0].filename == __file__


def test_det_gradient_of_a_singular_matrix_is_torchs():
    """Zero at an exactly singular matrix, as torch's first-order gradient."""
    grads = []
    for m in (gs, torch):
        a = m.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], requires_grad=True)
        m.linalg.det(a).backward()
        grads.append(np.asarray(a.grad.detach()))
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-5)


def test_saved_slots_and_their_bytes_are_torchs():
    a = np.random.default_rng(0).standard_normal((2, 3, 3)) + 4 * np.eye(3)
    for name in ("inv", "det", "slogdet", "solve", "svd", "svdvals", "pinv"):
        slots = []
        for m in (gs, torch):
            x = m.tensor(a, requires_grad=True)
            fn = getattr(m.linalg, name)
            out = fn(x, x[..., 0]) if name == "solve" else fn(x)
            node = (out[1] if name in ("slogdet", "svd") else out).grad_fn
            if m is gs:
                names = sorted("_saved_" + s for s in node._saved)
            else:
                names = sorted(s for s in dir(node) if s.startswith("_saved_"))
            slots.append(
                [
                    (s, str(v.dtype).rsplit(".", 1)[-1], tuple(v.shape))
                    for s in names
                    if isinstance(v := getattr(node, s), (gs.Tensor, torch.Tensor))
                ]
            )
        assert slots[0] == slots[1], name


def test_eigh_and_qr_results_are_named_tuples_as_torchs():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    for name, fields in (("eigh", ("eigenvalues", "eigenvectors")), ("qr", ("Q", "R"))):
        ours = getattr(gs.linalg, name)(gs.tensor(a))
        theirs = getattr(torch.linalg, name)(torch.tensor(a))
        assert type(ours).__name__ == type(theirs).__name__ == "linalg_" + name
        assert ours._fields == fields and getattr(theirs, fields[1]) is theirs[1]
    assert type(gs.qr(gs.tensor(a))).__name__ == type(torch.qr(torch.tensor(a))).__name__
    ours = gs.linalg.eigh(gs.eye(2))
    assert repr(ours).replace("gradscope", "torch") == repr(torch.linalg.eigh(torch.eye(2)))


def test_decompositions_share_one_node_and_its_saved_bytes():
    a = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
    for m in (gs, torch):
        x = m.tensor(a, requires_grad=True)
        w, v = m.linalg.eigh(x)
        assert w.grad_fn.name() == v.grad_fn.name() == "LinalgEighBackward0"
        assert m.linalg.eigvalsh(x).grad_fn.name() == "LinalgEighBackward0"
        q, r = m.linalg.qr(x, mode="complete")
        assert q.grad_fn.name() == r.grad_fn.name() == "LinalgQrBackward0"
        assert r.grad_fn._saved_mode == "complete"
        assert tuple(m.linalg.qr(x, mode="r").Q.shape) == (0,)
        node = m.linalg.cholesky(x, upper=True).grad_fn
        assert node.name() == "LinalgCholeskyExBackward0" and node._saved_upper is True
        assert m.cholesky(x).grad_fn.name() == "CholeskyBackward0"
    x = gs.tensor(a, requires_grad=True)
    w, v = gs.linalg.eigh(x)
    node = w.grad_fn
    assert w._buffer is node._saved["eigenvalues"].buffer
    assert v._buffer is node._saved["eigenvectors"].buffer
    q, r = gs.linalg.qr(x)
    node = r.grad_fn
    assert q._buffer is node._saved["Q"].buffer and r._buffer is node._saved["R"].buffer
    lo = gs.linalg.cholesky(x)
    assert lo._buffer is lo.grad_fn._saved["L"].buffer


def test_decomposition_saved_slots_are_torchs():
    a = np.random.default_rng(0).standard_normal((2, 3, 3))
    a = a @ a.transpose(0, 2, 1) + 3 * np.eye(3)
    calls = {
        "cholesky": lambda m, x: m.linalg.cholesky(x),
        "torch_cholesky": lambda m, x: m.cholesky(x, upper=True),
        "eigh": lambda m, x: m.linalg.eigh(x)[1],
        "eigvalsh": lambda m, x: m.linalg.eigvalsh(x),
        "qr": lambda m, x: m.linalg.qr(x)[0],
        "qr_r": lambda m, x: m.linalg.qr(x, mode="r")[1],
    }
    for name, call in calls.items():
        slots = []
        for m in (gs, torch):
            node = call(m, m.tensor(a, requires_grad=True)).grad_fn
            if m is gs:
                names = sorted("_saved_" + s for s in node._saved)
            else:
                names = sorted(s for s in dir(node) if s.startswith("_saved_"))
            slots.append(
                [
                    (s, str(v.dtype).rsplit(".", 1)[-1], tuple(v.shape))
                    for s in names
                    if isinstance(v := getattr(node, s), (gs.Tensor, torch.Tensor))
                ]
            )
        assert slots[0] == slots[1], name
