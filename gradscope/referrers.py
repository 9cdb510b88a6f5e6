"""Who holds each tensor: the user's variables, found by looking at live frames.

The events say which buffers and graph nodes exist, not which Python names keep them
alive. A probe reads the user's frames at chosen moments (each ``gs.mark``, the end of each
backward call, the end of a script) and writes down, for each gradscope tensor it finds,
the name that holds it: a variable, an item of a list or dict held by a variable, an
attribute of an object held by a variable, or a tensor captured by a hook registered on a
tensor the user holds. It keeps ids and strings only, never the objects.

A probe's records go into the trace header as ``holders`` (see docs/trace-format.md); the
state folds read them back to name the variable at the end of a "why is this alive" chain.

Example::

    with gs.trace() as tr:
        probe = Probe(tr).start()
        y = (x * 2).sum()
        gs.mark("forward")           # probe: y -> tensor id, buffer, node, site
        probe.stop()
    tr.header["holders"][0]["refs"]
"""

from __future__ import annotations

import os
import sys
import sysconfig
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .events import emit

#: Event kinds that trigger a probe, and the ``at`` word each record gets.
PROBE_AT = {"mark": "mark", "backward_finished": "backward"}
MAX_ITEMS = 1_000  # items looked at per container
MAX_REFS = 5_000  # references kept per probe record

_SKIP_TYPES = (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType,
               types.MethodType, types.CodeType, types.FrameType)  # fmt: skip
_CONTAINERS = (list, tuple, set, frozenset)
_SNAPSHOT_LOCALS = sys.version_info < (3, 13)


def _tensor_type():
    from .tensor import Tensor

    return Tensor


def _holder_types() -> tuple[type, type]:
    from .nn.modules import Module
    from .optim.optimizer import Optimizer

    return Module, Optimizer


def _attrs(obj) -> dict:
    """``obj.__dict__``, read without running the object's own ``__getattr__``."""
    try:
        attrs = object.__getattribute__(obj, "__dict__")
    except (AttributeError, TypeError):
        return {}
    return attrs if isinstance(attrs, dict) else {}


def library_dirs() -> tuple[str, ...]:
    """Folders whose frames are not the user's: gradscope itself, the standard library and
    installed packages."""
    import gradscope

    dirs = {os.path.dirname(os.path.abspath(gradscope.__file__))}
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            dirs.add(os.path.abspath(paths[key]))
    return tuple(d + os.sep for d in dirs)


def user_frames(libs: tuple[str, ...] | None = None) -> Callable[[Any], bool]:
    """A frame filter: True for frames of the user's own files."""
    libs = library_dirs() if libs is None else libs
    cache: dict[str, bool] = {}

    def keep(frame) -> bool:
        name = frame.f_code.co_filename
        ok = cache.get(name)
        if ok is None:
            ok = cache[name] = not name.startswith("<frozen") and not os.path.abspath(
                name
            ).startswith(libs)
        return ok

    return keep


def file_frames(path: str) -> Callable[[Any], bool]:
    """A frame filter: True for frames running code of the file at ``path``."""
    want = os.path.abspath(path)
    return lambda frame: os.path.abspath(frame.f_code.co_filename) == want


class _Scan:
    """One pass over some namespaces, collecting references to tensors."""

    def __init__(self) -> None:
        self.Tensor = _tensor_type()
        self.Module, self.Optimizer = _holder_types()
        self.refs: list[dict] = []
        self.seen: set[tuple[int, str]] = set()
        self.hooked: set[int] = set()  # tensors whose hooks were looked at
        self.first_name: dict[int, str] = {}  # tensor id -> the first name found for it
        self.optimizers: list[tuple] = []  # named once every namespace was read: ``finish``

    def add(self, t, name: str, site: str | None, scope: str | None, via: str) -> None:
        key = (t._id, name)
        if key in self.seen or len(self.refs) >= MAX_REFS:
            return
        self.seen.add(key)
        self.first_name.setdefault(t._id, name)
        node = t._grad_fn  # as it is: looking must not update a view's graph
        self.refs.append(
            {
                "tensor": t._id,
                "buffer": t._buffer.id,
                "node": getattr(node, "id", None),
                "name": name,
                "site": site,
                "scope": scope,
                "via": via,
            }
        )
        self.hooks(t, name)

    def namespace(self, ns: Mapping, site: str | None, scope: str | None) -> None:
        for name, value in list(ns.items()):
            if not isinstance(name, str) or name.startswith("__"):
                continue
            self.value(value, name, site, scope, "variable", depth=0)

    def value(self, v, name: str, site, scope, via: str, depth: int) -> None:
        if isinstance(v, self.Tensor):
            self.add(v, name, site, scope, via)
            return
        if depth >= 2 or isinstance(v, (str, bytes, int, float, complex, bool, type(None))):
            return
        if isinstance(v, _CONTAINERS):
            items: Iterable = (
                enumerate(v) if isinstance(v, (list, tuple)) else (("...", x) for x in v)
            )
            for n, (k, x) in enumerate(items):
                if n >= MAX_ITEMS:
                    break
                self.value(x, f"{name}[{k}]", site, scope, "item", depth + 1)
        elif isinstance(v, dict):
            for n, (k, x) in enumerate(list(v.items())):
                if n >= MAX_ITEMS:
                    break
                key = repr(k) if isinstance(k, (str, int)) else "..."
                self.value(x, f"{name}[{key}]", site, scope, "item", depth + 1)
        elif isinstance(v, self.Module):
            self.module(v, name, site, scope)
        elif isinstance(v, self.Optimizer):
            self.optimizers.append((v, name, site, scope))
        elif not isinstance(v, _SKIP_TYPES) and not type(v).__module__.startswith("gradscope"):
            try:
                attrs = object.__getattribute__(v, "__dict__")
            except (AttributeError, TypeError):
                return
            if not isinstance(attrs, dict):
                return
            for n, (k, x) in enumerate(list(attrs.items())):
                if n >= MAX_ITEMS:
                    break
                if isinstance(k, str) and not k.startswith("__"):
                    self.value(x, f"{name}.{k}", site, scope, "attribute", depth + 1)

    def module(self, m, name: str, site, scope) -> None:
        """The parameters, buffers and tensor attributes of module ``m`` and the modules
        under it, by the dotted names ``named_parameters`` gives (``model.0.weight``); read
        from the modules' tables, without calling their methods."""
        stack, memo, n = [(name, m)], set(), 0
        while stack and n < MAX_ITEMS:
            prefix, mod = stack.pop()
            if id(mod) in memo:
                continue
            memo.add(id(mod))
            n += 1
            attrs = _attrs(mod)
            for table in ("_parameters", "_buffers"):
                for k, x in list((attrs.get(table) or {}).items())[:MAX_ITEMS]:
                    if isinstance(x, self.Tensor):
                        self.add(x, f"{prefix}.{k}", site, scope, "attribute")
            for k, x in list(attrs.items())[:MAX_ITEMS]:  # a tensor kept as a plain attribute
                if isinstance(k, str) and not k.startswith("_") and isinstance(x, self.Tensor):
                    self.add(x, f"{prefix}.{k}", site, scope, "attribute")
            subs = (attrs.get("_modules") or {}).items()
            stack += reversed([(f"{prefix}.{k}", s) for k, s in subs if isinstance(s, self.Module)])

    def finish(self) -> None:
        """Name what the optimizers found hold, once the modules have named the parameters:
        a parameter that only an optimizer holds as ``opt.param_groups[0]['params'][1]``,
        and each parameter's state by the parameter's name,
        ``opt.state[model.0.weight]['exp_avg']`` (by its index in ``state_dict()``,
        ``opt.state[0]['exp_avg']``, for state kept for a tensor in no group)."""
        for opt, name, site, scope in self.optimizers:
            attrs = _attrs(opt)
            index: dict[int, int] = {}
            for g, group in enumerate(attrs.get("param_groups") or ()):
                params = group.get("params", ()) if isinstance(group, dict) else ()
                for i, p in enumerate(list(params)[:MAX_ITEMS]):
                    if isinstance(p, self.Tensor):
                        index.setdefault(id(p), len(index))
                        if p._id not in self.first_name:
                            where = f"{name}.param_groups[{g}]['params'][{i}]"
                            self.add(p, where, site, scope, "item")
            state = attrs.get("state") or {}
            for p, st in list(state.items())[:MAX_ITEMS]:
                if not isinstance(st, dict):
                    continue
                if isinstance(p, self.Tensor) and p._id in self.first_name:
                    key = self.first_name[p._id]
                else:
                    key = str(index.get(id(p), "..."))
                for k, x in list(st.items())[:MAX_ITEMS]:
                    if isinstance(x, self.Tensor):
                        self.add(x, f"{name}.state[{key}][{k!r}]", site, scope, "item")

    def hooks(self, t, owner: str) -> None:
        """Tensors captured by the hooks registered on ``t`` (or on its grad_fn)."""
        if t._id in self.hooked:
            return
        self.hooked.add(t._id)
        d = getattr(t, "__dict__", {})
        fns = list(d.get("_hooks") or ()) + list(d.get("_post_acc_hooks") or ())
        node = t._grad_fn  # as it is: looking must not update a view's graph
        if node is not None:
            for attr in ("_tensor_hooks", "_pre_hooks", "_post_hooks"):
                fns += list(getattr(node, attr, None) or ())
        for fn in fns:
            for cname, value in _captured(fn):
                if isinstance(value, self.Tensor):
                    code = getattr(fn, "__code__", None)
                    site = f"{code.co_filename}:{code.co_firstlineno}" if code else None
                    label = getattr(fn, "__qualname__", None) or type(fn).__name__
                    self.add(value, f"{cname} in hook {label} on {owner}", site, None, "hook")


def _captured(fn) -> list[tuple[str, Any]]:
    """(name, value) of what a hook function keeps: closure cells and default arguments."""
    out: list[tuple[str, Any]] = []
    code = getattr(fn, "__code__", None)
    cells = getattr(fn, "__closure__", None) or ()
    names = code.co_freevars if code is not None else ()
    for i, cell in enumerate(cells):
        try:
            out.append((names[i] if i < len(names) else f"cell{i}", cell.cell_contents))
        except ValueError:  # an empty cell
            pass
    defaults = getattr(fn, "__defaults__", None) or ()
    if code is not None and defaults:
        args = code.co_varnames[: code.co_argcount]
        for name, value in zip(args[len(args) - len(defaults) :], defaults):
            out.append((name, value))
    return out


def scan_frames(frame, keep: Callable[[Any], bool], stop=None) -> tuple[list[dict], str | None]:
    """References to tensors in ``frame`` and the frames that called it (those ``keep``
    accepts), up to ``stop`` (excluded); and the innermost kept frame's ``file:line``."""
    frames = []
    f = frame
    while f is not None and f is not stop:
        frames.append(f)
        f = f.f_back
    return scan_frame_list(frames, keep)


def scan_frame_list(frames: Iterable, keep: Callable[[Any], bool]) -> tuple[list[dict], str | None]:
    """References to tensors in ``frames`` (innermost first; those ``keep`` accepts), and
    the ``file:line`` of the first one kept."""
    scan = _Scan()
    site = None
    for f in frames:
        if keep(f):
            here = f"{f.f_code.co_filename}:{f.f_lineno}"
            site = site or here
            scope = getattr(f.f_code, "co_qualname", f.f_code.co_name)
            names = f.f_locals
            scan.namespace(names, here, scope)
            if _SNAPSHOT_LOCALS and isinstance(names, dict) and names is not f.f_globals:
                # before 3.13, f_locals is a snapshot the frame keeps: it would hold the
                # values seen now (even after the function deletes them) until read again
                names.clear()
    scan.finish()
    return scan.refs, site


def scan_namespace(ns: Mapping, site: str | None = None, scope: str = "<module>") -> list[dict]:
    """References to tensors held by the names of one namespace (a module's globals)."""
    scan = _Scan()
    scan.namespace(ns, site, scope)
    scan.finish()
    return scan.refs


class Probe:
    """Records who holds each tensor at every mark and at the end of every backward call.

    ``keep`` chooses the frames to read (default: the user's own files); ``stop`` is a
    frame at which to stop walking outward (the runner's own frame). Records are appended
    to ``trace.header["holders"]``.
    """

    def __init__(self, trace, keep: Callable[[Any], bool] | None = None, stop=None) -> None:
        self.trace = trace
        self.keep = keep or user_frames()
        self.stop_frame = stop
        self.records: list[dict] = trace.header.setdefault("holders", [])

    def start(self) -> Probe:
        """Begin probing (attach after the trace, so the trace has the event first)."""
        emit.attach(self)
        return self

    def stop(self) -> None:
        """Stop probing."""
        emit.detach(self)

    def add(self, event: tuple, _at=PROBE_AT.get) -> None:
        """Called with every raw event ``(kind, t, device, live_bytes, *fields)``; probes on
        marks and backward ends (one dict lookup for any other event)."""
        at = _at(event[0])
        if at is not None:
            self.record(at, sys._getframe(1))

    def record(self, at: str, frame) -> dict:
        """Scan from ``frame`` outward now and append the record for the latest event."""
        refs, site = scan_frames(frame, self.keep, self.stop_frame)
        rec = {"seq": len(self.trace) - 1, "at": at, "site": site, "refs": refs}
        self.records.append(rec)
        return rec

    def record_end(self, namespace: Mapping | None = None, tb=None) -> dict | None:
        """The record at the end: a script's globals, or the user's frames of a traceback."""
        if namespace is not None:
            refs = scan_namespace(namespace, None)
            site = None
        elif tb is not None:
            frames = []
            while tb is not None:
                frames.append(tb.tb_frame)
                tb = tb.tb_next
            refs, site = scan_frame_list(frames[::-1], self.keep)
        else:
            return None
        rec = {"seq": len(self.trace) - 1, "at": "end", "site": site, "refs": refs}
        self.records.append(rec)
        return rec


def why(trace, what=None, *, at=None, top: int = 5, frame=None):
    """Why buffers are alive in ``trace`` (see ``Trace.why``): ``what`` is a tensor, a
    buffer id, or None for the ``top`` largest live buffers."""
    from .state.retention import explain

    holders = list(trace.header.get("holders") or ())
    buffer = what
    if hasattr(what, "_buffer") and hasattr(what, "_id"):
        buffer = what._buffer.id
    if frame is not None and trace.events:  # a live trace: name what the caller holds now
        refs, site = scan_frames(frame, user_frames())
        holders.append({"seq": trace.events[-1].seq, "at": "now", "site": site, "refs": refs})
    return explain(
        trace.events,
        trace.header.get("baseline_bytes") or {},
        holders,
        buffer=buffer,
        at=at,
        top=top,
    )
