"""In-place forms torch has beyond the arithmetic ones: comparisons (``eq_`` ... and their
other names), logical ops, the named bitwise ops with their shifts, ``cumsum_``,
``cumprod_`` and ``fill_diagonal_``, each recording what torch records.

    >>> (x * 1).lt_(0).grad_fn.name()
    'LtBackward0'
"""

from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd.function import apply, apply_inplace
from ..autograd.grad_mode import state
from ..backend import writable, xp_of
from ..errors import M_LEAF_INPLACE, cpp_type_name, refuse_kernel
from . import api
from . import reduce as R
from . import shape as S
from ._graph import linear_grad
from .compare import COMPARE_NODES, ShiftOp

# ---------------------------------------------------------------- comparisons


def _compare_(op: str):
    by_number, by_tensor = COMPARE_NODES[op]

    def compare_(input, other):  # noqa: A002
        other = api.as_tensor_like(other, input)
        if type(other) is api.Tensor:
            input, other = api._on_one_device(input, other)
            api._fits_in_place(op + "_", input, other, input._data.dtype)
            return apply_inplace(by_tensor, input, (input, other))
        if type(other) is int:
            other, _ = api._integral_operands(other, input._data.dtype, ())
        return apply_inplace(by_number, input, (input,), other)

    compare_.__name__ = compare_.__qualname__ = op + "_"
    compare_.__doc__ = f"``input {op} other`` written into ``input`` as 0 and 1 (or bools)."
    return compare_


eq_, ne_, lt_, le_, gt_, ge_ = (_compare_(op) for op in ("eq", "ne", "lt", "le", "gt", "ge"))
greater_, greater_equal_, less_, less_equal_, not_equal_ = gt_, ge_, lt_, le_, ne_


# ---------------------------------------------------------------- logical


def _write_untracked(a, out) -> None:
    """``out`` written into ``a`` with its version bumped and no node recorded: torch's
    logical ops in place are outside autograd, even on a tensor that requires grad."""
    api.check_inplace_result(a._data, out.shape, a._data.dtype)
    writable(a._data)[...] = out
    a._vc[0] += 1
    if a._base is not None and a._view_version == a._vc[0] - 1 and not a._multi_view:
        a._view_version = a._vc[0]


def _logical_(name: str):
    def logical_(input, other):  # noqa: A002
        api._check_tensor_arg(name + "_", "other", 1, other)
        api._check_device(input, other)
        try:
            shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        except ValueError:
            raise api._broadcast_error(name + "_", input, other) from None
        api.check_inplace_result(input._data, shape, input._data.dtype)
        out = getattr(xp_of(input._data), name)(input._data, other._data)
        _write_untracked(input, out)
        return input

    logical_.__name__ = logical_.__qualname__ = name + "_"
    logical_.__doc__ = f"``{name}`` written into ``input`` (as 0 and 1 or bools)."
    return logical_


logical_and_ = _logical_("logical_and")
logical_or_ = _logical_("logical_or")
logical_xor_ = _logical_("logical_xor")


def logical_not_(input):  # noqa: A002
    """``logical_not`` written into ``input`` (as 0 and 1 or bools)."""
    _write_untracked(input, xp_of(input._data).logical_not(input._data))
    return input


# ---------------------------------------------------------------- bitwise


def _as_tensor(v, like):
    """A number first operand as a 0-dim tensor (torch's ``bitwise_and(2, t)``)."""
    if type(v) is api.Tensor:
        return v
    from ..creation import tensor

    return tensor(v, device=like.device)


def _bitwise(op: str):
    def fn(input, other):  # noqa: A002
        if type(other) is not api.Tensor:
            api._check_tensor_arg("bitwise_" + op, "input", 1, input)
        return api.bitwise(op, _as_tensor(input, other), other)

    def fn_(input, other):  # noqa: A002
        return api.bitwise(op, input, other, inplace=True)

    fn.__name__ = fn.__qualname__ = "bitwise_" + op
    fn_.__name__ = fn_.__qualname__ = "bitwise_" + op + "_"
    fn.__doc__ = f"Bitwise {op} of bool or integer tensors (and numbers)."
    fn_.__doc__ = f"``bitwise_{op}`` written into ``input``."
    return fn, fn_


bitwise_and, bitwise_and_ = _bitwise("and")
bitwise_or, bitwise_or_ = _bitwise("or")
bitwise_xor, bitwise_xor_ = _bitwise("xor")


def _shift(op: str, kernel: str, a, other, inplace: bool):
    other = api.as_tensor_like(other, a)
    if type(other) is api.Tensor:
        a, other = api._on_one_device(a, other)
    dtype = api._promoted(a, other)
    result = a._data.dtype if dtype is None else dtype
    if inplace:
        api._fits_in_place("bitwise_" + op + "_", a, other, result)
    else:
        try:
            np.broadcast_shapes(a._data.shape, getattr(other, "shape", ()))
        except ValueError:
            raise api._broadcast_error("bitwise_" + op, a, other) from None
    if result.kind not in "iu":  # (bools too: torch's shift kernels take integers only)
        refuse_kernel(kernel, result)
    if inplace:
        return apply_inplace(ShiftOp, a, (a, other), op, dtype)
    return apply(ShiftOp, (a, other), op, dtype)


def bitwise_left_shift(input, other):  # noqa: A002
    """``input << other`` of integer tensors (and numbers); a shift past the type's width
    gives 0."""
    return _shift("left_shift", "lshift_cpu", _as_tensor(input, other), other, False)


def bitwise_left_shift_(input, other):  # noqa: A002
    """``bitwise_left_shift`` written into ``input``."""
    return _shift("left_shift", "lshift_cpu", input, other, True)


def bitwise_right_shift(input, other):  # noqa: A002
    """``input >> other`` of integer tensors (and numbers), the sign kept."""
    return _shift("right_shift", "rshift_cpu", _as_tensor(input, other), other, False)


def bitwise_right_shift_(input, other):  # noqa: A002
    """``bitwise_right_shift`` written into ``input``."""
    return _shift("right_shift", "rshift_cpu", input, other, True)


def bitwise_not(input):  # noqa: A002
    """``~input`` of a bool or integer tensor."""
    api._check_tensor_arg("bitwise_not", "input", 1, input)
    if input._data.dtype.kind not in "biu":
        refuse_kernel("bitwise_not_cpu", input._data.dtype)
    return api.Tensor._make(~input._data, None)


def bitwise_not_(input):  # noqa: A002
    """``bitwise_not`` written into ``input``."""
    if input._data.dtype.kind not in "biu":
        refuse_kernel("bitwise_not_cpu", input._data.dtype)
    _write_untracked(input, ~input._data)
    return input


# ---------------------------------------------------------------- running sums, products


def _running_(cls, name: str, a, dim: int, dtype):
    np_dtype = dtypes.resolve(dtype)
    have = a._data.dtype
    if np_dtype is not None and np_dtype != have:
        raise RuntimeError(
            f"Bad in-place call: input tensor dtype {cpp_type_name(have)} and output tensor "
            f"dtype {cpp_type_name(np_dtype)} should match"
        )
    if have.kind == "b":
        refuse_kernel(f"{name}_out_cpu", have)
    if type(dim) is not int:
        raise TypeError(
            f"{name}_(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    return apply_inplace(cls, a, (a,), api._dim(dim, a._data.ndim), have)


def cumsum_(input, dim: int, *, dtype=None):  # noqa: A002
    """``cumsum`` written into ``input`` (whose dtype ``dtype`` must be, if given)."""
    return _running_(R.CumsumBackward0, "cumsum", input, dim, dtype)


def cumprod_(input, dim: int, *, dtype=None):  # noqa: A002
    """``cumprod`` written into ``input`` (whose dtype ``dtype`` must be, if given)."""
    return _running_(R.CumprodBackward0, "cumprod", input, dim, dtype)


# ---------------------------------------------------------------- fill_diagonal_


class _FillSlices(S.CopySlices):
    """A number written at ``index`` in place, run as ``(self,)``: torch's ``CopySlices``
    over the ``fill_`` of a view, with one edge."""

    _edges = 1

    def forward(self, a, index, value):
        return super().forward(a, value, index)

    def backward(self, g):
        ga = g.copy()
        ga[self.index] = 0
        return (ga,)

    def backward_graph(self, g):
        return (linear_grad(self, g, 0),)

    def jvp(self, xs, out, tangents):
        t = tangents[0].copy()
        t[self.index] = 0
        return t


def fill_diagonal_(input, fill_value, wrap: bool = False):  # noqa: A002
    """``fill_value`` written on the main diagonal of ``input`` (at least 2-D, all dims of
    one length past 2-D); a tall matrix with ``wrap`` restarts the diagonal every
    ``ncols + 1`` rows, as NumPy's ``fill_diagonal``. Recorded as torch records a write
    through a view (``CopySlices``)."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) > 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if state.enabled and input._rg and input._grad_node() is None:  # torch writes through a view
        raise RuntimeError("a view of a " + M_LEAF_INPLACE[2:])
    xp = xp_of(input._data)
    n = min(shape)
    spec = (xp.arange(n),) * len(shape)
    wrapped = None  # torch fills the wrapped part of a tall matrix as a second write
    if wrap and len(shape) == 2 and shape[0] > shape[1] + 1:
        rows, cols = shape
        flat = xp.arange(cols * (cols + 1), rows * cols, cols + 1)
        wrapped = (flat // cols, flat % cols)
    value = dtypes.checked_scalar(api.as_tensor_like(fill_value, input), input._data.dtype)
    if type(value) is api.Tensor:
        value = value.item()
    value = np.asarray(value).astype(input._data.dtype).item()
    apply_inplace(_FillSlices, input, (input,), spec, value)
    if wrapped is not None:
        apply_inplace(_FillSlices, input, (input,), wrapped, value)
    return input
