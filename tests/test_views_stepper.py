"""The backward walk: steps cut from the events, texts, tables and the prompt loop."""

from rich.console import Console
from test_state_builder import relu_chain, square_sum

from gradscope.cli.step import walk
from gradscope.state import fold_graph
from gradscope.views.stepper import backward_walk, grad_text, step_line, walk_table


def _steps(ev, index=1, grads=None):
    return backward_walk(ev.events, fold_graph(ev.events), index, grads)


def _text(renderable, width=100) -> str:
    c = Console(width=width, record=True, color_system=None)
    c.print(renderable)
    return c.export_text()


def test_one_step_per_node_in_the_order_backward_ran():
    steps = _steps(square_sum())
    assert [(s["op"], s["node"]) for s in steps] == [
        ("SumBackward0", 3), ("PowBackward0", 2), ("AccumulateGrad", 1)
    ]  # fmt: skip
    assert steps[0]["sent_to"] == ["PowBackward0 #2"]
    assert steps[1]["rule"].startswith("grad * exponent")
    assert steps[2]["sent_to"] == [] and steps[2]["wrote"] == [
        {"tensor": 1, "name": "x", "nbytes": 12, "first": True}
    ]


def test_live_bytes_chain_from_step_to_step():
    ev = square_sum()
    steps = _steps(ev)
    start = next(e for e in ev.events if e.kind == "backward_started")
    end = next(e for e in ev.events if e.kind == "backward_finished")
    assert steps[0]["live_before"] == start.live_bytes
    assert all(a["live_after"] == b["live_before"] for a, b in zip(steps, steps[1:]))
    assert steps[-1]["live_after"] == end.live_bytes


def test_the_leaf_step_owns_its_grad_and_each_event_counts_once():
    ev = relu_chain(3, numel=10)
    steps = _steps(ev)
    assert [s["op"] for s in steps] == ["SumBackward0"] + ["ReluBackward0"] * 3 + ["AccumulateGrad"]
    assert steps[-1]["allocated_bytes"] == 40 and steps[-1]["wrote"][0]["first"]
    # two ReLU outputs are freed with their saves; the last is held by the user's variable
    assert [s["released_bytes"] for s in steps[1:4]] == [0, 40, 40]
    assert sum(s["freed_bytes"] for s in steps) == 80
    seqs = [q for s in steps for q in s["seqs"]]
    assert len(seqs) == len(set(seqs)), "no event belongs to two steps"


def _chained(steps, ev, index=1):
    """Each step starts where the one before ended; together they move what backward moved."""
    starts = [e for e in ev.events if e.kind == "backward_started"]
    ends = [e for e in ev.events if e.kind == "backward_finished"]
    assert steps[0]["live_before"] == starts[index - 1].live_bytes
    assert all(a["live_after"] == b["live_before"] for a, b in zip(steps, steps[1:]))
    assert steps[-1]["live_after"] == ends[index - 1].live_bytes
    return [s["live_after"] - s["live_before"] for s in steps]


def test_a_grad_taken_over_before_the_previous_step_ends_counts_in_its_own_step():
    # the builder's square_sum allocates x.grad between PowBackward0's node_executed and
    # its frees, as the engine does when it takes the gradient over as .grad
    ev = square_sum()
    steps = _steps(ev)
    assert _chained(steps, ev) == [12, -12, 12]
    assert steps[2]["seqs"][0] < steps[1]["seqs"][-1]  # the steps interleave
    assert steps[1]["freed_bytes"] == 12 and steps[2]["allocated_bytes"] == 12


def test_live_bytes_of_a_recorded_backward_walk():
    import gradscope as gs

    with gs.trace() as tr:
        x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x**2).sum().backward()
        (x * 3).sum().backward()
    for index in (1, 2):
        steps = backward_walk(tr.events, fold_graph(tr.events), index)
        changes = _chained(steps, tr, index)
        assert steps[-1]["op"] == "AccumulateGrad"
        assert sum(changes) == steps[-1]["live_after"] - steps[0]["live_before"]
    first = backward_walk(tr.events, fold_graph(tr.events), 1)
    assert (
        first[-1]["wrote"][0]["first"] and first[-1]["live_after"] - first[-1]["live_before"] == 12
    )


def test_gradient_values_when_captured_else_shapes():
    ev = square_sum()
    grads = {(1, 2): {"shape": [3], "dtype": "float32", "numel": 3, "values": [1.0, 1.0, 1.0],
                      "min": 1.0, "max": 1.0, "mean": 1.0},
             (1, 1): {"shape": [3], "dtype": "float32", "numel": 3000, "min": -0.5, "max": 2.0,
                      "mean": 0.25}}  # fmt: skip
    steps = _steps(ev, grads=grads)
    assert grad_text(steps[0]) == "()"
    assert grad_text(steps[1]) == "(3,) [1., 1., 1.]"
    assert grad_text(steps[2]) == "(3,) min -0.5 max 2. mean 0.25"
    assert grad_text(steps[1], values=False) == "(3,)"
    assert "x.grad = grad (12 B)" in step_line(steps[2])


def test_walk_table_and_long_walks_cut_in_the_middle():
    steps = _steps(relu_chain(70, numel=10))
    text = _text(walk_table(steps, "backward 1", max_rows=10), width=140)
    assert "backward 1" in text and "more steps" in text
    assert "SumBackward0 #72" in text and "AccumulateGrad #1" in text


def test_prompt_loop_steps_breaks_continues_and_quits():
    ev = relu_chain(3, numel=10)
    graph = fold_graph(ev.events)

    def run(answers):
        it = iter(answers)
        c = Console(width=100, record=True, color_system=None)
        walk(ev.events, graph, {}, c, interactive=True, read=lambda _p: next(it))
        return c.export_text()

    text = run(["", "b AccumulateGrad", ""])
    assert "step 1/5" in text and "step 2/5" in text and "step 3/5" not in text
    assert "breakpoint: AccumulateGrad" in text and "step 5/5" in text
    assert "backward 1 done" in text
    text = run(["c"])
    assert "step 1/5" in text and "step 2/5" not in text and "backward 1 done" in text
    text = run(["what", "q"])
    assert "b OP" in text and "quit" in text and "backward 1 done" not in text
    text = run(["b relu", "b nosuch"])  # op names match case-insensitively by prefix
    assert text.count("breakpoint: ReluBackward0") == 1 and "no more nosuch nodes" in text


def test_walk_without_a_terminal_prints_tables_first_and_last():
    from test_cli_commands import _training

    ev = _training(5)
    c = Console(width=100, record=True, color_system=None)
    walk(ev.events, fold_graph(ev.events), None, c, interactive=False)
    text = c.export_text()
    assert "shapes only" in text
    assert "backward 1 of 5" in text and "backward 2 of 5" in text and "backward 5 of 5" in text
    assert "(backward 3..4 left out)" in text


def test_walk_of_a_trace_without_backward():
    ev = square_sum()
    events = [e for e in ev.events if "backward" not in e.kind]
    c = Console(width=80, record=True, color_system=None)
    walk(events, fold_graph(events), None, c, interactive=False)
    assert "no backward call" in c.export_text()
