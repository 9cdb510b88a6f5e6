"""Why buffers are alive, rendered: the chains of one answer, and the peak's buffers grouped.

``peak_groups`` turns the reasons of the buffers live at the peak into rows with the same
holder, op, line and pattern (plain data, snake_case keys); ``peak_table`` draws them;
``render_why`` prints an answer's chains.

Example::

    ret = Retention(events, point_index(events, "peak"), baseline, holders)
    rows = peak_groups(ret, top=50)
    Console().print(peak_table(rows))
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..state.retention import PATTERNS, Answer, BufferWhy, Retention
from .fmt import human_bytes, short_site
from .memory_table import LABELS

PEAK_BUFFERS = 200  # buffers at the peak whose chains are followed (the largest first)
SHORT = {  # the patterns' names in a table cell
    "hook_closure": "hook closure",
    "loss_accumulated": "loss summed without .item()",
    "outputs_in_list": "outputs kept in a list",
    "retain_graph_unused": "retain_graph never reused",
    "retain_graph_reused": "retained for a later backward",
    "never_backwarded": "never backwarded",
    "waiting_for_backward": "waiting for backward",
}


def _names(refs: list[dict]) -> list[str]:
    """The holders' names; the items of one container as one name: ``outputs[...]``,
    ``opt.state[...]``."""
    out = []
    for r in refs:
        name = r["name"]
        if r.get("via") == "item":
            cut = name.find("[")
            if cut <= 0:
                cut = name.find(".") if name.find(".") > 0 else len(name)
            name = name[:cut] + "[...]"
        out.append(name)
    return list(dict.fromkeys(out))


def summary(b: BufferWhy) -> dict:
    """One buffer's main reason as a flat dict: what saved it, who holds it, the pattern."""
    d = b.as_dict()
    r = d["reasons"][0] if d["reasons"] else {"kind": "unknown", "refs": []}
    out = {"kind": r["kind"], "op": b.made_op, "slot": None, "site": b.made_stack,
           "held_by": _names(r["refs"]), "root": r.get("root"), "root_op": None,
           "pattern": r.get("pattern"), "depth": max(0, len(r.get("path") or ()) - 1)}  # fmt: skip
    out["chain"] = [
        {"node": s["node"], "op": s["op"], "stack": s["stack"]} for s in (r.get("path") or ())[::-1]
    ]
    if r["kind"] == "saved":
        out.update(op=r["op"], slot="/".join(r["slots"]), site=r["stack"])
        if r.get("path"):
            out["root_op"] = r["path"][-1]["op"]
        if r.get("released"):
            out["held_by"] = []
            out["kind"] = "released"
        elif not out["held_by"] and r.get("root_tensor") is not None:
            out["held_by"] = [f"tensor #{r['root_tensor']}"]
    elif r["kind"] == "grad":
        out.update(op="AccumulateGrad", slot=".grad", site=None)
    return out


def peak_groups(ret: Retention, limit: int = PEAK_BUFFERS) -> list[dict]:
    """The buffers live at ``ret``'s point, grouped by reason, largest groups first; the
    ``limit`` largest buffers are followed, the rest form one ``other`` row."""
    ids = ret.largest(len(ret.led.live))
    groups: dict[tuple, dict] = {}
    for i, buf in enumerate(ids):
        b = ret.led.live[buf]
        if i < limit:
            s = summary(ret.why(buf))
        else:
            s = {"kind": "other", "op": None, "slot": None, "site": None, "held_by": [],
                 "root": None, "root_op": None, "pattern": None, "depth": 0, "chain": []}  # fmt: skip
        key = (b.category, s["kind"], s["op"], s["slot"], s["site"], tuple(s["held_by"]),
               s["root_op"], s["pattern"])  # fmt: skip
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"category": b.category, **s, "count": 0, "bytes": 0, "buffers": []}
            g["depth_min"] = s["depth"]
            g["pattern_text"] = PATTERNS.get(s["pattern"]) if s["pattern"] else None
        g["count"] += 1
        g["bytes"] += b.nbytes
        g["depth_min"] = min(g["depth_min"], s["depth"])
        g["depth"] = max(g["depth"], s["depth"])
        g["buffers"].append(buf)
    return sorted(groups.values(), key=lambda g: (-g["bytes"], g["buffers"][0]))


def _what(g: dict) -> str:
    if g["kind"] == "other":
        return "smaller buffers (not followed)"
    op = g["op"] or "leaf"
    where = f" at {short_site(g['site'])}" if g["site"] else ""
    slot = f" [{g['slot']}]" if g["slot"] else ""
    return f"{op}{slot}{where}"


def _held(g: dict) -> str:
    if g["kind"] == "released":
        return "(graph no longer referenced)"
    names = ", ".join(g["held_by"][:3]) + (" ..." if len(g["held_by"]) > 3 else "")
    if g["kind"] == "temp":
        return "(backward, in flight)"
    if not names:
        return "(no name recorded)" if g["kind"] != "other" else ""
    if g["kind"] == "saved" and g["root_op"]:
        lo, hi = g["depth_min"], g["depth"]
        span = f"{lo}-{hi}" if lo != hi else str(hi)
        up = f", {span} node{'s' * (hi != 1)} up" if hi else ""
        return f"{names} ({g['root_op']}{up})"
    return names


def peak_table(rows: list[dict], title: str = "what the peak is made of", top: int = 10) -> Table:
    """A Rich table of ``peak_groups`` rows (the first ``top``)."""
    t = Table(title=title, title_justify="left")
    for col in ("bytes", "buffers", "memory", "made or saved by", "held by", "pattern"):
        t.add_column(col, justify="right" if col in ("bytes", "buffers") else "left",
                     no_wrap=col in ("bytes", "buffers"), overflow="fold")  # fmt: skip
    for g in rows[:top]:
        cells = (human_bytes(g["bytes"]), str(g["count"]), LABELS.get(g["category"], g["category"]),
                 _what(g), _held(g), SHORT.get(g["pattern"], g["pattern"] or ""))  # fmt: skip
        t.add_row(*(Text(c) for c in cells))
    if len(rows) > top:
        rest = rows[top:]
        nb = sum(g["bytes"] for g in rest)
        t.add_row(human_bytes(nb), str(sum(g["count"] for g in rest)), "",
                  f"({len(rest)} more groups)", "", "", style="dim")  # fmt: skip
    return t


def render_why(answer: Answer, console: Console) -> None:
    """Print each buffer's chains: the buffer, then each holder from the user's name down."""
    where = f"at seq {answer.seq}" if answer.seq is not None else "before any event"
    head = f"why alive {where}"
    if not answer.names_known:
        head += " (no variable names in this trace: run the script with gradscope to get them)"
    console.print(head, style="bold", markup=False, highlight=False)
    if not answer.buffers:
        console.print("no live buffers", markup=False)
    for b in answer.buffers:
        for i, line in enumerate(b.lines()):
            style = (
                "bold" if i == 0 else ("yellow" if line.lstrip().startswith("pattern:") else None)
            )
            console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
