"""Nodes of several outputs (unbind, iteration, split, chunk) against torch 2.13.

One node (UnbindBackward0, SplitBackward0, SplitWithSizesBackward0) for all the parts;
each part reaches it through a hidden ``ViewOutput`` edge. These cases cover values,
gradients, names and identity, ``next_functions`` with output numbers, ``_saved_*``,
errors, hooks, retain_grad, ``inputs=``, ``autograd.grad``, retain_graph, failed and
nested backward, second order, forward mode, in-place writes, anomaly mode, and the
trace's invariants and CLI on programs that use them. Today's defects are strict xfails.
"""

from __future__ import annotations

import gc

import pytest
from parity import check_error, check_value, params

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def X(m, *shape, dtype=None):
    n = 1
    for k in shape:
        n *= k
    return m.arange(n, dtype=dtype or m.float32).reshape(*shape).requires_grad_()


def Y(m):
    x = X(m, 3, 2)
    return x, x * 1


def tree(node, depth=4):
    if node is None or depth < 0:
        return None
    name = node.name().replace("torch::autograd::", "")
    return (name, tuple(tree(n, depth - 1) for n, _ in node.next_functions))


# ---------------------------------------------------------------- forward, names, graph


def _next_functions(m):
    x = X(m, 4, 2)
    a, b, c = x.split([1, 1, 2])
    y = b * c[0]
    return (
        tuple((n.name(), i) for n, i in y.grad_fn.next_functions),
        a.grad_fn is c.grad_fn,
        a.grad_fn.next_functions[0][0].name(),
        a.grad_fn.next_functions[0][1],
    )


def _iteration(m):
    x = X(m, 3, 2)
    rows = list(x)
    s = rows[2] + rows[0]
    return (
        tuple((n.name(), i) for n, i in s.grad_fn.next_functions),
        rows[0].grad_fn is rows[1].grad_fn,
        s,
    )


def _parts_of_parts(m):
    x = X(m, 3, 4)
    p = x.unbind()[1].split(1)
    q = x.unbind(1)[0][1:].chunk(2)
    (p[0].sum() * 2 + p[3].sum() + q[1].sum() * 10).backward()
    return x.grad, p[0], tuple((n.name(), i) for n, i in p[0].grad_fn.next_functions)


def _part_views(m):
    x = X(m, 3, 2, 2)
    a, b, c = x.unbind()
    w = m.tensor([[1.0, 2.0], [3.0, 4.0]])
    ((a[0] * 3).sum() + (b.t() * w).sum()).backward()
    return x.grad, a[0], b.t().grad_fn.next_functions[0][1]


def _noncontiguous(m):
    x = X(m, 3, 2)
    rows = x.t().unbind()
    (rows[0] * m.tensor([1.0, 2.0, 3.0]) + rows[1] * 10).sum().backward()
    return x.grad, rows[0], rows[0].is_contiguous()


def _one_d(m):
    x = X(m, 4)
    a, b, c, d = x.unbind()
    (a * b + c * c).backward()
    return x.grad, a


def _three_d_negative(m):
    x = X(m, 2, 3, 4)
    ps = x.unbind(-2)
    (ps[0] * ps[2]).sum().backward()
    q = x.split(3, -1)
    return x.grad, ps, q


def _empty(m):
    x = m.zeros(0, 3, requires_grad=True)
    return x.unbind(), x.unbind(1), x.chunk(3), x.split([0, 0]), x.chunk(2, 1), x.split(0)


def _chunk_more_than_size(m):
    x = X(m, 3, 2)
    ps = x.chunk(5)
    sum(p.sum() * (i + 1) for i, p in enumerate(ps)).backward()
    return len(ps), x.grad, ps, ps[0].grad_fn._saved_split_size


def _chunk_uneven(m):
    x = X(m, 5, 2)
    return tuple(tuple(p.shape) for k in (4, 3) for p in x.chunk(k)), x.chunk(4, 1)


def _split_zeros(m):
    x = X(m, 3, 2)
    ps = x.split([0, 2, 0, 1, 0])
    (ps[1].sum() * 2 + ps[3].sum() * 3 + ps[0].sum() + ps[4].sum() * 7).backward()
    return x.grad, ps


def _split_bigger_than_size(m):
    x = X(m, 3, 2)
    ps = x.split(10)
    (ps[0] * 2).sum().backward()
    return len(ps), x.grad


def _used_twice_and_unused(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    (a * a * b + a + a.exp()).sum().backward()
    return x.grad


def _int_input(m):
    x = m.arange(6).reshape(3, 2)
    return x.unbind(), x.split(2), x.chunk(2)


def _saved(m):
    x = X(m, 4, 2)
    out = []
    for r in (x.split(3), x.split([1, 3]), x.chunk(3), m.zeros(0, 2, requires_grad=True).chunk(2)):
        gf = r[0].grad_fn
        out.append(
            tuple(
                getattr(gf, k, "missing")
                for k in (
                    "_saved_dim",
                    "_saved_self_sym_sizes",
                    "_saved_split_size",
                    "_saved_split_sizes",
                )
            )
        )
    out.append(x.unbind(1)[0].grad_fn._saved_dim)
    a, b = x.split([1, 3])
    (a.sum() + b.sum()).backward()  # ints stay after backward
    out.append((a.grad_fn._saved_split_sizes, a.grad_fn._saved_self_sym_sizes))
    return tuple(out)


def _saved_unbind_sizes(m):
    return hasattr(X(m, 4, 2).unbind()[0].grad_fn, "_saved_self_sym_sizes")


def _saved_negative_dim(m):
    x = X(m, 4, 2)
    return x.unbind(-1)[0].grad_fn._saved_dim, x.split(2, -1)[0].grad_fn._saved_dim


def _split_kw_split_size(m):
    return X(m, 3, 2).split(split_size=2)


def _output_nr(m):
    return tuple(p.output_nr for p in X(m, 3, 2).unbind())


def _no_grad_parts_require_grad(m):
    x = X(m, 3, 2) * 1
    with m.no_grad():
        a, b, c = x.unbind()
        rows = list(x)
    return a.requires_grad, rows[0].requires_grad, a.grad_fn is None


# --------------------------------------------------------------------- hooks and roots


def _part_hooks(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.register_hook(lambda g: g * 10)
    b.register_hook(lambda g: None)
    (a * 2 + c * 3 + b).sum().backward()
    return x.grad


def _retain_grad(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.retain_grad()
    b.retain_grad()
    (a * 2 + c * 3).sum().backward()
    return a.grad, b.grad, x.grad


def _retain_grad_twice(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    a.retain_grad()
    L = (a * a).sum()
    L.backward(retain_graph=True)
    L.backward()
    return a.grad, x.grad


def _node_hook_replaces(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.grad_fn.register_hook(lambda gi, go: (gi[0] * 10,))
    (a * 2 + c * 3).sum().backward()
    return x.grad


def _node_prehook_length_agnostic(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.grad_fn.register_prehook(lambda go: tuple(None if g is None else g * 10 for g in go))
    (a * 2 + c * 3).sum().backward()
    return x.grad


def _node_prehook_sees(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    seen = []
    a.grad_fn.register_prehook(
        lambda go: seen.append(tuple(None if g is None else tuple(g.shape) for g in go))
    )
    (a * 2 + c * 3).sum().backward()
    return tuple(seen)


def _node_posthook_sees(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    seen = []
    a.grad_fn.register_hook(
        lambda gi, go: seen.append(tuple(None if g is None else tuple(g.shape) for g in go))
    )
    (a * 2 + c * 3).sum().backward()
    return tuple(seen)


def _node_prehook_torch_style(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.grad_fn.register_prehook(lambda go: (go[0] * 2, go[1], go[2]))
    (a + c).sum().backward()
    return x.grad


def _post_accumulate(m):
    x = X(m, 3, 2)
    seen = []
    x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
    a, b, c = x.unbind()
    (a * 2 + c * 3).sum().backward()
    return tuple(seen)


def _backward_inputs_part(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    (a * 2 + c * 3 + b * b).sum().backward(inputs=[b, x])
    return b.grad, x.grad


def _grad_parts_and_x(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    return m.autograd.grad((a * 2 + c * 3 + b * b).sum(), [a, c, x])


def _grad_unused_part(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    return m.autograd.grad((a * 2 + c * 3).sum(), [a, b, x], allow_unused=True)


def _grad_unused_part_refused(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    return m.autograd.grad((a * 2 + c * 3).sum(), [a, b, x])


def _part_backward(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    b.backward(m.tensor([1.0, 2.0]))
    return x.grad


def _parts_as_roots(m):
    x = X(m, 3, 2)
    ps = x.unbind()
    m.autograd.backward([ps[0], ps[2], ps[0]], [m.ones(2), m.full((2,), 3.0), m.ones(2)])
    return x.grad


def _grad_of_parts_of_parts(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    d, e = a.unbind()
    return m.autograd.grad(d * e + b.sum(), [a, b, d])


def _retain_graph_twice(m):
    x = X(m, 3, 2)
    y = x.exp()
    a, b, c = y.unbind()
    L = (a * b).sum() + c.sum()
    L.backward(retain_graph=True)
    g1 = x.grad.clone()
    L.backward()
    return g1, x.grad


def _second_backward_refused(m):
    x = X(m, 3, 2)
    a, b, c = (x * 2).unbind()
    L = (a * b).sum() + c.sum()
    L.backward()
    L.backward()


def _fail_then_again(m, part):
    x, y = Y(m)
    parts = y.unbind()
    st = {"raise": True}

    def h(g):
        if st["raise"]:
            st["raise"] = False
            raise ValueError("boom")

    parts[part].register_hook(h)
    L = (parts[0] * 1 + parts[1] * 2 + parts[2] * 3).sum()
    try:
        L.backward(retain_graph=True)
    except ValueError:
        pass
    L.backward()
    return x.grad


def _nested_other_graph(m):
    x = X(m, 3, 2)
    w = X(m, 2, 2)
    a, b, c = x.unbind()
    st = {"busy": False}

    def h(g):
        if not st["busy"]:
            st["busy"] = True
            with m.enable_grad():
                p, q = w.unbind()
                (p * q).sum().backward()

    b.register_hook(h)
    (a * 1 + b * 2 + c * 3).sum().backward()
    return x.grad, w.grad


def _nested_same_node(m, how):
    x = X(m, 3, 2)
    a, b, c = x.split(1) if how == "split" else x.unbind()
    L2 = (b * 5 + c).sum()
    st = {"busy": False}

    def h(g):
        if not st["busy"]:
            st["busy"] = True
            if how == "grad":
                m.autograd.grad(L2, [x], retain_graph=True)
            else:
                L2.backward(retain_graph=True)

    b.register_hook(h)
    (a * 1 + b * 2 + c * 3).sum().backward()
    return x.grad


# ------------------------------------------------------------ second order, forward mode


def _f(m, x):
    a, b, c = x.unbind()
    p, q = x.split([1, 2], 1)
    return (
        (a * b * c).sum()
        + (p**2 * q.sum(1, keepdim=True)).sum()
        + sum((r**3).sum() for r in x.chunk(2, 1))
    )


def _hvp(m):
    x = X(m, 3, 3) / 3
    x = x.detach().requires_grad_()
    (g,) = m.autograd.grad(_f(m, x), x, create_graph=True)
    (h,) = m.autograd.grad((g * m.ones(3, 3)).sum(), x)
    return h


def _create_graph_backward(m):
    x = (X(m, 3, 3) / 3).detach().requires_grad_()
    _f(m, x).backward(create_graph=True)
    g = x.grad
    x.grad = None
    (g**2).sum().backward()
    return x.grad


def _gradchecks(m):
    x = X(m, 3, 3, dtype=m.float64).detach().requires_grad_()
    return (
        m.autograd.gradcheck(lambda t: _f(m, t), (x,)),
        m.autograd.gradgradcheck(lambda t: _f(m, t), (x,)),
        m.autograd.gradcheck(lambda t: t.unbind(1), (x,)),
        m.autograd.gradgradcheck(lambda t: t.split([1, 2], 1), (x,)),
    )


def _create_graph_unbind_node(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    (g,) = m.autograd.grad((a * b).sum(), x, create_graph=True)
    return g.grad_fn.name()


def _create_graph_split_node(m):
    x = X(m, 4, 2)
    a, b = x.split([1, 3])
    (g,) = m.autograd.grad((a * b).sum(), x, create_graph=True)
    return g.grad_fn.name()


def _forward_ad(m):
    fa = m.autograd.forward_ad
    x = X(m, 3, 2)
    with fa.dual_level():
        d = fa.make_dual(x, m.ones(3, 2) * m.arange(3.0).reshape(3, 1))
        a, b, c = d.unbind()
        p, q = d.split([2, 1])
        r = list(d)
        out = a * b + c + p.sum(0) + q[0] + r[2]
        primal, tangent = fa.unpack_dual(out)
        s = out.sum()
    s.backward()
    return primal.detach(), tangent.detach(), x.grad


def _forward_ad_node(m):
    fa = m.autograd.forward_ad
    x = X(m, 3, 2)
    with fa.dual_level():
        d = fa.make_dual(x, m.ones(3, 2))
        a, b, c = d.unbind()
        return a.grad_fn.name(), a.grad_fn is b.grad_fn


def _jvp(m):
    f = lambda t: m.stack([r * r for r in t]).sum(0) + t.split(1)[2][0]  # noqa: E731
    g = lambda t: m.cat(t.chunk(2, 1)[::-1], 1) * 2  # noqa: E731
    t = m.arange(6.0).reshape(3, 2)
    return m.func.jvp(f, (t,), (m.ones(3, 2),)), m.func.jvp(g, (t,), (t,))


def _vjp_and_grad(m):
    f = lambda t: (t.unbind()[1] * t.split(2)[0]).sum(0)  # noqa: E731
    out, fn = m.func.vjp(f, m.arange(6.0).reshape(3, 2))
    g = m.func.grad(lambda t: (t.unbind()[0] * t.unbind()[2]).sum())(m.arange(6.0).reshape(3, 2))
    return out, fn(m.ones(2)), g


# ------------------------------------------------------------------------ in place


def _inplace(op):
    def case(m):
        x, y = Y(m)
        parts = {"unbind": y.unbind, "split": lambda: y.split(2), "sizes": lambda: y.split([1, 2]),
                 "chunk": lambda: y.chunk(2)}[op]()  # fmt: skip
        parts[-1].mul_(2)

    return case


def _base_written_then_grad_fn(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    y.add_(1)
    return a.grad_fn


def _base_written_then_backward(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    y[2] = 7
    (a * b).sum().backward()
    return x.grad


def _sibling_written(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    y[0].mul_(3)
    return b.grad_fn


def _part_written_under_no_grad(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    with m.no_grad():
        a.add_(1)
    (a * b).sum().backward()
    return x.grad


def _leaf_written_under_no_grad(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    with m.no_grad():
        x.add_(1)  # an optimizer step, then the old parts used again
    (a * b).sum().backward()
    return x.grad


def _detached_alias_written(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.detach().add_(1)
    (a * a).sum().backward()
    return x.grad


def _view_of_part_written(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a[0].add_(1)


def _transpose_of_part_written(m):
    x, y = Y(m)
    a, b = y.split([1, 2])
    b.t().mul_(2)


def _view_of_view_of_row_written(m):
    x, y = Y(m)
    rows = list(y)
    rows[1][None].mul_(2)


def _view_of_part_written_by_setitem(m):
    x, y = Y(m)
    a, b = y.chunk(2)
    a.t()[...] = 5


def _view_of_part_written_under_no_grad(m, then_used=False):
    """Allowed, as in torch; using the view afterwards is refused."""
    x, y = Y(m)
    a, b, c = y.unbind()
    v = a[0:1]
    with m.no_grad():
        v.mul_(2)
    return v * 1 if then_used else y


def _view_of_part_used_after_base_written(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    v = a[0]
    y.add_(1)
    return v.grad_fn


def _part_written_after_base_written_under_no_grad(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    with m.no_grad():
        y.add_(1)
    a.add_(1)


def _data_tricks(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    y.data.add_(1)
    a.data = m.zeros(2)
    (a * b).sum().backward()
    return x.grad, a, y


def _no_grad_parts_written(m):
    x, y = Y(m)
    with m.no_grad():
        a, b, c = y.unbind()
    a.add_(1)


def _plain_parts_written(m):
    y = m.arange(6.0).reshape(3, 2)
    a, b, c = y.unbind()
    a.add_(1)
    return y


def _views_of_plain_parts_written(m):
    y = m.arange(6.0).reshape(3, 2)
    a, b = y.split([1, 2])
    a[0].add_(1)
    b.t().mul_(2)
    return y


def _view_of_plain_part_written_with_grad(m):
    y = m.arange(6.0).reshape(3, 2)
    a, b, c = y.unbind()
    a[0:1].mul_(m.ones(1, requires_grad=True))


def _part_written_through(m, index):
    """``part[index] = 5`` on an output of unbind: torch refuses, naming the last view its
    index makes (``Select``, ``Slice``, ``Unsqueeze``) or, with none, the part itself."""
    x = X(m, 2, 3, 4)
    a, b = (x * 1).unbind()
    index = tuple(m.tensor(i) if type(i) is list else i for i in index)
    a[index] = 5.0


def _detach_in_place_part(m):
    x, y = Y(m)
    a, b, c = y.unbind()
    a.detach_()


def _detach_in_place_view(m, which):
    x, y = Y(m)
    if which == "no_grad":
        with m.no_grad():
            a, b, c = y.unbind()
        a.detach_()
    view = {
        "plain": lambda: y[0],
        "of_part": lambda: y.unbind()[0][0],
        "plain_part": lambda: m.arange(6.0).reshape(3, 2).unbind()[1],
    }[which]()
    view.detach_()


def _part_hook_bad_shape(m):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    a.register_hook(lambda g: m.ones(3))
    (a + c).sum().backward()


# ------------------------------------------------------------------------- anomaly


def _anomaly_nan(m, which):
    x = X(m, 3, 2)
    a, b, c = x.unbind()
    [a, b, c][which].register_hook(lambda g: g * float("nan"))
    with m.autograd.detect_anomaly():
        (a * 1 + c * 1).sum().backward()


def _anomaly_clean(m):
    x = X(m, 3, 2)
    m.autograd.set_detect_anomaly(True)
    try:
        a, b, c = x.split(1)
        (a * b + c).sum().backward()
    finally:
        m.autograd.set_detect_anomaly(False)
    return x.grad


VALUES = {
    "next_functions_output_numbers": _next_functions,
    "iteration_is_unbind": _iteration,
    "parts_of_parts": _parts_of_parts,
    "views_of_parts": _part_views,
    "unbind_noncontiguous": _noncontiguous,
    "unbind_1d": _one_d,
    "unbind_3d_negative_dim": _three_d_negative,
    "empty_dims": _empty,
    "chunk_more_than_size": _chunk_more_than_size,
    "chunk_uneven": _chunk_uneven,
    "split_sizes_with_zeros": _split_zeros,
    "split_bigger_than_size": _split_bigger_than_size,
    "part_used_twice": _used_twice_and_unused,
    "int_input": _int_input,
    "saved_attributes": _saved,
    "functional_forms": lambda m: (
        m.split(X(m, 3, 2), split_size_or_sections=2, dim=0),
        m.unbind(X(m, 3, 2), dim=1),
        m.chunk(X(m, 3, 2), chunks=2, dim=1),
        X(m, 3, 2).split((1, 2)),
    ),
    "part_hooks_replace_and_none": _part_hooks,
    "retain_grad_on_parts": _retain_grad,
    "retain_grad_twice": _retain_grad_twice,
    "node_hook_replaces": _node_hook_replaces,
    "node_prehook_length_agnostic": _node_prehook_length_agnostic,
    "post_accumulate_grad_hook": _post_accumulate,
    "backward_inputs_part_and_x": _backward_inputs_part,
    "autograd_grad_parts_and_x": _grad_parts_and_x,
    "autograd_grad_allow_unused_part": _grad_unused_part,
    "part_backward_directly": _part_backward,
    "parts_as_roots": _parts_as_roots,
    "autograd_grad_parts_of_parts": _grad_of_parts_of_parts,
    "retain_graph_then_second": _retain_graph_twice,
    "failed_backward_then_again_0": lambda m: _fail_then_again(m, 0),
    "failed_backward_then_again_1": lambda m: _fail_then_again(m, 1),
    "failed_backward_then_again_2": lambda m: _fail_then_again(m, 2),
    "nested_backward_other_graph": _nested_other_graph,
    "hvp_through_unbind_split_chunk": _hvp,
    "create_graph_backward": _create_graph_backward,
    "gradcheck_gradgradcheck": _gradchecks,
    "forward_ad_values_then_reverse": _forward_ad,
    "func_jvp": _jvp,
    "func_vjp_and_grad": _vjp_and_grad,
    "data_tricks": _data_tricks,
    "plain_parts_written": _plain_parts_written,
    "views_of_plain_parts_written": _views_of_plain_parts_written,
    "view_of_part_written_under_no_grad": _view_of_part_written_under_no_grad,
    "anomaly_mode_clean": _anomaly_clean,
    # defects
    "nested_backward_same_node": lambda m: _nested_same_node(m, "backward"),
    "nested_autograd_grad_same_node": lambda m: _nested_same_node(m, "grad"),
    "nested_backward_same_split_node": lambda m: _nested_same_node(m, "split"),
    "node_prehook_sees_each_output": _node_prehook_sees,
    "node_posthook_grad_outputs_per_output": _node_posthook_sees,
    "node_prehook_torch_style_indexing": _node_prehook_torch_style,
    "split_empty_dim_by_size": lambda m: m.zeros(0, 3, requires_grad=True).split(2),
    "saved_no_self_sym_sizes_on_unbind": _saved_unbind_sizes,
    "saved_dim_negative_as_given": (
        _saved_negative_dim,
        "torch keeps the dim as given (-1, shown as 2**64-1); gradscope normalizes it",
    ),
    "create_graph_unbind_gives_stack": _create_graph_unbind_node,
    "create_graph_split_gives_cat": _create_graph_split_node,
    "forward_ad_unbind_node": (
        _forward_ad_node,
        "under forward AD the parts get SelectBackward0 each, not one UnbindBackward0",
    ),
    "split_keyword_split_size": _split_kw_split_size,
    "output_nr": _output_nr,
    "parts_made_under_no_grad_require_grad": _no_grad_parts_require_grad,
}


ERRORS = {
    "inplace_unbind_part": _inplace("unbind"),
    "inplace_split_part": _inplace("split"),
    "inplace_split_with_sizes_part": _inplace("sizes"),
    "inplace_chunk_part": _inplace("chunk"),
    "parts_made_under_no_grad_written": _no_grad_parts_written,
    "view_of_view_of_row_written": _view_of_view_of_row_written,
    "view_of_part_written_by_setitem": _view_of_part_written_by_setitem,
    "view_of_part_written_under_no_grad_then_used": lambda m: _view_of_part_written_under_no_grad(
        m, then_used=True
    ),
    "view_of_part_used_after_base_written": _view_of_part_used_after_base_written,
    "part_written_after_base_written_under_no_grad": _part_written_after_base_written_under_no_grad,
    "view_of_plain_part_written_with_grad": _view_of_plain_part_written_with_grad,
    "detach_in_place_view": lambda m: _detach_in_place_view(m, "plain"),
    "detach_in_place_view_of_part": lambda m: _detach_in_place_view(m, "of_part"),
    "detach_in_place_part_made_under_no_grad": lambda m: _detach_in_place_view(m, "no_grad"),
    "detach_in_place_part_of_plain_tensor": lambda m: _detach_in_place_view(m, "plain_part"),
    "second_backward_refused": _second_backward_refused,
    "grad_unused_part_refused": _grad_unused_part_refused,
    "unbind_dim_out_of_range": lambda m: X(m, 3, 2).unbind(-3),
    "split_dim_out_of_range": lambda m: X(m, 3, 2).split(1, 5),
    "chunk_dim_out_of_range": lambda m: X(m, 3, 2).chunk(1, -3),
    "chunk_zero": lambda m: X(m, 3, 2).chunk(0),
    "split_negative": lambda m: X(m, 3, 2).split(-1),
    "split_zero": lambda m: X(m, 3, 2).split(0),
    "split_sizes_sum": lambda m: X(m, 3, 2).split([1, 1]),
    "split_sizes_negative": lambda m: X(m, 3, 2).split([4, -1]),
    "unbind_0d": lambda m: m.tensor(1.0).unbind(),
    "split_0d": lambda m: m.tensor(1.0).split(1),
    "chunk_0d": lambda m: m.tensor(1.0).chunk(1),
    "iterate_0d": lambda m: list(m.tensor(1.0)),
    "part_hook_bad_shape": _part_hook_bad_shape,
    "anomaly_nan_last_part": lambda m: _anomaly_nan(m, 2),
    # defects
    "anomaly_nan_first_part": lambda m: _anomaly_nan(m, 0),
    "base_written_then_part_grad_fn": _base_written_then_grad_fn,
    "base_row_written_then_backward": _base_written_then_backward,
    "sibling_written_then_grad_fn": _sibling_written,
    "part_written_under_no_grad_then_backward": _part_written_under_no_grad,
    "leaf_written_under_no_grad_then_backward": _leaf_written_under_no_grad,
    "detached_alias_written_then_backward": _detached_alias_written,
    "view_of_part_written": _view_of_part_written,
    "transpose_of_part_written": _transpose_of_part_written,
    "detach_in_place_part": _detach_in_place_part,
    "part_written_through_int": lambda m: _part_written_through(m, (0,)),
    "part_written_through_slice": lambda m: _part_written_through(m, (slice(0, 1),)),
    "part_written_through_two_ints": lambda m: _part_written_through(m, (0, 1)),
    "part_written_through_full_slice_then_int": lambda m: _part_written_through(
        m, (slice(None), 0)
    ),
    "part_written_through_int_then_full_slice": lambda m: _part_written_through(
        m, (0, slice(None))
    ),
    "part_written_through_int_then_slice": lambda m: _part_written_through(m, (0, slice(1, 2))),
    "part_written_through_none": lambda m: _part_written_through(m, (None,)),
    "part_written_through_none_then_int": lambda m: _part_written_through(m, (None, 0)),
    "part_written_through_ellipsis": lambda m: _part_written_through(m, (Ellipsis,)),
    "part_written_through_ellipsis_then_int": lambda m: _part_written_through(m, (Ellipsis, 0)),
    "part_written_through_whole_range_slice": lambda m: _part_written_through(m, (slice(0, 3),)),
    "part_written_through_step_slice": lambda m: _part_written_through(m, (slice(None, None, 2),)),
    "part_written_through_int_then_tensor": lambda m: _part_written_through(m, (0, [1])),
    "part_written_through_slice_then_tensor": lambda m: _part_written_through(
        m, (slice(0, 2), [1])
    ),
    "part_written_through_tensor_then_int": lambda m: _part_written_through(m, ([0], 0)),
    "part_written_through_true": lambda m: _part_written_through(m, (True,)),
    "part_written_through_int_then_none": lambda m: _part_written_through(m, (0, None)),
    "part_written_through_tensor": lambda m: _part_written_through(m, ([0],)),
    "split_float_size": lambda m: X(m, 3, 2).split(1.5),
    "chunk_float_chunks": lambda m: X(m, 3, 2).chunk(1.5),
    "unbind_bool_dim": lambda m: X(m, 3, 2).unbind(True),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


# ------------------------------------------------------------- gradscope's own invariants


def test_no_input_sized_gradient_kept_after_a_failed_backward():
    x = gs.randn(50, 40, requires_grad=True)
    parts = (x * 1).unbind()

    def boom(g):
        raise ValueError

    parts[1].register_hook(boom)
    with pytest.raises(ValueError):
        (parts[0] + parts[1]).sum().backward(retain_graph=True)
    assert not parts[0].grad_fn.__dict__.get("_accs")  # nothing input-sized kept


def test_no_input_sized_gradient_kept_when_a_prehook_drops_it():
    x = gs.randn(50, 40, requires_grad=True)
    parts = (x * 1).unbind()
    parts[0].grad_fn.register_prehook(lambda go: (None,) * len(go))
    (parts[0] + parts[1]).sum().backward(retain_graph=True)
    assert not parts[0].grad_fn.__dict__.get("_accs")  # nothing input-sized kept


@pytest.fixture
def traced_fn():
    from test_memory_edges import traced

    return traced


def _t_iter():
    x = gs.randn(5, 3, requires_grad=True)
    s = 0
    for row in x:
        s = s + row.exp().sum()
    s.backward()


def _t_split_chunk_unused():
    x = gs.randn(6, 4, requires_grad=True)
    a, b = x.split([2, 4])
    c = (x * 1).t().chunk(3)
    ((a * 2).sum() + c[1].sum()).backward()


def _t_retain_and_hooks():
    x = gs.randn(4, 3, requires_grad=True)
    r = x.exp().unbind()
    r[0].retain_grad()
    r[1].register_hook(lambda g: g * 3)
    r[0].grad_fn.register_prehook(lambda go: None)
    L = (r[0] * r[1]).sum() + r[3].sum()
    L.backward(retain_graph=True)
    L.backward()


def _t_graph_dropped():
    x = gs.randn(3, 2, requires_grad=True)
    a, b, c = x.exp().unbind()
    z = a * b
    del a, b, c, z


def _t_second_order():
    x = gs.randn(3, 3, requires_grad=True)
    a, b, c = x.unbind()
    (g,) = gs.autograd.grad((a * b * c).sum(), x, create_graph=True)
    (g * g).sum().backward()


def _t_failed_then_again():
    x = gs.randn(3, 2, requires_grad=True)
    a, b, c = (x * 1).unbind()
    st = {"r": True}

    def h(g):
        if st["r"]:
            st["r"] = False
            raise ValueError

    b.register_hook(h)
    L = (a + b * 2 + c).sum()
    with pytest.raises(ValueError):
        L.backward(retain_graph=True)
    L.backward()


def _t_forward_ad():
    import gradscope.autograd.forward_ad as fa

    x = gs.randn(3, 2, requires_grad=True)
    with fa.dual_level():
        d = fa.make_dual(x, gs.ones(3, 2))
        a, b, c = d.unbind()
        out = (a * b + c).sum()
    out.backward()


def _t_nested():
    x = gs.randn(3, 2, requires_grad=True)
    w = gs.randn(2, 2, requires_grad=True)
    a, b, c = x.unbind()

    def h(g):
        with gs.enable_grad():
            p, q = w.unbind()
            (p * q).sum().backward()

    b.register_hook(h)
    (a + b * 2 + c).sum().backward()


def _t_anomaly():
    x = gs.randn(3, 2, requires_grad=True)
    a, b, c = x.unbind()
    with gs.autograd.detect_anomaly():
        with pytest.raises(RuntimeError):
            b.backward(gs.tensor([float("nan"), 1.0]))


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(
    "program",
    [
        _t_iter,
        _t_split_chunk_unused,
        _t_retain_and_hooks,
        _t_graph_dropped,
        _t_second_order,
        _t_failed_then_again,
        _t_forward_ad,
        _t_nested,
        _t_anomaly,
    ],  # fmt: skip
    ids=lambda f: f.__name__[3:],
)
def test_trace_invariants(program, traced_fn, tmp_path):
    traced_fn(program, tmp_path)


def test_one_input_sized_gradient_for_the_node():
    x = gs.randn(40, 3, requires_grad=True)
    with gs.trace() as tr:
        y = x * 1
        s = 0
        for row in y:
            s = s + (row * row).sum()
        s.backward()
    unbind = [e.node for e in tr.events if e.kind == "node_created" and e.op == "UnbindBackward0"]
    assert len(unbind) == 1
    temps = [e for e in tr.events if e.kind == "tensor_allocated" and e.node == unbind[0]]
    assert [(e.nbytes, tuple(e.shape)) for e in temps] == [(480, (40, 3))]
    ran = [e.node for e in tr.events if e.kind == "node_executed"]
    assert ran.count(unbind[0]) == 1  # the hidden edges record nothing


SCRIPT = """\
import gradscope as gs
x = gs.randn(4, 3, requires_grad=True)
w = gs.randn(3, requires_grad=True)
total = 0
for row in x:
    total = total + (row * w).sum()
a, b = x.split([1, 3])
total = total + (a * 2).sum()
total.backward()
"""


@pytest.fixture
def script(tmp_path):
    p = tmp_path / "loop.py"
    p.write_text(SCRIPT)
    return p


def _invoke(*args):
    from typer.testing import CliRunner

    from gradscope.cli.app import app

    return CliRunner().invoke(
        app, [str(a) for a in args], env={"COLUMNS": "160", "GRADSCOPE_DOT": None}
    )


def test_cli_graph_of_a_loop_over_rows(script):
    r = _invoke("graph", script)
    assert r.exit_code == 0, r.output
    assert r.stdout.count("UnbindBackward0 #") == 1  # one node, shown once
    assert "SplitWithSizesBackward0" in r.stdout


def test_cli_step_of_a_loop_over_rows(script):
    r = _invoke("run", script, "--step")
    assert r.exit_code == 0, r.output
    assert "UnbindBackward0 #" in r.stdout and "SplitWithSizesBackward0" in r.stdout


def test_rule_text_for_the_nodes():
    from gradscope.views.rules import UNKNOWN, rule_for

    for op in ("UnbindBackward0", "SplitBackward0", "SplitWithSizesBackward0"):
        assert rule_for(op) != UNKNOWN, op


def test_graph_freed_with_its_parts():
    gc.collect()
    x = gs.randn(30, 4, requires_grad=True)
    base = gs.live_bytes()
    parts = x.exp().unbind()
    del parts
    assert gs.live_bytes() == base
