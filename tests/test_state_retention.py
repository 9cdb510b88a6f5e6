"""Why a buffer is alive, on hand-built events and probe records."""

import pytest
from test_state_builder import Events, relu_chain, retained, square_sum

from gradscope.state import fold_memory
from gradscope.state.holders import Holders
from gradscope.state.retention import PATTERNS, Retention, explain, point_index


def ref(tensor, name, node=None, buffer=None, via="variable", scope="main", site="acc.py:9"):
    return {"tensor": tensor, "buffer": tensor if buffer is None else buffer, "node": node,
            "name": name, "site": site, "scope": scope, "via": via}  # fmt: skip


def accumulated(steps=3, item=False):
    """``total = total + relu(x).sum()`` ``steps`` times (``.item()`` when ``item``), a mark
    after each; returns the events and the probe records at the marks."""
    ev = Events()
    ev.alloc(1, 1, 400, (100,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (100,), stack=None)
    holders, prev = [], None
    for k in range(1, steps + 1):
        b = 10 * k
        ev.alloc(b + 1, b + 1, 400, (100,), node=b + 1)
        ev.node(b + 1, "ReluBackward0", (1,), b + 1, (100,), stack="acc.py:5")
        ev.save(b + 1, b + 1, b + 1, "result", 400, (100,))
        ev.alloc(b + 2, b + 2, 4, (), node=b + 2)
        ev.node(b + 2, "SumBackward0", (b + 1,), b + 2, (), stack="acc.py:5")
        if item:  # the loss and its graph go at once
            ev.free(b + 2)
            ev.free(b + 1)
        else:
            ev.alloc(b + 3, b + 3, 4, (), node=b + 3)
            ev.node(b + 3, "AddBackward0", (prev, b + 2), b + 3, (), stack="acc.py:6")
            ev.free(b + 2)
            if prev is not None:
                ev.free(prev)
            prev = b + 3
        ev.mark(f"step {k}")
        refs = [ref(1, "x")] + ([ref(prev, "total", node=prev)] if prev else [])
        holders.append({"seq": ev.events[-1].seq, "at": "mark", "site": "acc.py:9", "refs": refs})
    return ev, holders


def test_holders_parse_and_look_up_by_tensor_buffer_and_node():
    ev, holders = accumulated()
    h = Holders(holders + [{"seq": "bad"}, {"seq": 99, "refs": [{"name": "no tensor"}]}])
    assert len(h.probes) == 4
    last = ev.events[-1].seq
    assert [r.name for r in h.for_tensor(33, last)] == ["total"]
    assert [r.name for r in h.for_buffer(1, last)] == ["x"]
    assert h.for_node(23, 0) == []  # the first probe after seq 0 does not name it
    assert [r.name for r in h.for_node(23, 0, born=12)] == []  # nor does the one before it
    assert [r.name for r in h.for_node(13, 0, born=2)] == ["total"]  # made, then seen
    assert h.for_node(13, last) == []  # by the end, `total` names another tensor
    assert h.at_or_before(last).seq == last and h.at(last, "mark") is not None
    assert Holders(None).probes == [] and not Holders([])


def test_the_namer_keeps_a_tensors_own_name_while_it_holds_it():
    """What a graph picture calls a tensor: its own (allocation) name while a name that
    holds it is that one or nothing named holds it; else the first name holding it then;
    a hook's capture is no name for a picture."""
    probe = {"seq": 5, "at": "mark", "site": "m.py:3", "refs": [
        ref(1, "x"), ref(1, "alias"), ref(2, "model.0.weight", via="attribute"),
        ref(3, "h in hook f on x", via="hook"),
    ]}  # fmt: skip
    name = Holders([probe]).namer(7)
    assert name(1, "x") == "x" and name(1, None) == "x"
    assert name(2, "Linear.weight") == "model.0.weight"
    assert name(3, None) is None and name(3, "h") == "h"
    assert name(4, "t") == "t" and name(None, "t") == "t"
    assert Holders(None).namer(7)(2, "Linear.weight") == "Linear.weight"


def test_a_saved_buffer_is_held_by_the_accumulated_total():
    ev, holders = accumulated()
    ans = explain(ev.events, None, holders, buffer=11)
    (b,) = ans.buffers
    assert (b.buffer, b.category, b.made_op) == (11, "saved", "ReluBackward0")
    (r,) = b.reasons
    assert (r.kind, r.node, r.slots, r.pattern) == ("saved", 11, ["result"], "loss_accumulated")
    assert [s["node"] for s in r.path] == [11, 12, 13, 23, 33]
    assert r.root == 33 and [x.name for x in r.refs] == ["total"]
    text = str(ans)
    assert "held by total" in text and "-> tensor #33, grad_fn AddBackward0 #33 (acc.py:6)" in text
    assert PATTERNS["loss_accumulated"] in text
    d = ans.as_dict()
    assert d["buffers"][0]["reasons"][0]["refs"][0]["name"] == "total"
    assert d["buffers"][0]["pattern"] == "loss_accumulated"


def test_without_names_the_chain_ends_at_a_live_output():
    ev, _ = accumulated()
    (b,) = explain(ev.events, buffer=21).buffers
    r = b.reasons[0]
    assert r.refs == [] and r.root == 33 and r.root_tensor == 33
    assert r.pattern == "loss_accumulated"  # marks separate the adds: a loop
    assert "held by tensor #33 (no variable name recorded)" in "\n".join(b.lines())


def test_a_variable_holds_a_leaf_and_a_grad_holds_its_buffer():
    ev = square_sum()
    holders = [{"seq": ev.events[-1].seq, "at": "end", "refs": [ref(1, "x")]}]
    ans = explain(ev.events, None, holders, top=3, at="end")
    by_id = {b.buffer: b for b in ans.buffers}
    assert by_id[1].reasons[0].kind == "variable" and by_id[1].reasons[0].refs[0].name == "x"
    g = by_id[5].reasons[0]
    assert g.kind == "grad" and g.grad_of == 1 and g.refs[0].name == "x"
    assert by_id[3].reasons[0].kind == "unknown"  # the loss: no name was recorded


def test_patterns_retain_graph_unused_and_reused():
    ev = relu_chain(2, numel=10)  # backward without retain: nothing is saved at the end
    assert all(b.category != "saved" for b in explain(ev.events, top=10, at="end").buffers)
    ev = retained(False)
    ev.mark("between")
    ret = Retention(ev.events, len(ev.events))
    assert ret.why(2).reasons[0].pattern == "retain_graph_unused"
    ev.bw_start(3).run(3).run(2).graph_freed(2, 0).run(1).bw_end(3)
    n = point_index(ev.events, "between")
    assert Retention(ev.events, n).why(2).reasons[0].pattern == "retain_graph_reused"


def test_outputs_in_a_list_and_hook_closures_are_named():
    ev = Events()
    ev.alloc(1, 1, 40, (10,), role="leaf", name="w")
    ev.node(1, "AccumulateGrad", (), 1, (10,), stack=None)
    for k in (2, 3):
        ev.alloc(k, k, 40, (10,), node=k)
        ev.node(k, "TanhBackward0", (1,), k, (10,), stack="o.py:5")
        ev.save(k, k, k, "result", 40, (10,))
    end = ev.events[-1].seq
    holders = [{"seq": end, "at": "end", "refs": [
        ref(2, "outs[0]", node=2, via="item"),
        ref(3, "h in hook <lambda> on w", node=3, via="hook", site="o.py:7")]}]  # fmt: skip
    ret = Retention(ev.events, len(ev.events), holders=holders)
    assert ret.why(2).pattern == "outputs_in_list"
    assert ret.why(3).pattern == "hook_closure"
    assert "an item of outs" in "\n".join(ret.why(2).lines())


def test_a_graph_that_nothing_references_is_released():
    ev = Events()
    ev.alloc(1, 1, 40, (10,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (10,), stack=None)
    ev.alloc(2, 2, 40, (10,), node=2)
    ev.node(2, "PowBackward0", (1,), 2, (10,), stack="p.py:3")
    ev.save(2, 1, 1, "self", 40, (10,))
    ev.free(2)  # y = x**2 dropped without backward: the node died, x lives on
    (b,) = explain(ev.events, buffer=1).buffers
    assert b.reasons[0].released
    assert "no longer seems referenced" in "\n".join(b.lines())


def test_default_points_and_errors():
    ev, holders = accumulated()
    assert explain(ev.events, None, holders).seq == fold_memory(ev.events).peak_seq
    freed = next(e.seq for e in ev.events if e.kind == "tensor_freed" and e.buffer == 12)
    assert explain(ev.events, buffer=12).seq == freed - 1  # the last moment it was live
    with pytest.raises(ValueError, match="buffer 12 is not live at the end"):
        explain(ev.events, buffer=12, at="end")
    with pytest.raises(ValueError, match="no buffer 999"):
        explain(ev.events, buffer=999, at="end")
    with pytest.raises(ValueError, match="no mark 'nope'"):
        explain(ev.events, at="nope")
    assert point_index(ev.events, "start") == 0
    assert str(explain([], None)).endswith("no live buffers")


def test_a_buffer_the_user_holds_is_not_tagged_with_the_pattern_of_a_graph_that_saved_it():
    ev = Events()
    ev.alloc(1, 1, 40, (10,), role="leaf", name="w")
    ev.node(1, "AccumulateGrad", (), 1, (10,), stack=None)
    ev.alloc(2, 2, 40, (10,), node=2)
    ev.node(2, "MulBackward0", (1,), 2, (10,), stack="w.py:3")
    ev.save(2, 1, 1, "other", 40, (10,))
    ev.alloc(3, 3, 4, (), node=3)
    ev.node(3, "SumBackward0", (2,), 3, (), stack="w.py:4")
    ev.bw_start(3, retain_graph=True).run(3).run(2).run(1).bw_end(3)
    ev.mark("end")
    end = ev.events[-1].seq
    holders = [{"seq": end, "at": "mark", "refs": [ref(1, "w"), ref(3, "loss", node=3)]}]
    b = Retention(ev.events, len(ev.events), holders=holders).why(1)
    saved = next(r for r in b.reasons if r.kind == "saved")
    assert saved.pattern == "retain_graph_unused"  # the chain itself still matches
    assert b.pattern is None and b.as_dict()["pattern"] is None  # but w keeps the buffer
    text = "\n".join(b.lines())
    assert (
        "pattern: retain_graph=True graph never used again (not why this buffer is alive: w holds it)"
        in text
    )
    # a saved buffer nobody holds directly keeps its pattern
    ret = Retention(retained(False).events, len(retained(False).events))
    assert ret.why(2).pattern == "retain_graph_unused"
    assert "(not why" not in "\n".join(ret.why(2).lines())
