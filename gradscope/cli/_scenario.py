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

import contextlib
import gc
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
    """Run the script at ``path`` under ``gs.trace(save, scenario=path)``.

    What the script changes in this process is put back afterwards, so that what runs next
    (a second scenario, gradscope's own report) does not inherit it: the modules it
    imported from its own folder, grad and anomaly mode, the working directory,
    ``sys.argv``, ``sys.path``, ``sys.stdout`` and ``sys.stderr``. ``save`` is taken
    relative to the working directory the script started in.
    """
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
    target = os.path.abspath(save) if save else None  # wherever the script moves to
    # Unreachable buffers left by earlier work in this process (cycles of a scenario run
    # before) go now, not at some collection during the recording: the baseline counts
    # only what is held, and the collector's schedule restarts the same for every run.
    gc.collect()
    try:
        if target:
            os.makedirs(os.path.dirname(target), exist_ok=True)
        tr = trace_fn(target, scenario=path)
        tr.start()
    except OSError as e:
        raise CliError(f"cannot write {save}: {e.strerror or e}") from None
    from gradscope.referrers import Probe

    probe = Probe(tr, keep=_user_frames(script), stop=sys._getframe())
    probe.start()  # names the script's variables

    saved = _ProcessState()
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
        try:  # an interrupt here still stops the recorder and puts the process back
            try:
                probe.stop()
                _record_end(probe, keep)
            finally:
                tr.stop()
        finally:
            saved.restore()
    del keep
    saved.forget_modules(os.path.dirname(script))
    if target and probe.records:  # the streamed header had no names yet: write them in
        try:
            tr.save(target)
        except OSError as e:
            raise CliError(f"cannot write {save}: {e.strerror or e}") from None
    return result


class _ProcessState:
    """What a script may change in this process, taken before it runs, put back after."""

    def __init__(self) -> None:
        from gradscope.autograd import grad_mode

        self.argv, self.path = sys.argv[:], sys.path[:]
        self.stdout, self.stderr = sys.stdout, sys.stderr
        self.modes = _modes(grad_mode.state)
        self.modules = set(sys.modules)
        try:
            self.cwd: str | None = os.getcwd()
        except OSError:  # the folder we started in is gone
            self.cwd = None

    def restore(self) -> None:
        """Put back all but the modules (``forget_modules``, once the script's globals are
        let go)."""
        from gradscope.autograd import grad_mode

        sys.argv, sys.path[:] = self.argv, self.path
        sys.stdout = _open_stream(self.stdout, sys.__stdout__, 1)
        sys.stderr = _open_stream(self.stderr, sys.__stderr__, 2)
        for name, value in self.modes.items():
            setattr(grad_mode.state, name, value)
        if self.cwd is not None:
            with contextlib.suppress(OSError):
                os.chdir(self.cwd)

    def forget_modules(self, folder: str) -> None:
        """Drop the modules the script imported from its own folder, so that the next
        script's ``import model`` finds its own ``model.py``. Extension modules stay: they
        cannot be loaded twice."""
        libs = _library_dirs()  # gradscope's own modules stay, wherever it lies
        for name in set(sys.modules) - self.modules:
            file = getattr(sys.modules.get(name), "__file__", None)
            if not isinstance(file, str) or not file.endswith(".py"):
                continue
            file = os.path.abspath(file)
            if file.startswith(os.path.join(folder, "")) and not file.startswith(libs):
                sys.modules.pop(name, None)


def _modes(state) -> dict[str, bool]:
    return {name: getattr(state, name) for name in ("enabled", "anomaly", "anomaly_check_nan")}


def _open_stream(saved, original, fd: int):
    """``saved`` if it is still open, else the interpreter's own stream, else a new one on
    file descriptor ``fd`` (a script that closed ``sys.stdout`` closed both)."""
    for stream in (saved, original):
        if stream is not None and not getattr(stream, "closed", False):
            return stream
    try:
        return open(  # noqa: SIM115 - it is the process's stdout from now on
            fd, "w", encoding=getattr(saved, "encoding", None) or "utf-8",
            errors="backslashreplace", closefd=False, buffering=1,
        )  # fmt: skip
    except (OSError, ValueError):
        return saved


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
