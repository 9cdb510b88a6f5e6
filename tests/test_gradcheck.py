"""Every op in the table against float64 central finite differences (``gs.autograd.gradcheck``)."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import CASES, to_gs


@pytest.mark.filterwarnings("ignore:The .grad attribute")
@pytest.mark.parametrize("case", [c for c in CASES if c.gradcheck], ids=lambda c: c.name)
def test_gradcheck(case):
    inputs = to_gs(case, case.arrays(), gs.float64)
    assert gs.autograd.gradcheck(lambda *xs: case.fn(gs, *xs), inputs)


def test_gradcheck_catches_a_wrong_gradient():
    class BadExp(gs.autograd.function.Function):
        _name = "ExpBackward0"

        def forward(self, a):
            return a * 0 + gs.backend.xp_of(a).exp(a)

        def backward(self, g):
            return (g * 2.0,)

    x = gs.tensor([0.1, 0.2], dtype=gs.float64, requires_grad=True)
    fn = lambda t: gs.autograd.function.apply(BadExp, (t,))  # noqa: E731
    with pytest.raises(gs.autograd.GradcheckError, match="Jacobian mismatch"):
        gs.autograd.gradcheck(fn, (x,))
    assert gs.autograd.gradcheck(fn, (x,), raise_exception=False) is False
    with pytest.raises(gs.autograd.GradcheckError, match="random direction"):
        gs.autograd.gradcheck(fn, (x,), fast_mode=True)
    assert gs.autograd.gradcheck(fn, (x,), fast_mode=True, raise_exception=False) is False


def test_fast_mode_passes_right_gradients_of_several_inputs_and_outputs():
    a = gs.tensor([[0.3, -1.2], [0.5, 2.0]], dtype=gs.float64, requires_grad=True)
    b = gs.tensor([0.7, -0.1], dtype=gs.float64, requires_grad=True)
    assert gs.autograd.gradcheck(lambda a, b: (a @ b, (a * b).exp()), (a, b), fast_mode=True)


# -- complex inputs and outputs: each counts as its real and imaginary parts -------------


def _z():
    rng = np.random.default_rng(0)
    return gs.tensor(rng.standard_normal(3) + 1j * rng.standard_normal(3), requires_grad=True)


def _x():
    return gs.tensor([0.3, -1.2, 0.8], dtype=gs.float64, requires_grad=True)


COMPLEX = {
    "complex_to_real_abs": (lambda z: z.abs(), _z),
    "complex_to_real_angle": (lambda z: z.angle(), _z),
    "complex_to_complex_not_holomorphic": (lambda z: z * z.conj() * 2 + z.sgn(), _z),
    "complex_to_complex_holomorphic": (lambda z: z.exp() * z, _z),
    "real_to_complex": (lambda x: (x * 1j).exp(), _x),
    "real_to_complex_eigvals": (
        lambda x: gs.linalg.eigvals(x.reshape(3, 1) * x + gs.eye(3, dtype=gs.float64)),
        _x,
    ),
}


@pytest.mark.parametrize("fast_mode", [False, True], ids=["full", "fast"])
@pytest.mark.parametrize("name", list(COMPLEX))
def test_gradcheck_of_complex_functions(name, fast_mode):
    fn, make = COMPLEX[name]
    assert gs.autograd.gradcheck(fn, (make(),), fast_mode=fast_mode)


@pytest.mark.parametrize("fast_mode", [False, True], ids=["full", "fast"])
def test_gradcheck_of_complex_and_real_inputs_together(fast_mode):
    fn = lambda z, x: (z * x, (z.abs() * x).sum())  # noqa: E731
    assert gs.autograd.gradcheck(fn, (_z(), _x()), fast_mode=fast_mode)


@pytest.mark.parametrize("fast_mode", [False, True], ids=["full", "fast"])
def test_gradcheck_catches_a_complex_gradient_without_its_conjugate(fast_mode):
    # torch's convention: the gradient of z * z is g * conj(2 z), not g * 2 z
    class Square(gs.autograd.Function):
        @staticmethod
        def forward(ctx, z):
            ctx.save_for_backward(z)
            return z * z

        @staticmethod
        def backward(ctx, g):
            (z,) = ctx.saved_tensors
            return g * 2 * z

    assert not gs.autograd.gradcheck(
        Square.apply, (_z(),), raise_exception=False, fast_mode=fast_mode
    )
