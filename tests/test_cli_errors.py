"""Bad usage and unreadable input: exit 2 and one line on stderr, no traceback."""

import json

import pytest
from test_state_builder import square_sum
from typer.testing import CliRunner

from gradscope.cli.app import app
from gradscope.tracefile import writer

ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}


def invoke(*args, env=None):
    return CliRunner().invoke(app, list(args), env={**ENV, **(env or {})})


@pytest.fixture
def trace_file(tmp_path):
    path = tmp_path / "sq.gstrace"
    writer.write(str(path), writer.header(scenario="sq.py", baseline_bytes={}), square_sum().events)
    return path


def _one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gradscope: error: ")
    assert "Traceback" not in result.output
    for n in needles:
        assert n in lines[0]
    return lines[0]


def _bad_files(tmp_path, trace_file):
    lines = trace_file.read_text().splitlines()
    head = json.loads(lines[0])
    cases = {}
    cases["missing"] = (tmp_path / "nope.gstrace", "no such file")
    cases["directory"] = (tmp_path, "is a directory")
    (tmp_path / "empty.gstrace").write_text("")
    cases["empty"] = (tmp_path / "empty.gstrace", "is empty")
    (tmp_path / "notes.txt").write_text("just some notes\n")
    cases["neither"] = (tmp_path / "notes.txt", "not a gradscope trace")
    (tmp_path / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    cases["binary"] = (tmp_path / "image.bin", "not a gradscope trace")
    (tmp_path / "other.gstrace").write_text(json.dumps({**head, "format": "other"}) + "\n")
    cases["format"] = (tmp_path / "other.gstrace", "format 'other'")
    (tmp_path / "newer.gstrace").write_text(json.dumps({**head, "version": 99}) + "\n")
    cases["newer"] = (tmp_path / "newer.gstrace", "version 99")
    corrupt = lines[:]
    corrupt[5] = '{"kind": "tensor_freed", oops'
    (tmp_path / "corrupt.gstrace").write_text("\n".join(corrupt) + "\n")
    cases["corrupt"] = (tmp_path / "corrupt.gstrace", "line 6 is corrupt")
    unknown = lines[:]
    unknown[3] = json.dumps({**json.loads(lines[3]), "kind": "teleported"})
    (tmp_path / "kind.gstrace").write_text("\n".join(unknown) + "\n")
    cases["kind"] = (tmp_path / "kind.gstrace", "line 4 is corrupt (unknown event kind")
    wrong = lines[:]
    wrong[1] = json.dumps({**json.loads(lines[1]), "nbytes": "many"})
    (tmp_path / "wrongtype.gstrace").write_text("\n".join(wrong) + "\n")
    cases["wrong type"] = (
        tmp_path / "wrongtype.gstrace",
        "line 2 is corrupt (tensor_allocated event: field 'nbytes' is 'many', not a non-negative integer)",
    )
    return cases


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "directory",
        "empty",
        "neither",
        "binary",
        "format",
        "newer",
        "corrupt",
        "kind",
        "wrong type",
    ],
)
@pytest.mark.parametrize("command", [["graph"], ["mem", "report"], ["run"]])
def test_unreadable_input_is_exit_2_with_one_line(tmp_path, trace_file, case, command):
    path, needle = _bad_files(tmp_path, trace_file)[case]
    _one_line_error(invoke(*command, str(path)), needle)


def test_missing_scenario_and_scenario_directory(tmp_path):
    _one_line_error(invoke("run", str(tmp_path / "missing.py")), "no such file", "missing.py")
    (tmp_path / "pkg.py").mkdir()
    _one_line_error(invoke("graph", str(tmp_path / "pkg.py")), "is a directory")


def test_a_truncated_last_line_warns_and_shows_what_came_before(tmp_path, trace_file):
    text = trace_file.read_text()
    cut = tmp_path / "cut.gstrace"
    cut.write_text(text[:-25])
    result = invoke("mem", "report", str(cut))
    assert result.exit_code == 0, result.output
    assert "warning:" in result.stderr and "truncated" in result.stderr
    n_lines = text.count("\n")
    assert f"line {n_lines} is truncated" in result.stderr
    assert f"{n_lines - 2} events" in result.stdout


@pytest.mark.parametrize(
    ("at", "needle"),
    [("nope", "no mark 'nope'"), ("999", "seq 999 is out of range")],
)
def test_bad_at_is_exit_2(trace_file, at, needle):
    _one_line_error(invoke("graph", str(trace_file), "--at", at), needle)


def test_missing_graphviz_binary_is_exit_2(tmp_path, trace_file):
    svg = tmp_path / "g.svg"
    r = invoke("graph", str(trace_file), "--svg", str(svg), env={"GRADSCOPE_DOT": "/no/dot"})
    _one_line_error(r, "Graphviz binary '/no/dot' not found")
    r = invoke("graph", str(trace_file), "--svg", str(svg), "--dot-binary", "/no/dot2")
    _one_line_error(r, "'/no/dot2' not found")
    assert not svg.exists()
    r = invoke("run", str(trace_file), "--out", str(tmp_path), env={"GRADSCOPE_DOT": "/no/dot"})
    _one_line_error(r, "not found")


def test_unwritable_outputs_are_exit_2(tmp_path, trace_file):
    blocker = tmp_path / "file"
    blocker.write_text("")
    _one_line_error(
        invoke("graph", str(trace_file), "--svg", str(blocker / "g.svg")), "cannot write"
    )
    _one_line_error(invoke("run", str(trace_file), "--out", str(blocker / "d")), "cannot create")


def test_usage_errors_are_exit_2():
    assert invoke("graph").exit_code == 2
    assert invoke("run", "x.py", "--no-such-option").exit_code == 2
    assert invoke("nonsense").exit_code == 2
    assert invoke("mem", "report", "x", "--top", "-1").exit_code == 2


def test_trace_files_take_no_script_arguments(trace_file):
    _one_line_error(invoke("run", str(trace_file), "--", "--lr", "1"), "script arguments")


# -- an output that is the input ----------------------------------------------------

SCRIPT = """\
import gradscope as gs
print("it ran")
x = gs.ones(2, requires_grad=True)
(x * 2).sum().backward()
"""


@pytest.mark.parametrize(
    "command",
    [
        ["run", "{input}", "--save", "{output}"],
        ["run", "{input}", "--no-graph", "--save", "{output}"],
        ["graph", "{input}", "--svg", "{output}"],
        ["graph", "{input}", "--png", "{output}"],
        ["graph", "{input}", "--dot", "{output}"],
        ["mem", "timeline", "{input}", "--svg", "{output}"],
        ["report", "{input}", "--html", "{output}"],
        ["export", "{input}", "--chrome", "{output}"],
    ],
)
@pytest.mark.parametrize("kind", ["script", "trace"])
@pytest.mark.parametrize("spelling", ["same", "dotdot", "link"])
def test_an_output_that_is_the_input_is_refused_before_anything_runs(
    tmp_path, trace_file, command, kind, spelling, monkeypatch
):
    if kind == "script":
        source = tmp_path / "s2.py"
        source.write_text(SCRIPT)
    else:
        source = trace_file
    before = source.read_bytes()
    output = str(source)
    if spelling == "dotdot":
        (tmp_path / "sub").mkdir()
        output = str(tmp_path / "sub" / ".." / source.name)
    elif spelling == "link":
        link = tmp_path / "link"
        link.symlink_to(source)
        output = str(link)
    monkeypatch.chdir(tmp_path)
    args = [a.format(input=source.name, output=output) for a in command]
    r = invoke(*args)
    line = _one_line_error(r, "is the input file", source.name)
    assert line.endswith("give another path")
    assert "it ran" not in r.output and source.read_bytes() == before


def test_paths_are_compared_resolved_even_before_the_output_exists(tmp_path, monkeypatch):
    from gradscope.cli._write import same_file

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "jump").symlink_to(tmp_path / "b")  # a/jump/.. is tmp_path, not a
    monkeypatch.chdir(tmp_path)
    assert same_file("a/jump/../new.py", "new.py") and same_file("b/../new.py", "new.py")
    assert not same_file("a/new.py", "new.py") and not same_file("a/jump/new.py", "new.py")
    (tmp_path / "s.py").write_text(SCRIPT)
    r = invoke("run", "s.py", "--no-graph", "--save", "a/jump/../s.py")
    _one_line_error(r, "--save a/jump/../s.py is the input file s.py")
    assert (tmp_path / "s.py").read_text() == SCRIPT


def test_pictures_in_out_would_overwrite_the_input(tmp_path, trace_file):
    pics = tmp_path / "pics"
    pics.mkdir()
    for name in ("backward-1-before.svg", "backward-12-after.svg", "graph.svg"):
        src = pics / name
        src.write_bytes(trace_file.read_bytes())
        r = invoke("run", str(src), "--out", str(pics))
        _one_line_error(r, "--out", "would overwrite the input file", name)
        assert src.read_bytes() == trace_file.read_bytes()
        # with no pictures, nothing is written into --out
        assert invoke("run", str(src), "--out", str(pics), "--no-graph").exit_code == 0
    _one_line_error(invoke("run", str(trace_file), "--out", str(trace_file)), "would overwrite")
    other = pics / "notes.gstrace"
    other.write_bytes(trace_file.read_bytes())
    assert invoke("run", str(other), "--out", str(pics)).exit_code == 0, "another name is fine"


def test_a_bundled_scenario_is_not_overwritten_either(tmp_path, monkeypatch):
    from gradscope.cli import _input

    (tmp_path / "tiny.py").write_text(SCRIPT)
    monkeypatch.setattr(_input, "scenarios_dir", lambda: tmp_path)
    monkeypatch.chdir(tmp_path / "..")
    r = invoke("run", "tiny", "--no-graph", "--save", str(tmp_path / "tiny.py"))
    _one_line_error(r, "--save", "is the input file tiny")
    assert (tmp_path / "tiny.py").read_text() == SCRIPT


@pytest.mark.parametrize(
    "args",
    [
        ("graph", "{trace}", "--svg", "g.svg", "--png", "./g.svg"),
        ("graph", "{trace}", "--dot", "g.dot", "--svg", "sub/../g.dot"),
    ],
)
def test_two_outputs_naming_one_file_are_refused(tmp_path, monkeypatch, trace_file, args):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    r = invoke(*[a.format(trace=trace_file) for a in args])
    line = _one_line_error(r, "both name")
    assert line.endswith("give each its own file")
    assert not (tmp_path / "g.svg").exists() and not (tmp_path / "g.dot").exists()
