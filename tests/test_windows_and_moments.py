"""unfold, narrow_copy, trapezoid, cumulative_trapezoid, cov and corrcoef against torch
2.13: errors with torch's text, values of edge cases (no samples, integer inputs),
cov's warning when the correction leaves no degrees of freedom, and the view ``unfold``
gives."""

from __future__ import annotations

import pytest

import gradscope as gs
from tests.parity import check_error, check_value, check_warns_as_torch, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _r(*shape):
    return lambda m: m.ones(*shape)


ERRORS = {
    "unfold_too_big": lambda m: _r(7)(m).unfold(0, 8, 1),
    "unfold_step_0": lambda m: _r(7)(m).unfold(0, 3, 0),
    "unfold_step_negative": lambda m: _r(7)(m).unfold(0, 3, -1),
    "unfold_size_negative": lambda m: _r(7)(m).unfold(0, -1, 1),
    "unfold_dim": lambda m: _r(7)(m).unfold(1, 3, 1),
    "unfold_0d_too_big": lambda m: m.tensor(2.0).unfold(0, 2, 1),
    "unfold_float_size": lambda m: _r(7)(m).unfold(0, 2.0, 1),
    "narrow_copy_0d": lambda m: m.narrow_copy(m.tensor(1.0), 0, 0, 1),
    "narrow_copy_dim": lambda m: m.narrow_copy(_r(4, 5)(m), 2, 0, 1),
    "narrow_copy_start": lambda m: m.narrow_copy(_r(4, 5)(m), 1, 6, 1),
    "narrow_copy_length": lambda m: m.narrow_copy(_r(4, 5)(m), 1, 3, 3),
    "narrow_copy_negative_length": lambda m: m.narrow_copy(_r(4, 5)(m), 1, 1, -1),
    "narrow_copy_negative_start_backward": lambda m: (
        m.ones(4, 5, requires_grad=True).narrow_copy(0, -2, 2).sum().backward()
    ),
    "trapezoid_bool": lambda m: m.trapezoid(m.ones(3, dtype=m.bool)),
    "trapezoid_x_count": lambda m: m.trapezoid(_r(3)(m), _r(4)(m)),
    "trapezoid_dim": lambda m: m.trapezoid(_r(3)(m), dim=1),
    "cumulative_trapezoid_x_count": lambda m: m.cumulative_trapezoid(_r(3)(m), _r(4)(m)),
    "cumulative_trapezoid_bool": lambda m: m.cumulative_trapezoid(m.ones(3, dtype=m.bool)),
    "cov_3d": lambda m: m.cov(_r(2, 2, 2)(m)),
    "cov_bool": lambda m: m.cov(m.ones(2, 2, dtype=m.bool)),
    "cov_fweights_float": lambda m: m.cov(_r(2, 3)(m), fweights=_r(3)(m)),
    "cov_fweights_2d": lambda m: m.cov(_r(2, 3)(m), fweights=m.ones(1, 3, dtype=m.int64)),
    "cov_fweights_numel": lambda m: m.cov(_r(2, 3)(m), fweights=m.ones(4, dtype=m.int64)),
    "cov_fweights_negative": lambda m: m.cov(_r(2, 3)(m), fweights=m.tensor([1, -1, 1])),
    "cov_aweights_int": lambda m: m.cov(_r(2, 3)(m), aweights=m.ones(3, dtype=m.int64)),
    "cov_aweights_negative": lambda m: m.cov(_r(2, 3)(m), aweights=m.tensor([1.0, -1.0, 1.0])),
    "cov_weights_sum_to_zero": lambda m: m.cov(_r(2, 3)(m), fweights=m.tensor([0, 0, 0])),
    "corrcoef_3d": lambda m: m.corrcoef(_r(2, 2, 2)(m)),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)


VALUES = {
    "unfold_empty_windows": lambda m: _r(7)(m).unfold(0, 0, 2),
    "unfold_0d": lambda m: m.tensor(2.0).unfold(0, 1, 1),
    "narrow_copy_negative_start": lambda m: m.narrow_copy(m.arange(20.0).reshape(4, 5), 1, -2, 2),
    "narrow_copy_tensor_start": lambda m: m.narrow_copy(_r(4, 5)(m), 1, m.tensor(1), 2),
    "trapezoid_no_samples": lambda m: m.trapezoid(_r(2, 0)(m)),
    "trapezoid_no_samples_dim0": lambda m: m.trapezoid(_r(0, 3)(m), dim=0),
    "cumulative_trapezoid_no_samples": lambda m: m.cumulative_trapezoid(_r(2, 0)(m)),
    # integer samples integrate in the default float dtype, whatever the spacing's type
    "trapezoid_int": lambda m: m.trapezoid(m.tensor([[1, 2, 3], [4, 5, 7]])),
    "trapezoid_int8_float_dx": lambda m: m.trapezoid(m.tensor([1, 2, 4], dtype=m.int8), dx=0.5),
    "trapezoid_int_int_x": lambda m: m.trapezoid(m.tensor([1, 2, 4]), m.tensor([0, 1, 3])),
    "cumulative_trapezoid_int_dx": lambda m: m.cumulative_trapezoid(m.tensor([1, 2, 4]), dx=3),
    "cumulative_trapezoid_int_int_x": lambda m: m.cumulative_trapezoid(
        m.tensor([1, 2, 4]), m.tensor([0, 1, 3])
    ),
    "trapezoid_float64_int_dx": lambda m: m.trapezoid(m.tensor([1.0, 2.0], dtype=m.float64), dx=2),
    "cov_no_degrees_of_freedom": lambda m: m.cov(m.tensor([[1.0, 2.0]]), correction=2),
    "cov_int": lambda m: m.cov(m.tensor([[1, 2, 4], [3, 1, 2]])),
    "corrcoef_int": lambda m: m.corrcoef(m.tensor([[1, 2, 4], [3, 1, 2]])),
    "corrcoef_constant_row": lambda m: m.corrcoef(m.tensor([[1.0, 1.0, 1.0], [3.0, 1.0, 2.0]])),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_values_as_torch(fn):
    check_value(fn)


def test_cov_warns_as_torch_when_no_degrees_of_freedom_are_left():
    check_warns_as_torch(lambda m: m.cov(m.tensor([[1.0, 2.0]]), correction=2))
    check_warns_as_torch(lambda m: m.cov(m.tensor([[1.0, 2.0]]), correction=1))


def test_unfold_is_a_view_with_torchs_strides():
    for m in (gs, torch):
        base = m.arange(28.0).reshape(4, 7)
        u = base.unfold(1, 3, 2)
        assert tuple(u.shape) == (4, 3, 3)
        assert tuple(u.stride()) == (7, 2, 1)
        assert not u.is_contiguous()
        base[0, 2] = 100.0  # a write to the base shows in both windows that hold it
        assert u[0, 0, 2].item() == 100.0 and u[0, 1, 0].item() == 100.0


def test_unfold_gradient_adds_up_overlapping_windows():
    for m in (gs, torch):
        x = m.ones(5, requires_grad=True)
        x.unfold(0, 3, 1).sum().backward()
        assert x.grad.tolist() == [1.0, 2.0, 3.0, 2.0, 1.0]
