"""Draw the memory timeline pictures in docs/images/ with gradscope's own command line.

For each scenario below: run it once and save the trace (``gradscope run --save``), then
draw its timeline (``gradscope mem timeline TRACE --svg FILE``). The SVG is written by
gradscope itself, with no plotting library, so it comes out the same on every machine.

Usage, from the repository root::

    python docs/make_timeline_images.py                      # every picture
    python docs/make_timeline_images.py relu_chain_memory    # one scenario's
"""

from __future__ import annotations

import sys
from pathlib import Path

from make_images import IMAGES, draw_all, gradscope  # the same runner and folders

#: scenario -> the picture's file name
PICTURES = {
    "relu_chain_memory": "relu_chain_memory-timeline.svg",
    "mlp_training": "mlp_training-timeline.svg",
}


def draw(name: str, tmp: Path) -> Path:
    """Run scenario ``name`` once, then write its timeline picture."""
    trace = tmp / f"{name}.gstrace"
    gradscope("run", f"scenarios/{name}.py", "--no-graph", "--save", str(trace))
    svg = IMAGES / PICTURES[name]
    gradscope("mem", "timeline", str(trace), "--svg", str(svg))
    return svg


def main(names: list[str]) -> None:
    draw_all(names, PICTURES, lambda name, tmp: [draw(name, tmp)])


if __name__ == "__main__":
    main(sys.argv[1:])
