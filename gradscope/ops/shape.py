"""Shape and indexing ops: views that share their input's buffer, and cat/stack/index/copy."""

from __future__ import annotations

from ..autograd.function import Function
from ..backend import to_device, xp_of
from ._broadcast import unbroadcast


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


class UnsafeViewBackward0(ViewBackward0):
    """The reshape of a fresh copy (what ``reshape`` of a non-contiguous tensor is)."""

    _name = "UnsafeViewBackward0"


class AliasBackward0(Function):
    _name = "AliasBackward0"
    is_view = True

    def forward(self, a):
        return a.view()

    def backward(self, g):
        return (g,)


class CloneBackward0(Function):
    _name = "CloneBackward0"

    def forward(self, a):
        return a.copy()

    def backward(self, g):
        return (g,)


class TransposeBackward0(Function):
    _name = "TransposeBackward0"
    is_view = True

    def forward(self, a, dim0, dim1):
        self.dim0, self.dim1 = dim0, dim1
        return a.swapaxes(dim0, dim1)

    def backward(self, g):
        return (g.swapaxes(self.dim0, self.dim1),)


class TBackward0(Function):
    _name = "TBackward0"
    is_view = True

    def forward(self, a):
        return a.T

    def backward(self, g):
        return (g.T,)


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


class UnsqueezeBackward0(Function):
    _name = "UnsqueezeBackward0"
    is_view = True

    def forward(self, a, dim):
        self.dim = dim
        return xp_of(a).expand_dims(a, dim)

    def backward(self, g):
        return (g.squeeze(self.dim),)


class SqueezeBackward0(Function):
    """``squeeze()`` (all size-1 dims); ``SqueezeBackward1`` is ``squeeze(dim)``."""

    _name = "SqueezeBackward0"
    is_view = True

    def forward(self, a, dims):
        self.self_sym_sizes = a.shape
        return a.squeeze(dims) if dims is None or dims else a.view()

    def backward(self, g):
        return (g.reshape(self.self_sym_sizes),)


class SqueezeBackward1(SqueezeBackward0):
    _name = "SqueezeBackward1"


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


class IndexBackward0(Function):
    """Advanced indexing (integer or boolean tensors): saves the indices."""

    _name = "IndexBackward0"

    def forward(self, a, index, index_arrays):
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


class IndexPutBackward0(Function):
    """``t[index] = value`` recorded as torch's ``CopySlices``: the gradient skips the overwritten part."""

    _name = "CopySlices"

    def forward(self, a, value, index):
        self.index = index
        self.value_shape = getattr(value, "shape", ())
        a[index] = value
        return a

    def backward(self, g):
        na, nv = self.needs_input_grad
        ga = gv = None
        if na:
            ga = g.copy()
            ga[self.index] = 0
        if nv:
            gv = unbroadcast(g[self.index], self.value_shape)
        return ga, gv


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


class ZeroBackward0(Function):
    """``zero_()`` on a tensor in the graph: nothing flows back through it."""

    _name = "ZeroBackward0"

    def forward(self, a, value):
        return xp_of(a).zeros_like(a)

    def backward(self, g):
        return (xp_of(g).zeros_like(g),)


class FillBackward0(ZeroBackward0):
    _name = "FillBackward0"

    def forward(self, a, value):
        return xp_of(a).full_like(a, value)
