"""The scenarios: each runs, as a script and under ``gradscope run``, and shows what it claims.

Each scenario's ``main()`` returns the figures it printed; these tests assert them.
"""

import ast
import gc
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import gradscope as gs
from gradscope.errors import M_FREED, M_SCALAR

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
NAMES = sorted(p.stem for p in SCENARIOS.glob("*.py") if not p.name.startswith("_"))
BIG = {"relu_chain_memory"}
NEEDS_FUNC = {"forward_vs_reverse"}


def load(name: str) -> dict:
    """The scenario's module namespace, without running its ``__main__`` block."""
    gc.collect()  # leftovers of other tests must not be freed in the middle of a count
    return runpy.run_path(str(SCENARIOS / f"{name}.py"), run_name=f"scenario_{name}")


def needs_func(name: str) -> None:
    if name in NEEDS_FUNC and not hasattr(gs, "func"):
        pytest.skip("gradscope.func (forward mode) is not available")


# -- every scenario ------------------------------------------------------------------------


def test_the_lectures_scenarios_are_all_there():
    expected = {
        "square_sum", "mean_of_squares", "accumulation", "second_backward",
        "relu_chain_memory", "softmax_cross_entropy", "vector_jacobian",
        "forward_vs_reverse", "mlp_training",
    }  # fmt: skip
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_docstring_starts_with_a_one_line_summary(name):
    doc = ast.get_docstring(ast.parse((SCENARIOS / f"{name}.py").read_text(encoding="utf-8")))
    assert doc, f"{name} has no module docstring"
    first, _, rest = doc.partition("\n")
    assert first.endswith(".") and len(first) <= 110
    assert rest.startswith("\n"), "a blank line after the summary"


def test_gradscope_scenarios_lists_each_summary():
    from gradscope.cli.app import app

    res = CliRunner().invoke(app, ["scenarios"], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    for name in NAMES:
        assert name in res.output


@pytest.mark.parametrize("name", sorted(set(NAMES) - BIG))
def test_runs_as_a_script(name):
    needs_func(name)
    proc = subprocess.run(
        [sys.executable, str(SCENARIOS / f"{name}.py")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()


@pytest.mark.parametrize("name", sorted(set(NAMES) - BIG))
def test_runs_under_gradscope_run(name, tmp_path):
    needs_func(name)
    from gradscope.cli.app import app

    res = CliRunner().invoke(
        app, ["run", str(SCENARIOS / f"{name}.py"), "--no-graph"], env={"COLUMNS": "120"}
    )
    assert res.exit_code == 0, res.output
    assert "summary:" in res.output


# -- what each one shows -------------------------------------------------------------------


def test_square_sum(capsys):
    r = load("square_sum")["main"]()
    assert r["grad"] == [2.0, 4.0, 6.0]
    assert r["matches"]
    assert r["chain"] == ["SumBackward0", "PowBackward0", "torch::autograd::AccumulateGrad"]
    assert "x.grad == 2x: True" in capsys.readouterr().out


def test_mean_of_squares():
    r = load("mean_of_squares")["main"]()
    assert (r["grad_fn"], r["next"]) == ("MeanBackward0", "PowBackward0")
    np.testing.assert_allclose(r["grad"], 2 * np.array(r["x"], dtype=np.float32) / 10, rtol=1e-6)
    assert r["max_abs_err"] < 1e-6


def test_accumulation():
    r = load("accumulation")["main"]()
    rep = r["repeated"]
    assert rep["history"] == [[2.0, 4.0, 6.0], [4.0, 8.0, 12.0], [6.0, 12.0, 18.0]]
    assert rep["first"] == [True, False, False]
    assert rep["zeroed"] == [0.0, 0.0, 0.0]
    assert rep["after_zero"] == [2.0, 4.0, 6.0]
    assert r["used_twice"]["grad"] == r["used_twice"]["expected"] == [11.0, 22.0]
    assert r["mini_batches"]["max_abs_err"] < 1e-4


def test_second_backward(capsys):
    r = load("second_backward")["main"]()
    w = r["without"]
    assert w["message"] == M_FREED
    assert w["node"] == "PowBackward0"
    assert w["slots"] == ["self"]
    assert w["saved_bytes"] == 4000
    assert w["sharers"] == ["ExpBackward0"]
    assert w["attr_raises_same"]
    assert w["live_after_backward"] == 8004  # x, x.grad, the loss
    k = r["with"]
    assert (k["before"], k["retained"], k["after"]) == (8004, 12004, 8004)
    assert k["kept"] == 4000  # exp(x), held until the last backward
    assert k["doubled"]
    out = capsys.readouterr().out
    assert "Trying to backward through the graph a second time" in out
    assert "PowBackward0" in out and "self: float32 (1000,), 4,000 bytes" in out


@pytest.mark.big
def test_relu_chain_memory(capsys):
    r = load("relu_chain_memory")["main"]()
    mb = 4_000_000
    assert r["live"]["x"] == mb
    assert r["live"][1] == 2 * mb
    assert r["live"][100] == 101 * mb  # about 400 MB after 100 ReLUs
    assert r["live"][101] == 102 * mb
    assert r["before_backward"] == 408_000_004  # x, 101 outputs, the loss
    assert r["after_backward"] == 12_000_004  # x, the last output, x.grad, the loss
    # while a ReLU node runs: its saved output, the gradient it gets and the one it makes
    assert r["peak"] == 416_000_004
    assert r["saved_events"] == 101 and r["saved_bytes"] == 101 * mb and r["saved_new"] == 0
    assert r["freed_events"] == 101 and r["freed_bytes"] == 100 * mb
    out = capsys.readouterr().out
    assert "408,000,004" in out and "12,000,004" in out


@pytest.mark.big
def test_relu_chain_memory_under_gradscope_run():
    from gradscope.cli.app import app

    gc.collect()
    path = str(SCENARIOS / "relu_chain_memory.py")
    res = CliRunner().invoke(app, ["run", path, "--no-graph"], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    assert "before backward:    408,000,004 bytes" in res.output


def test_softmax_cross_entropy():
    r = load("softmax_cross_entropy")["main"]()
    assert r["chain"] == [
        "NegBackward0", "SelectBackward0", "LogBackward0", "SoftmaxBackward0",
        "AddBackward0", "MvBackward0", "torch::autograd::AccumulateGrad", "torch::autograd::AccumulateGrad",
    ]  # fmt: skip
    assert r["saved_bytes"] == {
        ("LogBackward0", "self"): 40,
        ("SoftmaxBackward0", "result"): 40,
        ("MvBackward0", "vec"): 3136,
    }
    assert r["distinct_saved"] == 40 + 3136  # the softmax output once, and x
    assert r["grad_shapes"] == {"W": (10, 784), "b": (10,), "Z": (10,)}
    assert r["x_grad"] is None
    assert r["dz_err"] < 1e-6 and r["b_err"] == 0.0 and r["w_err"] < 1e-6


def test_vector_jacobian():
    r = load("vector_jacobian")["main"]()
    assert r["error"] == M_SCALAR
    assert r["jacobian"] == [[2, 0, 12, 8], [0, 4, -6, 24], [4, 8, 0, 8]]
    assert r["jacobian_ok"] and r["library_jacobian_ok"] and r["matches"]
    assert r["grad"] == r["vjp"] == [4.0, 0.0, 18.0, -12.0]
    assert r["backward_passes_for_J"] == 3


def test_forward_vs_reverse():
    needs_func("forward_vs_reverse")
    r = load("forward_vs_reverse")["main"](sizes=(5, 50), m=64, n=32)
    for row in r["modes"]:
        assert row["agree"]
        assert row["forward_evals"] == 4 * row["n"]  # n calls of f's 4 ops
        assert row["reverse_evals"] == 4 + 5  # 4 ops forward, 4 nodes and AccumulateGrad back
    c = r["chain"]
    assert c["reverse_flops"] == 2 * 1 * 64 * 64 + 2 * 1 * 64 * 32
    assert c["forward_flops"] == 2 * 64 * 64 * 32 + 2 * 1 * 64 * 32
    assert c["same"]


def test_second_derivative():
    r = load("second_derivative")["main"]()
    assert r["cube"]["grad"] == [3.0, 12.0, 27.0]
    assert r["cube"]["second"] == [6.0, 12.0, 18.0]
    assert r["cube"]["graph"].startswith("MulBackward0(") and "PowBackward0" in r["cube"]["graph"]
    assert r["hvp"]["max_error"] < 1e-8


def test_gradscope_run_draws_the_graph_a_create_graph_backward_built(tmp_path):
    from gradscope.cli.app import app

    path = str(SCENARIOS / "second_derivative.py")
    res = CliRunner().invoke(app, ["run", path, "--out", str(tmp_path)], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    first = res.output.split("backward 1 of")[1].split("pictures:")[0]
    before, after = first.split("graph after backward")
    # after it: the gradient's own graph, 3 * x**2, beside the one backward went through
    assert "MulBackward0" not in before
    assert after.count("MulBackward0") == after.count("MulBackward1") == 1
    assert after.count("PowBackward0") == 2
    svg = (tmp_path / "backward-1-after.svg").read_text(encoding="utf-8")
    assert "MulBackward1" in svg and svg.count("PowBackward0") >= 2


def test_mlp_training():
    r = load("mlp_training")["main"]()
    loss = r["loss"]
    assert len(loss) == 60
    assert loss[-1] < 0.1 < 0.6 < loss[0]
    assert all(b < a for a, b in zip(loss[10:], loss[11:])), "the loss keeps falling"
    assert r["accuracy"][-1] >= 0.95
    assert len(set(r["live"])) == 1, "live bytes change from step to step: a leak"


def test_optimizer_state():
    r = load("optimizer_state")["main"]()
    n = 20 * 64 + 64 + 64 * 5 + 5
    for name, copies in [("SGD", 0), ("SGD, momentum 0.9", 1), ("Adam", 2)]:
        counters = 4 * 4 if name == "Adam" else 0  # a 4-byte step per parameter tensor
        assert r[name]["held"] == [4 * n + copies * 4 * n + counters] * 3, name
    assert r["Adam"]["held"][0] == 20_044
    assert r["SGD"]["loss"][-1] < r["SGD"]["loss"][0]


# -- the docs ------------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"

_RUN_BLOCKS = r"""
import contextlib, io, json, os, sys
blocks = json.loads(sys.stdin.read())
ns, outs = {"__name__": "__main__"}, []
for i, code in enumerate(blocks):
    path = os.path.join(sys.argv[1], f"example_{i}.py")  # a real file: call sites and names resolve
    with open(path, "w") as f:
        f.write(code)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, path, "exec"), ns)
    outs.append(buf.getvalue())
print(json.dumps(outs))
"""


def doc_examples(text: str) -> list[tuple[str, str | None]]:
    """(python code, the text block right after it or None) for each runnable block."""
    import re

    parts = re.findall(r"```(\w*)([^\n]*)\n(.*?)```", text, re.S)
    pairs = []
    for i, (lang, extra, body) in enumerate(parts):
        if lang == "python" and "notest" not in extra:
            nxt = parts[i + 1] if i + 1 < len(parts) else None
            pairs.append((body, nxt[2] if nxt and nxt[0] == "text" else None))
    return pairs


def _norm(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_library_examples_print_what_the_page_shows(tmp_path):
    import json

    pairs = doc_examples((DOCS / "library.md").read_text(encoding="utf-8"))
    assert len(pairs) >= 10
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_BLOCKS, str(tmp_path)],
        input=json.dumps([code for code, _ in pairs]),
        capture_output=True,
        text=True,
        cwd=SCENARIOS.parent,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    outs = json.loads(proc.stdout)
    for (code, shown), got in zip(pairs, outs):
        if shown is not None:
            assert _norm(got) == _norm(shown), (
                f"docs/library.md, after:\n{code}\nnow prints:\n{got}"
            )


def test_docs_links_and_pictures_exist():
    import re

    pages = [DOCS / "concepts.md", DOCS / "library.md", DOCS / "trace-format.md"]
    pages.append(SCENARIOS.parent / "README.md")
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
    for name in ("softmax_cross_entropy", "relu_chain_memory"):
        for when in ("before", "after"):
            svg = DOCS / "images" / f"{name}-{when}.svg"
            assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_custom_function(capsys):
    r = load("custom_function")["main"]()
    assert (r["name"], r["next"]) == ("MyReLUBackward", ["MulBackward0"])
    assert r["matches"] and r["freed"]
    # x, h (saved by MyReLU: no new bytes), y, the loss and MulBackward0's saved 2
    assert "live before backward: 12,012 bytes" in capsys.readouterr().out


def test_bptt_memory(capsys):
    r = load("bptt_memory")["main"]()
    held = r["per_step"]["held"]
    # h_0 and c_0, h_n and c_n (256 bytes each) and the loss, 2,048 bytes a step, less
    # the last step's h_t and c_t, which no later step saves (h_n and c_n are copies)
    assert held == {t: 1028 + 2048 * t - 512 for t in (1, 2, 4, 8, 16)}
    assert set(r["per_step"]["growth"].values()) == {2048}
    kept = r["truncated"]
    assert kept["error"] is None and len(kept["held"]) == 4
    assert kept["held"][1] - kept["held"][0] == 6656  # the parameters' .grad joins
    assert kept["held"][1:] == [kept["held"][1]] * 3  # one chunk's graph at a time
    broken = r["not_detached"]
    assert broken["error"] == M_FREED and len(broken["held"]) == 2
    assert "chunk 1: backward failed: Trying to backward through the graph a second time" in (
        capsys.readouterr().out
    )


def test_gradscope_run_says_which_backward_raised():
    from gradscope.cli.app import app

    res = CliRunner().invoke(
        app, ["run", str(SCENARIOS / "bptt_memory.py"), "--no-graph"], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    head = next(i for i, s in enumerate(lines) if "backward 6 of 6" in s)
    assert lines[head].rstrip("─ ").endswith("raised")
    assert lines[head + 1].startswith(
        "it raised RuntimeError: Trying to backward through the graph a second time"
    )
    assert "backward 1 of 6" in res.output and "of 6" in res.output
    assert sum("raised" in s for s in lines[:head]) == 0  # the others completed
