"""``create_graph=True`` through the activations and the losses: torch's dedicated
double-backward nodes (``TanhBackwardBackward0`` ...), their second and third derivatives
(float64 finite differences, then torch), and the lecture's softmax cross-entropy
Hessian-vector products."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gradscope as gs
from gradscope.autograd.function import apply
from gradscope.ops import activation as A
from gradscope.ops import loss as L
from tests.parity import grad_fn_tree

try:
    import torch
except ImportError:  # the numerical checks still run; the parity tests skip
    torch = None

F = gs.nn.functional
grad = gs.autograd.grad


def _rng(seed: int = 0):
    return np.random.default_rng(seed)


def _leaf(arr, dtype=gs.float64):
    return gs.tensor(np.asarray(arr), dtype=dtype, requires_grad=True)


def _np(t) -> np.ndarray:
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def _away_from_zero(shape, rng):
    """Values at least 0.2 from 0: relu's kink stays out of finite differences."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.2, np.sign(x + 1e-12) * 0.5, x)


# ----------------------------------------------------------------------- the cases

# name -> (gradscope fn, torch fn name, input shape, relu-like kink at 0)
ACT = {
    "relu": (gs.relu, lambda t, x: t.relu(x), (3, 4), True),
    "sigmoid": (gs.sigmoid, lambda t, x: t.sigmoid(x), (3, 4), False),
    "tanh": (gs.tanh, lambda t, x: t.tanh(x), (3, 4), False),
    "tanh_1d": (gs.tanh, lambda t, x: t.tanh(x), (5,), False),
    "softmax_1": (lambda x: F.softmax(x, 1), lambda t, x: t.softmax(x, 1), (3, 4), False),
    "softmax_0": (lambda x: F.softmax(x, 0), lambda t, x: t.softmax(x, 0), (3, 4), False),
    "softmax_3d": (lambda x: F.softmax(x, -1), lambda t, x: t.softmax(x, -1), (2, 3, 4), False),
    "softmax_1d": (lambda x: F.softmax(x, 0), lambda t, x: t.softmax(x, 0), (5,), False),
    "log_softmax_1": (
        lambda x: F.log_softmax(x, 1),
        lambda t, x: t.log_softmax(x, 1),
        (3, 4),
        False,
    ),
    "log_softmax_0": (
        lambda x: F.log_softmax(x, 0),
        lambda t, x: t.log_softmax(x, 0),
        (3, 4),
        False,
    ),
    "log_softmax_3d": (
        lambda x: F.log_softmax(x, 1),
        lambda t, x: t.log_softmax(x, 1),
        (2, 3, 4),
        False,
    ),
}

# torch's first-order gradient node of each activation, and its node
ACT_NAMES = {
    "relu": ("ThresholdBackwardBackward0", "ReluBackward0"),
    "sigmoid": ("SigmoidBackwardBackward0", "SigmoidBackward0"),
    "tanh": ("TanhBackwardBackward0", "TanhBackward0"),
    "softmax": ("SoftmaxBackwardDataBackward0", "SoftmaxBackward0"),
    "log_softmax": ("LogSoftmaxBackwardDataBackward0", "LogSoftmaxBackward0"),
}

# nll_loss options: (kwargs, with class weights, input is 1-d)
NLL = {
    "mean": ({}, False, False),
    "sum": ({"reduction": "sum"}, False, False),
    "none": ({"reduction": "none"}, False, False),
    "ignore_index": ({"ignore_index": 0}, False, False),
    "ignore_index_none": ({"ignore_index": 0, "reduction": "none"}, False, False),
    "weight": ({}, True, False),
    "weight_sum_ignore": ({"reduction": "sum", "ignore_index": 4}, True, False),
    "weight_none": ({"reduction": "none"}, True, False),
    "1d": ({}, False, True),
    "1d_weight_sum": ({"reduction": "sum"}, True, True),
}
TARGET = np.array([1, 0, 4, 2])
WEIGHT = np.array([0.5, 1.5, 2.0, 0.75, 1.25])

# mse_loss: (input shape, target shape); the target broadcasts in all but the first
MSE = {
    "same": ((3, 4), (3, 4)),
    "target_wider": ((3, 1), (3, 4)),
    "input_wider": ((3, 4), (3, 1)),
}
MSE_LEAD = {  # these broadcast over a leading dim: sum_to ends in a view
    "target_row": ((3, 4), (4,)),
    "input_row": ((4,), (3, 4)),
    "target_scalar": ((3, 4), ()),
}
REDUCTIONS = ("mean", "sum", "none")


def _nll_args(case: str, module):
    kwargs, weighted, one_d = NLL[case]
    kw = dict(kwargs)
    if weighted:
        kw["weight"] = module.tensor(WEIGHT, dtype=module.float64)
    target = module.tensor(np.array(2) if one_d else TARGET)
    return kw, target, (5,) if one_d else (4, 5)


def _mse_warn(fn):
    """``fn`` without mse_loss's broadcasting warning (it is what these cases test)."""

    def run(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args, **kwargs)

    return run


# ------------------------------------------------------- second derivatives, numerically


@pytest.mark.parametrize("case", sorted(ACT))
def test_activation_gradgradcheck(case):
    fn, _, shape, kink = ACT[case]
    rng = _rng()
    x = _leaf(_away_from_zero(shape, rng) if kink else rng.standard_normal(shape))
    assert gs.autograd.gradgradcheck(fn, (x,))


@pytest.mark.parametrize("case", sorted(NLL))
def test_nll_loss_gradgradcheck(case):
    kw, target, shape = _nll_args(case, gs)
    x = _leaf(_rng().standard_normal(shape))
    # on log-probabilities directly: the gradient is linear in the output gradient
    assert gs.autograd.gradgradcheck(lambda lp: F.nll_loss(lp, target, **kw), (x,))
    # through log_softmax, and as cross_entropy (the same two nodes)
    assert gs.autograd.gradgradcheck(lambda z: F.nll_loss(F.log_softmax(z, -1), target, **kw), (x,))
    assert gs.autograd.gradgradcheck(lambda z: F.cross_entropy(z, target, **kw), (x,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(MSE))
def test_mse_loss_gradgradcheck(case, reduction):
    sa, st = MSE[case]
    rng = _rng()
    a, t = _leaf(rng.standard_normal(sa)), _leaf(rng.standard_normal(st))
    fn = _mse_warn(lambda a, t: F.mse_loss(a, t, reduction=reduction))
    assert gs.autograd.gradgradcheck(fn, (a, t))
    # a target that requires no grad: one edge
    assert gs.autograd.gradgradcheck(fn, (a, t.detach()))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(MSE_LEAD))
def test_mse_loss_gradgradcheck_leading_broadcast(case, reduction):
    """sum_to over a leading dim ends in a view: ViewBackward0's backward_graph (shape.py)."""
    sa, st = MSE_LEAD[case]
    rng = _rng()
    a, t = _leaf(rng.standard_normal(sa)), _leaf(rng.standard_normal(st))
    fn = _mse_warn(lambda a, t: F.mse_loss(a, t, reduction=reduction))
    assert gs.autograd.gradgradcheck(fn, (a, t))


# --------------------------------------------- the double-backward nodes on their own


def _bb_cases():
    rng = _rng(1)
    g, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    y_soft = np.exp(y) / np.exp(y).sum(1, keepdims=True)
    return {
        "threshold": (A.ThresholdBackwardBackward0, (g, _away_from_zero((3, 4), rng)), ()),
        "tanh": (A.TanhBackwardBackward0, (g, np.tanh(y)), ()),
        "sigmoid": (A.SigmoidBackwardBackward0, (g, 1 / (1 + np.exp(-y))), ()),
        # the rules are polynomials in (g, y): any y checks them, a softmax one too
        "softmax_1": (A.SoftmaxBackwardDataBackward0, (g, y_soft), (1,)),
        "softmax_0": (A.SoftmaxBackwardDataBackward0, (g, y), (0,)),
        "log_softmax_1": (A.LogSoftmaxBackwardDataBackward0, (g, np.log(y_soft)), (1,)),
        "log_softmax_0": (A.LogSoftmaxBackwardDataBackward0, (g, y), (0,)),
        "mse_mean": (L.MseLossBackwardBackward0, (np.array(0.7), g, y), ("mean",)),
        "mse_sum": (L.MseLossBackwardBackward0, (np.array(0.7), g, y[:, :1]), ("sum",)),
        "mse_none": (L.MseLossBackwardBackward0, (g, g[:1] * 2, y), ("none",)),
    }


@pytest.mark.parametrize("case", sorted(_bb_cases()))
def test_double_backward_node_gradcheck(case):
    """Each node's array-level backward (what a plain second backward runs) against finite
    differences, then its ``backward_graph`` (a third backward) the same way."""
    cls, arrays, args = _bb_cases()[case]
    inputs = tuple(_leaf(a) for a in arrays)

    def fn(*ins):
        return apply(cls, ins, *args)

    out = fn(*inputs)
    assert out.grad_fn.name() == cls._name
    assert gs.autograd.gradcheck(fn, inputs)
    assert gs.autograd.gradgradcheck(fn, inputs)


def test_nll_loss_double_backward_node_gradcheck():
    rng = _rng(2)
    lp = _leaf(rng.standard_normal((4, 5)))
    for kw, weighted in [({}, False), ({"reduction": "none", "ignore_index": 2}, True)]:
        weight = gs.tensor(WEIGHT) if weighted else None
        loss = F.nll_loss(lp, gs.tensor(TARGET), weight=weight, **kw)
        node = loss.grad_fn
        v = _leaf(rng.standard_normal(loss.shape))
        (g,) = grad(loss, lp, v, create_graph=True)
        assert (
            grad_fn_tree(g.grad_fn, 1) == "NllLossBackwardBackward0(AccumulateGrad, AccumulateGrad)"
        )
        args = (node.saved("target"), node.saved("weight") if weighted else None)
        args += (node.saved("total_weight"), node.reduction, node.ignore_index)

        def fn(v, lp, args=args):
            return apply(L.NllLossBackwardBackward0, (v, lp), *args)

        assert gs.autograd.gradcheck(fn, (v, lp))
        assert gs.autograd.gradgradcheck(fn, (v, lp))


# ------------------------------------------------------- third derivatives, numerically


@pytest.mark.parametrize("case", sorted(ACT))
def test_activation_third_derivative_gradgradcheck(case):
    """gradgradcheck of the first gradient: third derivatives through ``backward_graph`` of
    the double-backward nodes."""
    fn, _, shape, kink = ACT[case]
    rng = _rng(3)
    x = _leaf(_away_from_zero(shape, rng) if kink else rng.standard_normal(shape))
    v = _leaf(rng.standard_normal(shape))

    def first(x, v):
        return grad(fn(x), x, v, create_graph=True)[0]

    assert gs.autograd.gradgradcheck(first, (x, v))


@pytest.mark.parametrize("case", ["mean", "none", "weight_sum_ignore", "1d"])
def test_cross_entropy_third_derivative_gradgradcheck(case):
    kw, target, shape = _nll_args(case, gs)
    rng = _rng(4)
    x = _leaf(rng.standard_normal(shape))
    loss = F.cross_entropy(x, target, **kw)
    v = _leaf(rng.standard_normal(loss.shape))

    def first(x, v):
        return grad(F.cross_entropy(x, target, **kw), x, v, create_graph=True)[0]

    assert gs.autograd.gradgradcheck(first, (x, v))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(MSE))
def test_mse_loss_third_derivative_gradgradcheck(case, reduction):
    sa, st = MSE[case]
    rng = _rng(5)
    a, t = _leaf(rng.standard_normal(sa)), _leaf(rng.standard_normal(st))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        v = _leaf(rng.standard_normal(F.mse_loss(a, t, reduction=reduction).shape))

    @_mse_warn
    def first(a, t, v):
        return grad(F.mse_loss(a, t, reduction=reduction), (a, t), v, create_graph=True)

    assert gs.autograd.gradgradcheck(first, (a, t, v))


# ----------------------------------------------------------------- torch: values, names

needs_torch = pytest.mark.skipif(torch is None, reason="torch is the reference for parity tests")


def _pair(arr):
    return _leaf(arr), torch.tensor(np.asarray(arr), dtype=torch.float64, requires_grad=True)


def _close(a, b) -> None:
    if a is None or b is None:
        assert a is None and b is None
        return
    np.testing.assert_allclose(_np(a), b.detach().numpy(), rtol=1e-10, atol=1e-12)


def _orders(f_gs, f_t, xs, seed: int, unused: bool = True):
    """First gradients (with create_graph), second (with create_graph) and third
    derivatives of ``f`` at ``xs`` in gradscope and torch, each checked against the other.
    Returns the first-order gradients (gradscope, torch)."""
    rng = _rng(seed)
    pairs = [_pair(x) for x in xs]
    gx, tx = [p[0] for p in pairs], [p[1] for p in pairs]
    y_gs, y_t = f_gs(*gx), f_t(*tx)
    _close(y_gs, y_t)
    v_gs, v_t = _pair(rng.standard_normal(tuple(y_t.shape)))
    g1 = grad(y_gs, gx, v_gs, create_graph=True)
    t1 = torch.autograd.grad(y_t, tx, v_t, create_graph=True)
    for a, b in zip(g1, t1):
        _close(a, b)
    us = [rng.standard_normal(tuple(t.shape)) for t in t1]
    g2 = grad(
        g1,
        gx + [v_gs],
        [gs.tensor(u) for u in us],
        create_graph=True,
        allow_unused=unused,
    )
    t2 = torch.autograd.grad(
        t1, tx + [v_t], [torch.tensor(u) for u in us], create_graph=True, allow_unused=unused
    )
    for a, b in zip(g2, t2):
        _close(a, b)
    # third order: a scalar of the second gradients, differentiated once more
    s_gs = sum((g * g).sum() for g in g2 if g is not None and g.requires_grad)
    s_t = sum((t * t).sum() for t in t2 if t is not None and t.requires_grad)
    if isinstance(s_t, torch.Tensor):
        g3 = grad(s_gs, gx + [v_gs], allow_unused=True)
        t3 = torch.autograd.grad(s_t, tx + [v_t], allow_unused=True)
        for a, b in zip(g3, t3):
            _close(a, b)
    return g1, t1


@needs_torch
@pytest.mark.parametrize("case", sorted(ACT))
def test_activation_matches_torch(case):
    fn, tfn, shape, kink = ACT[case]
    rng = _rng(6)
    x = _away_from_zero(shape, rng) if kink else rng.standard_normal(shape)
    (g,), (t,) = _orders(fn, lambda x: tfn(torch, x), [x], seed=7)
    names = ACT_NAMES[case.split("_")[0] if not case.startswith("log") else "log_softmax"]
    expected = f"{names[0]}(AccumulateGrad, {names[1]}(AccumulateGrad))"
    assert grad_fn_tree(g.grad_fn, 2) == grad_fn_tree(t.grad_fn, 2) == expected


@needs_torch
def test_relu_second_derivative_is_zero_not_missing():
    """torch's ThresholdBackwardBackward0 gives ``result`` a zero gradient: the Hessian of
    a relu is zeros, and asking for it raises no 'not used' error."""
    x_gs, x_t = _pair(np.array([-1.0, 2.0, 0.5]))
    (g,) = grad(gs.relu(x_gs).sum(), x_gs, create_graph=True)
    (t,) = torch.autograd.grad(torch.relu(x_t).sum(), x_t, create_graph=True)
    assert (
        grad_fn_tree(g.grad_fn, 2)
        == grad_fn_tree(t.grad_fn, 2)
        == ("ThresholdBackwardBackward0(None, ReluBackward0(AccumulateGrad))")
    )
    (h,) = grad(g.sum(), x_gs)
    np.testing.assert_array_equal(h.numpy(), np.zeros(3))
    np.testing.assert_array_equal(h.numpy(), torch.autograd.grad(t.sum(), x_t)[0].numpy())


@needs_torch
@pytest.mark.parametrize("case", sorted(NLL))
@pytest.mark.parametrize("how", ["nll_log_softmax", "cross_entropy", "nll"])
def test_nll_loss_matches_torch(case, how):
    kw_gs, target_gs, shape = _nll_args(case, gs)
    kw_t, target_t, _ = _nll_args(case, torch)
    fns = {
        "nll_log_softmax": (
            lambda x: F.nll_loss(F.log_softmax(x, -1), target_gs, **kw_gs),
            lambda x: torch.nn.functional.nll_loss(x.log_softmax(-1), target_t, **kw_t),
        ),
        "cross_entropy": (
            lambda x: F.cross_entropy(x, target_gs, **kw_gs),
            lambda x: torch.nn.functional.cross_entropy(x, target_t, **kw_t),
        ),
        "nll": (
            lambda x: F.nll_loss(x, target_gs, **kw_gs),
            lambda x: torch.nn.functional.nll_loss(x, target_t, **kw_t),
        ),
    }
    f_gs, f_t = fns[how]
    x = _rng(8).standard_normal(shape)
    (g,), (t,) = _orders(f_gs, f_t, [x], seed=9)
    if how == "nll":
        expected = "NllLossBackwardBackward0(AccumulateGrad, AccumulateGrad)"
    else:
        expected = (
            "LogSoftmaxBackwardDataBackward0(NllLossBackwardBackward0(AccumulateGrad, "
            "LogSoftmaxBackward0), LogSoftmaxBackward0(AccumulateGrad))"
        )
    assert grad_fn_tree(g.grad_fn, 2) == grad_fn_tree(t.grad_fn, 2) == expected


@needs_torch
def test_nll_loss_hessian_in_log_probabilities_is_zero():
    lp_gs, lp_t = _pair(_rng(10).standard_normal((4, 5)))
    (g,) = grad(F.nll_loss(lp_gs, gs.tensor(TARGET)), lp_gs, create_graph=True)
    (t,) = torch.autograd.grad(
        torch.nn.functional.nll_loss(lp_t, torch.tensor(TARGET)), lp_t, create_graph=True
    )
    assert (
        grad_fn_tree(g.grad_fn, 2)
        == grad_fn_tree(t.grad_fn, 2)
        == "NllLossBackwardBackward0(None, AccumulateGrad)"
    )
    (h,) = grad(g.sum(), lp_gs)
    np.testing.assert_array_equal(h.numpy(), torch.autograd.grad(t.sum(), lp_t)[0].numpy())
    np.testing.assert_array_equal(h.numpy(), np.zeros((4, 5)))


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(MSE) + sorted(MSE_LEAD))
def test_mse_loss_matches_torch(case, reduction):
    sa, st = {**MSE, **MSE_LEAD}[case]
    rng = _rng(11)
    a, t = rng.standard_normal(sa), rng.standard_normal(st)
    tf = torch.nn.functional
    (ga, gt), (ta, tt) = _mse_warn(_orders)(
        lambda a, t: F.mse_loss(a, t, reduction=reduction),
        lambda a, t: tf.mse_loss(a, t, reduction=reduction),
        [a, t],
        seed=12,
    )
    if sa == st:
        expected = "MseLossBackwardBackward0(AccumulateGrad, AccumulateGrad, AccumulateGrad)"
        assert grad_fn_tree(ga.grad_fn, 2) == grad_fn_tree(ta.grad_fn, 2) == expected
        assert grad_fn_tree(gt.grad_fn, 2) == grad_fn_tree(tt.grad_fn, 2) == expected
    else:
        # torch expands the operands first (ExpandBackward0 nodes gradscope does not
        # record); the gradient is summed back alike
        for g, t in ((ga, ta), (gt, tt)):
            assert grad_fn_tree(g.grad_fn, 0) == grad_fn_tree(t.grad_fn, 0)
            assert "MseLossBackwardBackward0" in grad_fn_tree(g.grad_fn, 3)


@needs_torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", sorted(MSE) + sorted(MSE_LEAD))
def test_mse_loss_first_order_broadcasting_matches_torch(case, reduction):
    """The target broadcasts: each operand's gradient is summed back to its shape, and a
    mean divides by the broadcast element count."""
    sa, st = {**MSE, **MSE_LEAD}[case]
    rng = _rng(13)
    a_gs, a_t = _pair(rng.standard_normal(sa))
    t_gs, t_t = _pair(rng.standard_normal(st))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        l_gs = F.mse_loss(a_gs, t_gs, reduction=reduction)
        l_t = torch.nn.functional.mse_loss(a_t, t_t, reduction=reduction)
    v = rng.standard_normal(tuple(l_t.shape))
    l_gs.backward(gs.tensor(v))
    l_t.backward(torch.tensor(v))
    assert a_gs.grad.shape == a_gs.shape and t_gs.grad.shape == t_gs.shape
    _close(l_gs, l_t)
    _close(a_gs.grad, a_t.grad)
    _close(t_gs.grad, t_t.grad)


def test_float32_stays_float32():
    x = gs.tensor(_rng(14).standard_normal((2, 3)), dtype=gs.float32, requires_grad=True)
    for fn in (
        gs.tanh,
        gs.sigmoid,
        gs.relu,
        lambda x: F.softmax(x, 1),
        lambda x: F.log_softmax(x, 1),
    ):
        (g,) = grad(fn(x).sum(), x, create_graph=True)
        (h,) = grad((g * g).sum(), x)
        assert g.dtype == h.dtype == gs.float32
    t = gs.tensor(np.array([0, 2]))
    (g,) = grad(F.cross_entropy(x, t), x, create_graph=True)
    (h,) = grad((g * g).sum(), x)
    assert g.dtype == h.dtype == gs.float32
    y = gs.tensor(np.ones((2, 3)), dtype=gs.float32, requires_grad=True)
    ga, gy = grad(F.mse_loss(x, y), (x, y), create_graph=True)
    (h,) = grad((ga * gy).sum(), x)
    assert ga.dtype == gy.dtype == h.dtype == gs.float32


# ------------------------------------------------- the lecture: softmax cross-entropy HVP


def _ce_hessian(z: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The Hessian of mean cross-entropy in the logits: block diagonal, one block
    ``(diag(p) - p p^T) / n`` per row."""
    n, c = z.shape
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    h = np.zeros((n * c, n * c))
    for i in range(n):
        h[i * c : (i + 1) * c, i * c : (i + 1) * c] = (np.diag(p[i]) - np.outer(p[i], p[i])) / n
    return h


@needs_torch
def test_cross_entropy_hvp_in_logits():
    rng = _rng(15)
    z_np, v_np = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    target = np.array([2, 0, 1, 1])
    z, z_t = _pair(z_np)
    (g,) = grad(F.cross_entropy(z, gs.tensor(target)), z, create_graph=True)
    (hv,) = grad(g, z, gs.tensor(v_np), retain_graph=True)
    expected = (_ce_hessian(z_np, target) @ v_np.reshape(-1)).reshape(4, 3)
    np.testing.assert_allclose(hv.numpy(), expected, rtol=1e-10, atol=1e-12)
    (gt,) = torch.autograd.grad(
        torch.nn.functional.cross_entropy(z_t, torch.tensor(target)), z_t, create_graph=True
    )
    (hvt,) = torch.autograd.grad(gt, z_t, torch.tensor(v_np))
    np.testing.assert_allclose(hv.numpy(), hvt.numpy(), rtol=1e-10, atol=1e-12)
    # the same through a scalar, <g, v>, as the lecture writes it
    (hv2,) = grad((g * gs.tensor(v_np)).sum(), z)
    np.testing.assert_allclose(hv2.numpy(), expected, rtol=1e-10, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("form", ["linear", "matmul"])
def test_cross_entropy_hvp_in_weight(form):
    """``logits = x @ W.T + b``: H_W v against torch and against the chain rule
    ``x^T`` (H_z (v x^T)) — mm/linear/sum backward_graph live in linalg.py/reduce.py."""
    rng = _rng(16)
    x_np = rng.standard_normal((5, 4))
    w_np, b_np = rng.standard_normal((3, 4)), rng.standard_normal(3)
    v_np = rng.standard_normal((3, 4))
    target = np.array([0, 2, 1, 1, 0])
    x, x_t = gs.tensor(x_np), torch.tensor(x_np)
    (w, w_t), (b, b_t) = _pair(w_np), _pair(b_np)

    def logits(x, w, b, m):
        return m.nn.functional.linear(x, w, b) if form == "linear" else x @ w.T + b

    loss = F.cross_entropy(logits(x, w, b, gs), gs.tensor(target))
    g_w, g_b = grad(loss, (w, b), create_graph=True)
    hv_w, hv_b = grad(g_w, (w, b), gs.tensor(v_np))
    loss_t = torch.nn.functional.cross_entropy(logits(x_t, w_t, b_t, torch), torch.tensor(target))
    gt_w, gt_b = torch.autograd.grad(loss_t, (w_t, b_t), create_graph=True)
    ht_w, ht_b = torch.autograd.grad(gt_w, (w_t, b_t), torch.tensor(v_np))
    _close(g_w, gt_w)
    _close(g_b, gt_b)
    np.testing.assert_allclose(hv_w.numpy(), ht_w.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hv_b.numpy(), ht_b.numpy(), rtol=1e-10, atol=1e-12)
    # by hand: dz = x v^T, H_z dz, then back through z = x W^T + b
    z = x_np @ w_np.T + b_np
    dz = x_np @ v_np.T
    hz = (_ce_hessian(z, target) @ dz.reshape(-1)).reshape(dz.shape)
    np.testing.assert_allclose(hv_w.numpy(), hz.T @ x_np, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hv_b.numpy(), hz.sum(0), rtol=1e-10, atol=1e-12)


def test_cross_entropy_weight_hvp_gradgradcheck():
    rng = _rng(17)
    x = gs.tensor(rng.standard_normal((5, 4)))
    w, b = _leaf(rng.standard_normal((3, 4))), _leaf(rng.standard_normal(3))
    target = gs.tensor(np.array([0, 2, 1, 1, 0]))
    assert gs.autograd.gradgradcheck(
        lambda w, b: F.cross_entropy(F.linear(x, w, b), target),
        (w, b),
    )


# ------------------------------------ the pointwise activations' double-backward nodes

# name -> (call with F = gs.nn.functional or torch's; kink at 0 (keep x away from it);
#          torch's first-gradient graph, three levels deep, with the gradient from `y * w`)
_TREE = "{}(MulBackward0(None, AccumulateGrad), AccumulateGrad)"
POINTWISE = {
    "gelu": (lambda F, x: F.gelu(x), False, _TREE.format("GeluBackwardBackward0")),
    "gelu_tanh": (
        lambda F, x: F.gelu(x, approximate="tanh"),
        False,
        _TREE.format("GeluBackwardBackward0"),
    ),
    "softplus": (
        lambda F, x: F.softplus(x, beta=2.0, threshold=1.5),
        True,  # beta x = 1.5 is where it turns linear
        _TREE.format("SoftplusBackwardBackward0"),
    ),
    "elu": (lambda F, x: F.elu(x, alpha=0.7), True, _TREE.format("EluBackwardBackward0")),
    "selu": (lambda F, x: F.selu(x), True, _TREE.format("EluBackwardBackward0")),
    "leaky_relu": (
        lambda F, x: F.leaky_relu(x, 0.1),
        True,
        _TREE.format("LeakyReluBackwardBackward0"),
    ),
    "hardtanh": (
        lambda F, x: F.hardtanh(x, -1.0, 1.0),
        True,
        _TREE.format("HardtanhBackwardBackward0"),
    ),
    "relu6": (lambda F, x: F.relu6(x), True, _TREE.format("HardtanhBackwardBackward0")),
    "logsigmoid": (
        lambda F, x: F.logsigmoid(x),
        False,
        _TREE.format("LogSigmoidBackwardBackward0"),
    ),
    # in place, from the result (torch's is_result): the node runs on the output; the tree
    # is compared with torch's alone
    "leaky_relu_": (lambda F, x: F.leaky_relu(x * 1.0, 0.1, inplace=True), True, None),
    "elu_": (lambda F, x: F.elu(x * 1.0, 0.5, inplace=True), True, None),
    "selu_": (lambda F, x: F.selu(x * 1.0, inplace=True), True, None),
    # torch records silu's backward as ops: (g * s) * (x * (1 - s) + 1)
    "silu": (
        lambda F, x: F.silu(x),
        False,
        "MulBackward0(MulBackward0(MulBackward0(None, AccumulateGrad), "
        "SigmoidBackward0(AccumulateGrad)), AddBackward1(MulBackward0(AccumulateGrad, "
        "SubBackward0)))",
    ),
}


def _pointwise_x(kink: bool, seed: int):
    rng = _rng(seed)
    x = _away_from_zero((3, 4), rng) * 1.3
    if kink:  # away from the kinks at 0, +-1, 6 and the softplus switch at 0.75
        x = np.where(np.abs(np.abs(x) - 1) < 0.15, x * 1.3, x)
        x = np.where(np.abs(x - 0.75) < 0.1, 0.5, x)
    return x


@pytest.mark.parametrize("case", sorted(POINTWISE))
def test_pointwise_third_derivatives_gradgradcheck(case):
    call, kink, _ = POINTWISE[case]
    x = _leaf(_pointwise_x(kink, 8))
    v = _leaf(_rng(9).standard_normal((3, 4)))

    def first(x, v):
        return grad(call(F, x), x, v, create_graph=True)[0]

    assert gs.autograd.gradgradcheck(first, (x, v))


@needs_torch
@pytest.mark.parametrize("case", sorted(POINTWISE))
def test_pointwise_double_backward_graph_and_values_match_torch(case):
    call, kink, tree = POINTWISE[case]
    x = _pointwise_x(kink, 10)
    w = _rng(11).standard_normal((3, 4))
    _orders(lambda a, b: call(F, a) * b, lambda a, b: call(torch.nn.functional, a) * b, [x, w], 12)
    trees, saved = [], []
    for m, Fm in ((gs, F), (torch, torch.nn.functional)):
        xl = m.tensor(x, dtype=m.float64, requires_grad=True)
        wl = m.tensor(w, dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad((call(Fm, xl) * wl).sum(), xl, create_graph=True)
        trees.append(grad_fn_tree(g.grad_fn, 3))
        fn = g.grad_fn
        if m is gs:
            saved.append(sorted(fn._slot_names()))
        else:
            names = [a[len("_saved_") :] for a in dir(fn) if a.startswith("_saved_")]
            saved.append(
                sorted(n for n in names if isinstance(getattr(fn, "_saved_" + n), torch.Tensor))
            )
    assert trees[0] == trees[1]
    assert tree is None or trees[0] == tree
    assert saved[0] == saved[1]


# ---------------------------- smooth_l1 and huber: their backward as torch's node, twice

_PAIR_TREE = "{0}(None, AccumulateGrad, AccumulateGrad)"
CLIPPED = {
    f"{name}_{reduction}": (
        lambda Fm, a, b, fn=fn, reduction=reduction, kw=kw: getattr(Fm, fn)(
            a, b, reduction=reduction, **kw
        ),
        node,
    )
    for name, fn, kw, node in [
        ("smooth_l1", "smooth_l1_loss", {"beta": 0.5}, "SmoothL1LossBackwardBackward0"),
        ("huber", "huber_loss", {"delta": 0.5}, "HuberLossBackwardBackward0"),
    ]
    for reduction in REDUCTIONS
}


def _clipped_xt(seed: int):
    rng = _rng(seed)
    x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    d = x - t  # away from the clip at |d| = 0.5, where the slope jumps
    return np.where(np.abs(np.abs(d) - 0.5) < 0.1, t + np.sign(d) * 0.8, x), t


@pytest.mark.parametrize("case", sorted(CLIPPED))
def test_clipped_loss_third_derivatives_gradgradcheck(case):
    call, _ = CLIPPED[case]
    x, t = (_leaf(a) for a in _clipped_xt(13))

    def first(x, t):
        y = call(F, x, t)
        return grad(y if y.dim() == 0 else (y * y).sum(), (x, t), create_graph=True)

    assert gs.autograd.gradgradcheck(first, (x, t))


@needs_torch
@pytest.mark.parametrize("case", sorted(CLIPPED))
def test_clipped_loss_double_backward_graph_and_values_match_torch(case):
    call, node = CLIPPED[case]
    x, t = _clipped_xt(14)
    _orders(lambda a, b: call(F, a, b), lambda a, b: call(torch.nn.functional, a, b), [x, t], 15)
    trees = []
    for m, Fm in ((gs, F), (torch, torch.nn.functional)):
        xl, tl = (m.tensor(a, dtype=m.float64, requires_grad=True) for a in (x, t))
        y = call(Fm, xl, tl)
        gx, gt = m.autograd.grad(y.sum(), (xl, tl), create_graph=True)
        trees.append((grad_fn_tree(gx.grad_fn, 1), grad_fn_tree(gt.grad_fn, 1)))
        # the target's node runs the same op with the operands swapped
        assert gt.grad_fn.next_functions[1][0].variable is tl
    assert trees[0] == trees[1] == (_PAIR_TREE.format(node),) * 2


# ------------------- binary cross-entropy: torch's node for the input, its ops for the target

_W = np.array([0.5, 1.0, 2.0, 1.5])


def _bce(Fm, a, b, reduction="mean", weighted=False, logits=False, pos=False):
    m = torch if Fm is not F else gs
    w = m.tensor(_W, dtype=m.float64) if weighted else None
    if logits:
        pw = m.tensor(_W[::-1].copy(), dtype=m.float64) if pos else None
        return Fm.binary_cross_entropy_with_logits(
            a, b, weight=w, pos_weight=pw, reduction=reduction
        )
    return Fm.binary_cross_entropy(a, b, weight=w, reduction=reduction)


BCE = {
    "bce_mean": ({}, "BinaryCrossEntropyBackwardBackward0", "DivBackward1(MulBackward0)"),
    "bce_sum": ({"reduction": "sum"}, "BinaryCrossEntropyBackwardBackward0", "MulBackward0(NegBackward0, None)"),
    "bce_none_weighted": (
        {"reduction": "none", "weighted": True},
        "BinaryCrossEntropyBackwardBackward0",
        "MulBackward0(MulBackward0, None)",
    ),
    "logits_mean": ({"logits": True}, "DivBackward1(MulBackward0)", "DivBackward1(MulBackward0)"),
    "logits_pos_weighted": (
        {"logits": True, "pos": True, "weighted": True},
        "DivBackward1(MulBackward0)",
        "DivBackward1(MulBackward0)",
    ),
    "logits_none": ({"logits": True, "reduction": "none"}, "MulBackward0(SubBackward0, None)",
                    "MulBackward0(NegBackward0, None)"),
}  # fmt: skip


def _bce_xt(kw, seed: int):
    rng = _rng(seed)
    x, t = rng.standard_normal((3, 4)), rng.uniform(0.1, 0.9, (3, 4))
    return (x if kw.get("logits") else 1 / (1 + np.exp(-x))), t


@pytest.mark.parametrize("case", sorted(BCE))
def test_bce_third_derivatives_gradgradcheck(case):
    kw = BCE[case][0]
    x, t = (_leaf(a) for a in _bce_xt(kw, 16))

    def first(x, t):
        y = _bce(F, x, t, **kw)
        return grad(y if y.dim() == 0 else (y * y).sum(), (x, t), create_graph=True)

    assert gs.autograd.gradgradcheck(first, (x, t))


@needs_torch
@pytest.mark.parametrize("case", sorted(BCE))
def test_bce_double_backward_graph_and_values_match_torch(case):
    kw, x_tree, t_tree = BCE[case]
    x, t = _bce_xt(kw, 17)
    tf = torch.nn.functional
    _orders(lambda a, b: _bce(F, a, b, **kw), lambda a, b: _bce(tf, a, b, **kw), [x, t], 18)
    trees = []
    for m, Fm in ((gs, F), (torch, tf)):
        xl, tl = (m.tensor(a, dtype=m.float64, requires_grad=True) for a in (x, t))
        y = _bce(Fm, xl, tl, **kw)
        gx, gt = m.autograd.grad(y.sum(), (xl, tl), create_graph=True)
        trees.append((grad_fn_tree(gx.grad_fn, 1), grad_fn_tree(gt.grad_fn, 1)))
    assert trees[0] == trees[1]
    assert trees[0][0].startswith(x_tree.split("(")[0]) and trees[0][1].startswith(
        t_tree.split("(")[0]
    )


@needs_torch
@pytest.mark.parametrize("eps", [None, 0.1])
def test_logit_double_backward_records_torchs_ops(eps):
    """torch's logit gradient under create_graph is ops (where, div, mul, sub), not a node."""
    x = _rng(19).uniform(0.05, 0.95, (3, 4))
    _orders(lambda a: gs.logit(a, eps), lambda a: torch.logit(a, eps), [x], 20)
    trees = []
    for m in (gs, torch):
        xl = m.tensor(x, dtype=m.float64, requires_grad=True)
        w = m.tensor(x[::-1].copy(), dtype=m.float64, requires_grad=True)
        (g,) = m.autograd.grad((m.logit(xl, eps) * w).sum(), xl, create_graph=True)
        trees.append(grad_fn_tree(g.grad_fn, 4))
    assert trees[0] == trees[1]
