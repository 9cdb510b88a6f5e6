"""Hostile input to the command line, beyond tests/test_cli_errors.py: a trace of a million
events, scenarios that never call backward, call it 10,000 times, print 100,000 lines or
call sys.exit(2) or sys.exit(3), markup characters in every string a trace carries, and trace lines whose
fields have the wrong type. Each ends with the exit code and message the contract gives,
and keeps what was recorded before the failure."""

from __future__ import annotations

import builtins
import html
import json
import os
import re
import resource
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

import gradscope as gs
import gradscope.nn.functional as F
from gradscope.cli.app import app
from gradscope.events.schema import to_dict
from gradscope.recorder import load_trace
from gradscope.tracefile import TraceFileError, reader, writer

ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}


def invoke(*args, env=None):
    return CliRunner().invoke(app, [str(a) for a in args], env={**ENV, **(env or {})})


def script(folder, name, text):
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


# -- a trace of a million events -----------------------------------------------------

_IDS = ("buffer", "tensor", "node", "output", "root")


def _training_steps(n: int):
    W = gs.randn(4, 3, requires_grad=True)
    x = gs.randn(8, 4)
    t = gs.randint(0, 3, (8,))
    with gs.trace() as tr:
        for _ in range(n):
            gs.mark("step")
            loss = F.cross_entropy(x @ W, t)
            loss.backward()
            with gs.no_grad():
                W -= 0.1 * W.grad
            W.grad = None
    return tr


def synthetic_trace(path, n_events: int) -> int:
    """Write a trace of ``n_events`` events: one recorded training step repeated, each
    copy with the ids, seq and times it would have had. Returns the events per step."""
    tr = _training_steps(4)
    evs = [to_dict(e) for e in tr.events]
    starts = [i for i, e in enumerate(evs) if e["kind"] == "mark"]
    one, two = evs[starts[1] : starts[2]], evs[starts[2] : starts[3]]
    assert [e["kind"] for e in one] == [e["kind"] for e in two]
    base, delta, lines = [], [], []
    for a, b in zip(one, two):  # each value that changes from step to step becomes a slot
        d = dict(a)

        def slot(x, y):
            base.append(x)
            delta.append(y - x)
            return f"\x00{len(base) - 1}\x00"

        d["seq"] = slot(0, 0)
        d["t"] = slot(a["t"], b["t"])
        for k in _IDS:
            if type(d.get(k)) is int:
                d[k] = slot(a[k], b[k])
        if d.get("inputs"):
            d["inputs"] = [slot(x, y) if x is not None else None
                           for x, y in zip(a["inputs"], b["inputs"])]  # fmt: skip
        lines.append(json.dumps(d, separators=(",", ":")))
    template = "\n".join(lines).replace("{", "{{").replace("}", "}}") + "\n"
    template = re.sub(r'"\\u0000(\d+)\\u0000"', r"{\1}", template)
    seq_slots = [i for i, x in enumerate(base) if x == 0 and delta[i] == 0]
    per = len(one)
    head = writer.header(
        scenario=None, devices=["cpu"], baseline_bytes={"cpu": one[0]["live_bytes"]}
    )
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(head) + "\n")
        for j in range(n_events // per):
            vals = [x + j * dx for x, dx in zip(base, delta)]
            for k, i in enumerate(seq_slots):
                vals[i] = j * per + k
            f.write(template.format(*vals))
    return per


class _NoWholeRead:
    """A file that refuses ``read()`` and remembers the most bytes any one call returned."""

    def __init__(self, f) -> None:
        self._f = f
        self.largest = 0

    def _seen(self, data):
        size = sum(map(len, data)) if isinstance(data, list) else len(data)
        self.largest = max(self.largest, size)
        return data

    def read(self, *args):
        raise AssertionError("the trace reader read the whole file at once")

    def readline(self, *args):
        return self._seen(self._f.readline(*args))

    def readlines(self, *args):
        return self._seen(self._f.readlines(*args))

    def __iter__(self):
        return (self._seen(line) for line in self._f)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __getattr__(self, name):
        return getattr(self._f, name)


@pytest.mark.big
def test_a_million_event_trace_is_streamed_loads_fast_and_runs(tmp_path, monkeypatch, capsys):
    path = tmp_path / "huge.gstrace"
    per = synthetic_trace(path, 1_000_000)
    n = 1_000_000 // per * per
    size = os.path.getsize(path)

    opened = []

    def guarded_open(*args, **kwargs):
        opened.append(_NoWholeRead(builtins.open(*args, **kwargs)))
        return opened[-1]

    monkeypatch.setattr(reader, "open", guarded_open, raising=False)
    t0 = time.perf_counter()
    tr = load_trace(str(path))
    load_s = time.perf_counter() - t0
    monkeypatch.undo()
    assert len(tr.events) == n and tr.events[-1].seq == n - 1 and not tr.warnings
    largest = opened[0].largest
    assert largest <= 4 << 20, f"one read returned {largest:,} bytes of a {size:,}-byte file"
    assert load_s < 60, f"loading {n:,} events took {load_s:.1f} s"
    del tr

    # the whole command in its own process, for its time and peak memory
    code = "from gradscope.cli.app import main; main()"
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("GRADSCOPE_DOT", None)
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code, "run", str(path), "--no-graph"],
                       capture_output=True, text=True, env=env, timeout=900)  # fmt: skip
    run_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert p.returncode == 0, p.stderr
    assert rss_mb < 3000, f"peak RSS {rss_mb:.0f} MB"
    out = p.stdout.splitlines()
    spans = n // per
    assert out[0].startswith(f"{path}: {n} events") and f"{spans} backward calls" in out[0]
    assert f"backward 1 of {spans}" in p.stdout and f"backward {spans} of {spans}" in p.stdout
    assert len(out) < 150 and out[-1].startswith("summary: ")
    assert p.stderr == ""
    with capsys.disabled():
        print(f"\n1M-event trace: {size / 1e6:.0f} MB, load {load_s:.1f} s, largest read "
              f"{largest / 1e6:.1f} MB; `run --no-graph` {run_s:.1f} s, {len(out)} lines, "
              f"peak RSS {rss_mb:.0f} MB")  # fmt: skip


# -- scenarios that do odd things ----------------------------------------------------


def test_a_scenario_that_never_calls_backward(tmp_path):
    s = script(tmp_path, "forward_only.py", """\
        import gradscope as gs
        W = gs.randn(4, 3, requires_grad=True)
        h = (gs.randn(2, 4) @ W).relu()
        gs.mark("no backward")
        """)  # fmt: skip
    saved, pics = tmp_path / "f.gstrace", tmp_path / "pics"
    r = invoke("run", s, "--save", saved, "--out", pics)
    assert r.exit_code == 0, r.output
    assert "0 backward calls" in r.stdout.splitlines()[0]
    assert "memory at the end (no backward ran)" in r.stdout
    assert "graph at the end" in r.stdout and "ReluBackward0" in r.stdout
    assert (pics / "graph.svg").exists()
    assert r.stdout.splitlines()[-2].startswith("summary: 3 nodes, 2 saved tensors")
    assert any(e.kind == "mark" for e in load_trace(str(saved)).events)
    for cmd in (["graph"], ["mem", "report"], ["mem", "report", "--json"]):
        assert invoke(*cmd, saved).exit_code == 0, cmd
    r = invoke("graph", saved, "--at", "before")
    assert r.exit_code == 2 and "no backward in this trace" in r.stderr


def test_ten_thousand_backward_calls_give_a_short_report(tmp_path):
    s = script(tmp_path, "loop.py", """\
        import gradscope as gs
        w = gs.randn(4, requires_grad=True)
        for i in range(10_000):
            (w * w).sum().backward()
        print("done")
        """)  # fmt: skip
    r = invoke("run", s, "--out", tmp_path / "pics")
    assert r.exit_code == 0, r.output
    out = r.stdout.splitlines()
    assert out[0] == "done" and "10000 backward calls" in out[1]
    assert "backward 1 of 10000 from SumBackward0" in r.stdout
    assert "backward 10000 of 10000 from SumBackward0" in r.stdout
    assert "backward 2..9999, one line each" in r.stdout and "... 9958 more" in r.stdout
    assert len(out) < 150, len(out)
    # pictures for the first and last backward only
    assert sorted(p.name for p in (tmp_path / "pics").iterdir()) == [
        "backward-1-after.svg", "backward-1-before.svg",
        "backward-10000-after.svg", "backward-10000-before.svg",
    ]  # fmt: skip


def test_a_scenario_that_prints_a_hundred_thousand_lines(tmp_path):
    s = script(tmp_path, "chatty.py", """\
        import gradscope as gs
        x = gs.ones(3, requires_grad=True)
        for i in range(100_000):
            print("line", i)
        (x * 2).sum().backward()
        """)  # fmt: skip
    r = invoke("run", s, "--no-graph")
    assert r.exit_code == 0, r.output
    out = r.stdout.splitlines()
    assert out[:100_000] == [f"line {i}" for i in range(100_000)]  # all of it, in order
    assert "1 backward call" in out[100_000] and out[-1].startswith("summary: ")
    # with --json the prints go to stderr and stdout stays one JSON document
    r = invoke("mem", "report", s, "--json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["backwards"][0]["root_op"] == "SumBackward0"
    assert r.stderr.count("\n") >= 100_000


@pytest.mark.parametrize("status", [2, 3])
def test_sys_exit_n_fails_the_scenario_and_keeps_the_report_and_the_saved_trace(tmp_path, status):
    s = script(tmp_path, "bail.py", """\
        import sys
        import gradscope as gs
        x = gs.ones(3, requires_grad=True)
        (x * 3).sum().backward()
        gs.mark("before exit")
        sys.exit(STATUS)
        print("never")
        """.replace("STATUS", str(status)))  # fmt: skip
    saved = tmp_path / "bail.gstrace"
    r = invoke("run", s, "--no-graph", "--save", saved)
    assert r.exit_code == 1, r.output  # 2 would read as bad usage: any status is a failure
    assert f"gradscope: {s} exited with status {status}\n" in r.stderr
    assert "shown above is what it recorded before that" in r.stderr
    assert "backward 1 of 1" in r.stdout and "never" not in r.stdout
    assert f"trace saved to {saved}" in r.stdout
    assert "Traceback" not in r.output
    tr = load_trace(str(saved))
    assert not tr.warnings and tr.events[-1].kind == "mark"
    assert tr.events[-1].label == "before exit"


def test_an_interrupt_exits_130_and_keeps_the_trace(tmp_path):
    s = script(tmp_path, "ctrl_c.py", """\
        import gradscope as gs
        x = gs.ones(3, requires_grad=True)
        (x * 3).sum().backward()
        raise KeyboardInterrupt
        """)  # fmt: skip
    saved = tmp_path / "c.gstrace"
    r = invoke("run", s, "--no-graph", "--save", saved)
    assert r.exit_code == 130 and "interrupted" in r.stderr
    assert "backward 1 of 1" in r.stdout
    assert [e.kind for e in load_trace(str(saved)).events].count("backward_finished") == 1


# -- markup characters in every string a trace carries -------------------------------

EVIL = "[bold]W</text>&amp;\"q'[/]"
EVIL_OP = "[red]Exp<&>Backward0[/]"
EVIL_MARK = "[bold red]boom[/] <b>&amp; \"q\" 's' [/]"


@pytest.fixture
def evil_dir(tmp_path):
    d = tmp_path / "we[bold]ird <&> \"q\" 'x'"
    d.mkdir()
    return d


def _evil_trace(evil_dir):
    """A real run of a scenario in an evil folder, then every name, op and slot made evil."""
    s = script(evil_dir, "[red]s&<t>.py", f"""\
        import gradscope as gs
        W = gs.randn(3, requires_grad=True)
        y = (W.exp() * 2).sum()
        gs.mark({EVIL_MARK!r})
        y.backward()
        """)  # fmt: skip
    plain = evil_dir / "plain.gstrace"
    r = invoke("run", s, "--no-graph", "--save", plain)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"{s}: ")  # the path is printed as it is, not as markup
    assert f"({s.name}:3)" in r.stdout
    lines = plain.read_text().splitlines()
    head = {**json.loads(lines[0]), "scenario": str(s)}
    for rec in head.get("holders") or ():  # the names the script held tensors by, too
        for ref in rec["refs"]:
            if ref["name"] == "W":
                ref["name"] = EVIL
    out = [json.dumps(head)]
    for line in lines[1:]:
        d = json.loads(line)
        if d.get("name"):
            d["name"] = EVIL + (".grad" if d["name"].endswith(".grad") else "")
        if d.get("op") == "ExpBackward0":
            d["op"] = EVIL_OP
        if d.get("slot"):
            d["slot"] += "<&>[i]"
        out.append(json.dumps(d))
    evil = evil_dir / "[b]e<&>.gstrace"
    evil.write_text("\n".join(out) + "\n")
    return s, evil


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--no-graph", "--explain"],
        ["run", "--step"],
        ["graph"],
        ["mem", "report"],
        ["mem", "why"],
        ["mem", "timeline"],
    ],
)
def test_markup_in_names_ops_slots_marks_and_paths_is_shown_as_typed(evil_dir, command):
    s, evil = _evil_trace(evil_dir)
    r = invoke(*command, evil, env={"COLUMNS": "300"})
    assert r.exit_code == 0, r.output
    text = _flat(r.stdout)
    assert EVIL_OP in text, command  # "[red]" was not taken as a style
    assert f"({s.name}:3)" in text or f"{s.name}:3 " in text, command
    if command[0] == "run":
        assert r.stdout.startswith(f"{evil}: ")


def test_markup_reaches_dot_and_svg_verbatim(evil_dir, tmp_path):
    s, evil = _evil_trace(evil_dir)
    svg, dot = evil_dir / "g[b]<&>.svg", tmp_path / "g.dot"
    r = invoke("graph", evil, "--svg", svg, "--dot", dot)
    assert r.exit_code == 0, r.output
    assert f"wrote {svg}" in r.stdout
    texts = [
        "".join(t.itertext()) for t in ET.parse(svg).getroot().iter() if t.tag.endswith("text")
    ]
    for needle in (EVIL, EVIL + ".grad", EVIL_OP, f"{s.name}:3", "saved result<&>[i]"):
        assert any(needle in t for t in texts), (needle, texts)
    assert '\\"q' in dot.read_text()  # quotes escaped inside DOT strings
    page = evil_dir / "r.html"
    assert invoke("report", evil, "--html", page).exit_code == 0
    html_text = page.read_text()
    assert html.escape(EVIL_OP, quote=False) in html_text and EVIL_OP not in html_text
    # the mark: --at finds it by its label, markup and all
    r = invoke("graph", evil, "--at", EVIL_MARK)
    assert r.exit_code == 0, r.output
    r = invoke("graph", evil, "--at", "[bold red]nope")
    assert r.exit_code == 2 and "[bold red]boom[/] <b>&amp;" in r.stderr


def test_markup_in_the_mem_report_json_is_data(evil_dir):
    _, evil = _evil_trace(evil_dir)
    r = invoke("mem", "report", evil, "--json")
    assert r.exit_code == 0, r.output
    assert EVIL_OP in {n["op"] for n in json.loads(r.stdout)["top_nodes"]}


# -- trace lines whose fields have the wrong type ------------------------------------

_MARK = {"seq": 0, "kind": "mark", "t": 0.0, "device": None, "live_bytes": 0, "label": "a"}
_NODE = {"seq": 1, "kind": "node_created", "t": 0.0, "device": "cpu", "live_bytes": 0, "node": 1,
         "op": "MulBackward0", "inputs": [None], "output": 2, "stack": None, "shape": [3],
         "dtype": "float32"}  # fmt: skip
_BAD_LINES = {
    "inputs not a list": (
        json.dumps({**_NODE, "inputs": 5}),
        "node_created event: field 'inputs' is 5, not a list of non-negative integers or nulls",
    ),
    "inputs holding a string": (
        json.dumps({**_NODE, "inputs": [1, "x"]}),
        "node_created event: field 'inputs' is [1, 'x'], not a list of non-negative integers or nulls",
    ),
    "shape of floats": (
        json.dumps({**_NODE, "shape": [1.5]}),
        "node_created event: field 'shape' is [1.5], not a list of non-negative integers",
    ),
    "negative size in a shape": (
        json.dumps({**_NODE, "shape": [3, -1]}),
        "node_created event: field 'shape' is [3, -1], not a list of non-negative integers",
    ),
    "negative time": (
        json.dumps({**_MARK, "t": -0.5}),
        "mark event: field 't' is -0.5, not a non-negative number",
    ),
    "seq a bool": (
        json.dumps({**_MARK, "seq": True}),
        "field 'seq' is True, not a non-negative integer",
    ),
    "inputs holding a negative id": (
        json.dumps({**_NODE, "inputs": [None, -1]}),
        "field 'inputs' is [None, -1], not a list of non-negative integers or nulls",
    ),
    "negative node": (json.dumps({**_NODE, "node": -3}), "field 'node' is -3, not a non-negative"),
    "negative output": (
        json.dumps({**_NODE, "output": -2}),
        "field 'output' is -2, not a non-negative integer or null",
    ),
    "negative live bytes": (
        json.dumps({**_MARK, "live_bytes": -5}),
        "mark event: field 'live_bytes' is -5, not a non-negative integer",
    ),
    "negative nbytes": (
        json.dumps(
            {
                "seq": 3,
                "kind": "tensor_freed",
                "t": 0.0,
                "device": "cpu",
                "live_bytes": 0,
                "buffer": 1,
                "nbytes": -5,
            }
        ),
        "tensor_freed event: field 'nbytes' is -5, not a non-negative integer",
    ),  # fmt: skip
    "label a number": (json.dumps({**_MARK, "label": 7}), "field 'label' is 7, not a string"),
    "time a string": (
        json.dumps({**_MARK, "t": "now"}),
        "field 't' is 'now', not a non-negative number",
    ),
    "pool a list": (json.dumps({**_MARK, "pool": []}), "field 'pool' is [], not an object"),
    "long value": (
        json.dumps({**_MARK, "label": ["x" * 500]}),
        "field 'label' is ['xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..., not a string",
    ),
    "op a number": (json.dumps({**_NODE, "op": 1}), "field 'op' is 1, not a string"),
    "lacking a field": (
        json.dumps({k: v for k, v in _NODE.items() if k != "dtype"}),
        "node_created event lacks field 'dtype'",
    ),
    "a number": ("5", "not a JSON object but 5"),
    "a list": ("[1, 2]", "not a JSON object but [1, 2]"),
    "no kind": ('{"seq": 0}', "an event without a 'kind'"),
    "kind a list": ('{"kind": ["mark"]}', "unknown event kind ['mark']"),
    "nested too deep": ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
    "not UTF-8": (b'{"kind": "mark", "label": "\xff\xfe"}', "not UTF-8 text"),
}


@pytest.mark.parametrize("case", list(_BAD_LINES))
def test_a_field_of_the_wrong_type_is_named_with_its_line(tmp_path, case):
    bad, needle = _BAD_LINES[case]
    head = json.dumps(writer.header()).encode()
    good = json.dumps(_MARK).encode()
    bad = bad if isinstance(bad, bytes) else bad.encode()
    path = tmp_path / "bad.gstrace"
    path.write_bytes(b"\n".join([head, good, good, bad, good]) + b"\n")
    with pytest.raises(TraceFileError) as e:
        load_trace(str(path))
    msg = str(e.value)
    assert msg.startswith(f"{path}: line 4 is corrupt (") and needle in msg, msg
    assert "\n" not in msg and len(msg) < 200 + len(str(path))
    r = invoke("mem", "report", path)
    assert r.exit_code == 2 and r.stderr == f"gradscope: error: {msg}\n"
    # as the last line of a file that was cut short, it is a warning, not an error
    path.write_bytes(b"\n".join([head, good, bad]))
    if case in ("a number",):  # "5" is a whole value even without its newline
        return
    tr = load_trace(str(path))
    assert len(tr.events) == 1 and "line 3 is truncated" in tr.warnings[0]


# -- events that parse but do not fit together ---------------------------------------


def test_events_out_of_order_are_refused_with_their_line(tmp_path):
    head = json.dumps(writer.header())
    ev = [json.dumps({**_MARK, "seq": s}) for s in (0, 1, 5, 3)]
    path = tmp_path / "order.gstrace"
    path.write_text("\n".join([head, *ev]) + "\n")
    with pytest.raises(TraceFileError, match=r"line 4 is corrupt \(seq 5 where 2 was expected"):
        load_trace(str(path))


def _mutants(lines: list[dict], n: int, seed: int):
    """``n`` copies of a trace's events with a few ids, sizes or seqs changed, events
    dropped, repeated or swapped: each well-formed, most of them inconsistent."""
    import random

    rng = random.Random(seed)
    ints = ("buffer", "tensor", "node", "output", "root", "nbytes", "live_bytes")
    for _ in range(n):
        evs = [dict(e) for e in lines]
        for _ in range(rng.randint(1, 4)):
            e = rng.choice(evs)
            op = rng.random()
            keys = [k for k in ints if type(e.get(k)) is int]
            if op < 0.5 and keys:
                k = rng.choice(keys)
                e[k] = rng.choice([0, -1, 10**12, e[k] + 1, e[k] - 1, 999])
            elif op < 0.65:
                evs.remove(e)
            elif op < 0.8:
                evs.insert(rng.randrange(len(evs)), dict(e))
            elif op < 0.9 and "inputs" in e:
                e["inputs"] = [rng.choice([None, 0, 999, -5]) for _ in range(rng.randint(0, 3))]
            else:
                i, j = rng.randrange(len(evs)), rng.randrange(len(evs))
                evs[i], evs[j] = evs[j], evs[i]
        if rng.random() < 0.7:  # mostly keep seq dense, so the views see the damage
            for i, e in enumerate(evs):
                e["seq"] = i
        yield evs


def test_inconsistent_traces_end_in_a_report_or_one_line_never_a_traceback(tmp_path):
    s = script(tmp_path, "train.py", """\
        import gradscope as gs
        import gradscope.nn.functional as F
        W = gs.randn(4, 3, requires_grad=True)
        x, t = gs.randn(8, 4), gs.randint(0, 3, (8,))
        for step in range(3):
            loss = F.cross_entropy(x @ W, t)
            loss.backward()
            W.grad = None
        """)  # fmt: skip
    saved = tmp_path / "t.gstrace"
    assert invoke("run", s, "--no-graph", "--save", saved).exit_code == 0
    text = saved.read_text().splitlines()
    head, lines = text[0], [json.loads(x) for x in text[1:]]
    commands = [["run", "--no-graph", "--explain"], ["graph"], ["mem", "report"],
                ["mem", "why"], ["mem", "timeline"]]  # fmt: skip
    path = tmp_path / "m.gstrace"
    codes = []
    for i, evs in enumerate(_mutants(lines, 30, seed=7)):
        path.write_text(head + "\n" + "\n".join(json.dumps(e) for e in evs) + "\n")
        cmd = commands[i % len(commands)]
        r = invoke(*cmd[:2], path, *cmd[2:]) if cmd[0] == "mem" else invoke(cmd[0], path, *cmd[1:])
        assert r.exception is None or isinstance(r.exception, SystemExit), (cmd, r.exception)
        assert r.exit_code in (0, 2), (cmd, r.output)
        assert "Traceback" not in r.output
        if r.exit_code == 2:
            assert r.stderr.count("\n") == 1 and r.stderr.startswith("gradscope: error: ")
        codes.append(r.exit_code)
    assert 0 in codes and 2 in codes


def test_an_internal_error_is_one_line_unless_debugging(tmp_path, monkeypatch):
    s = script(tmp_path, "sq.py", """\
        import gradscope as gs
        x = gs.ones(3, requires_grad=True)
        (x * x).sum().backward()
        """)  # fmt: skip

    def broken(*args, **kwargs):
        raise KeyError("boom\nsecond line")

    import gradscope.cli.run as run_cmd

    monkeypatch.setattr(run_cmd, "memory_table", broken)
    r = invoke("run", s, "--no-graph")
    assert r.exit_code == 2
    assert r.stderr == (
        "gradscope: error: internal error: KeyError: 'boom\\nsecond line' "
        "(GRADSCOPE_DEBUG=1 shows the traceback)\n"
    )
    r = invoke("run", s, "--no-graph", env={"GRADSCOPE_DEBUG": "1"})
    assert isinstance(r.exception, KeyError)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_cmd, "memory_table", interrupted)
    r = invoke("run", s, "--no-graph")
    assert r.exit_code == 130 and r.stderr == "gradscope: error: interrupted\n"


# -- header fields of the wrong type --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "command"),
    [
        ("holders", 5, ["mem", "why"]),
        ("holders", 5, ["mem", "check"]),
        ("holders", {"refs": 1}, ["mem", "report"]),
        ("scenario", 5, ["report", "--html", "{out}"]),
        ("scenario", ["a"], ["mem", "timeline", "--svg", "{out}"]),
        ("scenario", 5, ["export", "--chrome", "{out}"]),
        ("baseline_bytes", {"cpu": "lots"}, ["run", "--no-graph"]),
        ("baseline_bytes", 7, ["graph"]),
        ("version", "1", ["mem", "report"]),
    ],
)
def test_a_header_field_of_the_wrong_type_is_one_line_not_an_internal_error(
    tmp_path, field, value, command
):
    ev = json.dumps(_MARK)
    path = tmp_path / "h.gstrace"
    path.write_text(json.dumps({**writer.header(), field: value}) + "\n" + ev + "\n")
    head = 2 if command[0] == "mem" else 1  # the command's words, then its options
    opts = [o.format(out=tmp_path / "out") for o in command[head:]]
    r = invoke(*command[:head], path, *opts)
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and "internal error" not in r.stderr, r.stderr
    if field == "version":
        assert "is not a valid gradscope trace header (version '1')" in r.stderr
    else:
        assert f"line 1 is corrupt (header field {field!r} is " in r.stderr
    assert not (tmp_path / "out").exists()


def test_a_negative_byte_count_is_refused_not_shown(tmp_path):
    path = tmp_path / "neg.gstrace"
    freed = {"seq": 1, "kind": "tensor_freed", "t": 0.0, "device": "cpu", "live_bytes": 0,
             "buffer": 1, "nbytes": -5}  # fmt: skip
    path.write_text("\n".join(json.dumps(x) for x in (writer.header(), _MARK, freed)) + "\n")
    r = invoke("mem", "report", path)
    assert r.exit_code == 2 and "-5 B" not in r.output
    assert "line 3 is corrupt (tensor_freed event: field 'nbytes' is -5" in r.stderr
