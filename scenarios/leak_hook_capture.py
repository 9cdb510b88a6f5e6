"""Hook closures: a hook registered every step captures that step's activation and keeps it.

Each training step registers a hook on the weight ``W2`` to log a statistic of its
gradient scaled by the step's hidden activation ``h``. The hook is a closure over ``h``,
and ``W2`` keeps every hook registered on it, so each step's ``h`` stays alive (and every
backward runs all the hooks so far). The fix keeps the handle and removes the hook once the
step's backward has run: ``handle.remove()``. Each step ends with
``gs.mark("step N (leaky|fixed)")``.

Run it: ``python scenarios/leak_hook_capture.py [--fixed]``, or see the leak with
``gradscope mem check scenarios/leak_hook_capture.py``.
"""

import sys

import gradscope as gs


def train_step(W1, W2, X, Y, stats: list, fixed: bool) -> float:
    """One step of gradient descent; logs |dL/dW2| scaled by the mean activation."""
    h = gs.tanh(X @ W1)
    loss = ((h @ W2 - Y) ** 2).mean()
    handle = W2.register_hook(lambda g: stats.append(float((g.abs().sum() * h.mean()).item())))
    loss.backward()
    if fixed:
        handle.remove()  # the closure, and the `h` it holds, go with it
    with gs.no_grad():
        for p in (W1, W2):
            p -= 0.05 * p.grad
            p.grad = None
    return loss.item()


def main(fixed: bool = False, steps: int = 6, size: int = 64) -> dict:
    """Train for ``steps`` steps; return the losses, the hook calls and the live bytes."""
    gs.manual_seed(0)
    variant = "fixed" if fixed else "leaky"
    W1 = (gs.randn(16, 64) * 0.3).requires_grad_()
    W2 = (gs.randn(64, 1) * 0.1).requires_grad_()
    X, Y = gs.randn(size, 16), gs.randn(size, 1)
    base = gs.live_bytes()
    stats, losses, live = [], [], []
    for step in range(steps):
        losses.append(train_step(W1, W2, X, Y, stats, fixed))
        gs.mark(f"step {step + 1} ({variant})")
        live.append(gs.live_bytes() - base)
    print(f"{variant}: loss {losses[0]:.4f} -> {losses[-1]:.4f}; hook calls: {len(stats)}")
    print("live bytes after each step: " + ", ".join(f"{n:,}" for n in live))
    return {"fixed": fixed, "losses": losses, "hook_calls": len(stats), "live": live}


if __name__ == "__main__":
    main(fixed="--fixed" in sys.argv[1:])
