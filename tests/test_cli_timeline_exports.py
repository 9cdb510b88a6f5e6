"""``mem timeline``, ``export --chrome``, ``report --html`` and ``run --step`` through the
command line, on hand-written trace files and on small scenarios, at a pinned width."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from test_state_builder import relu_chain, square_sum
from typer.testing import CliRunner

from gradscope.cli.app import app
from gradscope.recorder import load_trace
from gradscope.tracefile import writer

ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}

SCRIPT = '''\
"""Two layers and a loss, with marks."""
import gradscope as gs

gs.manual_seed(0)
w = gs.tensor([1.0, -2.0, 3.0], requires_grad=True)
h = (w * 2).relu()
loss = h.sum()
gs.mark("before backward")
loss.backward()
gs.mark("after backward")
print("grad", w.grad.tolist())
'''


def invoke(*args, width=100):
    return CliRunner().invoke(app, [str(a) for a in args], env={**ENV, "COLUMNS": str(width)})


@pytest.fixture
def sq(tmp_path):
    path = tmp_path / "sq.gstrace"
    writer.write(str(path), writer.header(baseline_bytes={}, scenario="sq.py"), square_sum().events)
    return path


@pytest.fixture
def script(tmp_path):
    path = tmp_path / "layers.py"
    path.write_text(SCRIPT)
    return path


def test_help_of_the_new_commands():
    for cmd in (["mem", "timeline"], ["export"], ["report"]):
        r = invoke(*cmd, "--help")
        assert r.exit_code == 0 and "Examples" in r.stdout, cmd
    r = invoke("run", "--help")
    assert "--step" in r.stdout


def test_mem_timeline_of_a_trace_in_the_terminal_and_as_svg(sq, tmp_path):
    out = tmp_path / "pics" / "t.svg"
    r = invoke("mem", "timeline", sq, "--svg", out, "--height", "6")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("memory timeline  21 events, peak 40 B (40 B) at seq 14")
    assert max(len(x) for x in lines) <= 100
    assert sum(1 for x in lines if re.match(r"\s*(\S+ B)? +[┤│]", x)) == 6
    assert "▼ peak 40 B at seq 14" in r.stdout
    assert "backward 1: seq 9..19 from SumBackward0 #3 (sq.py:4)" in r.stdout
    assert "marks: 1 'before backward' (seq 8), 2 'after backward' (seq 20)" in r.stdout
    assert "largest buffers live at the peak (seq 14)" in r.stdout
    assert f"wrote {out}" in r.stdout
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert 'href="#node-2"' in out.read_text()


def test_mem_timeline_runs_a_scenario(script):
    r = invoke("mem", "timeline", script, "--top", "2")
    assert r.exit_code == 0, r.output
    assert "grad [2.0, 0.0, 2.0]" in r.stdout  # the script's own print
    assert "memory timeline" in r.stdout and "layers.py:6" in r.stdout
    table = r.stdout.split("largest buffers live at the peak")[1]
    assert len([x for x in table.splitlines() if x.startswith("│")]) == 2


def test_export_chrome(sq, tmp_path):
    out = tmp_path / "sq.json"
    r = invoke("export", sq, "--chrome", out)
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    phases = {e["ph"] for e in doc["traceEvents"]}
    assert {"C", "i", "X", "M"} <= phases
    assert doc["otherData"]["scenario"] == "sq.py"


def test_export_of_a_live_run_matches_its_trace(script, tmp_path):
    trace = tmp_path / "t.gstrace"
    assert invoke("run", script, "--no-graph", "--save", trace).exit_code == 0
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke("export", trace, "--chrome", a).exit_code == 0
    assert invoke("export", script, "--chrome", b).exit_code == 0
    da, db = json.loads(a.read_text()), json.loads(b.read_text())

    def strip(doc):  # node ids count on across runs in one process
        return [
            (e["ph"], re.sub(r"#\d+", "#", e["name"])) for e in doc["traceEvents"] if e["ph"] != "M"
        ]

    assert strip(da) == strip(db)


def test_export_needs_a_format_and_a_writable_path(sq):
    r = invoke("export", sq)
    assert r.exit_code == 2 and "give --chrome OUT.json" in r.stderr
    r = invoke("export", sq, "--chrome", "/proc/nope/x.json")
    assert r.exit_code == 2 and r.stderr.startswith("gradscope: error: cannot write /proc/nope")


def test_report_html_of_a_scenario(script, tmp_path):
    out = tmp_path / "r.html"
    r = invoke("report", script, "--html", out)
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page)
    assert "<script" not in page
    assert page.count("<svg") == 3  # the timeline, the graph before and after
    assert "graph before backward 1 of 1" in page and "graph after backward 1 of 1" in page
    ids = set(re.findall(r'<g id="(node-\d+)" class="node">', page))
    links = set(re.findall(r'href="#(node-\d+)"', page))
    assert links and links <= ids, "every link to a node lands on a box of the graph"
    assert "memory before backward 1 of 1" in page and "saved for backward" in page


def test_report_html_of_a_trace_without_graphs(sq, tmp_path):
    out = tmp_path / "r.html"
    r = invoke("report", sq, "--html", out, "--no-graph")
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert page.count("<svg") == 1 and "sq.py" in page


def test_report_needs_html(sq):
    r = invoke("report", sq)
    assert r.exit_code == 2 and "give --html OUT.html" in r.stderr


def test_run_step_without_a_terminal_prints_every_step_with_values(script, tmp_path):
    trace = tmp_path / "s.gstrace"
    r = invoke("run", script, "--step", "--save", trace, width=160)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "gradients: values captured during the run" in out
    assert "step by step" in out and "SumBackward0" in out and "ReluBackward0" in out
    assert "() [1.]" in out  # the loss's gradient
    assert "(3,) [2., 0., 2.]" in out  # what reaches w's AccumulateGrad
    assert "w.grad = grad" in out and "summary:" in out
    # stepping hooks nothing into the trace: the same events as a plain run
    plain = tmp_path / "p.gstrace"
    assert invoke("run", script, "--no-graph", "--save", plain).exit_code == 0

    def memory(path):
        return [(e.kind, e.live_bytes) for e in load_trace(str(path)).events]

    assert memory(trace) == memory(plain)


def test_run_step_on_a_trace_shows_shapes_only(sq):
    r = invoke("run", sq, "--step", width=160)
    assert r.exit_code == 0, r.output
    assert "shapes only" in r.stdout and "x.grad = grad (12 B)" in r.stdout
    assert "[1." not in r.stdout


def test_run_step_leaves_no_hooks_behind(script):
    import gradscope.autograd as ag

    before = ag.run_backward
    assert invoke("run", script, "--step").exit_code == 0
    assert ag.run_backward is before


def test_timeline_of_a_long_chain_is_sampled(tmp_path):
    path = tmp_path / "chain.gstrace"
    writer.write(str(path), writer.header(baseline_bytes={}), relu_chain(1500, numel=10).events)
    r = invoke("mem", "timeline", path, "--svg", tmp_path / "c.svg")
    assert r.exit_code == 0, r.output
    assert "peak" in r.stdout
    assert (tmp_path / "c.svg").stat().st_size < 400_000


def test_report_links_land_on_collapsed_boxes(tmp_path):
    path = tmp_path / "chain.gstrace"
    writer.write(str(path), writer.header(baseline_bytes={}), relu_chain(6, numel=10).events)
    out = tmp_path / "chain.html"
    r = invoke("report", path, "--html", out)
    assert r.exit_code == 0, r.output
    page = out.read_text()
    assert "ReluBackward0 x6" in page  # the run of ReLUs is one box
    ids = set(re.findall(r'<g id="(node-\d+)" class="node">', page))
    links = set(re.findall(r'href="#(node-\d+)"', page))
    assert len(links) >= 2 and links <= ids


def test_run_step_needs_no_graphviz(script):
    r = invoke("run", script, "--step", "--dot-binary", "/nonexistent/dot")
    assert r.exit_code == 0, r.output
    assert "step by step" in r.stdout


class _Finding:
    def __init__(self, **kw):
        self.kw = kw

    def as_dict(self):
        return dict(self.kw)


def _src(tmp_path):
    from gradscope.cli._input import load

    path = tmp_path / "sq.gstrace"
    writer.write(str(path), writer.header(baseline_bytes={}), square_sum().events)
    return load(str(path))


def test_findings_come_from_the_checks_module_when_there(tmp_path, monkeypatch):
    import sys
    import types

    from gradscope.cli.html_report import findings

    fake = types.ModuleType("gradscope.state.leaks")
    fake.check = lambda events, baseline, holders: [_Finding(check="growth", title="grows")]
    monkeypatch.setitem(sys.modules, "gradscope.state.leaks", fake)
    assert findings(_src(tmp_path)) == [{"check": "growth", "title": "grows"}]

    def broken(*_a):
        raise RuntimeError("boom")

    fake.check = broken
    (only,) = findings(_src(tmp_path))
    assert "could not run" in only["title"] and "boom" in only["title"]

    monkeypatch.setitem(sys.modules, "gradscope.state.leaks", None)  # not installed
    monkeypatch.setitem(sys.modules, "gradscope.state.checks", None)
    assert findings(_src(tmp_path)) is None


@pytest.mark.parametrize(
    "scenario",
    [
        "square_sum",
        "accumulation",
        "leak_retain_graph",
        "softmax_cross_entropy",
        "second_derivative",
    ],
)
def test_every_link_of_the_html_report_lands_in_the_page(scenario, tmp_path):
    out = tmp_path / f"{scenario}.html"
    r = invoke("report", scenario, "--html", out)
    assert r.exit_code == 0, r.output
    page = out.read_text()
    links = set(re.findall(r'href="#([^"]+)"', page))
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    assert links and links <= ids, f"links to nothing: {sorted(links - ids)}"
    if scenario == "square_sum":  # x.grad, at the peak, links to its leaf x
        (leaf,) = re.findall(r'<a href="#(tensor-\d+)"><text[^>]*>12 B  gradients  x\.grad', page)
        assert re.search(
            rf'<g id="{leaf}" class="node"><title>t\d+</title>\s*<[^>]+>\s*<text[^>]*>x<', page
        )


def test_graph_before_backward_marks_the_loss(sq, tmp_path):
    dot = tmp_path / "b.dot"
    for at in ("before backward", "before", "8"):
        r = invoke("graph", sq, "--at", at, "--dot", dot)
        assert r.exit_code == 0, r.output
        assert "SumBackward0 #3 loss" in r.stdout, at
        (line,) = [x for x in dot.read_text().splitlines() if x.startswith("  n3 ")]
        assert 'label="loss\\nSumBackward0' in line and 'fillcolor="#f8d3cf"' in line


def test_html_report_boxes_name_their_own_saved_slots(tmp_path):
    script = tmp_path / "slots.py"
    script.write_text(
        "import gradscope as gs\n"
        "x = gs.randn(3, requires_grad=True)\n"
        "loss = (gs.exp(gs.sin(x)) * x).sum()\n"
        "loss.backward()\n"
    )
    out = tmp_path / "slots.html"
    r = invoke("report", script, "--html", out)
    assert r.exit_code == 0, r.output
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", out.read_text())
    assert "saved self 12 B" in texts and "saved result 12 B" in texts
    assert not [t for t in texts if t.startswith("saved") and "/" in t]
