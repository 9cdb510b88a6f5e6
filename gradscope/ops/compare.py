"""Comparisons written in place (``eq_``, ``lt_``, ...): the 0/1 result in the target's
dtype, whose gradient is zero for every input, as torch records it (``EqBackward0`` with
a number, ``EqBackward1`` with a tensor); and the bit shifts.
"""

from __future__ import annotations

from ..autograd.function import Function, named_as_torch
from ..backend import xp_of
from ._graph import zeros_grad
from .elementwise import BitwiseOp, _in, _promote


class _CompareBackward(Function):
    """``self op other`` in ``self``'s dtype, run as ``(self,)`` with a number ``other``."""

    ufunc = ""

    def forward(self, a, other):
        self.shapes = (a.shape,)
        xp = xp_of(a)
        return getattr(xp, self.ufunc)(a, other).astype(a.dtype)

    def backward(self, g):
        xp = xp_of(g)
        return tuple(
            xp.zeros(s, dtype=g.dtype) if need else None
            for s, need in zip(self.shapes, self.needs_input_grad)
        )

    def backward_graph(self, g):
        return tuple(
            zeros_grad(s, g) if need else None
            for s, need in zip(self.shapes, self.needs_input_grad)
        )

    def jvp(self, xs, out, tangents):
        return xp_of(out).zeros(out.shape, out.dtype)


class _CompareTensorBackward(_CompareBackward):
    """``self op other`` in ``self``'s dtype, run as ``(self, other)``."""

    def forward(self, a, b):
        self.shapes = (a.shape, b.shape)
        xp = xp_of(a)
        return getattr(xp, self.ufunc)(a, b).astype(a.dtype)


COMPARE_NODES = {}
for _op, _ufunc in (
    ("eq", "equal"),
    ("ne", "not_equal"),
    ("lt", "less"),
    ("le", "less_equal"),
    ("gt", "greater"),
    ("ge", "greater_equal"),
):
    _title = _op.capitalize()
    _complex = "as_is" if _op in ("eq", "ne") else None  # torch orders no complex numbers
    COMPARE_NODES[_op] = (
        type(
            f"{_title}Backward0",
            (_CompareBackward,),
            {"_name": f"{_title}Backward0", "ufunc": _ufunc, "complex_rule": _complex},
        ),
        type(
            f"{_title}Backward1",
            (_CompareTensorBackward,),
            {"_name": f"{_title}Backward1", "ufunc": _ufunc, "complex_rule": _complex},
        ),
    )


def shifted(a, b, left: bool):
    """``a << b`` or ``a >> b`` as torch's kernels give them: a shift by a negative count
    or by the type's width or more gives 0 (``>>`` of a negative value: -1, its sign)."""
    xp = xp_of(a if hasattr(a, "shape") else b)
    a, b = xp.asarray(a), xp.asarray(b)
    if a.dtype.kind == "b":
        a = a.astype(xp.uint8)
    bits = a.dtype.itemsize * 8
    inside = (b >= 0) & (b < bits)
    safe = xp.where(inside, b, 0).astype(a.dtype)
    if left:
        return xp.where(inside, xp.left_shift(a, safe), 0).astype(a.dtype)
    past = xp.where(a < 0, -1, 0) if a.dtype.kind == "i" else 0
    return xp.where(inside, xp.right_shift(a, safe), past).astype(a.dtype)


@named_as_torch
class ShiftOp(BitwiseOp):
    """``a << b`` or ``a >> b`` (``op``: left_shift, right_shift) of integer operands."""

    def forward(self, a, b, op, dtype=None):
        if dtype is not None:
            a, b = _in(a, dtype), _in(b, dtype)
        return _promote(shifted(a, b, op == "left_shift"), dtype)
