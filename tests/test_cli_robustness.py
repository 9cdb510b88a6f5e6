"""The command line under bad and unusual input, beyond tests/test_cli_errors.py and
tests/test_cli_hostile.py: every command against unreadable traces, scenarios that exit,
interrupt, change directory or swap stdout, output paths that cannot be written,
Graphviz programs that fail, odd terminal settings, and two scenarios run by one
``mem diff``. The standard (docs/cli.md): bad input gets a clear one-line error and a
non-zero exit, never a raw traceback or a silent wrong answer; a failing scenario still
leaves its trace up to the failure.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pytest
from test_cli_errors import _one_line_error
from test_cli_hostile import invoke, script

from gradscope.recorder import Trace, load_trace
from gradscope.tracefile import writer

SQUARE = """\
import gradscope as gs
x = gs.ones(3, requires_grad=True)
y = (x * x).sum()
gs.mark("before backward")
y.backward()
gs.mark("after backward")
"""

ALL_COMMANDS = {
    "run": ["run", "{t}", "--no-graph"],
    "step": ["run", "{t}", "--step"],
    "graph": ["graph", "{t}"],
    "report": ["mem", "report", "{t}"],
    "json": ["mem", "report", "{t}", "--json"],
    "why": ["mem", "why", "{t}"],
    "check": ["mem", "check", "{t}"],
    "diff": ["mem", "diff", "{t}"],
    "timeline": ["mem", "timeline", "{t}"],
    "export": ["export", "{t}", "--chrome", "{o}/out.json"],
    "html": ["report", "{t}", "--html", "{o}/out.html", "--no-graph"],
}


def _cmd(name, trace, outdir):
    return [a.format(t=trace, o=outdir) for a in ALL_COMMANDS[name]]


def _gradscope(*args, env=None, cwd=None, **kw):
    """The installed command line in a process of its own (for what must not touch this
    one: grad mode, sys.modules, the terminal width, signals)."""
    return subprocess.run(
        [sys.executable, "-m", "gradscope", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100", **(env or {})}, timeout=120, **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A folder with a real run's trace (marks, names in the header) and its lines."""
    d = tmp_path_factory.mktemp("robust")
    s = script(d, "sq.py", SQUARE)
    r = invoke("run", s, "--no-graph", "--save", d / "sq.gstrace")
    assert r.exit_code == 0, r.output
    return d


@pytest.fixture(scope="module")
def lines(work):
    return (work / "sq.gstrace").read_text().splitlines()


def _trace(folder, name, head, events, newline="\n"):
    path = folder / name
    text = "".join(json.dumps(x) + newline for x in [head, *events])
    path.write_bytes(text.encode())
    return path


# -- every command, against traces that cannot be read -------------------------------


def _unreadable(work, lines):
    head, events = json.loads(lines[0]), [json.loads(x) for x in lines[1:]]
    d = work / "bad"
    d.mkdir(exist_ok=True)
    cases = {}
    (d / "t.gstrace.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    cases["gzip"] = (d / "t.gstrace.gz", "not a gradscope trace")
    (d / "data.json").write_text(json.dumps({"a": 1}) + "\n")
    cases["other json"] = (d / "data.json", "format None")
    (d / "list.json").write_text("[1, 2]\n")
    cases["json list"] = (d / "list.json", "not a gradscope trace")
    cases["version 0"] = (_trace(d, "v0.gstrace", {**head, "version": 0}, events), "version 0")
    cases["version 1.0"] = (
        _trace(d, "vf.gstrace", {**head, "version": 1.0}, events),
        "version 1.0",
    )
    cases["newer"] = (_trace(d, "v7.gstrace", {**head, "version": 7}, events), "upgrade gradscope")
    ev = [dict(e) for e in events]
    ev[0]["t"] = float("nan")
    cases["nan time"] = (_trace(d, "nan.gstrace", head, ev), "field 't' is nan")
    ev = [dict(e) for e in events]
    del ev[0]["nbytes"]
    cases["missing field"] = (_trace(d, "miss.gstrace", head, ev), "lacks field 'nbytes'")
    ev = [dict(e) for e in events]
    ev[3]["seq"], ev[4]["seq"] = 4, 3
    cases["out of order"] = (
        _trace(d, "order.gstrace", head, ev),
        "line 5 is corrupt (seq 4 where 3",
    )
    (d / "array.gstrace").write_text(lines[0] + "\n" + json.dumps(events) + "\n")
    cases["events as one array"] = (d / "array.gstrace", "line 2 is corrupt (not a JSON object")
    (d / "deep.gstrace").write_text(lines[0] + "\n" + "[" * 100_000 + "\n")
    cases["deep nesting"] = (d / "deep.gstrace", "line 2 is corrupt (not valid JSON)")
    return cases


@pytest.mark.parametrize("command", sorted(ALL_COMMANDS))
def test_every_command_refuses_unreadable_traces_in_one_line(work, lines, command):
    for case, (path, needle) in _unreadable(work, lines).items():
        r = invoke(*_cmd(command, path, work / "bad"))
        line = _one_line_error(r, needle)
        assert r.stdout == "", (case, r.stdout)
        assert str(path) in line or path.name in line, (case, line)
    assert not (work / "bad" / "out.json").exists() and not (work / "bad" / "out.html").exists()


@pytest.mark.parametrize("command", sorted(ALL_COMMANDS))
def test_every_command_reads_crlf_bom_header_only_and_a_failed_runs_trace(work, lines, command):
    d = work / "odd"
    d.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    (d / "crlf.gstrace").write_bytes(text.replace("\n", "\r\n").encode())
    (d / "bom.gstrace").write_bytes(("\ufeff" + text).encode())
    (d / "head.gstrace").write_text(lines[0] + "\n")
    (d / "nonl.gstrace").write_text(text.rstrip("\n"))
    for name in ("crlf", "bom", "head", "nonl"):
        r = invoke(*_cmd(command, d / f"{name}.gstrace", d))
        assert r.exit_code == 0, (name, r.output)
        assert r.stderr == "" and "Traceback" not in r.output, (name, r.stderr)


# -- scenarios that exit, fail or interrupt ------------------------------------------


@pytest.mark.parametrize(
    ("tail", "code", "message"),
    [
        ("sys.exit(0)", 0, None),
        ("sys.exit()", 0, None),
        ("sys.exit(-1)", 1, "exited with status -1"),
        ("sys.exit('bye now')", 1, "bye now"),
        ("exit(5)", 1, "exited with status 5"),
        ("raise ValueError('boom')", 1, "ValueError: boom"),
        ("raise KeyboardInterrupt", 130, "interrupted"),
        ("s = input()", 1, "EOFError"),
    ],
)
def test_a_scenario_that_ends_early_keeps_its_trace_for_every_command(
    tmp_path, tail, code, message
):
    s = script(tmp_path, "early.py", SQUARE + "import sys\ngs.mark('last')\n" + tail + "\n")
    saved = tmp_path / "early.gstrace"
    r = invoke("run", s, "--no-graph", "--save", saved)
    assert r.exit_code == code, r.output
    assert "backward 1 of 1" in r.stdout and f"trace saved to {saved}" in r.stdout
    if message:
        assert message in r.stderr
    tr = load_trace(str(saved))
    assert not tr.warnings and tr.events[-1].kind == "mark" and tr.events[-1].label == "last"
    for command in ("graph", "why", "timeline", "html"):
        r = invoke(*_cmd(command, saved, tmp_path))
        assert r.exit_code == 0 and r.stderr == "", (command, r.output)


def test_os_exit_keeps_the_streamed_trace_up_to_the_last_mark(tmp_path):
    s = script(tmp_path, "hard.py", SQUARE + "import os\ngs.mark('last')\nos._exit(4)\n")
    saved = tmp_path / "hard.gstrace"
    r = _gradscope("run", s, "--no-graph", "--save", saved)
    assert r.returncode == 4  # the process is gone: nothing of gradscope's runs after it
    tr = load_trace(str(saved))
    assert not tr.warnings and tr.events[-1].kind == "mark" and tr.events[-1].label == "last"


def test_a_sibling_module_a_main_guard_arguments_and_a_unicode_path(tmp_path):
    d = tmp_path / "ü dir with spaces"
    d.mkdir()
    script(d, "helper_mod.py", "def loss(x):\n    return (x * x).sum()\n")
    s = script(d, "é main.py", """\
        import sys
        import gradscope as gs
        import helper_mod

        def main():
            x = gs.ones(3, requires_grad=True)
            helper_mod.loss(x).backward()
            print("args", sys.argv[1:])

        if __name__ == "__main__":
            main()
        """)  # fmt: skip
    r = invoke("run", s, "--save", d / "t é.gstrace", "--out", d / "pics", "--", "--lr", "0.1")
    assert r.exit_code == 0, r.output
    assert "args ['--lr', '0.1']" in r.stdout and "backward 1 of 1" in r.stdout
    assert (d / "pics" / "backward-1-after.svg").stat().st_size > 0
    assert len(load_trace(str(d / "t é.gstrace")).events) > 0


def test_a_non_ascii_file_name_in_a_picture_writes_nothing_to_stderr(tmp_path):
    s = script(tmp_path, "é.py", SQUARE)
    r = invoke("run", s, "--out", tmp_path / "pics")
    assert r.exit_code == 0
    assert r.stderr == ""


def test_a_syntax_error_does_not_claim_a_saved_trace(tmp_path):
    s = script(tmp_path, "typo.py", "x = (1,\n")
    saved = tmp_path / "typo.gstrace"
    r = invoke("run", s, "--no-graph", "--save", saved)
    assert r.exit_code == 1 and "SyntaxError" in r.stderr
    assert saved.exists() or "trace saved" not in r.stdout


def test_an_interrupt_during_the_final_save_keeps_the_streamed_trace(tmp_path, monkeypatch):
    s = script(tmp_path, "sq.py", SQUARE)
    saved = tmp_path / "sq.gstrace"
    saving = []
    original_lines, original_save = writer.write_raw_lines, Trace.save

    def lines(*args, **kwargs):
        if saving:  # Ctrl-C arrives while the rewrite writes its lines
            raise KeyboardInterrupt
        return original_lines(*args, **kwargs)

    def save(self, path):
        saving.append(path)
        try:
            original_save(self, path)
        finally:
            saving.clear()

    monkeypatch.setattr(writer, "write_raw_lines", lines)
    monkeypatch.setattr(Trace, "save", save)
    r = invoke("run", s, "--no-graph", "--save", saved)
    assert r.exit_code == 130
    monkeypatch.undo()
    assert any(e.kind == "backward_finished" for e in load_trace(str(saved)).events)


def test_a_scenario_that_changes_directory_saves_where_it_says(tmp_path, monkeypatch):
    (tmp_path / "elsewhere").mkdir()
    s = script(tmp_path, "cd.py", "import os\nos.chdir('elsewhere')\n" + SQUARE)
    monkeypatch.chdir(tmp_path)
    r = invoke("run", s.name, "--save", "rel.gstrace", "--out", "pics")
    assert r.exit_code == 0, r.output
    assert "trace saved to rel.gstrace" in r.stdout
    assert not (tmp_path / "elsewhere" / "rel.gstrace").exists()
    assert not (tmp_path / "elsewhere" / "pics").exists()
    assert (tmp_path / "pics" / "backward-1-after.svg").exists()
    assert "holders" in json.loads((tmp_path / "rel.gstrace").read_text().splitlines()[0])


def test_a_scenario_that_swaps_stdout_does_not_take_gradscopes_output(tmp_path):
    log = tmp_path / "log.txt"
    s = script(tmp_path, "swap.py", f"import sys\nsys.stdout = open({str(log)!r}, 'w')\n"
               + SQUARE)  # fmt: skip
    r = _gradscope("run", s, "--no-graph")  # its own process: the script swaps sys.stdout
    assert r.returncode == 0, r.stderr
    assert "backward 1 of 1" in r.stdout


def test_a_scenario_that_closes_stdout_still_gets_its_report(tmp_path):
    s = script(tmp_path, "close.py", SQUARE + "import sys\nsys.stdout.close()\n")
    r = _gradscope("run", s, "--no-graph")  # its own process: the script closes sys.stdout
    assert "internal error" not in r.stderr
    assert r.returncode == 0 and "backward 1 of 1" in r.stdout


# -- two scenarios in one process: mem diff A B --------------------------------------


def _versions(tmp_path):
    for v, body in (("v1", "(x * 2).sum()"), ("v2", "(x.exp() * x.exp() * x.exp()).sum()")):
        (tmp_path / v).mkdir()
        script(tmp_path / v, "model.py", f"def loss(x):\n    return {body}\n")
        script(tmp_path / v, "train.py", """\
            import gradscope as gs
            import model
            x = gs.ones(1000, requires_grad=True)
            model.loss(x).backward()
            """)  # fmt: skip
    return tmp_path / "v1" / "train.py", tmp_path / "v2" / "train.py"


def test_mem_diff_of_two_scripts_runs_each_with_its_own_sibling_modules(tmp_path):
    a, b = _versions(tmp_path)
    peak_b = json.loads(_gradscope("mem", "report", b, "--json").stdout)["peak_bytes"]
    r = _gradscope("mem", "diff", a, b, "--json", "--from", "peak", "--to", "peak")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["live_b_bytes"] == peak_b and d["change_bytes"] != 0


def test_mem_diff_of_two_scripts_does_not_carry_grad_mode_from_a_to_b(tmp_path):
    a = script(
        tmp_path, "a.py", "import gradscope as gs\ngs.set_grad_enabled(False)\nx = gs.ones(3)\n"
    )
    b = script(tmp_path, "b.py", SQUARE)
    r = _gradscope("mem", "diff", a, b)
    assert r.returncode == 0, r.stderr


def test_mem_diff_names_both_failures(tmp_path):
    a = script(tmp_path, "a.py", SQUARE + "raise ValueError('first')\n")
    b = script(tmp_path, "b.py", SQUARE + "raise ValueError('second')\n")
    r = invoke("mem", "diff", a, b)
    assert r.exit_code == 1
    assert "ValueError: first" in r.stderr and "ValueError: second" in r.stderr


# -- options and output paths --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["graph", "{t}", "--at", "-1"], "seq -1 is out of range (0.."),
        (["graph", "{t}", "--at", "1.5"], "no mark '1.5'"),
        (["graph", "{t}", "--at", ""], "no mark ''"),
        (["graph", "{t}", "--at", "99999999999999999999999"], "out of range"),
        (["mem", "why", "{t}", "--buffer", "-5"], "no buffer -5 in this trace"),
        (["mem", "why", "{t}", "--buffer", "99999"], "no buffer 99999 in this trace"),
        (["mem", "why", "{t}", "--at", "nope"], "no mark 'nope'"),
        (["mem", "diff", "{t}", "--from", "999"], "seq 999 is out of range"),
        (["mem", "diff", "{t}", "{d}/missing.gstrace"], "no such file"),
        (["mem", "check", "{t}", "--", "--x"], "script arguments need a .py scenario"),
        (["export", "{t}", "--chrome", ""], "nothing to export"),
        (["report", "{t}"], "nothing to write"),
        (["graph", "{t}", "--svg", "{d}/x.svg", "--png", "{d}/x.svg"], "both name"),
        (["graph", "{t}", "--svg", "{d}/n.svg", "--dot-binary", "/etc/passwd"], "not found"),
        (["graph", "{t}", "--svg", "{d}", "--dot-binary", "pure"], "Is a directory"),
        (["export", "{t}", "--chrome", "{d}"], "cannot write"),
        (["report", "{t}", "--html", "/proc/x.html"], "cannot write /proc/x.html"),
        (["mem", "timeline", "{t}", "--svg", "/proc/x.svg"], "cannot write /proc/x.svg"),
        (["run", "{s}", "--no-graph", "--save", "/proc/x.gstrace"], "cannot write /proc/x.gstrace"),
        (["run", "{s}", "--no-graph", "--save", "{d}"], "Is a directory"),
    ],
)
def test_bad_option_values_are_one_line(work, args, needle):
    r = invoke(*[a.format(t=work / "sq.gstrace", d=work, s=work / "sq.py") for a in args])
    _one_line_error(r, needle)


@pytest.mark.parametrize(
    "args",
    [
        ["graph", "{t}", "--max-nodes", "0"],
        ["graph", "{t}", "--max-nodes", "abc"],
        ["mem", "report", "{t}", "--top", "-1"],
        ["mem", "why", "{t}", "--top", "0"],
        ["mem", "why", "{t}", "--buffer", "abc"],
        ["mem", "timeline", "{t}", "--height", "1"],
        ["mem", "timeline", "{t}", "--height", "61"],
        ["mem", "diff", "{t}", "--top", "0"],
        ["report", "{t}", "--html", "x.html", "--top", "-1"],
        ["scenarios", "extra"],
        ["mem", "nope"],
        ["graph", "{t}", "{t}"],
    ],
)
def test_bad_option_types_and_ranges_are_usage_errors(work, args):
    r = invoke(*[a.format(t=work / "sq.gstrace") for a in args])
    assert r.exit_code == 2 and r.stdout == "" and "Traceback" not in r.output


@pytest.mark.parametrize("where", ["/proc/x.gstrace", "{d}", "{d}/sq.gstrace/x.gstrace"])
def test_run_of_a_trace_with_an_unwritable_save_is_cannot_write(work, where):
    r = invoke("run", work / "sq.gstrace", "--no-graph", "--save", where.format(d=work))
    line = _one_line_error(r, "cannot write")
    assert "internal error" not in line


def test_why_a_buffer_at_the_start_names_the_start(work):
    events = load_trace(str(work / "sq.gstrace")).events
    buf = next(e.buffer for e in events if e.kind == "tensor_allocated")  # ids vary by process
    line = _one_line_error(invoke("mem", "why", work / "sq.gstrace", "--buffer", buf, "--at", "start"),
                           "is not live before any event")  # fmt: skip
    assert "None" not in line


def test_the_at_hint_names_every_keyword_the_command_takes(work):
    line = _one_line_error(invoke("mem", "why", work / "sq.gstrace", "--at", "nope"), "no mark")
    assert "'peak'" in line and "'end'" in line and "'start'" in line


def test_a_save_path_that_a_picture_would_overwrite_is_refused(tmp_path):
    s = script(tmp_path, "sq.py", SQUARE)
    (tmp_path / "pics").mkdir()
    saved = tmp_path / "pics" / "backward-1-before.svg"
    r = invoke("run", s, "--save", saved, "--out", tmp_path / "pics")
    if r.exit_code == 0:
        assert load_trace(str(saved)).events
    else:
        _one_line_error(r, "--save")


def test_an_unwritable_out_folder_is_refused_before_the_scenario_runs(tmp_path):
    s = script(tmp_path, "loud.py", "print('it ran')\n" + SQUARE)
    r = invoke("run", s, "--out", "/proc/pictures")
    _one_line_error(r, "cannot create /proc/pictures")
    assert "it ran" not in r.stdout


# -- the Graphviz program ------------------------------------------------------------


def _program(folder, name, body):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


@pytest.mark.parametrize("how", ["GRADSCOPE_DOT", "--dot-binary"])
def test_a_failing_graphviz_program_is_one_line(work, tmp_path, how):
    prog = _program(tmp_path, "faildot", 'echo "first complaint" >&2\necho "second" >&2\nexit 3\n')
    svg = tmp_path / "g.svg"
    args = ["graph", work / "sq.gstrace", "--svg", svg]
    r = invoke(*args, env={"GRADSCOPE_DOT": str(prog)}) if how == "GRADSCOPE_DOT" else invoke(
        *args, "--dot-binary", prog)  # fmt: skip
    _one_line_error(r, "faildot failed: first complaint")
    assert not svg.exists()


def test_a_graphviz_program_that_cannot_be_executed_is_a_clear_error(work, tmp_path):
    prog = tmp_path / "notdot"
    prog.write_text("just text, no #! line\n")
    prog.chmod(0o755)
    r = invoke("graph", work / "sq.gstrace", "--svg", tmp_path / "g.svg", "--dot-binary", prog)
    line = _one_line_error(r, "notdot")
    assert "internal error" not in line


def test_a_graphviz_program_that_writes_nothing_is_an_error(work, tmp_path):
    prog = _program(tmp_path, "silentdot", "cat > /dev/null\nexit 0\n")
    svg = tmp_path / "g.svg"
    r = invoke("graph", work / "sq.gstrace", "--svg", svg, "--dot-binary", prog)
    assert r.exit_code == 2 or svg.stat().st_size > 0


def test_a_missing_graphviz_program_does_not_matter_without_pictures(work):
    env = {"GRADSCOPE_DOT": "/no/such/dot"}
    for args in (["run", "--no-graph"], ["run", "--step"], ["graph"], ["report", "--no-graph"]):
        extra = ["--html", str(work / "nog.html")] if args[0] == "report" else []
        r = invoke(args[0], work / "sq.gstrace", *args[1:], *extra, env=env)
        assert r.exit_code == 0, (args, r.output)


# -- the terminal: width, colour, a closed pipe --------------------------------------


def test_columns_zero_still_prints_the_report_and_the_error(work):
    r = invoke("mem", "report", work / "sq.gstrace", env={"COLUMNS": "0"})
    assert r.exit_code == 0 and "peak" in r.stdout
    r = invoke("graph", work / "sq.gstrace", "--at", "nope", env={"COLUMNS": "0"})
    assert r.exit_code == 2 and "no mark 'nope'" in r.stderr


@pytest.mark.parametrize("columns", ["40", "200", "-5", "abc"])
def test_odd_terminal_widths_and_no_color(work, columns):
    t = str(work / "sq.gstrace")
    for args in (["run", t, "--explain", "--out", str(work / f"w{columns}")],
                 ["mem", "report", t], ["mem", "timeline", t], ["mem", "why", t],
                 ["run", t, "--step"]):  # fmt: skip
        r = invoke(*args, env={"COLUMNS": columns, "NO_COLOR": "1", "TERM": "dumb"})
        assert r.exit_code == 0 and r.stderr == "", (args, r.output)
        assert "\x1b[" not in r.stdout
        assert "summary:" in r.stdout or "peak" in r.stdout or "why alive" in r.stdout
    r = invoke("graph", work / "sq.gstrace", "--at", "nope", env={"COLUMNS": columns})
    assert len(r.stderr.strip().splitlines()) == 1  # never wrapped


def test_a_closed_pipe_is_quiet_and_not_a_scenario_failure(work):
    r = subprocess.run(
        f"{sys.executable} -m gradscope mem report {work / 'sq.gstrace'} | head -1; "
        "exit ${PIPESTATUS[0]}",
        shell=True, executable="/bin/bash", capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "100"}, timeout=60,
    )  # fmt: skip
    assert "Traceback" not in r.stderr and r.stderr == ""
    assert r.returncode != 1


OUTPUT_OPTIONS = {
    "run --save": ["run", "{s}", "--no-graph", "--save", "{o}"],
    "graph --svg": ["graph", "{s}", "--svg", "{o}"],
    "graph --dot": ["graph", "{s}", "--dot", "{o}"],
    "timeline --svg": ["mem", "timeline", "{s}", "--svg", "{o}"],
    "export --chrome": ["export", "{s}", "--chrome", "{o}"],
    "report --html": ["report", "{s}", "--html", "{o}", "--no-graph"],
}


@pytest.mark.parametrize("where", ["folder", "under a file", "closed folder"])
@pytest.mark.parametrize("command", OUTPUT_OPTIONS)
def test_an_output_that_cannot_be_written_is_refused_before_the_scenario_runs(
    tmp_path, monkeypatch, command, where
):
    s = script(tmp_path, "loud.py", SQUARE + "print('the scenario ran')\n")
    (tmp_path / "a_file").write_text("")
    closed = tmp_path / "closed"
    closed.mkdir()
    out = {"folder": tmp_path, "under a file": tmp_path / "a_file" / "x" / "out.f"}.get(
        where, closed / "out.f"
    )
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: p != str(closed) and real_access(p, mode))
    r = invoke(*[a.format(s=s, o=out) for a in OUTPUT_OPTIONS[command]])
    reason = {"folder": "Is a directory", "under a file": "Not a directory"}.get(
        where, "Permission denied"
    )
    assert _one_line_error(r, "cannot write") == f"gradscope: error: cannot write {out}: {reason}"
    assert "the scenario ran" not in r.output
