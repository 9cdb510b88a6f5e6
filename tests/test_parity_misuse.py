"""gradscope against torch when it is misused: hooks that return something else than the
gradient, the autograd API given the wrong things, Python objects as operands or data,
and creation functions given arguments torch refuses.

Each case runs once under torch and once under gradscope with the same code (``m`` is the
module). An error case must raise torch's exception type with torch's message (gradscope
names itself where torch does: ``gradscope.tensor``); a value case must give the same
result.
"""

from __future__ import annotations

import decimal
import fractions
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, leaf_hook, nonleaf_hook, norm, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


# --------------------------------------------------------------------------- helpers


def _plain(r):
    """A comparable summary: tensors as (dtype, shape, requires_grad, values)."""
    if isinstance(r, (gs.Tensor, torch.Tensor)):
        values = np.asarray(r.detach()) if isinstance(r, gs.Tensor) else r.detach().numpy()
        dtype = str(r.dtype).rsplit(".", 1)[-1]
        return ("T", dtype, tuple(r.shape), r.requires_grad, values.tolist())
    if isinstance(r, (tuple, list)):
        return tuple(_plain(x) for x in r)
    return r


def check_value(fn) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _plain(fn(gs)) == _plain(fn(torch))


def L(m):  # noqa: N802 - short, for the tables
    """A leaf that requires grad: [1, 2, 3]."""
    return m.tensor([1.0, 2.0, 3.0], requires_grad=True)


def post_hook(m, hook, two_inputs: bool = False):
    """A hook on ``x * w``'s node (``x * 2``'s: its second input has no gradient)."""
    x = L(m)
    w = L(m) if two_inputs else None
    y = x * (w if two_inputs else 2)
    y.grad_fn.register_hook(hook)
    y.sum().backward()
    return (x.grad, w.grad) if two_inputs else x.grad


def pre_hook(m, hook):
    x = L(m)
    y = x * 2
    y.grad_fn.register_prehook(hook)
    y.sum().backward()
    return x.grad


def accumulate_hook(m, hook, pre: bool = False):
    x = L(m)
    y = x * 2
    acc = y.grad_fn.next_functions[0][0]
    (acc.register_prehook if pre else acc.register_hook)(hook)
    y.sum().backward()
    return x.grad


def named_hook(m):
    def scale(g):
        return m.ones(2)

    return scale


class CallableHook:
    """A hook without a ``__name__``: torch calls it ``<unknown>``."""

    def __init__(self, m) -> None:
        self.m = m

    def __call__(self, g):
        return self.m.ones(2)


# --------------------------------------------------------------------------- hooks

HOOK_ERRORS = {
    "leaf_size": lambda m: leaf_hook(m, lambda g: m.ones(2)),
    "leaf_size_named": lambda m: leaf_hook(m, named_hook(m)),
    "leaf_size_callable_object": lambda m: leaf_hook(m, CallableHook(m)),
    "nonleaf_size": lambda m: nonleaf_hook(m, lambda g: m.ones(1)),
    "nonleaf_size_same_numel": lambda m: nonleaf_hook(m, lambda g: m.ones(3, 1)),
    "leaf_dtype": lambda m: leaf_hook(m, lambda g: g.double()),
    "leaf_dtype_int": lambda m: leaf_hook(m, lambda g: g.long()),
    "nonleaf_dtype": lambda m: nonleaf_hook(m, lambda g: g.double()),
    "leaf_returns_float": lambda m: leaf_hook(m, lambda g: 3.0),
    "nonleaf_returns_float": lambda m: nonleaf_hook(m, lambda g: 3.0),
    "leaf_returns_tuple": lambda m: leaf_hook(m, lambda g: (g,)),
    "leaf_returns_ndarray": lambda m: leaf_hook(m, lambda g: np.ones(3, np.float32)),
    "second_hook_of_two": lambda m: leaf_hook(m, lambda g: m.ones(2) if g.shape[0] == 3 else None),
    "grad_with_leaf_hook": lambda m: (
        lambda x: (x.register_hook(lambda g: m.ones(2)), m.autograd.grad((x * x).sum(), x))
    )(L(m)),
    "retained_nonleaf_dtype": lambda m: (
        lambda x: (
            lambda y: (
                y.retain_grad(),
                y.register_hook(lambda g: g.double()),
                (y * y).sum().backward(),
            )
        )(x * 2)
    )(L(m)),
    "posthook_too_few": lambda m: post_hook(m, lambda gi, go: (m.ones(1),)),
    "posthook_too_many": lambda m: post_hook(m, lambda gi, go: (m.ones(3),) * 3),
    "posthook_size": lambda m: post_hook(m, lambda gi, go: (m.ones(1), None)),
    "posthook_dtype": lambda m: post_hook(m, lambda gi, go: (gi[0].double(), None)),
    "posthook_float": lambda m: post_hook(m, lambda gi, go: (3.0, None)),
    "posthook_list": lambda m: post_hook(m, lambda gi, go: [gi[0], None]),
    "posthook_tensor": lambda m: post_hook(m, lambda gi, go: m.ones(3)),
    "posthook_replaces_none": lambda m: post_hook(m, lambda gi, go: (m.ones(3), m.ones(3))),
    "posthook_second_input_size": lambda m: post_hook(
        m, lambda gi, go: (gi[0], m.ones(1)), two_inputs=True
    ),
    "posthook_second_input_int": lambda m: post_hook(m, lambda gi, go: (gi[0], 3), two_inputs=True),
    "prehook_count": lambda m: pre_hook(m, lambda go: (m.ones(3), m.ones(3))),
    "prehook_size": lambda m: pre_hook(m, lambda go: (m.ones(1),)),
    "prehook_dtype_and_size": lambda m: pre_hook(m, lambda go: (m.ones(2, dtype=m.float64),)),
    "prehook_float_in_tuple": lambda m: pre_hook(m, lambda go: (3.0,)),
    "prehook_list": lambda m: pre_hook(m, lambda go: [go[0]]),
    "prehook_tensor": lambda m: pre_hook(m, lambda go: go[0]),
    "accumulate_prehook_size": lambda m: accumulate_hook(m, lambda go: (m.ones(1),), pre=True),
    "accumulate_posthook_returns_values": lambda m: accumulate_hook(m, lambda gi, go: (m.ones(1),)),
}

HOOK_VALUES = {
    "leaf_same_gradient": lambda m: leaf_hook(m, lambda g: g),
    "leaf_new_gradient": lambda m: leaf_hook(m, lambda g: m.ones(3)),
    "leaf_gradient_that_requires_grad": lambda m: leaf_hook(m, lambda g: g.requires_grad_()),
    "leaf_noncontiguous_gradient": lambda m: leaf_hook(m, lambda g: m.ones(3, 2)[:, 0]),
    "nonleaf_none": lambda m: nonleaf_hook(m, lambda g: None),
    "posthook_replaces": lambda m: post_hook(m, lambda gi, go: (gi[0] * 5, None)),
    "posthook_drops_all": lambda m: post_hook(m, lambda gi, go: (None, None)),
    "posthook_two_inputs": lambda m: post_hook(
        m, lambda gi, go: (gi[0] * 2, None), two_inputs=True
    ),
    "prehook_replaces": lambda m: pre_hook(m, lambda go: (go[0] * 3,)),
    "prehook_drops": lambda m: pre_hook(m, lambda go: (None,)),
    "accumulate_prehook_drops": lambda m: accumulate_hook(m, lambda go: (None,), pre=True),
    "accumulate_posthook_returns_empty": lambda m: accumulate_hook(m, lambda gi, go: ()),
}


@pytest.mark.parametrize("fn", params(HOOK_ERRORS))
def test_hook_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(HOOK_VALUES))
def test_hook_value(fn):
    check_value(fn)


# --------------------------------------------------------------------------- autograd API


def _setattr_requires_grad(t, value):
    t.requires_grad = value
    return t.requires_grad


API_ERRORS = {
    "backward_fewer_gradients": lambda m: m.autograd.backward(
        [L(m).sum(), L(m).sum()], [m.tensor(1.0)]
    ),
    "backward_no_gradients": lambda m: m.autograd.backward(L(m).sum(), []),
    "backward_gradient_list_of_floats": lambda m: (L(m) * 2).backward([1.0, 1.0, 1.0]),
    "backward_gradient_float": lambda m: L(m).sum().backward(2.0),
    "backward_gradient_int": lambda m: L(m).sum().backward(2),
    "backward_gradient_str": lambda m: L(m).sum().backward("a"),
    "backward_gradient_0d_array": lambda m: L(m).sum().backward(np.array(2.0)),
    "autograd_backward_gradient_float": lambda m: m.autograd.backward(L(m).sum(), 2.0),
    "autograd_backward_gradients_float": lambda m: m.autograd.backward(L(m).sum(), [2.0]),
    "backward_tensors_float": lambda m: m.autograd.backward(1.0),
    "backward_inputs_empty": lambda m: L(m).sum().backward(inputs=[]),
    "backward_inputs_float": lambda m: L(m).sum().backward(inputs=[1.0]),
    "backward_inputs_not_requiring_grad": lambda m: L(m).sum().backward(inputs=[m.ones(3)]),
    "grad_inputs_empty_list": lambda m: m.autograd.grad(L(m).sum(), []),
    "grad_inputs_empty_tuple": lambda m: m.autograd.grad(L(m).sum(), ()),
    "grad_inputs_float": lambda m: m.autograd.grad(L(m).sum(), [1.0]),
    "grad_inputs_none": lambda m: m.autograd.grad(L(m).sum(), [None]),
    "grad_inputs_bare_float": lambda m: m.autograd.grad(L(m).sum(), 1.0),
    "grad_outputs_float": lambda m: (lambda x: m.autograd.grad(x.sum(), [x], [2.0]))(L(m)),
    "grad_outputs_bare_float": lambda m: (lambda x: m.autograd.grad(x.sum(), [x], 2.0))(L(m)),
    "grad_fewer_grad_outputs": lambda m: (
        lambda x: m.autograd.grad([x.sum(), x.sum()], [x], [m.tensor(1.0)])
    )(L(m)),
    "requires_grad_set_1": lambda m: _setattr_requires_grad(m.ones(2), 1),
    "requires_grad_set_0": lambda m: _setattr_requires_grad(m.ones(2), 0),
    "requires_grad_set_none": lambda m: _setattr_requires_grad(m.ones(2), None),
    "requires_grad_set_numpy_bool": lambda m: _setattr_requires_grad(m.ones(2), np.True_),
    "requires_grad_set_1_nonleaf": lambda m: _setattr_requires_grad(L(m) * 2, 1),
    "requires_grad__1": lambda m: m.ones(2).requires_grad_(1),
    "requires_grad__none": lambda m: m.ones(2).requires_grad_(None),
}

API_VALUES = {
    "backward_extra_gradients_ignored": lambda m: (
        lambda x: (m.autograd.backward([x.sum()], [m.tensor(1.0), m.tensor(5.0)]), x.grad)
    )(L(m)),
    "backward_gradient_tuple": lambda m: (lambda x: ((x * 2).backward((m.ones(3),)), x.grad))(L(m)),
    "backward_gradients_none": lambda m: (lambda x: (m.autograd.backward(x.sum(), [None]), x.grad))(
        L(m)
    ),
    "grad_extra_grad_outputs_ignored": lambda m: (
        lambda x: m.autograd.grad(x.sum(), [x], [m.tensor(1.0), m.tensor(1.0)])
    )(L(m)),
    "requires_grad_set_bools": lambda m: (
        _setattr_requires_grad(m.ones(2), True),
        _setattr_requires_grad(m.ones(2), False),
    ),
}


@pytest.mark.parametrize("fn", params(API_ERRORS))
def test_autograd_api_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(API_VALUES))
def test_autograd_api_value(fn):
    check_value(fn)


# --------------------------------------------------------------------------- Python objects


def _iadd(t, v):
    t += v
    return t


def _isub(t, v):
    t -= v
    return t


OTHERS = {
    "none": None,
    "str": "a",
    "list": [1.0, 2.0],
    "tuple": (1.0, 2.0),
    "object": object(),
    "dict": {},
    "fraction": fractions.Fraction(1, 2),
    "decimal": decimal.Decimal(1),
}

OPERATOR_ERRORS = {}
for _name, _v in OTHERS.items():
    OPERATOR_ERRORS.update(
        {
            f"add_{_name}": lambda m, v=_v: m.ones(2) + v,
            f"radd_{_name}": lambda m, v=_v: v + m.ones(2),
            f"sub_{_name}": lambda m, v=_v: m.ones(2) - v,
            f"rsub_{_name}": lambda m, v=_v: v - m.ones(2),
            f"mul_{_name}": lambda m, v=_v: m.ones(2) * v,
            f"truediv_{_name}": lambda m, v=_v: m.ones(2) / v,
            f"rtruediv_{_name}": lambda m, v=_v: v / m.ones(2),
            f"matmul_{_name}": lambda m, v=_v: m.ones(2) @ v,
            f"rmatmul_{_name}": lambda m, v=_v: v @ m.ones(2),
            f"lt_{_name}": lambda m, v=_v: m.ones(2) < v,
            f"ge_{_name}": lambda m, v=_v: m.ones(2) >= v,
            f"iadd_{_name}": lambda m, v=_v: _iadd(m.ones(2), v),
        }
    )
    if _name != "fraction":  # torch takes a Fraction on either side of **
        OPERATOR_ERRORS[f"pow_{_name}"] = lambda m, v=_v: m.ones(2) ** v
        OPERATOR_ERRORS[f"rpow_{_name}"] = lambda m, v=_v: v ** m.ones(2)
OPERATOR_ERRORS.update(
    {
        "matmul_float": lambda m: m.ones(2) @ 2.0,
        "rmatmul_float": lambda m: 2.0 @ m.ones(2),
        "matmul_bool": lambda m: m.ones(2) @ True,
        "isub_none": lambda m: _isub(m.ones(2), None),
        "add_requires_grad_none": lambda m: L(m) + None,
    }
)


OPERATOR_VALUES = {
    **{f"eq_{name}": (lambda m, v=v: m.ones(2) == v) for name, v in OTHERS.items()},
    **{f"ne_{name}": (lambda m, v=v: m.ones(2) != v) for name, v in OTHERS.items()},
    **{f"req_{name}": (lambda m, v=v: v == m.ones(2)) for name, v in OTHERS.items()},
    "none_in_list_of_tensors": lambda m: None in [m.ones(2), m.zeros(2)],
    "list_times_int_0d": lambda m: [1, 2] * m.tensor(2),
    "eq_tensor": lambda m: m.ones(2) == m.tensor([1.0, 0.0]),
    "eq_number": lambda m: m.ones(2) == 1,
    "eq_bool": lambda m: m.ones(2) == True,  # noqa: E712 - the comparison under test
    "add_number": lambda m: m.ones(2) + 1.5,
    "add_numpy_scalar": lambda m: m.ones(2) + np.float64(2.0),
    "add_numpy_array": lambda m: m.ones(2) + np.ones(2),
    "eq_numpy_array": lambda m: m.ones(2) == np.ones(2),
    "rsub_int": lambda m: 3 - m.ones(2),
    "rtruediv_int": lambda m: 3 / m.ones(2),
    "rpow_float": lambda m: 2.0 ** m.ones(2),
    "rpow_fraction": lambda m: fractions.Fraction(1, 2) ** m.ones(2),
    "iadd_number": lambda m: _iadd(m.ones(2), 2),
    "matmul_tensor": lambda m: m.ones(2) @ m.ones(2),
}


@pytest.mark.parametrize("fn", params(OPERATOR_ERRORS))
def test_operator_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(OPERATOR_VALUES))
def test_operator_value(fn):
    check_value(fn)


DATA_ERRORS = {
    "none": lambda m: m.tensor(None),
    "none_in_list": lambda m: m.tensor([1.0, None]),
    "none_first_in_list": lambda m: m.tensor([None, 1.0]),
    "none_nested": lambda m: m.tensor([[1.0], [None]]),
    "object": lambda m: m.tensor(object()),
    "dict": lambda m: m.tensor({}),
    "set": lambda m: m.tensor({1, 2}),
    "str": lambda m: m.tensor("a"),
    "bytes": lambda m: m.tensor(b"ab"),
    "str_in_list": lambda m: m.tensor(["a"]),
    "str_nested": lambda m: m.tensor([["a"]]),
    "str_after_number": lambda m: m.tensor([1, "a"]),
    "str_in_second_row": lambda m: m.tensor([[1], ["a"]]),
    "bytes_in_list": lambda m: m.tensor([b"a"]),
    "none_with_float_dtype": lambda m: m.tensor(None, dtype=m.float32),
    "none_with_float64_dtype": lambda m: m.tensor(None, dtype=m.float64),
    "none_with_int_dtype": lambda m: m.tensor(None, dtype=m.int64),
    "none_with_bool_dtype": lambda m: m.tensor(None, dtype=m.bool),
    "str_with_dtype": lambda m: m.tensor("1", dtype=m.float32),
}

DATA_VALUES = {
    "empty_nested": lambda m: m.tensor([[]]),
    "empty_nested_twice": lambda m: m.tensor([[], []]),
    "empty_nested_deep": lambda m: m.tensor([[[]]]),
    "empty_nested_tuple": lambda m: m.tensor(([],)),
    "empty_tuples": lambda m: m.tensor([(), ()]),
    "empty_nested_int64": lambda m: m.tensor([[]], dtype=m.int64),
    "empty": lambda m: m.tensor([]),
    "bools": lambda m: m.tensor([[True], [False]]),
    "bool_and_int": lambda m: m.tensor([True, 2]),
    "ints_and_floats": lambda m: m.tensor([[1, 2], [3.0, 4]]),
    "numpy_scalars": lambda m: m.tensor([np.float32(1.0), np.bool_(True)]),
    "tensors": lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
}


@pytest.mark.parametrize("fn", params(DATA_ERRORS))
def test_data_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(DATA_VALUES))
def test_data_value(fn):
    check_value(fn)


def _warnings_of(fn, m) -> list[str]:
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        fn(m)
    return [f"{w.category.__name__}: {norm(str(w.message))}" for w in rec]


WARNINGS = {
    "tensor_of_tensor": lambda m: m.tensor(m.ones(2)),
    "tensor_of_rg_tensor": lambda m: m.tensor(L(m)),
    "tensor_of_tensor_with_dtype": lambda m: m.tensor(m.ones(2), dtype=m.float64),
    "tensor_of_0d_tensor": lambda m: m.tensor(m.tensor(1.0)),
    "tensor_of_tensors_in_list": lambda m: m.tensor([m.tensor(1.0), m.tensor(2.0)]),
    "as_tensor_of_tensor_with_dtype": lambda m: m.as_tensor(m.ones(2), dtype=m.float64),
    "as_tensor_of_tensor": lambda m: m.as_tensor(m.ones(2)),
    "tensor_of_array": lambda m: m.tensor(np.ones(2)),
}


@pytest.mark.parametrize("fn", params(WARNINGS))
def test_warns_as_torch(fn):
    assert _warnings_of(fn, gs) == _warnings_of(fn, torch)


def test_copy_construct_warning_points_at_the_callers_line():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gs.tensor(gs.ones(2))
    (w,) = rec
    assert w.filename == __file__


# --------------------------------------------------------------------------- conversions


CONVERSION_ERRORS = {
    "float_of_two": lambda m: float(m.ones(2)),
    "int_of_two": lambda m: int(m.ones(2)),
    "float_of_empty": lambda m: float(m.ones(0)),
    "int_of_empty": lambda m: int(m.ones(0)),
    "bool_of_empty": lambda m: bool(m.ones(0)),
    "bool_of_empty_2d": lambda m: bool(m.ones(1, 0)),
    "bool_of_two": lambda m: bool(m.ones(2)),
    "item_of_two": lambda m: m.ones(2).item(),
}

CONVERSION_VALUES = {
    "float_of_one": lambda m: float(m.tensor([2.5])),
    "int_of_0d": lambda m: int(m.tensor(3.7)),
    "int_of_negative": lambda m: int(m.tensor(-3.7)),
    "bool_of_zero": lambda m: bool(m.tensor([0.0])),
    "bool_of_1x1": lambda m: bool(m.ones(1, 1)),
    "float_of_int": lambda m: float(m.tensor(3)),
}


@pytest.mark.parametrize("fn", params(CONVERSION_ERRORS))
def test_conversion_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(CONVERSION_VALUES))
def test_conversion_value(fn):
    check_value(fn)


# --------------------------------------------------------------------------- creation


CREATION_ERRORS = {
    "ones_dtype_str": lambda m: m.ones(2, dtype="float32"),
    "zeros_dtype_str": lambda m: m.zeros(2, 3, dtype="float32"),
    "zeros_size_kwarg_dtype_str": lambda m: m.zeros(size=(2,), dtype="float32"),
    "empty_dtype_str": lambda m: m.empty(2, dtype="float32"),
    "full_dtype_str": lambda m: m.full((2,), 1.0, dtype="float32"),
    "tensor_dtype_str": lambda m: m.tensor([1.0], dtype="float32"),
    "as_tensor_dtype_str": lambda m: m.as_tensor([1.0], dtype="float32"),
    "zeros_like_dtype_str": lambda m: m.zeros_like(m.ones(1), dtype="float32"),
    "ones_like_dtype_str": lambda m: m.ones_like(m.ones(1), dtype="float32"),
    "full_like_dtype_str": lambda m: m.full_like(m.ones(1), 2.0, dtype="float32"),
    "ones_dtype_numpy_type": lambda m: m.ones(2, dtype=np.float32),
    "ones_dtype_numpy_dtype": lambda m: m.ones(2, dtype=np.dtype("float32")),
    "tensor_dtype_numpy_type": lambda m: m.tensor([1.0], dtype=np.float64),
    "randint_requires_grad": lambda m: m.randint(0, 3, (2,), requires_grad=True),
    "randint_high_size_requires_grad": lambda m: m.randint(3, (2,), requires_grad=True),
    "randint_empty_requires_grad": lambda m: m.randint(0, 3, (0,), requires_grad=True),
    "randn_int64": lambda m: m.randn(2, dtype=m.int64),
    "randn_int32": lambda m: m.randn(2, dtype=m.int32),
    "randn_bool": lambda m: m.randn(2, dtype=m.bool),
    "randn_uint8": lambda m: m.randn(2, dtype=m.uint8),
    "randn_int64_requires_grad": lambda m: m.randn(2, dtype=m.int64, requires_grad=True),
    "randn_like_int": lambda m: m.randn_like(m.arange(2)),
    "rand_int64": lambda m: m.rand(2, dtype=m.int64),
    "rand_bool": lambda m: m.rand(2, dtype=m.bool),
    "rand_empty_int64": lambda m: m.rand(0, dtype=m.int64),
    "rand_like_int": lambda m: m.rand_like(m.arange(2)),
    "arange_negative_step_up": lambda m: m.arange(0, 5, -1),
    "arange_down_default_step": lambda m: m.arange(5, 0),
    "arange_down_positive_step": lambda m: m.arange(5, 0, 1),
    "arange_negative_end": lambda m: m.arange(-1),
    "arange_float_negative_step_up": lambda m: m.arange(0.0, 5.0, -1.0),
    "arange_float_dtype_down": lambda m: m.arange(5, 0, 1, dtype=m.float32),
    "arange_step_zero": lambda m: m.arange(0, 5, 0),
}


def _meta(t):
    """A random tensor's dtype, shape and requires_grad (not its values)."""
    return (str(t.dtype).rsplit(".", 1)[-1], tuple(t.shape), t.requires_grad)


CREATION_VALUES = {
    "ones_dtype_python_int": lambda m: m.ones(2, dtype=int),
    "ones_dtype_python_bool": lambda m: m.ones(2, dtype=bool),
    "randint_float_requires_grad": lambda m: _meta(
        m.randint(0, 3, (2,), dtype=m.float32, requires_grad=True)
    ),
    "randint_requires_grad_false": lambda m: _meta(m.randint(0, 3, (2,), requires_grad=False)),
    "randn_empty_int64": lambda m: m.randn(0, dtype=m.int64),
    "randn_float16": lambda m: _meta(m.randn(2, dtype=m.float16)),
    "randn_float64": lambda m: _meta(m.randn(2, 3, dtype=m.float64)),
    "arange_down": lambda m: m.arange(5, 0, -1),
    "arange_empty_negative_step": lambda m: m.arange(0, 0, -1),
    "arange_empty": lambda m: m.arange(1, 1),
    "arange_empty_negative_step_at_start": lambda m: m.arange(1, 1, -1),
    "arange_float_down": lambda m: m.arange(1.0, 0.0, -0.25),
}


@pytest.mark.parametrize("fn", params(CREATION_ERRORS))
def test_creation_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(CREATION_VALUES))
def test_creation_value(fn):
    check_value(fn)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.autograd.backward([]),
        lambda m, x: m.autograd.grad([], x),
        lambda m, x: m.autograd.grad([], [x], allow_unused=True),
        lambda m, x: m.tensor(range(3)),
        lambda m, x: (m.ones(2) + 1j).dtype,
    ],
    ids=["backward_of_nothing", "grad_of_nothing", "grad_of_nothing_unused", "range", "complex"],
)
def test_nothing_to_differentiate_ranges_and_complex_numbers_as_torch(call):
    results = []
    for m in (torch, gs):
        x = m.ones(2, requires_grad=True)
        try:
            r = call(m, x)
        except RuntimeError as e:
            results.append(("RuntimeError", str(e)))
            continue
        if isinstance(r, (torch.Tensor, gs.Tensor)):
            r = (str(r.dtype).split(".")[-1], r.tolist())
        results.append(str(r).replace("torch.", "").replace("gradscope.", ""))
    assert results[0] == results[1]
