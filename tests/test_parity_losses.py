"""The losses and ``linear`` against torch where the op table does not reach: class
probabilities and (N, C, d1, ...) inputs in cross_entropy and nll_loss (values, gradients,
the nodes below the loss, what they save, their double-backward nodes), mse_loss's result
dtype, and where ``linear`` adds a bias as torch's ``add_`` does.

Error texts of these paths are rows of the error table (``tests/op_cases.py``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import grad_fn_tree

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _np(t) -> np.ndarray:
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def _both(build, *arrays, grad=None, dtypes=None):
    """``build(m, *tensors)`` in gradscope and torch on the same arrays (tensors of
    ``dtypes``, float32 by default, that require grad where ``grad`` says): (result,
    inputs) for each."""
    grad = grad or (True,) * len(arrays)
    dtypes = dtypes or ("float32",) * len(arrays)
    out = []
    for m in (gs, torch):
        ins = [
            m.tensor(a, dtype=getattr(m, d), requires_grad=g)
            for a, g, d in zip(arrays, grad, dtypes)
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append((build(m, *ins), ins))
    return out


def _same_result(pair, seed: int = 0, tree: bool = True) -> None:
    """Value, dtype, shape, node tree (unless ``tree`` is False) and every input gradient
    equal torch's."""
    (g, gi), (t, ti) = pair
    assert str(g.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(g.shape) == tuple(t.shape)
    if tree:
        assert grad_fn_tree(g.grad_fn, 8) == grad_fn_tree(t.grad_fn, 8)
    np.testing.assert_allclose(_np(g), _np(t), rtol=1e-5, atol=1e-6, equal_nan=True)
    if not t.requires_grad:
        return
    v = np.random.default_rng(seed).standard_normal(tuple(t.shape))
    g.backward(gs.tensor(v, dtype=g.dtype))
    t.backward(torch.tensor(v, dtype=t.dtype))
    for a, b in zip(gi, ti):
        if b.grad is None:
            assert a.grad is None
            continue
        assert str(a.grad.dtype).split(".")[-1] == str(b.grad.dtype).split(".")[-1]
        np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-4, atol=1e-5)


RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((2, 3))
TARGET_3D = [[0, 1, 2, -100], [1, 1, 0, 2]]
TARGET_4D = [[[0, 1], [2, 2]], [[1, -100], [0, 2]]]
WEIGHT = [0.5, 2.0, 1.5]


# ----------------------------------------------------------------- the review's examples


def test_cross_entropy_with_class_probabilities_as_torch():
    probs = [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]
    pair = _both(lambda m, x: m.nn.functional.cross_entropy(x, m.tensor(probs)), LOGITS)
    assert pair[0][0].grad_fn.name() == "DivBackward1"
    _same_result(pair)


def test_cross_entropy_and_nll_loss_of_k_dim_input_as_torch():
    ce = _both(
        lambda m: m.nn.functional.cross_entropy(m.ones(2, 3, 4), m.zeros(2, 4, dtype=m.int64))
    )
    np.testing.assert_allclose(_np(ce[0][0]), np.log(3.0), rtol=1e-6)
    _same_result(ce)
    nll = _both(lambda m: m.nn.functional.nll_loss(m.ones(2, 3, 4), m.zeros(2, 4, dtype=m.int64)))
    assert float(nll[0][0]) == -1.0
    _same_result(nll)


# ----------------------------------------------------------------- class probabilities


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 3, 2)])
def test_probability_targets_values_nodes_and_gradients(shape, weighted, smoothing, reduction):
    """The target requires grad too: torch differentiates in it (MulBackward1 and
    AddBackward1 where it is smoothed)."""
    x, p = RNG.standard_normal(shape), RNG.uniform(0, 1, shape)

    def build(m, x, p):
        weight = m.tensor(WEIGHT) if weighted else None
        return m.nn.functional.cross_entropy(
            x, p, weight=weight, reduction=reduction, label_smoothing=smoothing
        )

    _same_result(_both(build, x, p))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_probability_targets_with_no_samples(reduction):
    """A mean over no samples is NaN (torch fills the sum with it: FillBackward2)."""
    pair = _both(
        lambda m, x, p: m.nn.functional.cross_entropy(x, p, reduction=reduction),
        np.zeros((0, 3)),
        np.zeros((0, 3)),
        grad=(True, False),
    )
    _same_result(pair)


@pytest.mark.parametrize("target_dtype", ["float64", "float16"])
def test_probability_targets_of_another_dtype(target_dtype):
    probs = [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]

    def build(m, x):
        target = m.tensor(probs, dtype=getattr(m, target_dtype))
        return m.nn.functional.cross_entropy(x, target, weight=m.tensor([1, 2, 3]))

    _same_result(_both(build, LOGITS))


def test_negative_label_smoothing_is_no_smoothing_as_torch():
    for target in ([0, 2], [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]):
        pair = _both(
            lambda m, x, target=target: m.nn.functional.cross_entropy(
                x, m.tensor(target), label_smoothing=-0.5
            ),
            LOGITS,
        )
        _same_result(pair)


# ----------------------------------------------------------------- (N, C, d1, ...) inputs


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "shape,target",
    [
        ((2, 3, 4), TARGET_3D),
        ((2, 3, 2, 2), TARGET_4D),
        ((2, 3, 2, 1, 2), [[[[0, 1]], [[2, 2]]], [[[1, 0]], [[0, -100]]]]),
    ],
    ids=["3d", "4d", "5d"],
)
@pytest.mark.parametrize("weighted", [False, True])
def test_k_dim_nll_loss_and_cross_entropy(shape, target, weighted, reduction):
    """nll_loss2d (on a (N, C, 1, -1) view unless the input is 4-D), under log_softmax and
    label smoothing too."""
    x = RNG.standard_normal(shape)

    def nll(m, x):
        weight = m.tensor(WEIGHT) if weighted else None
        return m.nn.functional.nll_loss(x, m.tensor(target), weight=weight, reduction=reduction)

    def ce(m, x):
        weight = m.tensor(WEIGHT) if weighted else None
        return m.nn.functional.cross_entropy(
            x, m.tensor(target), weight=weight, reduction=reduction, label_smoothing=0.2
        )

    _same_result(_both(nll, x))
    _same_result(_both(ce, x))


def test_k_dim_nll_loss_of_a_non_contiguous_input_copies_it_first():
    pair = _both(
        lambda m, x: m.nn.functional.nll_loss(x.transpose(0, 1), m.tensor(TARGET_3D)),
        RNG.standard_normal((3, 2, 4)),
    )
    assert grad_fn_tree(pair[0][0].grad_fn, 8).startswith(
        "NllLoss2DBackward0(ViewBackward0(CloneBackward0("
    )
    _same_result(pair)


@pytest.mark.parametrize("shape,target", [((0, 3, 4), (0, 4)), ((2, 3, 0), (2, 0))])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_k_dim_nll_loss_of_no_samples(shape, target, reduction):
    pair = _both(
        lambda m, x: m.nn.functional.nll_loss(
            x, m.zeros(*target, dtype=m.int64), reduction=reduction
        ),
        np.zeros(shape),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's, on a mean over nothing
        _same_result(pair)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape,target", [((2, 3, 4), TARGET_3D), ((2, 3, 2, 2), TARGET_4D)])
def test_nll_loss2d_saves_what_torch_saves(shape, target, reduction):
    """self (the (N, C, 1, M) view for 3-D input), target, total_weight (0 when nothing is
    reduced) and weight, by name and value."""
    x = RNG.standard_normal(shape)
    saved = []
    for m in (gs, torch):
        loss = m.nn.functional.nll_loss(
            m.tensor(x, requires_grad=True),
            m.tensor(target),
            weight=m.tensor(WEIGHT, dtype=m.float64),
            reduction=reduction,
        )
        node = loss.grad_fn
        if node.name() == "ViewBackward0":
            node = node.next_functions[0][0]
        assert node.name() == "NllLoss2DBackward0"
        saved.append(
            {
                s: _np(getattr(node, "_saved_" + s))
                for s in ("self", "target", "total_weight", "weight")
            }
        )
    for slot, value in saved[1].items():
        assert saved[0][slot].shape == value.shape, slot
        np.testing.assert_allclose(saved[0][slot], value, err_msg=slot)


@pytest.mark.parametrize("shape,target", [((2, 3, 4), TARGET_3D), ((2, 3, 2, 2), TARGET_4D)])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_k_dim_nll_loss_gradient_graph(shape, target, reduction):
    """Under create_graph the first gradient is torch's NllLoss2DBackwardBackward0 (viewed
    back for 3-D input), and the second order is torch's."""
    x, w = RNG.standard_normal(shape), RNG.standard_normal(shape)
    trees, seconds = [], []
    for m in (gs, torch):
        xt = m.tensor(x, dtype=m.float64, requires_grad=True)
        loss = m.nn.functional.nll_loss(
            m.nn.functional.log_softmax(xt, 1), m.tensor(target), reduction=reduction
        )
        v = m.tensor(np.ones(tuple(loss.shape)), dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad(loss, xt, v, create_graph=True)
        trees.append(grad_fn_tree(g.grad_fn, 3))
        seconds.append([_np(s) for s in m.autograd.grad((g * m.tensor(w)).sum(), (xt, v))])
    assert trees[0] == trees[1]
    assert "NllLoss2DBackwardBackward0" in trees[0]
    for a, b in zip(*seconds):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------- mse_loss dtypes


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(
    "target",
    [np.zeros(3), np.zeros((2, 3)), np.zeros(()), np.arange(3)],
    ids=["same", "wider", "0d", "int64"],
)
def test_mse_loss_in_the_dtype_torch_gives_the_pair(target, reduction):
    """A float64 target makes the loss float64 (a 0-dim one too: torch broadcasts first);
    an int64 one leaves it float32. Each gradient comes in its operand's dtype. (torch
    broadcasts through ExpandBackward0 nodes, which gradscope's node does itself.)"""

    def build(m, x):
        t = m.tensor(target, dtype=m.int64 if target.dtype.kind == "i" else m.float64)
        if t.dtype == m.float64:
            t.requires_grad_()
        return m.nn.functional.mse_loss(x, t, reduction=reduction)

    _same_result(_both(build, RNG.standard_normal(3)), tree=target.shape == (3,))


def test_mse_loss_of_mixed_dtypes_under_create_graph_and_forward_mode():
    a, t, v = (RNG.standard_normal((3, 4)) for _ in range(3))
    seconds, jvps = [], []
    for m in (gs, torch):
        x = m.tensor(a, dtype=m.float32, requires_grad=True)
        y = m.tensor(t, dtype=m.float64, requires_grad=True)
        gx, gy = m.autograd.grad(m.nn.functional.mse_loss(x, y), (x, y), create_graph=True)
        assert (str(gx.dtype)[-7:], str(gy.dtype)[-7:]) == ("float32", "float64")
        total = (gx * m.tensor(v, dtype=m.float32)).sum() + (gy * m.tensor(v)).sum()
        seconds.append([_np(s) for s in m.autograd.grad(total, (x, y))])
        primals = (m.tensor(a, dtype=m.float32), m.tensor(t))
        tangents = (m.tensor(v, dtype=m.float32), m.tensor(v))
        fn = m.nn.functional.mse_loss
        out, tan = (gs.func.jvp if m is gs else torch.func.jvp)(fn, primals, tangents)
        jvps.append((str(tan.dtype)[-7:], _np(out), _np(tan)))
    for a_, b_ in zip(*seconds):
        np.testing.assert_allclose(a_, b_, rtol=1e-5, atol=1e-6)
    assert jvps[0][0] == jvps[1][0]
    np.testing.assert_allclose(jvps[0][1], jvps[1][1], rtol=1e-6)
    np.testing.assert_allclose(jvps[0][2], jvps[1][2], rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------- linear's bias


@pytest.mark.parametrize(
    "x,bias,bias_dtype",
    [
        ((5, 2, 3), (4,), "float32"),  # a non-contiguous input: matmul, then the bias added
        ((5, 2, 3), (4,), "float64"),
        ((5, 2, 3), (2, 1, 4), "float64"),
        ((5, 2, 3), (1, 4), "float32"),  # contiguous, a bias of one dim once squeezed: addmm
        ((2, 5, 3), (5, 4), "float64"),  # contiguous, a 2-D bias: matmul, then the bias
        ((3,), (), "float64"),
    ],
)
def test_linear_adds_the_bias_as_torch(x, bias, bias_dtype):
    """Where torch adds the bias in place, the result keeps the product's dtype and shape;
    the bias's gradient comes in the bias's dtype."""
    arrays = (RNG.standard_normal(x), RNG.standard_normal((4, 3)), RNG.standard_normal(bias))

    def build(m, x, w, b):
        return m.nn.functional.linear(x.transpose(0, 1) if x.ndim == 3 and b.ndim != 2 else x, w, b)

    _same_result(_both(build, *arrays, dtypes=("float32", "float32", bias_dtype)))
