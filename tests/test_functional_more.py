"""The margin, embedding and likelihood losses, channel and alpha dropout, instance and
local response normalisation and the pixel and channel shuffles of ``gs.nn``: modules
against torch's (repr, parameters, buffers, state_dict, values), the warnings of the
deprecated arguments, first-order gradchecks where torch has no second derivative to
compare with, and dropout's statistics (its masks cannot equal torch's).

The ops themselves (values, gradients, graphs, saved tensors, errors) are in
``tests/op_cases.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, check_value, check_warns_as_torch, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _F(m):  # noqa: N802
    return m.nn.functional


def _x(m, shape, seed=0, rg=False, dtype=None):
    a = np.random.default_rng(seed).standard_normal(shape)
    return m.tensor(a, dtype=dtype or m.float32, requires_grad=rg)


def _signs(m, n):
    return m.tensor([1.0, -1.0, 1.0, 1.0, -1.0][:n])


# ---------------------------------------------------------------- modules

MODULES = [
    lambda m: m.nn.MarginRankingLoss(0.5),
    lambda m: m.nn.HingeEmbeddingLoss(margin=2.0, reduction="sum"),
    lambda m: m.nn.SoftMarginLoss(),
    lambda m: m.nn.MultiLabelSoftMarginLoss(m.ones(3) * 0.5),
    lambda m: m.nn.MultiMarginLoss(p=2, margin=0.5, weight=m.tensor([1.0, 2.0, 0.5])),
    lambda m: m.nn.MultiMarginLoss(),
    lambda m: m.nn.MultiLabelMarginLoss(reduction="none"),
    lambda m: m.nn.CosineEmbeddingLoss(0.1),
    lambda m: m.nn.PoissonNLLLoss(log_input=False, full=True),
    lambda m: m.nn.GaussianNLLLoss(full=True, eps=1e-3),
    lambda m: m.nn.Sequential(
        m.nn.Dropout1d(),
        m.nn.Dropout2d(0.3),
        m.nn.Dropout3d(0.1, True),
        m.nn.AlphaDropout(0.2),
        m.nn.FeatureAlphaDropout(0.4, True),
        m.nn.LogSigmoid(),
        m.nn.Softmax2d(),
    ),
    lambda m: m.nn.InstanceNorm1d(3),
    lambda m: m.nn.InstanceNorm1d(4, eps=1e-3, momentum=None, affine=True),
    lambda m: m.nn.InstanceNorm2d(2, affine=True, track_running_stats=True, bias=False),
    lambda m: m.nn.LocalResponseNorm(3, 1e-3, 0.5, 2.0),
    lambda m: m.nn.Sequential(m.nn.PixelShuffle(2), m.nn.PixelUnshuffle(3), m.nn.ChannelShuffle(2)),
    lambda m: m.nn.Unfold(2, padding=1),
    lambda m: m.nn.Fold((3, 3), 2, stride=(1, 2)),
]


@pytest.mark.parametrize("build", MODULES)
def test_module_repr_and_keys(build):
    g, t = build(gs), build(torch)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in g.named_buffers()] == [n for n, _ in t.named_buffers()]
    for k, v in g.state_dict().items():
        np.testing.assert_allclose(v.numpy(), t.state_dict()[k].numpy())


VALUES = {
    "MarginRankingLoss": lambda m: m.nn.MarginRankingLoss(0.5, reduction="none")(
        _x(m, 5, rg=True), _x(m, 5, 1, rg=True), _signs(m, 5)
    ),
    "HingeEmbeddingLoss": lambda m: m.nn.HingeEmbeddingLoss(0.5)(_x(m, 5, rg=True), _signs(m, 5)),
    "SoftMarginLoss": lambda m: m.nn.SoftMarginLoss(reduction="sum")(
        _x(m, 5, rg=True), _signs(m, 5)
    ),
    "MultiLabelSoftMarginLoss": lambda m: m.nn.MultiLabelSoftMarginLoss(m.ones(3) * 0.5)(
        _x(m, (2, 3), rg=True), m.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    ),
    "MultiMarginLoss": lambda m: m.nn.MultiMarginLoss(2, 0.5, m.tensor([1.0, 2.0, 0.5]))(
        _x(m, (2, 3), rg=True), m.tensor([2, 0])
    ),
    "MultiLabelMarginLoss": lambda m: m.nn.MultiLabelMarginLoss(reduction="none")(
        _x(m, (2, 3), rg=True), m.tensor([[2, -1, 0], [0, 1, -1]])
    ),
    "CosineEmbeddingLoss": lambda m: m.nn.CosineEmbeddingLoss(0.1)(
        _x(m, (2, 3), rg=True), _x(m, (2, 3), 1), m.tensor([1.0, -1.0])
    ),
    "PoissonNLLLoss": lambda m: m.nn.PoissonNLLLoss()(_x(m, (2, 3), rg=True), m.ones(2, 3) * 2),
    "GaussianNLLLoss": lambda m: m.nn.GaussianNLLLoss()(
        _x(m, (2, 3), rg=True), _x(m, (2, 3), 1), m.ones(2, 1) * 0.5
    ),
    "legacy_size_average": lambda m: _F(m).soft_margin_loss(
        _x(m, 5, rg=True), _signs(m, 5), size_average=False
    ),
    "legacy_reduce_multilabel_soft": lambda m: _F(m).multilabel_soft_margin_loss(
        _x(m, (2, 3), rg=True), m.ones(2, 3), reduce=False
    ),
    "legacy_reduce_poisson": lambda m: _F(m).poisson_nll_loss(
        _x(m, 3, rg=True), m.ones(3), reduce=False
    ),
    "multi_margin_0d_target_none": lambda m: _F(m).multi_margin_loss(
        _x(m, (1, 3), rg=True), m.tensor(1), reduction="none"
    ),
    "multi_margin_1d_target_none": lambda m: _F(m).multi_margin_loss(
        _x(m, 3, rg=True), m.tensor([1]), reduction="none"
    ),
    "multilabel_margin_saved_is_target": lambda m: (
        _F(m)
        .multilabel_margin_loss(_x(m, (2, 3), rg=True), m.tensor([[2, -1, 0], [0, 1, 2]]))
        .grad_fn._saved_is_target
    ),
    "InstanceNorm1d_unbatched": lambda m: m.nn.InstanceNorm1d(3, affine=True)(
        _x(m, (3, 5), rg=True)
    ),
    "InstanceNorm2d_eval_running_stats": lambda m: _instance_norm_steps(m),
    "local_response_norm_empty": lambda m: _F(m).local_response_norm(m.ones(0, 3, 2), 2),
    "LocalResponseNorm_module": lambda m: m.nn.LocalResponseNorm(2)(_x(m, (2, 5, 3), rg=True)),
    "pixel_shuffle_int64": lambda m: _F(m).pixel_shuffle(m.arange(16).reshape(1, 4, 2, 2), 2),
    "shuffle_modules": lambda m: m.nn.ChannelShuffle(2)(
        m.nn.PixelUnshuffle(2)(m.nn.PixelShuffle(2)(_x(m, (1, 8, 2, 2), rg=True)))
    ),
    "Unfold_Fold_modules": lambda m: m.nn.Fold((4, 4), 2, padding=1)(
        m.nn.Unfold(2, padding=1)(_x(m, (1, 2, 4, 4), rg=True))
    ),
    "soft_margin_empty_mean": lambda m: _F(m).soft_margin_loss(m.ones(0), m.ones(0)),
    "soft_margin_long_target": lambda m: _F(m).soft_margin_loss(
        _x(m, 3, rg=True), m.tensor([1, -1, 1])
    ),
    "gaussian_var_broadcast_dim": lambda m: _F(m).gaussian_nll_loss(
        _x(m, (2, 3, 2), rg=True), _x(m, (2, 3, 2), 1), m.ones(2, 1, 2, requires_grad=True)
    ),
}


def _instance_norm_steps(m):
    mod = m.nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.2)
    for seed in range(3):
        (mod(_x(m, (2, 3, 2, 2), seed)) * _x(m, (2, 3, 2, 2), seed + 10)).sum().backward()
    mod.eval()
    return (
        mod(_x(m, (2, 3, 2, 2), 7)),
        mod.running_mean,
        mod.running_var,
        mod.num_batches_tracked,
        mod.running_mean._version,
        mod.weight.grad,
        mod.bias.grad,
    )


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


ERRORS = {
    "unfold_5d": lambda m: _F(m).unfold(m.ones(1, 1, 1, 2, 2), 2),
    "unfold_no_blocks": lambda m: _F(m).unfold(m.ones(1, 1, 2, 2), 3),
    "fold_blocks": lambda m: _F(m).fold(m.ones(1, 8, 5), (3, 3), 2),
    "fold_channels": lambda m: _F(m).fold(m.ones(1, 7, 4), (3, 3), 2),
    "pixel_shuffle_2d": lambda m: _F(m).pixel_shuffle(m.ones(4, 2), 2),
    "pixel_shuffle_channels": lambda m: _F(m).pixel_shuffle(m.ones(1, 6, 2, 2), 2),
    "pixel_shuffle_factor": lambda m: _F(m).pixel_shuffle(m.ones(1, 4, 2, 2), 0),
    "pixel_unshuffle_2d": lambda m: _F(m).pixel_unshuffle(m.ones(4, 2), 2),
    "pixel_unshuffle_height": lambda m: _F(m).pixel_unshuffle(m.ones(1, 1, 3, 4), 2),
    "pixel_unshuffle_width": lambda m: _F(m).pixel_unshuffle(m.ones(1, 1, 4, 3), 2),
    "pixel_unshuffle_factor": lambda m: _F(m).pixel_unshuffle(m.ones(1, 1, 4, 4), 0),
    "channel_shuffle_channels": lambda m: _F(m).channel_shuffle(m.ones(1, 5, 2), 2),
    "channel_shuffle_1d": lambda m: _F(m).channel_shuffle(m.ones(4), 2),
    "channel_shuffle_2d": lambda m: _F(m).channel_shuffle(m.ones(2, 4), 2),
    "channel_shuffle_groups": lambda m: _F(m).channel_shuffle(m.ones(1, 4, 2), 0),
    "instance_norm_one_spatial_element": lambda m: _F(m).instance_norm(_x(m, (2, 3, 1))),
    "instance_norm_eval_without_stats": lambda m: _F(m).instance_norm(
        _x(m, (2, 3, 4)), use_input_stats=False
    ),
    "instance_norm_weight_size": lambda m: _F(m).instance_norm(_x(m, (2, 3, 4)), weight=m.ones(2)),
    "InstanceNorm1d_4d": lambda m: m.nn.InstanceNorm1d(3)(_x(m, (2, 3, 4, 5))),
    "InstanceNorm2d_2d": lambda m: m.nn.InstanceNorm2d(3)(_x(m, (2, 3))),
    "InstanceNorm1d_affine_channels": lambda m: m.nn.InstanceNorm1d(4, affine=True)(
        _x(m, (2, 3, 4))
    ),
    "local_response_norm_2d": lambda m: _F(m).local_response_norm(_x(m, (2, 3)), 2),
    "dropout1d_4d": lambda m: _F(m).dropout1d(_x(m, (2, 3, 4, 5))),
    "dropout1d_p": lambda m: _F(m).dropout1d(_x(m, (2, 3)), 1.5),
    "dropout2d_1d": lambda m: _F(m).dropout2d(_x(m, 3)),
    "dropout3d_p": lambda m: _F(m).dropout3d(_x(m, (2, 3, 2, 2)), -0.1),
    "alpha_dropout_p": lambda m: _F(m).alpha_dropout(_x(m, 3), 2.0),
    "feature_alpha_dropout_1d": lambda m: _F(m).feature_alpha_dropout(_x(m, 3), 0.5, True),
    "Dropout2d_p": lambda m: m.nn.Dropout2d(1.5),
    "Softmax2d_2d": lambda m: m.nn.Softmax2d()(_x(m, (2, 3))),
    "MultiMarginLoss_p": lambda m: m.nn.MultiMarginLoss(p=3),
    "MultiMarginLoss_weight_2d": lambda m: m.nn.MultiMarginLoss(weight=m.ones(3, 1)),
    "multi_margin_no_forward_mode": lambda m: m.func.jvp(
        lambda x: _F(m).multi_margin_loss(x, m.tensor([0, 1])),
        (_x(m, (2, 3)),),
        (_x(m, (2, 3), 1),),
    ),
    "multilabel_margin_no_forward_mode": lambda m: m.func.jvp(
        lambda x: _F(m).multilabel_margin_loss(x, m.tensor([[0, 1, -1], [2, -1, 0]])),
        (_x(m, (2, 3)),),
        (_x(m, (2, 3), 1),),
    ),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


WARNINGS = {
    "InstanceNorm1d_channels": lambda m: m.nn.InstanceNorm1d(4)(_x(m, (2, 3, 4))),
    "InstanceNorm1d_channels_match": lambda m: m.nn.InstanceNorm1d(3)(_x(m, (2, 3, 4))),
    "dropout2d_3d": lambda m: _F(m).dropout2d(_x(m, (2, 3, 4))),
    "dropout2d_2d": lambda m: _F(m).dropout2d(_x(m, (2, 3))),
    "dropout2d_5d": lambda m: _F(m).dropout2d(_x(m, (1, 2, 1, 2, 2))),
    "dropout2d_4d": lambda m: _F(m).dropout2d(_x(m, (1, 2, 3, 2))),
    "dropout3d_3d": lambda m: _F(m).dropout3d(_x(m, (2, 3, 4))),
    "dropout3d_4d": lambda m: _F(m).dropout3d(_x(m, (2, 3, 4, 1))),
    "dropout1d_2d": lambda m: _F(m).dropout1d(_x(m, (2, 3))),
    "legacy_size_average_margin_ranking": lambda m: _F(m).margin_ranking_loss(
        _x(m, 3), _x(m, 3), m.ones(3), size_average=True
    ),
    "legacy_reduce_MultiMarginLoss": lambda m: m.nn.MultiMarginLoss(reduce=False),
    "no_warning_gaussian": lambda m: _F(m).gaussian_nll_loss(_x(m, 3), _x(m, 3), m.ones(3)),
}


@pytest.mark.parametrize("fn", params(WARNINGS))
def test_warnings(fn):
    check_warns_as_torch(fn)


# ---------------------------------------------------------------- no second derivative


@pytest.mark.parametrize(
    "loss",
    [
        lambda x: _F(gs).multi_margin_loss(x, gs.tensor([0, 2, 1])),
        lambda x: _F(gs).multi_margin_loss(
            x,
            gs.tensor([1, 1, 0]),
            2,
            0.3,
            gs.tensor([0.5, 2.0, 1.0], dtype=gs.float64),
            None,
            None,
            "none",
        ),
        lambda x: _F(gs).multilabel_margin_loss(x, gs.tensor([[0, 2, -1], [1, -1, 2], [2, 1, 0]])),
        lambda x: _F(gs).multilabel_margin_loss(x[0], gs.tensor([1, 2, -1]), reduction="sum"),
    ],
)
def test_margin_losses_gradcheck(loss):
    """First order by finite differences (torch has no second order to compare with)."""
    x = gs.tensor(np.random.default_rng(3).uniform(-1, 1, (3, 3)), requires_grad=True)
    assert gs.autograd.gradcheck(loss, (x,))


def test_margin_loss_create_graph_gives_torchs_not_implemented_node():
    for m in (gs, torch):
        x = _x(m, (2, 3), rg=True)
        out = _F(m).multi_margin_loss(x, m.tensor([0, 1]), reduction="none")
        v = m.ones(2, requires_grad=True)
        (g,) = m.autograd.grad(out, x, v, create_graph=True)
        assert g.grad_fn.name() == "torch::autograd::NotImplemented"
        assert len(g.grad_fn.next_functions) == 2


# ---------------------------------------------------------------- dropout draws

DROPOUTS = {
    "dropout1d": lambda m, x: _F(m).dropout1d(x, 0.5),
    "dropout1d_unbatched": lambda m, x: _F(m).dropout1d(x[0], 0.5),
    "dropout1d_unbatched_inplace": lambda m, x: _F(m).dropout1d(x[0] * 1, 0.5, inplace=True),
    "dropout2d": lambda m, x: _F(m).dropout2d(x.unsqueeze(-1), 0.5),
    "dropout2d_inplace": lambda m, x: _F(m).dropout2d(x.unsqueeze(-1) * 1, 0.5, inplace=True),
    "dropout3d_unbatched": lambda m, x: _F(m).dropout3d(x.unsqueeze(-1), 0.5),
    "alpha_dropout": lambda m, x: _F(m).alpha_dropout(x, 0.5, True),
    "alpha_dropout_inplace": lambda m, x: _F(m).alpha_dropout(x * 1, 0.5, True, True),
    "feature_alpha_dropout": lambda m, x: _F(m).feature_alpha_dropout(x, 0.5, True),
}


def _graph(t) -> list:
    from tests.test_parity_torch import graph_signature, saved_signature

    return graph_signature(t), saved_signature(t)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(DROPOUTS))
def test_dropout_graph_and_saved_noise_as_torch(name):
    """The draws differ, the nodes and what they save (the noise's shape) do not."""
    fn = DROPOUTS[name]
    assert _graph(fn(gs, _x(gs, (2, 3, 4), rg=True))) == _graph(
        fn(torch, _x(torch, (2, 3, 4), rg=True))
    )


def test_channel_dropout_zeroes_whole_channels_at_rate_p():
    gs.manual_seed(0)
    x = gs.ones(400, 8, 5, requires_grad=True)
    y = _F(gs).dropout1d(x, 0.3)
    a = y.detach().numpy()
    per_channel = a.reshape(400 * 8, 5)
    assert np.all((per_channel == 0).all(1) | np.isclose(per_channel, 1 / 0.7).all(1))
    assert abs((per_channel[:, 0] == 0).mean() - 0.3) < 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), a)  # the gradient is the noise


def test_dropout3d_channels_and_seed_repeat():
    draws = []
    for _ in range(2):
        gs.manual_seed(5)
        draws.append(_F(gs).dropout3d(gs.ones(4, 6, 2, 2, 2), 0.5).numpy())
    np.testing.assert_array_equal(*draws)
    flat = draws[0].reshape(24, 8)
    assert np.all((flat == 0).all(1) | (flat == 2).all(1))


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_keeps_zero_mean_and_unit_variance(feature):
    gs.manual_seed(1)
    x = gs.tensor(np.random.default_rng(2).standard_normal((200, 50, 40)))
    fn = _F(gs).feature_alpha_dropout if feature else _F(gs).alpha_dropout
    y = fn(x, 0.2, True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05
    # the dropped elements all take one value, SELU's saturation moved by the same affine map
    a = 1 / np.sqrt((1.7580993408473766**2 * 0.2 + 1) * 0.8)
    dropped = -1.7580993408473766 * a + 1.7580993408473766 * a * 0.2
    share = np.isclose(y, dropped).mean()
    assert abs(share - 0.2) < 0.02


def test_dropout_modules_follow_train_and_eval():
    x = _x(gs, (2, 3, 4))
    for mod in (gs.nn.Dropout1d(), gs.nn.AlphaDropout(), gs.nn.FeatureAlphaDropout()):
        assert not np.allclose(mod(x).numpy(), x.numpy())
        mod.eval()
        assert mod(x) is x
