"""Exact-bytes accounting and the event stream at the edges: features added recently or
rarely combined (N-d and class-probability cross-entropy, second order, forward mode,
hooks and retain_grad, in-place through views, dtype changes, from_numpy, exceptions in
backward), each program checked against the trace's invariants:

1. every event's ``live_bytes`` is the running sum of allocated minus freed bytes;
2. each buffer is allocated once, freed at most once, never used after it is freed;
3. ``tensor_saved`` and ``grad_accumulated`` name a live buffer;
4. once every reference is gone (and ``gc.collect()``), ``gs.live_bytes()`` is back where
   it started;
5. a fresh allocation's ``nbytes`` is ``numel * itemsize`` (from_numpy: the span);
6. ``peak_bytes`` is the largest ``live_bytes``;
7. ``gs.load_trace`` of the saved file gives the same events and figures;
8. ``tr.snapshot(seq)`` agrees with the fold at that seq.

Today's defects are strict xfails with a one-line reason.
"""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest

import gradscope as gs
import gradscope.autograd.forward_ad as fwAD
import gradscope.nn.functional as F

ITEMSIZE = {
    "float16": 2,
    "float32": 4,
    "float64": 8,
    "int64": 8,
    "int32": 4,
    "int16": 2,
    "int8": 1,
    "uint8": 1,
    "bool": 1,
}


def traced(program, tmp_path, *, exact_sizes=True):
    """Run ``program`` under a trace and check invariants 1-8; returns the trace."""
    gc.collect()
    base = gs.live_bytes()
    with gs.trace() as tr:
        program()
        gc.collect()
    assert gs.live_bytes() == base, "(4) live bytes not back to the baseline"
    evs = tr.events
    assert [e.seq for e in evs] == list(range(len(evs)))
    alive: dict[int, int] = {}
    freed: set[int] = set()
    live = peak = base
    for e in evs:
        if e.kind == "tensor_allocated":
            assert e.buffer not in alive and e.buffer not in freed, f"(2) {e}"
            alive[e.buffer] = e.nbytes
            live += e.nbytes
            if exact_sizes:
                assert e.nbytes == math.prod(e.shape) * ITEMSIZE[e.dtype], f"(5) {e}"
        elif e.kind == "tensor_freed":
            assert e.buffer in alive and e.buffer not in freed, f"(2) {e}"
            assert alive.pop(e.buffer) == e.nbytes, f"(2) {e}"
            freed.add(e.buffer)
            live -= e.nbytes
        elif e.kind in ("tensor_saved", "grad_accumulated"):
            assert e.buffer in alive, f"(3) {e}"
        assert e.live_bytes == live, f"(1) {e}"
        peak = max(peak, live)
    assert not alive, f"(4) buffers never freed: {alive}"
    assert tr.peak_bytes == peak, "(6)"
    path = tmp_path / "t.gstrace"
    tr.save(str(path))
    tr2 = gs.load_trace(str(path))
    assert tr2.events == evs, "(7)"
    assert (tr2.peak_bytes, tr2.live_bytes) == (tr.peak_bytes, tr.live_bytes), "(7)"
    for e in evs[:: max(1, len(evs) // 8)] + evs[-1:]:
        snap = tr.snapshot(e.seq)
        assert snap.memory.live_bytes == e.live_bytes, "(8)"
        assert snap.memory.mismatch_seq is None, "(8)"
    return tr


def _loss_nd():
    x = gs.randn(2, 3, 4, 5, requires_grad=True)
    F.cross_entropy(x, gs.randint(0, 3, (2, 4, 5)), label_smoothing=0.1).backward()


def _loss_probs_nd():
    x = gs.randn(2, 3, 4, requires_grad=True)
    t = gs.softmax(gs.randn(2, 3, 4), dim=1)
    F.cross_entropy(x, t, label_smoothing=0.1).backward()


def _loss_weight_ignore():
    x = gs.randn(4, 3, requires_grad=True)
    w = gs.tensor([1.0, 2.0, 3.0])
    F.cross_entropy(x, gs.tensor([0, -100, 2, 1]), weight=w, label_smoothing=0.2).backward()
    lp = F.log_softmax(gs.randn(2, 3, 4, requires_grad=True), 1)
    F.nll_loss(lp, gs.randint(0, 3, (2, 4)), weight=w, reduction="none").sum().backward()


def _loss_dropped():
    x = gs.randn(2, 3, 4, 5, requires_grad=True)
    loss = F.cross_entropy(x, gs.randint(0, 3, (2, 4, 5)), label_smoothing=0.1)
    del loss  # no backward: every saved byte goes


def _second_order():
    x = gs.randn(100, requires_grad=True)
    w = gs.randn(100, requires_grad=True)
    (g,) = gs.autograd.grad(((x * w).tanh() * x).sum(), x, create_graph=True)
    (g**2).sum().backward()
    (h,) = gs.autograd.grad(gs.autograd.grad((x.sin() * x).sum(), x, create_graph=True)[0].sum(), x)


def _create_graph_backward():
    x = gs.randn(100, requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (x**3).sum().backward(create_graph=True)
    (x.grad * x.grad).sum().backward()
    x.grad = None


def _func_transforms():
    f = lambda x: (x.sin() ** 2).sum()  # noqa: E731
    x = gs.randn(50)
    gs.func.grad(f)(x)
    gs.func.grad(lambda x: gs.func.grad(f)(x).sum())(x)
    out, vjp_fn = gs.func.vjp(lambda x: x.exp() * 2, x)
    vjp_fn(gs.ones(50))
    gs.func.jvp(lambda x: (x.exp() * x).sum(), (x,), (gs.ones(50),))
    gs.func.jvp(gs.func.grad(f), (x,), (gs.ones(50),))


def _dual_tensors():
    x, v = gs.randn(3, 4), gs.randn(3, 4)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        y = (d * d).exp()[:, 1:3].sum(0)
        c = d.clone()
        c[0].mul_(2)  # in place through a view of a dual
        p, t = fwAD.unpack_dual(y)
        t = t * 1


def _hooks_and_retain():
    x = gs.randn(1000, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * 3)
    x.register_hook(lambda g: g + 1)
    y.retain_grad()
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.sum().item()))
    z = (y * y).sum()
    z.backward(retain_graph=True)
    first = y.grad
    z.backward()
    assert y.grad is not first
    w = gs.randn(1000, requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    assert w.grad is None


def _inplace_views_and_setitem():
    x = gs.randn(100, 10, requires_grad=True)
    w = gs.randn(10, requires_grad=True)
    y = x * 1
    y[:, 2].mul_(3)
    y[3] = w
    y[y > 0] = 0.0
    y[gs.tensor([1, 5, 7]), 0] = gs.tensor([1.0, 2.0, 3.0])
    m = (x > 0).to(gs.uint8)
    with pytest.warns(UserWarning, match="uint8"):
        s = x[m].sum()
    ((y * y).sum() + s + (x[True] * 2).sum() + x[False].sum()).backward()


def _dtypes_and_shapes():
    a = gs.randn(100, requires_grad=True)
    b = gs.randn(50, dtype=gs.float64, requires_grad=True)
    c = gs.cat([a, b])
    m = gs.maximum(a, gs.randn(100, dtype=gs.float64))
    k = a.clamp(gs.tensor(-0.5, dtype=gs.float64), 0.5)
    loss = c.sum() + m.sum() + k.sum() + a.mean(dtype=gs.float64) + a.half().float().sum()
    loss = loss + a.to(gs.float64).to(gs.float32).sum() + gs.tensor(3.0, requires_grad=True)
    loss.backward()
    i = gs.arange(10)
    _ = (i * 2.5, i / 2, (i > 5).sum(), i.long(), a.bool(), gs.empty(0), gs.randn(0, 5) * 2)


def _from_numpy_data_detach():
    big = np.zeros((1000, 100), np.float32)
    t = gs.from_numpy(big[:10])
    assert gs.live_bytes() - BASE[0] == 4000
    u = gs.from_numpy(big[:, 0])  # a column: the span, 999 rows * 400 B + 4 B
    assert gs.live_bytes() - BASE[0] == 4000 + 399_604
    _ = (t.reshape(1000), t[2:5], t.t(), u.unsqueeze(0).expand(3, 1000))
    assert gs.live_bytes() - BASE[0] == 4000 + 399_604  # views: no new bytes
    x = gs.randn(1000, requires_grad=True)
    x.data.mul_(2)
    _ = (x.detach(), x.data, x.detach().clone())
    x.data = gs.randn(500)  # the old 4000 B go, 2000 B come
    (x * 2).sum().backward()
    assert x.grad.shape == (500,)


BASE = [0]


def _retain_graph_twice():
    x = gs.randn(1000, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def _hook_raises():
    x = gs.randn(1000, requires_grad=True)
    y = x.exp() * 2

    def bad(g):
        raise ValueError("boom")

    y.register_hook(bad)
    with pytest.raises(ValueError):
        (y * y).sum().backward()
    z = x.exp() * 2
    z.register_hook(bad)
    with pytest.raises(ValueError):
        (z * z).sum().backward(create_graph=True)
    x.register_post_accumulate_grad_hook(bad)
    with pytest.raises(ValueError):
        (x * x).sum().backward()


def _unbind_and_iterate():
    x = gs.randn(50, 20, requires_grad=True)
    h = gs.zeros(20)
    for row in x:  # one UnbindBackward0, 50 outputs
        h = h * 0.5 + row
    h.sum().backward(retain_graph=True)
    rows = x.unbind(1)
    (g,) = gs.autograd.grad((rows[3] * rows[5]).sum(), [x], create_graph=True)
    (g * g).sum().backward()
    y = x * 1
    ys = list(y)
    ys[0].register_hook(lambda g: None)
    ys[0].grad_fn.register_prehook(lambda go: tuple(None if g is None else g * 2 for g in go))
    ys[0].grad_fn.register_hook(lambda gi, go: None)

    def bad(g):
        raise ValueError("boom")

    ys[1].register_hook(bad)
    with pytest.raises(ValueError):  # after output 0 wrote its part, before the node ran
        (ys[0] * 2 + ys[1] * 3).sum().backward(retain_graph=True)


PROGRAMS = {
    "cross_entropy (N,C,d1,d2) label_smoothing": _loss_nd,
    "cross_entropy class probabilities, N-d": _loss_probs_nd,
    "cross_entropy weight+ignore, nll N-d": _loss_weight_ignore,
    "loss graph dropped without backward": _loss_dropped,
    "autograd.grad second order": _second_order,
    "backward(create_graph=True) then backward": _create_graph_backward,
    "func.grad/vjp/jvp": _func_transforms,
    "forward_ad dual tensors": _dual_tensors,
    "hooks, retain_grad, post-acc, inputs=": _hooks_and_retain,
    "in-place through views, setitem, masks": _inplace_views_and_setitem,
    "dtype changes, ints, 0-d, empty": _dtypes_and_shapes,
    "retain_graph then second backward": _retain_graph_twice,
    "hooks raising mid-backward": _hook_raises,
    "unbind and iterating over rows": _unbind_and_iterate,
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_trace_invariants_at_the_edges(name, tmp_path):
    traced(PROGRAMS[name], tmp_path)


def test_from_numpy_span_views_data_detach(tmp_path):
    gc.collect()
    BASE[0] = gs.live_bytes()
    traced(_from_numpy_data_detach, tmp_path, exact_sizes=False)


def test_dropped_graph_records_graph_freed_with_its_saved_bytes(tmp_path):
    tr = traced(_loss_dropped, tmp_path)
    nodes = {e.node for e in tr.events if e.kind == "tensor_saved"}
    freed = {e.node for e in tr.events if e.kind == "graph_freed"}
    assert nodes <= freed
    new_saved = sum(e.nbytes for e in tr.events if e.kind == "tensor_saved" and e.new)
    assert new_saved <= sum(e.nbytes for e in tr.events if e.kind == "graph_freed")


def test_tangents_are_counted_and_go_with_the_level():
    gc.collect()
    base = gs.live_bytes()
    x, v = gs.randn(1000), gs.randn(1000)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)  # a view carrying v: no new bytes
        assert gs.live_bytes() == base + 8000
        y = d.exp()  # primal 4000 B and its tangent 4000 B
        assert gs.live_bytes() == base + 16000
    assert gs.live_bytes() == base + 12000  # the tangent leaves with the level
    del d, y, x, v
    gc.collect()
    assert gs.live_bytes() == base


def test_saved_bytes_match_torch_for_scalar_operands():
    torch = pytest.importorskip("torch")
    a = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    cases = {
        "mul": lambda t: t * 2.0,
        "div": lambda t: t / 2.0,
        "pow": lambda t: t**2,
        "clamp": lambda t: t.clamp(-0.5, 0.5),
        "where": lambda t: (t > 0).float() * t,
        "exp": lambda t: t.exp(),
        "max_dim": lambda t: t.max(1)[0],
    }
    for name, f in cases.items():
        tt = torch.tensor(a, requires_grad=True)
        fn = f(tt).grad_fn
        want = {}
        for k in dir(fn):
            if k.startswith("_saved_") and isinstance(getattr(fn, k), torch.Tensor):
                want[k[7:]] = getattr(fn, k).untyped_storage().nbytes()
        g = gs.tensor(a, requires_grad=True)
        with gs.trace() as tr:
            out = f(g)
        nid = next(e.node for e in tr.events if e.kind == "node_created" and e.output == out._id)
        got = {e.slot: e.nbytes for e in tr.events if e.kind == "tensor_saved" and e.node == nid}
        assert got == want, name


# -- today's defects -----------------------------------------------------------------


def test_retained_grad_under_create_graph_is_a_new_tensor():
    x = gs.ones(3, requires_grad=True)
    y = x * 2
    y.retain_grad()
    v = gs.ones(3)
    with gs.trace() as tr:
        y.backward(gradient=v, create_graph=True)
    assert y.grad is not v
    with gs.no_grad():
        y.grad.zero_()
    assert v.tolist() == [1.0, 1.0, 1.0]  # torch: v untouched
    allocated = {e.buffer for e in tr.events if e.kind == "tensor_allocated"}
    assert y.grad._buffer.id in allocated  # torch's clone: 12 new bytes


def test_retained_grad_records_grad_accumulated():
    x = gs.randn(1000, requires_grad=True)
    y = x * 2
    y.retain_grad()
    with gs.trace() as tr:
        (y * y).sum().backward()
    acc = [e for e in tr.events if e.kind == "grad_accumulated"]
    assert {e.tensor for e in acc} == {x._id, y._id}
    assert tr.snapshot().memory.backwards[0].grad_bytes == 8000
    made = next(
        e for e in tr.events if e.kind == "tensor_allocated" and e.buffer == y.grad._buffer.id
    )
    assert made.name is not None


def test_an_op_output_without_a_graph_node_is_a_leaf_as_autograd_calls_it():
    """docs/trace-format.md: no node, a leaf (W = (randn(...) * 0.1).requires_grad_() is
    the user's parameter); with a node, an activation."""
    a = gs.randn(100)
    w = gs.randn(100, requires_grad=True)
    with gs.trace() as tr:
        with gs.no_grad():
            b = a.exp()
        c = a * 2
        d = w * 2
    roles = {e.tensor: e.role for e in tr.events if e.kind == "tensor_allocated"}
    assert (roles[b._id], roles[c._id], roles[d._id]) == ("leaf", "leaf", "activation")


def test_from_numpy_of_own_buffer_counts_nothing_new():
    gc.collect()
    base = gs.live_bytes()
    x = gs.randn(1000)
    y = gs.from_numpy(x.numpy())  # torch: the same storage
    assert np.shares_memory(y.numpy(), x.numpy())
    assert gs.live_bytes() - base == 4000


def test_leaf_names_with_two_assignments_on_a_line():
    with gs.trace() as tr:
        first = gs.randn(3); second = gs.randn(3)  # noqa: E702  # fmt: skip
    names = {e.tensor: e.name for e in tr.events if e.kind == "tensor_allocated"}
    assert names[first._id] == "first" and names[second._id] == "second"


def test_from_numpy_shares_a_live_tensors_buffer_and_counts_an_orphaned_array():
    gc.collect()
    base = gs.live_bytes()
    x = gs.randn(1000)
    half = gs.from_numpy(x.numpy()[::2])  # part of x's memory, which x still holds
    assert gs.live_bytes() - base == 4000
    arr = x.numpy()
    del x, half
    gc.collect()
    assert gs.live_bytes() - base == 0  # arr is NumPy's now, outside gradscope
    y = gs.from_numpy(arr)  # gradscope holds it again: its bytes count again
    assert gs.live_bytes() - base == 4000
    del y
    gc.collect()
    assert gs.live_bytes() - base == 0


def test_iterating_records_one_node_and_one_input_sized_gradient():
    """``for row in x``: one UnbindBackward0 in the trace, run once, whose gradient is
    one buffer of x's size (torch stacks the rows' gradients into one), and every row's
    gradient lands in it."""
    x = gs.randn(6, 5, requires_grad=True)
    with gs.trace() as tr:
        total = gs.zeros(5)
        for row in x:
            total = total + row * row
        total.sum().backward()
    created = [e for e in tr.events if e.kind == "node_created" and e.op == "UnbindBackward0"]
    assert len(created) == 1
    node = created[0].node
    assert [e.kind for e in tr.events if getattr(e, "node", None) == node].count(
        "node_executed"
    ) == 1
    assert sum(node in e.inputs for e in tr.events if e.kind == "node_created") == 6
    grads = [e for e in tr.events if e.kind == "tensor_allocated" and e.node == node]
    assert [(tuple(e.shape), e.nbytes) for e in grads] == [((6, 5), 120)]
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy(), rtol=1e-6)


def test_a_backward_cut_short_leaves_no_stale_gradient_in_unbind():
    """A backward that fails after one row's gradient was written, then another: the
    second sees only its own gradients."""
    x = gs.ones(3, 2, requires_grad=True)
    rows = list(x * 1)
    rows[1].register_hook(lambda g: (_ for _ in ()).throw(ValueError("boom")))
    loss = (rows[0] * 2 + rows[1]).sum()
    with pytest.raises(ValueError):
        loss.backward(retain_graph=True)
    assert x.grad is None
    (rows[0] * 5).sum().backward()
    assert x.grad.tolist() == [[5.0, 5.0], [0.0, 0.0], [0.0, 0.0]]


def _live_bytes_seen_by_user_code(traced: bool, user_gradient: bool) -> list[int]:
    """The live bytes a custom Function's backward, a tensor hook and the caller see around
    a chain of single-input ops, with the root gradient made by backward or given."""
    seen: list[int] = []

    class Look(gs.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):
            seen.append(gs.live_bytes())
            return g * 2.0

    def run():
        x = gs.tensor(np.linspace(-1, 1, 1000, dtype=np.float32), requires_grad=True)
        y = Look.apply(x.exp())[:500].tanh()  # (the slice's gradient is twice its input's)
        # the hook sees the root node's gradient while the caller's is alive too
        y.register_hook(lambda g: seen.append(gs.live_bytes()))
        z = y.sigmoid()
        given = gs.ones(500) if user_gradient else None
        if given is None:
            z.sum().backward()
        else:
            z.backward(given)
        seen.append(gs.live_bytes())
        del y, z
        seen.append(gs.live_bytes())
        del x, given
        seen.append(gs.live_bytes())

    if traced:
        with gs.trace():
            run()
    else:
        run()
    return seen


@pytest.mark.parametrize("user_gradient", [False, True], ids=["implicit", "given"])
def test_untraced_live_bytes_are_the_traced_ones_wherever_user_code_looks(user_gradient):
    # Untraced, a single-input node's gradient takes over the record of the one it
    # replaces; what a hook, a custom backward or the caller sees must not change.
    base = gs.live_bytes()
    untraced = _live_bytes_seen_by_user_code(False, user_gradient)
    traced = _live_bytes_seen_by_user_code(True, user_gradient)
    assert untraced == traced
    assert untraced[-1] == base
    # inside the custom backward: x, its grad in flight, exp's output and saved results,
    # and what the chain after it still holds
    assert untraced[1] > base + 4 * 4000
