"""Shape and indexing ops: views that share their input's buffer, and cat/stack/index/copy."""

from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import Function
from ..backend import device_of, to_device, xp_of
from ._broadcast import unbroadcast
from ._jvp import each


def scatter_add(out, index, values) -> None:
    """``out[index] += values`` with repeated indices accumulating (NumPy or CuPy)."""
    add = xp_of(out).add
    if hasattr(add, "at"):
        add.at(out, index, values)
    else:  # CuPy before 14
        import cupyx

        cupyx.scatter_add(out, index, values)


class ViewBackward0(Function):
    _name = "ViewBackward0"
    is_view = True

    def forward(self, a, shape):
        self.self_sym_sizes = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return (g.reshape(self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(out.shape)


class UnsafeViewBackward0(ViewBackward0):
    """The reshape of a fresh copy (what ``reshape`` of a non-contiguous tensor is)."""

    _name = "UnsafeViewBackward0"


class ReshapeAliasBackward0(ViewBackward0):
    """``reshape`` of a non-contiguous tensor whose strides allow a view."""

    _name = "ReshapeAliasBackward0"


class AliasBackward0(Function):
    _name = "AliasBackward0"
    is_view = True

    def forward(self, a):
        return a.view()

    def backward(self, g):
        return (g,)

    def jvp(self, xs, out, tangents):
        return tangents[0]


class CloneBackward0(Function):
    _name = "CloneBackward0"

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return (g,)

    def jvp(self, xs, out, tangents):
        return tangents[0].copy()


class TransposeBackward0(Function):
    _name = "TransposeBackward0"
    is_view = True

    def forward(self, a, dim0, dim1):
        self.dim0, self.dim1 = dim0, dim1
        return a.swapaxes(dim0, dim1)

    def backward(self, g):
        return (g.swapaxes(self.dim0, self.dim1),)

    def jvp(self, xs, out, tangents):
        return tangents[0].swapaxes(self.dim0, self.dim1)


class TBackward0(Function):
    _name = "TBackward0"
    is_view = True

    def forward(self, a):
        return a.T

    def backward(self, g):
        return (g.T,)

    def jvp(self, xs, out, tangents):
        return tangents[0].T


class PermuteBackward0(Function):
    _name = "PermuteBackward0"
    is_view = True

    def forward(self, a, dims):
        self.dims = dims
        return a.transpose(dims)

    def backward(self, g):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return (g.transpose(inv),)

    def jvp(self, xs, out, tangents):
        return tangents[0].transpose(self.dims)


class UnsqueezeBackward0(Function):
    _name = "UnsqueezeBackward0"
    is_view = True

    def forward(self, a, dim):
        self.dim = dim
        return xp_of(a).expand_dims(a, dim)

    def backward(self, g):
        return (g.squeeze(self.dim),)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(out.shape)


class SqueezeBackward0(Function):
    """``squeeze()`` (all size-1 dims); ``SqueezeBackward1`` is ``squeeze(dim)``."""

    _name = "SqueezeBackward0"
    is_view = True

    def forward(self, a, dims):
        self.self_sym_sizes = a.shape
        return a.squeeze(dims) if dims is None or dims else a.view()

    def backward(self, g):
        return (g.reshape(self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return tangents[0].reshape(out.shape)


class SqueezeBackward1(SqueezeBackward0):
    _name = "SqueezeBackward1"


class SqueezeBackward2(SqueezeBackward0):
    """``squeeze(dims)`` with a tuple of dims."""

    _name = "SqueezeBackward2"


class SqueezeBackward4(SqueezeBackward0):
    _name = "SqueezeBackward4"


class ExpandBackward0(Function):
    _name = "ExpandBackward0"
    is_view = True

    def forward(self, a, shape):
        self.self_sym_sizes = a.shape
        return xp_of(a).broadcast_to(a, shape)

    def backward(self, g):
        return (unbroadcast(g, self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return xp_of(out).broadcast_to(tangents[0], out.shape)


class CatBackward0(Function):
    _name = "CatBackward0"

    def forward(self, *args):
        *arrays, dim = args
        self.dim = dim
        self.sizes = [a.shape[dim] for a in arrays]
        return xp_of(arrays[0]).concatenate(arrays, axis=dim)

    def backward(self, g):
        out = []
        start = 0
        for n, need in zip(self.sizes, self.needs_input_grad):
            if need:
                idx = [slice(None)] * g.ndim
                idx[self.dim] = slice(start, start + n)
                out.append(g[tuple(idx)])
            else:
                out.append(None)
            start += n
        return tuple(out)

    def jvp(self, xs, out, tangents):
        xp = xp_of(out)
        return xp.concatenate(each(tangents, xs, xp), axis=self.dim)


class StackBackward0(Function):
    _name = "StackBackward0"

    def forward(self, *args):
        *arrays, dim = args
        self.dim = dim
        return xp_of(arrays[0]).stack(arrays, axis=dim)

    def backward(self, g):
        xp = xp_of(g)
        return tuple(
            xp.take(g, i, axis=self.dim) if need else None
            for i, need in enumerate(self.needs_input_grad)
        )

    def jvp(self, xs, out, tangents):
        xp = xp_of(out)
        return xp.stack(each(tangents, xs, xp), axis=self.dim)


class SelectBackward0(Function):
    _name = "SelectBackward0"
    is_view = True

    def forward(self, a, dim, index):
        self.dim, self.index, self.self_sym_sizes = dim, index, a.shape
        idx = [slice(None)] * a.ndim
        idx[dim] = index
        return a[(*idx, Ellipsis)]  # the Ellipsis keeps a 0-d result an array view

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        idx = [slice(None)] * out.ndim
        idx[self.dim] = self.index
        out[tuple(idx)] = g
        return (out,)

    def jvp(self, xs, out, tangents):
        idx = [slice(None)] * tangents[0].ndim
        idx[self.dim] = self.index
        return tangents[0][tuple(idx)]


class SliceBackward0(Function):
    _name = "SliceBackward0"
    is_view = True

    def forward(self, a, dim, start, end, step):
        self.dim, self.start, self.end, self.step = dim, start, end, step
        self.self_sym_sizes = a.shape
        idx = [slice(None)] * a.ndim
        idx[dim] = slice(start, end, step)
        self.idx = tuple(idx)
        return a[self.idx]

    def backward(self, g):
        out = xp_of(g).zeros(self.self_sym_sizes, dtype=g.dtype)
        out[self.idx] = g
        return (out,)

    def jvp(self, xs, out, tangents):
        return tangents[0][self.idx]


class IndexBackward0(Function):
    """Advanced indexing, run as ``(a, *index tensors)``: saves the indices, which get no edge."""

    _name = "IndexBackward0"
    _edges = 1

    def forward(self, a, *rest):
        *index_arrays, index = rest
        self.self_sym_sizes = a.shape
        self.index = index
        for i, arr in enumerate(index_arrays):
            self.save(**{f"indices[{i}]": arr})
        return a[index]

    def backward(self, g):
        for slot in self._saved:  # raise if freed or modified
            self.saved(slot)
        xp = xp_of(g)
        out = xp.zeros(self.self_sym_sizes, dtype=g.dtype)
        scatter_add(out, self.index, g)  # repeated indices accumulate
        return (out,)

    @property
    def _saved_indices(self) -> tuple:
        """The index tensors (torch's ``_saved_indices``)."""
        return tuple(getattr(self, "_saved_" + slot) for slot in self._slot_names())

    def jvp(self, xs, out, tangents):
        return tangents[0][self.index]


class CopySlices(Function):
    """``t[index] = value`` with basic indices: the gradient skips the overwritten part."""

    _name = "CopySlices"

    def forward(self, a, value, index):
        self.index = index
        self.value_shape = getattr(value, "shape", ())
        a[index] = value
        return a

    def backward(self, g):
        na, nv = self.needs_input_grad[:2]
        ga = gv = None
        if na:
            ga = g.copy()
            ga[self.index] = 0
        if nv:
            gv = unbroadcast(g[self.index], self.value_shape)
        return ga, gv

    def jvp(self, xs, out, tangents):
        ta, tv = tangents[:2]
        t = xp_of(out).zeros_like(out) if ta is None else ta.copy()
        t[self.index] = 0 if tv is None else tv
        return t


class IndexPutBackward0(CopySlices):
    """``t[tensor indices] = value``, run as ``(t, value, *indices)``: saves the indices."""

    _name = "IndexPutBackward0"
    _edges = 2

    def forward(self, a, value, *rest):
        *index_arrays, index = rest
        for i, arr in enumerate(index_arrays):
            self.save(**{f"indices[{i}]": arr})
        self.accumulate = False
        return super().forward(a, value, index)

    _saved_indices = IndexBackward0._saved_indices


class ToCopyBackward0(Function):
    """A copy to another dtype or device; the gradient goes back to the original's."""

    _name = "ToCopyBackward0"

    def forward(self, a, np_dtype, dev):
        self.src_dtype = a.dtype
        from ..backend import device_of

        self.src_device = device_of(a)
        out = a
        if dev is not None:
            out = to_device(out, dev)
        if np_dtype is not None and out.dtype != np_dtype:
            out = out.astype(np_dtype)
        if out is a:
            out = a.copy()
        return out

    def backward(self, g):
        g = to_device(g, self.src_device)
        return (g if g.dtype == self.src_dtype else g.astype(self.src_dtype),)

    def jvp(self, xs, out, tangents):
        t = to_device(tangents[0], device_of(out))
        return t if t.dtype == out.dtype else t.astype(out.dtype)


class ZeroBackward0(Function):
    """``zero_()`` on a tensor in the graph: nothing flows back through it."""

    _name = "ZeroBackward0"

    def forward(self, a, value):
        return xp_of(a).zeros_like(a)

    def backward(self, g):
        return (xp_of(g).zeros_like(g),)

    def jvp(self, xs, out, tangents):
        return xp_of(out).zeros_like(out)


class FillBackward2(ZeroBackward0):
    """``fill_(number)``."""

    _name = "FillBackward2"

    def forward(self, a, value):
        return xp_of(a).full_like(a, value)


class FillBackward3(Function):
    """``fill_(0-dim tensor)``: the value's gradient is the sum of the incoming one."""

    _name = "FillBackward3"

    def forward(self, a, value):
        out = xp_of(a).empty_like(a)
        out[...] = value  # a 0-dim array, read on the device
        return out

    def backward(self, g):
        na, nv = self.needs_input_grad
        xp = xp_of(g)
        return (xp.zeros_like(g) if na else None, xp.asarray(g.sum()) if nv else None)

    def jvp(self, xs, out, tangents):
        t = xp_of(out).zeros_like(out)
        if tangents[1] is not None:
            t[...] = tangents[1]
        return t


# ------------------------------------------------------------- in place through a view


def _ptr(arr) -> int:
    return arr.__array_interface__["data"][0] if type(arr) is np.ndarray else arr.data.ptr


def _as_strided(xp, arr, shape, strides):
    if xp is np:
        return np.lib.stride_tricks.as_strided(arr, shape, strides)
    return xp.lib.stride_tricks.as_strided(arr, shape, strides)


def view_positions(base, view):
    """For each element of ``view``, its flat (row-major) index in ``base``, whose memory it shares."""
    xp = xp_of(base)
    item = base.itemsize
    span = 1 + builtins.sum((n - 1) * s for n, s in zip(base.shape, base.strides)) // item
    mem = xp.zeros(builtins.max(span, 1), dtype=xp.int64)
    _as_strided(xp, mem, base.shape, tuple(s // item * 8 for s in base.strides))[...] = xp.arange(
        base.size, dtype=xp.int64
    ).reshape(base.shape)
    off = (_ptr(view) - _ptr(base)) // item
    return _as_strided(xp, mem[off:], view.shape, tuple(s // item * 8 for s in view.strides)).copy()


class ViewCopySlices(Function):
    """The base's node after an in-place op on one of its views (torch's ``CopySlices``).

    Runs the in-place op's backward on the view's part of the gradient; the rest of the
    gradient passes through to the base's previous node unchanged.
    """

    _name = "CopySlices"

    def backward(self, g):
        result = g.copy()
        flat = result.reshape(-1)
        fn = self.fn
        fn._saved = self._saved  # the op's saved tensors live here, freed with this node
        try:
            grads = fn.backward(flat[self.positions])
        finally:
            fn._saved = None
        flat[self.positions] = 0 if grads[0] is None else grads[0]
        return (result, *grads[1:])


class AsStridedBackward0(Function):
    """A view's node after an in-place op on it: its gradient lands in the base's."""

    _name = "AsStridedBackward0"
    overlap = False  # some elements share a position (a broadcast view): theirs add up

    def backward(self, g):
        out = xp_of(g).zeros(self.base_shape, dtype=g.dtype)
        if self.overlap:
            scatter_add(out.reshape(-1), self.positions, g)
        else:
            out.reshape(-1)[self.positions] = g
        return (out,)


def rebase_view(fn, target, inputs, needs) -> None:
    """After in-place op ``fn`` on view ``target``: the base gets a ``CopySlices`` node and
    the view an ``AsStridedBackward0`` node pointing to it, as torch records them."""
    from ..autograd.function import _finish, _init_node

    base = target._base
    positions = view_positions(base._data, target._data)
    n = fn._edges or len(inputs)
    cs_inputs, cs_needs = (base, *inputs[1:n]), (base._rg, *needs[1:n])
    cs = ViewCopySlices.__new__(ViewCopySlices)
    cs._pending, cs.fn, cs.positions, cs.needs_input_grad = None, fn, positions, cs_needs
    _init_node(cs, cs_inputs, cs_needs)
    _finish(cs, cs_inputs, [getattr(t, "_data", t) for t in cs_inputs], base, base._data, base)
    cs._saved, fn._saved = fn._saved, None
    base.grad_fn, base._rg = cs, True
    view = AsStridedBackward0.__new__(AsStridedBackward0)
    view._pending, view.positions, view.base_shape = None, positions, base._data.shape
    view.needs_input_grad = (True,)
    _init_node(view, (base,), (True,))
    _finish(view, (base,), [base._data], target, target._data, None)
    target.grad_fn = view
