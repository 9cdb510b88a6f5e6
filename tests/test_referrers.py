"""The holders probe on live code: what it names, that it changes no lifetime, where it goes."""

import gc
import re
import weakref

import gradscope as gs
from gradscope.cli._scenario import run_scenario
from gradscope.recorder import load_trace
from gradscope.referrers import Probe, file_frames, scan_namespace


class Model:
    def __init__(self):
        self.w = gs.randn(4, requires_grad=True)


def _names(rec):
    return {r["name"]: r for r in rec["refs"]}


def test_the_probe_names_variables_items_attributes_and_hook_captures():
    w = gs.randn(4, requires_grad=True)

    def register(w):
        h = gs.tanh(w * 2)
        w.register_hook(lambda g: g * h.mean())
        w.register_hook(lambda g, scale=h: g)

    with gs.trace() as tr:
        probe = Probe(tr, keep=file_frames(__file__)).start()
        y = gs.relu(w).sum()
        outs = [w * 1, w * 2]
        table = {"k": w * 3}
        m = Model()
        register(w)
        gs.mark("look")
        probe.stop()
    (rec,) = tr.header["holders"]
    assert rec["seq"] == len(tr.events) - 1 and rec["at"] == "mark"
    assert rec["site"].startswith(__file__ + ":")
    names = _names(rec)
    assert names["y"]["via"] == "variable" and names["y"]["node"] == y.grad_fn.id
    assert names["y"]["tensor"] == y._id and names["y"]["buffer"] == y._buffer.id
    assert names["y"]["scope"].endswith(
        "test_the_probe_names_variables_items_attributes_and_hook_captures"
    )
    assert names["outs[1]"]["via"] == "item" and names["outs[1]"]["tensor"] == outs[1]._id
    assert names["table['k']"]["tensor"] == table["k"]._id
    assert names["m.w"]["via"] == "attribute" and names["m.w"]["tensor"] == m.w._id
    hooks = [r for r in rec["refs"] if r["via"] == "hook"]
    assert {r["name"].split(" in hook ")[0] for r in hooks} == {"h", "scale"}
    assert all(r["name"].endswith(" on w") and r["node"] is not None for r in hooks)


def test_probing_changes_no_lifetime(no_gc):
    def work(probe: bool):
        with gs.trace() as tr:
            p = Probe(tr).start() if probe else None
            x = gs.randn(50, requires_grad=True)
            for _ in range(3):
                y = gs.relu(x * 2)
                gs.mark("made y")
                del y
                gs.mark("dropped y")
                loss = gs.exp(x).sum()
                loss.backward()
            if p is not None:
                p.stop()
        return [(e.kind, getattr(e, "nbytes", None), e.live_bytes) for e in tr.events], tr

    plain, _ = work(False)
    probed, tr = work(True)
    assert probed == plain
    assert [r["at"] for r in tr.header["holders"]].count("backward") == 3


def test_a_tensor_seen_by_the_probe_dies_when_deleted(no_gc):
    with gs.trace() as tr:
        probe = Probe(tr).start()
        t = gs.randn(10)
        ref = weakref.ref(t)
        gs.mark("seen")
        del t
        assert ref() is None
        probe.stop()


def test_scan_namespace_reads_a_module_dict():
    refs = scan_namespace({"a": gs.ones(2), "__name__": "m", "n": 3, "mod": gc})
    assert [r["name"] for r in refs] == ["a"]


SCRIPT = """\
import gradscope as gs

def step(w):
    h = gs.tanh(w * 2)
    total = h.sum()
    gs.mark("inside")
    raise RuntimeError("boom")

w = gs.randn(8, requires_grad=True)
keep = [gs.relu(w)]
gs.mark("outside")
step(w) if __import__("sys").argv[1:] == ["fail"] else None
"""


def test_the_runner_records_names_and_the_trace_file_keeps_them(tmp_path):
    path = tmp_path / "s.py"
    path.write_text(SCRIPT)
    saved = tmp_path / "s.gstrace"
    res = run_scenario(str(path), save=str(saved))
    assert res.exit_code == 0
    holders = res.trace.header["holders"]
    assert [h["at"] for h in holders] == ["mark", "end"]
    assert {"w", "keep[0]"} <= set(_names(holders[-1]))
    assert load_trace(str(saved)).header["holders"] == holders
    # a failure: the end record reads the frames of the traceback
    res = run_scenario(str(path), ["fail"])
    assert res.exit_code == 1
    end = res.trace.header["holders"][-1]
    assert end["at"] == "end" and {"h", "total", "w"} <= set(_names(end))
    assert end["site"].endswith("s.py:7")


def test_trace_why_names_what_the_caller_holds():
    x = gs.randn(100, requires_grad=True)
    with gs.trace() as tr:
        total = 0
        for _ in range(3):
            total = total + gs.relu(x * 2).sum()
            gs.mark("step")
    ans = tr.why(total)
    (b,) = ans.buffers
    assert b.buffer == total._buffer.id and b.reasons[0].refs[0].name == "total"
    assert b.pattern == "loss_accumulated"
    top = tr.why(top=1, at="end")
    assert "held by total" in str(top) and "saved as `result`" in str(top)
    assert tr.why(b.buffer).buffers[0].buffer == b.buffer


class _Net(gs.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = gs.nn.Sequential(gs.nn.Linear(3, 4), gs.nn.ReLU(), gs.nn.Linear(4, 2))
        self.register_buffer("running", gs.zeros(2))
        self.mask = gs.ones(2)  # a plain tensor attribute

    @property
    def report(self):  # the probe reads the modules' tables, and runs none of their code
        raise AssertionError("the probe ran a property")


def test_modules_and_optimizers_name_what_they_hold_as_torch_names_it():
    """Parameters and buffers by ``named_parameters``' dotted names under the variable that
    holds the model; an optimizer's state by the parameter it belongs to; a ``.grad`` by
    its parameter's name."""
    net = _Net()
    model = gs.nn.Sequential(gs.nn.Linear(2, 2))
    opt = gs.optim.Adam(list(net.parameters()) + list(model.parameters()), lr=0.1)
    loss = net.body(gs.randn(5, 3)).sum() + model(gs.ones(1, 2)).sum()
    loss.backward()
    opt.step()
    names = {r["name"]: r["tensor"] for r in scan_namespace({"net": net, "opt": opt, "m": model})}
    w0 = net.body[0].weight
    assert names["net.body.0.weight"] == w0._id
    assert names["net.body.2.bias"] == net.body[2].bias._id
    assert names["net.running"] == net.running._id and names["net.mask"] == net.mask._id
    assert names["m.0.weight"] == model[0].weight._id
    state = opt.state[w0]
    assert names["opt.state[net.body.0.weight]['exp_avg']"] == state["exp_avg"]._id
    assert names["opt.state[net.body.0.weight]['exp_avg_sq']"] == state["exp_avg_sq"]._id
    assert names["opt.state[m.0.bias]['step']"] == opt.state[model[0].bias]["step"]._id
    assert not [n for n in names if "param_groups" in n]  # named already, by the modules
    # with the model out of reach, the optimizer names its parameters and their state
    alone = {r["name"]: r["tensor"] for r in scan_namespace({"opt": opt})}
    assert alone["opt.param_groups[0]['params'][0]"] == w0._id
    assert alone["opt.state[opt.param_groups[0]['params'][0]]['exp_avg']"] == state["exp_avg"]._id


def test_mem_why_names_a_models_parameters_its_gradients_and_adams_state(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import gradscope as gs\n"
        "model = gs.nn.Sequential(gs.nn.Linear(8, 16), gs.nn.ReLU(), gs.nn.Linear(16, 2))\n"
        "opt = gs.optim.Adam(model.parameters())\n"
        "model(gs.randn(4, 8)).sum().backward()\n"
        "opt.step()\n"
        "gs.mark('after step')\n"
    )
    tr = run_scenario(str(script)).trace
    text = str(tr.why(at="after step", top=40))
    for name in ("model.0.weight", "model.2.bias", "opt.state[model.0.weight]['exp_avg_sq']"):
        assert f"held by {name} " in text, name
    assert re.search(r"\.grad of tensor #\d+, held by model\.0\.weight ", text)
    assert "no holder recorded" not in text


def test_a_reports_holder_column_keeps_the_attribute_path_of_a_container():
    """Items of one container count as one holder, named down to the container:
    ``opt.state[...]`` for an optimizer's state, ``outputs[...]`` for a list."""
    from gradscope.views.why import _names

    refs = [
        {"name": "opt.state[model.0.weight]['exp_avg']", "via": "item"},
        {"name": "opt.state[model.0.bias]['exp_avg_sq']", "via": "item"},
        {"name": "opt.param_groups[0]['params'][1]", "via": "item"},
        {"name": "outputs[3]", "via": "item"},
        {"name": "model.0.weight", "via": "attribute"},
    ]
    assert _names(refs) == ["opt.state[...]", "opt.param_groups[...]", "outputs[...]",
                            "model.0.weight"]  # fmt: skip
