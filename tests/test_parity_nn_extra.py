"""Padding, containers and the further losses and activations of ``gs.nn`` against
torch's: error texts, module reprs, parameter and state_dict keys, and the graphs that
modules built on ``pad`` record."""

from __future__ import annotations

import numpy as np
import pytest

import gradscope as gs
from tests.parity import (
    check_error,
    check_value,
    check_warns_as_torch,
    grad_fn_tree,
    params,
    warnings_of,
)

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _F(m):  # noqa: N802
    return m.nn.functional


def _x(m, shape, seed=0, rg=False):
    a = np.random.default_rng(seed).standard_normal(shape)
    return m.tensor(a, dtype=m.float32, requires_grad=rg)


def _copy_into_torch(gmod, tmod) -> None:
    state = {k: torch.tensor(v.numpy()) for k, v in gmod.state_dict().items()}
    tmod.load_state_dict(state)


# ---------------------------------------------------------------- pad

ERRORS = {
    "pad_odd_length": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (1, 2, 3)),
    "pad_too_long": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (1,) * 8),
    "pad_float_entry": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (1.5, 2)),
    "pad_unknown_mode": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (1, 2), mode="wrap"),
    "pad_constant_crop_too_much": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (-3, -3)),
    "pad_constant_crop_right": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (0, -6)),
    "pad_reflect_value": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (1, 2), "reflect", value=2.0),
    "pad_reflect_1d_input": lambda m: _F(m).pad(_x(m, (5,)), (1, 2), "reflect"),
    "pad_reflect_4d_two": lambda m: _F(m).pad(_x(m, (2, 3, 5, 6)), (1, 2), "reflect"),
    "pad_circular_1d_input": lambda m: _F(m).pad(_x(m, (5,)), (1, 2), "circular"),
    "pad_reflect_too_wide": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (5, 2), "reflect"),
    "pad_reflect_2d_height": lambda m: _F(m).pad(_x(m, (2, 3, 5, 6)), (1, 2, 5, 1), "reflect"),
    "pad_reflect_3d_width": lambda m: _F(m).pad(
        _x(m, (2, 3, 4, 5, 6)), (1, 6, 0, 1, 1, 1), "reflect"
    ),
    "pad_reflect_3d_depth": lambda m: _F(m).pad(
        _x(m, (2, 3, 4, 5, 6)), (1, 1, 0, 1, 4, 1), "reflect"
    ),
    "pad_reflect_too_small": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (-3, -2), "reflect"),
    "pad_replicate_too_small": lambda m: _F(m).pad(_x(m, (3, 5)), (-3, -3), "replicate"),
    "pad_replicate_2d_negative": lambda m: _F(m).pad(
        _x(m, (2, 3, 5, 6)), (0, 0, -3, -3), "replicate"
    ),
    "pad_circular_wraps_twice": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (6, 2), "circular"),
    "pad_circular_empty": lambda m: _F(m).pad(_x(m, (2, 3, 5)), (-3, -3), "circular"),
    "circular_pad2d_1d_input": lambda m: m.nn.CircularPad2d(1)(_x(m, (5,))),
    "zero_pad2d_1d_input": lambda m: m.nn.ZeroPad2d(1)(_x(m, (5,))),
    "conv_transpose_padding_mode": lambda m: m.nn.ConvTranspose2d(2, 3, 3, padding_mode="reflect"),
}


@pytest.mark.parametrize("fn", params(ERRORS))
def test_errors(fn):
    check_error(fn)


VALUES = {
    "pad_list": lambda m: _F(m).pad(_x(m, (2, 3), rg=True), [1, 2]),
    "pad_replicate_value_zero": lambda m: _F(m).pad(_x(m, (2, 3), rg=True), (1, 2), "replicate", 0),
    "pad_constant_nothing": lambda m: _F(m).pad(_x(m, (2, 3), rg=True), (0, 0)),
    "pad_int_reflect": lambda m: _F(m).pad(m.arange(6).reshape(1, 6), (2, 3), "reflect"),
    "pad_int_value": lambda m: _F(m).pad(m.arange(6).reshape(1, 6), (2, 3), value=7),
    "pad_reflect_to_nothing": lambda m: _F(m).pad(_x(m, (2, 3, 5, 6)), (-3, -3, 0, 0), "reflect"),
}


@pytest.mark.parametrize("fn", params(VALUES))
def test_values(fn):
    check_value(fn)


def test_pad_saves_what_torch_saves():
    for mode, pad in (("constant", (1, -2)), ("reflect", (-1, 2)), ("replicate", (2, 1))):
        out = []
        for m in (gs, torch):
            y = _F(m).pad(_x(m, (2, 3, 5), rg=True), pad, mode)
            fn = y.grad_fn
            slot = "_saved_pad" if mode == "constant" else "_saved_padding"
            saved_self = None if mode == "constant" else tuple(fn._saved_self.shape)
            out.append((fn.name(), tuple(getattr(fn, slot)), saved_self))
        assert out[0] == out[1]


PAD_MODULES = [
    ("ZeroPad1d", (2,), (2, 3, 4)),
    ("ZeroPad2d", ((1, 2, 0, 1),), (2, 3, 4)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4)),
    ("ConstantPad1d", ((1, 2), 1.5), (2, 3, 4)),
    ("ConstantPad2d", (1, -0.5), (2, 3, 4)),
    ("ConstantPad3d", (1, 2), (1, 2, 3, 4)),
    ("ReflectionPad1d", (2,), (2, 3, 4)),
    ("ReflectionPad2d", ((1, 2, 0, 1),), (1, 2, 3, 4)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4)),
    ("ReplicationPad1d", ((3, 1),), (2, 3, 4)),
    ("ReplicationPad2d", (2,), (2, 3, 4)),
    ("ReplicationPad3d", (1,), (1, 1, 2, 3, 4)),
    ("CircularPad1d", (2,), (2, 3, 4)),
    ("CircularPad2d", ((1, 2, 0, 1),), (1, 2, 3, 4)),
    ("CircularPad3d", (1,), (1, 2, 3, 4)),
]


@pytest.mark.parametrize("name,args,shape", PAD_MODULES, ids=[p[0] for p in PAD_MODULES])
def test_pad_modules(name, args, shape):
    mods = [getattr(m.nn, name)(*args) for m in (gs, torch)]
    assert repr(mods[0]) == repr(mods[1])
    assert mods[0].padding == mods[1].padding
    assert list(mods[0].state_dict()) == list(mods[1].state_dict()) == []
    check_value(lambda m: mods[m is torch](_x(m, shape, rg=True)))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "cls,kw,shape",
    [
        ("Conv1d", {"padding": 2}, (2, 2, 6)),
        ("Conv2d", {"padding": (1, 2), "stride": 2}, (1, 2, 5, 6)),
        ("Conv2d", {"padding": "same", "kernel_size": (3, 4)}, (1, 2, 5, 6)),
        ("Conv1d", {"padding": "valid"}, (2, 2, 6)),
    ],
)
def test_conv_padding_modes_pad_first(cls, kw, shape, mode):
    kw = {"kernel_size": 3, **kw}
    g = getattr(gs.nn, cls)(2, 3, padding_mode=mode, **kw)
    t = getattr(torch.nn, cls)(2, 3, padding_mode=mode, **kw)
    _copy_into_torch(g, t)
    assert repr(g) == repr(t)
    assert list(g._reversed_padding_repeated_twice) == list(t._reversed_padding_repeated_twice)
    xs = [_x(m, shape, rg=True) for m in (gs, torch)]
    ys = [g(xs[0]), t(xs[1])]
    assert grad_fn_tree(ys[0].grad_fn, 3) == grad_fn_tree(ys[1].grad_fn, 3)
    np.testing.assert_allclose(ys[0].detach().numpy(), ys[1].detach().numpy(), atol=1e-5)
    for y in ys:
        y.square().sum().backward()
    np.testing.assert_allclose(xs[0].grad.numpy(), xs[1].grad.numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(g.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- containers


def _both(build):
    """``build(m)`` for gradscope and for torch, with the same seed for each."""
    out = []
    for m in (gs, torch):
        m.manual_seed(0)
        out.append(build(m))
    return out


def _summary(mod) -> tuple:
    """What a container shows: repr (dtypes named as torch's), parameter and state_dict
    keys with shapes, and its children's names."""
    text = repr(mod).replace("gradscope.", "torch.")
    params = [(k, tuple(p.shape)) for k, p in mod.named_parameters()]
    return text, params, list(mod.state_dict()), [k for k, _ in mod.named_children()]


def _module_dict(m):
    d = m.nn.ModuleDict({"lin": m.nn.Linear(2, 3), "act": m.nn.ReLU()})
    d["out"] = m.nn.Linear(3, 1)
    d.update([("act", m.nn.Tanh()), ("drop", m.nn.Dropout(0.1))])
    d.update(m.nn.ModuleDict({"z": m.nn.Identity()}))
    popped = d.pop("drop")
    del d["z"]
    return d, popped


def test_module_dict_as_torch():
    (g, gp), (t, tp) = _both(_module_dict)
    assert _summary(g) == _summary(t)
    assert repr(gp) == repr(tp)
    assert list(g) == list(t) == list(g.keys())
    assert [repr(v) for v in g.values()] == [repr(v) for v in t.values()]
    assert ("lin" in g, "drop" in g, len(g)) == ("lin" in t, "drop" in t, len(t))
    assert [k for k, _ in g.items()] == [k for k, _ in t.items()]
    g.clear()
    t.clear()
    assert _summary(g) == _summary(t)


def _parameter_list(m):
    pl = m.nn.ParameterList([m.nn.Parameter(m.zeros(2, 3)), m.ones(2, dtype=m.float64)])
    pl.append(m.zeros(4))
    pl += [3, m.nn.Parameter(m.ones(1))]
    pl[0] = m.nn.Parameter(m.ones(5))  # keeps its place
    pl[-1] = m.zeros(2, 2)
    return pl


def test_parameter_list_as_torch():
    g, t = _both(_parameter_list)
    assert _summary(g) == _summary(t)
    assert len(g) == len(t) == 5
    kinds = [[isinstance(p, m.nn.Parameter) for p in pl] for m, pl in ((gs, g), (torch, t))]
    assert kinds[0] == kinds[1] == [True, True, True, False, True]
    assert all(p.requires_grad for p in g.parameters())
    assert _summary(g[1:4]) == _summary(t[1:4])
    assert tuple(g[-1].shape) == tuple(t[-1].shape) == (2, 2)
    assert [k for k in dir(g) if k.isdigit()] == []


def _parameter_dict(m):
    pd = m.nn.ParameterDict({"w": m.zeros(2, 3), "b": m.nn.Parameter(m.ones(3))})  # sorted
    pd["a"] = m.zeros(1, dtype=m.float64)
    pd.update([("z", m.ones(2)), ("c", 7)])
    pd.setdefault("b", m.zeros(9))
    pd.setdefault("d", m.zeros(2))
    popped = pd.pop("w")
    key, last = pd.popitem()
    return pd, (tuple(popped.shape), key, tuple(last.shape))


def test_parameter_dict_as_torch():
    (g, gp), (t, tp) = _both(_parameter_dict)
    assert _summary(g) == _summary(t)
    assert gp == tp
    assert list(g) == list(t) and list(reversed(g)) == list(reversed(t))
    assert g.get("c") == t.get("c") == 7 and g.get("nope", 1) == 1
    assert "b" in g and "w" not in g
    merged = g | g.fromkeys(["x"], gs.zeros(1))
    merged_t = t | t.fromkeys(["x"], torch.zeros(1))
    assert _summary(merged) == _summary(merged_t)
    c = g.copy()
    assert _summary(c) == _summary(t.copy())
    g.clear()
    t.clear()
    assert _summary(g) == _summary(t)


CONTAINER_ERRORS = {
    "module_dict_update_scalar": lambda m: m.nn.ModuleDict().update(3),
    "module_dict_update_element": lambda m: m.nn.ModuleDict().update([3]),
    "module_dict_update_length": lambda m: m.nn.ModuleDict().update([("a", m.nn.ReLU(), 1)]),
    "module_dict_not_module": lambda m: m.nn.ModuleDict({"a": 3}),
    "module_dict_missing": lambda m: m.nn.ModuleDict()["a"],
    "parameter_list_index": lambda m: m.nn.ParameterList([m.zeros(1)])[1],
    "parameter_list_extend_tensor": lambda m: m.nn.ParameterList().extend(m.zeros(2)),
    "parameter_list_called": lambda m: m.nn.ParameterList()(1),
    "parameter_list_int_tensor": lambda m: m.nn.ParameterList([m.zeros(2, dtype=m.int64)]),
    "parameter_dict_key": lambda m: m.nn.ParameterDict()[1],
    "parameter_dict_update_scalar": lambda m: m.nn.ParameterDict().update(3),
    "parameter_dict_update_length": lambda m: m.nn.ParameterDict().update([("a",)]),
    "parameter_dict_called": lambda m: m.nn.ParameterDict()(1),
    "unflatten_size_type": lambda m: m.nn.Unflatten(1, 6),
    "unflatten_size_element": lambda m: m.nn.Unflatten(1, (2, 3.0)),
    "unflatten_wrong_size": lambda m: m.nn.Unflatten(1, (2, 4))(m.zeros(2, 6)),
}


@pytest.mark.parametrize("fn", params(CONTAINER_ERRORS))
def test_container_errors(fn):
    check_error(fn)


def test_unflatten_as_torch():
    mods = [m.nn.Unflatten(-1, [2, -1]) for m in (gs, torch)]
    assert repr(mods[0]) == repr(mods[1])
    check_value(lambda m: mods[m is torch](_x(m, (3, 6), rg=True)))
    seqs = _both(lambda m: m.nn.Sequential(m.nn.Linear(6, 6), m.nn.Unflatten(1, (2, 3))))
    assert _summary(seqs[0]) == _summary(seqs[1])


# ---------------------------------------------------------------- kl_div, distances

LOSS_ERRORS = {
    "kl_div_int_target": lambda m: _F(m).kl_div(_x(m, (3, 4)), m.ones(3, 4, dtype=m.int64)),
    "kl_div_int_input": lambda m: _F(m).kl_div(m.ones(3, dtype=m.int64), _x(m, (3,))),
    "kl_div_bool_input": lambda m: _F(m).kl_div(m.ones(3, dtype=m.bool), _x(m, (3,))),
    "kl_div_reduction": lambda m: _F(m).kl_div(_x(m, (3,)), _x(m, (3,)), reduction="avg"),
    "kl_div_shapes": lambda m: _F(m).kl_div(_x(m, (3, 4)), _x(m, (2, 4)), reduction="sum"),
    "pairwise_distance_shapes": lambda m: _F(m).pairwise_distance(_x(m, (3,)), _x(m, (4,))),
    "triplet_margin": lambda m: _F(m).triplet_margin_loss(
        _x(m, (2, 3)), _x(m, (2, 3)), _x(m, (2, 3)), margin=0
    ),
    "triplet_dims": lambda m: _F(m).triplet_margin_loss(_x(m, (2, 3)), _x(m, (2, 3)), _x(m, (3,))),
    "triplet_reduction": lambda m: _F(m).triplet_margin_loss(
        _x(m, (2, 3)), _x(m, (2, 3)), _x(m, (2, 3)), reduction="x"
    ),
    "triplet_module_margin": lambda m: m.nn.TripletMarginLoss(margin=-1.0),
}


@pytest.mark.parametrize("fn", params(LOSS_ERRORS))
def test_loss_errors(fn):
    check_error(fn)


LOSS_VALUES = {
    "kl_div_0d_batchmean": lambda m: _F(m).kl_div(
        _x(m, (), rg=True), _x(m, (), 1).abs(), reduction="batchmean"
    ),
    "kl_div_broadcast": lambda m: _F(m).kl_div(
        _x(m, (3, 4), rg=True), _x(m, (4,), 1).exp(), reduction="none"
    ),
    "kl_div_legacy": lambda m: _F(m).kl_div(
        _x(m, (3, 4), rg=True), _x(m, (3, 4), 1).exp(), size_average=False
    ),
    "kl_div_module": lambda m: m.nn.KLDivLoss(reduction="batchmean", log_target=True)(
        _x(m, (3, 4), rg=True), _x(m, (3, 4), 1)
    ),
    "pairwise_distance_int": lambda m: _F(m).pairwise_distance(
        m.arange(6).reshape(2, 3), m.ones(3, dtype=m.int64)
    ),
    "pairwise_distance_0d": lambda m: _F(m).pairwise_distance(_x(m, (), rg=True), _x(m, (), 1)),
    "pairwise_distance_4d": lambda m: _F(m).pairwise_distance(
        _x(m, (2, 3, 1, 5), rg=True), _x(m, (4, 5), 1), p=0.0
    ),
    "pairwise_module": lambda m: m.nn.PairwiseDistance(p=1.0, keepdim=True)(
        _x(m, (3, 4), rg=True), _x(m, (3, 4), 1)
    ),
    "triplet_module": lambda m: m.nn.TripletMarginLoss(margin=0.5, swap=True, reduction="none")(
        _x(m, (3, 4), rg=True), _x(m, (3, 4), 1), _x(m, (3, 4), 2)
    ),
}


@pytest.mark.parametrize("fn", params(LOSS_VALUES))
def test_loss_values(fn):
    check_value(fn)


@pytest.mark.parametrize("kwargs", [{}, {"reduction": "mean"}, {"reduction": "sum"}])
def test_kl_div_warns_for_mean_as_torch(kwargs):
    fn = lambda m: _F(m).kl_div(_x(m, (2, 3)), _x(m, (2, 3)).exp(), **kwargs)  # noqa: E731
    check_warns_as_torch(fn)
    assert warnings_of(fn, gs) == warnings_of(fn, torch)


def test_loss_module_reprs_and_attributes():
    for build in (
        lambda m: m.nn.KLDivLoss(reduction="sum", log_target=True),
        lambda m: m.nn.PairwiseDistance(3.0, 1e-3, True),
        lambda m: m.nn.TripletMarginLoss(2.0, 1.0, swap=True),
    ):
        g, t = build(gs), build(torch)
        assert repr(g) == repr(t)
        keys = ("reduction", "log_target", "norm", "eps", "keepdim", "margin", "p", "swap")
        assert {k: getattr(g, k) for k in keys if hasattr(t, k)} == {
            k: getattr(t, k) for k in keys if hasattr(t, k)
        }


# ---------------------------------------------------------------- activations

ACTIVATION_ERRORS = {
    "celu_alpha_zero": lambda m: _F(m).celu(_x(m, (3,)), 0.0),
    "celu_long": lambda m: _F(m).celu(m.ones(3, dtype=m.int64)),
    "glu_odd": lambda m: _F(m).glu(_x(m, (3, 5))),
    "glu_odd_dim0": lambda m: _F(m).glu(_x(m, (3, 4)), 0),
    "glu_scalar": lambda m: _F(m).glu(_x(m, ())),
    "glu_dim_range": lambda m: _F(m).glu(_x(m, (3, 4)), 2),
    "glu_long": lambda m: _F(m).glu(m.ones(3, 4, dtype=m.int64)),
    "softshrink_negative": lambda m: _F(m).softshrink(_x(m, (3,)), -0.5),
    "softshrink_negative_double": lambda m: _F(m).softshrink(_x(m, (3,)).to(m.float64), -1.0),
    "softshrink_long": lambda m: _F(m).softshrink(m.ones(3, dtype=m.int64)),
    "hardshrink_long": lambda m: _F(m).hardshrink(m.ones(3, dtype=m.int64)),
    "prelu_channels": lambda m: _F(m).prelu(_x(m, (3, 4)), _x(m, (3,))),
    "prelu_weight_dims": lambda m: _F(m).prelu(_x(m, (3, 4)), _x(m, (4, 1))),
    "prelu_dtypes": lambda m: _F(m).prelu(_x(m, (3, 4)), _x(m, (4,)).to(m.float64)),
    "prelu_zero_dim": lambda m: _F(m).prelu(_x(m, ()), _x(m, (4,))),
    "prelu_1d_channels": lambda m: _F(m).prelu(_x(m, (5,)), _x(m, (5,))),
    "prelu_long": lambda m: _F(m).prelu(m.ones(3, dtype=m.int64), m.ones(1, dtype=m.int64)),
    "prelu_module_channels": lambda m: m.nn.PReLU(3)(_x(m, (2, 4))),
    "threshold_leaf_inplace": lambda m: _F(m).threshold(_x(m, (3,), rg=True), 0.0, 1.0, True),
}


@pytest.mark.parametrize("fn", params(ACTIVATION_ERRORS))
def test_activation_errors(fn):
    check_error(fn)


ACTIVATION_VALUES = {
    "threshold_long": lambda m: _F(m).threshold(m.arange(-3, 3), 0, 7),
    "threshold_nan": lambda m: _F(m).threshold(m.tensor([float("nan"), 1.0]), 0.5, 2.0),
    "hardshrink_negative_lambd": lambda m: _F(m).hardshrink(_x(m, (4,), rg=True), -0.5),
    "prelu_module": lambda m: m.nn.PReLU(3, init=0.1)(_x(m, (2, 3, 4), rg=True)),
    "glu_module": lambda m: m.nn.GLU(1)(_x(m, (2, 4, 3), rg=True)),
    "celu_module_inplace": lambda m: m.nn.CELU(0.5, inplace=True)(_x(m, (2, 3), rg=True) * 1),
    "threshold_module": lambda m: m.nn.Threshold(0.1, 20.0)(_x(m, (2, 3), rg=True)),
    "softshrink_module": lambda m: m.nn.Softshrink(0.3)(_x(m, (2, 3), rg=True)),
    "hardshrink_module": lambda m: m.nn.Hardshrink()(_x(m, (2, 3), rg=True)),
}


@pytest.mark.parametrize("fn", params(ACTIVATION_VALUES))
def test_activation_values(fn):
    check_value(fn)


ACTIVATION_MODULES = [
    ("Threshold", (0.1, 20.0)),
    ("Threshold", (0.1, 20.0, True)),
    ("GLU", ()),
    ("GLU", (0,)),
    ("PReLU", ()),
    ("PReLU", (3, 0.1)),
    ("CELU", ()),
    ("CELU", (0.5, True)),
    ("Softshrink", ()),
    ("Softshrink", (0.3,)),
    ("Hardshrink", ()),
    ("Hardshrink", (0.2,)),
]


@pytest.mark.parametrize("name,args", ACTIVATION_MODULES)
def test_activation_modules(name, args):
    g, t = getattr(gs.nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(g) == repr(t)
    assert _summary(g) == _summary(t)
    for k, v in g.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), t.state_dict()[k].numpy())


def test_activation_saved_values_as_torch():
    """The non-tensor values each node saves, as torch shows them."""
    cases = [
        (lambda m, x: _F(m).threshold(x, 0.1, 2.0), ("threshold",)),
        (lambda m, x: _F(m).glu(x), ("dim",)),
        (lambda m, x: _F(m).glu(x, 0), ("dim",)),
        (lambda m, x: _F(m).softshrink(x, 0.3), ("lambd",)),
        (lambda m, x: _F(m).hardshrink(x, 0.3), ("lambd",)),
        (lambda m, x: _F(m).celu(x, 0.5), ("alpha",)),
    ]
    for fn, slots in cases:
        got = []
        for m in (gs, torch):
            node = fn(m, _x(m, (4, 6), rg=True)).grad_fn
            got.append([getattr(node, "_saved_" + s) for s in slots])
        assert got[0] == got[1], fn
