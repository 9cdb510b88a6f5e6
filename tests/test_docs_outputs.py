"""The command output pasted into docs/*.md is what the commands print now.

docs/make_outputs.py reruns the command named by the marker above each block; here its
check runs over every page (the pages side by side, each in its own temp folder)."""

import difflib
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs"))
try:
    import make_outputs
finally:
    sys.path.pop(0)


def _report(block) -> str:
    diff = difflib.unified_diff(block.old, block.new, "in the page", "printed now", lineterm="")
    return f"{block.where()}: {' ; '.join(block.commands)}\n" + "\n".join(list(diff)[:40])


def test_every_marked_block_shows_what_its_commands_print():
    pages = make_outputs.pages([])
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(zip(pages, pool.map(make_outputs.page_blocks, pages)))
    counts = {p.name: len(b) for p, b in results.items()}
    for name in ("cli.md", "concepts.md", "debugging.md", "timeline-and-exports.md"):
        assert counts[name] >= 5, counts
    stale = [b for blocks in results.values() for b in blocks if b.old != b.new]
    assert not stale, (
        "stale output in the docs; run `python docs/make_outputs.py` and read the diff:\n\n"
        + "\n\n".join(_report(b) for b in stale)
    )


def _page(tmp_path, text: str) -> Path:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return page


def test_markers_select_lines_prompt_and_share_the_temp_folder(tmp_path):
    page = _page(
        tmp_path,
        "<!-- run: printf 'a\\nb\\nc\\nd\\ne\\n' > {tmp}/five.txt -->\n"
        "text\n\n"
        '<!-- output prompt from="b" lines=1..2,...,-1: cat {tmp}/five.txt -->\n'
        "<!-- output rc=3: echo COLUMNS=$COLUMNS; exit 3 -->\n"
        "```\nold\n```\n\n"
        "<!-- file: hello.py -->\n"
        "```python\nprint('hello from', __file__.rsplit('/', 1)[-1])\n```\n\n"
        "<!-- output cols=60: cd {tmp} && python hello.py; echo $COLUMNS -->\n"
        "```\nhello from hello.py\n60\n```\n",
    )
    first, second = make_outputs.page_blocks(page)
    assert first.old == ["old"]
    assert first.new == ["$ cat five.txt", "b", "c", "...", "e", "COLUMNS=100"]
    assert second.old == second.new
    assert [b.where() for b in make_outputs.stale_blocks(page)] == [f"{page}:4"]
    make_outputs.rewrite(page)
    assert make_outputs.stale_blocks(page) == []
    assert "```\n$ cat five.txt\nb\nc\n...\ne\nCOLUMNS=100\n```" in page.read_text()


def test_a_command_that_fails_unexpectedly_is_an_error_not_output(tmp_path):
    page = _page(tmp_path, "<!-- output: ls {tmp}/missing -->\n```\n```\n")
    with pytest.raises(make_outputs.MarkerError, match="exited with 2, expected 0"):
        make_outputs.page_blocks(page)


def test_a_marker_away_from_its_block_or_with_an_unknown_option_is_an_error(tmp_path):
    with pytest.raises(make_outputs.MarkerError, match="right above a fenced block"):
        make_outputs.page_blocks(_page(tmp_path, "<!-- output: echo hi -->\n\n```\n```\n"))
    with pytest.raises(make_outputs.MarkerError, match="unknown option 'colums'"):
        make_outputs.page_blocks(_page(tmp_path, "<!-- output colums=80: echo -->\n```\n```\n"))


def test_paths_under_the_repository_and_the_temp_folder_print_relative(tmp_path):
    text = f"{ROOT}/scenarios/square_sum.py:16 and {tmp_path}/x.gstrace in {tmp_path}"
    assert make_outputs.normalise(text + "   \n\n", tmp_path) == (
        "scenarios/square_sum.py:16 and x.gstrace in ."
    )
