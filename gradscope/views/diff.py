"""A memory diff, rendered: totals, then tables by role and by node (op and file:line).

Example::

    d = diff_states(a.graph, a.memory, b.graph, b.memory, same_trace=True)
    render_diff(d, Console(), "step 1", "step 5")
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .fmt import Pieces, exact_bytes, human_bytes, short_site, signed_bytes, signed_int
from .memory_table import LABELS


def _cell(count: int, nbytes: int) -> Pieces:
    """``count / bytes``, broken after the ``/`` when the column is narrow."""
    return Pieces(f"{count} /", human_bytes(nbytes), sep=" ") if count or nbytes else Pieces("-")


def _change(n: int) -> str:
    return signed_bytes(n) if abs(n) < 1000 else f"{signed_bytes(n)} ({signed_int(n)})"


def diff_table(rows: list[dict], title: str, first: str) -> Table:
    """One table of diff rows; ``first`` names the first column (``memory`` or ``node``)."""
    t = Table(title=title, title_justify="left")
    # the change never wraps; the other columns wrap (counts and bytes after their "/", a
    # file:line after its colon), so every column keeps a share of 80 columns
    t.add_column(first, overflow="fold")
    if first != "memory":
        t.add_column("memory", overflow="fold")
        t.add_column("where", overflow="fold")
    t.add_column("added\nn / bytes", justify="right", overflow="fold")
    t.add_column("freed\nn / bytes", justify="right", overflow="fold")
    t.add_column("change", justify="right", no_wrap=True)
    for r in rows:
        if first == "memory":
            cells = [Pieces(LABELS.get(r["role"], r["role"]))]
        else:
            path, sep, line = short_site(r["site"]).rpartition(":")
            cells = [Pieces(r["op"]), Pieces(r["role"]), Pieces(path + sep, line, sep="")]
        cells += [_cell(r["added_count"], r["added_bytes"]),
                  _cell(r["freed_count"], r["freed_bytes"]), Pieces(signed_bytes(r["change_bytes"]))]  # fmt: skip
        quiet = not (r["added_bytes"] or r["freed_bytes"] or r["added_count"] or r["freed_count"])
        t.add_row(*cells, style="dim" if quiet else None)
    return t


def render_diff(d: dict, console: Console, a: str, b: str, *, top: int = 15) -> None:
    """Print the totals line and the two tables (the ``top`` nodes by change)."""
    console.print(Text.assemble(("Memory diff", "bold"), f"  {a} -> {b}"), soft_wrap=True)
    console.print(f"live: {human_bytes(d['live_a_bytes'])} ({exact_bytes(d['live_a_bytes'])} B) -> "
                  f"{human_bytes(d['live_b_bytes'])} ({exact_bytes(d['live_b_bytes'])} B), change "
                  f"{_change(d['change_bytes'])}; added {human_bytes(d['added_bytes'])}, "
                  f"freed {human_bytes(d['freed_bytes'])}", highlight=False, markup=False,
                  soft_wrap=True)  # fmt: skip
    if not d["same_trace"]:
        console.print("(two traces: buffers compared by what made them, not by id)", style="dim")
    console.print(diff_table(d["by_role"], "by role", "memory"))
    rows = d["by_node"]
    if not rows:
        console.print("no buffers added or freed")
        return
    console.print(diff_table(rows[:top], "by node (op and the line that ran it)", "node"))
    if len(rows) > top:
        console.print(f"({len(rows) - top} more rows in --json)", style="dim")
