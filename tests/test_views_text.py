"""Terminal views at a pinned width: the graph tree, memory tables, the step table."""

import io
import re

from rich.console import Console
from rich.text import Text
from test_state_builder import Events, relu_chain, square_sum

from gradscope.state import fold_graph, snapshot
from gradscope.views.explain import backward_steps, steps_table
from gradscope.views.fmt import exact_bytes, human_bytes, shape_text, short_site, signed_bytes
from gradscope.views.graph_model import build_view
from gradscope.views.memory_table import memory_rows, memory_table
from gradscope.views.rules import RULES, UNKNOWN, rule_for
from gradscope.views.tree import graph_tree


def _text(renderable, width=100) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(renderable)
    return buf.getvalue()


def test_formatters():
    assert human_bytes(4_000_000) == "4.0 MB" and human_bytes(12) == "12 B"
    assert human_bytes(-1500) == "-1.5 kB"
    assert exact_bytes(400_000_000) == "400,000,000"
    assert signed_bytes(12) == "+12 B" and signed_bytes(0) == "0 B"
    assert shape_text(()) == "()" and shape_text((3,)) == "(3,)" and shape_text([2, 3]) == "(2, 3)"
    assert short_site("/a/b/c.py:12") == "c.py:12" and short_site(None) == ""


def test_tree_before_and_after_backward():
    ev = square_sum().events
    before = _text(graph_tree(build_view(snapshot(ev, "before").graph), "before"))
    assert before.splitlines() == [
        "before",
        "└── SumBackward0 #3  () float32  sq.py:4",
        "    └── PowBackward0 #2  (3,) float32  sq.py:4  saved self 12 B",
        "        └── x  (3,) float32  leaf, requires grad  12 B",
    ]
    after = _text(graph_tree(build_view(snapshot(ev, "after").graph), "after"))
    assert "SumBackward0 #3 loss" in after
    assert "saved self 12 B (freed)" in after and "ran #2" in after
    assert "-> .grad 12 B" in after


def test_tree_shows_a_shared_node_once():
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (3,))
    ev.node(2, "ExpBackward0", (1,), 2, (3,))
    ev.node(3, "SinBackward0", (2,), 3, (3,))
    ev.node(4, "AddBackward0", (2, 3), 4, (3,))  # exp feeds both sin and add
    text = _text(graph_tree(build_view(fold_graph(ev.events)), "g"))
    assert text.count("ExpBackward0 #2") == 1
    assert "^ ExpBackward0 (shown above)" in text


def test_tree_of_a_long_chain_is_short_and_says_what_was_collapsed():
    text = _text(graph_tree(build_view(fold_graph(relu_chain(20_000, numel=2).events)), "g"))
    assert len(text.splitlines()) < 10
    assert "ReluBackward0 x20000" in text
    assert "note: collapsed 20000 x ReluBackward0" in text


def test_tree_line_cap():
    ev = Events()
    ev.alloc(1, 1, 4, (1,), role="leaf")
    ev.node(1, "AccumulateGrad", (), 1, (1,))
    prev = 1
    for k in range(2, 300):
        ev.node(k, "ExpBackward0" if k % 2 else "SinBackward0", (prev,), k, (1,))
        prev = k
    text = _text(graph_tree(build_view(fold_graph(ev.events), max_ops=1000), "g", max_lines=20))
    assert "more lines not shown" in text
    assert len(text.splitlines()) < 30


def test_empty_graph():
    assert "(no graph nodes)" in _text(graph_tree(build_view(fold_graph([])), "g"))


def test_memory_rows_and_change():
    ev = square_sum().events
    before = snapshot(ev, "before").memory
    after = snapshot(ev, "after").memory
    rows = {r["role"]: r for r in memory_rows(after, before)}
    assert list(rows) == ["leaf", "activation", "saved", "grad", "other", "total"]
    assert rows["saved"]["bytes"] == 0 and rows["saved"]["change_bytes"] == -12
    assert rows["grad"]["change_count"] == 1
    assert rows["total"]["bytes"] == after.live_bytes == 28
    assert rows["total"]["change_bytes"] == 12
    assert memory_rows(after)[0]["change_bytes"] is None


def test_memory_table_text():
    ev = relu_chain(100, numel=1_000_000).events
    before = snapshot(ev, "before").memory
    after = snapshot(ev, "after").memory
    text = _text(memory_table(after, before, title="after backward"))
    lines = [ln for ln in text.splitlines() if "saved for backward" in ln]
    assert "0 B" in lines[0] and "-400.0 MB (-400,000,000)" in lines[0]
    assert "400,000,000" in _text(memory_table(before, title="before"))
    assert "change" not in _text(memory_table(before, title="before"))


def test_baseline_row_only_when_there_is_one():
    ev = Events(baseline={"cpu": 100})
    ev.alloc(1, 1, 12, (3,), role="leaf")
    led = snapshot(ev.events, baseline={"cpu": 100}).memory
    assert "live before the trace" in _text(memory_table(led))
    assert "live before the trace" not in _text(memory_table(snapshot(square_sum().events).memory))


def test_backward_steps_in_order_with_rules():
    steps = backward_steps(fold_graph(square_sum().events), 1)
    assert [s["op"] for s in steps] == ["SumBackward0", "PowBackward0", "AccumulateGrad"]
    assert steps[0]["grad_shape"] == [] and steps[1]["grad_shape"] == [3]
    assert steps[0]["sent_to"] == ["PowBackward0 #2"]
    assert steps[1]["rule"] == RULES["PowBackward0"]
    assert steps[2]["wrote"] == "x.grad 12 B"
    text = _text(steps_table(steps, title="backward 1"), width=120)
    assert "wrote x.grad 12 B" in text and "grad expanded to self's shape" in text


def test_backward_steps_report_freed_bytes_and_long_tables_are_cut():
    steps = backward_steps(fold_graph(relu_chain(100, numel=10).events), 1)
    assert len(steps) == 102
    assert steps[2]["freed_bytes"] == 40 and steps[2]["rule"] == "grad * (result > 0)"
    text = _text(steps_table(steps, max_rows=10), width=120)
    assert "92 more steps" in text


def test_rule_table():
    assert rule_for("ReluBackward0") == "grad * (result > 0)"
    assert "other" in rule_for("MulBackward0") and "self" in rule_for("MulBackward0")
    assert rule_for("NoSuchBackward0") == UNKNOWN


def _repeated_grads(backwards: int) -> Events:
    """``w * 2`` summed and backwarded ``backwards`` times into one ``w.grad`` (zeroed in
    place in between, which records no event)."""
    ev = Events()
    ev.alloc(1, 1, 8, (2,), role="leaf", name="w")
    ev.node(1, "AccumulateGrad", (), 1, (2,), stack=None)
    for k in range(backwards):
        ev.node(10 + k, "MulBackward0", (1,), 100 + k, (2,), stack="train.py:5")
        ev.node(50 + k, "SumBackward0", (10 + k,), 200 + k, (), stack="train.py:5")
        ev.bw_start(50 + k).run(50 + k).run(10 + k)
        if k == 0:
            ev.alloc(300, None, 8, (2,), role="grad", node=1)
        ev.run(1).grad(1, 1, 8, 300, first=k == 0).bw_end(50 + k)
    return ev


def test_a_grad_written_by_several_backwards_does_not_claim_a_running_sum():
    text = _text(graph_tree(build_view(fold_graph(_repeated_grads(3).events)), "g"))
    assert "-> .grad 8 B (written 3 times)" in text
    assert "accumulated" not in text


_UNIT_ALONE = re.compile(r"\d\s*\n[│├└─ ]*(?:B|kB|MB|GB)\b")


def test_tree_lines_break_between_parts_never_inside_a_number_and_its_unit():
    ev = Events()
    ev.alloc(1, 1, 12_000, (3000,), role="leaf", name="x")
    ev.node(1, "AccumulateGrad", (), 1, (3000,), stack=None)
    site = "/home/me/a_rather_long_scenario_name.py:19"
    ev.alloc(2, 2, 12_000, (3000,), node=2)
    ev.node(2, "PowBackward0", (1,), 2, (3000,), stack=site)
    ev.save(2, 1, 1, "self", 12_000, (3000,))
    ev.alloc(3, 3, 4, (), node=3)
    ev.node(3, "SumBackward0", (2,), 3, (), stack=site)
    view = build_view(fold_graph(ev.events))
    for width in range(40, 101, 3):
        text = _text(graph_tree(view, "g"), width=width)
        assert not _UNIT_ALONE.search(text), (width, text)
        assert max(len(line) for line in text.splitlines()) <= width
        assert "saved self 12.0 kB" in text, (width, text)  # the saved part stays whole
    text = _text(graph_tree(view, "g"), width=80)
    assert "    └── PowBackward0 #2  (3000,) float32  a_rather_long_scenario_name.py:19\n" in text
    assert "\n        saved self 12.0 kB\n" in text


def test_pieces_fit_on_one_line_else_break_between_pieces():
    from gradscope.views.fmt import Pieces, wrap_words

    assert _text(Pieces("308..", "817", sep=""), width=20) == "308..817\n"
    assert _text(Pieces("308..", "817", sep=""), width=6) == "308..\n817\n"
    assert _text(Pieces("op #1", "saved self 12 B"), width=16) == "op #1\nsaved self 12 B\n"
    lines = [t.plain for t in wrap_words(Text("saved self 24 B and 1.5 kB"), 9)]
    assert lines == ["saved", "self 24 B", "and", "1.5 kB"]
    assert [t.plain for t in wrap_words(Text("abcdefghij 4 B"), 4)] == ["abcd", "efgh", "ij", "4 B"]


def test_pieces_keep_each_style_to_its_own_piece():
    from gradscope.views.fmt import Pieces

    c = Console(width=40)
    for width in (40, 6):  # on one line, and each on its own
        lines = c.render_lines(
            Pieces(Text("ab cd", style="bold"), "ef"), c.options.update_width(width)
        )
        styles = {s.text.strip(): s.style for line in lines for s in line if s.text.strip()}
        assert styles["ab cd"].bold and not (styles["ef"] and styles["ef"].bold)
