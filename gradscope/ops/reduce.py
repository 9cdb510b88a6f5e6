"""Reductions: sum, nansum, mean, max, min, var, std, logsumexp, amax, amin, prod and vector
norms (full and along dimensions); running sums and products."""

from __future__ import annotations

import weakref

import numpy as np

from ..autograd.function import Function, apply
from ..backend import contiguous, expand, fp_quiet, xp_of
from ._broadcast import keep, sgn
from ._graph import cast_to, constant, linear_backward_graph
from .elementwise import DivBackward1


def _expand_to(g, shape, dims, keepdim):
    """A reduced gradient broadcast back over the input's shape (a view, as torch's expand)."""
    if not keepdim and dims is not None:  # the reduced dimensions back, as 1s
        g = g.reshape(tuple([1 if i in dims else n for i, n in enumerate(shape)]))
    return expand(g, shape)


def _expand_graph(g, shape, dims, keepdim):
    """``_expand_to`` in tensor ops: the reduced dimensions back (``unsqueeze``), then
    ``expand``, as torch's ``sum_backward``."""
    if not keepdim and dims is not None:
        for d in sorted(dims):
            g = g.unsqueeze(d)
    return g.expand(shape)


def _sum(a, axis, keepdim, dtype):
    """``a.sum(...)``; on NumPy the ufunc's reduce itself, which ``ndarray.sum`` wraps in
    Python. Integers sum as int64, as in torch (NumPy sums unsigned ones as uint64)."""
    if dtype is None and a.dtype.kind == "u":
        dtype = np.int64
    if type(a) is np.ndarray:
        return np.add.reduce(a, axis, dtype, None, keepdim)
    return a.sum(axis=axis, keepdims=keepdim, dtype=dtype)


# the largest count each dtype holds exactly: dividing by it in the dtype rounds as
# NumPy's mean does (through float64, then back), since float64 division rounded to
# float32 is float32 division
_EXACT_COUNT = {np.dtype(np.float32): 2**24, np.dtype(np.float64): 2**53}


def _mean(a, axis, keepdim, n: int):
    """``a.mean(...)`` in ``a``'s dtype, over ``n`` elements; on NumPy one reduce and one
    division (``ndarray.mean`` spends about 4 us in Python)."""
    if type(a) is np.ndarray and 0 < n <= _EXACT_COUNT.get(a.dtype, 0):
        return np.add.reduce(a, axis, a.dtype, None, keepdim) / n
    if n == 0 and a.dtype.kind in "fc":  # NaN, as torch gives it: without NumPy's warning
        out = xp_of(a).array(_sum(a, axis, keepdim, a.dtype))
        out[...] = np.nan
        return out
    return a.mean(axis=axis, keepdims=keepdim, dtype=a.dtype)


class SumBackward0(Function):
    """Sum of all elements."""

    _name = "SumBackward0"
    complex_rule = "as_is"

    def forward(self, a, dtype=None):
        self.self_sym_sizes = a.shape
        return xp_of(a).asarray(_sum(a, None, False, dtype))

    def backward(self, g):
        return (expand(g, self.self_sym_sizes),)

    def backward_graph(self, g):
        return (g.expand(self.self_sym_sizes),)

    def jvp(self, xs, out, tangents):
        return tangents[0].sum()


class SumBackward1(Function):
    """Sum along dimensions."""

    _name = "SumBackward1"
    complex_rule = "as_is"

    def forward(self, a, dims, keepdim, dtype=None):
        self.self_sym_sizes = a.shape
        self.dim, self.keepdim = dims, keepdim
        return contiguous(xp_of(a).asarray(_sum(a, dims, keepdim, dtype)))  # C order, as torch

    def backward(self, g):
        return (_expand_to(g, self.self_sym_sizes, self.dim, self.keepdim),)

    def backward_graph(self, g):
        return (_expand_graph(g, self.self_sym_sizes, self.dim, self.keepdim),)

    def jvp(self, xs, out, tangents):
        return tangents[0].sum(axis=self.dim, keepdims=self.keepdim)


class NansumBackward0(Function):
    """Sum ignoring NaN (as zeros), of all elements (``dim`` None) or along dims: saves
    ``self``, whose NaN get no gradient."""

    _name = "NansumBackward0"

    def forward(self, a, dims, keepdim, dtype=None):
        self.save(self=a)
        self.dim, self.keepdim = dims, keepdim
        xp = xp_of(a)
        if a.dtype.kind in "fc":
            a = xp.where(xp.isnan(a), a.dtype.type(0), a)
        return contiguous(xp.asarray(_sum(a, dims, keepdim, dtype)))

    def _mask(self, a):
        return ~xp_of(a).isnan(a)

    def backward(self, g):
        a = self.saved("self")
        return (_expand_to(g, a.shape, self.dim, self.keepdim) * self._mask(a),)

    def backward_graph(self, g):
        a = self.saved("self")
        ones = constant(self._mask(a).astype(a.dtype))
        return (_expand_graph(g, a.shape, self.dim, self.keepdim) * ones,)

    def jvp(self, xs, out, tangents):
        a, t = xs[0], tangents[0]
        t = xp_of(t).where(self._mask(a), t, t.dtype.type(0))
        return xp_of(t).asarray(_sum(t, self.dim, self.keepdim, out.dtype))


def _in(grad, dtype):
    """``grad`` in the input's ``dtype`` (None: it is in it already)."""
    return grad if dtype is None else grad.astype(dtype)


class MeanBackward0(Function):
    _name = "MeanBackward0"
    complex_rule = "as_is"

    in_dtype = None  # the input's dtype, when ``dtype=`` computed the mean in another

    def forward(self, a, dtype=None):
        self.self_sym_sizes = a.shape
        self.self_sym_numel = a.size
        if dtype is not None and dtype != a.dtype:
            self.in_dtype, a = a.dtype, a.astype(dtype)
        return xp_of(a).asarray(_mean(a, None, False, a.size))

    def backward(self, g):
        return (_in(expand(g / self.self_sym_numel, self.self_sym_sizes), self.in_dtype),)

    def backward_graph(self, g):
        grad = apply(DivBackward1, (g.expand(self.self_sym_sizes),), self.self_sym_numel)
        return (grad if self.in_dtype is None else cast_to(grad, self.in_dtype),)

    def jvp(self, xs, out, tangents):
        return tangents[0].mean().astype(out.dtype, copy=False)


class MeanBackward1(Function):
    _name = "MeanBackward1"
    complex_rule = "as_is"

    in_dtype = None

    def forward(self, a, dims, keepdim, dtype=None):
        self.self_sym_sizes = a.shape
        self.dim, self.keepdim = dims, keepdim
        n = 1
        for d in dims:
            n *= a.shape[d]
        self.n = n
        if dtype is not None and dtype != a.dtype:
            self.in_dtype, a = a.dtype, a.astype(dtype)
        return contiguous(xp_of(a).asarray(_mean(a, dims, keepdim, n)))

    def backward(self, g):
        grad = _expand_to(g / self.n, self.self_sym_sizes, self.dim, self.keepdim)
        return (_in(grad, self.in_dtype),)

    def backward_graph(self, g):
        expanded = _expand_graph(g, self.self_sym_sizes, self.dim, self.keepdim)
        grad = apply(DivBackward1, (expanded,), self.n)
        return (grad if self.in_dtype is None else cast_to(grad, self.in_dtype),)

    def jvp(self, xs, out, tangents):
        return tangents[0].mean(axis=self.dim, keepdims=self.keepdim).astype(out.dtype, copy=False)


def _extremes(a, r):
    """Where full ``max``/``min`` of ``a`` is reached: the elements equal to ``r``, or, when
    ``r`` is NaN, the NaNs (torch's ``evenly_distribute_backward``)."""
    if a.dtype.kind in "fc" and xp_of(a).isnan(r):
        return xp_of(a).isnan(a)
    return a == r


class MaxBackward1(Function):
    """Full ``max()``: saves self and result; ties share the gradient evenly."""

    _name = "MaxBackward1"
    _reduce = "max"

    def forward(self, a):
        if a.size == 0:
            raise RuntimeError(
                f"{self._reduce}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        out = xp_of(a).asarray(getattr(a, self._reduce)())
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        a, r = self.saved("self"), self.saved("result")
        mask = _extremes(a, r)
        return (mask * (g / mask.sum()),)

    def backward_graph(self, g):
        a, r = self.saved("self"), self.saved("result")
        mask = _extremes(a, r)
        zeros = constant(xp_of(a).zeros(a.shape, dtype=g._data.dtype))
        return (zeros.masked_fill(constant(mask), g / int(mask.sum())),)

    def jvp(self, xs, out, tangents):
        # torch's evenly_read_jvp: the elements equal to the result (none for a NaN result,
        # whose tangent is then 0 / 0, NaN), unlike the backward's
        mask = xs[0] == out
        return (tangents[0] * mask).sum() / mask.sum()


class MinBackward1(MaxBackward1):
    _name = "MinBackward1"
    _reduce = "min"


class MaxBackward0(Function):
    """``max(dim)``: the values' node; saves the indices (int64)."""

    _name = "MaxBackward0"
    _arg = "argmax"

    def forward(self, a, dim, keepdim):
        xp = xp_of(a)
        if a.ndim == 0:  # dim 0 or -1 of a 0-dim tensor: its one element, at index 0
            self.save(indices=xp.zeros((), xp.int64))
            self.dim, self.keepdim, self.sizes = None, keepdim, ()
            return a.copy()
        idx = getattr(a, self._arg)(axis=dim, keepdims=True)
        values = xp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            idx = idx.squeeze(dim)
            values = values.squeeze(dim)
        self.save(indices=idx.astype(xp.int64, copy=False))  # max(dim)'s indices, too
        self.dim, self.keepdim, self.sizes = dim, keepdim, a.shape
        return values

    def backward(self, g):
        if self.dim is None:
            return (g,)
        return (_scatter(g, self.saved("indices"), self.sizes, self.dim, self.keepdim),)

    def backward_graph(self, g):
        if self.dim is None:
            return (g,)
        idx = self.saved("indices")
        if not self.keepdim:  # as torch: the reduced dim back first, then the scatter
            g = g.unsqueeze(self.dim)
            idx = xp_of(idx).expand_dims(idx, self.dim)
        return (apply(ScatterBackward0, (g,), idx, self.sizes, self.dim, True),)

    def jvp(self, xs, out, tangents):
        if self.dim is None:
            return tangents[0]
        idx = getattr(xs[0], self._arg)(axis=self.dim, keepdims=True)  # (forward mode only)
        t = xp_of(out).take_along_axis(tangents[0], idx, axis=self.dim)
        return t if self.keepdim else t.squeeze(self.dim)


class MinBackward0(MaxBackward0):
    _name = "MinBackward0"
    _arg = "argmin"


def _scatter(g, idx, sizes, dim, keepdim):
    """Zeros of ``sizes`` with ``g`` at ``idx`` along ``dim`` (``max(dim)``'s gradient)."""
    xp = xp_of(g)
    if not keepdim:
        idx = xp.expand_dims(idx, dim)
        g = xp.expand_dims(g, dim)
    out = xp.zeros(sizes, dtype=g.dtype)
    nd = idx.ndim
    grid = [
        xp.arange(n).reshape([n if j == k else 1 for j in range(nd)])
        for k, n in enumerate(idx.shape)
    ]
    grid[dim] = idx
    out[tuple(grid)] = g
    return out


class ScatterBackward0(Function):
    """The gradient of ``max(dim)``/``min(dim)`` as an op of its own (what
    ``create_graph`` makes of their backward): ``g`` scattered into zeros at the saved
    indices. Its backward gathers from the same places."""

    _name = "ScatterBackward0"
    complex_rule = "as_is"
    graph_name = "GatherBackward0"

    def forward(self, g, idx, sizes, dim, keepdim):
        self.idx, self.sizes, self.dim, self.keepdim = idx, sizes, dim, keepdim
        return _scatter(g, idx, sizes, dim, keepdim)

    def backward(self, u):
        xp = xp_of(u)
        idx = self.idx if self.keepdim else xp.expand_dims(self.idx, self.dim)
        t = xp.take_along_axis(u, idx, axis=self.dim)
        return (t if self.keepdim else t.squeeze(self.dim),)

    def backward_graph(self, u):
        return linear_backward_graph(self, u)

    def jvp(self, xs, out, tangents):
        return _scatter(tangents[0], self.idx, self.sizes, self.dim, self.keepdim)


def _count(shape, dims) -> int:
    """How many elements each result of a reduction over ``dims`` (None or (): all) takes."""
    n = 1
    for d in range(len(shape)) if not dims else dims:
        n *= shape[d]
    return n


def _over(num: float, den) -> float:
    """``num / den`` as C++ divides doubles: by zero, an infinity."""
    return num / den if den else float("inf")


def _quiet():
    """NumPy's floating-point warnings off: 0 / 0 and x / 0 give NaN and inf silently, as in
    torch. CuPy arrays never warn."""
    return fp_quiet()


def _kept_mean(x, axes, n):
    """The mean over ``axes`` (None: all) of ``n`` elements each, kept as size-1 dims; NaN
    for none (where NumPy's mean warns)."""
    return x.sum(axis=axes, keepdims=True) / n


def _var(a, dims, correction, keepdim, root=False):
    """The variance over ``dims`` (None or (): all), or its square root, in float64 and
    rounded back to ``a``'s dtype; a count not above the correction divides by 0 (inf, or
    NaN for 0 / 0)."""
    xp = xp_of(a)
    axes = dims or None
    n = _count(a.shape, dims)
    wide = a.astype(xp.float64) if a.dtype.kind == "f" and a.dtype.itemsize < 8 else a
    with _quiet():
        dev = wide - _kept_mean(wide, axes, n)
        if dev.dtype.kind == "c":  # |dev|², real, as torch's
            ss = (dev.real * dev.real + dev.imag * dev.imag).sum(axis=axes, keepdims=keepdim)
        else:
            ss = (dev * dev).sum(axis=axes, keepdims=keepdim)
        if keepdim and axes is None:
            ss = ss.reshape((1,) * a.ndim)
        c = 1 if correction is None else correction
        out = xp.asarray(ss / max(n - c, 0))
        return (xp.sqrt(out) if root else out).astype(a.real.dtype, copy=False)


def _var_grad(g, x, dims, correction, keepdim):
    """torch's ``var_backward``: ``2 / (n - correction) * g * (x - mean)``. Without dims (or
    of a 0-dim tensor) a count not above the correction gives inf, or NaN where ``x`` is
    its mean; along dims the count of ``dims`` (1 for torch's ``dim=[]``) is used as it is."""
    xp = xp_of(x)
    c = 1 if correction is None else correction
    with _quiet():
        if x.ndim == 0 or dims is None:
            dof = x.size - c
            mean = _kept_mean(x, None, x.size)
            if dof <= 0:
                fill = xp.where(x == mean, xp.nan, xp.inf).astype(x.dtype)
                return xp.asarray(g * fill)
            return xp.asarray(2.0 / dof * g * (x - mean))
        if not keepdim and x.ndim > 1 and dims:
            g = g.reshape(tuple([1 if i in dims else n for i, n in enumerate(x.shape)]))
        mean = _kept_mean(x, dims or None, _count(x.shape, dims))
        n = _count(x.shape, dims) if dims else 1
        return xp.asarray(_over(2.0, n - c) * g * (x - mean))


def _var_grad_graph(g, x, dims, correction, keepdim):
    """``_var_grad`` in tensor ops (``x`` a tensor in the graph)."""
    c = 1 if correction is None else correction
    if x.ndim == 0 or dims is None:
        dof = x.numel() - c
        if dof <= 0:
            xa = x._data
            xp = xp_of(xa)
            mean = _kept_mean(xa, None, xa.size)
            return g * constant(xp.where(xa == mean, xp.nan, xp.inf).astype(xa.dtype))
        return g * (2.0 / dof) * (x - x.mean())
    if not keepdim and x.ndim > 1:
        for d in dims:  # (none for torch's dim=[])
            g = g.unsqueeze(d)
    n = _count(tuple(x.shape), dims) if dims else 1
    return g * _over(2.0, n - c) * (x - x.mean(list(dims), keepdim=True))


def _var_jvp(t, x, dims, correction, out):
    """torch's ``var_jvp``: the backward's rule on the tangent (its conjugate: of a complex
    ``x``, apply takes the real part), summed over ``dims``."""
    grad = _var_grad(t.conj() if t.dtype.kind == "c" else t, x, dims, correction, True)
    if x.ndim == 0 or not dims:  # (torch's sum over dim=[]: every dim)
        return grad.sum().reshape(out.shape)
    return grad.sum(axis=dims).reshape(out.shape)


class VarBackward0(Function):
    """``var``; ``dim`` None (every dim) or a tuple, ``()`` being torch's ``dim=[]``."""

    _name = "VarBackward0"
    complex_rule = "as_is"  # (its rule is written for complex numbers too)

    def forward(self, a, dim, correction, keepdim):
        self.dim, self.correction, self.keepdim = dim, correction, keepdim
        self.save(self=a)
        return contiguous(_var(a, dim, correction, keepdim))

    def backward(self, g):
        return (_var_grad(g, self.saved("self"), self.dim, self.correction, self.keepdim),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        return (_var_grad_graph(g, x, self.dim, self.correction, self.keepdim),)

    def jvp(self, xs, out, tangents):
        return _var_jvp(tangents[0], xs[0], self.dim, self.correction, out)


def _std_to_var(g, r):
    """torch's ``std_backward``'s first step: ``g / (2 * result)``, 0 where the result is 0."""
    with _quiet():
        return keep(g / (r * 2), r != 0)


class StdBackward0(Function):
    """``std``: the square root of ``var``; saves self and the result."""

    _name = "StdBackward0"
    complex_rule = "as_is"  # (its rule is written for complex numbers too)

    def forward(self, a, dim, correction, keepdim):
        self.dim, self.correction, self.keepdim = dim, correction, keepdim
        out = contiguous(_var(a, dim, correction, keepdim, root=True))
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        gv = _std_to_var(g, self.saved("result"))
        return (_var_grad(gv, self.saved("self"), self.dim, self.correction, self.keepdim),)

    def backward_graph(self, g):
        x, r = self.saved_tensor("self"), self.saved_tensor("result")
        gv = (g / (r * 2)).masked_fill(constant(self.saved("result") == 0), 0)
        return (_var_grad_graph(gv, x, self.dim, self.correction, self.keepdim),)

    def jvp(self, xs, out, tangents):
        return _std_to_var(_var_jvp(tangents[0], xs[0], self.dim, self.correction, out), out)


def _restore(v, shape, dims, keepdim):
    """A reduction's result (or gradient) with the reduced ``dims`` back as size-1 dims."""
    if keepdim or not dims or len(shape) == 0:
        return v
    return v.reshape(tuple([1 if i in dims else n for i, n in enumerate(shape)]))


def _restore_graph(t, dims, keepdim, ndim):
    """``_restore`` in tensor ops (``unsqueeze``, as torch's ``unsqueeze_multiple``)."""
    if keepdim or ndim == 0:
        return t
    for d in dims:
        t = t.unsqueeze(d)
    return t


class LogsumexpBackward0(Function):
    """``logsumexp`` along dims: ``log(sum(exp(x)))``, computed about the maximum."""

    _name = "LogsumexpBackward0"
    complex_rule = "no_grad"  # (computed for complex tensors; not differentiated)

    def forward(self, a, dims, keepdim):
        self.dim, self.keepdim = dims, keepdim
        xp = xp_of(a)
        axes = dims or None
        with _quiet():
            if a.size:
                # (of complex numbers, the real parts' max: the log's angle stays principal)
                m = (a.real if a.dtype.kind == "c" else a).max(axis=axes, keepdims=True)
                m = xp.where(xp.abs(m) == xp.inf, xp.zeros((), m.dtype), m)  # as torch
                s = xp.exp(a - m).sum(axis=axes, keepdims=True)
                out = xp.log(s) + m
                if not keepdim:
                    out = out.reshape(tuple([n for i, n in enumerate(a.shape) if i not in dims]))
            else:
                out = xp.log(xp.exp(a).sum(axis=axes, keepdims=keepdim))
        out = contiguous(xp.asarray(out))
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        x, r = self.saved("self"), self.saved("result")
        g = _restore(g, x.shape, self.dim, self.keepdim)
        r = _restore(r, x.shape, self.dim, self.keepdim)
        with _quiet():
            return (xp_of(x).asarray(g * xp_of(x).exp(x - r)),)

    def backward_graph(self, g):
        x, r = self.saved_tensor("self"), self.saved_tensor("result")
        g = _restore_graph(g, self.dim, self.keepdim, x.ndim)
        r = _restore_graph(r, self.dim, self.keepdim, x.ndim)
        return (g * (x - r).exp(),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], tangents[0]
        xp = xp_of(x)
        axes = self.dim or None
        with _quiet():  # torch's logsumexp_jvp: about the unmasked maximum
            e = xp.exp(x - x.max(axis=axes, keepdims=True)) if x.size else xp.exp(x)
            num = (e * t).sum(axis=axes, keepdims=self.keepdim)
            return num / e.sum(axis=axes, keepdims=self.keepdim)


class AmaxBackward0(Function):
    """``amax`` over dims (``()``: all); ties share the gradient evenly."""

    _name = "AmaxBackward0"
    _reduce = "max"

    def forward(self, a, dims, keepdim):
        self.dim, self.keepdim = dims, keepdim
        out = contiguous(
            xp_of(a).asarray(getattr(a, self._reduce)(axis=dims or None, keepdims=keepdim))
        )
        self.save(self=a, result=out)
        return out

    def _mask(self):
        x, r = self.saved("self"), self.saved("result")
        return x == _restore(r, x.shape, self.dim, self.keepdim)

    def backward(self, g):
        x = self.saved("self")
        mask = self._mask()
        g = _restore(g, x.shape, self.dim, self.keepdim)
        with _quiet():
            count = mask.sum(axis=self.dim or None, keepdims=True).astype(g.dtype)
            return (xp_of(x).asarray(g / count * mask),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        mask = self._mask()
        g = _restore_graph(g, self.dim, self.keepdim, x.ndim)
        count = mask.sum(axis=self.dim or None, keepdims=True).astype(g._data.dtype)
        return (g / constant(count) * constant(mask),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], tangents[0]
        xp = xp_of(x)
        mask = x == _restore(out, x.shape, self.dim, self.keepdim)
        axes = self.dim or None
        with _quiet():
            num = xp.where(mask, t, xp.zeros((), t.dtype)).sum(axis=axes, keepdims=self.keepdim)
            return num / mask.sum(axis=axes, keepdims=self.keepdim).astype(t.dtype)


class AminBackward0(AmaxBackward0):
    _name = "AminBackward0"
    _reduce = "min"


def _exclusive_prod(x, dim: int):
    """The product of all the other elements along ``dim``, for each element: torch's
    ``prod_safe_zeros_backward`` (a cumulative product from each side), exact with zeros."""
    xp = xp_of(x)
    n = x.shape[dim]
    ones = xp.ones(tuple([1 if i == dim else s for i, s in enumerate(x.shape)]), x.dtype)
    lead = (slice(None),) * dim
    with _quiet():
        head = xp.cumprod(xp.concatenate([ones, x[(*lead, slice(0, n - 1))]], dim), dim)
        tail = xp.flip(x[(*lead, slice(1, n))], dim)
        tail = xp.flip(xp.cumprod(xp.concatenate([ones, tail], dim), dim), dim)
        return head * tail


def _exclusive_prod_graph(x, dim: int):
    """``_exclusive_prod`` in tensor ops: along a new dim, each element's row of the others
    with itself replaced by 1, multiplied out (its own gradient is ``prod``'s again)."""
    n = x.shape[dim]
    shape = list(x.shape)
    shape.insert(dim, n)
    rows = x.unsqueeze(dim).expand(tuple(shape))
    eye = xp_of(x._data).eye(n, dtype=bool)
    eye = eye.reshape(tuple([n if i in (dim, dim + 1) else 1 for i in range(len(shape))]))
    return rows.masked_fill(constant(eye), 1).prod(dim + 1)


def _prod_grad(g, x, r, dim, *, plain: bool):
    """torch's ``prod_backward`` (``dim`` None: of the whole tensor), ``g`` and ``r`` with
    the reduced dim kept. Without zeros ``g * result / x``; with zeros the exclusive
    products, except that a whole-tensor product with several zeros gives zeros when
    backward records no graph (``plain``), as torch's does."""
    xp = xp_of(x)
    if x.size == 0:
        return xp.broadcast_to(g, x.shape).copy()
    zeros = int((x == 0).sum())
    with _quiet():
        if zeros == 0:
            return g * (r / x)
        if dim is None:
            if plain and zeros > 1:
                return xp.zeros_like(x)
            return g * _exclusive_prod(x.reshape(-1), 0).reshape(x.shape)
        return g * _exclusive_prod(x, dim)


def _prod_grad_graph(g, x, r, dim):
    """``_prod_grad`` in tensor ops (``x`` and ``r`` tensors in the graph)."""
    if x._data.size == 0:
        return g.expand(tuple(x.shape))
    if not (x._data == 0).any():
        return g * (r / x)
    if dim is None:
        return g * _exclusive_prod_graph(x.reshape(-1), 0).reshape(tuple(x.shape))
    return g * _exclusive_prod_graph(x, dim)


class ProdBackward0(Function):
    """The product of all elements (in ``dtype`` when given)."""

    _name = "ProdBackward0"
    complex_rule = "conj"

    def forward(self, a, dtype):
        xp = xp_of(a)
        with _quiet():
            out = xp.asarray(a.prod(dtype=dtype))
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        x, r = self.saved("self"), self.saved("result")
        if x.ndim == 0:
            return (g.astype(x.dtype, copy=False),)
        grad = _prod_grad(g, x.astype(g.dtype, copy=False), r, None, plain=True)
        return (xp_of(x).asarray(grad).astype(x.dtype, copy=False),)

    def backward_graph(self, g):
        x, r = self.saved_tensor("self"), self.saved_tensor("result")
        in_dtype = x._data.dtype
        if x.ndim == 0:
            return (cast_to(g, in_dtype),)
        return (cast_to(_prod_grad_graph(g, cast_to(x, g._data.dtype), r, None), in_dtype),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], tangents[0]
        if x.ndim == 0:
            return t.astype(out.dtype)
        one = xp_of(out).ones((), out.dtype)
        grad = _prod_grad(one, x.astype(out.dtype, copy=False), out, None, plain=False)
        return (grad * t).sum()


class ProdBackward1(Function):
    """The product along one dim (in ``dtype`` when given)."""

    _name = "ProdBackward1"
    complex_rule = "conj"

    def forward(self, a, dim, keepdim, dtype):
        self.dim, self.keepdim = dim, keepdim
        xp = xp_of(a)
        with _quiet():
            if a.ndim == 0:
                out = a.astype(dtype or a.dtype)
            else:
                out = contiguous(xp.asarray(a.prod(axis=dim, keepdims=keepdim, dtype=dtype)))
        self.save(self=a, result=out)
        return out

    def _kept(self, v, x):
        return v if self.keepdim else xp_of(v).expand_dims(v, self.dim)

    def backward(self, g):
        x, r = self.saved("self"), self.saved("result")
        if x.ndim == 0:
            return (g.astype(x.dtype, copy=False),)
        g, r = self._kept(g, x), self._kept(r, x)
        grad = _prod_grad(g, x.astype(g.dtype, copy=False), r, self.dim, plain=True)
        return (xp_of(x).asarray(grad).astype(x.dtype, copy=False),)

    def backward_graph(self, g):
        x, r = self.saved_tensor("self"), self.saved_tensor("result")
        in_dtype = x._data.dtype
        if x.ndim == 0:
            return (cast_to(g, in_dtype),)
        if not self.keepdim:
            g, r = g.unsqueeze(self.dim), r.unsqueeze(self.dim)
        grad = _prod_grad_graph(g, cast_to(x, g._data.dtype), r, self.dim)
        return (cast_to(grad, in_dtype),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], tangents[0]
        if x.ndim == 0:
            return t.astype(out.dtype)
        xp = xp_of(out)
        r = self._kept(out, x)
        one = xp.ones(r.shape, out.dtype)
        grad = _prod_grad(one, x.astype(out.dtype, copy=False), r, self.dim, plain=False)
        return (grad * t).sum(axis=self.dim, keepdims=self.keepdim)


def _norm(a, ord: float, dims, keepdim):
    """The vector ``ord``-norm over ``dims`` (``()``: all), in ``a``'s dtype (as torch's:
    a float32 square of 1e30 overflows)."""
    xp = xp_of(a)
    axes = dims or None
    ab = xp.abs(a)
    with _quiet():
        if ord == 0:
            out = (a != 0).sum(axis=axes, keepdims=keepdim, dtype=a.dtype)
        elif ord == float("inf"):
            out = ab.max(axis=axes, keepdims=keepdim)
        elif ord == -float("inf"):
            out = ab.min(axis=axes, keepdims=keepdim)
        elif ord == 1:
            out = ab.sum(axis=axes, keepdims=keepdim)
        elif ord == 2:
            out = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
        else:
            out = (ab**ord).sum(axis=axes, keepdims=keepdim) ** (1.0 / ord)
    return xp.asarray(out).astype(a.dtype, copy=False)


def _where0(cond, v):
    """``v`` with 0 where ``cond`` holds (torch's ``masked_fill_(cond, 0)``)."""
    xp = xp_of(v)
    return xp.where(cond, xp.zeros((), v.dtype), v)


def _norm_grad(g, x, r, ord: float, dims):
    """torch's ``norm_backward`` (``g`` and ``r`` with the reduced dims kept); None for
    ``ord`` 0, whose gradient torch leaves undefined."""
    xp = xp_of(x)
    ax = xp.abs(x)
    with _quiet():
        if ord == 1:
            return sgn(x) * g
        if ord == 2:
            return g * _where0(r == 0, x / r)
        if ord in (float("inf"), -float("inf")):
            mask = (ax == r) | xp.isnan(ax)
            count = mask.sum(axis=dims or None, keepdims=True).astype(g.dtype)
            return sgn(x) * ((g / count) * mask)
        if ord < 1:
            return sgn(x) * _where0(x == 0, ax ** (ord - 1)) * g * r ** (1 - ord)
        scaled = sgn(x) * ax ** (ord - 1) if ord < 2 else x * ax ** (ord - 2)
        return scaled * _where0(r == 0, g / r ** (ord - 1))


def _norm_grad_graph(g, x, r, ord: float, dims):
    """``_norm_grad`` in tensor ops (``x`` and ``r`` tensors in the graph)."""
    xa, ra = x._data, r._data
    if ord == 1:
        return x.sgn() * g
    if ord == 2:
        return g * (x / r).masked_fill(constant(ra == 0), 0)
    if ord in (float("inf"), -float("inf")):
        xp = xp_of(xa)
        mask = (xp.abs(xa) == ra) | xp.isnan(xa)
        count = mask.sum(axis=dims or None, keepdims=True).astype(g._data.dtype)
        return x.sgn() * ((g / constant(count)) * constant(mask))
    if ord < 1:
        scaled = x.sgn() * x.abs().pow(ord - 1).masked_fill(constant(xa == 0), 0)
        return scaled * g * r.pow(1 - ord)
    scaled = x.sgn() * x.abs().pow(ord - 1) if ord < 2 else x * x.abs().pow(ord - 2)
    return scaled * (g / r.pow(ord - 1)).masked_fill(constant(ra == 0), 0)


class LinalgVectorNormBackward0(Function):
    """``linalg.vector_norm`` (and ``norm``): ``dim`` None for every dim, else a tuple."""

    _name = "LinalgVectorNormBackward0"
    complex_rule = "as_is"  # (its rule is written for complex numbers too)

    def forward(self, a, ord, dims, keepdim, dtype):
        self.ord, self.dim, self.keepdim = ord, dims, keepdim
        x = a if dtype is None else a.astype(dtype)
        out = _norm(xp_of(x).abs(x) if x.dtype.kind == "c" else x, float(ord), dims, keepdim)
        out = contiguous(out)
        self.save(self=a, result=out)
        return out

    def _kept(self, v, x):
        return _restore(v, x.shape, self.dim, self.keepdim)

    def backward(self, g):
        x, r = self.saved("self"), self.saved("result")
        if float(self.ord) == 0:
            return (None,)
        grad = _norm_grad(self._kept(g, x), x, self._kept(r, x), float(self.ord), self.dim)
        return (xp_of(x).asarray(grad).astype(x.dtype, copy=False),)

    def backward_graph(self, g):
        if float(self.ord) == 0:
            return (None,)
        x, r = self.saved_tensor("self"), self.saved_tensor("result")
        nd = x.ndim
        g = _restore_graph(g, self.dim or (), self.keepdim, nd)
        r = _restore_graph(r, self.dim or (), self.keepdim, nd)
        return (cast_to(_norm_grad_graph(g, x, r, float(self.ord), self.dim), x._data.dtype),)

    def jvp(self, xs, out, tangents):
        tangent = self._tangent(xs[0], tangents[0], out)
        return xp_of(out).asarray(tangent).astype(out.dtype, copy=False)

    def _tangent(self, x, t, out):
        """torch's ``norm_jvp``, in the input's dtype up to the division by the norm."""
        if x.dtype.kind == "c":  # a norm reads |x| alone: its tangent is that of |x|
            t, x = (sgn(x).conj() * t).real, xp_of(x).abs(x)
        p = float(self.ord)
        xp = xp_of(x)
        axes, kd = self.dim or None, self.keepdim
        if p == 0:
            return xp.zeros_like(out)
        with _quiet():
            if p == 1:
                return (sgn(x) * t).sum(axis=axes, keepdims=kd)
            if p == 2:
                return _where0(out == 0, (x * t).sum(axis=axes, keepdims=kd) / out)
            ax = xp.abs(x)
            if p in (float("inf"), -float("inf")):
                r = self._kept(out, x)
                mask = ((ax == r) | (xp.isnan(x) & xp.isnan(r))).astype(out.dtype)
                count = mask.sum(axis=axes, keepdims=True)
                return (sgn(x) * t * mask / count).sum(axis=axes, keepdims=kd)
            if p < 1:
                s = (_where0(x == 0, ax ** (p - 1)) * (sgn(x) * t)).sum(axis=axes, keepdims=kd)
                return s * out ** (1 - p)
            s = (ax ** (p - 1) * (sgn(x) * t)) if p < 2 else (ax ** (p - 2) * (x * t))
            return _where0(out == 0, s.sum(axis=axes, keepdims=kd) / out ** (p - 1))


class NormBackward1(LinalgVectorNormBackward0):
    """``at::norm(self, p, dim, keepdim)``, which ``pairwise_distance`` records: the vector
    norm's rules, its order saved as ``p``."""

    _name = "NormBackward1"

    @property
    def ord(self) -> float:
        return self.p

    @ord.setter
    def ord(self, value) -> None:
        self.p = float(value)


def _reversed_cumsum(w, dim: int):
    """Sums from each element to the end along ``dim`` (torch's ``reversed_cumsum``)."""
    xp = xp_of(w)
    return xp.flip(xp.cumsum(xp.flip(w, dim), dim), dim)


def _reversed_cumsum_graph(w, dim: int):
    """``_reversed_cumsum`` in tensor ops, as torch's (an inf leaves the sums before it
    finite)."""
    from . import api

    return api.flip(api.flip(w, dim).cumsum(dim), dim)


class CumsumBackward0(Function):
    """Running sums along ``dim`` (in ``dtype`` when given)."""

    _name = "CumsumBackward0"
    complex_rule = "as_is"

    def forward(self, a, dim, dtype):
        self.dim, self.in_dtype = dim, a.dtype
        if a.ndim == 0:
            return a.astype(dtype or a.dtype)
        return xp_of(a).cumsum(contiguous(a), axis=dim, dtype=dtype)  # C order, as torch's

    def backward(self, g):
        g = g.astype(self.in_dtype, copy=False)
        if g.size <= 1 or g.ndim == 0 or g.shape[self.dim] == 1:
            return (g,)
        return (_reversed_cumsum(g, self.dim),)

    def backward_graph(self, g):
        g = cast_to(g, self.in_dtype)
        if g.numel() <= 1 or g.ndim == 0 or g.shape[self.dim] == 1:
            return (g,)
        return (_reversed_cumsum_graph(g, self.dim),)

    def jvp(self, xs, out, tangents):
        t = tangents[0]
        return t.astype(out.dtype) if t.ndim == 0 else t.cumsum(axis=self.dim, dtype=out.dtype)


def _slice(x, dim: int, start, stop=None):
    return x[(slice(None),) * dim + (slice(start, stop),)]


def _cumprod_grad(g, x, out, dim: int):
    """torch's ``cumprod_backward`` as backward without a graph runs it: ``reversed_cumsum(
    result * g) / x`` without zeros; with zeros, exact up to the first zero of each slice
    and at it (the elements after it get 0)."""
    xp = xp_of(x)
    if x.size <= 1 or x.ndim == 0 or x.shape[dim] == 1:
        return g
    with _quiet():
        w = out * g
        is_zero = x == 0
        if not is_zero.any():
            return _reversed_cumsum(w, dim) / x
        count = xp.cumsum(is_zero, axis=dim)
        before = count == 0
        grad = xp.where(before, _reversed_cumsum(_where0(~before, w), dim) / x, 0).astype(g.dtype)
        at = count == 1
        first = xp.expand_dims(xp.argmax(at, axis=dim), dim)  # (0 where there is none)
        places = xp.arange(x.shape[dim]).reshape([-1] + [1] * (x.ndim - dim - 1))
        first_mask = (places == first) & at
        between = at & ~first_mask
        ones = xp.ones((), x.dtype)
        part = (xp.cumprod(xp.where(between, x, ones), axis=dim) * _where0(count != 1, g)).sum(
            axis=dim, keepdims=True
        )
        before_out = xp.take_along_axis(out, xp.maximum(first - 1, 0), axis=dim)
        part = part * xp.where(first == 0, ones, before_out)
        return xp.where(first_mask, part, grad)


def _cumprod_grad_graph(g, x, out, dim: int):
    """``_cumprod_grad`` as torch's backward runs it when it records a graph: the same
    without zeros; with zeros, every slice's sum of the products that leave it out."""
    from . import api

    if x.numel() <= 1 or x.ndim == 0 or x.shape[dim] == 1:
        return g
    n = x.shape[dim]
    if not (x._data == 0).any():
        return _reversed_cumsum_graph(out * g, dim) / x
    parts = []
    for k in range(n):
        after = _slice(x, dim, k + 1).cumprod(dim) if k < n - 1 else None
        if k == 0:
            shape = list(x.shape)
            shape[dim] = 1
            ones = constant(xp_of(x._data).ones(tuple(shape), x._data.dtype))
            omitted = api.cat([ones, after], dim)
        else:
            until = _slice(x, dim, 0, k).prod(dim, keepdim=True)
            omitted = until if after is None else api.cat([until, until * after], dim)
        parts.append((_slice(g, dim, k) * omitted).sum(dim))
    return api.stack(parts, dim)


class CumprodBackward0(Function):
    """Running products along ``dim`` (in ``dtype`` when given); exact with zeros."""

    _name = "CumprodBackward0"
    complex_rule = "conj"

    def forward(self, a, dim, dtype):
        self.dim = dim
        xp = xp_of(a)
        with _quiet():
            out = (
                a.astype(dtype or a.dtype)
                if a.ndim == 0
                else xp.cumprod(contiguous(a), dim, dtype=dtype)
            )
        self.save(self=a, result=out)
        return out

    def backward(self, g):
        x, out = self.saved("self"), self.saved("result")
        grad = _cumprod_grad(g.astype(x.dtype, copy=False), x, out, self.dim)
        return (xp_of(x).asarray(grad).astype(x.dtype, copy=False),)

    def backward_graph(self, g):
        x, out = self.saved_tensor("self"), self.saved_tensor("result")
        return (_cumprod_grad_graph(cast_to(g, x._data.dtype), x, out, self.dim),)

    def jvp(self, xs, out, tangents):
        x, t = xs[0], tangents[0]
        xp = xp_of(x)
        with _quiet():  # torch's cumprod_jvp: past a slice's first zero, by products
            if x.ndim == 0:
                return xp.where(x == 0, t, t / x * out).astype(out.dtype)
            grad = xp.cumsum(t / x, axis=self.dim) * out
            zeros = x == 0
            first = zeros & (xp.cumsum(zeros, axis=self.dim) == 1)
            past = xp.cumprod(xp.where(first, t, x), axis=self.dim)
            after = xp.cumsum(first, axis=self.dim) > 0
            return xp.where(after, past, grad).astype(out.dtype)


def _mean_of(a, dims, keepdim):
    """``a``'s mean over ``dims`` (None or (): all), in ``a``'s dtype, as torch's running
    (Welford) mean gives it: NaN over nothing, and an infinity survives only as the last
    element of its slice (any element after it makes the mean NaN)."""
    xp = xp_of(a)
    axes = tuple(range(a.ndim)) if not dims else dims
    n = _count(a.shape, dims)
    with _quiet():
        out = a.sum(axis=axes, keepdims=True) / n
        inf = xp.isinf(a)
        if n and inf.any():
            rest = [d for d in range(a.ndim) if d not in axes]
            flat = xp.transpose(a, rest + list(axes)).reshape(
                tuple(a.shape[d] for d in rest) + (n,)
            )
            first = xp.argmax(xp.isinf(flat), axis=-1)
            kept = xp.where(first == n - 1, flat[..., -1], xp.nan)
            kept = kept.reshape(tuple(1 if d in axes else s for d, s in enumerate(a.shape)))
            out = xp.where(inf.any(axis=axes, keepdims=True), kept, out)
    if not keepdim:
        out = out.reshape(tuple(s for d, s in enumerate(a.shape) if d not in axes))
    return xp.asarray(out).astype(a.dtype, copy=False)


def output_edge(node, nr: int):
    """The edge of output ``nr`` of a node of several outputs: the one its output tensor
    holds while that lives (a weak reference, so that the node holds no cycle), else anew."""
    from ..autograd.custom import CustomOutput

    refs = node.out_edges
    edge = None if refs[nr] is None else refs[nr]()
    if edge is None:
        edge = CustomOutput(node, nr, -(nr + 1) / (node._n_out + 2))
        refs[nr] = weakref.ref(edge)
    return edge


class VarMeanBackward0(Function):
    """``var_mean``: one node for both outputs (the variance, then the mean), as torch's.
    Each output reaches it through an edge that hands over its gradient
    (``CustomOutput``); the node runs once, on both."""

    _name = "VarMeanBackward0"
    complex_rule = "as_is"  # (its rule is written for complex numbers too)
    _several = True  # its hooks see one gradient per output
    _n_out = 2
    _root = False  # std_mean's: the first output is the square root of the variance

    def forward(self, a, dim, correction, keepdim):
        self.dim, self.correction, self.keepdim = dim, correction, keepdim
        first = contiguous(_var(a, dim, correction, keepdim, root=self._root))
        self.mean_out = contiguous(_mean_of(a, dim, keepdim))
        self._save(a, first)
        return first

    def _save(self, a, first):
        self.save(self=a)

    def _parts(self, g, key: str) -> list:
        """This backward's gradient of each output (None for one that got none). A gradient
        that reaches the node itself, not through an edge (the saved first output of
        std_mean, in a gradient's graph), is the first output's."""
        from ..autograd import engine

        parts = self.__dict__.get(key, {}).get(engine.current_run)
        return list(parts) if parts is not None else [g, None]

    def grad_outputs(self, g) -> tuple:
        """The gradients hooks on this node see, one per output."""
        return tuple(self._parts(g, "_accs"))

    def gradient_of(self, parts: tuple, like):
        """Take ``parts`` (a hook's replacement) as this backward's output gradients."""
        from ..autograd import engine

        self.__dict__.setdefault("_accs", {})[engine.current_run] = list(parts)
        return next((p for p in parts if p is not None), None)

    def _first_grad(self, g, x):
        return _var_grad(g, x, self.dim, self.correction, self.keepdim)

    def _first_grad_graph(self, g, x):
        return _var_grad_graph(g, x, self.dim, self.correction, self.keepdim)

    def backward(self, g):
        x = self.saved("self")
        gfirst, gmean = self._parts(g, "_accs")
        grad = None if gfirst is None else self._first_grad(gfirst, x)
        if gmean is not None:
            n = _count(x.shape, self.dim)
            with _quiet():
                part = expand(_restore(gmean, x.shape, self.dim, self.keepdim) / n, x.shape)
            grad = part if grad is None else grad + part
        return (None if grad is None else xp_of(x).asarray(grad),)

    def backward_graph(self, g):
        x = self.saved_tensor("self")
        gfirst, gmean = self._parts(g, "_graph_parts")
        grad = None if gfirst is None else self._first_grad_graph(gfirst, x)
        if gmean is not None:
            n = _count(tuple(x.shape), self.dim)
            back = _restore_graph(gmean, self.dim or (), self.keepdim, x.ndim)
            part = back.expand(tuple(x.shape)) / n
            grad = part if grad is None else grad + part
        return (grad,)

    def jvp(self, xs, out, tangents):  # the first output's; the mean's is the api's
        return _var_jvp(tangents[0], xs[0], self.dim, self.correction, out)


class StdMeanBackward0(VarMeanBackward0):
    """``std_mean``: as ``var_mean``, with the standard deviation first (saved as
    ``result0``)."""

    _name = "StdMeanBackward0"
    _root = True

    def _save(self, a, first):
        self.save(self=a, result0=first)

    def saved_tensor(self, slot: str):
        """As ``Function.saved_tensor``; the saved first output leads back through its own
        edge (output 0), as torch's saved output does."""
        t = super().saved_tensor(slot)
        if slot == "result0" and "out_edges" in self.__dict__:
            t._grad_fn = output_edge(self, 0)
        return t

    def _first_grad(self, g, x):
        gv = _std_to_var(g, self.saved("result0"))
        return _var_grad(gv, x, self.dim, self.correction, self.keepdim)

    def _first_grad_graph(self, g, x):
        r = self.saved_tensor("result0")
        gv = (g / (r * 2)).masked_fill(constant(self.saved("result0") == 0), 0)
        return _var_grad_graph(gv, x, self.dim, self.correction, self.keepdim)

    def jvp(self, xs, out, tangents):
        return _std_to_var(_var_jvp(tangents[0], xs[0], self.dim, self.correction, out), out)
