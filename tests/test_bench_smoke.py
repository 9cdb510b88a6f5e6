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
