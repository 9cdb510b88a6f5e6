"""``gradscope scenarios``: the bundled scenarios, one line each."""

from __future__ import annotations

import ast
from pathlib import Path

from rich.markup import escape
from rich.table import Table
from rich.text import Text

from ._input import scenarios_dir
from .errors import boundary, out

EPILOG = """[bold]Examples[/]

  gradscope scenarios

  gradscope run square_sum      (a bundled scenario, by its name)"""


def first_doc_line(path: Path) -> str:
    """The first line of a script's module docstring ("" if it has none or does not parse)."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
        return ""
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


def scenarios() -> None:
    """List the scenarios bundled with gradscope, with the first line of each docstring."""
    with boundary():
        folder = scenarios_dir()
        files = sorted(folder.glob("*.py")) if folder.is_dir() else []
        files = [f for f in files if not f.name.startswith("_")]
        c = out()
        if not files:
            c.print(f"no bundled scenarios found in {escape(str(folder))}", soft_wrap=True)
            return
        table = Table(title=f"scenarios in {escape(str(folder))}", title_justify="left")
        table.add_column("name", no_wrap=True, style="bold")
        table.add_column("what it shows")
        for f in files:
            table.add_row(Text(f.stem), Text(first_doc_line(f)))  # docstrings are not markup
        c.print(table)
        c.print("run one with: gradscope run <name>   (or the path to the .py file)")
