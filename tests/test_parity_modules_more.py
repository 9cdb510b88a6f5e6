"""``nn.Module`` features of torch 2.13 against torch: ``nn.Buffer`` assigned as an
attribute, ``get_extra_state``/``set_extra_state`` in ``state_dict`` and
``load_state_dict``, the state dict and load hooks (their order, arguments and what their
results do), the deprecated ``register_backward_hook`` (its node's gradients and torch's
FutureWarnings), ``type``/``to_empty``/``share_memory``, a container called with a keyword
argument, and a parameter named ``training``."""

from __future__ import annotations

import pytest

import gradscope as gs
from tests.parity import check_error, check_value, outcome, params, warnings_of

torch = pytest.importorskip("torch", reason="torch is the reference for parity tests")


def _dt(t) -> str:
    return str(t.dtype).rsplit(".", 1)[-1]


# -- Buffer ---------------------------------------------------------------------------
def _buffers(m, *assign):
    """A module given ``assign`` (name, value) in turn; its buffer names, its
    non-persistent ones and its state dict's keys."""
    net = m.nn.Module()
    for name, value in assign:
        setattr(net, name, value)
    return (
        [n for n, _ in net.named_buffers()],
        sorted(net._non_persistent_buffers_set),
        list(net.state_dict()),
    )


def _buffer_flags(m, b):
    return (
        isinstance(b, m.nn.Buffer),
        isinstance(b, m.nn.Parameter),
        b.persistent,
        b.requires_grad,
        b.is_leaf,
        tuple(b.shape),
    )


def _plain_tensor_over_buffer(m, persistent):
    net = m.nn.Module()
    net.b = m.nn.Buffer(m.zeros(1), persistent=persistent)
    net.b = m.ones(3)
    return isinstance(net.b, m.nn.Buffer), net.b, list(net.state_dict())


def _custom_register_buffer(m, persistent):
    class M(m.nn.Module):
        def register_buffer(self, name, tensor):
            super().register_buffer(name, tensor)

    net = M()
    net.b = m.nn.Buffer(m.ones(1), persistent=persistent)
    return list(net.state_dict())


# -- extra state ----------------------------------------------------------------------
def _extra(m, get=True, set=True):
    """A module with a Linear under ``lin`` and extra state ``{"k": 1}`` (only the
    overrides asked for)."""
    ns = {}
    if get:
        ns["get_extra_state"] = lambda self: self.st
    if set:
        ns["set_extra_state"] = lambda self, s: setattr(self, "st", s)

    def init(self):
        m.nn.Module.__init__(self)
        self.lin = m.nn.Linear(1, 1)
        self.st = {"k": 1}

    return type("E", (m.nn.Module,), {"__init__": init, **ns})()


def _parent(m, **kw):
    p = m.nn.Module()
    p.e = _extra(m, **kw)
    return p


def _load_extra(m, drop=(), add=None, strict=True, **kw):
    p = _parent(m, **kw)
    sd = dict(p.state_dict())
    for k in drop:
        del sd[k]
    sd.update(add or {})
    keys = p.load_state_dict(sd, strict=strict)
    return list(keys.missing_keys), list(keys.unexpected_keys), repr(p.e.st)


# -- state dict hooks -------------------------------------------------------------------
def _net(m):
    p = m.nn.Module()
    p.a = m.nn.Linear(1, 1)
    p.s = m.nn.Sequential(m.nn.Linear(1, 1))
    return p


def _state_dict_hook_calls(m):
    log, p = [], _net(m)
    for name, mod in p.named_modules():
        mod.register_state_dict_pre_hook(
            lambda mm, prefix, kv, name=name: log.append(("pre", name, prefix, kv))
        )
        mod.register_state_dict_post_hook(
            lambda mm, sd, prefix, md, name=name: log.append(
                ("post", name, prefix, list(sd), sorted(md.items()))
            )
        )
    sd = p.state_dict(keep_vars=True)
    return log, sorted((k, sorted(v.items())) for k, v in sd._metadata.items())


def _old_state_dict_hook(m, on_child):
    p = _net(m)
    (p.a if on_child else p)._register_state_dict_hook(lambda mm, sd, prefix, md: {"x": 1})
    return list(p.state_dict())


def _public_post_hook_mutates(m):
    p = _net(m)

    def hook(mm, sd, prefix, md):
        sd[prefix + "extra"] = 1

    p.a.register_state_dict_post_hook(hook)
    return list(p.state_dict())


def _removed_state_dict_hooks(m):
    log, p = [], _net(m)
    h1 = p.register_state_dict_pre_hook(lambda *a: log.append("pre"))
    h2 = p.register_state_dict_post_hook(lambda *a: log.append("post"))
    p.state_dict()
    h1.remove()
    h2.remove()
    p.state_dict()
    return log


def _same_hook_old_then_public(m):
    p = _net(m)

    def hook(mm, sd, prefix, md):
        return None

    p._register_state_dict_hook(hook)
    p.register_state_dict_post_hook(hook)
    return list(p.state_dict())


def _same_hook_public_then_old(m):
    p = _net(m)

    def hook(mm, sd, prefix, md):
        return None

    p.register_state_dict_post_hook(hook)
    p._register_state_dict_hook(hook)


# -- load hooks -------------------------------------------------------------------------
def _load_hook_calls(m, assign):
    log, p = [], _net(m)
    for name, mod in p.named_modules():
        mod.register_load_state_dict_pre_hook(
            lambda mm, sd, prefix, md, strict, mk, uk, em, name=name: log.append(
                ("pre", name, sorted(sd), prefix, sorted(md.items()), strict, list(mk), list(uk))
            )
        )
        mod.register_load_state_dict_post_hook(
            lambda mm, ik, name=name: log.append(
                ("post", name, list(ik.missing_keys), list(ik.unexpected_keys))
            )
        )
    sd = p.state_dict()
    del sd["a.bias"]
    sd["zz"] = m.ones(1)
    keys = p.load_state_dict(sd, strict=False, assign=assign)
    return log, list(keys.missing_keys), list(keys.unexpected_keys)


def _post_hook_edits_keys(m, clear):
    p = _net(m)

    def hook(mm, ik):
        if clear:
            ik.missing_keys.clear()
            ik.unexpected_keys.clear()
        else:
            ik.unexpected_keys.append("bogus")

    p.a.register_load_state_dict_post_hook(hook)
    sd = dict(p.state_dict())
    if clear:
        del sd["a.bias"]
        sd["zz"] = m.ones(1)
    return repr(p.load_state_dict(sd))


def _post_hook_returns(m):
    p = _net(m)
    p.register_load_state_dict_post_hook(lambda mm, ik: 1)
    p.load_state_dict(p.state_dict())


def _pre_hook_fills_a_key(m):
    p = _net(m)

    def pre(mm, sd, prefix, md, strict, mk, uk, em):
        sd[prefix + "weight"] = m.full((1, 1), 9.0)

    p.a.register_load_state_dict_pre_hook(pre)
    sd = dict(p.state_dict())
    del sd["a.weight"]
    return repr(p.load_state_dict(sd)), p.a.weight


def _pre_hook_adds_an_error(m):
    p = _net(m)
    p.register_load_state_dict_pre_hook(
        lambda mm, sd, prefix, md, strict, mk, uk, em: em.append("boom")
    )
    p.load_state_dict(p.state_dict())


def _private_load_pre_hook(m):
    log, p = [], _net(m)
    p._register_load_state_dict_pre_hook(lambda *a: log.append(len(a)))
    p._register_load_state_dict_pre_hook(lambda *a: log.append(len(a)), with_module=True)
    p.load_state_dict(p.state_dict())
    return log


def _shared_child_post_hook(m):
    log, p = [], m.nn.Module()
    p.a = p.b = m.nn.Linear(1, 1)
    p.a.register_load_state_dict_post_hook(lambda mm, ik: log.append(type(mm).__name__))
    p.load_state_dict(p.state_dict())
    return log


def _positional_state_dict(m):
    return list(_net(m).state_dict(None, "x.", True))


# -- deprecated backward hook -----------------------------------------------------------
def _fwd(m, fn):
    return type("F", (m.nn.Module,), {"forward": lambda self, *a: fn(*a)})()


def _rounded(g):
    return None if g is None else [round(float(v), 4) for v in g.detach().reshape(-1).tolist()]


def _backward_hook_calls(m, forward, n_inputs, replace=False):
    """``forward`` on ``n_inputs`` leaves with the deprecated hook; what the hook saw
    (module, grad_input, grad_output) and the leaves' gradients."""
    log, mod = [], _fwd(m, forward)

    def hook(mm, gi, go):
        log.append((type(mm).__name__, [_rounded(g) for g in gi], [_rounded(g) for g in go]))
        if replace:
            return tuple(None if g is None else g * 0 + 1 for g in gi)

    mod.register_backward_hook(hook)
    xs = [m.tensor([1.0, 2.0 + i], requires_grad=True) for i in range(n_inputs)]
    (mod(*xs) * 3).sum().backward()
    return log, [x.grad for x in xs]


def _removed_backward_hook(m):
    log, mod = [], _fwd(m, lambda x: x.sin())
    mod.register_backward_hook(lambda *a: log.append(1)).remove()
    x = m.ones(2, requires_grad=True)
    mod(x).sum().backward()
    return log, x.grad


def _backward_hook_with_full_pre_hook(m):
    log, mod = [], _fwd(m, lambda x: x.sin())
    mod.register_backward_hook(lambda mm, gi, go: log.append("hook"))
    mod.register_full_backward_pre_hook(lambda mm, go: log.append("pre"))
    x = m.ones(2, requires_grad=True)
    mod(x).sum().backward()
    return log, x.grad


def _mixed(m, first_full, remove_first=False):
    mod = _fwd(m, lambda x: x.sin())
    first, second = mod.register_full_backward_hook, mod.register_backward_hook
    if not first_full:
        first, second = second, first
    h = first(lambda *a: None)
    if remove_first:
        h.remove()
    second(lambda *a: None)


WARNS = {
    "one_op_on_leaves": lambda m: _backward_hook_calls(m, lambda x: x.sin(), 1),
    "two_outputs_from_two_nodes": lambda m: _backward_warns(m, lambda x: (x.sin(), x.cos())),
    "dict_output": lambda m: _backward_warns(m, lambda x: {"a": x.sin()}),
    "output_of_a_non_tensor_input": lambda m: _backward_warns(m, lambda x, k: x.sin(), 3),
    "single_op_on_a_non_leaf": lambda m: _non_leaf_input(m),
    "no_input_needs_grad": lambda m: _backward_warns(m, lambda x: x.sin(), grad=False),
}


def _backward_warns(m, forward, *extra, grad=True):
    mod = _fwd(m, forward)
    mod.register_backward_hook(lambda *a: None)
    return mod(m.ones(2, requires_grad=grad), *extra)


def _non_leaf_input(m):
    mod = _fwd(m, lambda x: x.sin())
    mod.register_backward_hook(lambda *a: None)
    return mod(m.ones(2, requires_grad=True) * 2)


# -- type, to_empty, share_memory -------------------------------------------------------
def _lin(m):
    lin = m.nn.Linear(2, 1)
    with m.no_grad():
        lin.weight.copy_(m.tensor([[0.5, -1.5]]))
    lin.register_buffer("n", m.tensor([1, 2]))
    return lin


def _type(m, dst):
    lin = _lin(m)
    w = lin.weight
    dst = getattr(m, dst) if dst in ("float64", "int32") else dst
    back = lin.type(dst)
    return (
        back is lin,
        lin.weight is w,
        _dt(lin.weight),
        _dt(lin.n),
        isinstance(lin.weight, m.nn.Parameter),
        lin.weight.requires_grad,
        lin.weight,
    )


def _to_empty(m, **kw):
    lin = _lin(m)
    w = lin.weight
    back = lin.to_empty(**kw)
    return (
        back is lin,
        lin.weight is w,
        _dt(lin.weight),
        tuple(lin.weight.shape),
        str(lin.weight.device),
        _dt(lin.n),
        tuple(lin.n.shape),
        isinstance(lin.weight, m.nn.Parameter),
        lin.weight.requires_grad,
    )


def _to_empty_not_recursing(m):
    s = m.nn.Sequential(m.nn.Linear(2, 1))
    s.register_buffer("b", m.ones(2))
    b0, w0 = s.b, s[0].weight.detach().clone()
    s.to_empty(device="cpu", recurse=False)
    return s.b is b0, s[0].weight.tolist() == w0.tolist()


def _share_memory(m):
    lin = _lin(m)
    w, n = lin.weight, lin.n
    return lin.share_memory() is lin, lin.weight is w, lin.n is n, lin.weight


# -- training ---------------------------------------------------------------------------
def _param_named_training(m):
    net = m.nn.Module()
    net.training = m.nn.Parameter(m.ones(1))
    return net.training, list(net._parameters), "training" in net.__dict__, list(net.state_dict())


def _eval_over_param_named_training(m):
    net = m.nn.Module()
    net.training = m.nn.Parameter(m.ones(1))
    net.eval()


def _train_calls_each_childs_train(m):
    calls = []

    class Child(m.nn.Module):
        def train(self, mode=True):
            calls.append(mode)
            return super().train(mode)

    net = m.nn.Sequential(Child(), m.nn.Sequential(Child()))
    net.eval()
    net.train()
    return calls, [mod.training for mod in net.modules()]


VALUES = {
    # Buffer
    "buffer_flags": lambda m: _buffer_flags(m, m.nn.Buffer(m.ones(2))),
    "buffer_flags_not_persistent": lambda m: _buffer_flags(
        m, m.nn.Buffer(m.ones(2), persistent=False)
    ),
    "buffer_of_nothing": lambda m: _buffer_flags(m, m.nn.Buffer()),
    "buffer_keeps_requires_grad": lambda m: _buffer_flags(
        m, m.nn.Buffer(m.ones(2, requires_grad=True) * 2)
    ),
    "buffer_of_a_parameter": lambda m: _buffer_flags(m, m.nn.Buffer(m.nn.Parameter(m.ones(2)))),
    "buffer_of_ints": lambda m: _dt(m.nn.Buffer(m.tensor([1, 2]))),
    "plain_tensor_is_not_a_buffer": lambda m: isinstance(m.ones(2), m.nn.Buffer),
    "buffer_result_of_an_op_is_plain": lambda m: isinstance(
        m.nn.Buffer(m.ones(1)) * 2, m.nn.Buffer
    ),
    "assign_buffers": lambda m: _buffers(
        m, ("a", m.nn.Buffer(m.ones(2))), ("b", m.nn.Buffer(m.zeros(1), persistent=False))
    ),
    "assign_buffer_keeps_the_object": lambda m: _same_object(m),
    "assign_plain_tensor_keeps_non_persistent": lambda m: _plain_tensor_over_buffer(m, False),
    "assign_plain_tensor_keeps_persistent": lambda m: _plain_tensor_over_buffer(m, True),
    "assign_persistent_buffer_over_non_persistent": lambda m: _buffers(
        m, ("b", m.nn.Buffer(m.zeros(1), persistent=False)), ("b", m.nn.Buffer(m.ones(3)))
    ),
    "assign_none_to_buffer": lambda m: _buffers(m, ("b", m.nn.Buffer(m.zeros(1))), ("b", None)),
    "assign_parameter_over_buffer": lambda m: _buffers(
        m, ("b", m.nn.Buffer(m.zeros(1))), ("b", m.nn.Parameter(m.zeros(1)))
    ),
    "custom_register_buffer_persistent": lambda m: _custom_register_buffer(m, True),
    "state_dict_tensor_is_not_a_buffer": lambda m: _state_dict_flags(m),
    # extra state
    "extra_state_keys": lambda m: (
        list(_parent(m).state_dict()),
        _parent(m).state_dict()["e._extra_state"],
    ),
    "extra_state_in_sequential": lambda m: list(
        m.nn.Sequential(_extra(m), m.nn.ReLU()).state_dict()
    ),
    "extra_state_loaded": lambda m: _load_extra(m, add={"e._extra_state": {"k": 2}}),
    "extra_state_missing_not_strict": lambda m: _load_extra(
        m, drop=["e._extra_state"], strict=False
    ),
    "extra_state_unexpected_not_strict": lambda m: _load_extra(
        m, add={"e.lin._extra_state": 3}, strict=False
    ),
    "extra_state_only_get": lambda m: list(_extra(m, set=False).state_dict()),
    "extra_state_only_set_not_in_state_dict": lambda m: list(_extra(m, get=False).state_dict()),
    "extra_state_only_set_loads": lambda m: _load_extra(m, add={"e._extra_state": 7}, get=False),
    "extra_state_dotted_key_unexpected": lambda m: _load_extra(
        m, add={"e._extra_state": {"k": 5}, "e._extra_state.x": 1}, strict=False
    ),
    # state dict hooks
    "state_dict_hooks_order_and_arguments": _state_dict_hook_calls,
    "old_state_dict_hook_result_replaces_at_the_root": lambda m: _old_state_dict_hook(m, False),
    "old_state_dict_hook_result_of_a_child_is_dropped": lambda m: _old_state_dict_hook(m, True),
    "public_post_hook_mutates_in_place": _public_post_hook_mutates,
    "state_dict_hooks_removed": _removed_state_dict_hooks,
    "same_hook_old_then_public": _same_hook_old_then_public,
    "state_dict_positional_arguments": _positional_state_dict,
    "batchnorm_state_dict_version": lambda m: dict(m.nn.BatchNorm1d(1).state_dict()._metadata),
    # load hooks
    "load_hooks_order_and_arguments": lambda m: _load_hook_calls(m, False),
    "load_hooks_with_assign": lambda m: _load_hook_calls(m, True),
    "load_post_hook_clears_keys": lambda m: _post_hook_edits_keys(m, True),
    "load_pre_hook_fills_a_key": _pre_hook_fills_a_key,
    "private_load_pre_hook_with_module": _private_load_pre_hook,
    "load_post_hook_of_a_shared_child": _shared_child_post_hook,
    # deprecated backward hook
    "backward_hook_of_mul": lambda m: _backward_hook_calls(m, lambda x, y: x * y, 2),
    "backward_hook_replaces_grad_input": lambda m: _backward_hook_calls(
        m, lambda x: x.sin(), 1, replace=True
    ),
    "backward_hook_sees_the_last_node_only": lambda m: _backward_hook_calls(
        m, lambda x: (x * x).sin(), 1
    ),
    "backward_hook_removed": _removed_backward_hook,
    "backward_hook_with_full_pre_hook": _backward_hook_with_full_pre_hook,
    # type, to_empty, share_memory
    "type_float64": lambda m: _type(m, "float64"),
    "type_by_name": lambda m: _type(m, "torch.DoubleTensor"),
    "to_empty": lambda m: _to_empty(m, device="cpu"),
    "to_empty_device_none": lambda m: _to_empty(m, device=None),
    "to_empty_not_recursing": _to_empty_not_recursing,
    "share_memory": _share_memory,
    "sequential_with_keyword_input": lambda m: m.nn.Sequential(m.nn.ReLU())(input=m.ones(1)),
    # training
    "parameter_named_training": _param_named_training,
    "train_calls_each_childs_train": _train_calls_each_childs_train,
}


def _same_object(m):
    net = m.nn.Module()
    b = m.nn.Buffer(m.zeros(1))
    net.b = b
    return net.b is b, isinstance(net.b, m.nn.Buffer)


def _state_dict_flags(m):
    net = m.nn.Module()
    net.b = m.nn.Buffer(m.zeros(1))
    return (
        isinstance(net.state_dict()["b"], m.nn.Buffer),
        isinstance(net.state_dict(keep_vars=True)["b"], m.nn.Buffer),
    )


def _assign(m, *pairs):
    _buffers(m, *pairs)


ERRORS = {
    # Buffer
    "buffer_persistent_positional": lambda m: m.nn.Buffer(m.ones(2), False),
    "assign_int_to_buffer": lambda m: _assign(m, ("b", m.nn.Buffer(m.zeros(1))), ("b", 3)),
    "assign_str_to_registered_buffer": lambda m: _str_to_registered(m),
    "assign_buffer_over_parameter": lambda m: _assign(
        m, ("p", m.nn.Parameter(m.zeros(1))), ("p", m.nn.Buffer(m.zeros(1)))
    ),
    "assign_buffer_over_module": lambda m: _assign(
        m, ("c", m.nn.Linear(1, 1)), ("c", m.nn.Buffer(m.zeros(1)))
    ),
    "assign_buffer_over_attribute": lambda m: _assign(m, ("x", 5), ("x", m.nn.Buffer(m.zeros(1)))),
    "assign_buffer_before_init": lambda m: _before_init(m),
    "custom_register_buffer_non_persistent": lambda m: _custom_register_buffer(m, False),
    # extra state
    "base_get_extra_state": lambda m: m.nn.Module().get_extra_state(),
    "base_set_extra_state": lambda m: m.nn.Module().set_extra_state(1),
    "extra_state_missing_strict": lambda m: _load_extra(m, drop=["e._extra_state"]),
    "extra_state_unexpected_strict": lambda m: _load_extra(m, add={"e.lin._extra_state": 3}),
    "extra_state_only_get_loads": lambda m: _load_extra(m, set=False),
    "extra_state_only_set_missing": lambda m: _extra(m, get=False).load_state_dict({}),
    # hooks
    "public_post_hook_returns": lambda m: _returns_from_public_post_hook(m),
    "same_hook_public_then_old": _same_hook_public_then_old,
    "load_post_hook_adds_a_key_strict": lambda m: _post_hook_edits_keys(m, False),
    "load_post_hook_returns": _post_hook_returns,
    "load_pre_hook_adds_an_error": _pre_hook_adds_an_error,
    "full_then_deprecated_backward_hook": lambda m: _mixed(m, True),
    "deprecated_then_full_backward_hook": lambda m: _mixed(m, False),
    "mixed_backward_hooks_after_remove": lambda m: _mixed(m, False, remove_first=True),
    # type, to_empty, containers
    "type_int_on_parameters": lambda m: _type(m, "int32"),
    "type_unknown_name": lambda m: _type(m, "foo"),
    "to_empty_positional_device": lambda m: _lin(m).to_empty("cpu"),
    "to_empty_without_device": lambda m: _lin(m).to_empty(),
    "modulelist_called_with_keyword": lambda m: m.nn.ModuleList([m.nn.ReLU()])(x=m.ones(1)),
    "moduledict_called_with_keyword": lambda m: m.nn.ModuleDict({"a": m.nn.ReLU()})(x=m.ones(1)),
    "module_called_with_keyword": lambda m: m.nn.Module()(x=m.ones(1)),
    "modulelist_called": lambda m: m.nn.ModuleList([m.nn.ReLU()])(m.ones(1)),
    "sequential_called_with_unknown_keyword": lambda m: m.nn.Sequential(m.nn.ReLU())(
        m.ones(1), x=1
    ),
    # training
    "register_parameter_named_training": lambda m: m.nn.Module().register_parameter(
        "training", m.nn.Parameter(m.ones(1))
    ),
    "assign_buffer_named_training": lambda m: _assign(m, ("training", m.nn.Buffer(m.ones(1)))),
    "eval_over_parameter_named_training": _eval_over_param_named_training,
}


def _str_to_registered(m):
    net = m.nn.Module()
    net.register_buffer("b", m.zeros(1))
    net.b = "x"


def _before_init(m):
    class M(m.nn.Module):
        def __init__(self):
            self.b = m.nn.Buffer(m.ones(1))

    M()


def _returns_from_public_post_hook(m):
    p = _net(m)
    p.register_state_dict_post_hook(lambda mm, sd, prefix, md: {"x": 1})
    p.state_dict()


@pytest.mark.parametrize("fn", params(VALUES))
def test_value(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(ERRORS))
def test_error(fn):
    check_error(fn)


@pytest.mark.parametrize("fn", params(WARNS))
def test_warns_as_torch(fn):
    """No error, and the same warnings (category and text), as many times, as torch."""
    assert outcome(fn, torch)[0] is None
    assert outcome(fn, gs)[0] is None, outcome(fn, gs)[0]
    assert warnings_of(fn, gs) == warnings_of(fn, torch)


def test_state_dict_positional_arguments_warn_as_torch():
    def fn(m):
        _net(m).state_dict(None, "x.")

    got = warnings_of(fn, gs)
    assert got == warnings_of(fn, torch)
    assert got and got[0].startswith("FutureWarning: Positional args are being deprecated")


def test_a_copied_module_load_pre_hook_gets_the_copy():
    import copy

    import gradscope as gs

    seen = []
    net = gs.nn.Linear(1, 1)
    net.register_load_state_dict_pre_hook(lambda mm, *a: seen.append(mm))
    twin = copy.deepcopy(net)
    twin.load_state_dict(twin.state_dict())
    assert seen == [twin]


# -- the tensor methods Module.type and share_memory stand on ---------------------------
def _param(m):
    return m.nn.Parameter(m.ones(2))


def _set_data(p, value):
    p.data = value
    return p


TENSOR_VALUES = {
    "type_name": lambda m: m.ones(2).type("torch.DoubleTensor"),
    "type_name_same": lambda m: m.ones(2, dtype=m.int64).type("torch.LongTensor"),
    "type_name_default": lambda m: m.ones(2, dtype=m.int64).type("torch.Tensor"),
    "type_name_complex": lambda m: m.ones(2).type("torch.ComplexFloatTensor"),
    "type_name_keeps_grad": lambda m: (m.ones(2, requires_grad=True) * 2).type("torch.HalfTensor"),
    "share_memory_": lambda m: m.ones(3).share_memory_() * 1,
    "data_other_shape": lambda m: _set_data(_param(m), m.zeros(3)).detach(),
    "data_int_without_grad": lambda m: _set_data(m.ones(2), m.ones(2, dtype=m.int64)),
}
TENSOR_ERRORS = {
    "type_bare_name": lambda m: m.ones(2).type("FloatTensor"),
    "type_unknown": lambda m: m.ones(2).type("torch.FooTensor"),
    "data_int_with_grad": lambda m: _set_data(_param(m), m.ones(2, dtype=m.int64)),
    "data_not_a_tensor": lambda m: _set_data(_param(m), 5),
}


@pytest.mark.parametrize("fn", params(TENSOR_VALUES))
def test_tensor_method_values(fn):
    check_value(fn)


@pytest.mark.parametrize("fn", params(TENSOR_ERRORS))
def test_tensor_method_errors(fn):
    check_error(fn)


def test_type_returns_the_tensor_itself_when_it_already_is_that_type():
    for m in (torch, gs):
        t = m.ones(2, dtype=m.int64)
        assert t.type("torch.LongTensor") is t and t.type(m.int64) is t
        assert t.share_memory_() is t
