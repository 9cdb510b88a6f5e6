"""Why a buffer is alive: who holds it, and the chain from the user's variable down to it.

A live buffer is held by one or more of:

* a tensor the user holds: a variable, a list or dict item, an attribute, or a tensor
  captured by a hook (names come from the trace header's ``holders``, see holders.py);
* a graph node that saved it for backward (node and slot). That node is kept alive by the
  nodes downstream of it (``node_created.inputs`` read backwards), up to a node whose
  output tensor the user still holds: the root of the chain;
* a tensor's ``.grad``.

Each chain through a saved tensor gets a pattern when it matches a known one: a loss
accumulated without ``.item()``, a ``retain_graph=True`` graph never used again, outputs
kept in a list, a hook closure, a graph never used for backward, a graph waiting for
backward.

Example::

    ans = explain(trace.events, baseline, trace.header.get("holders"), buffer=12)
    print(ans)             # plain text, one block per buffer
    ans.as_dict()          # the same as plain data
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from ..events.schema import Event
from .graph import GraphState, fold_graph
from .holders import Holders, Ref
from .ledger import BufferState, Ledger, fold_memory
from .snapshot import mark_index, resolve

PATTERNS: dict[str, str] = {  # most telling first: a chain with several roots shows that one
    "hook_closure": "hook closure",
    "loss_accumulated": "graph kept alive by a loss accumulated without .item()",
    "outputs_in_list": "outputs kept in a list",
    "retain_graph_unused": "retain_graph=True graph never used again",
    "retain_graph_reused": "graph kept by retain_graph=True for a later backward",
    "never_backwarded": "graph never used for backward",
    "waiting_for_backward": "graph waiting for backward",
}
_RANK = {p: i for i, p in enumerate(PATTERNS)}
PATH_SHOWN = 4  # nodes of a long chain shown at each end
MAX_ROOTS = 5  # named roots looked for above one saving node


def _site(site: str | None) -> str:
    if not site:
        return "?"
    path, sep, line = site.rpartition(":")
    base = path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{base}:{line}" if sep and line.isdigit() else base


class Reason:
    """One reason a buffer is alive (``kind``: variable, saved, grad, temp or unknown)."""

    __slots__ = ("kind", "refs", "node", "op", "slots", "stack", "path", "root", "root_tensor",
                 "pattern", "released", "grad_of", "also")  # fmt: skip

    def __init__(self, kind: str, refs: Sequence[Ref] = ()) -> None:
        self.kind = kind
        self.refs: list[Ref] = list(refs)  # the user's names at the top of the chain
        self.node: int | None = None  # the node that saved the buffer
        self.op: str | None = None
        self.slots: list[str] = []
        self.stack: str | None = None
        self.path: list[dict] = []  # saving node first, then downstream up to the root
        self.root: int | None = None  # the node whose output the user holds
        self.root_tensor: int | None = None
        self.pattern: str | None = None
        self.released = False  # no live reference to the saving node's graph was found
        self.grad_of: int | None = None  # for kind "grad": the tensor whose .grad it is
        self.also: list[dict] = []  # other roots holding the same node: root, op, depth, refs

    @property
    def pattern_text(self) -> str | None:
        """The pattern's name in words."""
        return PATTERNS.get(self.pattern) if self.pattern else None

    def as_dict(self) -> dict:
        """Plain data, snake_case keys."""
        d = {k: getattr(self, k) for k in self.__slots__}
        d["refs"] = [r.as_dict() for r in self.refs]
        d["pattern_text"] = self.pattern_text
        return d


class BufferWhy:
    """A live buffer and every reason it is alive."""

    def __init__(self, b: BufferState, graph: GraphState) -> None:
        self.buffer = b.buffer
        self.nbytes = b.nbytes
        self.device = b.device
        self.role = b.role
        self.category = b.category
        self.shape = list(b.shape)
        self.dtype = b.dtype
        self.name = b.name
        self.tensor = b.tensor
        made = graph.nodes.get(b.node) if b.node is not None else None
        self.made_by = b.node if made is not None else None
        self.made_op = made.op if made is not None else None
        self.made_stack = made.stack if made is not None else None
        self.reasons: list[Reason] = []

    @property
    def pattern(self) -> str | None:
        """The first pattern among the reasons; None when the user's own names hold the
        buffer with no pattern of theirs (a graph that also keeps it is then not why it is
        alive)."""
        if self.held_directly():
            return None
        return next((r.pattern for r in self.reasons if r.pattern), None)

    def held_directly(self) -> list[str]:
        """The names that hold this buffer themselves, outside any known pattern."""
        return list(dict.fromkeys(
            x.name for r in self.reasons if r.kind == "variable" and not r.pattern for x in r.refs
        ))  # fmt: skip

    def as_dict(self) -> dict:
        """Plain data, snake_case keys, bytes as ints."""
        d = {k: v for k, v in vars(self).items() if k != "reasons"}
        d["pattern"] = self.pattern
        d["pattern_text"] = PATTERNS.get(self.pattern) if self.pattern else None
        d["reasons"] = [r.as_dict() for r in self.reasons]
        return d

    def headline(self) -> str:
        """``buffer 5: 4,000 B activation (1000,) float32, saved for backward``."""
        shape = "(" + ", ".join(map(str, self.shape)) + ("," if len(self.shape) == 1 else "") + ")"
        what = {"saved": "saved for backward", "grad": "a gradient"}.get(self.category, "")
        made = (
            f", made by {self.made_op} #{self.made_by} at {_site(self.made_stack)}"
            if self.made_op and self.role != "grad"
            else ""
        )
        return (f"buffer {self.buffer}: {self.nbytes:,} B {self.role} {shape} {self.dtype}"
                f"{', ' + what if what else ''}{made}")  # fmt: skip

    def lines(self) -> list[str]:
        """The chains as plain text, the user's end first."""
        out = [self.headline()]
        if not self.reasons:
            out.append("  no holder recorded")
        roots: set = set()
        direct = {x.name for r in self.reasons if r.kind == "variable" for x in r.refs}
        anyway = self.held_directly()
        for r in self.reasons:
            key = (r.root, tuple(x.name for x in r.refs))
            own = r.kind == "saved" and len(r.path) == 1 and {x.name for x in r.refs} <= direct
            if own and r.refs:
                out.append(f"  also saved as `{'/'.join(r.slots)}` by its own grad_fn {r.op} "
                           f"#{r.node} ({_site(r.stack)})")  # fmt: skip
                continue
            if r.kind == "saved" and not r.released and key in roots:
                out.append(f"  also saved as `{'/'.join(r.slots)}` by {r.op} #{r.node} "
                           f"({_site(r.stack)}), kept alive by the same chain")  # fmt: skip
                continue
            roots.add(key)
            out += ["  " + line for line in reason_lines(r, [] if r.kind == "variable" else anyway)]
        return out


def _ref_text(r: Ref) -> str:
    where = f"{r.scope}, " if r.scope and r.via != "hook" else ""
    what = {"item": "an item of", "attribute": "an attribute of"}.get(r.via)
    held = f"{r.name} ({what} {r.container})" if what else r.name
    return f"{held}  [{where}{_site(r.site)}]" if r.site else f"{held}  [{r.scope or '?'}]"


def _step(s: dict) -> str:
    return f"{s['op']} #{s['node']} ({_site(s['stack'])})"


def reason_lines(r: Reason, held_anyway: Sequence[str] = ()) -> list[str]:
    """One reason as indented plain-text lines; ``held_anyway``: the user's names that hold
    the buffer themselves, so that this reason's pattern is not what keeps it alive."""
    names = ", ".join(_ref_text(x) for x in r.refs[:3]) + (" ..." if len(r.refs) > 3 else "")
    if r.kind == "variable":
        lines = [f"held by {names}"]
    elif r.kind == "grad":
        lines = [f".grad of tensor #{r.grad_of}" + (f", held by {names}" if names else "")]
    elif r.kind == "saved":
        slots = "/".join(r.slots)
        saver = f"saved as `{slots}` by {r.op} #{r.node} ({_site(r.stack)})"
        if r.released:
            return [saver + ", whose graph no longer seems referenced (no live output found)"]
        if r.refs:
            head = f"held by {names}"
        elif r.root_tensor is not None:
            head = f"held by tensor #{r.root_tensor} (no variable name recorded)"
        else:
            head = "held by an unnamed reference"
        steps = r.path[::-1]  # root first
        if len(steps) > 2 * PATH_SHOWN + 1:
            hidden = len(steps) - 2 * PATH_SHOWN
            ops = sorted({s["op"] for s in steps[PATH_SHOWN:-PATH_SHOWN]})
            steps = steps[:PATH_SHOWN] + [{"gap": f"... {hidden} more nodes ({', '.join(ops)}) ..."}] + steps[-PATH_SHOWN:]  # fmt: skip
        lines = [head]
        for i, s in enumerate(steps):
            text = s.get("gap") or _step(s)
            if i == 0 and "gap" not in s and r.root_tensor is not None:
                text = f"tensor #{r.root_tensor}, grad_fn {text}"
            lines.append("  " * (i + 1) + "-> " + text)
        lines.append("  " * (len(steps) + 1) + f"-> {saver.split(' by ', 1)[0]}")
    elif r.kind == "temp":
        lines = ["a gradient in flight inside backward (the engine holds it until it is used)"]
    else:
        lines = ["no holder recorded: a temporary inside an expression, or an object "
                 "gradscope does not look into"]  # fmt: skip
    if r.pattern:
        anyway = ""
        if held_anyway:
            who = ", ".join(held_anyway[:3]) + (" ..." if len(held_anyway) > 3 else "")
            verb = "holds" if len(held_anyway) == 1 else "hold"
            anyway = f" (not why this buffer is alive: {who} {verb} it)"
        lines.append(f"  pattern: {PATTERNS[r.pattern]}{anyway}")
    for a in r.also:
        held = ", ".join(_ref_text(Ref(**x)) for x in a["refs"]) or "an unnamed reference"
        lines.append(f"  also held by {held} through {a['op']} #{a['root']} "
                     f"({a['depth']} node{'s' * (a['depth'] != 1)} downstream)")  # fmt: skip
    return lines


class Answer:
    """The buffers asked about at one point of a trace, each with its reasons."""

    def __init__(self, seq: int | None, at, buffers: list[BufferWhy], names: bool) -> None:
        self.seq = seq
        self.at = at
        self.buffers = buffers
        self.names_known = names  # the trace recorded the user's references

    def as_dict(self) -> dict:
        """Plain data, snake_case keys."""
        return {"seq": self.seq, "at": self.at, "names_known": self.names_known,
                "buffers": [b.as_dict() for b in self.buffers]}  # fmt: skip

    def __str__(self) -> str:
        where = f"at seq {self.seq}" if self.seq is not None else "before any event"
        out = [f"why alive {where}" + ("" if self.names_known else " (no variable names recorded)")]
        for b in self.buffers:
            out += b.lines()
        if not self.buffers:
            out.append("no live buffers")
        return "\n".join(out)

    __repr__ = __str__


class Retention:
    """Graph, memory and the user's references at one point, with full-trace knowledge of
    which backward calls ran each node."""

    def __init__(self, events: Sequence[Event], n: int, baseline: dict | None = None,
                 holders: Holders | Iterable | None = None, *, full: GraphState | None = None,
                 graph: GraphState | None = None, memory: Ledger | None = None) -> None:  # fmt: skip
        head = events[:n] if n < len(events) else events
        self.events = events
        self.seq: int | None = head[n - 1].seq if n else None
        self.end = n >= len(events)
        self.graph = graph if graph is not None else fold_graph(head)
        self.led = memory if memory is not None else fold_memory(head, baseline)
        self.full = full if full is not None else (self.graph if self.end else fold_graph(events))
        self.holders = holders if isinstance(holders, Holders) else Holders(holders)
        self.consumers = self.graph.consumers()
        self.runs: dict[int, list[int]] = {}
        for bw in self.full.backwards:
            for node in dict.fromkeys(bw.executed):
                self.runs.setdefault(node, []).append(bw.index)
        self._breaks: list[int] | None = None
        self._chains: dict[int, tuple] = {}

    # -- names -------------------------------------------------------------------
    def born(self, tensor: int) -> int | None:
        """The seq a tensor was made at (its buffer's allocation, or its node's creation);
        None for a tensor this point has not seen."""
        t = self.graph.tensors.get(tensor)
        if t is None:
            return None
        b = self.led.buffers.get(t.buffer) if t.buffer is not None else None
        if b is not None and b.tensor == tensor:
            return b.allocated_seq
        n = self.graph.nodes.get(t.node) if t.node is not None else None
        return n.seq if n is not None else (b.allocated_seq if b is not None else None)

    def alive(self, buffer: int | None) -> bool:
        """True when ``buffer`` is live at this point."""
        return buffer is not None and buffer in self.led.live

    def node_refs(self, node: int) -> list[Ref]:
        """The user's live names for the output of ``node``."""
        n = self.graph.nodes.get(node)
        born = n.seq if n is not None else None
        refs = self.holders.for_node(node, self.seq, born, self.born)
        if n is not None and n.output is not None:
            refs += self.holders.for_tensor(n.output, self.seq, born, self.born)
        seen: dict[str, Ref] = {}
        for r in refs:
            if (r.buffer is None or self.alive(r.buffer)) and (r.node is None or r.node == node):
                seen.setdefault(r.name, r)
        return list(seen.values())

    # -- chains ------------------------------------------------------------------
    def keep_chains(self, node: int) -> list[tuple[list[int], list[Ref], int | None]]:
        """How ``node`` is kept alive: for each node downstream of it whose output the user
        holds (nearest first, at most ``MAX_ROOTS``), the path from ``node`` to it, the
        names, and its output tensor. Without names, the path to a top node whose output is
        live; ``[]`` when no live reference is found."""
        hit = self._chains.get(node)
        if hit is not None:
            return hit
        parent: dict[int, int | None] = {node: None}
        queue = deque([node])
        found: list[tuple[int, list[Ref]]] = []
        top = None
        while queue and len(found) < MAX_ROOTS:
            v = queue.popleft()
            refs = self.node_refs(v)
            if refs:
                found.append((v, refs))
            ups = self.consumers.get(v, ())
            if not ups and top is None and self._output_alive(v):
                top = v
            for u in ups:
                if u not in parent:
                    parent[u] = v
                    queue.append(u)
        if not found and top is not None:
            found = [(top, [])]
        hit = []
        for root, refs in found:
            path = [root]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])
            hit.append((path[::-1], refs, self.graph.nodes[root].output))
        self._chains[node] = hit
        return hit

    def _output_alive(self, node: int) -> bool:
        """The node's output buffer is live and, if the user's references to that buffer
        are known, one of them is the output tensor itself (not a detached copy)."""
        n = self.graph.nodes.get(node)
        t = self.graph.tensors.get(n.output) if n is not None and n.output is not None else None
        if t is None or not self.alive(t.buffer):
            return False
        refs = self.holders.for_buffer(t.buffer, self.seq, self.born(t.id), self.born)
        return not refs or any(r.tensor == t.id for r in refs)

    def accumulation(self, node: int | None) -> list[int]:
        """The chain of scalar ``AddBackward0`` nodes starting at ``node`` when it sums losses
        across iterations (at least two adds on one line, made in different iterations:
        a mark or backward between them, or earlier sums held under the same name)."""
        nodes = self.graph.nodes
        chain: list[int] = []
        v = node
        while v is not None and v in nodes:
            n = nodes[v]
            if not n.op.startswith("AddBackward") or n.shape != () or v in chain:
                break
            if chain and n.stack != nodes[chain[0]].stack:
                break
            chain.append(v)
            v = next((i for i in n.inputs if i is not None and i in nodes
                      and nodes[i].op.startswith("AddBackward")), None)  # fmt: skip
        if len(chain) < 2:
            return []
        lo, hi = nodes[chain[-1]].seq, nodes[chain[0]].seq
        if self._breaks is None:  # where iterations show: marks and backward calls
            self._breaks = [e.seq for e in self.events if e.kind in ("mark", "backward_started")]
        if any(lo < s < hi for s in self._breaks):
            return chain
        top = {r.name for r in self.holders.by_node.get(chain[0], ())}
        if any(r.name in top for c in chain[1:] for r in self.holders.by_node.get(c, ())):
            return chain
        return []

    def pattern(self, saver: int | None, root: int | None, refs: list[Ref]) -> str | None:
        """The known pattern of a chain (``saver``: the node that saved the buffer)."""
        if any(r.via == "hook" for r in refs):
            return "hook_closure"
        if root is not None and self.accumulation(root):
            return "loss_accumulated"
        if any(r.via == "item" for r in refs) and root is not None:
            return "outputs_in_list"
        if saver is None:
            return None
        runs = self.runs.get(saver, [])
        done = [i for i in runs if self._finished_before(i)]
        if done:
            last = self.full.backwards[done[-1] - 1]
            if not last.retain_graph:
                return None
            return "retain_graph_reused" if len(runs) > len(done) else "retain_graph_unused"
        return "never_backwarded" if not runs else "waiting_for_backward"

    def _finished_before(self, index: int) -> bool:
        bw = self.full.backwards[index - 1]
        return self.seq is not None and bw.start_seq <= self.seq

    # -- answers -----------------------------------------------------------------
    def why(self, buffer: int) -> BufferWhy:
        """Every reason ``buffer`` is alive here (it must be live)."""
        b = self.led.live[buffer]
        out = BufferWhy(b, self.graph)
        direct = self.holders.for_buffer(buffer, self.seq, b.allocated_seq, self.born)
        if direct:
            r = Reason("variable", direct)
            tnode = next((x.node for x in direct if x.node is not None), None)
            r.pattern = self.pattern(None, tnode, direct) if tnode is not None else None
            if r.pattern is None and any(x.via == "hook" for x in direct):
                r.pattern = "hook_closure"
            out.reasons.append(r)
        for node in sorted(b.saved_by):
            n = self.graph.nodes.get(node)
            r = Reason("saved")
            r.node, r.op = node, n.op if n else "?"
            r.stack = n.stack if n else None
            r.slots = [s.slot for s in (n.saved if n else ()) if s.buffer == buffer]
            chains = self.keep_chains(node)
            if not chains:
                r.released = True
            else:
                ranked = sorted(
                    chains, key=lambda c: _RANK.get(self.pattern(node, c[0][-1], c[1]), 9)
                )
                path, refs, tensor = ranked[0]
                r.refs, r.root, r.root_tensor = refs, path[-1], tensor
                r.path = [self._node_dict(v) for v in path]
                r.pattern = self.pattern(node, path[-1], refs)
                r.also = [{"root": p[-1], "op": self.graph.nodes[p[-1]].op, "depth": len(p) - 1,
                           "refs": [x.as_dict() for x in rf]} for p, rf, _ in ranked[1:]]  # fmt: skip
            out.reasons.append(r)
        owner = self.graph.grad_buffers.get(buffer)
        made = self.graph.nodes.get(b.node) if b.node is not None else None
        if owner is None and b.role == "grad" and made is not None and made.is_accumulate:
            owner = made.output  # allocated, not yet written into .grad
        if owner is not None:
            t = self.graph.tensors.get(owner)
            born = (
                self.led.buffers[t.buffer].allocated_seq
                if t is not None and t.buffer in self.led.buffers
                else None
            )
            r = Reason("grad", self.holders.for_tensor(owner, self.seq, born))
            r.grad_of = owner
            out.reasons.append(r)
        if not out.reasons:
            out.reasons.append(Reason("temp" if b.role == "temp" else "unknown"))
        out.reasons.sort(key=lambda r: r.released)
        return out

    def _node_dict(self, v: int) -> dict:
        n = self.graph.nodes[v]
        return {"node": v, "op": n.op, "stack": n.stack, "shape": list(n.shape)}

    def largest(self, top: int) -> list[int]:
        """The ``top`` largest live buffers (ties: the oldest first)."""
        live = sorted(self.led.live.values(), key=lambda b: (-b.nbytes, b.allocated_seq))
        return [b.buffer for b in live[:top]]


POINTS = ("start", "before", "after", "peak", "end")  # the points ``point_index`` names


def point_index(events: Sequence[Event], at, baseline: dict | None = None) -> int:
    """How many leading events a point covers: ``snapshot.resolve``'s points, plus
    ``"peak"`` (the event where live bytes peaked) and ``"start"`` (no events). As there,
    a mark labelled ``"peak"`` or ``"start"`` wins over the keyword."""
    if isinstance(at, str) and at in ("start", "peak"):
        marked = mark_index(events, at)
        if marked is not None:
            return marked
        return 0 if at == "start" else _peak_index(events, baseline)
    return resolve(events, at, POINTS)


def _peak_index(events: Sequence[Event], baseline: dict | None) -> int:
    """How many leading events reach the peak of live bytes (0: no events)."""
    led = fold_memory(events, baseline)
    return resolve(events, led.peak_seq) if led.peak_seq is not None else 0


def explain(
    events: Sequence[Event],
    baseline: dict | None = None,
    holders: Holders | Iterable | None = None,
    *,
    buffer: int | None = None,
    at=None,
    top: int = 5,
) -> Answer:
    """Why ``buffer`` (or the ``top`` largest buffers) is alive at ``at``.

    ``at`` is a point as ``point_index`` takes it. By default: for ``buffer``, the last event
    at which it was live (the end, if it still is); otherwise the peak. Raises
    ``ValueError`` with a one-line message when ``buffer`` is not live there.
    """
    if at is None:  # found here, not by keyword: a mark may be labelled "peak" or "end"
        at, n = (
            ("peak", _peak_index(events, baseline))
            if buffer is None
            else _last_live(events, buffer)
        )
    else:
        n = point_index(events, at, baseline)
    ret = Retention(events, n, baseline, holders)
    if buffer is not None:
        if buffer not in ret.led.live:
            raise ValueError(_not_live(ret, buffer))
        ids = [buffer]
    else:
        ids = ret.largest(top)
    return Answer(ret.seq, at, [ret.why(b) for b in ids], bool(ret.holders))


def _last_live(events: Sequence[Event], buffer: int) -> tuple[int | str, int]:
    """The last point at which ``buffer`` was live: its seq ("end" if it never is freed)
    and how many leading events it covers."""
    for i in range(len(events) - 1, -1, -1):
        e = events[i]
        if e.kind == "tensor_freed" and e.buffer == buffer:
            return (events[i - 1].seq if i else "start"), i
    return "end", len(events)


def _not_live(ret: Retention, buffer: int) -> str:
    if ret.end:
        where = "at the end"
    else:
        where = f"at seq {ret.seq}" if ret.seq is not None else "before any event"
    b = ret.led.buffers.get(buffer)
    if b is None:
        full = fold_memory(ret.events).buffers.get(buffer)
        if full is None:
            return f"no buffer {buffer} in this trace"
        return f"buffer {buffer} is not live {where} (allocated at seq {full.allocated_seq})"
    return (f"buffer {buffer} is not live {where} (allocated at seq {b.allocated_seq}, "
            f"freed at seq {b.freed_seq})")  # fmt: skip
