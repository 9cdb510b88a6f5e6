"""``gs.func``: function transforms as in ``torch.func``: ``jvp``, ``vjp`` and ``grad``.

``jvp`` runs the function once in forward mode (``gs.autograd.forward_ad``); ``vjp`` and
``grad`` run it once and differentiate it in reverse mode (``gs.autograd.grad``)::

    out, tangent = gs.func.jvp(f, (a,), (t,))      # J_f(a) @ t
    out, vjp_fn = gs.func.vjp(f, a); (g,) = vjp_fn(v)  # v @ J_f(a)
    gs.func.grad(lambda a: (a ** 2).sum())(a)      # 2 * a
    gs.func.grad(lambda a: gs.func.grad(lambda b: (b ** 3).sum())(a).sum())(a)  # 6 * a

When an argument requires grad (and grad mode is on), the results keep a graph back to
it, so transforms nest and compose with ``backward``, as ``torch.func``'s do. ``jvp`` of
``grad`` or ``vjp`` (forward over reverse) works; reverse mode through ``jvp``'s tangents
(``grad(jvp(f))``) raises ``NotImplementedError``, as tangents carry no graph.
"""

from __future__ import annotations

from .autograd import forward_ad
from .autograd.grad_mode import enable_grad, state

__all__ = ["grad", "jvp", "vjp"]


def _followed(values) -> tuple[bool, bool]:
    """Whether an enclosing differentiation follows some of these arguments: grad mode is
    on and one of them requires grad, or carries a forward-mode tangent; and whether that
    is by tangents alone. A transform's results then keep a graph back to them, made with
    ``create_graph=True``, whose ops carry the tangents too: ``torch.func`` composes with
    autograd, with itself (``grad(grad(f))``) and with forward mode (``jvp(grad(f))``)
    this way."""
    if not state.enabled:
        return False, False
    rg = any(getattr(v, "requires_grad", False) for v in values)
    tangent = any(_tangent_of(v) is not None for v in values)
    return rg or tangent, tangent and not rg


def _tangent_of(t):
    if not hasattr(t, "_data"):
        return None
    return forward_ad.tangent_of(t)


def _tangent_only(t, args):
    """A result of a transform followed by tangents alone: its values and its tangent,
    without the graph that computed them from the transform's own variables (it depends
    in reverse mode only on what the tangents of ``args`` do)."""
    if t is None:
        return None
    return forward_ad.carry_tangent(t.detach(), t, args)


def _own_input(t, followed: bool):
    """The transform's own variable for argument ``t``: an alias still connected to ``t``
    when something outside follows ``t``, else ``t`` detached (with its tangent, if any)."""
    if followed and t.requires_grad:
        return t[...]  # AliasBackward0: a new variable whose gradient flows on to t
    return forward_ad.carry_tangent(t.detach().requires_grad_(), t)


def _as_list(out) -> tuple[list, bool]:
    if isinstance(out, (tuple, list)):
        return list(out), True
    return [out], False


def _check_tuple(fn_name: str, what: str, value) -> None:
    if not isinstance(value, tuple):
        raise RuntimeError(
            f"{fn_name}: Expected {what} to be a tuple. E.g. it should be valid to call "
            "f(*primals)."
        )


def _tree_spec(value, depth: int = 0) -> str:
    """torch's ``TreeSpec`` text for nested tuples and lists (anything else is a leaf)."""
    if not isinstance(value, (tuple, list)):
        return "*"
    sep = ",\n" + "  " * (depth + 1)
    children = sep.join(_tree_spec(v, depth + 1) for v in value)
    return f"TreeSpec({type(value).__name__}, None, [{children}])"


def _check_tensors(fn_name: str, what: str, values) -> None:
    from .tensor import Tensor

    for v in values:
        if not isinstance(v, Tensor):
            raise RuntimeError(f"{fn_name}: Expected {what} to only contain Tensors, got {type(v)}")


def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J @ tangents)``: the output and its Jacobian-vector product.

    One forward pass, with one JVP per op (``forward_ad.node_evaluations()`` counts them).
    """
    from .creation import zeros_like

    name = "jvp(f, primals, tangents)"
    _check_tuple(name, "primals", primals)
    _check_tuple(name, "tangents", tangents)
    spec_p, spec_t = _tree_spec(primals), _tree_spec(tangents)
    if spec_p != spec_t:
        raise RuntimeError(
            f"{name}: Expected primals and tangents to have the same python structure. "
            f"For example, if primals is a tuple of 3 tensors, tangents also must be. Got "
            f"primals with structure {spec_p} and tangents with structure {spec_t}"
        )
    _check_tensors(name, "primals", primals)
    _check_tensors(name, "tangents", tangents)
    with forward_ad.dual_level():
        duals = tuple(forward_ad.make_dual(p, t) for p, t in zip(primals, tangents))
        forward_ad.jvp_depth += 1
        try:
            result = func(*duals)
        finally:
            forward_ad.jvp_depth -= 1
        aux = None
        if has_aux:
            if not isinstance(result, tuple) or len(result) != 2:
                raise RuntimeError(
                    f"{name}: output of function f should be a tuple: (output, aux) if "
                    "has_aux is True"
                )
            result, aux = result
        outs, is_seq = _as_list(result)
        _check_outputs(name, outs)
        primal_out, tangent_out = [], []
        for o in outs:
            p, t = forward_ad.unpack_dual(o)
            primal_out.append(p)
            tangent_out.append(zeros_like(p) if t is None else t)
    if is_seq:
        primal_out, tangent_out = type(result)(primal_out), type(result)(tangent_out)
    else:
        primal_out, tangent_out = primal_out[0], tangent_out[0]
    return (primal_out, tangent_out, aux) if has_aux else (primal_out, tangent_out)


def _check_outputs(fn_name: str, outs) -> None:
    from .tensor import Tensor

    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{fn_name}: expected f(*primals) to return only tensors, got unsupported "
                f"type {type(o)}"
            )


def vjp(func, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(v)`` gives ``v @ J`` for each primal (a tuple)."""
    from .autograd import grad as autograd_grad
    from .creation import zeros_like

    followed, by_tangents = _followed(primals)
    with enable_grad():
        inputs = tuple(_own_input(p, followed) for p in primals)
        result = func(*inputs)
    aux = None
    if has_aux:
        result, aux = result
    outs, is_seq = _as_list(result)

    def vjp_fn(cotangents):
        cts, _ = _as_list(cotangents)
        grads = autograd_grad(
            outs, inputs, cts, retain_graph=True, create_graph=followed, allow_unused=True
        )
        if by_tangents:
            grads = [_tangent_only(g, primals) for g in grads]
        return tuple(zeros_like(i) if g is None else g for i, g in zip(inputs, grads))

    if by_tangents:
        kept = [_tangent_only(o, primals) for o in outs]
    else:
        kept = outs if followed else [o.detach() for o in outs]
    out = type(result)(kept) if is_seq else kept[0]
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def grad(func, argnums: int | tuple = 0, has_aux: bool = False):
    """A function giving the gradient of scalar ``func`` with respect to argument(s) ``argnums``."""
    from .autograd import grad as autograd_grad
    from .creation import zeros_like

    def wrapper(*args, **kwargs):
        nums = argnums if isinstance(argnums, tuple) else (argnums,)
        args = list(args)
        outer = [args[i] for i in nums]
        followed, by_tangents = _followed(outer)
        with enable_grad():
            for i in nums:
                args[i] = _own_input(args[i], followed)
            result = func(*args, **kwargs)
        aux = None
        if has_aux:
            result, aux = result
        if result.dim() != 0:
            raise RuntimeError(
                "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                f"tensor with {result.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                "APIs instead?"
            )
        inputs = [args[i] for i in nums]
        grads = autograd_grad(result, inputs, create_graph=followed, allow_unused=True)
        if by_tangents:
            grads = [_tangent_only(g, outer) for g in grads]
        grads = tuple(zeros_like(x) if g is None else g for x, g in zip(inputs, grads))
        g = grads if isinstance(argnums, tuple) else grads[0]
        return (g, aux) if has_aux else g

    return wrapper
