"""Draw the pictures in docs/images/ with gradscope's own command line.

For each scenario below: run it once under the recorder and save the trace
(``gradscope run --save``), then draw its graph at the scenario's "before backward" and
"after backward" marks (``gradscope graph TRACE --at MARK --svg FILE``). The SVGs are
laid out by graphviz-pure, installed with gradscope, so they come out the same on every
machine.

Usage, from the repository root::

    python docs/make_images.py                      # every picture
    python docs/make_images.py relu_chain_memory    # one scenario's pair
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"

#: scenario -> the marks it sets around its backward, and the picture's suffix
PICTURES = {
    "square_sum": {"before": "before backward", "after": "after backward"},
    "softmax_cross_entropy": {"before": "before backward", "after": "after backward"},
    "relu_chain_memory": {"before": "before backward", "after": "after backward"},
}


def gradscope(*args: str) -> None:
    """Run the ``gradscope`` command (the installed script, else this Python's module)."""
    exe = shutil.which("gradscope")
    cmd = [exe] if exe else [sys.executable, "-c", "from gradscope.cli.app import main; main()"]
    subprocess.run([*cmd, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def draw(name: str, marks: dict[str, str], tmp: Path) -> list[Path]:
    """Run scenario ``name`` once, then write one SVG per mark."""
    trace = tmp / f"{name}.gstrace"
    gradscope("run", f"scenarios/{name}.py", "--no-graph", "--save", str(trace))
    written = []
    for suffix, mark in marks.items():
        svg = IMAGES / f"{name}-{suffix}.svg"
        gradscope("graph", str(trace), "--at", mark, "--svg", str(svg))
        written.append(svg)
    return written


def draw_all(names: list[str], pictures: dict, draw) -> None:
    """``draw(name, tmp)`` (the paths it wrote) for each scenario named, or for all of
    ``pictures``; a name with no pictures ends the script with a one-line message."""
    unknown = [n for n in names if n not in pictures]
    if unknown:
        sys.exit(f"no pictures for {', '.join(unknown)}; choose from {', '.join(pictures)}")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or list(pictures):
            for svg in draw(name, Path(tmp)):
                print(svg.relative_to(ROOT))


def main(names: list[str]) -> None:
    draw_all(names, PICTURES, lambda name, tmp: draw(name, PICTURES[name], tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
