"""The 3-d convolution and pooling family, and the 1-d and 3-d transposed convolutions:
gradients against float64 finite differences (no torch needed), then against torch
(values, gradients, each node's name and edges, what each node saves, error texts, and
the modules' repr, parameters and initialisation)."""

from __future__ import annotations

import re
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
POOL_CASES = [
    Case("max_pool3d", lambda m, x: _F(m).max_pool3d(x, 2), ((1, 2, 4, 4, 4),)),
    Case(
        "max_pool3d_pad_ceil_dilation",
        lambda m, x: _F(m).max_pool3d(
            x, (3, 2, 2), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1), ceil_mode=True
        ),
        ((2, 2, 5, 5, 4),),
    ),
    Case(
        "max_pool3d_unbatched_indices",
        lambda m, x: _F(m).max_pool3d(x, 2, stride=1, return_indices=True)[0],
        ((2, 3, 4, 3),),
    ),
    Case("avg_pool3d", lambda m, x: _F(m).avg_pool3d(x, 2), ((1, 2, 4, 4, 4),)),
    Case(
        "avg_pool3d_pad_ceil_exclude",
        lambda m, x: _F(m).avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        ((2, 2, 6, 5, 4),),
    ),
    Case(
        "avg_pool3d_divisor_unbatched",
        lambda m, x: _F(m).avg_pool3d(
            x, (2, 3, 2), stride=1, padding=(1, 1, 0), divisor_override=5
        ),
        ((2, 4, 4, 3),),
    ),
    Case(
        "avg_pool3d_ceil_include_pad",
        lambda m, x: _F(m).avg_pool3d(x, 2, stride=(2, 3, 2), padding=1, ceil_mode=True),
        ((1, 2, 5, 4, 5),),
    ),
    Case(
        "adaptive_avg_pool3d",
        lambda m, x: _F(m).adaptive_avg_pool3d(x, (3, 2, 4)),
        ((2, 2, 5, 5, 3),),
    ),
    Case(
        "adaptive_avg_pool3d_none_unbatched",
        lambda m, x: _F(m).adaptive_avg_pool3d(x, (None, 2, 3)),
        ((2, 3, 5, 4),),
    ),
    Case("adaptive_avg_pool3d_1", lambda m, x: _F(m).adaptive_avg_pool3d(x, 1), ((1, 2, 3, 4, 3),)),
    Case(
        "adaptive_max_pool3d",
        lambda m, x: _F(m).adaptive_max_pool3d(x, (3, 2, 4)),
        ((2, 2, 5, 5, 3),),
    ),
    Case(
        "adaptive_max_pool3d_unbatched_indices",
        lambda m, x: _F(m).adaptive_max_pool3d(x, (2, None, 3), return_indices=True)[0],
        ((2, 4, 3, 5),),
    ),
]
TRANSPOSED_CASES = [
    Case(
        "conv_transpose3d",
        lambda m, x, w, b: _F(m).conv_transpose3d(x, w, b, stride=2, padding=1, output_padding=1),
        ((1, 2, 3, 3, 3), (2, 3, 3, 2, 3), (3,)),
    ),
    Case(
        "conv_transpose3d_groups_dilation_unbatched",
        lambda m, x, w: _F(m).conv_transpose3d(
            x,
            w,
            stride=(2, 1, 3),
            padding=(1, 0, 1),
            output_padding=(1, 0, 2),
            groups=2,
            dilation=(1, 2, 1),
        ),
        ((4, 3, 2, 3), (4, 1, 2, 3, 2)),
    ),
    Case(
        "conv_transpose1d",
        lambda m, x, w, b: _F(m).conv_transpose1d(x, w, b, stride=3, padding=1, output_padding=2),
        ((2, 2, 5), (2, 3, 3), (3,)),
    ),
    Case(
        "conv_transpose1d_groups_dilation_unbatched",
        lambda m, x, w: _F(m).conv_transpose1d(x, w, groups=2, dilation=3, output_padding=2),
        ((4, 5), (4, 2, 2)),
    ),
    Case(  # an output_padding larger than the padding: a frame wider than any window reaches
        "conv_transpose2d_output_padding_past_padding",
        lambda m, x, w, b: _F(m).conv_transpose2d(x, w, b, stride=2, output_padding=1),
        ((1, 2, 3, 3), (2, 2, 2, 2), (2,)),
    ),
    Case(
        "conv_transpose3d_const_input",
        lambda m, x, w, b: _F(m).conv_transpose3d(x, w, b, stride=(1, 2, 1)),
        ((1, 2, 2, 2, 2), (2, 2, 2, 2, 2), (2,)),
        grad=(False, True, True),
    ),
]
CASES += POOL_CASES + TRANSPOSED_CASES
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


@needs_torch
@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
@pytest.mark.parametrize("case", CASES, ids=ids)
def test_forward_mode_and_double_backward_match_torch(case):
    import torch.func

    xs = case.arrays()
    ts = [np.random.default_rng(11).standard_normal(x.shape) for x in xs]
    g_out, g_jvp = gs.func.jvp(
        lambda *a: case.fn(gs, *a),
        tuple(gs.tensor(x) for x in xs),
        tuple(gs.tensor(t) for t in ts),
    )
    t_out, t_jvp = torch.func.jvp(
        lambda *a: case.fn(torch, *a),
        tuple(torch.tensor(x) for x in xs),
        tuple(torch.tensor(t) for t in ts),
    )
    np.testing.assert_allclose(g_out.numpy(), t_out.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g_jvp.numpy(), t_jvp.numpy(), rtol=1e-10, atol=1e-12)
    # the gradient's own graph: d/dx of <grad(x), v> for a fixed v
    grads = []
    for m in (gs, torch):
        inputs = [m.tensor(x, requires_grad=True) for x in xs]
        out = case.fn(m, *inputs)
        seed = m.tensor(np.random.default_rng(5).standard_normal(tuple(out.shape)))
        (gx,) = m.autograd.grad((out * out * seed).sum(), inputs[:1], create_graph=True)
        (ggx,) = m.autograd.grad((gx * m.tensor(ts[0])).sum(), inputs[:1])
        grads.append(ggx.detach().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-10, atol=1e-12)


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
    "max_pool3d": lambda m: _F(m).max_pool3d(
        m.ones(1, 2, 5, 5, 5, requires_grad=True), (3, 2, 2), 2, 1, (1, 2, 1), True
    ),
    "max_pool3d_no_stride": lambda m: _F(m).max_pool3d(m.ones(2, 4, 4, 4, requires_grad=True), 2),
    "avg_pool3d": lambda m: _F(m).avg_pool3d(
        m.ones(1, 2, 5, 5, 5, requires_grad=True), (3, 2, 2), 2, 1, True, False, 3
    ),
    "avg_pool3d_no_stride": lambda m: _F(m).avg_pool3d(m.ones(2, 4, 4, 4, requires_grad=True), 2),
    "local_response_norm": lambda m: _F(m).local_response_norm(
        m.ones(2, 6, 3, 3, requires_grad=True), 3
    ),
}
SAVED_ARGS.update(
    {
        "conv_transpose3d": lambda m: _F(m).conv_transpose3d(
            m.ones(1, 4, 3, 3, 3, requires_grad=True),
            m.ones(4, 1, 2, 3, 2),
            m.ones(2),
            stride=(2, 1, 3),
            padding=(1, 0, 1),
            output_padding=(1, 0, 2),
            groups=2,
            dilation=(1, 2, 1),
        ),
        "conv_transpose1d": lambda m: _F(m).conv_transpose1d(
            m.ones(2, 4, requires_grad=True), m.ones(2, 3, 3), stride=2, output_padding=1
        ),
    }
)
_OPS = {
    "ConvolutionBackward0",
    "MaxPool3DWithIndicesBackward0",
    "AvgPool3DBackward0",
    "AdaptiveAvgPool3DBackward0",
    "AdaptiveMaxPool3DBackward0",
}


def _op_node(t):
    """The first convolution or pool node of ``t``'s graph."""
    stack = [t.grad_fn]
    while stack:
        node = stack.pop()
        if node.name() in _OPS:
            return node
        stack.extend(n for n, _ in node.next_functions if n is not None)
    raise AssertionError("no convolution or pool node")


@needs_torch
@pytest.mark.parametrize("name", sorted(SAVED_ARGS))
def test_nodes_save_torchs_arguments(name):
    g, t = _op_node(SAVED_ARGS[name](gs)), _op_node(SAVED_ARGS[name](torch))
    assert g.name() == t.name()
    names = _torch_saved_names(t)
    assert _saved_args(g, names) == _saved_args(t, names)


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
    "max_pool3d_3d_input": lambda m: _F(m).max_pool3d(_r(4, 4, 4)(m), 2),
    "max_pool3d_padding": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, padding=2),
    "max_pool3d_negative_padding": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, 1, -1),
    "max_pool3d_padding_dilated": lambda m: _F(m).max_pool3d(
        _r(1, 2, 9, 9, 9)(m), 2, 1, 2, dilation=3
    ),
    "max_pool3d_output_small": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 5),
    "max_pool3d_kernel_2": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), (2, 2)),
    "max_pool3d_stride_2": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, (2, 2)),
    "max_pool3d_padding_2": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, 2, (1, 1)),
    "max_pool3d_dilation_2": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, 2, 0, (1, 1)),
    "max_pool3d_zero_stride": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, 0),
    "max_pool3d_zero_kernel": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 0, 1),
    "max_pool3d_negative_stride": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, -1),
    "max_pool3d_zero_dilation": lambda m: _F(m).max_pool3d(_r(1, 2, 4, 4, 4)(m), 2, dilation=0),
    "max_pool3d_empty_channels": lambda m: _F(m).max_pool3d(_r(1, 0, 4, 4, 4)(m), 2),
    "avg_pool3d_3d_input": lambda m: _F(m).avg_pool3d(_r(4, 4, 4)(m), 2),
    "avg_pool3d_padding": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), 2, padding=2),
    "avg_pool3d_small_input": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), 5),
    "avg_pool3d_small_padded_input": lambda m: _F(m).avg_pool3d(_r(1, 1, 2, 2, 2)(m), 3, padding=1),
    "avg_pool3d_kernel_2": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), (2, 2)),
    "avg_pool3d_stride_2": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), 2, (2, 2)),
    "avg_pool3d_padding_2": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), 2, 2, (1, 1)),
    "avg_pool3d_zero_kernel": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), 0),
    "avg_pool3d_zero_kernel_stride_1": lambda m: _F(m).avg_pool3d(_r(1, 2, 4, 4, 4)(m), 0, 1),
    "avg_pool3d_divisor_zero": lambda m: _F(m).avg_pool3d(
        _r(1, 2, 4, 4, 4)(m), 2, divisor_override=0
    ),
    "avg_pool3d_empty_channels": lambda m: _F(m).avg_pool3d(_r(1, 0, 4, 4, 4)(m), 2),
    "adaptive_avg_pool3d_3d_input": lambda m: _F(m).adaptive_avg_pool3d(_r(4, 4, 4)(m), 2),
    "adaptive_avg_pool3d_negative": lambda m: _F(m).adaptive_avg_pool3d(
        _r(1, 2, 4, 4, 4)(m), (2, -1, 2)
    ),
    "adaptive_avg_pool3d_size_2": lambda m: _F(m).adaptive_avg_pool3d(_r(1, 2, 4, 4, 4)(m), (2, 2)),
    "adaptive_avg_pool3d_none_3d_input": lambda m: _F(m).adaptive_avg_pool3d(
        _r(4, 4, 4)(m), (None, 2, None)
    ),
    "adaptive_avg_pool3d_empty": lambda m: _F(m).adaptive_avg_pool3d(_r(1, 0, 4, 4, 4)(m), 2),
    "adaptive_max_pool3d_3d_input": lambda m: _F(m).adaptive_max_pool3d(_r(4, 4, 4)(m), 2),
    "adaptive_max_pool3d_size_2": lambda m: _F(m).adaptive_max_pool3d(_r(1, 2, 4, 4, 4)(m), (2, 2)),
    "adaptive_max_pool3d_negative": lambda m: _F(m).adaptive_max_pool3d(
        _r(1, 2, 4, 4, 4)(m), (2, -1, 2)
    ),
    "adaptive_max_pool3d_empty": lambda m: _F(m).adaptive_max_pool3d(_r(1, 0, 4, 4, 4)(m), 2),
    "adaptive_max_pool3d_int": lambda m: _F(m).adaptive_max_pool3d(
        m.ones(1, 2, 4, 4, 4, dtype=m.int64), 2
    ),
    "conv_transpose3d_2d_input": lambda m: _F(m).conv_transpose3d(
        _r(4, 4)(m), _r(2, 3, 2, 2, 2)(m)
    ),
    "conv_transpose1d_4d_input": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 4, 4)(m), _r(2, 3, 2)(m)
    ),
    "conv_transpose3d_output_padding": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), output_padding=1
    ),
    "conv_transpose1d_output_padding": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 4)(m), _r(2, 3, 2)(m), output_padding=1
    ),
    "conv_transpose2d_output_padding_and_channels": lambda m: _F(m).conv_transpose2d(
        _r(1, 3, 4, 4)(m), _r(2, 3, 2, 2)(m), output_padding=1
    ),
    "conv_transpose3d_channels": lambda m: _F(m).conv_transpose3d(
        _r(1, 3, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m)
    ),
    "conv_transpose3d_negative_padding": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), padding=-1
    ),
    "conv_transpose3d_padding_length": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), padding=(1, 1)
    ),
    "conv_transpose3d_output_padding_length": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), output_padding=(1, 1)
    ),
    "conv_transpose3d_4d_weight": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2)(m)
    ),
    "conv_transpose3d_output_small": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 1, 1, 1)(m), _r(2, 3, 1, 1, 1)(m), padding=1
    ),
    "conv_transpose1d_output_small": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 1)(m), _r(2, 3, 1)(m), padding=1
    ),
    "conv_transpose2d_output_small": lambda m: _F(m).conv_transpose2d(
        _r(1, 2, 1, 1)(m), _r(2, 3, 1, 1)(m), padding=1
    ),
    "conv_transpose3d_zero_dilation": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), dilation=0
    ),
    "conv_transpose1d_zero_dilation": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 4)(m), _r(2, 3, 2)(m), dilation=0
    ),
    "conv_transpose2d_zero_dilation": lambda m: _F(m).conv_transpose2d(
        _r(1, 2, 4, 4)(m), _r(2, 3, 2, 2)(m), dilation=0
    ),
    "conv_transpose1d_zero_stride": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 4)(m), _r(2, 3, 2)(m), stride=0
    ),
    "conv_transpose1d_zero_groups": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 4)(m), _r(2, 3, 2)(m), groups=0
    ),
    "conv_transpose3d_bias_size": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), _r(2)(m)
    ),
    "conv_transpose3d_groups_at_least": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m), _r(2, 3, 2, 2, 2)(m), groups=4
    ),
    "conv_transpose3d_groups_divide": lambda m: _F(m).conv_transpose3d(
        _r(1, 3, 4, 4, 4)(m), _r(3, 3, 2, 2, 2)(m), groups=2
    ),
    "conv_transpose3d_dtypes": lambda m: _F(m).conv_transpose3d(
        _r(1, 2, 4, 4, 4)(m).double(), _r(2, 3, 2, 2, 2)(m)
    ),
    "ConvTranspose3d_padding_mode": lambda m: m.nn.ConvTranspose3d(3, 4, 3, padding_mode="reflect"),
    "ConvTranspose1d_groups": lambda m: m.nn.ConvTranspose1d(3, 4, 3, groups=2),
    "BatchNorm3d_4d_input": lambda m: m.nn.BatchNorm3d(2)(_r(1, 2, 4, 4)(m)),
    "InstanceNorm3d_3d_input": lambda m: m.nn.InstanceNorm3d(2)(_r(2, 4, 4)(m)),
    "InstanceNorm3d_features": lambda m: m.nn.InstanceNorm3d(3, affine=True)(_r(1, 2, 4, 4, 4)(m)),
    "InstanceNorm3d_one_element": lambda m: m.nn.InstanceNorm3d(2)(_r(1, 2, 1, 1, 1)(m)),
    "conv_transpose1d_padding_string": lambda m: _F(m).conv_transpose1d(
        _r(1, 2, 4)(m), _r(2, 3, 2)(m), padding="same"
    ),
    "ConvTranspose3d_output_size_range": lambda m: m.nn.ConvTranspose3d(2, 3, 3, stride=2)(
        _r(1, 2, 3, 3, 3)(m), output_size=(9, 7, 7)
    ),
    "ConvTranspose1d_output_size_length": lambda m: m.nn.ConvTranspose1d(2, 3, 3, stride=3)(
        _r(1, 2, 3)(m), output_size=[9, 9]
    ),
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
    "conv_transpose3d": lambda m: m.nn.ConvTranspose3d(2, 4, 3, stride=2, output_padding=1),
    "conv_transpose3d_options": lambda m: m.nn.ConvTranspose3d(
        4, 6, (3, 2, 1), stride=(2, 1, 1), padding=1, groups=2, bias=False, dilation=2
    ),
    "conv_transpose1d": lambda m: m.nn.ConvTranspose1d(2, 4, 3, stride=2, output_padding=1),
    "conv_transpose1d_options": lambda m: m.nn.ConvTranspose1d(
        4, 2, 2, stride=3, padding=1, groups=2, dilation=2
    ),
    "batch_norm3d": lambda m: m.nn.BatchNorm3d(2),
    "batch_norm3d_options": lambda m: m.nn.BatchNorm3d(2, 1e-3, None, False, False),
    "instance_norm3d": lambda m: m.nn.InstanceNorm3d(2),
    "instance_norm3d_options": lambda m: m.nn.InstanceNorm3d(
        2, affine=True, track_running_stats=True
    ),
    "max_pool3d": lambda m: m.nn.MaxPool3d(2),
    "max_pool3d_options": lambda m: m.nn.MaxPool3d(3, 2, 1, ceil_mode=True, return_indices=True),
    "avg_pool3d": lambda m: m.nn.AvgPool3d(2),
    "avg_pool3d_options": lambda m: m.nn.AvgPool3d(3, 2, 1, True, False, 2),
    "adaptive_avg_pool3d": lambda m: m.nn.AdaptiveAvgPool3d((2, None, 3)),
    "adaptive_avg_pool3d_1": lambda m: m.nn.AdaptiveAvgPool3d(1),
    "adaptive_max_pool3d": lambda m: m.nn.AdaptiveMaxPool3d(2, return_indices=True),
}
MODULE_INPUTS = {
    "conv3d": (2, 2, 4, 5, 4),
    "conv3d_options": (4, 5, 5, 5),
    "conv_transpose3d_options": (4, 3, 2, 3),
    "conv_transpose1d": (2, 2, 5),
    "conv_transpose1d_options": (2, 4, 5),
}


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
    go, to = g(gs.tensor(x, requires_grad=True)), t(torch.tensor(x, requires_grad=True))
    go, to = (go[0], to[0]) if isinstance(go, tuple) else (go, to)
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert go.grad_fn.name() == to.grad_fn.name()


@pytest.mark.parametrize("cls", ["Conv3d", "ConvTranspose1d", "ConvTranspose3d"])
def test_init_is_seeded_and_bounded_as_torchs_reset_parameters(cls):
    def make():
        gs.manual_seed(3)
        return getattr(gs.nn, cls)(4, 6, (3, 2, 2)[: 1 if cls.endswith("1d") else 3], groups=2)

    a, b = make(), make()
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    fan_in = a.weight.shape[1] * int(np.prod(a.weight.shape[2:]))
    bound = 1 / np.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives the same bound
    w, b = a.weight.detach().numpy(), a.bias.detach().numpy()
    assert bound * 0.8 < np.abs(w).max() <= bound and abs(w.mean()) < bound / 4
    assert np.abs(b).max() <= bound


POOLS_WITH_INDICES = {
    "max_pool3d": lambda m, x: _F(m).max_pool3d(x, 3, 2, 1, return_indices=True),
    "max_pool3d_ceil_dilation": lambda m, x: _F(m).max_pool3d(
        x, 2, (1, 2, 3), 1, (2, 1, 1), ceil_mode=True, return_indices=True
    ),
    "adaptive_max_pool3d": lambda m, x: _F(m).adaptive_max_pool3d(x, (3, 2, 4), True),
    "adaptive_max_pool3d_upsampling": lambda m, x: _F(m).adaptive_max_pool3d(x, (7, 3, 6), True),
}


@needs_torch
@pytest.mark.parametrize("special", ["ties", "nan", "-inf"])
@pytest.mark.parametrize("name", sorted(POOLS_WITH_INDICES))
def test_max_pools_pick_torchs_index_among_ties_nans_and_infs(name, special):
    x = (np.arange(2 * 2 * 5 * 4 * 5) % 3).astype(np.float32).reshape(2, 2, 5, 4, 5)
    if special == "nan":
        x[0, 0, 1, 1, 1:3] = np.nan
        x[1, 1, 2:4, 0, 0] = np.nan
    elif special == "-inf":
        x[0, 1] = -np.inf  # whole windows of -inf point at their first element
    out = []
    for m in (gs, torch):
        v, i = POOLS_WITH_INDICES[name](m, m.tensor(x, requires_grad=True))
        v.backward(m.ones_like(v))
        out.append((v.detach().numpy(), i.numpy(), str(i.dtype)[-5:], v.grad_fn.name()))
    np.testing.assert_array_equal(out[0][0], out[1][0])
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert out[0][2:] == out[1][2:]


@needs_torch
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_pools_divide_and_pick_as_torch(dtype):
    x = np.arange(-60, 60).reshape(1, 2, 3, 4, 5) * 7 % 23 - 11
    for fn in (
        lambda m, t: _F(m).avg_pool3d(t, 2, 1, 1, ceil_mode=True, count_include_pad=False),
        lambda m, t: _F(m).avg_pool3d(t, (2, 3, 2), divisor_override=3),
        lambda m, t: _F(m).max_pool3d(t, 2, 1, 1),
    ):
        a = x % 200 if dtype == "uint8" else x
        try:
            t = fn(torch, torch.tensor(a, dtype=getattr(torch, dtype)))
        except NotImplementedError as e:  # torch's avg_pool3d takes int64 alone
            with pytest.raises(NotImplementedError, match=re.escape(str(e))):
                fn(gs, gs.tensor(a, dtype=getattr(gs, dtype)))
            continue
        g = fn(gs, gs.tensor(a, dtype=getattr(gs, dtype)))
        assert str(g.dtype)[-5:] == str(t.dtype)[-5:]
        np.testing.assert_array_equal(g.numpy(), t.numpy())


@needs_torch
def test_an_inf_reaches_only_the_windows_that_hold_it():
    x = np.ones((1, 1, 5, 4, 6))
    x[0, 0, 0, 0, 0] = np.inf
    for fn in (
        lambda m, t: _F(m).avg_pool3d(t, 2, 1, 1, ceil_mode=True),
        lambda m, t: _F(m).adaptive_avg_pool3d(t, (3, 3, 4)),
    ):
        g = fn(gs, gs.tensor(x, requires_grad=True))
        t = fn(torch, torch.tensor(x, requires_grad=True))
        np.testing.assert_array_equal(g.detach().numpy(), t.detach().numpy())
        assert np.isinf(g.detach().numpy()).sum() < g.numel()


def test_avg_pool3d_values_without_torch():
    x = gs.arange(2 * 4 * 4 * 4, dtype=gs.float64).reshape(2, 4, 4, 4)
    y = gs.nn.functional.avg_pool3d(x, 2)
    # each 2x2x2 block's mean is the value at its centre of an arithmetic grid
    want = x.numpy().reshape(2, 2, 2, 2, 2, 2, 2).mean(axis=(2, 4, 6))
    np.testing.assert_allclose(y.numpy(), want)
    z = gs.nn.functional.avg_pool3d(x, 3, 2, 1, count_include_pad=False)
    assert z[0, 0, 0, 0].item() == pytest.approx(x.numpy()[0, :2, :2, :2].mean())
    a = gs.nn.functional.adaptive_avg_pool3d(x, (1, 2, 1))
    want = x.numpy().reshape(2, 4, 2, 2, 4).mean((1, 3, 4))
    np.testing.assert_allclose(a.numpy()[:, 0, :, 0], want)


def test_max_pool3d_values_and_gradient_without_torch():
    x = gs.tensor(np.random.default_rng(0).permutation(64).reshape(1, 1, 4, 4, 4), dtype=gs.float64)
    x.requires_grad_()
    y, i = gs.nn.functional.max_pool3d(x, 2, return_indices=True)
    blocks = x.detach().numpy().reshape(2, 2, 2, 2, 2, 2).transpose(0, 2, 4, 1, 3, 5)
    np.testing.assert_array_equal(y.detach().numpy()[0, 0], blocks.reshape(2, 2, 2, 8).max(-1))
    np.testing.assert_array_equal(
        x.detach().numpy().ravel()[i.numpy().ravel()], y.detach().numpy().ravel()
    )
    y.sum().backward()
    assert x.grad.sum().item() == 8 and set(np.unique(x.grad.numpy())) == {0.0, 1.0}


NORMS = {
    "batch_norm3d": lambda m: m.nn.BatchNorm3d(3, momentum=0.3),
    "batch_norm3d_cumulative": lambda m: m.nn.BatchNorm3d(3, momentum=None, affine=False),
    "instance_norm3d_affine_tracked": lambda m: m.nn.InstanceNorm3d(
        3, affine=True, track_running_stats=True
    ),
    "instance_norm3d": lambda m: m.nn.InstanceNorm3d(3),
}


@needs_torch
@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("name", sorted(NORMS))
def test_3d_norms_train_and_eval_as_torch(name, unbatched):
    from tests.test_parity_torch import graph_signature

    if unbatched and name.startswith("batch"):
        pytest.skip("BatchNorm3d takes batched input only")
    rng = np.random.default_rng(2)
    shape = (3, 3, 2, 4) if unbatched else (2, 3, 3, 2, 4)
    xs = [rng.standard_normal(shape) * 2 + 1 for _ in range(3)]
    seed = rng.standard_normal(shape)
    got = []
    for m in (gs, torch):
        mod = NORMS[name](m).double()
        if mod.weight is not None:
            with m.no_grad():
                mod.weight.copy_(m.tensor(np.linspace(0.5, 2, 3)))
                mod.bias.copy_(m.tensor(np.linspace(-1, 1, 3)))
        res = []
        for i, x in enumerate(xs):
            mod.train(i < 2)
            t = m.tensor(x, requires_grad=True)
            y = mod(t)
            y.backward(m.tensor(seed))
            res.append((y.detach().numpy(), t.grad.numpy(), graph_signature(y)))
        res.append({k: v.detach().numpy().copy() for k, v in mod.state_dict().items()})
        res.append({k: p.grad.numpy() for k, p in mod.named_parameters()})
        got.append(res)
    (*g_steps, g_state, g_grads), (*t_steps, t_state, t_grads) = got
    for (gy, gx, gsig), (ty, tx, tsig) in zip(g_steps, t_steps):
        np.testing.assert_allclose(gy, ty, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(gx, tx, rtol=1e-10, atol=1e-12)
        assert gsig == tsig
    assert list(g_state) == list(t_state)
    for k in t_state:
        np.testing.assert_allclose(g_state[k], t_state[k], rtol=1e-12, err_msg=k)
    assert list(g_grads) == list(t_grads)
    for k in t_grads:
        np.testing.assert_allclose(g_grads[k], t_grads[k], rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("cls", ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"])
def test_instance_norms_convert_their_dtype_as_modules_do(cls):
    # (their forward helper once shadowed Module._apply, which .double() and .to() use)
    m = gs.nn.Sequential(getattr(gs.nn, cls)(3, affine=True, track_running_stats=True)).double()
    assert {p.dtype for p in m.parameters()} == {gs.float64}
    assert m[0].running_mean.dtype == gs.float64


EMPTY_AND_SHORT = {
    "max_pool3d_empty_batch": lambda m: _F(m).max_pool3d(
        m.ones(0, 2, 4, 4, 4, requires_grad=True), 2
    ),
    "avg_pool3d_empty_batch": lambda m: _F(m).avg_pool3d(
        m.ones(0, 2, 4, 4, 4, requires_grad=True), 2
    ),
    "adaptive_max_pool3d_empty_batch": lambda m: _F(m).adaptive_max_pool3d(
        m.ones(0, 2, 4, 4, 4, requires_grad=True), 2
    ),
    "adaptive_avg_pool3d_zero_output": lambda m: _F(m).adaptive_avg_pool3d(
        m.ones(1, 2, 4, 4, 4, requires_grad=True), (2, 0, 2)
    ),
    "conv3d_empty_batch": lambda m: _F(m).conv3d(
        m.ones(0, 2, 4, 4, 4, requires_grad=True),
        m.ones(4, 1, 2, 2, 2, requires_grad=True),
        groups=2,
    ),
    "conv_transpose3d_empty_batch": lambda m: _F(m).conv_transpose3d(
        m.ones(0, 2, 4, 4, 4, requires_grad=True), m.ones(2, 3, 2, 2, 2, requires_grad=True)
    ),
    "conv3d_one_element_arguments": lambda m: _F(m).conv3d(
        m.ones(1, 2, 4, 4, 4, requires_grad=True), m.ones(3, 2, 2, 2, 2), stride=(2,), padding=(1,)
    ),
    "conv_transpose3d_one_element_arguments": lambda m: _F(m).conv_transpose3d(
        m.ones(1, 2, 3, 3, 3, requires_grad=True), m.ones(2, 3, 2, 2, 2), stride=(2,), dilation=(2,)
    ),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(EMPTY_AND_SHORT))
def test_empty_inputs_and_one_element_arguments_as_torch(name):
    from tests.test_parity_torch import graph_signature

    g, t = EMPTY_AND_SHORT[name](gs), EMPTY_AND_SHORT[name](torch)
    assert tuple(g.shape) == tuple(t.shape) and graph_signature(g) == graph_signature(t)
    np.testing.assert_array_equal(g.detach().numpy(), t.detach().numpy())
    g.sum().backward()  # the gradients of empty tensors are empty, not an error


OUTPUT_SIZES = {
    "conv_transpose3d": (
        lambda m: m.nn.ConvTranspose3d(2, 3, 3, stride=(2, 3, 2)),
        (1, 2, 3, 3, 3),
        (8, 9, 7),
    ),
    "conv_transpose3d_unbatched_full": (
        lambda m: m.nn.ConvTranspose3d(2, 3, 3, stride=2, dilation=2, groups=1),
        (2, 3, 3, 3),
        [3, 10, 9, 10],
    ),
    "conv_transpose1d": (
        lambda m: m.nn.ConvTranspose1d(2, 4, 3, stride=3, groups=2),
        (2, 2, 3),
        [11],
    ),
    "conv_transpose2d": (
        lambda m: m.nn.ConvTranspose2d(2, 3, 3, stride=2),
        (1, 2, 3, 3),
        (1, 3, 8, 8),
    ),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(OUTPUT_SIZES))
def test_transposed_modules_take_an_output_size_as_torch(name):
    make, shape, size = OUTPUT_SIZES[name]
    g, t = make(gs), make(torch)
    t.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in g.state_dict().items()})
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)
    go, to = g(gs.tensor(x), output_size=size), t(torch.tensor(x), output_size=size)
    assert tuple(go.shape) == tuple(to.shape)
    np.testing.assert_allclose(go.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
