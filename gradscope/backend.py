"""The one NumPy/CuPy seam: devices, and the array module behind each of them.

CuPy is imported only when a CUDA tensor is asked for.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np

_cupy = None


# NumPy reports floating-point specials in its ufuncs (inf * 0, exp overflowing to inf) as
# RuntimeWarnings raised at the Python line that called it; torch computes the same IEEE
# results without a word. Those raised in gradscope's own modules are ignored here, once,
# rather than with an ``np.errstate`` around every op (about 2.5 us each): a user's own
# NumPy code keeps its warnings.
def ignore_own_runtime_warnings() -> None:
    """Install (again) the filter above. A ``warnings.catch_warnings`` block that imported
    gradscope drops it on exit with every filter made inside; pytest 9.2 loads its
    plugins, this package's among them, inside one."""
    warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"gradscope(\.|$)")


ignore_own_runtime_warnings()

# What NumPy raises for a floating-point special when ``np.seterr`` says "raise" or a
# warnings filter says "error" (pytest's ``-W error``), which the filter above cannot undo
FP_SIGNALS = (FloatingPointError, RuntimeWarning)


try:  # NumPy 2 keeps its floating-point error state in a context variable
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")
except ImportError:  # NumPy 1: its own context manager
    _extobj_contextvar = None


class _FpQuiet:
    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _extobj_contextvar.set(_IGNORE_ALL)

    def __exit__(self, *exc) -> None:
        _extobj_contextvar.reset(self._token)


# ``with fp_quiet():`` is ``with np.errstate(all="ignore"):`` at a quarter of its cost
# (0.3 us against 1.1-2): the same context variable NumPy's ``errstate`` sets, with the
# setting made once rather than on every entry. The rules whose specials are common (a log
# of 0, a square root's gradient at 0, a softmax over -inf) run under it, so that NaN and
# inf come out as torch gives them without NumPy's warning even where a user's own filter,
# set after the one above, would show it.
fp_quiet = (
    _FpQuiet if _extobj_contextvar is not None else functools.partial(np.errstate, all="ignore")
)


def quietly(call, *args):
    """``call(*args)`` with NumPy's floating-point signals and RuntimeWarnings off, for an
    op's rule that raised one of ``FP_SIGNALS``: rules are pure (they write only arrays
    they made), so running one again gives what torch gives, inf and NaN without a word.
    Only that rare second run pays for the context managers."""
    with fp_quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return call(*args)


def run_rule(call, *args):
    """``call(*args)``, an op's rule, run again ``quietly`` if it raised one of
    ``FP_SIGNALS``. (The per-op fast paths of ``apply`` and of the engine write this
    ``try`` out, to spare a call.)"""
    try:
        return call(*args)
    except FP_SIGNALS:
        return quietly(call, *args)


class Device:
    """A device, as ``gs.device("cuda:0")``: ``type`` ("cpu" or "cuda") and ``index``."""

    __slots__ = ("type", "index", "_str")

    def __init__(self, spec: str | Device = "cpu", index: int | None = None) -> None:
        if isinstance(spec, Device):
            self.type, self.index, self._str = spec.type, spec.index, spec._str
            return
        spec = str(spec)
        kind, _, idx = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {spec}"
            )
        if idx:
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{spec}'")
            index = int(idx)
        if kind == "cuda" and index is None:
            index = 0
        self.type = kind
        self.index = index if kind == "cuda" else None
        self._str = "cpu" if kind == "cpu" else f"cuda:{self.index}"

    def __str__(self) -> str:
        return self._str

    def __repr__(self) -> str:
        if self.type == "cpu":
            return "device(type='cpu')"
        return f"device(type='cuda', index={self.index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = Device(other)
            except RuntimeError:
                return False
        return isinstance(other, Device) and other._str == self._str

    def __hash__(self) -> int:
        return hash(self._str)


CPU = Device("cpu")
_devices: dict[str, Device] = {"cpu": CPU}


def device(spec: str | Device | None) -> Device:
    """The canonical ``Device`` for a spec ("cpu", "cuda", "cuda:1", a Device, or None)."""
    if spec is None:
        return CPU
    if isinstance(spec, Device):
        return spec
    d = _devices.get(spec)
    if d is None:
        d = Device(spec)
        _devices[spec] = _devices.get(str(d), d)
        d = _devices[spec]
    return d


def cupy():
    """The CuPy module, imported on first use, or a one-line error saying how to install it."""
    global _cupy
    if _cupy is None:
        try:
            import cupy as cp
        except ImportError:
            raise RuntimeError(
                "CUDA tensors need CuPy, which is not installed: pip install cupy-cuda12x "
                "(CUDA 12) or cupy-cuda13x (CUDA 13)"
            ) from None
        _cupy = cp
    return _cupy


def cuda_available() -> bool:
    """True when CuPy imports and sees at least one GPU."""
    try:
        cp = cupy()
        return cp.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def cupy_ndarray():
    """CuPy's array type where CuPy is loaded, else None."""
    return None if _cupy is None else _cupy.ndarray


def xp_for(dev: Device):
    """The array module (numpy or cupy) for a device."""
    return np if dev.type == "cpu" else cupy()


def contiguous(arr):
    """``arr`` in C order: itself if it is, else a copy (torch's ``contiguous()``, which the
    kernels of softmax, the running sums, ``cat`` and others apply to what they make)."""
    return arr if arr.flags.c_contiguous else xp_of(arr).ascontiguousarray(arr)


def in_layout_of(arr, like):
    """``arr`` (of ``like``'s shape) laid out as torch lays out a result it makes "like"
    ``like`` (``empty_like``): C order for a C-ordered ``like``, else ``like``'s order of
    dimensions."""
    if like.flags.c_contiguous:
        return contiguous(arr)
    out = xp_of(arr).empty_like(like, dtype=arr.dtype)
    out[...] = arr
    return out


def suggested_layout(arr, like):
    """``arr`` laid out as torch lays out what a kernel makes in ``like``'s suggested
    memory format (``suggest_memory_format``): channels last where ``like`` is strided
    so (4-d or 5-d, its channels the fastest dim), else C order. ``arr`` may differ from
    ``like`` in size, not in dims."""
    if like.flags.c_contiguous or arr.ndim not in (4, 5) or like.ndim != arr.ndim:
        return contiguous(arr)  # (a tensor in C order is never taken for channels last)
    if not _channels_last(like):
        return contiguous(arr)
    order = (0, *range(2, arr.ndim), 1)  # N, spatial..., C: slowest first
    out = xp_of(arr).empty([arr.shape[d] for d in order], arr.dtype)
    out = out.transpose([order.index(d) for d in range(arr.ndim)])
    out[...] = arr
    return out


def _channels_last(a) -> bool:
    """Whether torch takes ``a`` (4-d or 5-d) for channels last: dense in that order
    (channels fastest, then the spatial dims from the last, then the batch) and not in C
    order too, or with strides that rise in that order (``is_channels_last_strides_2d``
    and ``_3d``, whose ties go to C order)."""
    sizes, strides = a.shape, [s // a.itemsize for s in a.strides]
    dims = (1, *range(a.ndim - 1, 1, -1), 0)
    step = 1  # dense in that order, whatever the strides of dims of one element
    for d in dims:
        if sizes[d] != 1:
            if strides[d] != step:
                break
            step *= sizes[d]
    else:
        return not a.flags.c_contiguous
    if strides[1] == 0:
        return False
    low = 0
    for d in dims:
        if sizes[d] == 0 or strides[d] < low:
            return False
        if d == 0 and low == strides[1]:
            return False
        low = strides[d] * (sizes[d] if sizes[d] > 1 else 1)
    return True


def pointwise_layout(out, a, b):
    """``out``, the result of a pointwise op of arrays ``a`` and ``b``, laid out as torch's
    TensorIterator lays it out: the dims ordered by the first operand's strides, the next
    operand deciding only where the first is broadcast (NumPy's order differs where the
    operands' layouts disagree: C order, or a mix). Itself when that is its layout."""
    if out.ndim < 2 or (a.flags.c_contiguous and b.flags.c_contiguous):
        return out  # every dense operand in C order (or no order to choose): C order
    shape = out.shape
    return _iterator_layout(out, [_broadcast_strides(x, shape) for x in (a, b) if x.ndim])


def index_layout(out, a, index: tuple):
    """``out = a[index]`` (``index`` full slices and index arrays, as torch's indices with
    None for a whole dim) laid out as torch's advanced index lays it out: a TensorIterator
    over ``a`` with the indexed dims replaced by the indices' broadcast shape (stride 0
    there), then over each index array (NumPy puts the indices' dims outermost)."""
    if out.ndim < 2:
        return out
    if a.flags.c_contiguous and all(type(i) is slice or i.flags.c_contiguous for i in index):
        # every operand in C order: so is the result (the sort below leaves C order as it
        # is), where NumPy puts the indices' dims outermost
        return contiguous(out)
    xp = xp_of(out)
    parts, dims, pos = [], [], 0  # the index arrays (a mask's nonzero parts), their dims
    for item in index:
        if type(item) is slice:
            pos += 1
        elif item.dtype == bool:
            parts += list(xp.nonzero(item))
            dims += range(pos, pos + item.ndim)
            pos += item.ndim
        else:
            parts.append(item)
            dims.append(pos)
            pos += 1
    rest = [d for d in range(a.ndim) if d not in dims]
    # index dims in place where they are adjacent, else first (torch transposes them there)
    before = [d for d in rest if d < dims[0]] if dims == list(range(dims[0], pos)) else []
    after = [d for d in rest if d not in before]
    k, n = len(before), out.ndim - len(before) - len(after)
    shape = out.shape
    inner = shape[k : k + n]
    elem = [s // a.itemsize for s in a.strides]
    src = tuple(elem[d] for d in before) + (0,) * n + tuple(elem[d] for d in after)
    strides = [src]
    for p in parts:
        st = _broadcast_strides(p, inner)
        strides.append((0,) * k + tuple(s // p.itemsize for s in st) + (0,) * len(after))
    return _iterator_layout(out, strides)


def _iterator_layout(out, strides: list):
    """``out`` laid out as TensorIterator lays out an output over operands of those
    strides (per dim of ``out``, 0 where broadcast): itself if it already is."""
    shape, nd = out.shape, out.ndim
    # TensorIterator's reorder_dimensions: an insertion sort of the dims, fastest first,
    # in which a comparison an operand cannot decide (a broadcast dim) goes to the next
    perm = list(range(nd - 1, -1, -1))
    for i in range(1, nd):
        d1 = i
        for d0 in range(i - 1, -1, -1):
            swap = 0
            p0, p1 = perm[d0], perm[d1]
            for st in strides:
                s0, s1 = st[p0], st[p1]
                if s0 == 0 or s1 == 0:
                    continue
                if s0 != s1:
                    swap = 1 if s0 > s1 else -1
                    break
                if shape[p0] > shape[p1]:
                    swap = 1
                    break
            if swap > 0:
                perm[d0], perm[d1] = perm[d1], perm[d0]
                d1 = d0
            elif swap < 0:
                break
    order = perm[::-1]  # slowest first
    want, step = [0] * nd, out.itemsize
    for d in perm:
        want[d] = step
        step *= shape[d]
    if all(n == 1 or s == w for s, w, n in zip(out.strides, want, shape)):
        return out
    res = (
        xp_of(out)
        .empty([shape[d] for d in order], out.dtype)
        .transpose([order.index(d) for d in range(nd)])
    )
    res[...] = out
    return res


def _broadcast_strides(x, shape) -> tuple:
    """``x``'s strides as an operand of ``shape``: 0 along the dims it is broadcast in."""
    lead = len(shape) - x.ndim
    return (0,) * lead + tuple(
        0 if n == 1 and shape[lead + i] != 1 else s
        for i, (s, n) in enumerate(zip(x.strides, x.shape))
    )


def xp_of(arr):
    """The array module an array belongs to."""
    return np if type(arr) is np.ndarray or _cupy is None else _cupy.get_array_module(arr)


_AT = {"add": "add", "max": "maximum", "min": "minimum"}


def scatter_at(op: str, out, index, values) -> None:
    """``out[index] op= values`` in place, each repeat of an index applied in turn
    (NumPy's ``ufunc.at``; ``op`` is ``"add"``, ``"max"`` or ``"min"``), on either device."""
    if type(out) is np.ndarray:
        getattr(np, _AT[op]).at(out, index, values)
        return
    ufunc = getattr(_cupy, _AT[op])
    if hasattr(ufunc, "at"):
        scatter = ufunc.at
    else:  # CuPy before 13
        import cupyx

        scatter = getattr(cupyx, "scatter_" + op)
    if out.dtype.kind == "c":  # CuPy scatters real dtypes only: a complex array by parts
        values = _cupy.asarray(values)
        scatter(out.real, index, values.real)
        if values.dtype.kind == "c":
            scatter(out.imag, index, values.imag)
    else:
        scatter(out, index, values)


def expand(v, shape: tuple):
    """``broadcast_to(v, shape)``: a read-only view that repeats ``v`` (torch's ``expand``).

    Every sum's and mean's backward expands its gradient, and NumPy's ``broadcast_to``
    spends about 4 us checking its arguments in Python; a C-contiguous NumPy array is
    viewed directly instead, with zero strides over the repeated dimensions.
    """
    if type(v) is not np.ndarray:
        if not isinstance(v, np.generic):
            return xp_of(v).broadcast_to(v, shape)
        v = np.asarray(v)  # a NumPy scalar (what arithmetic on 0-dim arrays gives)
    if v.ndim:
        pad = len(shape) - v.ndim
        if pad < 0 or not v.size or not v.flags.c_contiguous:
            return np.broadcast_to(v, shape)
        strides = [0] * pad
        for n, m, s in zip(shape[pad:], v.shape, v.strides):
            if m == n:
                strides.append(s)
            elif m == 1:
                strides.append(0)
            else:
                return np.broadcast_to(v, shape)  # raises NumPy's error
        strides = tuple(strides)
    else:  # a full sum's or mean's gradient
        strides = (0,) * len(shape)
    out = np.ndarray(shape, v.dtype, v, 0, strides)
    out.setflags(write=False)
    return out


def repeats_memory(arr) -> bool:
    """Whether some elements of ``arr`` share one memory location (a zero stride over a
    dimension of more than one element, as ``expand`` makes)."""
    return any(s == 0 and n > 1 for n, s in zip(arr.shape, arr.strides))


def dense(arr) -> bool:
    """torch's ``is_non_overlapping_and_dense``: the elements fill a block of memory with
    no gaps and no repeats, in some order of the dims."""
    expected = arr.itemsize
    for stride, n in sorted((s, n) for n, s in zip(arr.shape, arr.strides) if n != 1):
        if stride != expected:
            return False
        expected *= n
    return True


def _address(arr) -> int:
    iface = getattr(arr, "__array_interface__", None) or arr.__cuda_array_interface__
    return iface["data"][0]


def overlap(a, b) -> str:
    """How the memory of ``a`` and ``b`` meets, as torch tells it: ``"full"`` (the same
    elements in the same layout), ``"partial"``, ``"none"``, or ``"too hard"`` (one of them
    has gaps or repeats, which torch does not check)."""
    if a.size == 0 or b.size == 0:
        return "none"
    if not (dense(a) and dense(b)):
        return "too hard"
    sa, sb = _address(a), _address(b)
    ea, eb = sa + a.nbytes, sb + b.nbytes
    if sa == sb and ea == eb:
        # (a dim of one element has no stride to speak of: NumPy's and torch's differ)
        same = a.shape == b.shape and all(
            n == 1 or x == y for x, y, n in zip(a.strides, b.strides, a.shape)
        )
        return "full" if same else "partial"
    return "partial" if sa < eb and sb < ea else "none"


def partially_overlaps(out, arr) -> bool:
    """Whether an input ``arr`` shares some but not all of the memory an op writes ``out``
    to, which torch refuses (``a[1:].add_(a[:-1])``)."""
    return overlap(out, arr) == "partial"


class _Alias:
    """What ``np.asarray`` needs to view memory through an array interface (as NumPy's
    own ``as_strided`` does), keeping the owner alive."""

    def __init__(self, interface: dict, base) -> None:
        self.__array_interface__ = interface
        self.base = base


def writable(arr):
    """``arr``, or a writable alias of it where it is a read-only NumPy view of writable
    memory (``expand``'s views are read-only; torch writes through them when every element
    gets the same value, as ``fill_`` gives)."""
    if type(arr) is not np.ndarray or arr.flags.writeable:
        return arr
    owner = arr
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not owner.flags.writeable:
        return arr  # memory nobody may write: NumPy's own error follows
    interface = dict(arr.__array_interface__)
    interface["data"] = (interface["data"][0], False)
    return np.asarray(_Alias(interface, owner))


def _constants(value) -> dict:
    out = {}
    for name in ("float16", "float32", "float64"):
        c = np.array(value, dtype=name)
        c.flags.writeable = False
        out[c.dtype] = c
    return out


_HALVES, _ONES = _constants(0.5), _constants(1.0)


def half_like(arr):
    """0.5 in the form NumPy combines fastest with ``arr``: a 0-dim array of its dtype
    (NumPy converts a Python number on every call, which costs more than the op on a
    small array). A Python number for other arrays."""
    return _HALVES.get(arr.dtype, 0.5) if type(arr) is np.ndarray else 0.5


def one_like(arr):
    """1, as ``half_like`` gives 0.5."""
    return _ONES.get(arr.dtype, 1) if type(arr) is np.ndarray else 1


_ERF = np.frompyfunc(math.erf, 1, 1)


def erf(arr):
    """The error function of each element, in ``arr``'s dtype (NumPy has none of its own)."""
    if _cupy is not None and isinstance(arr, _cupy.ndarray):
        from cupyx.scipy.special import erf as cupy_erf

        return cupy_erf(arr).astype(arr.dtype, copy=False)
    if arr.dtype.kind == "f" and arr.dtype.itemsize <= 4:
        return _erf_float64(arr.astype(np.float64)).astype(arr.dtype)
    return np.asarray(_ERF(arr), dtype=arr.dtype)


@functools.cache
def _erf_fits() -> tuple[np.ndarray, np.ndarray]:
    """Power-series coefficients, fitted to ``math.erf`` at Chebyshev nodes: of
    ``erf(x) / x`` in ``x**2`` on ``|x| < 1``, and of ``erfc(x) exp(x**2)`` in ``1 / x`` on
    ``1 <= |x| <= 4``."""
    from numpy.polynomial import Chebyshev, Polynomial

    def nodes(n, lo, hi):
        return lo + (hi - lo) * (np.cos(np.pi * (np.arange(n) + 0.5) / n) + 1) / 2

    u = nodes(200, 0.0, 1.0)
    small = Chebyshev.fit(u, [math.erf(v) / v for v in np.sqrt(u)], 10)
    s = nodes(200, 0.25, 1.0)
    tail = Chebyshev.fit(s, [math.erfc(1 / v) * math.exp(1 / (v * v)) for v in s], 18)
    return small.convert(kind=Polynomial).coef, tail.convert(kind=Polynomial).coef


def _horner(coef: np.ndarray, u: np.ndarray) -> np.ndarray:
    r = coef[-1] * u
    r += coef[-2]
    for c in coef[-3::-1]:
        r *= u
        r += c
    return r


def _erf_float64(x: np.ndarray) -> np.ndarray:
    """``erf`` in float64 to within a few units in the last place: rounded to float32 or
    float16 it is ``math.erf`` rounded (equal on millions of samples), at several times
    the speed of calling ``math.erf`` per element. Beyond ``|x| = 4`` a float32 erf is 1."""
    small_c, tail_c = _erf_fits()
    out = np.empty_like(x)
    ax = np.abs(x)
    small = ax < 1.0
    xs = x[small]
    out[small] = xs * _horner(small_c, xs * xs)
    mid = ~small & (ax < 4.0)
    am = ax[mid]
    out[mid] = np.copysign(1.0 - np.exp(-am * am) * _horner(tail_c, 1.0 / am), x[mid])
    rest = ~(small | mid)
    out[rest] = np.sign(x[rest])  # +-1, and NaN stays NaN
    return out


def device_of(arr) -> Device:
    """The device an array lives on."""
    if type(arr) is np.ndarray or _cupy is None or not isinstance(arr, _cupy.ndarray):
        return CPU
    return device(f"cuda:{arr.device.id}")


def to_device(arr, dev: Device):
    """A copy of ``arr`` on ``dev`` (the same array when it is already there)."""
    src = device_of(arr)
    if src == dev:
        return arr
    if dev.type == "cpu":
        return arr.get()
    cp = cupy()
    with cp.cuda.Device(dev.index):
        return cp.asarray(arr)
