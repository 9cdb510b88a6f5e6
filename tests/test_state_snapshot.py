"""Snapshots at marks, seqs, before/after backward; and the fold's speed."""

import time

import pytest
from test_state_builder import relu_chain, square_sum

from gradscope.state import SnapshotError, resolve, snapshot


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


def test_a_20000_node_trace_folds_well_under_a_second():
    ev = relu_chain(20_000, numel=2).events
    assert len(ev) > 120_000
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        snap = snapshot(ev, "before")
        best = min(best, time.perf_counter() - t)
    assert len(snap.graph.nodes) == 20_002
    assert best < 1.0, f"folding took {best:.2f} s"
