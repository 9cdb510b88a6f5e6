"""gradscope against torch on autograd semantics: forward mode, in-place ops and views,
version counters, hooks and their order, grad modes, ``.grad`` accumulation and second
backwards.

Each case runs once under torch and once under gradscope with the same code (``m`` is the
module). An error case must raise torch's exception type with torch's message (a gradscope
hint may follow on a new line); a value case must give the same result: tensors compared by
dtype, shape, ``requires_grad``, ``grad_fn`` name and values, everything else by ``==``.

Cases that gradscope gets wrong today are marked ``xfail(strict=True)`` with a one-line
description; fixing one turns it into an XPASS failure, and the mark should then go.
(Plain ops' errors and edge values are in test_parity_edges.py / test_parity_misuse.py.)
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import as_numpy, check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")
pytestmark = pytest.mark.usefixtures("grad_mode_on")


# --------------------------------------------------------------------------- helpers


def L(m, *s):  # noqa: N802 - short, for the tables
    """A leaf that requires grad: [1, 2, 3], or linspace(-1, 1.3) of shape ``s``."""
    if not s:
        return m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    return m.tensor(np.linspace(-1, 1.3, int(np.prod(s))).reshape(s).tolist(), requires_grad=True)


def P(m, *s):  # noqa: N802
    """A plain float32 tensor: linspace(-1, 1.3) of shape ``s``."""
    return m.tensor(np.linspace(-1, 1.3, int(np.prod(s))).reshape(s).tolist())


def T(m, *s):  # noqa: N802
    """A tangent: linspace(0.5, 2) of shape ``s``."""
    return m.tensor(np.linspace(0.5, 2, int(np.prod(s))).reshape(s).tolist())


def _v(t):
    return None if t is None else [round(float(a), 4) for a in as_numpy(t).ravel()]


def _name(node) -> str:
    return node.name().replace("torch::autograd::", "")


# --------------------------------------------------------------------------- forward mode


def dual(m, f, *shapes):
    """``f(m, *duals)`` inside a dual level; each output unpacked as (primal, tangent)."""
    fw = m.autograd.forward_ad
    with fw.dual_level():
        ds = [fw.make_dual(P(m, *s), T(m, *s)) for s in shapes]
        out = f(m, *ds)
        outs = out if isinstance(out, tuple) else (out,)
        return tuple(tuple(fw.unpack_dual(o)) for o in outs)


def in_level(m, body):
    fw = m.autograd.forward_ad
    with fw.dual_level():
        return body(fw)


def unp(fw, *ts):
    return tuple(tuple(fw.unpack_dual(t)) for t in ts)


def _F(m):  # noqa: N802
    return m.nn.functional


FORWARD_VALUES = {
    # every contract op: values and tangents, with broadcasting
    "add_bcast": lambda m: dual(m, lambda m, a, b: a + b, (2, 3), (3,)),
    "sub_alpha": lambda m: dual(m, lambda m, a, b: m.sub(a, b, alpha=2), (2, 3), (2, 3)),
    "mul_bcast": lambda m: dual(m, lambda m, a, b: a * b, (2, 3), (3,)),
    "div": lambda m: dual(m, lambda m, a, b: a / (b + 3), (2, 3), (3,)),
    "rdiv_rsub": lambda m: dual(m, lambda m, a: (1 / (a + 3), 1 - a), (2, 3)),
    "pow_tensor": lambda m: dual(m, lambda m, a, b: (a.abs() + 0.1) ** b, (2, 3), (3,)),
    "pow_scalar_and_rpow": lambda m: dual(m, lambda m, a: (a**3, 2**a, m.pow(a, 2.5)), (2, 3)),
    "matmul_mm_mv_dot": lambda m: dual(
        m, lambda m, a, b, c: (a @ b, a @ c, c @ c), (2, 3), (3, 4), (3,)
    ),
    "matmul_batched": lambda m: dual(m, lambda m, a, b: a @ b, (2, 2, 3), (3, 2)),
    "unary": lambda m: dual(
        m,
        lambda m, a: (
            -a,
            a.abs(),
            a.exp(),
            (a.abs() + 1).log(),
            (a.abs() + 1).sqrt(),
            m.sin(a),
            m.cos(a),
            m.tanh(a),
            m.sigmoid(a),
            m.relu(a),
        ),
        (2, 3),
    ),
    "clamp": lambda m: dual(
        m, lambda m, a, b: (a.clamp(-0.3, 0.5), a.clamp(min=0.0), m.clamp(a, min=b)), (2, 3), (3,)
    ),
    "reductions": lambda m: dual(
        m, lambda m, a: (a.sum(), a.sum(1, keepdim=True), a.mean(), a.mean(0)), (2, 3)
    ),
    "max_min": lambda m: dual(
        m, lambda m, a, b: (a.max(), *a.max(1), *a.min(0, keepdim=True), m.max(a, b)), (2, 3), (3,)
    ),
    "softmaxes": lambda m: dual(m, lambda m, a: (a.softmax(1), a.log_softmax(0)), (2, 3)),
    "shape_ops": lambda m: dual(
        m,
        lambda m, a: (
            a.reshape(3, 2),
            a.view(-1),
            a.flatten(),
            a.transpose(0, 1),
            a.T,
            a.unsqueeze(1),
            a.unsqueeze(0).squeeze(),
        ),
        (2, 3),
    ),
    "permute_expand": lambda m: dual(
        m, lambda m, a, b: (a.permute(2, 0, 1), b.expand(2, 3)), (2, 3, 2), (3,)
    ),
    "cat_stack_where": lambda m: dual(
        m,
        lambda m, a, b: (m.cat([a, a[:1]], 0), m.stack([a, a], 1), m.where(a > 0, a, b)),
        (2, 3),
        (3,),
    ),
    "indexing": lambda m: dual(
        m,
        lambda m, a: (
            a[1],
            a[:, 1:],
            a[m.tensor([1, 0, 1])],
            a[m.tensor([1, 0]), m.tensor([2, 2])],
            a[..., None, 0],
        ),
        (2, 3),
    ),
    "comparison_has_no_tangent": lambda m: dual(m, lambda m, a: a > 0, (2, 3)),
    "functional": lambda m: dual(
        m,
        lambda m, a, b: (
            _F(m).relu(a),
            _F(m).softmax(a, dim=-1),
            _F(m).log_softmax(a, dim=-1),
            _F(m).cross_entropy(a, m.tensor([2, 0])),
            _F(m).cross_entropy(a, m.tensor([2, 0]), reduction="none"),
            _F(m).nll_loss(a, m.tensor([2, 0])),
            _F(m).mse_loss(a, b),
            _F(m).mse_loss(a, m.zeros(2, 3)),
        ),
        (2, 3),
        (2, 3),
    ),
    "linear": lambda m: dual(
        m, lambda m, x, w, b: (_F(m).linear(x, w, b), _F(m).linear(x, w)), (2, 3), (4, 3), (4,)
    ),
    "detach_clone_to": lambda m: dual(
        m, lambda m, a: (a.detach(), a.clone(), a.to(m.float64)), (2, 3)
    ),
    "int_operand_argmax_float64": lambda m: in_level(
        m,
        lambda fw: unp(
            fw,
            fw.make_dual(P(m, 3), T(m, 3)) * m.tensor([1, 2, 3]),
            fw.make_dual(P(m, 3), T(m, 3)).argmax(),
            fw.make_dual(P(m, 3).double(), T(m, 3).double()).exp(),
            fw.make_dual(P(m, 3), T(m, 3)) * P(m, 3).double(),
        ),
    ),
    # in-place ops on duals (no views of the dual involved)
    "inplace_mul_dual": lambda m: in_level(
        m, lambda fw: unp(fw, fw.make_dual(P(m, 3), T(m, 3)).mul_(P(m, 3)))
    ),
    "inplace_add_alpha_of_dual": lambda m: in_level(
        m, lambda fw: unp(fw, P(m, 3).add_(fw.make_dual(P(m, 3), T(m, 3)), alpha=3))
    ),
    "inplace_div_sub_zero_fill_relu": lambda m: in_level(
        m,
        lambda fw: unp(
            fw,
            P(m, 3).div_(fw.make_dual(P(m, 3) + 3, T(m, 3))),
            P(m, 3).sub_(fw.make_dual(P(m, 3), T(m, 3))),
            fw.make_dual(P(m, 3), T(m, 3)).zero_(),
            fw.make_dual(P(m, 3), T(m, 3)).fill_(2.0),
            fw.make_dual(P(m, 3), T(m, 3)).relu_(),
        ),
    ),
    "inplace_setitem_dual_into_plain": lambda m: in_level(
        m,
        lambda fw: (
            lambda b: (b.__setitem__(slice(1, 3), fw.make_dual(P(m, 2), T(m, 2))), unp(fw, b))[1]
        )(P(m, 4)),
    ),
    "inplace_view_of_computed_dual": lambda m: in_level(
        m,
        lambda fw: (lambda d2: (d2[1:].mul_(3), unp(fw, d2))[1])(
            fw.make_dual(P(m, 4), T(m, 4)) * 1
        ),
    ),
    "view_of_view_tangent": lambda m: in_level(
        m, lambda fw: unp(fw, fw.make_dual(P(m, 4), T(m, 4)).view(2, 2).T[1])
    ),
    "no_tangent_inside_level": lambda m: in_level(m, lambda fw: (fw.unpack_dual(P(m, 3)).tangent,)),
    "unpack_outside_a_level": lambda m: (
        lambda t: (
            m.autograd.forward_ad.unpack_dual(t).tangent,
            m.autograd.forward_ad.unpack_dual(t).primal is t,
        )
    )(P(m, 3)),
    "tangent_gone_after_exit": lambda m: (
        lambda fw: (
            fw.enter_dual_level(),
            (d := fw.make_dual(P(m, 3), T(m, 3))),
            fw.exit_dual_level(),
            fw.unpack_dual(d).tangent,
        )[-1]
    )(m.autograd.forward_ad),
    "backward_through_a_dual": lambda m: (
        lambda x: (
            in_level(m, lambda fw: fw.make_dual(x, T(m, 3)).exp().sum().backward()),
            x.grad,
        )[1]
    )(L(m)),
    # torch.func.jvp
    "jvp_two_inputs": lambda m: m.func.jvp(
        lambda a, b: a * b.exp(), (P(m, 3), P(m, 3)), (T(m, 3), T(m, 3))
    ),
    "jvp_tuple_output": lambda m: m.func.jvp(lambda a: (a.sin(), a.cos()), (P(m, 3),), (T(m, 3),)),
    "jvp_constant_output": lambda m: m.func.jvp(lambda a: m.ones(3), (P(m, 3),), (T(m, 3),)),
    "jvp_has_aux": lambda m: m.func.jvp(
        lambda a: (a * 2, a.sum()), (P(m, 3),), (T(m, 3),), has_aux=True
    ),
    "jvp_zero_dim": lambda m: m.func.jvp(lambda a: a * a, (m.tensor(3.0),), (m.tensor(1.0),)),
    "jvp_of_grad_tangent": lambda m: m.func.jvp(
        m.func.grad(lambda a: (a**3).sum()), (P(m, 3),), (T(m, 3),)
    )[1],
    # defects
    "jvp_of_grad_primal_requires_no_grad": lambda m: m.func.jvp(
        m.func.grad(lambda a: (a**3).sum()), (P(m, 3),), (T(m, 3),)
    )[0],
    "jvp_of_vjp_primal_requires_no_grad": lambda m: m.func.jvp(
        lambda a: m.func.vjp(lambda b: b.sin() * b, a)[1](m.ones(3))[0], (P(m, 3),), (T(m, 3),)
    )[0],
    "jvp_of_grad_numpy": lambda m: (
        m.func.jvp(m.func.grad(lambda a: (a**3).sum()), (P(m, 3),), (T(m, 3),))[0].numpy().tolist()
    ),
    "inplace_on_view_of_dual_keeps_base_tangent": lambda m: in_level(
        m, lambda fw: (lambda d: (d[1:].mul_(3), unp(fw, d))[1])(fw.make_dual(P(m, 4), T(m, 4)))
    ),
    "jvp_of_f_writing_a_slice_of_its_input": lambda m: m.func.jvp(
        lambda a: (a[1:].mul_(2), a * 1)[1], (P(m, 4),), (T(m, 4),)
    ),
    "inplace_on_dual_leaves_primal_without_tangent": lambda m: (
        lambda p: in_level(
            m,
            lambda fw: (
                lambda d: (d.mul_(3), fw.unpack_dual(p).tangent, fw.unpack_dual(p * 1).tangent)[1:]
            )(fw.make_dual(p, T(m, 4))),
        )
    )(P(m, 4)),
    "reverse_over_forward_mixed_loss": (
        lambda m: (
            lambda x: (
                in_level(
                    m,
                    lambda fw: (lambda y: (lambda p, t: (t + p).backward())(*fw.unpack_dual(y)))(
                        (fw.make_dual(x, T(m, 3)) ** 3).sum()
                    ),
                ),
                x.grad,
            )[1]
        )(L(m, 3)),
        "reverse mode through a forward-mode tangent raises NotImplementedError; torch differentiates it",
    ),
    "grad_of_jvp_plus_term": (
        lambda m: m.func.grad(
            lambda a: m.func.jvp(lambda b: (b**3).sum(), (a,), (T(m, 3),))[1] + a.sum()
        )(P(m, 3)),
        "reverse mode through a forward-mode tangent raises NotImplementedError; torch differentiates it",
    ),
    "grad_of_jvp": (
        lambda m: m.func.grad(lambda a: m.func.jvp(lambda b: (b**3).sum(), (a,), (T(m, 3),))[1])(
            P(m, 3)
        ),
        "reverse mode through a forward-mode tangent raises NotImplementedError; torch differentiates it",
    ),
    "vjp_of_jvp": (
        lambda m: (lambda o: (o[0], o[1](m.ones(3))))(
            m.func.vjp(lambda a: m.func.jvp(lambda b: b.sin() * b, (a,), (T(m, 3),))[1], P(m, 3))
        ),
        "reverse mode through a forward-mode tangent raises NotImplementedError; torch differentiates it",
    ),
    "jvp_tangent_of_requires_grad_primal": (
        lambda m: m.func.jvp(lambda a: a.exp(), (L(m, 3),), (T(m, 3),)),
        "the tangent of a requires-grad primal requires grad but through TangentBackward, not MulBackward0",
    ),
    "backward_through_a_tangent": (
        lambda m: (
            lambda t: (
                in_level(
                    m,
                    lambda fw: (
                        fw.unpack_dual(fw.make_dual(P(m, 3), t).sin()).tangent.sum().backward()
                    ),
                ),
                t.grad,
            )[1]
        )(L(m, 3)),
        "a tangent that requires grad gives output tangents that cannot be differentiated (NotImplementedError)",
    ),
    "make_dual_keeps_tangent_dtype": lambda m: in_level(
        m, lambda fw: unp(fw, fw.make_dual(P(m, 3), T(m, 3).double()))
    ),
    "jvp_keeps_tangent_dtype": lambda m: m.func.jvp(
        lambda a: a * 2, (P(m, 3),), (T(m, 3).double(),)
    ),
    "unpack_dual_gives_the_tangent_object": (
        lambda m: (
            lambda t: in_level(m, lambda fw: fw.unpack_dual(fw.make_dual(P(m, 3), t)).tangent is t)
        )(T(m, 3)),
        "unpack_dual(make_dual(p, t)).tangent is a new tensor, not t",
    ),
    "unpacked_primal_grad_fn": (
        lambda m: in_level(m, lambda fw: fw.unpack_dual(fw.make_dual(L(m), T(m, 3)) * 2).primal),
        "unpack_dual's primal of a requires-grad dual is AliasBackward0, torch's torch::autograd::Identity",
    ),
}

FORWARD_ERRORS = {
    "make_dual_no_level": lambda m: m.autograd.forward_ad.make_dual(P(m, 3), T(m, 3)),
    "make_dual_shape": lambda m: in_level(m, lambda fw: fw.make_dual(P(m, 3), T(m, 2))),
    "make_dual_no_broadcast": lambda m: in_level(m, lambda fw: fw.make_dual(P(m, 2, 3), T(m, 3))),
    "make_dual_int_primal": lambda m: in_level(
        m, lambda fw: fw.make_dual(m.tensor([1, 2, 3]), T(m, 3))
    ),
    "make_dual_int_tangent": lambda m: in_level(
        m, lambda fw: fw.make_dual(P(m, 3), m.tensor([1, 2, 3]))
    ),
    "nested_dual_level": lambda m: in_level(m, lambda fw: fw.dual_level().__enter__()),
    "jvp_tangent_shape": lambda m: m.func.jvp(lambda a: a * 2, (P(m, 3),), (T(m, 2),)),
    "jvp_primals_not_tuple": lambda m: m.func.jvp(lambda a: a * 2, [P(m, 3)], [T(m, 3)]),
    "jvp_int_primal": lambda m: m.func.jvp(
        lambda a: a * 2, (m.tensor([1, 2, 3]),), (m.tensor([1, 2, 3]),)
    ),
    # defects
    "make_dual_of_a_dual": lambda m: in_level(
        m, lambda fw: fw.make_dual(fw.make_dual(P(m, 3), T(m, 3)), T(m, 3))
    ),
    "exit_dual_level_without_one": lambda m: m.autograd.forward_ad.exit_dual_level(),
    "jvp_python_float_primal": lambda m: m.func.jvp(lambda a: a * a, (3.0,), (1.0,)),
    "jvp_non_tensor_output": lambda m: m.func.jvp(lambda a: 3.0, (P(m, 3),), (T(m, 3),)),
    "jvp_structure_message": lambda m: m.func.jvp(lambda a: a * 2, (P(m, 3),), ()),
    "backward_inside_jvp": lambda m: m.func.jvp(
        lambda a: (lambda y: (y.sum().backward(), y)[1])(a * a), (L(m, 3),), (T(m, 3),)
    ),
}


@pytest.mark.parametrize("fn", params(FORWARD_VALUES))
def test_forward_mode_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(FORWARD_ERRORS))
def test_forward_mode_error(fn):
    check_error(fn)


# --------------------------------------------------------------------------- in-place, views


def _vers(*ts):
    return tuple(t._version for t in ts)


def _through_nograd_view(m, write, leaf=False, base_requires_grad=True):
    """``write(m, v)`` in grad mode, ``v`` a view made under no_grad of ``x * 1`` (or of the
    leaf ``x``); torch refuses a write autograd would record through ``v`` or any view made
    of it, naming the view written when it has a grad_fn."""
    x = m.ones(3, requires_grad=base_requires_grad)
    y = x if leaf else x * 1
    with m.no_grad():
        v = y[0:2]
    write(m, v)
    return y


def _set_under_no_grad(m, v):
    with m.no_grad():
        v[0] = 3.0


def _inplace_then_backward(m, make, modify, upstream=None):
    """``a = make(x)``, ``y = upstream(a)``, then ``modify(a)`` and ``y.sum().backward()``."""
    x = L(m)
    a = make(m, x)
    y = upstream(m, a) if upstream else a
    modify(m, a)
    y.sum().backward()
    return x.grad


def _saved_leaf_modified(m, op):
    x, c = L(m), P(m, 3) + 3
    y = op(x, c)
    c.add_(1)
    y.sum().backward()


def _nograd_view_written(m, value):
    x = L(m)
    a = x * 1
    with m.no_grad():
        v = a[1:]
    v.mul_(value(m))
    a.sum().backward()
    return x.grad


def _retain_then_inplace(m):
    x = L(m)
    a = x * 2
    a.retain_grad()
    a.mul_(3)
    (a * 1).sum().backward()
    return a.grad, x.grad, a.retains_grad


def _leaf_modified_under_no_grad(m):
    x = L(m)
    y = x * x
    with m.no_grad():
        x.mul_(2)
    y.sum().backward()


def _leaf_inplace_under_no_grad(m):
    x = L(m)
    with m.no_grad():
        x.add_(1)
        x.zero_()
    return x, x._version, x.grad_fn, x.is_leaf


def _data_assigned_after_graph(m):
    x = L(m)
    y = (x * x).sum()
    x.data = m.tensor([5.0, 5.0, 5.0])
    y.backward()
    return x.grad


def _grad_under_create_graph(m):
    """The first .grad under create_graph: its node, version and layout (a transposed
    leaf's strides), then a second backward's new .grad."""
    import warnings

    out = []
    for leaf in (L(m), m.ones(3, 2).t().detach().requires_grad_()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reference cycle's warning
            (leaf * leaf).sum().backward(create_graph=True)
            first = (leaf.grad.grad_fn.name(), leaf.grad._version, leaf.grad.stride())
            (leaf * 2).sum().backward(create_graph=True)
        out.append((first, leaf.grad.grad_fn.name(), leaf.grad._version, leaf.grad))
    return out


def _grad_versions(m):
    """.grad's version after a first backward, a second, zero_, and a backward after
    ``grad = None``."""
    x = L(m)
    versions = []
    for step in ("backward", "backward", "zero_", "backward", "none", "backward"):
        if step == "backward":
            (x * x).sum().backward()
        elif step == "zero_":
            x.grad.zero_()
        else:
            x.grad = None
            continue
        versions.append(x.grad._version)
    return versions


def _node_type_names(m):
    """What ``type(grad_fn).__name__`` gives for nodes whose class gradscope names otherwise."""
    F = torch.nn.functional if m is torch else gs.nn.functional  # noqa: N806
    x = m.ones(1, 1, 4, 4, requires_grad=True)
    y = x * 1.0
    y[0, 0, 0] = 2.0  # setitem on the tensor itself
    v = x * 1.0
    v[0].mul_(2.0)  # in place on a view: the base's node
    u = F.unfold(x, 2)
    nodes = [y, v, u, F.fold(u, (4, 4), 2), F.pad(x, (1, 1, 1, 1), mode="circular"), x // 2]
    return [type(t.grad_fn).__name__ for t in nodes]


INPLACE_VALUES = {
    "node_type_names": _node_type_names,
    "version_every_inplace_op": lambda m: (
        lambda a: (
            a.add_(1),
            a.mul_(2),
            a.sub_(1),
            a.div_(2),
            a.zero_(),
            a.fill_(3),
            a.relu_(),
            _vers(a),
        )[-1]
    )(P(m, 3)),
    "version_setitem": lambda m: (
        lambda a: (a.__setitem__(0, 5.0), a.__setitem__(slice(None), 1.0), _vers(a))[-1]
    )(P(m, 3)),
    "version_shared_by_views": lambda m: (
        lambda a: (lambda v: (v.add_(1), _vers(a, v, a.view(3), a.T, a.reshape(3))))(a[1:])
    )(P(m, 3))[1],
    "version_detach_shares": lambda m: (lambda a: (lambda d: (d.mul_(2), _vers(a, d)))(a.detach()))(
        L(m) * 1
    )[1],
    "version_data_does_not_share": lambda m: (
        lambda a: (lambda d: (d.mul_(2), _vers(a, d)))(a.data)
    )(L(m) * 1)[1],
    "version_clone_and_copying_reshape": lambda m: (
        lambda a: (lambda c, r: (c.mul_(2), r.add_(1), _vers(a, c, r)))(a.clone(), a.T.reshape(6))
    )(P(m, 2, 3))[2],
    "version_iadd_and_flatten_view": lambda m: (
        lambda a: (lambda f: (a.__iadd__(1), f.add_(1), _vers(a, f)))(a.flatten())
    )(P(m, 2, 3))[2],
    "version_of_new_tensors": lambda m: (P(m, 3)._version, (L(m) * 2)._version),
    # in-place ops that no saved tensor sees
    "sum_saves_nothing": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 1, lambda m, a: a.add_(1), lambda m, a: a.sum()
    ),
    "view_then_base_written_unsaved": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 1, lambda m, a: a.add_(1), lambda m, a: a[1:].exp()
    ),
    "data_inplace_is_silent": lambda m: _inplace_then_backward(
        m, lambda m, x: x.exp(), lambda m, a: a.data.mul_(2)
    ),
    "inplace_on_unsaved_is_fine": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 2, lambda m, a: a.add_(1)
    ),
    # in-place through views: CopySlices values and gradients
    "view_inplace_grad": lambda m: (
        lambda x: (lambda a: (a[1:].mul_(3), a.sum().backward(), _v(a), x.grad)[2:])(x * 1)
    )(L(m)),
    "view_of_view_inplace_grad": lambda m: (
        lambda x: (lambda a: (a[1:][1:].mul_(3), a.sum().backward(), _v(a), x.grad)[2:])(x * 1)
    )(L(m)),
    "view_inplace_by_requires_grad_value": lambda m: (
        lambda x, w: (lambda a: (a[1:].mul_(w), a.sum().backward(), x.grad, w.grad)[2:])(x * 1)
    )(L(m), L(m, 2)),
    "transpose_view_inplace_grad": lambda m: (
        lambda x: (lambda a: (a.T[0].mul_(5), a.sum().backward(), x.grad)[2])(x * 1)
    )(L(m, 2, 3)),
    "setitem_grads": lambda m: (
        lambda x, w: (
            lambda a: (a.__setitem__(slice(0, 2), w), (a * a).sum().backward(), x.grad, w.grad)[2:]
        )(x * 1)
    )(L(m), L(m, 2)),
    "setitem_into_plain_base": lambda m: (
        lambda w: (
            lambda a: (a.__setitem__(1, w[0]), (a * 2).sum().backward(), a.is_leaf, w.grad)[2:]
        )(P(m, 3))
    )(L(m, 2)),
    "view_node_names": lambda m: (
        lambda x: (
            lambda a: (
                lambda v: (
                    v.mul_(3),
                    _name(v.grad_fn),
                    [_name(f[0]) if f[0] else None for f in a.grad_fn.next_functions],
                )[1:]
            )(a[1:])
        )(x * 1)
    )(L(m)),
    "inplace_requires_grad_into_plain": lambda m: (
        lambda x: (
            lambda a: (a.mul_(x), a.grad_fn.name(), a.is_leaf, a.sum().backward(), x.grad)[1:]
        )(P(m, 3))
    )(L(m)),
    "inplace_relu_div_sub_fill_zero_grads": lambda m: (
        lambda x, w, v: (
            lambda a, b, c, d, e: (
                a.relu_(),
                b.div_(w),
                c.sub_(w, alpha=2),
                d.fill_(v),
                e.zero_(),
                (a + b + c + d * x + e + x).sum().backward(),
                [t.grad_fn.name() for t in (a, b, c, d, e)],
                x.grad,
                w.grad,
                v.grad,
            )[-4:]
        )(x - 1.5, x * 1, x * 1, x * 1, x * 1)
    )(L(m), L(m), m.tensor(2.0, requires_grad=True)),
    "inplace_int_operand": lambda m: (
        lambda x: (lambda a: (a.mul_(m.tensor([1, 2, 3])), a.sum().backward(), x.grad)[2])(x * 1)
    )(L(m)),
    "leaf_inplace_under_no_grad": _leaf_inplace_under_no_grad,
    "nograd_view_written_under_no_grad": lambda m: _through_nograd_view(m, _set_under_no_grad),
    "nograd_view_of_plain_tensor_written": lambda m: _through_nograd_view(
        m, lambda m, v: (v.__setitem__(0, 5.0), v[1:].mul_(2)), base_requires_grad=False
    ),
    "grad_version_backward_twice_zero_none": _grad_versions,
    "grad_version_copied_gradients": lambda m: tuple(
        (lambda x: (backward(x), x.grad._version)[1])(L(m))
        for backward in (
            lambda x: x.sum().backward(),  # an expanded gradient: copied
            lambda x: x.backward(m.ones(3)),  # the caller's gradient: copied
            lambda x: (x * 2 + x * 3).sum().backward(),  # two gradients summed
        )
    ),
    "grad_version_summed_in_place": lambda m: tuple(
        (lambda x: (f(x).sum().backward(), x.grad._version, x.grad)[1:])(L(m))
        for f in (
            lambda x: x * x * x,  # three gradients: two in-place sums
            lambda x: x * 2 + x * 3 + x * 4,
            lambda x: x + x,  # one gradient twice: summed out of place
            lambda x: x[:2].sum() + x[1:].sum(),  # two expanded views: out of place
            lambda x: (x * x).sum() * x,
            lambda x: x.exp() * x.sin() + x.tanh(),
        )
    ),
    "grad_under_create_graph": lambda m: _grad_under_create_graph(m),
    "grad_version_taken_gradients": lambda m: tuple(
        (lambda x: (backward(x), x.grad._version)[1])(L(m))
        for backward in (
            lambda x: (x * 2).sum().backward(),
            lambda x: x.exp().sum().backward(),
            lambda x: (x.register_hook(lambda g: g * 2), (x * 3).sum().backward()),
        )
    ),
    # defects
    "retain_grad_survives_inplace": _retain_then_inplace,
    "grad_version_after_backward": lambda m: (
        lambda x: ((x * x).sum().backward(), x.grad._version, x.grad.zero_()._version)
    )(L(m))[1:],
    "node_name_copy_slices": lambda m: (lambda a: (a[1:].mul_(2), a.grad_fn.name())[1])(L(m) * 1),
    "data_assigned_after_graph": (
        _data_assigned_after_graph,
        "x.data = new after the graph is built: torch's saved leaf sees the new data (grad 10s)",
    ),
}

INPLACE_ERRORS = {
    "err_output_saved_sigmoid": lambda m: _inplace_then_backward(
        m, lambda m, x: x.sigmoid(), lambda m, a: a.mul_(2)
    ),
    "err_output_saved_exp": lambda m: _inplace_then_backward(
        m, lambda m, x: x.exp(), lambda m, a: a.add_(1)
    ),
    "err_output_saved_tanh_zero": lambda m: _inplace_then_backward(
        m, lambda m, x: x.tanh(), lambda m, a: a.zero_()
    ),
    "err_output_saved_relu_relu_": lambda m: _inplace_then_backward(
        m, lambda m, x: x.relu(), lambda m, a: a.relu_()
    ),
    "err_output_saved_sqrt_fill": lambda m: _inplace_then_backward(
        m, lambda m, x: x.sqrt(), lambda m, a: a.fill_(1)
    ),
    "err_output_saved_softmax": lambda m: _inplace_then_backward(
        m, lambda m, x: x.softmax(0), lambda m, a: a.mul_(2)
    ),
    "err_output_saved_log_softmax": lambda m: _inplace_then_backward(
        m, lambda m, x: x.log_softmax(0), lambda m, a: a.mul_(2)
    ),
    "err_input_saved_names_add": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 1, lambda m, a: a.add_(1), lambda m, a: a * a
    ),
    "err_input_saved_names_mul": lambda m: _inplace_then_backward(
        m, lambda m, x: x.exp(), lambda m, a: a.mul_(2), lambda m, a: a * a
    ),
    "err_version_2": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 1, lambda m, a: (a.mul_(2), a.add_(1)), lambda m, a: a * a
    ),
    "err_unary_saved_input": lambda m: [
        _inplace_then_backward(m, lambda m, x: x * 1, lambda m, a: a.add_(1), up)
        for up in (
            lambda m, a: a**2,
            lambda m, a: a.abs(),
            lambda m, a: a.log(),
            lambda m, a: a.sin(),
            lambda m, a: a.cos(),
            lambda m, a: a.clamp(0, 2),
            lambda m, a: a.max(),
        )
    ],
    "err_leaf_other_of_mul": lambda m: _saved_leaf_modified(m, lambda x, c: x * c),
    "err_leaf_of_div": lambda m: _saved_leaf_modified(m, lambda x, c: x / c),
    "err_leaf_self_of_div": lambda m: _saved_leaf_modified(m, lambda x, c: c / x),
    "err_leaf_of_clamp_bound": lambda m: _saved_leaf_modified(m, lambda x, c: x.clamp(min=c)),
    "err_leaf_of_mm": lambda m: (lambda A, B: (lambda y: (B.add_(1), y.sum().backward()))(A @ B))(
        L(m, 2, 3), P(m, 3, 2)
    ),
    "err_leaf_of_mv_dot_bmm": lambda m: [
        (lambda A, v: (lambda y: (v.add_(1), y.sum().backward()))(A @ v))(L(m, *sa), P(m, *sb))
        for sa, sb in (((2, 3), (3,)), ((3,), (3,)), ((2, 2, 3), (2, 3, 2)), ((2, 2, 3), (3, 2)))
    ],
    "err_requires_grad_leaf_under_no_grad": _leaf_modified_under_no_grad,
    "err_index_tensor": lambda m: (
        lambda x: (lambda i: (lambda y: (i.mul_(0), y.sum().backward()))(x[i]))(m.tensor([2, 1]))
    )(L(m)),
    "err_cross_entropy_target": lambda m: (
        lambda x: (lambda t: (lambda y: (t.mul_(0), y.backward()))(_F(m).cross_entropy(x, t)))(
            m.tensor([2, 0])
        )
    )(L(m, 2, 3)),
    "err_mse_target": lambda m: (
        lambda x, t: (lambda y: (t.mul_(0), y.backward()))(_F(m).mse_loss(x, t))
    )(L(m, 2, 3), P(m, 2, 3)),
    "err_linear_input": lambda m: (
        lambda x, w: (lambda y: (x.mul_(0), y.sum().backward()))(_F(m).linear(x, w))
    )(P(m, 2, 3), L(m, 4, 3)),
    "err_view_write_on_saved_base": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 1, lambda m, a: a[1:].add_(1), lambda m, a: a.exp() * a
    ),
    "err_view_write_on_saved_output": lambda m: _inplace_then_backward(
        m, lambda m, x: x.exp(), lambda m, a: a[0:2].mul_(2)
    ),
    "err_detach_shares_version": lambda m: _inplace_then_backward(
        m, lambda m, x: x.exp(), lambda m, a: a.detach().mul_(2)
    ),
    "err_tensor_used_twice": lambda m: (
        lambda x: (
            lambda a: (lambda y1, y2: (a.mul_(2), (y1 + y2).sum().backward()))(a.exp(), a * x)
        )(x * 1)
    )(L(m)),
    "err_retain_graph_then_inplace": lambda m: (
        lambda x: (
            lambda a: (lambda y: (y.backward(retain_graph=True), a.mul_(2), y.backward()))(
                (a * a).sum()
            )
        )(x * 1)
    )(L(m)),
    "err_leaf_inplace": lambda m: L(m).add_(1),
    "err_leaf_view_inplace": lambda m: L(m)[1:].add_(1),
    "err_leaf_view_of_view_inplace": lambda m: L(m, 2, 3)[0].view(3)[1:].mul_(2),
    "err_leaf_setitem": lambda m: L(m).__setitem__(0, 1.0),
    "err_expanded_inplace": lambda m: (L(m, 3) * 1).expand(2, 3).mul_(2),
    "err_inplace_broadcast_shape": lambda m: P(m, 3).add_(P(m, 2, 3)),
    "err_inplace_float_into_int": lambda m: m.tensor([1, 2, 3]).mul_(1.5),
    # defects
    "err_version_names_pow1": lambda m: _inplace_then_backward(
        m, lambda m, x: x ** L(m), lambda m, a: a.mul_(2)
    ),
    "err_version_names_pow2": lambda m: _inplace_then_backward(
        m, lambda m, x: 2**x, lambda m, a: a.mul_(2)
    ),
    "err_version_names_max1": lambda m: _inplace_then_backward(
        m, lambda m, x: x.max(), lambda m, a: a.add_(1)
    ),
    "err_version_bool_type_name": lambda m: (
        lambda x: (lambda c: (lambda y: (c.fill_(False), y.sum().backward()))(m.where(c, x, 0.0)))(
            x > 1
        )
    )(L(m)),
    "err_nograd_view_written": lambda m: _nograd_view_written(m, lambda m: 2.0),
    "err_inplace_with_itself": lambda m: _inplace_then_backward(
        m, lambda m, x: x * 1, lambda m, a: None, lambda m, a: a.mul_(a)
    ),
    "err_overlapping_inplace": lambda m: (lambda a: a[1:].add_(a[:2]))(L(m) * 1),
    "err_view_of_nograd_view_written": lambda m: _through_nograd_view(
        m, lambda m, v: v[0:1].mul_(2)
    ),
    "err_select_of_nograd_view_written": lambda m: _through_nograd_view(
        m, lambda m, v: v[0].mul_(2)
    ),
    "err_reshape_of_nograd_view_of_leaf_written": lambda m: _through_nograd_view(
        m, lambda m, v: v.view(2).add_(1), leaf=True
    ),
    "err_view_of_nograd_view_used_after_base_written": lambda m: _through_nograd_view(
        m, lambda m, v: (lambda w: (v._base.mul_(2), w * 1))(v[0:1])
    ),
    "err_nograd_view_setitem_int": lambda m: _through_nograd_view(
        m, lambda m, v: v.__setitem__(0, 5.0)
    ),
    "err_nograd_view_setitem_ellipsis": lambda m: _through_nograd_view(
        m, lambda m, v: v.__setitem__(Ellipsis, 5.0)
    ),
    "err_nograd_view_setitem_tensor": lambda m: _through_nograd_view(
        m, lambda m, v: v.__setitem__(m.tensor([0]), 5.0)
    ),
    "err_view_of_nograd_view_setitem_slice": lambda m: _through_nograd_view(
        m, lambda m, v: v.view(2).__setitem__(slice(None), 1.0)
    ),
    "err_plain_nograd_view_setitem_requires_grad_value": lambda m: _through_nograd_view(
        m,
        lambda m, v: v.__setitem__(0, m.tensor(2.0, requires_grad=True)),
        base_requires_grad=False,
    ),
}


@pytest.mark.parametrize("fn", params(INPLACE_VALUES))
def test_inplace_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(INPLACE_ERRORS))
def test_inplace_error(fn):
    check_error(fn)


# --------------------------------------------------------------------------- memory overlap
# An in-place op or an assignment whose input shares the memory it writes: torch refuses a
# partial overlap (and an index_put_ value anywhere in the tensor) when both sides are dense,
# lets the rest through, and saves an input that is the target at its version before the
# write. Each case writes into a = arange(6.) (or x * 1, x a leaf, where it ends in backward).


def _overlap(stmt: str, grad: bool = False):
    def case(m):
        x = m.arange(6.0, requires_grad=grad)
        a = x * 1 if grad else x
        exec(stmt, {"m": m, "a": a})
        if not grad:
            return a
        a.sum().backward()
        return a.detach(), x.grad  # (CopySlices's name differs: a case of its own above)

    return case


_OVERLAP_REFUSED = [
    "a[1:].add_(a[:5])",
    "a[1:4].mul_(a[:3])",
    "a[:4].add_(a[2:])",
    "a[2:4] += a[1:3]",
    "a[1:3].add_(a[1])",
    "a[1:3].add_(a[1:2])",
    "a.view(2, 3).t().add_(a.view(3, 2))",
    "a[1:].div_(a[:5])",
    "a[1:3].clamp_(a[0:2], None)",
    "a[1:] = a[:5]",
    "a[m.tensor([1, 2])] = a[:2]",
    "a[m.tensor([0, 1])] = a[3:5]",
    "a[m.tensor([0])] = a[5]",
    "a[[0, 1]] = a[3:5]",
    "a[a > 2] = a[:3]",
    "a.view(2, 3)[m.tensor([0])] = a.view(2, 3)[1]",
]
_OVERLAP_ALLOWED = [
    "a.add_(a)",
    "a[:3].add_(a[3:])",
    "a[::2].add_(a[1::2])",
    "a.view(2, 3)[:, :2].add_(a.view(2, 3)[:, 1:])",
    "a[1:3].add_(a[0])",
    "a[1:].div_(a[:5] + 1)",
    "a[1:3] = a[1:3]",
    "a[0:3] = a[3:6]",
    "a[1:3] = a[0]",
    "a[1:3] = a[1:2]",
    "a[a > 4] = a[0]",
    "a[a > 4] = a[0:1]",
    "b = a.view(6, 1)[5:]; b[0] += b[-1]",  # one element, one row: the same memory
    "b = a.view(1, 6); b[0] += b[-1]",
    "a[m.tensor([0, 1])] = a[3:5].clone()",
    "a[m.tensor([0, 1])] = a[::2][:2]",
    "a.view(2, 3)[:, 0] = a.view(2, 3)[:, 1]",
    "a.fill_(a[1])",
]
OVERLAP_ERRORS = {s: _overlap(s) for s in _OVERLAP_REFUSED} | {
    f"grad: {s}": _overlap(s, grad=True)
    for s in ("a[1:] = a[:5]", "a.mul_(a)", "a.div_(a)", "a.clamp_(a, None)", "a.mul_(a.view(6))")
}
OVERLAP_VALUES = {s: _overlap(s) for s in _OVERLAP_ALLOWED} | {
    f"grad: {s}": _overlap(s, grad=True)
    for s in (
        "a[0:3] = a[3:6]",
        "a[a > 4] = a[0:1]",
        "a[1:3] = a[1]",
        "a.fill_(a[1])",
        "a.sub_(a)",
        "a.add_(a)",
    )
}


@pytest.mark.parametrize("fn", params(OVERLAP_ERRORS))
def test_overlapping_write_refused(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(OVERLAP_VALUES))
def test_overlapping_write_allowed(fn):
    check_value(fn)


def _clamp_by_tensors(stmt: str):
    def case(m):
        x = m.tensor([0.5, -1.0, 2.0], requires_grad=True)
        lo = m.tensor([0.0, 0.0, 3.0], requires_grad=True)
        hi = m.tensor([1.0, 1.0, 1.5], requires_grad=True)
        r = eval(stmt, {"m": m, "a": x * 1, "lo": lo, "hi": hi})
        name = r.grad_fn.name() if r.grad_fn is not None else None
        if r.requires_grad:
            r.sum().backward()
        return name, r, x.grad, lo.grad, hi.grad

    return case


CLAMP_INPLACE = {
    s: _clamp_by_tensors(s)
    for s in (
        "a.clamp_(lo * 1)",
        "a.clamp_(None, hi * 1)",
        "a.clamp_(lo * 1, hi * 1)",
        "a.clamp_(lo.double() * 1)",
        "a.clamp_(m.tensor([0.0, 1.0, 1.0]))",
    )
}
CLAMP_INPLACE_ERRORS = {
    s: _clamp_by_tensors(s)
    for s in (
        "a.clamp_(m.tensor([0.0, 1.0]))",
        "a.clamp_()",
        "m.tensor([1, 2, 3]).clamp_(m.tensor([1.5, 1.0, 1.0]))",
    )
}


@pytest.mark.parametrize("fn", params(CLAMP_INPLACE))
def test_inplace_clamp_by_tensors(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(CLAMP_INPLACE_ERRORS))
def test_inplace_clamp_by_tensors_errors(fn):
    check_error(fn)


# --------------------------------------------------------------------------- hooks


def _full_order(m, use_grad=False, retain_first=True):
    log = []
    x = L(m, 2)
    a = x * 3
    b = a.exp()
    y = b.sum()
    if retain_first:
        a.retain_grad()
    b.register_hook(lambda g: log.append(("b", _v(g))))
    b.grad_fn.register_prehook(lambda go: log.append(("Exp.pre", [_v(t) for t in go])))
    b.grad_fn.register_hook(
        lambda gi, go: log.append(("Exp.post", [_v(t) for t in gi], [_v(t) for t in go]))
    )
    a.register_hook(lambda g: log.append(("a", _v(g), _v(a.grad))))
    if not retain_first:
        a.retain_grad()
    a.grad_fn.register_prehook(lambda go: log.append(("Mul.pre", [_v(t) for t in go], _v(a.grad))))
    a.grad_fn.register_hook(lambda gi, go: log.append(("Mul.post", [_v(t) for t in gi])))
    x.register_hook(lambda g: log.append(("x1", _v(g), _v(x.grad))))
    x.register_hook(lambda g: log.append(("x2", _v(g))))
    acc = a.grad_fn.next_functions[0][0]
    acc.register_prehook(lambda go: log.append(("Acc.pre", [_v(t) for t in go], _v(x.grad))))
    x.register_post_accumulate_grad_hook(lambda t: log.append(("x.postacc", _v(t.grad))))
    acc.register_hook(
        lambda gi, go: log.append(("Acc.post", list(gi), [_v(t) for t in go], _v(x.grad)))
    )
    if use_grad:
        r = m.autograd.grad(y, x)
        log.append(("result", _v(r[0]), _v(x.grad), _v(a.grad)))
    else:
        y.backward()
        log.append(("grads", _v(x.grad), _v(a.grad)))
    return log


def _grad_nonleaf_input(m):
    log = []
    x = L(m)
    a = x * 2
    a.retain_grad()
    a.register_hook(lambda g: log.append(("a", _v(g))))
    a.grad_fn.register_prehook(lambda go: log.append("Mul.pre"))
    a.grad_fn.register_hook(lambda gi, go: log.append("Mul.post"))
    x.register_hook(lambda g: log.append(("x", _v(g))))
    r = m.autograd.grad((a * a).sum(), a)
    return log, r, a.grad, x.grad


def _hook_removal(m):
    log = []
    x = L(m)
    h1 = x.register_hook(lambda g: log.append(1))
    h2 = x.register_hook(lambda g: log.append(2))
    h1.remove()
    h1.remove()
    (x * 2).sum().backward()
    h2.remove()
    (x * 2).sum().backward()
    return log, x.grad


def _hook_removed_inside(m):
    log, hs = [], []
    x = L(m)

    def h1(g):
        log.append(1)
        hs[1].remove()

    hs.append(x.register_hook(h1))
    hs.append(x.register_hook(lambda g: log.append(2)))
    (x * 2).sum().backward()
    (x * 2).sum().backward()
    return log


def _node_hook_removal(m):
    log = []
    x = L(m)
    y = x * 2
    y.grad_fn.register_hook(lambda gi, go: log.append("post")).remove()
    y.grad_fn.register_prehook(lambda go: log.append("pre")).remove()
    y.sum().backward()
    return log


def _postacc(m, hook, twice=False):
    x = L(m)
    x.register_post_accumulate_grad_hook(hook)
    (x * 2).sum().backward()
    if twice:
        (x * 2).sum().backward()
    return x.grad


def _postacc_removal(m):
    log = []
    x = L(m)
    h = x.register_post_accumulate_grad_hook(lambda t: log.append(_v(t.grad)))
    (x * 2).sum().backward()
    h.remove()
    (x * 2).sum().backward()
    return log


def _hooks_and_no_grad(m):
    log = []
    x = L(m)

    def h(g):
        log.append(g.requires_grad)
        return g * 2

    x.register_hook(h)
    z = (x * 3).sum()
    with m.no_grad():
        z.backward()
    return log, x.grad


def _nonleaf_hook_twice(m):
    log = []
    x = L(m)
    a = x * 2
    a.register_hook(lambda g: log.append(_v(g)))
    y = (a * a).sum()
    y.backward(retain_graph=True)
    y.backward()
    return log, x.grad


def _retain_grad_accumulates(m):
    x = L(m)
    a = x * 2
    a.retain_grad()
    y = (a * a).sum()
    y.backward(retain_graph=True)
    g1 = a.grad
    y.backward()
    return g1, a.grad


def _retain_grad_hook_order(m):
    x = L(m)
    a = x * 2
    a.register_hook(lambda g: g * 10)
    a.retain_grad()
    (a * 1).sum().backward()
    return a.grad, x.grad


def _hook_on_root(m):
    log = []
    x = L(m)
    y = (x * 2).sum()
    y.register_hook(lambda g: (log.append(_v(g)), g * 5)[1])
    y.backward()
    return log, x.grad


def _diamond_order(m):
    log = []
    x = L(m)
    a = x * 2
    b = x.sin()
    c = a + b
    d = c.exp()
    e = c * 3
    for t, n in ((a, "a"), (b, "b"), (c, "c"), (d, "d"), (e, "e")):
        t.grad_fn.register_prehook(lambda go, n=n: log.append(n))
    (d + e).sum().backward()
    return log, x.grad


def _independent_leaves_order(m):
    log = []
    a, b = L(m), L(m)
    ya, yb = a * 2, b * 3
    a.register_post_accumulate_grad_hook(lambda t: log.append("a"))
    b.register_post_accumulate_grad_hook(lambda t: log.append("b"))
    ya.grad_fn.register_prehook(lambda go: log.append("ya"))
    yb.grad_fn.register_prehook(lambda go: log.append("yb"))
    (ya.sum() + yb.sum()).backward()
    return log


def _grad_mode_inside_hooks(m):
    log = []
    x = L(m)
    x.register_hook(lambda g: log.append(m.is_grad_enabled()))
    (x * 2).sum().backward()
    m.autograd.grad((x * 2).sum(), x, create_graph=True)
    return log


def _grad_hook_changes_captured_nonleaf(m):
    x = L(m)
    a = x * 2
    a.register_hook(lambda g: g * 10)
    return m.autograd.grad((a * a).sum(), [a, x])


def _hook_added_inside(m):
    log = []
    x = L(m)

    def h1(g):
        log.append(1)
        x.register_hook(lambda g: log.append(3))

    x.register_hook(h1)
    (x * 2).sum().backward()
    return log


def _halve_grad(t):
    t.grad.mul_(0.5)


def _hook_doubles_in_place(m):
    x = L(m)

    def h(g):
        g.mul_(2)

    x.register_hook(h)
    (x * 3).sum().backward()
    return x.grad


HOOK_VALUES = {
    "full_order_backward": lambda m: _full_order(m),
    "full_order_retain_grad_registered_last": lambda m: _full_order(m, retain_first=False),
    "full_order_autograd_grad": lambda m: _full_order(m, use_grad=True),
    "grad_of_nonleaf_input_hooks": _grad_nonleaf_input,
    "grad_leaf_hook_changes_result": lambda m: (
        lambda x: (x.register_hook(lambda g: g * 10), m.autograd.grad((x * x).sum(), x))[1]
    )(L(m)),
    "grad_unrelated_leaf_hook_silent": lambda m: (
        lambda x, w, log: (
            x.register_hook(lambda g: log.append("x")),
            w.register_hook(lambda g: log.append("w")),
            m.autograd.grad((x * w).sum(), [x]),
            log,
        )[2:]
    )(L(m), L(m), []),
    "grad_runs_no_accumulate_hooks": lambda m: (
        lambda x, log: (
            lambda y: (
                y.grad_fn.next_functions[0][0].register_prehook(lambda go: log.append("pre")),
                y.grad_fn.next_functions[0][0].register_hook(lambda gi, go: log.append("post")),
                m.autograd.grad(y.sum(), x),
                log,
            )[2:]
        )(x * 2)
    )(L(m), []),
    "grad_runs_only_needed_nodes": lambda m: (
        lambda x, log: (
            lambda a: (
                lambda b: (
                    a.grad_fn.register_prehook(lambda go: log.append("a")),
                    b.grad_fn.register_prehook(lambda go: log.append("b")),
                    m.autograd.grad(b.sum(), a),
                    log,
                )[2:]
            )(a * 3)
        )(x * 2)
    )(L(m), []),
    "hook_removal": _hook_removal,
    "hook_removed_by_earlier_hook": _hook_removed_inside,
    "hook_added_during_backward": _hook_added_inside,
    "node_hook_removal": _node_hook_removal,
    "postacc_sees_grad_and_removal": _postacc_removal,
    "postacc_may_modify_grad": lambda m: _postacc(m, _halve_grad, True),
    "postacc_may_drop_grad": lambda m: _postacc(m, lambda t: setattr(t, "grad", None)),
    "hooks_run_with_backward_under_no_grad": _hooks_and_no_grad,
    "nonleaf_hook_fires_per_backward": _nonleaf_hook_twice,
    "retain_grad_after_user_hooks": _retain_grad_hook_order,
    "retain_grad_twice_and_of_view": lambda m: (
        lambda x: (
            lambda a, v: (
                a.retain_grad(),
                a.retain_grad(),
                v.retain_grad(),
                (a * a).sum().backward(),
                a.grad,
                v.grad,
                x.grad,
            )[4:]
        )(*(lambda a: (a, a[1:] * 1))(x * 2))
    )(L(m)),
    "retain_grad_on_leaf_is_noop": lambda m: (
        lambda x: (x.retain_grad(), (x * 2).sum().backward(), x.retains_grad, x.grad)[2:]
    )(L(m)),
    "hook_on_root": _hook_on_root,
    "hook_on_root_with_autograd_grad": lambda m: (
        lambda x: (lambda y: (y.register_hook(lambda g: g * 5), m.autograd.grad(y, x))[1])(
            (x * 2).sum()
        )
    )(L(m)),
    "hook_on_root_with_gradient": lambda m: (
        lambda x: (lambda y: (y.register_hook(lambda g: g * 5), y.backward(m.ones(3)), x.grad)[2])(
            x * 2
        )
    )(L(m)),
    "leaf_hook_once_with_summed_grad": lambda m: (
        lambda x, log: (
            x.register_hook(lambda g: log.append(_v(g))),
            (x * 2 + x.exp() + x * x).sum().backward(),
            log,
            x.grad,
        )[2:]
    )(L(m), []),
    "diamond_order": _diamond_order,
    "independent_leaves_interleave": _independent_leaves_order,
    "accumulate_node_is_shared": lambda m: (
        lambda x: (lambda n1, n2: (n1 is n2, _name(n1), n1.variable is x))(
            (x * 2).grad_fn.next_functions[0][0], (x * 3).grad_fn.next_functions[0][0]
        )
    )(L(m)),
    "detached_copy_does_not_fire_hooks": lambda m: (
        lambda x, log: (
            x.register_hook(lambda g: log.append("x")),
            (lambda d: ((d * 2).sum().backward(), log, x.grad, d.grad)[1:])(
                x.detach().requires_grad_()
            ),
        )[1]
    )(L(m), []),
    "hook_modifies_gradient_in_place": _hook_doubles_in_place,
    "hook_result_needing_grad": lambda m: (
        lambda x, w: (x.register_hook(lambda g: g * w), (x * 3).sum().backward(), x.grad, w.grad)[
            2:
        ]
    )(L(m), L(m)),
    # defects
    "retained_grad_is_replaced_not_mutated": _retain_grad_accumulates,
    "hooks_run_with_grad_mode_off": _grad_mode_inside_hooks,
    "grad_captures_nonleaf_before_its_hooks": (
        _grad_hook_changes_captured_nonleaf,
        "autograd.grad([a, x]): a's result includes a's hook (torch captures it before, a torch quirk)",
    ),
}

HOOK_ERRORS = {
    "hook_on_tensor_without_grad": lambda m: m.ones(3).register_hook(lambda g: g),
    "postacc_hook_on_nonleaf": lambda m: (L(m) * 2).register_post_accumulate_grad_hook(
        lambda t: None
    ),
    # defects
    "postacc_hook_returns_value": lambda m: _postacc(m, lambda t: t.grad * 100),
    "postacc_hook_on_tensor_without_grad": lambda m: m.ones(3).register_post_accumulate_grad_hook(
        lambda t: None
    ),
}


@pytest.mark.parametrize("fn", params(HOOK_VALUES))
def test_hook_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(HOOK_ERRORS))
def test_hook_error(fn):
    check_error(fn)


# --------------------------------------------------------------------------- grad modes


def _decorated(m, deco):
    @deco
    def f(x):
        return x * 2, m.is_grad_enabled()

    return f(L(m)), m.is_grad_enabled()


def _generator_under_no_grad(m):
    @m.no_grad()
    def gen(x):
        yield x * 2
        yield m.is_grad_enabled()

    g = gen(L(m))
    return next(g), m.is_grad_enabled(), next(g)


def _nested_modes(m):
    with m.no_grad():
        with m.enable_grad():
            with m.no_grad():
                a = L(m) * 2
            b = L(m) * 2
            with m.set_grad_enabled(False):
                c = L(m) * 2
        d = L(m) * 2
    return a, b, c, d, m.is_grad_enabled()


def _mode_restored_after_exception(m):
    try:
        with m.no_grad():
            raise ValueError
    except ValueError:
        pass
    return m.is_grad_enabled()


def _set_grad_enabled_call(m):
    m.set_grad_enabled(False)
    r = (L(m) * 2, m.is_grad_enabled())
    m.set_grad_enabled(True)
    return r


def _made_under_no_grad(m):
    with m.no_grad():
        t = m.ones(3, requires_grad=True)
        u = m.ones(3).requires_grad_()
        w = t * 2
    return t, u, w, t.is_leaf


def _inplace_on_graph_tensor_under_no_grad(m):
    x = L(m)
    a = x * 2
    y = a.sum()
    with m.no_grad():
        a.add_(1)
    y.backward()
    return x.grad, a.grad_fn.name(), a._version


def _nograd_view_both_inside(m):
    x = L(m)
    a = x * 1
    with m.no_grad():
        a[1:].mul_(2)
    a.sum().backward()
    return a, x.grad, a._version


def _enable_grad_decorator_inside_no_grad(m):
    with m.no_grad():
        return _decorated(m, m.enable_grad())


def _inference_mode(m):
    with m.inference_mode():
        return L(m) * 2, m.is_grad_enabled()


def _grad_create_graph_under_no_grad(m):
    x = L(m)
    y = (x * x).sum()
    with m.no_grad():
        (g,) = m.autograd.grad(y, x, create_graph=True)
    return g


def _backward_of_no_grad_result(m):
    x = L(m)
    with m.no_grad():
        y = (x * 2).sum()
    y.backward()


GRAD_MODE_VALUES = {
    "no_grad_decorator": lambda m: _decorated(m, m.no_grad()),
    "enable_grad_decorator_inside_no_grad": _enable_grad_decorator_inside_no_grad,
    "set_grad_enabled_decorator": lambda m: _decorated(m, m.set_grad_enabled(False)),
    "set_grad_enabled_as_call": _set_grad_enabled_call,
    "nested_modes": _nested_modes,
    "mode_restored_after_exception": _mode_restored_after_exception,
    "mixed_requires_grad_operands": lambda m: (
        lambda x, c: (x + c, c * 2, m.cat([c, x]), m.where(c > 0, c, x), m.where(c > 0, c, c))
    )(L(m), P(m, 3)),
    "made_under_no_grad": _made_under_no_grad,
    "inplace_on_graph_tensor_under_no_grad": _inplace_on_graph_tensor_under_no_grad,
    "nograd_view_written_inside_no_grad": _nograd_view_both_inside,
    "inference_mode": _inference_mode,
    "grad_with_create_graph_under_no_grad": _grad_create_graph_under_no_grad,
    # defects
    "no_grad_decorator_on_generator": _generator_under_no_grad,
    "no_grad_bare_decorator": lambda m: _decorated(m, m.no_grad),
}

GRAD_MODE_ERRORS = {
    "backward_of_no_grad_result": _backward_of_no_grad_result,
    # defects
    "set_grad_enabled_non_bool": lambda m: m.set_grad_enabled("yes"),
}


@pytest.mark.parametrize("fn", params(GRAD_MODE_VALUES))
def test_grad_mode_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(GRAD_MODE_ERRORS))
def test_grad_mode_error(fn):
    check_error(fn)


# --------------------------------------------------------------------------- accumulation


def _backward_twice(m, make):
    x = L(m)
    y = make(m, x)
    y.backward()
    y.backward()
    return x.grad


def _second_backward_partial(m):
    a, b = L(m), L(m)
    y = a.sum() + (b * b).sum()
    y.backward()
    try:
        y.backward()
    except RuntimeError:
        pass
    return a.grad, b.grad


def _retain_false_after_true(m):
    x = L(m)
    y = (x**2).mean()
    y.backward(retain_graph=True)
    y.backward(retain_graph=False)
    return x.grad


def _user_grad(m, grad, twice=False):
    x = L(m, 2, 3)
    x.grad = grad(m)
    (x * 2).sum().backward()
    return x.grad


def _layout(t):
    """Whether ``t`` is C-ordered, and whether it is once its dims are put back in the
    order of a leaf permuted by ``permute(2, 0, 1)``."""
    return t.is_contiguous(), t.permute(1, 2, 0).is_contiguous()


ACCUMULATE_VALUES = {
    "leaf_used_in_several_places": lambda m: (
        lambda x: (
            ((x * 2).sum() + (x.exp() * x).sum() + x[1] * 5 + x[m.tensor([0, 0])].sum()).backward(),
            x.grad,
        )[1]
    )(L(m)),
    "grad_through_transpose_and_expand": lambda m: (
        lambda w, b: (
            (w.T @ P(m, 2, 4)).sum().backward(),
            (b.expand(4, 3) * P(m, 4, 3)).sum().backward(),
            w.grad,
            w.grad.is_contiguous(),
            b.grad,
        )[2:]
    )(L(m, 2, 3), L(m, 3)),
    "grad_of_expanded_leaf": lambda m: (lambda b: ((b * P(m, 4, 3)).sum().backward(), b.grad)[1])(
        P(m, 1, 3).expand(4, 3).requires_grad_()
    ),
    "grad_in_place_accumulation": lambda m: (
        lambda x: (
            (x * 2).sum().backward(),
            (lambda g: ((x * 3).sum().backward(), g is x.grad, x.grad))(x.grad),
        )[1]
    )(L(m)),
    "grad_zero_then_accumulate": lambda m: (
        lambda x: (
            (x * 2).sum().backward(),
            (lambda g: (g.zero_(), (x * 3).sum().backward(), g is x.grad, x.grad))(x.grad),
        )[1][2:]
    )(L(m)),
    "grad_none_then_accumulate": lambda m: (
        lambda x: (
            (x * 2).sum().backward(),
            setattr(x, "grad", None),
            (x * 3).sum().backward(),
            x.grad,
        )[3]
    )(L(m)),
    "first_grad_is_not_the_gradient_argument": lambda m: (
        lambda x, go: (x.backward(go), x.grad is go, x.grad)[1:]
    )(L(m), m.ones(3)),
    "grad_kept_from_first_backward_changes": lambda m: (
        lambda x: ((x * 2).sum().backward(), (lambda g: ((x * 2).sum().backward(), g))(x.grad))[1][
            1
        ]
    )(L(m)),
    "user_grad_accumulates": lambda m: _user_grad(m, lambda m: m.ones(2, 3)),
    "user_grad_non_contiguous": lambda m: _user_grad(m, lambda m: m.zeros(3, 2).T),
    "user_grad_requires_grad": lambda m: _user_grad(m, lambda m: L(m, 2, 3)),
    "user_grad_alias_is_written": lambda m: (
        lambda x, g: (setattr(x, "grad", g), (x * 2).sum().backward(), g, x.grad is g)[2:]
    )(L(m), m.zeros(3)),
    "user_grad_view_is_written": lambda m: (
        lambda x, base: (setattr(x, "grad", base[::2]), (x * 2).sum().backward(), base)[2]
    )(L(m), m.zeros(6)),
    "gradient_float64_int_bool": lambda m: [
        (lambda x: ((x * 2).backward(g), x.grad)[1])(L(m))
        for g in (m.ones(3, dtype=m.float64), m.tensor([1, 2, 3]), m.tensor([True, False, True]))
    ],
    "gradient_requires_grad": lambda m: (lambda x, w: ((x * 2).backward(w), x.grad, w.grad)[1:])(
        L(m), L(m)
    ),
    "gradient_non_contiguous_and_expanded": lambda m: [
        (lambda x: ((x * 2).backward(g), x.grad)[1])(L(m, 2, 3))
        for g in (m.ones(3, 2).T * 1, m.tensor([1.0, 2.0, 3.0]).expand(2, 3))
    ],
    "mixed_dtype_grads": lambda m: (lambda x, w: ((x * w).sum().backward(), x.grad, w.grad)[1:])(
        L(m), m.tensor([1.0, 2.0, 3.0], dtype=m.float64, requires_grad=True)
    ),
    "backward_inputs_argument": lambda m: (
        lambda x, w: ((x * w).sum().backward(inputs=[x]), x.grad, w.grad)[1:]
    )(L(m), L(m)),
    "backward_inputs_nonleaf": lambda m: (
        lambda x: (lambda a: ((a * a).sum().backward(inputs=[a]), a.grad, x.grad)[1:])(x * 2)
    )(L(m)),
    # retain_graph / second backward
    "autograd_grad_twice_retained": lambda m: (
        lambda x: (lambda y: (m.autograd.grad(y, x, retain_graph=True), m.autograd.grad(y, x)))(
            (x * x).sum()
        )
    )(L(m)),
    "retain_false_after_true": _retain_false_after_true,
    "partial_accumulation_before_the_error": _second_backward_partial,
    "replay_add_sub_neg": lambda m: _backward_twice(m, lambda m, x: (-(x - 1) - x + 1).sum()),
    "replay_views": lambda m: _backward_twice(
        m, lambda m, x: x.reshape(3, 1)[1].sum() + x[0] + x.unsqueeze(0).squeeze().T.sum()
    ),
    "replay_cat_stack_expand": lambda m: _backward_twice(
        m, lambda m, x: m.cat([x, x]).sum() + m.stack([x, x]).sum() + x.expand(2, 3).sum()
    ),
    "replay_mean_dim": lambda m: _backward_twice(m, lambda m, x: x.reshape(1, 3).mean(1).sum()),
    "replay_add_constant_tensor": lambda m: _backward_twice(m, lambda m, x: (x + m.ones(3)).sum()),
    "next_functions_kept_after_backward": lambda m: (
        lambda x: (
            lambda y: (
                y.backward(),
                [(_name(f[0]), f[1]) for f in y.grad_fn.next_functions],
                [(_name(f[0]), f[1]) for f in y.grad_fn.next_functions[0][0].next_functions],
            )[1:]
        )((x * x).sum())
    )(L(m)),
    "grad_of_noncontiguous_leaf_keeps_layout": lambda m: (
        lambda w: ((w * P(m, 2, 3)).sum().backward(), w.grad.is_contiguous())[1]
    )(L(m, 3, 2).detach().T.requires_grad_()),
    "grad_of_permuted_leaf_keeps_layout": lambda m: tuple(
        (lambda w: (backward(w), w.grad, _layout(w.grad), w.grad._version)[1:])(
            L(m, 2, 3, 4).detach().permute(2, 0, 1).requires_grad_()
        )
        for backward in (
            lambda w: (w * P(m, 4, 2, 3)).sum().backward(),  # a C-ordered gradient: copied
            lambda w: w.exp().sum().backward(),  # a gradient in the leaf's layout: taken
            lambda w: ((w * 2).sum().backward(), (w * 3).sum().backward()),
        )
    ),
    "grad_of_strided_leaf_is_contiguous": lambda m: (
        lambda w: (w.sum().backward(), w.grad, w.grad.is_contiguous(), w.grad._version)[1:]
    )(L(m, 4, 6).detach()[:, ::2].requires_grad_()),
    # a sum's backward over a dimension of one hands on a view of the gradient as it is:
    # as .grad it takes a second backward's sum and in-place writes, as torch's does
    "grad_from_keepdim_sum_of_one_row_accumulates": lambda m: (
        lambda x: (
            lambda r: (
                r.backward(retain_graph=True),
                r.backward(),
                x.grad.clone(),
                x.grad.mul_(3),
                x.grad.numpy().__setitem__(0, 5.0),
                x.grad,
            )[2:]
        )((x.sum(0, keepdim=True) * 2.0).sum())
    )(L(m, 1, 4)),
    "grad_set_to_a_transpose_accumulates_in_place": lambda m: (
        lambda x: (setattr(x, "grad", m.ones(4, 1).t()), (x * 2.0).sum().backward(), x.grad)[2]
    )(L(m, 1, 4)),
    # defects
    "saved_input_is_the_input": lambda m: (
        lambda x: (lambda y: (y.grad_fn._saved_self is x, y.grad_fn._saved_self))(x * x)
    )(L(m)),
    "saved_result_is_the_output": lambda m: (
        lambda y: (y.sum().backward(retain_graph=True), y.grad_fn._saved_result)[1]
    )(L(m).exp()),
}

ACCUMULATE_ERRORS = {
    "user_grad_shape": lambda m: setattr(L(m), "grad", m.ones(4)),
    "user_grad_dtype": lambda m: setattr(L(m), "grad", m.ones(3, dtype=m.float64)),
    "user_grad_int": lambda m: setattr(L(m), "grad", m.ones(3, dtype=m.int64)),
    "user_grad_float": lambda m: setattr(L(m), "grad", 1.0),
    "autograd_grad_twice": lambda m: (
        lambda x: (lambda y: (m.autograd.grad(y, x), m.autograd.grad(y, x)))((x * x).sum())
    )(L(m)),
    "backward_after_autograd_grad": lambda m: (
        lambda x: (lambda y: (m.autograd.grad(y, x), y.backward()))((x * x).sum())
    )(L(m)),
    "third_backward_after_retain": lambda m: (
        lambda x: (lambda y: (y.backward(retain_graph=True), y.backward(), y.backward()))(
            (x**2).mean()
        )
    )(L(m)),
    "saved_attribute_after_backward": lambda m: (
        lambda y: (y.sum().backward(), y.grad_fn._saved_result)
    )(L(m).exp()),
    "second_backward_mul_scalar": lambda m: _backward_twice(m, lambda m, x: (x * 2).sum()),
    "second_backward_div_scalar": lambda m: _backward_twice(m, lambda m, x: (x / 2).sum()),
    "second_backward_mul_constant": lambda m: _backward_twice(
        m, lambda m, x: (x * m.ones(3)).sum()
    ),
    "second_backward_max": lambda m: _backward_twice(m, lambda m, x: x.max()),
    "second_backward_max_dim": lambda m: _backward_twice(
        m, lambda m, x: x.reshape(1, 3).max(1)[0].sum()
    ),
    "second_backward_where": lambda m: _backward_twice(
        m, lambda m, x: m.where(x > 1, x, 0.0).sum()
    ),
    "second_backward_clamp_relu": lambda m: _backward_twice(
        m, lambda m, x: x.clamp(0, 2).relu().sum()
    ),
    "second_backward_softmax": lambda m: _backward_twice(
        m, lambda m, x: (x.softmax(0) * P(m, 3)).sum()
    ),
    "second_backward_cross_entropy": lambda m: _backward_twice(
        m, lambda m, x: _F(m).cross_entropy(x.reshape(1, 3), m.tensor([1]))
    ),
    "second_backward_mse": lambda m: _backward_twice(m, lambda m, x: _F(m).mse_loss(x, P(m, 3))),
    "second_backward_linear": lambda m: _backward_twice(
        m, lambda m, x: _F(m).linear(x, P(m, 4, 3)).sum()
    ),
    "second_backward_pow_tensor_exponent": lambda m: _backward_twice(
        m, lambda m, x: (x ** m.tensor(2.0)).sum()
    ),
    "gradient_0d_for_1_element_shape": lambda m: (
        lambda x: (x.sum().reshape(1).backward(m.tensor(2.0)), x.grad)[1]
    )(L(m)),
    "second_backward_copy_slices": lambda m: _backward_twice(
        m, lambda m, x: (lambda a: (a[1:].add_(1), a.sum())[1])(x * 1)
    ),
    # defects
    "second_backward_index_tensor": lambda m: _backward_twice(
        m, lambda m, x: x[m.tensor([0, 2])].sum()
    ),
    "user_grad_is_itself": lambda m: (lambda x: setattr(x, "grad", x))(L(m)),
    "backward_into_an_expanded_grad": lambda m: (
        lambda x: (setattr(x, "grad", m.ones(1).expand(3)), (x * 2.0).sum().backward())
    )(L(m)),
}


@pytest.mark.parametrize("fn", params(ACCUMULATE_VALUES))
def test_accumulation_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ACCUMULATE_ERRORS))
def test_accumulation_error(fn):
    check_error(fn)
