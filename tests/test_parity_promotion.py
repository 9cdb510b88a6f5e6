"""The dtype and values of ``a op b`` for every pair of dtypes, and for tensors against
Python numbers and 0-dim tensors, against torch 2.13 (NumPy promotes differently: int32 /
int64 stays an integer there, a float in torch).
"""

from __future__ import annotations

import itertools
import math
import operator
import warnings

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int8", "uint8", "bool"]
OTHERS = DTYPES + ["py_int", "py_float", "py_bool", "0d_float64", "0d_int64"]
OPS = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": operator.pow,
    "lt": operator.lt,
    "eq": operator.eq,
    "radd": lambda a, b: b + a,
    "rsub": lambda a, b: b - a,
    "rtruediv": lambda a, b: b / a,
    "rpow": lambda a, b: b**a,
}
KNOWN: set[tuple] = set()  # cases left alone, none today


def _operand(m, kind, values):
    if kind == "py_int":
        return 2
    if kind == "py_float":
        return 2.5
    if kind == "py_bool":
        return True
    if kind == "0d_float64":
        return m.tensor(2.5, dtype=m.float64)
    if kind == "0d_int64":
        return m.tensor(2, dtype=m.int64)
    return m.tensor([True, False] if kind == "bool" else values, dtype=getattr(m, kind))


def _outcome(m, op, a_kind, b_kind):
    a, b = _operand(m, a_kind, [3, 2]), _operand(m, b_kind, [2, 1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = OPS[op](a, b)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e))
    values = ["nan" if isinstance(v, float) and math.isnan(v) else v for v in r.tolist()]
    return ("ok", str(r.dtype).split(".")[-1], values)


def _close(got: list, want: list, rel: float, abs: float = 0.0) -> None:  # noqa: A002
    """Values as close as ``rel``/``abs`` allow, NaN (written "nan") where NaN is."""
    np.testing.assert_allclose(
        np.array([float(v) for v in got]),
        np.array([float(v) for v in want]),
        rtol=rel,
        atol=abs,
        equal_nan=True,
    )


CASES = [
    pytest.param(op, a, b, id=f"{op}-{a}-{b}")
    for op, a, b in itertools.product(OPS, DTYPES, OTHERS)
    if (op, a, b) not in KNOWN
]


@pytest.mark.parametrize("op, a_kind, b_kind", CASES)
def test_result_dtype_and_values_as_torch(op, a_kind, b_kind):
    got, want = _outcome(gs, op, a_kind, b_kind), _outcome(torch, op, a_kind, b_kind)
    if want[0] == "ok" and got[0] == "ok" and want[1] == "float16":
        # half arithmetic: torch rounds through float, NumPy in half; compare loosely
        assert got[1] == "float16"
        _close(got[2], want[2], rel=1e-3)
        return
    assert got == want


UNARY = {
    "exp": lambda m, t: t.exp(),
    "log": lambda m, t: t.log(),
    "sqrt": lambda m, t: t.sqrt(),
    "sin": lambda m, t: t.sin(),
    "tanh": lambda m, t: t.tanh(),
    "sigmoid": lambda m, t: t.sigmoid(),
    "relu": lambda m, t: t.relu(),
    "abs": lambda m, t: t.abs(),
    "neg": lambda m, t: -t,
    "sum": lambda m, t: t.sum(),
    "sum_dim_keepdim": lambda m, t: t.sum(1, keepdim=True),
    "sum_dims": lambda m, t: t.sum((0, 1)),
    "mean": lambda m, t: t.mean(),
    "mean_dim": lambda m, t: t.mean(-1),
    "max": lambda m, t: t.max(),
    "max_dim": lambda m, t: t.max(0)[0],
    "argmax_dim": lambda m, t: t.max(0)[1],
    "min_dim": lambda m, t: t.min(1)[0],
    "softmax": lambda m, t: t.softmax(1),
    "log_softmax": lambda m, t: t.log_softmax(0),
    "clamp_ints": lambda m, t: t.clamp(0, 1),
    "clamp_floats": lambda m, t: t.clamp(0.5, 1.5),
    "square": lambda m, t: t**2,
    "root": lambda m, t: t**0.5,
    "two_to_the": lambda m, t: 2**t,
    "where_zero": lambda m, t: m.where(t > 0, t, 0),
    "matmul": lambda m, t: t @ t.T,
}
UNARY_KNOWN: set[tuple] = set()  # cases left alone, none today


def _unary_outcome(m, op, dtype):
    t = m.tensor([[1, 0, 2], [3, 1, 0]], dtype=getattr(m, dtype))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = UNARY[op](m, t)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e))
    values = r.flatten().tolist()
    values = ["nan" if isinstance(v, float) and math.isnan(v) else v for v in values]
    return ("ok", str(r.dtype).split(".")[-1], tuple(r.shape), values)


@pytest.mark.parametrize(
    "op, dtype",
    [(op, d) for op in UNARY for d in DTYPES if (op, d) not in UNARY_KNOWN],
    ids=lambda v: v,
)
def test_unary_ops_and_reductions_as_torch(op, dtype):
    got, want = _unary_outcome(gs, op, dtype), _unary_outcome(torch, op, dtype)
    if want[0] == "ok" and got[0] == "ok" and want[1] in ("float16", "float32", "float64"):
        assert got[:3] == want[:3]
        rel = 1e-2 if want[1] == "float16" else 1e-5  # half: NumPy rounds in half, torch in float
        _close(got[3], want[3], rel=rel, abs=1e-6)
        return
    assert got == want


# Operands whose values do not fit the result type: torch casts each operand to it first
# (wrapping an integer, rounding a float), then computes; NumPy would compute in a wider
# type and cast the result, which differs for an ordering, a comparison or a remainder.
_UNFIT = {
    "0d_int32_neg": lambda m: m.tensor(-1, dtype=m.int32),
    "0d_int64_big": lambda m: m.tensor(300),
    "0d_float32_tenth": lambda m: m.tensor(0.1, dtype=m.float32),
    "py_int_neg": lambda m: -1,
}
_UNFIT_OPS = {
    "maximum": lambda m, a, b: m.maximum(a, b) if type(b) is not int else m.clamp(a, min=b),
    "minimum": lambda m, a, b: m.minimum(a, b) if type(b) is not int else m.clamp(a, max=b),
    "fmax": lambda m, a, b: m.fmax(a, b) if type(b) is not int else a,
    "lt": lambda m, a, b: a < b,
    "eq": lambda m, a, b: a == b,
    "remainder": lambda m, a, b: a % b,
    "rpow": lambda m, a, b: b**a,
    "clamp_by_tensor": lambda m, a, b: m.clamp(a, min=b, max=b + 50) if type(b) is not int else a,
    "clamp_min_by_tensor": lambda m, a, b: a.clamp_min(b) if type(b) is not int else a,
}


def _unfit_outcome(m, op, dtype, other):
    values = [0.1, 1.5, 3.0] if dtype.startswith("float") else [1, 5, 100]
    a = m.tensor(values, dtype=getattr(m, dtype))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = _UNFIT_OPS[op](m, a, _UNFIT[other](m))
    except (RuntimeError, TypeError, NotImplementedError, ZeroDivisionError) as e:
        return (type(e).__name__, str(e))
    values = ["nan" if isinstance(v, float) and math.isnan(v) else v for v in r.tolist()]
    return ("ok", str(r.dtype).split(".")[-1], values)


@pytest.mark.parametrize("other", _UNFIT)
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "float16"])
@pytest.mark.parametrize("op", _UNFIT_OPS)
def test_operands_cast_to_the_result_type_first(op, dtype, other):
    got, want = _unfit_outcome(gs, op, dtype, other), _unfit_outcome(torch, op, dtype, other)
    if want[0] == "ok" and got[0] == "ok" and want[1] == "float16" and op not in ("lt", "eq"):
        assert got[1] == "float16"
        _close(got[2], want[2], rel=1e-3)
        return
    assert got == want


def _invert_outcome(m, dtype):
    try:
        ~m.tensor([1.5], dtype=getattr(m, dtype))
    except TypeError as e:
        return str(e)
    return "no error"


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_invert_refuses_a_floating_tensor(dtype):
    assert _invert_outcome(gs, dtype) == _invert_outcome(torch, dtype)


def _outcome_of(m, fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(m)
    except (RuntimeError, TypeError, NotImplementedError) as e:
        return (type(e).__name__, str(e))
    return ("ok", str(r.dtype).split(".")[-1], r.tolist())


_LERP_DTYPES = ["float32", "float16", "int8", "uint8", "int64"]


@pytest.mark.parametrize("weight", [None, "float32", "float16"])
@pytest.mark.parametrize("end", _LERP_DTYPES)
@pytest.mark.parametrize("start", _LERP_DTYPES)
def test_lerp_dtypes_refused_in_torchs_order(start, end, weight):
    def case(m):
        w = 0.5 if weight is None else m.ones(2, dtype=getattr(m, weight))
        return m.lerp(m.ones(2, dtype=getattr(m, start)), m.ones(2, dtype=getattr(m, end)), w)

    assert _outcome_of(gs, case) == _outcome_of(torch, case)


_SHIFTS_AND_REFLECTED = {
    "lshift": lambda m: m.tensor([1, 2, 3]) << m.tensor([1, 1, 2]),
    "rshift_number": lambda m: m.tensor([8, 9, 10]) >> 1,
    "rlshift": lambda m: 1 << m.tensor([1, 2, 3]),
    "rrshift": lambda m: 16 >> m.tensor([1, 2, 3]),
    "rlshift_uint8": lambda m: 1 << m.tensor([1, 2, 3], dtype=m.uint8),
    "ilshift": lambda m: _in_place(m.tensor([1, 2, 3]), "__ilshift__", 2),
    "irshift": lambda m: _in_place(m.tensor([8, 9, 10]), "__irshift__", m.tensor([1, 2, 3])),
    "lshift_float": lambda m: m.tensor([1.5]) << 1,
    "rshift_float_tensor": lambda m: m.tensor([1.5]) >> m.tensor([1]),
    "lshift_bools": lambda m: m.tensor([True]) << m.tensor([True]),
    "lshift_bool_by_number": lambda m: m.tensor([True, False]) << 1,
    "rshift_negative_count": lambda m: m.tensor([-8, 8], dtype=m.int8) >> m.tensor([-1, -1]),
    "rshift_past_width": lambda m: m.tensor([-8, 8], dtype=m.int16) >> m.tensor([20, 20]),
    "lshift_negative_count": lambda m: m.tensor([-8, 8]) << m.tensor([-1, 70]),
    "rand": lambda m: 1 & m.tensor([1, 2, 3]),
    "ror": lambda m: 1 | m.tensor([1, 2, 3]),
    "addcmul_int8_into_float": lambda m: m.addcmul(
        m.zeros(3), m.tensor([12, -12, 9], dtype=m.int8), m.tensor([12, 12, 9], dtype=m.int8)
    ),
    "addcmul_bools": lambda m: m.addcmul(m.tensor([True]), m.tensor([True]), m.tensor([False])),
    "addcmul_bools_into_int8": lambda m: m.addcmul(
        m.tensor([1], dtype=m.int8), m.tensor([True]), m.tensor([True]), value=3
    ),
    "addcdiv_int8_into_float": lambda m: m.addcdiv(
        m.zeros(3), m.tensor([100, -100, 9], dtype=m.int8), m.ones(3), value=3
    ),
}


def _in_place(t, name, other):
    return getattr(t, name)(other)


@pytest.mark.parametrize("case", _SHIFTS_AND_REFLECTED)
def test_shifts_and_reflected_bitwise_ops(case):
    fn = _SHIFTS_AND_REFLECTED[case]
    assert _outcome_of(gs, fn) == _outcome_of(torch, fn)


# complex and floating: torch's complex type has the wider precision of the two (a
# dimensioned floating tensor keeps its own over a 0-dim complex one); complex32, which
# NumPy lacks, is left out
_COMPLEX_PAIRS = ["float32", "float64", "int64", "bool", "complex64", "complex128"]


@pytest.mark.parametrize("b_dim", [0, 1])
@pytest.mark.parametrize("a_dim", [0, 1])
@pytest.mark.parametrize("b", _COMPLEX_PAIRS)
@pytest.mark.parametrize("a", _COMPLEX_PAIRS)
def test_complex_and_floating_promote_as_torch(a, b, a_dim, b_dim):
    def case(m):
        x = m.ones((2,) * a_dim, dtype=getattr(m, a))
        return x + m.ones((2,) * b_dim, dtype=getattr(m, b))

    assert repr(_outcome_of(gs, case)) == repr(_outcome_of(torch, case))


@pytest.mark.parametrize("a", ["float32", "float64", "int64", "complex64"])
@pytest.mark.parametrize("number", [1j, 2.5, 3])
def test_a_python_number_promotes_as_torch(a, number):
    def case(m):
        return m.ones(2, dtype=getattr(m, a)) * number

    assert repr(_outcome_of(gs, case)) == repr(_outcome_of(torch, case))
    expected = torch.promote_types(getattr(torch, a), torch.complex64)
    assert str(gs.promote_types(getattr(gs, a), gs.complex64)) == f"gradscope.{str(expected)[6:]}"


# ``alpha`` of add/sub/rsub and their in-place forms: checked against the operands' common
# dtype in torch's order, and applied in that dtype (into bools, any number is a bool)
_ALPHAS = [2, 100, 1000, -1, 0, 2**40, 1j, 1 + 0j, 2.5, True, False, 1.0]
_ALPHA_OTHERS = {
    "same": lambda m, dt: m.ones(2, dtype=dt),
    "py_float": lambda m, dt: 1.5,
    "py_complex": lambda m, dt: 2j,
    "py_int": lambda m, dt: 3,
    "py_bool": lambda m, dt: True,
    "float64": lambda m, dt: m.ones(2, dtype=m.float64),
    "int8": lambda m, dt: m.tensor([3, 5], dtype=m.int8),
    "unbroadcastable": lambda m, dt: m.ones(3),
}
_ALPHA_OPS = {
    "add": lambda m, a, b, v: m.add(a, b, alpha=v),
    "sub": lambda m, a, b, v: m.sub(a, b, alpha=v),
    "add_": lambda m, a, b, v: a.add_(b, alpha=v),
    "sub_": lambda m, a, b, v: a.sub_(b, alpha=v),
    "rsub": lambda m, a, b, v: m.rsub(a, b, alpha=v),
}


@pytest.mark.parametrize("op", _ALPHA_OPS)
@pytest.mark.parametrize("other", _ALPHA_OTHERS)
@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "float32", "complex64"])
def test_alpha_checked_and_applied_as_torch(dtype, other, op):
    for alpha in _ALPHAS:

        def case(m, alpha=alpha):
            dt = getattr(m, dtype)
            return _ALPHA_OPS[op](m, m.ones(2, dtype=dt), _ALPHA_OTHERS[other](m, dt), alpha)

        assert repr(_outcome_of(gs, case)) == repr(_outcome_of(torch, case)), f"alpha={alpha!r}"


@pytest.mark.parametrize("op", ["add", "sub", "rsub"])
def test_a_complex_alpha_conjugates_the_gradient(op):
    def grads(m):
        a = m.tensor([1 - 1j], requires_grad=True)
        b = m.tensor([1 + 2j], requires_grad=True)
        getattr(m, op)(a, b, alpha=2 - 1j).real.sum().backward()
        return a.grad.tolist(), b.grad.tolist()

    assert grads(gs) == grads(torch)


# a complex number written into a real tensor: its real part, unless it has an
# imaginary part (then torch's overflow error, or index_fill's and clamp's own)
_COMPLEX_FILLS = {
    "fill_": lambda m, dt, v: m.zeros(2, dtype=dt).fill_(v),
    "full": lambda m, dt, v: m.full((2,), v, dtype=dt),
    "masked_fill": lambda m, dt, v: m.zeros(2, dtype=dt).masked_fill(m.tensor([True, False]), v),
    "index_fill": lambda m, dt, v: m.zeros(2, dtype=dt).index_fill(0, m.tensor([1]), v),
    "clamp": lambda m, dt, v: m.zeros(2, dtype=dt).clamp(0, v),
    "clamp_min_": lambda m, dt, v: m.zeros(2, dtype=dt).clamp_(min=v),
}


@pytest.mark.parametrize("op", _COMPLEX_FILLS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "uint8", "bool"])
def test_complex_numbers_into_real_tensors_as_torch(dtype, op):
    nan = float("nan")
    for value in (1j, 1 + 0j, 2.5 + 0j, complex(nan, 0), 300 + 0j, complex(0, nan)):

        def case(m, value=value):
            return _COMPLEX_FILLS[op](m, getattr(m, dtype), value)

        assert repr(_outcome_of(gs, case)) == repr(_outcome_of(torch, case)), f"value={value!r}"
