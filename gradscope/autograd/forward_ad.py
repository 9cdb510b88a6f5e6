"""Forward-mode AD: dual tensors whose tangent is pushed through every op as it runs.

Inside ``dual_level()``, ``make_dual(primal, tangent)`` gives a tensor carrying a tangent;
every op then also computes the tangent of its output, a Jacobian-vector product, with
its ``Function.jvp(xs, out, tangents)``. Outside a dual level ops pay nothing for this:
``apply`` checks one module-level flag. As in torch::

    with gs.autograd.forward_ad.dual_level():
        d = make_dual(a, t)
        primal, tangent = unpack_dual(f(d))     # tangent == J_f(a) @ t

One forward pass gives one column of the Jacobian (one JVP per op); reverse mode gives
one row per backward. ``node_evaluations()`` counts the JVPs, so the two costs can be
compared.
"""

from __future__ import annotations

import itertools
import weakref
from collections import namedtuple

from ..backend import xp_of
from ..errors import shape_str
from . import function

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
            t.__dict__.pop("_tangent", None)
            t.__dict__.pop("_copied_tangent", None)
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


def _tangent(t):
    """The tangent array of tensor ``t`` at the current level, or None."""
    entry = getattr(t, "_tangent", None)
    if entry is None or entry[0] != _level:
        return None
    if entry[2] != t._vc[0] and t._base is not None:
        return _view_tangent(t, entry)
    return entry[1]._data


def _view_tangent(view, entry):
    """A view's tangent after an in-place write to its base or a sibling view: its part of
    the base's tangent now (as torch's, a view's tangent is a view of its base's)."""
    from ..ops.shape import Geometry

    base = view._base
    bt = _tangent(base)
    if bt is None:  # the base has none (``make_dual``'s view): the view keeps its own
        view.__dict__["_tangent"] = (entry[0], entry[1], view._vc[0])
        return entry[1]._data
    geom = Geometry.of(base._data, view._data)
    xp = xp_of(bt)
    mem, _ = geom.base_copy(xp, bt)
    arr = geom.view_array(xp, mem).copy()
    _set_tangent(view, arr)
    return arr


def _set_tangent(t, arr, sources=()) -> None:
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
    t.__dict__["_tangent"] = (_level, tan, t._vc[0])  # the version it is the tangent of
    _tracked.append(weakref.ref(t))


def _remember(fn, t) -> None:
    """A node that saved its output keeps that output's tangent, so that the output rebuilt
    from the node's saves (``Function.saved_tensor``, under ``create_graph``) has it too."""
    saved = fn._saved
    entry = t.__dict__.get("_tangent")
    if entry is not None and saved and any(st.is_output for st in saved.values()):
        fn.__dict__["_tangent"] = entry
        _tracked.append(weakref.ref(fn))


def lend_tangent(node, t, key: str = "_tangent") -> None:
    """Give ``t``, a value rebuilt from ``node``'s saves, the tangent it had: the output's
    (``_tangent``), or an in-place op's target's before the write (``_copied_tangent``)."""
    entry = node.__dict__.get(key)
    if entry is not None and entry[0] == _level:
        t.__dict__["_tangent"] = (entry[0], entry[1], t._vc[0])
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
    from ..ops import api

    dual = _quiet(api.view, tensor, tuple(tensor.shape))
    arr = tangent._data
    if arr.dtype != tensor._data.dtype:
        arr = arr.astype(tensor._data.dtype)
    _set_tangent(dual, arr, (tangent,))
    return dual


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
    return UnpackedDualTensor(_quiet(api.getitem, tensor, ...), tangent)


# --------------------------------------------------------------------------- apply


def _jvp(fn, xs, out, tangents):
    """The output tangent of op ``fn`` (shaped and typed as ``out``), or None."""
    global _evaluations
    r = fn.jvp(xs, out, tangents)
    _evaluations += 1
    if r is None:
        return None
    xp = xp_of(out)
    r = xp.asarray(r)
    if r.shape != out.shape:
        r = xp.broadcast_to(r, out.shape).copy()
    if r.dtype != out.dtype:
        r = r.astype(out.dtype)
    return r


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
    out = fn.forward(*xs, *args)
    if True in needs:
        function._init_node(fn, inputs, needs)
        result = function._wrap(out, inputs, cls, fn)
        function._finish(fn, inputs, xs, result, out, None)
    else:
        result = function._wrap(out, inputs, cls, None)
    tangent = _jvp(fn, xs, result._data, tangents)
    if tangent is not None:
        _set_tangent(result, tangent, _tangent_tensors(inputs))
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
    out = probe.forward(*xs, *args)
    tangent = _jvp(probe, xs, out, tangents)
    _tangent(target)  # (a view's is brought up to date first)
    before = target.__dict__.get("_tangent")
    result = _quiet(function.apply_inplace, cls, target, inputs, *args)
    node = target.grad_fn
    base = target._base
    if base is not None and base.grad_fn is not None:  # the op, inside its base's CopySlices
        node = getattr(base.grad_fn, "fn", node)
    if before is not None and before[0] == _level and node is not None and node._copied:
        node.__dict__["_copied_tangent"] = before  # the tangent of the copy it saved
        _tracked.append(weakref.ref(node))
    if tangent is None:
        tangent = xp_of(target._data).zeros_like(target._data)
    _set_tangent(target, tangent, _tangent_tensors(inputs))
    if target.grad_fn is not None:
        _remember(target.grad_fn, target)
    base = target._base
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
            _set_tangent(target, part.copy())  # and every element over it shows that
        _set_tangent(base, new)
    return result
