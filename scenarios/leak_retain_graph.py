"""retain_graph=True in a loop: a hidden state carried across steps chains every graph.

A recurrent cell runs one step per iteration, ``h = tanh(x_t @ Wx + h @ Wh)``, and
backpropagates each step's loss into the weights' ``.grad`` (one update at the end). Without ``h.detach()`` the new graph reaches into the
previous step's, so a plain ``backward()`` fails the second time ("Trying to backward
through the graph a second time"), and ``retain_graph=True`` makes the error go away: now
every step's saved tensors are kept, each backward runs through all earlier steps again,
and the last backward's graph is never used again. The fix cuts the graph between steps:
``h = h.detach()``, and a plain ``backward()``. Each step ends with
``gs.mark("step N (leaky|fixed)")``.

Run it: ``python scenarios/leak_retain_graph.py [--fixed]``, or see the leak with
``gradscope mem check scenarios/leak_retain_graph.py``.
"""

import sys

import gradscope as gs


def main(fixed: bool = False, steps: int = 6, hidden: int = 64, batch: int = 16) -> dict:
    """Run the cell for ``steps`` steps; return the live bytes and nodes run per step."""
    gs.manual_seed(0)
    variant = "fixed" if fixed else "leaky"
    Wx = (gs.randn(8, hidden) * 0.3).requires_grad_()
    Wh = (gs.randn(hidden, hidden) * 0.1).requires_grad_()
    h = gs.zeros(batch, hidden)
    base = gs.live_bytes()
    live, ran = [], []
    with gs.trace() as tr:
        for t in range(steps):
            if fixed:
                h = h.detach()  # the new step's graph stops here
            x_t = gs.randn(batch, 8)
            h = gs.tanh(x_t @ Wx + h @ Wh)
            loss = (h**2).mean()
            start = len(tr.events)
            loss.backward(retain_graph=not fixed)
            ran.append(sum(e.kind == "node_executed" for e in tr.events[start:]))
            gs.mark(f"step {t + 1} ({variant})")
            live.append(gs.live_bytes() - base)
    with gs.no_grad():  # one update for the whole sequence (the graphs still use Wx and Wh)
        for p in (Wx, Wh):
            p -= 0.01 * p.grad
    print(f"{variant}: nodes run by each backward: {ran}")
    print("live bytes after each step: " + ", ".join(f"{n:,}" for n in live))
    return {"fixed": fixed, "live": live, "ran": ran}


if __name__ == "__main__":
    main(fixed="--fixed" in sys.argv[1:])
