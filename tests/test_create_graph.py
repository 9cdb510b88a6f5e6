"""``create_graph=True``: gradients with a graph of their own, and what a second backward
through them gives (float64 finite differences over the op table, then torch)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from gradscope.autograd.higher_order import M_CYCLE
from tests.op_cases import CASES, to_gs, to_torch

F = gs.nn.functional

# ------------------------------------------------------------------ the engine's behaviour


def test_grad_of_grad_of_a_cube():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    (g,) = gs.autograd.grad((x**3).sum(), x, create_graph=True)
    assert g.requires_grad and g.grad_fn.name() == "MulBackward0"
    np.testing.assert_allclose(g.detach().numpy(), [3.0, 12.0])
    (gg,) = gs.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [6.0, 12.0])
    assert gg.grad_fn is None


def test_third_derivative():
    x = gs.tensor([0.5, -1.5], dtype=gs.float64, requires_grad=True)
    (g1,) = gs.autograd.grad((x**4).sum(), x, create_graph=True)
    (g2,) = gs.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = gs.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.numpy(), 24 * x.detach().numpy())


def test_backward_create_graph_gives_grad_a_graph_and_warns():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    with pytest.warns(UserWarning) as rec:
        y.backward(create_graph=True)
    assert str(rec[0].message) == M_CYCLE
    assert x.grad.grad_fn.name() == "torch::autograd::CopyBackwards"
    np.testing.assert_allclose(x.grad.detach().numpy(), [3.0, 12.0])
    first = x.grad
    x.grad.sum().backward()  # plain backward: into the same .grad, in place
    assert x.grad is first
    np.testing.assert_allclose(x.grad.detach().numpy(), [9.0, 24.0])
    with pytest.warns(UserWarning):
        y.backward(create_graph=True)  # the graph was kept: create_graph retains it
    assert x.grad is not first and x.grad.grad_fn.name() == "AddBackward0"
    np.testing.assert_allclose(x.grad.detach().numpy(), [12.0, 36.0])


def test_linear_function_gives_a_constant_gradient_and_no_warning():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * 2).sum().backward(create_graph=True)
    assert not x.grad.requires_grad and x.grad.grad_fn is None
    (g,) = gs.autograd.grad((x * 2).sum(), x, create_graph=True)
    assert not g.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        g.sum().backward()


def test_create_graph_retains_the_graph_unless_told_not_to():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    gs.autograd.grad(y, x, create_graph=True)
    gs.autograd.grad(y, x)  # still there
    z = (x.exp() * x).sum()
    gs.autograd.grad(z, x, create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        gs.autograd.grad(z, x)


def test_grad_outputs_that_require_grad_stay_in_the_graph():
    x = gs.tensor([1.0, -2.0, 0.5], dtype=gs.float64, requires_grad=True)
    v = gs.tensor([0.3, 0.1, -1.0], dtype=gs.float64, requires_grad=True)
    (g,) = gs.autograd.grad(x.sin(), x, v, create_graph=True)  # v * cos(x)
    gx, gv = gs.autograd.grad(g.sum(), [x, v])
    np.testing.assert_allclose(gx.numpy(), -v.detach().numpy() * np.sin(x.detach().numpy()))
    np.testing.assert_allclose(gv.numpy(), np.cos(x.detach().numpy()))


def test_hooks_and_retain_grad_see_tensors():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    seen = []
    h.register_hook(lambda g: seen.append(g))
    h.retain_grad()
    (g,) = gs.autograd.grad(h.sum(), x, create_graph=True)
    assert isinstance(seen[0], gs.Tensor) and seen[0].grad_fn is None
    with pytest.warns(UserWarning, match="reference cycle"):
        (h * h).sum().backward(create_graph=True)
    assert h.grad.requires_grad  # 2h, a function of x
    doubled = []
    x.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: doubled.append(g))
    x.grad = None
    with pytest.warns(UserWarning, match="reference cycle"):
        (x**2).sum().backward(create_graph=True)
    np.testing.assert_allclose(x.grad.detach().numpy(), [4.0, 8.0])
    assert doubled[0].requires_grad


def test_backward_inputs_with_create_graph():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    w = gs.tensor([3.0, 4.0], requires_grad=True)
    (x * x * w).sum().backward(inputs=[x], create_graph=True)
    assert w.grad is None
    np.testing.assert_allclose(x.grad.detach().numpy(), [6.0, 16.0])
    (gw,) = gs.autograd.grad(x.grad.sum(), w)
    np.testing.assert_allclose(gw.numpy(), [2.0, 4.0])


def test_an_op_without_a_graph_rule_says_so():
    from gradscope.autograd.function import Function, apply

    class Twice(Function):
        _name = "TwiceBackward0"

        def forward(self, a):
            return a * 2

        def backward(self, g):
            return (g * 2,)

    x = gs.tensor([1.0], requires_grad=True)
    y = apply(Twice, (x * 1,))
    with pytest.raises(RuntimeError, match="cannot differentiate through the backward of Twice"):
        gs.autograd.grad(y.sum(), x, create_graph=True)


def test_gradgradcheck_catches_a_wrong_second_derivative(monkeypatch):
    from gradscope.ops._graph import constant
    from gradscope.ops.elementwise import SinBackward0

    # the right first derivative, but cos(x) as a constant: d/dx of it is lost
    def detached(self, g):
        return (g * constant(np.cos(self.saved("self"))),)

    monkeypatch.setattr(SinBackward0, "backward_graph", detached)
    x = gs.tensor([0.3, 1.2], dtype=gs.float64, requires_grad=True)
    with pytest.raises(gs.autograd.GradcheckError):
        gs.autograd.gradgradcheck(lambda t: t.sin(), (x,))
    with pytest.raises(gs.autograd.GradcheckError, match="random direction"):
        gs.autograd.gradgradcheck(lambda t: t.sin(), (x,), fast_mode=True)


def test_traced_create_graph_records_the_gradient_graph_and_frees_it():
    x = gs.tensor(np.linspace(-1, 1, 1000, dtype=np.float32), requires_grad=True)
    before = gs.live_bytes()
    with gs.trace() as tr:
        y = (x.exp() * x).sum()
        (g,) = gs.autograd.grad(y, x, create_graph=True)
        (gg,) = gs.autograd.grad(g.sum(), x)
        del y, g
    names = [e.op for e in tr.events if e.kind == "node_created"]
    # the gradient's own graph: ExpBackward0's g * result, then MulBackward0's products
    assert names.count("MulBackward0") >= 3 and "ExpBackward0" in names
    assert gs.live_bytes() - before == 4000  # gg alone, float32 x 1000
    del gg
    assert gs.live_bytes() == before


def test_hessian_vector_product_of_an_mlp_matches_torch():
    torch = pytest.importorskip("torch", reason="torch is the reference")
    rng = np.random.default_rng(1)
    arrays = {
        "x": rng.standard_normal((5, 4)),
        "w1": rng.standard_normal((6, 4)) * 0.5,
        "b1": rng.standard_normal(6) * 0.1,
        "w2": rng.standard_normal((3, 6)) * 0.5,
        "v1": rng.standard_normal((6, 4)),
        "v2": rng.standard_normal((3, 6)),
    }
    y = np.array([0, 2, 1, 1, 0])

    def hvp(m, mk):
        t = {k: mk(a) for k, a in arrays.items()}
        params = [t["w1"], t["b1"], t["w2"]]
        h = m.tanh(m.nn.functional.linear(t["x"], t["w1"], t["b1"]))
        loss = (h @ t["w2"].T).pow(2).mean() + (h.sum(1) * h.sum(1)).mean()
        g = m.autograd.grad(loss, params, create_graph=True)
        dot = (g[0] * t["v1"]).sum() + (g[2] * t["v2"]).sum() + g[1].sum()
        return [r.detach().numpy() for r in m.autograd.grad(dot, params)]

    _ = y
    ours = hvp(gs, lambda a: gs.tensor(a, dtype=gs.float64, requires_grad=True))
    theirs = hvp(torch, lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ torch's node names


def _tree(node, depth: int = 4) -> str:
    if node is None or depth == 0:
        return ""
    kids = [_tree(n, depth - 1) for n, _ in node.next_functions if n is not None]
    name = node.name().replace("torch::autograd::", "")
    return name + (f"({','.join(kids)})" if any(kids) else "")


_NAMED = {
    "add": lambda m, x, w, k, v: x + w,
    "add_broadcast": lambda m, x, w, k, v: x + v,
    "sub": lambda m, x, w, k, v: x - w,
    "rsub": lambda m, x, w, k, v: 2 - x,
    "neg": lambda m, x, w, k, v: -x,
    "mul": lambda m, x, w, k, v: x * w,
    "mul_scalar": lambda m, x, w, k, v: x * 3,
    "div": lambda m, x, w, k, v: x / w,
    "div_scalar": lambda m, x, w, k, v: x / 3,
    "rdiv": lambda m, x, w, k, v: 2 / x,
    "pow": lambda m, x, w, k, v: x**2,
    "pow_tensor": lambda m, x, w, k, v: x.abs() ** w,
    "rpow": lambda m, x, w, k, v: 2**x,
    "exp": lambda m, x, w, k, v: x.exp(),
    "log": lambda m, x, w, k, v: x.abs().log(),
    "sqrt": lambda m, x, w, k, v: x.abs().sqrt(),
    "sin": lambda m, x, w, k, v: x.sin(),
    "cos": lambda m, x, w, k, v: x.cos(),
    "abs": lambda m, x, w, k, v: x.abs(),
    "clamp": lambda m, x, w, k, v: x.clamp(-0.5, 0.5),
    "clamp_tensor": lambda m, x, w, k, v: x.clamp(min=w),
    "where": lambda m, x, w, k, v: m.where(x > 0, x, w),
    "maximum": lambda m, x, w, k, v: m.maximum(x, w),
    "minimum": lambda m, x, w, k, v: m.minimum(x, w),
    "masked_fill": lambda m, x, w, k, v: x.masked_fill(x > 0, 1.0),
    "mm": lambda m, x, w, k, v: x @ k,
    "mv": lambda m, x, w, k, v: x @ v,
    "dot": lambda m, x, w, k, v: v @ (v * 2),
    "bmm": lambda m, x, w, k, v: m.bmm(x[None], k[None]),
    "linear": lambda m, x, w, k, v: m.nn.functional.linear(x, k.T, v[:2]),
    "sum": lambda m, x, w, k, v: x.sum(),
    "sum_dim": lambda m, x, w, k, v: x.sum(1),
    "mean": lambda m, x, w, k, v: x.mean(),
    "mean_dim": lambda m, x, w, k, v: x.mean(1),
    "max": lambda m, x, w, k, v: x.max(),
    "max_dim": lambda m, x, w, k, v: x.max(1)[0],
    "min_dim_keepdim": lambda m, x, w, k, v: x.min(0, keepdim=True)[0],
}


@pytest.mark.parametrize("name", sorted(_NAMED))
def test_first_order_gradient_graphs_have_torchs_nodes(name):
    """The grad_fn tree of each first gradient, with the inputs and the output gradient
    all requiring grad, four levels deep, is torch's."""
    torch = pytest.importorskip("torch", reason="torch is the reference")
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) for s in ((3, 4), (3, 4), (4, 2), (4,))]
    trees = []
    for m in (gs, torch):
        ins = [m.tensor(a, requires_grad=True) for a in arrays]
        y = _NAMED[name](m, *ins)
        go = m.tensor(np.random.default_rng(6).standard_normal(tuple(y.shape)), requires_grad=True)
        grads = m.autograd.grad(y, ins, go, create_graph=True, allow_unused=True)
        trees.append([None if g is None else _tree(g.grad_fn) for g in grads])
    assert trees[0] == trees[1]


# ------------------------------------------------------------------ the op table

_SECOND = [c for c in CASES if c.gradcheck]


@pytest.mark.parametrize("case", _SECOND, ids=[c.name for c in _SECOND])
def test_gradgradcheck(case):
    # one random projection of the second derivatives per input (torch's fast mode): the
    # whole Hessian by finite differences took a minute and a half over the table, and
    # the second-order tests below compare every path with torch's
    xs = to_gs(case, case.arrays(), dtype=gs.float64)
    assert gs.autograd.gradgradcheck(
        lambda *t: case.fn(gs, *t), xs, atol=1e-5, rtol=1e-3, fast_mode=True
    )


def _second_order(m, case, make, rng_seed=3):
    """The gradients of <first gradients, w> with respect to the inputs and the output
    gradient ``v``: every second-derivative path of the op."""
    xs = make(case)
    out = case.fn(m, *xs)
    rng = np.random.default_rng(rng_seed)
    v = rng.standard_normal(tuple(out.shape))
    wrt = [t for t in xs if t.requires_grad]
    vt = m.tensor(v, dtype=xs[0].dtype, requires_grad=True)
    grads = m.autograd.grad(out, wrt, vt, create_graph=True, allow_unused=True)
    total = None
    for g in grads:
        if g is None or not g.requires_grad:
            continue
        w = m.tensor(rng.standard_normal(tuple(g.shape)), dtype=g.dtype)
        term = (g * w).sum()
        total = term if total is None else total + term
    if total is None:
        return []
    second = m.autograd.grad(total, wrt + [vt], allow_unused=True)
    return [None if s is None else _numpy(s) for s in second]


def _numpy(t) -> np.ndarray:
    if getattr(t, "_is_zerotensor", lambda: False)():  # torch's lazily zero gradient
        return np.zeros(tuple(t.shape))
    return t.detach().numpy()


@pytest.mark.parametrize("case", _SECOND, ids=[c.name for c in _SECOND])
def test_second_order_matches_torch(case):
    torch = pytest.importorskip("torch", reason="torch is the reference")
    arrays = case.arrays()
    ours = _second_order(gs, case, lambda c: to_gs(c, arrays, dtype=gs.float64))
    theirs = _second_order(torch, case, lambda c: to_torch(c, arrays, dtype=torch.float64))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        if a is None or b is None:  # torch says None where a path is zero; so may we
            other = b if a is None else a
            assert other is None or not np.any(other), (a, b)
            continue
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


# ------------------------------------------------------------------ gs.func composes


def test_func_grad_nests_and_composes_with_autograd():
    cube = lambda b: (b**3).sum()  # noqa: E731
    a = gs.tensor([1.0, 2.0])
    second = gs.func.grad(lambda z: gs.func.grad(cube)(z).sum())(a)
    np.testing.assert_allclose(second.numpy(), [6.0, 12.0])
    third = gs.func.grad(
        lambda w: gs.func.grad(lambda z: gs.func.grad(lambda y: (y**4).sum())(z).sum())(w).sum()
    )(a)
    np.testing.assert_allclose(third.numpy(), [24.0, 48.0])
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    g = gs.func.grad(cube)(x)  # x is followed: the gradient keeps a graph back to it
    assert g.requires_grad and g.grad_fn.name() == "MulBackward0"
    np.testing.assert_allclose(gs.autograd.grad(g.sum(), x)[0].numpy(), [6.0, 12.0])
    with gs.no_grad():
        assert not gs.func.grad(cube)(x).requires_grad
    assert not gs.func.grad(cube)(a).requires_grad  # nothing follows a


def test_func_vjp_keeps_a_graph_when_its_primal_is_followed():
    x = gs.tensor([1.0, 2.0], requires_grad=True)
    out, fn = gs.func.vjp(lambda y: y**3, x)
    (v,) = fn(gs.ones(2))
    assert out.requires_grad and v.requires_grad
    np.testing.assert_allclose(gs.autograd.grad(v.sum(), x)[0].numpy(), [6.0, 12.0])
    out, fn = gs.func.vjp(lambda y: y**3, x.detach())
    assert not out.requires_grad and not fn(gs.ones(2))[0].requires_grad


def test_forward_over_reverse_hessian_vector_product():
    """jvp(grad(f)): the gradient's ops carry tangents, saved outputs included."""
    f = lambda y: (y.exp() * y.sin()).sum() + y.tanh().sum()  # noqa: E731
    x = gs.tensor([1.0, 2.0, -0.5], dtype=gs.float64)
    v = gs.tensor([1.0, 0.5, 2.0], dtype=gs.float64)
    _, hv = gs.func.jvp(gs.func.grad(f), (x,), (v,))
    xs = x.numpy()
    second = np.exp(xs) * 2 * np.cos(xs) - 2 * np.tanh(xs) * (1 - np.tanh(xs) ** 2)
    np.testing.assert_allclose(hv.numpy(), second * v.numpy(), rtol=1e-12)


def _hvp_forward_over_reverse(m, case, arrays, seed=4):
    rng = np.random.default_rng(seed)
    dtype = m.float64
    xs = [m.tensor(a, dtype=dtype) for a in arrays]
    nums = tuple(i for i, rg in enumerate(case.requires()) if rg)
    out = case.fn(m, *[m.tensor(a, dtype=dtype) for a in arrays])
    w = m.tensor(rng.standard_normal(tuple(out.shape)), dtype=out.dtype)
    tangents = tuple(m.tensor(rng.standard_normal(a.shape), dtype=dtype) for a in arrays)

    def scalar(*ins):
        return (case.fn(m, *ins) * w).sum()

    _, t = m.func.jvp(m.func.grad(scalar, argnums=nums), tuple(xs), tangents)
    return [g.detach().numpy() for g in t]


_FOR = [c for c in CASES if c.gradcheck and c.forward_ad]


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("case", _FOR, ids=[c.name for c in _FOR])
def test_forward_over_reverse_matches_torch(case):
    torch = pytest.importorskip("torch", reason="torch is the reference")
    arrays = case.arrays()
    try:
        theirs = _hvp_forward_over_reverse(torch, case, arrays)
    except Exception as e:  # torch.func refuses some ops (in-place writes, .item())
        pytest.skip(f"torch.func: {type(e).__name__}")
    ours = _hvp_forward_over_reverse(gs, case, arrays)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize(
    "case",
    ["leaf_hook_size", "leaf_hook_dtype", "node_post_hook_count", "pre_hook_drops", "ok_hook"],
)
def test_hooks_under_create_graph_are_checked_as_torch(case):
    """A hook's result is held to the gradient it replaces, create_graph or not."""
    torch = pytest.importorskip("torch", reason="torch is the reference")
    results = []
    for m in (torch, gs):
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        if case == "leaf_hook_size":
            x.register_hook(lambda g, m=m: m.ones(2))
        elif case == "leaf_hook_dtype":
            x.register_hook(lambda g: g.double())
        elif case == "node_post_hook_count":
            y.grad_fn.register_hook(lambda gi, go, m=m: (m.ones(1),))
        elif case == "pre_hook_drops":
            y.grad_fn.register_prehook(lambda go: (None,))
        else:
            x.register_hook(lambda g: g * 3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reference-cycle warning
            try:
                (y * y).sum().backward(create_graph=True)
            except (RuntimeError, TypeError) as e:
                results.append((type(e).__name__, str(e).split(" (was ")[0]))
                continue
        results.append(None if x.grad is None else x.grad.detach().numpy().tolist())
    assert results[0] == results[1]
