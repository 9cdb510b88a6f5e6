"""``gs.nn``'s modules against torch's: with the same weights copied across, the same
values, gradients, ``grad_fn`` names, parameter names and order, state_dict keys, reprs
and errors; ``gs.nn.init`` by distribution and bounds; a small training loop."""

from __future__ import annotations

import copy
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import gradscope as gs
from tests.parity import check_error, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _copy_into_torch(gmod, tmod) -> None:
    state = {k: torch.tensor(v.numpy()) for k, v in gmod.state_dict().items()}
    tmod.load_state_dict(state)


def _pair(build):
    """``build(m)`` in gradscope and torch, torch's weights copied from gradscope's."""
    g, t = build(gs), build(torch)
    _copy_into_torch(g, t)
    return g, t


def _close(g, t, tol=1e-5) -> None:
    assert g.shape == tuple(t.shape)
    np.testing.assert_allclose(
        np.asarray(g.detach().numpy(), np.float64), t.detach().numpy(), rtol=tol, atol=tol
    )


def _mlp(m):
    return m.nn.Sequential(
        m.nn.Linear(4, 8), m.nn.ReLU(), m.nn.Linear(8, 8), m.nn.Tanh(), m.nn.Linear(8, 3)
    )


class _Net:
    """A user module with a nested block, a ModuleList, a buffer and a bare parameter."""

    @staticmethod
    def build(m):
        class Block(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = m.nn.Linear(6, 6)
                self.norm = m.nn.LayerNorm(6)
                self.act = m.nn.GELU()

            def forward(self, x):
                return x + self.act(self.norm(self.fc(x)))

        class Net(m.nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = m.nn.Embedding(10, 6, padding_idx=0)
                self.blocks = m.nn.ModuleList([Block() for _ in range(2)])
                self.scale = m.nn.Parameter(m.ones(6))
                self.register_buffer("offset", m.zeros(6))
                self.head = m.nn.Sequential(m.nn.Flatten(), m.nn.Linear(18, 4, bias=False))
                self.drop = m.nn.Dropout(0.1)

            def forward(self, idx):
                x = self.embed(idx) * self.scale + self.offset
                for b in self.blocks:
                    x = b(x)
                return self.head(self.drop(x))

        return Net()


# ---------------------------------------------------------------- structure


def test_parameter_is_a_marked_leaf_over_the_same_buffer():
    data = gs.randn(3)
    p = gs.nn.Parameter(data)
    assert type(p) is gs.Tensor
    assert isinstance(p, gs.nn.Parameter) and not isinstance(data, gs.nn.Parameter)
    assert p.is_leaf and p.requires_grad and not data.requires_grad
    assert p.data_ptr() == data.data_ptr()
    assert not isinstance(p * 2, gs.nn.Parameter)
    assert not isinstance(p.detach(), gs.nn.Parameter)
    assert not gs.nn.Parameter(gs.ones(2), requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor(")
    t = torch.nn.Parameter(torch.tensor(data.numpy()))
    assert repr(p) == repr(t)
    assert repr(gs.ones(2)) == "tensor([1., 1.])"


@pytest.mark.parametrize("build", [_mlp, _Net.build], ids=["mlp", "net"])
def test_names_order_state_dict_and_repr_as_torch(build):
    g, t = _pair(build)
    assert [n for n, _ in g.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [tuple(p.shape) for p in g.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert list(g.state_dict()) == list(t.state_dict())
    assert [n for n, _ in g.named_children()] == [n for n, _ in t.named_children()]
    assert [type(m).__name__ for m in g.modules()] == [type(m).__name__ for m in t.modules()]
    assert [n for n, _ in g.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert repr(g) == repr(t)


def test_shared_parameter_listed_once():
    for m in (gs, torch):
        lin = m.nn.Linear(2, 2)
        seq = m.nn.Sequential(lin, lin)
        assert len(list(seq.parameters())) == 2
        assert len(list(seq.modules())) == 2


LAYERS = {
    "Identity": lambda m: m.nn.Identity(3, foo=1),
    "Linear": lambda m: m.nn.Linear(5, 3),
    "Linear_nobias": lambda m: m.nn.Linear(5, 3, bias=False),
    "Flatten": lambda m: m.nn.Flatten(0),
    "ReLU": lambda m: m.nn.ReLU(),
    "Tanh": lambda m: m.nn.Tanh(),
    "Sigmoid": lambda m: m.nn.Sigmoid(),
    "GELU": lambda m: m.nn.GELU(),
    "GELU_tanh": lambda m: m.nn.GELU("tanh"),
    "SiLU": lambda m: m.nn.SiLU(),
    "LeakyReLU": lambda m: m.nn.LeakyReLU(0.2),
    "Softmax": lambda m: m.nn.Softmax(dim=1),
    "LogSoftmax": lambda m: m.nn.LogSoftmax(dim=-1),
    "Dropout_eval": lambda m: m.nn.Dropout(0.3).eval(),
    "LayerNorm": lambda m: m.nn.LayerNorm(5),
    "LayerNorm_noaffine": lambda m: m.nn.LayerNorm([4, 5], elementwise_affine=False),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_layer_forward_backward_as_torch(name):
    g, t = _pair(LAYERS[name])
    assert repr(g) == repr(t)
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(np.float32)
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gy, ty = g(gx), t(tx)
    _close(gy, ty)
    assert type(gy.grad_fn).__name__ == type(ty.grad_fn).__name__
    w = np.random.default_rng(2).standard_normal(tuple(ty.shape)).astype(np.float32)
    (gy * gs.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    _close(gx.grad, tx.grad)
    for (gn, gp), (tn, tp) in zip(g.named_parameters(), t.named_parameters(), strict=True):
        assert gn == tn
        _close(gp.grad, tp.grad)


def test_linear_records_addmm_over_transposed_weight():
    lin = gs.nn.Linear(3, 2)
    y = lin(gs.randn(4, 3))
    assert type(y.grad_fn).__name__ == "AddmmBackward0"
    names = [type(n).__name__ for n, _ in y.grad_fn.next_functions if n is not None]
    assert names == ["AccumulateGrad", "TBackward0"]


def test_embedding_as_torch():
    g, t = _pair(lambda m: m.nn.Embedding(7, 3, padding_idx=2))
    assert repr(g) == repr(t) == "Embedding(7, 3, padding_idx=2)"
    assert (g.weight[2].detach().numpy() == 0).all()
    idx = [[0, 2, 6], [2, 1, 1]]
    gy, ty = g(gs.tensor(idx)), t(torch.tensor(idx))
    _close(gy, ty)
    assert type(gy.grad_fn).__name__ == type(ty.grad_fn).__name__
    gy.pow(2).sum().backward()
    ty.pow(2).sum().backward()
    _close(g.weight.grad, t.weight.grad)


def test_user_module_forward_backward_as_torch():
    g, t = _pair(_Net.build)
    g.eval()
    t.eval()
    idx = [[1, 0, 5], [9, 3, 3]]
    gy, ty = g(gs.tensor(idx)), t(torch.tensor(idx))
    _close(gy, ty)
    assert type(gy.grad_fn).__name__ == type(ty.grad_fn).__name__
    gy.sum().backward()
    ty.sum().backward()
    for gp, tp in zip(g.parameters(), t.parameters(), strict=True):
        _close(gp.grad, tp.grad, tol=1e-4)


def test_dropout_train_and_eval():
    d = gs.nn.Dropout(0.5)
    x = gs.ones(1000)
    y = d(x)
    vals = set(np.unique(y.numpy()).tolist())
    assert vals == {0.0, 2.0}
    assert d.eval()(x) is x
    assert repr(d) == "Dropout(p=0.5, inplace=False)"


LOSSES = {
    "MSELoss": (lambda m: m.nn.MSELoss(), "float"),
    "MSELoss_sum": (lambda m: m.nn.MSELoss(reduction="sum"), "float"),
    "L1Loss": (lambda m: m.nn.L1Loss(), "float"),
    "SmoothL1Loss": (lambda m: m.nn.SmoothL1Loss(beta=0.5), "float"),
    "HuberLoss": (lambda m: m.nn.HuberLoss(delta=0.7), "float"),
    "CrossEntropyLoss": (lambda m: m.nn.CrossEntropyLoss(), "class"),
    "CrossEntropyLoss_smooth": (lambda m: m.nn.CrossEntropyLoss(label_smoothing=0.1), "class"),
    "CrossEntropyLoss_weight": (
        lambda m: m.nn.CrossEntropyLoss(weight=m.tensor([1.0, 2.0, 0.5, 1.0])),
        "class",
    ),
    "NLLLoss": (lambda m: m.nn.NLLLoss(reduction="none"), "class"),
    "BCELoss": (lambda m: m.nn.BCELoss(), "prob"),
    "BCEWithLogitsLoss": (lambda m: m.nn.BCEWithLogitsLoss(pos_weight=m.full((4,), 2.0)), "prob"),
}


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_as_torch(name):
    build, kind = LOSSES[name]
    g, t = build(gs), build(torch)
    assert repr(g) == repr(t)
    assert list(g.state_dict()) == list(t.state_dict())
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    if kind == "class":
        target = rng.integers(0, 4, 5)
    elif kind == "prob":
        target = rng.random((5, 4)).astype(np.float32)
    else:
        target = rng.standard_normal((5, 4)).astype(np.float32)
    if name == "BCELoss":
        x = 1 / (1 + np.exp(-x))
    gx, tx = gs.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    gl, tl = g(gx, gs.tensor(target)), t(tx, torch.tensor(target))
    _close(gl, tl)
    assert type(gl.grad_fn).__name__ == type(tl.grad_fn).__name__
    gl.sum().backward()
    tl.sum().backward()
    _close(gx.grad, tx.grad)


def test_legacy_reduction_args():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gs.nn.MSELoss(size_average=False).reduction == "sum"
        assert torch.nn.MSELoss(size_average=False).reduction == "sum"


# ---------------------------------------------------------------- state and modes


def test_state_dict_round_trip_and_detached():
    a, b = _mlp(gs), _mlp(gs)
    sd = a.state_dict()
    assert isinstance(sd, OrderedDict)
    assert all(not v.requires_grad for v in sd.values())
    assert sd["0.weight"].data_ptr() == a[0].weight.data_ptr()
    assert repr(b.load_state_dict(sd)) == "<All keys matched successfully>"
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert (pa.detach().numpy() == pb.detach().numpy()).all()
        assert pb.is_leaf and pb.requires_grad


def test_load_state_dict_not_strict():
    for m in (gs, torch):
        lin = m.nn.Linear(2, 3)
        res = lin.load_state_dict({"weight": m.zeros(3, 2), "extra": m.ones(1)}, strict=False)
        assert res.missing_keys == ["bias"] and res.unexpected_keys == ["extra"]
        assert (lin.weight.detach().numpy() == 0).all()


def _assigned(m) -> list:
    net = m.nn.Sequential(m.nn.Linear(2, 3), m.nn.LayerNorm(3))
    net[1].weight.requires_grad_(False)
    given = {
        "0.weight": m.zeros(3, 2, dtype=m.float64),
        "0.bias": m.nn.Parameter(m.ones(3), requires_grad=False),
        "1.weight": m.full((3,), 2.0),
        "1.bias": m.zeros(3),
    }
    res = net.load_state_dict(given, assign=True)
    out = [repr(res)]
    for name, p in net.named_parameters():
        src = given[name]
        same = p.data_ptr() == src.data_ptr()
        out.append(
            (
                name,
                p.dtype is m.float64,
                p.requires_grad,
                isinstance(p, m.nn.Parameter),
                same,
                p is src,
            )
        )
    return out


def test_load_state_dict_assign_takes_the_tensors_as_torch():
    assert _assigned(gs) == _assigned(torch)


def _sd(m, **over):
    sd = {k: v for k, v in m.nn.Linear(2, 3).state_dict().items()}
    sd.update(over)
    return sd


ERRORS = {
    "load_missing": lambda m: m.nn.Linear(2, 3).load_state_dict({"weight": m.zeros(3, 2)}),
    "load_unexpected": lambda m: m.nn.Linear(2, 3).load_state_dict(_sd(m, foo=m.ones(1))),
    "load_both": lambda m: m.nn.Sequential(m.nn.Linear(2, 3)).load_state_dict(
        {"0.weight": m.zeros(3, 2), "1.bias": m.zeros(3), "x": m.ones(1)}
    ),
    "load_size_mismatch": lambda m: m.nn.Linear(2, 3).load_state_dict(_sd(m, weight=m.zeros(2, 2))),
    "setattr_tensor_over_param": lambda m: setattr(m.nn.Linear(2, 3), "weight", m.zeros(3, 2)),
    "setattr_before_init": lambda m: type(
        "M", (m.nn.Module,), {"__init__": lambda s: None}
    )().__setattr__("w", m.nn.Parameter(m.ones(1))),
    "register_buffer_dot": lambda m: m.nn.Module().register_buffer("a.b", m.ones(1)),
    "add_module_dot": lambda m: m.nn.Module().add_module("a.b", m.nn.ReLU()),
    "add_module_empty": lambda m: m.nn.Module().add_module("", m.nn.ReLU()),
    "add_module_not_module": lambda m: m.nn.Module().add_module("a", 3),
    "register_parameter_empty": lambda m: m.nn.Module().register_parameter("", None),
    "register_buffer_exists": lambda m: m.nn.Linear(1, 1).register_buffer("weight", m.ones(1)),
    "register_parameter_tensor": lambda m: m.nn.Module().register_parameter("w", m.ones(1)),
    "parameter_of_ints": lambda m: m.nn.Parameter(m.tensor([1, 2])),
    "missing_attribute": lambda m: m.nn.Linear(1, 1).nope,
    "sequential_index": lambda m: m.nn.Sequential(m.nn.ReLU())[3],
    "to_int_dtype": lambda m: m.nn.Linear(1, 1).to(m.int64),
    "train_not_bool": lambda m: m.nn.Linear(1, 1).train(1),
    "dropout_p": lambda m: m.nn.Dropout(1.5),
    "no_forward": lambda m: m.nn.Module()(m.ones(1)),
    "linear_shape": lambda m: m.nn.Linear(3, 2)(m.ones(4, 2)),
    "fan_1d": lambda m: m.nn.init.xavier_uniform_(m.ones(3)),
    "fan_mode": lambda m: m.nn.init.kaiming_uniform_(m.ones(3, 3), mode="fan_x"),
    "gain_unknown": lambda m: m.nn.init.calculate_gain("swish"),
    "gain_slope": lambda m: m.nn.init.calculate_gain("leaky_relu", True),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error_as_torch(fn):
    check_error(fn)


def test_train_eval_zero_grad_requires_grad_apply():
    net = _Net.build(gs)
    assert net.training and net.drop.training
    net.eval()
    assert not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    net.eval()
    out = net(gs.tensor([[1, 2, 3]]))
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters() if p is not net.embed.weight)
    net.zero_grad(set_to_none=False)
    assert all((p.grad.numpy() == 0).all() for p in net.parameters() if p.grad is not None)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 3


def test_to_double_float_keep_parameter_objects():
    lin = gs.nn.Linear(3, 2)
    w = lin.weight
    lin(gs.ones(1, 3)).sum().backward()
    assert lin.double() is lin
    assert lin.weight is w and w.dtype == gs.float64 and w.grad.dtype == gs.float64
    assert isinstance(w, gs.nn.Parameter) and w.requires_grad and w.is_leaf
    lin.to(gs.float32)
    assert lin.weight is w and w.dtype == gs.float32
    assert lin.to("cpu") is lin and lin.cpu() is lin
    buf = gs.nn.Module()
    buf.register_buffer("idx", gs.tensor([1, 2]))
    buf.double()
    assert buf.idx.dtype == gs.int64
    assert lin(gs.ones(1, 3)).dtype == gs.float32


def test_sequential_and_module_list_containers():
    seq = gs.nn.Sequential(gs.nn.Linear(2, 2), gs.nn.ReLU())
    assert len(seq) == 2 and isinstance(seq[-1], gs.nn.ReLU)
    assert isinstance(seq[:1], gs.nn.Sequential) and len(seq[:1]) == 1
    seq.append(gs.nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Tanh"]
    named = gs.nn.Sequential(OrderedDict(a=gs.nn.Linear(2, 2), b=gs.nn.ReLU()))
    assert [n for n, _ in named.named_parameters()] == ["a.weight", "a.bias"]
    ml = gs.nn.ModuleList([gs.nn.Linear(2, 2)])
    ml.append(gs.nn.ReLU())
    ml.extend([gs.nn.Tanh()])
    assert len(ml) == 3 and isinstance(ml[1], gs.nn.ReLU)
    assert [n for n, _ in ml.named_parameters()] == ["0.weight", "0.bias"]
    for m in (gs, torch):
        seq = m.nn.Sequential(m.nn.ReLU(), m.nn.Tanh(), m.nn.Sigmoid(), m.nn.GELU())
        del seq[1]
        del seq[-2:]
        ml = m.nn.ModuleList([m.nn.ReLU(), m.nn.Tanh()])
        ml.insert(1, m.nn.SiLU())
        assert repr(seq) == "Sequential(\n  (0): ReLU()\n)"
        assert [type(x).__name__ for x in ml] == ["ReLU", "SiLU", "Tanh"]
    tml = torch.nn.ModuleList([torch.nn.Linear(2, 2) for _ in range(3)] + [torch.nn.ReLU()])
    gml = gs.nn.ModuleList([gs.nn.Linear(2, 2) for _ in range(3)] + [gs.nn.ReLU()])
    assert repr(gml) == repr(tml)


def test_deepcopy_has_its_own_parameters():
    for m in (gs, torch):
        net = m.nn.Sequential(m.nn.Linear(2, 2), m.nn.Tanh())
        net[1].shared = net[0].weight
        net(m.ones(1, 2)).sum().backward()
        c = copy.deepcopy(net)
        assert c[0].weight is not net[0].weight and c[1].shared is c[0].weight
        assert isinstance(c[0].weight, m.nn.Parameter) and c[0].weight.is_leaf
        assert c[0].weight.grad is None
        assert (c[0].weight.detach().numpy() == net[0].weight.detach().numpy()).all()
        assert c[0].weight.data_ptr() != net[0].weight.data_ptr()
        assert [n for n, _ in c.named_parameters()] == ["0.weight", "0.bias"]


# ---------------------------------------------------------------- init


def test_linear_default_init_bounds_and_seed():
    gs.manual_seed(5)
    a = gs.nn.Linear(16, 300)
    gs.manual_seed(5)
    b = gs.nn.Linear(16, 300)
    assert (a.weight.detach().numpy() == b.weight.detach().numpy()).all()
    bound = 1 / math.sqrt(16)
    for p in (a.weight, a.bias):
        v = p.detach().numpy()
        assert v.dtype == np.float32 and np.abs(v).max() <= bound
        assert np.abs(v).max() > 0.9 * bound
    w = a.weight.detach().numpy()
    assert abs(w.mean()) < 0.01 and abs(w.var() - bound**2 / 3) < 0.002


def test_init_distributions():
    t = gs.empty(200, 100)
    out = gs.nn.init.uniform_(t, -2.0, 3.0)
    assert out is t and t.numpy().min() >= -2 and t.numpy().max() < 3
    assert abs(t.numpy().mean() - 0.5) < 0.05
    gs.nn.init.normal_(t, 1.0, 0.5)
    assert abs(t.numpy().mean() - 1) < 0.01 and abs(t.numpy().std() - 0.5) < 0.01
    gs.nn.init.xavier_uniform_(t, gain=2.0)
    a = 2.0 * math.sqrt(6 / 300)
    assert np.abs(t.numpy()).max() <= a and np.abs(t.numpy()).max() > 0.95 * a
    gs.nn.init.xavier_normal_(t)
    assert abs(t.numpy().std() - math.sqrt(2 / 300)) < 0.002
    gs.nn.init.kaiming_uniform_(t, nonlinearity="relu")
    b = math.sqrt(2) * math.sqrt(3 / 100)
    assert np.abs(t.numpy()).max() <= b and np.abs(t.numpy()).max() > 0.95 * b
    gs.nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert abs(t.numpy().std() - math.sqrt(2 / 200)) < 0.002
    c = gs.empty(4, 3, 5)  # receptive field 5: fan_in 15, fan_out 20
    gs.nn.init.kaiming_normal_(c)
    assert c.shape == (4, 3, 5)
    gs.nn.init.constant_(t, 0.25)
    assert (t.numpy() == 0.25).all()
    gs.nn.init.ones_(t)
    assert (t.numpy() == 1).all()
    gs.nn.init.zeros_(t)
    assert (t.numpy() == 0).all()


def test_init_on_a_parameter_is_in_place_and_outside_the_graph():
    lin = gs.nn.Linear(3, 3)
    w = lin.weight
    v = w._version
    assert gs.nn.init.zeros_(w) is w
    assert w.is_leaf and w.requires_grad and w.grad_fn is None and w._version > v
    for name in ("uniform_", "normal_", "xavier_uniform_", "kaiming_normal_"):
        assert getattr(gs.nn.init, name)(w) is w and w.grad_fn is None
    for m in (gs, torch):
        assert m.nn.init.calculate_gain("tanh") == pytest.approx(5 / 3)
        assert m.nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))


def test_init_zero_element_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        gs.nn.init.kaiming_uniform_(gs.empty(0, 3))


# ---------------------------------------------------------------- training, tracing, utils


def _train(m, model, x, y, steps=20, lr=0.1) -> list[float]:
    loss_fn = m.nn.CrossEntropyLoss()
    losses = []
    for _ in range(steps):
        model.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        with m.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(loss.item())
    return losses


def test_training_loop_matches_torch():
    g, t = _pair(_mlp)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    gl = _train(gs, g, gs.tensor(x), gs.tensor(y))
    tl = _train(torch, t, torch.tensor(x), torch.tensor(y))
    np.testing.assert_allclose(gl, tl, rtol=1e-5, atol=1e-5)
    assert gl[-1] < gl[0]
    for gp, tp in zip(g.parameters(), t.parameters(), strict=True):
        _close(gp, tp, tol=1e-4)


def test_traced_linear_records_parameters_as_leaves():
    with gs.trace() as tr:
        model = gs.nn.Linear(5, 3)
        model(gs.randn(4, 5)).sum().backward()
    leaves = {e.tensor: e for e in tr.events if e.kind == "tensor_allocated" and e.role == "leaf"}
    for (name, p), shown in zip(model.named_parameters(), ["Linear.weight", "Linear.bias"]):
        assert p._id in leaves
        assert leaves[p._id].nbytes == 4 * p.numel()
        assert leaves[p._id].name == shown, name  # not "model", the variable assigned
    grads = {e.tensor for e in tr.events if e.kind == "grad_accumulated"}
    assert {p._id for p in model.parameters()} <= grads


def test_a_users_parameter_made_in_a_trace_is_drawn_with_its_name_and_bytes():
    """``nn.Parameter(gs.randn(3, 2))`` in a module of one's own: the parameter is a new
    tensor object, but to the trace it is the ``randn`` tensor the trace saw allocated."""
    import io

    from rich.console import Console

    from gradscope.state import fold_graph
    from gradscope.views.graph_model import build_view
    from gradscope.views.tree import graph_tree

    class Affine(gs.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = gs.nn.Parameter(gs.randn(3, 2))
            self.b = gs.nn.Parameter(gs.zeros(2))

        def forward(self, x):
            return x @ self.w + self.b

    with gs.trace() as tr:
        m = Affine()
        m(gs.randn(4, 3)).sum().backward()
    leaves = {e.tensor: e for e in tr.events if e.kind == "tensor_allocated" and e.role == "leaf"}
    assert [(leaves[p._id].name, leaves[p._id].nbytes) for p in m.parameters()] == [
        ("self.w", 24),
        ("self.b", 8),
    ]
    grads = {e.tensor for e in tr.events if e.kind == "grad_accumulated"}
    assert {p._id for p in m.parameters()} <= grads
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(
        graph_tree(build_view(fold_graph(tr.events)), "g")
    )
    drawn = buf.getvalue()
    assert "self.w  (3, 2) float32  leaf, requires grad" in drawn and "tensor " not in drawn


def test_clip_grad_norm_as_torch():
    g, t = _pair(_mlp)
    x = np.random.default_rng(4).standard_normal((6, 4)).astype(np.float32)
    g(gs.tensor(x)).pow(2).sum().backward()
    t(torch.tensor(x)).pow(2).sum().backward()
    for norm_type in (2.0, 1.0, math.inf):
        gn = gs.nn.utils.clip_grad_norm_(g.parameters(), 0.5, norm_type)
        tn = torch.nn.utils.clip_grad_norm_(t.parameters(), 0.5, norm_type)
        _close(gn, tn, tol=1e-4)
        for gp, tp in zip(g.parameters(), t.parameters(), strict=True):
            _close(gp.grad, tp.grad, tol=1e-5)
    assert gs.nn.utils.clip_grad_norm_([gs.ones(2, requires_grad=True)], 1.0).item() == 0.0
