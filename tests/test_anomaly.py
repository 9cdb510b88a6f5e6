"""Anomaly mode: NaN/Inf from backward names the node, its forward line and the user's call;
the node reaches the views through a mark in the event stream, and `run --anomaly` fails
with exit 1 and draws it red."""

import os
import shutil
import subprocess
import textwrap
import warnings

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

import gradscope as gs
from gradscope.cli.app import app
from gradscope.recorder import load_trace
from gradscope.state import fold_graph
from gradscope.views.dot import STYLES, to_dot
from gradscope.views.graph_model import build_view
from gradscope.views.tree import graph_tree

ENV = {"COLUMNS": "100", "GRADSCOPE_DOT": None}
GS_DIR = os.path.dirname(os.path.abspath(gs.__file__)) + os.sep

NAN = """\
import gradscope as gs


def nan_case():
    x = gs.tensor([0.0, 1.0], requires_grad=True)
    y = (gs.sqrt(x) * 0).sum()
    y.backward()


nan_case()
"""


def _line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def _forward():
    x = gs.tensor([0.0, 1.0], requires_grad=True)
    y = (gs.sqrt(x) * 0).sum()  # FORWARD
    return x, y


@pytest.mark.parametrize("how", ["method", "autograd.backward", "autograd.grad"])
def test_the_warning_points_at_the_users_backward_call_and_forward_line(how):
    here = os.path.abspath(__file__)
    src = open(here).read()
    with gs.autograd.set_detect_anomaly(True):
        x, y = _forward()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as err:
                if how == "method":
                    y.backward()  # CALL method
                elif how == "autograd.backward":
                    gs.autograd.backward(y)  # CALL autograd.backward
                else:
                    gs.autograd.grad(y, x)  # CALL autograd.grad
    (w,) = [c for c in caught if issubclass(c.category, UserWarning)]
    assert os.path.abspath(w.filename) == here
    assert w.lineno == _line_of(src, f"# CALL {how}")
    text = str(w.message)
    assert text.startswith("Error detected in SqrtBackward0. Traceback of forward call")
    forward = _line_of(src, "# FORWARD")
    assert f'File "{here}", line {forward}, in _forward' in text
    assert "y = (gs.sqrt(x) * 0).sum()" in text
    assert GS_DIR not in text
    msg = str(err.value)
    assert msg.startswith("Function 'SqrtBackward0' returned nan values in its 0th output.\n")
    assert f"SqrtBackward0 (created at {here}:{forward} in _forward)" in msg


def test_inf_is_reported_as_inf():
    x = gs.tensor([0.0, 1.0], requires_grad=True)
    with gs.autograd.set_detect_anomaly(True), pytest.warns(UserWarning):
        with pytest.raises(RuntimeError, match="returned inf values"):
            gs.log(x).sum().backward()  # d log(x) = 1/x: inf at 0


def test_the_node_reaches_the_trace_as_a_mark_and_the_views_draw_it_red():
    with gs.trace() as tr, gs.autograd.set_detect_anomaly(True):
        x = gs.tensor([0.0, 1.0], requires_grad=True)
        s = gs.sqrt(x)
        y = (s * 0).sum()
        with pytest.warns(UserWarning), pytest.raises(RuntimeError):
            y.backward()
    sqrt_node = s.grad_fn.id
    kinds = [e.kind for e in tr.events]
    marks = [e for e in tr.events if e.kind == "mark"]
    assert [m.label for m in marks] == [f"anomaly: node {sqrt_node} SqrtBackward0 returned nan"]
    assert kinds.index("mark") < kinds.index("backward_finished")  # inside the backward span
    graph = fold_graph(tr.events)
    assert graph.anomalies == {sqrt_node: "returned nan"}
    view = build_view(graph)
    (bad,) = [op for op in view.ops if op.anomaly]
    assert bad.op == "SqrtBackward0" and bad.members == [sqrt_node]
    dot = to_dot(view)
    assert f'fillcolor="{STYLES["anomaly"]["fillcolor"]}"' in dot
    assert "anomaly: returned nan" in dot
    c = Console(width=100, record=True, color_system="truecolor")
    c.print(graph_tree(view))
    assert "anomaly: returned nan" in c.export_text(clear=False)
    assert "\x1b[1;31mSqrtBackward0" in c.export_text(styles=True)  # bold red
    # without anomaly mode nothing is marked and the gradient is nan, as in torch
    with gs.trace() as tr2:
        (gs.sqrt(x) * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])
    assert not fold_graph(tr2.events).anomalies


def test_a_user_mark_with_another_label_marks_nothing():
    with gs.trace() as tr:
        gs.mark("anomaly: none here")
        gs.mark("before anomaly: node 3")
    assert fold_graph(tr.events).anomalies == {}


def test_run_anomaly_fails_with_exit_1_and_draws_the_node_red(tmp_path):
    s = tmp_path / "nan_case.py"
    s.write_text(NAN)
    saved, pics = tmp_path / "nan.gstrace", tmp_path / "pics"
    with pytest.warns(UserWarning, match="Error detected in SqrtBackward0") as rec:
        r = CliRunner().invoke(
            app, ["run", str(s), "--anomaly", "--save", str(saved), "--out", str(pics)], env=ENV
        )
    assert r.exit_code == 1, r.output
    assert not gs.autograd.is_anomaly_enabled()  # switched off again after the run
    w = [x for x in rec if "Error detected" in str(x.message)][0]
    assert (w.filename, w.lineno) == (str(s), _line_of(NAN, "y.backward()"))
    err = r.stderr
    assert "Traceback (most recent call last):" in err
    frames = [ln for ln in err.splitlines() if ln.strip().startswith("File ")]
    assert frames and all(str(s) in ln for ln in frames)  # only the user's frames
    assert "RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output." in err
    assert f"SqrtBackward0 (created at {s}:{_line_of(NAN, 'gs.sqrt')} in nan_case)" in err
    out = r.stdout
    assert "graph after backward" in out
    assert "SqrtBackward0" in out and "anomaly: returned nan" in out
    after = (pics / "backward-1-after.svg").read_text()
    assert STYLES["anomaly"]["fillcolor"] in after and "anomaly: returned nan" in after
    assert STYLES["anomaly"]["fillcolor"] not in (pics / "backward-1-before.svg").read_text()
    # the saved trace keeps the mark, and replays with the node red
    tr = load_trace(str(saved))
    assert any(e.kind == "mark" and e.label.startswith("anomaly: node") for e in tr.events)
    replay = CliRunner().invoke(app, ["graph", str(saved)], env=ENV)
    assert replay.exit_code == 0 and "anomaly: returned nan" in replay.stdout
    # without --anomaly the same script succeeds with a nan gradient and nothing red
    plain = CliRunner().invoke(app, ["run", str(s), "--no-graph"], env=ENV)
    assert plain.exit_code == 0, plain.output


def test_the_installed_script_prints_the_warning_at_the_users_line(tmp_path):
    exe = shutil.which("gradscope")
    if exe is None:
        pytest.skip("the gradscope script is not installed (pip install -e .)")
    s = tmp_path / "nan_case.py"
    s.write_text(textwrap.dedent(NAN))
    env = {**os.environ, "COLUMNS": "100"}
    p = subprocess.run(
        [exe, "run", str(s), "--anomaly", "--no-graph"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 1, p.stderr
    line = _line_of(NAN, "y.backward()")
    assert f"{s}:{line}: UserWarning: Error detected in SqrtBackward0" in p.stderr
    assert GS_DIR not in p.stderr
