"""The user's references to tensors, as a trace header's ``holders`` records them.

When gradscope runs a script it looks at the script's frames at each mark, at the end of
each backward call and at the end, and writes down which variable (or list item, attribute,
hook closure) held which tensor: ``{"seq", "at", "site", "refs": [{"tensor", "buffer",
"node", "name", "site", "scope", "via"}]}``. This module reads those records back and
answers "what was tensor T called at event S": the names of the last probe at or before S,
or, for a tensor made after that probe, of the first probe after S.

Example::

    h = Holders(trace.header.get("holders"))
    [r.name for r in h.for_tensor(7, seq=40)]
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import NamedTuple

VIA = ("variable", "item", "attribute", "hook")
Born = Callable[[int], "int | None"] | None  # tensor id -> the seq it was made at


class Ref(NamedTuple):
    """One name that held a tensor when a probe looked (``seq``: the probe's event)."""

    tensor: int
    buffer: int | None
    node: int | None
    name: str
    site: str | None
    scope: str | None
    via: str  # variable | item | attribute | hook
    seq: int
    at: str  # mark | backward | end | now

    @property
    def container(self) -> str:
        """The variable an item or attribute belongs to: ``outputs`` for ``outputs[3]``."""
        for i, ch in enumerate(self.name):
            if ch in "[.":
                return self.name[:i]
        return self.name

    def as_dict(self) -> dict:
        """Plain data, snake_case keys."""
        return self._asdict()


class Probe(NamedTuple):
    """One probe record: the references seen at event ``seq``."""

    seq: int
    at: str
    site: str | None
    refs: tuple[Ref, ...]


def _int(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _str(v) -> str | None:
    return v if isinstance(v, str) else None


def parse(records: Iterable | None) -> list[Probe]:
    """Probe records from a header's ``holders`` (malformed entries are skipped)."""
    out = []
    for rec in records or ():
        if not isinstance(rec, dict) or _int(rec.get("seq")) is None:
            continue
        seq, at = rec["seq"], _str(rec.get("at")) or "mark"
        refs = []
        for r in rec.get("refs") if isinstance(rec.get("refs"), list) else ():
            if not isinstance(r, dict) or _int(r.get("tensor")) is None or not _str(r.get("name")):
                continue
            via = r.get("via") if r.get("via") in VIA else "variable"
            refs.append(Ref(r["tensor"], _int(r.get("buffer")), _int(r.get("node")), r["name"],
                            _str(r.get("site")), _str(r.get("scope")), via, seq, at))  # fmt: skip
        out.append(Probe(seq, at, _str(rec.get("site")), tuple(refs)))
    out.sort(key=lambda p: p.seq)
    return out


def _rebound(r: Ref, later: Iterable[int], since: int, seq: int, born_of: Callable) -> bool:
    """True when the name ``r`` had was given to another tensor made in ``(since, seq]``."""
    if r.via == "hook" or r.tensor in later:  # hooks pile up under one name
        return False
    for other in later:
        made = born_of(other)
        if made is not None and since < made <= seq:
            return True
    return False


class Holders:
    """Lookups over the probe records of one trace."""

    def __init__(self, records: Iterable | None = None) -> None:
        self.probes: list[Probe] = parse(records)
        self._seqs = [p.seq for p in self.probes]
        self.by_tensor: dict[int, list[Ref]] = {}
        self.by_buffer: dict[int, list[Ref]] = {}
        self.by_node: dict[int, list[Ref]] = {}
        for p in self.probes:
            for r in p.refs:
                self.by_tensor.setdefault(r.tensor, []).append(r)
                if r.buffer is not None:
                    self.by_buffer.setdefault(r.buffer, []).append(r)
                if r.node is not None:
                    self.by_node.setdefault(r.node, []).append(r)

    def __bool__(self) -> bool:
        return bool(self.probes)

    @staticmethod
    def nearest(refs: list[Ref], seq: int | None) -> list[Ref]:
        """The refs of the probe nearest to ``seq``: the last at or before it, else the first
        after it; one per name."""
        if not refs:
            return []
        if seq is None:
            best = refs[-1].seq
        else:
            before = [r.seq for r in refs if r.seq <= seq]
            best = max(before) if before else min(r.seq for r in refs)
        names: dict[str, Ref] = {}
        for r in refs:
            if r.seq == best:
                names.setdefault(r.name, r)
        return list(names.values())

    def _lookup(
        self, refs: list[Ref], seq: int | None, born: int | None, born_of: Born
    ) -> list[Ref]:
        """The refs valid at ``seq``: those of the last probe at or before it; for something
        made after that probe (``born``), those of the first probe after it. A name that the
        next probe gives to a tensor made (``born_of``) between that probe and ``seq`` had
        been rebound by then, so it no longer counts. One ref per name."""
        if seq is None:
            return self.nearest(refs, None)
        before = self.at_or_before(seq)
        i = bisect.bisect_right(self._seqs, seq)
        after = self.probes[i] if i < len(self.probes) else None
        out: list[Ref] = []
        if before is not None and any(r.seq == before.seq for r in refs):
            out = [r for r in refs if r.seq == before.seq]
            if after is not None and born_of is not None:
                now: dict[str, set[int]] = {}
                for r in after.refs:
                    now.setdefault(r.name, set()).add(r.tensor)
                out = [
                    r for r in out if not _rebound(r, now.get(r.name, ()), before.seq, seq, born_of)
                ]
        elif after is not None and (before is None or born is None or born > before.seq):
            out = [r for r in refs if r.seq == after.seq]
        names: dict[str, Ref] = {}
        for r in out:
            names.setdefault(r.name, r)
        return list(names.values())

    def for_tensor(self, tensor: int | None, seq: int | None = None, born: int | None = None,
                   born_of: Born = None) -> list[Ref]:  # fmt: skip
        """Names that held ``tensor`` at ``seq`` (``born``: the seq it was made at, if known;
        ``born_of``: the same for any tensor id)."""
        if tensor is None:
            return []
        return self._lookup(self.by_tensor.get(tensor, []), seq, born, born_of)

    def for_buffer(self, buffer: int, seq: int | None = None, born: int | None = None,
                   born_of: Born = None) -> list[Ref]:  # fmt: skip
        """Names that held a tensor over ``buffer`` at ``seq``."""
        return self._lookup(self.by_buffer.get(buffer, []), seq, born, born_of)

    def for_node(self, node: int, seq: int | None = None, born: int | None = None,
                 born_of: Born = None) -> list[Ref]:  # fmt: skip
        """Names that held a tensor whose ``grad_fn`` is ``node`` at ``seq``."""
        return self._lookup(self.by_node.get(node, []), seq, born, born_of)

    def namer(self, seq: int | None) -> Callable[[int | None, str | None], str | None]:
        """``name(tensor, own)``: what a picture of the state at ``seq`` calls ``tensor``. Its
        own name (the variable it was assigned to when made) while a name that held it then
        is that one, or while nothing named held it; else the first name that held it (a
        model's ``model.0.weight`` over the layer's ``Linear.weight``)."""

        def name(tensor: int | None, own: str | None) -> str | None:
            if not self.probes or tensor is None:
                return own
            names = [r.name for r in self.for_tensor(tensor, seq) if r.via != "hook"]
            return own if not names or own in names else names[0]

        return name

    def at_or_before(self, seq: int | None) -> Probe | None:
        """The last probe at or before ``seq`` (the last one when ``seq`` is None)."""
        if not self.probes:
            return None
        if seq is None:
            return self.probes[-1]
        i = bisect.bisect_right(self._seqs, seq)
        return self.probes[i - 1] if i else None

    def at(self, seq: int, at: str | None = None) -> Probe | None:
        """The probe taken at event ``seq`` (of kind ``at`` when given)."""
        i = bisect.bisect_left(self._seqs, seq)
        while i < len(self.probes) and self.probes[i].seq == seq:
            if at is None or self.probes[i].at == at:
                return self.probes[i]
            i += 1
        return None
