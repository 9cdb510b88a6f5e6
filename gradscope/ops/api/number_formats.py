"""Number-format ops: ``gcd``, ``lcm``, ``ldexp``, ``nextafter``, ``frexp`` and ``dist``."""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ...autograd.function import apply, apply_inplace
from ...errors import py_type_name, refuse_kernel, scalar_type_name
from .. import numeric as N
from ._common import FrexpResult, _broadcast_error, _fits_in_place

Tensor = None  # set by gradscope.tensor


def _tensor_other(name: str, other) -> None:
    if type(other) is not Tensor:
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {py_type_name(other)}"
        )


def _pair_dtype(name: str, a, other, inplace: bool):
    """The dtype torch gives ``name(a, other)``, after its broadcast (and in-place) checks."""
    _tensor_other(name, other)
    dtype = dtypes.result_type(
        a._data.dtype, a._data.ndim, other, other._data.dtype, other._data.ndim
    )
    if inplace:
        _fits_in_place(name + "_", a, other, dtype)
    else:
        try:
            np.broadcast_shapes(a._data.shape, other._data.shape)
        except ValueError:
            raise _broadcast_error(name, a, other) from None
    return dtype


def _integer_op(name: str, a, other, inplace: bool = False):
    dtype = _pair_dtype(name, a, other, inplace)
    if dtype.kind not in "iu":
        refuse_kernel(f"{name}_cpu", dtype)
    if inplace:
        return apply_inplace(N.IntegerOp, a, (a, other), name, dtype)
    return apply(N.IntegerOp, (a, other), name, dtype)


def gcd(a, other):
    """The greatest common divisor of integer tensors, elementwise (non-negative)."""
    return _integer_op("gcd", a, other)


def gcd_(a, other):
    """``gcd`` in place."""
    return _integer_op("gcd", a, other, inplace=True)


def lcm(a, other):
    """The least common multiple of integer tensors, elementwise (non-negative)."""
    return _integer_op("lcm", a, other)


def lcm_(a, other):
    """``lcm`` in place."""
    return _integer_op("lcm", a, other, inplace=True)


def _ldexp(a, other, inplace: bool):
    _tensor_other("ldexp", other)
    od = other._data.dtype
    pow_dtype = od if od.kind in "fc" else dtypes.default_float.np
    dtype = dtypes.result_type(a._data.dtype, a._data.ndim, other, od, other._data.ndim)
    if dtype.kind not in "fc":
        dtype = dtypes.default_float.np
    if inplace:
        if a._data.dtype.kind not in "fc":
            raise RuntimeError(
                "ldexp can't be cast to the desired output type " + scalar_type_name(a._data.dtype)
            )
        _fits_in_place("ldexp_", a, other, dtype)
        return apply_inplace(N.LdexpBackward0, a, (a, other), dtype, pow_dtype)
    try:
        np.broadcast_shapes(a._data.shape, other._data.shape)
    except ValueError:
        raise _broadcast_error("ldexp", a, other) from None
    return apply(N.LdexpBackward0, (a, other), dtype, pow_dtype)


def ldexp(a, other):
    """``a * 2 ** other``."""
    return _ldexp(a, other, False)


def ldexp_(a, other):
    """``ldexp`` in place."""
    return _ldexp(a, other, True)


def _nextafter(a, other, inplace: bool):
    dtype = _pair_dtype("nextafter", a, other, inplace)
    if dtype.kind != "f":
        refuse_kernel("nextafter_cpu", dtype)
    if inplace:
        return apply_inplace(N.NextafterBackward0, a, (a, other), dtype)
    return apply(N.NextafterBackward0, (a, other), dtype)


def nextafter(a, other):
    """The next representable number after ``a`` towards ``other``, elementwise."""
    return _nextafter(a, other, False)


def nextafter_(a, other):
    """``nextafter`` in place."""
    return _nextafter(a, other, True)


def frexp(a):
    """``(mantissa, exponent)``: ``a == mantissa * 2 ** exponent``, the mantissa's magnitude
    in [0.5, 1) (0 for 0), the exponent int32."""
    if a._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa = apply(N.FrexpBackward0, (a,))
    node = mantissa._grad_node()
    if node is not None and node._saved:
        st = node._saved["exponent"]
        exponent = Tensor._share(st.data, st.buffer, st.vc)
    else:
        exponent = Tensor._make(N.frexp_arrays(a._data)[1], None)
    return FrexpResult(mantissa, exponent)


def dist(a, other, p=2):
    """The ``p``-norm of ``a - other`` (broadcast), over every element."""
    _tensor_other("dist", other)
    if type(p) is Tensor:
        p = p.item()
    dtype = dtypes.result_type(
        a._data.dtype, a._data.ndim, other, other._data.dtype, other._data.ndim
    )
    try:
        np.broadcast_shapes(a._data.shape, other._data.shape)
    except ValueError:
        raise _broadcast_error("dist", a, other) from None
    if dtype.kind not in "fc":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. "
            f"Got {scalar_type_name(dtype)} instead."
        )
    return apply(N.DistBackward0, (a, other), float(p), dtype)
