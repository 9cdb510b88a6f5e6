"""Gradient accumulation: repeated backward adds into .grad, zero_() resets it, and why.

Three parts:

1. ``(x**2).sum()`` backpropagated three times with ``retain_graph=True``: ``x.grad``
   goes 2x, 4x, 6x, written in place into the same tensor; ``x.grad.zero_()`` resets it.
2. A parameter used twice in one expression: the two paths' gradients add up.
3. Mini-batches: a backward per chunk of the data accumulates the full batch's gradient.

Run it: ``python scenarios/accumulation.py`` or ``gradscope run scenarios/accumulation.py``.
"""

import gradscope as gs


def repeated_backward() -> dict:
    """Backward three times through one retained graph, then zero the gradient."""
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x**2).sum()
    print(f"x.grad before any backward: {x.grad}")
    history = []
    first_grad = None
    with gs.trace() as tr:
        for i in range(3):
            y.backward(retain_graph=True)
            first_grad = first_grad if first_grad is not None else x.grad
            history.append(x.grad.tolist())
            print(
                f"after backward {i + 1}: x.grad = {x.grad}  (same tensor: {x.grad is first_grad})"
            )
    firsts = [e.first for e in tr.events if e.kind == "grad_accumulated"]
    print(f"grad_accumulated events, field 'first': {firsts} (only the first one allocates)")
    x.grad.zero_()
    zeroed = x.grad.tolist()
    print(f"after x.grad.zero_(): {x.grad}")
    y.backward()  # the last backward does not retain: it frees PowBackward0's saved x
    after_zero = x.grad.tolist()
    print(f"one more backward: {x.grad}")
    return {"history": history, "zeroed": zeroed, "after_zero": after_zero, "first": firsts}


def used_twice() -> dict:
    """w appears in two terms; its gradient is the sum of what both paths send back."""
    a = gs.tensor([1.0, 2.0])
    b = gs.tensor([10.0, 20.0])
    w = gs.tensor([0.5, -0.5], requires_grad=True)
    loss = (w * a).sum() + (w * b).sum()
    loss.backward()
    print(f"loss = (w*a).sum() + (w*b).sum(): w.grad = {w.grad} = a + b = {a + b}")
    return {"grad": w.grad.tolist(), "expected": (a + b).tolist()}


def mini_batches(n: int = 64, chunks: int = 4, seed: int = 0) -> dict:
    """The gradient of a sum over all the data equals the sum of per-chunk gradients."""
    gs.manual_seed(seed)
    # float64: the sums differ from the full batch's only in the last bits, which depend
    # on the machine's BLAS; the printed digits do not
    X = gs.randn(n, 3, dtype=gs.float64)
    t = gs.randn(n, dtype=gs.float64)
    w = gs.zeros(3, dtype=gs.float64, requires_grad=True)

    ((X @ w - t) ** 2).sum().backward()
    full = w.grad.clone()
    w.grad = None

    size = n // chunks
    for k in range(chunks):
        Xk, tk = X[k * size : (k + 1) * size], t[k * size : (k + 1) * size]
        ((Xk @ w - tk) ** 2).sum().backward()  # adds this chunk's share into w.grad
    err = (w.grad - full).abs().max().item()
    print(f"full batch of {n}:        w.grad = {full}")
    print(f"{chunks} chunks of {size}, accumulated: w.grad = {w.grad}")
    print(f"equal up to rounding (largest difference below 1e-12): {err < 1e-12}")
    return {"full": full.tolist(), "accumulated": w.grad.tolist(), "max_abs_err": err}


def main() -> dict:
    """Run the three parts; return what each one measured."""
    print("== 1. repeated backward accumulates ==")
    rep = repeated_backward()
    print("\n== 2. a parameter used twice ==")
    twice = used_twice()
    print("\n== 3. mini-batches: accumulate, then step ==")
    mb = mini_batches()
    print(
        "\nBackward adds into .grad rather than overwriting it, so that gradients from several\n"
        "paths or several backward calls combine. The price: zero the gradients (or set them\n"
        "to None) before each optimisation step, or the steps mix old gradients in."
    )
    return {"repeated": rep, "used_twice": twice, "mini_batches": mb}


if __name__ == "__main__":
    main()
