"""``bench/compare.py --quick`` runs every workload with every implementation on tiny
sizes and prints the table (a smoke run: nothing is timed or compared here)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.bench
def test_compare_quick_prints_the_table():
    proc = subprocess.run(
        [sys.executable, os.path.join("bench", "compare.py"), "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| workload | implementation | median time |" in out
    for case in ("overhead", "mlp", "relu_chain", "softmax_xent", "deep_chain 2k", "trace_io"):
        assert f"| {case} | gradscope |" in out, case
    assert "| overhead | gradscope --traced |" in out
    assert "| overhead | numpy |" in out
    assert "- graph: `gradscope graph --svg` on a 2,002-node graph" in out


@pytest.mark.bench
@pytest.mark.parametrize("extra", [[], ["--traced"]])
def test_phases_prints_forward_and_backward_per_op(extra):
    pytest.importorskip("torch", reason="bench/phases.py compares with torch")
    proc = subprocess.run(
        [sys.executable, os.path.join("bench", "phases.py"), "chain", "add", "--rounds", "2",
         "--ops", "20", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()[2:]]
    assert [r[0] for r in rows] == ["chain", "add"]
    for r in rows:
        gs_fwd, gs_bwd, gs_total = map(float, r[1:4])
        assert gs_fwd > 0 and gs_bwd > 0 and gs_fwd + gs_bwd <= gs_total + 0.01  # + freeing
