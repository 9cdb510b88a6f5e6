"""The commands on hand-written trace files, at a pinned terminal width."""

import json
import xml.etree.ElementTree as ET

import pytest
from test_state_builder import Events, relu_chain, square_sum
from typer.testing import CliRunner

from gradscope import __version__
from gradscope.cli import scenarios as scenarios_cmd
from gradscope.cli.app import app
from gradscope.recorder import load_trace
from gradscope.state import fold_graph, fold_memory
from gradscope.tracefile import writer

ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}
SVG_TEXT = "{http://www.w3.org/2000/svg}text"


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def _write(path, events, **header):
    writer.write(str(path), writer.header(baseline_bytes={}, **header), events)
    return path


@pytest.fixture
def sq(tmp_path):
    return _write(tmp_path / "sq.gstrace", square_sum().events, scenario="sq.py")


def _training(steps: int) -> Events:
    """``steps`` times: y = (w * 2).sum(); y.backward(); w.grad = None."""
    ev = Events()
    ev.alloc(1, 1, 16, (4,), role="leaf", name="w")
    node = 10
    for _ in range(steps):
        ev.node(node, "AccumulateGrad", (), 1, (4,), stack=None)
        ev.node(node + 1, "MulBackward0", (node,), 100 + node, (4,), stack="train.py:5")
        ev.alloc(100 + node, 100 + node, 16, (4,), node=node + 1)
        ev.save(node + 1, 200 + node, None, "other", 8, (), new=True, dtype="int64")
        ev.node(node + 2, "SumBackward0", (node + 1,), 300 + node, (), stack="train.py:5")
        ev.alloc(300 + node, 300 + node, 4, (), node=node + 2)
        ev.free(100 + node)
        ev.bw_start(node + 2)
        ev.run(node + 2)
        ev.run(node + 1)
        ev.free(200 + node)
        ev.graph_freed(node + 1, 8)
        ev.alloc(400 + node, None, 16, (4,), role="grad", node=node)
        ev.run(node)
        ev.grad(1, node, 16, 400 + node)
        ev.bw_end(node + 2)
        ev.free(300 + node)
        ev.free(400 + node)
        node += 3
    return ev


def test_version_and_help_with_examples():
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout == f"gradscope {__version__}\n"
    for cmd in ([], ["run"], ["graph"], ["mem"], ["mem", "report"], ["scenarios"]):
        r = invoke(*cmd, "--help")
        assert r.exit_code == 0, cmd
        assert "Examples" in r.stdout and "gradscope" in r.stdout, cmd


def test_help_paragraphs_are_wrapped_to_the_terminal_not_the_source():
    """A docstring's line breaks do not reach the help: each paragraph is one line."""
    from gradscope.cli import mem

    commands = app.registered_commands + mem.app.registered_commands
    assert {c.name for c in commands} >= {"run", "graph", "report", "check", "diff", "why"}
    for c in commands:
        assert c.help and all("\n" not in p for p in c.help.split("\n\n")), c.name
    r = CliRunner().invoke(app, ["graph", "--help"], env={**ENV, "COLUMNS": "80"})
    assert "file:line; runs of identical ops" in r.stdout  # on one line


def test_graph_prints_the_tree(sq):
    r = invoke("graph", sq)
    assert r.exit_code == 0, r.output
    assert "graph at the end (seq 20)" in r.stdout
    assert "SumBackward0 #3 loss" in r.stdout and "-> .grad 12 B" in r.stdout


@pytest.mark.parametrize(
    ("at", "freed"), [("before", False), ("before backward", False), ("after", True), ("8", False)]
)
def test_graph_at(sq, at, freed):
    r = invoke("graph", sq, "--at", at)
    assert r.exit_code == 0, r.output
    assert ("(freed)" in r.stdout) is freed


def test_graph_files_svg_png_dot(sq, tmp_path):
    svg, png, dot = tmp_path / "g.svg", tmp_path / "g.png", tmp_path / "g.dot"
    r = invoke("graph", sq, "--svg", svg, "--png", png, "--dot", dot, "--at", "after")
    assert r.exit_code == 0, r.output
    assert f"wrote {svg}" in r.stdout
    texts = {"".join(t.itertext()) for t in ET.parse(svg).getroot().iter(SVG_TEXT)}
    assert {"PowBackward0", "SumBackward0", "x.grad", "freed"} <= texts
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert dot.read_text().startswith("digraph gradscope {")


def test_graph_collapse_options(tmp_path):
    path = _write(tmp_path / "chain.gstrace", relu_chain(50, numel=4).events)
    r = invoke("graph", path)
    assert "ReluBackward0 x50" in r.stdout and "note: collapsed 50 x ReluBackward0" in r.stdout
    r = invoke("graph", path, "--no-collapse", "--max-nodes", "5")
    assert "ReluBackward0 x50" not in r.stdout
    assert "46 more nodes not drawn" in r.stdout


def test_mem_report_json_equals_the_fold(tmp_path):
    ev = relu_chain(20, numel=100).events
    path = _write(tmp_path / "chain.gstrace", ev)
    r = invoke("mem", "report", path, "--json", "--top", "2")
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    led, graph = fold_memory(ev), fold_graph(ev)
    assert rep["peak_bytes"] == led.peak_bytes and rep["peak_seq"] == led.peak_seq
    assert rep["live_at_end_bytes"] == led.live_bytes
    assert rep["by_role"] == {k: {"count": c, "bytes": b} for k, (c, b) in led.by_role().items()}
    assert rep["nodes"] == len(graph.nodes) and len(rep["top_nodes"]) == 2
    assert rep["backwards"][0]["freed_bytes"] == led.backwards[0].freed_bytes


def test_mem_report_rich(sq):
    r = invoke("mem", "report", sq, "--top", "1")
    assert r.exit_code == 0, r.output
    assert "peak: 40 B at seq 14 (tensor_allocated)" in r.stdout
    assert "live at end: 28 B" in r.stdout
    assert "PowBackward0" in r.stdout and "sq.py:4" in r.stdout


def test_run_replays_a_trace_with_tables_trees_and_pictures(sq, tmp_path):
    out = tmp_path / "pics"
    r = invoke("run", sq, "--out", out, "--explain")
    assert r.exit_code == 0, r.output
    s = r.stdout
    assert "backward 1 of 1 from SumBackward0 #3 (sq.py:4)" in s
    assert "memory before backward" in s and "memory after backward" in s
    assert "graph before backward" in s and "graph after backward" in s
    assert "step by step" in s and "wrote x.grad 12 B" in s
    assert s.rstrip().splitlines()[-1] == (
        "summary: 3 nodes, 1 saved tensor (12 B), peak 40 B at seq 14, live at end 28 B"
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "backward-1-after.svg",
        "backward-1-before.svg",
    ]
    ET.parse(out / "backward-1-after.svg")


def test_run_no_graph_writes_no_pictures(sq, tmp_path):
    r = invoke("run", sq, "--out", tmp_path / "pics", "--no-graph")
    assert r.exit_code == 0
    assert "graph before" not in r.stdout and not (tmp_path / "pics").exists()


def test_run_many_backwards_shows_first_and_last_and_a_table(tmp_path):
    path = _write(tmp_path / "train.gstrace", _training(5).events)
    r = invoke("run", path, "--no-graph")
    assert r.exit_code == 0, r.output
    s = r.stdout
    assert "backward 1 of 5" in s and "backward 5 of 5" in s
    assert "backward 3 of 5" not in s
    assert "backward 2..4, one line each" in s
    assert "graph before backward" not in s and s.count("SumBackward0 #") >= 5


def test_run_cuts_the_middle_of_a_long_step_table(tmp_path):
    path = _write(tmp_path / "long.gstrace", _training(45).events)
    r = invoke("run", path, "--no-graph")
    assert r.exit_code == 0, r.output
    assert "backward 2..44, one line each" in r.stdout and "... 3 more" in r.stdout


def test_run_shows_one_table_pair_per_device_the_backward_changed(tmp_path):
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf", name="c")  # on the cpu, untouched by backward
    ev.alloc(2, 2, 400, (100,), role="leaf", name="x", device="cuda:0")
    ev.node(1, "AccumulateGrad", (), 2, (100,), device="cuda:0")
    ev.alloc(3, 3, 4, (), node=2, device="cuda:0")
    ev.node(2, "SumBackward0", (1,), 3, (), device="cuda:0")
    ev.bw_start(2)
    ev.run(2)
    ev.alloc(4, None, 400, (100,), role="grad", node=1, device="cuda:0")
    ev.run(1)
    ev.grad(2, 1, 400, 4)
    ev.bw_end(2)
    path = _write(tmp_path / "dev.gstrace", ev.events)
    r = invoke("run", path, "--no-graph")
    assert r.exit_code == 0, r.output
    assert "memory (cuda:0)" in r.stdout and "memory (cpu)" not in r.stdout
    rep = json.loads(invoke("mem", "report", path, "--json").stdout)
    assert rep["by_device"] == {
        "cpu": {"live_bytes": 12, "peak_bytes": 12},
        "cuda:0": {"live_bytes": 804, "peak_bytes": 804},
    }


def test_run_without_backward_shows_the_end(tmp_path):
    ev = Events()
    ev.alloc(1, 1, 12, (3,), role="leaf")
    path = _write(tmp_path / "nb.gstrace", ev.events)
    r = invoke("run", path, "--out", tmp_path / "o")
    assert r.exit_code == 0, r.output
    assert "memory at the end (no backward ran)" in r.stdout
    assert (tmp_path / "o" / "graph.svg").exists()


def test_run_save_copies_a_trace(sq, tmp_path):
    copy = tmp_path / "copy.gstrace"
    r = invoke("run", sq, "--no-graph", "--save", copy)
    assert r.exit_code == 0 and f"trace saved to {copy}" in r.stdout
    assert (
        invoke("mem", "report", copy, "--json").stdout
        == invoke("mem", "report", sq, "--json").stdout
    )


def test_scenarios_lists_bundled_scripts(tmp_path, monkeypatch):
    (tmp_path / "b_second.py").write_text('"""Second one.\n\nMore."""\n')
    (tmp_path / "a_first.py").write_text("'''First: x**2.'''\nimport gradscope\n")
    (tmp_path / "c_nodoc.py").write_text("x = 1\n")
    (tmp_path / "d_broken.py").write_text("def (:\n")
    (tmp_path / "_helper.py").write_text('"""Not a scenario."""\n')
    monkeypatch.setattr(scenarios_cmd, "scenarios_dir", lambda: tmp_path)
    r = invoke("scenarios")
    assert r.exit_code == 0, r.output
    rows = [ln for ln in r.stdout.splitlines() if "│" in ln and "name" not in ln]
    assert [ln.split("│")[1].strip() for ln in rows] == [
        "a_first",
        "b_second",
        "c_nodoc",
        "d_broken",
    ]
    assert "First: x**2." in r.stdout and "Second one." in r.stdout and "More." not in r.stdout
    assert "_helper" not in r.stdout


def test_scenarios_docstrings_are_not_markup(tmp_path, monkeypatch):
    (tmp_path / "idx.py").write_text('"""Pick -log(p)[y] with [bold]brackets[/bold]."""\n')
    monkeypatch.setattr(scenarios_cmd, "scenarios_dir", lambda: tmp_path)
    r = invoke("scenarios")
    assert r.exit_code == 0, r.output
    assert "-log(p)[y] with [bold]brackets[/bold]." in " ".join(r.stdout.split())


def test_scenarios_without_a_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(scenarios_cmd, "scenarios_dir", lambda: tmp_path / "none")
    r = invoke("scenarios")
    assert r.exit_code == 0 and "no bundled scenarios found" in r.stdout


# -- marks labelled like the keywords of --at, --from and --to ------------------------

KEYWORD_MARKS = """\
import gradscope as gs
x = gs.ones(1000, requires_grad=True)
gs.mark("start")
y = (x * 2).exp()
gs.mark("peak")
gs.mark("after")
loss = y.sum()
loss.backward()
gs.mark("before")
gs.mark("end")
del y, loss
"""


def test_marks_named_like_keywords_are_the_points_given(tmp_path):
    script = tmp_path / "kw.py"
    script.write_text(KEYWORD_MARKS)
    saved = tmp_path / "kw.gstrace"
    assert invoke("run", script, "--no-graph", "--save", saved).exit_code == 0
    marks = {e.label: e.seq for e in load_trace(str(saved)).events if e.kind == "mark"}
    r = invoke("graph", saved, "--at", "after")
    assert r.exit_code == 0, r.output
    assert f"graph at 'after' (seq {marks['after']})" in r.stdout
    r = invoke("graph", saved, "--at", "before")
    assert f"graph at 'before' (seq {marks['before']})" in r.stdout
    for at in ("peak", "end", "start"):
        r = invoke("mem", "why", saved, "--at", at, "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.stdout)["seq"] == marks[at], at
    r = invoke("mem", "diff", saved, "--from", "start", "--to", "end", "--json")
    d = json.loads(r.stdout)
    assert (d["seq_a"], d["seq_b"]) == (marks["start"], marks["end"])
    # the default of mem why is the peak itself, not the mark named so
    r = invoke("mem", "why", saved, "--json")
    peak = json.loads(r.stdout)["seq"]
    assert peak != marks["peak"] and json.loads(r.stdout)["at"] == "peak"


def test_run_names_a_lone_middle_backward_without_a_range(tmp_path):
    r = invoke("run", _write(tmp_path / "t3.gstrace", _training(3).events), "--no-graph")
    assert r.exit_code == 0, r.output
    assert "backward 2, one line\n" in "\n".join(x.rstrip() for x in r.stdout.splitlines()) + "\n"
    assert "2..2" not in r.stdout
    r = invoke("run", _write(tmp_path / "t5.gstrace", _training(5).events), "--no-graph")
    assert "backward 2..4, one line each" in r.stdout
