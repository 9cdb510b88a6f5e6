"""What the op families share: argument checks, dims, devices, promotion, ``return_types``."""

from __future__ import annotations

import builtins
from collections import namedtuple
from numbers import Integral, Real

import numpy as np

from ... import dtypes
from ...autograd.function import apply, check_inplace_result
from ...errors import devices_differ, py_type_name, shape_str

Tensor = None  # set by gradscope.tensor


_Scalar = (int, float, bool)


class _ReturnType:
    """torch's ``return_types`` repr (``max``, ``sort``, ``linalg_qr``, ...): one field a line."""

    __slots__ = ()

    def __repr__(self) -> str:
        fields = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
        return f"gradscope.return_types.{type(self).__name__}(\n{fields})"


class MaxResult(_ReturnType, namedtuple("max", ["values", "indices"])):
    __slots__ = ()


class MinResult(_ReturnType, namedtuple("min", ["values", "indices"])):
    __slots__ = ()


class SortResult(_ReturnType, namedtuple("sort", ["values", "indices"])):
    __slots__ = ()


class TopkResult(_ReturnType, namedtuple("topk", ["values", "indices"])):
    __slots__ = ()


def _return_type(name: str, fields=("values", "indices")):
    """A ``gradscope.return_types`` named tuple called ``name``."""
    cls = type(name, (_ReturnType, namedtuple(name, list(fields))), {"__slots__": ()})
    cls.__qualname__ = name
    return cls


MedianResult = _return_type("median")


NanmedianResult = _return_type("nanmedian")


KthvalueResult = _return_type("kthvalue")


ModeResult = _return_type("mode")


CummaxResult = _return_type("cummax")


CumminResult = _return_type("cummin")


AminmaxResult = _return_type("aminmax", ("min", "max"))


FrexpResult = _return_type("frexp", ("mantissa", "exponent"))


MaxResult.__name__ = MaxResult.__qualname__ = "max"


MinResult.__name__ = MinResult.__qualname__ = "min"


SortResult.__name__ = SortResult.__qualname__ = "sort"


TopkResult.__name__ = TopkResult.__qualname__ = "topk"


def as_tensor_like(v, like, fn: str | None = None, position: int = 2, name: str = "other"):
    """``v`` as a tensor on ``like``'s device (arrays) or unchanged (tensors, scalars).

    Anything else (a list, None, a string) is the TypeError of torch's parser, which takes
    a tensor or a number there; ``fn`` names the function in it, ``name`` and ``position``
    the argument (position 1 for a method's operand). Arrays pass: the operators take them (``x * array``).
    """
    if type(v) is Tensor:
        return v
    if isinstance(v, np.generic):  # a NumPy scalar counts as the Python number it holds
        return v.item()
    if isinstance(v, _Scalar):
        return v
    if isinstance(v, complex):
        return v
    if isinstance(v, Real):  # (a Fraction: ``**`` takes one, as torch's)
        return int(v) if isinstance(v, Integral) else float(v)
    if not (isinstance(v, (Tensor, np.ndarray)) or hasattr(v, "__cuda_array_interface__")):
        raise not_a_tensor(fn, name, position, v)
    from ...creation import tensor

    return tensor(v, device=like.device)


def not_a_tensor(fn: str | None, name: str, position: int, v) -> TypeError:
    """torch's parser's TypeError for ``v`` where argument ``name`` of ``fn`` must be a
    tensor (without ``fn``, the message names the argument only)."""
    if fn is None:
        return TypeError(f"argument '{name}' must be Tensor, not {py_type_name(v)}")
    return TypeError(
        f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {py_type_name(v)}"
    )


def _check_device(a, b) -> None:
    if a._buffer.device != b._buffer.device:
        raise RuntimeError(devices_differ((a._buffer.device, b._buffer.device)))


def _scalar_mover(a, b) -> int | None:
    """Which operand of an elementwise op moves to the other's device: torch lets a 0-dim
    CPU tensor join a tensor on another device, as a Python scalar would (0: ``a``,
    1: ``b``; None: both are on one device). Any other mix raises torch's error."""
    da, db = a._buffer.device, b._buffer.device
    if da == db:
        return None
    if db == "cpu" and b._data.ndim == 0:
        return 1
    if da == "cpu" and a._data.ndim == 0:
        return 0
    _check_device(a, b)
    return None  # pragma: no cover (_check_device raised)


def _on_one_device(a, b) -> tuple:
    """``(a, b)``, the 0-dim CPU operand copied to the other's device if they differ.

    The copy is a graph node (``ToCopyBackward0``), so the gradient goes back to the CPU
    tensor on the CPU; torch records no such node, the values and gradients are the same.
    """
    which = _scalar_mover(a, b)
    if which == 1:
        return a, b.to(a._buffer.device)
    if which == 0:
        return a.to(b._buffer.device), b
    return a, b


def _promoted(a, b):
    """The result dtype torch would give ``a op b`` when NumPy might not, else None."""
    ad = a._data.dtype
    if type(b) is Tensor:
        bd = b._data.dtype
        if ad is bd:
            return None
        return dtypes.result_type(ad, a._data.ndim, None, bd, b._data.ndim)
    if isinstance(b, float) and ad.kind in "iub":
        return dtypes.default_float.np
    if isinstance(b, complex) and ad.kind in "iub":
        return dtypes.default_complex()
    if isinstance(b, int) and not isinstance(b, bool) and ad.kind == "b":
        return np.dtype(np.int64)
    return None


def _broadcast_error(op: str, a, b) -> RuntimeError:
    sa, sb = a.shape, getattr(b, "shape", ())
    n = builtins.max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i}"
            )
    return RuntimeError(f"{op}: shapes {shape_str(sa)} and {shape_str(sb)} do not broadcast")


def _binary(cls, op: str, a, b, *extra):
    tb = type(b)
    if (tb is float or tb is int) and a._data.dtype.kind in "fc":
        promoted = None  # a Python number and a floating tensor: nothing to convert or promote
    elif tb is Tensor and b._data.dtype is a._data.dtype and b._buffer.device == a._buffer.device:
        promoted = None  # two tensors of one dtype on one device: likewise
    else:
        b = as_tensor_like(b, a, op)
        if type(b) is Tensor:
            a, b = _on_one_device(a, b)
        promoted = _promoted(a, b)
        if type(b) is int:
            b, extra = _integral_operands(b, promoted or a._data.dtype, extra)
    try:
        return apply(cls, (a, b), *extra, promoted)
    except ValueError as e:
        if "broadcast" in str(e):
            raise _broadcast_error(op, a, b) from None
        raise


def _integral_operands(b: int, dtype, extra: tuple) -> tuple:
    """A Python int operand ``b`` as torch applies it to a tensor of integer ``dtype``:
    cast, wrapping around (``extra``, the op's other arguments, pass through)."""
    if dtype.kind not in "iu":
        return b, extra
    return dtypes.wrapped_scalar(b, dtype), extra


def _dim(d: int, ndim: int) -> int:
    """Dim ``d`` of a tensor of ``ndim`` dims, wrapped to 0..ndim-1, with torch's errors."""
    if type(d) is not int:
        d = _int_dim(d)
    n = builtins.max(ndim, 1)
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n if ndim else 0


def _int_dim(d) -> int:
    """A dim given as another integer type (a NumPy int); torch's TypeError for anything
    else, bools included."""
    if isinstance(d, bool) or not hasattr(type(d), "__index__"):
        raise TypeError(f"argument 'dim' must be int, not {py_type_name(d)}")
    return int(d.__index__())


def _int_dims(*dims) -> None:
    """torch's parser's TypeError for any of ``dims`` that is not an int (or a NumPy int),
    before one of them is checked against a shape."""
    for d in dims:
        if type(d) is not int:
            _int_dim(d)


def _dims(dim, ndim: int) -> tuple:
    """Reduction dims, sorted; an empty list is every dim, as torch reads ``dim=[]``. Of a
    0-dim tensor, dim 0 (or -1) is valid and reduces nothing: no dims."""
    if isinstance(dim, (list, tuple)):
        if not dim:
            return tuple(range(ndim))
        dims = [_dim(d, ndim) for d in dim]
        if len(set(dims)) < len(dims):
            twice = next(d for i, d in enumerate(dims) if d in dims[:i])
            raise RuntimeError(f"dim {twice} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim else ()
    d = _dim(dim, ndim)
    return (d,) if ndim else ()


def _sizes(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    if len(size) == 1 and type(size[0]) is Tensor:
        return tuple(size[0].tolist())
    return tuple(size)


def _int_sizes(fn: str, arg: str, given: tuple) -> tuple:
    """The ints of an argument torch takes as one sequence or as several ints (``zeros(2, 3)``,
    ``zeros((2, 3))``, ``permute(1, 0)``), ``given`` being the positional arguments, or
    torch's parser's TypeError for what is not one. Bools pass, but not first; a 0-dim
    integer tensor passes as the int it holds."""
    one = given[0] if len(given) == 1 else _NOTHING
    if isinstance(one, (tuple, list)):
        seq, single = one, True
    elif one is not _NOTHING and not _is_int_size(one, True):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position 1) must be tuple of ints, not {py_type_name(one)}"
        )
    else:
        seq, single = given, False
    for i, n in enumerate(seq):
        if _is_int_size(n, i == 0):
            continue
        if i > 0:
            raise TypeError(
                f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with "
                f'error "type must be tuple of ints,but got {py_type_name(n)}"'
            )
        if single:
            raise TypeError(
                f"{fn}(): argument '{arg}' (position 1) must be tuple of ints, but found "
                f"element of type {py_type_name(n)} at pos 0"
            )
        raise TypeError(f"{fn}() takes 1 positional argument but {len(given)} were given")
    return tuple(int(n._data) if type(n) is Tensor else int(n) for n in seq)


def _is_int_size(n, first: bool) -> bool:
    if isinstance(n, (int, np.integer)):
        return not (first and isinstance(n, bool))
    return type(n) is Tensor and n._data.ndim == 0 and n._data.dtype.kind in "iu"


_NOTHING = object()  # an argument not given (where None could be meant)


def _broadcast_error_of(op: str, *operands) -> RuntimeError:
    """torch's error for operands that do not broadcast together: that of the first one
    that does not broadcast with those before it."""
    joint, err = operands[0], None
    for other in operands[1:]:
        err = _broadcast_error(op, joint, other)
        if "must match" in str(err):
            break
        joint = _Shaped(np.broadcast_shapes(tuple(joint.shape), tuple(getattr(other, "shape", ()))))
    return err


class _Shaped:
    def __init__(self, shape) -> None:
        self.shape = tuple(shape)


def _check_tensor_arg(fn: str, name: str, position: int, v) -> None:
    if type(v) is not Tensor:
        raise not_a_tensor(fn, name, position, v)


def _prod(shape) -> int:
    p = 1
    for s in shape:
        p *= s
    return p


def _int_arg(fn: str, name: str, pos: int, v) -> int:
    """``v`` as an int, or torch's TypeError for an argument that must be one."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return int(v)
    if type(v) is Tensor and v._data.ndim == 0 and v._data.dtype.kind in "iu":
        return int(v._data)
    what = "Tensor" if type(v) is Tensor else type(v).__name__
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be int, not {what}")


def _fits_in_place(op: str, a, b, dtype) -> None:
    """torch's checks of ``a op= b`` before its kernel runs: ``b`` broadcasts to ``a``'s
    shape, and the result's ``dtype`` casts to ``a``'s."""
    try:
        shape = np.broadcast_shapes(a._data.shape, getattr(b, "shape", ()))
    except ValueError:
        raise _broadcast_error(op, a, b) from None
    check_inplace_result(a._data, shape, np.dtype(dtype))


def tensor_first(fn, name: str, arg: str = "input"):
    """``fn`` refusing a first argument that is not a tensor as torch's argument parser
    does for function ``name`` (``exp(): argument 'input' (position 1) must be Tensor, not
    float``), where it would otherwise fail inside, or compute."""

    def checked(*args, **kwargs):
        if not (args and isinstance(args[0], Tensor)):
            first = args[0] if args else next(iter(kwargs.values()), None)
            if not isinstance(first, Tensor):
                raise TypeError(
                    f"{name}(): argument '{arg}' (position 1) must be Tensor, not "
                    f"{py_type_name(first)}"
                )
        return fn(*args, **kwargs)

    checked.__name__, checked.__qualname__, checked.__doc__ = (
        fn.__name__,
        fn.__qualname__,
        fn.__doc__,
    )
    checked.__wrapped__ = fn
    return checked
