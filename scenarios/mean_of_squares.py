"""Mean of squares of 10 numbers: the gradient is 2x/10, through MeanBackward0 and PowBackward0.

``mean`` divides by n on the way forward, so backward spreads 1/n to every element;
``PowBackward0`` then multiplies by 2x, the input it saved.

Run it: ``python scenarios/mean_of_squares.py`` or ``gradscope run scenarios/mean_of_squares.py``.
"""

import gradscope as gs


def main(n: int = 10, seed: int = 0) -> dict:
    """Backpropagate the mean of squares of ``n`` random numbers; compare with 2x/n."""
    gs.manual_seed(seed)
    x = gs.randn(n, requires_grad=True)
    p = (x**2).mean()
    print(f"x = {x}")
    print(f"p = (x**2).mean() = {p!r}")
    print(f"p.grad_fn = {p.grad_fn.name()}")
    pow_node = p.grad_fn.next_functions[0][0]
    print(f"p.grad_fn.next_functions = (({pow_node.name()}, 0),)")
    print(f"{pow_node.name()}.next_functions = (({pow_node.next_functions[0][0].name()}, 0),)")
    print(f"{pow_node.name()} saved self = x: {pow_node._saved_self.equal(x.detach())}")

    gs.mark("before backward")
    p.backward()
    gs.mark("after backward")

    expected = 2 * x.detach() / n
    err = (x.grad - expected).abs().max().item()
    print(f"x.grad   = {x.grad}")
    print(f"2x/{n:<5} = {expected}")
    print(f"largest difference: {err:.3g}")
    return {
        "n": n,
        "grad_fn": p.grad_fn.name(),
        "next": pow_node.name(),
        "max_abs_err": err,
        "grad": x.grad.tolist(),
        "x": x.tolist(),
    }


if __name__ == "__main__":
    main()
