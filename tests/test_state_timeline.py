"""The memory timeline fold, on hand-built events and on a real trace."""

import pytest
from test_state_builder import Events, relu_chain, square_sum

import gradscope as gs
from gradscope.state import fold_memory
from gradscope.state.timeline import ROWS, fold_timeline, grad_name


def _by_seq(events):
    return {e.seq: e for e in events}


def test_rows_add_up_to_the_recorded_live_bytes_at_every_change():
    ev = square_sum().events
    tl = fold_timeline(ev)
    seqs = _by_seq(ev)
    assert tl.points, "a trace with allocations has points"
    for p in tl.points:
        assert p.total == seqs[p.seq].live_bytes
    # consecutive points differ: only changes are kept
    assert all(a.rows != b.rows for a, b in zip(tl.points, tl.points[1:]))


def test_x_moves_from_leaf_to_saved_and_back():
    ev = square_sum().events
    tl = fold_timeline(ev)
    saved_at = [p.seq for p in tl.points if p.row("saved") == 12]
    # saved from PowBackward0's tensor_saved (seq 4) until its graph_freed (seq 16)
    assert saved_at[0] == 4 and tl.point_at(15).row("saved") == 12
    assert tl.point_at(16).row("saved") == 0 and tl.point_at(16).row("leaf") == 12


def test_peak_and_its_holders_name_op_and_line():
    ev = relu_chain(4, numel=10).events
    tl = fold_timeline(ev)
    led = fold_memory(ev)
    assert (tl.peak_bytes, tl.peak_seq) == (led.peak_bytes, led.peak_seq)
    assert tl.peak_rows == tl.point_at(tl.peak_seq).rows
    ops = [h.op for h in tl.holders]
    assert "ReluBackward0" in ops
    relu = next(h for h in tl.holders if h.op == "ReluBackward0")
    assert relu.row == "saved" and relu.stack == "chain.py:6" and relu.saved_by == (relu.node,)
    assert [h.nbytes for h in tl.holders] == sorted((h.nbytes for h in tl.holders), reverse=True)


def test_spans_marks_and_node_table():
    ev = square_sum().events
    tl = fold_timeline(ev)
    assert [(s.index, s.start_seq, s.end_seq, s.op) for s in tl.spans] == [
        (1, 9, 19, "SumBackward0")
    ]
    assert [(m.seq, m.label) for m in tl.marks] == [(8, "before backward"), (20, "after backward")]
    assert tl.nodes[2][:2] == ("PowBackward0", "sq.py:4")
    assert (tl.first_seq, tl.last_seq, tl.events) == (0, len(ev) - 1, len(ev))


def test_sampling_keeps_the_peak_and_bounds_the_points():
    ev = relu_chain(60, numel=10).events
    full = fold_timeline(ev, max_points=None)
    few = fold_timeline(ev, max_points=20)
    assert len(few.points) <= 22 < len(full.points)
    assert few.peak_seq == full.peak_seq
    assert max(p.total for p in few.points) == full.peak_bytes
    assert few.point_at(few.peak_seq).seq == few.peak_seq


def test_bands_follow_the_largest_buffers_row_by_row():
    ev = square_sum().events
    tl = fold_timeline(ev, bands=2)
    assert [b.buffer for b in tl.bands] == [1, 2]  # 12 B each, the earliest two
    x = tl.bands[0]
    assert (x.name, x.node, x.op) == ("x", 2, "PowBackward0")  # saved by PowBackward0
    assert len(x.rows) == len(tl.points)
    assert "saved" in x.rows and x.rows[0] == "leaf"
    y = tl.bands[1]
    assert y.rows[0] is None and "activation" in y.rows  # allocated after the first point


def test_baseline_row_and_a_buffer_freed_from_before_the_trace():
    ev = Events(baseline={"cpu": 100})
    ev.alloc(1, 1, 8, (2,), role="leaf")
    ev.free(99, nbytes=40, device="cpu")  # predates the trace
    tl = fold_timeline(ev.events, baseline={"cpu": 100})
    assert ROWS[0] == "baseline"
    assert tl.points[0].rows[0] == 100 and tl.points[-1].rows[0] == 60
    assert tl.points[-1].total == ev.events[-1].live_bytes == 68


def test_grad_names():
    assert grad_name("3.grad", {3: "w"}) == "w.grad"
    assert grad_name("3.grad", {}) == "3.grad"
    assert grad_name("x", {3: "w"}) == "x"


def test_empty_trace():
    tl = fold_timeline([])
    assert tl.points == [] and tl.peak_seq is None and tl.holders == []


def test_real_trace(tmp_path):
    with gs.trace() as tr:
        w = gs.randn(64, requires_grad=True)
        h = (w * 2).relu()
        loss = h.sum()
        gs.mark("before backward")
        loss.backward()
    tl = fold_timeline(tr.events, tr.header["baseline_bytes"], bands=8)
    base = sum(tr.header["baseline_bytes"].values())
    assert tl.peak_bytes == tr.peak_bytes
    assert tl.points[-1].total == tr.live_bytes
    before = tl.point_at(next(m.seq for m in tl.marks))
    assert before.row("saved") > 0 and before.row("grad") == 0
    assert tl.end_rows[ROWS.index("grad")] == 256 and tl.end_rows[0] == base
    assert any(b.name == "w.grad" for b in tl.bands)
    tr.save(str(tmp_path / "t.gstrace"))
    again = gs.load_trace(str(tmp_path / "t.gstrace"))
    tl2 = fold_timeline(again.events, again.header["baseline_bytes"], bands=8)
    assert [p.rows for p in tl2.points] == [p.rows for p in tl.points]
    assert tl2.holders == tl.holders


@pytest.mark.parametrize("n", [1, 3])
def test_each_row_is_never_negative(n):
    tl = fold_timeline(relu_chain(n, numel=5).events, max_points=None)
    assert all(b >= 0 for p in tl.points for b in p.rows)
