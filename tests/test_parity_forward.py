"""Forward mode and grad modes against torch 2.13's behaviour, with torch's values and
texts written out: reverse mode through tangents, in-place writes through a dual's
views, tangent dtypes, ``gs.func.jvp``'s checks, grad-mode decorators and hook misuse."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from gradscope.autograd.forward_ad import M_REVERSE_THROUGH_TANGENT

fw = gs.autograd.forward_ad


def P():  # noqa: N802
    return gs.tensor([-1.0, -0.25, 0.5, 1.25])


def T():  # noqa: N802
    return gs.tensor([0.5, 1.0, 1.5, 2.0])


def L():  # noqa: N802
    return gs.tensor([-1.0, -0.25, 0.5, 1.25], requires_grad=True)


def _v(t) -> list:
    return np.asarray(t.detach()).tolist()


# --------------------------------------------------------------------------- reverse over forward


def _backward_through_primal_plus_tangent():
    x = L()
    with fw.dual_level():
        p, tan = fw.unpack_dual((fw.make_dual(x, T()) ** 3).sum())
        (p + tan).backward()


def _backward_through_tangent_of_a_requires_grad_tangent():
    t = gs.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)
    with fw.dual_level():
        fw.unpack_dual(fw.make_dual(P(), t).sin()).tangent.sum().backward()


REVERSE_THROUGH_TANGENT = {
    "backward_of_primal_plus_tangent": _backward_through_primal_plus_tangent,
    "tangent_of_a_requires_grad_tangent": _backward_through_tangent_of_a_requires_grad_tangent,
    "grad_of_jvp_plus_term": lambda: gs.func.grad(
        lambda a: gs.func.jvp(lambda b: (b**3).sum(), (a,), (T(),))[1] + a.sum()
    )(P()),
    "grad_of_jvp": lambda: gs.func.grad(
        lambda a: gs.func.jvp(lambda b: (b**3).sum(), (a,), (T(),))[1]
    )(P()),
    "vjp_of_jvp": lambda: gs.func.vjp(
        lambda a: gs.func.jvp(lambda b: b.sin() * b, (a,), (T(),))[1], P()
    )[1](gs.ones(4)),
    "autograd_grad_of_a_jvp_tangent": lambda: (
        lambda x: gs.autograd.grad(gs.func.jvp(lambda a: a.exp(), (x,), (T(),))[1].sum(), x)
    )(L()),
}


@pytest.mark.parametrize("fn", REVERSE_THROUGH_TANGENT.values(), ids=REVERSE_THROUGH_TANGENT)
def test_reverse_mode_through_a_tangent_refuses(fn):
    # torch differentiates these; gradscope's tangents have no graph, so it must refuse
    # rather than silently drop the tangent's part of the gradient
    with pytest.raises(NotImplementedError) as info:
        fn()
    assert str(info.value) == M_REVERSE_THROUGH_TANGENT


def test_tangent_of_a_requires_grad_primal_requires_grad():
    out, tan = gs.func.jvp(lambda a: a.exp(), (L(),), (T(),))
    assert tan.requires_grad and tan.grad_fn.name() == "TangentBackward"
    assert out.requires_grad
    np.testing.assert_allclose(_v(tan), (np.exp(_v(P())) * _v(T())).tolist(), rtol=1e-6)


def test_tangents_without_a_graph_to_follow_do_not_require_grad():
    _, tan = gs.func.jvp(lambda a: a.exp(), (P(),), (T(),))
    assert not tan.requires_grad
    with fw.dual_level():
        with gs.no_grad():
            y = fw.make_dual(L(), T()).exp()
        assert not fw.unpack_dual(y).tangent.requires_grad


def test_backward_through_the_primal_of_a_dual_still_works():
    x = L()
    with fw.dual_level():
        fw.make_dual(x, T()).exp().sum().backward()
    np.testing.assert_allclose(_v(x.grad), np.exp(_v(P())).tolist(), rtol=1e-6)


# --------------------------------------------------------------------------- forward over reverse


def test_jvp_of_grad_gives_a_primal_without_graph():
    out, tan = gs.func.jvp(gs.func.grad(lambda a: (a**3).sum()), (P(),), (T(),))
    assert not out.requires_grad and out.grad_fn is None and not tan.requires_grad
    assert out.numpy().tolist() == [3.0, 0.1875, 0.75, 4.6875]
    assert tan.numpy().tolist() == [-3.0, -1.5, 4.5, 15.0]


def test_jvp_of_vjp_gives_a_primal_without_graph():
    def f(a):
        return gs.func.vjp(lambda b: b.sin() * b, a)[1](gs.ones(4))[0]

    out, tan = gs.func.jvp(f, (P(),), (T(),))
    assert not out.requires_grad and not tan.requires_grad
    np.testing.assert_allclose(_v(out), [-1.3818, -0.4896, 0.9182, 1.3431], atol=1e-4)
    np.testing.assert_allclose(_v(tan), [0.1196, 1.8760, 2.2732, -1.1112], atol=1e-4)
    out, tan = gs.func.jvp(lambda a: gs.func.vjp(lambda b: b.sin() * b, a)[0], (P(),), (T(),))
    assert not out.requires_grad
    np.testing.assert_allclose(_v(tan), [-0.6909, -0.4896, 1.3773, 2.6863], atol=1e-4)


# --------------------------------------------------------------------------- in place through views of a dual


def test_inplace_on_a_view_of_a_dual_keeps_the_rest_of_its_tangent():
    with fw.dual_level():
        d = fw.make_dual(P(), T())
        d[1:].mul_(3)
        assert _v(fw.unpack_dual(d).tangent) == [0.5, 3.0, 4.5, 6.0]


def test_inplace_on_a_dual_gives_its_primal_no_tangent():
    q = P()
    with fw.dual_level():
        d = fw.make_dual(q, T())
        d.mul_(3)
        assert fw.unpack_dual(q).tangent is None
        assert fw.unpack_dual(q * 1).tangent is None
        assert _v(fw.unpack_dual(d).tangent) == [1.5, 3.0, 4.5, 6.0]


def test_views_of_a_dual_follow_writes_to_it_and_to_each_other():
    with fw.dual_level():
        d = fw.make_dual(P(), T())
        v = d[1:]
        d.mul_(2)
        assert _v(fw.unpack_dual(v).tangent) == [2.0, 3.0, 4.0]
        q = P()
        d = fw.make_dual(q, T())
        v = d[1:]
        q.mul_(2)  # the primal has no tangent: the dual and its views keep theirs
        assert _v(fw.unpack_dual(v).tangent) == [1.0, 1.5, 2.0]
        assert _v(fw.unpack_dual(d).tangent) == [0.5, 1.0, 1.5, 2.0]
        q = P()
        d = fw.make_dual(q, T())
        v = d[1:]
        v[1:].mul_(2)
        assert _v(fw.unpack_dual(v).tangent) == [1.0, 3.0, 4.0]
        assert _v(fw.unpack_dual(d).tangent) == [0.5, 1.0, 3.0, 4.0]
        assert fw.unpack_dual(q).tangent is None
        d = fw.make_dual(P(), T())
        d.view(2, 2).T[0].mul_(2)
        assert _v(fw.unpack_dual(d).tangent) == [1.0, 1.0, 3.0, 2.0]


def test_jvp_of_a_function_writing_a_slice_of_its_input():
    out, tan = gs.func.jvp(lambda a: (a[1:].mul_(2), a * 1)[1], (P(),), (T(),))
    assert _v(out) == [-1.0, -0.5, 1.0, 2.5]
    assert _v(tan) == [0.5, 2.0, 3.0, 4.0]


# --------------------------------------------------------------------------- tangent dtypes


def test_make_dual_and_jvp_keep_the_tangent_dtype():
    with fw.dual_level():
        d = fw.make_dual(P(), T().double())
        assert fw.unpack_dual(d).primal.dtype == gs.float32
        assert fw.unpack_dual(d).tangent.dtype == gs.float64
        assert fw.unpack_dual(d.exp()).tangent.dtype == gs.float64
        assert fw.unpack_dual(d * gs.tensor([1, 2, 3, 4])).tangent.dtype == gs.float64
        same = fw.make_dual(P(), T())
        assert fw.unpack_dual(same * gs.tensor([1, 2, 3, 4])).tangent.dtype == gs.float32
        # in place: a tangent keeps its dtype, a new one is widened, a base's stays
        d = fw.make_dual(P(), T().double())
        d.mul_(gs.tensor([1.0, 2.0, 3.0, 4.0]))
        assert fw.unpack_dual(d).tangent.dtype == gs.float64
        x = P()
        x.add_(fw.make_dual(P(), T().double()))
        assert fw.unpack_dual(x).tangent.dtype == gs.float64
        v = P()
        v[1:].add_(fw.make_dual(P()[1:], T()[1:].double()))
        assert fw.unpack_dual(v).tangent.dtype == gs.float32
    out, tan = gs.func.jvp(lambda a: a * 2, (P(),), (T().double(),))
    assert out.dtype == gs.float32 and tan.dtype == gs.float64
    assert _v(tan) == [1.0, 2.0, 3.0, 4.0]


# --------------------------------------------------------------------------- misuse: torch's errors

_JVP = "jvp(f, primals, tangents): "


def _in_level(fn):
    with fw.dual_level():
        return fn()


ERRORS = {
    "make_dual_of_a_dual": (
        lambda: _in_level(lambda: fw.make_dual(fw.make_dual(P(), T()), T())),
        RuntimeError,
        "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
        "same level 0 is not supported.",
    ),
    "exit_dual_level_without_one": (
        lambda: fw.exit_dual_level(),
        RuntimeError,
        "Dual level must be a positive number.",
    ),
    "jvp_float_primal": (
        lambda: gs.func.jvp(lambda a: a * a, (3.0,), (1.0,)),
        RuntimeError,
        _JVP + "Expected primals to only contain Tensors, got <class 'float'>",
    ),
    "jvp_float_tangent": (
        lambda: gs.func.jvp(lambda a: a * a, (P(),), (1.0,)),
        RuntimeError,
        _JVP + "Expected tangents to only contain Tensors, got <class 'float'>",
    ),
    "jvp_non_tensor_output": (
        lambda: gs.func.jvp(lambda a: 3.0, (P(),), (T(),)),
        RuntimeError,
        _JVP + "expected f(*primals) to return only tensors, got unsupported type <class 'float'>",
    ),
    "jvp_non_tensor_in_outputs": (
        lambda: gs.func.jvp(lambda a: (a * 2, 3), (P(),), (T(),)),
        RuntimeError,
        _JVP + "expected f(*primals) to return only tensors, got unsupported type <class 'int'>",
    ),
    "jvp_has_aux_without_pair": (
        lambda: gs.func.jvp(lambda a: a, (P(),), (T(),), has_aux=True),
        RuntimeError,
        _JVP + "output of function f should be a tuple: (output, aux) if has_aux is True",
    ),
    "jvp_structure_none": (
        lambda: gs.func.jvp(lambda a: a * 2, (P(),), ()),
        RuntimeError,
        _JVP + "Expected primals and tangents to have the same python structure. For example, "
        "if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
        "TreeSpec(tuple, None, [*]) and tangents with structure TreeSpec(tuple, None, [])",
    ),
    "jvp_structure_two_one": (
        lambda: gs.func.jvp(lambda a, b: a * 2, (P(), P()), (T(),)),
        RuntimeError,
        _JVP + "Expected primals and tangents to have the same python structure. For example, "
        "if primals is a tuple of 3 tensors, tangents also must be. Got primals with structure "
        "TreeSpec(tuple, None, [*,\n  *]) and tangents with structure TreeSpec(tuple, None, [*])",
    ),
    "backward_inside_jvp": (
        lambda: gs.func.jvp(
            lambda a: (lambda y: (y.sum().backward(), y)[1])(a * a), (L(),), (T(),)
        ),
        RuntimeError,
        "backward() called inside a functorch transform. This is not supported, please use "
        "functorch.grad or functorch.vjp instead or call backward() outside of functorch "
        "transforms.",
    ),
    "set_grad_enabled_str": (
        lambda: gs.set_grad_enabled("yes"),
        TypeError,
        "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not str",
    ),
    "set_grad_enabled_int": (
        lambda: gs.set_grad_enabled(1),
        TypeError,
        "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not int",
    ),
    "user_grad_is_itself": (
        lambda: (lambda x: setattr(x, "grad", x))(L()),
        RuntimeError,
        "can't assign Variable as its own grad",
    ),
    "postacc_hook_on_tensor_without_grad": (
        lambda: gs.ones(3).register_post_accumulate_grad_hook(lambda t: None),
        RuntimeError,
        "cannot register a hook on a tensor that doesn't require gradient",
    ),
    "postacc_hook_returns_value": (
        lambda: (
            lambda x: (
                x.register_post_accumulate_grad_hook(lambda t: t.grad * 100),
                (x * 2).sum().backward(),
            )
        )(L()),
        RuntimeError,
        "Tensor post accumulate grad hooks should return None.",
    ),
}


@pytest.mark.parametrize("case", ERRORS.values(), ids=ERRORS)
def test_torch_error(case):
    fn, kind, text = case
    gs.set_grad_enabled(True)
    with pytest.raises(kind) as info:
        fn()
    assert str(info.value) == text
    assert gs.is_grad_enabled() and not gs.autograd.function._dual
    assert fw.jvp_depth == 0


def test_backward_after_jvp_and_outside_it_works():
    x = L()
    out, _ = gs.func.jvp(lambda a: a * a, (x,), (T(),))
    out.sum().backward()
    assert _v(x.grad) == [-2.0, -0.5, 1.0, 2.5]


def test_post_accumulate_hook_returning_none_and_its_removal():
    x = L()
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda t: seen.append(_v(t.grad)))
    (x * 2).sum().backward()
    handle.remove()
    (x * 2).sum().backward()
    assert seen == [[2.0, 2.0, 2.0, 2.0]]
    assert _v(x.grad) == [4.0, 4.0, 4.0, 4.0]


# --------------------------------------------------------------------------- grad-mode decorators


@pytest.mark.parametrize(
    "mode, inside",
    [
        (lambda: gs.no_grad(), False),
        (lambda: gs.enable_grad(), True),
        (lambda: gs.set_grad_enabled(False), False),
        (lambda: gs.inference_mode(), False),
    ],
    ids=["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"],
)
def test_mode_decorators_cover_every_step_of_a_generator(mode, inside):
    outside = not inside

    @mode()
    def steps(x):
        got = yield (x * 2, gs.is_grad_enabled())
        yield (x * got, gs.is_grad_enabled())

    with gs.set_grad_enabled(outside):
        gen = steps(gs.ones(3, requires_grad=True))
        y, on = next(gen)
        assert on is inside and y.requires_grad is inside
        assert gs.is_grad_enabled() is outside
        y, on = gen.send(3)
        assert on is inside and y.requires_grad is inside
        with pytest.raises(StopIteration):
            next(gen)
        assert gs.is_grad_enabled() is outside


def test_a_generator_sees_the_mode_when_it_handles_an_exception():
    @gs.no_grad()
    def steps():
        try:
            yield 1
        except ValueError:
            yield gs.is_grad_enabled()

    gen = steps()
    next(gen)
    assert gen.throw(ValueError("x")) is False
    assert gs.is_grad_enabled()
    gen.close()


def test_bare_mode_decorators():
    @gs.no_grad
    def off():
        return gs.is_grad_enabled()

    @gs.enable_grad
    def on():
        return gs.is_grad_enabled()

    @gs.inference_mode
    def inference():
        return gs.is_grad_enabled()

    assert off() is False and inference() is False
    with gs.no_grad():
        assert on() is True
    assert gs.is_grad_enabled()
