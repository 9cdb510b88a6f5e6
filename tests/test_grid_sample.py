"""``F.grid_sample`` and ``F.affine_grid`` against torch 2.13 (CPU): values and gradients
over every mode, padding mode and align_corners on 4-d and 5-d input, the nodes and what
they save (bytes included), the align_corners warnings and the error messages, in the
order torch checks its arguments. Gradchecks, second derivatives and IEEE specials are in
the op table (``tests/op_cases.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, params, warnings_of

torch = pytest.importorskip("torch", reason="torch is the reference")
F = gs.nn.functional


def _pair(shape, seed, dtype="float32", lo=None, hi=None):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) if lo is None else rng.uniform(lo, hi, shape)
    return (
        gs.tensor(a, dtype=getattr(gs, dtype), requires_grad=True),
        torch.tensor(a, dtype=getattr(torch, dtype), requires_grad=True),
    )


_SHAPES = {2: ((2, 3, 4, 5), (2, 3, 6, 2)), 3: ((2, 2, 3, 4, 5), (2, 3, 2, 4, 3))}
_TOL = {"float32": (1e-5, 1e-5), "float64": (1e-12, 1e-12)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize(
    "nd,mode",  # torch has no bicubic on 5-d input (its error is in ERRORS)
    [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"), (3, "nearest")],
)
def test_values_and_gradients_as_torch(nd, mode, padding, align, dtype):
    xs, gshape = _SHAPES[nd]
    gx, tx = _pair(xs, 0, dtype)
    gg, tg = _pair(gshape, 1, dtype, -1.6, 1.6)  # some locations outside the input
    go = F.grid_sample(gx, gg, mode, padding, align)
    to = torch.nn.functional.grid_sample(tx, tg, mode, padding, align)
    assert go.grad_fn.name() == to.grad_fn.name() == f"GridSampler{nd}DBackward0"
    assert go.dtype == getattr(gs, dtype) and tuple(go.shape) == tuple(to.shape)
    rtol, atol = _TOL[dtype]
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=rtol, atol=atol)
    seed = np.random.default_rng(2).standard_normal(tuple(to.shape))
    go.backward(gs.tensor(seed, dtype=go.dtype))
    to.backward(torch.tensor(seed, dtype=to.dtype))
    np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), rtol=rtol * 10, atol=atol * 10)
    np.testing.assert_allclose(gg.grad.numpy(), tg.grad.numpy(), rtol=rtol * 10, atol=atol * 10)


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 2, 3, 4, 5), (2, 1, 1, 2, 1)])
def test_affine_grid_values_gradients_and_node_as_torch(size, align):
    theta = (2, 2, 3) if len(size) == 4 else (2, 3, 4)
    ga, ta = _pair(theta, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unit sizes with align_corners=True warn
        go = F.affine_grid(ga, size, align_corners=align)
        to = torch.nn.functional.affine_grid(ta, size, align_corners=align)
    assert go.grad_fn.name() == to.grad_fn.name() == "AffineGridGeneratorBackward0"
    assert go.grad_fn._saved_size == tuple(to.grad_fn._saved_size)
    assert go.grad_fn._saved_align_corners is to.grad_fn._saved_align_corners
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-6, atol=1e-6)
    seed = np.random.default_rng(4).standard_normal(tuple(to.shape))
    go.backward(gs.tensor(seed, dtype=go.dtype))
    to.backward(torch.tensor(seed, dtype=to.dtype))
    np.testing.assert_allclose(ga.grad.numpy(), ta.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_float16_within_half_precision_of_torch(mode, padding):
    # torch's half kernel rounds its locations and weights to half; gradscope computes in
    # float32 and rounds once
    gx, tx = _pair((2, 3, 4, 5), 5, "float16")
    gg, tg = _pair((2, 3, 6, 2), 6, "float16", -1.3, 1.3)
    go = F.grid_sample(gx, gg, mode, padding, False)
    to = torch.nn.functional.grid_sample(tx, tg, mode, padding, False)
    assert go.dtype == gs.float16
    go.sum().backward()
    to.sum().backward()
    # the grid's gradient sums a channel's worth of half-rounded products
    for a, b, atol in ((go, to, 3e-2), (gx.grad, tx.grad, 3e-2), (gg.grad, tg.grad, 1e-1)):
        np.testing.assert_allclose(
            np.asarray(a.detach(), dtype=np.float64),
            b.detach().double().numpy(),
            rtol=1e-2,
            atol=atol,
        )


def test_identity_affine_grid_samples_the_input_back():
    x = gs.arange(24.0).reshape(1, 2, 3, 4)
    theta = gs.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    for align in (False, True):
        grid = F.affine_grid(theta, (1, 2, 3, 4), align_corners=align)
        for mode in ("bilinear", "nearest"):
            out = F.grid_sample(x, grid, mode=mode, align_corners=align)
            np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-5)


def test_grid_sample_saves_input_and_grid_with_their_bytes():
    x = gs.randn(2, 3, 4, 5, requires_grad=True)
    grid = gs.rand(2, 6, 7, 2, dtype=gs.float64).to(gs.float32).requires_grad_()
    with gs.trace() as tr:
        y = F.grid_sample(x, grid, "nearest", "reflection", align_corners=True)
    fn = y.grad_fn
    saved = {e.slot: e for e in tr.events if e.kind == "tensor_saved"}
    assert set(saved) == {"input", "grid"}
    assert saved["input"].nbytes == 2 * 3 * 4 * 5 * 4 == 480
    assert saved["grid"].nbytes == 2 * 6 * 7 * 2 * 4 == 672
    assert not saved["input"].new and not saved["grid"].new  # the inputs' own buffers
    assert saved["input"].shape == (2, 3, 4, 5) and saved["grid"].shape == (2, 6, 7, 2)
    assert (fn._saved_interpolation_mode, fn._saved_padding_mode) == (1, 2)
    assert fn._saved_align_corners is True
    assert fn._saved_input is x and fn._saved_grid is grid
    t = torch.nn.functional.grid_sample(
        torch.randn(2, 3, 4, 5, requires_grad=True),
        torch.rand(2, 6, 7, 2),
        "nearest",
        "reflection",
        align_corners=True,
    ).grad_fn
    assert (t._saved_interpolation_mode, t._saved_padding_mode) == (1, 2)
    y.sum().backward()
    assert x.grad.shape == x.shape and grid.grad.shape == grid.shape
    assert not grid.grad.numpy().any()  # nearest: zero almost everywhere, as torch


def test_grid_sample_5d_float64_saves_the_bytes_of_both():
    x = gs.randn(1, 2, 3, 4, 5, dtype=gs.float64, requires_grad=True)
    grid = gs.zeros(1, 2, 2, 2, 3, dtype=gs.float64, requires_grad=True)
    with gs.trace() as tr:
        F.grid_sample(x, grid, align_corners=False)
    saved = {e.slot: e.nbytes for e in tr.events if e.kind == "tensor_saved"}
    assert saved == {"input": 120 * 8, "grid": 24 * 8}


def test_affine_grid_saves_no_tensor():
    theta = gs.randn(2, 3, 4, requires_grad=True)
    with gs.trace() as tr:
        F.affine_grid(theta, (2, 1, 2, 3, 4), align_corners=False)
    assert not [e for e in tr.events if e.kind == "tensor_saved"]


def test_next_functions_as_torch():
    for m in (gs, torch):
        x = m.randn(1, 1, 3, 3, requires_grad=True)
        g = m.zeros(1, 2, 2, 2)
        fn = m.nn.functional.grid_sample(x, g, align_corners=False).grad_fn
        assert fn.next_functions[1][0] is None
        assert fn.next_functions[0][0].name().endswith("AccumulateGrad")


def test_no_grad_and_empty_sizes():
    with gs.no_grad():
        x = gs.randn(1, 1, 2, 2, requires_grad=True)
        assert F.grid_sample(x, gs.zeros(1, 1, 1, 2), align_corners=False).grad_fn is None
    for xs, gsz in [((2, 0, 3, 3), (2, 2, 2, 2)), ((0, 1, 3, 3), (0, 2, 2, 2))]:
        x = gs.zeros(*xs, requires_grad=True)
        g = gs.zeros(*gsz, requires_grad=True)
        out = F.grid_sample(x, g, align_corners=False)
        assert tuple(out.shape) == (xs[0], xs[1], 2, 2)
        out.sum().backward()
        assert x.grad.shape == x.shape and g.grad.shape == g.shape
    out = F.grid_sample(gs.ones(2, 3, 4, 5), gs.zeros(2, 0, 3, 2), align_corners=False)
    assert tuple(out.shape) == (2, 3, 0, 3)


def test_forward_mode_is_refused_as_torch():
    x, g = gs.randn(1, 1, 2, 2), gs.zeros(1, 1, 1, 2)
    with pytest.raises(NotImplementedError, match="forward AD with grid_sampler_2d"):
        gs.func.jvp(lambda a: F.grid_sample(a, g, align_corners=False), (x,), (x,))


# ---------------------------------------------------------------- warnings


def _gs_call(**kw):
    return lambda m: m.nn.functional.grid_sample(m.ones(1, 1, 2, 2), m.zeros(1, 1, 1, 2), **kw)


def _ag_call(size, **kw):
    return lambda m: m.nn.functional.affine_grid(m.zeros(1, 2, 3), size, **kw)


WARNS = {
    "grid_sample_default": _gs_call(),
    "grid_sample_false": _gs_call(align_corners=False),
    "grid_sample_true": _gs_call(align_corners=True),
    "affine_grid_default": _ag_call((1, 1, 2, 2)),
    "affine_grid_default_unit": _ag_call((1, 1, 1, 2)),
    "affine_grid_true_unit": _ag_call((1, 1, 1, 2), align_corners=True),
    "affine_grid_true": _ag_call((1, 1, 2, 2), align_corners=True),
    "affine_grid_false_unit": _ag_call((1, 1, 2, 1), align_corners=False),
}


@pytest.mark.parametrize("fn", params(WARNS))
def test_warnings_as_torch(fn):
    assert warnings_of(fn, gs) == warnings_of(fn, torch)


def test_warning_names_the_callers_line():
    with pytest.warns(UserWarning) as rec:
        F.grid_sample(gs.ones(1, 1, 2, 2), gs.zeros(1, 1, 1, 2))
    assert rec[0].filename == __file__


# ---------------------------------------------------------------- errors


def _gsample(xs, gshape, mode="bilinear", padding="zeros", xdt=None, gdt=None):
    def fn(m):
        x = m.ones(*xs) if xdt is None else m.ones(*xs, dtype=getattr(m, xdt))
        g = m.zeros(*gshape) if gdt is None else m.zeros(*gshape, dtype=getattr(m, gdt))
        return m.nn.functional.grid_sample(x, g, mode, padding, False)

    return fn


def _agrid(theta, size, dtype=None):
    def fn(m):
        t = m.zeros(*theta) if dtype is None else m.zeros(*theta, dtype=getattr(m, dtype))
        return m.nn.functional.affine_grid(t, size, align_corners=False)

    return fn


ERRORS = {
    "mode": _gsample((2, 3, 4, 5), (2, 3, 3, 2), "foo", "bar"),
    "padding_mode": _gsample((2, 3, 4, 5), (2, 3, 3, 2), padding="bar"),
    "3d_input": _gsample((2, 3, 4), (2, 3, 2)),
    "3d_input_unit_grid": _gsample((2, 3, 4), (2, 3, 1)),
    "2d_input": _gsample((1, 1), (1, 1)),
    "6d_input": _gsample((1, 1, 2, 2, 2, 2), (1, 1, 1, 1, 1, 4)),
    "4d_input_5d_grid": _gsample((2, 3, 4, 5), (2, 3, 3, 3, 2)),
    "5d_input_4d_grid": _gsample((2, 3, 4, 5, 6), (2, 3, 3, 2)),
    "batch": _gsample((2, 3, 4, 5), (3, 3, 3, 2)),
    "batch_before_empty": _gsample((2, 3, 0, 5), (3, 3, 3, 2)),
    "last_dim": _gsample((2, 3, 4, 5), (2, 3, 3, 3)),
    "last_dim_before_empty": _gsample((2, 3, 0, 5), (2, 3, 3, 3)),
    "empty_spatial": _gsample((2, 3, 0, 5), (2, 3, 3, 2)),
    "empty_spatial_5d": _gsample((2, 3, 4, 5, 0), (2, 3, 3, 2, 3)),
    "bicubic_5d": _gsample((2, 3, 4, 5, 6), (2, 3, 3, 3, 3), "bicubic"),
    "bicubic_5d_batch_first": _gsample((2, 3, 4, 5, 6), (3, 3, 3, 2, 3), "bicubic"),
    "bicubic_4d_grid_of_3": _gsample((2, 3, 4, 5), (2, 3, 3, 2, 3), "bicubic"),
    "int_input": _gsample((2, 3, 4, 5), (2, 3, 3, 2), xdt="int64"),
    "int_input_5d": _gsample((2, 3, 4, 5, 6), (2, 3, 3, 3, 3), xdt="int64"),
    "int_both": _gsample((2, 3, 4, 5), (2, 3, 3, 2), xdt="int64", gdt="int64"),
    "int_grid": _gsample((2, 3, 4, 5), (2, 3, 3, 2), gdt="int64"),
    "double_grid": _gsample((2, 3, 4, 5), (2, 3, 3, 2), gdt="float64"),
    "float_grid_double_input": _gsample((2, 3, 4, 5), (2, 3, 3, 2), xdt="float64"),
    "half_grid": _gsample((2, 3, 4, 5), (2, 3, 3, 2), gdt="float16"),
    "complex": _gsample((1, 1, 2, 2), (1, 1, 1, 2), xdt="complex64", gdt="complex64"),
    "affine_int_theta": _agrid((2, 2, 3), (2, 1, 3, 4), "int64"),
    "affine_complex_theta": _agrid((2, 2, 3), (2, 1, 3, 4), "complex64"),
    "affine_bad_theta": _agrid((2, 3, 3), (2, 1, 3, 4)),
    "affine_bad_theta_list": _agrid((2, 3, 3), [2, 1, 3, 4]),
    "affine_2d_theta": _agrid((2, 3), (2, 1, 3, 4)),
    "affine_4d_theta": _agrid((2, 2, 3, 1), (2, 1, 3, 4)),
    "affine_bad_theta_3d": _agrid((2, 2, 3), (2, 1, 3, 4, 5)),
    "affine_bad_size": _agrid((2, 2, 3), (2, 1, 3)),
    "affine_zero": _agrid((2, 2, 3), (2, 1, 0, 4)),
    "affine_zero_channels": _agrid((2, 2, 3), (2, 0, 3, 4)),
    "affine_zero_batch": _agrid((2, 2, 3), (0, 1, 3, 4)),
    "affine_negative": _agrid((2, 2, 3), (2, 1, -1, 4)),
    "affine_batch_mismatch": _agrid((2, 2, 3), (3, 1, 3, 4)),
    "affine_batch_mismatch_3d": _agrid((2, 3, 4), (3, 1, 3, 4, 5)),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors_as_torch(fn):
    check_error(fn)
