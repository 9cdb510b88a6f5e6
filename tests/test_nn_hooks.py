"""A module's forward and full backward hooks against torch's: each scenario runs under
both libraries and logs what every hook saw (shapes, values, node names, warnings) and
the gradients that came out; the two logs must be equal."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _v(t):
    """A hook's tensor, or a tuple of them, as plain data."""
    if isinstance(t, tuple):
        return tuple(_v(x) for x in t)
    if not hasattr(t, "detach"):
        return t  # None, or a number passed to forward
    return np.round(t.detach().numpy().astype(np.float64), 5).tolist()


def _name(t):
    if isinstance(t, tuple):
        return tuple(_name(x) for x in t)
    fn = t.grad_fn
    return None if fn is None else fn.name()


def _linear(m, n_in=3, n_out=2):
    lin = m.nn.Linear(n_in, n_out)
    with m.no_grad():
        lin.weight.copy_(m.arange(n_in * n_out, dtype=m.float32).reshape(n_out, n_in) / 4 - 1)
        lin.bias.copy_(m.arange(n_out, dtype=m.float32) - 0.5)
    return lin


def _x(m, rg=True):
    return m.tensor([[1.0, 0.0, -1.0], [2.0, 1.0, 0.5]], requires_grad=rg)


def _logged(m, build):
    """``build(m, log)`` with the warnings it raised appended to the log."""
    log: list = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            build(m, log)
        except Exception as e:  # noqa: BLE001 - the exception is part of what is compared
            log.append(("raised", type(e).__name__, str(e)))
    log.append(("warnings", [str(w.message) for w in caught]))
    return log


def _same(build, raises: bool = False) -> list:
    t, g = _logged(torch, build), _logged(gs, build)
    assert g == t
    assert any(e[0] == "raised" for e in g) == raises, g
    return g


def _all_hooks(mod, log, tag=""):
    mod.register_forward_pre_hook(lambda mo, a: log.append((tag + "pre", [_v(x) for x in a])))
    mod.register_forward_hook(lambda mo, a, o: log.append((tag + "fwd", _v(o), _name(o))))
    mod.register_full_backward_pre_hook(lambda mo, go: log.append((tag + "bpre", _v(go))))
    mod.register_full_backward_hook(lambda mo, gi, go: log.append((tag + "bwd", _v(gi), _v(go))))


def test_all_four_hooks_on_a_linear_layer():
    def build(m, log):
        lin = _linear(m)
        _all_hooks(lin, log)
        x = _x(m)
        y = lin(x)
        log.append(("out", _name(y), _name(x)))
        (y * m.tensor([1.0, -2.0])).sum().backward()
        log.append(("x.grad", _v(x.grad), "w.grad", _v(lin.weight.grad)))

    log = _same(build)
    assert ("out", "BackwardHookFunctionBackward", None) in log
    assert [e[0] for e in log[:5]] == ["pre", "fwd", "out", "bpre", "bwd"]


def test_an_input_that_needs_no_grad_makes_the_hook_fire_from_the_output_with_a_warning():
    def build(m, log):
        lin = _linear(m)
        _all_hooks(lin, log)
        lin(_x(m, rg=False)).sum().backward()
        log.append(("w.grad", _v(lin.weight.grad)))

    log = _same(build)
    assert "Full backward hook is firing" in log[-1][1][0]


def test_hooks_that_replace_inputs_outputs_and_gradients():
    def build(m, log):
        lin = _linear(m)
        lin.register_forward_pre_hook(lambda mo, a: a[0] * 2)  # one value: made a tuple
        lin.register_forward_hook(lambda mo, a, o: o + 1)
        lin.register_full_backward_pre_hook(lambda mo, go: (go[0] * 3,))
        lin.register_full_backward_hook(lambda mo, gi, go: (gi[0] * 10,))
        x = _x(m)
        y = lin(x)
        log.append(("y", _v(y), _name(y)))
        y.sum().backward()
        log.append(("x.grad", _v(x.grad), "b.grad", _v(lin.bias.grad)))

    _same(build)


def test_kwargs_hooks_prepend_and_removal():
    class Scale(gs.nn.Module):
        def forward(self, x, *, k=1.0):
            return x * k

    class TScale(torch.nn.Module):
        def forward(self, x, *, k=1.0):
            return x * k

    def build(m, log):
        mod = (Scale if m is gs else TScale)()
        h1 = mod.register_forward_pre_hook(lambda mo, a, kw: log.append(("first", kw)) or None,
                                           with_kwargs=True)  # fmt: skip
        mod.register_forward_pre_hook(
            lambda mo, a, kw: (a, {"k": kw.get("k", 1.0) * 2}), with_kwargs=True, prepend=True
        )
        mod.register_forward_hook(lambda mo, a, kw, o: log.append(("fwd", kw, _v(o))),
                                  with_kwargs=True)  # fmt: skip
        log.append(("call1", _v(mod(m.ones(2), k=3.0))))
        h1.remove()
        h1.remove()  # a second remove does nothing
        log.append(("call2", _v(mod(m.ones(2), k=3.0))))
        with mod.register_forward_hook(lambda mo, a, o: o * 0):
            log.append(("inside", _v(mod(m.ones(2)))))
        log.append(("after", _v(mod(m.ones(2)))))

    _same(build)


def test_a_pre_hook_with_kwargs_returning_something_else_raises():
    def build(m, log):
        lin = _linear(m)
        lin.register_forward_pre_hook(lambda mo, a, kw: a, with_kwargs=True)
        lin(_x(m))

    log = _same(build, raises=True)
    assert log[0][0] == "raised"


def test_always_call_hooks_run_when_forward_raises():
    def build(m, log):
        lin = _linear(m)
        lin.register_forward_hook(lambda mo, a, o: log.append(("plain", o)))
        lin.register_forward_hook(lambda mo, a, o: log.append(("always", o)), always_call=True)
        lin(m.ones(2, 4))  # wrong width: forward raises

    log = _same(build, raises=True)
    assert log[0] == ("always", None) and log[1][0] == "raised"


@pytest.mark.parametrize("returned", [1, 3])
def test_a_backward_hook_returning_the_wrong_number_of_gradients_raises(returned):
    def build(m, log):
        lin = _linear(m)
        lin.register_full_backward_hook(lambda mo, gi, go: (gi[0],) * returned)
        lin.register_full_backward_pre_hook(lambda mo, go: None)
        lin(_x(m)).sum().backward()
        log.append(("x.grad", _v(lin.weight.grad)))

    _same(build, raises=returned != 1)


def test_a_module_of_two_inputs_one_not_a_tensor_and_two_outputs():
    class Two(gs.nn.Module):
        def forward(self, a, scale, b):
            return a * scale, (a * b).sum(1)

    class TTwo(torch.nn.Module):
        def forward(self, a, scale, b):
            return a * scale, (a * b).sum(1)

    def build(m, log):
        mod = (Two if m is gs else TTwo)()
        _all_hooks(mod, log)
        a, b = _x(m), m.ones(2, 3)  # b needs no gradient
        p, q = mod(a, 2.0, b)
        log.append(("names", _name(p), _name(q)))
        (p.sum() + (q * 3).sum()).backward()
        log.append(("a.grad", _v(a.grad)))

    _same(build)


def test_an_output_not_used_in_the_loss_gets_none():
    class Two(gs.nn.Module):
        def forward(self, a):
            return a * 2, a * 3

    class TTwo(torch.nn.Module):
        def forward(self, a):
            return a * 2, a * 3

    def build(m, log):
        mod = (Two if m is gs else TTwo)()
        _all_hooks(mod, log)
        a = _x(m)
        p, _ = mod(a)
        p.sum().backward()
        log.append(("a.grad", _v(a.grad)))

    _same(build)


def test_hooks_on_the_children_of_a_sequential_run_in_backward_order():
    def build(m, log):
        net = m.nn.Sequential(_linear(m, 3, 4), m.nn.ReLU(), _linear(m, 4, 2))
        for i, child in enumerate(net):
            _all_hooks(child, log, tag=f"{i}.")
        net(_x(m)).pow(2).sum().backward()

    log = _same(build)
    order = [e[0] for e in log if "b" in e[0]]
    assert order == ["2.bpre", "2.bwd", "1.bpre", "1.bwd", "0.bpre", "0.bwd"]


def test_under_no_grad_backward_hooks_add_no_node():
    def build(m, log):
        lin = _linear(m)
        _all_hooks(lin, log)
        with m.no_grad():
            y = lin(_x(m))
        log.append(("y", _name(y), y.requires_grad))

    _same(build)


def test_a_module_output_that_is_not_a_tensor_warns():
    class D(gs.nn.Module):
        def forward(self, a):
            return {"out": a * 2}

    class TD(torch.nn.Module):
        def forward(self, a):
            return {"out": a * 2}

    def build(m, log):
        mod = (D if m is gs else TD)()
        mod.register_full_backward_hook(lambda mo, gi, go: log.append("called"))
        mod(_x(m))["out"].sum().backward()

    log = _same(build)
    assert "module output should be a Tensor" in log[-1][1][0]


def test_a_traced_model_with_backward_hooks_shows_their_nodes():
    lin = gs.nn.Linear(3, 2)
    seen = []
    lin.register_full_backward_hook(lambda mo, gi, go: seen.append(gi[0].shape))
    with gs.trace() as tr:
        x = gs.ones(4, 3, requires_grad=True)
        lin(x).sum().backward()
    ops = [e.op for e in tr.events if e.kind == "node_created"]
    assert ops.count("BackwardHookFunctionBackward") == 2
    assert seen == [(4, 3)]
    # x and x.grad (48 B each), the layer's gradients (24 + 8): the hooks' nodes hold nothing
    assert tr.live_bytes - tr.baseline_bytes == 48 + 48 + 24 + 8


def test_hooks_survive_deepcopy_and_do_not_show_in_state_dict():
    lin = gs.nn.Linear(2, 2)
    calls = []
    lin.register_forward_hook(lambda mo, a, o: calls.append(mo))
    twin = __import__("copy").deepcopy(lin)
    twin(gs.ones(1, 2))
    assert calls == [twin] and list(twin.state_dict()) == ["weight", "bias"]


def test_a_custom_functions_hook_sees_what_backward_returned_for_an_input_needing_none():
    """As torch: ``mark_non_differentiable`` outputs get zero gradients, and what backward
    returns for an input that needs no gradient reaches the node's hooks (then goes)."""

    def build(m, log):
        class Pass(m.autograd.Function):
            @staticmethod
            def forward(ctx, *args):
                ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
                return args

            @staticmethod
            def backward(ctx, *grads):
                log.append(("backward got", _v(grads)))
                return grads

        x, c = m.ones(3, requires_grad=True), m.ones(3)
        a, b = Pass.apply(x, c)
        log.append(("b", b.requires_grad, _name(b)))
        a.grad_fn.register_hook(lambda gi, go: log.append(("hook", _v(gi), _v(go))))
        (a * 2).sum().backward()
        log.append(("x.grad", _v(x.grad), c.grad))

    _same(build)
