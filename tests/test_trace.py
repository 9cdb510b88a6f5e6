"""The recorder and the trace file."""

import gc
import json
import signal
import subprocess
import sys
import textwrap

import pytest

import gradscope as gs
from gradscope.events import schema
from gradscope.tracefile import TraceFileError, reader


def _kinds(tr):
    return [e.kind for e in tr.events]


def test_every_event_has_the_common_fields_and_dense_seq():
    x = gs.randn(3, requires_grad=True)
    with gs.trace() as tr:
        y = (x * x).sum()
        gs.mark("before backward")
        y.backward()
    evs = tr.events
    assert [e.seq for e in evs] == list(range(len(evs)))
    assert all(e.t >= 0 for e in evs)
    assert all(isinstance(e.live_bytes, int) and e.live_bytes >= 0 for e in evs)
    kinds = set(_kinds(tr))
    assert {
        "node_created",
        "tensor_saved",
        "backward_started",
        "node_executed",
        "grad_accumulated",
        "graph_freed",
        "backward_finished",
        "mark",
        "tensor_allocated",
        "tensor_freed",
    } <= kinds
    for e in evs:
        assert set(schema.COMMON_FIELDS) <= set(schema.to_dict(e))


def test_node_created_links_inputs_and_user_call_site():
    x = gs.randn(3, requires_grad=True)
    with gs.trace() as tr:
        y = x.exp()  # this line
        line = sys._getframe().f_lineno - 1
    created = [e for e in tr.events if e.kind == "node_created"]
    acc, exp = created
    assert acc.op == "AccumulateGrad" and acc.output == x._id and acc.inputs == ()
    assert exp.op == "ExpBackward0" and exp.inputs == (acc.node,) and exp.output == y._id
    assert exp.stack == f"{__file__}:{line}"
    assert exp.shape == (3,) and exp.dtype == "float32"


def test_call_sites_name_each_line_in_loops_and_long_functions():
    # sites are remembered per instruction: each op still gets its own line, a loop's ops
    # share theirs, and a long function's late lines are right too
    filler = "\n".join(f"    v{i} = {i}" for i in range(300))
    src = (
        f"def body(x):\n{filler}\n"
        "    out = []\n"
        "    for _ in range(3):\n"
        "        out.append(x.exp())\n"
        "        out.append(x * 2)\n"
        "    return out\n"
    )
    ns: dict = {}
    exec(compile(src, "long_script.py", "exec"), ns)
    x = gs.randn(3, requires_grad=True)
    with gs.trace() as tr:
        kept = ns["body"](x)
        again = ns["body"](x)  # the same sites from the cache
        y = x.exp() + x.exp()  # two ops on one line, then the add
        line = sys._getframe().f_lineno - 1
    sites = [e.stack for e in tr.events if e.kind == "node_created" and e.op != "AccumulateGrad"]
    loop = ["long_script.py:304", "long_script.py:305"] * 3
    assert sites == loop + loop + [f"{__file__}:{line}"] * 3
    del kept, again, y


def test_saved_wrapped_scalar_is_new_and_eight_bytes():
    x = gs.randn(3, requires_grad=True)
    with gs.trace() as tr:
        y = x * 2
    (saved,) = [e for e in tr.events if e.kind == "tensor_saved"]
    assert (saved.slot, saved.nbytes, saved.new, saved.dtype) == ("other", 8, True, "int64")
    alloc = [e for e in tr.events if e.kind == "tensor_allocated" and e.buffer == saved.buffer]
    assert alloc and alloc[0].role == "activation"
    del y


def test_cross_entropy_saves_like_torch():
    logits = gs.randn(4, 3, requires_grad=True)
    target = gs.tensor([0, 2, 1, 2])
    with gs.trace() as tr:
        loss = gs.nn.functional.cross_entropy(logits, target)
    saved = [e for e in tr.events if e.kind == "tensor_saved"]
    by_slot = {(e.slot, e.nbytes, e.new) for e in saved}
    assert by_slot == {
        ("result", 48, False),
        ("self", 48, False),
        ("target", 32, False),
        ("total_weight", 4, True),
    }
    lsm = [e.buffer for e in saved if e.slot in ("result", "self")]
    assert lsm[0] == lsm[1]  # one storage, saved by both nodes
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"


def test_leaf_names_come_from_the_assignment():
    with gs.trace() as tr:
        weights = gs.randn(2, 2, requires_grad=True)
    (alloc,) = [e for e in tr.events if e.kind == "tensor_allocated"]
    assert alloc.name == "weights" and alloc.role == "leaf" and alloc.tensor == weights._id


def test_nothing_is_recorded_outside_a_trace():
    with gs.trace() as tr:
        pass
    x = gs.randn(3, requires_grad=True)
    (x * 2).sum().backward()
    assert tr.events == []


def test_nested_traces_both_record():
    with gs.trace() as outer:
        a = gs.ones(2)
        with gs.trace() as inner:
            b = a + 1
    assert len(inner.events) == 1 and len(outer.events) == 2
    del b


def test_an_ops_events_come_in_order_to_every_sink_and_file(tmp_path):
    """An op's output allocation, node and saved output are recorded at one moment (one
    put): each sink splits them into their events, in order, with one time and live count."""
    x = gs.randn(4, requires_grad=True)
    path = tmp_path / "ops.gstrace"
    with gs.trace() as outer, gs.trace(str(path)) as streamed:
        y = x.tanh()  # saves its output
        z = y + 1.0  # saves nothing
        w = gs.where(z > 0, z, y)  # three inputs
        w.sum().backward()
    kinds = [e.kind for e in outer.events]
    assert kinds[:8] == [
        "node_created",  # x's AccumulateGrad, as tanh's edge to it is made
        "tensor_allocated", "node_created", "tensor_saved",  # tanh
        "tensor_allocated", "node_created",  # + 1.0
        "tensor_allocated", "tensor_allocated",  # z > 0 (no graph), then where's output
    ]  # fmt: skip
    alloc, created, saved = outer.events[1:4]
    assert alloc.role == "activation" and alloc.node == created.node == saved.node
    assert alloc.tensor == created.output == saved.tensor == y._id
    assert alloc.buffer == saved.buffer and alloc.nbytes == saved.nbytes == 16
    assert alloc.t == created.t == saved.t
    assert alloc.live_bytes == created.live_bytes == saved.live_bytes
    assert created.op == "TanhBackward0" and saved.slot == "result"
    where_alloc, where_created = outer.events[7:9]
    assert where_created.op == "WhereBackward0" and where_alloc.node == where_created.node
    untimed = [e._replace(t=0.0) for e in outer.events]  # (each trace times from its start)
    assert [e._replace(t=0.0) for e in streamed.events] == untimed
    assert [e._replace(t=0.0) for e in gs.load_trace(str(path)).events] == untimed
    assert [e.seq for e in outer.events] == list(range(len(outer)))


def test_a_saved_number_is_recorded_as_torchs_wrapped_scalar_and_freed_with_its_node():
    x = gs.randn(4, requires_grad=True)
    with gs.trace() as tr:
        y = x * 0.5  # MulBackward0 keeps 0.5 as torch's 0-dim float64 tensor
        del y
        z = x * 3  # an int: int64
        z.sum().backward()
    kinds = [e.kind for e in tr.events[1:8]]  # (after x's AccumulateGrad)
    assert kinds == [
        "tensor_allocated", "node_created", "tensor_allocated", "tensor_saved",
        "tensor_freed", "tensor_freed", "graph_freed",  # y, then the number with its node
    ]  # fmt: skip
    created, alloc, saved, freed = tr.events[2], tr.events[3], tr.events[4], tr.events[7]
    assert created.op == "MulBackward0"
    assert (alloc.nbytes, alloc.shape, alloc.dtype, alloc.role) == (8, (), "float64", "activation")
    assert (
        alloc.name == "MulBackward0.other" and alloc.node == created.node and alloc.tensor is None
    )
    assert (saved.slot, saved.new, saved.nbytes, saved.dtype) == ("other", True, 8, "float64")
    assert saved.buffer == alloc.buffer and saved.t == alloc.t
    assert saved.live_bytes == alloc.live_bytes == created.live_bytes + 8
    assert tr.events[6].buffer == alloc.buffer
    assert freed.node == created.node and freed.nbytes == 8  # the graph dropped unused
    int_saves = [e for e in tr.events if e.kind == "tensor_saved"][1:]
    assert [(e.slot, e.dtype) for e in int_saves] == [("other", "int64")]
    assert tr.live_bytes == tr.baseline_bytes + 32  # z and x.grad


def test_peak_and_live_bytes():
    base = gs.live_bytes()
    with gs.trace() as tr:
        a = gs.zeros(1000)
        b = gs.zeros(1000)
        del a
    assert tr.peak_bytes == base + 8000
    assert tr.live_bytes == base + 4000 == gs.live_bytes()
    del b


def test_roundtrip(tmp_path):
    x = gs.randn(5, requires_grad=True)
    with gs.trace() as tr:
        y = (gs.relu(x) * x).mean()
        gs.mark("m")
        y.backward()
    path = tmp_path / "run.gstrace"
    tr.save(str(path))
    lines = path.read_text().splitlines()
    head = json.loads(lines[0])
    assert head["format"] == "gradscope-trace" and head["version"] == 1
    assert head["gradscope"] == gs.__version__ and "cpu" in head["devices"]
    tr2 = gs.load_trace(str(path))
    assert tr2.events == tr.events
    assert tr2.peak_bytes == tr.peak_bytes and tr2.live_bytes == tr.live_bytes


def test_streaming_to_a_file(tmp_path):
    path = tmp_path / "s.gstrace"
    with gs.trace(str(path)) as tr:
        for _ in range(3000):
            gs.mark("tick")
    assert gs.load_trace(str(path)).events == tr.events


def _write(tmp_path, name, text, mode="w"):
    p = tmp_path / name
    if mode == "wb":
        p.write_bytes(text)
    else:
        p.write_text(text)
    return str(p)


def test_reader_rejects_bad_files_with_one_line(tmp_path):
    good_head = json.dumps({"format": "gradscope-trace", "version": 1})
    ev = json.dumps(
        {"seq": 0, "kind": "mark", "t": 0.0, "device": None, "live_bytes": 0, "label": "a"}
    )
    cases = {
        "missing": (str(tmp_path / "nope.gstrace"), "no such file"),
        "dir": (str(tmp_path), "is a directory"),
        "empty": (_write(tmp_path, "e", ""), "is empty"),
        "binary": (_write(tmp_path, "b", b"\x00\xff\xfe\x89PNG", "wb"), "not a gradscope trace"),
        "other format": (
            _write(tmp_path, "o", json.dumps({"format": "chrome"}) + "\n"),
            "format 'chrome'",
        ),
        "newer": (
            _write(tmp_path, "n", json.dumps({"format": "gradscope-trace", "version": 99}) + "\n"),
            "version 99",
        ),
        "corrupt middle": (
            _write(tmp_path, "c", f"{good_head}\n{ev}\n{{oops\n{ev}\n"),
            "line 3 is corrupt",
        ),
        "unknown kind": (
            _write(tmp_path, "k", f'{good_head}\n{{"kind": "zzz"}}\n{ev}\n'),
            "line 2 is corrupt",
        ),
    }
    for name, (path, needle) in cases.items():
        with pytest.raises(TraceFileError) as e:
            gs.load_trace(path)
        msg = str(e.value)
        assert needle in msg, name
        assert "\n" not in msg, name


def test_truncated_last_line_keeps_earlier_events(tmp_path):
    head = json.dumps({"format": "gradscope-trace", "version": 1})
    ev = json.dumps(
        {"seq": 0, "kind": "mark", "t": 0.0, "device": None, "live_bytes": 0, "label": "a"}
    )
    path = _write(tmp_path, "t", f"{head}\n{ev}\n{ev[:20]}")
    tr = gs.load_trace(path)
    assert len(tr.events) == 1
    assert tr.warnings == [f"{path}: line 3 is truncated; read the 1 events before it"]


def test_stream_survives_the_process_being_killed(tmp_path):
    path = tmp_path / "killed.gstrace"
    script = textwrap.dedent(
        f"""
        import os, signal, gradscope as gs
        with gs.trace({str(path)!r}):
            x = gs.ones(3, requires_grad=True)
            for i in range(5000):
                gs.mark(str(i))
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert r.returncode == -signal.SIGKILL
    tr = gs.load_trace(str(path))
    assert not tr.warnings and len(tr.events) == 5001  # x, then every mark: each is written
    labels = [e.label for e in tr.events if e.kind == "mark"]
    assert labels == [str(i) for i in range(5000)]


@pytest.mark.parametrize("last", ["mark", "backward"])
def test_a_stream_is_written_up_to_the_last_mark_or_backward(tmp_path, last):
    """A process that ends without closing its trace (``os._exit``, a kill) leaves every
    event up to its last mark or finished backward call in the file, however few."""
    path = tmp_path / "exit.gstrace"
    script = textwrap.dedent(
        f"""
        import os, gradscope as gs
        tr = gs.trace({str(path)!r}).start()
        x = gs.ones(3, requires_grad=True)
        for i in range(3):
            (x * i).sum().backward()
        {'gs.mark("here")' if last == "mark" else "(x * 5).sum().backward()"}
        kept = [x * 2 for _ in range(100)]  # recorded, not written: no checkpoint after
        print(len(tr), flush=True)
        os._exit(0)
        """
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    written = gs.load_trace(str(path))
    assert not written.warnings
    kinds = [e.kind for e in written.events]
    assert kinds[-1] == ("mark" if last == "mark" else "backward_finished")
    assert kinds.count("backward_finished") == (3 if last == "mark" else 4)
    assert len(written.events) < int(r.stdout) < 2048


def test_a_graph_dropped_without_backward_records_its_saves_freed():
    x = gs.randn(1000, requires_grad=True)
    with gs.trace() as tr:
        y = gs.relu(x)
        z = (y * 2).exp()
        del y, z
    freed = [e for e in tr.events if e.kind == "graph_freed"]
    assert sorted(e.nbytes for e in freed) == [8, 4000, 4000]
    assert tr.events[-1].live_bytes == tr.header["baseline_bytes"]["cpu"]


def test_a_dropped_graph_is_freed_from_its_output_back_each_byte_counted_once():
    x = gs.randn(1000, requires_grad=True)
    with gs.trace() as tr:
        y = x.clone()
        y.mul_(2.0)  # MulBackward0 keeps the 2.0 (8 bytes)
        w = y.log()  # LogBackward0 keeps y, and y's node through its edge
        mul, log = y.grad_fn.id, w.grad_fn.id
        del y, w
    freed = [(e.node, e.nbytes) for e in tr.events if e.kind == "graph_freed"]
    # as torch deletes a graph, the output's node first; y's 4,000 bytes go with the log's
    # saves, and the number with the node that made y
    assert freed == [(log, 4000), (mul, 8)]
    assert tr.events[-1].live_bytes == tr.header["baseline_bytes"]["cpu"]


def test_a_node_freed_inside_another_release_is_counted_by_itself_alone():
    x = gs.randn(1000, requires_grad=True)
    with gs.trace() as tr:
        a = x.exp()  # ExpBackward0 keeps a's buffer (4,000 bytes)
        b = a * a  # MulBackward0 keeps the tensor a, whose grad_fn is still the exp's
        a.mul_(2.0)  # a's grad_fn is now a MulBackward0 keeping the 2.0 (8 bytes)
        exp, mul, inplace = b.grad_fn.next_functions[0][0].id, b.grad_fn.id, a.grad_fn.id
        del a, b
    freed = {e.node: e.nbytes for e in tr.events if e.kind == "graph_freed"}
    # b's node held the last reference to a, so the in-place node went inside b's
    # release; its 8 bytes are its own, and a's buffer is still the exp's
    assert freed == {inplace: 8, mul: 0, exp: 4000}
    assert tr.events[-1].live_bytes == tr.header["baseline_bytes"]["cpu"]


def test_nodes_get_a_finalizer_only_when_recording_first_begins():
    # a graph dropped unused is seen by a node's finalizer alone; untraced programs pay
    # nothing for it, so it comes with the first trace (in a fresh interpreter)
    script = (
        "import gradscope as gs\n"
        "from gradscope.autograd.function import Node\n"
        "x = gs.randn(3, requires_grad=True)\n"
        "print('__del__' in Node.__dict__)\n"
        "y = x.exp()\n"
        "with gs.trace() as tr:\n"
        "    del y\n"  # a graph made before the trace, dropped in it
        "print('__del__' in Node.__dict__)\n"
        "print([(e.kind, e.nbytes) for e in tr.events])\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    before, after, events = r.stdout.splitlines()
    assert (before, after) == ("False", "True")
    assert events == "[('tensor_freed', 12), ('graph_freed', 12)]"


def test_each_line_is_what_the_json_encoder_writes(tmp_path):
    """Lines are filled in from a template per kind; they must be the JSON encoder's text
    of ``to_dict(event)``, byte for byte, for every kind and awkward values: saved from a
    recording, streamed, and written from event records."""
    from gradscope.tracefile import writer

    label = 'a "quoted" \\ label\n},{ with é, 中文, \x01 and %s %d'
    path = tmp_path / "streamed.gstrace"
    with gs.trace(str(path)) as tr:
        gs.mark(label)
        w = gs.randn(3, 4, requires_grad=True)
        (w.T @ w).relu().sum().backward(retain_graph=True)
        v = w[:, None].expand(3, 2, 4)
        (v * 2).mean().backward()
        w.grad = None
        gs.mark("")
    events = tr.events
    assert set(_kinds(tr)) == set(schema.KINDS)
    pool = {"cuda:0": {"used_bytes": 1024, "total_bytes": 2048}}
    extra = [
        schema.BackwardStarted(len(events), 1.5, "cuda:0", 10, None, False, True, pool),
        schema.BackwardFinished(len(events) + 1, 2.25, "cuda:0", 10, 3, pool),
        schema.Mark(len(events) + 2, 1e-05, None, 0, label, None),
    ]

    def encoded(evs):
        dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
        return [dumps(schema.to_dict(e)) for e in evs]

    saved = tmp_path / "saved.gstrace"
    tr.save(str(saved))
    written = tmp_path / "written.gstrace"
    writer.write(str(written), tr.header, events + extra)
    want = encoded(events)
    assert saved.read_text(encoding="utf-8").splitlines()[1:] == want
    assert path.read_text(encoding="utf-8").splitlines()[1:] == want
    assert written.read_text(encoding="utf-8").splitlines()[1:] == want + encoded(extra)
    assert gs.load_trace(str(saved)).events == events


def test_events_recorded_while_streaming_wait_for_the_next_flush(tmp_path):
    """A free set off while the file is written (the cycle collector runs anywhere) records
    an event mid-flush: it must land after the events being written, in order."""

    class Busy:
        """The stream's file, recording a mark in its first three writes."""

        def __init__(self, f):
            self.f, self.nested = f, 0

        def write(self, text):
            if self.nested < 3:
                self.nested += 1
                gs.mark("during flush")
            return self.f.write(text)

        def __getattr__(self, name):
            return getattr(self.f, name)

    path = tmp_path / "s.gstrace"
    with gs.trace(str(path)) as tr:
        tr._file = Busy(tr._file)
        for _ in range(20):
            gs.mark("tick")
    loaded = gs.load_trace(str(path)).events
    assert loaded == tr.events and tr._file is None
    assert [e.seq for e in loaded] == list(range(23))
    assert [e.label for e in loaded[:4]] == ["tick", "during flush", "tick", "during flush"]


def test_chunks_read_line_by_line_give_the_same_events(tmp_path, monkeypatch):
    """A chunk the fast parser declines is read line by line, and reading goes on after it."""
    from gradscope.tracefile import reader

    x = gs.randn(4, requires_grad=True)
    with gs.trace() as tr:
        for _ in range(200):
            (gs.relu(x) * x).sum().backward()
            gs.mark("step")
    path = str(tmp_path / "t.gstrace")
    tr.save(path)
    fast = reader._parse_chunk
    declined = []

    def every_other(lines):
        declined.append(len(declined) % 2 == 0)
        return None if declined[-1] else fast(lines)

    monkeypatch.setattr(reader, "_CHUNK_BYTES", 4096)
    monkeypatch.setattr(reader, "_parse_chunk", every_other)
    assert gs.load_trace(path).events == tr.events
    assert len(declined) > 10


_HEAD = {"format": "gradscope-trace", "version": 1}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"version": "1"}, "is not a valid gradscope trace header (version '1')"),
        ({"version": True}, "is not a valid gradscope trace header (version True)"),
        ({"version": 1.0}, "is not a valid gradscope trace header (version 1.0)"),
        ({"version": 0}, "is not a valid gradscope trace header (version 0)"),
        ({"version": None}, "is not a valid gradscope trace header (version None)"),
        ({"version": "x" * 100}, f"(version '{'x' * 36}...)"),
        ({"version": 2}, "is trace format version 2; this gradscope reads up to version 1 "
                         "(upgrade gradscope)"),
        ({"holders": 5}, ": line 1 is corrupt (header field 'holders' is 5, not a list or null)"),
        ({"scenario": 5}, "(header field 'scenario' is 5, not a string or null)"),
        ({"gradscope": [0, 1]}, "(header field 'gradscope' is [0, 1], not a string or null)"),
        ({"baseline_bytes": {"cpu": -1}}, "(header field 'baseline_bytes' is {'cpu': -1}, not an "
                                          "object of non-negative integers (bytes per device))"),
        ({"baseline_bytes": [4]}, "(header field 'baseline_bytes' is [4], not an object of"),
        ({"baseline_bytes": {"cpu": "4"}}, "header field 'baseline_bytes' is {'cpu': '4'}, not"),
    ],
)  # fmt: skip
def test_a_header_is_checked_with_one_line(tmp_path, header, message):
    path = _write(tmp_path, "h", json.dumps({**_HEAD, **header}) + "\n")
    with pytest.raises(TraceFileError) as e:
        gs.load_trace(path)
    msg = str(e.value)
    assert msg.startswith(path) and message in msg and "\n" not in msg, msg
    assert ("upgrade" in msg) == (header.get("version") == 2)


def test_a_header_without_a_version_is_not_valid(tmp_path):
    path = _write(tmp_path, "h", json.dumps({"format": "gradscope-trace"}) + "\n")
    with pytest.raises(TraceFileError) as e:
        gs.load_trace(path)
    assert str(e.value) == f"{path} is not a valid gradscope trace header (no version)"


def test_a_header_with_the_fields_gradscope_writes_is_read(tmp_path):
    head = {**_HEAD, "gradscope": None, "scenario": None, "holders": None,
            "baseline_bytes": {"cpu": 0, "cuda:0": 512}, "devices": ["cpu"], "other": 5}  # fmt: skip
    path = _write(tmp_path, "h", json.dumps(head) + "\n")
    assert gs.load_trace(path).header == head


@pytest.mark.parametrize(
    ("field", "value"),
    [("nbytes", -5), ("live_bytes", -1), ("buffer", -2), ("tensor", -1), ("seq", -1),
     ("node", -7), ("inputs", [-1]), ("inputs", [None, 3, -4]), ("output", -1),
     ("root", -1)],
)  # fmt: skip
def test_negative_sizes_ids_and_seqs_are_refused_on_either_path(tmp_path, field, value):
    """The fast builders and ``from_dict`` refuse the same lines: in a chunk of many
    events (read at once) and as the only event (read line by line)."""
    x = gs.randn(4, requires_grad=True)
    with gs.trace() as tr:
        (x * 2).sum().backward()
    saved = str(tmp_path / "ok.gstrace")
    tr.save(saved)
    lines = open(saved, encoding="utf-8").read().splitlines()
    where = next(i for i, ln in enumerate(lines[1:], 1) if f'"{field}":' in ln)
    bad = {**json.loads(lines[where]), field: value}
    lines[where] = json.dumps(bad)
    path = _write(tmp_path, "neg", "\n".join(lines) + "\n")
    with pytest.raises(TraceFileError) as e:
        gs.load_trace(path)
    assert f"line {where + 1} is corrupt ({bad['kind']} event: field {field!r}" in str(e.value)
    assert "non-negative" in str(e.value)
    for build in (reader._BUILD[bad["kind"]], schema.from_dict):
        with pytest.raises(ValueError):
            build(bad)
        fixed = [None if v is None else abs(v) for v in value] if field == "inputs" else -value
        assert build({**bad, field: fixed}).kind == bad["kind"]


def _recorded(collect_every: int | None, path=None):
    """A small training-like loop recorded, with a full collection every ``collect_every``
    steps (each one moves what was recorded so far into a chunk)."""
    x = gs.tensor([0.5, -1.0, 2.0], requires_grad=True)
    with gs.trace(None if path is None else str(path)) as tr:
        for step in range(40):
            y = (x.tanh() * 3.0).exp().sum()
            if collect_every and step % collect_every == 0:
                gc.collect(1)  # cuts a chunk as a full one does, without walking the old heap
            y.backward()
            if step == 20:
                early = list(tr.events)  # read while recording: later reads go on from here
    return tr, early


def _fields(events, baseline: int):
    """What an event says apart from ids and times, which differ between recordings."""
    return [
        (e.kind, getattr(e, "op", None), getattr(e, "nbytes", None), getattr(e, "shape", None),
         getattr(e, "role", None), getattr(e, "slot", None), e.live_bytes - baseline)
        for e in events
    ]  # fmt: skip


@pytest.mark.parametrize("every", [1, 3, 7])
def test_a_trace_reads_the_same_however_its_recording_was_cut_into_chunks(tmp_path, every):
    gc.collect()
    whole, early_whole = _recorded(None)
    gc.collect()
    cut, early_cut = _recorded(every, tmp_path / "streamed.gstrace")
    assert len(cut._chunks) > 5  # the collections did cut it
    w, c = whole.baseline_bytes, cut.baseline_bytes
    assert len(cut) == len(whole) and _fields(cut.events, c) == _fields(whole.events, w)
    assert _fields(early_cut, c) == _fields(early_whole, w)
    assert early_cut == cut.events[: len(early_cut)]
    assert cut.peak_bytes - cut.baseline_bytes == whole.peak_bytes - whole.baseline_bytes
    assert cut.live_bytes - cut.baseline_bytes == whole.live_bytes - whole.baseline_bytes
    saved = tmp_path / "saved.gstrace"
    cut.save(str(saved))
    assert gs.load_trace(str(saved)).events == cut.events
    assert gs.load_trace(str(tmp_path / "streamed.gstrace")).events == cut.events


def test_a_finished_trace_gives_the_cycle_collector_nothing_to_walk():
    """Every full collection walks each item of a list; a tuple of numbers and strings it
    stops tracking once it has looked at it. A trace kept after recording (in a notebook, a test)
    would otherwise cost every later collection its millions of items."""
    with gs.trace() as tr:
        for _ in range(30):
            (gs.ones(4, requires_grad=True) * 2).sum().backward()
        assert tr._on_collect in gc.callbacks
    assert tr._on_collect not in gc.callbacks  # stop() unhooks it
    gc.collect()
    gc.collect()  # a tuple inside a chunk may take one look of its own first
    assert not tr._flat and tr._chunks
    assert not any(gc.is_tracked(c) for c in tr._chunks)
    assert len(tr.events) == len(tr) > 300


def test_a_weights_gradient_made_transposed_is_recorded_in_the_weights_shape():
    """``linear``'s weight gradient is computed as the transpose of a new array and becomes
    ``W.grad`` without a copy: the allocation is recorded as the array behind it, in W's
    shape, so that its shape and bytes agree with the ``.grad`` it becomes."""
    W = gs.randn(4, 3, requires_grad=True)
    x = gs.randn(5, 3)
    with gs.trace() as tr:
        gs.nn.functional.linear(x, W).sum().backward()
    acc = next(e for e in tr.events if e.kind == "grad_accumulated" and e.tensor == W._id)
    alloc = next(e for e in tr.events if e.kind == "tensor_allocated" and e.buffer == acc.buffer)
    assert W.grad._buffer.id == acc.buffer
    assert (alloc.shape, alloc.nbytes, alloc.role) == ((4, 3), 48, "temp")


def test_a_backward_that_raises_records_its_error_and_frees_its_gradients(tmp_path):
    """The error is on ``backward_finished``; the gradients in flight are let go before it
    (the traceback would otherwise keep them alive), and a saved file keeps the error."""
    import gradscope as gs

    x = gs.ones(1000, requires_grad=True)

    def boom(g):
        raise ValueError("hook says no")

    with gs.trace() as tr:
        y = x * 2
        a, b = y.exp(), y.sin()
        a.register_hook(boom)  # b's branch runs first: y's gradient from it is in flight
        out = a.sum() + b.sum()
        before = gs.live_bytes()
        with pytest.raises(ValueError, match="hook says no") as info:
            out.backward()
        # only the 0-dim gradient that the hook's own frame holds (a view of it) stays
        assert gs.live_bytes() - before == 4
        assert info.value.__traceback__ is not None
    ends = [e for e in tr.events if e.kind == "backward_finished"]
    assert len(ends) == 1 and ends[0].error == "ValueError: hook says no"
    assert ends[0].live_bytes == before + 4
    path = tmp_path / "t.gstrace"
    tr.save(str(path))
    again = [e for e in gs.load_trace(str(path)).events if e.kind == "backward_finished"]
    assert again[0].error == "ValueError: hook says no"
    with gs.trace() as ok:
        (x * 2).sum().backward()
    assert [e.error for e in ok.events if e.kind == "backward_finished"] == [None]


def test_trace_given_a_path_of_another_type_says_so():
    with pytest.raises(
        TypeError, match="^gs.trace\\(path\\): path must be a str or os.PathLike, not int$"
    ):
        gs.trace(3)


def test_trace_given_a_tensor_is_the_matrix_trace(tmp_path):
    a = gs.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t = gs.trace(a)
    assert t.item() == 5.0 and t.grad_fn.name() == "TraceBackward0"
    with gs.trace(tmp_path / "run.gstrace") as tr:  # a pathlib.Path is a path
        gs.ones(2) * 2
    assert len(gs.load_trace(str(tmp_path / "run.gstrace"))) == len(tr)
