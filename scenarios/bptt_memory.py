"""Backprop through time: an LSTM keeps 2,048 bytes per step until backward, and detaching the state bounds it.

Three parts, with an ``LSTM(8, 16)`` on a batch of 4 (float32):

1. Memory grows linearly with the sequence: every step keeps, for backward, its gates
   (one ``(4, 64)`` buffer of 1,024 bytes that the four gates share, each activated in
   place), its cell state ``c_t``, ``tanh(c_t)`` and ``h_t`` (256 bytes each), and ``h_t``'s
   copy in the stacked output: 2,048 bytes a step, exactly.
2. Truncated backprop through time over 32 steps in chunks of 8: a backward per chunk
   with ``h.detach()`` between them holds one chunk's graph at a time.
3. The same loop without the detach: the second chunk's backward reaches into the first
   chunk's graph, which the first backward freed, and raises PyTorch's error.

Run it: ``python scenarios/bptt_memory.py`` or ``gradscope run scenarios/bptt_memory.py``.
"""

import gradscope as gs

BATCH, FEATURES, HIDDEN = 4, 8, 16


def per_step(lengths=(1, 2, 4, 8, 16)) -> dict:
    """Bytes an LSTM's forward leaves held for backward, for several sequence lengths."""
    gs.manual_seed(0)
    lstm = gs.nn.LSTM(FEATURES, HIDDEN)
    held = {}
    for steps in lengths:
        x = gs.randn(steps, BATCH, FEATURES)
        start = gs.live_bytes()
        out, (h, c) = lstm(x)
        loss = out.sum()
        held[steps] = gs.live_bytes() - start
        del out, h, c, loss
    growth = {b: (held[b] - held[a]) // (b - a) for a, b in zip(lengths, lengths[1:])}
    for steps in lengths:
        print(f"{steps:>3} steps: {held[steps]:>7,} bytes held until backward")
    print(f"each step adds {sorted(set(growth.values()))} bytes: gates 1,024 + c_t, tanh(c_t), "
          "h_t and its row of the output 256 each")  # fmt: skip
    return {"held": held, "growth": growth}


def truncated(total: int = 32, chunk: int = 8, detach: bool = True) -> dict:
    """A backward per ``chunk`` steps of a ``total``-step sequence; the state carried
    across chunks is detached (or not)."""
    gs.manual_seed(1)
    lstm = gs.nn.LSTM(FEATURES, HIDDEN)
    x = gs.randn(total, BATCH, FEATURES)
    state = None
    peaks, error = [], None
    with gs.trace() as tr:
        for k in range(0, total, chunk):
            if state is not None and detach:
                state = tuple(s.detach() for s in state)
            out, state = lstm(x[k : k + chunk], state)
            gs.mark(f"chunk {k // chunk} forward")
            try:
                out.pow(2).mean().backward()
            except RuntimeError as e:
                error = str(e)
                print(f"chunk {k // chunk}: backward failed: {error.split('.')[0]}.")
                break
            peaks.append(tr.peak_bytes)
    marks = [e for e in tr.events if e.kind == "mark"]
    held = [m.live_bytes for m in marks]
    label = "detached" if detach else "not detached"
    print(f"state {label}: bytes live after each chunk's forward: {[f'{b:,}' for b in held]}")
    if detach and len(held) > 1:
        grads = sum(p.grad.nbytes for p in lstm.parameters())
        print(f"from the second chunk on, the parameters' .grad ({grads:,} bytes) is live too; "
              "the graph held stays one chunk's")  # fmt: skip
    return {"held": held, "error": error}


def main() -> dict:
    print("1. bytes an LSTM keeps for backward, by sequence length")
    steps = per_step()
    print("\n2. truncated backprop through time, the state detached between chunks")
    kept = truncated(detach=True)
    print("\n3. the same without detaching the state")
    broken = truncated(detach=False)
    return {"per_step": steps, "truncated": kept, "not_detached": broken}


if __name__ == "__main__":
    main()
