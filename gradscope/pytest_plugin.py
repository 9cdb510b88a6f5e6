"""pytest plugin: record a test's body with gradscope and hold its memory to limits.

Installing gradscope registers this module as the ``gradscope`` plugin (entry point group
``pytest11``). It gives:

* the ``gradscope_trace`` fixture: a ``Trace`` that records the test body (not the setup of
  other fixtures). The names of the test's variables are recorded at each ``gs.mark`` and
  after each backward, so ``gradscope_trace.why(t)`` and the leak checks can name them;
* the ``gradscope`` marker, checked when the test body returns (every limit is optional):

  - ``max_saved_bytes``: the most bytes saved for backward at once;
  - ``max_peak_bytes``: the peak of live bytes, above what was live when the body began;
  - ``graph_freed_after_backward=True``: no node that a backward ran still holds saved
    tensors when the body ends (a ``retain_graph=True`` graph never released);
  - ``max_live_bytes_at_end``: bytes still live when the body returns (its locals gone),
    above what was live when it began.

  A broken limit fails the test with the limits it broke and the memory report. An
  unknown keyword is a usage error, reported before any test runs.

Example::

    @pytest.mark.gradscope(max_peak_bytes=2_000_000, graph_freed_after_backward=True)
    def test_step(gradscope_trace):
        loss = model(x).sum()
        loss.backward()
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from .recorder import Trace
from .referrers import Probe, file_frames

LIMITS = (
    "max_saved_bytes",
    "max_peak_bytes",
    "graph_freed_after_backward",
    "max_live_bytes_at_end",
)
MARKER_HELP = (
    "gradscope(max_saved_bytes=None, max_peak_bytes=None, graph_freed_after_backward=False, "
    "max_live_bytes_at_end=None): record the test with gradscope and fail it when a memory "
    "limit is broken"
)
REPORT_WIDTH = 110
_KEY = pytest.StashKey[tuple]()


def pytest_sessionstart(session: pytest.Session) -> None:
    from .backend import ignore_own_runtime_warnings

    ignore_own_runtime_warnings()  # pytest may have loaded this plugin inside catch_warnings


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``gradscope`` marker."""
    config.addinivalue_line("markers", MARKER_HELP)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse a ``gradscope`` marker with an unknown keyword before any test runs."""
    for item in items:
        for marker in item.iter_markers("gradscope"):
            _limits(marker)


@pytest.fixture
def gradscope_trace(request: pytest.FixtureRequest) -> Iterator[Trace]:
    """A ``Trace`` that records the test body (started just before it, stopped just after)."""
    tr = Trace()
    tr.header["test"] = request.node.nodeid
    path = getattr(request.node, "path", None)
    probe = Probe(tr, keep=file_frames(str(path)) if path is not None else None)
    request.node.stash[_KEY] = (tr, probe)
    try:
        yield tr
    finally:
        probe.stop()
        tr.stop()


@pytest.fixture(autouse=True)
def _gradscope_marker(request: pytest.FixtureRequest) -> None:
    """A test with the ``gradscope`` marker records, whether or not it asks for the fixture."""
    marker = request.node.get_closest_marker("gradscope")
    if marker is not None:
        try:  # a marker added after collection is checked here, before the body runs
            _limits(marker)
        except pytest.UsageError as e:
            pytest.fail(str(e), pytrace=False)
        request.getfixturevalue("gradscope_trace")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Record the body; then check the marker's limits."""
    rec = item.stash.get(_KEY, None)
    if rec is None:
        return (yield)
    tr, probe = rec
    tr.start()
    probe.start()
    try:
        result = yield
    finally:
        probe.stop()
        tr.stop()
    marker = item.get_closest_marker("gradscope")
    if marker is not None:
        broken = check_limits(tr, **_limits(marker))
        if broken:
            pytest.fail(failure_text(tr, broken), pytrace=False)
    return result


def _limits(marker: pytest.Mark) -> dict:
    unknown = set(marker.kwargs) - set(LIMITS)
    if unknown or marker.args:
        what = ", ".join(sorted(unknown)) or "positional arguments"
        raise pytest.UsageError(f"gradscope marker: unknown {what}; it takes {', '.join(LIMITS)}")
    return dict(marker.kwargs)


def check_limits(
    tr: Trace,
    max_saved_bytes: int | None = None,
    max_peak_bytes: int | None = None,
    graph_freed_after_backward: bool = False,
    max_live_bytes_at_end: int | None = None,
) -> list[str]:
    """The limits ``tr`` breaks, one line each (empty when it keeps them all)."""
    from .state.leaks import held_after_backward, saved_peak

    base = tr.baseline_bytes
    baseline = tr.header.get("baseline_bytes") or {}
    broken = []
    if max_saved_bytes is not None:
        saved, seq = saved_peak(tr.events, baseline)
        if saved > max_saved_bytes:
            broken.append(f"max_saved_bytes={max_saved_bytes:,}: {saved:,} B were saved for "
                          f"backward at once (seq {seq})")  # fmt: skip
    if max_peak_bytes is not None and tr.peak_bytes - base > max_peak_bytes:
        broken.append(f"max_peak_bytes={max_peak_bytes:,}: the peak was {tr.peak_bytes - base:,} B "
                      f"above the {base:,} B live when the test began")  # fmt: skip
    if graph_freed_after_backward:
        for n in held_after_backward(tr.events, baseline):
            where = f" ({n['stack']})" if n["stack"] else ""
            broken.append(f"graph_freed_after_backward: {n['op']} #{n['node']}{where} still holds "
                          f"{n['bytes']:,} B of saved tensors after backward ran it")  # fmt: skip
    if max_live_bytes_at_end is not None and tr.live_bytes - base > max_live_bytes_at_end:
        broken.append(f"max_live_bytes_at_end={max_live_bytes_at_end:,}: {tr.live_bytes - base:,} B "
                      "were still live when the test body returned")  # fmt: skip
    return broken


def failure_text(tr: Trace, broken: list[str]) -> str:
    """The failure message: the broken limits, then the memory report as text."""
    from rich.console import Console

    from .views.report import build_report, render_report

    buf = io.StringIO()
    console = Console(file=buf, width=REPORT_WIDTH, color_system=None, highlight=False)
    rep = build_report(tr.events, tr.header.get("baseline_bytes") or {}, top=5, header=tr.header)
    render_report(rep, console)
    lines = ["gradscope: memory limits broken:"] + [f"  {b}" for b in broken]
    return "\n".join(lines) + "\n\n" + buf.getvalue()
