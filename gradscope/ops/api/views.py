"""Reshapes and views: ``reshape``, ``view``, ``transpose``, ``squeeze``, ``expand`` ..."""

from __future__ import annotations

import warnings

import numpy as np

from ...autograd.function import apply, apply_view_inplace
from ...errors import py_type_name, scalar_type_name, shape_str
from ...events.callsite import user_stacklevel
from .. import elementwise as E
from .. import shape as S
from ._common import _dim, _dims, _int_arg, _int_dims, _int_sizes, _prod, _sizes

Tensor = None  # set by gradscope.tensor


def _infer_shape(shape: tuple, numel: int, name: str, given: tuple) -> tuple:
    """``shape`` with its ``-1`` worked out, for ``name`` (view or reshape) called with
    ``given``; torch's errors for what cannot be a shape."""
    for i, s in enumerate(shape):
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            return _infer_shape(_shape_ints(name, given), numel, name, given)
        if s < -1:
            raise RuntimeError(
                f"invalid shape dimension {s} at index {i} of shape {shape_str(shape)}"
            )
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = _prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {shape_str(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_ints(name: str, given: tuple) -> tuple:
    """``given`` (``view``'s or ``reshape``'s arguments, not all ints) read as torch's parser
    does: the ints, or its TypeError."""
    if name == "reshape":
        return _int_sizes("reshape", "shape", given)
    try:
        return _int_sizes("view", "size", given)
    except TypeError as e:
        if "failed to unpack" in str(e):
            raise
        got = ", ".join(py_type_name(g) for g in given)  # view(dtype) is the other overload
        why = ""  # (torch says why for one argument only)
        if len(given) == 1:
            why = f"      didn't match because some of the arguments have invalid types: ({_marked(given[0])})\n"
        raise TypeError(
            f"view() received an invalid combination of arguments - got ({got}), but "
            f"expected one of:\n * (torch.dtype dtype)\n{why} * (tuple of ints size)\n{why}"
        ) from None


def _marked(g) -> str:
    """An argument's type as torch's parser marks one that matches no form."""
    if isinstance(g, (tuple, list)):
        inner = ", ".join(py_type_name(x) for x in g)
        return f"!{type(g).__name__} of {'[' if type(g) is list else '('}{inner}{']' if type(g) is list else ')'}!"
    return f"!{py_type_name(g)}!"


def reshape(a, *shape):
    """A tensor of a new shape: a view when possible, else a copy (as torch)."""
    shape = _infer_shape(_sizes(shape), a._data.size, "reshape", shape)
    if a._data.flags.c_contiguous:
        return apply(S.ViewBackward0, (a,), shape)
    if _viewable(a._data, shape):
        return apply(S.ReshapeAliasBackward0, (a,), shape)
    return apply(S.UnsafeViewBackward0, (apply(S.CloneBackward0, (a,), "C"),), shape)


def view(a, *shape):
    """A view of a new shape; raises when the strides do not allow one (as torch)."""
    shape = _infer_shape(_sizes(shape), a._data.size, "view", shape)
    if not _viewable(a._data, shape):
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return apply(S.ViewBackward0, (a,), shape)


def _viewable(arr, shape) -> bool:
    if arr.flags.c_contiguous:
        return True
    if type(arr) is np.ndarray:
        try:
            np.reshape(arr, shape, copy=False)
            return True
        except ValueError:
            return False
    try:  # CuPy
        v = arr.view()
        v.shape = shape
        return True
    except AttributeError:
        return False


def flatten(a, start_dim=0, end_dim=-1):
    nd = a._data.ndim
    if type(start_dim) is not int or type(end_dim) is not int:
        _int_dims(start_dim, end_dim)
    s, e = _dim(start_dim, nd), _dim(end_dim, nd)
    if nd == 0:
        return reshape(a, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return a
    shape = a.shape
    return reshape(a, tuple(shape[:s]) + (-1,) + tuple(shape[e + 1 :]))


def transpose(a, dim0, dim1):
    nd = a._data.ndim
    if type(dim0) is not int or type(dim1) is not int:
        _int_dims(dim0, dim1)
    return apply(S.TransposeBackward0, (a,), _dim(dim0, nd), _dim(dim1, nd))


def t(a):
    if a._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return apply(S.TBackward0, (a,))


def permute(a, *dims):
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    nd = a._data.ndim
    given = _int_sizes("permute", "dims", dims)
    if len(given) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
            f"equal to len(dims) = {len(given)}"
        )
    dims = tuple(_dim(d, nd) for d in given)
    if len(dims) == nd and len(set(dims)) < nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    if sorted(dims) != list(range(nd)):
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    return apply(S.PermuteBackward0, (a,), dims)


def T(a):  # noqa: N802
    """``a.T``: the dimensions reversed (torch warns when ``a`` is not a matrix)."""
    nd = a._data.ndim
    if nd != 2 and (nd == 0) not in _t_warned:
        _warn_t(nd == 0)
    return apply(S.PermuteBackward0, (a,), tuple(range(nd - 1, -1, -1)))


_t_warned: set[bool] = set()  # torch gives each of its two warnings once per process


def _warn_t(zero_d: bool) -> None:
    _t_warned.add(zero_d)
    if zero_d:
        text = (
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases."
        )
    else:
        text = (
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor."
        )
    warnings.warn(text, UserWarning, stacklevel=user_stacklevel())


def unsqueeze(a, dim):
    return apply(S.UnsqueezeBackward0, (a,), _dim(dim, a._data.ndim + 1))


def squeeze(a, dim=None):
    nd = a._data.ndim
    if dim is None:
        return apply(S.SqueezeBackward0, (a,), None)
    listed = _dims(dim, nd) if dim != [] and dim != () else ()  # none listed: none squeezed
    dims = tuple(d for d in listed if nd and a.shape[d] == 1)
    cls = S.SqueezeBackward1 if not isinstance(dim, (tuple, list)) else S.SqueezeBackward2
    return apply(cls, (a,), dims)


def expand(a, *sizes):
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _int_sizes("expand", "size", sizes)
    shape = a.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({_torch_type(a)}{{{shape_str(shape)}}}, size={shape_str(sizes)}): the "
            "number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    out = list(sizes)
    for i in range(len(sizes) - 1, -1, -1):  # from the last, as torch checks them
        s = sizes[i]
        have = shape[i - lead] if i >= lead else 1
        if s == -1:
            if i < lead:
                raise RuntimeError(
                    "The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            out[i] = s = have
        if have != s and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({have}) at non-singleton dimension {i}.  Target sizes: "
                f"{shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}"
            )
    return apply(S.ExpandBackward0, (a,), tuple(out))


def _torch_type(a) -> str:
    from ...errors import tensor_type_name

    return tensor_type_name(a._data.dtype, a._buffer.device)


def flip(a, *dims):
    """A copy of ``a`` with the order of elements along ``dims`` reversed."""
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    nd = a._data.ndim
    found = [_dim(d, nd) for d in _int_sizes("flip", "dims", dims)]
    for i, d in enumerate(found):
        if d in found[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return apply(S.FlipBackward0, (a,), tuple(found) if nd else ())


def roll(a, shifts, dims=None):
    """``a`` with its elements moved ``shifts`` places along ``dims`` (of the flattened
    tensor, when no dims are given), those past the end coming back at the start."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if (dims or len(shifts) != 1) and len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    nd = a._data.ndim
    if nd == 0 and dims:
        _dim(dims[0], 0)
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(_dim(d, nd) for d in dims)
    return apply(S.RollBackward0, (a,), tuple(int(s) for s in shifts), dims)


def narrow(a, dim, start, length):
    """The view of ``length`` elements of ``a`` from ``start`` along ``dim``."""
    if type(dim) is not int or type(start) is not int or type(length) is not int:
        _narrow_args(dim, start, length)
    nd = a._data.ndim
    if nd == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = _dim(dim, nd)
    size = a._data.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return apply(S.SliceBackward0, (a,), dim, start, start + length, 1)


def _narrow_args(dim, start, length) -> None:
    """torch's parser's TypeError for ``narrow``'s arguments, where one is not an int (the
    start may be an integer tensor)."""
    _int_dims(dim)
    start_ok = isinstance(start, (int, np.integer)) or (
        type(start) is Tensor and start._data.ndim == 0 and start._data.dtype.kind in "iu"
    )
    if not start_ok or isinstance(length, bool) or not isinstance(length, (int, np.integer)):
        got = ", ".join(
            "Tensor" if type(v) is Tensor else py_type_name(v) for v in (dim, start, length)
        )
        raise TypeError(f"narrow() received an invalid combination of arguments - got ({got})")


def movedim(a, source, destination):
    """A view of ``a`` with the dims ``source`` moved to ``destination``, the others
    keeping their order."""
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if isinstance(source, (int, np.integer)) != isinstance(destination, (int, np.integer)):
        got = f"Tensor, {py_type_name(source)}, {py_type_name(destination)}"
        raise TypeError(f"movedim() received an invalid combination of arguments - got ({got})")
    _int_dims(*src, *dst)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({shape_str(src)} dims) "
            f"should contain the same number of dims as destination ({shape_str(dst)} dims)"
        )
    nd = a._data.ndim
    given = {"source": src, "destination": dst}
    src = [_dim(d, nd) for d in src]
    dst = [_dim(d, nd) for d in dst]
    for name, ds in (("source", src), ("destination", dst)):
        if len(set(ds)) < len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({shape_str(given[name])})")
    if nd == 0:  # as torch: an alias of a 0-dim tensor
        return apply(S.AliasBackward0, (a,))
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    dims = tuple(next(rest) if o is None else o for o in order)
    return apply(S.PermuteBackward0, (a,), dims)


moveaxis = movedim


def ravel(a):
    """``a`` as one dimension: a view of a contiguous tensor, else a view of a contiguous
    copy (as torch's ``contiguous().view(-1)``)."""
    if not a._data.flags.c_contiguous:
        a = apply(S.CloneBackward0, (a,), "C")
    return apply(S.ViewBackward0, (a,), (a._data.size,))


def broadcast_to(a, size):
    """A view of ``a`` broadcast to ``size`` (``expand``, -1 keeping a dim's size)."""
    return expand(a, _int_list("broadcast_to", "size", 2, size))


def _int_list(fn: str, arg: str, pos: int, seq) -> tuple:
    """``seq`` (a tuple or list of ints) as ints, or torch's TypeError for argument ``arg``
    at ``pos`` of ``fn``; after the first element, bools pass as ints, as torch's."""
    if not isinstance(seq, (tuple, list)):
        what = "Tensor" if type(seq) is Tensor else type(seq).__name__
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, not {what}"
        )
    for i, n in enumerate(seq):
        if isinstance(n, (int, np.integer)) and not (i == 0 and isinstance(n, bool)):
            continue
        if i == 0:
            raise TypeError(
                f"{fn}(): argument '{arg}' (position {pos}) must be tuple of ints, but found "
                f"element of type {type(n).__name__} at pos 0"
            )
        raise TypeError(
            f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
            f'"type must be tuple of ints,but got {type(n).__name__}"'
        )
    return tuple(int(n) for n in seq)


def positive(a):
    """``a`` itself (``+a``); refused for bool tensors, as torch."""
    if a._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return a


def fliplr(a):
    """A copy of ``a`` with its columns (dim 1) in reverse order."""
    if a._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return apply(S.FlipBackward0, (a,), (1,))


def flipud(a):
    """A copy of ``a`` with its rows (dim 0) in reverse order."""
    if a._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return apply(S.FlipBackward0, (a,), (0,))


def rot90(a, k: int = 1, dims=(0, 1)):
    """A copy of ``a`` turned ``k`` quarter turns in the plane of ``dims``, from the first
    towards the second."""
    k = _int_arg("rot90", "k", 1, k)
    dims = tuple(dims)
    nd = a._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _dim(dims[0], nd), _dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return apply(S.Rot90Backward0, (a,), k, (d0, d1))


def unsqueeze_(a, dim):
    """``unsqueeze`` in place: ``a`` itself, with a dim of size 1 inserted."""
    return apply_view_inplace(S.UnsqueezeBackward1, a, _dim(dim, a._data.ndim + 1))


def squeeze_(a, dim=None):
    """``squeeze`` in place: ``a`` itself, without its (listed) dims of size 1."""
    nd = a._data.ndim
    if dim is None:
        return apply_view_inplace(S.SqueezeBackward3, a, None)
    listed = _dims(dim, nd) if dim != [] and dim != () else ()
    dims = tuple(d for d in listed if nd and a.shape[d] == 1)
    cls = S.SqueezeBackward4 if not isinstance(dim, (tuple, list)) else S.SqueezeBackward5
    return apply_view_inplace(cls, a, dims)


def transpose_(a, dim0, dim1):
    """``transpose`` in place: ``a`` itself, with two dims swapped."""
    nd = a._data.ndim
    return apply_view_inplace(S.TransposeBackward1, a, _dim(dim0, nd), _dim(dim1, nd))


def t_(a):
    """``t`` in place."""
    if a._data.ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return apply_view_inplace(S.TBackward1, a)


swapaxes_ = swapdims_ = transpose_


def swapaxes(a, axis0, axis1):
    """``transpose`` under NumPy's name."""
    return transpose(a, axis0, axis1)


def swapdims(a, dim0, dim1):
    """``transpose`` under another name."""
    return transpose(a, dim0, dim1)


def unflatten(a, dim, sizes):
    """A view of ``a`` with dim ``dim`` split into ``sizes`` (one of them may be -1)."""
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    nd = a._data.ndim
    dim = _dim(dim, nd)
    if nd == 0 or sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:")
    size = a._data.shape[dim]
    known = _prod(s for s in sizes if s != -1)
    if (-1 in sizes and (known == 0 or size % known)) or (-1 not in sizes and known != size):
        raise RuntimeError(
            f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to the size of dim "
            f"{dim} ({size}) in the input tensor"
        )
    sizes = tuple(size // known if s == -1 else s for s in sizes)
    shape = a.shape
    return view(a, tuple(shape[:dim]) + sizes + tuple(shape[dim + 1 :]))


def adjoint(a):
    """The conjugate transpose of the last two dims (a real tensor's ``mT``)."""
    return _transposed("adjoint", a)


def _transposed(name: str, a):
    """``H``, ``mH`` and ``adjoint``: ``a`` transposed (as torch checks) and conjugated."""
    nd = a._data.ndim
    what = {"H": "tensor.H", "mH": "tensor.mH", "adjoint": "tensor.adjoint()"}[name]
    if nd == 0:
        warn = {"H": "Tensor.H", "mH": "Tensor.mH", "adjoint": "adjoint()"}[name]
        warnings.warn(
            f"{warn} is deprecated on 0-D tensors. Consider using x.conj().",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return conj(a)
    if name == "H":
        if nd != 2:
            tail = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor.{tail}"
            )
        return conj(transpose(a, 0, 1))
    if nd < 2:
        raise RuntimeError(
            f"{what} is only supported on matrices or batches of matrices. Got {nd}-D tensor."
        )
    return conj(transpose(a, -2, -1))


def _real_only(name: str, a):
    if a._data.dtype.kind == "c":
        raise NotImplementedError(f"gradscope's {name} takes real tensors only")
    return a


def conj(a):
    """The complex conjugate (a copy: gradscope has no lazily conjugated views); of a real
    tensor, the tensor itself."""
    if a._data.dtype.kind != "c":
        return a
    return apply(E.ConjBackward0, (a,))


def conj_physical(a):
    """The complex conjugate, computed; of a real tensor, the tensor itself."""
    if a._data.dtype.kind != "c":
        return a
    return apply(E.ConjPhysicalBackward0, (a,))


def resolve_conj(a):
    """``a`` with a pending conjugation applied: gradscope has none, so ``a`` itself."""
    return a


def resolve_neg(a):
    """``a`` with a pending negation applied: gradscope has none, so itself."""
    return _real_only("resolve_neg", a)


def real(a):
    """The real part: a view of a complex tensor's memory (``view_as_real`` then
    ``select``, as torch records it); of a real tensor, the tensor itself."""
    if a._data.dtype.kind != "c":
        return a
    return _part(a, 0)


def imag(a):
    """The imaginary part, a view; a real tensor has none (torch's error)."""
    if a._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _part(a, 1)


def _part(a, index: int):
    pairs = view_as_real(a)
    return apply(S.SelectBackward0, (pairs,), pairs._data.ndim - 1, index)


def view_as_real(a):
    """A complex tensor's memory as a real tensor with a last dim of 2 (real, imaginary)."""
    if a._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return apply(S.ViewAsRealBackward0, (a,))


def view_as_complex(a):
    """Real pairs (a last dim of 2 with stride 1) as a complex tensor sharing the memory."""
    d = a._data
    if d.dtype.kind != "f":
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got "
            f"a tensor of scalar type: {scalar_type_name(d.dtype)}"
        )
    if d.dtype == np.float16:
        raise NotImplementedError("view_as_complex: gradscope has no complex32 (float16 pairs)")
    if d.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = a.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if a.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return apply(S.ViewAsComplexBackward0, (a,))


def is_conj(a) -> bool:
    """Whether ``a`` is a lazily conjugated view: never, in gradscope."""
    return False


def is_neg(a) -> bool:
    """Whether ``a`` is a lazily negated view: never, in gradscope."""
    return False
