"""Forward-mode AD: dual tensors whose tangent is pushed through every op as it runs.

Inside ``dual_level()``, ``make_dual(primal, tangent)`` gives a tensor carrying a tangent;
every op then also computes the tangent of its output, a Jacobian-vector product, with
its ``Function.jvp(xs, out, tangents)``. Outside a dual level ops pay nothing for this:
``apply`` checks one module-level flag. As in torch::

    with gs.autograd.forward_ad.dual_level():
        d = make_dual(a, t)
        primal, tangent = unpack_dual(f(d))     # tangent == J_f(a) @ t

One forward pass gives one column of the Jacobian (one JVP per op); reverse mode gives
one row per backward. Reverse mode over forward mode (``backward`` through a tangent,
``grad(jvp(f))``) is not supported: tangents are computed without a graph, so a tangent
that depends on tensors requiring grad gets a ``TangentBackward`` grad_fn that raises
``NotImplementedError`` when a backward reaches it. Forward over reverse
(``jvp(grad(f))``) works. ``node_evaluations()`` counts the JVPs, so the two costs can be
compared.
"""

from __future__ import annotations

import itertools
import weakref
from collections import namedtuple

import numpy as np

from ..backend import run_rule, xp_of
from ..errors import shape_str
from . import function
from .grad_mode import state

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "node_evaluations",
    "reset_node_evaluations",
    "unpack_dual",
]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_levels = itertools.count()
_level: int | None = None
_tracked: list = []  # weak references to the tensors given a tangent at this level
_evaluations = 0
jvp_depth = 0  # how many ``gs.func.jvp`` calls are running their function (backward refuses)


def enter_dual_level() -> int:
    """Start a dual level (only one at a time, as in torch) and return it."""
    global _level
    if _level is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _level = next(_levels)
    function._dual = True
    return _level


def exit_dual_level(*, level: int | None = None) -> None:
    """End the dual level: every tangent made inside it is dropped."""
    global _level
    if _level is None and level is None:
        raise RuntimeError("Dual level must be a positive number.")
    if _level is None or (level is not None and level != _level):
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    function._dual = False
    _level = None
    for ref in _tracked:
        t = ref()
        if t is not None:
            d = t.__dict__
            for key in [k for k in d if k.endswith("_tangent") or k.startswith("_tangent_")]:
                del d[key]  # (``_tangent``, ``_copied_tangent``, a node's ``_tangent_<slot>``)
            d.pop("_fw_base", None)
    _tracked.clear()


class dual_level:  # noqa: N801 - torch's name
    """Context manager for a forward-AD level: ``with dual_level(): ...``."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> None:
        exit_dual_level()


def node_evaluations() -> int:
    """How many forward-mode node evaluations (JVPs) ran since the last reset."""
    return _evaluations


def reset_node_evaluations() -> None:
    global _evaluations
    _evaluations = 0


# --------------------------------------------------------------------------- tangents
#
# A tensor's tangent at the current level is ``t.__dict__["_tangent"]``: ``(level, tangent
# tensor, the version of t it is the tangent of, link)``. Tangents are computed on arrays and
# carry no graph; ``link`` (a ``_Link``, or None) says what reverse mode would have to
# differentiate through to reach the tensors that require grad the tangent depends on.


M_REVERSE_THROUGH_TANGENT = (
    "reverse-mode AD through a forward-mode tangent is not supported: gradscope computes "
    "tangents without a graph, so the gradient through a tangent that depends on tensors "
    "requiring grad (backward() or grad() of it, as in grad(jvp(f))) cannot be computed"
)


class _Link:
    """What a tangent depends on in reverse mode: ``node``, the grad_fn of the tensor it is
    the tangent of (when that requires grad), and ``deps``, the graph nodes of other
    tensors it depends on (tangents that require grad, primals of its inputs)."""

    __slots__ = ("node", "deps", "graph")

    def __init__(self, node, deps: tuple) -> None:
        self.node = node
        self.deps = deps
        self.graph = None  # the TangentBackward node, once the tangent is unpacked

    def nodes(self) -> tuple:
        return self.deps if self.node is None else (self.node, *self.deps)


class TangentBackward(function.Function):
    """The grad_fn of an unpacked tangent that, in torch, would require grad: it leads to
    what the tangent depends on, and refuses to be differentiated."""

    _name = "TangentBackward"

    def backward(self, grad):
        raise NotImplementedError(M_REVERSE_THROUGH_TANGENT)

    def backward_graph(self, grad):
        raise NotImplementedError(M_REVERSE_THROUGH_TANGENT)


def _link(node, entries) -> _Link | None:
    """The link of a tangent computed (in grad mode) from the tangents ``entries`` for a
    tensor whose grad_fn is ``node``: what they depend on, less what ``node`` leads to."""
    if not state.enabled:
        return None
    deps: list = []
    for entry in entries:
        link = entry[3] if entry is not None and entry[0] == _level else None
        if link is None:
            continue
        found = link.deps if node is not None else link.nodes()
        for n in found:
            if not any(n is m for m in deps):
                deps.append(n)
    if node is None and not deps:
        return None
    return _Link(node, tuple(deps))


def _entries(inputs) -> list:
    return [getattr(t, "_tangent", None) for t in inputs]


def _fw_base(t):
    """The tensor whose tangent ``t``'s is a view of: its storage base, except that a dual
    made by ``make_dual`` is its own (its primal has no tangent), and so is the base of the
    views made of it."""
    d = t.__dict__
    return d["_fw_base"] if "_fw_base" in d else t._base


def _tangent(t):
    """The tangent array of tensor ``t`` at the current level, or None."""
    entry = getattr(t, "_tangent", None)
    if entry is None or entry[0] != _level:
        return None
    if entry[2] != t._vc[0]:
        base = _fw_base(t)
        if base is not None:
            return _view_tangent(t, entry, base)
    return entry[1]._data


def _view_tangent(view, entry, base):
    """A view's tangent after an in-place write to its base or a sibling view: its part of
    the base's tangent now (as torch's, a view's tangent is a view of its base's)."""
    from ..ops.shape import Geometry

    bt = _tangent(base)
    if bt is None:  # the base has none: the view keeps its own
        view.__dict__["_tangent"] = (entry[0], entry[1], view._vc[0], entry[3])
        return entry[1]._data
    geom = Geometry.of(base._data, view._data)
    xp = xp_of(bt)
    mem, _ = geom.base_copy(xp, bt)
    arr = geom.view_array(xp, mem).copy()
    _set_tangent(view, arr, link=_link(None, [base.__dict__.get("_tangent")]))
    return arr


def _set_tangent(t, arr, sources=(), link=None) -> None:
    """Give ``t`` the tangent ``arr``. When ``arr`` is, or is a view of, the array of one of
    ``sources`` (tangent tensors: the inputs' tangents, the one ``make_dual`` was given),
    it shares that buffer; otherwise its bytes are new."""
    from ..tensor import Tensor

    base = getattr(arr, "base", None)
    for src in sources:
        d = src._data
        if arr is d or (base is not None and (base is d or base is d.base)):
            tan = Tensor._share(arr, src._buffer, src._vc)
            break
    else:
        tan = Tensor._make(arr, None, role="temp", name="tangent")
    t.__dict__["_tangent"] = (_level, tan, t._vc[0], link)  # the version it is the tangent of
    _tracked.append(weakref.ref(t))


def _remember(fn, t) -> None:
    """A node that saved its output keeps that output's tangent, so that the output rebuilt
    from the node's saves (``Function.saved_tensor``, under ``create_graph``) has it too."""
    saved = fn._saved
    entry = t.__dict__.get("_tangent")
    if entry is not None and saved and any(st.is_output for st in saved.values()):
        link = entry[3]
        if link is not None:  # (the node is the one that holds it: no cycle through it)
            link = _Link(None, link.deps)
        fn.__dict__["_tangent"] = (*entry[:3], link)
        _tracked.append(weakref.ref(fn))


def lend_tangent(node, t, key: str = "_tangent") -> None:
    """Give ``t``, a value rebuilt from ``node``'s saves, the tangent it had: the output's
    (``_tangent``), or an in-place op's target's before the write (``_copied_tangent``)."""
    entry = node.__dict__.get(key)
    if entry is not None and entry[0] == _level:
        link = entry[3]
        if link is not None:
            node = t._grad_fn
            link = _Link(node, tuple(n for n in link.nodes() if n is not node))
        t.__dict__["_tangent"] = (entry[0], entry[1], t._vc[0], link)
        _tracked.append(weakref.ref(t))


def _tangent_tensors(inputs) -> list:
    """The tangent tensors of ``inputs`` at the current level (what a JVP may hand on)."""
    out = []
    for t in inputs:
        entry = getattr(t, "_tangent", None)
        if entry is not None and entry[0] == _level:
            out.append(entry[1])
    return out


def _quiet(fn, *args):
    """Run an op with forward mode paused (for the views make_dual and unpack_dual return)."""
    function._dual = False
    try:
        return fn(*args)
    finally:
        function._dual = _level is not None


def make_dual(tensor, tangent, *, level: int | None = None):
    """A view of ``tensor`` that carries ``tangent`` (same shape) through the ops that follow."""
    if _level is None:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if _tangent(tensor) is not None:
        # (one level at a time: torch numbers the only one 0)
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at "
            "the same level 0 is not supported."
        )
    for what, t in (("primal", tensor), ("tangent", tangent)):
        if t._data.dtype.kind not in "fc":
            raise ValueError(f"Expected {what} to be floating point or complex, but got: {t.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            "original Tensor, this is not supported. Tensor is of size "
            f"{shape_str(tensor.shape)} while the given forward gradient is of size "
            f"{shape_str(tangent.shape)}."
        )
    dual = _quiet(_view_all, tensor)
    dual.__dict__["_fw_base"] = None  # its tangent is its own, not a view of its primal's
    link = None
    if state.enabled and tangent._rg:
        link = _Link(None, (function._edge(tangent),))
    _set_tangent(dual, tangent._data, (tangent,), link)  # (of the tangent's dtype, as torch)
    return dual


def carry_tangent(dst, src, deps_of=None):
    """``dst`` (a tensor without a tangent) as a dual carrying ``src``'s tangent, that
    depends in reverse mode on what the tangents of ``deps_of`` (default: ``src``) depend
    on; ``dst`` itself when ``src`` has no tangent (what ``gs.func``'s transforms use)."""
    if _level is None or _tangent(src) is None:
        return dst
    tan = src.__dict__["_tangent"][1]
    entries = _entries((src,) if deps_of is None else deps_of)
    dual = _quiet(_view_all, dst)
    dual.__dict__["_fw_base"] = None
    _set_tangent(dual, tan._data, (tan,), _link(None, entries))
    return dual


def _view_all(t):
    from ..ops import api

    return api.view(t, tuple(t.shape))


def tangent_of(tensor):
    """The tangent of ``tensor`` at the current level as a tensor without a graph, or None
    (what the transforms of ``gs.func`` pass on internally)."""
    from ..tensor import Tensor

    if _level is None or _tangent(tensor) is None:
        return None
    tan = tensor.__dict__["_tangent"][1]
    return Tensor._share(tan._data, tan._buffer, tan._vc)


def unpack_dual(tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)``: a view of ``tensor`` without its tangent, and the tangent (or None)."""
    from ..ops import api
    from ..tensor import Tensor

    if _level is None:
        return UnpackedDualTensor(tensor, None)
    _tangent(tensor)  # (a view's is brought up to date first)
    entry = getattr(tensor, "_tangent", None)
    if entry is None or entry[0] != _level:
        tangent = None
    else:
        tan = entry[1]
        tangent = Tensor._share(tan._data, tan._buffer, tan._vc)
        if entry[3] is not None:
            tangent._grad_fn, tangent._rg = _tangent_graph(entry[3], tangent), True
    return UnpackedDualTensor(_quiet(api.getitem, tensor, ...), tangent)


def _tangent_graph(link: _Link, tangent):
    """The ``TangentBackward`` node of the tangents with this link (made once)."""
    node = link.graph
    if node is None:
        node = link.graph = TangentBackward.__new__(TangentBackward)
        node._pending = None
        nodes = link.nodes()
        node.needs_input_grad = (True,) * len(nodes)
        node.id = next(function._seq)
        node._pre_hooks = node._post_hooks = node._tensor_hooks = node._retain = None
        node._stack = None
        node._next = nodes
        function._finish(node, (), None, tangent, tangent._data, None)
    return node


# --------------------------------------------------------------------------- apply


def _jvp(fn, xs, out, tangents):
    """The output tangent of op ``fn`` (shaped as ``out``), or None. Its dtype is ``out``'s,
    or a tangent's wider floating type (a float64 tangent of a float32 primal stays float64,
    as in torch; a 0-dim one counts only for a 0-dim output)."""
    global _evaluations
    r = run_rule(fn.jvp, xs, out, tangents)
    _evaluations += 1
    if r is None:
        return None
    xp = xp_of(out)
    r = xp.asarray(r)
    if r.shape != out.shape:
        r = xp.broadcast_to(r, out.shape).copy()
    dtype = _tangent_dtype(out, tangents)
    if r.dtype != dtype:
        # a real output's tangent is the real part of its rule's (torch's handle_r_to_c)
        r = (r.real if r.dtype.kind == "c" and dtype.kind != "c" else r).astype(dtype)
    return r


def _tangent_dtype(out, tangents):
    """``out``'s dtype, widened to a wider floating type of ``tangents`` (arrays or None);
    a real output's tangent stays real (of a complex tangent's precision, if wider)."""
    dtype = out.dtype
    if dtype.kind in "fc":
        for t in tangents:
            if t is not None and t.dtype != dtype and (t.ndim or not out.ndim):
                wider = t.dtype if dtype.kind == "c" else t.real.dtype
                dtype = np.promote_types(dtype, wider)
    return dtype


def _jvp_of(fn) -> None:
    if not hasattr(fn, "jvp"):
        raise NotImplementedError(
            f"Trying to use forward AD with {fn._name} that does not support it because it "
            "has not been implemented yet."
        )


def apply_dual(cls, inputs, args):
    """``function.apply`` while a dual level is active: the op, then its JVP."""
    from ..tensor import Tensor

    tangents = tuple(_tangent(t) if type(t) is Tensor else None for t in inputs)
    if not any(t is not None for t in tangents):
        return _quiet(function.apply, cls, inputs, *args)
    fn = cls.__new__(cls)
    _jvp_of(fn)
    fn._pending = None
    needs, _ = function._needs(inputs)  # (brings stale views' grad_fn up to date)
    fn.needs_input_grad = needs
    xs = [t._data if type(t) is Tensor else t for t in inputs]
    out = run_rule(fn.forward, *xs, *args)
    if cls.complex_rule is None or cls.complex_rule == "no_grad":  # no JVP known right
        function.refuse_complex(cls, [*xs, *tangents], out)
    if True in needs:
        function.complex_node(fn, xs, out)
        function._init_node(fn, inputs, needs)
        result = function._wrap(out, inputs, cls, fn)
        function._finish(fn, inputs, xs, result, out, None)
    else:
        result = function._wrap(out, inputs, cls, None)
    tangent = _jvp(fn, xs, result._data, tangents)
    if tangent is not None:
        src = inputs[0]
        if result._base is not None and "_fw_base" in src.__dict__:  # a view of a dual
            base = src.__dict__["_fw_base"]
            result.__dict__["_fw_base"] = src if base is None else base
        link = _link(fn if True in needs else None, _entries(inputs))
        _set_tangent(result, tangent, _tangent_tensors(inputs), link)
        if True in needs:
            _remember(fn, result)
    return result


def apply_inplace_dual(cls, target, inputs, args):
    """``function.apply_inplace`` while a dual level is active: the JVP, then the op.

    The JVP runs first, on a copy of the target's old values, with its own instance of
    the op (in-place ops under forward mode run their forward twice).
    """
    from ..tensor import Tensor

    tangents = tuple(_tangent(t) if type(t) is Tensor else None for t in inputs)
    if not any(t is not None for t in tangents):
        return _quiet(function.apply_inplace, cls, target, inputs, *args)
    probe = cls.__new__(cls)
    _jvp_of(probe)
    probe._pending = None
    probe.needs_input_grad = (False,) * len(inputs)
    xs = [t._data.copy() if t is target else (t._data if type(t) is Tensor else t) for t in inputs]
    out = run_rule(probe.forward, *xs, *args)
    tangent = _jvp(probe, xs, out, tangents)
    _tangent(target)  # (a view's is brought up to date first)
    before = target.__dict__.get("_tangent")
    entries = _entries(inputs)
    result = _quiet(function.apply_inplace, cls, target, inputs, *args)
    node = target._grad_node()
    base = target._base
    if base is not None and base._grad_node() is not None:  # the op, inside its base's CopySlices
        node = getattr(base.grad_fn, "fn", node)
    if before is not None and before[0] == _level and node is not None and node._copied:
        node.__dict__["_copied_tangent"] = before  # the tangent of the copy it saved
        _tracked.append(weakref.ref(node))
    if tangent is None:
        tangent = xp_of(target._data).zeros_like(target._data)
    # the target's tangent is updated in place (as torch's): its dtype stays, and so does a
    # view's base's; a new one is the target's, widened by the tangents'
    if before is not None and before[0] == _level:
        dtype = before[1]._data.dtype
    elif _fw_base(target) is not None:
        dtype = target._data.dtype
    else:
        dtype = _tangent_dtype(target._data, tangents)
    if tangent.dtype != dtype:
        tangent = tangent.astype(dtype)
    link = _link(target.grad_fn, entries)
    _set_tangent(target, tangent, _tangent_tensors(inputs), link)
    if target._grad_node() is not None:
        _remember(target.grad_fn, target)
    base = _fw_base(target)
    if base is not None:  # the base's tangent changes where the view is
        from ..ops.shape import Geometry

        old = _tangent(base)
        geom = Geometry.of(base._data, target._data)
        xp = xp_of(base._data)
        if old is None:
            mem, new = geom.base_array(xp, base._data.dtype, zero=True)
        else:
            mem, new = geom.base_copy(xp, old)
        part = geom.view_array(xp, mem)
        part[...] = tangent
        if geom.repeated:  # an expanded view: a location takes its written element's tangent
            index = getattr(probe, "index", None)
            if index is not None:
                part[index] = tangent[index]
            _set_tangent(target, part.copy(), link=link)  # and every element over it shows that
        link = _link(base.grad_fn, [base.__dict__.get("_tangent"), target.__dict__["_tangent"]])
        _set_tangent(base, new, link=link)
    return result
