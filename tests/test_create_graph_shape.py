"""``create_graph=True`` through the shape and indexing ops (views, cat/stack, indexing,
setitem, in-place ops on views): float64 finite differences of the first gradients, then
torch's second derivatives and the names of its first-order gradients' nodes."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import gradscope as gs
from gradscope.autograd import gradgradcheck


@dataclass
class Case:
    name: str
    fn: Callable  # fn(lib, *inputs): lib is gradscope or torch
    shapes: tuple
    # gradscope's names for the first-order gradients where they differ from torch's
    # (torch builds setitem's from copy_ into an as_strided view, gradscope indexes)
    names: tuple | None = None
    # the grad_fn below the first gradient's, per input (same in both), where it says more
    # than the first (MulBackward0 of ``a * 1`` over the CopySlices of the write)
    inner: tuple | None = None
    ggc: bool = True  # float64 all the way (not ``.float()``)


def _on_copy(body):
    """``body(lib, b, *rest)`` on ``b = a * 1`` (a leaf refuses in-place ops); returns ``b``."""

    def fn(lib, a, *rest):
        b = a * 1
        body(lib, b, *rest)
        return b

    return fn


def _on_view(body, view=lambda b: b[1:]):
    """``body(lib, v, *rest)`` on a view ``v`` of ``b = a * 1``; returns ``b``."""

    def fn(lib, a, *rest):
        b = a * 1
        body(lib, view(b), *rest)
        return b

    return fn


def _setitem(index, value=lambda lib, c: c):
    def body(lib, b, c):
        b[index(lib) if callable(index) else index] = value(lib, c)

    return body


def _sibling(lib, a, c):
    b = a * 1
    w = b[:, 0]  # made before the write, used after: its node is refreshed (AsStrided)
    b[1:].add_(c)
    return w[:, None] * b


def _view_returned(lib, a, c):
    b = a * 1
    v = b[1:]
    v.add_(c)
    return v.sum() * b


def _expanded_write(lib, a, c):
    b = a * 1
    e = b.expand(3, 2)
    e[0:1] = c
    return e


def _view_twice(lib, a, c):
    b = a * 1
    v = b.t()
    v.mul_(2.0)
    v.add_(c)
    return b


def _relu_on_view(lib, a):
    b = a * 1
    b[1:].relu_()
    return b


def _zero_on_view_times(lib, a, c):
    b = a * 1
    b[1:].zero_()
    return b * c


CS = (
    "MulBackward0",
    "torch::autograd::CopySlices",
)  # a's gradient: ``a * 1`` over the write's CopySlices

CASES = [
    # views and reshapes: the gradient is the matching view of the incoming one
    Case("view", lambda m, x: x.view(6), ((2, 3),)),
    Case("view_infer", lambda m, x: x.view(3, -1), ((6,),)),
    Case("reshape_noncontiguous", lambda m, x: x.t().reshape(6), ((2, 3),)),
    Case("reshape_alias", lambda m, x: x[:, :2].reshape(3, 2, 1), ((3, 4),)),
    Case("flatten", lambda m, x: x.flatten(), ((2, 3, 2),)),
    Case("alias", lambda m, x: x[...], ((2, 3),)),
    Case("clone", lambda m, x: x.clone(), ((2, 3),)),
    Case("transpose", lambda m, x: x.transpose(0, 2), ((2, 3, 4),)),
    Case("t", lambda m, x: x.t(), ((2, 3),)),
    Case("T", lambda m, x: x.T, ((2, 3),)),
    Case("permute", lambda m, x: x.permute(2, 0, 1), ((2, 3, 4),)),
    Case("unsqueeze", lambda m, x: x.unsqueeze(1), ((2, 3),)),
    Case("unsqueeze_last", lambda m, x: x.unsqueeze(-1), ((2, 3),)),
    Case("squeeze_all", lambda m, x: x.squeeze(), ((2, 1, 3, 1),)),
    Case("squeeze_dim", lambda m, x: x.squeeze(1), ((2, 1, 3),)),
    Case("squeeze_dims", lambda m, x: x.squeeze((1, 3)), ((2, 1, 3, 1),)),
    Case("squeeze_not_one", lambda m, x: x.squeeze(0), ((2, 3),)),
    Case("vector_matrix", lambda m, a, w: a @ w, ((3,), (3, 4))),  # mm, then squeeze_(0)
    Case("expand", lambda m, x: x.expand(2, 3), ((1, 3),)),
    Case("expand_lead", lambda m, x: x.expand(4, 2, 3), ((2, 3),)),
    Case("expand_both", lambda m, x: x.expand(2, 3, 4), ((3, 1),)),
    # cat / stack: slices and selects of the incoming gradient
    Case("cat", lambda m, a, b: m.cat([a, b], 1), ((2, 3), (2, 2))),
    Case("cat3", lambda m, a, b, c: m.cat([a, b, c]), ((1, 2), (3, 2), (2, 2))),
    Case("cat1", lambda m, a: m.cat([a], 1), ((2, 3),)),
    Case("stack", lambda m, a, b: m.stack([a, b], 1), ((2, 3), (2, 3))),
    Case("stack_last", lambda m, a, b, c: m.stack([a, b, c], -1), ((2,), (2,), (2,))),
    # indexing: the scatter back is an op of its own, its backward the gather
    Case("select", lambda m, x: x[1], ((3, 2),)),
    Case("select_last_dim", lambda m, x: x[:, -1], ((3, 2),)),
    Case("select_0d", lambda m, x: x[1, 0], ((3, 2),)),
    Case("slice", lambda m, x: x[1:], ((3, 2),)),
    Case("slice_step", lambda m, x: x[:, ::2], ((2, 5),)),
    Case("slice_2d", lambda m, x: x[1:3, 1:], ((4, 3),)),
    Case("index", lambda m, x: x[[0, 2]], ((3, 2),)),
    Case("index_repeats", lambda m, x: x[[0, 2, 2, 0]], ((3, 2),)),
    Case("index_2d", lambda m, x: x[m.tensor([[0, 1], [2, 2]])], ((3, 2),)),
    Case("index_mask", lambda m, x: x[m.tensor([True, False, True])], ((3, 2),)),
    Case("index_after_slice", lambda m, x: x[:, [1, 0]], ((2, 3),)),
    Case("to_float32", lambda m, x: x.float(), ((3, 2),), ggc=False),
    # setitem on a computed tensor (CopySlices, IndexPutBackward0)
    Case(
        "setitem_slice",
        _on_copy(_setitem(slice(1, None))),
        ((3, 2), (2, 2)),
        inner=(CS, None),
    ),
    Case(
        "setitem_slice_broadcast",
        _on_copy(_setitem(slice(1, None))),
        ((3, 2), (2,)),
        inner=(CS, None),
    ),
    Case(
        "setitem_select",
        _on_copy(_setitem((slice(None), 0))),
        ((3, 2), (3,)),
        inner=(CS, None),
    ),
    Case(
        "setitem_computed_value",
        _on_copy(_setitem(slice(1, None), lambda m, c: c.sin() * c)),
        ((3, 2), (2, 2)),
        inner=(CS, None),
    ),
    Case(
        "setitem_own_slice",  # b[1:] = b[1:].clone() * c
        lambda m, a, c: (
            _on_copy(lambda m_, b, c_: b.__setitem__(slice(1, None), b[1:].clone() * c_))(m, a, c)
            ** 2
        ),
        ((3, 2), (2, 2)),
    ),
    Case(
        "setitem_tensor_index",
        _on_copy(_setitem(lambda m: m.tensor([0, 2]))),
        ((3, 2), (2, 2)),
        inner=(("MulBackward0", "IndexPutBackward0"), None),
    ),
    Case(
        "setitem_mask_broadcast",
        _on_copy(_setitem(lambda m: m.tensor([True, False, True]))),
        ((3, 2), (2,)),
    ),
    Case(
        "setitem_mixed",
        _on_copy(_setitem(lambda m: (1, m.tensor([0, 1])))),
        ((3, 2), (2,)),
        names=("MulBackward0", "torch::autograd::CopySlices"),
        inner=(CS, None),
    ),
    # in-place ops on views (ViewCopySlices, AsStridedBackward0)
    Case(
        "view_add_",
        _on_view(lambda m, v, c: v.add_(c)),
        ((3, 2), (2, 2)),
        names=("MulBackward0", "AsStridedBackward0"),
        inner=(CS, None),
    ),
    Case(
        "view_sub_broadcast",
        _on_view(lambda m, v, c: v.sub_(c)),
        ((3, 2), (2,)),
        inner=(CS, None),
    ),
    Case("view_mul_scalar", _on_view(lambda m, v: v.mul_(2.0)), ((3, 2),), inner=(CS,)),
    Case(
        "view_mul_constant",
        _on_view(lambda m, v: v.mul_(m.tensor([[2.0, 3.0], [4.0, 5.0]], dtype=m.float64))),
        ((3, 2),),
        inner=(CS,),
    ),
    Case("view_relu_", _relu_on_view, ((3, 2),), inner=(CS,)),
    Case("view_clamp_", _on_view(lambda m, v: v.clamp_(min=0.1)), ((3, 2),), inner=(CS,)),
    Case(
        "view_setitem",
        _on_view(_setitem(0)),
        ((3, 2), (2,)),
        inner=(CS, None),
    ),
    Case(
        "view_of_view_setitem",
        _on_view(_setitem(0), view=lambda b: b[1:].T),
        ((3, 2), (2,)),
        inner=(CS, None),
    ),
    Case(
        "view_setitem_tensor_index",
        _on_view(_setitem(lambda m: m.tensor([1, 0]))),
        ((3, 2), (2,)),
        inner=(CS, None),
    ),
    Case(
        "view_fill_tensor",
        _on_view(lambda m, v, c: v.fill_(c)),
        ((3, 2), ()),
        inner=(CS, None),
    ),
    Case("view_zero_", _zero_on_view_times, ((3, 2), (3, 2))),
    Case(
        "transposed_view_add_",
        _on_view(lambda m, v, c: v.add_(c), view=lambda b: b.t()[1:]),
        ((3, 4), (3, 3)),
        names=("MulBackward0", "AsStridedBackward0"),
        inner=(CS, None),
    ),
    Case(
        "view_twice",
        _view_twice,
        ((3, 4), (4, 3)),
        names=("MulBackward0", "AsStridedBackward0"),
        inner=(CS, None),
    ),
    Case(
        "view_returned",
        _view_returned,
        ((3, 2), (2, 2)),
        names=("MulBackward0", "AsStridedBackward0"),
        inner=(CS, None),
    ),
    Case(
        "sibling_view",
        _sibling,
        ((3, 2), (2, 2)),
        names=("MulBackward0", "AsStridedBackward0"),
        inner=(CS, None),
    ),
    Case(
        "expanded_view_setitem",
        _expanded_write,
        ((1, 2), (1, 2)),
    ),
    # zero_ / fill_: nothing flows back to the tensor written
    Case("zero_", _on_copy(lambda m, b: b.zero_()), ((3,),), ggc=False),
    Case("fill_number", _on_copy(lambda m, b: b.fill_(2.0)), ((3,),), ggc=False),
    Case("fill_tensor", _on_copy(lambda m, b, c: b.fill_(c)), ((3,), ())),
]
IDS = [c.name for c in CASES]


def _arrays(case) -> list:
    rng = np.random.default_rng(sum(map(ord, case.name)))
    return [rng.standard_normal(s) for s in case.shapes]


def _gs_inputs(case) -> list:
    return [gs.tensor(a, dtype=gs.float64, requires_grad=True) for a in _arrays(case)]


def _np(t) -> np.ndarray:
    return t.detach().cpu().numpy() if hasattr(t, "cpu") else np.asarray(t.detach())


# ------------------------------------------------------------------ finite differences


@pytest.mark.parametrize("case", [c for c in CASES if c.ggc], ids=[c.name for c in CASES if c.ggc])
def test_gradgradcheck(case):
    xs = _gs_inputs(case)
    # as the op itself (its first gradients depend on the output gradient alone when the
    # op is linear), then under a cube (they depend on the inputs too)
    assert gradgradcheck(lambda *a: case.fn(gs, *a), xs)
    assert gradgradcheck(lambda *a: case.fn(gs, *a) ** 3, xs)


def test_to_float32_second_derivative():
    x = gs.tensor([0.5, -1.5, 2.0], dtype=gs.float64, requires_grad=True)
    v = gs.tensor([1.0, 2.0, -1.0], dtype=gs.float32, requires_grad=True)
    (g,) = gs.autograd.grad(x.float() ** 3, x, v, create_graph=True)
    assert g.dtype == gs.float64 and g.grad_fn.name() == "ToCopyBackward0"
    gx, gv = gs.autograd.grad(g.sum(), [x, v])
    xn, vn = x.detach().numpy(), v.detach().numpy()
    np.testing.assert_allclose(gx.numpy(), 6 * xn * vn, rtol=1e-6)
    assert gv.dtype == gs.float32
    np.testing.assert_allclose(gv.numpy(), 3 * xn**2, rtol=1e-6)


def test_zero_and_fill_give_a_constant_zero_gradient():
    for body in (lambda b: b.zero_(), lambda b: b.fill_(2.0)):
        a = gs.tensor([1.0, 2.0], dtype=gs.float64, requires_grad=True)
        b = a * 1
        body(b)
        v = gs.tensor([3.0, 4.0], dtype=gs.float64, requires_grad=True)
        (g,) = gs.autograd.grad(b, a, v, create_graph=True)
        assert g.grad_fn is None and not g.requires_grad
        np.testing.assert_array_equal(g.numpy(), [0.0, 0.0])


def test_expanded_view_written_through_an_op_refuses_as_backward_does():
    a = gs.tensor([[1.0, 2.0]], dtype=gs.float64, requires_grad=True)
    b = a * 1
    b.expand(3, 2).zero_()
    for create_graph in (False, True):
        with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
            gs.autograd.grad(b.sum(), a, create_graph=create_graph, retain_graph=True)


def test_third_order_through_views():
    x = gs.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=gs.float64, requires_grad=True)
    y = (x.t().reshape(6).unsqueeze(0).expand(2, 6) ** 4).sum()
    (g1,) = gs.autograd.grad(y, x, create_graph=True)
    (g2,) = gs.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = gs.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.numpy(), 2 * 24 * x.detach().numpy())


# ------------------------------------------------------------------ torch

torch = pytest.importorskip("torch", reason="torch is the reference for the parity tests")


def _torch_inputs(case) -> list:
    return [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in _arrays(case)]


def _node_name(node) -> str | None:
    if node is None:
        return None
    return node.name()


def _inner(g) -> tuple | None:
    """The name of a gradient's node and of the first node below it."""
    if g is None or g.grad_fn is None:
        return None
    below = [n for n, _ in g.grad_fn.next_functions if n is not None]
    return _node_name(g.grad_fn), _node_name(below[0]) if below else None


def _first_and_second(lib, case, xs, cube: bool):
    """The first gradients (create_graph) for output gradients that require grad, and the
    gradients of a weighted sum of them with respect to the inputs and output gradients."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = case.fn(lib, *xs)
        if cube:
            y = y**3
    rng = np.random.default_rng(1)
    v = lib.tensor(rng.standard_normal(tuple(y.shape)), dtype=y.dtype, requires_grad=True)
    g = lib.autograd.grad(y, xs, v, create_graph=True, allow_unused=True)
    terms = [
        (gi * lib.tensor(rng.standard_normal(tuple(gi.shape)), dtype=gi.dtype)).sum()
        for gi in g
        if gi is not None and gi.requires_grad
    ]
    second = None
    if terms:
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        second = lib.autograd.grad(total, [*xs, v], allow_unused=True)
    return g, second


def _assert_close(ours, theirs, what, rtol=1e-7, atol=1e-9):
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a is None or b is None:  # an unused input: None on one side, zeros or None on the other
            other = b if a is None else a
            assert other is None or not _np(other).any(), f"{what} {k}"
            continue
        assert tuple(a.shape) == tuple(b.shape), f"{what} {k}"
        np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, err_msg=f"{what} {k}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_first_gradient_nodes_match_torch(case):
    gi, ti = _gs_inputs(case), _torch_inputs(case)
    g, _ = _first_and_second(gs, case, gi, cube=False)
    t, _ = _first_and_second(torch, case, ti, cube=False)
    theirs = tuple(_node_name(x.grad_fn) if x is not None else None for x in t)
    ours = tuple(_node_name(x.grad_fn) if x is not None else None for x in g)
    assert ours == (case.names or theirs), f"torch: {theirs}"
    assert tuple(x is not None and x.requires_grad for x in g) == tuple(
        x is not None and x.requires_grad for x in t
    )
    if case.inner is not None:
        for k, want in enumerate(case.inner):
            if want is not None:
                assert _inner(g[k]) == want == _inner(t[k]), f"input {k}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("cube", [False, True], ids=["linear", "cube"])
def test_second_derivatives_match_torch(case, cube):
    gi, ti = _gs_inputs(case), _torch_inputs(case)
    g, gg = _first_and_second(gs, case, gi, cube)
    t, tt = _first_and_second(torch, case, ti, cube)
    rtol = 1e-5 if not case.ggc else 1e-7  # float32 on the way
    _assert_close(g, t, "first gradient", rtol=rtol, atol=1e-6 if not case.ggc else 1e-9)
    assert (gg is None) == (tt is None)
    if gg is not None:
        _assert_close(gg, tt, "second derivative", rtol=rtol, atol=1e-5 if not case.ggc else 1e-9)


def test_setitem_of_an_own_slice_that_backward_needs_raises_as_torch():
    """``b[1:] = b[1:] * c``: the product saved ``b[1:]``, which the write then changed."""

    def run(lib):
        a = lib.tensor(np.arange(6.0).reshape(3, 2), dtype=lib.float64, requires_grad=True)
        c = lib.tensor(np.ones((2, 2)), dtype=lib.float64, requires_grad=True)
        b = a * 1
        b[1:] = b[1:] * c
        try:
            lib.autograd.grad((b**2).sum(), [a, c], create_graph=True)
        except RuntimeError as e:
            return str(e)
        return None

    theirs = run(torch)
    assert theirs is not None and "modified by an inplace operation" in theirs
    assert run(gs) == theirs


def _mul_on_view(lib, x):
    b = x * 1
    b[1:].mul_(2.0)
    return (b**4).sum()


def _add_on_transposed_view(lib, x):
    b = x * 1
    b.t()[1:].add_(x.mean() * x.sum())
    return (b**4).sum()


@pytest.mark.parametrize("body", [_mul_on_view, _add_on_transposed_view])
def test_third_order_through_an_in_place_op_on_a_view_matches_torch(body):
    def third(lib):
        x = lib.tensor(
            [[0.5, -1.0], [1.5, 2.0], [-0.7, 0.3]], dtype=lib.float64, requires_grad=True
        )
        (g1,) = lib.autograd.grad(body(lib, x), x, create_graph=True)
        (g2,) = lib.autograd.grad((g1 * g1).sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad((g2**2).sum(), x)
        return _np(g3)

    np.testing.assert_allclose(third(gs), third(torch), rtol=1e-10)
