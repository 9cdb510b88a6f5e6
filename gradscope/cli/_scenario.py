"""Run a scenario script as ``__main__`` under the recorder, and keep what it recorded.

The script runs in this process with its folder first on ``sys.path`` and
``sys.argv = [script, *args]``. Its exceptions are caught: the traceback is cut down to
the user's own frames, and the trace up to the failure is kept (and saved with ``save``).
``sys.exit()`` with 0 or None is a success; any other status is a failed scenario (exit
code 1, with a line naming the status), since the command's own codes mean something else
(2: bad usage).

Example::

    result = run_scenario("scenarios/relu_chain_memory.py", save="run.gstrace")
    result.trace.events, result.exit_code, result.error
"""

from __future__ import annotations

import os
import runpy
import sys
import sysconfig
import traceback
from dataclasses import dataclass
from typing import Any

from .errors import SCENARIO_FAILED, CliError


@dataclass
class ScenarioResult:
    """What running a scenario left: its trace, its exit code, its shortened traceback."""

    trace: Any  # gradscope.recorder.Trace
    exit_code: int = 0
    error: str | None = None  # the traceback text (user frames only), or a message
    ran: bool = True  # False when the script did not even compile


def _library_dirs() -> tuple[str, ...]:
    import gradscope

    paths = sysconfig.get_paths()
    dirs = {os.path.dirname(os.path.abspath(gradscope.__file__))}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            dirs.add(os.path.abspath(paths[key]))
    return tuple(d + os.sep for d in dirs)


def _own(frame: traceback.FrameSummary, libs: tuple[str, ...], script: str | None) -> bool:
    name = frame.filename
    if name.startswith("<"):  # <frozen runpy>, <string>, ...
        return False
    path = os.path.abspath(name)
    return path == script or not path.startswith(libs)


def user_traceback(exc: BaseException, script: str | None = None) -> str:
    """The traceback of ``exc`` with only the user's own frames (and chained causes).

    ``script`` (an absolute path) is the user's even where it lies among installed
    packages, as a bundled scenario of an installed gradscope does.
    """
    libs = _library_dirs()
    te = traceback.TracebackException.from_exception(exc)
    todo, seen = [te], set()
    while todo:
        t = todo.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        t.stack = traceback.StackSummary.from_list([f for f in t.stack if _own(f, libs, script)])
        todo += [c for c in (t.__cause__, t.__context__) if c is not None]
    return "".join(te.format())


def _compile(path: str) -> tuple[Any, str | None]:
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        raise CliError(f"cannot read {path}: {e.strerror or e}") from None
    try:
        return compile(source, path, "exec", dont_inherit=True), None
    except (SyntaxError, ValueError) as e:  # ValueError: null bytes in the source
        return None, "".join(traceback.format_exception_only(type(e), e))


def run_scenario(
    path: str, args: list[str] | None = None, save: str | None = None
) -> ScenarioResult:
    """Run the script at ``path`` under ``gs.trace(save, scenario=path)``."""
    import gradscope as gs

    trace_fn = getattr(gs, "trace", None)
    if trace_fn is None:  # the package root does not re-export it
        from gradscope.recorder import trace as trace_fn

    script = os.path.abspath(path)
    if not os.path.exists(script):
        raise CliError(f"no such file: {path}")
    if os.path.isdir(script):
        raise CliError(f"{path} is a directory, not a scenario script")
    code, syntax_error = _compile(script)
    if syntax_error is not None:
        tr = trace_fn(None, scenario=path)
        return ScenarioResult(tr, SCENARIO_FAILED, syntax_error, ran=False)
    tr = trace_fn(save, scenario=path)
    try:
        tr.start()
    except OSError as e:
        raise CliError(f"cannot write {save}: {e.strerror or e}") from None
    from gradscope.referrers import Probe

    probe = Probe(tr, keep=_user_frames(script), stop=sys._getframe())
    probe.start()  # names the script's variables

    saved_argv, saved_path = sys.argv[:], sys.path[:]
    sys.argv = [path, *(args or [])]
    sys.path.insert(0, os.path.dirname(script))
    result = ScenarioResult(tr)
    keep = None  # the script's globals (or its traceback): alive until recording stops,
    try:  # so "live at end" is the state the script ended in, not its teardown
        keep = runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        keep = e
        code = e.code
        if code is not None and not (isinstance(code, int) and code == 0):
            result.exit_code = SCENARIO_FAILED
            result.error = (  # a message is printed as Python prints it
                f"gradscope: {path} exited with status {int(code)}"
                if isinstance(code, int)
                else str(code)
            )
    except KeyboardInterrupt as e:
        keep = e
        result.exit_code = 130
        result.error = "interrupted"
    except BaseException as e:  # the user's code failed: report it, keep the trace
        keep = e
        result.exit_code = SCENARIO_FAILED
        result.error = user_traceback(e, script)
    finally:
        probe.stop()
        _record_end(probe, keep)
        tr.stop()
        sys.argv, sys.path[:] = saved_argv, saved_path
    del keep
    if save and probe.records:  # the streamed header had no names yet: write them in
        try:
            tr.save(save)
        except OSError as e:
            raise CliError(f"cannot write {save}: {e.strerror or e}") from None
    return result


def _user_frames(script: str):
    """A frame filter for the probe: the user's own files, and the script itself even
    where it lies among installed packages (a bundled scenario of an installed gradscope).
    ``runpy`` compiles the script under the path it is given, so its frames carry it."""
    from gradscope.referrers import user_frames

    users = user_frames()
    return lambda frame: frame.f_code.co_filename == script or users(frame)


def _record_end(probe, keep: Any) -> None:
    """Who holds what when the script ended: its globals, or the frames it failed in."""
    if isinstance(keep, dict):
        probe.record_end(namespace=keep)
    elif isinstance(keep, BaseException) and keep.__traceback__ is not None:
        probe.record_end(tb=keep.__traceback__)
