"""Loss summed without .item(): every batch's graph, saved tensors included, stays alive.

A validation loop adds each batch's loss to a running total: ``total = total + loss``.
``loss`` is a tensor with a graph, so ``total`` becomes the root of one graph that joins
every batch's graph, and each batch's saved activations stay alive until ``total`` goes:
live memory grows by one batch's graph per iteration. The fix sums numbers instead:
``total += loss.item()`` (and running the loop under ``gs.no_grad()`` builds no graph at
all). Each iteration ends with ``gs.mark("batch N (leaky|fixed)")``.

Run it: ``python scenarios/leak_loss_accumulation.py [--fixed]``, or see the leak with
``gradscope mem check scenarios/leak_loss_accumulation.py``.
"""

import sys

import gradscope as gs
import gradscope.nn.functional as F


def model(params: list, X):
    """A two-layer tanh network."""
    W1, W2 = params
    return gs.tanh(X @ W1) @ W2


def main(fixed: bool = False, batches: int = 6, size: int = 64) -> dict:
    """Sum the validation loss over ``batches`` batches; return the live bytes after each."""
    gs.manual_seed(0)
    variant = "fixed" if fixed else "leaky"
    params = [(gs.randn(32, 128) * 0.2).requires_grad_(), (gs.randn(128, 1) * 0.1).requires_grad_()]
    base = gs.live_bytes()
    total = 0.0
    live = []
    for i in range(batches):
        X, Y = gs.randn(size, 32), gs.randn(size, 1)
        loss = F.mse_loss(model(params, X), Y)
        if fixed:
            total += loss.item()  # a Python float: the batch's graph goes with `loss`
        else:
            total = total + loss  # a tensor whose graph holds every batch so far
        del X, Y, loss
        gs.mark(f"batch {i + 1} ({variant})")
        live.append(gs.live_bytes() - base)
    value = total if fixed else total.item()
    print(f"{variant}: validation loss {value / batches:.4f}; live bytes after each batch:")
    print("  " + ", ".join(f"{n:,}" for n in live))
    return {"fixed": fixed, "loss": value / batches, "live": live}


if __name__ == "__main__":
    main(fixed="--fixed" in sys.argv[1:])
