"""Functions defined as torch's ``autograd.Function`` (static ``forward(ctx, ...)`` and
``backward(ctx, ...)``, or ``forward`` with ``setup_context``): against torch 2.13, the
node's name, edges, ``needs_input_grad``, saved tensors, several outputs, dirty and
non-differentiable outputs, the checks of what backward returns, and double backward;
without torch, what a trace records of them (exact bytes)."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import gradscope as gs


def functions(m) -> dict:
    """The same functions written against ``m`` (gradscope or torch)."""

    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k=2.0):
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * ctx.k, None

    class Exp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            r = x.exp()
            ctx.save_for_backward(r)
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    class Cube(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2

    class TooMany(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class TooFew(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return (g,)

    class BadShape(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum()

        @staticmethod
        def backward(ctx, g):
            return g.reshape(1)

    class Broadcast(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.expand(3, 2, 2) * 2  # summed back to the input's shape

    class TwoOut(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            a, b = x * 2, x * 3
            ctx.mark_non_differentiable(b)
            return a, b

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb

    class Split2(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x.sum()

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + gb

    class NoMaterialize(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 if gb is None else ga * 2 + 100

    class Dirty(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class NoneGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return None

    class IntGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.long()

    class ReturnsInput(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    class Mid(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, w, k):
            h = x * w
            ctx.save_for_backward(h, None, x)
            ctx.k = k
            return h * k

        @staticmethod
        def backward(ctx, g):
            h, none, x = ctx.saved_tensors
            return g * ctx.k, g * x * ctx.k, None

    class NonTensorGrad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    class SetupCtx(m.autograd.Function):
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    return locals()


def _listed(g):
    return None if g is None else g.tolist()


def _names(node) -> list:
    return [None if n is None else type(n).__name__ for n, _ in node.next_functions]


def _case(m, name: str):
    f = functions(m)
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = m.tensor([[0.5, -1.0], [2.0, 1.5]], requires_grad=True)
    try:
        if name == "square":
            y = f["Square"].apply(x, 3.0)
            y.sum().backward()
            return [y.grad_fn.name(), _names(y.grad_fn), y.tolist(), x.grad.tolist()]
        if name in ("too_many", "too_few", "bad_shape", "none_grad", "int_grad", "broadcast"):
            cls = {
                "too_many": "TooMany",
                "too_few": "TooFew",
                "bad_shape": "BadShape",
                "none_grad": "NoneGrad",
                "int_grad": "IntGrad",
                "broadcast": "Broadcast",
            }[name]
            y = f[cls].apply(x, w) if cls == "TooFew" else f[cls].apply(x)
            y.sum().backward()
            return [None if x.grad is None else (x.grad.tolist(), str(x.grad.dtype)[-7:])]
        if name == "two_out":
            a, b = f["TwoOut"].apply(x)
            a.sum().backward()
            return [b.requires_grad, a.grad_fn.name(), x.grad.tolist()]
        if name == "split_both":
            a, b = f["Split2"].apply(x)
            (a.sum() + b * 3).backward()
            return [x.grad.tolist(), a.grad_fn.name(), a.grad_fn is b.grad_fn]
        if name == "split_second":
            a, b = f["Split2"].apply(x)
            (b * 3).backward()
            return x.grad.tolist()
        if name == "no_materialize":
            a, b = f["NoMaterialize"].apply(x)
            a.sum().backward()
            return x.grad.tolist()
        if name == "dirty":
            z = x * 1
            out = f["Dirty"].apply(z)
            named = [out is z, out.grad_fn.name(), _names(out.grad_fn)]
            out.sum().backward()
            return named + [x.grad.tolist(), z._version if hasattr(z, "_version") else None]
        if name == "dirty_leaf":
            f["Dirty"].apply(x)
        if name == "returns_input":
            out = f["ReturnsInput"].apply(x)
            named = [out is x, out.grad_fn.name()]
            out.sum().backward()
            return named + [x.grad.tolist()]
        if name == "mid":
            y = f["Mid"].apply(x * 1, w, 2.0)
            named = [y.grad_fn.needs_input_grad, _names(y.grad_fn)]
            y.sum().backward()
            return named + [x.grad.tolist(), w.grad.tolist()]
        if name == "non_tensor_grad":
            f["NonTensorGrad"].apply(x, 2.0).sum().backward()
        if name == "setup_context":
            y = f["SetupCtx"].apply(x, w)
            y.sum().backward()
            return [y.grad_fn.name(), x.grad.tolist(), w.grad.tolist()]
        if name == "retain_twice":
            y = f["Cube"].apply(x)
            y.sum().backward(retain_graph=True)
            y.sum().backward()
            return x.grad.tolist()
        if name == "second_backward":
            y = f["Cube"].apply(x)
            y.sum().backward()
            y.sum().backward()
        if name == "saved_after_backward":
            y = f["Cube"].apply(x)
            y.sum().backward()
            return y.grad_fn.saved_tensors
        if name == "modified_in_place":
            z = x * 1
            y = f["Cube"].apply(z)
            z.mul_(2)
            y.sum().backward()
        if name == "double_backward":
            y = f["Cube"].apply(x)
            (g,) = m.autograd.grad(y.sum(), x, create_graph=True)
            (gg,) = m.autograd.grad(g.sum(), x)
            return [g.tolist(), gg.tolist(), g.grad_fn.name()]
        if name == "no_grad":
            with m.no_grad():
                y = f["Cube"].apply(x)
            return [y.requires_grad, y.grad_fn]
        if name == "hook":
            y = f["Cube"].apply(x)
            seen = []
            y.grad_fn.register_hook(lambda gi, go: seen.append((len(gi), len(go))))
            y.sum().backward()
            return seen
        if name in ("hooks_several", "prehook_second_only"):
            a, b = f["Split2"].apply(x)
            seen = []
            node = a.grad_fn
            node.register_prehook(lambda go: seen.append([_listed(g) for g in go]))
            node.register_hook(lambda gi, go: seen.append(([_listed(g) for g in gi], len(go))))
            ((a.sum() * 2 + b * 5) if name == "hooks_several" else b * 5).backward()
            return [seen, x.grad.tolist()]
        if name == "prehook_replaces":
            a, b = f["Split2"].apply(x)
            a.grad_fn.register_prehook(lambda go: (go[0] * 10, go[1]))
            (a.sum() + b).backward()
            return x.grad.tolist()
        if name == "autograd_grad":
            a, b = f["Split2"].apply(x)
            return [g.tolist() for g in m.autograd.grad(a.sum() + b, [x])]
    except (RuntimeError, TypeError) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    return "no error"


CASES = [
    "square",
    "too_many",
    "too_few",
    "bad_shape",
    "broadcast",
    "none_grad",
    "int_grad",
    "two_out",
    "split_both",
    "split_second",
    "no_materialize",
    "dirty",
    "dirty_leaf",
    "returns_input",
    "mid",
    "non_tensor_grad",
    "setup_context",
    "retain_twice",
    "second_backward",
    "saved_after_backward",
    "modified_in_place",
    "double_backward",
    "no_grad",
    "hook",
    "hooks_several",
    "prehook_second_only",
    "prehook_replaces",
    "autograd_grad",
]


@pytest.mark.parametrize("name", CASES)
def test_a_custom_function_as_torch(name):
    torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")
    assert _case(gs, name) == _case(torch, name)


def test_a_custom_function_passes_gradcheck():
    f = functions(gs)
    x = gs.tensor([[0.3, -1.2], [2.0, 0.7]], dtype=gs.float64, requires_grad=True)
    assert gs.autograd.gradcheck(lambda t: f["Cube"].apply(t), (x,))
    assert gs.autograd.gradcheck(lambda t: f["Split2"].apply(t)[0] + f["Exp"].apply(t), (x,))


def test_what_a_trace_records_of_a_custom_function():
    """The node, its saved input (no new bytes: the input's buffer), its output counted
    as its activation, and the release of the save after backward."""
    f = functions(gs)
    gc.collect()  # what earlier work left unreachable goes now, not during the trace
    base = gs.live_bytes()
    x = gs.tensor(np.ones(1000, np.float32), requires_grad=True)
    with gs.trace() as tr:
        h = x * 1
        y = f["Cube"].apply(h)
        before = gs.live_bytes() - base
        y.sum().backward()
    created = [e for e in tr.events if e.kind == "node_created" and e.op == "CubeBackward"]
    assert len(created) == 1
    node = created[0].node
    saved = [e for e in tr.events if e.kind == "tensor_saved" and e.node == node]
    assert [(s.slot, s.nbytes, s.new) for s in saved] == [("saved_tensors[0]", 4000, False)]
    start = next(i for i, e in enumerate(tr.events) if e.kind == "backward_started")
    made = [
        (e.node, e.role)
        for e in tr.events[:start]
        if e.kind == "tensor_allocated" and e.nbytes == 4000
    ]  # h = x * 1 and y = Cube(h): each the activation of its node
    assert made == [(created[0].inputs[0], "activation"), (node, "activation")]
    temps = [
        (e.node, e.role)
        for e in tr.events[start:]
        if e.kind == "tensor_allocated" and e.nbytes == 4000
    ]  # backward's g * 3, x ** 2 and their product, the gradient handed on, x's .grad
    acc = next(e.node for e in tr.events if getattr(e, "op", None) == "AccumulateGrad")
    assert temps == [(node, "temp")] * 4 + [(acc, "grad")]
    assert before == 4000 * 3 + 8  # x, h (saved), y and x * 1's 1: the save adds none
    ran = [e for e in tr.events if e.kind == "node_executed" and e.node == node]
    assert len(ran) == 1
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        _ = y.grad_fn.saved_tensors  # released by backward


def test_apply_on_an_op_class_is_a_clear_error():
    class NotCustom(gs.autograd.Function):
        def forward(self, a):
            return a

    with pytest.raises(TypeError, match="static methods"):
        NotCustom.apply(gs.ones(2))


@pytest.mark.parametrize("lib", ["gradscope", "torch"])
def test_forward_mode_through_a_custom_function_without_jvp_refuses(lib):
    m = gs if lib == "gradscope" else pytest.importorskip("torch", reason="the reference")
    cube = functions(m)["Cube"]
    fw = m.autograd.forward_ad
    with fw.dual_level():
        assert cube.apply(m.ones(3)).tolist() == [1.0, 1.0, 1.0]  # no tangent: runs
        with pytest.raises(NotImplementedError, match="must implement the jvp function"):
            cube.apply(fw.make_dual(m.ones(3), m.ones(3)))


def _once(m):
    """A square whose backward is marked ``once_differentiable``; what its backward saw."""
    from importlib import import_module

    once_differentiable = import_module(m.__name__ + ".autograd.function").once_differentiable
    seen = []

    class Square(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            seen.append((m.is_grad_enabled(), g.requires_grad))
            return 2 * x * g

    return Square, seen


def _once_case(m) -> list:
    square, seen = _once(m)
    x = m.tensor([1.0, 2.0], requires_grad=True)
    out = []
    (g,) = m.autograd.grad(square.apply(x).sum(), x, create_graph=True)
    out.append((g.tolist(), g.requires_grad, g.grad_fn))
    (g,) = m.autograd.grad((square.apply(x) ** 2).sum(), x, create_graph=True)
    node = g.grad_fn
    out.append((g.tolist(), node.name(), [n.name() for n, _ in node.next_functions]))
    try:
        g.sum().backward()
    except RuntimeError as e:
        out.append(str(e))
    square.apply(x).sum().backward()
    out.append(x.grad.tolist())
    return out + seen


def test_once_differentiable_as_torch():
    torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")
    got = _once_case(gs)
    assert got == _once_case(torch)
    assert "trying to differentiate twice" in got[2]
