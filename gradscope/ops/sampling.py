"""Random sampling: ``normal`` (its four forms), ``bernoulli``, ``multinomial``,
``randperm``, ``randint_like`` and the in-place fills ``bernoulli_``, ``random_``,
``exponential_``, ``geometric_``, ``cauchy_`` and ``log_normal_``.

Every draw comes from gradscope's generator (``gs.manual_seed`` repeats it; NumPy's on the
CPU, CuPy's on CUDA), so values cannot equal torch's; shapes, dtypes, the distributions,
the nodes recorded and the errors are torch's. A sample's gradient is zero (torch's
``NormalBackward1`` ...), and the in-place fills record torch's nodes over what they
overwrite (``RandomBackward0`` ...), through which nothing flows back.
"""

from __future__ import annotations

from numbers import Number

import numpy as np

from .. import backend, creation, dtypes
from ..autograd.function import Function, apply, apply_inplace
from ..backend import xp_of
from ..errors import cpp_type_name, py_type_name, scalar_type_name
from ..tensor import Tensor
from . import api
from ._graph import zeros_grad
from .api import _broadcast_error, _check_tensor_arg
from .elementwise import NotImplementedBackward
from .predicates import invalid_arguments

_INT64 = np.dtype(np.int64)


def _draw(sample, shape: tuple, np_dtype, device):
    return creation._draw(sample, tuple(shape), np_dtype, backend.device(device))


def _normal(r, s):
    return r.standard_normal(s)


def _uniform(r, s):
    return r.random(s) if hasattr(r, "random") else r.rand(*s)


def _kernel(name: str, np_dtype, device: str = "cpu") -> NotImplementedError:
    where = "cuda" if device.startswith("cuda") else "cpu"
    return NotImplementedError(
        f"\"{name}_{where}\" not implemented for '{scalar_type_name(np_dtype)}'"
    )


# ------------------------------------------------------------------------ nodes


class _Sampled(Function):
    """A sample of a distribution with tensor parameters: its value comes computed
    (``forward(*params, values)``); each parameter's gradient is zeros of its shape."""

    _name = ""

    def forward(self, *args):
        *params, values = args
        self.shapes = [p.shape for p in params]
        self.dtypes = [p.dtype for p in params]
        return values

    def backward(self, g):
        xp = xp_of(g)
        return tuple(
            xp.zeros(s, d) if need else None
            for s, d, need in zip(self.shapes, self.dtypes, self.needs_input_grad)
        )

    def backward_graph(self, g):
        return tuple(
            zeros_grad(s, g).to(dtypes.from_numpy(d)) if need else None
            for s, d, need in zip(self.shapes, self.dtypes, self.needs_input_grad)
        )

    def jvp(self, xs, out, tangents):
        return xp_of(out).zeros_like(out)


class NormalBackward1(_Sampled):
    """``normal(mean tensor, std number)``."""

    _name = "NormalBackward1"


class NormalBackward2(_Sampled):
    """``normal(mean number, std tensor)``."""

    _name = "NormalBackward2"


class NormalBackward3(_Sampled):
    """``normal(mean tensor, std tensor)``."""

    _name = "NormalBackward3"


class BernoulliBackward0(_Sampled):
    """``bernoulli(p)``: a 0/1 sample per probability."""

    _name = "BernoulliBackward0"


class _Filled(_Sampled):
    """An in-place fill with samples (``forward(target, *params, values)``): the old
    values get a zero gradient, and so does each tensor parameter."""

    refuses_partial_overlap = False

    def forward(self, *args):
        *arrays, values = args
        self.shapes = [a.shape for a in arrays]
        self.dtypes = [a.dtype for a in arrays]
        return values.astype(arrays[0].dtype, copy=False)


def _fill_node(name: str) -> type:
    return type(name, (_Filled,), {"_name": name, "__doc__": f"``{name}``'s fill in place."})


BernoulliBackward1 = _fill_node("BernoulliBackward1")  # bernoulli_(p tensor)
BernoulliBackward2 = _fill_node("BernoulliBackward2")  # bernoulli_(p number)
RandomBackward0 = _fill_node("RandomBackward0")  # random_(from, to)
RandomBackward1 = _fill_node("RandomBackward1")  # random_(to)
RandomBackward2 = _fill_node("RandomBackward2")  # random_()
ExponentialBackward0 = _fill_node("ExponentialBackward0")
GeometricBackward0 = _fill_node("GeometricBackward0")
CauchyBackward0 = _fill_node("CauchyBackward0")
LogNormalBackward0 = _fill_node("LogNormalBackward0")


# ------------------------------------------------------------------------ normal

_NORMAL_FORMS = [
    ("Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None",
     ("Tensor",) * 4),
    ("Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None",
     ("Tensor",) * 4),
    ("float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None",
     ("Number",) * 4),
    ("float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
     "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
     "device = None, bool pin_memory = False, bool requires_grad = False", ("Number",) * 10),
]  # fmt: skip


def _is_number(v) -> bool:
    return isinstance(v, Number) and not isinstance(v, (Tensor, bool))


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False):  # fmt: skip
    """Samples of N(mean, std**2): ``mean`` and ``std`` each a tensor or a number (two
    numbers need a ``size``). Of tensors, the shape they broadcast to and their joint
    dtype; the result is in the graph of the tensors that require grad (with a zero
    gradient: torch's ``NormalBackward1/2/3``)."""
    tm, ts = type(mean) is Tensor, type(std) is Tensor
    if tm or ts:
        if size is not None or not (tm or _is_number(mean)) or not (ts or _is_number(std)):
            raise invalid_arguments("normal", _NORMAL_FORMS, (mean, std))
        return _normal_of_tensors(mean, std, tm, ts)
    if size is None or not (_is_number(mean) and _is_number(std)):
        raise invalid_arguments("normal", _NORMAL_FORMS, (mean, std))
    creation._check_dtype("normal", dtype)
    np_dtype = dtypes.resolve(dtype) or dtypes.default_float.np
    shape = creation._sizes((size,), "normal")
    if np_dtype.kind != "f":
        if 0 in shape:
            return creation._leaf(backend.xp_for(backend.device(device)).empty(shape, np_dtype),
                                  requires_grad)  # fmt: skip
        raise _kernel("normal_kernel", np_dtype, str(backend.device(device)))
    _check_std(std)
    values = _draw(_normal, shape, np_dtype, device) * np_dtype.type(std) + np_dtype.type(mean)
    return creation._leaf(values.astype(np_dtype, copy=False), requires_grad)


def _check_std(std) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def _normal_of_tensors(mean, std, tm: bool, ts: bool) -> Tensor:
    params = [t for t in (mean, std) if type(t) is Tensor]
    dtype = params[0]._data.dtype
    if len(params) == 2:
        dtype = dtypes.result_type(dtype, 1, None, params[1]._data.dtype, 1)
    if dtype.kind != "f":
        raise _kernel("normal_kernel", dtype, params[0]._buffer.device)
    if tm and ts:
        try:
            shape = np.broadcast_shapes(mean.shape, std.shape)
        except ValueError:
            raise _broadcast_error("normal", mean, std) from None
    else:
        shape = tuple(params[0].shape)
    if ts:
        if std._data.size and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    else:
        _check_std(std)
    xp = xp_of(params[0]._data)
    m = mean._data.astype(dtype, copy=False) if tm else dtype.type(mean)
    s = std._data.astype(dtype, copy=False) if ts else dtype.type(std)
    values = _draw(_normal, shape, dtype, params[0]._buffer.device) * s + m
    values = xp.asarray(values).astype(dtype, copy=False)
    cls = NormalBackward3 if tm and ts else NormalBackward1 if tm else NormalBackward2
    return apply(cls, tuple(params), values)


# ------------------------------------------------------------------------ bernoulli

_P_RANGE = (
    "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
    "be improved?  If so, please report an enhancement request to PyTorch.)"
)


def _check_p_tensor(p) -> None:
    x = p._data
    if x.dtype.kind != "f":
        where = "cuda" if p._buffer.device.startswith("cuda") else "cpu"
        raise NotImplementedError(
            f"\"bernoulli_tensor_{where}_p_\" not implemented for '{scalar_type_name(x.dtype)}'"
        )
    if x.size and not bool(((x >= 0) & (x <= 1)).all()):
        raise RuntimeError(_P_RANGE)


def _check_p_number(p: float) -> None:
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")


def bernoulli(input, p=None, *, generator=None):  # noqa: A002 - torch's name
    """A 0/1 sample per element, 1 with probability ``input`` (or ``p`` everywhere), in
    ``input``'s dtype. Of an input that requires grad: ``BernoulliBackward0`` (a zero
    gradient); with a number ``p``, torch's node without a derivative."""
    _check_tensor_arg("bernoulli", "input", 1, input)
    x = input._data
    if p is None:
        _check_p_tensor(input)
        u = _draw(_uniform, x.shape, x.dtype, input._buffer.device)
        return apply(BernoulliBackward0, (input,), (u < x).astype(x.dtype))
    _check_p_number(p)
    u = _draw(_uniform, x.shape, np.float64, input._buffer.device)
    values = (u < p).astype(x.dtype)
    return apply(NotImplementedBackward, (input,), "bernoulli", values)


def bernoulli_(a, p=0.5, *, generator=None):
    """``a`` filled in place with 0/1 samples, 1 with probability ``p`` (a number, or a
    tensor that broadcasts to ``a``)."""
    x = a._data
    if type(p) is Tensor:
        _check_p_tensor(p)
        probs = p._data if p.shape == a.shape else api.expand(p.detach(), tuple(a.shape))._data
        u = _draw(_uniform, x.shape, probs.dtype, a._buffer.device)
        return apply_inplace(BernoulliBackward1, a, (a, p), (u < probs).astype(x.dtype))
    _check_p_number(p)
    u = _draw(_uniform, x.shape, np.float64, a._buffer.device)
    return apply_inplace(BernoulliBackward2, a, (a,), (u < p).astype(x.dtype))


# ------------------------------------------------------------------------ integers


def _int_range(low: int, high: int, np_dtype) -> None:
    """torch's checks of ``random_``'s ``[low, high)`` for ``np_dtype``."""
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    if np_dtype.kind in "iub":
        lo, hi = (0, 1) if np_dtype.kind == "b" else (
            int(np.iinfo(np_dtype).min), int(np.iinfo(np_dtype).max))  # fmt: skip
        if not lo <= low <= hi:
            raise RuntimeError(f"from is out of bounds for {cpp_type_name(np_dtype)}")
        if not lo <= high - 1 <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {cpp_type_name(np_dtype)}")


def _integers(low: int, high: int, shape: tuple, np_dtype, device):
    def sample(r, s):
        if hasattr(r, "integers"):
            return r.integers(low, high, size=s, dtype=np.int64)
        return r.randint(low, high, size=s, dtype=np.int64)

    return _draw(sample, shape, _INT64, device).astype(np_dtype)


def _default_high(np_dtype) -> int:
    """``random_()``'s exclusive top: every integer the dtype holds exactly (from 0)."""
    if np_dtype.kind == "b":
        return 2
    if np_dtype.kind == "f":
        return 2 ** (np.finfo(np_dtype).nmant + 1) + 1
    return int(np.iinfo(np_dtype).max) + 1


def random_(a, from_=None, to=None, *, generator=None):
    """``a`` filled in place with integers drawn uniformly: from ``[from, to)``, from
    ``[0, to)`` given one bound, or without bounds from every integer ``a``'s dtype holds
    exactly (``[0, 2**24]`` for float32)."""
    x = a._data
    for v in (from_, to):
        if v is not None and not isinstance(v, (int, np.integer)):
            raise invalid_arguments(
                "random_",
                [
                    ("*, torch.Generator generator = None", ()),
                    ("int from, int to, *, torch.Generator generator = None", ("",) * 3),
                    ("int to, *, torch.Generator generator = None", ("",) * 2),
                ],
                tuple(w for w in (from_, to) if w is not None),
            )
    if from_ is None and to is None:
        low, high, cls = 0, _default_high(x.dtype), RandomBackward2
    elif to is None:
        low, high, cls = 0, int(from_), RandomBackward1
    elif from_ is None:
        low, high, cls = 0, int(to), RandomBackward1
    else:
        low, high, cls = int(from_), int(to), RandomBackward0
    if cls is not RandomBackward2:
        _int_range(low, high, x.dtype)
    values = _integers(low, high, x.shape, x.dtype, a._buffer.device)
    return apply_inplace(cls, a, (a,), values)


def randint_like(input, low=0, high=None, *, dtype=None, device=None,
                 requires_grad: bool = False):  # fmt: skip
    """Integers drawn uniformly from ``[low, high)`` (``randint_like(t, high)`` from 0),
    in ``input``'s shape, dtype and device unless given."""
    _check_tensor_arg("randint_like", "input", 1, input)
    if high is None:
        low, high = 0, low
    if not all(isinstance(v, (int, np.integer)) for v in (low, high)):
        raise TypeError(f"randint_like(): argument 'high' must be int, not {py_type_name(high)}")
    creation._check_dtype("randint_like", dtype)
    np_dtype = dtypes.resolve(dtype) or input._data.dtype
    dev = device if device is not None else input.device
    _int_range(int(low), int(high), np_dtype)
    values = _integers(int(low), int(high), tuple(input.shape), np_dtype, dev)
    return creation._leaf(values, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad: bool = False):
    """The integers ``0 .. n-1`` in a random order (int64 unless ``dtype`` says)."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not {py_type_name(n)}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    creation._check_dtype("randperm", dtype)
    np_dtype = dtypes.resolve(dtype) or _INT64
    if np_dtype.kind == "b":
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if np_dtype == np.float16 and n > 2049:
        raise RuntimeError("n cannot be greater than 2049 for Half type.")
    if np_dtype.kind in "iu" and n - 1 > np.iinfo(np_dtype).max:
        raise dtypes.overflow_error(dtypes.c_scalar_name(np_dtype))

    def sample(r, s):
        return r.permutation(n)

    values = _draw(sample, (n,), _INT64, device).astype(np_dtype)
    return creation._leaf(values, requires_grad)


# ------------------------------------------------------------------------ multinomial


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None):  # noqa: A002
    """``num_samples`` category indices per row of ``input`` (1-d or 2-d, non-negative
    weights, not necessarily summing to 1), drawn with or without ``replacement``: an
    int64 tensor of shape ``(num_samples,)`` or ``(rows, num_samples)``."""
    _check_tensor_arg("multinomial", "input", 1, input)
    x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: "
            f"{scalar_type_name(x.dtype)}"
        )
    if x.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    k = x.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    xp = xp_of(x)
    rows = x.reshape(-1, k).astype(np.float64)
    if rows.size:
        if not bool((xp.isfinite(rows) & (rows >= 0)).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if not bool((rows.sum(-1) > 0).all()):
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    device = input._buffer.device
    if replacement:
        cdf = xp.cumsum(rows, -1)
        cdf = cdf / cdf[:, -1:]
        u = _draw(_uniform, (rows.shape[0], num_samples), np.float64, device)
        picked = xp.empty(u.shape, _INT64)
        for i in range(rows.shape[0]):
            picked[i] = xp.searchsorted(cdf[i], u[i], side="right")
        picked = xp.minimum(picked, k - 1)
    else:
        # the exponential race: the largest weight / Exp(1) draws come out in the order
        # sampling without replacement would give them
        e = _draw(lambda r, s: r.exponential(1.0, s), rows.shape, np.float64, device)
        keys = rows / e
        picked = xp.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
    picked = picked.astype(_INT64, copy=False)
    if x.ndim == 1:
        picked = picked.reshape(num_samples)
    return Tensor._make(picked, None)


# ------------------------------------------------------------------------ fills


def _floating_fill(a, what: str) -> None:
    dtype = a._data.dtype
    if dtype.kind != "f":
        raise RuntimeError(
            f"{what} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_fill_type_name(what, dtype)}"
        )


def _fill_type_name(what: str, dtype) -> str:
    return cpp_type_name(dtype) if what == "Cauchy" else scalar_type_name(dtype)


def exponential_(a, lambd: float = 1.0, *, generator=None):
    """``a`` filled in place from the exponential distribution of rate ``lambd``."""
    _floating_fill(a, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    x = a._data
    values = _draw(lambda r, s: r.exponential(1.0 / lambd, s), x.shape, x.dtype, a._buffer.device)
    return apply_inplace(ExponentialBackward0, a, (a,), values)


def geometric_(a, p: float, *, generator=None):
    """``a`` filled in place with the number of Bernoulli(p) trials to the first success."""
    x = a._data
    if x.dtype.kind == "b":
        raise _kernel("geometric", x.dtype, a._buffer.device)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    values = _draw(lambda r, s: r.geometric(p, s), x.shape, x.dtype, a._buffer.device)
    return apply_inplace(GeometricBackward0, a, (a,), values)


def cauchy_(a, median: float = 0.0, sigma: float = 1.0, *, generator=None):
    """``a`` filled in place from the Cauchy distribution at ``median`` of scale ``sigma``."""
    _floating_fill(a, "Cauchy")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    x = a._data
    values = _draw(lambda r, s: r.standard_cauchy(s), x.shape, x.dtype, a._buffer.device)
    return apply_inplace(CauchyBackward0, a, (a,), values * sigma + median)


def log_normal_(a, mean: float = 1.0, std: float = 2.0, *, generator=None):
    """``a`` filled in place with ``exp`` of N(mean, std**2) samples."""
    x = a._data
    if x.dtype.kind != "f":
        raise _kernel("log_normal", x.dtype, a._buffer.device)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    values = _draw(lambda r, s: r.lognormal(mean, std, s), x.shape, x.dtype, a._buffer.device)
    return apply_inplace(LogNormalBackward0, a, (a,), values)
