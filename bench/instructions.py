"""Instructions per op of small-tensor ops, gradscope and torch, counted by Valgrind: a
figure that the machine's load does not move.

The ops are ``phases.py``'s (the ``overhead`` chain, and runs of each of its five ops
alone), forward and backward, with the cycle collector paused. Each implementation runs in
processes of its own under ``valgrind --tool=cachegrind``, twice: ``--rounds`` runs of the
chain, then that many and ``--extra`` more. The difference between the two counts, over
the extra ops, is what an op costs; what importing and setting up cost cancels out.

Time on a shared machine swings with its load; the count of instructions a change saves
does not, so a small change can be weighed in one run. An instruction is not a nanosecond
(cache misses and branches cost time the count does not show, and torch's C++ runs more
instructions per nanosecond than the interpreter), so the ratio to torch here is not the
ratio of times: use ``phases.py`` and ``compare.py`` for those.

    python bench/instructions.py                   # the chain: gradscope, traced, torch
    python bench/instructions.py chain tanh --extra 20
    python bench/instructions.py --impl gradscope  # leave torch out (its import is slow)

Needs ``valgrind`` on PATH. Runs up to ``--jobs`` processes at once (default: one per CPU).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import gc
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

IMPLS = ("gradscope", "gradscope --traced", "torch")
# the same work every run: no hash randomisation, no BLAS threads spinning beside it
_ENV = {"PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1"}  # fmt: skip
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def worker(impl: str, kind: str, ops: int, rounds: int) -> None:
    """Build and run backward through ``rounds`` chains of ``ops`` ops of ``kind``."""
    import warnings

    from phases import _build, leaf_data

    warnings.simplefilter("ignore")  # exp of a long chain of exps overflows
    if impl == "torch":
        import torch as module

        module.set_num_threads(1)
    else:
        import gradscope as module
    x = module.tensor(leaf_data(), requires_grad=True)
    traced = impl.endswith("--traced")
    gc.disable()
    for _ in range(rounds):
        x.grad = None
        with module.trace() if traced else contextlib.nullcontext():
            loss = _build(x, kind, ops)
            loss.backward()
            del loss


def count(impl: str, kind: str, ops: int, rounds: int, valgrind: str) -> int:
    """Instructions the worker process ran, start to end."""
    cmd = [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           sys.executable, os.path.abspath(__file__), "--worker", impl, kind, str(ops),
           str(rounds)]  # fmt: skip
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **_ENV}, check=False
    )
    n = refs(proc.stderr)
    if proc.returncode != 0 or n is None:
        tail = proc.stderr.strip().splitlines()[-5:]
        raise RuntimeError(f"{impl} {kind}: valgrind run failed: {' / '.join(tail)}")
    return n


def refs(report: str) -> int | None:
    """The instruction count in cachegrind's summary (``I refs: 3,458,762,370``)."""
    found = _REFS.search(report)
    return None if found is None else int(found.group(1).replace(",", ""))


def measure(impls, kinds, ops: int, rounds: int, extra: int, jobs: int, valgrind: str) -> dict:
    """``{(impl, kind): instructions per op}``."""
    runs = [(i, k, r) for i in impls for k in kinds for r in (rounds, rounds + extra)]
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        counts = dict(zip(runs, pool.map(lambda a: count(a[0], a[1], ops, a[2], valgrind), runs)))
    return {
        (i, k): (counts[i, k, rounds + extra] - counts[i, k, rounds]) / (extra * ops)
        for i in impls
        for k in kinds
    }


def main(argv=None) -> int:
    from phases import KINDS

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        impl, kind, ops, rounds = argv[1:5]
        worker(impl, kind, int(ops), int(rounds))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kinds", nargs="*", help=f"some of {', '.join(KINDS)} (default: chain)")
    ap.add_argument("--ops", type=int, default=200, help="ops per chain (default 200)")
    ap.add_argument("--rounds", type=int, default=2, help="chains in the first run (default 2)")
    ap.add_argument("--extra", type=int, default=10, help="chains the second run adds (default 10)")
    ap.add_argument("--impl", action="append", choices=IMPLS, help="(repeatable; default: all)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes at once")
    args = ap.parse_args(argv)
    kinds = args.kinds or ["chain"]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        ap.error(f"unknown: {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    if args.extra < 1 or args.ops < 1 or args.rounds < 1:
        ap.error("--ops, --rounds and --extra must be at least 1")
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("error: valgrind is not on PATH (it counts the instructions)", file=sys.stderr)
        return 2
    impls = args.impl or list(IMPLS)
    if "torch" in impls:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("torch is not installed: counting gradscope alone", file=sys.stderr)
            impls = [i for i in impls if i != "torch"]
    try:
        per_op = measure(impls, kinds, args.ops, args.rounds, args.extra, args.jobs, valgrind)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(
        f"instructions per op (forward + backward), {args.extra} x {args.ops} ops over "
        f"{args.rounds} x {args.ops}; Python {sys.version.split()[0]}"
    )
    print(
        f"{'':8} "
        + " ".join(f"{i:>19}" for i in impls)
        + (" | / torch" if "torch" in impls else "")
    )
    for kind in kinds:
        row = " ".join(f"{per_op[i, kind]:19,.0f}" for i in impls)
        if "torch" in impls:
            t = per_op["torch", kind]
            row += " | " + " ".join(f"{per_op[i, kind] / t:.2f}" for i in impls if i != "torch")
        print(f"{kind:8} {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
