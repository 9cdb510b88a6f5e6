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


def _own_input(t, followed: bool, inner: list):
    """The transform's own variable for argument ``t``: an alias still connected to ``t``
    when something outside follows ``t``, else ``t`` detached (with its tangent, if any);
    that detached leaf goes into ``inner``."""
    if followed and t.requires_grad:
        return t[...]  # AliasBackward0: a new variable whose gradient flows on to t
    leaf = t.detach().requires_grad_()
    inner.append(leaf)
    return forward_ad.carry_tangent(leaf, t)


def _pprint_spec(value) -> str:
    """torch's ``treespec_pprint`` of nested tuples and lists (``*`` for a leaf)."""
    if isinstance(value, tuple):
        inner = ", ".join(_pprint_spec(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(_pprint_spec(v) for v in value) + "]"
    return "*"


def _flat(value) -> list:
    """The leaves of nested tuples and lists, in order."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _flat(v)]
    return [value]


def _reaches_outer(t, inner: tuple) -> bool:
    """Whether ``t``'s graph leads to something outside the transform: a leaf other than
    the transform's own (detached) variables ``inner``, or a graph a caller's argument or
    captured tensor brought in. As torch's levels, only that part of a result's graph is
    seen from outside: a result that depends on nothing else does not require grad."""
    node = getattr(t, "grad_fn", None)
    if node is None:
        return bool(getattr(t, "requires_grad", False)) and not any(t is i for i in inner)
    seen, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        var = getattr(n, "variable", None)
        if var is not None:
            if not any(var is i for i in inner):
                return True
            continue
        stack.extend(nxt for nxt, _ in n.next_functions)
    return False


class _Undo:
    """How values come back out of a transform, as torch's ``_undo_create_differentiable``
    hands them back: one of the transform's own variables as the argument it stands for;
    a tensor with its graph where that graph reaches outside the transform (and grad mode
    was on), else detached; with tangents alone, the values and tangents only."""

    def __init__(self, own, originals, inner: list, by_tangents: bool, args) -> None:
        self.inner = tuple(inner)
        self.pairs = [(o, a) for o, a in zip(own, originals) if o is not a]
        self.enabled = state.enabled
        self.by_tangents = by_tangents
        self.args = args

    def reaches(self, t) -> bool:
        return t.requires_grad and _reaches_outer(t, self.inner)

    def keeps(self, t) -> bool:
        return self.enabled and self.reaches(t)

    def __call__(self, value):
        from .tensor import Tensor

        if isinstance(value, (tuple, list)):
            return type(value)(self(v) for v in value)
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if not isinstance(value, Tensor):
            return value
        for o, orig in self.pairs:
            if value is o:
                return orig
        if self.by_tangents:
            return _tangent_only(value, self.args)
        return value if self.keeps(value) else value.detach()


def _grad_of(outs, inputs, cotangents=None, **kw) -> tuple:
    """torch.func's ``_autograd_grad``: the gradient of the outputs that require grad
    (zeros for an input none of them reaches, and for all when none requires grad)."""
    from .autograd import grad as autograd_grad
    from .creation import zeros_like

    if cotangents is None:
        cotangents = [None] * len(outs)
    pairs = [(o, c) for o, c in zip(outs, cotangents) if o.requires_grad]
    if not pairs:
        return tuple(zeros_like(i) for i in inputs)
    outs, cts = zip(*pairs)
    grads = autograd_grad(list(outs), list(inputs), list(cts), allow_unused=True, **kw)
    return tuple(zeros_like(i) if g is None else g for i, g in zip(inputs, grads))


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
    from .tensor import Tensor

    followed, by_tangents = _followed(primals)
    with enable_grad():
        inner: list = []
        inputs = tuple(_own_input(p, followed, inner) for p in primals)
        result = func(*inputs)
    undo = _Undo(inputs, primals, inner, by_tangents, primals)
    aux = None
    if has_aux:
        if not (isinstance(result, tuple) and len(result) == 2):
            raise RuntimeError(
                "vjp(f, *primals): output of function f should be a tuple: (output, aux) "
                "if has_aux is True"
            )
        result, aux = result
        aux = undo(aux)
    flat = _flat(result)
    # the gradients can have a graph that reaches outside only where the outputs do; not
    # under no_grad (torch's would then treat the forward's values as constants, which
    # gradscope cannot: no graph rather than a different one)
    outer = followed or any(isinstance(o, Tensor) and undo.keeps(o) for o in flat)

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph: bool | None = None):
        if create_graph is None:
            create_graph = state.enabled
        if _spec(cotangents) != _spec(result):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure "
                f"of outputs to the function. cotangents: {_pprint_spec(cotangents)}, "
                f"primal output: {_pprint_spec(result)}"
            )
        with enable_grad():
            grads = _grad_of(
                flat,
                inputs,
                _flat(cotangents),
                retain_graph=retain_graph,
                create_graph=outer and create_graph,
            )
        if by_tangents:
            return tuple(_tangent_only(g, primals) for g in grads)
        return tuple(g if create_graph and undo.reaches(g) else g.detach() for g in grads)

    out = undo(result)
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def _spec(value) -> str:
    return _pprint_spec(value)


def _wrap_argnum(argnum, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _argnums(argnums, num_args: int) -> tuple:
    """``argnums`` checked and wrapped (negative ones count from the end) as torch's
    ``_slice_argnums``: always a tuple here."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return (_wrap_argnum(argnums, num_args),)
    nums = tuple(_wrap_argnum(a, num_args) for a in argnums)
    if not nums:
        raise RuntimeError("argnums must be non-empty")
    if len(set(nums)) != len(nums):
        raise RuntimeError(f"argnums elements must be unique, got {nums}")
    return nums


def grad(func, argnums: int | tuple = 0, has_aux: bool = False):
    """A function giving the gradient of scalar ``func`` with respect to argument(s) ``argnums``."""
    from .tensor import Tensor

    def wrapper(*args, **kwargs):
        nums = _argnums(argnums, len(args))
        args = list(args)
        outer = [args[i] for i in nums]
        followed, by_tangents = _followed(outer)
        with enable_grad():
            inner: list = []
            for i in nums:
                args[i] = _own_input(args[i], followed, inner)
            result = func(*args, **kwargs)
        name = "grad_and_value(f)(*args)"
        aux = None
        if has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise RuntimeError(
                    f"{name}: output of function f should be a tuple: (output, aux) if "
                    "has_aux is True"
                )
            result, aux = result
        if not isinstance(result, Tensor):
            raise RuntimeError(f"{name}: Expected f(*args) to return a Tensor, got {type(result)}")
        if result.dim() != 0:
            raise RuntimeError(
                f"{name}: Expected f(*args) to return a scalar Tensor, got "
                f"tensor with {result.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                "APIs instead?"
            )
        inputs = [args[i] for i in nums]
        undo = _Undo(inputs, outer, inner, by_tangents, outer)
        create_graph = followed or undo.keeps(result)
        grads = _grad_of([result], inputs, create_graph=create_graph)
        if by_tangents:
            grads = tuple(_tangent_only(g, outer) for g in grads)
        else:
            grads = tuple(g if undo.keeps(g) else g.detach() for g in grads)
        g = grads if isinstance(argnums, tuple) else grads[0]
        return (g, undo(aux)) if has_aux else g

    return wrapper
