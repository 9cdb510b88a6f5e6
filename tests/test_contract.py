"""einsum, tensordot, inner, vdot, ger, kron and chain_matmul against torch 2.13: the whole
graph each builds (node names and edges, what each node saves) over many equations, the
errors of bad equations and arguments with torch's text, an explicit contraction path,
and chain_matmul's one deprecation warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from gradscope.ops import contract
from tests.parity import check_error, check_value, params
from tests.test_parity_torch import graph_signature, saved_signature

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

# (equation, operand shapes): what each records must be torch's, node for node
EQUATIONS = [
    ("ij,jk->ik", (3, 4), (4, 5)),
    ("ij,jk", (3, 4), (4, 5)),
    ("ij,jk->ki", (3, 4), (4, 5)),
    ("ij,kj->ik", (3, 4), (5, 4)),
    ("ij,ji->", (3, 4), (4, 3)),
    ("ij->ji", (3, 4)),
    ("ij->", (3, 4)),
    ("ijk->j", (2, 3, 4)),
    ("ijk->kji", (2, 3, 4)),
    ("ii->i", (3, 3)),
    ("ii", (3, 3)),
    ("iij->ji", (3, 3, 2)),
    ("iji->j", (2, 3, 2)),
    ("ii,ii->i", (3, 3), (3, 3)),
    ("i,i->", (3,), (3,)),
    ("i,i", (3,), (3,)),
    ("i,j->ij", (3,), (4,)),
    ("i,->i", (3,), ()),
    ("", ()),
    ("...", (2, 3)),
    ("bij,bjk->bik", (2, 3, 4), (2, 4, 5)),
    ("...ij,...jk->...ik", (2, 3, 4), (4, 5)),
    ("...i,...i->...", (2, 1, 3), (4, 3)),
    ("b...,b...->b", (2, 3, 4), (2, 3, 4)),
    ("b...a", (2, 4, 3)),
    ("ij->...ij", (3, 4)),
    ("ij,j->i", (3, 1), (4,)),
    ("ij,j->i", (3, 4), (1,)),
    ("ij,jk->ik", (1, 4), (4, 5)),
    ("ijk,ik->j", (2, 3, 4), (2, 4)),
    ("ab,cd->", (2, 3), (4, 5)),
    ("ij,jk->", (3, 4), (4, 5)),
    ("bhqd,bhkd->bhqk", (2, 3, 4, 5), (2, 3, 6, 5)),
    ("i j , j k -> i k", (3, 4), (4, 5)),
    ("iI->Ii", (2, 3)),
    ("ij,jk,kl->il", (2, 3), (3, 4), (4, 5)),
    ("ij,jk,kl,lm->im", (2, 3), (3, 4), (4, 5), (5, 2)),
    ("i,i,i->i", (3,), (3,), (3,)),
    ("ba,ca->bc", (0, 3), (2, 3)),
    ("ij,jk->ik", (3, 0), (0, 5)),
]


def _both(shapes, seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    return (
        [gs.tensor(a, requires_grad=True) for a in arrays],
        [torch.tensor(a, requires_grad=True) for a in arrays],
    )


def _same_graph_values_and_gradients(go, gi, to, ti):
    assert graph_signature(go) == graph_signature(to)
    assert saved_signature(go) == saved_signature(to)
    assert tuple(go.shape) == tuple(to.shape)
    np.testing.assert_allclose(np.asarray(go.detach()), to.detach().numpy(), atol=1e-12)
    seed = np.random.default_rng(1).standard_normal(tuple(to.shape))
    go.backward(gs.tensor(seed))
    to.backward(torch.tensor(seed))
    for g, t in zip(gi, ti):
        np.testing.assert_allclose(np.asarray(g.grad), t.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize(
    "eq,shapes", [(e[0], e[1:]) for e in EQUATIONS], ids=[e[0] for e in EQUATIONS]
)
def test_einsum_records_torchs_graph(eq, shapes):
    gi, ti = _both(shapes)
    _same_graph_values_and_gradients(gs.einsum(eq, *gi), gi, torch.einsum(eq, *ti), ti)


@pytest.mark.parametrize(
    "eq,shapes,path",
    [
        ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], [1, 2, 0, 1]),
        ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)], [2, 0, 0, 1]),
        ("i,ij,jk,k->", [(3,), (3, 4), (4, 2), (2,)], [0, 3, 0, 1, 0, 1]),
        ("ij->i", [(3, 4)], [0]),
    ],
)
def test_einsum_contracts_in_a_given_order_as_torch(eq, shapes, path):
    """torch contracts in opt_einsum's order when that package is installed; gradscope's
    ``_einsum`` takes the same path and records the same graph."""
    gi, ti = _both(shapes)
    to = torch._VF.einsum(eq, ti, path=path)
    _same_graph_values_and_gradients(contract._einsum(eq, gi, path), gi, to, ti)


def test_einsum_left_to_right_without_opt_einsum():
    """In this environment torch has no opt_einsum, so three operands contract from the
    left; so do gradscope's."""
    if torch.backends.opt_einsum.is_available():
        pytest.skip("torch contracts in opt_einsum's order here")
    gi, ti = _both([(2, 30), (30, 3), (3, 40)])
    _same_graph_values_and_gradients(
        gs.einsum("ij,jk,kl->il", *gi), gi, torch.einsum("ij,jk,kl->il", *ti), ti
    )


def _r(*shape):
    return lambda m: m.ones(*shape)


ERRORS = {
    "einsum_equation_only": lambda m: m.einsum("ij"),
    "einsum_nothing": lambda m: m.einsum(),
    "einsum_empty_list": lambda m: m.einsum("ij", []),
    "einsum_fewer": lambda m: m.einsum("ij,jk", m.ones(3, 4)),
    "einsum_more": lambda m: m.einsum("ij", m.ones(3, 4), m.ones(4, 5)),
    "einsum_trailing_comma": lambda m: m.einsum("ij,", m.ones(3, 4)),
    "einsum_bad_letter": lambda m: m.einsum("i1,jk", m.ones(3, 4), m.ones(4, 5)),
    "einsum_bad_letter_output": lambda m: m.einsum("ij,jk->i1", m.ones(3, 4), m.ones(4, 5)),
    "einsum_bad_arrow": lambda m: m.einsum("ij-ji", m.ones(3, 4)),
    "einsum_two_arrows": lambda m: m.einsum("ij->j->i", m.ones(3, 4)),
    "einsum_dots": lambda m: m.einsum("i..j", m.ones(3, 4)),
    "einsum_two_ellipses": lambda m: m.einsum("...i...", m.ones(3, 4)),
    "einsum_two_ellipses_output": lambda m: m.einsum("...i->......", m.ones(3, 4)),
    "einsum_dots_output": lambda m: m.einsum("...i->..", m.ones(3, 4)),
    "einsum_dim_count": lambda m: m.einsum("ijk", m.ones(3, 4)),
    "einsum_dim_count_ellipsis": lambda m: m.einsum("ijk...", m.ones(3, 4)),
    "einsum_output_twice": lambda m: m.einsum("ij->ii", m.ones(3, 4)),
    "einsum_output_unknown": lambda m: m.einsum("ij->k", m.ones(3, 4)),
    "einsum_sizes": lambda m: m.einsum("ij,jk", m.ones(3, 4), m.ones(3, 5)),
    "einsum_diagonal_sizes": lambda m: m.einsum("ii", m.ones(3, 4)),
    "einsum_ellipsis_sizes": lambda m: m.einsum("...i,...i", m.ones(2, 3), m.ones(4, 3)),
    "einsum_ellipsis_sizes_inner": lambda m: m.einsum(
        "...i,...i->...", m.ones(2, 5, 3), m.ones(5, 4, 3)
    ),
    "einsum_dtypes": lambda m: m.einsum("ij,jk", m.ones(3, 4), m.ones(4, 5, dtype=m.float64)),
    "einsum_bool": lambda m: m.einsum(
        "ij,jk", m.ones(2, 3, dtype=m.bool), m.ones(3, 2, dtype=m.bool)
    ),
    "einsum_equation_int": lambda m: m.einsum(3, m.ones(3)),
    "einsum_operand_list": lambda m: m.einsum("ij", [[1.0]]),
    "einsum_list_then_tensor": lambda m: m.einsum("ij,jk", [m.ones(2, 2)], m.ones(2, 2)),
    "einsum_sublist_range": lambda m: m.einsum(m.ones(3, 4), [0, 60]),
    "tensordot_lengths": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), ([0], [0, 1])),
    "tensordot_dtypes": lambda m: m.tensordot(_r(2, 3)(m), m.ones(3, 2, dtype=m.float64), 1),
    "tensordot_sizes": lambda m: m.tensordot(_r(2, 3)(m), _r(4, 2)(m), 1),
    "tensordot_negative": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), -1),
    "tensordot_too_many": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), 3),
    "tensordot_bad_dims": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), "x"),
    "tensordot_dim_range": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), ([5], [0])),
    "tensordot_dim_range_other": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), ([0], [-3])),
    "tensordot_repeated": lambda m: m.tensordot(_r(3, 3)(m), _r(3, 3)(m), ([0, 0], [0, 1])),
    "tensordot_repeated_other": lambda m: m.tensordot(_r(3, 3)(m), _r(3, 3)(m), ([0, 1], [1, 1])),
    "tensordot_three_lists": lambda m: m.tensordot(_r(3, 3)(m), _r(3, 3)(m), ([0], [1], [2])),
    "tensordot_int_pair": lambda m: m.tensordot(_r(2, 3)(m), _r(3, 2)(m), (1, 0)),
    "inner_last_dim": lambda m: m.inner(_r(2, 3)(m), _r(4)(m)),
    "inner_dtypes": lambda m: m.inner(_r(3)(m), m.ones(3, dtype=m.float64)),
    "vdot_2d": lambda m: m.vdot(_r(2, 3)(m), _r(3)(m)),
    "vdot_dtypes": lambda m: m.vdot(_r(3)(m), m.ones(3, dtype=m.float64)),
    "vdot_sizes": lambda m: m.vdot(_r(3)(m), _r(4)(m)),
    "vdot_bool": lambda m: m.vdot(m.ones(3, dtype=m.bool), m.ones(3, dtype=m.bool)),
    "ger_2d": lambda m: m.ger(_r(2, 3)(m), _r(3)(m)),
    "kron_transposed": lambda m: m.kron(_r(2, 3)(m).t(), _r(2, 2)(m)),
    "kron_transposed_second": lambda m: m.kron(_r(2, 2)(m), _r(2, 3)(m).t()),
    "chain_matmul_none": lambda m: m.chain_matmul(),
    "chain_matmul_vector": lambda m: m.chain_matmul(_r(3)(m), _r(3)(m)),
    "chain_matmul_3d": lambda m: m.chain_matmul(_r(2, 3)(m), _r(3, 2, 2)(m)),
    "chain_matmul_shapes": lambda m: m.chain_matmul(_r(2, 3)(m), _r(4, 2)(m)),
    "chain_matmul_list": lambda m: m.chain_matmul([_r(2, 3)(m), _r(3, 2)(m)]),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


VALUES = {
    "einsum_ints": lambda m: m.einsum(
        "ij,jk", m.ones(2, 3, dtype=m.int64), m.ones(3, 2, dtype=m.int64)
    ),
    "einsum_mixed_dtypes_mul": lambda m: m.einsum("i,j", m.ones(3), m.ones(2, dtype=m.float64)),
    "einsum_tuple_of_operands": lambda m: m.einsum("ij,jk", (m.ones(2, 3), m.ones(3, 2))),
    "einsum_sublist_ellipsis": lambda m: m.einsum(m.ones(3, 4), [..., 1], [1]),
    "einsum_implicit_order": lambda m: m.einsum("bA", m.arange(6.0).reshape(2, 3)),
    "einsum_0d": lambda m: m.einsum("...", m.tensor(2.0)),
    "tensordot_ints": lambda m: m.tensordot(
        m.ones(2, 3, dtype=m.int64), m.ones(3, 2, dtype=m.int64), 1
    ),
    "tensordot_tensor_dims": lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 2), m.tensor(1)),
    "tensordot_empty": lambda m: m.tensordot(m.ones(0, 3), m.ones(3, 2), 1),
    "inner_0d_dtype": lambda m: m.inner(m.ones(3), m.tensor(2.0, dtype=m.float64)),
    "vdot_ints": lambda m: m.vdot(m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)),
    "kron_bool_float": lambda m: m.kron(m.ones(3, dtype=m.bool), m.ones(3)),
    "kron_sliced": lambda m: m.kron(m.ones(4, 3)[::2], m.ones(2, 2)),
    "kron_expanded": lambda m: m.kron(m.ones(3, 1).expand(3, 2), m.ones(2, 2)),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    check_value(fn)


def test_chain_matmul_warns_once_as_torch(monkeypatch):
    """torch warns the first time a process calls chain_matmul (TORCH_WARN_ONCE)."""
    monkeypatch.setattr(contract, "_warned_chain_matmul", False)
    a, b = gs.ones(2, 3), gs.ones(3, 2)
    with warnings.catch_warnings(record=True) as first:
        warnings.simplefilter("always")
        gs.chain_matmul(a, b)
    with warnings.catch_warnings(record=True) as second:
        warnings.simplefilter("always")
        gs.chain_matmul(a, b)
    assert [w.category for w in first] == [UserWarning]
    assert "torch.chain_matmul is deprecated" in str(first[0].message)
    assert first[0].filename == __file__  # the user's line
    assert second == []


def test_vdot_saves_only_what_its_gradients_need():
    """Only ``other``, for the first operand's gradient (torch's ``_saved_self`` is None)."""
    for m in (gs, torch):
        node = m.vdot(m.ones(3, requires_grad=True), m.ones(3)).grad_fn
        assert tuple(node._saved_other.shape) == (3,)
    assert torch.vdot(torch.ones(3, requires_grad=True), torch.ones(3)).grad_fn._saved_self is None
    assert gs.vdot(gs.ones(3, requires_grad=True), gs.ones(3)).grad_fn._slot_names() == ("other",)
