"""The 3-d convolution and pooling family, and the 1-d and 3-d transposed convolutions:
gradients against float64 finite differences (no torch needed), then against torch
(values, gradients, each node's name and edges, what each node saves, error texts, and
the modules' repr, parameters and initialisation)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.op_cases import Case, to_gs, to_torch
from tests.parity import check_error, params

try:
    import torch
except ImportError:  # the gradcheck tests run without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference for parity tests")


def _F(m):  # noqa: N802
    return m.nn.functional


CASES = [
    Case(
        "conv3d", lambda m, x, w, b: _F(m).conv3d(x, w, b), ((1, 2, 4, 4, 4), (3, 2, 2, 2, 2), (3,))
    ),
    Case(
        "conv3d_stride_pad_dilation_groups",
        lambda m, x, w: _F(m).conv3d(
            x, w, stride=(1, 2, 1), padding=(1, 0, 2), dilation=(2, 1, 1), groups=2
        ),
        ((2, 4, 4, 5, 3), (4, 2, 2, 2, 3)),
    ),
    Case(
        "conv3d_same_even_unbatched",
        lambda m, x, w, b: _F(m).conv3d(x, w, b, padding="same"),
        ((2, 4, 3, 4), (3, 2, 2, 3, 2), (3,)),
    ),
    Case(
        "conv3d_valid_const_weight",
        lambda m, x, w: _F(m).conv3d(x, w, padding="valid", stride=2),
        ((1, 2, 5, 4, 4), (2, 2, 3, 2, 2)),
        grad=(True, False),
    ),
    Case(
        "conv3d_const_input",
        lambda m, x, w, b: _F(m).conv3d(x, w, b, padding=1),
        ((1, 2, 3, 3, 3), (2, 2, 2, 2, 2), (2,)),
        grad=(False, True, True),
    ),
]
BY_NAME = {c.name: c for c in CASES}
ids = [c.name for c in CASES]


def _run(case, m, dtype):
    xs = case.arrays()
    make = to_gs if m is gs else to_torch
    inputs = make(case, xs, getattr(m, dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return inputs, case.fn(m, *inputs)


# ---------------------------------------------------------------- without torch


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_gradcheck(case):
    inputs = to_gs(case, case.arrays(), gs.float64)
    assert gs.autograd.gradcheck(lambda *xs: case.fn(gs, *xs), inputs)


def test_conv3d_of_a_delta_kernel_is_a_shifted_copy():
    x = gs.arange(2 * 4 * 4 * 4, dtype=gs.float64).reshape(1, 2, 4, 4, 4)
    w = gs.zeros(2, 2, 3, 3, 3, dtype=gs.float64)
    w[0, 0, 2, 1, 0] = 1.0  # out 0 reads in 0 one step deeper and one step left
    w[1, 1, 1, 1, 1] = 2.0
    y = gs.nn.functional.conv3d(x, w, padding=1).numpy()
    xn = x.numpy()
    np.testing.assert_array_equal(y[0, 0, :3, :, 1:], xn[0, 0, 1:, :, :3])
    np.testing.assert_array_equal(y[0, 0, 3], 0)
    np.testing.assert_array_equal(y[0, 1], 2 * xn[0, 1])


# ---------------------------------------------------------------- against torch


@needs_torch
@pytest.mark.filterwarnings("ignore:The .grad attribute")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_values_and_gradients_match_torch(case, dtype):
    (gi, go), (ti, to) = _run(case, gs, dtype), _run(case, torch, dtype)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-5)
    assert tuple(go.shape) == tuple(to.shape) and str(go.dtype)[-7:] == str(to.dtype)[-7:]
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), **tol)
    seed = np.random.default_rng(7).standard_normal(tuple(to.shape))
    go.backward(gs.tensor(seed, dtype=go.dtype))
    to.backward(torch.tensor(seed, dtype=to.dtype))
    for k, (a, b) in enumerate(zip(gi, ti)):
        assert (a.grad is None) == (b.grad is None), f"input {k}"
        if b.grad is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), err_msg=f"{k}", **tol)


@needs_torch
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_graph_and_saved_tensors_match_torch(case):
    from tests.test_parity_torch import graph_signature, saved_signature

    (_, go), (_, to) = _run(case, gs, "float32"), _run(case, torch, "float32")
    assert graph_signature(go) == graph_signature(to)
    assert saved_signature(go) == saved_signature(to)


def _saved_args(node, names) -> dict:
    """The non-tensor ``_saved_*`` values of ``node`` named in ``names``, as tuples."""
    out = {}
    for attr in names:
        v = getattr(node, attr)
        if not isinstance(v, (gs.Tensor, torch.Tensor)):
            out[attr] = tuple(v) if isinstance(v, (tuple, list)) else v
    return out


def _torch_saved_names(node) -> list:
    return [a for a in dir(node) if a.startswith("_saved_") and not a.endswith("_raw")]


SAVED_ARGS = {
    "conv3d": lambda m: _F(m).conv3d(
        m.ones(1, 4, 5, 5, 5, requires_grad=True),
        m.ones(2, 2, 3, 1, 2),
        m.ones(2),
        stride=(2, 1, 1),
        padding=(1, 0, 1),
        dilation=(1, 2, 1),
        groups=2,
    ),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(SAVED_ARGS))
def test_nodes_save_torchs_arguments(name):
    g, t = SAVED_ARGS[name](gs), SAVED_ARGS[name](torch)
    assert g.grad_fn.name() == t.grad_fn.name()
    names = _torch_saved_names(t.grad_fn)
    assert _saved_args(g.grad_fn, names) == _saved_args(t.grad_fn, names)


def _r(*shape):
    return lambda m: m.ones(*shape)


ERRORS = {
    "conv3d_4d_input_to_3d_weight": lambda m: _F(m).conv3d(_r(1, 2, 4, 4, 4)(m), _r(3, 2, 2, 2)(m)),
    "conv3d_3d_input": lambda m: _F(m).conv3d(_r(2, 4, 4)(m), _r(3, 2, 2, 2, 2)(m)),
    "conv3d_big_kernel": lambda m: _F(m).conv3d(_r(1, 2, 4, 4, 4)(m), _r(3, 2, 5, 2, 2)(m)),
    "conv3d_channels": lambda m: _F(m).conv3d(_r(1, 2, 4, 4, 4)(m), _r(3, 3, 2, 2, 2)(m)),
    "conv3d_groups": lambda m: _F(m).conv3d(_r(1, 4, 4, 4, 4)(m), _r(3, 2, 2, 2, 2)(m), groups=2),
    "conv3d_padding_length": lambda m: _F(m).conv3d(
        _r(1, 2, 4, 4, 4)(m), _r(3, 2, 2, 2, 2)(m), padding=(1, 1)
    ),
    "conv3d_padding_string": lambda m: _F(m).conv3d(
        _r(1, 2, 4, 4, 4)(m), _r(3, 2, 2, 2, 2)(m), padding="full"
    ),
    "conv3d_negative_padding": lambda m: _F(m).conv3d(
        _r(1, 2, 4, 4, 4)(m), _r(3, 2, 2, 2, 2)(m), padding=-1
    ),
    "conv3d_same_strided": lambda m: _F(m).conv3d(
        _r(1, 2, 4, 4, 4)(m), _r(3, 2, 2, 2, 2)(m), padding="same", stride=2
    ),
    "conv3d_bias_size": lambda m: _F(m).conv3d(
        _r(1, 2, 4, 4, 4)(m), _r(3, 2, 2, 2, 2)(m), _r(2)(m)
    ),
    "conv3d_dtypes": lambda m: _F(m).conv3d(_r(1, 2, 4, 4, 4)(m).double(), _r(3, 2, 2, 2, 2)(m)),
    "Conv3d_groups_in": lambda m: m.nn.Conv3d(3, 4, 3, groups=2),
    "Conv3d_same_strided": lambda m: m.nn.Conv3d(2, 4, 3, padding="same", stride=2),
    "Conv3d_bad_padding": lambda m: m.nn.Conv3d(2, 4, 3, padding="foo"),
}


@needs_torch
@pytest.mark.parametrize("fn", params(ERRORS))
def test_error_texts_match_torch(fn):
    check_error(fn)


MODULES = {
    "conv3d": lambda m: m.nn.Conv3d(2, 4, 3),
    "conv3d_options": lambda m: m.nn.Conv3d(
        4,
        6,
        (3, 2, 1),
        stride=2,
        padding=1,
        dilation=2,
        groups=2,
        bias=False,
        padding_mode="reflect",
    ),
    "conv3d_same_circular": lambda m: m.nn.Conv3d(2, 3, 3, padding="same", padding_mode="circular"),
}
MODULE_INPUTS = {"conv3d": (2, 2, 4, 5, 4), "conv3d_options": (4, 5, 5, 5)}


@needs_torch
@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_repr_parameters_and_output_match_torch(name):
    g, t = MODULES[name](gs), MODULES[name](torch)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())
    for (gn, gp), (tn, tp) in zip(g.named_parameters(), t.named_parameters()):
        assert gn == tn and tuple(gp.shape) == tuple(tp.shape)
    t.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in g.state_dict().items()})
    shape = MODULE_INPUTS.get(name, (1, 2, 4, 4, 4))
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    go, to = g(gs.tensor(x)), t(torch.tensor(x))
    go, to = (go[0], to[0]) if isinstance(go, tuple) else (go, to)
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert go.grad_fn.name() == to.grad_fn.name()


@pytest.mark.parametrize("cls", ["Conv3d"])
def test_init_is_seeded_and_bounded_as_torchs_reset_parameters(cls):
    def make():
        gs.manual_seed(3)
        return getattr(gs.nn, cls)(4, 6, (3, 2, 2), groups=2)

    a, b = make(), make()
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    fan_in = a.weight.shape[1] * int(np.prod(a.weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound
    for p in (a.weight, a.bias):
        v = p.detach().numpy()
        assert np.abs(v).max() <= bound and np.abs(v).max() > bound * 0.8
        assert abs(v.mean()) < bound / 2  # uniform about zero
