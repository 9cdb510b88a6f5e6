"""In-place shape ops (``unsqueeze_``, ``squeeze_``, ``t_``, ``transpose_``, ``swapaxes_``,
``swapdims_``) against torch 2.13: the tensor itself returned with its new shape, torch's
in-place nodes (``UnsqueezeBackward1``, ``SqueezeBackward3/4/5``, ``TBackward1``,
``TransposeBackward1``), gradients, versions (shared with a view's base), refusals, and
what a trace records."""

from __future__ import annotations

import numpy as np
import pytest
from parity import check_error

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DATA = np.arange(1.0, 7.0).reshape(1, 2, 3, 1)

OPS = {
    "unsqueeze_0": lambda t: t.unsqueeze_(0),
    "unsqueeze_last": lambda t: t.unsqueeze_(-1),
    "squeeze_all": lambda t: t.squeeze_(),
    "squeeze_dim": lambda t: t.squeeze_(0),
    "squeeze_dim_kept": lambda t: t.squeeze_(1),  # not of size 1: nothing squeezed
    "squeeze_dims": lambda t: t.squeeze_((0, 3)),
    "transpose_": lambda t: t.transpose_(1, 2),
    "transpose_negative": lambda t: t.transpose_(-1, 0),
    "swapaxes_": lambda t: t.swapaxes_(1, 2),
    "swapdims_": lambda t: t.swapdims_(0, 2),
    "t_": lambda t: t.squeeze_().t_(),
    "t_vector": lambda t: t.reshape(6).t_(),
}


def _run(m, op):
    x = m.tensor(DATA, dtype=m.float64, requires_grad=True)
    y = x * 1
    r = OPS[op](y)
    weights = m.arange(1, r.numel() + 1, dtype=m.float64).reshape(tuple(r.shape))
    (r * weights).sum().backward()
    return (r is y or op in ("t_", "t_vector"), tuple(r.shape), tuple(r.stride()),
            r.grad_fn.name(), r._version, x.grad.tolist())  # fmt: skip


@pytest.mark.parametrize("op", sorted(OPS))
def test_an_in_place_shape_op_as_torch(op):
    assert _run(gs, op) == _run(torch, op)


def test_through_a_view_the_base_shares_the_version_and_gets_the_gradient():
    def run(m):
        x = m.tensor(DATA.reshape(2, 3), requires_grad=True)
        b = x * 1
        v = b[1]
        v.unsqueeze_(0)
        node = v.grad_fn
        (v * m.tensor([[1.0, 2.0, 3.0]])).sum().backward()
        return (tuple(v.shape), node.name(), node.next_functions[0][0].name(), v._version,
                b._version, v._base is b, x.grad.tolist())  # fmt: skip

    assert run(gs) == run(torch)


REFUSED = {
    "leaf": lambda m: m.ones(3, requires_grad=True).unsqueeze_(0),
    "t_3d": lambda m: m.ones(2, 2, 2).t_(),
    "dim_out_of_range": lambda m: m.ones(2).unsqueeze_(5),
    "transpose_out_of_range": lambda m: m.ones(2).transpose_(0, 3),
    "saved_then_reshaped": lambda m: _saved_then_reshaped(m),
}


def _saved_then_reshaped(m):
    y = m.ones(3, requires_grad=True) * 1
    z = (y * y).sum()  # saves y
    y.unsqueeze_(0)  # a new version of y: the save is stale
    z.backward()


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refusals_as_torch(case):
    check_error(REFUSED[case])


def test_under_no_grad_a_leaf_changes_shape_and_stays_a_leaf():
    def run(m):
        with m.no_grad():
            w = m.ones(3, requires_grad=True)
            w.unsqueeze_(0).t_()
        return tuple(w.shape), w.grad_fn, w.is_leaf, w.requires_grad, w._version

    assert run(gs) == run(torch)


def test_a_trace_records_the_node_over_the_same_tensor_and_no_new_bytes():
    x = gs.ones(2, 3, requires_grad=True)
    y = x * 1
    with gs.trace() as tr:
        y.t_()
    (made,) = [e for e in tr.events if e.kind == "node_created"]
    assert (made.op, made.output, made.shape) == ("TBackward1", y._id, (3, 2))
    assert made.inputs == (y.grad_fn.next_functions[0][0].id,)
    assert not [e for e in tr.events if e.kind == "tensor_allocated"]


def test_double_backward_through_in_place_shape_ops():
    def run(m):
        x = m.tensor([[1.0, 2.0, 3.0]], dtype=m.float64, requires_grad=True)
        y = x * 1
        y.t_().squeeze_().unsqueeze_(0)
        (g,) = m.autograd.grad((y**3).sum(), x, create_graph=True)
        (h,) = m.autograd.grad(g.sum(), x)
        return g.tolist(), g.grad_fn.name(), h.tolist()

    assert run(gs) == run(torch)


def _retained(m, op, create_graph=False):
    """``.grad`` of a tensor that retained its gradient, then changed shape in place (and,
    for ``detach_``, left the graph): torch keeps the retain with the node it was asked on,
    so the gradient has the shape the tensor had then."""
    x = m.tensor(DATA.reshape(1, 6), requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(tuple(g.shape)))
    y.retain_grad()
    z = y * 3
    OPS[op](y) if op in OPS else getattr(y, op)()
    if y.requires_grad:
        y.retain_grad()  # asked again: nothing changes
    z.sum().backward(create_graph=create_graph)
    return tuple(y.shape), y.retains_grad, seen, tuple(y.grad.shape), y.grad.tolist()


@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
@pytest.mark.parametrize(
    "op", ["t_", "unsqueeze_0", "squeeze_all", "transpose_negative", "detach_"]
)
def test_a_retained_gradient_keeps_the_shape_it_was_asked_for(op, create_graph):
    assert _retained(gs, op, create_graph) == _retained(torch, op, create_graph)


def test_a_retained_gradient_follows_an_in_place_value_op_but_not_a_shape_op():
    def run(m):
        x = m.tensor(DATA.reshape(1, 6), requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.mul_(3)  # the retain moves to MulBackward0 of the in-place op ...
        w = m.arange(6, dtype=m.float64).reshape(1, 6)
        (y * w).sum().backward(retain_graph=True)
        first = y.grad.tolist()
        y.grad = None
        y.t_()  # ... and stays there through a change of shape
        (y * w.t()).sum().backward()
        return first, tuple(y.grad.shape), y.grad.tolist()

    assert run(gs) == run(torch)
