"""Normalisation layers, activations and containers of ``gs.nn`` against torch's: errors,
reprs, parameter and state_dict keys, running statistics over a few training steps, eval
mode, and a small model's gradients with torch's weights copied in."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _F(m):  # noqa: N802
    return m.nn.functional


def _x(m, shape, seed=0, rg=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    return m.tensor(a, dtype=m.float32, requires_grad=rg)


def _copy_into_torch(gmod, tmod) -> None:
    state = {k: torch.tensor(v.numpy()) for k, v in gmod.state_dict().items()}
    tmod.load_state_dict(state)


def _close(g, t, tol=1e-5) -> None:
    assert tuple(g.shape) == tuple(t.shape)
    np.testing.assert_allclose(
        np.asarray(g.detach().numpy(), np.float64), t.detach().numpy(), rtol=tol, atol=tol
    )


# ---------------------------------------------------------------- errors

ERRORS = {
    "bn_one_value_per_channel": lambda m: _F(m).batch_norm(
        _x(m, (1, 3)), None, None, training=True
    ),
    "bn_running_mean_size": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), m.zeros(4), m.ones(3), training=True
    ),
    "bn_running_var_size": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), m.zeros(3), m.ones(4), training=True
    ),
    "bn_weight_size": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), m.zeros(3), m.ones(3), m.ones(4), training=True
    ),
    "bn_bias_size": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), None, None, None, m.ones(2), training=True
    ),
    "bn_eval_without_stats": lambda m: _F(m).batch_norm(_x(m, (4, 3)), None, None),
    "bn_zero_eps_training": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), None, None, training=True, eps=0.0
    ),
    "bn_negative_eps_training": lambda m: _F(m).batch_norm(
        _x(m, (4, 5)), None, None, training=True, eps=-1
    ),
    "bn_negative_eps_eval": lambda m: _F(m).batch_norm(_x(m, (4, 3)), None, None, eps=-1.0),
    "bn_module_zero_eps": lambda m: m.nn.BatchNorm1d(3, eps=0.0)(_x(m, (4, 3))),
    "bn_1d_input": lambda m: _F(m).batch_norm(_x(m, (3,)), None, None, training=True),
    "bn_long_input": lambda m: _F(m).batch_norm(
        m.ones(4, 3, dtype=m.int64), None, None, training=True
    ),
    "bn_mixed_dtype": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64), training=True
    ),
    "bn_momentum_none": lambda m: _F(m).batch_norm(
        _x(m, (4, 3)), m.zeros(3), m.ones(3), training=True, momentum=None
    ),
    "BatchNorm1d_4d": lambda m: m.nn.BatchNorm1d(3)(_x(m, (2, 3, 2, 2))),
    "BatchNorm2d_3d": lambda m: m.nn.BatchNorm2d(3)(_x(m, (2, 3, 2))),
    "BatchNorm1d_one_sample": lambda m: m.nn.BatchNorm1d(3)(_x(m, (1, 3))),
    "bn_saved_running_mean_modified": lambda m: _bn_then_write(m),
    "gn_groups_divide": lambda m: _F(m).group_norm(_x(m, (2, 6, 3)), 4),
    "gn_weight_size": lambda m: _F(m).group_norm(_x(m, (2, 6, 3)), 3, m.ones(5)),
    "gn_bias_size_no_weight": lambda m: _F(m).group_norm(_x(m, (2, 6, 3)), 3, None, m.ones(5)),
    "gn_bias_size": lambda m: _F(m).group_norm(_x(m, (2, 6, 3)), 3, m.ones(6), m.ones(5)),
    "gn_1d": lambda m: _F(m).group_norm(_x(m, (6,)), 3),
    "gn_one_value": lambda m: _F(m).group_norm(_x(m, (1, 3)), 3),
    "gn_long": lambda m: _F(m).group_norm(m.ones(2, 6, dtype=m.int64), 3),
    "gn_mixed_dtype": lambda m: _F(m).group_norm(_x(m, (2, 6)), 3, m.ones(6, dtype=m.float64)),
    "GroupNorm_groups_divide": lambda m: m.nn.GroupNorm(4, 6),
    "rms_shape": lambda m: _F(m).rms_norm(_x(m, (3, 4)), (3,)),
    "rms_shape_2d": lambda m: _F(m).rms_norm(_x(m, (3, 4)), (2, 4)),
    "rms_weight_shape": lambda m: _F(m).rms_norm(_x(m, (3, 4)), (4,), m.ones(3)),
    "rms_long": lambda m: _F(m).rms_norm(m.ones(3, 4, dtype=m.int64), (4,)),
    "rms_int_shape": lambda m: _F(m).rms_norm(_x(m, (3, 4)), 4),
    "cos_broadcast": lambda m: _F(m).cosine_similarity(_x(m, (3, 4)), _x(m, (2, 4))),
    "cos_dim": lambda m: _F(m).cosine_similarity(_x(m, (3, 4)), _x(m, (3, 4)), dim=2),
    "cos_long": lambda m: _F(m).cosine_similarity(
        m.ones(3, dtype=m.int64), m.ones(3, dtype=m.int64)
    ),
    "normalize_dim": lambda m: _F(m).normalize(_x(m, (3, 4)), dim=2),
    "mish_long": lambda m: _F(m).mish(m.ones(3, dtype=m.int64)),
    "hardswish_long": lambda m: _F(m).hardswish(m.ones(3, dtype=m.int64)),
    "hardsigmoid_long": lambda m: _F(m).hardsigmoid(m.ones(3, dtype=m.int64)),
    "softmin_long": lambda m: _F(m).softmin(m.ones(3, dtype=m.int64), 0),
    "Hardtanh_bounds": lambda m: m.nn.Hardtanh(1.0, 1.0),
}


def _bn_then_write(m):
    rm = m.zeros(3)
    y = _F(m).batch_norm(_x(m, (4, 3), rg=True), rm, m.ones(3))
    rm.add_(1)
    y.sum().backward()


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


# ---------------------------------------------------------------- values

VALUES = {
    "bn_train_updates_running_stats": lambda m: _bn_stats(m, 0.1),
    "bn_train_momentum_one": lambda m: _bn_stats(m, 1.0),
    "bn_running_stats_keep_version": lambda m: _bn_stats(m, 0.1)[0]._version,
    "bn_empty_batch": lambda m: _F(m).batch_norm(_x(m, (0, 3)), None, None, training=True),
    "bn_eval_empty_saved": lambda m: (
        _F(m).batch_norm(_x(m, (4, 3), rg=True), m.zeros(3), m.ones(3)).grad_fn._saved_result1
    ),
    "bn_saved_none": lambda m: (
        _F(m).batch_norm(_x(m, (4, 3), rg=True), None, None, training=True).grad_fn._saved_weight,
        _F(m)
        .batch_norm(_x(m, (4, 3), rg=True), None, None, training=True)
        .grad_fn._saved_running_var,
    ),
    "bn_saved_scalars": lambda m: (
        _F(m).batch_norm(_x(m, (4, 3), rg=True), None, None, training=True).grad_fn._saved_eps,
        _F(m).batch_norm(_x(m, (4, 3), rg=True), None, None, training=True).grad_fn._saved_training,
    ),
    "bn_eval_grad_of_weight_only": lambda m: _bn_weight_grad(m),
    "rms_default_eps_float64": lambda m: _F(m).rms_norm(
        m.zeros(2, 3, dtype=m.float64) + 1e-9, (3,)
    ),
    "rms_default_eps_float32": lambda m: _F(m).rms_norm(m.zeros(2, 3) + 1e-4, (3,)),
    "normalize_zero_row": lambda m: _F(m).normalize(m.zeros(2, 3)),
    "cos_zero_vector": lambda m: _F(m).cosine_similarity(m.zeros(2, 3), _x(m, (2, 3))),
    "CosineSimilarity_module": lambda m: m.nn.CosineSimilarity(0, 1e-6)(
        _x(m, (3, 2)), _x(m, (3, 2), 1)
    ),
    "RMSNorm_module": lambda m: m.nn.RMSNorm([2, 3])(_x(m, (4, 2, 3), rg=True)),
    "activation_modules": lambda m: [
        mod(_x(m, (3, 4), rg=True) * 4)
        for mod in (
            m.nn.ELU(0.5),
            m.nn.ELU(inplace=True),
            m.nn.Softplus(2, 1.0),
            m.nn.Hardtanh(-2, 3),
            m.nn.ReLU6(),
            m.nn.ReLU6(True),
            m.nn.SELU(),
            m.nn.SELU(True),
            m.nn.Mish(),
            m.nn.Hardsigmoid(),
            m.nn.Hardswish(True),
            m.nn.Softsign(),
            m.nn.Tanhshrink(),
            m.nn.Softmin(0),
        )
    ],
    "softmin_implicit_dim": lambda m: _F(m).softmin(_x(m, (3, 4))),
}


def _bn_stats(m, momentum):
    rm, rv = m.zeros(3), m.ones(3)
    for seed in range(3):
        _F(m).batch_norm(_x(m, (5, 3, 2), seed), rm, rv, training=True, momentum=momentum)
    return rm, rv


def _bn_weight_grad(m):
    w = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = _F(m).batch_norm(_x(m, (4, 3)), m.zeros(3) + 0.5, m.ones(3) * 2, w)
    y.pow(2).sum().backward()
    return y, w.grad


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


# ---------------------------------------------------------------- modules


@pytest.mark.parametrize(
    "build",
    [
        lambda m: m.nn.BatchNorm1d(3),
        lambda m: m.nn.BatchNorm1d(4, eps=1e-3, momentum=None, affine=False),
        lambda m: m.nn.BatchNorm2d(2, track_running_stats=False),
        lambda m: m.nn.BatchNorm2d(2, bias=False),
        lambda m: m.nn.GroupNorm(3, 6),
        lambda m: m.nn.GroupNorm(2, 4, eps=1e-3, affine=False),
        lambda m: m.nn.GroupNorm(1, 4, bias=False),
        lambda m: m.nn.RMSNorm(4),
        lambda m: m.nn.RMSNorm([2, 4], eps=1e-3, elementwise_affine=False),
        lambda m: m.nn.CosineSimilarity(dim=0, eps=1e-6),
        lambda m: m.nn.Sequential(
            m.nn.ELU(),
            m.nn.ELU(0.5, True),
            m.nn.Softplus(2, 10),
            m.nn.Hardtanh(),
            m.nn.Hardtanh(-2, 3, True),
            m.nn.ReLU6(),
            m.nn.ReLU6(True),
            m.nn.SELU(),
            m.nn.SELU(True),
            m.nn.Mish(),
            m.nn.Mish(True),
            m.nn.Hardsigmoid(True),
            m.nn.Hardswish(),
            m.nn.Softsign(),
            m.nn.Tanhshrink(),
            m.nn.Softmin(1),
        ),
    ],
)
def test_module_repr_and_keys(build):
    g, t = build(gs), build(torch)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in g.named_buffers()] == [n for n, _ in t.named_buffers()]


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (5, 3)), ("BatchNorm2d", (4, 3, 2, 2))])
def test_batchnorm_steps_then_eval(cls, shape, momentum):
    """Three training steps (running stats, num_batches_tracked, gradients), then eval."""
    mods = [getattr(m.nn, cls)(3, momentum=momentum) for m in (gs, torch)]
    for seed in range(3):
        outs = []
        for m, mod in zip((gs, torch), mods):
            x = _x(m, shape, seed, rg=True)
            y = mod(x)
            (y * y * _x(m, shape, seed + 10)).sum().backward()
            outs.append((y, x.grad, mod.weight.grad, mod.bias.grad))
        for a, b in zip(*outs):
            _close(a, b, 1e-4)
    g, t = mods
    assert int(g.num_batches_tracked) == int(t.num_batches_tracked) == 3
    _close(g.running_mean, t.running_mean)
    _close(g.running_var, t.running_var)
    for mod in mods:
        mod.eval()
    _close(g(_x(gs, shape, 9)), t(_x(torch, shape, 9)))
    assert int(g.num_batches_tracked) == 3


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    ys = []
    for m in (gs, torch):
        mod = m.nn.BatchNorm1d(3, track_running_stats=False).eval()
        ys.append(mod(_x(m, (4, 3))))
    _close(*ys)


@pytest.mark.parametrize("norm", ["BatchNorm1d", "GroupNorm"])
def test_small_model_training_step_matches_torch(norm):
    def build(m):
        layer = m.nn.BatchNorm1d(6) if norm == "BatchNorm1d" else m.nn.GroupNorm(3, 6)
        return m.nn.Sequential(m.nn.Linear(4, 6), layer, m.nn.ReLU(), m.nn.Linear(6, 2))

    g, t = build(gs), build(torch)
    _copy_into_torch(g, t)
    for m, mod in ((gs, g), (torch, t)):
        loss = _F(m).cross_entropy(mod(_x(m, (8, 4), 1)), m.tensor([0, 1, 1, 0, 1, 0, 0, 1]))
        loss.backward()
    for (n, p), (tn, tp) in zip(g.named_parameters(), t.named_parameters()):
        assert n == tn
        _close(p.grad, tp.grad, 1e-4)
    for k, v in g.state_dict().items():
        _close(v, t.state_dict()[k])


def test_hardsigmoid_gradcheck():
    """First order by finite differences (torch has no second order to compare with)."""
    x = gs.tensor(np.random.default_rng(3).uniform(-5, 5, (4, 3)), requires_grad=True)
    assert gs.autograd.gradcheck(gs.nn.functional.hardsigmoid, (x,))
