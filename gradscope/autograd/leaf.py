"""``AccumulateGrad``: the node that writes a leaf's gradient into ``.grad``."""

from __future__ import annotations

from sys import getrefcount

import numpy as np

from ..backend import FP_SIGNALS, dense, repeats_memory, writable, xp_of
from ..errors import M_INTERNAL_OVERLAP
from ..events import emit
from ..events.emit import dtype_str
from ..events.schema import GradAccumulated, NodeCreated
from ..memory import buffers
from . import function
from .function import Node

# getrefcount(g) in _can_adopt for a gradient only backward holds: the engine's loop, its
# _accumulate, accumulate, _can_adopt, and getrefcount's own argument. Anything else
# holding it raises the count, and then .grad is a copy.
_ONLY_BACKWARD = 5


class AccumulateGrad(Node):
    """Holds its leaf strongly (``variable``); the leaf caches this node weakly."""

    _name = "AccumulateGrad"
    _namespace = "torch::autograd::"
    _prio_offset = 1 << 62  # runs as soon as it is ready, as torch's (sequence_nr UINT64_MAX)
    _watched = True  # the engine's long way round is where leaves are accumulated

    def __init__(self, variable) -> None:
        self.id = next(function._seq)
        self.variable = variable
        self._next = ()
        self.needs_input_grad = ()
        self._saved = self._pending = None
        self._handed = None  # the .grad made by hand_over, until accumulate sets it
        self._pre_hooks = self._post_hooks = self._tensor_hooks = self._retain = None
        self._stack = None
        if emit.sinks:
            emit.record(
                NodeCreated,
                str(variable.device),
                buffers.live_total,
                self.id,
                "AccumulateGrad",
                (),
                variable._id,
                None,
                emit.shape_of(variable._data.shape),
                dtype_str(variable._data.dtype),
            )

    def can_take(self, g, view: bool = False) -> bool:
        """Whether a new gradient array, held by backward alone, can become the leaf's
        ``.grad`` as it is, without a copy (as torch steals it): the first gradient, in
        the leaf's dtype and layout (C order, or a dense leaf's own strides), with nothing
        (hooks) to see or replace it first."""
        leaf = self.variable
        return (
            leaf._grad is None
            and leaf._hooks is None
            and self._pre_hooks is None
            and self._post_hooks is None
            and (view or g.base is None)
            and _fits(g, leaf._data)
        )

    def hand_over(self, g):
        """Make ``g`` (``can_take``) the leaf's next ``.grad`` now, as backward makes it, so
        that its bytes count from the moment they exist; ``accumulate`` then sets it.
        Returns its buffer."""
        leaf = self.variable
        self._handed = new = function.Tensor._make(
            g, None, role="grad", node_id=self.id, name=f"{leaf.name or leaf._id}.grad"
        )
        return new._buffer

    def _can_adopt(self, g, gbuf) -> bool:
        """Whether ``g``, a gradient in flight over a whole buffer (a sum of several
        gradients, ``W.t()``'s gradient: a transpose of a new array), can become ``.grad``
        with that buffer: only backward holds them, not another gradient in flight, a hook
        or the caller's ``gradient``."""
        base = g.base
        return (
            g.nbytes == gbuf[1]
            and (base is None or base.nbytes == g.nbytes)
            and getrefcount(g) == _ONLY_BACKWARD
            and getrefcount(gbuf) == _ONLY_BACKWARD
            and self.can_take(g, view=base is not None)
        )

    def accumulate(self, g, gbuf, added: int = 0) -> None:
        """Add ``g`` into the leaf's ``.grad`` (in place when it exists).

        A gradient that backward handed over (``hand_over``) becomes ``.grad`` as it is,
        as does one that only backward holds (at version ``added``: the gradients summed
        into it in place).
        Any other first gradient is copied into a new ``.grad`` laid out as torch's
        gradient layout contract says (the leaf's strides where the leaf is dense, else C
        order), with torch's version: 1 for its ``copy_`` (or for its in-place sum of the
        gradients that met here), 0 for a new gradient that torch takes as it is, which
        gradscope copies only because hooks saw it after backward made it.
        """
        leaf = self.variable
        old = leaf._grad
        tracing = emit.sinks
        handed, self._handed = self._handed, None
        if old is None:
            Tensor = function.Tensor
            if handed is not None and handed._buffer is gbuf:
                new = handed
            elif self._can_adopt(g, gbuf):
                # the gradient's own buffer becomes .grad: grad_accumulated says so. (A
                # sum's backward can hand on a read-only view of a whole gradient; as
                # .grad it is written like any other.)
                new = Tensor._share(writable(g), gbuf, [added])
            else:
                v = leaf._data
                data, version = copy_as_grad(g, v)
                hooked = not (
                    leaf._hooks is None and self._pre_hooks is None and self._post_hooks is None
                )
                if version and hooked and g.base is None and _fits(g, v):
                    version = 0  # a new gradient that torch would take as it is
                new = Tensor._make(
                    data, None, role="grad", node_id=self.id, name=f"{leaf.name or leaf._id}.grad"
                )
                new._vc[0] = version
            leaf._grad = new
            buf, first = new._buffer, True
        else:
            data = old._data
            if type(data) is np.ndarray and not data.flags.writeable:  # a .grad set by hand
                if repeats_memory(data):
                    raise RuntimeError(M_INTERNAL_OVERLAP)  # torch's, for an expanded .grad
                data = writable(data)
            try:
                data += g
            except FP_SIGNALS:
                pass  # raised once the sum was written
            old._vc[0] += 1
            buf, first = old._buffer, False
        if tracing:
            emit.record(
                GradAccumulated,
                buf.device,
                buffers.live_total,
                leaf._id,
                self.id,
                buf.nbytes,
                first,
                buf.id,
            )


def _fits(g, v) -> bool:
    """Whether ``g`` can be the ``.grad`` of a leaf ``v`` as it is: ``v``'s kind of array,
    dtype and layout."""
    return (
        type(g) is type(v)
        and g.dtype == v.dtype
        and (g.flags.c_contiguous if v.flags.c_contiguous else _in_layout_of(g, v))
    )


def _in_layout_of(g, v) -> bool:
    """torch's gradient layout contract for a gradient ``g`` of a leaf ``v`` not in C
    order: ``v``'s strides where ``v`` is dense (a dimension of one element may have any
    stride but 0), else C order."""
    if not dense(v):
        return g.flags.c_contiguous
    return all(sg == sv if n != 1 else sg != 0 for n, sg, sv in zip(g.shape, g.strides, v.strides))


def copy_as_grad(g, v) -> tuple:
    """A copy of ``g`` in ``v``'s dtype, laid out as torch lays out a new ``.grad`` of ``v``,
    and its version (``grad_copy_version``): torch copies into an empty tensor with ``v``'s
    strides where ``v`` is dense, and clones to C order where it is not."""
    if v.flags.c_contiguous or not dense(v):
        return g.astype(v.dtype, order="C", copy=True), grad_copy_version(v)
    out = xp_of(v).empty_like(v)
    out[...] = g
    return out, 1


def grad_copy_version(v) -> int:
    """The version of a new ``.grad`` copied for leaf array ``v``: 1 for torch's ``copy_``
    into it (a dense leaf), 0 for its ``clone`` (any other)."""
    return 1 if v.flags.c_contiguous or dense(v) else 0
