"""``F.interpolate``, its deprecated wrappers and the ``Upsample`` modules.

Without torch: float64 gradchecks of every mode (up- and downsampling, integer and
non-integer scales, align_corners both ways) and values worked out by hand. With torch
(the reference, 2.13 CPU): values (float32 and float64), gradients, the node each call
records and what it saves, warnings and error messages, over a grid of sizes and scales.

What torch 2.13 was measured to do, and gradscope does too:

- the output size is floor(size * scale); unless ``recompute_scale_factor=True`` the kernels
  use the given scale (1 / scale_factor) for the source index, not in / out;
- ``nearest`` on 3-d and 5-d input floors ``o * scale`` in forward, but its backward (and the
  4-d forward) copy for an unchanged size and take ``o // 2`` for a doubled one, whatever
  the scale: with ``scale_factor=1.1`` on 5 elements forward picks [0, 0, 1, 2, 3] and
  backward routes gradients as the identity;
- ``bicubic``'s backward copies the gradient when no dim changes size;
- the antialiased forward skips a dim that keeps its size.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, check_warns_as_torch, params

F = gs.nn.functional


def _x(m, shape, seed=0, dtype="float64", rg=True):
    a = np.random.default_rng(seed).standard_normal(shape)
    return m.tensor(a, dtype=getattr(m, dtype), requires_grad=rg)


# ---------------------------------------------------------------- gradchecks (no torch)

GRADCHECKS = [
    ((1, 2, 5), dict(scale_factor=2, mode="nearest")),
    ((1, 2, 5), dict(scale_factor=0.6, mode="nearest")),
    ((1, 2, 5), dict(size=7, mode="nearest-exact")),
    ((1, 2, 6), dict(scale_factor=0.5, mode="nearest-exact")),
    ((2, 1, 5), dict(scale_factor=1.7, mode="linear")),
    ((2, 1, 5), dict(scale_factor=1.7, mode="linear", align_corners=True)),
    ((2, 1, 7), dict(size=3, mode="linear")),
    ((1, 2, 3, 4), dict(scale_factor=(1.5, 0.5), mode="nearest")),
    ((1, 2, 3, 4), dict(size=(5, 3), mode="nearest-exact")),
    ((1, 2, 3, 4), dict(scale_factor=2.5, mode="bilinear")),
    ((1, 2, 3, 4), dict(scale_factor=2.5, mode="bilinear", align_corners=True)),
    ((1, 1, 6, 5), dict(size=(4, 2), mode="bilinear")),
    ((1, 1, 6, 5), dict(scale_factor=0.7, mode="bilinear", recompute_scale_factor=True)),
    ((1, 2, 3, 4), dict(scale_factor=1.6, mode="bicubic")),
    ((1, 2, 3, 4), dict(size=(5, 7), mode="bicubic", align_corners=True)),
    ((1, 1, 7, 6), dict(scale_factor=0.45, mode="bicubic")),
    ((1, 1, 7, 6), dict(size=(3, 4), mode="bilinear", antialias=True)),
    ((1, 1, 7, 6), dict(scale_factor=0.4, mode="bicubic", antialias=True)),
    ((1, 1, 4, 3), dict(size=(7, 5), mode="bicubic", antialias=True, align_corners=True)),
    ((1, 1, 2, 3, 2), dict(scale_factor=(1.5, 2, 0.5), mode="nearest")),
    ((1, 1, 2, 3, 2), dict(scale_factor=(1.5, 2, 0.5), mode="nearest-exact")),
    ((1, 1, 2, 3, 2), dict(size=(3, 2, 4), mode="trilinear")),
    ((1, 1, 2, 3, 2), dict(size=(3, 2, 4), mode="trilinear", align_corners=True)),
    ((1, 2, 5), dict(size=3, mode="area")),
    ((1, 2, 5, 4), dict(scale_factor=0.6, mode="area")),
    ((1, 1, 3, 4, 5), dict(size=(2, 3, 2), mode="area")),
]


@pytest.mark.parametrize("shape, kw", GRADCHECKS, ids=[str(k) for _, k in GRADCHECKS])
def test_gradcheck(shape, kw):
    x = _x(gs, shape)
    assert gs.autograd.gradcheck(lambda t: F.interpolate(t, **kw), (x,))


def test_nearest_picks_floor_of_o_times_the_given_scale():
    x = gs.arange(5.0).reshape(1, 1, 5)
    # scale 1 / 1.7 (the given one), not 5 / 8
    assert F.interpolate(x, scale_factor=1.7).flatten().tolist() == [0, 0, 1, 1, 2, 2, 3, 4]
    got = F.interpolate(x, scale_factor=1.7, recompute_scale_factor=True)  # 5 / 8
    assert got.flatten().tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    assert F.interpolate(x, size=3, mode="nearest-exact").flatten().tolist() == [0, 2, 4]


def test_bilinear_values_by_hand():
    x = gs.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    out = F.interpolate(x, scale_factor=2, mode="bilinear")
    np.testing.assert_allclose(out[0, 0, 0].numpy(), [0.0, 0.25, 0.75, 1.0])
    np.testing.assert_allclose(out[0, 0, :, 0].numpy(), [0.0, 0.5, 1.5, 2.0])
    out = F.interpolate(x, size=(2, 3), mode="bilinear", align_corners=True)
    np.testing.assert_allclose(out.numpy()[0, 0], [[0.0, 0.5, 1.0], [2.0, 2.5, 3.0]])


def test_bicubic_keeps_corners_with_align_corners_and_overshoots_without():
    x = gs.tensor([[[[0.0, 0.0, 1.0, 1.0]]]])
    ac = F.interpolate(x, size=(1, 7), mode="bicubic", align_corners=True).numpy().ravel()
    assert ac[0] == 0.0 and ac[-1] == 1.0 and ac[3] == pytest.approx(0.5)
    free = F.interpolate(x, size=(1, 8), mode="bicubic").numpy().ravel()
    assert free.min() < 0 and free.max() > 1  # Keys' kernel with A = -0.75 rings


def test_area_is_the_adaptive_average():
    x = gs.arange(6.0).reshape(1, 1, 6)
    np.testing.assert_allclose(F.interpolate(x, size=2, mode="area").numpy().ravel(), [1, 4])
    y = gs.arange(8.0).reshape(1, 1, 2, 2, 2)
    np.testing.assert_allclose(F.interpolate(y, size=(1, 1, 1), mode="area").item(), 3.5)


def test_antialias_downsampling_averages_neighbours():
    x = gs.tensor(np.arange(8.0).reshape(1, 1, 1, 8))
    out = F.interpolate(x, size=(1, 4), mode="bilinear", antialias=True)
    # triangle of half-width 2 around centres 1, 3, 5, 7; renormalised at the edges
    w0 = np.array([3, 3, 1]) / 7
    want = [w0 @ [0, 1, 2], 2.5, 4.5, 7 - w0 @ [0, 1, 2]]
    np.testing.assert_allclose(out.numpy().ravel(), want)


def test_nodes_save_sizes_and_scales_not_the_input():
    x = _x(gs, (1, 2, 5, 4))
    with gs.trace() as tr:
        y = F.interpolate(x, scale_factor=(1.7, 0.6), mode="bicubic")
    fn = y.grad_fn
    assert fn.name() == "UpsampleBicubic2DBackward0"
    assert fn._saved_output_size == (8, 2)
    assert (fn._saved_scales_h, fn._saved_scales_w) == (1.7, 0.6)
    assert fn._saved_align_corners is False
    assert fn._saved_self_sym_sizes == (1, 2, 5, 4)
    assert not [e for e in tr.events if e.kind == "tensor_saved"]
    y.sum().backward()
    assert x.grad.shape == x.shape


def test_no_grad_records_nothing_and_empty_batch_works():
    with gs.no_grad():
        assert F.interpolate(_x(gs, (1, 1, 3)), size=4).grad_fn is None
    x = gs.zeros(0, 2, 3, requires_grad=True)
    y = F.interpolate(x, size=5, mode="linear")
    assert y.shape == (0, 2, 5)
    y.sum().backward()
    assert x.grad.shape == (0, 2, 3)


def test_deprecated_wrappers_warn_and_forward():
    x = _x(gs, (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        a = F.upsample_bilinear(x, scale_factor=2)
    b = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    with pytest.warns(UserWarning, match="upsample_nearest` is deprecated"):
        F.upsample_nearest(x, 3)
    with pytest.warns(UserWarning, match="functional.upsample` is deprecated"):
        F.upsample(x, 3, mode="bicubic")


def test_modules_call_interpolate():
    x = _x(gs, (1, 1, 2, 2))
    out = gs.nn.UpsamplingBilinear2d(scale_factor=2)(x)
    assert out.grad_fn.name() == "UpsampleBilinear2DBackward0"
    assert out.grad_fn._saved_align_corners is True
    assert gs.nn.Upsample(size=(3, 1))(x).shape == (1, 1, 3, 1)


# ---------------------------------------------------------------- against torch


def _torch():
    return pytest.importorskip("torch", reason="torch is the reference for parity tests")


MODES = {
    3: ["nearest", "nearest-exact", "linear", "area"],
    4: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
    5: ["nearest", "nearest-exact", "trilinear", "area"],
}
SPATIAL = {
    3: [(1,), (3,), (5,), (8,)],
    4: [(1, 4), (3, 3), (5, 2), (8, 7)],
    5: [(2, 3, 4), (3, 1, 5)],
}
SCALES = [0.5, 0.7, 1.0, 1.1, 1.5, 2.0, 2.05, 2.5, 1 / 3]


def _grid():
    for nd, modes in MODES.items():
        for mode in modes:
            kws = [{}]
            if mode in ("linear", "bilinear", "bicubic", "trilinear"):
                kws.append({"align_corners": True})
            if mode in ("bilinear", "bicubic"):
                kws += [{"antialias": True}, {"antialias": True, "align_corners": True}]
            for kw in kws:
                yield pytest.param(nd, mode, kw, id=f"{nd}d-{mode}-{kw}")


def _both(m, nd, mode, spatial, dtype, C, **kw):
    x = _x(m, (2, C) + spatial, seed=sum(spatial), dtype=dtype)
    return x, m.nn.functional.interpolate(x, mode=mode, **kw)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("nd, mode, kw", list(_grid()))
def test_against_torch(nd, mode, kw, dtype):
    """Values, gradients, node and saved values over sizes x scales (recomputed too)."""
    torch = _torch()
    tol = dict(rtol=1.3e-6, atol=1e-5) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    rng = np.random.default_rng(0)
    checked = 0
    for spatial in SPATIAL[nd]:
        for s in SCALES:
            for extra in ({"scale_factor": s}, {"scale_factor": s, "recompute_scale_factor": True}):
                args = dict(kw, **extra)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        tx, ty = _both(torch, nd, mode, spatial, dtype, 3, **args)
                    except RuntimeError as e:  # an output size of 0
                        with pytest.raises(RuntimeError) as got:
                            _both(gs, nd, mode, spatial, dtype, 3, **args)
                        assert str(got.value) == str(e)
                        continue
                    gx, gy = _both(gs, nd, mode, spatial, dtype, 3, **args)
                if kw.get("antialias") and ty.shape[-1] == 1 and ty.shape[-2] > 1:
                    continue  # torch 2.13 repeats the first row there (see test below)
                where = f"{spatial} {args}"
                np.testing.assert_allclose(
                    gy.detach().numpy(), ty.detach().numpy(), **tol, err_msg=where
                )
                assert gy.grad_fn.name() == ty.grad_fn.name(), where
                for attr in (
                    "output_size",
                    "scales",
                    "scales_h",
                    "scales_w",
                    "scales_d",
                    "align_corners",
                    "self_sym_sizes",
                ):
                    want = getattr(ty.grad_fn, "_saved_" + attr, "absent")
                    got = getattr(gy.grad_fn, "_saved_" + attr, "absent")
                    if mode != "area":
                        assert got == want, f"{where} {attr}: torch {want}, gradscope {got}"
                if ty.numel() == 0:
                    continue
                seed = rng.standard_normal(tuple(ty.shape))
                ty.backward(torch.tensor(seed, dtype=ty.dtype))
                gy.backward(gs.tensor(seed, dtype=gy.dtype))
                np.testing.assert_allclose(gx.grad.numpy(), tx.grad.numpy(), **tol, err_msg=where)
                checked += 1
    assert checked > 10


@pytest.mark.parametrize("C", [1, 3])
def test_nearest_forward_and_backward_disagree_as_in_torch(C):
    """torch's nearest kernels special-case same and doubled sizes in backward (and in the
    4-d forward) only; gradscope gives the same values and gradients."""
    torch = _torch()
    for shape, sf in (((5,), 1.1), ((10,), 2.05), ((1, 5), (1, 2.05)), ((1, 1, 5), (1, 1, 1.1))):
        outs = []
        for m in (torch, gs):
            x = m.arange(float(C * np.prod(shape))).reshape(1, C, *shape).requires_grad_()
            y = m.nn.functional.interpolate(x, scale_factor=sf)
            y.backward(m.arange(1.0, y.numel() + 1).reshape(y.shape))
            outs.append((y.detach().numpy(), x.grad.numpy()))
        np.testing.assert_array_equal(outs[1][0], outs[0][0])
        np.testing.assert_array_equal(outs[1][1], outs[0][1])
    x = gs.arange(5.0).reshape(1, 1, 5).requires_grad_()
    y = F.interpolate(x, scale_factor=1.1)
    assert y.flatten().tolist() == [0, 0, 1, 2, 3]
    y.backward(gs.arange(1.0, 6.0).reshape(1, 1, 5))
    assert x.grad.flatten().tolist() == [1, 2, 3, 4, 5]


def test_antialias_output_width_one_is_a_torch_bug_gradscope_does_not_copy():
    """torch 2.13 (CPU) gives every output row the first row's value when the antialiased
    output is one column wide; gradscope computes each row."""
    torch = _torch()
    a = np.arange(16.0).reshape(1, 1, 8, 2)
    kw = dict(scale_factor=0.5, mode="bilinear", antialias=True)
    t = torch.nn.functional.interpolate(torch.tensor(a), **kw).numpy().ravel()
    g = F.interpolate(gs.tensor(a), **kw).numpy().ravel()
    assert np.all(t == t[0])
    np.testing.assert_allclose(g, [1.92857142857, 5.5, 9.5, 13.07142857143])


def test_graph_signature_matches_torch():
    torch = _torch()
    from tests.test_parity_torch import graph_signature

    for kw, shape in (
        (dict(size=3, mode="area"), (1, 2, 5)),
        (dict(size=(1, 1), mode="area"), (1, 2, 5, 4)),
        (dict(size=(1, 1, 1), mode="area"), (1, 1, 2, 3, 2)),
        (dict(size=(2, 2, 1), mode="area"), (1, 1, 2, 3, 2)),
        (dict(scale_factor=2, mode="bilinear"), (1, 2, 3, 3)),
    ):
        g = F.interpolate(_x(gs, shape) * 2, **kw)
        t = torch.nn.functional.interpolate(_x(torch, shape) * 2, **kw)
        assert graph_signature(g) == graph_signature(t), kw


def _r(*shape):
    return lambda m: _x(m, shape, dtype="float32", rg=False)


ERRORS = {
    "align_corners_nearest": lambda m: m.nn.functional.interpolate(
        _r(1, 1, 3)(m), size=4, align_corners=True
    ),
    "align_corners_area": lambda m: m.nn.functional.interpolate(
        _r(1, 1, 3)(m), size=4, mode="area", align_corners=False
    ),
    "size_and_scale": lambda m: m.nn.functional.interpolate(_r(1, 1, 3)(m), 4, 2.0),
    "no_size_no_scale": lambda m: m.nn.functional.interpolate(_r(1, 1, 3)(m)),
    "size_length": lambda m: m.nn.functional.interpolate(_r(1, 2, 5, 4)(m), size=(3,)),
    "size_float": lambda m: m.nn.functional.interpolate(_r(1, 2, 5, 4)(m), size=(3.0, 2)),
    "scale_length": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5, 4)(m), scale_factor=(2, 2, 2)
    ),
    "recompute_with_size": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5, 4)(m), size=3, recompute_scale_factor=True
    ),
    "antialias_nearest": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5, 4)(m), 3, antialias=True
    ),
    "antialias_linear": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5)(m), 3, mode="linear", antialias=True
    ),
    "bilinear_3d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5)(m), 3, mode="bilinear"),
    "trilinear_3d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5)(m), 3, mode="trilinear"),
    "linear_4d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5, 4)(m), 3, mode="linear"),
    "trilinear_4d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5, 4)(m), 3, mode="trilinear"),
    "linear_5d": lambda m: m.nn.functional.interpolate(_r(1, 1, 2, 2, 2)(m), 3, mode="linear"),
    "bilinear_5d": lambda m: m.nn.functional.interpolate(_r(1, 1, 2, 2, 2)(m), 3, mode="bilinear"),
    "bicubic_3d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5)(m), 3, mode="bicubic"),
    "nearest_2d": lambda m: m.nn.functional.interpolate(_r(2, 5)(m), 3),
    "nearest_2d_list": lambda m: m.nn.functional.interpolate(_r(2, 5)(m), [3]),
    "unknown_mode": lambda m: m.nn.functional.interpolate(_r(1, 2, 5, 4)(m), 3, mode="foo"),
    "size_0_2d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5, 4)(m), (0, 3)),
    "size_negative_1d": lambda m: m.nn.functional.interpolate(_r(1, 2, 5)(m), -1),
    "scale_too_small_1d": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5)(m), scale_factor=0.1, mode="linear"
    ),
    "scale_too_small_3d": lambda m: m.nn.functional.interpolate(
        _r(1, 1, 3, 4, 5)(m), scale_factor=0.1, mode="trilinear"
    ),
    "scale_negative": lambda m: m.nn.functional.interpolate(_r(1, 2, 5)(m), scale_factor=-2.0),
    "empty_spatial": lambda m: m.nn.functional.interpolate(_r(1, 2, 0, 3)(m), 4, mode="bicubic"),
    "empty_channels": lambda m: m.nn.functional.interpolate(_r(1, 0, 3)(m), 4, mode="linear"),
    "empty_channels_aa": lambda m: m.nn.functional.interpolate(
        _r(1, 0, 3, 3)(m), 2, mode="bilinear", antialias=True
    ),
    "int_nearest_1d": lambda m: m.nn.functional.interpolate(m.arange(4).reshape(1, 1, 4), 3),
    "int_nearest_2d": lambda m: m.nn.functional.interpolate(m.ones(1, 2, 2, 2, dtype=m.int64), 3),
    "int_bilinear": lambda m: m.nn.functional.interpolate(
        m.ones(1, 2, 2, 2, dtype=m.int64), 3, mode="bilinear"
    ),
    "int_bicubic": lambda m: m.nn.functional.interpolate(
        m.ones(1, 2, 2, 2, dtype=m.int64), 3, mode="bicubic"
    ),
    "bool_trilinear": lambda m: m.nn.functional.interpolate(
        m.ones(1, 1, 2, 2, 2, dtype=m.bool), 3, mode="trilinear"
    ),
    "int_antialias": lambda m: m.nn.functional.interpolate(
        m.ones(1, 2, 2, 2, dtype=m.int64), 3, mode="bicubic", antialias=True
    ),
    "int_area_3d": lambda m: m.nn.functional.interpolate(
        m.ones(1, 1, 2, 2, 2, dtype=m.int32), 2, mode="area"
    ),
    "int_area_3d_mean": lambda m: m.nn.functional.interpolate(
        m.ones(1, 1, 2, 2, 2, dtype=m.int32), 1, mode="area"
    ),
    "lanczos_without_antialias": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5, 4)(m), 3, mode="lanczos"
    ),
    "lanczos_align_corners": lambda m: m.nn.functional.interpolate(
        _r(1, 2, 5, 4)(m), 3, mode="lanczos", antialias=True, align_corners=True
    ),
    "scale_overflow": lambda m: m.nn.functional.interpolate(_r(1, 2, 5)(m), scale_factor=1e20),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    _torch()
    check_error(fn)


VALUES = {
    "size_numpy_int": lambda m: m.nn.functional.interpolate(_r(1, 2, 3)(m), [np.int64(5)]),
    "size_int_tensor": lambda m: m.nn.functional.interpolate(_r(1, 2, 3)(m), m.tensor(5)),
    "area_scale_is_recomputed": lambda m: m.nn.functional.interpolate(
        _x(m, (1, 2, 7, 5)), scale_factor=0.6, mode="area"
    ),
    "area_mean_3d": lambda m: m.nn.functional.interpolate(
        _x(m, (1, 2, 2, 3, 2)), size=1, mode="area"
    ),
    "area_zero_size_1d": lambda m: m.nn.functional.interpolate(
        _x(m, (1, 2, 5)), scale_factor=0.1, mode="area"
    ),
    "empty_batch_nearest": lambda m: m.nn.functional.interpolate(_x(m, (0, 2, 3)), size=4),
    "float16_nearest": lambda m: m.nn.functional.interpolate(
        _x(m, (1, 2, 3), dtype="float16", rg=False), scale_factor=1.5
    ),
    "Upsample_module": lambda m: m.nn.Upsample(scale_factor=(1.5, 2), mode="bicubic")(
        _x(m, (1, 2, 3, 2))
    ),
    "UpsamplingNearest2d": lambda m: m.nn.UpsamplingNearest2d(size=(3, 5))(_x(m, (1, 2, 2, 2))),
    "UpsamplingBilinear2d": lambda m: m.nn.UpsamplingBilinear2d(scale_factor=2)(
        _x(m, (1, 2, 2, 3))
    ),
    "Upsample_recompute": lambda m: m.nn.Upsample(
        scale_factor=1.7, mode="linear", recompute_scale_factor=True
    )(_x(m, (1, 2, 5))),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    _torch()
    check_value(fn)


WARNINGS = {
    "upsample": lambda m: m.nn.functional.upsample(_r(1, 1, 3)(m), 4),
    "upsample_nearest": lambda m: m.nn.functional.upsample_nearest(_r(1, 1, 3, 3)(m), 4),
    "upsample_bilinear": lambda m: m.nn.functional.upsample_bilinear(_r(1, 1, 3, 3)(m), 4),
    "no_warning_interpolate": lambda m: m.nn.functional.interpolate(
        _r(1, 1, 3, 3)(m), scale_factor=1.5, mode="bilinear"
    ),
    "no_warning_modules": lambda m: (
        m.nn.UpsamplingNearest2d(scale_factor=2)(_r(1, 1, 3, 3)(m)),
        m.nn.UpsamplingBilinear2d(scale_factor=2)(_r(1, 1, 3, 3)(m)),
    ),
}


@pytest.mark.parametrize("fn", params(WARNINGS))
def test_warnings(fn):
    _torch()
    check_warns_as_torch(fn)


def test_warning_texts_are_torchs():
    torch = _torch()
    from tests.parity import warnings_of

    for name in ("upsample", "upsample_nearest", "upsample_bilinear"):
        assert warnings_of(WARNINGS[name], gs) == warnings_of(WARNINGS[name], torch)


MODULES = [
    lambda m: m.nn.Upsample(scale_factor=2),
    lambda m: m.nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
    lambda m: m.nn.Upsample(scale_factor=(1, 2.5), mode="nearest-exact"),
    lambda m: m.nn.Upsample(size=5, mode="linear", recompute_scale_factor=False),
    lambda m: m.nn.UpsamplingNearest2d(size=3),
    lambda m: m.nn.UpsamplingBilinear2d(scale_factor=(2, 3)),
]


@pytest.mark.parametrize("build", MODULES)
def test_module_repr_and_attributes(build):
    torch = _torch()
    g, t = build(gs), build(torch)
    assert repr(g) == repr(t)
    for attr in ("name", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"):
        assert getattr(g, attr) == getattr(t, attr), attr
    assert list(g.state_dict()) == list(t.state_dict()) == []
