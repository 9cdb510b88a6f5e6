"""Every table the commands print, at 80 columns: numbers whole, no column squeezed away.

The trace is hand-built with what makes tables wide: long op names and file names,
byte figures in kB, four-digit seqs and many backward calls.
"""

import re

import pytest
from rich.cells import cell_len
from test_state_builder import Events
from typer.testing import CliRunner

from gradscope.cli.app import app
from gradscope.tracefile import writer

SITE = "/home/me/projects/a_long_training_script.py"
STEPS = 40
BYTE = re.compile(r"[-+]?\d+(?:\.\d)? (?:B|kB|MB)")


def _training() -> Events:
    """``STEPS`` times: a 200x32 input X, tanh(X @ W) and a loss; backward; X and the tanh
    output are kept (in a list), so every step adds to what is live."""
    ev = Events()
    ev.alloc(1, 1, 4096, (32, 32), role="leaf", name="W")
    ev.node(1, "AccumulateGrad", (), 1, (32, 32), stack=None)
    for k in range(STEPS):
        b = 100 * (k + 1)
        ev.mark(f"step {k}")
        ev.alloc(b, b, 25_600, (200, 32), role="leaf", name="X")
        ev.alloc(b + 1, b + 1, 25_600, (200, 32), node=b + 1)
        ev.node(b + 1, "AddmmBackward0", (1,), b + 1, (200, 32), stack=f"{SITE}:44")
        ev.save(b + 1, b, b, "mat1", 25_600, (200, 32))
        ev.alloc(b + 2, b + 2, 25_600, (200, 32), node=b + 2)
        ev.node(b + 2, "TanhBackward0", (b + 1,), b + 2, (200, 32), stack=f"{SITE}:45")
        ev.save(b + 2, b + 2, b + 2, "result", 25_600, (200, 32))
        ev.free(b + 1)
        ev.alloc(b + 3, b + 3, 4, (), node=b + 3)
        ev.node(b + 3, "NllLossBackward0", (b + 2,), b + 3, (), stack=f"{SITE}:65")
        ev.bw_start(b + 3).run(b + 3)
        ev.alloc(b + 4, None, 25_600, (200, 32), role="temp")
        ev.graph_freed(b + 3, 0).run(b + 2)
        ev.alloc(b + 5, None, 25_600, (200, 32), role="temp")
        ev.free(b + 4).graph_freed(b + 2, 0).run(b + 1)
        if k == 0:
            ev.alloc(50, None, 4096, (32, 32), role="grad", node=1)
        ev.free(b + 5).graph_freed(b + 1, 0).run(1)
        ev.grad(1, 1, 4096, 50, first=k == 0).bw_end(b + 3)
        ev.free(b + 3)
    return ev


@pytest.fixture(scope="module")
def trace(tmp_path_factory):
    path = tmp_path_factory.mktemp("narrow") / "train.gstrace"
    ev = _training()
    writer.write(str(path), writer.header(baseline_bytes={}, scenario="train.py"), ev.events)
    return path


def _invoke(*args) -> str:
    r = CliRunner().invoke(
        app, [str(a) for a in args], env={"COLUMNS": "80", "GRADSCOPE_DOT": None}
    )
    assert r.exit_code in (0, 1), r.output
    return r.stdout


def _tables(text: str) -> list[list[str]]:
    """The lines of each table: from its top border to its bottom border."""
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("┏"):
            cur = []
        if cur is not None:
            cur.append(line)
        if line.startswith("└") and cur is not None:
            out.append(cur)
            cur = None
    return out


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split("[│┃]", line)[1:-1]]


def _check(text: str) -> list[list[str]]:
    """No cut cell, no vanished column, every table line within 80 columns; the tables."""
    tables = _tables(text)
    assert tables, text
    for t in tables:
        assert all(cell_len(line) <= 80 for line in t), "\n".join(t)
        widths = [len(w) for w in t[0][1:-1].split("┳")]
        assert min(widths) >= 3, "\n".join(t)  # each column shows at least one character
    assert "…" not in text, text
    return tables


def _column(table: list[str], index: int) -> list[str]:
    """The non-empty cells of one column, line by line (a wrapped cell gives several)."""
    cells = [_cells(line)[index] for line in table if line.startswith("│")]
    return [c for c in cells if c]


@pytest.mark.parametrize("extra", [[], ["--no-graph"]])
def test_run(trace, extra):
    tables = _check(_invoke("run", trace, *extra, "--out", trace.parent / "pics"))
    one_line = next(t for t in tables if "live" in t[1] and "nodes" in t[1])
    numbers = _column(one_line, 0)
    assert numbers == [str(i) for i in range(2, STEPS)]
    assert all(BYTE.fullmatch(c) for c in _column(one_line, 4)), one_line  # the peaks


def test_run_step(trace):
    tables = _check(_invoke("run", trace, "--step"))
    live = [c for t in tables for c in _column(t, 6)]
    assert any(BYTE.fullmatch(c) for c in live) and any(c.startswith("(") for c in live)


def test_mem_report(trace):
    text = _invoke("mem", "report", trace)
    tables = _check(text)
    around = tables[-1]
    assert _column(around, 0) == [str(i) for i in range(1, STEPS + 1)]
    assert all(BYTE.fullmatch(c) for col in (3, 4, 5, 6, 7) for c in _column(around, col))
    seqs = "".join(_column(around, 2))
    assert re.search(r"\d{4}\.\.\d{4}", seqs)  # a seq range folds only after its ".."
    tops = next(t for t in tables if "where" in t[1] and "state" in t[1])
    assert all(BYTE.match(c) for c in _column(tops, 2))
    assert any(c.endswith(".py:44") for c in _column(tops, 4)), tops  # the line number is kept


def test_mem_timeline(trace):
    tables = _check(_invoke("mem", "timeline", trace))
    holders = tables[-1]
    assert all(BYTE.fullmatch(c) for c in _column(holders, 0))
    rows = [_cells(line) for line in holders if line.startswith("│")]
    assert all(r[2] for r in rows if r[0]), holders  # each buffer names its tensor
    assert "(200, 32)" in _column(holders, 2), holders  # a shape is not cut


def test_mem_diff(trace):
    tables = _check(_invoke("mem", "diff", trace, "--from", "step 2", "--to", "step 30"))
    by_node = tables[-1]
    where = "".join(_column(by_node, 2))
    assert "a_long_training_script" in where.replace(" ", "") and ":45" in where
    assert all(BYTE.fullmatch(c) for c in _column(by_node, 5))
    assert all(re.fullmatch(r"\d+ /|-", c) or BYTE.fullmatch(c) for c in _column(by_node, 3))


def test_mem_why_and_check(trace):
    for args in (["why", trace, "--top", "3"], ["check", trace]):
        text = _invoke("mem", *args)
        assert "…" not in text
        for t in _tables(text):
            assert all(cell_len(line) <= 80 for line in t), "\n".join(t)
