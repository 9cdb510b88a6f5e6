"""``nn.Module``'s API against torch where a random-program fuzzer found them apart:
``load_state_dict`` (each module loads its own keys, then each child under its name, so a
child registered twice loads twice; a key naming a child alone is unexpected; an old
checkpoint without BatchNorm's ``num_batches_tracked``; a one-element tensor into a 0-dim
parameter; a state dict that is not a mapping), ``named_parameters(remove_duplicate=False)``
over a shared child, ``get_submodule``/``set_submodule``/``get_parameter``/``get_buffer``,
the containers' ``pop``/``insert``/``extend``/``+``/``*``/``del`` and their indexing with a
non-int, and a container subclass's repr."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from tests.parity import check_error, check_value, params

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _net(m, shared=False):
    """A module with a Linear(1, 1) of weight 1 and bias 0 under ``a`` (and, shared, under
    ``b`` too) and a BatchNorm1d(1) under ``bn``."""
    net = m.nn.Module()
    net.a = m.nn.Linear(1, 1)
    with m.no_grad():
        net.a.weight.fill_(1.0)
        net.a.bias.fill_(0.0)
    if shared:
        net.b = net.a
    net.bn = m.nn.BatchNorm1d(1)
    return net


def _load(m, net, sd, **kwargs):
    keys = net.load_state_dict(sd, **kwargs)
    return (
        list(keys.missing_keys),
        list(keys.unexpected_keys),
        [(k, v.detach().clone()) for k, v in net.state_dict().items()],
    )


def _state(m, **extra):
    """net's full state dict, with weight 5, and ``extra`` entries (None: leave out)."""
    sd = {
        "a.weight": m.full((1, 1), 5.0),
        "a.bias": m.full((1,), 2.0),
        "bn.weight": m.ones(1),
        "bn.bias": m.zeros(1),
        "bn.running_mean": m.zeros(1),
        "bn.running_var": m.ones(1),
        "bn.num_batches_tracked": m.tensor(3),
    }
    for k, v in extra.items():
        k = k.replace("__", ".")
        if v is None:
            sd.pop(k)
        else:
            sd[k] = v
    return sd


VALUES = {
    "load_shared_child_under_its_second_name": lambda m: _load(
        m,
        _net(m, shared=True),
        {"b.weight": m.full((1, 1), 5.0), "b.bias": m.zeros(1)},
        strict=False,
    ),
    "load_shared_child_assign_later_key_wins": lambda m: _load(
        m,
        _net(m, shared=True),
        _state(m, b__weight=m.full((1, 1), 7.0), b__bias=m.zeros(1)),
        assign=True,
    ),
    "load_key_naming_a_child_is_unexpected": lambda m: _load(
        m, _net(m), _state(m, a=m.ones(1)), strict=False
    ),
    "load_old_checkpoint_without_num_batches_tracked": lambda m: _load(
        m, _net(m), _state(m, bn__num_batches_tracked=None)
    ),
    "load_one_element_into_0_dim": lambda m: _load(m, _with_scalar(m), {"s": m.tensor([5.0])}),
    "named_parameters_keep_duplicates": lambda m: [
        n for n, _ in _net(m, shared=True).named_parameters(remove_duplicate=False)
    ],
    "named_buffers_keep_duplicates": lambda m: [
        n for n, _ in _shared_bn(m).named_buffers(remove_duplicate=False)
    ],
    "get_submodule": lambda m: repr(_net(m).get_submodule("a")),
    "get_submodule_of_itself": lambda m: _net(m).get_submodule("") is not None,
    "get_parameter": lambda m: _net(m).get_parameter("a.weight"),
    "get_buffer": lambda m: _net(m).get_buffer("bn.running_var"),
    "set_submodule": lambda m: _set(m, "a", m.nn.Tanh()),
    "set_submodule_new_name": lambda m: _set(m, "c", m.nn.Tanh()),
    "set_submodule_nested": lambda m: _set(m, "seq.1", m.nn.ReLU()),
    "half": lambda m: str(m.nn.Linear(2, 1).half().weight.dtype).rsplit(".", 1)[-1],
    "sequential_pop": lambda m: _seq(m).pop(1).__class__.__name__,
    "sequential_pop_renumbers": lambda m: _popped(_seq(m)),
    "sequential_insert": lambda m: list(_seq(m).insert(-1, m.nn.Tanh())._modules),
    "sequential_extend_and_add": lambda m: len(_seq(m).extend(_seq(m)) + _seq(m)),
    "sequential_iadd_and_mul": lambda m: len(_iadd(_seq(m)) * 2),
    "modulelist_del_and_pop": lambda m: _del_pop(m.nn.ModuleList([m.nn.ReLU(), m.nn.Tanh()])),
    "modulelist_del_slice": lambda m: _del_slice(m),
    "modulelist_add": lambda m: len(m.nn.ModuleList([m.nn.ReLU()]) + [m.nn.Tanh()]),
    "modulelist_index_bool": lambda m: type(m.nn.ModuleList([m.nn.ReLU()])[False]).__name__,
    "modulelist_subclass_repr": lambda m: _my_list(m),
    "dir_leaves_out_indices": lambda m: [k for k in dir(_seq(m)) if k[:1].isdigit()],
}

ERRORS = {
    "load_a_list": lambda m: _net(m).load_state_dict([1, 2]),
    "load_key_naming_a_child_strict": lambda m: _net(m).load_state_dict(_state(m, a=m.ones(1))),
    "get_submodule_missing": lambda m: _net(m).get_submodule("a.nope"),
    "get_submodule_not_a_module": lambda m: _net(m).get_submodule("a.weight"),
    "get_parameter_not_a_parameter": lambda m: _net(m).get_parameter("bn.running_mean"),
    "get_buffer_not_a_buffer": lambda m: _net(m).get_buffer("a.weight"),
    "set_submodule_empty_target": lambda m: _net(m).set_submodule("", m.nn.ReLU()),
    "set_submodule_not_a_module": lambda m: _net(m).set_submodule("a", 3),
    "set_submodule_over_a_parameter": lambda m: _net(m).set_submodule("a.weight", m.nn.ReLU()),
    "set_submodule_strict_new_name": lambda m: _net(m).set_submodule("c", m.nn.ReLU(), True),
    "set_submodule_missing_parent": lambda m: _net(m).set_submodule("x.y", m.nn.ReLU()),
    "modulelist_index_float": lambda m: m.nn.ModuleList([m.nn.ReLU()])[1.0],
    "modulelist_index_str": lambda m: m.nn.ModuleList([m.nn.ReLU()])["a"],
    "modulelist_index_true_out_of_range": lambda m: m.nn.ModuleList([m.nn.ReLU()])[True],
    "sequential_index_float": lambda m: _seq(m)[0.0],
    "modulelist_extend_not_iterable": lambda m: m.nn.ModuleList(m.nn.ReLU()),
    "sequential_add_a_list": lambda m: _seq(m) + [m.nn.ReLU()],
    "sequential_iadd_a_list": lambda m: _iadd_list(m),
    "sequential_insert_out_of_range": lambda m: _seq(m).insert(5, m.nn.ReLU()),
}


def _set(m, target, module):
    net = _net(m)
    net.seq = _seq(m)
    net.set_submodule(target, module)
    return repr(net)


def _with_scalar(m):
    net = m.nn.Module()
    net.s = m.nn.Parameter(m.tensor(1.0))
    return net


def _shared_bn(m):
    net = m.nn.Module()
    net.a = net.b = m.nn.BatchNorm1d(1)
    return net


def _seq(m):
    return m.nn.Sequential(m.nn.ReLU(), m.nn.Tanh(), m.nn.Sigmoid())


def _popped(s):
    s.pop(0)
    return list(s._modules), [type(x).__name__ for x in s]


def _iadd(s):
    s += s[:1]
    return s


def _iadd_list(m):
    s = _seq(m)
    s += [m.nn.ReLU()]


def _del_pop(ml):
    del ml[0]
    ml.append(ml.pop(0))
    return list(ml._modules), [type(x).__name__ for x in ml]


def _del_slice(m):
    ml = m.nn.ModuleList([m.nn.ReLU(), m.nn.Tanh(), m.nn.Sigmoid()])
    del ml[::2]
    return list(ml._modules), [type(x).__name__ for x in ml]


def _my_list(m):
    class MyList(m.nn.ModuleList):
        pass

    return repr(MyList([m.nn.ReLU()])), repr(MyList())


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


def test_sequential_from_an_ordered_dict_keeps_its_names_when_extended():
    def case(m):
        s = m.nn.Sequential(OrderedDict(relu=m.nn.ReLU()))
        s.extend([m.nn.Tanh()])
        return list(s._modules)

    assert case(torch) == case(__import__("gradscope"))
