"""``gs.optim`` and ``copy.deepcopy`` against torch where a differential fuzzer found them
apart: deep copies of tensors, parameters, models and optimizer states (and the buffers a
copy counts), shallow copies (``copy.copy``: the same memory), Adagrad's state for a parameter added later, schedulers stepped after
``add_param_group`` (torch's strict zips), ``get_lr()`` outside ``step()``, a parameter
listed twice in a group, ``MultiplicativeLR``'s first step, a learning rate or betas given
as tensors, and a checkpoint whose ``step`` is a plain number.

Each case runs once under torch and once under gradscope with the same code (``m`` is the
module) and the two outcomes are compared: values, errors (type and message) and warnings.
"""

from __future__ import annotations

import copy
import gc
import warnings

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")

OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta"]
# the optimizers whose per-parameter state has a ``step``
WITH_STEP = [name for name in OPTIMIZERS if name != "SGD"]


def _plain(r):
    """A comparable summary: tensors as (dtype, shape, requires_grad, values)."""
    if isinstance(r, (gs.Tensor, torch.Tensor)):
        values = np.asarray(r.detach()) if isinstance(r, gs.Tensor) else r.detach().numpy()
        dtype = str(r.dtype).rsplit(".", 1)[-1]
        return ("T", dtype, tuple(r.shape), r.requires_grad, values.tolist())
    if isinstance(r, dict):
        return {k: _plain(v) for k, v in r.items()}
    if isinstance(r, (tuple, list)):
        return tuple(_plain(x) for x in r)
    return r


def _outcome(fn, m):
    """``("ok", summary)`` of ``fn(m)``, or ``("raises", type name, message)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ("ok", _plain(fn(m)))
        except Exception as e:  # noqa: BLE001 - comparing whatever torch raises
            return ("raises", type(e).__name__, str(e))


def _assert_close(got, want, path: str = "result") -> None:
    """``got`` (gradscope's summary) is ``want`` (torch's), tensor values to rounding."""
    if isinstance(want, tuple) and want[:1] == ("T",):
        assert isinstance(got, tuple) and got[:4] == want[:4], f"{path}: {got!r} != {want!r}"
        np.testing.assert_allclose(got[4], want[4], rtol=1e-6, atol=1e-12, err_msg=path)
    elif isinstance(want, (tuple, list)):
        assert isinstance(got, type(want)) and len(got) == len(want), f"{path}: {got!r} != {want!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_close(g, w, f"{path}[{i}]")
    elif isinstance(want, dict):
        assert isinstance(got, dict) and list(got) == list(want), f"{path}: {got!r} != {want!r}"
        for k in want:
            _assert_close(got[k], want[k], f"{path}[{k!r}]")
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def _same(fn) -> None:
    _assert_close(_outcome(fn, gs), _outcome(fn, torch))


def _messages(fn, m) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(m)
    return [f"{w.category.__name__}: {w.message}" for w in caught]


# --------------------------------------------------------------------------- deepcopy


def _stepped_adam(m):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    opt = m.optim.Adam([a], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    return a, opt


def test_deepcopy_of_an_optimizer_state_dict():
    def case(m):
        _, opt = _stepped_adam(m)
        sd = opt.state_dict()
        twin = copy.deepcopy(sd)
        state, copied = sd["state"][0], twin["state"][0]
        assert all(copied[k] is not state[k] for k in state)
        copied["exp_avg"].add_(1.0)  # the copy has its own memory
        return twin, state["exp_avg"]

    _same(case)


def test_deepcopy_of_a_leaf_keeps_dtype_grad_and_attributes():
    def case(m):
        x = m.tensor([1.0, -2.0], dtype=m.float64, requires_grad=True)
        (x * x).sum().backward()
        x.note, x._mine = [1, 2], "kept"
        c = copy.deepcopy(x)
        assert c is not x and c.grad is not x.grad and c.note is not x.note
        assert c.is_leaf and c.grad_fn is None
        plain = copy.deepcopy(m.tensor([1, 2], dtype=m.int16))
        return c, c.grad, c.note, c._mine, c._version, plain, plain.requires_grad

    _same(case)


def test_deepcopy_shares_what_was_shared():
    def case(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        (x * 3).sum().backward()
        first, grad, again = copy.deepcopy([x, x.grad, x])
        base = m.arange(6.0)
        whole, part, t = copy.deepcopy([base, base[2:4], base.view(2, 3).t()])
        whole[2] = 100.0  # the views copied with their base share its copy
        alone = copy.deepcopy(base[1:3])
        return (
            first is again,
            first.grad is grad,
            part,
            t,
            t.stride(),
            t.is_contiguous(),
            alone,
            base,
        )

    _same(case)


def test_deepcopy_of_an_expanded_tensor_keeps_its_strides():
    _same(lambda m: (lambda c: (c, c.stride()))(copy.deepcopy(m.ones(3).expand(2, 3))))


def test_deepcopy_of_a_non_leaf_raises_as_torch():
    check_error(lambda m: copy.deepcopy(m.ones(2, requires_grad=True) * 2))


def test_deepcopy_of_a_tensor_whose_grad_is_in_a_graph_raises_as_torch():
    def case(m):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        (x**3).sum().backward(create_graph=True)
        return copy.deepcopy(x)

    check_error(case)


def test_deepcopy_of_a_parameter():
    def case(m):
        p = m.nn.Parameter(m.tensor([1.0, 2.0]))
        (p * p).sum().backward()
        p.note = 1
        q = copy.deepcopy(p)
        frozen = copy.deepcopy(m.nn.Parameter(m.ones(2), requires_grad=False))
        return (
            isinstance(q, m.nn.Parameter),
            q,
            q.grad,
            hasattr(q, "note"),
            q._version,
            isinstance(frozen, m.nn.Parameter),
            frozen.requires_grad,
        )

    _same(case)


def test_deepcopy_of_a_model_for_a_target_network():
    def case(m):
        net = m.nn.Sequential(m.nn.Linear(3, 2), m.nn.BatchNorm1d(2))
        with m.no_grad():
            net[0].weight.copy_(m.tensor([[0.5, -1.0, 0.25], [1.0, 0.5, -0.5]]))
            net[0].bias.copy_(m.tensor([0.1, -0.2]))
        target = copy.deepcopy(net)
        before = [p.detach().clone() for p in net.parameters()]
        opt = m.optim.SGD(net.parameters(), lr=0.5)
        x = m.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 2.0], [3.0, 1.0, 0.0], [-2.0, 0.5, 1.0]])
        net(x).pow(3).sum().backward()
        opt.step()
        return (
            [isinstance(p, m.nn.Parameter) for p in target.parameters()],
            [p.grad is None for p in target.parameters()],
            all(a is not b for a, b in zip(net.parameters(), target.parameters())),
            [bool((t == b).all()) for t, b in zip(target.parameters(), before)],
            bool((net[0].weight != before[0]).any()),
            target[1].running_mean,
            target[1].num_batches_tracked,
            net[1].running_mean,
        )

    _same(case)


def test_deepcopy_of_a_module_holding_a_non_leaf_raises_as_torch():
    def case(m):
        lin = m.nn.Linear(2, 2)
        lin.cached = lin.weight * 2
        return copy.deepcopy(lin)

    check_error(case)


def test_deepcopy_counts_its_buffers_as_allocated():
    gc.collect()
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    base = gs.arange(8.0, dtype=gs.float64)
    before = gs.live_bytes()
    with gs.trace() as tr:
        c = copy.deepcopy(x)
        assert gs.live_bytes() - before == 12 + 12  # the tensor and its .grad
        views = copy.deepcopy([base[1:3], base[4:]])  # one copy of the memory they share
        assert gs.live_bytes() - before == 24 + 64
        lone = copy.deepcopy(base[:2])  # as torch: the copy of a view holds all its memory
        assert gs.live_bytes() - before == 24 + 64 + 64
    allocated = [e for e in tr.events if e.kind == "tensor_allocated"]
    assert [(e.role, e.nbytes, e.tensor) for e in allocated] == [
        ("leaf", 12, c._id),
        ("grad", 12, c.grad._id),
        ("leaf", 64, views[0]._id),
        ("leaf", 64, lone._id),
    ]
    assert allocated[1].name == allocated[0].name + ".grad"
    del c, views, lone
    gc.collect()
    assert gs.live_bytes() == before


def test_deepcopy_still_refuses_pickling():
    import pickle

    with pytest.raises(TypeError, match="not picklable"):
        pickle.dumps(gs.ones(2))


def test_copy_copy_shares_memory_as_torch():
    def case(m):
        a = m.tensor([1.0, 2.0], requires_grad=True)
        c = copy.copy(a * 2)  # a new leaf over the product's memory
        x = m.ones(3)
        x.add_(1)
        x.note = "kept"
        cx = copy.copy(x)
        cx.add_(1)  # writes through to x; each keeps its own version count
        p = m.nn.Parameter(m.ones(2))
        p.grad = m.ones(2)
        cp = copy.copy(p)
        return (
            c, c.is_leaf, c.grad_fn is None, x, cx.note, x._version, cx._version,
            isinstance(cp, m.nn.Parameter), cp.grad is None, cp.requires_grad,
        )  # fmt: skip

    _same(case)


def test_copy_copy_counts_no_new_bytes():
    x = gs.ones(1000)
    before = gs.live_bytes()
    with gs.trace() as tr:
        c = copy.copy(x)
    assert gs.live_bytes() == before and not [e for e in tr.events if e.kind == "tensor_allocated"]
    assert np.shares_memory(np.asarray(c), np.asarray(x))


# --------------------------------------------------------------------------- Adagrad


def test_adagrad_makes_state_for_a_parameter_added_later():
    def case(m):
        a = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        b = m.tensor([3.0], dtype=m.float64, requires_grad=True)
        opt = m.optim.Adagrad([a], lr=0.1, initial_accumulator_value=0.5)
        # as torch: the state starts from the optimizer's value, not the group's
        opt.add_param_group({"params": [b], "initial_accumulator_value": 2.0})
        before = dict(opt.state[b])
        for _ in range(2):
            opt.zero_grad()
            (a.sum() + (b * b).sum()).backward()
            opt.step()
        return before, a, b, opt.state[a], opt.state[b], opt.state_dict()["state"]

    _same(case)


def test_adagrad_state_at_construction_ignores_a_groups_accumulator_value():
    def case(m):
        a, b = m.zeros(2, requires_grad=True), m.zeros(1, requires_grad=True)
        z = m.zeros(2, dtype=m.complex64, requires_grad=True)
        groups = [{"params": [a, z]}, {"params": [b], "initial_accumulator_value": 3.0}]
        opt = m.optim.Adagrad(groups, initial_accumulator_value=0.25)
        return [opt.state[p]["sum"] for p in (a, z, b)]

    _same(case)


# --------------------------------------------------------------------------- schedulers

SCHEDULERS = {
    "StepLR": lambda L, o: L.StepLR(o, 1),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, [1]),
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 0.5),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.5),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, 0.5),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=2),
    "LinearLR": lambda L, o: L.LinearLR(o),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=4),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=3),
}


def _after_add_param_group(make, epochs):
    def case(m):
        a, b = m.tensor([1.0], requires_grad=True), m.tensor([2.0], requires_grad=True)
        opt = m.optim.SGD([a], lr=0.1)
        sched = make(m.optim.lr_scheduler, opt)
        opt.add_param_group({"params": [b], "lr": 0.2})
        seen = []
        try:
            for epoch in epochs:
                opt.step()
                sched.step(epoch)
                seen.append((sched.get_last_lr(), sched.last_epoch))
        finally:
            # what a failed step left set, as torch leaves it
            seen.append(([g["lr"] for g in opt.param_groups], sched.last_epoch))
            case.seen = seen
        return seen

    return case


@pytest.mark.parametrize("name", list(SCHEDULERS))
@pytest.mark.parametrize(
    "epochs", [[None] * 4, [1], [None, 2, None]], ids=["chained", "epoch", "mixed"]
)
def test_scheduler_after_add_param_group_as_torch(name, epochs):
    case = _after_add_param_group(SCHEDULERS[name], epochs)
    got = _outcome(case, gs), case.seen
    want = _outcome(case, torch), case.seen
    assert got == want


def test_a_scheduler_strict_zip_raises_value_error():
    """LambdaLR's step after ``add_param_group`` raises torch's ``ValueError`` from ``zip``."""
    case = _after_add_param_group(SCHEDULERS["LambdaLR"], [None])
    assert _outcome(case, gs) == (
        "raises",
        "ValueError",
        "zip() argument 2 is shorter than argument 1",
    )


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_get_lr_outside_step_warns_as_torch(name):
    def case(m):
        opt = m.optim.SGD([m.tensor([1.0], requires_grad=True)], lr=0.1)
        sched = SCHEDULERS[name](m.optim.lr_scheduler, opt)
        opt.step()
        sched.step()
        return sched.get_lr(), list(sched.state_dict())

    assert _messages(case, gs) == _messages(case, torch)
    assert _messages(case, gs) == [
        "UserWarning: To get the last learning rate computed by the scheduler, please use "
        "`get_last_lr()`."
    ]
    _same(case)


def test_scheduler_warns_when_the_optimizers_step_was_replaced():
    def case(m):
        opt = m.optim.SGD([m.tensor([1.0], requires_grad=True)], lr=0.1)
        sched = m.optim.lr_scheduler.StepLR(opt, 1)
        opt.step = lambda closure=None: None
        opt.step()
        sched.step()

    assert _messages(case, gs) == _messages(case, torch)
    assert "has been overridden" in _messages(case, gs)[0]


def test_multiplicative_lr_first_step_as_torch():
    def case(m):
        a = m.tensor([1.0], requires_grad=True)
        opt = m.optim.SGD([{"params": [a], "lr": 0.1, "initial_lr": 1.0}])
        resumed = m.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9, last_epoch=3)
        out = [opt.param_groups[0]["lr"], resumed.get_last_lr()]
        b = m.tensor([1.0], requires_grad=True)
        opt2 = m.optim.SGD([b], lr=0.1)
        sched = m.optim.lr_scheduler.MultiplicativeLR(opt2, lambda e: 0.9)
        for epoch in (None, 0, None):
            opt2.step()
            sched.step(epoch)
            out.append(sched.get_last_lr())
        return out

    _same(case)


def test_schedulers_keep_a_tensor_learning_rate_as_torch():
    def case(m):
        lr = m.tensor(0.1)
        opt = m.optim.SGD([m.tensor([1.0], requires_grad=True)], lr=lr)
        sched = m.optim.lr_scheduler.StepLR(opt, 1, 0.5)
        opt.step()
        sched.step()
        last = sched.get_last_lr()
        return opt.param_groups[0]["lr"] is lr, lr, last, last[0] is lr, sched.base_lrs

    _same(case)


# --------------------------------------------------------------------------- state_dict


def test_state_dict_of_a_parameter_listed_twice():
    def case(m):
        a, b = m.tensor([1.0], requires_grad=True), m.tensor([2.0], requires_grad=True)
        c = m.tensor([3.0], requires_grad=True)
        opt = m.optim.SGD([{"params": [a, a, b]}, {"params": [c, c]}], lr=0.1, momentum=0.9)
        (a * b * c).sum().backward()
        opt.step()
        sd = opt.state_dict()
        return [g["params"] for g in sd["param_groups"]], sorted(sd["state"])

    _same(case)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"momentum": 0.9},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1, "maximize": True},
    ],
    ids=["momentum", "nesterov", "dampening"],
)
def test_sgd_momentum_of_a_parameter_listed_twice_as_torch(kwargs):
    # torch reads every buffer before the updates and stores them after: two buffers on
    # the first step (the second kept), one buffer updated twice after that
    def case(m):
        p, q = m.tensor([1.0, -2.0], requires_grad=True), m.tensor([0.5], requires_grad=True)
        opt = m.optim.SGD([p, q, p], lr=0.1, **kwargs)
        for _ in range(3):
            opt.zero_grad()
            ((p * p).sum() + (q**3).sum()).backward()
            opt.step()
        return p, q, opt.state[p]["momentum_buffer"]

    _same(case)


@pytest.mark.parametrize("name", WITH_STEP)
def test_loading_a_plain_number_step_as_torch(name):
    def case(m):
        p = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        opt = getattr(m.optim, name)([p], lr=0.1)
        (p * p).sum().backward()
        opt.step()
        sd = opt.state_dict()
        sd["state"][0]["step"] = 1.0  # a checkpoint from before torch 1.12
        if name == "NAdam":
            sd["state"][0]["mu_product"] = 0.5
        again = getattr(m.optim, name)([p], lr=0.1)
        again.load_state_dict(sd)
        loaded = dict(again.state[p])
        again.step()
        return loaded, p, again.state[p]

    _same(case)


# --------------------------------------------------------------------------- tensor lr


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("lr_dtype", ["float32", "float64"])
def test_a_tensor_learning_rate_as_torch(name, lr_dtype):
    def run(m):
        p = m.tensor([1.0, -2.0, 0.5], dtype=m.float64, requires_grad=True)
        lr = m.tensor(0.03, dtype=getattr(m, lr_dtype))
        opt = getattr(m.optim, name)([p], lr=lr, weight_decay=0.1)
        for _ in range(4):
            opt.zero_grad()
            (p * p * p).sum().backward()
            opt.step()
        return p.detach().numpy().copy(), opt.param_groups[0]["lr"] is lr

    (got, kept), (want, torch_kept) = run(gs), run(torch)
    assert kept == torch_kept
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_tensor_learning_rate_of_several_elements_raises_as_torch(name):
    check_error(lambda m: getattr(m.optim, name)([m.ones(1, requires_grad=True)], lr=m.ones(2)))


def test_a_one_element_tensor_learning_rate_as_torch():
    def case(m):
        p = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        opt = m.optim.Adam([p], lr=m.tensor([0.1]))
        (p * p).sum().backward()
        opt.step()
        return p

    _same(case)


def test_adam_refuses_a_tensor_learning_rate_with_foreach_as_torch():
    check_error(
        lambda m: m.optim.Adam([m.ones(1, requires_grad=True)], lr=m.tensor(0.1), foreach=True)
    )


# ------------------------------------------------------------------------ tensor betas

WITH_BETAS = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


@pytest.mark.parametrize("name", WITH_BETAS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("both", [True, False], ids=["both_tensors", "first_a_tensor"])
def test_tensor_betas_as_torch(name, dtype, both):
    # (Adam and AdamW refuse one tensor and one float; the others take either)
    def case(m):
        p = m.tensor([1.0, -2.0, 0.5], requires_grad=True)
        t = getattr(m, dtype)
        betas = (m.tensor(0.8, dtype=t), m.tensor(0.99, dtype=t) if both else 0.99)
        opt = getattr(m.optim, name)([p], lr=0.05, betas=betas)
        for _ in range(4):
            opt.zero_grad()
            (p * p * p).sum().backward()
            opt.step()
        return p, opt.param_groups[0]["betas"]

    _same(case)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_one_element_tensor_betas_are_kept_0_dim_as_torch(name):
    def case(m):
        p = m.tensor([1.0, 2.0], requires_grad=True)
        opt = getattr(m.optim, name)([p], betas=(m.tensor([0.9]), m.tensor([[0.99]])))
        (p * p).sum().backward()
        opt.step()
        return p, opt.param_groups[0]["betas"], opt.state_dict()["param_groups"][0]["betas"]

    _same(case)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize(
    "betas, kwargs",
    [
        (lambda m: (m.tensor([0.9, 0.8]), m.tensor(0.99)), {}),
        (lambda m: (m.tensor(0.9), m.ones(1, 2)), {}),
        (lambda m: (m.tensor(0.9), m.tensor(0.99)), {"foreach": True}),
        (lambda m: (0.9, m.tensor(0.99)), {}),
        (lambda m: (0, 0.99), {}),
        (lambda m: (m.tensor(1.5), m.tensor(0.99)), {}),
    ],
    ids=["two_elements", "second_two_elements", "foreach", "mixed", "an_int", "out_of_range"],
)
def test_bad_tensor_betas_raise_as_torch(name, betas, kwargs):
    check_error(
        lambda m: getattr(m.optim, name)([m.ones(1, requires_grad=True)], betas=betas(m), **kwargs)
    )
