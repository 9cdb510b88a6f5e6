"""Square and sum: y = x**2, y.sum().backward(), and x.grad comes out as 2x.

The smallest graph worth looking at: a leaf ``x``, one ``PowBackward0`` that saves its
input, one ``SumBackward0`` that saves nothing, and the ``AccumulateGrad`` that writes
``x.grad``.

Run it: ``python scenarios/square_sum.py`` or ``gradscope run scenarios/square_sum.py``.
"""

import gradscope as gs


def main() -> dict:
    """Build y = x**2, backpropagate y.sum(), compare x.grad with 2x."""
    x = gs.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**2
    s = y.sum()
    print(f"x = {x}")
    print(f"y = x**2 = {y}")
    print(f"s = y.sum() = {s!r}")

    # The graph, read from the root: each grad_fn points at the nodes of its inputs.
    chain = []
    node = s.grad_fn
    while node is not None:
        chain.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    print("graph, from the loss back to x: " + " -> ".join(chain))

    gs.mark("before backward")
    s.backward()
    gs.mark("after backward")

    expected = 2 * x.detach()
    print(f"x.grad = {x.grad}")
    print(f"2 * x  = {expected}")
    matches = bool(x.grad.equal(expected))
    print(f"x.grad == 2x: {matches}")
    return {
        "x": x.tolist(),
        "grad": x.grad.tolist(),
        "matches": matches,
        "chain": chain,
    }


if __name__ == "__main__":
    main()
