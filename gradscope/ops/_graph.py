"""What the ops' ``backward_graph`` rules share.

``backward_graph`` is an op's backward written in tensor ops, run by ``create_graph=True``:
the gradients it returns carry a graph of their own, which a second backward (a
Hessian-vector product, a gradient penalty, ``grad`` of ``grad``) goes through.
"""

from __future__ import annotations

from contextlib import contextmanager

from .. import dtypes
from ..autograd import function
from ..autograd.function import Function
from ..backend import xp_of
from ..errors import M_FREED, refuse_forward_ad


def sum_to(t, shape: tuple):
    """``t`` summed down to ``shape`` (undoing broadcasting), as torch's ``sum_to``: one
    sum over the leading and the stretched dims, then a view without the leading ones."""
    tshape = t.shape
    if tuple(tshape) == tuple(shape):
        return t
    if not shape:
        return t.sum()
    lead = len(tshape) - len(shape)
    dims = list(range(lead))
    dims += [lead + i for i, n in enumerate(shape) if n == 1 and tshape[lead + i] != 1]
    if dims:
        t = t.sum(tuple(dims), keepdim=True)
    return t.view(tuple(shape)) if lead else t


def cast_to(t, dtype):
    """``t`` in ``dtype`` (an input's, where type promotion changed the gradient's)."""
    return t if dtype is None or t._data.dtype == dtype else t.to(dtypes.from_numpy(dtype))


def constant(arr):
    """A tensor over ``arr`` outside every graph: a mask or a coefficient whose own
    derivative is zero wherever it is defined."""
    return function.Tensor._make(arr, None, role="temp")


class _LinearBackward(Function):
    """Gradient ``i`` of a node whose backward is linear in the gradient and reads no
    input values (a scatter, a slice put back in place): its own backward is the node's
    forward-mode rule, the same op applied to the incoming gradient (``_LinearForward``).
    It holds what the node's backward and jvp read (the node may be released first, as
    torch's gradient node keeps its own indices)."""

    _name = "LinearBackward"  # each instance takes its node's ``graph_name``

    def forward(self, g, node, i, held=None):
        self.node, self.i = node, i
        self.held = _hold(node) if held is None else held
        name = node.graph_name
        # the same op again (CopySlices): its full name too
        _named_as(self, name, node._namespace if name == node._name else None)
        with _restored(node, self.held):
            grads = node.backward(g)
        xp = xp_of(g)
        # jvp reads shapes from these: zero-byte stand-ins for the inputs and the output
        self.xs = [
            None if r is None else xp.broadcast_to(xp.zeros((), r.dtype), r.shape) for r in grads
        ]
        self.out = xp.broadcast_to(xp.zeros((), g.dtype), g.shape)
        return _own(grads[i], g)

    def backward(self, u):
        with _restored(self.node, self.held):
            return (_node_jvp(self.node, self.i, self.xs, self.out, u),)

    def backward_graph(self, u):
        return (function.apply(_LinearForward, (u,), self),)

    def jvp(self, xs, out, tangents):
        with _restored(self.node, self.held):
            return self.node.backward(tangents[0])[self.i]  # linear in g


class _LinearForward(Function):
    """The adjoint of a ``_LinearBackward``: its node's forward-mode rule as an op (the
    node's own op applied to ``u``), whose backward is that ``_LinearBackward`` again."""

    _name = "LinearForward"  # each instance takes its node's name

    def forward(self, u, lin):
        self.lin = lin
        _named_as(self, lin.node._name, lin.node._namespace)
        with _restored(lin.node, lin.held):
            return _node_jvp(lin.node, lin.i, lin.xs, lin.out, u)

    def backward(self, w):
        lin = self.lin
        with _restored(lin.node, lin.held):
            return (_own(lin.node.backward(w)[lin.i], w),)

    def backward_graph(self, w):
        lin = self.lin
        return (function.apply(_LinearBackward, (w,), lin.node, lin.i, lin.held),)

    def jvp(self, xs, out, tangents):
        lin = self.lin
        with _restored(lin.node, lin.held):
            return _node_jvp(lin.node, lin.i, lin.xs, lin.out, tangents[0])


def _hold(node) -> tuple | None:
    """What ``node``'s release drops: its saves (slot -> ``SavedTensor``) and the
    attributes released with them; None where it saved nothing. Raises torch's error
    where backward released them."""
    if node._saves is None and node._one_vc is None:
        check_held(node)
        return None
    d = node.__dict__
    return dict(node._saved), {k: d[k] for k in node._released_with if k in d}


def check_held(node) -> None:
    """Raise torch's error where backward released what ``node`` saved."""
    if node._saves is None and node._one_vc is None and node._slot_names():
        raise RuntimeError(M_FREED)


@contextmanager
def _restored(node, held):
    """``node`` with ``held`` put back for the time of a call, where backward released it."""
    if held is None or node._saves is not None or node._one_vc is not None:
        yield
        return
    saves, attrs = held
    d = node.__dict__
    missing = [k for k in attrs if k not in d]
    node._saves = dict(saves)
    for k in missing:
        d[k] = attrs[k]
    try:
        yield
    finally:
        node._saves = None
        for k in missing:
            d.pop(k, None)


_NAMED: dict[tuple, type] = {}  # (class, name, namespace) -> its subclass of that name


def _named_as(fn: Function, name: str, namespace: str | None = None) -> None:
    """Make ``fn`` (in its forward) a node named ``name``, as torch's node for it: its
    ``name()`` and its class's ``__name__``."""
    key = (type(fn), name, namespace)
    sub = _NAMED.get(key)
    if sub is None:
        attrs = {"__slots__": (), "__qualname__": name, "_name": name, "_namespace": namespace}
        sub = _NAMED[key] = type(name, (type(fn),), attrs)
    fn.__class__ = sub


def _own(r, g):
    """``r``, copied if it is (a view of) ``g``: a node's result owns its memory."""
    return r.copy() if r is g or r.base is not None else r


def _node_jvp(node, i, xs, out, u):
    """``node.jvp`` with ``u`` as the tangent of input ``i`` (the others zero), as a new
    array shaped and typed like ``out``."""
    tangents = [None] * len(xs)
    tangents[i] = u
    t = node.jvp(xs, out, tangents)
    xp = xp_of(u)
    if t is None:
        return xp.zeros(out.shape, out.dtype)
    t = xp.asarray(t)
    if t.shape != out.shape:
        t = xp.broadcast_to(t, out.shape)
    return t.astype(out.dtype, copy=True)


def linear_grad(node, g, i: int):
    """Input ``i``'s gradient from ``node``, whose backward is linear in ``g`` alone (see
    ``_LinearBackward``), as a node of the gradient's graph."""
    return function.apply(_LinearBackward, (g,), node, i)


def linear_backward_graph(node, g) -> tuple:
    """``backward_graph`` for a node whose backward is linear in ``g`` alone: one
    ``linear_grad`` per input that needs a gradient."""
    return tuple(
        linear_grad(node, g, i) if need else None for i, need in enumerate(node.needs_input_grad)
    )


class _Joined(Function):
    """A gradient that torch computes in one op with its node's other gradients, run as
    ``(grad, *sources)``, the inputs of that op: the same values, which require grad where
    a source does; only ``grad`` gets a gradient through it (its value reads no other)."""

    _name = "Joined"  # each instance takes its node's ``graph_name``
    complex_rule = "as_is"

    def forward(self, g, *rest):
        _named_as(self, rest[-1])
        return g.copy()

    def backward(self, u):
        return (u,) + (None,) * (len(self.needs_input_grad) - 1)

    def backward_graph(self, u):
        return (u,) + (None,) * (len(self.needs_input_grad) - 1)

    def jvp(self, xs, out, tangents):
        return tangents[0]


def joined(node, grads: tuple, *sources) -> tuple:
    """``grads``, the gradients ``node``'s ``backward_graph`` made, each requiring grad
    where one of ``sources`` (the inputs of torch's op for them all) does, as torch's."""
    sources = tuple(s for s in sources if s is not None)
    if not any(s.requires_grad for s in sources):
        return grads
    return tuple(
        g
        if g is None or g.requires_grad
        else function.apply(_Joined, (g, *sources), node.graph_name)
        for g in grads
    )


def zeros_grad(shape, like):
    """A zero gradient of ``shape`` in ``like``'s dtype and device, outside every graph."""
    xp = xp_of(like._data)
    return constant(xp.zeros(shape, dtype=like._data.dtype))


def no_forward_mode(op: str):
    """A ``jvp`` raising torch's error for an op it gives no forward-mode rule."""

    def jvp(self, xs, out, tangents):
        refuse_forward_ad(op)

    return jvp
