"""The pytest plugin, run in a pytester sandbox: the fixture, the marker and its failures."""

pytest_plugins = ["pytester"]

HEADER = """
import pytest
import gradscope as gs
"""


def _run(pytester, body, *args):
    pytester.makepyfile(HEADER + body)
    return pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args
    )


def test_the_entry_point_is_installed():
    from importlib.metadata import entry_points

    eps = [e for e in entry_points(group="pytest11") if e.name == "gradscope"]
    assert eps and eps[0].value == "gradscope.pytest_plugin"


def test_the_marker_is_registered(pytester):
    res = pytester.runpytest_inprocess("--markers", "-p", "no:hypothesispytest")
    assert "@pytest.mark.gradscope(max_saved_bytes=None" in res.stdout.str()


def test_the_fixture_records_the_test_body_and_names_its_variables(pytester):
    res = _run(
        pytester,
        """
@pytest.fixture
def w():
    return gs.randn(100, requires_grad=True)   # set up before recording starts

def test_body(gradscope_trace, w):
    assert gradscope_trace.events == []
    y = gs.relu(w * 2).sum()
    gs.mark("forward")
    kinds = {e.kind for e in gradscope_trace.events}
    assert {"node_created", "tensor_saved", "mark"} <= kinds
    refs = gradscope_trace.header["holders"][-1]["refs"]
    assert {"w", "y"} <= {r["name"] for r in refs}
    why = str(gradscope_trace.why(top=1, at="end"))
    assert "made by ReluBackward0" in why and "held by y" in why and "saved as `result`" in why
""",
    )
    res.assert_outcomes(passed=1)


def test_limits_that_hold_pass(pytester):
    res = _run(
        pytester,
        """
@pytest.mark.gradscope(max_saved_bytes=400, max_peak_bytes=2_000, graph_freed_after_backward=True,
                       max_live_bytes_at_end=0)
def test_ok():
    x = gs.randn(100, requires_grad=True)
    gs.relu(x).sum().backward()
""",
    )
    res.assert_outcomes(passed=1)


def test_each_broken_limit_fails_with_the_report(pytester):
    res = _run(
        pytester,
        """
KEEP = []

@pytest.mark.gradscope(max_saved_bytes=100)
def test_saved():
    x = gs.randn(100, requires_grad=True)
    gs.relu(x).sum().backward()

@pytest.mark.gradscope(max_peak_bytes=100)
def test_peak():
    x = gs.randn(100)

@pytest.mark.gradscope(graph_freed_after_backward=True)
def test_retained():
    x = gs.randn(100, requires_grad=True)
    y = gs.exp(x).sum()
    y.backward(retain_graph=True)
    KEEP.append(y)

@pytest.mark.gradscope(max_live_bytes_at_end=0)
def test_live_at_end():
    KEEP.append(gs.randn(10))
""",
    )
    res.assert_outcomes(failed=4)
    out = res.stdout.str()
    assert "max_saved_bytes=100: 400 B were saved for backward at once" in out
    assert "max_peak_bytes=100: the peak was 400 B above the" in out
    assert "graph_freed_after_backward: ExpBackward0 #" in out and "still holds 400 B" in out
    assert "max_live_bytes_at_end=0: 40 B were still live" in out
    assert "Memory report" in out and "by role" in out  # the report's tables come along
    assert "retain_graph=True graph never used again" in out  # and the leak checks


def test_a_failing_body_is_reported_as_itself(pytester):
    res = _run(
        pytester,
        """
@pytest.mark.gradscope(max_peak_bytes=0)
def test_raises():
    gs.randn(10)
    raise ValueError("the test's own error")
""",
    )
    res.assert_outcomes(failed=1)
    assert "the test's own error" in res.stdout.str()
    assert "memory limits broken" not in res.stdout.str()


def test_an_unknown_limit_is_a_usage_error(pytester):
    res = _run(
        pytester,
        """
@pytest.mark.gradscope(max_bytes=1)
def test_typo():
    pass
""",
    )
    assert "unknown max_bytes" in res.stdout.str() + res.stderr.str()
    assert res.ret != 0


def test_tests_without_the_marker_record_nothing(pytester):
    res = _run(
        pytester,
        """
from gradscope.events import emit

def test_plain():
    assert emit.sinks == ()
""",
    )
    res.assert_outcomes(passed=1)


def test_an_unknown_keyword_stops_the_session_before_any_body_runs(pytester):
    res = _run(
        pytester,
        """
RAN = []

def test_first():
    RAN.append(1)
    raise AssertionError("a body ran")

@pytest.mark.gradscope(max_peek_bytes=10)
def test_typo():
    raise AssertionError("the body ran")
""",
    )
    assert res.ret == 4  # pytest's exit code for a usage error
    err = res.stderr.str()
    assert "ERROR: gradscope marker: unknown max_peek_bytes; it takes max_saved_bytes" in err
    out = res.stdout.str() + err
    assert "body ran" not in out and "Traceback" not in out and "pytest_plugin.py" not in out


def test_a_marker_added_during_setup_is_checked_before_the_body(pytester):
    pytester.makeconftest(
        """
import pytest

def pytest_runtest_setup(item):
    item.add_marker(pytest.mark.gradscope(max_bytes=1))
"""
    )
    res = _run(
        pytester,
        """
def test_late():
    raise AssertionError("the body ran")
""",
    )
    res.assert_outcomes(errors=1)
    out = res.stdout.str()
    assert "unknown max_bytes" in out and "the body ran" not in out
    assert "pytest_plugin.py" not in out
