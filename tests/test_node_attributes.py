"""Nodes answer torch's ``_saved_<name>`` once handed to the user, and the engine's own
nodes keep attribute reads that CPython can specialise (no ``__getattr__``)."""

import numpy as np
import pytest

import gradscope as gs
from gradscope.autograd.function import Function, Node
from gradscope.autograd.leaf import AccumulateGrad
from gradscope.ops.activation import TanhBackward0


def _node_classes():
    seen, todo = set(), [Node]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


def test_no_node_class_of_the_engine_has_getattr():
    assert gs.randn(3, requires_grad=True).tanh().grad_fn is not None  # one exposed class
    plain = [c for c in _node_classes() if "__getattr__" not in c.__dict__]
    assert TanhBackward0 in plain and AccumulateGrad in plain
    for cls in plain:
        assert not any("__getattr__" in k.__dict__ for k in cls.__mro__), cls


def test_grad_fn_answers_saved_and_keeps_its_name_and_class():
    x = gs.tensor([0.5, -1.0], requires_grad=True)
    y = x.tanh()
    node = y.grad_fn
    assert type(node).__name__ == "TanhBackward0" and node.name() == "TanhBackward0"
    assert isinstance(node, TanhBackward0) and isinstance(node, Function)
    np.testing.assert_allclose(node._saved_result.detach().numpy(), np.tanh([0.5, -1.0]), rtol=1e-6)
    assert y.grad_fn is node
    with pytest.raises(AttributeError, match="'TanhBackward0' object has no attribute '_saved_x'"):
        _ = node._saved_x
    y.sum().backward()
    with pytest.raises(RuntimeError, match="after they have already been freed"):
        _ = node._saved_result


def test_next_functions_answer_saved_and_plain_attributes():
    x = gs.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    s = x.exp().sum(dim=1)
    ((exp_node, _),) = s.grad_fn.next_functions
    np.testing.assert_allclose(exp_node._saved_result.detach().numpy(), np.exp(x.detach().numpy()))
    assert s.grad_fn._saved_dim == (1,) and s.grad_fn._saved_keepdim is False
    ((leaf, _),) = exp_node.next_functions
    assert type(leaf).__name__ == "AccumulateGrad" and leaf.variable is x


def test_an_exposed_leaf_node_takes_its_gradient_as_an_unexposed_one():
    # backward hands a fresh gradient to the leaf as its .grad (no copy) either way, so
    # looking at the graph changes no memory figure
    def run(look: bool):
        x = gs.ones(1000, requires_grad=True)
        y = (x * 2.0).sum()
        if look:
            leaf = y.grad_fn.next_functions[0][0].next_functions[0][0]
            assert isinstance(leaf, AccumulateGrad) and type(leaf) is not AccumulateGrad
        with gs.trace() as tr:
            y.backward()
        return tr.peak_bytes, [(e.kind, getattr(e, "nbytes", None)) for e in tr.events]

    assert run(True) == run(False)
