"""Data flows one way: ops -> engine -> events -> state folds -> views -> cli.

state/ imports only gradscope.events (and the standard library); views/ imports only
gradscope.events and gradscope.state (plus rich and graphviz); only cli/ may import the
rest, and nothing imports cli/.
"""

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "gradscope"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by a file (relative imports resolved)."""
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:  # from . import x
                    found |= {f"{mod}.{a.name}" for a in node.names}
                    continue
            else:
                mod = node.module
            found.add(mod)
    return found


def _files(sub: str) -> list[Path]:
    return sorted((PKG / sub).rglob("*.py"))


def _allowed(mod: str, allowed: tuple[str, ...], third_party: tuple[str, ...]) -> bool:
    top = mod.split(".")[0]
    if top == "gradscope":
        return any(mod == a or mod.startswith(a + ".") for a in allowed)
    return top in STDLIB or top in third_party


@pytest.mark.parametrize(
    ("sub", "allowed", "third_party"),
    [
        ("state", ("gradscope.events", "gradscope.state"), ()),
        ("views", ("gradscope.events", "gradscope.state", "gradscope.views"), ("rich", "graphviz")),
    ],
)
def test_layer_imports(sub, allowed, third_party):
    files = _files(sub)
    assert files
    bad = [
        f"{f.relative_to(PKG.parent)}: {mod}"
        for f in files
        for mod in sorted(_imports(f))
        if not _allowed(mod, allowed, third_party)
    ]
    assert not bad, "imports against the data flow:\n" + "\n".join(bad)


def test_nothing_outside_cli_imports_cli():
    entry = PKG / "__main__.py"  # ``python -m gradscope``: the command line's other door
    bad = [
        f"{f.relative_to(PKG.parent)}: {mod}"
        for f in PKG.rglob("*.py")
        if "cli" not in f.relative_to(PKG).parts and f != entry
        for mod in _imports(f)
        if mod == "gradscope.cli" or mod.startswith("gradscope.cli.")
    ]
    assert not bad, "\n".join(bad)


def test_the_checker_resolves_relative_imports(tmp_path):
    src = PKG / "views" / "dot.py"
    mods = _imports(src)
    assert "gradscope.views.fmt" in mods and "gradscope.views.graph_model" in mods
    assert "gradscope.state.graph" in _imports(PKG / "views" / "graph_model.py")
