"""``gradscope run --step``: walk each backward call one node at a time.

The scenario runs to the end first, recording as usual; then its backward calls are
replayed step by step from the events. Gradient values are not in the event stream: while
``--step`` is on, ``capture_gradients`` hooks every node a backward is about to run and
keeps a summary of the gradient it receives (the values when it has at most 8 elements,
else its min, max and mean). A trace file has no values, so its steps show shapes only.

In a terminal (stdin and stdout both TTYs) it waits at each step: Enter (or ``n``) steps,
``c`` runs to the end, ``b OP`` runs to the next node whose op starts with OP
(``b Relu``), ``q`` quits. Anywhere else it prints every step as a table.

Example::

    with capture_gradients() as grads:
        src = load("scenarios/square_sum.py")
    walk(src.events, src.final.graph, grads, out(), interactive=False)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape

from gradscope.state import GraphState
from gradscope.views.fmt import human_bytes, short_site
from gradscope.views.stepper import SMALL, backward_walk, step_line, step_view, walk_table

HELP = "Enter/n: next step   c: continue to the end   b OP: run to the next OP node   q: quit"
FULL_TABLES = 2  # without a terminal: the first backward calls in full, then the last


def _summary(arr) -> dict:
    """Shape, dtype, and the values (small) or min/max/mean (large) of a gradient array."""
    rec: dict = {"shape": list(arr.shape), "dtype": str(arr.dtype), "numel": int(arr.size)}
    if arr.size <= SMALL:
        rec["values"] = [v for v in arr.ravel().tolist()]
    if arr.size and arr.dtype.kind in "fiu":
        rec.update(min=float(arr.min()), max=float(arr.max()), mean=float(arr.mean()))
    return rec


def _hook_graph(roots, index: int, grads: dict) -> list:
    """Hook every node reachable from ``roots`` so it records the gradient it receives."""
    from gradscope.autograd.function import _Handle

    handles = []
    seen: set[int] = set()
    stack = [t.grad_fn for t, *_ in roots if getattr(t, "grad_fn", None) is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._tensor_hooks is None:
            node._tensor_hooks = []
        node._watched = True

        def hook(g, _key=(index, node.id)) -> None:
            grads[_key] = _summary(g._data)

        handles.append((node, _Handle(node._tensor_hooks, hook)))
        stack.extend(nxt for nxt in node._next if nxt is not None)
    return handles


@contextmanager
def capture_gradients(on: bool = True) -> Iterator[dict]:
    """While inside, record the gradient each backward node receives, keyed by
    ``(backward index, node id)``; nothing is hooked when ``on`` is false."""
    grads: dict = {}
    if not on:
        yield grads
        return
    import gradscope.autograd as ag

    original = getattr(ag, "run_backward", None)
    if original is None:  # the engine changed shape: show shapes only
        yield grads
        return
    calls = [0]

    def run_backward(roots, *args, **kwargs):
        calls[0] += 1
        handles = _hook_graph(roots, calls[0], grads)
        try:
            return original(roots, *args, **kwargs)
        finally:
            for node, h in handles:
                h.remove()
                if not node._tensor_hooks:
                    node._tensor_hooks = None

    ag.run_backward = run_backward
    try:
        yield grads
    finally:
        ag.run_backward = original


def is_interactive() -> bool:
    """True when a person can answer the prompt: stdin and stdout are terminals."""
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _heading(graph: GraphState, rec, total: int) -> str:
    n = graph.nodes.get(rec.root) if rec.root is not None else None
    root = f" from {n.op} #{n.id}" if n else ""
    site = f" ({short_site(n.stack)})" if n is not None and n.stack else ""
    return f"backward {rec.index} of {total}{root}{site}"


def walk(
    events: list,
    graph: GraphState,
    grads: dict | None,
    console: Console,
    *,
    interactive: bool,
    read: Callable[[str], str] = input,
) -> None:
    """Show every backward call step by step: waiting at each step when ``interactive``,
    else as one table per backward call (the first ones and the last)."""
    total = len(graph.backwards)
    if not total:
        console.print("no backward call in this run: nothing to step through")
        return
    source = "values captured during the run" if grads else "shapes only (no values in a trace)"
    console.print(
        f"stepping through {total} backward call{'s' * (total != 1)}; gradients: {source}"
    )
    if not interactive:
        shown = list(range(1, total + 1))
        if total > FULL_TABLES + 1:
            shown = [*range(1, FULL_TABLES + 1), total]
        for i in shown:
            if i == total and total > FULL_TABLES + 1:
                console.print(f"(backward {FULL_TABLES + 1}..{total - 1} left out)")
            steps = backward_walk(events, graph, i, grads)
            title = escape(_heading(graph, graph.backwards[i - 1], total) + ", step by step")
            console.print(walk_table(steps, title=title))
        return
    console.print(HELP, style="dim")
    _Debugger(events, graph, grads, console, read).run(total)


class _Debugger:
    """The prompt loop: the mode (step, continue, break at an op) carries across calls."""

    def __init__(self, events, graph, grads, console, read) -> None:
        self.events, self.graph, self.grads = events, graph, grads
        self.c, self.read = console, read
        self.mode = "step"
        self.target: str | None = None

    def run(self, total: int) -> None:
        for i in range(1, total + 1):
            steps = backward_walk(self.events, self.graph, i, self.grads)
            self.c.rule(escape(_heading(self.graph, self.graph.backwards[i - 1], total)))
            if steps:
                self.c.print(f"live before: {human_bytes(steps[0]['live_before'])}, "
                             f"{len(steps)} nodes to run")  # fmt: skip
            for s in steps:
                if self.mode == "break" and s["op"].lower().startswith(self.target.lower()):
                    self.c.print(f"breakpoint: {s['op']}", style="bold yellow", markup=False)
                    self.mode = "step"
                if self.mode != "step":
                    self.c.print(step_line(s), highlight=False)
                    continue
                self.c.print(step_view(s, len(steps)))
                if not self._ask():
                    self.c.print("quit")
                    return
            if steps:
                last = steps[-1]
                self.c.print(f"backward {i} done: live {human_bytes(steps[0]['live_before'])} "
                             f"-> {human_bytes(last['live_after'])}")  # fmt: skip
        if self.mode == "break":
            self.c.print(f"no more {self.target} nodes: ran to the end", markup=False)

    def _ask(self) -> bool:
        """Read commands until one moves on; False to quit."""
        while True:
            try:
                answer = self.read("(step) ").strip()
            except (EOFError, KeyboardInterrupt):
                return False
            if answer in ("", "n", "s", "next"):
                return True
            if answer in ("c", "continue"):
                self.mode = "continue"
                return True
            if answer in ("q", "quit", "exit"):
                return False
            if answer.startswith("b ") and answer[2:].strip():
                self.target = answer[2:].strip()
                self.mode = "break"
                self.c.print(f"running to the next {self.target} node", markup=False)
                return True
            self.c.print(HELP, style="dim")


def show_steps(src, grads: dict, console: Console | None = None) -> None:
    """``run --step``: the run's heading, every backward step by step, the summary line."""
    from ._show import summary_line
    from .errors import out

    c = console or out()
    graph, led = src.final.graph, src.final.memory
    c.print(f"[bold]{escape(src.path)}[/]: {len(src.events)} events, {len(graph.nodes)} graph nodes",
            soft_wrap=True)  # fmt: skip
    walk(src.events, graph, grads, c, interactive=is_interactive())
    c.print(summary_line(graph, led), soft_wrap=True)
