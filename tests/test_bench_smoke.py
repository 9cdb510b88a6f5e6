"""``bench/compare.py --quick`` runs every workload with every implementation on tiny
sizes and prints the table (a smoke run: nothing is timed or compared here)."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _bench(script: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``bench/<script>`` with ``args`` as a user does, from the repository root."""
    return subprocess.run(
        [sys.executable, os.path.join("bench", script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.bench
def test_compare_quick_prints_the_table():
    proc = _bench("compare.py", "--quick")
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
    proc = _bench("phases.py", "chain", "add", "--rounds", "2", "--ops", "20", *extra)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()[2:]]
    assert [r[0] for r in rows] == ["chain", "add"]
    for r in rows:
        gs_fwd, gs_bwd, gs_total = map(float, r[1:4])
        assert gs_fwd > 0 and gs_bwd > 0 and gs_fwd + gs_bwd <= gs_total + 0.01  # + freeing


@pytest.mark.bench
@pytest.mark.parametrize("impl", ["gradscope", "gradscope --traced"])
def test_instructions_worker_runs_the_chain(impl):
    # what bench/instructions.py runs under valgrind, run directly (valgrind itself is slow)
    proc = _bench("instructions.py", "--worker", impl, "chain", "20", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""


@pytest.mark.bench
def test_instructions_without_valgrind_says_so():
    env = {**os.environ, "PATH": os.path.dirname(sys.executable)}  # python, no valgrind
    proc = _bench("instructions.py", "--impl", "gradscope", env=env)
    assert proc.returncode == 2
    assert proc.stderr == "error: valgrind is not on PATH (it counts the instructions)\n"
    assert proc.stdout == ""


def test_instructions_counts_from_cachegrind_summary():
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    try:
        import instructions
    finally:
        sys.path.pop(0)
    summary = "==7== Command: python x.py\n==7== \n==7== I   refs:      3,458,762,370\n"
    assert instructions.refs(summary) == 3_458_762_370
    assert instructions.refs("==7== Command: python x.py\nKilled\n") is None
