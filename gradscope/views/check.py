"""Leak and retention findings, rendered: one block per finding, or one line saying clean.

Example::

    findings = [f.as_dict() for f in check(events, baseline, holders)]
    render_findings(findings, Console())
"""

from __future__ import annotations

from rich.console import Console

from ..state.leaks import CHECKS
from .fmt import human_bytes, short_site


def finding_lines(f: dict) -> list[str]:
    """One finding as plain-text lines: title, where, details, fix."""
    where = []
    if f.get("op"):
        where.append(f"{f['op']}" + (f" #{f['node']}" if f.get("node") is not None else ""))
    if f.get("site"):
        where.append(f"at {short_site(f['site'])}")
    head = f"{CHECKS.get(f['check'], f['check'])}: {f['title']}"
    lines = [head]
    size = (
        f"{human_bytes(f['bytes'])} ({f['bytes']:,} B)"
        if f["bytes"] >= 1000
        else human_bytes(f["bytes"])
    )
    lines.append(f"  {' '.join(where) or 'node unknown'}; {size}"
                 + (f"; seq {f['seq']}" if f.get("seq") is not None else ""))  # fmt: skip
    lines += [f"  {d}" for d in f.get("details") or ()]
    if f.get("fix"):
        lines.append(f"  fix: {f['fix']}")
    return lines


def clean_line(events: int, named: bool) -> str:
    """The line a clean trace gets."""
    names = "" if named else " (without variable names: the checks that need them were skipped)"
    return f"clean: no leaks or retained graphs found ({len(CHECKS)} checks over {events:,} events){names}"


def render_findings(
    findings: list[dict], console: Console, *, events: int = 0, named: bool = True
) -> None:
    """Print the findings, or the clean line."""
    if not findings:
        console.print(clean_line(events, named), style="green", markup=False, highlight=False)
        return
    n = len(findings)
    console.print(f"{n} finding{'s' * (n != 1)}", style="bold red", markup=False, highlight=False)
    for f in findings:
        for i, line in enumerate(finding_lines(f)):
            style = "bold" if i == 0 else ("cyan" if line.startswith("  fix:") else None)
            console.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
