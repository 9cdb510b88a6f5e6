"""Convolution and pooling against torch where the op table does not reach: error texts,
the modules (parameter shapes, seeded init, repr, state_dict), a small CNN's training
step, and max_pool's indices."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _r(*shape):
    return lambda m: m.ones(*shape)


def _F(m):  # noqa: N802
    return m.nn.functional


ERRORS = {
    "conv2d_weight_dims": lambda m: _F(m).conv2d(_r(2, 3, 7, 7)(m), _r(4, 3, 3)(m)),
    "conv2d_channels": lambda m: _F(m).conv2d(_r(2, 3, 7, 7)(m), _r(4, 2, 3, 3)(m)),
    "conv2d_groups_channels": lambda m: _F(m).conv2d(
        _r(2, 3, 7, 7)(m), _r(4, 1, 3, 3)(m), groups=2
    ),
    "conv2d_groups_out": lambda m: _F(m).conv2d(_r(2, 4, 7, 7)(m), _r(3, 2, 3, 3)(m), groups=2),
    "conv2d_same_strided": lambda m: _F(m).conv2d(
        _r(2, 3, 7, 7)(m), _r(4, 3, 3, 3)(m), padding="same", stride=2
    ),
    "conv2d_bad_padding": lambda m: _F(m).conv2d(
        _r(2, 3, 7, 7)(m), _r(4, 3, 3, 3)(m), padding="full"
    ),
    "conv2d_big_kernel": lambda m: _F(m).conv2d(_r(2, 3, 7, 7)(m), _r(4, 3, 9, 9)(m)),
    "conv2d_2d_input": lambda m: _F(m).conv2d(_r(7, 7)(m), _r(4, 3, 3, 3)(m)),
    "conv2d_bias_size": lambda m: _F(m).conv2d(_r(2, 3, 7, 7)(m), _r(4, 3, 3, 3)(m), _r(3)(m)),
    "conv2d_negative_padding": lambda m: _F(m).conv2d(
        _r(2, 3, 7, 7)(m), _r(4, 3, 3, 3)(m), padding=-1
    ),
    "conv2d_zero_stride": lambda m: _F(m).conv2d(_r(2, 3, 7, 7)(m), _r(4, 3, 3, 3)(m), stride=0),
    "conv2d_stride_length": lambda m: _F(m).conv2d(
        _r(2, 3, 7, 7)(m), _r(4, 3, 3, 3)(m), stride=(1, 1, 1)
    ),
    "conv2d_dtypes": lambda m: _F(m).conv2d(_r(2, 3, 7, 7)(m).double(), _r(4, 3, 3, 3)(m)),
    "conv1d_4d_input": lambda m: _F(m).conv1d(_r(2, 3, 7, 7)(m), _r(4, 3, 3)(m)),
    "conv1d_channels": lambda m: _F(m).conv1d(_r(2, 3, 7)(m), _r(4, 2, 3)(m)),
    "conv1d_zero_groups": lambda m: _F(m).conv1d(_r(2, 3, 7)(m), _r(4, 3, 3)(m), groups=0),
    "conv1d_zero_dilation": lambda m: _F(m).conv1d(_r(2, 3, 7)(m), _r(4, 3, 3)(m), dilation=0),
    "conv1d_bias_dtype": lambda m: _F(m).conv1d(_r(2, 3, 7)(m), _r(4, 3, 3)(m), _r(4)(m).double()),
    "max_pool2d_padding": lambda m: _F(m).max_pool2d(_r(2, 3, 7, 7)(m), 2, padding=2),
    "max_pool2d_output_small": lambda m: _F(m).max_pool2d(_r(2, 3, 7, 7)(m), 9),
    "max_pool2d_2d_input": lambda m: _F(m).max_pool2d(_r(7, 7)(m), 2),
    "max_pool2d_zero_stride": lambda m: _F(m).max_pool2d(_r(2, 3, 7, 7)(m), 2, stride=0),
    "max_pool2d_zero_dilation": lambda m: _F(m).max_pool2d(_r(2, 3, 7)(m), 2, dilation=0),
    "max_pool2d_kernel_3": lambda m: _F(m).max_pool2d(_r(2, 3, 7, 7)(m), (2, 2, 2)),
    "max_pool1d_zero_kernel": lambda m: _F(m).max_pool1d(_r(2, 3, 7)(m), 0),
    "max_pool1d_padding": lambda m: _F(m).max_pool1d(_r(2, 3, 7)(m), 2, padding=2),
    "max_pool1d_output_small": lambda m: _F(m).max_pool1d(_r(2, 3, 7)(m), 9),
    "max_pool1d_4d_input": lambda m: _F(m).max_pool1d(_r(1, 2, 3, 7)(m), 2),
    "max_pool1d_kernel_2": lambda m: _F(m).max_pool1d(_r(2, 3, 7)(m), (2, 2)),
    "avg_pool2d_padding": lambda m: _F(m).avg_pool2d(_r(2, 3, 7, 7)(m), 2, padding=2),
    "avg_pool2d_output_small": lambda m: _F(m).avg_pool2d(_r(2, 3, 7, 7)(m), 9),
    "avg_pool2d_divisor_zero": lambda m: _F(m).avg_pool2d(_r(2, 3, 7, 7)(m), 2, divisor_override=0),
    "avg_pool2d_kernel_3": lambda m: _F(m).avg_pool2d(_r(2, 3, 7)(m), (2, 2, 2)),
    # a 2-d, 1-d or 0-d input: torch reads its planes as size(-3), after the divisor check
    "avg_pool2d_2d_input": lambda m: _F(m).avg_pool2d(_r(7, 7)(m), 2),
    "avg_pool2d_1d_input": lambda m: _F(m).avg_pool2d(_r(7)(m), 2),
    "avg_pool2d_0d_input": lambda m: _F(m).avg_pool2d(m.tensor(1.0), 2),
    "avg_pool2d_2d_input_stride_0": lambda m: _F(m).avg_pool2d(_r(7, 7)(m), 2, 0),
    "avg_pool2d_2d_input_divisor_zero": lambda m: _F(m).avg_pool2d(
        _r(7, 7)(m), 2, divisor_override=0
    ),
    "avg_pool2d_2d_input_kernel_3": lambda m: _F(m).avg_pool2d(_r(7, 7)(m), (2, 2, 2)),
    "avg_pool1d_4d_input": lambda m: _F(m).avg_pool1d(_r(1, 2, 3, 7)(m), 2),
    "avg_pool1d_output_small": lambda m: _F(m).avg_pool1d(_r(2, 3, 7)(m), 9),
    "adaptive_avg_pool2d_2d_input": lambda m: _F(m).adaptive_avg_pool2d(_r(7, 7)(m), 2),
    "adaptive_avg_pool2d_negative": lambda m: _F(m).adaptive_avg_pool2d(_r(2, 3, 7)(m), (2, -1)),
    "adaptive_avg_pool1d_4d_input": lambda m: _F(m).adaptive_avg_pool1d(_r(1, 2, 3, 7)(m), 2),
    "Conv2d_groups_in": lambda m: m.nn.Conv2d(3, 4, 3, groups=2),
    "Conv2d_groups_out": lambda m: m.nn.Conv2d(4, 3, 3, groups=2),
    "Conv2d_same_strided": lambda m: m.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    "Conv2d_bad_padding": lambda m: m.nn.Conv2d(4, 4, 3, padding="foo"),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


MODULES = {
    "conv2d": lambda m: m.nn.Conv2d(3, 4, 3),
    "conv2d_options": lambda m: m.nn.Conv2d(
        4, 6, (3, 2), stride=2, padding=1, dilation=2, groups=2, bias=False
    ),
    "conv1d_same": lambda m: m.nn.Conv1d(2, 4, 3, padding="same", groups=2),
    "conv_transpose2d": lambda m: m.nn.ConvTranspose2d(3, 4, 3, stride=2, output_padding=1),
    "max_pool2d": lambda m: m.nn.MaxPool2d(2),
    "max_pool2d_options": lambda m: m.nn.MaxPool2d(3, 2, 1, ceil_mode=True),
    "max_pool1d": lambda m: m.nn.MaxPool1d(2),
    "avg_pool2d": lambda m: m.nn.AvgPool2d(3, 2, 1, True, False, 2),
    "avg_pool1d": lambda m: m.nn.AvgPool1d(2),
    "adaptive_avg_pool2d": lambda m: m.nn.AdaptiveAvgPool2d((3, None)),
    "adaptive_avg_pool1d": lambda m: m.nn.AdaptiveAvgPool1d(3),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_repr_params_and_state_dict(name):
    g, t = MODULES[name](gs), MODULES[name](torch)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())
    for (gn, gp), (tn, tp) in zip(g.named_parameters(), t.named_parameters()):
        assert gn == tn and tuple(gp.shape) == tuple(tp.shape)


@pytest.mark.parametrize("cls", ["Conv1d", "Conv2d", "ConvTranspose2d"])
def test_conv_init_is_seeded_and_bounded_as_torch(cls):
    def make():
        gs.manual_seed(3)
        return getattr(gs.nn, cls)(4, 6, 3, groups=2)

    a, b = make(), make()
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    fan_in = a.weight.shape[1] * int(np.prod(a.weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound
    for p in (a.weight, a.bias):
        v = p.detach().numpy()
        assert np.abs(v).max() <= bound and np.abs(v).max() > bound / 2


def test_unknown_padding_mode_is_refused():
    # (torch lists the modes as a set, in an order that changes from run to run)
    with pytest.raises(
        ValueError, match="padding_mode must be one of .*, but got padding_mode='x'"
    ):
        gs.nn.Conv2d(3, 4, 3, padding_mode="x")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported'):
        gs.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")


def _cnn(m):
    return m.nn.Sequential(
        m.nn.Conv2d(2, 4, 3, padding=1),
        m.nn.ReLU(),
        m.nn.MaxPool2d(2),
        m.nn.Conv2d(4, 4, 3, padding="same", groups=2),
        m.nn.AvgPool2d(2, ceil_mode=True),
        m.nn.AdaptiveAvgPool2d(1),
        m.nn.Flatten(),
        m.nn.Linear(4, 3),
    )


def test_small_cnn_training_step_matches_torch():
    g, t = _cnn(gs), _cnn(torch)
    t.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in g.state_dict().items()})
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 7, 7)).astype(np.float32)
    y = np.array([0, 2])
    losses = []
    for m, net in ((gs, g), (torch, t)):
        opt = m.optim.SGD(net.parameters(), lr=0.1)
        loss = m.nn.functional.cross_entropy(net(m.tensor(x)), m.tensor(y))
        opt.zero_grad()
        loss.backward()
        losses.append(
            (float(loss.detach()), {n: p.grad.numpy().copy() for n, p in net.named_parameters()})
        )
        opt.step()
    (gl, gg), (tl, tg) = losses
    assert gl == pytest.approx(tl, rel=1e-5)
    for name in tg:
        np.testing.assert_allclose(gg[name], tg[name], rtol=1e-4, atol=1e-6, err_msg=name)
    for (_, gp), (_, tp) in zip(g.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(gp.detach().numpy(), tp.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dims", [1, 2])
def test_max_pool_indices_match_torch(dims):
    x = (np.arange(2 * 3 * 36) % 7).astype(np.float32)
    x = x.reshape((2, 3, 36) if dims == 1 else (2, 3, 6, 6))
    pool = "max_pool1d" if dims == 1 else "max_pool2d"
    out = []
    for m in (gs, torch):
        v, i = getattr(m.nn.functional, pool)(
            m.tensor(x, requires_grad=True), 3, 2, 1, return_indices=True
        )
        out.append(
            (v.detach().numpy(), i.numpy(), str(i.dtype).rsplit(".", 1)[-1], v.grad_fn.name())
        )
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert out[0][2:] == out[1][2:]


def test_convolution_saves_torchs_arguments():
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(s) for s in ((2, 4, 6, 6), (6, 2, 3, 3))]
    nodes = []
    for m in (gs, torch):
        x, w = (m.tensor(a, dtype=m.float32, requires_grad=True) for a in xs)
        nodes.append(m.nn.functional.conv2d(x, w, stride=2, padding=1, groups=2).grad_fn)
    for attr in ("stride", "padding", "dilation", "groups", "transposed", "output_padding"):
        assert tuple(np.atleast_1d(getattr(nodes[0], "_saved_" + attr))) == tuple(
            np.atleast_1d(getattr(nodes[1], "_saved_" + attr))
        ), attr
