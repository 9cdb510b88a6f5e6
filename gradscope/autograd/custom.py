"""Functions users define, as torch's ``autograd.Function``.

A subclass of ``gs.autograd.Function`` with static ``forward(ctx, *args)`` and
``backward(ctx, *grads)`` runs through ``apply``. ``ctx`` is the backward node itself, an
instance of ``<Name>Backward`` (what the outputs' ``grad_fn`` is, as in torch): forward runs
with grad mode off and keeps what ``ctx.save_for_backward`` names; backward gets one
gradient per output and returns one per input, which are checked, summed to each input's
shape and cast to its dtype, as torch's engine does. The node records like any other: its
creation, what it saved (bytes shared with the tensors saved), its run and its release.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

from . import engine, function
from .function import Function, OutputEdge, Tensor, _finish, _init_node
from .grad_mode import enable_grad, no_grad, state

M_NO_JVP = (
    "You must implement the jvp function for custom autograd.Function to use it with forward "
    "mode AD."
)


class CustomNode(Function):
    """The node (and ``ctx``) of one call of a user's function; its class is made per
    function (``<Name>Backward``) with the function as ``_forward_cls``."""

    _forward_cls: type | None = None

    # ---- ctx, as the user's forward and backward see it

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` (or None) for backward, where ``saved_tensors`` gives them back."""
        for i, t in enumerate(tensors):
            if t is not None and type(t) is not Tensor:
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type "
                    f"{type(t).__name__}"
                )
        self._to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        """Say which inputs forward modified in place (and returns)."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Say which outputs get no gradient (indices, masks)."""
        self._non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward gets zeros (True, the default) or None for an output that got
        no gradient."""
        self._materialize = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved; raises torch's errors once freed or modified in place."""
        slots = self._slot_names()
        if self._saved is None and slots:
            self.saved(slots[0])  # torch's "backward through the graph a second time"
        return tuple(None if s is None else self.saved_tensor(s) for s in self._layout)

    # ---- the engine's side

    def backward(self, g):
        """The user's backward on this run's output gradients (arrays in, arrays out)."""
        with no_grad():
            grads = self._call_user(self._grads_in(g, graph=False))
        return tuple(None if r is None else r._data for r in grads)

    def backward_graph(self, g):
        """``backward`` under ``create_graph``: the user's backward recorded as it runs."""
        with enable_grad():
            return self._call_user(self._grads_in(g, graph=True))

    def _grads_in(self, g, graph: bool) -> tuple:
        """One gradient tensor per output (zeros, or None, for one that got none)."""
        if self._n_out == 1:
            parts = [g]
        else:
            key = "_graph_parts" if graph else "_accs"
            parts = self.__dict__.get(key, {}).get(engine.current_run) or [None] * self._n_out
        out = []
        for p, meta in zip(parts, self._out_meta):
            if p is None:
                if not self._materialize or meta is None:
                    out.append(None)
                    continue
                from ..creation import zeros

                shape, dtype, device = meta
                out.append(zeros(shape, dtype=dtype, device=device))
            elif graph:
                out.append(p)
            else:
                out.append(Tensor._share(p, _borrowed(meta[2]), [0]))
        return tuple(out)

    def grad_outputs(self, g) -> tuple:
        """This backward's gradient of each output (None where none came), as the engine
        hands a node of several outputs to its hooks."""
        got = self.__dict__.get("_accs", {}).get(engine.current_run)
        return tuple(got) if got is not None else (g,)

    def gradient_of(self, parts: tuple, like):
        """Take ``parts`` (a hook's replacement) as this backward's output gradients; the
        one gradient the engine carries to the node is the first of them."""
        self.__dict__.setdefault("_accs", {})[engine.current_run] = list(parts)
        return next((p for p in parts if p is not None), None)

    def _call_user(self, grads: tuple) -> tuple:
        with _allocating("temp", self.id):
            res = self._forward_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self._in_meta)  # one per argument of forward, tensor or not
        name = self._name
        if len(res) != n_in:
            if len(res) < n_in or any(r is not None for r in res[n_in:]):
                raise RuntimeError(
                    f"function {name} returned an incorrect number of gradients (expected "
                    f"{n_in}, got {len(res)})"
                )
            res = res[:n_in]
        out = []  # one per edge: the tensor arguments
        for i, (r, meta) in enumerate(zip(res, self._in_meta)):
            if meta is None:
                if r is not None:
                    raise RuntimeError(
                        f"function {name} returned a gradient different than None at position "
                        f"{i + 1}, but the corresponding forward input was not a Variable"
                    )
                continue
            if r is not None and type(r) is not Tensor:
                raise TypeError(
                    f"function {name} returned a gradient of type {type(r).__name__} at "
                    f"position {i + 1}; expected a Tensor or None"
                )
            if r is None or self._next[len(out)] is None:
                # an input that needs none: the engine drops it, but hooks see it as given
                out.append(r)
            else:
                out.append(_fit(r, meta, name, i))
        return tuple(out)


def _fit(r, meta, name: str, i: int):
    """Gradient ``r`` for an input of ``meta`` (shape, dtype): summed down to its shape when
    it broadcasts from it, cast to its dtype; torch's error when it cannot be."""
    from ..errors import shape_str
    from ..ops import api

    shape, dtype = meta
    got = tuple(r.shape)
    if got != shape:
        n = len(got) - len(shape)
        if n < 0 or any(s != 1 and s != g for s, g in zip(shape, got[n:])):
            raise RuntimeError(
                f"Function {name} returned an invalid gradient at index {i} - got "
                f"{shape_str(got)} but expected shape compatible with {shape_str(shape)}"
            )
        dims = tuple(range(n)) + tuple(n + k for k, s in enumerate(shape) if s == 1 != got[n + k])
        r = api.sum(r, dims, keepdim=True) if dims else r
        r = api.reshape(r, shape)
    if r.dtype != dtype:
        r = r.to(dtype)
    return r


_BORROWED: dict[str, object] = {}


def _borrowed(device: str) -> object:
    """A zero-byte buffer for a tensor over a gradient the engine already counts."""
    from ..memory.buffers import Buffer

    buf = _BORROWED.get(device)
    if buf is None:
        buf = _BORROWED[device] = Buffer((0, 0, device))
    return buf


class CustomOutput(OutputEdge):
    """Output ``nr`` of a custom function of several outputs. It hands the gradient to the
    node's list for this backward; the first output to run passes one on, so that the
    node runs once, after all of them."""

    def backward(self, g):
        return (self._hand(g, "_accs"),)

    def backward_graph(self, g):
        return (self._hand(g, "_graph_parts"),)

    def _hand(self, g, key: str):
        node, run = self.node, engine.current_run
        lists = node.__dict__.setdefault(key, {})
        got = lists.get(run)
        first = got is None
        if first:
            got = lists[run] = [None] * node._n_out
            if run is not None:
                run.partial.append(lists)
        got[self.nr] = g
        return g if first else None


def apply_custom(cls: type, args: tuple, kwargs: dict):
    """``cls.apply(*args, **kwargs)``: run the user's forward and record its node."""
    from . import function

    node_cls = cls._backward_cls
    node = node_cls.__new__(node_cls)
    node._pending = None
    node._to_save, node._dirty, node._non_diff, node._materialize = (), (), (), True
    needs = tuple(state.enabled and type(a) is Tensor and a._rg for a in args)
    node.needs_input_grad = needs
    if function._dual and any(type(a) is Tensor and _has_tangent(a) for a in args):
        raise NotImplementedError(M_NO_JVP)
    record = True in needs
    nid = node.id = next(function._seq) if record else None
    with _allocating("activation", nid), no_grad():  # what forward makes is its own
        if _has_setup_context(cls):  # torch 2's style: forward without ctx, then this
            out = cls.forward(*args, **kwargs)
            cls.setup_context(node, args, out)
        else:
            out = cls.forward(node, *args, **kwargs)
    if not record:
        return out
    single = not isinstance(out, tuple)
    outs = (out,) if single else out
    diff = [
        i
        for i, o in enumerate(outs)
        if type(o) is Tensor and not any(o is d for d in node._non_diff)
    ]
    if not diff:
        return out
    tensors = [a for a in args if type(a) is Tensor]  # only they get edges, as in torch
    _init_node(node, tensors, [a._rg and state.enabled for a in tensors])
    node.id = nid  # the number its forward's tensors were recorded under
    node._in_meta = tuple((tuple(a.shape), a.dtype) if type(a) is Tensor else None for a in args)
    node._n_out = len(outs)
    node._several = node._n_out > 1  # hooks see one gradient per output
    node._out_meta = tuple(
        (tuple(o.shape), o.dtype, o._buffer[2]) if type(o) is Tensor else None for o in outs
    )
    results = list(outs)
    for i in diff:
        results[i] = t = _output(node, outs[i], args)
        edge = node if node._n_out == 1 else CustomOutput(node, i, -(i + 1) / (node._n_out + 2))
        t._grad_fn, t._rg = edge, True
    _save(node, args, results[diff[0]])
    return results[0] if single else tuple(results)


@contextmanager
def _allocating(role: str, node_id):
    """Tensors made meanwhile (by a user's forward or backward, with grad mode off) are
    recorded as ``role`` of node ``node_id``: its activations, its gradients' temporaries.
    With no node (nothing recorded), an outer function's say stays."""
    from . import function

    outer = function._custom_alloc
    if node_id is not None:
        function._custom_alloc = (role, node_id)
    try:
        yield
    finally:
        function._custom_alloc = outer


def _has_setup_context(cls: type) -> bool:
    import inspect

    return isinstance(inspect.getattr_static(cls, "setup_context", None), staticmethod)


def _has_tangent(t) -> bool:
    from .forward_ad import tangent_of

    return tangent_of(t) is not None


def _output(node: CustomNode, o, args) -> Tensor:
    """The tensor an output becomes: an input marked dirty stays itself (its history now
    goes through this node); another input returned as it is becomes a new tensor over the
    same memory, as torch's ``view_as``."""
    if any(o is d for d in node._dirty):
        if o._grad_fn is None and o._rg:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
        o._vc[0] += 1  # as torch marks it: one more version than the write gave it
        return o
    if any(o is a for a in args):
        return Tensor._share(o._data, o._buffer, o._vc)
    return o


def _save(node: CustomNode, args, result) -> None:
    """Resolve what forward saved (an input, an output or another tensor, each keeping its
    own buffer) and record the node's creation."""
    tensors = node._to_save
    node._layout = tuple(
        None if t is None else f"saved_tensors[{i}]" for i, t in enumerate(tensors)
    )
    pending = {f"saved_tensors[{i}]": t._data for i, t in enumerate(tensors) if t is not None}
    node._pending = pending or None
    others = tuple(t for t in tensors if t is not None and t is not result)
    _finish(node, (*args, *others), None, result, result._data, None)
    node._to_save = None


M_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


class DelayedError(Function):
    """The node a ``once_differentiable`` backward's gradients hang from while a graph of
    backward is recorded: differentiating through it raises (torch's ``Error`` node)."""

    _name = "Error"
    _namespace = "torch::autograd::"
    is_view = True  # the gradient's own memory: no new bytes, as torch's alias

    def forward(self, a):
        return a

    def backward(self, g):
        raise RuntimeError(M_TWICE)

    backward_graph = backward


def once_differentiable(fn):
    """Mark a custom function's ``backward`` as not differentiable itself, as torch's
    decorator: it runs with grad mode off; where the gradients it is given require grad
    (a graph of backward is being recorded), what it returns comes out of an ``Error``
    node, and backward through that raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not state.enabled or not any(type(a) is Tensor and a.requires_grad for a in args):
            return outputs
        several = isinstance(outputs, tuple)
        marked = tuple(
            None if o is None else function.apply(DelayedError, (o.detach().requires_grad_(),))
            for o in (outputs if several else (outputs,))
        )
        return marked if several else marked[0]

    return wrapper
