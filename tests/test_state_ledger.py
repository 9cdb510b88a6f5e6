"""The memory fold, on hand-built event lists."""

from test_state_builder import Events, relu_chain, square_sum

from gradscope.state import fold_memory, snapshot


def _roles(led):
    return {role: (t.count, t.bytes) for role, t in led.by_role().items()}


def test_square_sum_before_and_after_backward():
    ev = square_sum()
    before = snapshot(ev.events, "before").memory
    after = snapshot(ev.events, "after").memory
    # x is saved by PowBackward0, so it counts as saved for backward until that node frees
    assert _roles(before) == {
        "leaf": (0, 0),
        "activation": (1, 4),
        "saved": (1, 12),
        "grad": (0, 0),
        "other": (0, 0),
    }
    assert _roles(after) == {
        "leaf": (1, 12),
        "activation": (1, 4),
        "saved": (0, 0),
        "grad": (1, 12),
        "other": (0, 0),
    }
    assert after.live_bytes == 28 == ev.events[-1].live_bytes
    assert after.mismatch_seq is None


def test_peak_and_its_seq_and_the_timeline():
    ev = square_sum()
    led = fold_memory(ev.events)
    assert led.peak_bytes == max(e.live_bytes for e in ev.events) == 40
    assert ev.events[led.peak_seq].live_bytes == 40
    assert led.timeline[0] == (0, 12)
    assert all(b == ev.events[s].live_bytes for s, b in led.timeline)


def test_a_buffer_saved_twice_and_by_two_nodes_counts_once():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.node(1, "AccumulateGrad", (), 1, (3,))
    ev.alloc(2, 2, 12, (3,), node=2)
    ev.node(2, "MulBackward0", (1, 1), 2, (3,))
    ev.save(2, 1, 1, "self", 12, (3,))
    ev.save(2, 1, 1, "other", 12, (3,))
    ev.node(3, "ExpBackward0", (2,), 3, (3,))
    ev.alloc(3, 3, 12, (3,), node=3)
    ev.save(3, 1, 1, "self", 12, (3,))  # a third holder of the same buffer
    led = fold_memory(ev.events)
    assert led.by_role()["saved"] == (1, 12)
    assert led.buffers[1].saved_by == {2, 3}
    ev.graph_freed(2)
    led = fold_memory(ev.events)
    assert led.by_role()["saved"] == (1, 12)  # node 3 still holds it
    ev.graph_freed(3)
    led = fold_memory(ev.events)
    assert led.by_role()["saved"] == (0, 0)
    assert led.by_role()["leaf"] == (1, 12)


def test_a_buffer_made_to_be_saved_adds_its_bytes():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.save(2, 7, None, "other", 8, (), new=True, dtype="int64")  # a wrapped scalar
    led = fold_memory(ev.events)
    assert led.live_bytes == 20 == ev.events[-1].live_bytes
    assert led.by_role()["saved"] == (1, 8)


def test_freeing_a_buffer_from_before_the_trace_leaves_the_baseline():
    ev = Events(baseline={"cpu": 100})
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.free(50, nbytes=40)
    led = fold_memory(ev.events, {"cpu": 100})
    assert led.live_bytes == 72 == ev.events[-1].live_bytes
    assert led.by_role()["baseline"] == (0, 60)
    assert led.live_by_device == {"cpu": 72}
    assert led.peak_bytes == 112 and led.peak_seq == 0


def test_no_baseline_row_without_baseline_bytes():
    assert "baseline" not in fold_memory(square_sum().events).by_role()


def test_live_and_peak_per_device():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.alloc(2, 2, 400, (100,), role="leaf", device="cuda:0")
    ev.free(2)
    led = fold_memory(ev.events)
    assert led.live_by_device == {"cpu": 12, "cuda:0": 0}
    assert led.peak_by_device == {"cpu": 12, "cuda:0": 400}
    assert led.devices == ["cpu", "cuda:0"]
    assert led.by_role("cuda:0")["leaf"] == (0, 0)
    assert led.by_role("cpu")["leaf"] == (1, 12)


def test_backward_spans():
    led = fold_memory(relu_chain(10, numel=10).events)
    (span,) = led.backwards
    assert span.index == 1 and span.root == 12
    assert span.live_before == 40 + 10 * 40 + 4
    assert span.saved_before == 10 * 40
    assert span.freed_bytes == 9 * 40
    assert span.grad_bytes == 40
    assert span.live_after == 3 * 40 + 4
    assert span.nodes_run == 12
    assert span.end_seq is not None


def test_an_unfinished_backward_stays_open():
    ev = square_sum()
    ev.bw_start(3)
    led = fold_memory(ev.events)
    assert led.backwards[-1].end_seq is None


def test_mismatch_with_recorded_live_bytes_is_noticed():
    ev = square_sum()
    e = ev.events[3]
    ev.events[3] = e._replace(live_bytes=e.live_bytes + 1)
    assert fold_memory(ev.events).mismatch_seq == 3


def test_grad_written_into_an_announced_temp_buffer_becomes_a_gradient():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    ev.alloc(2, None, 12, (3,), role="temp")
    ev.grad(1, 1, 12, 2)
    assert fold_memory(ev.events).by_role()["grad"] == (1, 12)


def test_feed_is_incremental():
    ev = square_sum().events
    led = fold_memory(ev[:5])
    led.feed(ev[5:])
    whole = fold_memory(ev)
    assert (led.live_bytes, led.peak_bytes, led.peak_seq, led.events) == (
        whole.live_bytes,
        whole.peak_bytes,
        whole.peak_seq,
        whole.events,
    )


def test_saved_bytes_kept_as_a_running_total_match_a_recount():
    """Saved bytes are counted as they change (a recount per backward made long loops
    quadratic); after every event they equal a recount over the live buffers."""
    import gradscope as gs

    w = gs.randn(4, requires_grad=True)
    keep = []
    with gs.trace() as tr:
        for i in range(30):
            y = (w.exp() * w).sum()
            y.backward(retain_graph=i % 3 == 0)
            keep.append(y if i % 2 else None)
            if i % 5 == 0:
                keep.clear()
    led = fold_memory([])
    spans = 0
    for e in tr.events:
        led.feed([e])
        recount = sum(b.nbytes for b in led.live.values() if b.saved_by)
        assert led.saved_bytes == recount, e
        if e.kind == "backward_started":
            assert led.backwards[-1].saved_before == recount
            spans += 1
    assert spans == 30 and led.saved_bytes > 0
