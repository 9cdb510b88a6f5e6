"""Creation functions: ``gs.tensor``, ``zeros``, ``randn`` ... (every result is a leaf)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Number

import numpy as np

from . import backend, dtypes
from .errors import M_ONE_ELEMENT, py_type_name, scalar_type_name
from .ops.api._common import _check_tensor_arg, _int_arg, _int_sizes
from .tensor import Tensor, exporter_buffer, warn_scalar_of_grad

_rng = np.random.default_rng()
_cuda_seed: int | None = None


def manual_seed(seed: int):
    """Seed gradscope's random generators (CPU and CUDA)."""
    global _rng, _cuda_seed
    _rng = np.random.default_rng(seed)
    _cuda_seed = seed
    if backend._cupy is not None:
        backend._cupy.random.seed(seed)
    return _rng


def _infer_dtype(data) -> np.dtype:
    """torch's dtype for Python data: bool, int64, the default complex or float (also
    for empty lists, at any depth)."""
    if isinstance(data, (list, tuple)):
        first = data
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        if isinstance(first, str):  # torch reads a string as one more level of nesting
            raise ValueError("too many dimensions 'str'")
        kinds = set()
        stack = [data]
        while stack:
            v = stack.pop()
            if isinstance(v, (list, tuple)):
                stack.extend(v)
            elif type(v) is float:
                kinds.add("f")
            elif isinstance(v, Tensor):
                kinds.add(v._data.dtype.kind)
            else:
                kinds.add(_scalar_kind(v))
        if "c" in kinds:
            return dtypes.default_complex()
        if "f" in kinds or not kinds:
            return dtypes.default_float.np
        if "i" in kinds or "u" in kinds:
            return np.dtype(np.int64)
        return np.dtype(np.bool_)
    kind = _scalar_kind(data)
    if kind == "b":
        return np.dtype(np.bool_)
    if kind == "i":
        return np.dtype(np.int64)
    if kind == "c":
        return dtypes.default_complex()
    return dtypes.default_float.np


def _scalar_kind(v) -> str:
    """The dtype kind of one item of Python data (other numbers, arrays and sequences
    count as float); torch's error for a string, None or any other object."""
    if isinstance(v, (bool, np.bool_)):
        return "b"
    if isinstance(v, (int, np.integer)):
        return "i"
    if isinstance(v, complex):
        return "c"
    if isinstance(v, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(v).__name__}'")
    if isinstance(v, (Number, Sequence, np.ndarray)) or hasattr(v, "__array__"):
        return "f"
    raise RuntimeError(f"Could not infer dtype of {py_type_name(v)}")


def _numeric(arr):
    """``arr``, refused with torch's error when its dtype is not one a tensor holds."""
    if isinstance(arr, np.ndarray):
        dtypes.from_numpy(arr.dtype)
    return arr


def _to_array(data, dtype=None, device=None):
    """A fresh array (never aliasing the caller's) for ``data`` on ``device``."""
    dev = backend.device(device)
    np_dtype = dtypes.resolve(dtype)
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray) or hasattr(data, "__cuda_array_interface__"):
        arr = _numeric(data)
    elif isinstance(data, np.generic) and not (
        np_dtype is not None and np_dtype.kind in "iu" and isinstance(data, (float, np.integer))
    ):  # a NumPy scalar keeps its dtype, as an array does (torch reads these two as numbers)
        arr = np.asarray(data)
    else:
        if isinstance(data, range):  # a sequence of ints, as torch reads it
            data = list(data)
        if np_dtype is None:
            np_dtype = _infer_dtype(data)
        elif data is None:
            raise TypeError(
                "must be real number, not NoneType"
                if np_dtype.kind in "fc"
                else "'NoneType' object cannot be interpreted as an integer"
            )
        elif isinstance(data, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if isinstance(data, (list, tuple)):
            data = _unwrap(data)
        arr = _numbers_into(data, np_dtype) if np_dtype.kind in "iu" else _array_of(data, np_dtype)
    if np_dtype is not None and arr.dtype != np_dtype:
        arr = arr.astype(np_dtype)
    arr = backend.to_device(arr, dev)
    if arr is data or (isinstance(data, Tensor) and arr is data._data):
        arr = arr.copy()
    if isinstance(arr, np.ndarray) and not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr)
    return arr


def _array_of(data, np_dtype=None):
    """``np.array(data, dtype=np_dtype)``, with a one-line error for what is not numbers."""
    try:
        return np.array(data, dtype=np_dtype)
    except (ValueError, TypeError) as e:
        ragged = _ragged(data, np_dtype) if isinstance(data, (list, tuple)) else None
        if ragged is not None:
            raise ragged from None
        raise ValueError(f"could not build a tensor from {type(data).__name__}: {e}") from None


_SEQUENCES = (list, tuple, np.ndarray)


def _ragged(data, np_dtype=None) -> Exception | None:
    """torch's error for nested sequences that do not make a box (the shape is read from
    the first element at each depth): a sequence of another length, a number where a
    sequence belongs, or a sequence where a number of ``np_dtype`` does. None when none of
    these is the trouble."""
    shape = []
    first = data
    while isinstance(first, _SEQUENCES):
        shape.append(len(first))
        if not len(first):
            break
        first = first[0]

    def walk(seq, dim: int) -> Exception | None:
        if dim == len(shape):
            if not isinstance(seq, _SEQUENCES):
                return None
            kind = type(seq).__name__
            if np_dtype is not None and np_dtype.kind in "fc":
                return TypeError(f"must be real number, not {kind}")
            return TypeError(f"'{kind}' object cannot be interpreted as an integer")
        if not isinstance(seq, _SEQUENCES):
            return TypeError("not a sequence")
        if len(seq) != shape[dim]:
            return ValueError(
                f"expected sequence of length {shape[dim]} at dim {dim} (got {len(seq)})"
            )
        for item in seq:
            err = walk(item, dim + 1)
            if err is not None:
                return err
        return None

    return walk(data, 0)


def _numbers_into(data, np_dtype):
    """Numbers as torch reads them into an integer dtype, each by its own type: a float
    must fit the dtype (then truncates); an int is read as int64 (past it, torch's
    ValueError), then must fit, a negative one wrapping into an unsigned type."""
    info = np.iinfo(np_dtype)
    try:
        natural = _array_of(data)
    except OverflowError:  # ints past uint64
        raise ValueError("Overflow when unpacking long long") from None
    kind = natural.dtype.kind
    if kind == "f":
        if natural.size == 0 or (
            np.isfinite(natural).all()
            and info.min <= natural.min()
            and natural.max() <= info.max
            and natural.max() < 2.0**63  # the float 2.0**63 fits int64 in torch, the int not
        ):
            return natural.astype(np_dtype)
        # Some float does not fit, or an int read as a float with them may wrap or be too
        # big: check each number as its own type (rare, so one by one).
        each = [_number_into(v, np_dtype) for v in np.array(data, dtype=object).flat]
        return np.array(each).astype(np_dtype).reshape(natural.shape)
    if kind == "c":
        raise TypeError("'complex' object cannot be interpreted as an integer")
    try:
        wide = natural.astype(np.int64, casting="safe") if kind != "O" else np.array(data, np.int64)
    except (OverflowError, TypeError):
        raise ValueError("Overflow when unpacking long long") from None
    low = -info.max if np_dtype.kind == "u" else info.min
    if wide.size and (wide.min() < low or wide.max() > info.max):
        raise dtypes.overflow_error(str(np_dtype))
    return wide.astype(np_dtype)


def _number_into(v, np_dtype):
    """One number of ``_numbers_into``'s data, checked as its own type."""
    if isinstance(v, np.integer):
        v = int(v)
    if type(v) is int and not -(2**63) <= v < 2**63:
        raise ValueError("Overflow when unpacking long long")
    try:
        return dtypes.checked_scalar(v, np_dtype)
    except RuntimeError:  # named as tensor() names the type, not as a fill does
        raise dtypes.overflow_error(str(np_dtype)) from None


def _unwrap(v):
    if isinstance(v, (list, tuple)):
        items = [_unwrap(x) for x in v]
        return items if isinstance(v, list) else tuple(items)  # (errors name the type)
    if isinstance(v, Tensor):  # a number, as torch reads a tensor among Python data
        if v._data.size != 1:
            raise ValueError(M_ONE_ELEMENT)
        if v._rg:
            warn_scalar_of_grad()
        return v._data.item()
    return v


def _leaf(arr, requires_grad: bool, nbytes: int | None = None) -> Tensor:
    t = Tensor.__new__(Tensor)
    from .events import emit
    from .memory import buffers
    from .memory.buffers import array_nbytes

    if nbytes is None:
        nbytes = array_nbytes(arr)
    t._init(arr, buffers.new(nbytes, str(backend.device_of(arr))), [0], None)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._rg = True
    if emit.sinks:
        t._emit_alloc("leaf", None, None)
    return t


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (nested lists, scalars, arrays)."""
    _check_dtype("tensor", dtype)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than gradscope.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _leaf(_to_array(data, dtype, device), requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    _check_dtype("as_tensor", dtype)
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return _leaf(_to_array(data, dtype, device), False)


def _check_dtype(name: str, dtype) -> None:
    """torch's TypeError for a ``dtype`` argument that is not a dtype (a string, a NumPy
    type); Python's ``float``, ``int`` and ``bool`` are taken, as torch takes them."""
    if dtype is None or isinstance(dtype, dtypes.dtype):
        return
    if dtype is float or dtype is int or dtype is bool:  # identity: np.float64 == float
        return
    raise TypeError(
        f"{name}(): argument 'dtype' must be gradscope.dtype, not {py_type_name(dtype)}"
    )


def from_numpy(arr: np.ndarray) -> Tensor:
    """A tensor over ``arr``'s memory (writes show through both ways, as torch)."""
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(arr).__name__})")
    _numeric(arr)
    # the caller's memory: counted as the extent this array spans (torch's storage), not
    # the whole array it may be a slice of (two slices of one array would count it twice)
    buffer = exporter_buffer(arr)
    if buffer is not None:  # a tensor's own memory, handed out by numpy(): counted already
        return Tensor._share(arr, buffer, [0])
    extent = 0
    if arr.size:
        extent = arr.itemsize + sum((n - 1) * abs(s) for n, s in zip(arr.shape, arr.strides))
    return _leaf(arr, False, extent)


def _size_arg(name: str, sizes: tuple, size) -> tuple:
    """The size given as ``f(2, 3)``, ``f((2, 3))`` or ``f(size=(2, 3))``, as torch takes it."""
    if size is None:
        if not sizes:
            raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
        return sizes
    if sizes:
        raise TypeError(f"{name}() got multiple values for argument 'size'")
    return (size,)


def _sizes(size, name: str = "zeros") -> tuple:
    """The ints of ``name``'s size, given as ``size`` (the positional arguments), with
    torch's errors."""
    size = _int_sizes(name, "size", size)
    for s in size:
        if s < 0:
            if name == "zeros":  # (its own check, before the allocation's)
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return size


def _filled(fill, size, dtype, device, requires_grad, default=None, name="zeros"):
    dev = backend.device(device)
    xp = backend.xp_for(dev)
    np_dtype = dtypes.resolve(dtype) or default or dtypes.default_float.np
    if dev.type == "cuda":
        with xp.cuda.Device(dev.index):
            arr = fill(xp, _sizes(size, name), np_dtype)
    else:
        arr = fill(xp, _sizes(size, name), np_dtype)
    return _leaf(arr, requires_grad)


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    _check_dtype("zeros", dtype)
    size = _size_arg("zeros", sizes, size)
    return _filled(lambda xp, s, d: xp.zeros(s, d), size, dtype, device, requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    _check_dtype("ones", dtype)
    size = _size_arg("ones", sizes, size)
    return _filled(lambda xp, s, d: xp.ones(s, d), size, dtype, device, requires_grad, name="ones")


def empty(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor."""
    _check_dtype("empty", dtype)
    size = _size_arg("empty", sizes, size)
    return _filled(
        lambda xp, s, d: xp.empty(s, d), size, dtype, device, requires_grad, name="empty"
    )


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (its dtype follows the value, as torch)."""
    _check_dtype("full", dtype)
    if not isinstance(size, (tuple, list)):  # (one sequence: no ints one by one here)
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {py_type_name(size)}"
        )
    if not isinstance(fill_value, Number) and not (  # (a 0-dim tensor is a number)
        isinstance(fill_value, Tensor) and fill_value.ndim == 0
    ):
        raise TypeError(
            "full(): argument 'fill_value' (position 2) must be Number, not "
            f"{py_type_name(fill_value)}"
        )
    default = _infer_dtype(fill_value)
    return _filled(
        lambda xp, s, d: xp.full(s, dtypes.checked_scalar(fill_value, d), d),
        (size,),
        dtype,
        device,
        requires_grad,
        default,
        name="full",
    )


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    for name, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _filled(lambda xp, s, d: xp.eye(n, m, dtype=d), (), dtype, device, requires_grad)


def _random(sample, size, dtype, device, requires_grad, name="rand"):
    np_dtype = dtypes.resolve(dtype) or dtypes.default_float.np
    dev = backend.device(device)
    shape = _sizes(size, name)
    if np_dtype.kind not in "fc":
        # torch's kernels sample floats only; normal's is not reached when there is nothing
        # to sample
        if name == "rand":
            kernel = "check_uniform_bounds"
        elif 0 not in shape:
            kernel = f"normal_kernel_{'cuda' if dev.type == 'cuda' else 'cpu'}"
        else:
            kernel = None
        if kernel is not None:
            raise NotImplementedError(
                f"\"{kernel}\" not implemented for '{scalar_type_name(np_dtype)}'"
            )
    return _leaf(_draw(sample, shape, np_dtype, dev), requires_grad)


def _draw(sample, shape: tuple, np_dtype, dev):
    """An array of ``shape`` drawn by ``sample(generator, shape)`` from the generator of
    ``dev`` (NumPy's seeded one, or CuPy's), in ``np_dtype``."""
    if dev.type == "cuda":
        cp = backend.cupy()
        with cp.cuda.Device(dev.index):
            return sample(cp.random, shape).astype(np_dtype, copy=False)
    return sample(_rng, shape).astype(np_dtype, copy=False)


def _uniform(r, s):
    return r.random(s) if hasattr(r, "random") else r.rand(*s)


def _normal(r, s):
    return r.standard_normal(s)


def sample_array(kind: str, shape: tuple, np_dtype, device) -> object:
    """Samples of ``kind`` ("uniform": U[0, 1), or "normal") as a bare array on ``device``,
    from the stream ``rand``/``randn`` draw from, without a tensor: what an in-place fill
    writes (torch's fills allocate nothing either)."""
    sample = _uniform if kind == "uniform" else _normal
    return _draw(sample, shape, np_dtype, backend.device(device))


def rand(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1)."""
    size = _size_arg("rand", sizes, size)
    return _random(_uniform, size, dtype, device, requires_grad)


def randn(*sizes, size=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    size = _size_arg("randn", sizes, size)
    return _random(_normal, size, dtype, device, requires_grad, name="randn")


def randint(
    low, high=None, size=(), *, dtype=None, device=None, requires_grad: bool = False
) -> Tensor:
    """Integers drawn uniformly from [low, high): ``randint(low, high, size)``, or
    ``randint(high, size)`` from 0, as torch takes them."""
    if isinstance(high, (tuple, list)):  # randint(high, size)
        if size != ():
            raise TypeError(
                "randint() takes a size once: randint(high, size) or randint(low, high, size)"
            )
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    np_dtype = dtypes.resolve(dtype) or np.dtype(np.int64)
    dev = backend.device(device)
    if dev.type == "cuda":
        arr = backend.cupy().random.randint(low, high, size=_sizes((size,))).astype(np_dtype)
    else:
        arr = _rng.integers(low, high, size=_sizes((size,)), dtype=np.int64).astype(
            np_dtype, copy=False
        )
    return _leaf(arr, requires_grad)


_NO_END = object()  # arange(end) alone


def arange(start, end=_NO_END, step=1, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``."""
    if end is _NO_END:
        start, end = 0, start
        if not isinstance(end, (Number, Tensor)):
            raise TypeError(
                f"arange(): argument 'end' (position 1) must be Number, not {py_type_name(end)}"
            )
    elif not all(isinstance(v, (Number, Tensor)) for v in (start, end, step)):
        got = ", ".join(py_type_name(v) for v in (start, end, step))
        raise TypeError(f"arange() received an invalid combination of arguments - got ({got})")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else dtypes.default_float.np
    np_dtype = dtypes.resolve(dtype)
    dev = backend.device(device)
    xp = backend.xp_for(dev)
    return _leaf(xp.arange(start, end, step, dtype=np_dtype), requires_grad)


def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    steps = _int_arg("linspace", "steps", 3, steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = dtypes.resolve(dtype) or dtypes.default_float.np
    xp = backend.xp_for(backend.device(device))
    return _leaf(xp.linspace(start, end, steps, dtype=np_dtype), requires_grad)


def _like(fn, check_dtype: bool = True):
    def like(t: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        _check_tensor_arg(like.__name__, "input", 1, t)
        if check_dtype:
            _check_dtype(like.__name__, dtype)
        return fn(
            t.shape,
            dtype=dtype if dtype is not None else t.dtype,
            device=device if device is not None else t.device,
            requires_grad=requires_grad,
        )

    like.__name__ = fn.__name__ + "_like"
    like.__doc__ = f"As ``{fn.__name__}`` with ``t``'s shape, dtype and device."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
rand_like = _like(rand, check_dtype=False)  # torch's error there is another text
randn_like = _like(randn, check_dtype=False)


def full_like(t: Tensor, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    _check_tensor_arg("full_like", "input", 1, t)
    _check_dtype("full_like", dtype)
    return full(
        t.shape,
        fill_value,
        dtype=dtype or t.dtype,
        device=device or t.device,
        requires_grad=requires_grad,
    )
