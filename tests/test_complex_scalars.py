"""Tensors with Python complex numbers, against torch 2.13: the result's dtype (the default
complex dtype for integer and bool tensors), values, the in-place refusal's text, ``pow``
either way round with its gradients, and products with a complex number, differentiated
as torch's (the number conjugated)."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

C = 1.5 - 2j

DTYPE_CASES = {
    "int_mul": lambda m: m.arange(3) * C,
    "int_add": lambda m: m.arange(3) + C,
    "int_rsub": lambda m: C - m.arange(3),
    "bool_mul": lambda m: m.tensor([True, False]) * C,
    "float32_mul": lambda m: m.ones(2) * C,
    "float64_add": lambda m: m.ones(2, dtype=m.float64) + C,
    "int_pow_complex": lambda m: m.arange(3) ** C,
    "bool_pow_complex": lambda m: m.tensor([True, False]) ** C,
    "complex_pow_int": lambda m: C ** m.arange(3),
    "complex_pow_float32": lambda m: C ** m.tensor([0.5, 2.0]),
    "complex_pow_float64": lambda m: C ** m.tensor([0.5, 2.0], dtype=m.float64),
    "int_truediv": lambda m: m.arange(3) / C,
}


@pytest.mark.parametrize("name", list(DTYPE_CASES))
def test_dtype_and_values_as_torch(name):
    got, want = DTYPE_CASES[name](gs), DTYPE_CASES[name](torch)
    assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
    np.testing.assert_allclose(
        np.asarray(got.tolist()), np.asarray(want.tolist()), rtol=1e-6, atol=1e-6
    )


@pytest.mark.parametrize("default", ["float64", "float32"])
def test_integer_pows_follow_the_default_dtype(default):
    for m in (gs, torch):
        m.set_default_dtype(getattr(m, default))
    try:
        for f in (
            lambda m: m.arange(3) ** 1.5,
            lambda m: m.arange(3) ** C,
            lambda m: C ** m.arange(2),
        ):
            assert str(f(gs).dtype).split(".")[-1] == str(f(torch).dtype).split(".")[-1]
    finally:
        for m in (gs, torch):
            m.set_default_dtype(m.float32)


def _message(fn, m):
    with pytest.raises(Exception) as info:
        fn(m)
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.arange(3).mul_(1j),
        lambda m: m.ones(2).add_(1j),
        lambda m: (m.ones(2, requires_grad=True) + 1j).sum().backward(),
        lambda m: m.ones(2) < 1j,
        lambda m: m.tensor([1 + 1j]) >= m.tensor([2j]),
        lambda m: m.tensor([1 + 1j], dtype=m.complex128).le(0),
    ],
    ids=["int_inplace", "float_inplace", "implicit_grad_of_complex", "lt", "ge", "le_double"],
)
def test_errors_as_torch(fn):
    assert _message(fn, gs) == _message(fn, torch)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x: (x * 2) ** (1.5 - 0.5j),
        lambda m, x: (1 - 2j) ** (x * 3),
        lambda m, x: (x + 1j) - 3j,
    ],
    ids=["tensor_pow_complex", "complex_pow_tensor", "add_sub_complex"],
)
def test_gradients_with_a_complex_gradient_given_as_torch(fn):
    grads = []
    for m in (gs, torch):
        x = m.tensor([0.5, 2.0], requires_grad=True)
        fn(m, x).backward(m.tensor([1 + 2j, -0.5 + 1j]))
        grads.append(np.asarray(x.grad.tolist()))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5)


@pytest.mark.parametrize("fn", [lambda x: x * (1 - 2j), lambda x: x / 1j, lambda x: (1 + 1j) * x])
def test_a_product_with_a_complex_number_differentiates_as_torch(fn):
    """torch conjugates the number in backward, and gives the real leaf the real part."""
    grads = []
    for m in (gs, torch):
        x = m.tensor([0.5, 2.0], requires_grad=True)
        y = fn(x)
        assert str(y.dtype).split(".")[-1] == "complex64"
        y.backward(m.tensor([1 + 2j, -0.5 + 1j]))
        assert str(x.grad.dtype).split(".")[-1] == "float32"
        grads.append(np.asarray(x.grad.tolist()))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
