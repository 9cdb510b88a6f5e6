"""Outputs kept in a list: predictions appended with their graphs keep every batch's memory.

An inference loop collects each batch's predictions in a list. The model's parameters
require grad and the loop does not run under ``gs.no_grad()``, so each prediction is the
root of a graph that holds the batch's saved activations, and the list keeps them all.
The fix appends ``pred.detach()`` (running the loop under ``gs.no_grad()`` also builds no
graph at all). Each batch ends with ``gs.mark("batch N (leaky|fixed)")``.

Run it: ``python scenarios/leak_outputs_in_list.py [--fixed]``, or see the leak with
``gradscope mem check scenarios/leak_outputs_in_list.py``.
"""

import sys

import gradscope as gs


def main(fixed: bool = False, batches: int = 6, size: int = 64) -> dict:
    """Predict ``batches`` batches; return the live bytes after each and the predictions' sum."""
    gs.manual_seed(0)
    variant = "fixed" if fixed else "leaky"
    W1 = (gs.randn(32, 128) * 0.2).requires_grad_()
    W2 = (gs.randn(128, 4) * 0.1).requires_grad_()
    base = gs.live_bytes()
    predictions = []
    live = []
    for i in range(batches):
        X = gs.randn(size, 32)
        pred = gs.softmax(gs.relu(X @ W1) @ W2, dim=1)
        predictions.append(pred.detach() if fixed else pred)
        del X, pred
        gs.mark(f"batch {i + 1} ({variant})")
        live.append(gs.live_bytes() - base)
    total = float(sum(p.sum().item() for p in predictions))
    print(f"{variant}: {len(predictions)} batches of predictions (sum {total:.1f})")
    print("live bytes after each batch: " + ", ".join(f"{n:,}" for n in live))
    return {"fixed": fixed, "live": live, "sum": total}


if __name__ == "__main__":
    main(fixed="--fixed" in sys.argv[1:])
