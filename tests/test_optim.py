"""``gs.optim`` against ``torch.optim``: SGD, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop,
Adagrad and Adadelta steps (parameters, states and version counters), a small training loop,
``state_dict`` round trips, the schedulers, the errors for bad arguments, and what a step
records in a trace."""

from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

SHAPES = [(3, 4), (5,), ()]

CASES = {
    "sgd": ("SGD", {"lr": 0.1}),
    "sgd_momentum": ("SGD", {"lr": 0.1, "momentum": 0.9}),
    "sgd_dampening": ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3}),
    "sgd_nesterov_wd": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    "sgd_maximize": ("SGD", {"lr": 0.1, "momentum": 0.5, "maximize": True}),
    "adam": ("Adam", {}),
    "adam_lr_betas": ("Adam", {"lr": 0.05, "betas": (0.3, 0.9), "eps": 1e-6}),
    "adam_wd_amsgrad": ("Adam", {"lr": 0.1, "weight_decay": 0.1, "amsgrad": True}),
    "adam_maximize": ("Adam", {"lr": 0.01, "maximize": True}),
    "adamw": ("AdamW", {"lr": 0.1}),
    "adamw_amsgrad": ("AdamW", {"lr": 0.1, "weight_decay": 0.5, "amsgrad": True}),
    "adamw_maximize_betas": ("AdamW", {"lr": 0.02, "betas": (0.5, 0.99), "maximize": True}),
    "adamax": ("Adamax", {}),
    "adamax_wd_maximize": ("Adamax", {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.1, "maximize": True}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_momentum_wd": ("RMSprop", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1, "alpha": 0.8}),
    "rmsprop_centered_maximize": ("RMSprop", {"lr": 0.01, "centered": True, "maximize": True, "eps": 1e-4}),
    "rmsprop_centered_momentum": ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    "adagrad": ("Adagrad", {}),
    "adagrad_decay_init": ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.3}),
    "adagrad_wd_maximize": ("Adagrad", {"lr": 0.1, "weight_decay": 0.2, "maximize": True, "eps": 1e-6}),
    "adadelta": ("Adadelta", {}),
    "adadelta_rho_wd": ("Adadelta", {"lr": 0.5, "rho": 0.5, "weight_decay": 0.1, "eps": 1e-4}),
    "adadelta_maximize": ("Adadelta", {"maximize": True}),
    "nadam": ("NAdam", {}),
    "nadam_wd_decay": ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    "nadam_decoupled_maximize": ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    "radam": ("RAdam", {}),
    "radam_rectified": ("RAdam", {"lr": 0.05, "betas": (0.5, 0.6)}),
    "radam_wd": ("RAdam", {"lr": 0.05, "betas": (0.8, 0.7), "weight_decay": 0.1}),
    "radam_decoupled_maximize": ("RAdam", {"lr": 0.05, "betas": (0.8, 0.5), "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
}  # fmt: skip


def _pair(name: str, kwargs: dict, dtype, rng, groups: bool = False):
    """The same parameters in gradscope and torch, and an optimizer over each."""
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    gp = [gs.tensor(a.copy(), requires_grad=True) for a in arrays]
    tp = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    if groups:
        g_args = [{"params": gp[:2]}, {"params": gp[2:], "lr": 0.3}]
        t_args = [{"params": tp[:2]}, {"params": tp[2:], "lr": 0.3}]
    else:
        g_args, t_args = gp, tp
    go = getattr(gs.optim, name)(g_args, foreach=False, **kwargs)
    to = getattr(torch.optim, name)(t_args, foreach=False, **kwargs)
    return gp, tp, go, to


def _set_grads(gp, tp, rng, skip: int | None = None) -> None:
    for i, (g, t) in enumerate(zip(gp, tp)):
        if i == skip:
            g.grad, t.grad = None, None
            continue
        a = rng.standard_normal(g.shape).astype(g.detach().numpy().dtype)
        g.grad, t.grad = gs.tensor(a.copy()), torch.tensor(a.copy())


def _close(g, t, what: str, rtol: float = 1e-6) -> None:
    np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=rtol, atol=1e-7, err_msg=what)


# torch's float32 sqrt on the CPU is not correctly rounded (on one machine 16,555 of
# 100,000 values were 1 ulp from NumPy's, which is); RMSprop's momentum sums quotients by
# such roots, whose sum can be much smaller than its terms, so the last bits grow there
_RTOL = {"RMSprop": 1e-5}


def _assert_same_state(gp, tp, go, to, rtol: float = 1e-6) -> None:
    for i, (g, t) in enumerate(zip(gp, tp)):
        _close(g.detach(), t.detach(), f"param {i}", rtol)
        assert g._version == t._version, f"param {i} version"
        assert set(go.state[g]) == set(to.state[t]), f"param {i} state keys"
        for key, tv in to.state[t].items():
            gv = go.state[g][key]
            assert type(gv) is gs.Tensor, key
            assert str(gv.dtype).rsplit(".")[-1] == str(tv.dtype).rsplit(".")[-1], key
            assert tuple(gv.shape) == tuple(tv.shape), key
            assert gv._version == tv._version, f"param {i} {key} version"
            assert not gv.requires_grad
            _close(gv, tv, f"param {i} {key}", rtol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", list(CASES))
def test_steps_match_torch(case, dtype):
    name, kwargs = CASES[case]
    rng = np.random.default_rng(0)
    gp, tp, go, to = _pair(name, kwargs, dtype, rng)
    for step in range(6):
        # a parameter without a gradient is skipped (and gets no state)
        _set_grads(gp, tp, rng, skip=1 if step < 2 else None)
        go.step()
        to.step()
        _assert_same_state(gp, tp, go, to, _RTOL.get(name, 1e-6) if dtype == np.float32 else 1e-6)


@pytest.mark.parametrize("name", ["SGD", "Adam", "Adamax", "RMSprop", "Adagrad", "Adadelta"])
def test_param_groups_and_defaults(name):
    rng = np.random.default_rng(1)
    kwargs = {"lr": 0.1, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.1}
    gp, tp, go, to = _pair(name, kwargs, np.float32, rng, groups=True)
    assert len(go.param_groups) == 2
    for gg, tg in zip(go.param_groups, to.param_groups):
        assert {k: v for k, v in gg.items() if k != "params"} == {
            k: v for k, v in tg.items() if k != "params"
        }
    assert [p for g in go.param_groups for p in g["params"]] == gp
    assert go.defaults == to.defaults
    assert repr(go) == repr(to)
    for _ in range(3):
        _set_grads(gp, tp, rng)
        go.step()
        to.step()
    _assert_same_state(gp, tp, go, to, _RTOL.get(name, 1e-6))


def test_add_param_group():
    rng = np.random.default_rng(2)
    gp, tp, go, to = _pair("SGD", {"lr": 0.1, "momentum": 0.9}, np.float32, rng)
    extra = rng.standard_normal(4).astype(np.float32)
    ge = gs.tensor(extra.copy(), requires_grad=True)
    te = torch.tensor(extra.copy(), requires_grad=True)
    go.add_param_group({"params": ge, "lr": 0.01})
    to.add_param_group({"params": te, "lr": 0.01})
    assert go.param_groups[1]["params"][0] is ge
    assert go.param_groups[1]["lr"] == 0.01 and go.param_groups[1]["momentum"] == 0.9
    gp, tp = [*gp, ge], [*tp, te]
    for _ in range(3):
        _set_grads(gp, tp, rng)
        go.step()
        to.step()
    _assert_same_state(gp, tp, go, to)


def test_zero_grad():
    w = gs.ones(3, requires_grad=True)
    opt = gs.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad is not None and w.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_closure_runs_with_grad_and_returns_loss():
    x = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    results = []
    for m in (gs, torch):
        w = m.tensor(x.copy(), requires_grad=True)
        opt = m.optim.SGD([w], lr=0.1)

        def closure(w=w, opt=opt, m=m):
            opt.zero_grad()
            loss = (w * w).sum()
            loss.backward()
            return loss

        with m.no_grad():
            loss = opt.step(closure)
        results.append([loss.item(), *w.detach().numpy().tolist()])
    assert results[0] == pytest.approx(results[1])  # a flat list: approx takes no nesting


def _mlp_losses(m, arrays, opt_name: str, kwargs: dict, steps: int) -> list[float]:
    w1, b1, w2, b2, x, y = (m.tensor(a.copy()) for a in arrays)
    params = [p.requires_grad_() for p in (w1, b1, w2, b2)]
    F = m.nn.functional
    opt = getattr(m.optim, opt_name)(params, **kwargs)
    sched = m.optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    losses = []
    for _ in range(steps):
        hidden = F.relu(F.linear(x, w1, b1))
        loss = F.mse_loss(F.linear(hidden, w2, b2), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        sched.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize(
    "opt_name,kwargs",
    [
        ("SGD", {"lr": 0.05, "momentum": 0.9}),
        ("Adam", {"lr": 0.01}),
        ("AdamW", {"lr": 0.01, "amsgrad": True}),
        ("Adamax", {"lr": 0.01}),
        ("RMSprop", {"lr": 0.01, "momentum": 0.5}),
        ("Adagrad", {"lr": 0.05}),
        ("Adadelta", {"lr": 1.0}),
        ("NAdam", {"lr": 0.01}),
        ("RAdam", {"lr": 0.05}),
    ],
)
def test_training_loop_losses_match_torch(opt_name, kwargs):
    rng = np.random.default_rng(3)
    arrays = [
        rng.standard_normal((16, 8)).astype(np.float32) * 0.3,
        np.zeros(16, dtype=np.float32),
        rng.standard_normal((1, 16)).astype(np.float32) * 0.3,
        np.zeros(1, dtype=np.float32),
        rng.standard_normal((32, 8)).astype(np.float32),
        rng.standard_normal((32, 1)).astype(np.float32),
    ]
    got = _mlp_losses(gs, arrays, opt_name, kwargs, steps=12)
    want = _mlp_losses(torch, arrays, opt_name, {**kwargs, "foreach": False}, steps=12)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    assert got[-1] < got[0]


def _sched_lrs(m, make, steps: int = 8) -> list[list[float]]:
    w = m.zeros(2, requires_grad=True)
    opt = m.optim.SGD([{"params": [w]}, {"params": [m.zeros(1, requires_grad=True)], "lr": 1.0}])
    sched = make(m, opt)
    lrs = [sched.get_last_lr()]
    for _ in range(steps):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return lrs


@pytest.mark.parametrize(
    "make",
    [
        lambda m, opt: m.optim.lr_scheduler.StepLR(opt, step_size=3),
        lambda m, opt: m.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),
        lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.9**e),
        lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1 / (e + 1), lambda e: e]),
        lambda m, opt: m.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9),
        lambda m, opt: m.optim.lr_scheduler.MultiplicativeLR(opt, [lambda e: 0.5, lambda e: 1.1]),
        lambda m, opt: m.optim.lr_scheduler.MultiStepLR(opt, [2, 5, 5], gamma=0.5),
        lambda m, opt: m.optim.lr_scheduler.ExponentialLR(opt, 0.7),
        lambda m, opt: m.optim.lr_scheduler.ConstantLR(opt),
        lambda m, opt: m.optim.lr_scheduler.ConstantLR(opt, factor=0.25, total_iters=3),
        lambda m, opt: m.optim.lr_scheduler.LinearLR(opt),
        lambda m, opt: m.optim.lr_scheduler.LinearLR(opt, 0.5, 0.1, total_iters=4),
        lambda m, opt: m.optim.lr_scheduler.PolynomialLR(opt, total_iters=6, power=2.0),
        lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3),
        lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=0.01),
    ],
)
def test_schedulers_match_torch(make):
    assert _sched_lrs(gs, make) == _sched_lrs(torch, make)


def _epoch_lrs(m, make) -> list:
    opt = m.optim.SGD([m.zeros(1, requires_grad=True)], lr=2.0)
    sched = make(m, opt)
    out = []
    for epoch in (1, 2, 5, 3, 0):
        opt.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step(epoch)
        out.append((sched.last_epoch, sched.get_last_lr(), [str(w.message)[:40] for w in caught]))
    opt.step()
    sched.step()  # and on from there without an epoch
    return out + [sched.get_last_lr()]


@pytest.mark.parametrize(
    "make",
    [
        lambda m, opt: m.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5),  # closed form
        lambda m, opt: m.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (e + 1)),
        lambda m, opt: m.optim.lr_scheduler.MultiStepLR(opt, [1, 3, 3], gamma=0.5),
        lambda m, opt: m.optim.lr_scheduler.ExponentialLR(opt, 0.7),
        lambda m, opt: m.optim.lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3),
        lambda m, opt: m.optim.lr_scheduler.LinearLR(opt, 0.5, 1.0, total_iters=4),
        lambda m, opt: m.optim.lr_scheduler.PolynomialLR(opt, total_iters=4, power=0.5),
        lambda m, opt: m.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.1),
    ],
)
def test_scheduler_step_with_an_epoch_as_torch(make):
    got = _epoch_lrs(gs, make)
    assert got == _epoch_lrs(torch, make)
    assert got[0][2] == ["The epoch parameter in `scheduler.step()"]


PLATEAU_METRICS = [5.0, 4.0, 4.0, 4.0, 3.9999, 4.5, 4.5, 4.5, 4.5, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 2},
        {"patience": 1, "factor": 0.5, "cooldown": 2},
        {"patience": 0, "mode": "max", "threshold": 0.1},
        {"patience": 1, "threshold_mode": "abs", "threshold": 0.5, "min_lr": [0.3, 0.5]},
        {"patience": 0, "factor": 0.5, "min_lr": 0.2, "eps": 0.15},
    ],
    ids=["patience", "cooldown", "max_rel", "abs_min_lrs", "eps"],
)
def test_reduce_lr_on_plateau_as_torch(kwargs):
    def run(m):
        opt = m.optim.SGD(
            [{"params": [m.zeros(1, requires_grad=True)]}, {"params": [_leaf(m)], "lr": 2.0}]
        )
        sched = m.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
        out = []
        for metric in PLATEAU_METRICS:
            opt.step()
            sched.step(m.tensor(metric) if len(out) % 2 else metric)
            out.append(
                (sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter, sched.best)
            )
        state = sched.state_dict()
        assert "optimizer" not in state
        return out, state["last_epoch"]

    assert run(gs) == run(torch)


def test_scheduler_step_before_optimizer_step_warns():
    for m in (gs, torch):
        opt = m.optim.SGD([m.zeros(1, requires_grad=True)], lr=0.1)
        sched = m.optim.lr_scheduler.StepLR(opt, step_size=1)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        opt2 = m.optim.SGD([m.zeros(1, requires_grad=True)], lr=0.1)
        sched2 = m.optim.lr_scheduler.StepLR(opt2, step_size=1)
        opt2.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            sched2.step()


_ROUND_TRIP = {
    "SGD": {"lr": 0.1, "momentum": 0.9},
    "Adam": {"lr": 0.1, "amsgrad": True},
    "RMSprop": {"lr": 0.1, "centered": True, "momentum": 0.5},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.1},
    "Adadelta": {"lr": 0.1},
    "Adamax": {"lr": 0.1},
    "NAdam": {"lr": 0.1},
    "RAdam": {"lr": 0.1, "betas": (0.5, 0.6)},
}


@pytest.mark.parametrize("name", sorted(_ROUND_TRIP))
def test_state_dict_round_trip(name):
    rng = np.random.default_rng(4)
    kwargs = _ROUND_TRIP[name]
    gp, tp, go, to = _pair(name, kwargs, np.float32, rng)
    for _ in range(2):
        _set_grads(gp, tp, rng)
        go.step()
        to.step()
    gsd, tsd = go.state_dict(), to.state_dict()
    assert gsd["param_groups"] == tsd["param_groups"]
    assert set(gsd["state"]) == set(tsd["state"]) == {0, 1, 2}
    # a fresh optimizer loaded from the state continues as torch's does
    go2 = getattr(gs.optim, name)(gp, lr=1.0)
    go2.load_state_dict(gsd)
    assert go2.param_groups[0]["lr"] == 0.1 and go2.param_groups[0]["params"][0] is gp[0]
    for _ in range(2):
        _set_grads(gp, tp, rng)
        go2.step()
        to.step()
    for g, t in zip(gp, tp):
        _close(g.detach(), t.detach(), "param", _RTOL.get(name, 1e-6))


def test_load_state_dict_errors():
    for m in (gs, torch):
        a, b = m.zeros(1, requires_grad=True), m.zeros(1, requires_grad=True)
        sd = m.optim.SGD([a, b]).state_dict()
        with pytest.raises(ValueError, match="different number of parameter groups"):
            m.optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
        with pytest.raises(ValueError, match="doesn't match the size"):
            m.optim.SGD([a]).load_state_dict(sd)


def _leaf(m):
    return m.ones(2, requires_grad=True)


ERRORS = {
    "sgd_negative_lr": lambda m: m.optim.SGD([_leaf(m)], lr=-1),
    "sgd_negative_momentum": lambda m: m.optim.SGD([_leaf(m)], momentum=-0.5),
    "sgd_negative_wd": lambda m: m.optim.SGD([_leaf(m)], weight_decay=-0.1),
    "sgd_nesterov_no_momentum": lambda m: m.optim.SGD([_leaf(m)], nesterov=True),
    "adam_negative_lr": lambda m: m.optim.Adam([_leaf(m)], lr=-1),
    "adam_negative_eps": lambda m: m.optim.Adam([_leaf(m)], eps=-1e-8),
    "adam_beta0": lambda m: m.optim.Adam([_leaf(m)], betas=(1.0, 0.999)),
    "adam_beta1": lambda m: m.optim.Adam([_leaf(m)], betas=(0.9, -0.1)),
    "adam_int_betas": lambda m: m.optim.Adam([_leaf(m)], betas=(0, 0.5)),
    "adamw_negative_wd": lambda m: m.optim.AdamW([_leaf(m)], weight_decay=-1),
    "adamax_negative_lr": lambda m: m.optim.Adamax([_leaf(m)], lr=-1),
    "adamax_beta1": lambda m: m.optim.Adamax([_leaf(m)], betas=(0.9, 1.0)),
    "adamax_negative_eps": lambda m: m.optim.Adamax([_leaf(m)], eps=-1.0),
    "rmsprop_negative_alpha": lambda m: m.optim.RMSprop([_leaf(m)], alpha=-0.1),
    "rmsprop_negative_momentum": lambda m: m.optim.RMSprop([_leaf(m)], momentum=-1),
    "rmsprop_negative_wd": lambda m: m.optim.RMSprop([_leaf(m)], weight_decay=-1),
    "adagrad_negative_lr_decay": lambda m: m.optim.Adagrad([_leaf(m)], lr_decay=-1),
    "adagrad_negative_initial": lambda m: m.optim.Adagrad([_leaf(m)], initial_accumulator_value=-1),
    "adagrad_negative_eps": lambda m: m.optim.Adagrad([_leaf(m)], eps=-1),
    "adadelta_rho": lambda m: m.optim.Adadelta([_leaf(m)], rho=1.5),
    "adadelta_negative_lr": lambda m: m.optim.Adadelta([_leaf(m)], lr=-0.5),
    "nadam_momentum_decay": lambda m: m.optim.NAdam([_leaf(m)], momentum_decay=-1),
    "nadam_beta0": lambda m: m.optim.NAdam([_leaf(m)], betas=(1.5, 0.9)),
    "radam_negative_wd": lambda m: m.optim.RAdam([_leaf(m)], weight_decay=-1),
    "radam_beta1": lambda m: m.optim.RAdam([_leaf(m)], betas=(0.5, 1.0)),
    "empty_list": lambda m: m.optim.SGD([], lr=0.1),
    "tensor_not_iterable": lambda m: m.optim.SGD(_leaf(m), lr=0.1),
    "float64_tensor_not_iterable": lambda m: m.optim.Adam(m.zeros(2, dtype=m.float64)),
    "not_a_tensor": lambda m: m.optim.SGD([_leaf(m), 3.0], lr=0.1),
    "non_leaf": lambda m: m.optim.SGD([_leaf(m) * 2], lr=0.1),
    "param_in_two_groups": lambda m: (
        lambda p: m.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    )(_leaf(m)),
    "set_of_params": lambda m: m.optim.SGD([{"params": {_leaf(m)}}], lr=0.1),
    "group_not_dict": lambda m: m.optim.SGD([_leaf(m)]).add_param_group([_leaf(m)]),
    "lambda_count": lambda m: m.optim.lr_scheduler.LambdaLR(
        m.optim.SGD([_leaf(m)]), [lambda e: 1.0, lambda e: 2.0]
    ),
    "resume_without_initial_lr": lambda m: m.optim.lr_scheduler.StepLR(
        m.optim.SGD([_leaf(m)]), 1, last_epoch=3
    ),
    "scheduler_not_optimizer": lambda m: m.optim.lr_scheduler.StepLR(object(), 1),
    "constant_factor": lambda m: m.optim.lr_scheduler.ConstantLR(m.optim.SGD([_leaf(m)]), factor=2),
    "linear_start_factor": lambda m: m.optim.lr_scheduler.LinearLR(
        m.optim.SGD([_leaf(m)]), start_factor=0
    ),
    "linear_end_factor": lambda m: m.optim.lr_scheduler.LinearLR(
        m.optim.SGD([_leaf(m)]), end_factor=1.5
    ),
    "multiplicative_not_callable": lambda m: m.optim.lr_scheduler.MultiplicativeLR(
        m.optim.SGD([_leaf(m)]), 0.5
    ),
    "plateau_factor": lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(
        m.optim.SGD([_leaf(m)]), factor=1.0
    ),
    "plateau_mode": lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(
        m.optim.SGD([_leaf(m)]), mode="up"
    ),
    "plateau_threshold_mode": lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(
        m.optim.SGD([_leaf(m)]), threshold_mode="x"
    ),
    "plateau_min_lrs": lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(
        m.optim.SGD([_leaf(m)]), min_lr=[0.1, 0.2]
    ),
    "plateau_not_optimizer": lambda m: m.optim.lr_scheduler.ReduceLROnPlateau(object()),
    "multiplicative_count": lambda m: m.optim.lr_scheduler.MultiplicativeLR(
        m.optim.SGD([_leaf(m)]), [lambda e: 1.0] * 2
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    check_error(ERRORS[case])


def test_duplicate_param_in_group_warns():
    for m in (gs, torch):
        p = _leaf(m)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            m.optim.SGD([p, p], lr=0.1)


def test_adam_state_in_trace_is_leaf_memory_and_step_makes_no_nodes():
    w = gs.randn(8, 4, requires_grad=True)
    b = gs.randn(4, requires_grad=True)
    x = gs.randn(2, 8)
    (x @ w + b).sum().backward()
    opt = gs.optim.Adam([w, b], lr=0.1)
    gc.collect()  # cycles earlier tests left (a create_graph .grad) must not free in here
    with gs.trace() as tr:
        opt.step()
    assert not [e for e in tr.events if e.kind in ("node_created", "tensor_saved")]
    allocated = {e.tensor: e for e in tr.events if e.kind == "tensor_allocated"}
    state_bytes = 0
    for p in (w, b):
        state = opt.state[p]
        assert set(state) == {"step", "exp_avg", "exp_avg_sq"}
        for key in ("exp_avg", "exp_avg_sq"):
            event = allocated[state[key]._id]
            assert (event.role, event.nbytes, event.dtype) == ("leaf", 4 * p.numel(), "float32")
            assert event.shape == tuple(p.shape)
        step = allocated[state["step"]._id]
        assert (step.role, step.nbytes, step.shape) == ("leaf", 4, ())
        state_bytes += 2 * 4 * p.numel() + 4
    # the temporaries of the update are freed; only the states stay live
    assert tr.live_bytes - tr.baseline_bytes == state_bytes
    gc.collect()
    with gs.trace() as tr2:
        opt.step()
    assert not [e for e in tr2.events if e.kind == "node_created"]
    assert tr2.live_bytes == tr2.baseline_bytes
