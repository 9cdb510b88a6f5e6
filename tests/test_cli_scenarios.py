"""Real scenarios through the command line: live runs, replays, failures, the installed script."""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gradscope.cli._input import scenarios_dir
from gradscope.cli.app import app
from gradscope.recorder import load_trace

ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}

SQUARE = '''\
"""x**2 summed, with a mark before backward."""
import gradscope as gs

x = gs.randn(3, requires_grad=True)
y = (x ** 2).sum()
gs.mark("before backward")
y.backward()
print("grad ready", tuple(x.grad.shape))
'''

TRAIN = '''\
"""Four steps of a tiny linear model."""
import gradscope as gs
import gradscope.nn.functional as F

W = gs.randn(4, 3, requires_grad=True)
x = gs.randn(8, 4)
t = gs.randint(0, 3, (8,))
for step in range(4):
    loss = F.cross_entropy(x @ W, t)
    loss.backward()
    with gs.no_grad():
        W -= 0.1 * W.grad
    W.grad = None
'''

SECOND_BACKWARD = """\
import gradscope as gs


def loss_of(x):
    return (x * x).sum()


x = gs.randn(3, requires_grad=True)
y = loss_of(x)
y.backward()
y.backward()
"""


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


def script(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def _after_first_line(text):
    return text.split("\n", 1)[1]


def test_run_a_scenario_shows_backward(tmp_path):
    sq = script(tmp_path, "sq.py", SQUARE)
    r = invoke("run", sq, "--out", tmp_path / "pics", "--explain")
    assert r.exit_code == 0, r.output
    s = r.stdout
    assert "grad ready (3,)" in s
    assert "backward 1 of 1 from SumBackward0" in s and "(sq.py:5)" in s
    assert "PowBackward0" in s and "saved self 12 B" in s and "saved self 12 B (freed)" in s
    assert "summary: 3 nodes, 1 saved tensor (12 B)" in s
    assert (tmp_path / "pics" / "backward-1-after.svg").exists()


def test_live_and_replayed_output_agree(tmp_path):
    train = script(tmp_path, "train.py", TRAIN)
    saved = tmp_path / "train.gstrace"
    live = invoke("run", train, "--save", saved, "--out", tmp_path / "pics", "--explain")
    assert live.exit_code == 0, live.output
    first_svg = (tmp_path / "pics" / "backward-1-before.svg").read_bytes()
    replay = invoke("run", saved, "--out", tmp_path / "pics", "--explain")
    assert replay.exit_code == 0, replay.output
    assert "backward 2..3, one line each" in live.stdout
    live_body = _after_first_line(live.stdout).replace(f"trace saved to {saved}\n", "")
    assert live_body == _after_first_line(replay.stdout)
    assert (tmp_path / "pics" / "backward-1-before.svg").read_bytes() == first_svg
    # a second live run records the same events; only node ids (global counters) differ
    for cmd in (["graph"], ["graph", "--at", "before"], ["mem", "report"]):
        a = invoke(*cmd, train)
        b = invoke(*cmd, saved)
        assert a.exit_code == b.exit_code == 0
        assert _no_ids(a.stdout) == _no_ids(b.stdout), cmd
    a = json.loads(invoke("mem", "report", train, "--json").stdout)
    b = json.loads(invoke("mem", "report", saved, "--json").stdout)
    assert _no_ids(a) == _no_ids(b)


MODEL = """\
import gradscope as gs
model = gs.nn.Sequential(gs.nn.Linear(3, 4), gs.nn.ReLU(), gs.nn.Linear(4, 2))
X, y = gs.randn(5, 3), gs.randint(0, 2, (5,))
w = gs.randn(2, requires_grad=True)
loss = gs.nn.functional.cross_entropy(model(X) * w, y)
gs.mark("before backward")
loss.backward()
"""


def test_graphs_call_leaves_by_the_names_the_script_held_them_by(tmp_path):
    """A model's parameters are drawn as ``model.0.weight`` (not the layer's generic
    ``Linear.weight``), a tensor made in a tuple assignment by its variable, and a tensor
    assigned to a variable by that variable, live and from the saved trace alike."""
    path = script(tmp_path, "model.py", MODEL)
    saved = tmp_path / "model.gstrace"
    r = invoke("run", path, "--save", saved, "--out", tmp_path / "pics")
    assert r.exit_code == 0, r.output
    assert r.stdout.count("model.2.weight  ") == 2 and "Linear." not in r.stdout
    for source in (path, saved):
        g = invoke("graph", source, "--at", "before backward")
        assert g.exit_code == 0, g.output
        for name in ("model.0.weight", "model.0.bias", "model.2.weight", "model.2.bias"):
            assert f"{name}  " in g.stdout, (source, name)
        assert "input X saved as mat1" in g.stdout and "input y saved as target" in g.stdout
        assert "── w  (2,) float32  leaf, requires grad" in g.stdout
        assert "Linear." not in g.stdout


def test_garbage_left_in_the_process_is_not_in_a_scenarios_baseline(tmp_path):
    """Unreachable tensors from earlier work in the process (a cycle) are collected before
    recording starts: the baseline holds only what is reachable, and no buffer of theirs
    is freed inside the trace."""
    import gc

    import gradscope as gs
    from gradscope.cli._scenario import run_scenario

    gc.collect()
    before = gs.live_bytes()
    gc.disable()  # so that only the run itself can collect the cycle
    try:
        cycle = [gs.zeros(1000)]
        cycle.append(cycle)
        del cycle
        assert gs.live_bytes() == before + 4000
        result = run_scenario(script(tmp_path, "sq.py", SQUARE))
    finally:
        gc.enable()
    assert result.exit_code == 0
    tr = result.trace
    assert tr.header["baseline_bytes"].get("cpu", 0) == before
    allocated = {e.buffer for e in tr.events if e.kind == "tensor_allocated"}
    assert all(e.buffer in allocated for e in tr.events if e.kind == "tensor_freed")


def _no_ids(obj):
    if isinstance(obj, str):
        return re.sub(r"[ ─━]+", " ", re.sub(r"#\d+", "#N", obj))  # ids change column widths
    if isinstance(obj, dict):
        return {k: _no_ids(v) for k, v in obj.items() if k not in ("node", "root", "buffers")}
    if isinstance(obj, list):
        return [_no_ids(v) for v in obj]
    return obj


def test_mem_report_json_is_clean_when_the_scenario_prints(tmp_path):
    sq = script(tmp_path, "sq.py", SQUARE)
    r = invoke("mem", "report", sq, "--json")
    assert r.exit_code == 0, r.output
    rep = json.loads(r.stdout)
    assert "grad ready" in r.stderr
    assert rep["scenario"] == str(sq) and rep["backwards"][0]["root_op"] == "SumBackward0"


def test_a_failing_scenario_exits_1_with_its_own_frames_and_keeps_the_trace(tmp_path):
    bad = script(tmp_path, "second.py", SECOND_BACKWARD)
    saved = tmp_path / "second.gstrace"
    r = invoke("run", bad, "--no-graph", "--save", saved)
    assert r.exit_code == 1, r.output
    assert "backward 1 of 2" in r.stdout  # what was recorded before the failure
    err = r.stderr
    assert "Traceback (most recent call last):" in err
    assert f'File "{bad}", line 11, in <module>' in err
    assert "RuntimeError: Trying to backward through the graph a second time" in err
    frames = [ln for ln in err.splitlines() if ln.strip().startswith("File ")]
    assert frames and all(str(bad) in ln for ln in frames)
    tr = load_trace(str(saved))
    assert [e.kind for e in tr.events].count("backward_started") == 2


def test_a_syntax_error_names_the_file_and_line(tmp_path):
    bad = script(tmp_path, "syn.py", "import gradscope as gs\nx = (1,\n")
    r = invoke("run", bad)
    assert r.exit_code == 1
    assert f'File "{bad}", line 2' in r.stderr and "SyntaxError" in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize(
    ("code", "exit_code"),
    [("3", 1), ("2", 1), ("1", 1), ("True", 1), ("0", 0), ("False", 0), ("None", 0),
     ("", 0), ("'bad input'", 1)],
)  # fmt: skip
def test_system_exit_is_a_success_or_a_failure_after_showing_what_was_recorded(
    tmp_path, code, exit_code
):
    s = script(
        tmp_path,
        "ex.py",
        f"import sys\nimport gradscope as gs\nx = gs.ones(2, requires_grad=True)\n"
        f"(x * 3).sum().backward()\nsys.exit({code})\n",
    )
    r = invoke("run", s, "--no-graph")
    assert r.exit_code == exit_code, r.output
    assert "backward 1 of 1" in r.stdout
    if code == "'bad input'":
        assert "bad input" in r.stderr
    elif exit_code:
        assert f"{s} exited with status {int(eval(code))}" in r.stderr
        assert len([ln for ln in r.stderr.splitlines() if "status" in ln]) == 1
    else:
        assert r.stderr == ""
    for cmd in (["mem", "report", s, "--json"], ["graph", s], ["mem", "check", s]):
        r = invoke(*cmd)
        assert r.exit_code == exit_code, (cmd, r.output)


def test_runs_as_main_with_its_folder_on_path_and_its_arguments(tmp_path):
    (tmp_path / "helper_for_cli_test.py").write_text("SCALE = 3\n")
    s = script(
        tmp_path,
        "args.py",
        """\
        import sys
        import gradscope as gs
        from helper_for_cli_test import SCALE
        assert __name__ == "__main__"
        print("argv", sys.argv[1:], "scale", SCALE)
        """,
    )
    before = (sys.argv[:], sys.path[:])
    r = invoke("run", s, "--no-graph", "--", "--lr", "0.5")
    assert r.exit_code == 0, r.output
    assert "argv ['--lr', '0.5'] scale 3" in r.stdout
    assert (sys.argv, sys.path) == before


def test_the_installed_script(tmp_path):
    exe = shutil.which("gradscope")
    if exe is None:
        pytest.skip("the gradscope script is not installed (pip install -e .)")
    sq = script(tmp_path, "sq.py", SQUARE)
    env = {**os.environ, "COLUMNS": "100"}
    env.pop("GRADSCOPE_DOT", None)
    p = subprocess.run(
        [exe, "run", str(sq), "--save", str(tmp_path / "t.gstrace"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert "backward 1 of 1 from SumBackward0" in p.stdout and "summary: 3 nodes" in p.stdout
    p = subprocess.run(
        [exe, "graph", str(tmp_path / "nope.gstrace")], capture_output=True, text=True, env=env
    )
    assert p.returncode == 2 and p.stderr.startswith("gradscope: error: no such file")
    assert "Traceback" not in p.stderr
    p = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env)
    assert p.returncode == 0 and p.stdout.startswith("gradscope ")


def test_bundled_scenarios_are_listed():
    folder = scenarios_dir()
    names = (
        sorted(p.stem for p in folder.glob("*.py") if not p.name.startswith("_"))
        if folder.is_dir()
        else []
    )
    if not names:
        pytest.skip("no bundled scenarios in this checkout")
    r = invoke("scenarios")
    assert r.exit_code == 0
    for name in names:
        assert name in r.stdout


# -- the scenarios in an installed wheel -----------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_wheel_lists_every_package_and_carries_the_scenarios():
    """pyproject.toml names its packages one by one (to add the scenarios folder under
    another name): a package of gradscope/ missing from the list would be missing from
    the wheel."""
    tomllib = pytest.importorskip("tomllib")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        config = tomllib.load(f)["tool"]["setuptools"]
    on_disk = {
        os.path.relpath(folder, ROOT).replace(os.sep, ".")
        for folder, _, files in os.walk(os.path.join(ROOT, "gradscope"))
        if "__init__.py" in files
    }
    assert set(config["packages"]) == on_disk | {"gradscope_scenarios"}
    assert config["package-dir"] == {"gradscope_scenarios": "scenarios"}


def test_scenarios_are_found_in_a_wheel_install_and_in_a_checkout(tmp_path, monkeypatch):
    import gradscope

    site = tmp_path / "site-packages"
    (site / "gradscope").mkdir(parents=True)
    (site / "scenarios").mkdir()  # another distribution's folder: not ours
    monkeypatch.setattr(gradscope, "__file__", str(site / "gradscope" / "__init__.py"))
    assert scenarios_dir() == site / "scenarios"  # a checkout's layout
    (site / "gradscope_scenarios").mkdir()
    assert scenarios_dir() == site / "gradscope_scenarios"  # what the wheel installs
    monkeypatch.undo()
    assert scenarios_dir() == Path(ROOT) / "scenarios"


def test_a_bundled_scenario_among_installed_packages_is_the_users_code(tmp_path, monkeypatch):
    """An installed wheel puts the bundled scenarios under site-packages, whose frames are
    not the user's: the script being run still is (its traceback, the variables it holds)."""
    from gradscope import referrers
    from gradscope.cli import _scenario

    libs = (str(tmp_path) + os.sep,)
    monkeypatch.setattr(_scenario, "_library_dirs", lambda: libs)
    monkeypatch.setattr(referrers, "library_dirs", lambda: libs)
    s = script(
        tmp_path,
        "held.py",
        """\
        import gradscope as gs
        x = gs.ones(1000, requires_grad=True)
        kept = (x * 2).exp()
        kept.sum().backward(retain_graph=True)
        raise ValueError("stop here")
        """,
    )
    r = invoke("mem", "why", s, "--top", "1")
    assert r.exit_code == 1, r.output
    assert "held by x  [<module>, held.py:4]" in r.stdout
    assert f'File "{s}", line 5, in <module>' in r.stderr
