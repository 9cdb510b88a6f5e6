"""Reductions: ``sum``, ``mean``, ``max``, ``var``, ``norm``, ``softmax``, ``cumsum`` ..."""

from __future__ import annotations

import builtins
import warnings

import numpy as np

from ... import dtypes
from ...autograd import function as _function
from ...autograd.function import apply
from ...autograd.grad_mode import state
from ...backend import xp_of
from ...errors import refuse_complex_input, scalar_type_name, shape_str
from ...events.callsite import user_stacklevel
from .. import activation as A
from .. import reduce as R
from ._common import _NOTHING, MaxResult, MinResult, _dim, _dims, _prod, _Scalar
from .comparison import logical_not, logical_xor, maximum, minimum
from .joins import cat
from .pointwise import _floating, isnan
from .views import narrow, view

Tensor = None  # set by gradscope.tensor


def sum(a, dim=None, keepdim=False, *, dtype=None, axis=None):  # noqa: A001
    """Sum of all elements, or along ``dim`` (an int or a tuple; ``axis``, NumPy's name,
    as torch takes it too)."""
    if axis is not None and dim is None:
        dim = axis
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "bi" and a._data.dtype != np.int64:
        np_dtype = np.dtype(np.int64)
    if dim is None and not keepdim:
        return apply(R.SumBackward0, (a,), np_dtype)
    dims = tuple(range(a._data.ndim)) if dim is None else _dims(dim, a._data.ndim)
    return apply(R.SumBackward1, (a,), dims, keepdim, np_dtype)


def mean(a, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Mean of all elements, or along ``dim`` (or ``axis``), computed in ``dtype`` if given."""
    if axis is not None and dim is None:
        dim = axis
    np_dtype = dtypes.resolve(dtype)
    kind = (np_dtype or a._data.dtype).kind
    if kind not in "fc":
        what = "Input" if np_dtype is None else "Optional"
        got = scalar_type_name(np_dtype or a._data.dtype)
        raise RuntimeError(
            "mean(): could not infer output dtype. "
            f"{what} dtype must be either a floating point or complex dtype. Got: {got}"
        )
    extra = () if np_dtype is None else (np_dtype,)
    if dim is None and not keepdim:
        return apply(R.MeanBackward0, (a,), *extra)
    dims = tuple(range(a._data.ndim)) if dim is None else _dims(dim, a._data.ndim)
    return apply(R.MeanBackward1, (a,), dims, keepdim, *extra)


def _extreme(a, dim, keepdim, full_cls, dim_cls, result_type, pair_fn):
    if type(dim) is Tensor:
        return pair_fn(a, dim)
    if dim is None:
        return apply(full_cls, (a,))
    d = _dim(dim, a._data.ndim)
    if a._data.ndim and a._data.shape[d] == 0:
        name = "max" if full_cls is R.MaxBackward1 else "min"
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    values = apply(dim_cls, (a,), d, keepdim)
    node = values._grad_node()
    if node is not None and node._saved:
        st = node._saved["indices"]
        indices = Tensor._share(st.data, st.buffer, st.vc)
    else:
        arg = a._data.argmax if full_cls is R.MaxBackward1 else a._data.argmin
        indices = Tensor._make(arg(axis=d, keepdims=keepdim).astype(np.int64, copy=False), None)
    return result_type(values, indices)


def max(a, dim=None, keepdim=False):  # noqa: A001
    """The largest element, or ``(values, indices)`` along ``dim``, or ``maximum(a, other)``."""
    return _extreme(a, dim, keepdim, R.MaxBackward1, R.MaxBackward0, MaxResult, maximum)


def min(a, dim=None, keepdim=False):  # noqa: A001
    """The smallest element, or ``(values, indices)`` along ``dim``, or ``minimum(a, other)``."""
    return _extreme(a, dim, keepdim, R.MinBackward1, R.MinBackward0, MinResult, minimum)


def argmax(a, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor, or along ``dim``)."""
    return _arg_extreme("argmax", a, dim, keepdim)


def argmin(a, dim=None, keepdim=False):
    """The index of the smallest element (of the flattened tensor, or along ``dim``)."""
    return _arg_extreme("argmin", a, dim, keepdim)


def _arg_extreme(name: str, a, dim, keepdim):
    refuse_complex_input(name, a)
    d = a._data
    if d.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    xp = xp_of(d)
    if dim is None:
        if d.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        found = getattr(d, name)(keepdims=keepdim)
    elif d.ndim == 0:  # dim 0 or -1 of a 0-dim tensor: its one element
        _dim(dim, 0)
        found = 0
    else:
        ax = _dim(dim, d.ndim)
        if d.shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")
        found = getattr(d, name)(axis=ax, keepdims=keepdim)
    return Tensor._make(xp.asarray(found, dtype=xp.int64), None)


def softmax(a, dim=_NOTHING, dtype=None):
    """``exp(a) / sum(exp(a))`` along ``dim`` (in ``dtype``, when given)."""
    a, dim = _softmax_args("softmax", a, dim, dtype)
    return apply(A.SoftmaxBackward0, (a,), dim)


def log_softmax(a, dim=_NOTHING, dtype=None):
    """``log(softmax(a))`` along ``dim``, computed stably (in ``dtype``, when given)."""
    a, dim = _softmax_args("log_softmax", a, dim, dtype)
    return apply(A.LogSoftmaxBackward0, (a,), dim)


def implicit_softmax_dim(a) -> int:
    """The dim torch's ``F.softmax`` picks when none is given (a deprecated choice)."""
    return 0 if a._data.ndim in (0, 1, 3) else 1


def _softmax_args(name: str, a, dim, dtype):
    """``a`` in ``dtype`` and ``dim`` checked; torch's errors for a missing dim and for
    integer and bool tensors (which its kernels refuse)."""
    if dim is _NOTHING or dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if dtype is not None:
        a = a.to(dtype)
    nd = a._data.ndim
    dim = _dim(dim, nd)
    if a._data.dtype.kind != "f":
        last = "_lastdim" if dim == builtins.max(nd, 1) - 1 else ""
        raise NotImplementedError(
            f"\"{name}{last}_kernel_impl\" not implemented for '{scalar_type_name(a._data.dtype)}'"
        )
    return a, dim


def var(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """The variance of all elements, or along ``dim``, with Bessel's ``correction`` (1
    unless ``unbiased=False`` or ``correction=`` says otherwise)."""
    return _var_std(R.VarBackward0, "var", a, dim, unbiased, keepdim, correction)


def std(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """The standard deviation: the square root of ``var`` with the same arguments."""
    return _var_std(R.StdBackward0, "std", a, dim, unbiased, keepdim, correction)


def var_mean(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """``(var, mean)`` of all elements, or along ``dim``, with ``var``'s arguments."""
    return _with_mean(R.VarMeanBackward0, "var_mean", a, dim, unbiased, keepdim, correction)


def std_mean(a, dim=_NOTHING, unbiased=_NOTHING, keepdim=_NOTHING, *, correction=_NOTHING):
    """``(std, mean)`` of all elements, or along ``dim``, with ``std``'s arguments."""
    return _with_mean(R.StdMeanBackward0, "std_mean", a, dim, unbiased, keepdim, correction)


def _with_mean(cls, name: str, a, dim, unbiased, keepdim, correction) -> tuple:
    """Both outputs of one node: the first from ``apply``, the mean made alongside and both
    given edges into that node, as torch's node of two outputs (under forward mode the
    mean is ``mean``'s own op, which carries its tangent)."""
    dims, correction, keepdim = _var_args(name, a, dim, unbiased, keepdim, correction)
    first = apply(cls, (a,), dims, correction, keepdim)
    node = first._grad_fn
    if _function._dual:
        return first, mean(a, list(dims or ()), keepdim)
    if node is None:
        return first, Tensor._make(R._mean_of(a._data, dims, keepdim), None)
    second = Tensor._make(node.mean_out, node)
    node.out_edges = [None, None]  # (weak references to the edges, as they are made)
    first._grad_fn, second._grad_fn = R.output_edge(node, 0), R.output_edge(node, 1)
    del node.mean_out
    return first, second


def _var_std(cls, name: str, a, dim, unbiased, keepdim, correction):
    dims, correction, keepdim = _var_args(name, a, dim, unbiased, keepdim, correction)
    return apply(cls, (a,), dims, correction, keepdim)


def _var_args(name: str, a, dim, unbiased, keepdim, correction) -> tuple:
    """``var``'s arguments as torch's three overloads read them: ``(dims, correction,
    keepdim)``, the correction as torch's node keeps it (None when none was given in any
    form); torch's errors, and its warning when the count is not above the correction."""
    if type(dim) is bool and unbiased is _NOTHING:  # ``var(False)``: the unbiased overload
        dim, unbiased = _NOTHING, dim
    given = {"unbiased": unbiased, "keepdim": keepdim, "correction": correction}
    bad = (
        (unbiased is not _NOTHING and (correction is not _NOTHING or type(unbiased) is not bool))
        or (unbiased is not _NOTHING and keepdim is not _NOTHING and dim is _NOTHING)
        or (keepdim is not _NOTHING and type(keepdim) is not bool)
        or (correction not in (_NOTHING, None) and not isinstance(correction, _Scalar))
        or not _dims_arg(dim)
    )
    if bad:
        shown = [] if dim is _NOTHING else [type(dim).__name__]
        kw = [f"{k}={type(v).__name__}" for k, v in given.items() if v is not _NOTHING]
        lead = "Tensor input, " if name.endswith("_mean") else ""  # (functions only)
        shown = (["Tensor"] if lead else []) + shown
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({', '.join(shown + kw)}), but expected one of:\n"
            f" * ({lead}tuple of ints dim, bool unbiased = True, bool keepdim = False)\n"
            f" * ({lead}tuple of ints dim = None, *, Number correction = None, "
            "bool keepdim = False)\n"
            f" * ({lead}bool unbiased = True)\n"
        )
    if a._data.dtype.kind not in "fc":
        what = name if name.endswith("_mean") else "std and var"
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    if unbiased is not _NOTHING:
        correction = 1 if unbiased else 0
    elif correction is _NOTHING:
        correction = None if dim is _NOTHING else 1
    keepdim = keepdim is True
    nd = a._data.ndim
    if dim is _NOTHING or dim is None:
        dims = None
    elif isinstance(dim, (list, tuple)) and not dim:
        dims = ()  # torch reduces every dim, and its backward counts 1 element
    else:
        dims = _dims(int(dim.item()) if type(dim) is Tensor else dim, nd)
        dims = dims if nd else None  # a 0-dim tensor's one element, as without dims
    shape = a._data.shape
    kept = 1 if not dims else _prod(n for i, n in enumerate(shape) if i not in dims)
    count = a._data.size // kept if kept else 0  # torch's: input numel / output numel, or 0
    if count - (1 if correction is None else correction) <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than "
            "the reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return dims, correction, keepdim


def _dims_arg(dim) -> bool:
    """Whether ``dim`` is what torch takes for a reduction's dims (an int, an int tensor of
    one element, a list or tuple of ints, None) or not given."""
    if dim is _NOTHING or dim is None or type(dim) is int:
        return True
    if type(dim) is Tensor:
        return dim._data.dtype.kind in "iu" and dim._data.size == 1
    return isinstance(dim, (list, tuple)) and all(type(d) is int for d in dim)


def logsumexp(a, dim=_NOTHING, keepdim=False):
    """``log(sum(exp(a)))`` along ``dim`` (an int or a tuple), without overflow."""
    if dim is _NOTHING:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    dims = _reduction_dims("logsumexp", a, dim)
    nd = a._data.ndim
    if isinstance(dim, (list, tuple)) and not dim and a._data.size and nd and not keepdim:
        raise RuntimeError(  # torch's kernel writes its kept dims into a 0-dim result
            f"output with shape [] doesn't match the broadcast shape {shape_str((1,) * nd)}"
        )
    return apply(R.LogsumexpBackward0, (_floating(a),), dims, keepdim)


def amax(a, dim=(), keepdim=False):
    """The largest value along ``dim`` (an int or a tuple; all dims when empty); ties
    share the gradient evenly."""
    return _amax_amin(R.AmaxBackward0, "amax", a, dim, keepdim)


def amin(a, dim=(), keepdim=False):
    """The smallest value along ``dim`` (an int or a tuple; all dims when empty); ties
    share the gradient evenly."""
    return _amax_amin(R.AminBackward0, "amin", a, dim, keepdim)


def _amax_amin(cls, name: str, a, dim, keepdim):
    shape = a._data.shape
    for d in [dim] if type(dim) is int else dim if isinstance(dim, (list, tuple)) else ():
        if type(d) is int and shape and shape[_dim(d, len(shape))] == 0:  # (before repeats)
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    dims = _reduction_dims(name, a, () if dim is None else dim)
    if not dims and a._data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    return apply(cls, (a,), dims, keepdim)


def _reduction_dims(name: str, a, dim) -> tuple:
    """``dim`` of a reduction that takes ``int[1] dim`` (an int, an int tensor, a list or
    tuple of ints), checked and sorted; ``()`` for none (all dims), as for a 0-dim tensor."""
    if type(dim) is Tensor:
        dim = int(dim.item())
    if isinstance(dim, (list, tuple)):
        for i, d in enumerate(dim):
            if type(d) is not int:
                raise TypeError(
                    f"{name}(): argument 'dim' failed to unpack the object at pos {i + 1} with "
                    f'error "type must be tuple of ints,but got {type(d).__name__}"'
                )
        if not dim:
            return ()
    elif type(dim) is not int:
        raise TypeError(
            f"{name}(): argument 'dim' (position 1) must be tuple of ints, not {type(dim).__name__}"
        )
    return _dims(dim, a._data.ndim)


def prod(a, dim=_NOTHING, keepdim=_NOTHING, *, dtype=None):
    """The product of all elements, or along ``dim`` (one int), in ``dtype`` if given
    (integers and bools multiply as int64)."""
    int_dim = type(dim) is int or (type(dim) is Tensor and dim._data.ndim == 0)
    if dim is not _NOTHING and keepdim is not _NOTHING and not int_dim:  # one overload left
        raise TypeError(
            f"prod(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    if (dim is _NOTHING and keepdim is not _NOTHING) or not (dim is _NOTHING or int_dim):
        got = [] if dim is _NOTHING else [type(dim).__name__]
        kw = [] if keepdim is _NOTHING else [f"keepdim={type(keepdim).__name__}"]
        raise TypeError(
            f"prod() received an invalid combination of arguments - got "
            f"({', '.join(got + kw)}{', ' if not got else ''}), but expected one of:\n"
            " * (*, torch.dtype dtype = None)\n"
            " * (int dim, bool keepdim = False, *, torch.dtype dtype = None)\n"
        )
    if keepdim is not _NOTHING and type(keepdim) is not bool:
        raise TypeError(
            f"prod(): argument 'keepdim' (position 2) must be bool, not {type(keepdim).__name__}"
        )
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "biu":
        np_dtype = np.dtype(np.int64)
    if np_dtype is not None and np_dtype.kind not in "fc" and a._rg and state.enabled:
        raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(np_dtype)}")
    if dim is _NOTHING:
        return apply(R.ProdBackward0, (a,), np_dtype)
    d = _dim(int(dim.item()) if type(dim) is Tensor else dim, a._data.ndim)
    return apply(R.ProdBackward1, (a,), d, keepdim is True, np_dtype)


def vector_norm(a, ord=2, dim=None, keepdim=False, *, dtype=None):  # noqa: A002 - torch's name
    """``linalg.vector_norm``: the ``ord``-norm of all elements, or along ``dim`` (an int
    or a tuple), computed in ``dtype`` if given."""
    if not isinstance(ord, _Scalar):
        raise TypeError(
            f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}"
        )
    if type(dim) is Tensor and dim._data.ndim == 0:
        dim = int(dim.item())
    if dim is not None and not isinstance(dim, (int, list, tuple)):
        raise TypeError(
            "linalg_vector_norm(): argument 'dim' (position 3) must be tuple of ints, not "
            f"{type(dim).__name__}"
        )
    if isinstance(dim, (list, tuple)) and not builtins.all(type(d) is int for d in dim):
        _reduction_dims("linalg_vector_norm", a, dim)  # the parser's TypeError
    kind = a._data.dtype
    if kind.kind not in "fc":  # (before the dims, as torch)
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {scalar_type_name(kind)}"
        )
    if float(ord) < 0 or float(ord) == float("inf"):  # (before repeated dims)
        _check_identity(a, float(ord), dim)
    dims = None if dim is None else _reduction_dims("linalg_vector_norm", a, dim)
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is not None:
        if np_dtype.kind not in "fc":
            raise RuntimeError(
                "linalg.vector_norm: dtype should be floating point or complex, but got "
                f"{scalar_type_name(np_dtype)}"
            )
        if (kind.kind == "c") != (np_dtype.kind == "c"):
            which = "complex for complex" if kind.kind == "c" else "real for real"
            raise RuntimeError(
                f"linalg.vector_norm: dtype should be {which} inputs, but got "
                f"{scalar_type_name(np_dtype)}"
            )
        if np.promote_types(kind, np_dtype) != np_dtype:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({scalar_type_name(kind)}) should "
                "be convertible without narrowing to the specified dtype "
                f"({scalar_type_name(np_dtype)})"
            )
    return apply(R.LinalgVectorNormBackward0, (a,), ord, dims, keepdim, np_dtype)


def _check_identity(a, ord: float, dim) -> None:
    """torch's refusal of an inf or negative norm over nothing (it has no identity)."""
    shape = a._data.shape
    name = f"{ord:g}"
    given = [dim] if type(dim) is int else list(dim) if isinstance(dim, (list, tuple)) else []
    if not given:
        if a._data.size == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on an empty tensor because "
                "the operation does not have an identity"
            )
        return
    for d in given:
        if type(d) is int and shape and shape[_dim(d, len(shape))] == 0:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {name} norm on the dimension {d}"
                "because this dimension is empty and the operation does not have an identity"
            )


def norm(a, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``: a vector norm (``p`` a number, or ``"fro"`` over at most two dims) of
    all elements or along ``dim``, as ``linalg.vector_norm`` computes it."""
    if isinstance(p, str):
        dims = [dim] if type(dim) is int else dim
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if p == "nuc" or (dims is not None and len(dims) > 2):  # torch's matrix_norm
            if a._data.ndim < 2:
                raise RuntimeError(
                    "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
                )
            if dims is not None and len(dims) != 2:
                got = " ".join(str(d) for d in dims)
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
            raise NotImplementedError("norm(p='nuc'): gradscope has no nuclear (matrix) norm")
        p = 2
    dim = [dim] if type(dim) is int else dim
    return vector_norm(a, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


def cumsum(a, dim=_NOTHING, *, dtype=None):
    """Running sums along ``dim``, in ``dtype`` if given (integers and bools as int64)."""
    return _running(R.CumsumBackward0, "cumsum", a, dim, dtype)


def cumprod(a, dim=_NOTHING, *, dtype=None):
    """Running products along ``dim``, in ``dtype`` if given (integers and bools as int64)."""
    return _running(R.CumprodBackward0, "cumprod", a, dim, dtype)


def _running(cls, name: str, a, dim, dtype):
    if dim is _NOTHING:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if type(dim) is Tensor and dim._data.ndim == 0 and dim._data.dtype.kind in "iu":
        dim = int(dim.item())
    if type(dim) is not int:
        raise TypeError(
            f"{name}(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "biu":
        np_dtype = np.dtype(np.int64)
    if np_dtype is not None and np_dtype.kind not in "fc" and a._rg and state.enabled:
        raise RuntimeError(f"Autograd not support dtype: {scalar_type_name(np_dtype)}")
    return apply(cls, (a,), _dim(dim, a._data.ndim), np_dtype)


def nansum(a, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum of all elements, or along ``dim``, counting NaN as zero."""
    np_dtype = dtypes.resolve(dtype)
    if np_dtype is None and a._data.dtype.kind in "bi" and a._data.dtype != np.int64:
        np_dtype = np.dtype(np.int64)
    dims = None if dim is None else _dims(dim, a._data.ndim)
    if dims == ():  # torch's empty dim list: every dim
        dims = tuple(range(a._data.ndim))
    return apply(R.NansumBackward0, (a,), dims, keepdim, np_dtype)


def nanmean(a, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean of the elements that are not NaN, of all or along ``dim``: ``nansum`` over
    their count, as torch composes it."""
    if a._data.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{scalar_type_name(a._data.dtype)}"
        )
    count = logical_not(isnan(a)).sum(dim, keepdim)
    return nansum(a, dim, keepdim, dtype=dtype).div(count)


def diff(a, n: int = 1, dim: int = -1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (after joining ``prepend`` and
    ``append`` to ``a``): ``n`` times ``a[1:] - a[:-1]``, composed of slices and ``sub``
    (``logical_xor`` for bools) as torch composes it."""
    if a._data.ndim < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _dim(dim, a._data.ndim)
    for other in (prepend, append):
        if other is None:
            continue
        if other._data.ndim != a._data.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for i, (x, y) in enumerate(zip(a.shape, other.shape)):
            if i != d and x != y:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({i}) = {x}, "
                    f"but got tensor.size({i}) = {y}"
                )
    if n == 0:
        from ...creation import zeros_like

        return zeros_like(a).copy_(a)
    if prepend is not None or append is not None:
        a = cat([t for t in (prepend, a, append) if t is not None], d)
    size = a.shape[d]
    out_len = size - 1
    for _ in range(builtins.min(n, size)):
        later, earlier = narrow(a, d, 1, out_len), narrow(a, d, 0, out_len)
        a = logical_xor(later, earlier) if a._data.dtype.kind == "b" else later - earlier
        out_len -= 1
    return a


def sum_to_size(a, *size):
    """``a`` summed down to ``size`` (which must expand to ``a``'s shape), as torch's
    ``sum_to``: one sum over the leading and the stretched dims, then a view; ``a`` itself
    when nothing is summed."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(n) for n in size)
    shape = tuple(a._data.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(n != 1 and n != shape[lead + i] for i, n in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if not size:
        return sum(a)
    dims = list(range(lead))
    dims += [lead + i for i, n in enumerate(size) if n == 1 and shape[lead + i] != 1]
    out = a
    if dims:
        out = sum(out, tuple(dims), keepdim=True)
    return view(out, size) if lead else out
