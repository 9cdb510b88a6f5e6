"""Core autograd semantics against torch: ``backward(inputs=...)`` with retained and
hooked tensors, post-accumulate-grad hooks under ``inputs``, a second backward through an
in-place write into a view, ``reshape`` that has to copy (no view of its input), and a
``retain_grad`` that follows its tensor to the new node an in-place write through a view
gives it."""

from __future__ import annotations

import pytest

from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _leaf(m):
    return m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)


def _retained_input(m):
    x = _leaf(m)
    y = x * 1
    y.retain_grad()
    y.sum().backward(inputs=[y])
    return y.grad, x.grad is None


def _retained_input_and_leaf(m):
    x = _leaf(m)
    y = x * 1
    y.retain_grad()
    (y * (x * 3)).sum().backward(inputs=[y, x])
    return y.grad, x.grad


def _input_retains_afterwards(m):
    x = _leaf(m)
    y = x * 1
    (y * 3).sum().backward(inputs=[y], retain_graph=True)
    first = (y.retains_grad, y.grad.clone())
    (y * y).sum().backward()
    return first, y.grad, x.grad


def _input_with_hook(m):
    x = _leaf(m)
    y = x * 1
    y.register_hook(lambda g: g * 2)
    (y * 3).sum().backward(inputs=[y])
    return y.grad


def _input_create_graph(m):
    x = _leaf(m)
    y = x * 1
    (y * y).sum().backward(inputs=[y], create_graph=True)
    return y.retains_grad, y.grad


def _post_accumulate_hooks(m, through_module: bool):
    log = []
    w = _leaf(m)
    w.register_post_accumulate_grad_hook(lambda p: log.append(p.grad.tolist()))
    for _ in range(2):
        loss = (w * w).sum()
        if through_module:
            m.autograd.backward(loss, inputs=[w])
        else:
            loss.backward(inputs=[w])
    return log, w.grad


def _reshape_copy(m):
    x = m.arange(6.0, dtype=m.float64).reshape(2, 3).requires_grad_()
    r = x.t().reshape(6)
    e = x[0].expand(2, 3).reshape(6)
    p = m.ones(2, 3, 4, dtype=m.float64, requires_grad=True) @ m.ones(4, 5, dtype=m.float64)
    return r, r._base is None, e._base is None, p._base is None, r._version


def _reshape_copy_written_after_no_grad(m):
    x = m.arange(6.0, dtype=m.float64).reshape(2, 3).requires_grad_()
    w = m.ones(6, dtype=m.float64, requires_grad=True)
    with m.no_grad():
        r = x.t().reshape(6)
    r.mul_(w)
    r.sum().backward()
    return w.grad, r


def _reshape_copy_retained_then_written(m):
    x = m.arange(6.0, dtype=m.float64).reshape(2, 3).requires_grad_()
    r = x.t().reshape(6)
    r.retain_grad()
    r.mul_(2)
    r.sum().backward()
    return r.grad, x.grad


def _retained_base_written_through_view(m, part: bool):
    x = m.arange(6.0, dtype=m.float64).reshape(2, 3).requires_grad_()
    y = x * 1
    y.retain_grad()
    if part:
        y.view(-1)[1:].mul_(2)
    else:
        y.view(3, 2).mul_(2)
    y.sum().backward()
    return y.grad, x.grad


def _retained_view_written(m):
    x = m.ones(2, 2, dtype=m.float64, requires_grad=True)
    t = (x * 1)[0]
    t.retain_grad()
    t.mul_(2)
    t.sum().backward()
    return t.grad, t.retains_grad, x.grad


def _retained_view_of_a_base_written_in_no_grad(m):
    x = m.ones(6, dtype=m.float64, requires_grad=True)
    y = x * 1
    v = y.view(3, 2)
    v.retain_grad()
    with m.no_grad():
        y.mul_(2)
    v.sum().backward()
    return v.grad, x.grad


VALUES = {
    "retained_base_written_through_a_view": lambda m: _retained_base_written_through_view(m, False),
    "retained_base_written_through_part_of_a_view": lambda m: _retained_base_written_through_view(
        m, True
    ),
    "retained_view_written": _retained_view_written,
    "retained_view_of_a_base_written_in_no_grad": _retained_view_of_a_base_written_in_no_grad,
    "retained_input_counted_once": _retained_input,
    "retained_input_and_leaf": _retained_input_and_leaf,
    "input_retains_its_grad_afterwards": _input_retains_afterwards,
    "input_with_a_hook": _input_with_hook,
    "input_under_create_graph": _input_create_graph,
    "post_accumulate_hooks_with_inputs": lambda m: _post_accumulate_hooks(m, False),
    "post_accumulate_hooks_autograd_backward": lambda m: _post_accumulate_hooks(m, True),
    "reshape_copy_is_no_view": _reshape_copy,
    "reshape_copy_written_after_no_grad": _reshape_copy_written_after_no_grad,
    "reshape_copy_retained_then_written": _reshape_copy_retained_then_written,
}


def _second_backward_through_copy_slices(m, first_by_grad: bool):
    x = m.ones(3, dtype=m.float64, requires_grad=True)
    y = x * 2
    y[0].mul_(2)
    if first_by_grad:
        m.autograd.grad(y.sum(), [x])
    else:
        y.sum().backward()
    y.sum().backward()


def _second_backward_through_a_write_that_saved_nothing(m):
    x = m.ones(3, dtype=m.float64, requires_grad=True)
    s = x.sum()
    v = s.expand(3)
    v[0].zero_()
    s.backward()
    v.sum().backward()


ERRORS = {
    "second_backward_through_a_write_that_saved_nothing": (
        _second_backward_through_a_write_that_saved_nothing
    ),
    "second_backward_through_copy_slices": lambda m: _second_backward_through_copy_slices(m, False),
    "backward_after_grad_through_copy_slices": lambda m: _second_backward_through_copy_slices(
        m, True
    ),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)
