"""Claims the README and docs/ make to a new user, checked as that user meets them.

Each test names the page and line it holds in place. Only claims that no other test file
checks are here; every test is small (the README's 1M-element chain is run at 1,000).
"""

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import gradscope as gs
from gradscope.cli.app import app

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


# -- README.md: the first example, at 1,000 elements instead of 1,000,000 ------------------


def test_readme_relu_chain_grows_per_op_and_backward_frees_each_save(no_gc):
    n, ops = 1000, 100
    base = gs.live_bytes()
    x = gs.randn(n, requires_grad=True)  # 4 * n bytes
    with gs.trace() as tr:
        p = x
        for i in range(ops):
            p = gs.relu(p)  # +4 * n bytes each: ReluBackward0 saves its result
            assert gs.live_bytes() - base == 4 * n * (i + 2)
        p.sum().backward()  # frees each node's saves right after it runs
    # x, the ops' outputs, the 4-byte loss and two gradients in flight (concepts.md, section 5)
    assert tr.peak_bytes - base == 4 * n * (1 + ops + 2) + 4
    assert gs.live_bytes() - base == 3 * 4 * n  # x, x.grad and p (the last output)
    freed = [e for e in tr.events if e.kind == "graph_freed" and e.nbytes]
    assert len(freed) == ops - 1 and all(e.nbytes == 4 * n for e in freed)


# -- concepts.md, section 4: the table of what each op saves --------------------------------

SAVES = {  # op: (the call, the slots concepts.md's table says it saves)
    "exp": (lambda m, a, b: m.exp(a), ["result"]),
    "relu": (lambda m, a, b: m.relu(a), ["result"]),
    "sigmoid": (lambda m, a, b: m.sigmoid(a), ["result"]),
    "tanh": (lambda m, a, b: m.tanh(a), ["result"]),
    "sqrt": (lambda m, a, b: m.sqrt(a * a + 1), ["result"]),
    "softmax": (lambda m, a, b: m.softmax(a, dim=0), ["result"]),
    "log_softmax": (lambda m, a, b: m.log_softmax(a, dim=0), ["result"]),
    "mul": (lambda m, a, b: a * b, ["other", "self"]),
    "div": (lambda m, a, b: a / b, ["other", "self"]),
    "pow": (lambda m, a, b: a**2, ["self"]),
    "matmul": (lambda m, a, b: a.reshape(2, 2) @ b.reshape(2, 2), ["mat2", "self"]),
    "log": (lambda m, a, b: m.log(a * a + 1), ["self"]),
    "abs": (lambda m, a, b: m.abs(a), ["self"]),
    "clamp": (lambda m, a, b: m.clamp(a, -0.5, 0.5), ["self"]),
    "add": (lambda m, a, b: a + b, []),
    "sub": (lambda m, a, b: a - b, []),
    "neg": (lambda m, a, b: -a, []),
    "sum": (lambda m, a, b: a.sum(), []),
    "mean": (lambda m, a, b: a.mean(), []),
    "reshape": (lambda m, a, b: a.reshape(2, 2), []),
    "transpose": (lambda m, a, b: a.reshape(2, 2).transpose(0, 1), []),
    "slice": (lambda m, a, b: a[1:3], []),
    "cat": (lambda m, a, b: m.cat([a, b]), []),
    "stack": (lambda m, a, b: m.stack([a, b]), []),
}


def _leaves(m):
    a = m.tensor([0.3, -1.2, 2.0, 0.7], requires_grad=True)
    b = m.tensor([1.5, 0.4, -0.8, 2.2], requires_grad=True)
    return a, b


@pytest.mark.parametrize("op", sorted(SAVES))
def test_concepts_saved_tensor_table_is_what_gradscope_and_torch_save(op):
    call, slots = SAVES[op]
    with gs.trace() as tr:
        y = call(gs, *_leaves(gs))
    created = [e for e in tr.events if e.kind == "node_created"]
    last = created[-1].node
    assert y.grad_fn.name() == created[-1].op
    got = sorted(e.slot for e in tr.events if e.kind == "tensor_saved" and e.node == last)
    assert got == slots
    torch = pytest.importorskip("torch")
    fn = call(torch, *_leaves(torch)).grad_fn
    names = [
        a[len("_saved_") :] for a in dir(fn) if a.startswith("_saved_") and not a.endswith("_raw")
    ]
    assert sorted(s for s in names if isinstance(getattr(fn, "_saved_" + s), torch.Tensor)) == slots


def test_concepts_an_operand_of_mul_is_saved_only_when_the_other_needs_a_gradient():
    with gs.trace() as tr:
        w = gs.randn(3, requires_grad=True)
        x = gs.randn(3)  # needs no gradient: w's gradient needs x, x's would need w
        w * x
    assert [e.slot for e in tr.events if e.kind == "tensor_saved"] == ["other"]


# -- concepts.md, section 5, last paragraph: chains that do not grow memory ---------------


def test_concepts_chains_of_mul_by_a_number_and_add_hold_little_more_than_x_and_p(no_gc):
    n, ops = 1000, 10
    base = gs.live_bytes()
    x = gs.randn(n, requires_grad=True)
    p = x
    for _ in range(ops):
        p = p * 2  # saves only the number 2, as an 8-byte tensor
    assert gs.live_bytes() - base == 2 * 4 * n + 8 * ops
    p = x
    for _ in range(ops):
        p = p + 1  # saves nothing
    assert gs.live_bytes() - base == 2 * 4 * n


# -- one figure, every interface: the peak of a scenario -----------------------------------


@pytest.mark.parametrize("name", ["square_sum", "second_backward", "vector_jacobian"])
def test_the_peak_is_the_same_in_run_mem_report_the_trace_file_and_python(name, tmp_path):
    import runpy
    import sys

    trace = tmp_path / f"{name}.gstrace"
    r = invoke("run", name, "--no-graph", "--save", trace)
    assert r.exit_code == 0, r.output
    summary = [line for line in r.stdout.splitlines() if line.startswith("summary: ")][-1]
    rep = json.loads(invoke("mem", "report", trace, "--json").stdout)
    assert f"at seq {rep['peak_seq']}," in summary
    loaded = gs.load_trace(str(trace))
    assert loaded.peak_bytes == rep["peak_bytes"]
    argv = sys.argv[:]
    sys.argv = [str(SCENARIOS / f"{name}.py")]
    try:
        with gs.trace() as tr:
            runpy.run_path(sys.argv[0], run_name="__main__")
    finally:
        sys.argv = argv
    assert tr.peak_bytes == rep["peak_bytes"]
    assert len(tr.events) == rep["events"] == len(loaded.events)


# -- trace-format.md: unknown fields are ignored ------------------------------------------


def test_trace_format_unknown_header_and_event_fields_are_ignored(tmp_path):
    with gs.trace() as tr:
        x = gs.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
    path = tmp_path / "t.gstrace"
    tr.save(str(path))
    lines = path.read_text().splitlines()
    head = json.loads(lines[0])
    head["from_the_future"] = {"anything": [1, 2]}
    events = [json.loads(line) for line in lines[1:]]
    for e in events:
        e["extra"] = "ignored"
    path.write_text("\n".join(json.dumps(d) for d in [head, *events]) + "\n")
    again = gs.load_trace(str(path))
    assert len(again.events) == len(tr.events) and again.peak_bytes == tr.peak_bytes
    assert not again.warnings
    r = invoke("mem", "report", path, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["peak_bytes"] == tr.peak_bytes


# -- debugging.md: the pytest plugin's example file ---------------------------------------


def test_debugging_pytest_plugin_example_gives_one_failure_naming_its_limits(pytester):
    page = (ROOT / "docs" / "debugging.md").read_text(encoding="utf-8")
    block = [b for b in re.findall(r"```python\n(.*?)```", page, re.S) if "mark.gradscope" in b]
    assert len(block) == 1
    pytester.makepyfile(test_memory=block[0])
    res = pytester.runpytest_inprocess(
        "-q", "-s", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"
    )
    res.assert_outcomes(passed=2, failed=1)
    out = res.stdout.str()
    assert "FAILED test_memory.py::test_step_that_keeps_its_graph" in out
    assert "graph_freed_after_backward: MmBackward0" in out
    assert "max_live_bytes_at_end=0: 49,156 B were still live" in out
    assert "pattern: graph kept alive by a loss accumulated without .item()" in out
