"""Leak and retention checks on hand-built events, and the memory diff."""

from test_state_builder import Events, relu_chain, retained, square_sum
from test_state_retention import accumulated, ref

from gradscope.state import fold_graph, fold_memory, snapshot
from gradscope.state.diff import diff_states
from gradscope.state.leaks import check, held_after_backward, saved_peak, series


def by_check(findings):
    return {f.check: f for f in findings}


def test_clean_traces_have_no_findings():
    assert check(square_sum().events) == []
    assert check(relu_chain(4, numel=10).events) == []
    ev, holders = accumulated(4, item=True)
    assert check(ev.events, None, holders) == []


def test_a_loss_accumulated_across_iterations():
    ev, holders = accumulated(4)
    f = by_check(check(ev.events, None, holders))
    acc = f["loss_accumulated"]
    assert (acc.node, acc.op, acc.site) == (43, "AddBackward0", "acc.py:6")
    assert acc.bytes == 4 * 400 + 4  # four relu results and the total
    assert "total sums 4 losses" in acc.title
    grow = f["growth"]
    assert (grow.op, grow.site) == ("ReluBackward0", "acc.py:5")
    assert grow.bytes == 2 * 400 + 4  # iterations 3 and 4 keep their result, and the new total
    assert "grow by 400 B per iteration (mark 'step #', 4 iterations)" in grow.title


def test_growth_without_names_and_the_series_it_reads():
    ev, _ = accumulated(4)
    assert series(ev.events) == [("mark 'step #'", [e.seq for e in ev.events if e.kind == "mark"])]
    f = by_check(check(ev.events))
    assert set(f) == {"growth"}  # without names, nobody is known to hold the sum
    assert f["growth"].bytes == 2 * 400 + 4


def test_retain_graph_never_used_again():
    ev = retained(False)
    holders = [{"seq": 11, "at": "backward", "site": "r.py:5", "refs": []}]
    (f,) = check(ev.events, None, holders)
    assert (f.check, f.node, f.op, f.site, f.bytes) == (
        "retain_graph_unused",
        3,
        "SumBackward0",
        "r.py:5",
        40,
    )
    assert "40 B still held at the end" in f.details[0]
    assert check(retained(True).events) == []
    assert held_after_backward(ev.events) == [
        {"node": 2, "op": "ExpBackward0", "stack": "r.py:3", "bytes": 40}
    ]
    assert held_after_backward(retained(True).events) == []


def graphs(refs, backward=False):
    """Two tanh graphs over a leaf w, optionally each backwarded; a probe at the end."""
    ev = Events()
    ev.alloc(1, 1, 40, (10,), role="leaf", name="w")
    ev.node(1, "AccumulateGrad", (), 1, (10,), stack=None)
    for k in (2, 3):
        ev.alloc(k, k, 40, (10,), node=k)
        ev.node(k, "TanhBackward0", (1,), k, (10,), stack="o.py:5")
        ev.save(k, k, k, "result", 40, (10,))
        if backward:
            ev.bw_start(k, gradient=True).run(k).graph_freed(k, 0).run(1).bw_end(k)
    ev.mark("end")
    return ev, [{"seq": ev.events[-1].seq, "at": "mark", "refs": refs}]


def test_outputs_kept_in_a_list():
    ev, holders = graphs(
        [ref(2, "outs[0]", node=2, via="item"), ref(3, "outs[1]", node=3, via="item")]
    )
    (f,) = check(ev.events, None, holders)
    assert (f.check, f.op, f.site, f.bytes) == ("outputs_in_list", "TanhBackward0", "o.py:5", 80)
    assert "outs keeps 2 outputs with their graphs (no backward uses them)" == f.title


def test_hooks_capturing_graph_tensors():
    ev, holders = graphs([ref(2, "h in hook f on w", node=2, via="hook", site="o.py:7"),
                          ref(3, "h in hook f on w", node=3, via="hook", site="o.py:7")])  # fmt: skip
    (f,) = check(ev.events, None, holders)
    assert (f.check, f.site, f.bytes) == ("hook_capture", "o.py:7", 80)
    assert "2 hook closures on w keep h with their graphs" == f.title


def test_graphs_of_several_backward_calls_kept_by_variables():
    ev, holders = graphs([ref(2, "a", node=2), ref(3, "b", node=3)], backward=True)
    (f,) = check(ev.events, None, holders)
    assert f.check == "graph_kept" and "a, b keep the graphs of 2 backward calls" == f.title
    assert f.bytes == 80  # the two outputs (backward freed their saves, but they are held)
    ev, holders = graphs([ref(3, "b", node=3)], backward=True)
    assert check(ev.events, None, holders) == []  # one graph after its backward is normal


def test_saved_peak_counts_each_buffer_once():
    ev = relu_chain(5, numel=10)
    assert saved_peak(ev.events) == (200, 16)
    assert saved_peak(square_sum().events)[0] == 12
    assert saved_peak([]) == (0, None)


def test_diff_between_two_marks():
    ev = square_sum()
    a, b = snapshot(ev.events, "before backward"), snapshot(ev.events, "after backward")
    d = diff_states(a.graph, a.memory, b.graph, b.memory, same_trace=True)
    assert (d["live_a_bytes"], d["live_b_bytes"], d["change_bytes"]) == (16, 28, 12)
    roles = {r["role"]: r for r in d["by_role"]}
    assert roles["grad"]["added_bytes"] == 12 and roles["grad"]["added_count"] == 1
    assert roles["saved"]["freed_bytes"] == 12 and roles["leaf"]["added_bytes"] == 12  # x moved
    rows = {(r["role"], r["op"]): r for r in d["by_node"]}
    assert rows[("grad", ".grad of x")]["added_bytes"] == 12
    assert rows[("saved", "leaf x")]["freed_bytes"] == 12


def test_diff_between_two_traces_groups_by_op_and_line():
    a_ev, b_ev = relu_chain(3, numel=10).events, relu_chain(5, numel=10).events
    a, b = snapshot(a_ev, "before backward"), snapshot(b_ev, "before backward")
    d = diff_states(a.graph, a.memory, b.graph, b.memory, same_trace=False)
    (row,) = [r for r in d["by_node"] if r["op"] == "ReluBackward0"]
    assert (row["site"], row["added_count"], row["added_bytes"], row["freed_bytes"]) == (
        "chain.py:6",
        2,
        80,
        0,
    )
    assert d["change_bytes"] == 80
    same = diff_states(
        fold_graph(a_ev), fold_memory(a_ev), fold_graph(a_ev), fold_memory(a_ev), same_trace=False
    )
    assert same["by_node"] == [] and same["change_bytes"] == 0


def test_create_graph_retains_by_default_and_the_fix_says_so():
    import gradscope as gs

    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with gs.trace() as tr:
        y = (x**3).sum()
        (g,) = gs.autograd.grad(y, x, create_graph=True)  # x**3's saves: kept, never used
        gs.autograd.grad(g.sum(), x)
        del y, g
    (f,) = [f for f in check(tr.events) if f.check == "retain_graph_unused"]
    assert "with create_graph=True (which retains the graph)" in f.title
    assert f.fix.startswith("pass retain_graph=False with create_graph=True")
    assert f.bytes == 12  # PowBackward0's saved x
    with gs.trace() as tr:
        y = (x**3).sum()
        (g,) = gs.autograd.grad(y, x, create_graph=True, retain_graph=False)
        gs.autograd.grad(g.sum(), x)
        del y, g
    assert [f for f in check(tr.events) if f.check == "retain_graph_unused"] == []


def _growth_numbers(f):
    """The per-iteration figure of a growth title, the live series and the listed bytes."""
    import re

    per = int(re.search(r"grow by ([\d,]+) B per iteration", f.title)[1].replace(",", ""))
    live = [int(v.replace(",", "")) for v in f.details[0].split(": ")[1].split(", ")]
    listed = [
        int(m.replace(",", "")) for d in f.details[1:] for m in re.findall(r"\(([\d,]+) B\)", d)
    ]
    return per, live, listed


def test_growth_per_iteration_is_the_growth_of_the_live_bytes_it_prints():
    ev, holders = accumulated(5)
    grow = by_check(check(ev.events, None, holders))["growth"]
    per, live, listed = _growth_numbers(grow)
    assert "all of them" in grow.details[0]  # absolute figures, not relative to a baseline
    steps = [b - a for a, b in zip(live[1:], live[2:])]  # the first iteration is set-up
    assert steps == [400, 400, 400] and per == 400  # a new total replaces the old: net 0
    assert sum(listed) == grow.bytes == 3 * 400 + 4


def test_growth_lists_its_bytes_in_full_or_says_how_much_more():
    ev = Events()
    for k in range(1, 5):  # five ops at five lines, each keeping an activation every step
        for j in range(5):
            b = 10 * k + j
            ev.alloc(b, b, 100 - 10 * j, (25 - 2 * j,), node=b)
            ev.node(b, "ExpBackward0" if j % 2 else "TanhBackward0", (), b, (25 - 2 * j,),
                    stack=f"g.py:{j + 1}")  # fmt: skip
        ev.mark(f"step {k}")
    (grow,) = check(ev.events)
    per, live, listed = _growth_numbers(grow)
    assert per == live[-1] - live[-2] == 400
    assert grow.bytes == 2 * 400 and sum(listed) == grow.bytes  # what steps 3 and 4 keep
    assert (
        grow.details[-1] == "and 4 more new buffers still alive (260 B) from 2 other ops or lines"
    )
