"""Per-op cost of small-tensor ops, forward and backward apart, gradscope and torch
side by side in one process.

The `overhead` chain of ``compare.py`` (and runs of each of its five ops alone), timed as
forward, backward and freeing the graph, alternating gradscope and torch in every round;
each figure is the minimum over the rounds, in microseconds per op, with the cycle
collector paused. On a shared machine the minimum is the stable figure: use this to see
where a change moved the cost, ``compare.py`` for the table.

    python bench/phases.py                   # the chain and each op alone
    python bench/phases.py chain tanh        # some of them
    python bench/phases.py --rounds 50 --ops 500
    python bench/phases.py --traced          # gradscope inside gs.trace()
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _worker import _chain  # noqa: E402  (the same chain compare.py times)

KINDS = ("chain", "mul", "add", "tanh", "sigmoid", "exp")


def _build(x, kind: str, ops: int):
    if kind == "chain":
        return _chain(None, x, ops).sum()
    p = x
    for _ in range(ops):
        if kind == "mul":
            p = p * 0.5
        elif kind == "add":
            p = p + 0.1
        else:
            p = getattr(p, kind)()
    return p.sum()


def leaf_data() -> np.ndarray:
    """The chain's 16 float32 inputs, small so that a chain of ``exp`` stays finite longer."""
    return (np.random.default_rng(0).random(16) * 0.1).astype(np.float32)


def measure(modules: dict, kinds: list[str], ops: int, rounds: int, traced: bool = False) -> dict:
    """``{(module name, kind): [forward, backward, free]}``: best nanoseconds per run
    (``traced``: gradscope records each run in a ``gs.trace()``)."""
    data = leaf_data()
    leaves = {name: m.tensor(data, requires_grad=True) for name, m in modules.items()}
    best: dict = {}
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for kind in kinds:
                for name, x in leaves.items():
                    x.grad = None
                    recording = (
                        modules[name].trace()
                        if traced and name == "gradscope"
                        else contextlib.nullcontext()
                    )
                    with recording:
                        t0 = time.perf_counter_ns()
                        loss = _build(x, kind, ops)
                        t1 = time.perf_counter_ns()
                        loss.backward()
                        t2 = time.perf_counter_ns()
                        del loss
                        t3 = time.perf_counter_ns()
                    b = best.setdefault((name, kind), [float("inf")] * 3)
                    for i, v in enumerate((t1 - t0, t2 - t1, t3 - t2)):
                        b[i] = min(b[i], v)
    finally:
        if enabled:
            gc.enable()
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kinds", nargs="*", help=f"some of {', '.join(KINDS)} (default: all)")
    ap.add_argument("--ops", type=int, default=200, help="ops per run (default 200)")
    ap.add_argument("--rounds", type=int, default=100, help="rounds (default 100)")
    ap.add_argument("--traced", action="store_true", help="gradscope inside gs.trace()")
    args = ap.parse_args(argv)
    kinds = args.kinds or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        ap.error(f"unknown: {', '.join(unknown)}; choose from {', '.join(KINDS)}")
    warnings.simplefilter(
        "ignore"
    )  # exp of a long chain of exps overflows; the time is what counts

    import torch

    import gradscope

    torch.set_num_threads(1)
    mods = {"gradscope": gradscope, "torch": torch}
    best = measure(mods, kinds, args.ops, args.rounds, args.traced)
    print(
        f"us per op, min of {args.rounds} rounds of {args.ops} ops; torch {torch.__version__}, "
        f"1 thread{'; gradscope traced' if args.traced else ''}"
    )
    print(
        f"{'':8} {'gradscope fwd':>14} {'bwd':>6} {'total':>6} | {'torch fwd':>9} {'bwd':>6} {'total':>6} | ratio"
    )
    for kind in kinds:
        g = [v / args.ops / 1000 for v in best[("gradscope", kind)]]
        t = [v / args.ops / 1000 for v in best[("torch", kind)]]
        print(
            f"{kind:8} {g[0]:14.2f} {g[1]:6.2f} {sum(g):6.2f} | {t[0]:9.2f} {t[1]:6.2f} "
            f"{sum(t):6.2f} | {sum(g) / sum(t):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
