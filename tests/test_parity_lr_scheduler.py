"""``gs.optim.lr_scheduler`` against ``torch.optim.lr_scheduler``: OneCycleLR, CyclicLR,
CosineAnnealingWarmRestarts, SequentialLR and ChainedScheduler (learning rates, the
momentum or beta1 they cycle, ``state_dict`` round trips, warnings and the errors for bad
arguments), and cases where the older schedulers once differed from torch."""

from __future__ import annotations

import copy
import math
import warnings
from collections import Counter

import pytest

import gradscope as gs
from tests.parity import check_error

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

LRS = [0.1, 0.5]  # two parameter groups with different learning rates


def _opt(m, kind: str = "sgd", lrs=LRS):
    groups = [{"params": [m.zeros(2, dtype=m.float64, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return m.optim.SGD(groups, lr=0.1, momentum=0.9)
    if kind == "adam":
        return m.optim.Adam(groups, betas=(0.9, 0.99))
    return m.optim.Adagrad(groups)


def _plain(v):
    """``v`` as plain data: a tensor as its values, a function as a marker."""
    if isinstance(v, (torch.Tensor, gs.Tensor)):
        return ("tensor", v.detach().numpy().tolist())
    if isinstance(v, Counter):
        return ("Counter", sorted(v.items()))
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return "<object>"


def _assert_close(got, want, path: str = "") -> None:
    """The same structure and types, and floats equal to ``rtol`` 1e-12."""
    assert type(got) is type(want), f"{path}: {got!r} vs {want!r}"
    if isinstance(got, float):
        assert got == want or math.isclose(got, want, rel_tol=1e-12), f"{path}: {got} vs {want}"
    elif isinstance(got, dict):
        assert set(got) == set(want), f"{path}: {sorted(got)} vs {sorted(want)}"
        for k in got:
            _assert_close(got[k], want[k], f"{path}.{k}")
    elif isinstance(got, (list, tuple)):
        assert len(got) == len(want), f"{path}: {got!r} vs {want!r}"
        for i, (a, b) in enumerate(zip(got, want)):
            _assert_close(a, b, f"{path}[{i}]")
    else:
        assert got == want, f"{path}: {got!r} vs {want!r}"


def _groups(opt) -> list[dict]:
    keys = ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr", "max_momentum")
    return [
        {k: _plain(g[k]) for k in keys + ("base_momentum",) if k in g} for g in opt.param_groups
    ]


def _run(m, make, kind: str, steps: int, reload_at: int | None = None):
    """Step ``make(m, opt)`` ``steps`` times after optimizer steps; each step's last
    learning rates, the groups' schedule values and warnings. At ``reload_at``, move to a
    new optimizer and scheduler through both ``state_dict``s."""
    opt = _opt(m, kind)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sched = make(m, opt)
    out = [(_plain(sched.get_last_lr()), _groups(opt), [str(w.message) for w in caught])]
    for i in range(steps):
        if i == reload_at:
            saved_opt, saved = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
            out.append(_plain(saved))
            opt = _opt(m, kind)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sched = make(m, opt)
            opt.load_state_dict(saved_opt)
            sched.load_state_dict(saved)
        opt.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step()
        out.append((_plain(sched.get_last_lr()), _groups(opt), [str(w.message) for w in caught]))
    return out


def _lr_sched(m):
    return m.optim.lr_scheduler


NEW = {
    "one_cycle_cos": lambda m, o: _lr_sched(m).OneCycleLR(o, max_lr=1.0, total_steps=12),
    "one_cycle_linear": lambda m, o: _lr_sched(m).OneCycleLR(
        o, max_lr=[0.4, 2.0], total_steps=12, anneal_strategy="linear", pct_start=0.25
    ),
    "one_cycle_three_phase": lambda m, o: _lr_sched(m).OneCycleLR(
        o, max_lr=1.0, epochs=3, steps_per_epoch=4, three_phase=True, div_factor=10.0
    ),
    "one_cycle_three_phase_linear": lambda m, o: _lr_sched(m).OneCycleLR(
        o, 1.0, 12, anneal_strategy="linear", three_phase=True, final_div_factor=100.0
    ),
    "one_cycle_momentums": lambda m, o: _lr_sched(m).OneCycleLR(
        o, 0.3, 12, base_momentum=[0.7, 0.8], max_momentum=(0.9, 0.95), pct_start=0.5
    ),
    "one_cycle_no_momentum": lambda m, o: _lr_sched(m).OneCycleLR(o, 0.3, 12, cycle_momentum=False),
    "cyclic_triangular": lambda m, o: _lr_sched(m).CyclicLR(o, 0.01, 0.1, step_size_up=3),
    "cyclic_triangular2": lambda m, o: _lr_sched(m).CyclicLR(
        o, [0.01, 0.02], [0.1, 0.5], step_size_up=2, step_size_down=4, mode="triangular2"
    ),
    "cyclic_exp_range": lambda m, o: _lr_sched(m).CyclicLR(
        o, 0.01, 0.1, step_size_up=3, mode="exp_range", gamma=0.9
    ),
    "cyclic_scale_fn_cycle": lambda m, o: _lr_sched(m).CyclicLR(
        o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 1 / (x + 1.0)
    ),
    "cyclic_scale_fn_iterations": lambda m, o: _lr_sched(m).CyclicLR(
        o, 0.01, 0.1, 2, 1, scale_fn=lambda x: 0.8**x, scale_mode="iterations"
    ),
    "cyclic_momentums": lambda m, o: _lr_sched(m).CyclicLR(
        o, 0.01, 0.1, 3, base_momentum=[0.6, 0.7], max_momentum=0.95
    ),
    "cyclic_no_momentum": lambda m, o: _lr_sched(m).CyclicLR(o, 0.01, 0.1, 3, cycle_momentum=False),
    "warm_restarts": lambda m, o: _lr_sched(m).CosineAnnealingWarmRestarts(o, T_0=3),
    "warm_restarts_t_mult": lambda m, o: _lr_sched(m).CosineAnnealingWarmRestarts(
        o, 2, T_mult=2, eta_min=0.01
    ),
    "warm_restarts_int_eta_min": lambda m, o: _lr_sched(m).CosineAnnealingWarmRestarts(
        o, 1, 3, eta_min=0
    ),
    "sequential": lambda m, o: _lr_sched(m).SequentialLR(
        o, [_lr_sched(m).ConstantLR(o, 0.1, total_iters=4), _lr_sched(m).ExponentialLR(o, 0.9)], [3]
    ),
    "sequential_three": lambda m, o: _lr_sched(m).SequentialLR(
        o,
        [
            _lr_sched(m).LinearLR(o, 0.2, total_iters=3),
            _lr_sched(m).CosineAnnealingLR(o, T_max=4, eta_min=0.01),
            _lr_sched(m).StepLR(o, 2, 0.5),
        ],
        milestones=[3, 7],
    ),
    "sequential_one": lambda m, o: _lr_sched(m).SequentialLR(o, [_lr_sched(m).StepLR(o, 2)], []),
    "sequential_lambda_milestone": lambda m, o: _lr_sched(m).SequentialLR(
        o, [_lr_sched(m).ExponentialLR(o, 0.5), _lr_sched(m).LambdaLR(o, lambda e: e + 1)], [2]
    ),
    "sequential_of_cyclic": lambda m, o: _lr_sched(m).SequentialLR(
        o,
        [_lr_sched(m).LinearLR(o, 0.5, total_iters=2), _lr_sched(m).CyclicLR(o, 0.01, 0.1, 2)],
        [4],
    ),
    "chained": lambda m, o: _lr_sched(m).ChainedScheduler(
        [_lr_sched(m).ConstantLR(o, 0.1, total_iters=4), _lr_sched(m).ExponentialLR(o, 0.9)]
    ),
    "chained_with_optimizer": lambda m, o: _lr_sched(m).ChainedScheduler(
        [_lr_sched(m).MultiStepLR(o, [2, 4], 0.5), _lr_sched(m).LinearLR(o, 0.5, total_iters=3)],
        optimizer=o,
    ),
    "sequential_of_chained": lambda m, o: _lr_sched(m).SequentialLR(
        o,
        [
            _lr_sched(m).ChainedScheduler(
                [_lr_sched(m).ExponentialLR(o, 0.8), _lr_sched(m).StepLR(o, 2, 0.5)]
            ),
            _lr_sched(m).PolynomialLR(o, total_iters=4),
        ],
        [3],
    ),
}


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("name", list(NEW))
def test_new_schedulers_match_torch(name, kind):
    make = NEW[name]
    _assert_close(_run(gs, make, kind, 12), _run(torch, make, kind, 12))


@pytest.mark.parametrize("name", list(NEW))
def test_new_schedulers_state_dict_round_trip(name):
    make = NEW[name]
    got = _run(gs, make, "adam", 11, reload_at=5)
    _assert_close(got, _run(torch, make, "adam", 11, reload_at=5))


@pytest.mark.parametrize(
    "make",
    [
        lambda m, o: _lr_sched(m).OneCycleLR(o, 1.0, 8),
        lambda m, o: _lr_sched(m).CyclicLR(o, 0.01, 0.1, 2),
        lambda m, o: _lr_sched(m).CosineAnnealingWarmRestarts(o, 2, 2),
    ],
    ids=["one_cycle", "cyclic", "warm_restarts"],
)
def test_resume_with_last_epoch_as_torch(make):
    """A checkpoint restored by building the scheduler with ``last_epoch``, after the
    optimizer's state (which carries ``initial_lr`` and the momentum bounds)."""

    def run(m):
        opt = _opt(m)
        sched = make(m, opt)
        for _ in range(3):
            opt.step()
            sched.step()
        opt2 = _opt(m)
        opt2.load_state_dict(copy.deepcopy(opt.state_dict()))
        sched2 = type(sched)(opt2, **_resume_kwargs(sched), last_epoch=sched.last_epoch)
        out = []
        for _ in range(4):
            opt2.step()
            sched2.step()
            out.append((sched2.get_last_lr(), _groups(opt2)))
        return out

    _assert_close(run(gs), run(torch))


def _resume_kwargs(sched) -> dict:
    name = type(sched).__name__
    if name == "OneCycleLR":
        return {"max_lr": 1.0, "total_steps": 8}
    if name == "CyclicLR":
        return {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2}
    return {"T_0": 2, "T_mult": 2}


def test_cyclic_momentum_feeds_the_optimizer_step():
    """The momentum and beta1 that the schedules set are what the next step uses."""

    def run(m, kind, make):
        opt = _opt(m, kind)
        sched = make(m, opt)
        for i in range(6):
            for g in opt.param_groups:
                g["params"][0].grad = m.tensor([1.0, -0.5 * i], dtype=m.float64)
            opt.step()
            sched.step()
        return [g["params"][0].detach().numpy().tolist() for g in opt.param_groups]

    for kind in ("sgd", "adam"):
        for make in (NEW["one_cycle_momentums"], NEW["cyclic_momentums"]):
            got, want = run(gs, kind, make), run(torch, kind, make)
            for a, b in zip(got, want):
                assert a == pytest.approx(b, rel=1e-10, abs=1e-14)


def test_warm_restarts_fractional_and_out_of_order_epochs():
    def run(m):
        opt = _opt(m)
        sched = _lr_sched(m).CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3, eta_min=0.001)
        out = []
        for epoch in (0.5, 1.75, 2.0, 7.3, 9, 3, 0, 26.5):
            opt.step()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                sched.step(epoch)
            out.append((sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch, len(caught)))
        opt.step()
        sched.step()
        return out + [(sched.get_last_lr(), sched.T_cur, sched.T_i, sched.last_epoch)]

    got = run(gs)
    _assert_close(got, run(torch))
    assert all(step[-1] == 0 for step in got[:-1])  # no deprecation warning for an epoch here


def test_one_cycle_past_total_steps_raises_as_torch():
    def run(m):
        opt = _opt(m)
        sched = _lr_sched(m).OneCycleLR(opt, 1.0, total_steps=3)
        for _ in range(4):
            opt.step()
            sched.step()
        return sched.get_last_lr()

    check_error(run)


@pytest.mark.parametrize(
    "make",
    [
        lambda m, o: _lr_sched(m).OneCycleLR(o, 1.0, 8),
        lambda m, o: _lr_sched(m).CyclicLR(o, 0.01, 0.1, 2),
        lambda m, o: _lr_sched(m).SequentialLR(
            o, [_lr_sched(m).StepLR(o, 2), _lr_sched(m).ExponentialLR(o, 0.9)], [1]
        ),
        lambda m, o: _lr_sched(m).ChainedScheduler([_lr_sched(m).StepLR(o, 2)]),
    ],
    ids=["one_cycle", "cyclic", "sequential", "chained"],
)
def test_warnings_as_torch(make):
    """The warning for a scheduler step before any optimizer step, for an epoch given to
    ``step``, and for ``get_lr()`` called outside ``step``: the same messages."""

    def run(m):
        opt = _opt(m)
        sched = make(m, opt)
        out = []
        for action in ("step", "opt", "step", "step", "epoch", "get_lr"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    if action == "opt":
                        opt.step()
                    elif action == "step":
                        sched.step()
                    elif action == "epoch":
                        sched.step(1)
                    else:
                        sched.get_lr()
                except (TypeError, NotImplementedError) as e:
                    out.append(type(e).__name__)
            out.append([str(w.message) for w in caught])
        return out

    assert run(gs) == run(torch)


def test_cyclic_state_dict_keeps_a_callable_objects_state():
    class Scale:
        def __init__(self):
            self.k = 0.5

        def __call__(self, x):
            return self.k**x

    def run(m):
        opt = _opt(m)
        fn = Scale()
        sched = _lr_sched(m).CyclicLR(opt, 0.01, 0.1, 2, scale_fn=fn, scale_mode="iterations")
        state = sched.state_dict()
        fn.k = 0.9
        sched.load_state_dict(copy.deepcopy(state))  # torch's takes a key out of what it loads
        opt.step()
        sched.step()
        return _plain(state), fn.k, sched.get_last_lr()

    _assert_close(run(gs), run(torch))


OLD = {
    "step": lambda m, o: _lr_sched(m).StepLR(o, 2, 0.5),
    "multi_step": lambda m, o: _lr_sched(m).MultiStepLR(o, [1, 3, 3], 0.5),
    "lambda": lambda m, o: _lr_sched(m).LambdaLR(o, lambda e: 0.9**e),
    "multiplicative": lambda m, o: _lr_sched(m).MultiplicativeLR(o, lambda e: 0.9),
    "exponential": lambda m, o: _lr_sched(m).ExponentialLR(o, 0.8),
    "constant": lambda m, o: _lr_sched(m).ConstantLR(o, 0.5, total_iters=3),
    "linear": lambda m, o: _lr_sched(m).LinearLR(o, 0.25, 0.75, total_iters=4),
    "polynomial": lambda m, o: _lr_sched(m).PolynomialLR(o, total_iters=5, power=2.0),
    "cosine": lambda m, o: _lr_sched(m).CosineAnnealingLR(o, T_max=3, eta_min=0.01),
}


@pytest.mark.parametrize("name", list(OLD))
def test_older_schedulers_at_a_milestone_and_in_a_chain(name):
    """Each older scheduler started at a SequentialLR milestone (its closed form at epoch
    0, where it has one), and chained after another, through a state_dict round trip."""

    def after_warmup(m, o):
        warmup = _lr_sched(m).LinearLR(o, 0.5, total_iters=2)
        return _lr_sched(m).SequentialLR(o, [warmup, OLD[name](m, o)], [3])

    def chained(m, o):
        return _lr_sched(m).ChainedScheduler([_lr_sched(m).StepLR(o, 3, 0.5), OLD[name](m, o)])

    for make in (after_warmup, chained):
        got = _run(gs, make, "sgd", 10, reload_at=4)
        _assert_close(got, _run(torch, make, "sgd", 10, reload_at=4))


def _leaf(m):
    return m.zeros(1, requires_grad=True)


def _other(m):
    return m.optim.SGD([_leaf(m)], lr=0.1)


ERRORS = {
    "one_cycle_not_optimizer": lambda m: _lr_sched(m).OneCycleLR(object(), 1.0, 10),
    "one_cycle_no_steps": lambda m: _lr_sched(m).OneCycleLR(_opt(m), 1.0),
    "one_cycle_total_steps_zero": lambda m: _lr_sched(m).OneCycleLR(_opt(m), 1.0, 0),
    "one_cycle_total_steps_float": lambda m: _lr_sched(m).OneCycleLR(_opt(m), 1.0, 2.5),
    "one_cycle_epochs": lambda m: _lr_sched(m).OneCycleLR(
        _opt(m), 1.0, epochs=0, steps_per_epoch=3
    ),
    "one_cycle_steps_per_epoch": lambda m: _lr_sched(m).OneCycleLR(
        _opt(m), 1.0, epochs=2, steps_per_epoch=1.5
    ),
    "one_cycle_pct_start_int": lambda m: _lr_sched(m).OneCycleLR(_opt(m), 1.0, 10, pct_start=1),
    "one_cycle_pct_start_range": lambda m: _lr_sched(m).OneCycleLR(_opt(m), 1.0, 10, pct_start=1.5),
    "one_cycle_anneal": lambda m: _lr_sched(m).OneCycleLR(_opt(m), 1.0, 10, anneal_strategy="exp"),
    "one_cycle_max_lr_count": lambda m: _lr_sched(m).OneCycleLR(_opt(m), [1.0, 2.0, 3.0], 10),
    "one_cycle_momentum_count": lambda m: _lr_sched(m).OneCycleLR(
        _opt(m), 1.0, 10, max_momentum=[0.9]
    ),
    "one_cycle_momentum_counts": lambda m: _lr_sched(m).OneCycleLR(
        _opt(m), 1.0, 10, base_momentum=[0.8], max_momentum=[0.9]
    ),
    "cyclic_momentum_counts": lambda m: _lr_sched(m).CyclicLR(
        _opt(m), 0.1, 1.0, base_momentum=[0.8], max_momentum=[0.9]
    ),
    "one_cycle_no_momentum_to_cycle": lambda m: _lr_sched(m).OneCycleLR(
        _opt(m, "adagrad"), 1.0, 10
    ),
    "cyclic_not_optimizer": lambda m: _lr_sched(m).CyclicLR(object(), 0.1, 1.0),
    "cyclic_mode": lambda m: _lr_sched(m).CyclicLR(_opt(m), 0.1, 1.0, mode="cos"),
    "cyclic_base_lr_count": lambda m: _lr_sched(m).CyclicLR(_opt(m), [0.1], 1.0),
    "cyclic_max_lr_count": lambda m: _lr_sched(m).CyclicLR(_opt(m), 0.1, (1.0, 2.0, 3.0)),
    "cyclic_step_sizes_zero": lambda m: _lr_sched(m).CyclicLR(_opt(m), 0.1, 1.0, 0, 0),
    "cyclic_no_momentum_to_cycle": lambda m: _lr_sched(m).CyclicLR(_opt(m, "adagrad"), 0.1, 1.0),
    "cyclic_base_momentum_count": lambda m: _lr_sched(m).CyclicLR(
        _opt(m), 0.1, 1.0, base_momentum=[0.8]
    ),
    "warm_restarts_t0_zero": lambda m: _lr_sched(m).CosineAnnealingWarmRestarts(_opt(m), 0),
    "warm_restarts_t0_float": lambda m: _lr_sched(m).CosineAnnealingWarmRestarts(_opt(m), 2.0),
    "warm_restarts_t_mult": lambda m: _lr_sched(m).CosineAnnealingWarmRestarts(_opt(m), 2, 0),
    "warm_restarts_t_mult_float": lambda m: _lr_sched(m).CosineAnnealingWarmRestarts(
        _opt(m), 2, 1.5
    ),
    "warm_restarts_eta_min": lambda m: _lr_sched(m).CosineAnnealingWarmRestarts(
        _opt(m), 2, eta_min="0"
    ),
    "warm_restarts_negative_epoch": lambda m: (
        _lr_sched(m).CosineAnnealingWarmRestarts(_opt(m), 2).step(-1)
    ),
    "sequential_empty": lambda m: _lr_sched(m).SequentialLR(_opt(m), [], []),
    "sequential_milestones": lambda m: _sequential(m, [1, 2]),
    "sequential_plateau": lambda m: _with_plateau(m, "SequentialLR"),
    "sequential_other_optimizer": lambda m: _with_other_optimizer(m, "SequentialLR"),
    "sequential_not_a_scheduler": lambda m: _lr_sched(m).SequentialLR(_opt(m), [object()], []),
    "chained_empty": lambda m: _lr_sched(m).ChainedScheduler([]),
    "chained_plateau": lambda m: _with_plateau(m, "ChainedScheduler"),
    "chained_other_optimizer": lambda m: _with_other_optimizer(m, "ChainedScheduler"),
    "chained_not_a_scheduler": lambda m: _lr_sched(m).ChainedScheduler(
        [object()], optimizer=_opt(m)
    ),
}


def _sequential(m, milestones):
    opt = _opt(m)
    return _lr_sched(m).SequentialLR(opt, [_lr_sched(m).StepLR(opt, 2)], milestones)


def _with_plateau(m, name):
    opt = _opt(m)
    scheds = [_lr_sched(m).StepLR(opt, 2), _lr_sched(m).ReduceLROnPlateau(opt)]
    if name == "SequentialLR":
        return _lr_sched(m).SequentialLR(opt, scheds, [3])
    return _lr_sched(m).ChainedScheduler(scheds)


def _with_other_optimizer(m, name):
    opt = _opt(m, lrs=[0.1])
    scheds = [_lr_sched(m).StepLR(opt, 2), _lr_sched(m).StepLR(_other(m), 2)]
    if name == "SequentialLR":
        return _lr_sched(m).SequentialLR(opt, scheds, [3])
    return _lr_sched(m).ChainedScheduler(scheds)


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torch(case):
    check_error(ERRORS[case])


def test_exports_as_torch():
    for name in torch.optim.lr_scheduler.__all__:
        assert hasattr(gs.optim.lr_scheduler, name), name
    assert issubclass(gs.optim.lr_scheduler._LRScheduler, gs.optim.lr_scheduler.LRScheduler)
