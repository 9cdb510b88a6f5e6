"""Graph nodes and ``apply``, the one choke point through which every op runs.

An op is a ``Function`` subclass named after torch's grad_fn (``MulBackward0`` ...),
with ``forward`` and ``backward`` side by side, both on raw NumPy/CuPy arrays. ``apply``
calls ``forward``, wraps the result in a tensor, links ``next_functions``, resolves what
the op saved and records the events. Nothing else in gradscope creates graph nodes
(``AccumulateGrad`` aside).

Edges point backward only (output tensor -> node -> next nodes); nodes never hold their
output tensor, so a graph is freed by reference counting alone.
"""

from __future__ import annotations

import inspect
import itertools
import weakref
from operator import itemgetter
from time import perf_counter
from typing import Any

import numpy as np

from .. import dtypes
from ..backend import (
    FP_SIGNALS,
    partially_overlaps,
    pointwise_layout,
    quietly,
    repeats_memory,
    run_rule,
    writable,
)
from ..errors import (
    M_DTYPE_VIEW,
    M_FREED,
    M_INTERNAL_OVERLAP,
    M_LEAF_INPLACE,
    M_NO_GRAD_VIEW_INPLACE,
    M_NO_GRAD_VIEW_WRITTEN,
    M_PARTIAL_OVERLAP,
    M_VERSION_HINT,
    M_VERSION_HINT_ANOMALY,
    complex_refusal,
    devices_differ,
    scalar_type_name,
    shape_str,
    tensor_type_name,
)
from ..events import emit
from ..events.callsite import user_site, user_stack
from ..events.emit import dtype_str
from ..events.schema import GraphFreed, NodeCreated, TensorAllocated, TensorSaved
from ..memory import buffers
from .grad_mode import state

Tensor: Any = None  # set by gradscope.tensor (which imports this module)
_seq = itertools.count()
_CREATED, _SAVED, _FREED = NodeCreated.kind, TensorSaved.kind, GraphFreed.kind
_ALLOCATED = TensorAllocated.kind
_dual = False  # a forward-AD dual level is active (set by gradscope.autograd.forward_ad)
_custom_alloc = None  # (role, node id) for tensors a user's function makes as it runs


class SavedTensor(tuple):
    """One tensor a node keeps for backward: its array, buffer, version counter and the
    version it had when saved, the tensor's id, the input tensor it came from (if any)
    and whether it is the node's own output.

    A tuple, so that saving runs no Python code: most ops save something.
    """

    __slots__ = ()
    data = property(itemgetter(0))
    buffer = property(itemgetter(1))
    vc = property(itemgetter(2))
    version = property(itemgetter(3))
    tensor_id = property(itemgetter(4))
    ref = property(itemgetter(5))  # the input tensor (its current grad_fn names it in errors)
    is_output = property(itemgetter(6))


_ONE = object()  # ``Node._e1`` of a node of one input
_MANY = object()  # ``Node._e1`` of a node whose edges are the tuple ``_nx``


class _Edges:
    """``Node._next``: the node each input's gradient goes to (None where it needs none).

    A node of one or two inputs (nearly every node) keeps them as ``_e0`` and ``_e1``
    (``_ONE`` for one input) rather than in a tuple, so that a graph leaves the cycle
    collector one object fewer per node to walk; any other keeps its tuple in ``_nx``
    (``_e1`` is ``_MANY``). The engine reads those directly; this builds the tuple for
    everyone else.
    """

    def __get__(self, node, owner=None):
        if node is None:
            return self
        e1 = node._e1
        if e1 is _ONE:
            return (node._e0,)
        return node._nx if e1 is _MANY else (node._e0, e1)

    def __set__(self, node, edges) -> None:
        n = len(edges)
        # (edges set again hold no old ones; read through attributes, not ``__dict__``,
        # which would give the node a dict of its own)
        if n > 2 or n == 0:
            if node._e1 is not _MANY:
                node._e0 = None
            node._e1, node._nx = _MANY, tuple(edges)
            return
        if node._nx:
            node._nx = ()
        if n == 1:
            node._e0, node._e1 = edges[0], _ONE
        else:
            node._e0, node._e1 = edges


class Node:
    """A node of the backward graph: what a tensor's ``grad_fn`` is."""

    # ``_next``: the edges (``_Edges``); ``next_functions`` pairs them with torch's output
    # index when asked
    __slots__ = ("id", "needs_input_grad", "__weakref__", "__dict__")
    _next = _Edges()
    _e0 = None
    _e1 = _MANY
    _nx: tuple = ()
    _name = "Node"
    _hidden = False  # a tensor's edge that users see as another node (``ViewOutput``)
    _several = False  # a node of several outputs: hooks see one gradient per output
    _namespace = None  # ``torch::autograd::`` for what torch implements in C++ only
    _prio_offset = 0
    _moves_device = False  # its gradients may leave on another device than they came on
    # Rarely set, so class-level defaults: a new node pays nothing for them.
    _saves = None  # slot -> SavedTensor, once forward has run; None when freed (``_saved``)
    # When a node saved one value (most ops: their output, an input or a number), the
    # ``SavedTensor``'s fields, kept in the node's own attributes without the record and the
    # dict: a long graph leaves the cycle collector two fewer objects per node to walk.
    # ``_one_vc`` is None when not held; ``_saved`` turns them into the dict when asked.
    _one_slot = _one_vc = _one_data = _one_buffer = _one_id = _one_ref = None
    _one_version = 0
    _one_is_output = False
    _pending = None  # (slot, array) pairs that forward asked to save
    _watched = False  # hooks or retain_grad watch it: backward takes the long way through it
    _slots = ()  # the names of the slots it had saved in a dict, once backward released them
    _pre_hooks = _post_hooks = _tensor_hooks = _retain = None
    _stack = None  # the user's stack at creation, under anomaly detection
    # attributes that hold arrays its saves hold too (an index): they go with the saves
    _released_with: tuple[str, ...] = ()

    @property
    def _saved(self) -> dict | None:
        """What the node saved, slot -> ``SavedTensor`` (None once released). A node that
        kept its one saved value in its own attributes keeps it in this dict from now on."""
        vc = self._one_vc
        if vc is None:
            return self._saves
        record = SavedTensor(
            (
                self._one_data,
                self._one_buffer,
                vc,
                self._one_version,
                self._one_id,
                self._one_ref,
                self._one_is_output,
            )
        )
        saves = {self._one_slot: record}
        self._saved = saves  # (the setter lets go of the fields)
        return saves

    @_saved.setter
    def _saved(self, saves: dict | None) -> None:
        self._saves = saves
        if self._one_vc is not None:
            self._one_vc = self._one_data = self._one_buffer = self._one_ref = None

    def name(self) -> str:
        """torch's name for this node (``MulBackward0``; its C++ nodes with their namespace:
        ``torch::autograd::AccumulateGrad``, ``torch::autograd::CopySlices``)."""
        return self._name if self._namespace is None else self._namespace + self._name

    @property
    def next_functions(self) -> tuple:
        """``((node, 0), ...)`` per input, as torch gives it (``(None, 0)`` for an input that
        needs no gradient)."""
        return tuple(
            [
                (exposed(n), 0) if n is None or not n._hidden else (exposed(n.node), n.nr)
                for n in self._next
            ]
        )

    @property
    def metadata(self) -> dict:
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self.__dict__["_metadata"] = {}
        return md

    def register_hook(self, fn):
        """Run ``fn(grad_inputs, grad_outputs)`` after this node; a non-None result replaces grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._watched = True
        return _Handle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """Run ``fn(grad_outputs)`` before this node; a non-None result replaces grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = []
        self._watched = True
        return _Handle(self._pre_hooks, fn)

    def _slot_names(self) -> tuple:
        """The names of what this node saved (kept after backward released them)."""
        if self._one_vc is not None:
            return (self._one_slot,)
        saved = self._saves
        if saved is not None:
            return tuple(saved)
        # released: a node that kept one save still names it
        return self._slots if self._one_slot is None else (self._one_slot,)

    def _sequence_nr(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"<{self._name} object at {id(self):#x}>"


def _saved_attribute(node: Node, attr: str):
    """torch's ``_saved_<name>``: what ``node`` saved under slot ``name`` (as a tensor), or
    its attribute ``name`` (a number, a size)."""
    if attr.startswith("_saved_"):
        slot = attr[7:]
        saved = object.__getattribute__(node, "_saved")
        if saved is not None and slot in saved:
            return _saved_as_tensor(saved[slot], node)
        if slot in node._slot_names():  # backward released it
            raise RuntimeError(M_FREED)
        d = object.__getattribute__(node, "__dict__")
        if slot in d:
            return d[slot]
    raise AttributeError(f"'{type(node).__name__}' object has no attribute '{attr}'")


# Node classes have no ``__getattr__``: with one, CPython reads every attribute of every
# node the generic way, where it otherwise specialises each read site to its kind of
# attribute (about 5% of a small op's instructions, forward and backward). A node handed
# to the user (``grad_fn``, ``next_functions``) becomes an instance of a subclass of its
# class, named the same, whose ``__getattr__`` answers torch's ``_saved_<name>``.
_ANSWERING: dict[type, type] = {}  # a node class -> its subclass with ``_saved_<name>``


def exposed(node):
    """``node``, made to answer ``_saved_<name>`` as torch's nodes do (None stays None)."""
    if node is None:
        return None
    cls = type(node)
    if getattr(cls, "__getattr__", None) is _saved_attribute:  # exposed already
        return node
    sub = _ANSWERING.get(cls)
    if sub is None:
        namespace = {
            "__slots__": (),
            "__getattr__": _saved_attribute,
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__doc__": cls.__doc__,
            "complex_rule": getattr(cls, "complex_rule", None),  # as it is (__init_subclass__)
        }
        sub = _ANSWERING[cls] = type(cls.__name__, (cls,), namespace)
    try:
        node.__class__ = sub
    except TypeError:  # a layout of its own (a user's subclass with __slots__): left as is
        pass
    return node


class _Handle:
    """Returned by ``register_hook``; ``remove()`` unregisters."""

    __slots__ = ("_hooks", "_fn")

    def __init__(self, hooks: list, fn) -> None:
        hooks.append(fn)
        self._hooks = hooks
        self._fn = fn

    def remove(self) -> None:
        try:
            self._hooks.remove(self._fn)
        except ValueError:
            pass


class OutputEdge(Node):
    """Output ``nr`` of a node of several outputs: what that output's gradient goes to.
    Not a node of its own to users (``grad_fn``, ``next_functions`` and hooks are its
    ``node``'s) nor in the trace (it has the node's id, and records nothing)."""

    _hidden = True
    _released_with = ()

    def __init__(self, node: Node, nr: int, offset: float) -> None:
        self.node, self.nr = node, nr
        self.id = node.id  # the trace, and whatever reads node ids, sees the node
        self._prio_offset = offset  # (a distinct place in backward's queue all the same)
        self._next = (node,)
        self.needs_input_grad = (True,)
        self._saved = None

    def name(self) -> str:
        return self.node.name()

    @property
    def next_functions(self) -> tuple:
        return self.node.next_functions

    def register_hook(self, fn):
        return self.node.register_hook(fn)

    def register_prehook(self, fn):
        return self.node.register_prehook(fn)


class Function(Node):
    """Base of every op: ``forward(*arrays) -> array`` and ``backward(grad) -> grads``.

    ``backward`` returns one gradient per input (an array, or None where that input
    needs none), already reduced to the input's shape.
    """

    is_view = False  # forward may return a view sharing input 0's buffer
    # with ``is_view``: the output shares the buffer but is no view to autograd (no base,
    # a version counter of its own), as torch's ``_unsafe_view``
    unsafe_view = False
    pointwise = False  # elementwise over its two inputs: its result laid out as torch's
    saves_output = None  # the slot (``"result"``) under which the op saves its output
    _edges = None  # when set, only the first _edges inputs get graph edges (masks, indices)
    # As an in-place op, whether it may write into a view whose elements share memory (an
    # expand): torch allows writes of one value everywhere (zero_, fill_) and setitem, which
    # checks what it writes itself (the backward of such a write may refuse it still).
    writes_repeats = False
    # As an in-place op, whether it refuses an input that shares part of the memory it
    # writes, as torch's elementwise kernels do (``a[1:].add_(a[:-1])``).
    refuses_partial_overlap = True
    # the saved slots that an in-place op had to save as copies (``apply_inplace``)
    _copied: tuple = ()
    # What the op does with complex tensors. ``"conj"``: it is holomorphic, and its rule,
    # written for real numbers, gives torch's gradient as ``conj(rule(conj(grad)))``.
    # ``"as_is"``: the rule is right for them already (linear with real coefficients, as
    # every view, or written for complex numbers). ``"no_grad"``: the forward is right for
    # them, the rule is not, so only a recorded op refuses them. None: the op refuses them,
    # rather than give a wrong value or gradient.
    complex_rule: str | None = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.is_view and "complex_rule" not in cls.__dict__:
            cls.complex_rule = "as_is"  # a view's gradient puts the elements back
        if isinstance(inspect.getattr_static(cls, "forward"), staticmethod):  # a user's own
            from .custom import CustomNode

            name = cls.__name__ + "Backward"
            cls._backward_cls = type(name, (CustomNode,), {"_forward_cls": cls, "_name": name})

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run a function defined as torch's are (static ``forward(ctx, ...)`` and
        ``backward(ctx, ...)``) and record its node, ``<Name>Backward``."""
        if getattr(cls, "_backward_cls", None) is None:
            raise TypeError(
                f"{cls.__name__}.apply needs forward(ctx, ...) and backward(ctx, ...) defined "
                "as static methods, as for torch.autograd.Function"
            )
        from .custom import apply_custom

        return apply_custom(cls, args, kwargs)

    def forward(self, *args):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad):  # pragma: no cover - abstract
        raise NotImplementedError

    def save(self, /, **slots) -> None:
        """Keep arrays for backward, by slot name (an input, the output or a new array)."""
        if self._pending is None:
            self._pending = slots
        else:
            self._pending.update(slots)

    def saved(self, slot: str):
        """A saved array; raises torch's errors if it was freed or modified in place."""
        vc = self._one_vc
        if vc is not None and slot == self._one_slot:
            if vc[0] != self._one_version:
                raise RuntimeError(_version_message(self, self._saved[slot]))
            return self._one_data
        s = self._saves
        if s is None:
            raise RuntimeError(M_FREED)
        st = s[slot]
        if st[2][0] != st[3]:  # vc[0] != version, without the properties' calls
            raise RuntimeError(_version_message(self, st))
        return st[0]

    def saved_tensor(self, slot: str):
        """A saved value as a tensor in the graph, for ``backward_graph``: an input is that
        input tensor, the op's own output is a tensor whose grad_fn is this node again, an
        in-place op's copy of its target is the target as it was, a Python number stays a
        number, and an array the op made is a constant."""
        arr = self.saved(slot)
        st = self._saved[slot]
        if st.ref is not None:
            return st.ref
        if type(arr) in _NUMBERS:
            return arr
        t = Tensor._share(arr, st.buffer, st.vc)
        if st.is_output:
            t._grad_fn, t._rg = self, True
            key = "_tangent"
        elif slot in self._copied:
            # the target's values before the write: what input 0's edge differentiates
            # (torch saves a clone of ``original_self`` for this)
            edge = self._next[0]
            t._grad_fn, t._rg = edge, edge is not None
            key = "_copied_tangent"
        else:
            return t
        if _dual:  # forward mode: the value's tangent goes with it
            from .forward_ad import lend_tangent

            lend_tangent(self, t, key)
        return t

    @property
    def graph_name(self) -> str:
        """torch's name for the node that ``create_graph`` makes of this one's backward
        when that backward is an op of its own (``SelectBackward0`` -> ``SelectBackwardBackward0``)."""
        n = self._name
        return n[:-1] + "Backward0" if n.endswith("Backward0") else n + "Backward"

    def backward_graph(self, grad):
        """``backward`` written in tensor ops, so that the gradients it returns (tensors)
        have a graph of their own: what ``create_graph=True`` runs."""
        raise RuntimeError(
            f"create_graph=True: gradscope cannot differentiate through the backward of "
            f"{self._name}"
        )


def named_as_torch(cls: type) -> type:
    """Class decorator: the class's own name becomes torch's name for the node
    (``_name``), which is what ``type(t.grad_fn).__name__`` gives there (a class of
    gradscope's that shares its name with another, or subclasses one, is named for its
    role in the code)."""
    cls.__name__ = cls.__qualname__ = cls._name
    return cls


# needs_input_grad for one and two inputs, indexed by bools: shared, not made per op
_NEEDS1 = ((False,), (True,))
_NEEDS2 = (((False, False), (False, True)), ((True, False), (True, True)))


def apply(cls: type[Function], inputs: tuple, *args):
    """Run op ``cls`` on ``inputs`` (tensors or Python scalars) and record its node.

    Nearly every op has one or two inputs; those take the path written out below, which
    allocates nothing per op beyond the node, its edges, the output tensor and its buffer,
    and what the op saves.
    """
    if _dual:  # tangents ride along: the op's jvp runs too
        from .forward_ad import apply_dual

        return apply_dual(cls, inputs, args)
    fn = cls.__new__(cls)
    n = len(inputs)
    if n == 2 and cls._edges is None:
        a, b = inputs
        ta, tb = type(a) is Tensor, type(b) is Tensor
        if state.enabled:  # (Tensor._view_is_stale, written out on the hot path)
            if ta and a._base is not None and a._vc[0] != a._view_version:
                refresh_view(a)
            if tb and b._base is not None and b._vc[0] != b._view_version:
                refresh_view(b)
            na, nb = ta and a._rg, tb and b._rg
        else:
            na = nb = False
        fn.needs_input_grad = _NEEDS2[na][nb]
        a_, b_ = a._data if ta else a, b._data if tb else b
        try:
            out = fn.forward(a_, b_, *args) if args else fn.forward(a_, b_)
        except FP_SIGNALS:
            out = quietly(fn.forward, a_, b_, *args)
        except Exception:
            forward_failed(cls, inputs, (a_, b_), na or nb)
            raise
        if tb and ta and cls.pointwise:  # (two tensors, whose layouts may disagree)
            out = pointwise_layout(out, a_, b_)
        if not (na or nb):
            if cls.complex_rule is None:
                refuse_complex(cls, (a_, b_), out)
            return _wrap(out, inputs, cls, None)
        if out.dtype in _COMPLEX or cls.complex_rule is None:
            complex_node(fn, (a_, b_), out)
        fn.id = next(_seq)  # before the edges: a leaf's AccumulateGrad is numbered after
        fn._e0, fn._e1 = _edge(a) if na else None, _edge(b) if nb else None
    elif n == 1 and type(inputs[0]) is Tensor:
        a = inputs[0]
        if a._base is not None and a._vc[0] != a._view_version and state.enabled:
            refresh_view(a)
        na = state.enabled and a._rg
        fn.needs_input_grad = _NEEDS1[na]
        try:
            out = fn.forward(a._data, *args) if args else fn.forward(a._data)
        except FP_SIGNALS:
            out = quietly(fn.forward, a._data, *args)
        except Exception:
            forward_failed(cls, inputs, (a._data,), na)
            raise
        if not na:
            if cls.complex_rule is None:
                refuse_complex(cls, (a._data,), out)
            return _wrap(out, inputs, cls, None)
        if out.dtype in _COMPLEX or cls.complex_rule is None:
            complex_node(fn, (a._data,), out)
        fn.id = next(_seq)
        fn._e0, fn._e1 = _edge(a), _ONE
    else:
        return _apply_any(fn, cls, inputs, args)
    if state.anomaly:
        fn._stack = user_stack()
    if emit.sinks:  # the output's tensor_allocated goes with node_created, in one put
        if cls.is_view:
            result = _wrap(out, inputs, cls, fn)
            _finish(fn, inputs, None, result, out, None)
        else:
            result = Tensor._make(out, fn, record=False)
            _finish(fn, inputs, None, result, out, None, True)
        return result
    result = _wrap(out, inputs, cls, fn) if cls.is_view else Tensor._make(out, fn)
    if fn._pending is not None:
        _finish(fn, inputs, None, result, out, None)
    elif cls.saves_output is not None:  # the usual save, kept on the node itself
        vc = fn._one_vc = result._vc
        fn._one_slot, fn._one_version, fn._one_is_output = cls.saves_output, vc[0], True
        fn._one_data, fn._one_buffer, fn._one_id = result._data, result._buffer, result._id
    return result


def _needs(inputs) -> tuple[tuple, bool]:
    """Which inputs need a gradient, and whether any does (never, outside grad mode)."""
    if not state.enabled:
        return (False,) * len(inputs), False
    for t in inputs:
        if type(t) is Tensor and t._view_is_stale():
            refresh_view(t)
    needs = tuple([type(t) is Tensor and t._rg for t in inputs])
    return needs, True in needs


def _apply_any(fn, cls, inputs, args):
    """``apply`` for any number of inputs (and for ops that give only some inputs edges)."""
    needs, record = _needs(inputs)
    fn.needs_input_grad = needs
    arrays = [t._data if type(t) is Tensor else t for t in inputs]
    try:
        out = run_rule(fn.forward, *arrays, *args)
    except Exception:
        forward_failed(cls, inputs, arrays, record)
        raise
    if not record:
        if cls.complex_rule is None:
            refuse_complex(cls, arrays, out)
        return _wrap(out, inputs, cls, None)
    if cls.complex_rule is None or _complex_out(out):
        complex_node(fn, arrays, out)
    _init_node(fn, inputs, needs)
    if cls.is_view or not emit.sinks:
        result = _wrap(out, inputs, cls, fn)
        _finish(fn, inputs, arrays, result, out, None)
    else:  # the output's tensor_allocated goes with node_created, in one put
        result = Tensor._make(out, fn, record=False)
        _finish(fn, inputs, arrays, result, out, None, True)
    return result


def apply_inplace(cls: type[Function], target, inputs: tuple, *args):
    """Run op ``cls`` out of place, write its result into ``target`` and rebase its grad_fn.

    ``inputs[0]`` is ``target``. As in torch, an input the op saves that is about to be
    overwritten is saved as a copy, and the version counter of ``target`` is bumped.
    """
    if _dual:
        from .forward_ad import apply_inplace_dual

        return apply_inplace_dual(cls, target, inputs, args)
    if target._multi_view and state.enabled:  # before ``_needs`` refreshes it, as torch
        _refuse_multi_view_write(target, inputs)
    fn = cls.__new__(cls)
    fn._pending = None
    needs, record = _needs(inputs)
    base = target._base
    if base is not None and not target._view_in_grad_mode and (record or base._rg):
        if state.enabled:  # the write would be recorded through a view made in no_grad
            raise RuntimeError(no_grad_view_message(target, M_NO_GRAD_VIEW_INPLACE))
    if record:
        if target._grad_node() is None and target._rg:
            raise RuntimeError(M_LEAF_INPLACE)
        base = target._base
        if base is not None and base._grad_node() is None and base._rg:
            raise RuntimeError("a view of a " + M_LEAF_INPLACE[2:])
        if base is not None and base._data.dtype != target._data.dtype:
            raise NotImplementedError(M_DTYPE_VIEW.format(what="written in place"))

    fn.needs_input_grad = needs
    arrays = [t._data if type(t) is Tensor else t for t in inputs]
    data = arrays[0]
    if type(data) is not np.ndarray or not data.flags.writeable:  # a view of repeats?
        if not cls.writes_repeats and repeats_memory(data):
            raise RuntimeError(M_INTERNAL_OVERLAP)
        arrays[0] = data = writable(data)
    if cls.refuses_partial_overlap:
        for t in inputs[1:]:
            if (
                type(t) is Tensor
                and t._buffer is target._buffer
                and partially_overlaps(data, t._data)
            ):
                raise RuntimeError(M_PARTIAL_OVERLAP)
    try:
        out = run_rule(fn.forward, *arrays, *args)
    except Exception:
        forward_failed(cls, inputs, arrays, record)
        raise
    if not record and cls.complex_rule is None:
        refuse_complex(cls, arrays, out)
    if record:
        if cls.complex_rule is None or _complex_out(out):
            complex_node(fn, arrays, out)
        _init_node(fn, inputs, needs)
        pending = fn._pending
        if pending:  # as torch, keep a copy of the target as it was (``original_self``)
            fn._pending = {
                slot: arr.copy() if arr is data and slot == "self" else arr
                for slot, arr in pending.items()
            }
            fn._copied = ("self",) if pending.get("self") is data else ()
    if out is not data:
        check_inplace_result(data, out.shape, out.dtype)
        data[...] = out
    target._vc[0] += 1
    if base is not None and not record and target._view_version == target._vc[0] - 1:
        if not target._multi_view:  # (which is refused on use)
            target._view_version = target._vc[0]  # a view written itself is not behind its base
    if record:
        _rebase(target, fn)
        target._rg = True
        _finish(fn, inputs, arrays, target, out, target)
        if fn._saved:
            _saved_before_write(fn._saved, target._vc)
        if base is not None:  # through a view: the base's graph changes as well
            from ..ops.shape import rebase_view

            rebase_view(fn, target, inputs, needs)
    return target


def apply_view_inplace(cls: type[Function], target, *args):
    """Give ``target`` a new shape or order of dims in place (``unsqueeze_``, ``t_``, ...):
    the same memory seen through a new view op ``cls``, its version bumped, and, where
    autograd records it, ``cls``'s node (torch's in-place one, ``UnsqueezeBackward1``)
    over the node ``target`` had."""
    if _dual:
        raise RuntimeError(
            f"{cls._name}: gradscope does not change a tensor's shape in place under "
            "forward-mode AD; use the out-of-place op"
        )
    if target._multi_view and state.enabled:
        _refuse_multi_view_write(target, (target,))
    record = state.enabled and target._rg
    base = target._base
    if record:
        if target._grad_fn is None:
            raise RuntimeError(M_LEAF_INPLACE)
        if base is not None and not target._view_in_grad_mode:
            raise RuntimeError(no_grad_view_message(target, M_NO_GRAD_VIEW_INPLACE))
        if base is not None and target._vc[0] != target._view_version:
            refresh_view(target)
    fn = cls.__new__(cls)
    fn._pending = None
    fn.needs_input_grad = (record,)
    old = target._data
    try:
        out = run_rule(fn.forward, old, *args)
    except Exception:
        forward_failed(cls, (target,), (old,), record)
        raise
    if not record and cls.complex_rule is None:
        refuse_complex(cls, (old,), out)
    if record:
        complex_node(fn, (old,), out)
        _init_node(fn, (target,), (True,))
    target._data = out
    target._vc[0] += 1
    if base is not None:
        target._view_version = target._vc[0]
    if record:
        _rebase(target, fn, moves_retain=False)
        _finish(fn, (target,), [old], target, out, target)
    return target


def _rebase(target, fn, moves_retain: bool = True) -> None:
    """Make node ``fn`` of an in-place op ``target``'s grad_fn; a ``retain_grad`` on
    ``target`` follows the tensor to it, but for an in-place change of shape (``t_``),
    where torch leaves it with the old node: ``.grad`` keeps the shape it was asked for."""
    old = target._grad_fn
    if moves_retain and old is not None and old._retain is not None and old._retain() is target:
        fn._retain, old._retain = old._retain, None
        fn._watched = True
    target.grad_fn = fn


def check_inplace_result(data, shape: tuple, dtype) -> None:
    """torch's checks that a result of ``shape`` and ``dtype`` may be written into array
    ``data`` in place: the shape first, then the cast (not down a kind)."""
    if shape != data.shape:
        raise RuntimeError(
            f"output with shape {shape_str(data.shape)} doesn't match the broadcast "
            f"shape {shape_str(shape)}"
        )
    if dtype != data.dtype and _KIND_RANK[dtype.kind] > _KIND_RANK[data.dtype.kind]:
        raise RuntimeError(
            f"result type {scalar_type_name(dtype)} can't be cast to the desired "
            f"output type {scalar_type_name(data.dtype)}"
        )


def _saved_before_write(saved: dict, vc: list) -> None:
    """Date back to before the write what an in-place op saved of a tensor that shares its
    target's version counter (``a.mul_(a)`` saves ``other=a``): torch saves it at the
    version it had, so backward through it raises the version error, as in torch."""
    for slot, st in saved.items():
        if st[2] is vc and not st[6]:
            saved[slot] = SavedTensor((*st[:3], vc[0] - 1, *st[4:]))


# torch's casting rule for an in-place result: not down these ranks (float into an integer
# tensor, an integer into a bool one); within one, any size
_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def _init_node(fn, inputs, needs) -> None:
    fn.id = next(_seq)
    fn._pre_hooks = fn._post_hooks = fn._tensor_hooks = fn._retain = None
    fn._stack = user_stack() if state.anomaly else None
    if fn._edges is not None:
        inputs = inputs[: fn._edges]
    fn._next = tuple([_edge(t) if need else None for t, need in zip(inputs, needs)])


def _finish(fn, inputs, arrays, result, out, inplace_target, alloc: bool = False) -> None:
    """Record the node and resolve what it saved; with ``alloc``, record the allocation of
    its output (``result``, made by ``Tensor._make(..., record=False)``) first."""
    tracing = emit.sinks
    pending = fn._pending
    slot = fn.saves_output
    if tracing:
        b = fn._e1
        if b is _MANY:
            ids = tuple([n.id if n is not None else None for n in fn._nx])
        else:  # the usual cases written out, without a comprehension's frame
            a = fn._e0
            a = None if a is None else a.id
            if b is _ONE:
                ids = (a,)
            else:
                ids = (a, None if b is None else b.id)
        shape, dtype = emit.shape_of(out.shape), dtype_str(out.dtype)
        buf = result._buffer
        device, node_id, tid = buf[2], fn.id, result._id
        # The op's events happen at one moment, with nothing allocated between: they share
        # a timestamp and live count, and go to the recorder as one put.
        t, live = perf_counter(), buffers.live_total
        events = (
            _CREATED,
            t,
            device,
            live,
            node_id,
            fn._name,
            ids,
            tid,
            user_site(3),
            shape,
            dtype,
        )
        if alloc:
            events = (
                _ALLOCATED, t, device, live, buf[0], tid, buf[1], shape, dtype, "activation",
                node_id, None,
            ) + events  # fmt: skip
        if pending is None and slot is not None and inplace_target is None:
            # the usual save, its output alone, written out and kept in the node itself
            vc = fn._one_vc = result._vc
            fn._one_slot, fn._one_version, fn._one_is_output = slot, vc[0], True
            fn._one_data, fn._one_buffer, fn._one_id = result._data, buf, tid
            emit.put(
                events + (_SAVED, t, device, live, node_id, buf[0], tid, slot, buf[1], False, shape, dtype)
            )  # fmt: skip
            return
        emit.put(events)
    if slot is not None:
        pending = {slot: out} if pending is None else {slot: out, **pending}
    if pending:
        saves = _resolve_saves(fn, pending, inputs, arrays, result, out, tracing)
        if saves is not None:
            fn._saves = saves
        fn._pending = None


def record_node(node, src, arr) -> None:
    """Record ``node_created`` for a node made outside ``apply``, over input ``src``, with
    no output tensor of its own (``unbind``'s: its outputs are views)."""
    emit.put(
        (
            _CREATED,
            perf_counter(),
            src._buffer[2],
            buffers.live_total,
            node.id,
            node._name,
            tuple([None if n is None else n.id for n in node._next]),
            None,
            user_site(2),
            emit.shape_of(arr.shape),
            dtype_str(arr.dtype),
        )
    )


def release_saves(node: Node, dev: str) -> None:
    """Drop what ``node`` saved (its bytes leave the live count as the last holders go),
    recording ``graph_freed`` on ``dev`` while tracing: backward's release, and a dropped
    graph's (``_drop_graph``)."""
    global _reported
    saved = node._saves
    if saved is not None:
        node._slots = tuple(saved)  # (a node that kept one save names it in ``_one_slot``)
    for name in node._released_with:
        node.__dict__.pop(name, None)
    tracing = emit.sinks
    before, reported = buffers.live_total, _reported
    if saved is None:  # (Node._saved's setter, written out: this runs for every node)
        node._one_vc = node._one_data = node._one_buffer = node._one_ref = None
    else:
        node._saves = None
        if tracing:  # now, not when this frame ends: the bytes it frees are counted here
            saved.clear()
    if tracing:
        live = buffers.live_total
        # A saved tensor can hold the last reference to another node (an input whose
        # grad_fn an in-place op replaced); that node's release, inside this one, has
        # reported its own bytes.
        nbytes = before - live - (_reported - reported)
        _reported += nbytes
        emit.put((_FREED, perf_counter(), dev, live, node.id, nbytes))


_reported = 0  # bytes all graph_freed events so far have reported


def _drop_graph(node: Node) -> None:
    """``Node.__del__`` (from the first trace on): while a trace records, a node that goes
    with its saves still held (its graph dropped without backward) lets go of them and
    records ``graph_freed``, as backward's release does."""
    if not emit.sinks:
        return
    saves = node._saves
    buf = node._one_buffer
    if buf is None and not saves:  # nothing held, or backward released it
        return
    try:
        # (the device only: holding the buffer here would keep its bytes past the count)
        device = (buf if buf is not None else next(iter(saves.values()))[1])[2]
        buf = saves = None
        release_saves(node, device)
    except Exception:  # interpreter shutdown: module globals may already be gone
        pass


def _finalize_nodes() -> None:
    # Only a node's finalizer sees its graph dropped without backward, which a trace
    # records. A finalizer is a Python call in every node's deallocation (about 2% of an
    # untraced op), so nodes get one when recording first begins, not before; and they
    # keep it, since changing the base class changes every node class, after which the
    # interpreter specialises each read of a node's attributes again (a trace started and
    # stopped around each 200-op chain cost 4-6k instructions per op more).
    if "__del__" not in Node.__dict__:
        Node.__del__ = _drop_graph


emit.on_begin(_finalize_nodes)


def _edge(t) -> Node:
    """Where input ``t``'s gradient goes: its grad_fn, or its leaf's ``AccumulateGrad``
    (``apply`` has brought a view's grad_fn up to date first)."""
    fn = t._grad_fn
    if fn is not None:
        return fn
    return None if t._grad_to_nowhere else t._accumulate_node()


def _refuse_multi_view_write(target, inputs, op: str | None = None) -> None:
    """Raise torch's error for a write into ``target``, an output of a function of several
    views (``unbind``, ``split``) or a view of one, if the write would be recorded; ``op``
    names the view of ``target`` written through, if any (``Select`` for ``t[0] = v``)."""
    if target._rg or any(type(t) is Tensor and t._rg for t in inputs[1:]):
        raise RuntimeError(_multi_view_message(target, "is being", op))


def _multi_view_message(view, what: str, op: str | None = None) -> str:
    """torch's refusal of an in-place write that touches ``view``, an output of a function
    of several views or a view of one; ``what`` says whether it ``is being`` written, or
    ``its base or another view of its base has been``; ``op`` names a view of ``view`` that
    the write goes through."""
    tail = (
        " This view is the output of a function that returns multiple views. Such functions "
        "do not allow the output views to be modified inplace. You should replace the inplace "
        "operation by an out-of-place one."
    )
    edge = view._grad_fn
    if edge is None:  # a view of a tensor that did not require grad
        return (
            f"A view was created in no_grad mode and {what} modified inplace with grad mode "
            f"enabled.{tail}"
        )
    if op is not None:
        nr = 0
    else:
        nr, node = (edge.nr, edge.node) if edge._hidden else (0, edge)
        op = _short_name(node._name)
    return f"Output {nr} of {op} is a view and {what} modified inplace.{tail}"


def no_grad_view_message(view, message: str, op: str | None = None) -> str:
    """torch's refusal ``message`` (``M_NO_GRAD_VIEW_INPLACE``, ``M_NO_GRAD_VIEW_WRITTEN``)
    for ``view``, made in no_grad mode; where the view written is one made of such a view
    (by ``op``, else by ``view``'s own op) and so has a grad_fn in torch (its base requires
    grad), torch names it."""
    op = op or view._no_grad_via
    if op is None or not view._base._rg:
        return message
    lead = "A view was created in"
    return (
        f"Output 0 of {_short_name(op)} is a view of a view which was created in"
        + message[len(lead) :]
    )


def _short_name(name: str) -> str:
    """A node's name as torch's errors give it: ``SelectBackward0`` is ``Select``,
    ``SqueezeBackward1`` ``Squeeze1``; a name without ``Backward`` is kept, as is a C++
    node's (``torch::autograd::CopyBackwards``)."""
    i = name.rfind("Backward")
    if i < 0 or "::" in name:
        return name
    op = name[:i] + name[i + len("Backward") :]
    return op[:-1] if op.endswith("0") else op


def refresh_view(view) -> None:
    """Bring a view's grad_fn up to date after an in-place write to its base or to a
    sibling view, as torch does when the view is next used: a new ``AsStridedBackward0``
    over the base's current node, if the base now requires grad. A view made in no_grad
    mode raises torch's error instead, as does an output of ``unbind`` or ``split`` or a
    view of one. (Its values need nothing: it shares the memory.)"""
    base = view._base
    if view._multi_view and (view._grad_fn is not None or base._rg):  # torch refuses it
        what = "its base or another view of its base has been"
        raise RuntimeError(_multi_view_message(view, what))
    if not base._rg:
        view._view_version = view._vc[0]
        return
    if not view._view_in_grad_mode:
        raise RuntimeError(no_grad_view_message(view, M_NO_GRAD_VIEW_WRITTEN))
    if base._data.dtype != view._data.dtype:
        raise NotImplementedError(M_DTYPE_VIEW.format(what="after its memory was written in place"))
    view._view_version = view._vc[0]
    from ..ops.shape import AsStridedBackward0, Geometry

    node = AsStridedBackward0.__new__(AsStridedBackward0)
    node._pending = None
    node.geometry = Geometry.of(base._data, view._data)
    node.needs_input_grad = (True,)
    _init_node(node, (base,), (True,))
    _rebase(view, node)  # a retain_grad follows the view to its new node (its hooks do not)
    view._rg = True
    _finish(node, (base,), [base._data], view, view._data, None)


# (a set lookup costs less than ``dtype.kind``, and every recorded op makes it)
_COMPLEX = frozenset((np.dtype(np.complex64), np.dtype(np.complex128)))


def _complex_out(out) -> bool:
    """Whether an op's output (an array or a tuple of them) is complex: for an op whose
    rule is known right for complex tensors, the only check, since a complex input gives
    it a complex output (those with a real one, ``abs`` or ``var``, need nothing more)."""
    if type(out) is tuple or type(out) is list:
        return any(getattr(o, "dtype", None) in _COMPLEX for o in out)
    return getattr(out, "dtype", None) in _COMPLEX


def _any_complex(arrays, out) -> bool:
    """Whether an input (an array or a number) or an output of an op is complex."""
    return _complex_dtype(arrays, out) is not None


def _conj(g):
    """The conjugate of a gradient: an array, None, or a tuple of them (one per output)."""
    if g is None:
        return None
    if type(g) is tuple or type(g) is list:
        return type(g)(map(_conj, g))
    return g.conj() if hasattr(g, "conj") else g


def _complex_dtype(arrays, out):
    """The dtype of the first complex input (an array or a number: a Python complex
    number's is torch's default) or output of an op; None if none is complex."""
    for v in (*arrays, *out) if type(out) is tuple or type(out) is list else (*arrays, out):
        if type(v) is complex:
            return dtypes.default_complex()
        dtype = getattr(v, "dtype", None)
        if dtype is not None and dtype.kind == "c":
            return dtype
    return None


def refuse_complex_grad_of(fn, *arrays) -> None:
    """For an op whose output is real though its inputs are complex (so ``apply`` does
    not look at them), complex rule ``"no_grad"``: refuse to record it over complex inputs."""
    if True in fn.needs_input_grad and _any_complex(arrays, ()):
        raise NotImplementedError(f"{fn._name}: gradscope {_NO_COMPLEX_GRAD}")


def refuse_complex(cls, arrays, out) -> None:
    """Refuse op ``cls`` run without a graph over complex tensors, unless its forward is
    known right for them (``complex_rule`` set)."""
    if _any_complex(arrays, out):
        raise complex_refusal(cls._name, _complex_dtype(arrays, out))


def forward_failed(cls, inputs, arrays, record: bool) -> None:
    """Name the cause of op ``cls``'s failed forward where it is one gradscope knows:
    tensors on two devices (torch's error), or complex tensors that the op refuses anyway
    (the refusal it would give had the forward run: CuPy and NumPy fail on different
    dtypes). Returns otherwise, and the forward's own error stands."""
    devices = {t._buffer.device for t in inputs if type(t) is Tensor}
    if len(devices) > 1:
        raise RuntimeError(devices_differ(devices)) from None
    rule = cls.complex_rule
    if (rule is None or (rule == "no_grad" and record)) and _any_complex(arrays, ()):
        if rule is None:
            raise complex_refusal(cls._name, _complex_dtype(arrays, ())) from None
        raise NotImplementedError(f"{cls._name}: gradscope {_NO_COMPLEX_GRAD}") from None


_NO_COMPLEX_GRAD = "does not differentiate this op over complex tensors"


def complex_node(fn, arrays, out) -> None:
    """Ready node ``fn`` for complex tensors among its inputs ``arrays`` or its ``out``
    (an array or a tuple of them), or refuse them where its rule would be wrong for them.

    A real input's gradient is the real part of the complex one, as torch's. Nothing is
    done when all are real.
    """
    if not _any_complex(arrays, out):
        return
    rule = fn.complex_rule
    if rule is None:
        raise complex_refusal(fn._name, _complex_dtype(arrays, out))
    if rule == "no_grad":
        raise NotImplementedError(f"{fn._name}: gradscope {_NO_COMPLEX_GRAD}")
    real = tuple(a.dtype if hasattr(a, "dtype") and a.dtype.kind != "c" else None for a in arrays)
    # the node holds this function: it reaches the node weakly, so that a graph is still
    # freed by reference counting alone
    node, backward = weakref.ref(fn), type(fn).backward

    def complex_backward(*grads):
        if rule == "conj":
            got = backward(node(), *map(_conj, grads))
            got = [_conj(g) for g in got]
        else:
            got = backward(node(), *grads)
        return tuple(
            g.real.astype(dt) if dt is not None and g is not None and g.dtype.kind == "c" else g
            for g, dt in zip(got, real + (None,) * (len(got) - len(real)))
        )

    name = fn._name

    def no_graph(*grads):
        raise NotImplementedError(
            f"{name}: gradscope does not differentiate the backward of an op over complex "
            "tensors (create_graph=True)"
        )

    fn.backward = complex_backward  # this node's alone: the class keeps the real path
    fn.backward_graph = no_graph


def _wrap(out, inputs, cls, node):
    """The output tensor: sharing input 0's buffer for views, else a new buffer.

    (``Tensor._make`` turns the NumPy scalars that 0-d results come back as into arrays.)
    """
    if cls.is_view:
        src = inputs[0]
        base = out.base
        sd = src._data
        if out is sd or (base is not None and (base is sd or base is sd.base)):
            t = Tensor._view(out, src, node, cls._name)
            if cls.unsafe_view:
                t._base, t._vc = None, [0]
            return t
    return Tensor._make(out, node)


def _resolve_saves(fn, pending, inputs, arrays, result, out, tracing):
    """Each saved value as a ``SavedTensor``: the output's buffer, an input's, or a new one;
    or None, when the node keeps its one saved value in its own attributes (``_one_*``).

    A Python number is kept as it is, accounted as the 8-byte 0-dim tensor torch wraps it
    in; an array is made of it only if someone asks for it (``_saved_other``).
    """
    if len(pending) == 1:
        ((slot, arr),) = pending.items()
        if arr is None:
            return {}
        (
            fn._one_data,
            fn._one_buffer,
            fn._one_vc,
            fn._one_version,
            fn._one_id,
            fn._one_ref,
            fn._one_is_output,
        ) = (
            _save(fn, slot, arr, inputs, result, out)
            if tracing
            else _record(fn, slot, arr, inputs, result, out, False)[0]
        )
        fn._one_slot = slot
        return None
    saved = {}
    for slot, arr in pending.items():
        if arr is not None:
            fields = (
                _save(fn, slot, arr, inputs, result, out)
                if tracing
                else _record(fn, slot, arr, inputs, result, out, False)[0]
            )
            saved[slot] = SavedTensor(fields)
    return saved


def _save(fn, slot, arr, inputs, result, out) -> tuple:
    """``_record``'s fields for ``arr``, saved under ``slot`` while tracing, with its
    ``tensor_saved`` recorded (and, for a new allocation, its ``tensor_allocated``)."""
    if type(arr) in _NUMBERS:
        # a number, kept as it is and accounted as torch's 0-dim tensor (as ``_record``
        # does): its allocation and its save, recorded at one moment in one put
        device, node_id, dtype = result._buffer[2], fn.id, _number_dtype(arr)
        buf = buffers.new(8, device)
        t, live = perf_counter(), buffers.live_total
        emit.put((
            _ALLOCATED, t, device, live, buf[0], None, 8, (), dtype, "activation", node_id,
            f"{fn._name}.{slot}",
            _SAVED, t, device, live, node_id, buf[0], None, slot, 8, True, (), dtype,
        ))  # fmt: skip
        return (arr, buf, [0], 0, None, None, False)
    fields, new = _record(fn, slot, arr, inputs, result, out, True)
    data, (buffer_id, nbytes, device) = fields[0], fields[1]
    emit.put(
        (
            _SAVED,
            perf_counter(),
            device,
            buffers.live_total,
            fn.id,
            buffer_id,
            fields[4],  # tensor_id
            slot,
            nbytes,
            new,
            emit.shape_of(data.shape),
            dtype_str(data.dtype),
        )
    )
    return fields


def _record(fn, slot, arr, inputs, result, out, tracing) -> tuple[tuple, bool]:
    """The fields of the ``SavedTensor`` for ``arr``, saved under ``slot``, and whether it
    is a new allocation (a number or an array the op made; else the output or an input)."""
    if arr is out:
        vc = result._vc
        return (result._data, result._buffer, vc, vc[0], result._id, None, True), False
    if type(arr) in _NUMBERS:  # kept as the number; accounted as torch's 0-dim tensor
        # (while tracing, ``_save`` saves numbers itself, to record them in one put)
        return (arr, buffers.new(8, result._buffer[2]), [0], 0, None, None, False), True
    for src in inputs:
        if type(src) is Tensor and src._data is arr:
            vc = src._vc
            return (arr, src._buffer, vc, vc[0], src._id, src, False), False
    name = f"{fn._name}.{slot}" if tracing else None
    buf = buffers.account(arr, result._buffer[2], "activation", fn.id, name)
    return (arr, buf, [0], 0, None, None, False), True


_NUMBERS = frozenset((int, float, bool, complex))


def _number_dtype(v) -> str:
    """The dtype torch wraps a Python number in: int64 for ints and bools, complex128 for
    complex numbers, else float64."""
    if isinstance(v, int):
        return "int64"
    return "complex128" if isinstance(v, complex) else "float64"


def _saved_array(st: SavedTensor):
    """The saved array (a saved Python number becomes its 0-dim int64/float64 array)."""
    data = st.data
    if hasattr(data, "shape"):
        return data
    import numpy as np

    return np.asarray(data, dtype=_number_dtype(data))


def _saved_as_tensor(st: SavedTensor, node: Node):
    """A saved value as torch's ``_saved_<slot>`` gives it: an input is that tensor, the
    node's own output a tensor whose grad_fn is the node, anything else a plain tensor."""
    if st.vc[0] != st.version:
        raise RuntimeError("the saved tensor was modified by an inplace operation")
    ref = st.ref
    if ref is not None and ref._data is st.data:
        return ref
    t = Tensor._share(_saved_array(st), st.buffer, st.vc)
    if st.is_output:
        t._grad_fn, t._rg = node, True
    return t


def _version_message(node: Node, st: SavedTensor) -> str:
    data = _saved_array(st)
    dev = "cuda" if type(data).__module__.startswith("cupy") else "cpu"
    kind = tensor_type_name(data.dtype, dev)
    if data.dtype.kind in "bc":  # torch names these by their C++ type here
        name = "Bool" if data.dtype.kind == "b" else scalar_type_name(data.dtype)
        kind = f"{'CUDA' if dev == 'cuda' else 'CPU'}{name}Type"
    # an input is described as it is now, as torch's saved variable shares the tensor
    # (``unsqueeze_`` after the save shows the new shape); the node's own output as saved
    shape = st.ref._data.shape if st.ref is not None and not st.is_output else data.shape
    desc = f"[{kind} {shape_str(shape)}]"
    producer = None
    if st.is_output:
        producer = node.name()
    elif st.ref is not None:
        producer_node = st.ref._grad_node()
        if producer_node is not None:
            producer = producer_node.name()
    hint = M_VERSION_HINT_ANOMALY if state.anomaly else M_VERSION_HINT
    msg = (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {desc}"
    )
    if producer is not None:
        msg += f", which is output 0 of {_short_name(producer)},"
    return f"{msg} is at version {st.vc[0]}; expected version {st.version} instead. {hint}"


def once_differentiable(fn):
    """Mark a custom function's ``backward`` as not differentiable itself (where torch has
    it, ``torch.autograd.function.once_differentiable``)."""
    from .custom import once_differentiable as mark

    return mark(fn)
