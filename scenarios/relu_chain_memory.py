"""ReLU chain: 101 ReLUs on 1M floats hold about 400 MB of saved outputs until backward frees them.

``x`` is 4,000,000 bytes (float32). Each ``relu`` makes a new 4 MB output, and its
``ReluBackward0`` saves that output for backward (``result``), so rebinding ``p`` frees
nothing: after 100 ReLUs the graph holds about 400 MB. Backward releases each node's
saved output right after running it, leaving ``x``, the final output and ``x.grad``.
The figures are exact bytes from ``gs.live_bytes()``.

Run it: ``python scenarios/relu_chain_memory.py`` or ``gradscope run scenarios/relu_chain_memory.py``.
"""

import sys

import gradscope as gs


def main(n: int = 1_000_000, ops: int = 101, seed: int = 0) -> dict:
    """Apply ``ops`` ReLUs to ``n`` floats, then backward; return the byte counts."""
    gs.manual_seed(seed)
    start = gs.live_bytes()
    with gs.trace() as tr:
        x = gs.randn(n, requires_grad=True)
        live = {"x": gs.live_bytes() - start}
        print(f"x = randn({n:,}): {live['x']:>13,} bytes live")

        report = {1, 2, 10, 50, 100, ops}
        p = x
        for i in range(1, ops + 1):
            p = gs.relu(p)  # the old p lives on: ReluBackward0 saved it as `result`
            if i in report:
                live[i] = gs.live_bytes() - start
                print(f"after {i:>3} ReLU{'s' if i > 1 else ' '}:  {live[i]:>13,} bytes live")

        loss = p.sum()
        gs.mark("before backward")
        before = gs.live_bytes() - start
        loss.backward()
        gs.mark("after backward")
        after = gs.live_bytes() - start

    saves = [e for e in tr.events if e.kind == "tensor_saved"]
    freed = [e for e in tr.events if e.kind == "graph_freed"]
    print(f"before backward:  {before:>13,} bytes  (x + {ops} outputs + the 4-byte loss)")
    print(f"after backward:   {after:>13,} bytes  (x, the last output, x.grad, the loss)")
    print(f"peak during the run: {tr.peak_bytes - start:,} bytes")
    print(f"{len(saves)} tensor_saved events, slot {sorted({e.slot for e in saves})}, "
          f"{sum(e.nbytes for e in saves):,} bytes, none new (each is the op's own output)")  # fmt: skip
    print(f"{len(freed)} graph_freed events released {sum(e.nbytes for e in freed):,} bytes "
          f"(the last output is still held by p)")  # fmt: skip
    print(f"x.grad: shape {tuple(x.grad.shape)}, {x.grad.nbytes:,} bytes")
    return {
        "n": n,
        "ops": ops,
        "live": live,
        "before_backward": before,
        "after_backward": after,
        "peak": tr.peak_bytes - start,
        "saved_events": len(saves),
        "saved_bytes": sum(e.nbytes for e in saves),
        "saved_new": sum(e.new for e in saves),
        "freed_events": len(freed),
        "freed_bytes": sum(e.nbytes for e in freed),
    }


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
