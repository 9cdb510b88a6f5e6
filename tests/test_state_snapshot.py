"""Snapshots at marks, seqs, before/after backward; and the fold's speed."""

import time

import pytest
from test_state_builder import relu_chain, square_sum

from gradscope.events.schema import Mark
from gradscope.state import SnapshotError, resolve, snapshot
from gradscope.state.retention import explain, point_index


def test_at_a_mark_includes_the_mark():
    ev = square_sum().events
    snap = snapshot(ev, "before backward")
    assert ev[snap.seq].kind == "mark" and ev[snap.seq].label == "before backward"
    assert snap.memory.live_bytes == 16
    assert snap.at == "before backward"


def test_before_is_just_before_the_first_backward():
    ev = square_sum().events
    snap = snapshot(ev, "before")
    assert ev[snap.seq + 1].kind == "backward_started"
    assert not snap.graph.backwards


def test_after_includes_the_last_backward_finished():
    ev = square_sum().events
    snap = snapshot(ev, "after")
    assert ev[snap.seq].kind == "backward_finished"
    assert snap.graph.backwards[0].end_seq == snap.seq


def test_at_a_seq_as_int_or_digits_and_at_the_end():
    ev = square_sum().events
    assert snapshot(ev, 5).seq == 5
    assert snapshot(ev, "5").seq == 5
    assert snapshot(ev).seq == ev[-1].seq
    assert snapshot(ev, "end").seq == ev[-1].seq
    assert snapshot([], None).seq is None


def test_a_mark_label_of_digits_wins_over_the_seq():
    ev = square_sum()
    ev.mark("3")
    assert snapshot(ev.events, "3").seq == len(ev.events) - 1


def test_seqs_that_are_not_indexes():
    ev = square_sum().events
    shifted = [e._replace(seq=e.seq * 2 + 100) for e in ev]
    assert resolve(shifted, 110) == 6
    assert resolve(shifted, 111) == 6
    assert snapshot(shifted, 110).seq == 110


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("nope", "no mark 'nope' in this trace (marks: 'before backward', 'after backward'"),
        (999, "seq 999 is out of range (0..20)"),
        (-1, "out of range"),
        (True, "cannot take a snapshot"),
        (1.5, "cannot take a snapshot"),
    ],
)
def test_unknown_points_are_one_line_errors(at, message):
    with pytest.raises(SnapshotError, match=None) as info:
        snapshot(square_sum().events, at)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_before_and_after_need_a_backward():
    ev = square_sum().events[:8]
    with pytest.raises(SnapshotError, match="no backward"):
        snapshot(ev, "before")
    with pytest.raises(SnapshotError, match="no finished backward"):
        snapshot(ev, "after")


def test_a_20000_node_trace_folds_in_linear_time():
    # A guard against a fold gone quadratic (minutes here), not a measure of its speed
    # (bench/ measures that): the bound leaves room for a loaded shared machine.
    ev = relu_chain(20_000, numel=2).events
    assert len(ev) > 120_000
    t = time.perf_counter()
    snap = snapshot(ev, "before")
    took = time.perf_counter() - t
    assert len(snap.graph.nodes) == 20_002
    assert took < 10, f"folding took {took:.2f} s"


# -- a mark labelled like a keyword -------------------------------------------------


def _marked(label, index, ev=None):
    """square_sum's events (or ``ev``) with a mark ``label`` inserted at ``index``."""
    ev = square_sum().events if ev is None else ev
    mark = Mark(0, 0.0, None, ev[index - 1].live_bytes, label, None)
    return [e._replace(seq=i) for i, e in enumerate([*ev[:index], mark, *ev[index:]])]


@pytest.mark.parametrize("label", ["before", "after", "end", "peak", "start"])
def test_a_mark_labelled_like_a_keyword_wins_over_the_keyword(label):
    ev = _marked(label, 3)
    assert ev[3].kind == "mark"
    assert snapshot(ev, label).seq == 3
    assert point_index(ev, label) == 4


@pytest.mark.parametrize(
    ("label", "n"), [("before", 10), ("after", 21), ("end", 22), ("peak", 16), ("start", 0)]
)
def test_keywords_work_when_no_mark_has_their_name(label, n):
    ev = _marked("something else", 3)
    assert point_index(ev, label) == n
    if label in ("before", "after", "end"):
        assert resolve(ev, label) == n
    assert ev[10].kind == "backward_started" and ev[20].kind == "backward_finished"
    assert ev[15].live_bytes == max(e.live_bytes for e in ev)


def test_the_default_points_of_why_are_not_taken_by_marks():
    """``explain`` without ``at`` means the peak (or a buffer's last live moment), even
    when marks are labelled "peak", "start" and "end"."""
    plain = square_sum().events
    ev = _marked("start", 2, _marked("end", 2, _marked("peak", 2)))
    answer = explain(ev)
    assert answer.at == "peak" and answer.seq == explain(plain).seq + 3
    assert ev[answer.seq].live_bytes == max(e.live_bytes for e in ev)
    x = ev[0].buffer  # x is never freed: live at the end
    answer = explain(ev, buffer=x)
    assert answer.at == "end" and answer.seq == ev[-1].seq


def test_a_live_traces_snapshot_at_a_mark_named_after():
    import gradscope as gs

    x = gs.ones(4, requires_grad=True)
    with gs.trace() as tr:
        y = (x * 2).sum()
        gs.mark("after")  # before backward, on purpose
        y.backward()
    snap = tr.snapshot("after")
    assert tr.events[snap.seq].kind == "mark" and not snap.graph.backwards
    assert tr.snapshot("end").seq == tr.events[-1].seq
