"""Engine semantics against what torch does (reference sections 1, 2, 7 and 8)."""

import gc
import sys
import weakref

import numpy as np
import pytest

import gradscope as gs


def test_execution_order_is_descending_creation_order():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    order = []
    a = x * 2
    b = x.sin()
    y = (a + b).sum()
    for fn in (y.grad_fn, y.grad_fn.next_functions[0][0], a.grad_fn, b.grad_fn):
        fn.register_prehook(lambda g, fn=fn: order.append(fn.name()))
    y.backward()
    assert order == ["SumBackward0", "AddBackward0", "SinBackward0", "MulBackward0"]
    np.testing.assert_allclose(x.grad.numpy(), 2 + np.cos([1.0, 2.0]), rtol=1e-6)


def test_shared_leaf_accumulates_once_with_summed_gradient():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    y = (x * x).sum()
    assert (
        y.grad_fn.next_functions[0][0].next_functions[0][0]
        is (y.grad_fn.next_functions[0][0].next_functions[1][0])
    )
    y.backward()
    assert seen == [[2.0, 4.0]]
    assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.usefixtures("no_gc")  # garbage of earlier tests freed mid-trace moves the peak
def test_gradients_meeting_at_a_node_are_summed_in_place_and_become_grad():
    """As torch's: x * x's two 4,000-byte gradients are summed into the first, which then
    becomes x.grad (version 1: one in-place sum); no third or fourth buffer is made."""
    x = gs.ones(1000, requires_grad=True)
    base = gs.live_bytes() - 4000  # what other tests left alive
    with gs.trace() as tr:
        y = (x * x).sum()
        gs.mark("before")
        y.backward()
    start = next(e.seq for e in tr.events if e.kind == "backward_started")
    made = [e for e in tr.events[start:] if e.kind == "tensor_allocated"]
    assert [(e.nbytes, e.role) for e in made] == [(4, "temp"), (4000, "temp"), (4000, "temp")]
    (acc,) = [e for e in tr.events if e.kind == "grad_accumulated"]
    assert acc.buffer == made[1].buffer and acc.first
    assert tr.peak_bytes - base == 4000 + 4 + 4 + 4000 + 4000  # x, y, the root's 1, 2 grads
    assert x.grad._version == 1 and x.grad.tolist() == [2.0] * 1000


def test_in_place_sums_spare_gradients_that_others_hold():
    """A gradient the caller passed, a node's post-hook kept or a tensor hook kept is never
    the one summed into; the sums are right all the same."""
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    u = x * 2
    given = gs.tensor([1.0, 1.0])
    (u + u).backward(given)  # AddBackward0 hands `given` to u's node twice
    assert given.tolist() == [1.0, 1.0] and x.grad.tolist() == [4.0, 4.0]

    x = gs.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    kept = []
    b = a + 1  # passes its gradient to a's node as it is
    b.grad_fn.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
    ((b * 5) + (a * 7)).sum().backward()
    assert kept[0].tolist() == [5.0, 5.0] and x.grad.tolist() == [36.0, 36.0]

    x = gs.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    b = a + 1
    b.register_hook(lambda g: kept.append(g))
    ((b * 5) + (a * 7)).sum().backward()
    assert kept[1].tolist() == [5.0, 5.0] and x.grad.tolist() == [36.0, 36.0]


def test_hook_order_matches_torch():
    log = []
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    a = x * 3
    b = a.exp()
    y = b.sum()
    a.retain_grad()
    a.register_hook(lambda g: log.append("a hook"))
    b.register_hook(lambda g: log.append("b hook"))
    b.grad_fn.register_prehook(lambda g: log.append("Exp pre"))
    b.grad_fn.register_hook(lambda gi, go: log.append("Exp post"))
    a.grad_fn.register_prehook(lambda g: log.append(f"Mul pre a.grad={a.grad is not None}"))
    x.register_hook(lambda g: log.append("x hook"))
    x.register_post_accumulate_grad_hook(lambda t: log.append(f"x post-acc {t.grad is not None}"))
    y.backward()
    assert log == [
        "b hook",
        "Exp pre",
        "Exp post",
        "a hook",
        "Mul pre a.grad=True",
        "x hook",
        "x post-acc True",
    ]
    assert a.retains_grad and not a.is_leaf
    np.testing.assert_allclose(a.grad.numpy(), np.exp([3.0, 6.0]), rtol=1e-5)


def test_hook_return_values_replace_gradients():
    x = gs.tensor([1.0, 1.0], requires_grad=True)
    h = x.register_hook(lambda g: g * 10)
    (x * 3).sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]
    h.remove()
    x.grad = None
    a = x * 1
    a.register_hook(lambda g: g * 10)
    (a * 3).sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]


def test_hook_errors():
    t = gs.zeros(2)
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        t.register_hook(lambda g: g)
    with pytest.raises(
        RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"
    ):
        t.retain_grad()
    x = gs.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="post accumulate grad hooks cannot be registered on non-leaf"
    ):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    x.retain_grad()
    assert x.retains_grad is False


def test_nonleaf_grad_warns_and_is_none():
    x = gs.ones(3, requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_does_not_require_grad_errors():
    t = gs.ones(3)
    with pytest.raises(
        RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"
    ):
        t.sum().backward()
    x = gs.ones(3, requires_grad=True)
    with gs.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        y.backward()
    unused = gs.ones(2, requires_grad=True)
    with pytest.raises(
        RuntimeError, match="The differentiated Tensor at index 1 appears to not have been used"
    ):
        gs.autograd.grad((x * 2).sum(), [x, unused])
    gx, gu = gs.autograd.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0, 2.0] and gu is None


def test_requires_grad_on_integers():
    with pytest.raises(
        RuntimeError, match="Only Tensors of floating point and complex dtype can require gradients"
    ):
        gs.tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(
        RuntimeError, match="only Tensors of floating point dtype can require gradients"
    ):
        gs.arange(3).requires_grad_()
    t = gs.arange(3)
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype"):
        t.requires_grad = True
    x = gs.randn(3, requires_grad=True)
    assert x.argmax().requires_grad is False and x.argmax().grad_fn is None
    assert (x > 0).requires_grad is False
    with pytest.raises(
        RuntimeError, match="you can only change requires_grad flags of leaf variables"
    ):
        (x * 2).requires_grad = False


def test_autograd_grad_leaves_dot_grad_alone_and_sums_outputs():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = gs.autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0, 6.0] and x.grad is None
    a, b = x**2, x**3
    (g,) = gs.autograd.grad([a, b], x, grad_outputs=[gs.ones(3), gs.ones(3)])
    assert g.tolist() == [5.0, 16.0, 33.0]
    gs.autograd.backward([x**2, x**3], [gs.ones(3), gs.ones(3)])
    assert x.grad.tolist() == [5.0, 16.0, 33.0]


def test_autograd_grad_of_intermediate():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    (gh,) = gs.autograd.grad(y, h)
    assert gh.tolist() == [6.0, 12.0]


def test_gradient_shape_mismatch_and_dtype_cast():
    x = gs.ones(3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[0\] has a shape of torch.Size\(\[3, 1\]\) and output\[0\] has a shape of torch.Size\(\[3\]\)",
    ):
        (x * 2).backward(gs.ones(3, 1))
    x.sum().backward(gs.tensor(2.0, dtype=gs.float64))
    assert x.grad.dtype == gs.float32 and x.grad.tolist() == [2.0, 2.0, 2.0]


def test_partial_accumulation_when_second_backward_fails():
    a = gs.tensor([1.0, 1.0], requires_grad=True)
    b = gs.tensor([3.0, 4.0], requires_grad=True)
    y = a.sum() + (b * b).sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [6.0, 8.0]
    a.grad = b.grad = None
    y = (b * b).sum() + a.sum()
    y.backward()
    with pytest.raises(RuntimeError):
        y.backward()
    assert a.grad.tolist() == [2.0, 2.0] and b.grad.tolist() == [6.0, 8.0]


def test_version_counter_errors():
    x = gs.randn(3, requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    with pytest.raises(
        RuntimeError,
        match=r"\[torch.FloatTensor \[3\]\], which is output 0 of Sigmoid, is at version 1; expected version 0 instead",
    ):
        y.sum().backward()
    a = x * 1
    y = a * a
    a.add_(1)
    with pytest.raises(RuntimeError, match="which is output 0 of Add, is at version 1"):
        y.sum().backward()
    w = gs.randn(3, 2, requires_grad=True)
    y = gs.randn(4, 3, requires_grad=True) @ w  # saves w as mat2
    with gs.no_grad():
        w.mul_(2)
        w.mul_(2)
    with pytest.raises(
        RuntimeError,
        match=r"\[torch.FloatTensor \[3, 2\]\] is at version 2; expected version 0 instead",
    ):
        y.sum().backward()


def test_inplace_ok_on_unsaved_and_rebases_grad_fn():
    x = gs.ones(3, requires_grad=True)
    a = x * 2
    a.add_(1)
    assert a.grad_fn.name() == "AddBackward0"
    assert a.grad_fn.next_functions[0][0].name() == "MulBackward0"
    assert a._version == 1
    a.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation.",
    ):
        x.add_(1)
    d = x.detach()
    with gs.no_grad():
        d.mul_(2)
    assert x._version == 1  # detach shares the version counter
    x.data.mul_(2)
    assert x._version == 1  # .data does not


def test_a_view_follows_an_in_place_write_to_its_base():
    # v = b[:2] is taken, then b is tripled in place: v's values are 3x[:2] (shared memory),
    # so d/dx sum(v * v) = 18x, which needs v's graph to go through the write, as in torch
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with gs.trace() as tr:
        b = x * 1.0
        v = b[:2]
        unused = b[1:]
        assert v.grad_fn.name() == "SliceBackward0"
        b.mul_(3.0)
        loss = (v * v).sum()
    loss.backward()
    assert x.grad.tolist() == [18.0, 36.0, 0.0]
    assert v.grad_fn.name() == "AsStridedBackward0"
    assert v.grad_fn.next_functions[0][0] is b.grad_fn  # the write's node
    created = [e for e in tr.events if e.kind == "node_created"]
    regen = [e for e in created if e.op == "AsStridedBackward0"]
    assert len(regen) == 1  # made when v was used; the view never used after gets none
    assert regen[0].output == v._id and regen[0].inputs == (b.grad_fn.id,)
    del unused


def test_a_view_made_before_its_base_required_grad_follows_it():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = gs.zeros(3)
    v = b[:2]
    assert not v.requires_grad
    b.add_(x * x)
    assert v.requires_grad and v.grad_fn.name() == "AsStridedBackward0"
    (v.sum() + x.sum()).backward()
    assert x.grad.tolist() == [3.0, 5.0, 1.0]
    with gs.no_grad():  # a view made in no_grad mode, its base then written: torch refuses
        w = b[1:]
    b.mul_(2.0)
    assert w.requires_grad
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        _ = w.grad_fn
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        w * 2


def test_nodes_over_views_keep_sizes_and_strides_not_arrays():
    # The nodes an in-place write through a view leaves (CopySlices on the base,
    # AsStridedBackward0 on the view) and a view's regenerated node keep where the view lies,
    # as torch does, so they hold no memory the ledger does not show. NumPy reports its
    # allocations to tracemalloc: 8 bytes per element of an index array would show there.
    import tracemalloc

    x = gs.randn(100_000, requires_grad=True)
    b = x * 1.0
    v = b[::2]
    w = b.view(1000, 100).t()[1:]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        v.mul_(2.0)  # CopySlices + AsStridedBackward0
        assert w.grad_fn.name() == "AsStridedBackward0"  # regenerated: b was written
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 20_000, held  # an int64 position per element would be 400,000 + 792,000
    for node in (b.grad_fn, v.grad_fn, w.grad_fn):
        assert not any(isinstance(a, np.ndarray) for a in vars(node).values()), node
    (v.sum() + (w * w).sum()).backward()
    m = np.ones(100_000, np.float32)
    m[::2] = 2.0  # b = m * x after the write
    in_w = np.zeros((1000, 100), bool)
    in_w[:, 1:] = True  # the elements w views
    want = np.where(m == 2.0, 2.0, 0.0) + in_w.reshape(-1) * 2 * m * m * x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-5)


def test_writes_of_one_value_go_through_an_expanded_view_as_in_torch():
    # NumPy's broadcast views are read-only; torch writes through expand's views when the
    # write cannot disagree with itself (zero_, fill_, setitem), and refuses other ops
    for write, want in [
        (lambda v: v.zero_(), [0.0, 0.0]),
        (lambda v: v.fill_(2.0), [2.0, 2.0]),
        (lambda v: v.__setitem__((0, 1), 5.0), [5.0, 1.0]),
        (lambda v: v.__setitem__(gs.tensor([1]), 6.0), [1.0, 6.0]),
    ]:
        b = gs.ones(2, 1)
        v = b.expand(2, 3)
        write(v)
        assert b.reshape(2).tolist() == want and v.tolist() == [[w] * 3 for w in want]
        assert b._version == 1
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        gs.ones(2, 1).expand(2, 3)[0] = 5.0
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        gs.ones(1).expand(4).mul_(2.0)


def test_accumulate_grad_is_cached_weakly_and_holds_leaf():
    x = gs.ones(2, requires_grad=True)
    y = x * 2
    z = x * 3
    acc = y.grad_fn.next_functions[0][0]
    assert acc is z.grad_fn.next_functions[0][0]
    assert (
        acc.name() == "torch::autograd::AccumulateGrad"
        and acc.variable is x
        and acc.next_functions == ()
    )
    xref = weakref.ref(x)
    del x, z
    assert xref() is not None  # the graph keeps the leaf alive
    del y, acc
    assert xref() is None


def test_deep_chain_backpropagates_without_recursion(no_gc):
    base = gs.live_bytes()
    x = gs.ones(4, requires_grad=True)
    p = x
    for _ in range(100_000):
        p = p * 1.0
    p.sum().backward()
    assert x.grad.tolist() == [1.0] * 4
    del p
    x.grad = None
    assert gs.live_bytes() - base == 16
    assert sys.getrecursionlimit() < 100_000


def test_a_deep_graph_dropped_unused_is_freed_without_recursion(no_gc):
    # a node holds the next one in its own attributes (no tuple between): dropping the
    # output of a 100,000-op chain frees it all by reference counting, one-input and
    # two-input nodes alike
    base = gs.live_bytes()
    x = gs.ones(4, requires_grad=True)
    p = x
    for _ in range(50_000):
        p = (p * 1.0).tanh()
    first = weakref.ref(p.grad_fn)
    del p
    assert first() is None
    assert gs.live_bytes() - base == 16


def test_graph_freed_by_refcount_alone(no_gc):
    base = gs.live_bytes()
    w = gs.randn(8, 8, requires_grad=True)
    h = w
    for _ in range(5):
        h = gs.tanh(h @ w) * 2 + 1
    loss = h.sum()
    ref = weakref.ref(loss.grad_fn)
    loss.backward()
    del h, loss
    assert ref() is None
    w.grad = None
    assert gs.live_bytes() - base == 8 * 8 * 4
    assert gc.collect() == 0


def test_retain_graph_then_free():
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x**2).mean()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4 / 3, 8 / 3, 4.0], rtol=1e-6)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _ = y.grad_fn.next_functions[0][0]._saved_self


def test_grad_mode_contexts_and_thread_local():
    import threading

    x = gs.ones(2, requires_grad=True)
    with gs.no_grad():
        assert not gs.is_grad_enabled()
        assert (x * 2).grad_fn is None
        with gs.enable_grad():
            assert (x * 2).grad_fn is not None
        seen = []
        th = threading.Thread(target=lambda: seen.append(gs.is_grad_enabled()))
        th.start()
        th.join()
        assert seen == [True]
    assert gs.is_grad_enabled()
    gs.set_grad_enabled(False)
    assert not gs.is_grad_enabled()
    gs.set_grad_enabled(True)
    with gs.set_grad_enabled(False):
        assert not gs.is_grad_enabled()
    assert gs.is_grad_enabled()

    @gs.no_grad()
    def f():
        return x * 2

    assert f().grad_fn is None


def test_anomaly_mode_names_the_node():
    x = gs.tensor([0.0, 1.0], requires_grad=True)
    (gs.sqrt(x) * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])
    x.grad = None
    with pytest.warns(UserWarning):
        with gs.autograd.detect_anomaly():
            with pytest.raises(
                RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th output"
            ):
                (gs.sqrt(x) * 0).sum().backward()
    with gs.autograd.set_detect_anomaly(True, check_nan=False):
        (gs.sqrt(x) * 0).sum().backward()
    assert not gs.autograd.is_anomaly_enabled()


def test_backward_inputs_accumulates_only_into_those():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    w = gs.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0] and w.grad is None


def test_gradient_buffer_is_named_after_the_leaf():
    with gs.trace() as tr:
        weights = gs.ones(2, requires_grad=True)
        (weights * 2).sum().backward()
    names = {e.role: e.name for e in tr.events if e.kind == "tensor_allocated"}
    assert names["leaf"] == "weights" and names["grad"] == "weights.grad"


# -- the first gradient becomes .grad without a copy (as torch steals it) ----------------


def test_a_new_first_gradient_becomes_grad_as_it_is():
    with gs.trace() as tr:
        w = gs.ones(1000, requires_grad=True)
        (w * 2).sum().backward()
    big = [(e.role, e.name) for e in tr.events if e.kind == "tensor_allocated" and e.nbytes == 4000]
    # the leaf, w * 2, and the gradient, allocated once, as w.grad: no temp copy of it
    assert big == [("leaf", "w"), ("activation", None), ("grad", "w.grad")]
    # at most, while MulBackward0 makes the gradient: w, the gradient, the saved 2, the
    # loss and backward's starting 1 (w * 2 went with the forward)
    assert tr.peak_bytes - tr.baseline_bytes == 2 * 4000 + 8 + 4 + 4
    assert w.grad.tolist() == [2.0] * 1000


def test_the_peak_holds_a_nodes_saves_and_both_its_gradients():
    # while an ExpBackward0 runs, its saved output, the gradient it receives and the one
    # it makes are all alive: the peak counts the three, as the arrays really exist
    n = 1000
    with gs.trace() as tr:
        x = gs.randn(n, requires_grad=True)
        loss = x.exp().exp().sum()  # each exp saves its own output
        loss.backward()
    made = [e for e in tr.events if e.kind == "tensor_allocated" and e.role in ("temp", "grad")]
    # the second exp to run: x, its saved output, the loss, the gradient in and x.grad
    base = tr.baseline_bytes  # what earlier tests left alive
    assert made[-1].role == "grad" and made[-1].live_bytes - base == 4 * n * 4 + 4
    # the first: x, both saved outputs, the loss, the sum's 1 (4 bytes, seen through a
    # zero-stride view) and the gradient it makes
    assert tr.peak_bytes - base == made[-2].live_bytes - base == 4 * n * 4 + 4 + 4


def test_a_grad_never_shares_memory_with_another_grad_or_the_callers_gradient():
    x = gs.randn(1000, requires_grad=True)
    w = gs.randn(1000, requires_grad=True)
    y = (x.view(10, 100) + w.view(10, 100)).exp().sum()  # both get views of one gradient
    y.backward(retain_graph=True)
    assert not np.shares_memory(x.grad.numpy(), w.grad.numpy())
    first = x.grad.numpy().copy()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-6)
    g = gs.ones(10, 100)
    z = gs.randn(1000, requires_grad=True)
    z.view(10, 100).backward(g)
    assert not np.shares_memory(z.grad.numpy(), g.numpy())
    z.view(10, 100).backward(g)
    assert g.numpy().max() == 1.0 and z.grad.numpy().max() == 2.0


def test_node_hooks_see_the_gradient_without_counting_it_again():
    def run(hook):
        with gs.trace() as tr:
            x = gs.randn(1000, requires_grad=True)
            z = x.exp()
            loss = z.exp().sum()
            hook(z.grad_fn)
            loss.backward()
        return tr.peak_bytes

    plain = run(lambda node: None)
    assert run(lambda node: node.register_prehook(lambda g: None)) == plain
    assert run(lambda node: node.register_hook(lambda gi, go: None)) == plain


def test_index_arrays_are_saved_and_go_with_the_saves():
    # max(dim)'s indices and the index arrays of indexing and setitem are saved tensors:
    # counted while the graph holds them, and no node keeps them after backward. NumPy
    # reports its allocations to tracemalloc (which sees frees only of what it saw made).
    import tracemalloc

    n = 100_000
    tracemalloc.start()
    try:
        x = gs.randn(n // 2, 2, requires_grad=True)
        y = gs.randn(n, requires_grad=True)
        idx = gs.arange(0, n, 2)
        with gs.trace() as tr:
            a = y * 1
            a.view(2, n // 2)[:, gs.arange(0, n // 2, 2)] = 0.0  # a slice, a tensor index
            losses = [x.max(1).values.sum(), y[idx].sum(), a.sum()]
        del idx  # the index tensor itself, so that only the graph holds its array
        before, ledger = tracemalloc.get_traced_memory()[0], gs.live_bytes()
        for loss in losses:
            loss.backward()
        x.grad = y.grad = None
        real = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    saved = [e.nbytes for e in tr.events if e.kind == "tensor_saved" and "indices" in e.slot]
    # the setitem's index (25,000 int64), max(1)'s indices and y[idx]'s (50,000 each)
    assert sorted(saved) == [n * 2, n * 4, n * 4]
    dropped = ledger - gs.live_bytes()
    assert dropped >= n * 10  # the three index arrays and more, by the ledger
    assert abs(real + dropped) < 20_000, (real, dropped)  # ...and really


def test_from_numpy_counts_the_memory_each_array_spans():
    # a slice of the caller's array keeps only what it spans, as torch's storage does:
    # two slices of one array do not count the array twice
    arr = np.zeros(100_000, np.float32)
    before = gs.live_bytes()
    tensors = [gs.from_numpy(arr[:10]), gs.from_numpy(arr[10:20]), gs.from_numpy(arr[::2])]
    assert gs.live_bytes() - before == 40 + 40 + 399_996
    tensors.append(gs.from_numpy(arr))
    assert gs.live_bytes() - before == 40 + 40 + 399_996 + 400_000


def test_a_weight_gradient_through_its_transpose_is_adopted_with_its_buffer():
    from gradscope.nn import functional as F
    from gradscope.state.ledger import fold_memory

    w = gs.randn(64, 32, requires_grad=True)
    x = gs.randn(8, 32)
    with gs.trace() as tr:
        F.linear(x, w).sum().backward()
    temp = {e.buffer for e in tr.events if e.kind == "tensor_allocated" and e.role == "temp"}
    (acc,) = [e for e in tr.events if e.kind == "grad_accumulated"]
    assert acc.first and acc.buffer in temp and acc.nbytes == 64 * 32 * 4
    assert not any(e.kind == "tensor_allocated" and e.role == "grad" for e in tr.events)
    held = fold_memory(tr.events).live[acc.buffer]
    assert held.role == "grad" and held.name == f"{w._id}.grad"
    expected = np.ones((8, 64), np.float32).T @ x.numpy()
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6)
    assert w.grad._data.flags.c_contiguous
    F.linear(x, w).sum().backward()  # accumulates in place into the adopted array
    np.testing.assert_allclose(w.grad.numpy(), 2 * expected, rtol=1e-6)


def test_a_gradient_someone_else_holds_is_copied_into_grad():
    from gradscope.nn import functional as F

    w = gs.randn(16, 8, requires_grad=True)
    x = gs.randn(4, 8)
    out = F.linear(x, w)
    t_node = out.grad_fn.next_functions[-1][0]  # TBackward0, between the product and w
    assert t_node.name() == "TBackward0"
    kept = []
    t_node.register_hook(lambda grad_inputs, grad_outputs: kept.append(grad_inputs[0]))
    out.sum().backward()
    assert not np.shares_memory(w.grad._data, kept[0]._data)
    np.testing.assert_allclose(w.grad.numpy(), kept[0].numpy())


def test_a_leaf_hook_sees_the_gradient_before_it_becomes_grad():
    w = gs.ones(4, requires_grad=True)
    seen = []
    w.register_hook(lambda g: seen.append(g))
    (w * 3).sum().backward()
    assert not np.shares_memory(w.grad._data, seen[0]._data)
    assert w.grad.tolist() == [3.0] * 4


def test_a_hook_must_return_a_gradient_of_the_same_size_and_dtype():
    def grad_after(hook, leaf: bool):
        x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x if leaf else x * 2
        y.register_hook(hook)
        with pytest.raises((RuntimeError, TypeError)) as e:
            (y * y).sum().backward()
        assert x.grad is None  # nothing reached .grad
        return f"{e.type.__name__}: {e.value}"

    def halve(g):
        return gs.ones(2)

    for leaf in (True, False):
        assert grad_after(halve, leaf) == "RuntimeError: hook 'halve' has changed the size of value"
        assert grad_after(lambda g: g.double(), leaf) == (
            "RuntimeError: hook '<lambda>' has changed the type of value "
            "(was torch.FloatTensor got torch.DoubleTensor)"
        )
        assert grad_after(lambda g: 3.0, leaf) == (
            "TypeError: expected Variable, but hook returned 'float'"
        )
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.register_hook(lambda g: gs.ones(3, 1))  # as many values, another shape
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        gs.autograd.grad((x * x).sum(), x)


def test_node_hooks_must_return_a_tuple_of_matching_gradients():
    def backward_with(register, hook):
        x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2  # MulBackward0: a gradient for x, none for the 2
        getattr(y.grad_fn, register)(hook)
        y.sum().backward()
        return x.grad

    with pytest.raises(
        RuntimeError,
        match=r"hook '<lambda>' has returned an incorrect number of values \(got 1, but expected 2\)",
    ):
        backward_with("register_hook", lambda gi, go: (gs.ones(1),))
    with pytest.raises(TypeError, match="expected tuple, but hook returned 'list'"):
        backward_with("register_hook", lambda gi, go: [gi[0], None])
    with pytest.raises(RuntimeError, match="can't replace a None gradient with a non-None value"):
        backward_with("register_hook", lambda gi, go: (gi[0], gs.ones(3)))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        backward_with("register_prehook", lambda go: (gs.ones(1),))
    with pytest.raises(TypeError, match="expected tuple, but hook returned 'Tensor'"):
        backward_with("register_prehook", lambda go: go[0])
    assert backward_with("register_hook", lambda gi, go: (gi[0] * 5, None)).tolist() == [10.0] * 3
    assert backward_with("register_prehook", lambda go: (go[0] * 3,)).tolist() == [6.0] * 3
    x = gs.ones(2, requires_grad=True)
    y = x * 2
    y.grad_fn.next_functions[0][0].register_hook(lambda gi, go: (gs.ones(2),))  # AccumulateGrad
    with pytest.raises(RuntimeError, match=r"\(got 1, but expected 0\)"):
        y.sum().backward()


def test_a_pre_hook_can_drop_the_gradient():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    w = gs.tensor([3.0, 4.0], requires_grad=True)
    y = x * w
    y.grad_fn.register_prehook(lambda go: (None,))
    (y.sum() + w.sum()).backward()
    assert x.grad is None and w.grad.tolist() == [1.0, 1.0]  # w's other path still counts
    z = gs.ones(2, requires_grad=True)
    out = z * 2
    out.grad_fn.next_functions[0][0].register_prehook(lambda go: (None,))
    out.sum().backward()
    assert z.grad is None


def test_autograd_api_refuses_what_torch_refuses():
    def make():
        return gs.tensor([1.0, 2.0, 3.0], requires_grad=True)

    x = make()
    with pytest.raises(RuntimeError, match="^got 2 tensors and 1 gradients$"):
        gs.autograd.backward([x.sum(), (x * 2).sum()], [gs.tensor(1.0)])
    with pytest.raises(TypeError, match="gradients can be either Tensors or None, but got float"):
        (x * 2).backward([1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="'float' object is not iterable"):
        x.sum().backward(2.0)
    with pytest.raises(RuntimeError, match="`inputs` argument to `grad\\(\\)` cannot be empty."):
        gs.autograd.grad(x.sum(), [])
    with pytest.raises(
        RuntimeError, match="`inputs` argument to `backward\\(\\)` cannot be empty."
    ):
        x.sum().backward(inputs=[])
    with pytest.raises(
        RuntimeError, match="all inputs have to be Tensors or GradientEdges, but got float"
    ):
        gs.autograd.grad(x.sum(), [1.0])
    with pytest.raises(RuntimeError, match="^requires_grad must be a bool$"):
        gs.ones(2).requires_grad = 1
    with pytest.raises(TypeError, match="must be bool, not int"):
        gs.ones(2).requires_grad_(1)
    assert x.grad is None
    gs.autograd.backward([x.sum()], [gs.tensor(2.0), gs.tensor(5.0)])  # extra ones ignored
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_numpy_floating_point_warnings_are_quiet_in_ops_but_kept_in_user_code():
    """As torch, inf * 0 or an overflowing exp gives nan or inf silently inside an op;
    the same NumPy call in the user's own code still warns."""
    import warnings

    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", append=True)
        x = gs.tensor([1000.0, float("inf")], requires_grad=True)
        y = x.exp() * 0
        y.sum().backward()
    assert rec == []
    assert np.isnan(y.detach().numpy()).all() and np.isnan(x.grad.numpy()).all()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", append=True)
        np.exp(np.array([1000.0]))
    assert [w.category for w in rec] == [RuntimeWarning]
