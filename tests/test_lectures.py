"""The lectures' facts, exactly: gradients, errors and byte counts."""

import numpy as np
import pytest

import gradscope as gs
from gradscope.errors import M_FREED, M_SCALAR


def test_square_sum_gives_2x():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x**2).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_mean_of_squares_gives_2x_over_n():
    x = gs.randn(10, requires_grad=True)
    p = (x**2).mean()
    assert p.grad_fn.name() == "MeanBackward0"
    assert p.grad_fn.next_functions[0][0].name() == "PowBackward0"
    p.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy() / 10, rtol=1e-6)


def test_second_backward_raises_then_retain_graph_accumulates():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x**2).sum()
    y.backward()
    with pytest.raises(RuntimeError) as e:
        y.backward()
    assert str(e.value).startswith(M_FREED)

    x.grad = None
    y = (x**2).sum()
    y.backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    grad_obj = x.grad
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0, 12.0]
    assert x.grad is grad_obj  # accumulation is in place
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "build, replayable",
    [
        (lambda x: (x * 2).sum(), False),  # torch saves the wrapped scalar 2
        (lambda x: (x / 2).sum(), False),
        (lambda x: (x * x).sum(), False),
        (lambda x: x.exp().sum(), False),
        (lambda x: gs.relu(x).sum(), False),
        (lambda x: (x + 1).sum(), True),
        (lambda x: (x - 2).sum(), True),
        (lambda x: x.sum(), True),
        (lambda x: x.mean(), True),
        (lambda x: (-x).sum(), True),
        (lambda x: x.reshape(3, 1).sum(), True),
    ],
)
def test_second_backward_rule(build, replayable):
    x = gs.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = build(x)
    y.backward()
    first = x.grad.tolist()
    if replayable:
        y.backward()
        assert x.grad.tolist() == [2 * g for g in first]
    else:
        with pytest.raises(
            RuntimeError, match="Trying to backward through the graph a second time"
        ):
            y.backward()
        assert x.grad.tolist() == first


def test_nonscalar_backward_needs_gradient_and_gives_vjp():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    p = x**2
    with pytest.raises(RuntimeError, match=M_SCALAR):
        p.backward()
    p.backward(gs.ones_like(p))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]
    x.grad = None
    v = gs.tensor([1.5, -0.5, 2.0])
    (x**2).backward(v)
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1, 2, 3]) * v.numpy())


def test_one_million_float32_is_four_million_bytes():
    before = gs.live_bytes()
    x = gs.randn(1_000_000)
    assert x.nbytes == 4_000_000
    assert gs.live_bytes() - before == 4_000_000
    del x
    assert gs.live_bytes() == before


@pytest.mark.big
def test_relu_chain_memory_exact(no_gc):
    base = gs.live_bytes()
    x = gs.randn(1_000_000, requires_grad=True)
    with gs.trace() as tr:
        p = gs.relu(x)
        for _ in range(100):
            p = gs.relu(p)
        loss = p.sum()
        assert gs.live_bytes() - base == 408_000_004  # x + 101 outputs + the loss
        gs.mark("before backward")
        loss.backward()
        gs.mark("after backward")
    nodes = [e for e in tr.events if e.kind == "node_created" and e.op == "ReluBackward0"]
    assert len(nodes) == 101
    saved = [e for e in tr.events if e.kind == "tensor_saved"]
    assert len(saved) == 101
    assert {(e.slot, e.nbytes, e.new) for e in saved} == {("result", 4_000_000, False)}
    assert {e.node for e in saved} == {e.node for e in nodes}
    before = next(e for e in tr.events if e.kind == "mark" and e.label == "before backward")
    assert before.live_bytes - base == 408_000_004
    # during backward: at most two extra 4 MB gradient buffers
    assert 408_000_004 <= tr.peak_bytes - base <= 416_000_004
    freed = [e for e in tr.events if e.kind == "graph_freed"]
    assert len(freed) == 101
    # x, p, x.grad and the scalar loss remain
    assert gs.live_bytes() - base == 12_000_004
    assert x.grad.shape == (1_000_000,)
    del loss, p
    x.grad = None
    assert gs.live_bytes() - base == 4_000_000
    del x
    assert gs.live_bytes() == base
