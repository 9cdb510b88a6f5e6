"""The in-place activations of ``nn.functional`` (``relu_``, ``elu_``, ``hardtanh_``,
``leaky_relu_``, ``selu_``), the pools' ``*_with_indices`` forms, ``max_unpool3d`` and
fractional max pooling against torch: values, indices and gradients, errors in torch's
order, ``return_indices`` and the modules.

The ops' table cases (gradcheck, graphs, saved tensors, double backward, forward mode)
are in ``tests/op_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gradscope as gs
from tests.parity import check_error, check_value, params


def _F(m):  # noqa: N802
    return m.nn.functional


def _x(m, shape, seed=0, dtype=None, rg=True):
    a = np.random.default_rng(seed).standard_normal(shape)
    return m.tensor(a, dtype=dtype or m.float64, requires_grad=rg)


def _u(m, shape, seed=1, dtype=None):
    return m.tensor(np.random.default_rng(seed).random(shape), dtype=dtype or m.float64)


def _with_grad(run, shape, seed=0):
    """``run(m, x)``'s results and the gradient of a weighted sum of its first."""

    def case(m):
        x = _x(m, shape, seed)
        out = run(m, x)
        y = out[0] if isinstance(out, tuple) else out
        w = m.tensor(np.cos(np.arange(y.numel())).reshape(y.shape), dtype=m.float64)
        (g,) = m.autograd.grad((y * w).sum(), x)
        return out, g

    return case


# ---------------------------------------------------------------- in-place activations


def _inplace(name, *args, **kwargs):
    def case(m):
        x = m.tensor([-2.0, -0.7, -0.2, 0.3, 1.5, 3.0], dtype=m.float64, requires_grad=True)
        y = x * 1
        z = getattr(_F(m), name)(y, *args, **kwargs)
        assert z is y and y._version == 1
        (g,) = m.autograd.grad((z * m.arange(6.0, dtype=m.float64)).sum(), x)
        return z, g

    return case


INPLACE_VALUES = {
    "relu_": _inplace("relu_"),
    "elu_": _inplace("elu_"),
    "elu_alpha": _inplace("elu_", alpha=0.5),
    "elu_scales": _inplace("elu_", 0.5, 2.0, 3.0),
    "hardtanh_": _inplace("hardtanh_"),
    "hardtanh_bounds": _inplace("hardtanh_", min_val=-0.5, max_val=0.5),
    "hardtanh_min_above_max": _inplace("hardtanh_", 2.0, 1.0),  # clamp's: all max_val
    "leaky_relu_": _inplace("leaky_relu_"),
    "leaky_relu_slope": _inplace("leaky_relu_", negative_slope=0.2),
    "selu_": _inplace("selu_"),
    "hardtanh_integers": lambda m: _F(m).hardtanh_(m.tensor([-3, 0, 3]), -1, 2),
    "hardtanh_nan": lambda m: _F(m).hardtanh_(m.tensor([float("nan"), 5.0, -5.0]), 2.0, 1.0),
    "relu_integers": lambda m: _F(m).relu_(m.tensor([-3, 0, 3])),
}


@pytest.mark.parametrize("fn", params(INPLACE_VALUES))
def test_inplace_activation_value(fn):
    check_value(fn)


def _negative_slope_backward(name, *args):
    def case(m):
        x = m.tensor([-1.0, 2.0], requires_grad=True)
        getattr(_F(m), name)(x * 1, *args).sum().backward()

    return case


INPLACE_ERRORS = {
    "elu_negative_alpha_backward": _negative_slope_backward("elu_", -1.0),
    "leaky_relu_negative_slope_backward": _negative_slope_backward("leaky_relu_", -0.5),
    "relu_leaf": lambda m: _F(m).relu_(m.ones(2, requires_grad=True)),
    "hardtanh_leaf": lambda m: _F(m).hardtanh_(m.ones(2, requires_grad=True)),
    "relu_bool": lambda m: _F(m).relu_(m.tensor([True])),
    "hardtanh_bool": lambda m: _F(m).hardtanh_(m.tensor([True])),
    "elu_integers": lambda m: _F(m).elu_(m.tensor([1, -2])),
    "leaky_relu_integers": lambda m: _F(m).leaky_relu_(m.tensor([1, -2])),
    "selu_integers": lambda m: _F(m).selu_(m.tensor([1, -2])),
}


@pytest.mark.parametrize("fn", params(INPLACE_ERRORS))
def test_inplace_activation_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- *_with_indices


WITH_INDICES = {
    "max_pool1d": _with_grad(lambda m, x: _F(m).max_pool1d_with_indices(x, 3, 2, 1), (2, 3, 8)),
    "max_pool2d": _with_grad(
        lambda m, x: _F(m).max_pool2d_with_indices(x, (2, 3), ceil_mode=True), (2, 5, 7)
    ),
    "max_pool3d": _with_grad(lambda m, x: _F(m).max_pool3d_with_indices(x, 2, 1), (1, 2, 3, 4, 3)),
    "adaptive_max_pool1d": _with_grad(
        lambda m, x: _F(m).adaptive_max_pool1d_with_indices(x, 4), (2, 3, 9)
    ),
    "adaptive_max_pool2d": _with_grad(
        lambda m, x: _F(m).adaptive_max_pool2d_with_indices(x, (2, None)), (2, 5, 7)
    ),
    "adaptive_max_pool3d": _with_grad(
        lambda m, x: _F(m).adaptive_max_pool3d_with_indices(x, 2), (1, 2, 3, 4, 5)
    ),
    # the flag does not matter: always (output, indices)
    "return_indices_false": lambda m: _F(m).max_pool2d_with_indices(
        _x(m, (1, 4, 4)), 2, return_indices=False
    ),
    "adaptive_return_indices_false": lambda m: _F(m).adaptive_max_pool1d_with_indices(
        _x(m, (1, 6)), 2, return_indices=False
    ),
    "no_grad": lambda m: _F(m).max_pool3d_with_indices(_x(m, (1, 3, 3, 3), rg=False), 2),
}


@pytest.mark.parametrize("fn", params(WITH_INDICES))
def test_with_indices_value(fn):
    check_value(fn)


def test_with_indices_shares_the_saved_indices_as_torch():
    for m in (gs, torch):
        out, idx = _F(m).max_pool2d_with_indices(_x(m, (1, 4, 4)), 2)
        assert out.grad_fn._saved_result1.data_ptr() == idx.data_ptr()


# ---------------------------------------------------------------- max_unpool3d


def _pooled3d(m, shape=(1, 2, 4, 4, 4), k=2, s=None, p=0):
    out, idx = _F(m).max_pool3d(_x(m, shape), k, s, p, return_indices=True)
    return out.detach().requires_grad_(), idx


def _unpool3d(shape=(1, 2, 4, 4, 4), k=2, s=None, p=0, output_size=None, module=False):
    def case(m):
        y, i = _pooled3d(m, shape, k, s, p)
        if module:
            out = m.nn.MaxUnpool3d(k, s, p)(y, i, output_size)
        else:
            out = _F(m).max_unpool3d(y, i, k, s, p, output_size)
        saved = out.grad_fn._saved_indices is i
        w = m.tensor(np.sin(np.arange(out.numel())).reshape(out.shape), dtype=m.float64)
        (g,) = m.autograd.grad((out * w).sum(), y)
        return out, g, saved

    return case


UNPOOL3D_VALUES = {
    "batched": _unpool3d(),
    "unbatched": _unpool3d((2, 4, 4, 4)),
    "stride_padding": _unpool3d((1, 1, 5, 5, 5), k=3, s=2, p=1),
    "output_size": _unpool3d((1, 2, 5, 5, 4), output_size=(5, 5, 4)),
    "output_size_5": _unpool3d((1, 2, 5, 5, 4), output_size=[1, 2, 5, 5, 4]),
    "module": _unpool3d((1, 2, 5, 4, 4), k=(2, 2, 1), s=(2, 2, 1), module=True),
    "module_output_size": _unpool3d((2, 5, 4, 4), module=True, output_size=(5, 5, 4)),
    "empty_batch": lambda m: _F(m).max_unpool3d(*(lambda y, i: (y[:0], i[:0]))(*_pooled3d(m)), 2),
    "half": lambda m: _F(m).max_unpool3d(*(lambda y, i: (y.half(), i))(*_pooled3d(m)), 2),
}


@pytest.mark.parametrize("fn", params(UNPOOL3D_VALUES))
def test_max_unpool3d_value(fn):
    check_value(fn)


def test_max_unpool3d_double_backward_and_forward_mode_as_torch():
    got = []
    for m in (gs, torch):
        y, i = _pooled3d(m)
        out = _F(m).max_unpool3d(y, i, 2)
        (g,) = m.autograd.grad((out * out).sum(), y, create_graph=True)
        (gg,) = m.autograd.grad((g * g).sum(), y)
        _, t = m.func.jvp(lambda v, m=m, i=i: _F(m).max_unpool3d(v, i, 2), (y,), (y * 0 + 1,))
        got.append((g.grad_fn.name(), gg.detach().numpy(), t.detach().numpy()))
    assert got[0][0] == got[1][0]
    np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-12)
    np.testing.assert_array_equal(got[0][2], got[1][2])


def test_max_unpool3d_module_repr_as_torch():
    for m in (gs, torch):
        assert (
            repr(m.nn.MaxUnpool3d(2))
            == "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))"
        )
        assert (
            repr(m.nn.MaxUnpool3d((3, 2, 1), 2, 1))
            == "MaxUnpool3d(kernel_size=(3, 2, 1), stride=(2, 2, 2), padding=(1, 1, 1))"
        )


def _unpool3d_bad(fn):
    def case(m):
        y, i = _pooled3d(m)
        return fn(m, _F(m), y, i)

    return case


def _one_off(m, i, by):
    """``i`` with one index moved by ``by`` (with several bad ones, which torch's threads
    report varies)."""
    return i + (m.arange(i.numel()).reshape(i.shape) == 5).long() * by


UNPOOL3D_ERRORS = {
    "output_size_range": _unpool3d_bad(
        lambda m, F, y, i: F.max_unpool3d(y, i, 2, None, 0, (9,) * 3)
    ),
    "output_size_length": _unpool3d_bad(
        lambda m, F, y, i: F.max_unpool3d(y, i, 2, output_size=(4, 4))
    ),
    "negative_size": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y, i, 2, 1, 3)),
    "int32_indices": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y, i.int(), 2)),
    "int32_indices_3d_input": _unpool3d_bad(
        lambda m, F, y, i: F.max_unpool3d(y[0, 0], i[0, 0].int(), 2)
    ),
    "3d_input": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y[0, 0], i[0, 0], 2)),
    "6d_input": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y[None], i[None], 2)),
    "indices_shape": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y, i[:, :1], 2)),
    "empty_channels": _unpool3d_bad(
        lambda m, F, y, i: F.max_unpool3d(y[:, :0], i[:, :0], 2, stride=0)
    ),
    "zero_stride": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y.long(), i, 2, (1, 0, 1))),
    "integer_input": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y.long(), i + 100, 2)),
    "bool_input": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y.bool(), i, 2)),
    "index_too_big": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y, _one_off(m, i, 100), 2)),
    "index_negative": _unpool3d_bad(lambda m, F, y, i: F.max_unpool3d(y, _one_off(m, i, -100), 2)),
    "index_unbatched": _unpool3d_bad(
        lambda m, F, y, i: F.max_unpool3d(y[0], _one_off(m, i[0], 70), 2)
    ),
}


@pytest.mark.parametrize("fn", params(UNPOOL3D_ERRORS))
def test_max_unpool3d_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- fractional max pooling


def _frac(nd, shape, kernel, samples, return_indices=True, dtype=None, **kw):
    """``fractional_max_pool{nd}d`` with samples of ``samples``' shape, and its gradient."""

    def case(m):
        dt = dtype(m) if dtype else m.float64
        x = _x(m, shape, dtype=dt)
        pool = getattr(_F(m), f"fractional_max_pool{nd}d")
        u = _u(m, samples, dtype=dt)
        out = pool(x, kernel, return_indices=return_indices, _random_samples=u, **kw)
        y = out[0] if return_indices else out
        w = m.tensor(np.cos(np.arange(y.numel())).reshape(y.shape), dtype=dt)
        (g,) = m.autograd.grad((y * w).sum(), x)
        return out, g

    return case


def _ties(m):
    """Equal maxima (the first wins) and NaNs (the last wins) in torch's search order."""
    a = np.round(np.random.default_rng(4).standard_normal((1, 2, 7, 7)))
    a[0, 0, 1, 1] = a[0, 0, 3, 2] = a[0, 1, 5, 5] = np.nan
    x = m.tensor(a, requires_grad=True)
    out, idx = _F(m).fractional_max_pool2d(
        x, 3, 3, return_indices=True, _random_samples=m.full((1, 2, 2), 0.4, dtype=m.float64)
    )
    (g,) = m.autograd.grad(out.nansum(), x)
    return out, idx, g


FRACTIONAL_VALUES = {
    "2d": _frac(2, (2, 3, 9, 8), 2, (2, 3, 2), output_size=(4, 5)),
    "2d_rectangular_kernel": _frac(2, (1, 2, 9, 8), (3, 2), (1, 2, 2), output_size=5),
    "2d_unbatched": _frac(2, (3, 7, 9), 2, (1, 3, 2), output_size=(3, 4)),
    "2d_unbatched_more_samples": _frac(2, (3, 7, 9), 2, (4, 3, 2), output_size=(3, 4)),
    "2d_more_samples": _frac(2, (2, 1, 7, 9), 2, (3, 1, 2), output_size=(3, 4)),
    "2d_ratio": _frac(2, (2, 2, 10, 9), 2, (2, 2, 2), output_ratio=(0.5, 0.75)),
    "2d_ratio_list": _frac(2, (2, 2, 10, 9), 3, (2, 2, 2), output_ratio=[0.4, 0.6]),
    "2d_output_one": _frac(2, (1, 2, 6, 6), 3, (1, 2, 2), output_size=1),
    "2d_output_widest": _frac(2, (1, 1, 6, 7), 3, (1, 1, 2), output_size=(4, 5)),
    "2d_without_indices": _frac(2, (2, 2, 7, 7), 2, (2, 2, 2), False, output_size=3),
    "2d_float32": _frac(2, (2, 3, 11, 10), 3, (2, 3, 2), dtype=lambda m: m.float32, output_size=5),
    # float16 windows from float16 arithmetic; the values and indices (torch sums the
    # gradients of overlapping windows in float16, gradscope more precisely)
    "2d_half": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (1, 3, 11, 10), dtype=m.float16, rg=False),
        3,
        6,
        return_indices=True,
        _random_samples=_u(m, (1, 3, 2), dtype=m.float16),
    ),
    "3d_half": lambda m: _F(m).fractional_max_pool3d(
        _x(m, (1, 2, 9, 8, 7), dtype=m.float16, rg=False),
        2,
        (5, 3, 4),
        return_indices=True,
        _random_samples=_u(m, (1, 2, 3), dtype=m.float16),
    ),
    "2d_with_indices_fn": lambda m: _F(m).fractional_max_pool2d_with_indices(
        _x(m, (1, 2, 6, 6)), 2, 3, _random_samples=_u(m, (1, 2, 2))
    ),
    "2d_ties_and_nan": _ties,
    "2d_empty_batch": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (0, 2, 6, 6)), 2, 3, return_indices=True, _random_samples=_u(m, (1, 2, 2))
    ),
    "2d_empty_output": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (1, 2, 6, 6)), 2, 0, return_indices=True, _random_samples=_u(m, (1, 2, 2))
    ),
    "2d_empty_output_integers": lambda m: _F(m).fractional_max_pool2d(
        m.ones(1, 2, 6, 6).long(), 2, (0, 3), _random_samples=m.ones(1, 2, 2).long()
    ),
    "2d_zero_kernel": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (1, 1, 5, 5)),
        0,
        2,
        return_indices=True,
        _random_samples=m.full((1, 1, 2), 0.5, dtype=m.float64),
    ),
    "2d_negative_kernel": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (1, 1, 5, 5)),
        -1,
        2,
        return_indices=True,
        _random_samples=m.full((1, 1, 2), 0.5, dtype=m.float64),
    ),
    "2d_samples_outside_0_1": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (1, 2, 9, 9)), 2, 4, return_indices=True, _random_samples=_u(m, (1, 2, 2)) * 4 - 2
    ),
    "2d_tensor_sizes": lambda m: _F(m).fractional_max_pool2d(
        _x(m, (1, 2, 7, 7)), m.tensor(2), (m.tensor(3), 3), _random_samples=_u(m, (1, 2, 2))
    ),
    "3d": _frac(3, (2, 2, 6, 7, 8), 2, (2, 2, 3), output_size=(3, 4, 5)),
    "3d_rectangular_kernel": _frac(3, (1, 2, 6, 7, 8), (1, 2, 3), (1, 2, 3), output_size=4),
    "3d_unbatched": _frac(3, (2, 5, 6, 7), 2, (1, 2, 3), output_size=(2, 3, 4)),
    "3d_ratio_float": _frac(3, (1, 2, 8, 8, 9), 2, (1, 2, 3), output_ratio=0.5),
    "3d_ratio_four": _frac(3, (1, 2, 8, 8, 9), 2, (1, 2, 3), output_ratio=(0.5, 0.4, 0.6, 0.9)),
    "3d_float32": _frac(3, (1, 3, 7, 8, 9), 3, (1, 3, 3), dtype=lambda m: m.float32, output_size=4),
    "3d_without_indices": _frac(3, (1, 1, 5, 5, 5), 2, (1, 1, 3), False, output_size=3),
    "3d_with_indices_fn": lambda m: _F(m).fractional_max_pool3d_with_indices(
        _x(m, (1, 5, 5, 5)), 2, 2, _random_samples=_u(m, (1, 1, 3))
    ),
    "3d_empty_batch": lambda m: _F(m).fractional_max_pool3d(
        _x(m, (0, 1, 5, 5, 5)), 2, 2, _random_samples=_u(m, (1, 1, 3))
    ),
    "3d_zero_kernel": lambda m: _F(m).fractional_max_pool3d(
        _x(m, (1, 4, 4, 4)),
        0,
        2,
        return_indices=True,
        _random_samples=m.full((1, 1, 3), 0.2, dtype=m.float64),
    ),
    "2d_no_grad_samples_requiring_grad": lambda m: _no_grad_pool(m),
}


def _no_grad_pool(m):
    with m.no_grad():
        u = _u(m, (1, 1, 2)).requires_grad_()
        return _F(m).fractional_max_pool2d(_x(m, (1, 1, 5, 5)), 2, 2, _random_samples=u)


@pytest.mark.parametrize("fn", params(FRACTIONAL_VALUES))
def test_fractional_max_pool_value(fn):
    check_value(fn)


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_nodes_save_as_torch(nd):
    got = []
    for m in (gs, torch):
        x = _x(m, (2, 2) + (6,) * nd)
        pool = getattr(_F(m), f"fractional_max_pool{nd}d")
        out, idx = pool(x, 2, 3, return_indices=True, _random_samples=_u(m, (2, 2, nd)))
        node = out.grad_fn
        assert node._saved_self is x
        assert node._saved_result1.data_ptr() == idx.data_ptr()  # shared, as torch's
        got.append((node.name(), tuple(node._saved_kernel_size), tuple(node._saved_output_size)))
    assert got[0] == got[1] == (f"FractionalMaxPool{nd}DBackward0", (2,) * nd, (3,) * nd)


def test_fractional_max_pool_draws_samples_from_gradscopes_generator():
    """Without ``_random_samples``, each plane's samples come from ``gs.manual_seed``'s
    generator (its draws are not torch's), as ``rand(N, C, 2)`` in the input's dtype."""
    x = _x(gs, (2, 3, 9, 9), rg=False)
    F = gs.nn.functional
    gs.manual_seed(5)
    a, ia = F.fractional_max_pool2d(x, 2, output_size=4, return_indices=True)
    gs.manual_seed(5)
    u = gs.rand(2, 3, 2, dtype=gs.float64)
    b, ib = F.fractional_max_pool2d(x, 2, output_size=4, return_indices=True, _random_samples=u)
    assert np.array_equal(a.numpy(), b.numpy()) and np.array_equal(ia.numpy(), ib.numpy())
    gs.manual_seed(5)
    c = F.fractional_max_pool3d(_x(gs, (3, 5, 5, 5), rg=False), 2, output_ratio=0.5)
    assert tuple(c.shape) == (3, 2, 2, 2)
    assert gs.nn.FractionalMaxPool2d(2, output_ratio=0.5)(x).shape == (2, 3, 4, 4)


def test_fractional_max_pool_gradcheck():
    F = gs.nn.functional
    u2, u3 = _u(gs, (1, 2, 2)), _u(gs, (1, 1, 3))
    x2, x3 = _x(gs, (1, 2, 6, 7)), _x(gs, (1, 1, 4, 5, 5))
    assert gs.autograd.gradcheck(
        lambda t: F.fractional_max_pool2d(t, 2, (3, 4), _random_samples=u2), (x2,)
    )
    assert gs.autograd.gradgradcheck(
        lambda t: F.fractional_max_pool3d(t, 2, (2, 3, 3), _random_samples=u3), (x3,)
    )


def _bad(nd, shape=None, kernel=2, output_size=3, samples=None, **kw):
    def case(m):
        x = _x(m, shape or (2, 3) + (7,) * nd, rg=False)
        u = samples(m) if callable(samples) else _u(m, samples or (2, 3, nd))
        pool = getattr(_F(m), f"fractional_max_pool{nd}d")
        return pool(x, kernel, output_size, _random_samples=u, **kw)

    return case


def _long(m, shape):
    return m.ones(*shape).long()


FRACTIONAL_ERRORS = {
    "2d_no_size": _bad(2, output_size=None),
    "2d_ratio_three": _bad(2, output_size=None, output_ratio=(0.5, 0.5, 0.5)),
    "2d_ratio_float": _bad(2, output_size=None, output_ratio=0.5),
    "2d_ratio_one": _bad(2, output_size=None, output_ratio=[0.5]),
    "2d_kernel_three": _bad(2, kernel=(2, 2, 2)),
    "2d_output_three": _bad(2, output_size=(3, 3, 3)),
    "2d_kernel_one": _bad(2, kernel=(2,)),
    "2d_kernel_float": _bad(2, kernel=2.5),
    "2d_kernel_bool": _bad(2, kernel=True),
    "2d_kernel_str_element": _bad(2, kernel=(2, "a")),
    "2d_output_none_element": _bad(2, output_size=(3, None)),
    "2d_output_float_element": _bad(2, output_size=(3, 2.0)),
    "2d_samples_list": _bad(2, samples=lambda m: [[[0.5, 0.5]]] * 2),
    "2d_samples_require_grad": _bad(2, samples=lambda m: _u(m, (2, 3, 2)).requires_grad_()),
    "2d_pool_height": _bad(2, kernel=5, output_size=4),
    "2d_pool_width": _bad(2, kernel=(2, 5), output_size=4),
    "2d_2d_input": _bad(2, shape=(7, 7)),
    "2d_2d_input_drawn": _bad(2, shape=(7, 7), samples=lambda m: None),
    "2d_5d_input": _bad(2, shape=(1, 2, 3, 7, 7)),
    "2d_empty_channels": _bad(2, shape=(2, 0, 7, 7)),
    "2d_empty_height": _bad(2, shape=(2, 3, 0, 7)),
    "2d_negative_output": _bad(2, output_size=(3, -1)),
    "2d_negative_output_before_samples": _bad(2, output_size=-1, samples=(2, 3, 3)),
    "2d_samples_dtype": _bad(2, samples=lambda m: _u(m, (2, 3, 2), dtype=m.float32)),
    "2d_samples_2d": _bad(2, samples=(3, 2)),
    "2d_samples_batch": _bad(2, samples=(1, 3, 2)),
    "2d_samples_channels": _bad(2, samples=(2, 2, 2)),
    "2d_samples_three": _bad(2, samples=(2, 3, 3)),
    "2d_integers": lambda m: _F(m).fractional_max_pool2d(
        _long(m, (1, 2, 7, 7)), 2, 3, _random_samples=_long(m, (1, 2, 2))
    ),
    "2d_integers_float_samples": lambda m: _F(m).fractional_max_pool2d(
        _long(m, (1, 2, 7, 7)), 2, 3, _random_samples=_u(m, (1, 2, 2))
    ),
    "2d_integers_drawn": lambda m: _F(m).fractional_max_pool2d(_long(m, (1, 2, 7, 7)), 2, 3),
    "2d_bool": lambda m: _F(m).fractional_max_pool2d(
        m.ones(1, 2, 7, 7).bool(), 2, 3, _random_samples=m.ones(1, 2, 2).bool()
    ),
    "3d_no_size": _bad(3, output_size=None),
    "3d_ratio_two": _bad(3, output_size=None, output_ratio=(0.5, 0.5)),
    "3d_kernel_two": _bad(3, kernel=(2, 2)),
    "3d_output_two": _bad(3, output_size=(3, 3)),
    "3d_pool_time": _bad(3, shape=(1, 3, 5, 6, 7), output_size=(4, 3, 3), samples=(1, 3, 3)),
    "3d_pool_width_before_height": _bad(3, kernel=(1, 9, 9), samples=(1, 3, 3)),
    "3d_pool_height": _bad(3, kernel=(1, 7, 1), samples=(1, 3, 3)),
    "3d_3d_input": _bad(3, shape=(5, 6, 7)),
    "3d_empty_channels": _bad(3, shape=(2, 0, 5, 6, 7)),
    "3d_negative_output": _bad(3, output_size=-1),
    "3d_samples_dtype": _bad(3, samples=lambda m: _u(m, (2, 3, 3), dtype=m.float32)),
    "3d_samples_two": _bad(3, samples=(2, 3, 2)),
    "3d_samples_batch": _bad(3, samples=(1, 3, 3)),
    "3d_samples_channels": _bad(3, samples=(2, 1, 3)),
    "3d_integers": lambda m: _F(m).fractional_max_pool3d(
        _long(m, (1, 7, 7, 7)), 2, 3, _random_samples=_long(m, (1, 1, 3))
    ),
}


@pytest.mark.parametrize("fn", params(FRACTIONAL_ERRORS))
def test_fractional_max_pool_error(fn):
    check_error(fn)


def test_fractional_max_pool_empty_windows_backward_refused_as_torch():
    """A kernel below 1 gives empty windows, -inf pointing at each window's start (which
    can lie outside the input); torch's backward asserts on such an index, and so does
    gradscope's."""
    for m in (gs, torch):
        x = _x(m, (1, 1, 5, 5))
        u = m.full((1, 1, 2), 0.5, dtype=m.float64)
        out = _F(m).fractional_max_pool2d(x, 0, 2, _random_samples=u)
        with pytest.raises(RuntimeError, match=r"^index >= 0 && index < static_cast"):
            out.sum().backward()


def _module(cls, *args, x_shape, samples=None, **kw):
    def case(m):
        x = _x(m, x_shape)
        mod = getattr(m.nn, cls)(*args, _random_samples=_u(m, samples), **kw)
        out = mod(x)
        y = out[0] if isinstance(out, tuple) else out
        (g,) = m.autograd.grad(y.sum(), x)
        return out, g, repr(mod), sorted(n for n, _ in mod.named_buffers())

    return case


MODULE_VALUES = {
    "2d": _module("FractionalMaxPool2d", 2, x_shape=(2, 2, 7, 7), samples=(2, 2, 2), output_size=3),
    "2d_ratio_indices": _module(
        "FractionalMaxPool2d",
        (3, 2),
        x_shape=(2, 8, 7),
        samples=(1, 2, 2),
        output_ratio=0.5,
        return_indices=True,
    ),
    "3d": _module(
        "FractionalMaxPool3d", 2, x_shape=(1, 2, 5, 6, 6), samples=(1, 2, 3), output_size=3
    ),
    "3d_ratio": _module(
        "FractionalMaxPool3d", (1, 2, 2), x_shape=(2, 4, 6, 6), samples=(1, 2, 3), output_ratio=0.5
    ),
}


@pytest.mark.parametrize("fn", params(MODULE_VALUES))
def test_fractional_max_pool_module_value(fn):
    check_value(fn)


MODULE_ERRORS = {
    "2d_no_size": lambda m: m.nn.FractionalMaxPool2d(2),
    "2d_both": lambda m: m.nn.FractionalMaxPool2d(2, 3, 0.5),
    "2d_ratio_one": lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=1.0),
    "2d_ratio_zero": lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=(0.5, 0.0)),
    "3d_no_size": lambda m: m.nn.FractionalMaxPool3d(2),
    "3d_both": lambda m: m.nn.FractionalMaxPool3d(2, 3, 0.5),
    "3d_ratio": lambda m: m.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1.5)),
    "3d_zero_kernel": lambda m: m.nn.FractionalMaxPool3d(0, 3),
    "3d_negative_kernel_element": lambda m: m.nn.FractionalMaxPool3d((2, -1, 2), 3),
    "2d_samples_not_a_tensor": lambda m: m.nn.FractionalMaxPool2d(2, 3, _random_samples=[0.5]),
}


@pytest.mark.parametrize("fn", params(MODULE_ERRORS))
def test_fractional_max_pool_module_error(fn):
    check_error(fn)
