"""Every op in the table against float64 central finite differences (``gs.autograd.gradcheck``)."""

from __future__ import annotations

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
