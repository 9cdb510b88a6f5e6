"""``erf`` and more of ``nn.functional`` against torch 2.13: dtypes (ints, bools, float64,
0-dim and empty tensors), arguments and errors. Each case compares shape, dtype, values,
the node, its edges and the gradients, or torch's error type and first line.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import edges

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _F(m):  # noqa: N802
    return m.nn.functional


def _plain(arr) -> str:
    return str(np.asarray(arr, dtype=float).round(4).tolist())


def _x(m, dtype="float32", shape=(2, 3), grad=True):
    """A tensor of ``shape`` with values in [-3, 3] (floats require grad unless told not)."""
    n = int(np.prod(shape))
    vals = np.linspace(-3, 3, n) if n else np.zeros(0)
    arr = vals.reshape(shape) if dtype.startswith("float") else vals.round().reshape(shape)
    t = m.tensor(arr.tolist() if shape else float(arr), dtype=getattr(m, dtype))
    return t.requires_grad_() if grad and t.is_floating_point() else t


def _outcome(m, run):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            xs, y = run(m)
    except (
        RuntimeError,
        IndexError,
        ValueError,
        TypeError,
        NotImplementedError,
        AssertionError,
    ) as e:
        return (type(e).__name__, str(e).splitlines()[0])
    got = [tuple(y.shape), str(y.dtype).split(".")[-1], _plain(y.detach().numpy())]
    node = y.grad_fn
    got += [None, None] if node is None else [node.name(), edges(node)]
    if y.requires_grad and y.numel():
        try:
            y.double().sum().backward()
        except RuntimeError as e:
            return (*got, type(e).__name__, str(e).splitlines()[0])
        got += [None if t.grad is None else _plain(t.grad.numpy()) for t in xs]
    return ("ok", *got)


def _on(fn, dtype="float32", shape=(2, 3), inplace=False):
    """``fn(m, x)`` on one input; with ``inplace``, on a non-leaf copy of it."""

    def run(m):
        x = _x(m, dtype, shape)
        target = (x * 1 if x.requires_grad else x.clone()) if inplace else x
        return [x], fn(m, target)

    return run


CASES = {
    # erf
    "erf_f64": _on(lambda m, x: m.erf(x), "float64"),
    "erf_int": _on(lambda m, x: m.erf(x), "int64"),
    "erf_bool": _on(lambda m, x: x.erf(), "bool"),
    "erf_0d": _on(lambda m, x: x.erf(), shape=()),
    "erf_empty": _on(lambda m, x: x.erf(), shape=(0, 3)),
    # activations
    "gelu_bad_approximate": _on(lambda m, x: _F(m).gelu(x, approximate="tan")),
    "gelu_int": _on(lambda m, x: _F(m).gelu(x), "int64"),
    "gelu_f64_tanh": _on(lambda m, x: _F(m).gelu(x, approximate="tanh"), "float64"),
    "gelu_0d": _on(lambda m, x: _F(m).gelu(x), shape=()),
    "gelu_empty": _on(lambda m, x: _F(m).gelu(x), shape=(0,)),
    "silu_int": _on(lambda m, x: _F(m).silu(x), "int32"),
    "silu_bool": _on(lambda m, x: _F(m).silu(x), "bool"),
    "silu_f64": _on(lambda m, x: _F(m).silu(x), "float64"),
    "leaky_relu_int": _on(lambda m, x: _F(m).leaky_relu(x), "int64"),
    "leaky_relu_negative_slope": _on(lambda m, x: _F(m).leaky_relu(x, -0.5)),
    "leaky_relu_inplace_negative_slope": _on(
        lambda m, x: _F(m).leaky_relu(x, -0.5, inplace=True), inplace=True
    ),
    "leaky_relu_inplace_f64": _on(
        lambda m, x: _F(m).leaky_relu(x, 0.3, True), "float64", inplace=True
    ),
    "softplus_int": _on(lambda m, x: _F(m).softplus(x), "int64"),
    "softplus_beta_threshold": _on(lambda m, x: _F(m).softplus(x, 3, 2)),
    "softplus_negative_beta": _on(lambda m, x: _F(m).softplus(x, -1.0)),
    "elu_int": _on(lambda m, x: _F(m).elu(x), "uint8"),
    "elu_alpha_f64": _on(lambda m, x: _F(m).elu(x, 2.0), "float64"),
    "elu_negative_alpha": _on(lambda m, x: _F(m).elu(x, -0.5)),
    "elu_inplace_negative_alpha": _on(lambda m, x: _F(m).elu(x, -0.5, True), inplace=True),
    "selu": _on(lambda m, x: _F(m).selu(x)),
    "selu_f64": _on(lambda m, x: _F(m).selu(x), "float64"),
    "selu_int": _on(lambda m, x: _F(m).selu(x), "int64"),
    "selu_inplace": _on(lambda m, x: _F(m).selu(x, True), inplace=True),
    "logsigmoid_int": _on(lambda m, x: _F(m).logsigmoid(x), "int64"),
    "logsigmoid_bool": _on(lambda m, x: _F(m).logsigmoid(x), "bool"),
    "logsigmoid_f64_0d": _on(lambda m, x: _F(m).logsigmoid(x), "float64", ()),
    "hardtanh_int": _on(lambda m, x: _F(m).hardtanh(x), "int64"),
    "hardtanh_bool": _on(lambda m, x: _F(m).hardtanh(x), "bool"),
    "hardtanh_min_over_max": _on(lambda m, x: _F(m).hardtanh(x, 1.0, -1.0)),
    "hardtanh_equal_bounds": _on(lambda m, x: _F(m).hardtanh(x, 0.5, 0.5)),
    "hardtanh_inplace_int": _on(lambda m, x: _F(m).hardtanh(x, -2, 2, True), "int64", inplace=True),
    "relu6_int": _on(lambda m, x: _F(m).relu6(x * 3), "int64"),
    "relu6_f64_inplace": _on(lambda m, x: _F(m).relu6(x * 3, inplace=True), "float64"),
    "relu6_bool": _on(lambda m, x: _F(m).relu6(x), "bool"),
}


def _pair(fn, dtypes=("float32", "float32"), shapes=((2, 3), (2, 3)), grads=(True, False)):
    """``fn(m, x, t)`` on an input and a target in [0, 1] (floats requiring grad as told)."""

    def run(m):
        x = _x(m, dtypes[0], shapes[0], grads[0])
        t = _x(m, dtypes[1], shapes[1], grads[1])
        if t.is_floating_point():
            t = ((t.detach() + 3) / 6).requires_grad_(grads[1])
        return [x, t], fn(m, x, t)

    return run


def _probs(fn, **kw):
    return _pair(lambda m, x, t: fn(m, x.sigmoid(), t), **kw)


def _w(m, *vals, grad=False):
    return m.tensor(list(vals), requires_grad=grad)


BCEL = "binary_cross_entropy_with_logits"
CASES.update(
    {
        # binary_cross_entropy_with_logits
        "bcel_shape": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t[0])),
        "bcel_reduction": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t, reduction="avg")),
        "bcel_int_target": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t), ("float32", "int64")),
        "bcel_int_input": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t), ("int64", "float32")),
        "bcel_f64_target": _pair(
            lambda m, x, t: getattr(_F(m), BCEL)(x, t), ("float32", "float64")
        ),
        "bcel_weight_grad": _pair(
            lambda m, x, t: getattr(_F(m), BCEL)(x, t, weight=_w(m, 1.0, 2, 3, grad=True))
        ),
        "bcel_pos_weight_grad": _pair(
            lambda m, x, t: getattr(_F(m), BCEL)(x, t, pos_weight=_w(m, 1.0, 2, 3, grad=True))
        ),
        "bcel_weight_bad": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t, weight=_w(m, 1.0, 2))),
        "bcel_weight_bigger": _pair(
            lambda m, x, t: getattr(_F(m), BCEL)(x, t, weight=m.ones(2, 2, 3))
        ),
        "bcel_weights_f64_sum": _pair(
            lambda m, x, t: getattr(_F(m), BCEL)(
                x,
                t,
                weight=_w(m, 1.0, 2, 3).double(),
                pos_weight=m.tensor([[2.0], [0.5]]),
                reduction="sum",
            ),
            ("float64", "float64"),
            grads=(True, True),
        ),
        "bcel_legacy_reduce": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t, reduce=False)),
        "bcel_empty": _pair(lambda m, x, t: getattr(_F(m), BCEL)(x, t), shapes=((0,), (0,))),
        "bcel_0d_sum": _pair(
            lambda m, x, t: getattr(_F(m), BCEL)(x, t, reduction="sum"), shapes=((), ())
        ),
        # binary_cross_entropy
        "bce_outside": _pair(lambda m, x, t: _F(m).binary_cross_entropy(x, t)),
        "bce_target_outside": _probs(lambda m, x, t: _F(m).binary_cross_entropy(x, t * 2)),
        "bce_shape": _probs(lambda m, x, t: _F(m).binary_cross_entropy(x, t[0])),
        "bce_f64_target": _probs(
            lambda m, x, t: _F(m).binary_cross_entropy(x, t), dtypes=("float32", "float64")
        ),
        "bce_weight_bad": _probs(lambda m, x, t: _F(m).binary_cross_entropy(x, t, _w(m, 1.0, 2))),
        "bce_weight_grad": _probs(
            lambda m, x, t: _F(m).binary_cross_entropy(x, t, _w(m, 1.0, 2, 3, grad=True))
        ),
        "bce_weight_f64_mean": _probs(
            lambda m, x, t: _F(m).binary_cross_entropy(x, t, _w(m, 1.0, 2, 3).double()),
            grads=(True, True),
        ),
        "bce_f64_none": _probs(
            lambda m, x, t: _F(m).binary_cross_entropy(x, t, reduction="none"),
            dtypes=("float64", "float64"),
        ),
        "bce_clamped_log": _pair(
            lambda m, x, t: _F(m).binary_cross_entropy(
                m.tensor([0.0, 1.0, 0.5]), m.tensor([1.0, 0.0, 0.5])
            )
        ),
        "bce_reduction": _probs(lambda m, x, t: _F(m).binary_cross_entropy(x, t, reduction="x")),
        # l1, smooth l1, huber
        "l1_broadcast": _pair(lambda m, x, t: _F(m).l1_loss(x, t[0])),
        "l1_bad_shapes": _pair(lambda m, x, t: _F(m).l1_loss(x, t[:1, :2])),
        "l1_int_none": _pair(
            lambda m, x, t: _F(m).l1_loss(x, t, reduction="none"), ("int64", "int64")
        ),
        "l1_int_mean": _pair(lambda m, x, t: _F(m).l1_loss(x, t), ("int64", "int64")),
        "l1_f64_target": _pair(lambda m, x, t: _F(m).l1_loss(x, t), ("float32", "float64")),
        "l1_weight": _pair(lambda m, x, t: _F(m).l1_loss(x, t, weight=m.ones(2, 3) * 2)),
        "l1_weight_bad": _pair(lambda m, x, t: _F(m).l1_loss(x, t, weight=m.ones(3))),
        "l1_size_average": _pair(lambda m, x, t: _F(m).l1_loss(x, t, size_average=False)),
        "smooth_l1_beta_0": _pair(lambda m, x, t: _F(m).smooth_l1_loss(x, t, beta=0.0)),
        "smooth_l1_beta_negative": _pair(lambda m, x, t: _F(m).smooth_l1_loss(x, t, beta=-1.0)),
        "smooth_l1_int": _pair(lambda m, x, t: _F(m).smooth_l1_loss(x, t), ("int64", "int64")),
        "smooth_l1_f64_target": _pair(
            lambda m, x, t: _F(m).smooth_l1_loss(x, t, reduction="sum"),
            ("float32", "float64"),
            grads=(True, True),
        ),
        "smooth_l1_broadcast": _pair(lambda m, x, t: _F(m).smooth_l1_loss(x, t[:, :1])),
        "smooth_l1_empty": _pair(lambda m, x, t: _F(m).smooth_l1_loss(x, t), shapes=((0,), (0,))),
        "huber_delta_0": _pair(lambda m, x, t: _F(m).huber_loss(x, t, delta=0.0)),
        "huber_int": _pair(lambda m, x, t: _F(m).huber_loss(x, t), ("int64", "int64")),
        "huber_f64_target": _pair(
            lambda m, x, t: _F(m).huber_loss(x, t), ("float32", "float64"), grads=(True, True)
        ),
        "huber_weight_sum": _pair(
            lambda m, x, t: _F(m).huber_loss(x, t, "sum", 0.5, weight=m.ones(2, 3) * 3)
        ),
        "huber_weight_bad_reduction": _pair(
            lambda m, x, t: _F(m).huber_loss(x, t, "avg", weight=m.ones(2, 3))
        ),
        "huber_reduction": _pair(lambda m, x, t: _F(m).huber_loss(x, t, "avg")),
    }
)

CASES.update(
    {
        # one_hot
        "one_hot": lambda m: ([], _F(m).one_hot(m.tensor([0, 2, 1]))),
        "one_hot_classes": lambda m: ([], _F(m).one_hot(m.tensor([[0, 2], [1, 1]]), 4)),
        "one_hot_0d": lambda m: ([], _F(m).one_hot(m.tensor(2), num_classes=3)),
        "one_hot_empty": lambda m: ([], _F(m).one_hot(m.zeros(0, 2, dtype=m.int64), 3)),
        "one_hot_empty_infer": lambda m: ([], _F(m).one_hot(m.zeros(0, dtype=m.int64))),
        "one_hot_negative": lambda m: ([], _F(m).one_hot(m.tensor([0, -1]), 3)),
        "one_hot_too_big": lambda m: ([], _F(m).one_hot(m.tensor([0, 3]), 3)),
        "one_hot_classes_0": lambda m: ([], _F(m).one_hot(m.tensor([0]), 0)),
        "one_hot_int32": lambda m: ([], _F(m).one_hot(m.tensor([0, 1], dtype=m.int32))),
        "one_hot_float": lambda m: ([], _F(m).one_hot(m.tensor([0.0, 1.0]))),
        "one_hot_float_classes": lambda m: ([], _F(m).one_hot(m.tensor([0, 1]), 2.0)),
        # dropout, where its mask does not show
        "dropout_p_negative": _on(lambda m, x: _F(m).dropout(x, -0.1)),
        "dropout_p_over_1": _on(lambda m, x: _F(m).dropout(x, 1.5)),
        "dropout_int": _on(lambda m, x: _F(m).dropout(x, 0.5), "int64"),
        "dropout_int_p0": _on(lambda m, x: _F(m).dropout(x, 0.0), "int64"),
        "dropout_bool": _on(lambda m, x: _F(m).dropout(x, 0.5), "bool"),
        "dropout_leaf_inplace": _on(lambda m, x: _F(m).dropout(x, 0.5, inplace=True)),
        "dropout_eval_inplace": _on(lambda m, x: _F(m).dropout(x, 0.5, False, True), inplace=True),
        "dropout_p1_f64": _on(lambda m, x: _F(m).dropout(x, 1), "float64"),
        "dropout_empty": _on(lambda m, x: _F(m).dropout(x, 0.5), shape=(0, 3)),
    }
)


def _emb(idx, **kw):
    def run(m):
        w = _x(m, shape=(5, 3))
        return [w], _F(m).embedding(idx(m), w, **kw)

    return run


CASES.update(
    {
        "embedding_float_indices": _emb(lambda m: m.tensor([1.0, 2.0])),
        "embedding_uint8_indices": _emb(lambda m: m.tensor([1, 2], dtype=m.uint8)),
        "embedding_out_of_range": _emb(lambda m: m.tensor([1, 5])),
        "embedding_negative_index": _emb(lambda m: m.tensor([1, -1])),
        "embedding_padding_out_of_range": _emb(lambda m: m.tensor([1]), padding_idx=5),
        "embedding_padding_negative_out_of_range": _emb(lambda m: m.tensor([1]), padding_idx=-6),
        "embedding_padding_negative": _emb(lambda m: m.tensor([[4, 1], [4, 4]]), padding_idx=-1),
        "embedding_empty": _emb(lambda m: m.zeros(0, 2, dtype=m.int64)),
        "embedding_freq": _emb(lambda m: m.tensor([3, 3, 0, 3]), scale_grad_by_freq=True),
        "embedding_max_norm": _emb(lambda m: m.tensor([0, 4, 4]), max_norm=1.0),
        "embedding_max_norm_l1": _emb(lambda m: m.tensor([0, 2]), max_norm=2.0, norm_type=1.0),
        "embedding_weight_1d": lambda m: ([], _F(m).embedding(m.tensor([1]), m.ones(5))),
        "embedding_weight_int": lambda m: (
            [],
            _F(m).embedding(m.tensor([1, 0]), m.ones(3, 2, dtype=m.int64)),
        ),
    }
)


def _ln(shape, normalized, w=None, b=None, dtype="float32", **kw):
    """layer_norm of an input of ``shape``; ``w``/``b``: the shapes of a weight and a bias."""

    def run(m):
        x = _x(m, dtype, shape)
        ps = [None if s is None else _x(m, dtype, s) for s in (w, b)]
        return [x, *[p for p in ps if p is not None]], _F(m).layer_norm(x, normalized, *ps, **kw)

    return run


CASES.update(
    {
        "layer_norm_int_shape": _ln((2, 3), 3),
        "layer_norm_empty_shape": _ln((2, 3), ()),
        "layer_norm_0d": _ln((), ()),
        "layer_norm_bad_shape": _ln((2, 3), (4,)),
        "layer_norm_bad_shape_2d": _ln((2, 3, 4), [2, 4]),
        "layer_norm_longer_shape": _ln((3,), (2, 3)),
        "layer_norm_bad_weight": _ln((2, 3), (3,), (2,)),
        "layer_norm_bad_bias": _ln((2, 3), (3,), None, (3, 1)),
        "layer_norm_int": _ln((2, 3), (3,), dtype="int64"),
        "layer_norm_f64_affine": _ln((2, 3, 4), (3, 4), (3, 4), (3, 4), "float64", eps=0.1),
        "layer_norm_whole": _ln((2, 3), (2, 3), (2, 3)),
        "layer_norm_empty_batch": _ln((0, 3), (3,), (3,), (3,)),
        "layer_norm_mixed_weight": lambda m: (
            [],
            _F(m).layer_norm(_x(m, shape=(2, 3)), (3,), _x(m, "float64", (3,), False)),
        ),
    }
)


@pytest.mark.parametrize("name", sorted(CASES))
def test_as_torch(name):
    assert _outcome(gs, CASES[name]) == _outcome(torch, CASES[name])


# ------------------------------------------------------------------ dropout's mask


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_scales_what_it_keeps_and_its_gradient_is_the_mask(p):
    gs.manual_seed(3)
    x = gs.tensor(np.linspace(-2, 2, 2000).reshape(40, 50), dtype=gs.float32, requires_grad=True)
    y = _F(gs).dropout(x, p)
    node = y.grad_fn
    assert node.name() == "MulBackward0" and edges(node) == [
        "torch::autograd::AccumulateGrad",
        None,
    ]
    noise = node._saved_other.numpy()
    assert noise.shape == (40, 50) and noise.dtype == np.float32
    scale = np.float32(1) / np.float32(1 - p)
    assert set(np.unique(noise)) <= {0.0, scale}
    assert abs((noise == 0).mean() - p) < 0.05
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy() * noise)
    g = np.random.default_rng(0).standard_normal((40, 50)).astype(np.float32)
    y.backward(gs.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), g * noise)


def test_dropout_follows_manual_seed():
    x = gs.ones(8, 16)
    gs.manual_seed(11)
    a = _F(gs).dropout(x, 0.5)
    gs.manual_seed(11)
    b = _F(gs).dropout(x, 0.5)
    c = _F(gs).dropout(x, 0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(b.numpy(), c.numpy())


def test_dropout_in_place_writes_the_input_and_records_the_product():
    x = gs.tensor(np.arange(1.0, 13.0).reshape(3, 4), requires_grad=True)
    t = x * 1
    y = _F(gs).dropout(t, 0.5, inplace=True)
    assert y is t and y.grad_fn.name() == "MulBackward0"
    assert edges(y.grad_fn) == ["MulBackward0", None]
    noise = y.grad_fn._saved_other.numpy()
    np.testing.assert_array_equal(y.detach().numpy(), np.arange(1.0, 13.0).reshape(3, 4) * noise)


def test_dropout_returns_its_input_when_it_drops_nothing():
    x = gs.ones(3, requires_grad=True)
    assert _F(gs).dropout(x, 0.0) is x
    assert _F(gs).dropout(x, 0.5, training=False) is x
