"""The memory report: plain data from hand-built events, then Rich and JSON."""

import io
import json

from rich.console import Console
from test_state_builder import Events, relu_chain, square_sum

from gradscope.state import fold_memory
from gradscope.views.report import build_report, render_report, report_json


def test_report_numbers_equal_the_fold():
    ev = relu_chain(10, numel=1000).events
    rep = build_report(ev, {}, top=3)
    led = fold_memory(ev)
    assert rep["peak_bytes"] == led.peak_bytes == 4000 + 10 * 4000 + 4
    assert rep["peak_seq"] == led.peak_seq
    assert rep["peak_event"] == ev[led.peak_seq].kind
    assert rep["live_at_end_bytes"] == led.live_bytes == ev[-1].live_bytes
    assert rep["by_role"]["grad"] == {"count": 1, "bytes": 4000}
    assert rep["by_role_at_peak"]["saved"] == {"count": 10, "bytes": 40_000}
    assert rep["by_device"] == {"cpu": {"live_bytes": led.live_bytes, "peak_bytes": led.peak_bytes}}
    assert rep["nodes"] == 12 and rep["saved_tensors"] == 10
    assert rep["warnings"] == []


def test_top_nodes_by_saved_bytes_with_the_user_site():
    ev = Events()
    ev.alloc(1, 1, 400, (100,), role="leaf")
    ev.node(1, "AccumulateGrad", (), 1, (100,))
    ev.alloc(2, 2, 400, (100,), node=2)
    ev.node(2, "ExpBackward0", (1,), 2, (100,), stack="/home/u/model.py:7")
    ev.save(2, 2, 2, "result", 400, (100,))
    ev.alloc(3, 3, 4, (), node=3)
    ev.node(3, "MulBackward0", (2, 2), 3, (100,), stack="/home/u/model.py:8")
    ev.save(3, 2, 2, "self", 400, (100,))
    ev.save(3, 2, 2, "other", 400, (100,))
    ev.save(3, 9, None, "scale", 8, (), new=True)
    rep = build_report(ev.events, top=1)
    (top,) = rep["top_nodes"]
    assert top["node"] == 3 and top["saved_bytes"] == 408  # its own buffers, each once
    assert top["slots"] == ["self", "other", "scale"]
    assert top["stack"] == "/home/u/model.py:8" and top["freed"] is False
    assert build_report(ev.events, top=0)["top_nodes"] == []


def test_backward_timeline():
    rep = build_report(square_sum().events)
    (bw,) = rep["backwards"]
    assert bw["root"] == 3 and bw["root_op"] == "SumBackward0"
    assert bw["live_before_bytes"] == 16 and bw["peak_bytes"] == 40 and bw["live_after_bytes"] == 28
    assert bw["timeline"][0] == {"seq": bw["start_seq"], "live_bytes": 16}
    assert max(p["live_bytes"] for p in bw["timeline"]) == 40
    assert bw["grad_bytes"] == 12


def test_long_timelines_are_sampled_and_keep_the_peak():
    rep = build_report(relu_chain(200, numel=10).events)
    (bw,) = rep["backwards"]
    assert len(bw["timeline"]) <= 17
    assert max(p["live_bytes"] for p in bw["timeline"]) == bw["peak_bytes"]


def test_json_round_trip_keys_are_snake_case_and_bytes_ints():
    rep = build_report(square_sum().events, header={"scenario": "sq.py"})
    back = json.loads(report_json(rep))
    assert back == rep
    assert back["scenario"] == "sq.py"
    assert isinstance(back["peak_bytes"], int)

    def keys(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield k
                yield from keys(v)
        elif isinstance(obj, list):
            for v in obj:
                yield from keys(v)

    assert all(k == k.lower() and " " not in k for k in keys(rep) if k not in ("cpu",))


def test_rich_rendering():
    buf = io.StringIO()
    render_report(build_report(relu_chain(3, numel=250_000).events), Console(file=buf, width=100))
    text = buf.getvalue()
    assert "peak: 4.0 MB (4,000,004 B)" in text
    assert "nodes holding the most saved bytes" in text and "chain.py:6" in text
    assert "around each backward" in text and "backward 1 timeline" in text


def test_pool_figures_are_carried_when_recorded():
    ev = square_sum()
    e = ev.events[9]
    assert e.kind == "backward_started"
    ev.events[9] = e._replace(pool={"cuda:0": {"used_bytes": 512, "total_bytes": 2048}})
    rep = build_report(ev.events)
    assert rep["backwards"][0]["pool_before"] == {
        "cuda:0": {"used_bytes": 512, "total_bytes": 2048}
    }
    buf = io.StringIO()
    render_report(rep, Console(file=buf, width=120))
    assert "cuda:0 pool uses 512 B of 2.0 kB" in buf.getvalue()


def _render(rep, width=100) -> str:
    buf = io.StringIO()
    render_report(rep, Console(file=buf, width=width, color_system=None))
    return buf.getvalue()


def test_the_saved_tensor_count_is_singular_for_one():
    ev = square_sum().events
    assert "3 graph nodes, 1 saved tensor\n" in _render(build_report(ev))
    assert "12 graph nodes, 10 saved tensors\n" in _render(build_report(relu_chain(10).events))


def test_rows_of_the_peak_left_out_by_top_are_counted_with_their_bytes():
    ev = relu_chain(3, numel=10).events
    full = build_report(ev, top=50)
    rest = full["peak_buffers"][1:]
    assert len(rest) >= 2 and full["peak_buffers_more"] == {"groups": 0, "buffers": 0, "bytes": 0}
    rep = build_report(ev, top=1)
    assert rep["peak_buffers"] == full["peak_buffers"][:1]
    assert rep["peak_buffers_more"] == {
        "groups": len(rest),
        "buffers": sum(g["count"] for g in rest),
        "bytes": sum(g["bytes"] for g in rest),
    }
    assert sum(g["bytes"] for g in full["peak_buffers"]) == full["peak_bytes"]
    more = rep["peak_buffers_more"]
    text = _render(rep)
    assert f"({more['groups']} more rows: {more['buffers']} buffers, {more['bytes']} B;" in text
    assert "more rows" not in _render(full) and "more rows" not in _render(build_report(ev, top=0))
