"""Memory by role as plain rows, then as a Rich table.

Rows: leaf tensors, activations, saved for backward, gradients, other (and bytes live
before the trace began, when there are any), then the total. Each row has the count, the
bytes in human units and exactly, and the change from an earlier state.

Example::

    rows = memory_rows(after_ledger, before_ledger)
    Console().print(memory_table(after_ledger, before_ledger, title="after backward"))
"""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from ..state.ledger import ROLES, Ledger
from .fmt import exact_bytes, human_bytes, signed_bytes, signed_int

LABELS: dict[str, str] = {
    "leaf": "leaf tensors",
    "activation": "activations",
    "saved": "saved for backward",
    "grad": "gradients",
    "other": "other",
    "baseline": "live before the trace",
    "total": "total",
}


def memory_rows(
    after: Ledger, before: Ledger | None = None, device: str | None = None
) -> list[dict]:
    """One dict per row: ``role``, ``label``, ``count``, ``bytes``, ``change_bytes``
    (None without ``before``), ``change_count``; the last row is the total."""
    now = after.by_role(device)
    then = before.by_role(device) if before is not None else None
    roles = list(ROLES)
    if "baseline" in now or (then and "baseline" in then):
        roles.append("baseline")
    rows = []
    total_c = total_b = prev_c = prev_b = 0
    for role in roles:
        c, b = now.get(role, (0, 0))
        total_c += c
        total_b += b
        row = {"role": role, "label": LABELS[role], "count": c, "bytes": b}
        if then is not None:
            pc, pb = then.get(role, (0, 0))
            prev_c += pc
            prev_b += pb
            row["change_count"] = c - pc
            row["change_bytes"] = b - pb
        else:
            row["change_count"] = row["change_bytes"] = None
        rows.append(row)
    total = {"role": "total", "label": LABELS["total"], "count": total_c, "bytes": total_b}
    total["change_count"] = total_c - prev_c if then is not None else None
    total["change_bytes"] = total_b - prev_b if then is not None else None
    rows.append(total)
    return rows


def _change(n: int | None) -> str:
    if n is None:
        return ""
    if abs(n) < 1000:
        return signed_bytes(n)
    return f"{signed_bytes(n)} ({signed_int(n)})"


def memory_table(
    after: Ledger,
    before: Ledger | None = None,
    *,
    device: str | None = None,
    title: str | None = None,
) -> Table:
    """A Rich table of ``memory_rows``; the change column appears when ``before`` is given."""
    rows = memory_rows(after, before, device)
    table = Table(title=title, title_justify="left", show_edge=True, pad_edge=True)
    table.add_column("memory" + (f" ({escape(device)})" if device else ""), no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("bytes", justify="right", no_wrap=True)
    table.add_column("exact bytes", justify="right", no_wrap=True)
    if before is not None:
        table.add_column("change", justify="right")  # wraps "(exact)" when narrow
    for row in rows:
        cells = [
            row["label"],
            str(row["count"]) if row["role"] != "baseline" else "",
            human_bytes(row["bytes"]),
            exact_bytes(row["bytes"]),
        ]
        if before is not None:
            cells.append(_change(row["change_bytes"]))
        if row["role"] == "total":
            table.add_section()
            table.add_row(*cells, style="bold")
        else:
            table.add_row(
                *cells, style="dim" if not row["bytes"] and not row["change_bytes"] else None
            )
    return table
