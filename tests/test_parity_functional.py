"""gradscope against torch on ``autograd.functional``: ``jacobian``, ``hessian``, ``vjp``,
``jvp``, ``vhp`` and ``hvp`` with tensors and tuples in and out, ``create_graph``,
``strict``, ``vectorize`` and the forward-mode strategies, and their errors.

Each case runs once under torch and once under gradscope with the same code (``m`` is the
module); see tests/parity.py for how results and errors are compared.
"""

from __future__ import annotations

import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")
pytestmark = pytest.mark.usefixtures("grad_mode_on")


def F(m):  # noqa: N802 - short, for the tables
    return m.autograd.functional


def X(m, *shape, grad=False):  # noqa: N802
    """Float64 values in (-1, 1.5) of ``shape`` (3 by default)."""
    shape = shape or (3,)
    n = 1
    for s in shape:
        n *= s
    return m.linspace(-1.0, 1.5, n, dtype=m.float64).reshape(shape).requires_grad_(grad)


def cube_sum(t):
    return (t**3).sum()


def two_in_two_out(a, b):
    return a * b.sum(), (a.exp() @ b.reshape(3, 2)).tanh()


def scalar_of_two(a, b):
    return (a.sin() * b[:3]).sum() + (b**2).prod()


def _double(m, fn):
    """``fn``'s results (made with create_graph=True) differentiated once more."""
    x = X(m, grad=True)
    res = fn(x)
    res = res[1] if isinstance(res, tuple) else res
    return m.autograd.grad(res.sum(), x)[0]


def _captured(m):
    """A tensor that ``func`` captures is a constant of the Jacobian, and keeps its graph."""
    w = X(m, grad=True) + 1
    return F(m).jacobian(lambda t: t * w, X(m)), w.grad_fn.name()


def _under_no_grad(m, create_graph: bool):
    """``func`` runs with grad mode on, and the product is made as the caller's mode says
    (on with create_graph)."""
    with m.no_grad():
        out, prod = F(m).vjp(lambda t: t.exp(), X(m, grad=True), X(m), create_graph=create_graph)
        return out, prod, m.is_grad_enabled()


VALUES = {
    # jacobian
    "jac_square": lambda m: F(m).jacobian(lambda t: t**2, X(m)),
    "jac_matrix_in_out": lambda m: F(m).jacobian(lambda t: t.softmax(1), X(m, 2, 3)),
    "jac_scalar_out": lambda m: F(m).jacobian(cube_sum, X(m, 2, 2)),
    "jac_tuples": lambda m: F(m).jacobian(two_in_two_out, (X(m, 3), X(m, 6))),
    "jac_tuple_in_one_out": lambda m: F(m).jacobian(lambda a, b: a * b, (X(m), X(m) + 1)),
    "jac_one_in_tuple_out": lambda m: F(m).jacobian(lambda t: (t.exp(), t.sum()), X(m)),
    "jac_tuple_of_one": lambda m: F(m).jacobian(lambda t: t.cos(), (X(m),)),
    "jac_unused_input_zeros": lambda m: F(m).jacobian(lambda a, b: a.sin(), (X(m), X(m, 2))),
    "jac_constant_output": lambda m: F(m).jacobian(lambda t: m.ones(2, dtype=m.float64), X(m)),
    "jac_vectorize": lambda m: F(m).jacobian(two_in_two_out, (X(m, 3), X(m, 6)), vectorize=True),
    "jac_vectorize_unused": lambda m: F(m).jacobian(
        lambda a, b: a * 2, (X(m), X(m, 2)), vectorize=True
    ),
    "jac_forward_mode": lambda m: F(m).jacobian(
        lambda a, b: (a * b[:3].sum(), (a.exp() * b[3:]).tanh()),
        (X(m, 3), X(m, 6)),
        vectorize=True,
        strategy="forward-mode",
    ),
    "jac_forward_mode_unused": lambda m: F(m).jacobian(
        lambda a, b: a.tanh(), (X(m), X(m, 2)), vectorize=True, strategy="forward-mode"
    ),
    "jac_input_requires_grad_detached": lambda m: F(m).jacobian(lambda t: t * t, X(m, grad=True)),
    "jac_float32": lambda m: F(m).jacobian(lambda t: t.sigmoid(), X(m).float()),
    "jac_create_graph_flag": lambda m: (
        F(m).jacobian(lambda t: t**3, X(m, grad=True), create_graph=True).requires_grad
    ),
    "jac_create_graph_double": lambda m: _double(
        m, lambda x: F(m).jacobian(lambda t: t**3, x, create_graph=True)
    ),
    "jac_captured_tensor": lambda m: _captured(m),
    # hessian
    "hess_cube": lambda m: F(m).hessian(cube_sum, X(m)),
    "hess_matrix_input": lambda m: F(m).hessian(lambda t: (t @ t.T).logsumexp(0).sum(), X(m, 2, 3)),
    "hess_tuple": lambda m: F(m).hessian(scalar_of_two, (X(m, 3), X(m, 4))),
    "hess_linear_zeros": lambda m: F(m).hessian(lambda t: (2 * t).sum(), X(m)),
    "hess_vectorize": lambda m: F(m).hessian(scalar_of_two, (X(m, 3), X(m, 4)), vectorize=True),
    "hess_forward_over_reverse": lambda m: (
        F(m)
        .hessian(cube_sum, X(m), vectorize=True, outer_jacobian_strategy="forward-mode")
        .detach()
    ),
    "hess_one_element_output": lambda m: F(m).hessian(lambda t: (t**4).sum().reshape(1, 1), X(m)),
    "hess_create_graph_double": lambda m: _double(
        m, lambda x: F(m).hessian(cube_sum, x, create_graph=True)
    ),
    # vjp
    "vjp_vector": lambda m: F(m).vjp(lambda t: t**2, X(m), m.ones(3, dtype=m.float64)),
    "vjp_scalar_no_v": lambda m: F(m).vjp(cube_sum, X(m)),
    "vjp_tuples": lambda m: F(m).vjp(two_in_two_out, (X(m, 3), X(m, 6)), (X(m, 3), X(m, 2))),
    "vjp_unused_zeros": lambda m: F(m).vjp(lambda a, b: a.exp(), (X(m), X(m, 2)), X(m)),
    "vjp_create_graph_double": lambda m: _double(
        m, lambda x: F(m).vjp(lambda t: t.sin(), x, X(m), create_graph=True)
    ),
    "vjp_under_no_grad": lambda m: _under_no_grad(m, create_graph=False),
    "vjp_under_no_grad_create_graph": lambda m: _under_no_grad(m, create_graph=True),
    # jvp
    "jvp_lecture": lambda m: F(m).jvp(
        lambda a: a.sin() * a, m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 0.0, 0.5])
    ),
    "jvp_scalar_input_no_v": lambda m: F(m).jvp(lambda t: t.exp() * 3, m.tensor(0.5)),
    "jvp_tuples": lambda m: F(m).jvp(two_in_two_out, (X(m, 3), X(m, 6)), (X(m, 3), X(m, 6))),
    "jvp_create_graph_double": lambda m: _double(
        m, lambda x: F(m).jvp(lambda t: t.tanh() * t, x, X(m), create_graph=True)
    ),
    "jvp_output_independent": lambda m: F(m).jvp(
        lambda a, b: (a * 2, m.ones(2, dtype=m.float64)), (X(m), X(m)), (X(m), X(m))
    ),
    # vhp, hvp
    "vhp_cube": lambda m: F(m).vhp(cube_sum, X(m), X(m) + 2),
    "hvp_cube": lambda m: F(m).hvp(cube_sum, X(m), X(m) + 2),
    "vhp_tuple": lambda m: F(m).vhp(scalar_of_two, (X(m, 3), X(m, 4)), (X(m, 3), X(m, 4))),
    "hvp_tuple": lambda m: F(m).hvp(scalar_of_two, (X(m, 3), X(m, 4)), (X(m, 3), X(m, 4))),
    "hvp_scalar_input_no_v": lambda m: F(m).hvp(lambda t: t.exp().sum(), m.tensor([0.3])),
    "vhp_linear_zeros": lambda m: F(m).vhp(lambda t: (3 * t).sum(), X(m), X(m)),
    "hvp_create_graph_double": lambda m: _double(
        m, lambda x: F(m).hvp(cube_sum, x, X(m), create_graph=True)
    ),
    "vhp_create_graph_double": lambda m: _double(
        m, lambda x: F(m).vhp(lambda t: (t.sin() ** 2).sum(), x, X(m), create_graph=True)
    ),
}

ERRORS = {
    "inputs_not_tensor": lambda m: F(m).jacobian(lambda t: t, 3.0),
    "inputs_list": lambda m: F(m).jacobian(lambda t: t, [X(m)]),
    "inputs_tuple_with_number": lambda m: F(m).vjp(lambda a, b: a, (X(m), 2)),
    "output_not_tensor": lambda m: F(m).jacobian(lambda t: 1.0, X(m)),
    "output_tuple_with_number": lambda m: F(m).vjp(lambda t: (t, 2), X(m), (X(m), X(m))),
    "vjp_v_none_vector_output": lambda m: F(m).vjp(lambda t: t * 2, X(m)),
    "jvp_v_none_vector_input": lambda m: F(m).jvp(lambda t: t.sum(), X(m)),
    "hvp_v_none_vector_input": lambda m: F(m).hvp(cube_sum, X(m)),
    "vhp_v_none_vector_input": lambda m: F(m).vhp(cube_sum, X(m)),
    "v_wrong_size": lambda m: F(m).vjp(lambda t: t * 2, X(m), X(m, 4)),
    "v_tuple_wrong_size": lambda m: F(m).jvp(lambda a, b: a * b, (X(m), X(m)), (X(m), X(m, 2))),
    "v_tuple_wrong_length": lambda m: F(m).jvp(lambda a, b: a * b, (X(m), X(m)), (X(m),)),
    "v_two_for_one": lambda m: F(m).vjp(lambda t: t * 2, X(m), (X(m), X(m))),
    "v_not_tensor": lambda m: F(m).vjp(lambda t: t * 2, X(m), [1.0, 2.0, 3.0]),
    "hessian_tuple_output": lambda m: F(m).hessian(lambda t: (t.sum(), t.sum()), X(m)),
    "hessian_vector_output": lambda m: F(m).hessian(lambda t: t**2, X(m)),
    "hvp_vector_output": lambda m: F(m).hvp(lambda t: t**2, X(m), X(m)),
    "vhp_tuple_output": lambda m: F(m).vhp(lambda t: (t.sum(),), X(m), X(m)),
    "strict_output_constant": lambda m: F(m).jacobian(
        lambda t: m.ones(2, dtype=m.float64), X(m), strict=True
    ),
    "strict_jacobian_unused": lambda m: F(m).jacobian(
        lambda a, b: a.sin(), (X(m), X(m)), strict=True
    ),
    "strict_vjp_unused": lambda m: F(m).vjp(lambda a, b: a.sin(), (X(m), X(m)), X(m), strict=True),
    "strict_jvp_unused": lambda m: F(m).jvp(
        lambda a, b: a.sin(), (X(m), X(m)), (X(m), X(m)), strict=True
    ),
    "strict_hessian_linear": lambda m: F(m).hessian(lambda t: (2 * t).sum(), X(m), strict=True),
    "strict_vhp_linear": lambda m: F(m).vhp(lambda t: (2 * t).sum(), X(m), X(m), strict=True),
    "strict_hvp_linear": lambda m: F(m).hvp(lambda t: (2 * t).sum(), X(m), X(m), strict=True),
    "strict_create_graph_linear": lambda m: F(m).jacobian(
        lambda t: 2 * t, X(m), strict=True, create_graph=True
    ),
    "strict_vectorize": lambda m: F(m).jacobian(lambda t: t * t, X(m), strict=True, vectorize=True),
    "bad_strategy": lambda m: F(m).jacobian(lambda t: t, X(m), strategy="sideways"),
    "bad_outer_strategy": lambda m: F(m).hessian(cube_sum, X(m), outer_jacobian_strategy="up"),
    "forward_mode_create_graph": lambda m: F(m).jacobian(
        lambda t: t, X(m), create_graph=True, strategy="forward-mode"
    ),
    "forward_mode_strict": lambda m: F(m).jacobian(
        lambda t: t, X(m), strict=True, strategy="forward-mode"
    ),
    "forward_mode_not_vectorized": lambda m: F(m).jacobian(
        lambda t: t, X(m), strategy="forward-mode"
    ),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


def test_jacobian_nodes_are_recorded_and_freed():
    """The backward passes that a Jacobian runs are ordinary ones: traced, their nodes are
    created and freed, and nothing of them is alive afterwards."""
    x = gs.linspace(-1.0, 1.0, 4)
    before = gs.live_bytes()
    with gs.trace() as tr:
        jac = gs.autograd.functional.jacobian(lambda t: t.tanh() * 2, x)
    kinds = {e.kind for e in tr.events}
    assert {"node_created", "backward_started", "graph_freed"} <= kinds
    assert jac.shape == (4, 4) and jac.grad_fn is None
    del jac
    assert gs.live_bytes() == before
