"""Regression cases for the differences a random-program fuzzer found between gradscope's
``autograd.functional`` / ``func`` (``jvp``, ``vjp``, ``grad``) and torch's: the structure
of forward-mode Jacobians, ``vectorize=True``'s blocks and empty outputs, results that keep
(or drop) their graph to tensors captured by the function, ``aux`` values, zeros for
outputs that do not require grad, and the errors of ``func``'s argument checks.

Each case runs once under torch and once under gradscope with the same code (``m`` is the
module); see tests/parity.py for how results and errors are compared.
"""

from __future__ import annotations

import pytest

from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")
pytestmark = pytest.mark.usefixtures("grad_mode_on")


def F(m):  # noqa: N802 - short, for the tables
    return m.autograd.functional


def X(m, *shape, grad=False, dtype=None):  # noqa: N802
    """Values in (-1, 1.5) of ``shape`` (3 by default), float64 unless ``dtype``."""
    shape = shape or (3,)
    n = 1
    for s in shape:
        n *= s
    t = m.linspace(-1.0, 1.5, n, dtype=dtype or m.float64).reshape(shape)
    return t.requires_grad_(grad)


def W(m):  # noqa: N802
    """A tensor the functions capture, that requires grad."""
    return m.tensor(0.7, dtype=m.float64, requires_grad=True)


def fwd_jac(m, f, inputs):
    return F(m).jacobian(f, inputs, vectorize=True, strategy="forward-mode")


def _hess_fwd_no_grad(m):
    with m.no_grad():
        return F(m).hessian(
            lambda t: t.sin().sum(), X(m), vectorize=True, outer_jacobian_strategy="forward-mode"
        )


def _structure(r):
    """The nesting of a result: list / tuple / tensor."""
    if isinstance(r, (list, tuple)):
        return (type(r).__name__, tuple(_structure(x) for x in r))
    return "tensor"


def _flags(r):
    """Tensors as (values, requires_grad): grad_fn names are not compared here."""
    if isinstance(r, (list, tuple)):
        return type(r)(_flags(x) for x in r)
    if hasattr(r, "requires_grad"):
        return (r.detach(), r.requires_grad)
    return r


def _captured_grad(m, cases):
    """Gradients of the captured ``w`` through the transform's results (torch keeps the
    graph to it; nothing else of the function's own variables is seen from outside)."""
    w = W(m)
    res = cases(w)
    flat = [t for t in (res if isinstance(res, tuple) else (res,)) if t.requires_grad]
    rg = tuple(t.requires_grad for t in (res if isinstance(res, tuple) else (res,)))
    total = sum((t.sum() for t in flat), w * 0)  # (missing graph: silently 0)
    return rg, m.autograd.grad(total, w)[0].detach()


def _vjp_all(m, f, *primals, ct, **kw):
    out, fn = m.func.vjp(f, *primals)
    return out, fn(ct, **kw)


VALUES = {
    # forward-mode Jacobians come in lists, as torch's (_tuple_postprocess of lists)
    "jac_fwd_tuple_in_is_list": lambda m: _structure(
        fwd_jac(m, lambda a, b: a * b, (X(m), X(m) + 1))
    ),
    "jac_fwd_tuple_in_out_is_list_of_lists": lambda m: _structure(
        fwd_jac(m, lambda a, b: (a * b, a.sum()), (X(m), X(m) + 1))
    ),
    "hess_fwd_tuple_is_list_of_lists": lambda m: _structure(
        F(m).hessian(
            lambda a, b: (a.sin() * b.sum()).sum(),
            (X(m), X(m, 2)),
            vectorize=True,
            outer_jacobian_strategy="forward-mode",
        )
    ),
    # an input without elements gets a block of the function's dtype (not float32)
    "jac_fwd_empty_input_block_dtype": lambda m: tuple(
        fwd_jac(m, lambda a, b: a.exp() + b.sum(), (X(m), X(m, 0)))
    ),
    # no input element at all: one pass for the outputs, empty Jacobians
    "jac_fwd_all_inputs_empty": lambda m: tuple(
        fwd_jac(m, lambda a, b: a * 2, (X(m, 0), X(m, 2, 0)))
    ),
    # the Jacobian keeps the graph of the tangents, whatever the grad mode
    "hess_fwd_under_no_grad_requires_grad": lambda m: _flags(_hess_fwd_no_grad(m)),
    # vectorize: an output without elements among others is fine
    "jac_vectorize_empty_output_among_others": lambda m: F(m).jacobian(
        lambda a: (a[:0] * 2, a.sum()), X(m), vectorize=True
    ),
    # vectorize + create_graph: an input's blocks are views of one tensor (all require grad)
    "jac_vectorize_create_graph_blocks": lambda m: _flags(
        F(m).jacobian(
            lambda a, b: (a**2, (a * b).sum()),
            (X(m, grad=True), X(m) + 1),
            vectorize=True,
            create_graph=True,
        )
    ),
    # ...and an empty output still reaches its inputs in torch's one backward
    "hess_vectorize_create_graph_empty_input": lambda m: _flags(
        F(m).hessian(
            lambda a, b: a.sum() * 0 + (b.softmax(0) + b.tanh()).sum(),
            (X(m), X(m, 0)),
            vectorize=True,
            create_graph=True,
        )
    ),
    # func.grad / func.vjp: an output that does not require grad gives zeros
    "fgrad_constant_output_zeros": lambda m: m.func.grad(lambda a: m.ones((), dtype=a.dtype))(X(m)),
    "fgrad_no_grad_output_zeros": lambda m: m.func.grad(lambda a: a.detach().sum())(X(m)),
    "fvjp_constant_output_zeros": lambda m: _vjp_all(
        m, lambda a: (a * 2, m.ones(2, dtype=a.dtype)), X(m), ct=(X(m), X(m, 2))
    ),
    # aux comes back without the transform's graph
    "fgrad_aux_detached": lambda m: m.func.grad(lambda a: ((a**2).sum(), a * 3), has_aux=True)(
        X(m)
    ),
    "fvjp_aux_detached": lambda m: m.func.vjp(lambda a: (a**2, a.exp()), X(m), has_aux=True)[2],
    # a tensor the function captures keeps the results' graph to it
    "fgrad_captured_keeps_graph": lambda m: _captured_grad(
        m, lambda w: m.func.grad(lambda a: (a * a * w).sum())(X(m))
    ),
    "fvjp_captured_keeps_graph": lambda m: _captured_grad(
        m, lambda w: _vjp_all(m, lambda a: a * a * w, X(m), ct=X(m))[1]
    ),
    "fvjp_captured_output_keeps_graph": lambda m: _captured_grad(
        m, lambda w: m.func.vjp(lambda a: (a * w, a * 2), X(m))[0]
    ),
    # ...and an output computed from an argument that does not require grad has none
    "fvjp_unfollowed_argument_output": lambda m: _flags(
        m.func.vjp(lambda a, b: (a * 2, b * 2), X(m, grad=True), X(m))[0]
    ),
    # vjp_fn takes create_graph (default: the grad mode when it is called)
    "fvjp_fn_create_graph_kwarg": lambda m: _captured_grad(
        m, lambda w: _vjp_all(m, lambda a: a * a * w, X(m), ct=X(m), create_graph=True)[1]
    ),
    "fvjp_fn_create_graph_false": lambda m: _fn_create_graph_false(m),
    # under no_grad, an output that is its argument is that argument
    "fvjp_identity_output_under_no_grad": lambda m: _no_grad_identity(m),
    # an output that is its argument is that argument, as torch's levels unwrap it
    "fvjp_identity_output_is_argument": lambda m: _flags(_identity_is_argument(m)),
}


def _fn_create_graph_false(m):
    w = W(m)
    return _flags(_vjp_all(m, lambda a: a * a * w, X(m), ct=X(m), create_graph=False))


def _identity_is_argument(m):
    x = X(m, grad=True)
    out, fn = m.func.vjp(lambda a: (a, a * 2), x)
    return out[0] is x, out[1].requires_grad, fn((X(m), X(m)))


def _no_grad_identity(m):
    x = X(m, grad=True)
    with m.no_grad():
        out, _ = m.func.vjp(lambda a: (a, a * 2), x)
    return out[0] is x, out[0].requires_grad, out[1].requires_grad


ERRORS = {
    # vectorize: outputs that require grad but have no element (torch's batched backward)
    "jac_vectorize_all_outputs_empty": lambda m: F(m).jacobian(
        lambda a: a[:0] * 2, X(m), vectorize=True
    ),
    "fgrad_tuple_output": lambda m: m.func.grad(lambda a: (a.sum(), a.sum()))(X(m)),
    "fgrad_has_aux_not_pair": lambda m: m.func.grad(lambda a: a.sum(), has_aux=True)(X(m)),
    "fvjp_has_aux_not_pair": lambda m: m.func.vjp(lambda a: a * 2, X(m), has_aux=True),
    "fgrad_argnum_out_of_range": lambda m: m.func.grad(lambda a, b: a.sum(), argnums=2)(X(m), X(m)),
    "fgrad_argnums_repeated": lambda m: m.func.grad(lambda a, b: a.sum(), argnums=(0, -2))(
        X(m), X(m)
    ),
    "fgrad_argnums_empty": lambda m: m.func.grad(lambda a: a.sum(), argnums=())(X(m)),
    "fgrad_argnums_list": lambda m: m.func.grad(lambda a: a.sum(), argnums=[0])(X(m)),
    "fgrad_argnums_float_in_tuple": lambda m: m.func.grad(lambda a: a.sum(), argnums=(0.0,))(X(m)),
    "fvjp_cotangent_structure": lambda m: _vjp_all(m, lambda a: (a * 2, a.sum()), X(m), ct=(X(m),)),
    "fvjp_cotangent_list_for_tuple": lambda m: _vjp_all(
        m, lambda a: (a * 2, a.sum()), X(m), ct=[X(m), X(m).sum()]
    ),
    "fvjp_cotangent_tensor_for_tuple": lambda m: _vjp_all(
        m, lambda a: (a * 2, a.sum()), X(m), ct=X(m)
    ),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)
