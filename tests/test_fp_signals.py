"""Overflow, division by zero and invalid values give inf and NaN without an exception,
as in torch, whatever NumPy's error state (``np.seterr(all="raise")``) or the warnings
filters (pytest's ``-W error``) say: the same values and gradients as by default.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs


def _leaf(values, dtype=None):
    return gs.tensor(values, dtype=dtype, requires_grad=True)


def _backward(fn, *values):
    """``fn``'s value and the gradients of its leaves after ``fn(...).sum().backward()``."""
    leaves = [_leaf(v) for v in values]
    out = fn(*leaves)
    out.sum().backward()
    return [out] + [t.grad for t in leaves]


def _twice(fn, *values):
    """Two backwards into the same leaves: ``.grad`` summed in place."""
    leaves = [_leaf(v) for v in values]
    fn(*leaves).sum().backward()
    fn(*leaves).sum().backward()
    return [t.grad for t in leaves]


def _second(fn, value):
    x = _leaf(value)
    (g,) = gs.autograd.grad(fn(x).sum(), x, create_graph=True)
    g.sum().backward()
    return [g, x.grad]


def _jvp(fn, value, tangent):
    return list(gs.func.jvp(fn, (gs.tensor(value),), (gs.tensor(tangent),)))


CASES = {
    "exp_overflow": lambda: _backward(lambda x: x.exp(), [100.0, 1.0]),
    "mul_overflow": lambda: _backward(lambda x: x * 1e38 * 10, [3.0, 1.0]),
    "div_by_zero": lambda: _backward(lambda a, b: a / b, [1.0, 0.0, -1.0], [0.0, 0.0, 0.0]),
    "log_of_zero_and_negative": lambda: _backward(lambda x: x.log(), [0.0, -1.0, 1.0]),
    "sqrt_at_zero_and_negative": lambda: _backward(lambda x: x.sqrt(), [0.0, -1.0, 4.0]),
    "pow_negative_exponent_at_zero": lambda: _backward(lambda x: x**-1.5, [0.0, 1.0]),
    "sum_overflow": lambda: _backward(lambda x: x.sum(), [3e38, 3e38]),
    "mean_of_empty": lambda: [gs.ones(0).mean(), gs.ones(0, 3).mean(0)],
    "sigmoid_tanh_extremes": lambda: _backward(lambda x: x.sigmoid() * x.tanh(), [-1e4, 1e4]),
    "softmax_of_inf": lambda: _backward(lambda x: x.softmax(0), [float("inf"), 1.0]),
    "log_softmax_of_inf": lambda: _backward(lambda x: x.log_softmax(0), [float("-inf"), 1.0]),
    "cross_entropy_huge_logits": lambda: _backward(
        lambda x: gs.nn.functional.cross_entropy(x, gs.tensor([1, 0])),
        [[1e30, -1e30], [float("inf"), 0.0]],
    ),
    "gradients_meeting_overflow": lambda: _backward(lambda x: x * 3e38 + x * 3e38, [1.0, 1.0]),
    "grad_accumulation_overflow": lambda: _twice(lambda x: x * 3e38, [1.0, 2.0]),
    "inplace_overflow": lambda: _backward(lambda x: (x * 1.0).mul_(1e38).mul_(1e3), [3.0, 1.0]),
    "second_order_exp": lambda: _second(lambda x: x.exp(), [100.0, 0.0]),
    "forward_mode_exp": lambda: _jvp(lambda x: x.exp(), [100.0, 0.0], [1.0, 1.0]),
    "forward_mode_div": lambda: _jvp(lambda x: 1 / x, [0.0, 2.0], [1.0, 1.0]),
}


def _arrays(results) -> list[np.ndarray]:
    return [np.asarray(r.detach().numpy()) for r in results]


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("regime", ["seterr_raise", "warnings_error"])
def test_floating_point_specials_never_raise(name, regime):
    expected = _arrays(CASES[name]())
    with (
        warnings.catch_warnings(),
        np.errstate(all="raise" if regime == "seterr_raise" else "warn"),
    ):
        if regime == "warnings_error":
            warnings.simplefilter("error")
        got = _arrays(CASES[name]())
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_a_users_own_numpy_code_keeps_its_error_state():
    """gradscope quiets its own arithmetic only: the user's NumPy still raises."""
    with np.errstate(all="raise"):
        assert np.isinf(gs.tensor([100.0]).exp().numpy()).all()
        with pytest.raises(FloatingPointError):
            np.exp(np.float32(100.0))


GUARDED = {  # rules whose specials are common run under ``backend.fp_quiet``
    "log_of_zero": lambda: _backward(lambda x: x.log(), [0.0, -1.0, 1.0]),
    "sqrt_gradient_at_zero": lambda: _backward(lambda x: x.sqrt(), [0.0, 4.0]),
    "rsqrt_of_zero": lambda: _backward(lambda x: x.rsqrt(), [0.0, 4.0]),
    "log_softmax_of_minus_inf": lambda: _backward(lambda x: x.log_softmax(0), [float("-inf"), 1.0]),
    "pow_to_a_fraction_at_zero": lambda: _backward(lambda x: x**-1.5, [0.0, 1.0]),
}


@pytest.mark.parametrize("name", list(GUARDED))
def test_guarded_rules_stay_silent_under_a_users_always_filter(name):
    """A filter set after ``import gradscope`` comes before gradscope's own, so only the
    rule's own error state keeps NumPy's warning from the user, as torch gives none."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GUARDED[name]()
    assert [str(w.message) for w in caught] == []


def test_fp_quiet_restores_the_error_state_it_found():
    from gradscope.backend import fp_quiet

    with np.errstate(divide="raise", over="warn"):
        before = np.geterr()
        with fp_quiet():
            assert set(np.geterr().values()) == {"ignore"}
            with fp_quiet():  # nested
                np.log(np.zeros(1))
            assert set(np.geterr().values()) == {"ignore"}
        assert np.geterr() == before
        with pytest.raises(KeyError), fp_quiet():  # left by an exception
            raise KeyError("x")
        assert np.geterr() == before
        with pytest.raises(FloatingPointError):
            np.log(np.zeros(1))
