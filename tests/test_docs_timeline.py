"""docs/timeline-and-exports.md: its Python examples print what the page shows, and its
links and pictures exist."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "timeline-and-exports.md"


def _examples() -> list[tuple[str, str | None]]:
    parts = re.findall(r"```(\w*)([^\n]*)\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
    out = []
    for i, (lang, extra, body) in enumerate(parts):
        if lang == "python" and "notest" not in extra:
            nxt = parts[i + 1] if i + 1 < len(parts) else None
            out.append((body, nxt[2] if nxt and nxt[0] == "text" else None))
    return out


def test_the_page_has_examples():
    assert len(_examples()) >= 2


@pytest.mark.parametrize("index", range(len(_examples())))
def test_example_prints_what_the_page_shows(index, tmp_path):
    code, shown = _examples()[index]
    script = tmp_path / f"example_{index}.py"
    script.write_text(code, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if shown is not None:
        got = [x.rstrip() for x in proc.stdout.strip().splitlines()]
        assert got == [x.rstrip() for x in shown.strip().splitlines()]


def test_links_and_pictures_exist():
    text = PAGE.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        assert (PAGE.parent / target).exists(), f"links to missing {target}"
    pictures = re.findall(r"!\[[^\]]*\]\((images/[^)]+)\)", text)
    assert len(pictures) == 2
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import make_timeline_images
    finally:
        sys.path.pop(0)
    assert {f"images/{n}" for n in make_timeline_images.PICTURES.values()} == set(pictures)
    for pic in pictures:
        svg = (PAGE.parent / pic).read_text(encoding="utf-8")
        assert svg.startswith("<svg") and 'class="gradscope-timeline"' in svg
