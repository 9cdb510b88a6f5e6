"""No leaks: graphs, hooks and gradients are freed by reference counting alone."""

import gc
import subprocess
import sys

import numpy as np
import pytest

import gradscope as gs
import gradscope.nn.functional as F


def test_backward_then_del_returns_to_baseline(no_gc):
    base = gs.live_bytes()
    x = gs.randn(100, requires_grad=True)
    w = gs.randn(100, 100, requires_grad=True)
    y = gs.tanh(w @ x).sigmoid().exp()
    z = (y * y).sum() + y.max()
    z.backward()
    del y, z, x, w
    assert gs.live_bytes() == base


def test_graph_without_backward_is_freed_on_del(no_gc):
    base = gs.live_bytes()
    x = gs.randn(50, requires_grad=True)
    p = x
    for _ in range(20):
        p = gs.relu(p) * 2
    assert gs.live_bytes() > base
    del p, x
    assert gs.live_bytes() == base


def test_hooks_capturing_tensors_do_not_form_cycles(no_gc):
    base = gs.live_bytes()
    x = gs.randn(10, requires_grad=True)
    y = x * 3
    captured = gs.ones(10)
    y.register_hook(lambda g: g * captured)  # noqa: F821 - the cell is deleted below
    x.register_hook(lambda g: g + captured)  # noqa: F821
    y.retain_grad()
    (y * y).sum().backward()
    del x, y, captured
    assert gs.live_bytes() == base
    assert gc.collect() == 0


def test_thousand_step_training_loop_is_flat(no_gc):
    gs.manual_seed(0)
    w1 = gs.randn(8, 4, requires_grad=True)
    b1 = gs.zeros(8, requires_grad=True)
    w2 = gs.randn(3, 8, requires_grad=True)
    x = gs.randn(16, 4)
    y = gs.randint(0, 3, (16,))
    samples = []
    for _ in range(1000):
        for p in (w1, b1, w2):
            p.grad = None
        h = F.relu(F.linear(x, w1, b1))
        loss = F.cross_entropy(F.linear(h, w2), y)
        loss.backward()
        with gs.no_grad():
            for p in (w1, b1, w2):
                p -= 0.05 * p.grad
        del h, loss
        samples.append(gs.live_bytes())
    assert len(set(samples[1:])) == 1
    assert gc.collect() == 0


def test_retain_graph_loop_grows_while_graphs_are_kept():
    x = gs.randn(1000, requires_grad=True)
    kept = []
    sizes = []
    for _ in range(5):
        y = gs.relu(x * 2).sum()
        y.backward(retain_graph=True)
        kept.append(y)  # the user's leak: every graph stays alive
        sizes.append(gs.live_bytes())
    assert sizes == sorted(sizes) and sizes[-1] - sizes[0] >= 4 * 4000
    kept.clear()
    assert gs.live_bytes() < sizes[-1]


def test_loss_accumulated_with_graph_keeps_graphs_alive():
    x = gs.randn(1000, requires_grad=True)
    total = 0
    before = gs.live_bytes()
    for _ in range(3):
        total = total + gs.relu(x).sum()  # without .item(): the graphs chain up
    assert gs.live_bytes() - before >= 3 * 4000
    total_item = 0.0
    del total
    for _ in range(3):
        total_item += gs.relu(x).sum().item()
    assert gs.live_bytes() == before
    assert np.isfinite(total_item)


_COUNT = """
import gc, sys
import gradscope as gs

ops = {"tanh": gs.tanh, "exp": gs.exp, "sigmoid": gs.sigmoid, "log1p": gs.log1p,
       "mul": lambda p: p * 0.5, "add": lambda p: p + 0.1}[sys.argv[1]]
x = gs.randn(16, requires_grad=True)
tr = gs.trace() if sys.argv[2:] == ["traced"] else None
if tr is not None:
    tr.start()
gc.collect()
gc.disable()
before = len(gc.get_objects())
p = x
for _ in range(200):
    p = ops(p)
gc.collect()  # (tuples of numbers and strings stop being tracked once it has seen them)
print((len(gc.get_objects()) - before) / 200)
"""


def _tracked_per_op(op: str, traced: bool = False) -> float:
    """Objects the cycle collector tracks, per op, that a chain of 200 ``op`` leaves; in a
    fresh interpreter, since a class whose instances were given many other attributes
    before gives later ones a dict of their own (CPython's shared keys are full)."""
    args = [sys.executable, "-c", _COUNT, op] + (["traced"] if traced else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True)
    return float(out.stdout)


@pytest.mark.parametrize("traced", [False, True], ids=["untraced", "traced"])
def test_a_graph_leaves_the_cycle_collector_three_objects_per_op(traced):
    # a node, and the buffer and version counter of what it saved: the node keeps its
    # edges and its one saved value in its own attributes, without a tuple, a record and
    # a dict (the few left over are the leaf's and the last output's); a trace adds none
    # (its events are numbers and strings in tuples, which the collector stops looking at)
    for op in ("tanh", "exp", "sigmoid", "mul"):
        assert _tracked_per_op(op, traced) <= 3.05, op
    # one that saves its input keeps that tensor too, as torch does
    assert _tracked_per_op("log1p", traced) <= 4.05
    # one that saves nothing leaves its node alone
    assert _tracked_per_op("add", traced) <= 1.05


def test_a_node_keeping_its_one_save_gives_the_usual_records():
    base = gs.live_bytes()
    x = gs.randn(1000, requires_grad=True)
    y = x.tanh()
    node = y.grad_fn
    assert node._slot_names() == ("result",)
    assert node._saved_result._buffer is y._buffer  # read as a tensor, as torch's
    saves = node._saved  # from here on the node keeps the usual dict
    assert list(saves) == ["result"] and saves["result"].is_output
    assert saves["result"].buffer is y._buffer and saves["result"].version == 0
    z = x * 0.5
    assert z.grad_fn._saved_other == 0.5  # a saved number stays the number
    assert z.grad_fn.saved("other") == 0.5
    (y.sum() + z.sum()).backward()
    assert node._saved is None and node._slot_names() == ("result",)
    assert z.grad_fn._saved is None
    np.testing.assert_allclose(x.grad.numpy(), 1 - y.detach().numpy() ** 2 + 0.5, rtol=1e-6)
    del x, y, z, node, saves
    assert gs.live_bytes() == base


def test_a_node_keeping_its_one_save_refuses_a_modified_or_freed_save():
    x = gs.randn(8, requires_grad=True)
    y = x.exp()
    s = y.sum()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        s.backward()
    w = x.sigmoid()
    t = w.sum()
    t.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second"):
        t.backward()
