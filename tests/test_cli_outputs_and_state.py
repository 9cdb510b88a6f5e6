"""The command line's outputs and the process a scenario runs in, beyond
tests/test_cli_robustness.py: output files checked before anything is printed, the saved
trace announced when it was written, a trace file rewritten whole or not at all, the
process put back after a scenario (also when interrupted on the way out), trace files with
blank lines at the end or a first line that is no JSON object, the `--at` keywords of
`graph`, script options given before `--`, and `mem diff` stopping at a Ctrl-C in A."""

from __future__ import annotations

import json
import os
import sys
import threading
import time

import pytest
from test_cli_errors import _one_line_error
from test_cli_hostile import invoke, script
from test_cli_robustness import SQUARE

from gradscope.events import emit
from gradscope.recorder import load_trace
from gradscope.tracefile import TraceFileError, reader, writer


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """A folder with a scenario and the trace of its run."""
    d = tmp_path_factory.mktemp("outputs")
    script(d, "sq.py", SQUARE)
    r = invoke("run", d / "sq.py", "--no-graph", "--save", d / "sq.gstrace")
    assert r.exit_code == 0, r.output
    return d


def _program(folder, name, body):
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


# -- output files: refused before anything is printed --------------------------------


def test_graph_writes_its_pictures_before_it_prints_the_tree(traced):
    r = invoke("graph", traced / "sq.gstrace", "--svg", "/proc/x.svg")
    _one_line_error(r, "cannot write /proc/x.svg")
    assert r.stdout == ""


def test_a_failing_graphviz_program_in_graph_prints_no_tree(traced, tmp_path):
    prog = _program(tmp_path, "faildot", "exit 3\n")
    r = invoke("graph", traced / "sq.gstrace", "--svg", tmp_path / "g.svg", "--dot-binary", prog)
    _one_line_error(r, "faildot failed")
    assert r.stdout == ""


def test_timeline_writes_its_svg_before_it_prints_the_chart(traced):
    r = invoke("mem", "timeline", traced / "sq.gstrace", "--svg", "/proc/x.svg")
    _one_line_error(r, "cannot write /proc/x.svg")
    assert r.stdout == ""


def test_the_out_folder_made_for_a_run_that_drew_nothing_is_removed(tmp_path):
    s = script(tmp_path, "typo.py", "x = (1,\n")
    r = invoke("run", s, "--out", tmp_path / "pics")
    assert r.exit_code == 1 and "SyntaxError" in r.stderr
    assert not (tmp_path / "pics").exists()


def test_the_saved_trace_is_announced_when_a_picture_fails_afterwards(tmp_path):
    s = script(tmp_path, "sq.py", SQUARE)
    saved = tmp_path / "sq.gstrace"
    prog = _program(tmp_path, "faildot", "exit 3\n")
    r = invoke("run", s, "--save", saved, "--out", tmp_path / "pics", "--dot-binary", prog)
    _one_line_error(r, "faildot failed")
    assert f"trace saved to {saved}" in r.stdout
    assert load_trace(str(saved)).header.get("holders")


def test_a_save_path_that_is_the_out_folder_is_refused(tmp_path):
    s = script(tmp_path, "sq.py", SQUARE)
    r = invoke("run", s, "--save", tmp_path / "pics", "--out", tmp_path / "pics")
    _one_line_error(r, "--save", "--out")


# -- --save: folders, and a rewrite that is whole or not at all ----------------------


def test_save_creates_its_folder_for_a_script_and_for_a_trace(traced, tmp_path):
    first, second = tmp_path / "a" / "b" / "s.gstrace", tmp_path / "c" / "t.gstrace"
    r = invoke("run", traced / "sq.py", "--no-graph", "--save", first)
    assert r.exit_code == 0, r.output
    r = invoke("run", traced / "sq.gstrace", "--no-graph", "--save", second)
    assert r.exit_code == 0, r.output
    assert load_trace(str(first)).events and load_trace(str(second)).events


def test_a_save_that_fails_part_way_leaves_the_file_as_it_was(traced, tmp_path, monkeypatch):
    tr = load_trace(str(traced / "sq.gstrace"))
    path = tmp_path / "t.gstrace"
    path.write_text("before\n")
    path.chmod(0o640)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "write_lines", full_disk)
    with pytest.raises(OSError):
        tr.save(str(path))
    assert path.read_text() == "before\n"
    assert os.listdir(tmp_path) == ["t.gstrace"]  # no half-written file left beside it
    monkeypatch.undo()
    tr.save(str(path))
    assert len(load_trace(str(path)).events) == len(tr.events)
    assert (path.stat().st_mode & 0o777) == 0o640


def test_a_save_through_a_link_writes_the_file_it_points_to(traced, tmp_path):
    target = tmp_path / "real.gstrace"
    target.write_text("old\n")
    link = tmp_path / "link.gstrace"
    link.symlink_to(target)
    load_trace(str(traced / "sq.gstrace")).save(str(link))
    assert link.is_symlink() and load_trace(str(target)).events


def test_a_save_to_a_pipe_writes_into_the_pipe(traced, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    t = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    t.start()
    load_trace(str(traced / "sq.gstrace")).save(str(fifo))  # not replaced by a file
    t.join(30)
    assert fifo.is_fifo() and json.loads(got[0].splitlines()[0])["format"] == "gradscope-trace"


# -- the process after a scenario ----------------------------------------------------


def test_an_interrupt_on_the_way_out_still_stops_the_recorder(traced, monkeypatch):
    from gradscope.cli import _scenario

    def interrupted(probe, keep):
        raise KeyboardInterrupt

    monkeypatch.setattr(_scenario, "_record_end", interrupted)
    argv, path, cwd, sinks = sys.argv[:], sys.path[:], os.getcwd(), list(emit.sinks)
    r = invoke("run", traced / "sq.py", "--no-graph")
    assert r.exit_code == 130 and "interrupted" in r.stderr
    assert list(emit.sinks) == sinks  # the recorder is detached: the teardown is not recorded
    assert (sys.argv, sys.path, os.getcwd()) == (argv, path, cwd)


def test_a_scenario_leaves_grad_and_anomaly_mode_as_they_were(tmp_path):
    import gradscope as gs
    from gradscope.autograd import is_anomaly_enabled

    s = script(tmp_path, "modes.py", "import gradscope as gs\n"
               "gs.set_grad_enabled(False)\ngs.autograd.set_detect_anomaly(True)\n")  # fmt: skip
    r = invoke("run", s, "--no-graph")
    assert r.exit_code == 0, r.output
    assert gs.is_grad_enabled() and not is_anomaly_enabled()


def test_a_scenarios_sibling_module_is_forgotten_after_it_ran(tmp_path):
    script(tmp_path, "sibling_only_here.py", "VALUE = 1\n")
    s = script(tmp_path, "uses.py", "import sibling_only_here\n" + SQUARE)
    r = invoke("run", s, "--no-graph")
    assert r.exit_code == 0, r.output
    assert "sibling_only_here" not in sys.modules


def test_mem_diff_does_not_run_b_after_a_ctrl_c_in_a(tmp_path):
    a = script(tmp_path, "a.py", SQUARE + "raise KeyboardInterrupt\n")
    b = script(tmp_path, "b.py", "print('b ran')\n" + SQUARE)
    r = invoke("mem", "diff", a, b)
    assert r.exit_code == 130 and "interrupted" in r.stderr
    assert "b ran" not in r.output


# -- reading traces ------------------------------------------------------------------


def test_blank_lines_at_the_end_of_a_trace_are_skipped(traced, tmp_path):
    text = (traced / "sq.gstrace").read_text()
    n = len(text.splitlines()) - 1
    path = tmp_path / "t.gstrace"
    path.write_text(text + "\n  \n\r\n")
    head, events, warnings = reader.read(str(path))
    assert len(events) == n and not warnings
    r = invoke("mem", "report", path)
    assert r.exit_code == 0 and r.stderr == "", r.output


def test_a_blank_line_with_events_after_it_is_still_corrupt(traced, tmp_path):
    lines = (traced / "sq.gstrace").read_text().splitlines(keepends=True)
    path = tmp_path / "t.gstrace"
    path.write_text("".join([*lines[:3], "\n", *lines[3:]]))
    with pytest.raises(TraceFileError, match="line 4 is corrupt"):
        reader.read(str(path))


def test_a_file_not_starting_with_a_json_object_is_refused_from_its_first_bytes(tmp_path):
    fifo = tmp_path / "model.pt"
    os.mkfifo(fifo)
    done = threading.Event()

    def feed():  # the first bytes of an archive, then no newline for as long as it takes
        with open(fifo, "wb") as f:
            f.write(b"PK\x03\x04" + b"\0" * 100)
            f.flush()
            done.wait(30)

    t = threading.Thread(target=feed)
    t.start()
    began = time.monotonic()
    try:
        with pytest.raises(TraceFileError, match="not a gradscope trace"):
            reader.read(str(fifo))  # a reader that waits for the first line waits 30 s
        assert time.monotonic() - began < 15
    finally:
        done.set()
        t.join()


# -- --at keywords, script options ---------------------------------------------------


@pytest.mark.parametrize("at", ["start", "peak"])
def test_graph_takes_start_and_peak_as_mem_why_does(traced, at):
    r = invoke("graph", traced / "sq.gstrace", "--at", at)
    assert r.exit_code == 0, r.output
    assert f"graph at '{at}'" in r.stdout and "None" not in r.stdout


def test_the_at_hint_of_graph_names_its_keywords(traced):
    line = _one_line_error(invoke("graph", traced / "sq.gstrace", "--at", "nope"), "no mark")
    for word in ("start", "before", "after", "peak", "end"):
        assert repr(word) in line


def test_the_snapshot_hint_names_the_keywords_resolve_takes(traced):
    tr = load_trace(str(traced / "sq.gstrace"))
    with pytest.raises(ValueError, match=r"or give a seq, 'before', 'after', 'end'\)"):
        tr.snapshot("nope")


def test_an_unknown_option_before_double_dash_hints_at_script_arguments(traced):
    r = invoke("run", traced / "sq.py", "--lr", "1")
    assert r.exit_code == 2 and "script arguments go after --" in r.output
    assert "Possible options: --help" not in r.output
    r = invoke("run", traced / "sq.py", "--no-grap")
    assert "--no-graph" in r.output and "script arguments" not in r.output


def test_a_mem_report_as_json_to_a_reader_that_went_away_exits_141(traced, monkeypatch):
    import typer

    def gone(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(typer, "echo", gone)
    r = invoke("mem", "report", traced / "sq.gstrace", "--json")
    assert r.exit_code == 141 and "internal error" not in r.stderr
