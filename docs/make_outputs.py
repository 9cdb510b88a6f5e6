"""Refresh the command output pasted into docs/*.md, or check that it is current.

A fenced block is generated when marker lines stand right above its opening fence::

    <!-- output: gradscope mem report scenarios/relu_chain_memory.py --top 3 -->
    ```
    (replaced by what the command prints)
    ```

The markers are HTML comments, so a rendered page does not show them:

``<!-- output[ OPTION ...]: COMMAND -->``
    the block below is COMMAND's output (stdout and stderr together). Several output
    markers stacked above one block fill it one after the other.
``<!-- run: COMMAND -->``
    runs COMMAND and shows nothing, wherever it stands: it makes the files (a saved
    trace, a small script) that the commands after it read.
``<!-- file: NAME -->``
    the block below (a script shown on the page) is written to ``{tmp}/NAME``; the block
    itself is left as it is.

Each page's commands run in order with bash, from the repository root, with ``COLUMNS``
set, ``NO_COLOR=1``, ``TERM=dumb`` and ``PYTHONUNBUFFERED=1`` (so that stdout and stderr
interleave as in a terminal). ``{tmp}`` in a command is a folder made for the page:
commands write their files there. An output marker's options, ``key=value`` words quoted
as in the shell:

``cols=N``
    the terminal width (default 100).
``prompt``
    put ``$ COMMAND`` above the output, with a leading ``cd {tmp} && `` and every
    ``{tmp}/`` left out.
``rc=N``
    the exit status the command must end with (default 0).
``from=TEXT``
    drop the lines before the first one that contains TEXT.
``lines=PIECES``
    keep only these lines of the rest, pieces separated by commas: ``A..B`` is lines A to
    B, counted from 1 (a negative number counts from the end, -1 being the last), either
    end left out for the first or the last line; ``N`` is one line; ``...`` is shown as a
    line ``...`` (``lines=1..9,...,-3..``).
``pty=KEYS``
    run the command in a pseudo-terminal and type KEYS: lines separated by ``|``, each
    sent once the command waits for input (``pty='|b Accumulate|'``: Enter,
    ``b Accumulate``, Enter).

In the output the repository's folder and ``{tmp}`` are left out of paths (as the
commands print them when run from the root: ``scenarios/square_sum.py``), and trailing
spaces are dropped.

Usage, from the repository root::

    python docs/make_outputs.py                 # rewrite every page's marked blocks
    python docs/make_outputs.py cli.md          # one page (a name in docs/)
    python docs/make_outputs.py --check         # list the stale blocks, exit 1 if any
"""

from __future__ import annotations

import os
import re
import select
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

MARKER = re.compile(r"^\s*<!--\s*(output|run|file)\b(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+)")
TIMEOUT_S = 300


class MarkerError(Exception):
    """A marker that cannot be carried out: its command failed, or its options are wrong."""


@dataclass
class Marker:
    kind: str  # "output", "run" or "file"
    text: str  # the command, or the file name
    line: int  # 1-based, in the page
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Block:
    """One marked block: where its body lies in the page, and what it holds now."""

    page: Path
    line: int  # 1-based line of the first marker
    first: int  # 0-based index of the body's first line
    end: int  # 0-based index of the closing fence
    old: list[str]
    new: list[str]
    commands: list[str]

    def where(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def parse_marker(raw: str, number: int) -> Marker | None:
    """The marker on this line, or None."""
    m = MARKER.match(raw)
    if not m:
        return None
    kind, rest = m.groups()
    quote = None
    for at, char in enumerate(rest):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == ":" and rest[at + 1 : at + 2].isspace():
            break
    else:
        raise MarkerError(f"line {number}: no ': ' before the {kind} marker's command")
    opts, text = rest[:at], rest[at + 1 :].strip()
    options = {}
    for word in shlex.split(opts):
        key, _, value = word.partition("=")
        if key not in ("cols", "prompt", "rc", "from", "lines", "pty"):
            raise MarkerError(f"line {number}: unknown option {key!r}")
        options[key] = value
    return Marker(kind, text, number, options)


def normalise(text: str, tmp: Path) -> str:
    """Output as the docs show it: the repository and the temp folder left out of paths,
    no trailing spaces, no carriage returns."""
    for folder in sorted({str(tmp), str(tmp.resolve())}, key=len, reverse=True):
        text = text.replace(folder + "/", "").replace(folder, ".")
    text = text.replace(str(ROOT) + "/", "").replace(str(ROOT), ".")
    lines = text.replace("\r\n", "\n").replace("\r", "").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def environment(cols: int) -> dict[str, str]:
    env = dict(
        os.environ, COLUMNS=str(cols), LINES="40", NO_COLOR="1", TERM="dumb", PYTHONUNBUFFERED="1"
    )
    env.pop("FORCE_COLOR", None)
    for name in ("CI", "BUILD_NUMBER"):  # pytest prints its summary in full under CI
        env.pop(name, None)
    for name in [n for n in env if n.startswith("PYTEST_")]:  # a pytest a page runs must not
        env.pop(name)  # take the settings (or the xdist worker) of one running these checks
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_piped(command: str, cols: int) -> tuple[int, str]:
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=environment(cols),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=TIMEOUT_S,
    )
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def reading_tty(pid: int) -> bool | None:
    """Whether process ``pid`` sleeps waiting for terminal input (None: cannot tell, as
    where the kernel hides wait channels and shows "0")."""
    try:
        wchan = Path(f"/proc/{pid}/wchan").read_text().strip()
    except OSError:
        return None
    return None if wchan in ("", "0") else wchan in ("wait_woken", "n_tty_read")


def run_pty(command: str, cols: int, keys: list[str]) -> tuple[int, str]:
    """Run ``command`` in a pseudo-terminal, typing each of ``keys`` (and Enter) once the
    command waits for input."""
    import pty

    fd, tty = pty.openpty()
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=ROOT,
        env=environment(cols),
        stdin=tty,
        stdout=tty,
        stderr=tty,
        start_new_session=True,
    )
    os.close(tty)
    out = bytearray()

    def read(waiting: bool) -> bool:
        """Read what comes; return once the command waits for input (``waiting``), or
        once it ends (then False)."""
        last = start = time.monotonic()
        while time.monotonic() - start < TIMEOUT_S:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # the command has ended
                    return False
                if not data:
                    return False
                out.extend(data)
                last = time.monotonic()
            quiet = time.monotonic() - last
            if waiting and quiet > 0.2:
                # a slow start (imports on a loaded machine) is quiet too: only where the
                # wait cannot be seen does quiet alone say the command waits for input
                state = reading_tty(proc.pid)
                if state or (state is None and quiet > 3):
                    return True
        return False

    try:
        for key in keys:
            if not read(waiting=True):
                break
            os.write(fd, key.encode() + b"\n")
        else:
            read(waiting=False)
        rc = proc.wait(timeout=TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(fd)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode("utf-8", "replace"))
    return rc, text


def select_lines(lines: list[str], spec: str) -> list[str]:
    """The pieces of ``lines`` named by ``spec`` (``lines=`` above)."""

    def index(number: str, default: int) -> int:
        if not number:
            return default
        n = int(number)
        return n - 1 if n > 0 else len(lines) + n

    out: list[str] = []
    for piece in spec.split(","):
        piece = piece.strip()
        if piece == "...":
            out.append("...")
            continue
        first, dots, last = piece.partition("..")
        try:
            a = index(first, 0)
            b = index(last, len(lines) - 1) if dots else a
        except ValueError:
            raise MarkerError(f"lines={spec!r}: {piece!r} is not a line or a range") from None
        out.extend(lines[a : b + 1])
    return out


def shown(command: str) -> str:
    """The command as a ``$`` line shows it."""
    return command.removeprefix("cd {tmp} && ").replace("{tmp}/", "").replace("{tmp}", ".")


class Page:
    """One page's markers, run in order against one temp folder."""

    def __init__(self, path: Path, tmp: Path):
        self.path, self.tmp = path, tmp
        self.cache: dict[tuple, tuple[int, str]] = {}

    def execute(self, marker: Marker) -> list[str]:
        opts = marker.options
        command = marker.text.replace("{tmp}", str(self.tmp))
        cols = int(opts.get("cols", 100))
        keys = opts["pty"].split("|") if "pty" in opts else None
        key = (command, cols, tuple(keys or ()))
        if key not in self.cache:
            if keys is None:
                self.cache[key] = run_piped(command, cols)
            else:
                self.cache[key] = run_pty(command, cols, keys)
        rc, text = self.cache[key]
        text = normalise(text, self.tmp)
        if rc != int(opts.get("rc", 0)):
            tail = "\n".join(text.splitlines()[-15:])
            raise MarkerError(
                f"{self.path.name}:{marker.line}: `{marker.text}` exited with "
                f"{rc}, expected {opts.get('rc', 0)}\n{tail}"
            )
        lines = text.split("\n") if text else []
        if "from" in opts:
            hits = [i for i, line in enumerate(lines) if opts["from"] in line]
            if not hits:
                raise MarkerError(f"{self.path.name}:{marker.line}: no line holds {opts['from']!r}")
            lines = lines[hits[0] :]
        if "lines" in opts:
            lines = select_lines(lines, opts["lines"])
        if "prompt" in opts:
            lines = [f"$ {shown(marker.text)}", *lines]
        return lines

    def blocks(self) -> list[Block]:
        """Run the page's markers; one Block per marked fenced block."""
        text = self.path.read_text(encoding="utf-8").split("\n")
        out: list[Block] = []
        pending: list[Marker] = []
        i = 0
        while i < len(text):
            marker = parse_marker(text[i], i + 1)
            if marker and marker.kind == "run":
                self.execute(marker)
            elif marker:
                pending.append(marker)
            elif pending and FENCE.match(text[i]):
                indent, ticks = FENCE.match(text[i]).groups()
                end = next((j for j in range(i + 1, len(text)) if text[j].strip() == ticks), None)
                if end is None:
                    raise MarkerError(f"{self.path.name}:{i + 1}: the block never closes")
                body = [line.removeprefix(indent) for line in text[i + 1 : end]]
                new: list[str] = []
                for m in pending:
                    if m.kind == "file":
                        (self.tmp / m.text).write_text("\n".join(body) + "\n", encoding="utf-8")
                    else:
                        new.extend(self.execute(m))
                outputs = [m.text for m in pending if m.kind == "output"]
                if outputs:
                    out.append(
                        Block(
                            self.path,
                            pending[0].line,
                            i + 1,
                            end,
                            text[i + 1 : end],
                            [indent + line if line else line for line in new],
                            outputs,
                        )
                    )
                pending = []
                i = end
            elif pending:
                raise MarkerError(
                    f"{self.path.name}:{pending[0].line}: a marker must stand "
                    "right above a fenced block"
                )
            i += 1
        return out


def page_blocks(path: Path) -> list[Block]:
    """Every marked block of one page, with the output its commands give now."""
    with tempfile.TemporaryDirectory(prefix="gs-docs-") as tmp:
        return Page(path, Path(tmp)).blocks()


def stale_blocks(path: Path) -> list[Block]:
    """The marked blocks of one page whose text differs from their commands' output."""
    return [b for b in page_blocks(path) if b.old != b.new]


def rewrite(path: Path) -> list[Block]:
    """Write the current output into the page's stale blocks; return them."""
    stale = stale_blocks(path)
    if stale:
        text = path.read_text(encoding="utf-8").split("\n")
        for block in sorted(stale, key=lambda b: b.first, reverse=True):
            text[block.first : block.end] = block.new
        path.write_text("\n".join(text), encoding="utf-8")
    return stale


def pages(names: list[str]) -> list[Path]:
    found = sorted(DOCS.glob("*.md"))
    if not names:
        return found
    chosen = [DOCS / Path(n).name for n in names]
    missing = [p.name for p in chosen if p not in found]
    if missing:
        sys.exit(f"no page {', '.join(missing)} in docs/")
    return chosen


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if a != "--check"]
    stale_count = 0
    try:
        for path in pages(names):
            stale = stale_blocks(path) if check else rewrite(path)
            stale_count += len(stale)
            for block in stale:
                verb = "stale" if check else "rewrote"
                print(f"{block.where()}: {verb}: {' ; '.join(block.commands)}")
    except MarkerError as exc:
        print(f"make_outputs: {exc}", file=sys.stderr)
        return 2
    return 1 if check and stale_count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
