"""Leak and retention checks: findings that name the node, the bytes and the user's line.

The checks:

* ``growth``: live bytes, or the graph the user's variables hold, grow at every iteration
  of a loop: marks with the same label (digits ignored, so "step 1", "step 2" match), seen
  three times or more, else the ends of three or more backward calls;
* ``retain_graph_unused``: a backward with ``retain_graph=True`` whose graph no later
  backward ran, while it kept saved tensors;
* ``loss_accumulated``: a sum of losses across iterations (``total = total + loss``)
  keeps every iteration's graph;
* ``outputs_in_list``: a list, tuple or dict keeps two or more outputs with their graphs,
  after backward ran through them or when it never does;
* ``hook_capture``: a hook keeps a tensor that has a graph, or two or more hooks on one
  tensor keep tensors (hooks registered in a loop);
* ``graph_kept``: the user's references keep the graphs of two or more backward calls.

The checks that need names (all but ``growth`` and ``retain_graph_unused``) read the
``holders`` records that gradscope writes when it runs a script.

Example::

    for f in check(trace.events, trace.header["baseline_bytes"], trace.header.get("holders")):
        print(f.check, f.op, f.site, f.bytes)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..events.schema import Event
from .graph import GraphState
from .holders import Holders, Ref
from .ledger import Ledger
from .retention import Retention, _site

CHECKS: dict[str, str] = {
    "growth": "memory grows every iteration",
    "retain_graph_unused": "retain_graph=True graph never used again",
    "loss_accumulated": "loss accumulated with its graph",
    "outputs_in_list": "outputs kept in a container with their graphs",
    "hook_capture": "hook closure keeps tensors",
    "graph_kept": "graphs kept after backward by your references",
}
MIN_ITERATIONS = 3
SAMPLES = 24  # points of a long series looked at for the graph held by variables
GROUPS = 3  # groups of new buffers a growth finding lists (4 when that is all); the rest summed


class Finding:
    """One problem: which check, a one-line title, the node, bytes and the user's line."""

    __slots__ = ("check", "title", "node", "op", "site", "bytes", "seq", "details", "fix")

    def __init__(self, check: str, title: str, *, node: int | None = None, op: str | None = None,
                 site: str | None = None, nbytes: int = 0, seq: int | None = None,
                 details: Iterable[str] = (), fix: str = "") -> None:  # fmt: skip
        self.check = check
        self.title = title
        self.node = node
        self.op = op
        self.site = site  # the user's file:line
        self.bytes = nbytes
        self.seq = seq
        self.details = list(details)
        self.fix = fix

    def as_dict(self) -> dict:
        """Plain data, snake_case keys, bytes as ints."""
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self) -> str:
        return f"<finding {self.check}: {self.title}>"


def _label_key(label: str) -> str:
    return re.sub(r"\d+", "#", label).strip()


def series(events: Sequence[Event]) -> list[tuple[str, list[int]]]:
    """The repeated points of the trace: (name, seqs) for each mark label seen at least
    ``MIN_ITERATIONS`` times, else the ends of the backward calls."""
    marks: dict[str, list[int]] = {}
    ends = []
    for e in events:
        if e.kind == "mark":
            marks.setdefault(_label_key(e.label), []).append(e.seq)
        elif e.kind == "backward_finished":
            ends.append(e.seq)
    out = [(f"mark {k!r}", v) for k, v in marks.items() if len(v) >= MIN_ITERATIONS]
    if not out and len(ends) >= MIN_ITERATIONS:
        out.append(("backward", ends))
    return out


def kept(ret: Retention, roots: Iterable[int]) -> tuple[int, int, int]:
    """Nodes, bytes and saved bytes kept alive by holding the graphs above ``roots``: the
    live saved buffers of their unfreed nodes and their live outputs (leaves excluded)."""
    g, led = ret.graph, ret.led
    nodes = [
        n for n in g.ancestors([r for r in roots if r is not None]) if not g.nodes[n].is_accumulate
    ]
    saved = {b for n in nodes for b in led.node_saved.get(n, ()) if b in led.live}
    outs = set()
    for n in nodes:
        t = g.tensors.get(g.nodes[n].output)
        if t is not None and t.buffer in led.live and led.live[t.buffer].role != "leaf":
            outs.add(t.buffer)
    total = sum(led.live[b].nbytes for b in saved | outs)
    return len(nodes), total, sum(led.live[b].nbytes for b in saved)


def _grow(values: list[int]) -> bool:
    deltas = [b - a for a, b in zip(values, values[1:])]
    if len(deltas) >= MIN_ITERATIONS:
        deltas = deltas[1:]  # the first iteration may set up .grad and optimizer state
    return bool(deltas) and all(d > 0 for d in deltas)


def _origin(g: GraphState, led: Ledger, buf: int) -> tuple[str, str | None]:
    b = led.buffers[buf]
    n = g.nodes.get(b.node) if b.node is not None else None
    if n is None or b.role == "grad":
        return (f"{b.role} {b.name}" if b.name else b.role), None
    return n.op, n.stack


def _where(r: Ref) -> str:
    return _site(r.site) if r.site else (r.scope or "?")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


class _Checker:
    def __init__(self, events: Sequence[Event], baseline: dict | None, holders: Holders) -> None:
        self.events = events
        self.baseline = baseline or {}
        self.holders = holders
        self.findings: list[Finding] = []
        self._seen: set[tuple] = set()

    def add(self, key: tuple, f: Finding) -> None:
        if key not in self._seen:
            self._seen.add(key)
            self.findings.append(f)

    # -- over the whole trace ----------------------------------------------------
    def run(self) -> list[Finding]:
        events = self.events
        graph, led = GraphState(), Ledger(self.baseline)
        full = _fold_full(events)
        grow = series(events)
        wanted = self._points()
        sets, held = set(), set()
        for _, seqs in grow:
            sets |= {seqs[1 if len(seqs) > MIN_ITERATIONS else 0], seqs[-1]}
            step = max(1, len(seqs) // SAMPLES)
            held |= {s for s in seqs[::step] + seqs[-1:] if self.holders.at(s) is not None}
        stops = {s for _, seqs in grow for s in seqs} | wanted | sets | held
        points: dict[int, dict] = {}
        retained: dict[int, tuple[set[int], int]] = {}  # backward index -> saved buffers, bytes
        done = 0
        for i, e in enumerate(events):
            if e.seq not in stops and e.kind != "backward_finished":
                continue
            graph.feed(events[done : i + 1])
            led.feed(events[done : i + 1])
            done = i + 1
            bws = graph.backwards
            if e.kind == "backward_finished" and bws and bws[-1].retain_graph:
                bufs = {b for n in set(bws[-1].executed) for b in led.node_saved.get(n, ())}
                retained[bws[-1].index] = (
                    bufs,
                    sum(led.live[b].nbytes for b in bufs if b in led.live),
                )
            if e.seq not in stops:
                continue
            pt = points[e.seq] = {"live": led.live_bytes}
            if e.seq in sets:
                pt["buffers"] = set(led.live)
                pt["saved"] = {b: set(st.saved_by) for b, st in led.live.items() if st.saved_by}
            if e.seq in held or e.seq in wanted:
                ret = Retention(
                    events, i + 1, holders=self.holders, full=full, graph=graph, memory=led
                )
                if e.seq in held:
                    pt["held"] = self._held_nodes(ret)
                if e.seq in wanted:
                    self.kept_checks(ret)
        graph.feed(events[done:])
        led.feed(events[done:])
        self.retain_check(full, led, retained)
        for name, seqs in grow:
            self.growth_check(name, seqs, points, graph, led)
        return self.findings

    def _points(self) -> set[int]:
        """Where the name-based checks look: the last mark and the end, between iterations
        (else the end of the last backward call)."""
        last: dict[str, int] = {}
        for p in self.holders.probes:
            last[p.at] = p.seq
        points = {last[k] for k in ("mark", "end") if k in last}
        return points or ({last["backward"]} if "backward" in last else set())

    def _held_nodes(self, ret: Retention) -> dict[str, tuple[int, int, int]]:
        """Per user name: the graph nodes its tensor keeps alive, their bytes, its node."""
        probe = ret.holders.at_or_before(ret.seq)
        out: dict[str, tuple[int, int, int]] = {}
        for r in probe.refs if probe is not None else ():
            if r.node is not None and ret.alive(r.buffer) and r.node in ret.graph.nodes:
                count, nbytes, _ = kept(ret, [r.node])
                out[r.name] = (count, nbytes, r.node)
        return out

    # -- checks ------------------------------------------------------------------
    def growth_check(
        self, name: str, seqs: list[int], points: dict, g: GraphState, led: Ledger
    ) -> None:
        live = [points[s]["live"] for s in seqs]
        k = len(seqs)
        if _grow(live):
            first, last = (1 if k > MIN_ITERATIONS else 0), k - 1
            new = points[seqs[last]]["buffers"] - points[seqs[first]]["buffers"]
            free = new - self._attached(seqs[last], new, points[seqs[last]]["saved"], g, led)
            new -= free
            grown = sum(led.buffers[b].nbytes for b in new)
            if grown <= 0:
                return
            groups: dict[tuple, list[int]] = {}
            for b in new:
                groups.setdefault(_origin(g, led, b), []).append(b)
            ranked = sorted(
                groups.items(), key=lambda kv: -sum(led.buffers[b].nbytes for b in kv[1])
            )
            per = (live[last] - live[first]) // max(1, last - first)
            values = ", ".join(f"{v:,}" for v in live[:8]) + (" ..." if k > 8 else "")
            details = [
                f"live bytes at each iteration (all of them, weights and inputs included): {values}"
            ]
            shown = ranked if len(ranked) <= GROUPS + 1 else ranked[:GROUPS]
            for (op, site), bufs in shown:
                nb = sum(led.buffers[b].nbytes for b in bufs)
                what = f"made by {op} at {_site(site)}" if site else f"{op} tensors"
                details.append(f"{_plural(len(bufs), 'new buffer')} still alive ({nb:,} B): {what}")
            rest = [b for _, bufs in ranked[len(shown) :] for b in bufs]
            if rest:
                nb = sum(led.buffers[b].nbytes for b in rest)
                details.append(f"and {_plural(len(rest), 'more new buffer')} still alive ({nb:,} B) "
                               f"from {len(ranked) - len(shown)} other ops or lines")  # fmt: skip
            if free:
                nb = sum(led.buffers[b].nbytes for b in free)
                details.append(
                    f"not counted: {nb:,} B of new tensors held without a graph "
                    "(leaves, gradients, detached tensors)"
                )
            (op, site), bufs = ranked[0]
            node = led.buffers[max(bufs)].node if site else None
            self.add(("growth", name), Finding(
                "growth", f"live bytes grow by {per:,} B per iteration ({name}, {k} iterations)",
                node=node, op=op, site=site, nbytes=grown, seq=seqs[last],
                details=details, fix="see what keeps each iteration's tensors: gradscope mem why"))  # fmt: skip
            return
        sampled = [s for s in seqs if "held" in points.get(s, {})]
        if len(sampled) < MIN_ITERATIONS:
            return
        held = [points[s]["held"] for s in sampled]
        for var in sorted(set().union(*held)):
            counts = [h.get(var, (0, 0, None))[0] for h in held]
            if not (_grow(counts) and counts[-1] > counts[0]):
                continue
            count, nbytes, node = held[-1][var]
            n = g.nodes.get(node)
            self.add(("growth", name, var), Finding(
                "growth", f"the graph held by {var} grows by "
                f"{(counts[-1] - counts[0]) // (len(counts) - 1)} nodes per iteration ({name}, {k} iterations)",
                node=node, op=n.op if n else None, site=n.stack if n else None, nbytes=nbytes,
                seq=sampled[-1], details=[f"nodes it keeps at each iteration: "
                                          f"{', '.join(map(str, counts[:8]))}" + (" ..." if len(counts) > 8 else "")],
                fix="keep numbers (loss.item()) or detached tensors across iterations"))  # fmt: skip

    def _attached(self, seq: int, new: set[int], saved: dict[int, set[int]], g: GraphState,
                  led: Ledger) -> set[int]:  # fmt: skip
        """The buffers among ``new`` held with a graph: saved for backward by a node that is
        still referenced, or held by a tensor that has a grad_fn (without names: any saved
        buffer or activation)."""
        probe = self.holders.at_or_before(seq)
        if probe is None:
            return {b for b in new if b in saved or led.buffers[b].role in ("activation", "temp")}
        roots = [r.node for r in probe.refs if r.node is not None and r.node in g.nodes]
        alive = set(g.ancestors(roots))
        graphs = {r.buffer for r in probe.refs if r.node is not None}
        return {b for b in new if b in graphs or saved.get(b, set()) & alive}

    def retain_check(self, g: GraphState, led: Ledger, retained: dict) -> None:
        runs: dict[int, list[int]] = {}
        for bw in g.backwards:
            for n in set(bw.executed):
                runs.setdefault(n, []).append(bw.index)
        for bw in g.backwards:
            if not bw.retain_graph or bw.index not in retained:
                continue
            bufs, nbytes = retained[bw.index]
            if not nbytes or any(i > bw.index for n in bw.executed for i in runs.get(n, ())):
                continue
            root = g.nodes.get(bw.root)
            probe = self.holders.at(bw.end_seq, "backward") if bw.end_seq is not None else None
            site = (
                probe.site if probe is not None and probe.site else (root.stack if root else None)
            )
            alive = [b for b in bufs if b in led.live]
            freed = [
                led.buffers[b].freed_seq for b in bufs if b not in led.live and b in led.buffers
            ]
            when = (f"{sum(led.buffers[b].nbytes for b in alive):,} B still held at the end"
                    if alive else f"released at seq {max(f for f in freed if f is not None)} "
                    "when the graph was dropped")  # fmt: skip
            # a backward that built nodes ran with create_graph=True, which retains by default
            built = bool(g.built_during(bw.start_seq, bw.end_seq))
            why = "create_graph=True (which retains the graph)" if built else "retain_graph=True"
            fix = (
                "pass retain_graph=False with create_graph=True: the gradients' graph does "
                "not need these saves"
                if built
                else "drop retain_graph=True from this backward (or detach what you reuse)"
            )
            self.add(("retain", bw.index), Finding(
                "retain_graph_unused", f"backward {bw.index} kept {nbytes:,} B of saved tensors "
                f"with {why}, and no later backward used them",
                node=bw.root, op=root.op if root else None, site=site, nbytes=nbytes,
                seq=bw.end_seq, details=[f"{len(set(bw.executed))} nodes kept their saves; {when}"],
                fix=fix))  # fmt: skip

    def kept_checks(self, ret: Retention) -> None:
        probe = ret.holders.at_or_before(ret.seq)
        if probe is None:
            return
        nodes = ret.graph.nodes
        refs = [r for r in probe.refs if ret.alive(r.buffer) and r.node in nodes
                and not nodes[r.node].is_accumulate]  # fmt: skip
        covered: set[str] = set()
        for r in refs:  # loss accumulated
            chain = ret.accumulation(r.node)
            if not chain or ("acc", chain[0]) in self._seen:
                continue
            covered.add(r.name)
            count, nbytes, saved = kept(ret, [chain[0]])
            top = nodes[chain[0]]
            self.add(("acc", chain[0]), Finding(
                "loss_accumulated", f"{r.name} sums {len(chain)} losses and keeps their graphs",
                node=chain[0], op=top.op, site=top.stack, nbytes=nbytes, seq=ret.seq,
                details=[f"{count} nodes and {nbytes:,} B ({saved:,} B saved for backward) stay "
                         f"alive through {r.name} ({_where(r)})"],
                fix="accumulate loss.item() (a number) or loss.detach()"))  # fmt: skip
        self._containers(ret, [r for r in refs if r.name not in covered])
        self._hooks(ret, [r for r in probe.refs if r.via == "hook" and ret.alive(r.buffer)])
        self._graphs_kept(
            ret, [r for r in refs if r.via in ("variable", "attribute") and r.name not in covered]
        )

    def _containers(self, ret: Retention, refs: list[Ref]) -> None:
        groups: dict[tuple, list[Ref]] = {}
        for r in refs:
            if r.via == "item":
                groups.setdefault((r.container, r.scope), []).append(r)
        for (name, scope), items in groups.items():
            roots = {r.node for r in items}
            used = [n for n in roots if ret.runs.get(n)]
            if len(roots) < 2 or not (used or ret.end or all(not ret.runs.get(n) for n in roots)):
                continue
            if not used and any(ret.runs.get(n) for n in roots):
                continue
            count, nbytes, saved = kept(ret, roots)
            first = ret.graph.nodes[items[0].node]
            state = (f"backward already ran through {len(used)} of them" if used
                     else "no backward uses them")  # fmt: skip
            self.add(("list", name, scope), Finding(
                "outputs_in_list", f"{name} keeps {len(roots)} outputs with their graphs ({state})",
                node=first.id, op=first.op, site=first.stack, nbytes=nbytes, seq=ret.seq,
                details=[f"{count} nodes and {nbytes:,} B ({saved:,} B saved for backward) stay "
                         f"alive through {name} ({_where(items[0])})"],
                fix=f"append out.detach() (or out.item()) to {name}; under gs.no_grad() no graph is built"))  # fmt: skip

    def _hooks(self, ret: Retention, refs: list[Ref]) -> None:
        by_owner: dict[str, list[Ref]] = {}
        for r in refs:
            by_owner.setdefault(r.name.rpartition(" on ")[2], []).append(r)
        nodes = ret.graph.nodes
        for owner, caps in by_owner.items():
            graphs = [r for r in caps if r.node in nodes and not nodes[r.node].is_accumulate]
            if not graphs and len(caps) < 2:
                continue
            count, nbytes, saved = kept(ret, [r.node for r in graphs])
            nbytes += sum(ret.led.live[r.buffer].nbytes for r in caps
                          if r.buffer in ret.led.live and ret.led.live[r.buffer].role == "leaf")  # fmt: skip
            lead = graphs[0] if graphs else caps[0]
            n = nodes.get(lead.node) if lead.node is not None else None
            names = sorted({r.name.split(" in hook ")[0] for r in caps})
            self.add(("hook", owner), Finding(
                "hook_capture", f"{len(caps)} hook closure{'s' * (len(caps) != 1)} on {owner} keep "
                f"{', '.join(names)}" + (" with their graphs" if graphs else ""),
                node=lead.node, op=n.op if n else None, site=lead.site, nbytes=nbytes, seq=ret.seq,
                details=[f"{count} nodes and {nbytes:,} B stay alive while {owner} holds its hooks"],
                fix="capture a detached value (t.detach()) or a number, register the hook once, "
                "or keep its handle and call handle.remove()"))  # fmt: skip

    def _graphs_kept(self, ret: Retention, refs: list[Ref]) -> None:
        by_bw: dict[int, list[Ref]] = {}
        for r in refs:
            done = [i for i in ret.runs.get(r.node, ()) if ret._finished_before(i)]
            if done:
                by_bw.setdefault(done[-1], []).append(r)
        if len(by_bw) < 2:
            return
        roots = [rs[0] for _, rs in sorted(by_bw.items())]
        count, nbytes, saved = kept(ret, [r.node for r in roots])
        first = ret.graph.nodes[roots[0].node]
        self.add(("kept", tuple(r.name for r in roots)), Finding(
            "graph_kept", f"{', '.join(r.name for r in roots[:4])} keep the graphs of "
            f"{len(by_bw)} backward calls", node=first.id, op=first.op, site=first.stack,
            nbytes=nbytes, seq=ret.seq,
            details=[f"{count} nodes and {nbytes:,} B ({saved:,} B saved for backward) stay alive"],
            fix="drop each reference after its backward (del, or keep loss.item())"))  # fmt: skip


def saved_peak(events: Sequence[Event], baseline: dict | None = None) -> tuple[int, int | None]:
    """The most bytes saved for backward at once (each buffer once), and the seq where."""
    led = Ledger(baseline)
    now = peak = 0
    where = None
    for e in events:
        kind = e.kind
        if kind == "tensor_saved" or kind == "tensor_freed":
            b = led.buffers.get(e.buffer)
            before = {e.buffer} if b is not None and b.alive and b.saved_by else set()
        elif kind == "graph_freed":
            before = {x for x in led.node_saved.get(e.node, ()) if led.buffers[x].saved_by}
        else:
            led.feed((e,))
            continue
        led.feed((e,))
        for x in before | ({e.buffer} if kind == "tensor_saved" else set()):
            st = led.buffers.get(x)
            was, is_ = x in before, st is not None and st.alive and bool(st.saved_by)
            if was != is_:
                now += st.nbytes if is_ else -st.nbytes
        if now > peak:
            peak, where = now, e.seq
    return peak, where


def held_after_backward(events: Sequence[Event], baseline: dict | None = None) -> list[dict]:
    """Nodes that a backward ran and that still hold saved buffers at the end of the trace
    (``retain_graph=True`` graphs never released): node, op, stack and live bytes."""
    g = GraphState().feed(events)
    led = Ledger(baseline).feed(events)
    ran = {n for bw in g.backwards for n in bw.executed}
    out = []
    for n in sorted(ran):
        held = [b for b in led.node_saved.get(n, ()) if b in led.live]
        if held and n in g.nodes:
            node = g.nodes[n]
            out.append({"node": n, "op": node.op, "stack": node.stack,
                        "bytes": sum(led.live[b].nbytes for b in held)})  # fmt: skip
    return out


def _fold_full(events: Sequence[Event]) -> GraphState:
    return GraphState().feed(events)


def check(
    events: Sequence[Event],
    baseline: dict | None = None,
    holders: Holders | Iterable | None = None,
) -> list[Finding]:
    """Every finding of every check over ``events`` (empty when the trace is clean)."""
    h = holders if isinstance(holders, Holders) else Holders(holders)
    return _Checker(events, baseline, h).run()
