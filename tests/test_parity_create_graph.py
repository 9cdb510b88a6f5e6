"""gradscope against torch on gradients built with ``create_graph=True``: what the
gradient's own graph holds once the first-order graph is freed, the errors of a second
backward through a freed node, ``materialize_grads``, the node a leaf's ``.grad`` gets,
and the values, ``requires_grad`` and node names of gradients whose rules torch runs as
one op (cumsum's reversed sums, det of 1x1 matrices, layer and batch norm).

Each case runs once under torch and once under gradscope with the same code (``m`` is the
module); see tests/parity.py for what is compared.
"""

from __future__ import annotations

import warnings

import pytest

from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")
pytestmark = pytest.mark.usefixtures("grad_mode_on")


def _x(m):
    return m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)


def _w(m):
    return m.tensor([0.5, -1.0, 2.0], dtype=m.float64, requires_grad=True)


# ------------------------------------------- index-like ops after retain_graph=False

# ``x`` -> an indexed tensor whose gradient with respect to ``x`` is linear in the
# incoming gradient alone
INDEXED = {
    "index": lambda m, x: x[m.tensor([0, 2])],
    "index_select": lambda m, x: m.index_select(x, 0, m.tensor([0, 2])),
    "bool_mask": lambda m, x: x[x != 2],
    "masked_select": lambda m, x: m.masked_select(x, x != 2),
    "masked_scatter": lambda m, x: x.masked_scatter(x > 1.5, x * 2),
    "index_add": lambda m, x: (x * 1).index_add(0, m.tensor([0, 2]), x[:2]),
    "index_copy": lambda m, x: (x * 1).index_copy(0, m.tensor([0, 2]), x[:2]),
    "index_fill": lambda m, x: x.index_fill(0, m.tensor([0, 2]), 2.0),
    "put": lambda m, x: (x * 1).put(m.tensor([0, 2]), x[:2]),
}


def _setitem_slice(m, x):
    p = x * 1
    p[1:] = x[:2] * 3
    return p


def _setitem(m, x):
    p = x * 1
    p[m.tensor([0, 2])] = x[:2] * 3
    return p


INDEXED["setitem"] = _setitem


def _penalty(index):
    """A gradient penalty (WGAN-GP's pattern): the gradient, made with the first-order
    graph freed, differentiated with respect to a weight its graph holds."""

    def case(m):
        x, w = _x(m), _w(m)
        p = index(m, x)
        (gx,) = m.autograd.grad(
            (p * w[: p.shape[0]]).sum(), x, create_graph=True, retain_graph=False
        )
        return gx, m.autograd.grad(gx.sum(), w)

    return case


def _through_freed(index):
    """A second backward that does need the freed first-order node (the gradient holds
    ``p``, whose node was released)."""

    def case(m):
        x = _x(m)
        p = index(m, x)
        (gx,) = m.autograd.grad((p**3).sum(), x, create_graph=True, retain_graph=False)
        return m.autograd.grad(gx.sum(), x)

    return case


def _backward_twice(index):
    """Backward twice, the second reaching the freed node first (no node before it saves)."""

    def case(m):
        x = _x(m)
        y = index(m, x).sum()
        y.backward()
        y.backward()

    return case


# ------------------------------------------------------------- freed loss and norm nodes


def _freed_second(loss):
    def case(m):
        x = m.tensor(
            [[1.0, 2.0, 0.5, 0.1], [0.3, -1.0, 2.0, 0.7]], dtype=m.float64, requires_grad=True
        )
        (g,) = m.autograd.grad((loss(m, x) ** 2).sum(), x, create_graph=True, retain_graph=False)
        return m.autograd.grad(g.sum(), x, create_graph=True)

    return case


LOSSES = {
    "nll_loss": lambda m, x: m.nn.functional.nll_loss(x, m.tensor([0, 2]), reduction="none"),
    "nll_loss_weight": lambda m, x: m.nn.functional.nll_loss(
        x, m.tensor([0, 2]), weight=m.tensor([1.0, 2.0, 0.5, 3.0], dtype=m.float64)
    ),
    "cross_entropy": lambda m, x: m.nn.functional.cross_entropy(
        x, m.tensor([0, 2]), reduction="none"
    ),
}


# ------------------------------------------------------------------ materialize_grads


def _materialize(m):
    """The zeros for an unused input require grad with ``create_graph``, as torch's."""
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    u = m.tensor([3.0, 4.0], dtype=m.float64, requires_grad=True)
    return m.autograd.grad((x * x).sum(), [x, u], materialize_grads=True, create_graph=True)


def _materialize_no_outputs(m):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    return m.autograd.grad((), [x], materialize_grads=True, create_graph=True)


def _materialize_allow_unused_false(m):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    u = m.tensor([3.0, 4.0], dtype=m.float64, requires_grad=True)
    m.autograd.grad((x * x).sum(), [x, u], allow_unused=False, materialize_grads=True)


# --------------------------------------------------------------- a leaf's .grad node


def _copy_edges(m):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x.exp().sum().backward(create_graph=True)
    fn = x.grad.grad_fn
    return x.grad, [(None if f is None else f.name(), i) for f, i in fn.next_functions]


def _grad_modified(m):
    x = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    z = (x.grad**2).sum()
    z.backward(retain_graph=True)  # accumulates into x.grad in place, which z saved
    z.backward()


# --------------------------------------------------------------------------- cumsum


def _cumsum_inf(m):
    x = m.tensor([1.0, 2.0, 3.0, 4.0], dtype=m.float64, requires_grad=True)
    s = m.tensor([1.0, 1.0, 2.0, 1.0], dtype=m.float64, requires_grad=True)
    w = m.tensor([1.0, float("inf"), 1.0, 1.0], dtype=m.float64)
    (g,) = m.autograd.grad((x.cumsum(0) * w * s).sum(), x, create_graph=True)
    return g, m.autograd.grad(g[2:].sum(), s)


def _cumsum_inf_constant(m):
    x = m.tensor([1.0, 2.0, 3.0, 4.0], dtype=m.float64, requires_grad=True)
    w = m.tensor([1.0, float("inf"), 1.0, 1.0], dtype=m.float64)
    return m.autograd.grad((x.cumsum(0) * w).sum(), x, create_graph=True)


def _cumsum_2d(m):
    x = m.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=m.float64, requires_grad=True)
    (g,) = m.autograd.grad((x.cumsum(1) ** 2).sum(), x, create_graph=True)
    return g, m.autograd.grad((g * g).sum(), x)


# ------------------------------------------------------------------------------ det


def _det_1x1(m):
    x = m.tensor([[0.7, -0.3, 1.2]], dtype=m.float64, requires_grad=True)
    a = x[:, :1]
    (gd,) = m.autograd.grad(m.det(a @ a.t() + 1), a, create_graph=True)
    (g,) = m.autograd.grad(m.det(a @ a.t() + 1), x, create_graph=True, retain_graph=False)
    return gd, g, m.autograd.grad((g**2).sum(), x)


def _det_1x1_batch(m):
    a = m.tensor([[[0.0]], [[2.0]]], dtype=m.float64, requires_grad=True)
    w = m.tensor(3.0, dtype=m.float64, requires_grad=True)
    (g,) = m.autograd.grad((m.linalg.det(a) * w).sum(), a, create_graph=True)
    return g, m.autograd.grad(g.sum(), w)


# -------------------------------------------------------------- layer and batch norm


def _norm_grads(kind, x_grad=True):
    def case(m):
        F = m.nn.functional
        x = m.tensor([[0.3, -1.2, 0.5, 2.0], [1.1, 0.4, -0.7, 0.0]], dtype=m.float64)
        x.requires_grad_(x_grad)
        w = m.tensor([1.0, 2.0, 0.5, 3.0], dtype=m.float64, requires_grad=True)
        b = m.tensor([0.1, 0.2, 0.3, 0.4], dtype=m.float64, requires_grad=True)
        if kind == "layer_norm":
            y = F.layer_norm(x, (4,), w, b)
        elif kind == "batch_norm":
            y = F.batch_norm(x, None, None, w, b, training=True)
        else:
            stats = m.zeros(4, dtype=m.float64), m.ones(4, dtype=m.float64)
            y = F.batch_norm(x, *stats, w, b, training=False)
        ins = [x, w, b] if x_grad else [w, b]
        grads = m.autograd.grad(y.sum(), ins, create_graph=True)
        gb = grads[-1]
        # gb reads neither x nor w: torch's op gives them no gradient from it
        return (
            [g.requires_grad for g in grads],
            gb,
            m.autograd.grad(gb.sum(), ins, allow_unused=True, retain_graph=True),
        )

    return case


def _layer_norm_unused(m):
    x = m.tensor([[0.3, -1.2, 0.5], [1.1, 0.4, -0.7]], dtype=m.float64, requires_grad=True)
    w = m.tensor([1.0, 2.0, 0.5], dtype=m.float64, requires_grad=True)
    b = m.tensor([0.1, 0.2, 0.3], dtype=m.float64, requires_grad=True)
    y = m.nn.functional.layer_norm(x, (3,), w, b).sum()
    gb = m.autograd.grad(y, [x, w, b], create_graph=True)[2]
    m.autograd.grad(gb.sum(), x)


# ------------------------------------------------ names of linear gradients' nodes


def _linear_names(view):
    """The gradient's node (torch's op for the backward) and the node of its gradient."""

    def case(m):
        x = m.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0], [7.0, 8.0, 9.0]], dtype=m.float64)
        x.requires_grad_()
        (g,) = m.autograd.grad((view(m, x) ** 2).sum(), x, create_graph=True)
        (h,) = m.autograd.grad((g**2).sum(), x, create_graph=True)
        return g, type(g.grad_fn).__name__, h

    return case


LINEAR = {
    "slice": lambda m, x: x[1:],
    "narrow": lambda m, x: x.narrow(1, 0, 2),
    "select": lambda m, x: x[1],
    "index": lambda m, x: x[[0, 2]],
    "bool_mask": lambda m, x: x[x > 0],
    "index_select": lambda m, x: m.index_select(x, 0, m.tensor([0, 2])),
    "diagonal": lambda m, x: x.diagonal(),
}


VALUES = {
    **{
        f"penalty_{k}": _penalty(INDEXED[k])
        for k in ("index", "index_select", "bool_mask", "masked_select", "masked_scatter")
    },
    "penalty_setitem": _penalty(_setitem),
    "materialize_create_graph": _materialize,
    "materialize_no_outputs": _materialize_no_outputs,
    "copy_backwards_edges": _copy_edges,
    "cumsum_inf": _cumsum_inf,
    "cumsum_inf_constant": _cumsum_inf_constant,
    "cumsum_2d": _cumsum_2d,
    "det_1x1": _det_1x1,
    "det_1x1_batch": _det_1x1_batch,
    "layer_norm_grads": _norm_grads("layer_norm"),
    "layer_norm_grads_x_constant": _norm_grads("layer_norm", x_grad=False),
    "batch_norm_grads": _norm_grads("batch_norm"),
    "batch_norm_eval_grads": _norm_grads("batch_norm_eval"),
    **{f"names_{k}": _linear_names(f) for k, f in LINEAR.items()},
}

ERRORS = {
    **{
        f"through_freed_{k}": _through_freed(INDEXED[k])
        for k in ("index", "index_select", "bool_mask", "masked_select", "masked_scatter")
    },
    **{
        f"backward_twice_{k}": _backward_twice(INDEXED[k])
        for k in ("index_copy", "index_fill", "masked_scatter", "put")
    },
    "through_freed_setitem_by_tensor": _through_freed(_setitem),
    "through_freed_setitem_by_slice": _through_freed(_setitem_slice),
    "backward_twice_index_add_source": _backward_twice(
        lambda m, x: (x * 1).index_add(0, m.tensor([0, 2]), x[:2])
    ),
    **{f"freed_{k}": _freed_second(f) for k, f in LOSSES.items()},
    "materialize_allow_unused_false": _materialize_allow_unused_false,
    "grad_modified_in_place": _grad_modified,
    "layer_norm_bias_grad_unused": _layer_norm_unused,
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)
